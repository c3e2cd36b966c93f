"""Hypothesis strategies for ordinal random assignment: problems, preferences, profiles,
exact stochastic assignments and small tabulated mechanisms (anonymous or not).

Everything is exact: assignments are mixtures of random deterministic assignments
with random positive integer weights, so entries are Fractions. Tables stay small
(n <= 3, m <= 3, small domains). Requires the ``hypothesis`` test dependency.
"""

from __future__ import annotations

import random
from fractions import Fraction
from math import lcm

import numpy as np
from hypothesis import strategies as st

from verified.assignment.domain import Domain, all_preferences
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Preference, Problem, Profile
from verified.assignment.stochastic import StochasticAssignment


@st.composite
def problems(draw: st.DrawFn, max_agents: int = 3, max_objects: int = 3, max_capacity: int = 2) -> Problem:
    """Agents "1".."n", objects a, b, ..., capacities in 1..max_capacity."""
    n = draw(st.integers(1, max_agents))
    m = draw(st.integers(1, max_objects))
    caps = draw(st.lists(st.integers(1, max_capacity), min_size=m, max_size=m))
    return Problem.make(n, m, caps)


def preferences(problem: Problem) -> st.SearchStrategy[Preference]:
    """Any ranking of any subset of the objects (the empty ranking included)."""
    return st.sampled_from(all_preferences(problem.objects))


def profiles(problem: Problem) -> st.SearchStrategy[Profile]:
    return st.tuples(*(preferences(problem) for _ in problem.agents))


def random_deterministic(problem: Problem, rng: random.Random, profile: Profile | None = None) -> list[int]:
    """Column per agent (m = outside): agents in random order take a random available
    object (an acceptable one when ``profile`` is given) or stay out."""
    left = list(problem.capacities)
    choice = [problem.m] * problem.n
    order = list(range(problem.n))
    rng.shuffle(order)
    for i in order:
        allowed = range(problem.m) if profile is None else [problem.object_index(x) for x in profile[i]]
        options = [k for k in allowed if left[k] > 0] + [problem.m]
        k = rng.choice(options)
        if k < problem.m:
            left[k] -= 1
        choice[i] = k
    return choice


def random_assignment(
    problem: Problem, rng: random.Random, profile: Profile | None = None, parts: int = 3, max_weight: int = 4
) -> StochasticAssignment:
    """A mixture of 1..``parts`` random deterministic assignments, integer weights."""
    pieces = [random_deterministic(problem, rng, profile) for _ in range(rng.randint(1, parts))]
    weights = [rng.randint(1, max_weight) for _ in pieces]
    total = sum(weights)
    matrix = [[Fraction(0)] * (problem.m + 1) for _ in problem.agents]
    for piece, w in zip(pieces, weights, strict=True):
        for i, k in enumerate(piece):
            matrix[i][k] += Fraction(w, total)
    return StochasticAssignment(problem, tuple(tuple(r) for r in matrix))


@st.composite
def stochastic_assignments(
    draw: st.DrawFn, problem: Problem, profile: Profile | None = None, parts: int = 3
) -> StochasticAssignment:
    """A valid stochastic assignment with exact entries; individually rational at
    ``profile`` when one is given."""
    rng = draw(st.randoms(use_true_random=False))
    return random_assignment(problem, rng, profile, parts)


@st.composite
def small_domains(
    draw: st.DrawFn, problem: Problem, symmetric: bool = False, max_rankings: int = 6
) -> Domain:
    """The full domain or a random restricted one (same list for everyone if ``symmetric``)."""
    every = all_preferences(problem.objects)
    if len(every) ** problem.n <= 200 and draw(st.booleans()):
        return Domain.full(problem)
    pick = st.lists(st.sampled_from(every), min_size=1, max_size=max_rankings, unique=True)
    if symmetric:
        one = tuple(draw(pick))
        return Domain(problem, tuple(one for _ in problem.agents))
    return Domain(problem, tuple(tuple(draw(pick)) for _ in problem.agents))


def _table(domain: Domain, rows_at: dict[Profile, StochasticAssignment], name: str) -> TabulatedMechanism:
    den = 1
    for a in rows_at.values():
        for row in a.matrix:
            for v in row:
                den = lcm(den, v.denominator)
    p = domain.problem
    nums = np.zeros((len(domain), p.n, p.m + 1), dtype=np.int64)
    for index, profile in enumerate(domain):
        for i, row in enumerate(rows_at[profile].matrix):
            nums[index, i] = [v.numerator * (den // v.denominator) for v in row]
    return TabulatedMechanism(domain, nums, den, name)


@st.composite
def tabulated_mechanisms(
    draw: st.DrawFn, domain: Domain, individually_rational: bool = True
) -> TabulatedMechanism:
    """A random (usually not strategy-proof) table over ``domain``."""
    rng = draw(st.randoms(use_true_random=False))
    ir = individually_rational
    rows = {prof: random_assignment(domain.problem, rng, prof if ir else None) for prof in domain}
    return _table(domain, rows, "random table")


def symmetrize(assignment: StochasticAssignment, profile: Profile) -> StochasticAssignment:
    """Give agents with equal rankings the average of their rows (column sums unchanged)."""
    p = assignment.problem
    matrix = list(assignment.matrix)
    for pref in set(profile):
        group = [i for i, r in enumerate(profile) if r == pref]
        mean = tuple(sum((matrix[i][k] for i in group), Fraction(0)) / len(group) for k in range(p.m + 1))
        for i in group:
            matrix[i] = mean
    return StochasticAssignment(p, tuple(matrix))


@st.composite
def anonymous_tabulated_mechanisms(draw: st.DrawFn, domain: Domain) -> TabulatedMechanism:
    """A random anonymous table over a symmetric ``domain``: one symmetrized random
    assignment per multiset of rankings, moved to each ordering of that multiset."""
    rng = draw(st.randoms(use_true_random=False))
    order = {r: k for k, r in enumerate(domain.preferences[0])}
    by_multiset: dict[tuple[Preference, ...], dict[Preference, tuple[Fraction, ...]]] = {}
    rows: dict[Profile, StochasticAssignment] = {}
    for prof in domain:
        key = tuple(sorted(prof, key=order.__getitem__))
        if key not in by_multiset:
            base = symmetrize(random_assignment(domain.problem, rng, key), key)
            by_multiset[key] = {r: base.matrix[i] for i, r in enumerate(key)}
        rows[prof] = StochasticAssignment(domain.problem, tuple(by_multiset[key][r] for r in prof))
    return _table(domain, rows, "random anonymous table")
