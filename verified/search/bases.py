"""Base mechanisms for the search: Random Priority, Random Deferred Acceptance
and serial dictatorship, computed exactly (Erdil, section 3).

These are small private implementations so that the search does not depend on
the timing of other modules; each returns, at a profile, the agents' rows over
`Problem.columns` as exact `Fraction`s, and is wrapped as a `FunctionMechanism`.
RP is the uniform lottery over the n! serial dictatorships; RDA breaks the
ties of weak priorities by a uniform linear order and runs student-proposing
deferred acceptance. `random_priority_table` tabulates RP over a whole domain
with numpy (one pass per order; every profile is computed on its own, so the
table can be used to *certify* anonymity rather than assume it).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from math import factorial

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import FunctionMechanism, TabulatedMechanism
from verified.assignment.model import Problem, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput

Rows = tuple[tuple[Fraction, ...], ...]
#: Weak priorities: for each object, its tiers of agent indices, highest priority first.
WeakPriorities = tuple[tuple[tuple[int, ...], ...], ...]


def serial_dictatorship_choice(problem: Problem, profile: Profile, order: Sequence[int]) -> list[int | None]:
    """Each agent in ``order`` takes her best remaining acceptable object (index or None)."""
    left = list(problem.capacities)
    out: list[int | None] = [None] * problem.n
    for i in order:
        for x in profile[i]:
            k = problem.object_index(x)
            if left[k] > 0:
                left[k] -= 1
                out[i] = k
                break
    return out


def deferred_acceptance(
    problem: Problem, profile: Profile, rank: Sequence[Sequence[int]]
) -> list[int | None]:
    """Student-proposing DA; ``rank[k][i]`` is agent i's strict priority rank at object k (lower wins)."""
    nxt = [0] * problem.n
    held: list[list[int]] = [[] for _ in problem.objects]
    free = list(range(problem.n))
    while free:
        i = free.pop()
        if nxt[i] >= len(profile[i]):
            continue
        k = problem.object_index(profile[i][nxt[i]])
        nxt[i] += 1
        held[k].append(i)
        held[k].sort(key=lambda j: rank[k][j])
        if len(held[k]) > problem.capacities[k]:
            free.append(held[k].pop())
    out: list[int | None] = [None] * problem.n
    for k, agents in enumerate(held):
        for i in agents:
            out[i] = k
    return out


def _lottery(problem: Problem, outcomes: list[list[int | None]]) -> StochasticAssignment:
    counts = [[0] * (problem.m + 1) for _ in range(problem.n)]
    for outcome in outcomes:
        for i, k in enumerate(outcome):
            counts[i][problem.m if k is None else k] += 1
    total = len(outcomes)
    return StochasticAssignment(problem, tuple(tuple(Fraction(c, total) for c in row) for row in counts))


def random_priority(problem: Problem) -> FunctionMechanism:
    """RP: the uniform lottery over the n! serial dictatorships (Erdil, section 3)."""
    orders = list(itertools.permutations(range(problem.n)))
    return FunctionMechanism(
        problem,
        "random priority",
        lambda prof: _lottery(problem, [serial_dictatorship_choice(problem, prof, o) for o in orders]),
    )


def serial_dictatorship(problem: Problem, order: Sequence[int] | None = None) -> FunctionMechanism:
    """Serial dictatorship in ``order`` (agent indices; default 0, 1, ..., n-1)."""
    chosen = tuple(range(problem.n)) if order is None else tuple(order)
    if sorted(chosen) != list(range(problem.n)):
        raise InvalidInput(f"{list(chosen)} is not an order of the agents", "serial_dictatorship order")
    return FunctionMechanism(
        problem,
        "serial dictatorship",
        lambda prof: _lottery(problem, [serial_dictatorship_choice(problem, prof, chosen)]),
    )


def validate_weak_priorities(problem: Problem, tiers: Sequence[Sequence[Sequence[int]]]) -> WeakPriorities:
    """Each object's tiers must partition the agent indices."""
    if len(tiers) != problem.m:
        raise InvalidInput(f"{len(tiers)} priority lists for {problem.m} objects", "priorities")
    out = []
    for k, obj_tiers in enumerate(tiers):
        flat = sorted(i for tier in obj_tiers for i in tier)
        if flat != list(range(problem.n)):
            raise InvalidInput("tiers must partition the agents", f"priorities[{problem.objects[k]!r}]")
        out.append(tuple(tuple(int(i) for i in tier) for tier in obj_tiers))
    return tuple(out)


def random_deferred_acceptance(
    problem: Problem, tiers: Sequence[Sequence[Sequence[int]]]
) -> FunctionMechanism:
    """RDA: ties in the weak priorities ``tiers`` broken by a uniform linear order, then DA."""
    prio = validate_weak_priorities(problem, tiers)
    ranks = []
    for order in itertools.permutations(range(problem.n)):
        pos = {i: r for r, i in enumerate(order)}
        rank = []
        for obj_tiers in prio:
            tier_of = {i: t for t, tier in enumerate(obj_tiers) for i in tier}
            rank.append([tier_of[i] * problem.n + pos[i] for i in range(problem.n)])
        ranks.append(rank)
    return FunctionMechanism(
        problem,
        "random deferred acceptance",
        lambda prof: _lottery(problem, [deferred_acceptance(problem, prof, r) for r in ranks]),
    )


def random_priority_table(domain: Domain) -> TabulatedMechanism:
    """RP over every profile of ``domain``, vectorised over profiles (numerators over n!)."""
    problem = domain.problem
    n, m = problem.n, problem.m
    grids = np.indices(domain.sizes).reshape(n, -1).T  # profile index -> per-agent preference positions
    counts = np.zeros((len(domain), n, m + 1), dtype=np.int64)
    rows = np.arange(len(domain))
    for order in itertools.permutations(range(n)):
        left = np.tile(np.array(problem.capacities, dtype=np.int64), (len(domain), 1))
        for i in order:
            got = np.full(len(domain), m, dtype=np.int64)
            for d, pref in enumerate(domain.preferences[i]):
                sel = np.nonzero(grids[:, i] == d)[0]
                choice = np.full(len(sel), m, dtype=np.int64)
                for x in reversed(pref):  # the best available object wins: scan worst to best
                    k = problem.object_index(x)
                    choice = np.where(left[sel, k] > 0, k, choice)
                got[sel] = choice
            has = got < m
            left[rows[has], got[has]] -= 1
            counts[rows, i, got] += 1
    return TabulatedMechanism(domain, counts, factorial(n), name="random priority")
