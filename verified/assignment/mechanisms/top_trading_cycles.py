"""Top trading cycles from a uniformly random endowment (Abdulkadiroglu and Sonmez 1998).

Definition used here (exact, by enumeration):

* Seats: the q_x copies of every object x, labelled (copy 1 of x, copy 2 of x, ...), plus
  n - Q *null seats* when the total number of copies Q is below n (a null seat is the outside
  option). Q > n is refused: some copies would have no owner.
* Endowment: a uniformly random bijection agents <-> seats. Null seats are interchangeable,
  so each distinct dealing of the labelled copies is equally likely; they are enumerated, and
  the denominator is n! / (n - Q)!.
* TTC: every remaining agent points to a remaining agent holding a copy of her favourite
  acceptable object among those still held -- to herself if she holds one, else to the holder
  of the copy with the smallest label still held. An agent with no acceptable object still held
  points to herself. Every agent on a cycle receives the seat of the agent she points to and
  leaves; an agent pointing to herself keeps her own seat if it is an acceptable object and
  otherwise leaves with her outside option (a copy she finds unacceptable is then discarded).
  Repeat until nobody is left.

Which holder of a copy of x is pointed to matters: with a 1 copy and b 2 copies, agents 1 and
2 who want only a and agent 3 who wants only b, the endowment (b, b, a) lets whoever agent 3
points to get a. Pointing to the first holder *in agent order* (this module's definition until
December 2026) gives agent 1 a with probability 2/3 and agent 2 with 1/3: unequal treatment of
equals. With labelled copies dealt at random, the holder pointed to is a uniformly random one,
and the mechanism is anonymous (relabelling the agents maps the uniform dealing to itself).

With n = m, single copies and complete rankings this is the core from random
endowments, which Abdulkadiroglu and Sonmez (1998) show equals random priority.

There are n! / (n - Q)! dealings, counted before any work: above `MAX_TTC_ENDOWMENTS`
evaluating a profile raises `OutOfReach`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from math import factorial

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

#: Dealings of the labelled copies TTC may enumerate at one profile (8! = 40,320: every problem
#: with at most 8 agents) before raising `OutOfReach`.
MAX_TTC_ENDOWMENTS = 40_320


def top_trading_cycles_outcome(
    preferences: Sequence[IndexPreference], endowment: Sequence[int], labels: Sequence[int] | None = None
) -> Outcome:
    """Index form of TTC (see the module docstring); ``endowment[i]`` is an object or -1 (null
    seat), ``labels[i]`` the label of agent i's seat (the holder of the smallest label is pointed
    to; default: agent order)."""
    n = len(preferences)
    present = list(range(n)) if labels is None else sorted(range(n), key=labels.__getitem__)
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
        present = [i for i in present if i not in gone]  # still in label order
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
    """The number of dealings of the labelled copies: n! / (n - Q)!, Q = sum of q_x <= n."""
    return factorial(n) // factorial(n - sum(capacities))


def dealings(capacities: Sequence[int], n: int) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every distinct dealing of the labelled copies (null seats interchangeable), as
    (endowment: object or -1 per agent, labels: seat label per agent, Q for a null seat)."""
    objects = [x for x, q in enumerate(capacities) for _ in range(q)]
    total = len(objects)
    for labels in _distinct_endowments(list(range(total)) + [total] * (n - total)):
        yield tuple(objects[k] if k < total else -1 for k in labels), labels


def top_trading_cycles(problem: Problem, max_endowments: int = MAX_TTC_ENDOWMENTS) -> FunctionMechanism:
    """Top trading cycles from a uniformly random endowment of seats (object copies plus null
    seats): the exact lottery over endowments of the TTC outcome defined in this module's
    docstring (Abdulkadiroglu-Sonmez 1998). Requires total capacity <= n (`InvalidInput`);
    evaluating raises `OutOfReach` when there are more than ``max_endowments`` dealings to
    enumerate. Individually rational and anonymous by construction."""
    total = sum(problem.capacities)
    if total > problem.n:
        raise InvalidInput(
            f"top_trading_cycles gives every seat an owner, so it needs at most as many object copies "
            f"as agents; here there are {total} copies for {problem.n} agents",
            "problem",
        )
    draws = endowment_count(problem.capacities, problem.n)

    def run(profile: Profile) -> StochasticAssignment:
        if draws > max_endowments:
            raise OutOfReach(
                f"top trading cycles: {draws:,} dealings of the copies to {problem.n} agents to enumerate, "
                f"more than {max_endowments:,}"
            )
        prefs = index_profile(problem, profile)
        counts = [[0] * (problem.m + 1) for _ in range(problem.n)]
        for endowment, labels in dealings(problem.capacities, problem.n):
            add_outcome(counts, top_trading_cycles_outcome(prefs, endowment, labels), 1, problem.m)
        return from_counts(problem, counts, draws)

    return FunctionMechanism(problem, "top trading cycles (random endowment)", run)
