"""Shared plumbing of the built-in mechanisms: index form of profiles, exact rows, size limits.

Internally a preference is a tuple of object *indices* (best first) and a
deterministic outcome is a tuple of object indices, with ``-1`` for the
outside option. Lotteries are accumulated as integer counts over a common
denominator and turned into `Fraction`s only at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.model import Problem, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput

IndexPreference = tuple[int, ...]
Outcome = tuple[int, ...]  # per agent: object index, or -1 for the outside option

#: Whole-domain tables (`verified.assignment.mechanisms.tables`) enumerate the n! agent orders
#: (or the distinct endowments) only up to this many agents; larger problems are tabulated one
#: profile at a time by the per-profile recursions, which raise `OutOfReach` past their budgets.
MAX_ENUMERATED_AGENTS = 8


def index_profile(problem: Problem, profile: Profile) -> tuple[IndexPreference, ...]:
    """Object indices of each agent's ranking."""
    position = {x: k for k, x in enumerate(problem.objects)}
    return tuple(tuple(position[x] for x in pref) for pref in profile)


def agent_order(problem: Problem, order: Sequence[object] | None, where: str = "order") -> tuple[int, ...]:
    """Indices of a strict order over all agents (names), default the problem's agent order."""
    if order is None:
        return tuple(range(problem.n))
    if isinstance(order, str):
        order = order.split() if " " in order else list(order)
    names = [str(a) for a in order]
    out: list[int] = []
    for k, name in enumerate(names):
        if name not in problem.agents:
            raise InvalidInput(f"unknown agent {name!r}; agents are {list(problem.agents)}", f"{where}[{k}]")
        i = problem.agents.index(name)
        if i in out:
            raise InvalidInput(f"agent {name!r} appears twice", f"{where}[{k}]")
        out.append(i)
    if len(out) != problem.n:
        missing = [a for a in problem.agents if problem.agents.index(a) not in out]
        raise InvalidInput(f"agents {missing} are missing", where)
    return tuple(out)


def fixed_order_mechanism(
    problem: Problem,
    order: Sequence[object] | None,
    label: str,
    outcome: Callable[[Sequence[int], Sequence[IndexPreference], Sequence[int]], Outcome],
) -> FunctionMechanism:
    """The deterministic mechanism ``outcome(capacities, preferences, sequence)`` for one strict
    agent order (`agent_order`), named ``"<label> (<agent names in that order>)"``."""
    sequence = agent_order(problem, order)

    def run(profile: Profile) -> StochasticAssignment:
        return deterministic(problem, outcome(problem.capacities, index_profile(problem, profile), sequence))

    names = " ".join(problem.agents[i] for i in sequence)
    return FunctionMechanism(problem, f"{label} ({names})", run)


def deterministic(problem: Problem, outcome: Outcome) -> StochasticAssignment:
    """The deterministic assignment of an index outcome."""
    one, zero = Fraction(1), Fraction(0)
    rows = []
    for x in outcome:
        row = [zero] * (problem.m + 1)
        row[x if x >= 0 else problem.m] = one
        rows.append(tuple(row))
    return StochasticAssignment(problem, tuple(rows))


def from_counts(problem: Problem, counts: Sequence[Sequence[int]], denominator: int) -> StochasticAssignment:
    """The assignment ``counts[i][k] / denominator`` (columns: objects, then outside)."""
    return StochasticAssignment(
        problem, tuple(tuple(Fraction(c, denominator) for c in row) for row in counts)
    )


def add_outcome(counts: list[list[int]], outcome: Outcome, weight: int, m: int) -> None:
    """Add ``weight`` to every agent's realised column."""
    for i, x in enumerate(outcome):
        counts[i][x if x >= 0 else m] += weight
