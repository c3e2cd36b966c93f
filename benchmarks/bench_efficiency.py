"""Speed of the whole-domain ex post efficiency, SD-efficiency and ex post stability checks
(Erdil, sections 2 and 3), n = 4 agents, m = 3 objects, full domain (65,536 profiles).

python benchmarks/run.py efficiency

Each case computes what the registry's per-profile properties return (every profile's
certificate kept: `check_ex_post_efficient_per_profile`, `check_sd_efficient_per_profile`,
`check_ex_post_stable_per_profile`); tabulating the mechanism is not timed. Before the
whole-domain paths, the one-profile loop (``verified.registry._per_profile``) took about
150 s (RP, ex-post-efficient), 260 s (random Boston, ex-post-efficient), 180 s (RDA,
ex-post-stable), 20 s and 33 s (RP and random Boston, sd-efficient, which fail late) on the
same machine class; the last case times that loop on n = 3 for scale.
"""

from __future__ import annotations

from functools import cache

from run import Case

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism, tabulate
from verified.assignment.mechanisms.boston import random_boston
from verified.assignment.mechanisms.random_deferred_acceptance import random_deferred_acceptance
from verified.assignment.mechanisms.random_priority import tabulate_random_priority
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.assignment.properties.efficiency import (
    check_ex_post_efficient_assignment,
    check_ex_post_efficient_per_profile,
    check_sd_efficient_per_profile,
)
from verified.assignment.properties.stability import check_ex_post_stable_per_profile
from verified.results import CheckResult

PRIORITIES = {"a": [["1", "2"], ["3", "4"]], "b": [["3"], ["1", "2", "4"]], "c": [["4", "1"], ["2", "3"]]}


@cache
def _problem(n: int) -> Problem:
    return Problem.make(n, "abc")


@cache
def _priorities() -> Priorities:
    return Priorities.make(_problem(4), PRIORITIES)


@cache
def _table(name: str, n: int = 4) -> TabulatedMechanism:
    problem = _problem(n)
    domain = Domain.full(problem)
    if name == "rp":
        return tabulate_random_priority(domain)
    if name == "boston":
        return tabulate(random_boston(problem), domain)
    return tabulate(random_deferred_acceptance(problem, _priorities()), domain)


def _note(result: CheckResult) -> str:
    ev = result.evidence
    if result.holds:
        return f"holds; {ev['profiles']:,} per-profile certificates"
    return f"{result.verdict} at {ev.get('profile')} ({ev.get('kind')})"


def _case(label: str, name: str, prop: str, target: float) -> Case:
    def run() -> str:
        table = _table(name)
        if prop == "ex-post-efficient":
            return _note(check_ex_post_efficient_per_profile(table, table.domain))
        if prop == "sd-efficient":
            return _note(check_sd_efficient_per_profile(table, table.domain))
        return _note(check_ex_post_stable_per_profile(table, table.domain, _priorities()))

    return Case(f"{prop}, {label} n=4 m=3 (65,536 profiles)", target, run)


def _one_profile_loop_n3() -> str:
    """The loop the registry runs today (`_per_profile`), RP n = 3, m = 3 (4,096 profiles)."""
    table = _table("rp", 3)
    certificates = 0
    for index, profile in enumerate(table.domain):
        found = check_ex_post_efficient_assignment(table.at_index(index), profile)
        if not found.holds:
            return f"{found.verdict}"
        certificates += 1
    return f"holds; {certificates:,} per-profile certificates"


def _fast_n3() -> str:
    table = _table("rp", 3)
    return _note(check_ex_post_efficient_per_profile(table, table.domain))


def cases() -> list[Case]:
    for name in ("rp", "boston", "rda"):  # tabulate before timing
        _table(name)
    _table("rp", 3)
    return [
        _case("RP", "rp", "ex-post-efficient", 10.0),
        _case("random Boston", "boston", "ex-post-efficient", 10.0),
        _case("RDA", "rda", "ex-post-efficient", 2.0),
        _case("RP", "rp", "sd-efficient", 2.0),
        _case("random Boston", "boston", "sd-efficient", 2.0),
        _case("RDA", "rda", "sd-efficient", 2.0),
        _case("RDA (weak priorities)", "rda", "ex-post-stable", 10.0),
        _case("RP", "rp", "ex-post-stable", 2.0),
        Case("ex-post-efficient, RP n=3 m=3 (4,096 profiles)", 2.0, _fast_n3),
        Case("baseline: one-profile loop, same n=3 case", None, _one_profile_loop_n3),
    ]
