"""Speed of whole-domain SD-strategy-proofness checks (Erdil, section 2).

python benchmarks/run.py assignment

* full tables (any mechanism, here a non-anonymous mixture of serial dictatorships):
  n = 4, m = 3 (65,536 profiles) < 1 s; n = 5, m = 3 (1,048,576 profiles) < 10 s;
* random priority on orbits, building the orbit table included: n = 6, m = 3
  (16.8 million profiles) < 10 s; n = 4, m = 4 (17.9 million profiles) < 60 s;
* the naive baseline on the smallest case: RP by enumerating the 24 orders with
  Fractions at each of the 65,536 profiles, then SP profile by profile in pure Python.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
from run import Case

from verified.assignment.anonymous import check_strategyproof_anonymous, rp_orbit_table
from verified.assignment.domain import Domain, all_preferences
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.mechanisms import clear_rp_cache
from verified.assignment.model import Problem
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.results import CheckResult


def serial_dictatorship_mixture(
    problem: Problem, orders: list[list[int]], weights: list[int]
) -> TabulatedMechanism:
    """Table of sum_k w_k SD(order_k) / sum w over the full domain, built with numpy
    (one copy of each object): strategy-proof, not anonymous."""
    domain = Domain.full(problem)
    rankings = domain.preferences[0]
    m, n, size = problem.m, problem.n, len(domain)
    choice = np.full((len(rankings), 1 << m), m, dtype=np.int64)  # column taken given the objects left
    for t, ranking in enumerate(rankings):
        for left in range(1 << m):
            for x in ranking:
                c = problem.object_index(x)
                if left >> c & 1:
                    choice[t, left] = c
                    break
    digits = np.indices(domain.sizes).reshape(n, -1)
    nums = np.zeros((size, n, m + 1), dtype=np.int16)
    everyone = np.arange(size)
    for order, weight in zip(orders, weights, strict=True):
        left = np.full(size, (1 << m) - 1, dtype=np.int64)
        for i in order:
            c = choice[digits[i], left]
            nums[everyone, i, c] += weight
            took = c < m
            left[took] &= ~(1 << c[took])
    return TabulatedMechanism(domain, nums, sum(weights), "SD mixture")


def _note(result: CheckResult) -> str:
    ev = result.evidence
    digest = ev.get("table_digest") or ev.get("orbit_table_digest") or ""
    return f"{result.verdict}; {ev.get('comparisons')} comparisons; digest {digest[:16]}"


def _table_case(n: int, target: float) -> Case:
    problem = Problem.make(n, "abc")
    orders = [list(range(n)), list(reversed(range(n))), [1, 0, *range(2, n)]]
    table = serial_dictatorship_mixture(problem, orders, [3, 2, 1])
    return Case(
        f"SP, full table n={n} m=3 ({len(table.domain):,} profiles)",
        target,
        lambda: _note(check_strategyproof(table)),
    )


def _orbit_case(n: int, m: int, target: float) -> Case:
    def run() -> str:
        clear_rp_cache()
        orbits = rp_orbit_table(Problem.make(n, m))
        return _note(check_strategyproof_anonymous(orbits))

    k = len(all_preferences("abcdefgh"[:m]))
    return Case(f"SP, RP on orbits n={n} m={m} ({k**n:,} profiles, build incl.)", target, run)


def _rp_full_table() -> str:
    clear_rp_cache()
    table = rp_orbit_table(Problem.make(4, "abc")).to_tabulated()
    return _note(check_strategyproof(table))


def _naive_rp_rows(problem: Problem, profile: tuple[tuple[str, ...], ...]) -> list[list[Fraction]]:
    orders = list(itertools.permutations(range(problem.n)))
    share = Fraction(1, len(orders))
    rows = [[Fraction(0)] * (problem.m + 1) for _ in range(problem.n)]
    for order in orders:
        left = set(problem.objects)
        for i in order:
            got = next((x for x in profile[i] if x in left), None)
            if got is None:
                rows[i][problem.m] += share
            else:
                left.discard(got)
                rows[i][problem.objects.index(got)] += share
    return rows


def _naive_baseline() -> str:
    problem = Problem.make(4, "abc")
    domain = Domain.full(problem)
    table = {profile: _naive_rp_rows(problem, profile) for profile in domain}
    rankings = domain.preferences[0]
    comparisons = 0
    for profile, rows in table.items():
        for i, truth in enumerate(profile):
            columns = [problem.objects.index(x) for x in truth] + [problem.m]
            for lie in rankings:
                if lie == truth:
                    continue
                comparisons += 1
                other = table[(*profile[:i], lie, *profile[i + 1 :])][i]
                mine, theirs = Fraction(0), Fraction(0)
                for c in columns:
                    mine += rows[i][c]
                    theirs += other[c]
                    if mine < theirs:
                        return f"fails at {profile}, agent {i}"
    return f"holds; {comparisons} comparisons (pure Python, Fractions)"


def cases() -> list[Case]:
    return [
        _table_case(4, 1.0),
        _table_case(5, 10.0),
        _orbit_case(6, 3, 10.0),
        _orbit_case(4, 4, 60.0),
        Case("SP, RP n=4 m=3 as a full table (build incl.)", None, _rp_full_table),
        Case("SP baseline: naive RP + profile-by-profile, n=4 m=3", None, _naive_baseline),
    ]
