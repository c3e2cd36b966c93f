"""Shared plumbing of the built-in mechanisms: index form of profiles, exact rows, size limits.

Internally a preference is a tuple of object *indices* (best first) and a
deterministic outcome is a tuple of object indices, with ``-1`` for the
outside option. Lotteries are accumulated as integer counts over a common
denominator and turned into `Fraction`s only at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from math import gcd

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


def components(preferences: Sequence[IndexPreference]) -> list[list[int]]:
    """The agents with a non-empty list, grouped into the connected components of the graph in
    which two agents are joined when their lists share an object (in agent order)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pref in preferences:
        for x in pref[1:]:
            parent[root(x)] = root(pref[0])
    groups: dict[int, list[int]] = {}
    for i, pref in enumerate(preferences):
        if pref:
            groups.setdefault(root(pref[0]), []).append(i)
    return list(groups.values())


def by_components(
    preferences: Sequence[IndexPreference],
    m: int,
    solve: Callable[[list[int]], tuple[Sequence[Sequence[int]], int]],
) -> tuple[list[list[int]], int]:
    """A random mechanism driven by one uniformly random order of the agents, solved component
    by component (`components`): agents whose lists share no object, directly or through
    others, never meet, the order restricted to a component is uniform, and so each
    component's lottery is the mechanism on that component alone. ``solve(group)`` gives, for
    the agents of ``group`` (indices, in order), integer numerators per agent (m + 1 columns)
    over one denominator; the result is
    over the lcm of the denominators. Agents with an empty list get the outside option."""
    parts = [(group, solve(group)) for group in components(preferences)]
    den = 1
    for _, (_, d) in parts:
        den = den * d // gcd(den, d)
    counts = [[0] * m + [den] for _ in preferences]
    for group, (rows, d) in parts:
        scale = den // d
        for i, row in zip(group, rows, strict=True):
            counts[i] = [c * scale for c in row]
    return counts, den
