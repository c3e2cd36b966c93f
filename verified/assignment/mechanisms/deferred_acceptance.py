"""Student-proposing deferred acceptance with strict priorities (Gale-Shapley 1962; Erdil, section 3)."""

from __future__ import annotations

from collections.abc import Sequence

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms._common import IndexPreference, Outcome, deterministic, index_profile
from verified.assignment.model import Problem, Profile
from verified.assignment.priorities import Priorities
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput


def deferred_acceptance_outcome(
    capacities: Sequence[int], preferences: Sequence[IndexPreference], ranks: Sequence[Sequence[int]]
) -> Outcome:
    """Index form. ``ranks[k][i]``: position of agent i in object k's strict order (0 = first).

    Each free agent proposes to her best object not yet tried; an object keeps the
    ``q_x`` best proposers by priority and rejects the rest. The result (the
    agent-optimal stable matching) does not depend on the order of proposals.
    """
    n = len(preferences)
    tried = [0] * n
    held: list[list[int]] = [[] for _ in capacities]
    free = list(range(n - 1, -1, -1))
    outcome = [-1] * n
    while free:
        i = free.pop()
        if tried[i] >= len(preferences[i]):
            outcome[i] = -1
            continue
        x = preferences[i][tried[i]]
        tried[i] += 1
        held[x].append(i)
        outcome[i] = x
        if len(held[x]) > capacities[x]:
            worst = max(held[x], key=ranks[x].__getitem__)
            held[x].remove(worst)
            outcome[worst] = -1
            free.append(worst)
    return tuple(outcome)


def strict_ranks(priorities: Priorities) -> tuple[tuple[int, ...], ...]:
    """``ranks[k][i]`` for strict priorities (the tie-class index is then the position)."""
    if not priorities.is_strict():
        raise InvalidInput(
            "deferred acceptance needs strict priorities; these have ties. Break them with "
            "Priorities.break_ties(order), or use random_deferred_acceptance (uniform random tie-breaking)",
            "priorities",
        )
    return priorities.rank_table()


def deferred_acceptance(problem: Problem, priorities: Priorities) -> FunctionMechanism:
    """Student-proposing deferred acceptance (Gale-Shapley 1962; Erdil, section 3) for strict
    priorities with capacities: the agent-optimal stable matching. Deterministic,
    strategy-proof for agents (Dubins-Freedman 1981; Roth 1982), individually rational.
    Raises `InvalidInput` for priorities with ties (use `random_deferred_acceptance`)."""
    if priorities.problem != problem:
        raise InvalidInput("the priorities belong to another problem", "priorities")
    ranks = strict_ranks(priorities)

    def run(profile: Profile) -> StochasticAssignment:
        prefs = index_profile(problem, profile)
        return deterministic(problem, deferred_acceptance_outcome(problem.capacities, prefs, ranks))

    return FunctionMechanism(problem, "deferred acceptance", run)
