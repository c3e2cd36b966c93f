"""The work of ``verified check`` and of the Python API's limited checks, run in a child process
(`verified.run.child`) that is killed at the limit.

The child loads the file, tabulates the mechanism and checks each property in turn, streaming
messages to the parent as it goes:

``("python", ref)``         the file names a user's Python mechanism (sent before importing it)
``("header", info)``        the subject's name, size and the property names to check
``("encoding", key, enc)``  a subject encoding that certificates refer to (only when written)
``("start", name)``         property ``name`` starts
``("count", name, doc)``    with ``--count``: the property's count of violations (sent before its result;
                            `violations_count.count_document`)
``("result", name, doc, lines, key)``  its certificate (its subject's encoding left out: it is the
                            one sent under ``key``) and the explanation lines to print

so every property finished before the limit keeps its verdict. With a per-property limit, each
property runs in a grandchild (forked after tabulating, so it inherits the table) killed at that
limit; the run goes on with the next property.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from verified.errors import InvalidInput
from verified.results import CheckResult, unknown
from verified.run.child import ChildFailed, Outcome, run_in_child, start_method
from verified.run.limits import Limits


def own_subject(name: str) -> bool:
    """A certificate of ``name`` is about its own subject (more than the file's, or another
    encoding: `verified.registry.PropertySpec.subject`), not the file's main encoding."""
    from verified.registry import BY_NAME

    return name in BY_NAME and BY_NAME[name].subject is not None


MAIN = "main"


def property_names(subject: Any, requested: list[str] | None) -> list[str]:
    """The requested names, or (``None``) every property available for the subject."""
    from verified.io import TradingSubject
    from verified.registry import BY_NAME, available

    if requested is not None:
        return requested
    family = "trading" if isinstance(subject, TradingSubject) else "assignment"
    names = available(family)
    # a property that reads what this file does not give (type distributions: format /3) is left out
    names = [
        n for n in names if BY_NAME[n].needs is None or getattr(subject, BY_NAME[n].needs, None) is not None
    ]
    if getattr(subject, "priorities", True) is None:
        names = [n for n in names if n != "ex-post-stable"]
    names = [n for n in names if n != "sp-anonymous"]  # a faster route to "sp", for anonymous tables
    if family == "assignment" and not subject.domain.same_rankings:  # anonymity needs one
        names = [n for n in names if n != "anonymous"]
    return names


def _size(subject: Any) -> str:
    from verified.assignment.domain import count_text
    from verified.io import TradingSubject

    if isinstance(subject, TradingSubject):
        return f"{len(subject.menus)} menus"
    return f"{count_text(subject.domain.profile_count)} profiles"


def load_reporting(path: str, allow_float: bool, send: Any) -> Any:
    """Load a mechanism file; first say whether it names a user's Python mechanism."""
    from verified.io import load_document, load_subject

    doc = load_document(path)
    mechanism = doc.get("mechanism")
    if isinstance(mechanism, dict) and isinstance(mechanism.get("python"), str):
        send(("python", mechanism["python"]))
    return load_subject(path, allow_float=allow_float)


def limit_outcome_result(name: str, outcome: Outcome, limit: str, python: str | None) -> CheckResult:
    """The result of property ``name`` whose (grand)child ended with ``outcome`` without a result:
    UNKNOWN past a limit; bad input or internal errors are raised."""
    if outcome.status == "timeout":
        return unknown(name, f"time-out: {limit}")
    if outcome.status == "memory" or (outcome.status == "error" and outcome.kind == "memory"):
        return unknown(name, outcome.message)
    raise_failure(outcome, python)
    raise ChildFailed(f"the checking process ended with {outcome.status}")  # pragma: no cover


def raise_failure(outcome: Outcome, python: str | None, source: str | None = None) -> None:
    """Raise what an ``error`` or ``died`` outcome means: `InvalidInput` for bad input (or a death
    while running a user's Python mechanism), `ChildFailed` for a bug."""
    if outcome.status == "error":
        if outcome.kind == "bad_input":
            if source and source not in outcome.message:  # every bad-input message names the file
                raise InvalidInput(outcome.message, source)
            raise InvalidInput(outcome.message)
        raise ChildFailed(outcome.message)
    if outcome.status == "died":
        if python is not None:
            raise InvalidInput(
                f"the process running the user's mechanism {python!r} {outcome.describe_death()}",
                f"{source}: mechanism.python" if source else "mechanism.python",
            )
        raise ChildFailed(f"the checking process {outcome.describe_death()}")


def property_worker(
    send: Any, source: Any, name: str, timeout: float | None, allow_float: bool, count: int | None = None
) -> None:
    """Child entry: check one property of ``source`` (a subject, under fork, or a file path);
    ``count``: count its violations too, listing that many (`verified.registry.check_here`)."""
    from verified.registry import check_here

    subject = load_reporting(source, allow_float, send) if isinstance(source, str) else source
    send(("checked", name, check_here(name, subject, timeout=timeout, count=count)))


def check_one(
    name: str, subject: Any, source: Any, timeout: float | None, property_timeout: float | None, options: dict
) -> CheckResult:
    """Check ``name`` here, or in a grandchild killed after ``property_timeout`` seconds."""
    from verified.registry import check_here

    if property_timeout is None:
        return check_here(name, subject, timeout=timeout, count=options.get("count"))
    limit = property_timeout if timeout is None else min(property_timeout, timeout)
    box: dict[str, CheckResult] = {}

    def receive(message: tuple[Any, ...]) -> None:
        if message[0] == "checked":
            box["result"] = message[2]

    worker_source = subject if start_method() == "fork" else source
    outcome = run_in_child(
        property_worker,
        (worker_source, name, limit, options.get("allow_float", False), options.get("count")),
        timeout=limit,
        on_message=receive,
        new_group=False,
    )
    if "result" in box:
        return box["result"]
    text = f"the per-property limit of {property_timeout:g} s was reached"
    if limit < property_timeout:
        text = f"the run's limit was reached while checking {name}"
    return limit_outcome_result(name, outcome, text, options.get("python"))


@contextmanager
def engine_for_child(options: dict[str, Any], send: Any) -> Iterator[None]:
    """The engine's settings for a ``verified check`` child: ``jobs`` processes or the Dask
    cluster at ``scheduler``, and progress sent to the parent as ``("progress", done, total,
    label)`` (at most four times a second). No deadline here: the parent kills the child's whole
    process group (our pool's workers included) at the limit."""
    from verified.engine.options import engine_options

    last = [0.0]

    def report(done: int, total: int, label: str) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.25 or done == total:
            last[0] = now
            send(("progress", done, total, label))

    scheduler = options.get("scheduler")
    if scheduler:
        from verified.engine.dask import dask_executor

        with (
            dask_executor(scheduler) as executor,
            engine_options(n_jobs=options.get("jobs") or 1, executor=executor, on_progress=report),
        ):
            yield
    else:
        jobs = options.get("jobs") or 1
        if jobs != 1:
            from verified.engine.executors import warm_up

            warm_up()
        with engine_options(n_jobs=jobs, on_progress=report):
            yield


def check_worker(send: Any, path: str, requested: list[str] | None, options: dict[str, Any]) -> None:
    """Child entry of ``verified check``: load, tabulate, check each property, stream the results.
    ``options``: ``allow_float``, ``timeout`` (the whole run), ``property_timeout``, ``certificates``
    (send the subject encodings the certificates need), ``jobs`` and ``scheduler`` (the engine:
    `engine_for_child`)."""
    started = time.monotonic()
    python: list[str] = []

    def tell(message: tuple[Any, ...]) -> None:
        if message[0] == "python":
            python.append(message[1])
        send(message)

    with engine_for_child(options, send):
        subject, names = _load_and_announce(send, path, requested, options, tell)
        if options.get("shard"):
            _check_shard(send, path, subject, names, options)
        else:
            _check_all(send, path, subject, names, options, python, started)


def _load_and_announce(
    send: Any,
    path: str,
    requested: list[str] | None,
    options: dict[str, Any],
    tell: Callable[[tuple[Any, ...]], None],
) -> tuple[Any, list[str]]:
    """Load the file, refuse a property of the other family before any work, send the header."""
    from verified.registry import applicable

    subject = load_reporting(path, options.get("allow_float", False), tell)
    names = property_names(subject, requested)
    for name in names:
        applicable(name, subject)
    agents = list(getattr(getattr(subject, "problem", None), "agents", []) or []) or None
    send(("header", {"name": subject.name, "size": _size(subject), "names": names, "agents": agents}))
    return subject, names


def _check_shard(send: Any, path: str, subject: Any, names: list[str], options: dict[str, Any]) -> None:
    """``--shard i/N``: tabulate one range and send its part (`verified.engine.shards`)."""
    from verified.engine.shards import build_part
    from verified.engine.spec import spec_from_file
    from verified.io import TradingSubject

    if isinstance(subject, TradingSubject):
        raise InvalidInput(
            "--shard splits the profiles of an assignment domain, not a trading file", "--shard"
        )
    spec = spec_from_file(path, allow_float=options.get("allow_float", False))
    send(("part", build_part(path, subject, names, tuple(options["shard"]), spec)))


def _stand_in(subject: Any) -> dict[str, Any]:
    """What the explanation of a verdict reads from a subject (the mechanism's and the agents'
    names), used in place of the encoding when no certificate is written. Never written: the
    parent writes only documents whose encoding it was sent."""
    return {
        "family": "assignment",
        "kind": "not_encoded",
        "problem": {"agents": list(subject.problem.agents)},
        "mechanism": {"name": subject.name},
    }


def _tabulate_once(subject: Any, names: list[str]) -> None:
    """Tabulate the subject for the properties ``names``. When every one reads a compact table
    (`verified.registry.COMPACT_PROPERTIES`) and the table is the engine's (a user's Python
    mechanism) or past the int64 table's cell limit: its `CompactTable` (no widening to int64:
    a fifth of the time after tabulation on 5-agent Boston); else its int64 table."""
    from verified.assignment.properties._common import prefetch_table_digest
    from verified.registry import beyond_table_limit

    if _reads_compact_only(names) and ("python" in subject.description or beyond_table_limit(subject)):
        table = subject.compact_table
    else:
        table = subject.table
    prefetch_table_digest(table)  # on the second core while the first property is checked


def _check_all(
    send: Any,
    path: str,
    subject: Any,
    names: list[str],
    options: dict[str, Any],
    python: list[str],
    started: float,
) -> None:
    from verified.certificates import build_certificate
    from verified.explain import explain
    from verified.io import AssignmentSubject, subject_encoding
    from verified.registry import subject_for

    total = options.get("timeout")
    agents = list(getattr(getattr(subject, "problem", None), "agents", []) or []) or None
    certificates = bool(options.get("certificates"))
    # Without certificates an assignment subject is not encoded (for 16 M profiles the encoding
    # costs more than the check): `_stand_in` carries what the explanation lines need. Past the
    # table limit a FAILS verdict is certified on the profiles its counterexample needs
    # (`verified.io.local`), and a HOLDS verdict is not (it would need the whole table).
    local = certificates and _past_the_table_limit(subject, names)
    light = (not certificates or local) and isinstance(subject, AssignmentSubject)
    encoding = None
    if any(not own_subject(n) for n in names):
        if light:
            _tabulate_once(subject, names)  # before any property (and any per-property child)
            encoding = _stand_in(subject)
        else:
            encoding = subject_encoding(subject)
    if certificates and not light and encoding is not None:
        send(("encoding", MAIN, encoding))
    inner = {**options, "python": python[0] if python else None}
    for name in names:
        key = MAIN if not own_subject(name) else name
        about = encoding if key == MAIN else None
        if key != MAIN and light and not certificates:
            about = _stand_in(subject)
        elif key != MAIN and name != "sp-anonymous":  # cheap: known before the check runs
            about = subject_for(name, subject)
            if certificates:
                send(("encoding", key, about))
        send(("start", name))
        left = None if total is None else max(0.001, total - (time.monotonic() - started))
        result = check_one(name, subject, path, left, options.get("property_timeout"), inner)
        if about is None:
            about = subject_for(name, subject)
            if certificates:
                send(("encoding", key, about))
        note = None
        if local and key == MAIN:
            key, about, note = _local(name, result, subject, send)
        doc = build_certificate(name, result, about)
        lines: list[str] = []
        if doc["verdict"] != "holds":
            body = explain(doc, agents).splitlines()[1:]
            lines = body[:-2] if "subject" in doc else body
        if note:
            lines.append(note)
        if options.get("count") is not None:  # --count: before the result, so the parent has both
            from verified.assignment.properties.violations_count import count_document

            send(("count", name, count_document(name, result)))
        doc["subject"] = {"sha256": doc["subject"]["sha256"]}
        send(("result", name, doc, lines, key))


def _reads_compact_only(names: list[str]) -> bool:
    """Every property of ``names`` that reads the subject's table reads a compact one
    (`verified.registry.COMPACT_PROPERTIES`); true of none."""
    from verified.registry import COMPACT_PROPERTIES

    return all(n in COMPACT_PROPERTIES for n in names if not own_subject(n))


def _past_the_table_limit(subject: Any, names: list[str]) -> bool:
    """An assignment subject whose table is past the int64 limit, checked only for properties
    that read a compact table (the others refuse the domain, as without certificates)."""
    from verified.io import AssignmentSubject
    from verified.registry import beyond_table_limit

    return (
        isinstance(subject, AssignmentSubject)
        and any(not own_subject(n) for n in names)
        and _reads_compact_only(names)
        and beyond_table_limit(subject)
    )


def _local(name: str, result: Any, subject: Any, send: Any) -> tuple[str, dict[str, Any], str | None]:
    """(key, subject encoding, note) of a verdict past the table limit: a FAILS verdict on the
    restricted table around its counterexample (sent under its own key, so it is written),
    anything else on the stand-in (not written) with a note saying why."""
    from verified.io.local import local_subject

    encoding = local_subject(subject.compact_table, name, result)
    if encoding is not None:
        send(("encoding", f"local-{name}", encoding))
        return f"local-{name}", encoding, "Certified on the profiles this counterexample needs."
    if result.verdict.value == "holds":
        from verified.assignment.domain import count_text

        p, size = subject.problem, count_text(subject.domain.profile_count)
        why = (
            f"No certificate: a HOLDS certificate would carry the whole table ({size} "
            f"profiles x {p.n} agents x {p.m + 1} columns), past the table limit."
        )
        return MAIN, _stand_in(subject), why
    return MAIN, _stand_in(subject), None


@dataclass
class FileReport:
    """What the parent learnt from a ``verified check`` child: the header (None when the child
    never got that far), each finished property's certificate (``docs``, in order, its subject
    encoding attached when the child sent it) and explanation lines, and how the run ended."""

    path: str
    requested: list[str] | None
    header: dict[str, Any] | None = None
    python: str | None = None
    encodings: dict[str, Any] = field(default_factory=dict)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    lines: dict[str, list[str]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    current: str | None = None
    stage: str = "loading the file"
    progress: tuple[int, int, str] | None = None  # (done, total, label) of the engine's current work
    part: dict[str, Any] | None = None  # with --shard: the part document
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)  # with --count: per property

    def receive(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "python":
            self.python = message[1]
        elif kind == "header":
            self.header = message[1]
            self.stage = "tabulating the mechanism"
        elif kind == "encoding":
            self.encodings[message[1]] = message[2]
        elif kind == "part":
            self.part = message[1]
        elif kind == "count":
            self.counts[message[1]] = message[2]
        elif kind == "progress":
            self.progress = (message[1], message[2], message[3])
        elif kind == "start":
            self.progress = None
            self.current = message[1]
            self.stage = f"checking {message[1]}"
        elif kind == "result":
            _, name, doc, lines, key = message
            if key in self.encodings:
                doc["subject"]["encoding"] = self.encodings[key]
            self.docs[name], self.lines[name], self.keys[name] = doc, lines, key
            self.current, self.stage = None, "preparing the next property"

    @property
    def names(self) -> list[str] | None:
        return self.header["names"] if self.header is not None else self.requested

    def close_unfinished(self, reason: str) -> None:
        """Every property without a verdict becomes UNKNOWN with ``reason`` (the one running says
        so); its certificate is written only when its subject encoding is known."""
        from verified.certificates import build_certificate
        from verified.results import unknown

        for name in self.names or []:
            if name in self.docs:
                continue
            if name == self.current:
                why = f"{reason} while checking {name}"
            else:
                why = f"{reason} before {name} started (while {self.stage})"
            result = unknown(name, why)
            key = "main" if not own_subject(name) else name
            if key in self.encodings:
                doc = build_certificate(name, result, self.encodings[key])
            else:
                doc = {"property": name, "verdict": "unknown", "evidence": {"kind": "unknown"}, "reason": why}
            self.docs[name], self.lines[name] = doc, [f"No verdict: {why}."]


def check_file(
    path: str,
    requested: list[str] | None,
    limits: Limits,
    *,
    allow_float: bool = False,
    certificates: bool = False,
    on_tick: Callable[[FileReport], None] | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    shard: tuple[int, int] | None = None,
    count: int | None = None,
) -> FileReport:
    """Run ``verified check`` on ``path`` in a child process bounded by ``limits``. Raises
    `InvalidInput` for bad input (including a user mechanism that kills its process) and
    `ChildFailed` for a bug; past a limit the unfinished properties are UNKNOWN with the reason."""
    report = FileReport(path, requested)
    options = {
        "allow_float": allow_float,
        "timeout": limits.timeout,
        "property_timeout": limits.property_timeout,
        "certificates": certificates,
        "jobs": jobs,
        "scheduler": scheduler,
        "shard": shard,
        "count": count,
    }
    outcome = run_in_child(
        check_worker,
        (path, requested, options),
        timeout=limits.timeout,
        max_memory=limits.max_memory,
        on_message=report.receive,
        on_tick=None if on_tick is None else (lambda: on_tick(report)),
    )
    if outcome.status == "done":
        return report
    if outcome.status == "timeout":
        report.close_unfinished(f"time-out: the run's limit of {limits.timeout:g} s was reached")
        return report
    if outcome.status == "memory" or outcome.kind == "memory":
        report.close_unfinished(outcome.message)
        return report
    raise_failure(outcome, report.python, path)
    raise ChildFailed(f"the checking process ended with {outcome.status}")  # pragma: no cover
