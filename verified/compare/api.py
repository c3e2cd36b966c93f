"""`compare`: what a design change did, from two mechanism files (or subjects) on one problem.

The steps, each reported as an event (so that a run killed at its time limit keeps what it
finished; `verified.run.compare`): read both files and refuse different problems or domains
(`verified.compare.subjects`); tabulate both (the fast built-in tables, the engine for a user's
Python function, ``jobs`` processes) and classify every (profile, agent) pair
(`verified.compare.pairs`) -- or, with ``hunt``, sample profiles (`verified.compare.hunt`);
check each requested property on both (`verified.registry.check_here`); write the certificates
asked for (`verified.compare.certificate`); decide the requirement (`decide`).

What exit 0 means (``require``):

* ``dominates``: NEW dominates OLD (Erdil, section 2): at every profile every agent's NEW
  lottery weakly SD-dominates her OLD one, and strictly for some agent at some profile;
* ``weakly-dominates``: the same without "strictly somewhere" (an unchanged mechanism passes);
* ``equal``: every agent gets the same lottery at every profile;
* ``no-regression``: no requested property holds for OLD and fails for NEW.

A regression (a requested property that holds for OLD and fails for NEW) fails every
requirement. The default is ``no-regression`` when properties are requested (what they are
requested for), else ``weakly-dominates`` (no agent is worse off anywhere: the demanding gate
that an unchanged mechanism still passes). Sampling (``hunt``) never proves a relation: its
verdict is FAILS (a pair that refutes it) or UNKNOWN, and it takes no properties.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from verified.compare.model import (
    RELATION_REQUIREMENTS,
    REQUIREMENTS,
    Comparison,
    Differences,
    Pair,
    PropertyChange,
    Sampling,
    Side,
    satisfies,
)
from verified.errors import InvalidInput, OutOfReach
from verified.results import CheckResult, Verdict, unknown

#: Profiles drawn by ``hunt`` when no budget is given.
DEFAULT_BUDGET = 1000
#: The pairs that refute each relation requirement.
REFUTING = {
    "equal": ("better", "worse", "incomparable", "equivalent"),
    "weakly-dominates": ("worse", "incomparable"),
    "dominates": ("worse", "incomparable"),
}

Emit = Callable[[tuple[Any, ...]], None]


def options(
    properties: Sequence[str] | str, require: str | None, hunt: bool, budget: int, seed: int
) -> tuple[list[str], str]:
    """The property names and the requirement, validated before any work (`InvalidInput`)."""
    from verified.registry import spec

    if isinstance(properties, str):
        properties = [p.strip() for p in properties.split(",")]
    names = list(dict.fromkeys(p.strip() for p in properties if p and p.strip()))
    for name in names:
        spec(name)
    requirement = require or ("no-regression" if names else "weakly-dominates")
    if requirement not in REQUIREMENTS:
        raise InvalidInput(
            f"unknown requirement {requirement!r}; choose one of {', '.join(REQUIREMENTS)}", "--require"
        )
    if requirement == "no-regression" and not names:
        raise InvalidInput("no-regression needs the properties to compare: --property sp,ir,...", "--require")
    if hunt:
        if names:
            raise InvalidInput(
                "--hunt samples profiles, and a property is checked on the whole domain: drop --property "
                "(or compare exhaustively, without --hunt)",
                "--property",
            )
        for value, where in ((budget, "--budget"), (seed, "--seed")):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInput(f"expected an integer, got {value!r}", where)
        if budget < 1:
            raise InvalidInput(f"must be at least 1, got {budget}", "--budget")
        if seed < 0:
            raise InvalidInput(f"must be at least 0, got {seed}", "--seed")
    return names, requirement


def decide(
    requirement: str,
    differences: Differences | None,
    sampling: Sampling | None,
    properties: Sequence[PropertyChange],
    stopped: str | None = None,
) -> tuple[Verdict, str, Pair | None]:
    """The verdict of ``requirement``, its reason in words, and the refuting pair if one shows it.
    ``stopped``: why the run ended before every part (a limit), or None."""
    failed: list[str] = []
    open_: list[str] = []
    held: list[str] = []
    witness = None
    regressions = [p.name for p in properties if p.status == "regression"]
    if regressions:
        failed.append(f"regression: {', '.join(regressions)} held for OLD and fails for NEW")
    if requirement in RELATION_REQUIREMENTS:
        if differences is None:
            open_.append(stopped or "the mechanisms were not compared")
        elif differences.mode == "exhaustive":
            relation = differences.relation
            if satisfies(relation, requirement):
                held.append(_relation_words(requirement, differences))
            else:
                witness = differences.first_of(REFUTING[requirement])
                failed.append(_refuted(requirement, differences, witness))
        else:
            witness = differences.first_of(REFUTING[requirement])
            if witness is not None:
                failed.append(_refuted(requirement, differences, witness))
            else:
                open_.append(_nothing_found(requirement, differences, sampling, stopped))
    pending = [p for p in properties if p.status == "unknown"]
    for p in pending:
        why = p.new.reason if p.new.verdict is Verdict.UNKNOWN else p.old.reason
        open_.append(f"{p.name} is unknown ({why})")
    if requirement == "no-regression" and not pending and not regressions:
        names = ", ".join(p.name for p in properties)
        held.append(f"no regression: every requested property that holds for OLD holds for NEW ({names})")
    if failed:
        return Verdict.FAILS, "; ".join(failed), witness
    if open_:
        return Verdict.UNKNOWN, "; ".join(open_), None
    return Verdict.HOLDS, "; ".join(held), None


def _relation_words(requirement: str, d: Differences) -> str:
    if requirement == "equal":
        return "OLD and NEW give every agent the same lottery at every profile"
    better = d.by_category["better"]
    text = "at every profile every agent's NEW lottery weakly SD-dominates her OLD one"
    return text + (f", strictly for {better:,} (profile, agent) pairs" if better else "")


def _refuted(requirement: str, d: Differences, witness: Pair | None) -> str:
    counts = d.by_category
    where = "" if d.mode == "exhaustive" else f" (found among {d.profiles:,} sampled profiles)"
    if requirement == "equal":
        differ = d.profiles * d.agents - counts["same"]
        return f"NEW differs from OLD for {differ:,} (profile, agent) pairs{where}"
    if witness is None:  # dominates, exhaustive: weakly, but strictly nowhere
        return (
            "NEW weakly dominates OLD but is strictly better for no agent at any profile "
            f"(the two are {d.relation})"
        )
    return (
        f"NEW does not weakly dominate OLD: {counts['worse']:,} (profile, agent) pairs are worse under NEW "
        f"and {counts['incomparable']:,} incomparable{where}"
    )


def _nothing_found(requirement: str, d: Differences, sampling: Sampling | None, stopped: str | None) -> str:
    what = "no difference" if requirement == "equal" else "no agent worse off under NEW"
    seed = sampling.seed if sampling is not None else "?"
    text = f"{what} found in {d.profiles:,} sampled profiles, seed {seed}"
    if sampling is not None and sampling.skipped:
        text += f" ({sampling.skipped:,} skipped: {sampling.skip_reason})"
    if stopped:
        text += f"; {stopped}"
    return text + "; sampling cannot prove a relation"


class Collector:
    """Assembles a `Comparison` from the events of a run (this process's or a child's), also when
    a limit ended the run first (`result` with the reason)."""

    def __init__(self) -> None:
        self.header: dict[str, Any] | None = None
        self.differences: Differences | None = None
        self.sampling: Sampling | None = None
        self.properties: dict[str, PropertyChange] = {}
        self.certificates: list[tuple[str, dict[str, Any]]] = []
        self.final: Comparison | None = None
        self.stage = "reading the files"
        self.progress: tuple[int, int, str] | None = None
        self.python: str | None = None  # a user's ``module:function``, and the file naming it
        self.python_source: str | None = None

    def receive(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "header":
            self.header = message[1]
        elif kind == "python":
            self.python, self.python_source = message[1], message[2]
        elif kind == "stage":
            self.stage, self.progress = message[1], None
        elif kind == "progress":
            self.progress = (message[1], message[2], message[3])
        elif kind == "differences":
            self.differences, self.sampling = message[1], message[2]
        elif kind == "property":
            self.properties[message[1].name] = message[1]
        elif kind == "certificate":
            self.certificates.append((message[1], message[2]))
        elif kind == "compared":
            self.final = message[1]

    def result(self, stopped: str | None = None) -> Comparison | None:
        """The comparison: the final one (with the certificates), or one assembled from the parts
        received before ``stopped`` ended the run (None when not even the files were read)."""
        from dataclasses import replace

        if self.final is not None:
            return replace(self.final, certificates=tuple(self.certificates))
        if self.header is None:
            return None
        h = self.header
        why = f"{stopped} while {self.stage}" if stopped else f"the run ended while {self.stage}"
        properties = [
            self.properties.get(name) or PropertyChange(name, unknown(name, why), unknown(name, why))
            for name in h["properties"]
        ]
        verdict, reason, witness = decide(h["requirement"], self.differences, self.sampling, properties, why)
        return Comparison(
            h["problem"],
            h["old"],
            h["new"],
            h["domain_size"],
            h["requirement"],
            verdict,
            reason,
            self.differences,
            self.sampling,
            tuple(properties),
            witness,
            tuple(self.certificates),
        )


def compare(
    old: Any,
    new: Any,
    properties: Sequence[str] | str = (),
    require: str | None = None,
    *,
    hunt: bool = False,
    budget: int = DEFAULT_BUDGET,
    seed: int = 0,
    certificates: bool = False,
    allow_float: bool = False,
    jobs: int = 1,
    timeout: float | None = None,
    max_memory: int | str | None = None,
) -> Comparison:
    """Compare mechanism NEW with OLD (each a mechanism file's path or an
    `~verified.io.AssignmentSubject`) on their common problem and domain; see the module
    docstring for ``require``. ``properties``: names (``["sp", "ir"]`` or ``"sp,ir"``) checked on
    both. ``hunt``: sample ``budget`` profiles with ``seed`` instead of tabulating.
    ``certificates``: put the certificate documents in `Comparison.certificates`. ``jobs``: engine
    processes for tabulating (-1: every core). With ``timeout`` (seconds) or ``max_memory``
    (bytes or ``"4G"``) the work runs in a child process killed at the limit, and what was not
    finished is UNKNOWN. Bad input raises `InvalidInput` naming the file and the place."""
    names, requirement = options(properties, require, hunt, budget, seed)
    settings = {
        "names": names,
        "requirement": requirement,
        "hunt": hunt,
        "budget": budget,
        "seed": seed,
        "certificates": certificates,
        "allow_float": allow_float,
        "jobs": jobs,
        "timeout": timeout,
    }
    from verified.run.child import in_child

    if (timeout is not None or max_memory is not None) and not in_child():
        from verified.run.compare import compare_limited

        return compare_limited(old, new, settings, max_memory)
    collector = Collector()
    context: Any = nullcontext()
    if jobs != 1:
        from verified.engine.options import engine_options

        context = engine_options(n_jobs=jobs)
    with context:
        run(old, new, settings, collector.receive)
    result = collector.result()
    assert result is not None
    return result


def _side(subject: Any) -> Side:
    return Side(subject.name, str(subject.source))


def _python(target: Any) -> str | None:
    """The ``module:function`` a mechanism file names, or None (said before importing it)."""
    if not isinstance(target, (str, Path)):
        return None
    from verified.io import load_document

    mechanism = load_document(target).get("mechanism")
    ref = mechanism.get("python") if isinstance(mechanism, dict) else None
    return ref if isinstance(ref, str) else None


def run(old: Any, new: Any, settings: dict[str, Any], emit: Emit) -> None:
    """The work of a comparison, reported as events (see `Collector.receive`); ends with
    ``("compared", comparison)`` (its ``certificates`` left empty: they were sent one by one)."""
    from verified.compare.subjects import load, require_same_setting
    from verified.registry import applicable

    started = time.monotonic()
    names, requirement = settings["names"], settings["requirement"]
    for target in (old, new):
        ref = _python(target)
        if ref is not None:
            emit(("python", ref, str(target)))
    emit(("stage", "reading OLD"))
    a = load(old, "OLD", settings["allow_float"])
    emit(("stage", "reading NEW"))
    b = load(new, "NEW", settings["allow_float"])
    require_same_setting(a, b)
    for name in names:
        applicable(name, a)
    header = {
        "problem": a.problem,
        "old": _side(a),
        "new": _side(b),
        "domain_size": a.domain.profile_count,
        "requirement": requirement,
        "properties": names,
    }
    emit(("header", header))
    if settings["hunt"]:
        differences, sampling = _sampled(a, b, settings, emit)
        properties: list[PropertyChange] = []
        stopped = None
    else:
        sampling = None
        differences, stopped = _exhaustive(a, b, settings, emit)
        properties = _properties(a, b, names, settings, started, emit) if differences is not None else []
        if differences is None:
            properties = [PropertyChange(n, unknown(n, stopped), unknown(n, stopped)) for n in names]
    verdict, reason, witness = decide(requirement, differences, sampling, properties, stopped)
    emit(
        (
            "compared",
            Comparison(
                a.problem,
                _side(a),
                _side(b),
                a.domain.profile_count,
                requirement,
                verdict,
                reason,
                differences,
                sampling,
                tuple(properties),
                witness,
            ),
        )
    )


def _certified(requirement: str) -> str:
    """The relation a comparison certificate claims: the requirement's, else weakly dominates."""
    return requirement if requirement in RELATION_REQUIREMENTS else "weakly-dominates"


def _exhaustive(
    a: Any, b: Any, settings: dict[str, Any], emit: Emit
) -> tuple[Differences | None, str | None]:
    from verified.compare.certificate import exhaustive_certificate, witness_certificate
    from verified.compare.pairs import compare_tables
    from verified.compare.subjects import on_domain, tabulate

    tables = []
    for subject, role in ((a, "OLD"), (b, "NEW")):
        emit(("stage", f"tabulating {role}"))
        try:
            tables.append(tabulate(subject, role))
        except OutOfReach as exc:
            return None, f"{role} could not be tabulated exactly: {exc}"
    old, new = tables[0], on_domain(tables[1], a.domain)
    emit(("stage", "comparing every (profile, agent) pair"))
    differences = compare_tables(old, new)
    emit(("differences", differences, None))
    if settings["certificates"]:
        prop = _certified(settings["requirement"])
        emit(("stage", "writing the comparison's certificate"))
        emit(("certificate", prop, exhaustive_certificate(prop, differences, old, new)))
        pair = differences.first_of(REFUTING[prop])
        if pair is not None:
            sides = ((old.name, old.at_index(pair.index)), (new.name, new.at_index(pair.index)))
            emit(("certificate", f"{prop}.witness", witness_certificate(prop, pair, *sides)))
    return differences, None


def _sampled(a: Any, b: Any, settings: dict[str, Any], emit: Emit) -> tuple[Differences, Sampling]:
    from verified.compare.certificate import witness_certificate
    from verified.compare.hunt import REPORT_EVERY, Hunt

    prop = _certified(settings["requirement"])
    state = Hunt(a, b, settings["budget"], settings["seed"])
    emit(("stage", f"sampling {settings['budget']:,} profiles (seed {settings['seed']})"))
    last, written = time.monotonic(), False
    for _ in range(settings["budget"]):
        before = len(state.first)
        state.step()
        now = time.monotonic()
        pair = None if written else _refuting(state.first, prop)
        if len(state.first) != before or now - last >= REPORT_EVERY or pair is not None:
            last = now
            emit(("differences", *state.snapshot()))
            emit(("progress", state.drawn, settings["budget"], "profiles sampled"))
        if pair is not None and settings["certificates"]:
            written = True
            old, new = state.assignments[pair.category]
            emit(
                (
                    "certificate",
                    f"{prop}.witness",
                    witness_certificate(prop, pair, (a.name, old), (b.name, new)),
                )
            )
        elif pair is not None:
            written = True
    differences, sampling = state.snapshot()
    emit(("differences", differences, sampling))
    return differences, sampling


def _refuting(first: dict[str, Pair], prop: str) -> Pair | None:
    found = [first[c] for c in REFUTING[prop] if c in first]
    return min(found, key=lambda pair: pair.rank) if found else None


def _properties(
    a: Any, b: Any, names: list[str], settings: dict[str, Any], started: float, emit: Emit
) -> list[PropertyChange]:
    from verified.certificates import build_certificate
    from verified.registry import check_here, subject_for

    total = settings.get("timeout")
    out = []
    for name in names:
        results = []
        for subject, role in ((a, "OLD"), (b, "NEW")):
            emit(("stage", f"checking {name} on {role}"))
            left = None if total is None else max(0.001, total - (time.monotonic() - started))
            result = _check(check_here, name, subject, left)
            results.append(result)
            if settings["certificates"]:
                doc = build_certificate(name, result, subject_for(name, subject))
                emit(("certificate", f"{role.lower()}.{name}", doc))
        change = PropertyChange(name, results[0], results[1])
        emit(("property", change))
        out.append(change)
    return out


def _check(check_here: Any, name: str, subject: Any, timeout: float | None) -> CheckResult:
    try:
        return check_here(name, subject, timeout=timeout)
    except OutOfReach as exc:
        return unknown(name, str(exc))
