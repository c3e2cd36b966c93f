"""Deferred acceptance with uniform random tie-breaking (RDA; Erdil, sections 1 and 3).

RDA draws one linear order sigma of the agents uniformly among the n! orders, breaks every
tie of the weak priorities by it (within a tie class, earlier in sigma first:
`Priorities.break_ties`) and runs student-proposing deferred acceptance.

Exact computation at one profile, by a *lazy-reveal* depth-first search instead of the n!
orders (`random_deferred_acceptance_counts`):

* DA is run one proposal at a time (McVitie and Wilson 1971: the agent-optimal stable
  matching does not depend on the order of proposals). sigma is consulted only when an
  object over capacity must reject one of several held agents in its lowest tie class.
* The search keeps the exact relative order of the agents revealed so far. Given the
  history, sigma restricted to the revealed set V is one fixed order, and sigma is uniform
  among the ``n! / |V|!`` orders with that restriction, so a newly revealed agent's position
  relative to V is uniform over the ``|V| + 1`` slots. When a rejection involves unrevealed
  agents, the first of them is inserted into every slot (each branch weighs the parent's
  weight / ``(|V| + 1)``, an exact division: a node with ``|V|`` revealed agents weighs ``n! / |V|!``),
  and the run resumes in each branch from the same point. Every order consistent with a
  leaf's revealed order makes the same comparisons, hence the same matching, which is
  counted with weight ``n! / |V|!``. Agents never compared are never revealed, so with strict
  priorities this is one DA run.
* With every object tying all agents (`Priorities.uniform`), sigma is one common strict
  priority, and DA with a common priority is serial dictatorship in that order (the first
  agent gets her favourite, and so on, capacities included): RDA is then random priority,
  computed by its dynamic programme over preference types (`random_priority`).

The number of branches grows with the number of agents compared within ties (exact RDA
probabilities generalise random serial dictatorship's, #P-hard by Aziz, Brandt and Brill
2013): past `branch_budget` branches the search raises `OutOfReach`.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import factorial

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms._common import (
    IndexPreference,
    add_outcome,
    by_components,
    from_counts,
    index_profile,
)
from verified.assignment.mechanisms.random_priority import random_priority_counts
from verified.assignment.model import Problem, Profile
from verified.assignment.priorities import Priorities
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput, OutOfReach

#: Work budget of the RDA search at one profile, in copied state cells: every branch copies the
#: run's state, about n + m + 1 cells. 16 * 2 * 8! cells allow 2 * 8! branches with n + m + 1
#: <= 16, more than any profile of up to 8 agents and 7 objects needs (at most n! leaves, each
#: inner node has two children or more); giving up takes about 0.3 s at 50 agents, 10 objects.
MAX_RDA_WORK = 16 * 2 * 40_320


def branch_budget(n: int, m: int) -> int:
    """The default number of branches for n agents and m objects (`MAX_RDA_WORK`)."""
    return MAX_RDA_WORK // (n + m + 1)


# tried[i], held[x], free agents (a stack), outcome[i], object over capacity (-1: none)
_Run = tuple[list[int], list[list[int]], list[int], list[int], int]


def random_deferred_acceptance_counts(
    capacities: Sequence[int],
    preferences: Sequence[IndexPreference],
    classes: Sequence[Sequence[int]],
    max_branches: int | None = None,
) -> tuple[list[list[int]], int]:
    """RDA in index form (``classes[x][i]``: agent i's tie class at object x, 0 = highest):
    per agent, the number of the n! tie-breaking orders giving her each column (objects,
    then outside), and n!. By the lazy-reveal search of the module docstring; raises
    `OutOfReach` once more than ``max_branches`` branches were created (default:
    `branch_budget`)."""
    n, m = len(preferences), len(capacities)
    if max_branches is None:
        max_branches = branch_budget(n, m)
    total = factorial(n)
    counts = [[0] * (m + 1) for _ in range(n)]
    start: _Run = ([0] * n, [[] for _ in range(m)], list(range(n - 1, -1, -1)), [-1] * n, -1)
    stack: list[tuple[_Run, tuple[int, ...], int]] = [(start, (), total)]
    branches = 0
    while stack:
        (tried, held, free, outcome, pending), order, weight = stack.pop()
        while True:
            if pending >= 0:
                x, pending = pending, -1
                rank = classes[x]
                lowest = max(rank[j] for j in held[x])
                tied = [j for j in held[x] if rank[j] == lowest]
                new = [j for j in tied if j not in order]
                if len(tied) > 1 and new:
                    share = weight // (len(order) + 1)  # exact: weight = n! / len(order)!
                    for slot in range(len(order) + 1):
                        run = (tried[:], [h[:] for h in held], free[:], outcome[:], x)
                        stack.append((run, order[:slot] + (new[0],) + order[slot:], share))
                    branches += len(order) + 1
                    if branches > max_branches:
                        raise OutOfReach(
                            f"random deferred acceptance: more than {max_branches:,} branches of the exact "
                            f"tie-breaking search at this profile ({len(order) + 1} agents compared "
                            "within ties)"
                        )
                    break
                worst = max(tied, key=order.index) if len(tied) > 1 else tied[0]
                held[x].remove(worst)
                outcome[worst] = -1
                free.append(worst)
            elif free:
                i = free.pop()
                if tried[i] >= len(preferences[i]):
                    continue  # ranking exhausted: outside option
                x = preferences[i][tried[i]]
                tried[i] += 1
                held[x].append(i)
                outcome[i] = x
                if len(held[x]) > capacities[x]:
                    pending = x
            else:
                add_outcome(counts, tuple(outcome), weight, m)
                break
    return counts, total


def random_deferred_acceptance(
    problem: Problem, priorities: Priorities, max_branches: int | None = None
) -> FunctionMechanism:
    """RDA (Erdil, section 2, the NYC mechanism): draw a linear order of the agents uniformly
    among the n! orders, break every tie of the weak priorities by it
    (`Priorities.break_ties`), then run student-proposing deferred acceptance.

    Exact, by the lazy-reveal search of this module's docstring (only the relative order of
    agents actually compared within a tie is looked at; strict priorities: one DA run), and by
    random priority when every object ties all agents. Any number of agents; at a profile
    where the search would create more than ``max_branches`` branches (or random priority
    exceeds its own budget), evaluating raises `OutOfReach`. With all agents tied for every
    object, RDA = random priority (Erdil, proof of Proposition 3 (ii)). Strategy-proof,
    individually rational; wasteful in general (Erdil, Remark 2).
    """
    if priorities.problem != problem:
        raise InvalidInput("the priorities belong to another problem", "priorities")
    classes = priorities.rank_table()
    uniform = all(len(order) == 1 for order in priorities.classes)

    def run(profile: Profile) -> StochasticAssignment:
        if uniform:
            try:
                counts, den = random_priority_counts(problem, profile)
            except OutOfReach as exc:
                raise OutOfReach(f"random deferred acceptance with every agent tied (as {exc})") from None
            return from_counts(problem, counts, den)
        prefs = index_profile(problem, profile)

        def solve(group: list[int]) -> tuple[list[list[int]], int]:
            sub = [prefs[i] for i in group]
            ranks = [[row[i] for i in group] for row in classes]
            return random_deferred_acceptance_counts(problem.capacities, sub, ranks, max_branches)

        counts, den = by_components(prefs, problem.m, solve)  # agents who never meet: the tie-breaks apart
        return from_counts(problem, counts, den)

    return FunctionMechanism(problem, "random deferred acceptance", run)
