"""The Python API's limits: `verified.registry.run_check` and `verified.testing.check_properties`
with ``timeout=`` / ``max_memory=`` run their work in a child process killed at the limit
(`verified.run.child`), and return UNKNOWN results with the reason past it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from verified.results import CheckResult, unknown
from verified.run.check import limit_outcome_result, load_reporting, property_worker, raise_failure
from verified.run.child import run_in_child, start_method
from verified.run.limits import Limits, default_max_memory, parse_memory


def api_limits(timeout: float | None, max_memory: int | str | None) -> Limits:
    """The limits of an API call: ``max_memory`` as bytes or ``"4G"``; default half the machine."""
    memory = parse_memory(max_memory, "max_memory") if isinstance(max_memory, str) else max_memory
    return Limits(timeout=timeout, max_memory=memory if memory is not None else default_max_memory())


def child_source(subject: Any) -> Any:
    """What a child needs to rebuild ``subject``: the subject itself under fork, its source file
    under spawn, None when it has none (then the work stays in this process)."""
    if start_method() == "fork":
        return subject
    source = getattr(subject, "source", None)
    return source if isinstance(source, str) and Path(source).is_file() else None


def _python(subject: Any) -> str | None:
    description = getattr(subject, "description", None) or {}
    ref = description.get("python") if isinstance(description, dict) else None
    return ref if isinstance(ref, str) else None


def run_limited_check(
    name: str, subject: Any, *, timeout: float | None, max_memory: int | str | None
) -> CheckResult:
    """`verified.registry.run_check` in a child killed at the limit (see there)."""
    from verified.registry import check_here, spec

    spec(name)  # an unknown name is bad input before any child starts
    limits = api_limits(timeout, max_memory)
    source = child_source(subject)
    if source is None:
        return check_here(name, subject, timeout=timeout)
    box: dict[str, CheckResult] = {}

    def receive(message: tuple[Any, ...]) -> None:
        if message[0] == "checked":
            box["result"] = message[2]

    outcome = run_in_child(
        property_worker,
        (source, name, timeout, False),
        timeout=limits.timeout,
        max_memory=limits.max_memory,
        on_message=receive,
    )
    if "result" in box:
        return box["result"]
    limit = f"the limit of {timeout:g} s was reached" if timeout is not None else "no result"
    return limit_outcome_result(name, outcome, limit, _python(subject))


def properties_worker(send: Any, source: Any, names: tuple[str, ...], options: dict[str, Any]) -> None:
    """Child entry of `verified.testing.check_properties` with a limit: each property's result is
    sent as soon as it is checked (and re-checked / written, as asked)."""
    from verified.testing import check_one_property

    subject = load_reporting(source, False, send) if isinstance(source, str) else source
    send(("agents", list(getattr(getattr(subject, "problem", None), "agents", []) or [])))
    started = time.monotonic()
    total = options.get("timeout")
    for name in names:
        send(("start", name))
        left = None if total is None else max(0.001, total - (time.monotonic() - started))
        send(("checked", name, check_one_property(subject, name, {**options, "timeout": left})))


def check_properties_limited(
    target: Any, names: tuple[str, ...], options: dict[str, Any], max_memory: int | str | None
) -> tuple[dict[str, CheckResult], list[str]] | None:
    """Check ``names`` on ``target`` (a subject, or a file path loaded in the child) in a child
    killed at the limit (``options["timeout"]`` is the total for all of them): the results and the
    agents' names. None when the subject cannot be rebuilt in a child (see `child_source`): the
    caller then checks in this process."""
    source = str(target) if isinstance(target, (str, Path)) else child_source(target)
    if source is None:
        return None
    limits = api_limits(options.get("timeout"), max_memory)
    results: dict[str, CheckResult] = {}
    current: list[str] = []
    agents: list[str] = []
    python: list[str] = []

    def receive(message: tuple[Any, ...]) -> None:
        if message[0] == "python":
            python[:] = [message[1]]
        elif message[0] == "agents":
            agents[:] = message[1]
        elif message[0] == "start":
            current[:] = [message[1]]
        elif message[0] == "checked":
            results[message[1]] = message[2]

    outcome = run_in_child(
        properties_worker,
        (source, names, options),
        timeout=limits.timeout,
        max_memory=limits.max_memory,
        on_message=receive,
    )
    if outcome.status in ("error", "died") and outcome.kind != "memory":
        raise_failure(outcome, python[0] if python else _python(target))
    if outcome.status == "timeout":
        reason = f"time-out: the limit of {limits.timeout:g} s for the whole call was reached"
    else:
        reason = outcome.message or "the checking process ended early"
    for name in names:
        if name not in results:
            started = current and current[0] == name
            results[name] = unknown(name, reason if started else f"{reason} before {name} started")
    return {name: results[name] for name in names}, agents
