"""Top trading cycles from a uniformly random endowment (Abdulkadiroglu and Sonmez 1998).

Definition used here (exact, by enumeration):

* Seats: the q_x copies of every object x, plus n - Q *null seats* when the
  total number of copies Q is below n (a null seat is the outside option).
  Q > n is refused: some copies would have no owner.
* Endowment: a uniformly random bijection agents <-> seats. Copies of one
  object are interchangeable, so each distinct assignment of seat *types* to
  agents is equally likely; they are enumerated, and the denominator is
  n! / (prod_x q_x! * (n - Q)!).
* TTC: every remaining agent points to a remaining agent holding a copy of her
  favourite acceptable object among those still held -- to herself if she holds
  one, else to the first such holder in agent order (copies are
  interchangeable, so this choice does not change the lottery). An agent with no
  acceptable object still held points to herself. Every agent on a cycle
  receives the seat of the agent she points to and leaves; an agent pointing to
  herself keeps her own seat if it is an acceptable object and otherwise leaves
  with her outside option (a copy she finds unacceptable is then discarded).
  Repeat until nobody is left.

With n = m, single copies and complete rankings this is the core from random
endowments, which Abdulkadiroglu and Sonmez (1998) show equals random priority.

The distinct endowments are enumerated at every profile; there are
n! / (prod_x q_x! * (n - Q)!) of them, counted before any work: above
`MAX_TTC_ENDOWMENTS` evaluating a profile raises `OutOfReach`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from math import factorial, prod

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms._common import (
    IndexPreference,
    Outcome,
    add_outcome,
    from_counts,
    index_profile,
)
from verified.assignment.model import Problem, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput, OutOfReach

#: Distinct endowments TTC may enumerate at one profile (8! = 40,320: every problem with at
#: most 8 agents) before raising `OutOfReach`.
MAX_TTC_ENDOWMENTS = 40_320


def top_trading_cycles_outcome(preferences: Sequence[IndexPreference], endowment: Sequence[int]) -> Outcome:
    """Index form of TTC (see the module docstring); ``endowment[i]`` is an object or -1 (null seat)."""
    n = len(preferences)
    present = list(range(n))
    outcome = [-1] * n
    while present:
        holders: dict[int, list[int]] = {}
        for j in present:
            if endowment[j] >= 0:
                holders.setdefault(endowment[j], []).append(j)
        points: dict[int, int] = {}
        for i in present:
            points[i] = i
            for x in preferences[i]:
                if x in holders:
                    points[i] = i if endowment[i] == x else holders[x][0]
                    break
        leaving: list[int] = []
        seen: set[int] = set()
        for start in present:  # every functional graph has a cycle; find each once
            path: list[int] = []
            on_path: dict[int, int] = {}
            i = start
            while i not in seen and i not in on_path:
                on_path[i] = len(path)
                path.append(i)
                i = points[i]
            if i in on_path:
                leaving.extend(path[on_path[i] :])
            seen.update(path)
        for i in leaving:
            seat = endowment[points[i]]
            outcome[i] = seat if seat in preferences[i] else -1
        gone = set(leaving)
        present = [i for i in present if i not in gone]
    return tuple(outcome)


def _distinct_endowments(seats: list[int]) -> Iterator[tuple[int, ...]]:
    """Every distinct arrangement of the multiset ``seats`` (lexicographic order)."""
    seats = sorted(seats)
    n = len(seats)
    while True:
        yield tuple(seats)
        k = n - 2
        while k >= 0 and seats[k] >= seats[k + 1]:
            k -= 1
        if k < 0:
            return
        j = n - 1
        while seats[j] <= seats[k]:
            j -= 1
        seats[k], seats[j] = seats[j], seats[k]
        seats[k + 1 :] = reversed(seats[k + 1 :])


def endowment_count(capacities: Sequence[int], n: int) -> int:
    """The number of distinct endowments: n! / (prod_x q_x! * (n - Q)!), Q = sum of q_x <= n."""
    return factorial(n) // (prod(factorial(q) for q in capacities) * factorial(n - sum(capacities)))


def top_trading_cycles(problem: Problem, max_endowments: int = MAX_TTC_ENDOWMENTS) -> FunctionMechanism:
    """Top trading cycles from a uniformly random endowment of seats (object copies plus null
    seats): the exact lottery over endowments of the TTC outcome defined in this module's
    docstring (Abdulkadiroglu-Sonmez 1998). Requires total capacity <= n (`InvalidInput`);
    evaluating raises `OutOfReach` when there are more than ``max_endowments`` distinct
    endowments to enumerate. Individually rational by construction."""
    total = sum(problem.capacities)
    if total > problem.n:
        raise InvalidInput(
            f"top_trading_cycles gives every seat an owner, so it needs at most as many object copies "
            f"as agents; here there are {total} copies for {problem.n} agents",
            "problem",
        )
    seats = [x for x, q in enumerate(problem.capacities) for _ in range(q)] + [-1] * (problem.n - total)
    draws = endowment_count(problem.capacities, problem.n)

    def run(profile: Profile) -> StochasticAssignment:
        if draws > max_endowments:
            raise OutOfReach(
                f"top trading cycles: {draws:,} distinct endowments of {problem.n} agents to enumerate, "
                f"more than {max_endowments:,}"
            )
        prefs = index_profile(problem, profile)
        counts = [[0] * (problem.m + 1) for _ in range(problem.n)]
        for endowment in _distinct_endowments(seats):
            add_outcome(counts, top_trading_cycles_outcome(prefs, endowment), 1, problem.m)
        return from_counts(problem, counts, draws)

    return FunctionMechanism(problem, "top trading cycles (random endowment)", run)
