"""Slow, obviously-correct reference mechanisms for the property tests (Fractions only).

Random priority enumerates the n! orders (Erdil, section 3); random-order Boston
(immediate acceptance) likewise; serial-dictatorship mixtures give strategy-proof
tables that are not anonymous.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from math import factorial

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem, Profile
from verified.assignment.stochastic import StochasticAssignment


def serial_dictatorship(problem: Problem, profile: Profile, order: Sequence[int]) -> list[int]:
    """Column per agent: in ``order`` each agent takes her best acceptable object left."""
    left = list(problem.capacities)
    out = [problem.m] * problem.n
    for i in order:
        for x in profile[i]:
            k = problem.object_index(x)
            if left[k] > 0:
                left[k] -= 1
                out[i] = k
                break
    return out


def boston(problem: Problem, profile: Profile, order: Sequence[int]) -> list[int]:
    """Immediate acceptance: round r, every unassigned agent applies to her r-th choice;
    an object admits applicants in ``order`` while it has copies left."""
    left = list(problem.capacities)
    out = [problem.m] * problem.n
    done = [False] * problem.n
    for r in range(problem.m):
        for i in order:
            if not done[i] and r < len(profile[i]):
                k = problem.object_index(profile[i][r])
                if left[k] > 0:
                    left[k] -= 1
                    out[i] = k
                    done[i] = True
    return out


def lottery(problem: Problem, profile: Profile, rule, orders, weights=None) -> StochasticAssignment:
    weights = weights or [1] * len(orders)
    total = sum(weights)
    matrix = [[Fraction(0)] * (problem.m + 1) for _ in problem.agents]
    for order, w in zip(orders, weights, strict=True):
        for i, k in enumerate(rule(problem, profile, order)):
            matrix[i][k] += Fraction(w, total)
    return StochasticAssignment(problem, tuple(tuple(r) for r in matrix))


def random_priority(problem: Problem, profile: Profile) -> StochasticAssignment:
    orders = list(itertools.permutations(range(problem.n)))
    assert len(orders) == factorial(problem.n)
    return lottery(problem, profile, serial_dictatorship, orders)


def random_boston(problem: Problem, profile: Profile) -> StochasticAssignment:
    return lottery(problem, profile, boston, list(itertools.permutations(range(problem.n))))


def table_of(domain: Domain, function, name: str) -> TabulatedMechanism:
    return TabulatedMechanism.from_assignments(domain, (function(domain.problem, p) for p in domain), name)
