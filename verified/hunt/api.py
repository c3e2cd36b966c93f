"""`hunt`: counterexamples on problems far too large to enumerate.

For each requested property, a seeded hypothesis search (`verified.hunt.search`) draws profiles
(and misreports), climbs toward violations and shrinks the first it finds; a greedy pass
(`verified.hunt.shrink`) makes it locally minimal; the library's exact check re-verifies it on
the mechanism's table over the one or two profiles it needs (`verified.hunt.certify`), and the
result is that check's FAILS with its certificate. A property with no counterexample is
UNKNOWN, never HOLDS: sampling proves nothing, so the reason gives what was tried (profiles,
misreports, seconds, seed, strategies). The same seed and budget give the same answer; a time
limit (``time``) stops the search where the clock says, so only the budget is reproducible.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verified.errors import InvalidInput
from verified.hunt.certify import certify
from verified.hunt.detect import HUNTABLE, Evaluator, ProfileChecks, Violation
from verified.hunt.search import Search, run
from verified.hunt.shrink import shrink
from verified.io.hunt import HuntSubject, hunt_subject, load_hunt_subject
from verified.results import CheckResult, unknown

#: Profiles drawn per property when neither a budget nor a time is given.
DEFAULT_BUDGET = 300
#: Profiles drawn per property when only a time is given (the clock stops it first, usually).
UNBOUNDED = 10**9


@dataclass(frozen=True)
class Hunted:
    """One property's answer: the result (FAILS with the re-verified counterexample, or
    UNKNOWN with what was tried), the certificate of a FAILS, and the violation as found."""

    property: str
    result: CheckResult
    certificate: dict[str, Any] | None = None
    violation: Violation | None = None
    seconds: float = 0.0
    first_seconds: float | None = None  # from the hunt's start to the first counterexample


@dataclass(frozen=True)
class HuntReport:
    """Everything a hunt did: per-property answers and the counts behind them."""

    subject: HuntSubject
    answers: tuple[Hunted, ...]
    seed: int
    profiles: int
    misreports: int
    evaluations: int
    skipped: int
    skip_reason: str | None
    seconds: float
    strategies: tuple[str, ...] = field(default=())

    @property
    def verdicts(self) -> dict[str, str]:
        return {a.property: a.result.verdict.value for a in self.answers}


def property_names(properties: Any, subject: HuntSubject | None = None) -> tuple[str, ...]:
    """The requested names (a list or ``"sp,ir"``) in hunting order, refused when unknown or,
    for ``ex-post-stable``, when ``subject`` has no priorities."""
    if isinstance(properties, str):
        properties = [p.strip() for p in properties.split(",") if p.strip()]
    names = tuple(dict.fromkeys(properties))
    if not names:
        raise InvalidInput("name at least one property, e.g. --property sp,nonwasteful", "--property")
    for name in names:
        if name not in HUNTABLE:
            raise InvalidInput(
                f"cannot hunt {name!r}; hunting looks for counterexamples to {', '.join(HUNTABLE)}",
                "--property",
            )
    if "ex-post-stable" in names and subject is not None:
        from verified.registry import required_priorities

        required_priorities(subject)
    return tuple(n for n in HUNTABLE if n in names)


def _limits(budget: int | None, seconds: float | None) -> tuple[int, float | None]:
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 1):
        raise InvalidInput(f"expected a positive number of profiles, got {budget!r}", "--budget")
    if seconds is not None and not (isinstance(seconds, (int, float)) and 0 < seconds < float("inf")):
        raise InvalidInput(f"expected a positive number of seconds, got {seconds!r}", "--time")
    if budget is None:
        budget = DEFAULT_BUDGET if seconds is None else UNBOUNDED
    return budget, seconds


def hunt(
    source: str | Path | Any,
    properties: Any = ("sp",),
    *,
    budget: int | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    on_answer: Callable[[HuntReport, Hunted], None] | None = None,
) -> HuntReport:
    """Hunt counterexamples to ``properties`` (names of `HUNTABLE`, or ``"sp,ir"``) for the
    mechanism of ``source`` (a mechanism file's path, an `~verified.io.AssignmentSubject` or a
    `~verified.io.hunt.HuntSubject`). ``budget``: profiles drawn per property (default
    `DEFAULT_BUDGET`); ``time_limit``: seconds for the whole hunt; ``seed``: the search's seed;
    ``on_answer(report so far, answer)`` is called as each property is answered.
    Raises `InvalidInput` for bad input, including a user's function that raises (naming the
    profile); never returns HOLDS."""
    subject = load_hunt_subject(source) if isinstance(source, (str, Path)) else hunt_subject(source)
    names = property_names(properties, subject)
    budget, seconds = _limits(budget, time_limit)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidInput(f"expected an integer seed, got {seed!r}", "--seed")
    start = time.monotonic()
    deadline = None if seconds is None else start + seconds
    search = Search(subject, names, Evaluator(subject.mechanism), ProfileChecks(subject.priorities), deadline)
    answers: list[Hunted] = []
    for position, name in enumerate(names):
        began = time.monotonic()
        if name not in search.found and not search.out_of_time():
            run(search, name, budget, seed * 1000 + position)
        answers.append(_answer(search, name, seed, began, start))
        if on_answer is not None:
            on_answer(_report(search, answers, seed, start), answers[-1])
    return _report(search, answers, seed, start)


def _report(search: Search, answers: list[Hunted], seed: int, start: float) -> HuntReport:
    return HuntReport(
        search.subject,
        tuple(answers),
        seed,
        search.tally.profiles,
        search.tally.misreports,
        search.evaluate.calls,
        search.evaluate.skipped,
        search.evaluate.first_skip,
        time.monotonic() - start,
        tuple(sorted(search.tally.strategies)),
    )


def _answer(search: Search, name: str, seed: int, began: float, start: float) -> Hunted:
    found = search.found.get(name)
    if found is not None:
        found = shrink(search, found)
        confirmed = certify(search.subject, found)
        if confirmed is not None:
            result, certificate = confirmed
            first = search.first_found[name] - start
            return Hunted(name, result, certificate, found, time.monotonic() - began, first)
        search.found.pop(name)
    return Hunted(name, unknown(name, _nothing_found(search, seed)), None, None, time.monotonic() - began)


def _nothing_found(search: Search, seed: int) -> str:
    tally, evaluate = search.tally, search.evaluate
    parts = [
        f"no counterexample found in {tally.profiles:,} profiles",
        f"{tally.misreports:,} misreports" if tally.misreports else None,
        f"{evaluate.calls:,} evaluations of the mechanism",
        f"seed {seed}",
    ]
    text = ", ".join(p for p in parts if p)
    if search.out_of_time():
        text += "; the time limit was reached"
    if evaluate.skipped:
        text += f"; {evaluate.skipped:,} profiles skipped (exact lottery out of reach: {evaluate.first_skip})"
    return text + " (hunting samples: it never proves that a property holds)"
