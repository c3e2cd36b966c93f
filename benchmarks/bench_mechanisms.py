"""Speed of the exact assignment mechanisms (random priority above all).

python benchmarks/run.py mechanisms
"""

from __future__ import annotations

import itertools
import random
import time
from fractions import Fraction

from run import Case

from verified.assignment.domain import all_preferences
from verified.assignment.mechanisms import (
    clear_rp_cache,
    probabilistic_serial,
    random_deferred_acceptance,
    random_priority,
    rp_type_rows,
    serial_dictatorship,
)
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.results import digest


def _random_profile(problem: Problem, seed: int) -> tuple[tuple[str, ...], ...]:
    rng = random.Random(seed)
    return tuple(tuple(rng.sample(problem.objects, problem.m)) for _ in range(problem.n))


def _rp_one_profile() -> str:
    problem = Problem.make(10, 10)
    clear_rp_cache()
    result = random_priority(problem)(_random_profile(problem, 0))
    return f"digest {digest(result.to_json())[:12]}"


def _sweep(n: int, m: int) -> str:
    problem = Problem.make(n, m)
    clear_rp_cache()
    count = 0
    for multiset in itertools.combinations_with_replacement(all_preferences(problem.objects), n):
        rp_type_rows(problem, multiset)
        count += 1
    return f"{count} multisets"


def _naive_rp(problem: Problem, profile: tuple[tuple[str, ...], ...]) -> tuple[tuple[Fraction, ...], ...]:
    """Baseline: average the n! serial dictatorships with Fractions."""
    total = [[Fraction(0)] * (problem.m + 1) for _ in range(problem.n)]
    orders = list(itertools.permutations(problem.agents))
    for order in orders:
        for i, row in enumerate(serial_dictatorship(problem, order)(profile).matrix):
            for k, v in enumerate(row):
                total[i][k] += v
    return tuple(tuple(v / len(orders) for v in row) for row in total)


def _dp_vs_naive() -> str:
    problem = Problem.make(7, 5)
    profile = _random_profile(problem, 1)
    clear_rp_cache()
    start = time.perf_counter()
    dp = random_priority(problem)(profile).matrix
    dp_seconds = time.perf_counter() - start
    start = time.perf_counter()
    naive = _naive_rp(problem, profile)
    naive_seconds = time.perf_counter() - start
    same = "equal" if dp == naive else "DIFFERENT"
    ratio = naive_seconds / dp_seconds
    return f"{same}; DP {dp_seconds:.4f} s, naive 7! orders {naive_seconds:.2f} s, speed-up x{ratio:.0f}"


def _rda_uniform_ties() -> str:
    problem = Problem.make(7, 7)
    result = random_deferred_acceptance(problem, Priorities.uniform(problem))(_random_profile(problem, 2))
    return f"digest {digest(result.to_json())[:12]}"


def _ps_large() -> str:
    problem = Problem.make(30, 20, [2] * 20)
    result = probabilistic_serial(problem)(_random_profile(problem, 3))
    return f"size {result.size()}"


def cases() -> list[Case]:
    return [
        Case("RP one profile n = m = 10 (DP over types)", 1.0, _rp_one_profile),
        Case("RP rp_type_rows, all 54,264 multisets n = 6, m = 3", 10.0, lambda: _sweep(6, 3)),
        Case("RP rp_type_rows, all 814,385 multisets n = 4, m = 4", 60.0, lambda: _sweep(4, 4)),
        Case("RP DP vs naive enumeration, n = 7, m = 5", None, _dp_vs_naive),
        Case("RDA all ties n = m = 7 (7! tie-breaks)", 30.0, _rda_uniform_ties),
        Case("PS n = 30, m = 20, 2 copies", 2.0, _ps_large),
    ]
