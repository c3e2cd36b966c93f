"""``verified hunt`` (issue 11): time to the first counterexample and to the shrunk one.

python benchmarks/run.py hunt

Each case hunts one property with seed 0 and the default budget, in this process (the command
line adds one child process); the time is the whole hunt (search, shrink, exact re-check and
certificate), the note gives the time to the first counterexample and the shrunk one's size.
The issue's floor for (a): a throw-away prototype with plain hypothesis sampling needed 113 s
for PS at 8 agents and 4 objects; the target is 10x better. The last case reports how many
profiles and misreports random priority (strategy-proof, so nothing is found) survives per
second.
"""

from __future__ import annotations

from pathlib import Path

from run import Case

from verified.assignment.mechanisms import boston, probabilistic_serial, random_priority
from verified.assignment.model import Problem
from verified.hunt import hunt
from verified.io.hunt import HuntSubject

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "hunt"


def _note(report) -> str:
    (answer,) = report.answers
    if answer.violation is None:
        return f"{answer.result.verdict} after {report.profiles:,} profiles"
    v = answer.violation
    active = sum(1 for r in v.profile if r)
    listed = sum(len(r) for r in v.profile)
    return (
        f"first after {answer.first_seconds:.2f} s; shrunk to {active} agents with a list, "
        f"{listed} listed objects; {report.profiles:,} profiles, {report.evaluations:,} evaluations"
    )


def _hunt_case(name: str, target: float | None, make) -> Case:
    def run() -> str:
        source = make()
        return _note(hunt(source, "sp", seed=0))

    return Case(name, target, run)


def _subject(mechanism) -> HuntSubject:
    return HuntSubject(mechanism.problem, mechanism)


def _random_boston() -> HuntSubject:
    from verified.assignment.mechanisms.boston import random_boston

    return _subject(random_boston(Problem.make(10, "abcd")))


def _rp_rate() -> str:
    problem = Problem.make(10, "abcdefghij")
    report = hunt(_subject(random_priority(problem)), "sp", time_limit=20.0, seed=0)
    rate = report.profiles / report.seconds
    return (
        f"{report.answers[0].result.verdict}: {rate:.1f} profiles/s, "
        f"{report.misreports / report.seconds:.1f} misreports/s, {report.skipped} skipped (n=10, m=10)"
    )


def cases() -> list[Case]:
    return [
        _hunt_case(
            "(a) PS n=8 m=4, sp (prototype: 113 s)",
            11.3,
            lambda: _subject(probabilistic_serial(Problem.make(8, "abcd"))),
        ),
        _hunt_case(
            "(b) Boston fixed order n=30 m=6 caps 5, sp",
            30.0,
            lambda: _subject(boston(Problem.make(30, "abcdef", [5] * 6))),
        ),
        _hunt_case("(c) Boston random order n=10 m=4, sp", 60.0, _random_boston),
        _hunt_case("(d) planted region, user's Python n=20, sp", 30.0, lambda: EXAMPLES / "planted_20.toml"),
        Case("RP n=10 m=10, sp for 20 s (strategy-proof)", None, _rp_rate),
    ]
