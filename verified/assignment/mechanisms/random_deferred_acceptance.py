"""Deferred acceptance with uniform random tie-breaking (RDA; Erdil, sections 1 and 3)."""

from __future__ import annotations

import itertools
from math import factorial

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms._common import (
    Outcome,
    add_outcome,
    from_counts,
    index_profile,
    require_enumerable,
)
from verified.assignment.mechanisms.deferred_acceptance import deferred_acceptance_outcome
from verified.assignment.model import Problem, Profile
from verified.assignment.priorities import Priorities
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput


def random_deferred_acceptance(problem: Problem, priorities: Priorities) -> FunctionMechanism:
    """RDA (Erdil, section 2, the NYC mechanism): draw a linear order of the agents uniformly
    among the n! orders, break every tie of the weak priorities by it
    (`Priorities.break_ties`), then run student-proposing deferred acceptance.

    Exact: the n! orders are enumerated, with DA memoised on the strict priorities each
    order induces (orders that break the ties the same way give the same DA). Limited to
    `MAX_ENUMERATED_AGENTS` agents. With all agents tied for every object and one copy
    of each object, RDA = random priority (Erdil, proof of Proposition 3 (ii)).
    Strategy-proof, individually rational; wasteful in general (Erdil, Remark 2).
    """
    if priorities.problem != problem:
        raise InvalidInput("the priorities belong to another problem", "priorities")
    require_enumerable(problem, "random_deferred_acceptance")
    classes = priorities.rank_table()
    n = problem.n

    def run(profile: Profile) -> StochasticAssignment:
        prefs = index_profile(problem, profile)
        counts = [[0] * (problem.m + 1) for _ in range(n)]
        memo: dict[tuple[tuple[int, ...], ...], Outcome] = {}
        for order in itertools.permutations(range(n)):
            position = [0] * n
            for p, i in enumerate(order):
                position[i] = p
            # strict rank of agent i for object k: (tie class, position in the order), as a key
            induced = tuple(tuple(sorted(range(n), key=lambda i, c=c: (c[i], position[i]))) for c in classes)
            outcome = memo.get(induced)
            if outcome is None:
                ranks = []
                for strict in induced:
                    rank = [0] * n
                    for r, i in enumerate(strict):
                        rank[i] = r
                    ranks.append(rank)
                outcome = memo[induced] = deferred_acceptance_outcome(problem.capacities, prefs, ranks)
            add_outcome(counts, outcome, 1, problem.m)
        return from_counts(problem, counts, factorial(n))

    return FunctionMechanism(problem, "random deferred acceptance", run)
