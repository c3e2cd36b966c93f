"""Gate a mechanism in your own pytest suite.

    from verified.testing import assert_holds, assert_fails

    def test_my_mechanism_is_strategyproof():
        assert_holds("mechanisms/mine.toml", "sp", "ir")      # a mechanism file ...

    def test_with_objects():
        assert_holds((mechanism, domain), "sp")               # ... or a mechanism and its domain

A failing property raises AssertionError whose message is the counterexample in
words (agent, misreport, prefix, the numbers). Every verdict is re-verified by the
independent checker (`verified.recheck`) before the assertion passes, unless
``recheck=False``; ``certificate_dir`` also writes the certificates. ``timeout=`` (seconds for the
whole call) and ``max_memory=`` run the work in a child process killed at the limit; a property
left without a verdict is UNKNOWN, so ``assert_holds`` fails with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from verified.results import CheckResult


def _subject(target: Any) -> Any:
    from verified.assignment.domain import Domain
    from verified.assignment.mechanism import TabulatedMechanism
    from verified.io import AssignmentSubject, load_subject

    if isinstance(target, AssignmentSubject):
        return target
    if isinstance(target, (str, Path)):
        return load_subject(target)
    if isinstance(target, TabulatedMechanism):
        return AssignmentSubject(target.problem, target.domain, target)
    if isinstance(target, tuple) and len(target) == 2 and isinstance(target[1], Domain):
        mechanism, domain = target
        return AssignmentSubject(domain.problem, domain, mechanism)
    raise TypeError(
        "expected a mechanism file path, a TabulatedMechanism, a (mechanism, domain) pair "
        f"or an AssignmentSubject, got {type(target).__name__}"
    )


def check_one_property(subject: Any, name: str, options: dict[str, Any]) -> CheckResult:
    """Check one property here (``options``: ``recheck``, ``certificate_dir``, ``timeout``)."""
    from verified.certificates import build_certificate, save_certificate
    from verified.recheck import recheck as independent_recheck
    from verified.registry import check_here, subject_for

    result = check_here(name, subject, timeout=options.get("timeout"))
    recheck, certificate_dir = options.get("recheck", True), options.get("certificate_dir")
    if recheck or certificate_dir is not None:
        doc = build_certificate(name, result, subject_for(name, subject))
        if recheck:
            independent_recheck(doc)
        if certificate_dir is not None:
            save_certificate(doc, certificate_dir, subject.name)
    return result


def _check(
    target: Any, properties: tuple[str, ...], options: dict[str, Any], max_memory: int | str | None
) -> tuple[dict[str, CheckResult], list[str] | None]:
    """The results, and the agents' names for messages (None when unknown here)."""
    from verified.registry import spec
    from verified.run.api import check_properties_limited

    if not properties:
        raise ValueError("name at least one property, e.g. assert_holds(target, 'sp')")
    for name in properties:
        spec(name)
    if options.get("timeout") is not None or max_memory is not None:
        limited = check_properties_limited(
            target if isinstance(target, (str, Path)) else _subject(target), properties, options, max_memory
        )
        if limited is not None:
            return limited[0], limited[1] or None
    subject = _subject(target)
    out = {name: check_one_property(subject, name, options) for name in properties}
    return out, list(subject.problem.agents) if hasattr(subject, "problem") else None


def check_properties(
    target: Any,
    *properties: str,
    recheck: bool = True,
    certificate_dir: str | Path | None = None,
    timeout: float | None = None,
    max_memory: int | str | None = None,
    n_jobs: int | None = None,
    executor: Any = None,
    progress: bool | None = None,
) -> dict[str, CheckResult]:
    """Check each property (registry names, e.g. ``"sp"``); certificates re-verified if ``recheck``.

    ``n_jobs`` (processes; -1 every core), ``executor`` (any `concurrent.futures.Executor`, e.g.
    Dask's ``Client.get_executor()``) and ``progress`` (a bar on stderr) set how the engine
    tabulates a user's mechanism (`verified.engine`); the results are the same either way.

    With ``timeout`` (seconds, for the whole call) or ``max_memory`` (bytes or ``"4G"``; default
    half the machine once a child is used), the work -- loading a file, tabulating, every check and
    re-check -- runs in a child process killed at the limit: the properties finished before it keep
    their results, the others are UNKNOWN with the reason (so `assert_holds` fails saying why).
    Under ``spawn`` (no ``fork``), a subject built in memory without a source file is checked in
    this process, where only the z3 checks honour ``timeout``."""
    from verified.engine.options import engine_options

    options = {"recheck": recheck, "certificate_dir": certificate_dir, "timeout": timeout}
    with engine_options(n_jobs=n_jobs, executor=executor, progress=progress):
        return _check(target, properties, options, max_memory)[0]


def _message(name: str, result: CheckResult, agents: list[str] | None) -> str:
    from verified.explain import explain

    return explain({**result.to_json(), "property": name}, agents)


def _assert_every(
    target: Any, properties: tuple[str, ...], options: dict[str, Any], wanted: Callable[[CheckResult], bool]
) -> dict[str, CheckResult]:
    """Check ``properties``; raise AssertionError explaining each result that is not ``wanted``."""
    known = {"recheck", "certificate_dir", "timeout", "max_memory"}
    if set(options) - known:
        raise TypeError(f"unknown options {sorted(set(options) - known)}; known: {sorted(known)}")
    settings = {"recheck": True, "certificate_dir": None, "timeout": None, **options}
    max_memory = settings.pop("max_memory", None)
    results, agents = _check(target, properties, settings, max_memory)
    bad = [(n, r) for n, r in results.items() if not wanted(r)]
    if bad:
        raise AssertionError("\n\n".join(_message(n, r, agents) for n, r in bad))
    return results


def assert_holds(target: Any, *properties: str, **options: Any) -> dict[str, CheckResult]:
    """Assert every property holds; the message of a failure is its counterexample in words."""
    return _assert_every(target, properties, options, lambda r: r.holds)


def assert_fails(target: Any, *properties: str, **options: Any) -> dict[str, CheckResult]:
    """Assert every property fails (e.g. a known manipulable mechanism stays manipulable)."""
    return _assert_every(target, properties, options, lambda r: r.fails)
