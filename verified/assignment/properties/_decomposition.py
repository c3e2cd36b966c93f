"""Decomposition of a stochastic assignment over a restricted family of deterministic
assignments, by exact LP (shared by ex post efficiency and ex post stability).

gamma is a lottery over the family F iff the LP
    lambda_D >= 0 (D in F),  sum_D lambda_D [D(i) = c] = gamma_ic  for every agent i, column c
is feasible. Every D with lambda_D > 0 lies in the support of gamma (D(i) = c forces
gamma_ic > 0), so F is restricted to deterministic assignments inside the support:
the LP is smaller and a Farkas vector only has to price those. When the LP is
infeasible, `verified.lp` returns exact multipliers y ("prices" y_ic) with
sum_i y_{i,D(i)} <= 0 for every D in F and sum_ic y_ic gamma_ic > 0, which no lottery
over F can satisfy (its expected price would be <= 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verified.assignment.lottery import DeterministicAssignment, Lottery
from verified.assignment.model import Problem
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput, VerifiedError
from verified.lp import Constraint, LinearProgram, solve_exact
from verified.numbers import fraction_text
from verified.results import CheckResult, fails, holds, unknown

DEFAULT_MAX_ASSIGNMENTS = 100_000


class TooManyAssignments(VerifiedError):
    """The support holds more deterministic assignments than the caller allowed."""


def support_assignments(
    gamma: StochasticAssignment, limit: int = DEFAULT_MAX_ASSIGNMENTS
) -> Iterator[tuple[int, ...]]:
    """Every deterministic assignment (column per agent, m = outside) inside supp(gamma)
    and within capacities, in lexicographic order of columns."""
    p = gamma.problem
    options = [[c for c in range(p.m + 1) if gamma.matrix[i][c] > 0] for i in range(p.n)]
    left = list(p.capacities)
    chosen: list[int] = []
    count = 0

    def walk(i: int) -> Iterator[tuple[int, ...]]:
        nonlocal count
        if i == p.n:
            count += 1
            if count > limit:
                raise TooManyAssignments(f"more than {limit} deterministic assignments in the support")
            yield tuple(chosen)
            return
        for c in options[i]:
            if c < p.m and left[c] == 0:
                continue
            if c < p.m:
                left[c] -= 1
            chosen.append(c)
            yield from walk(i + 1)
            chosen.pop()
            if c < p.m:
                left[c] += 1

    return walk(0)


@dataclass(frozen=True)
class Decomposition:
    """Either ``lottery`` (feasible) or ``prices`` (Farkas); ``unknown_reason`` otherwise."""

    problem: Problem
    family: tuple[DeterministicAssignment, ...]
    lottery: Lottery | None = None
    prices: dict[tuple[int, int], Fraction] | None = None
    unknown_reason: str | None = None

    def prices_json(self) -> dict[str, dict[str, str]]:
        """``{agent: {column: "n/d"}}`` (zero prices left out)."""
        assert self.prices is not None
        p = self.problem
        out: dict[str, dict[str, str]] = {}
        for (i, c), y in sorted(self.prices.items()):
            if y:
                out.setdefault(p.agents[i], {})[p.columns[c]] = fraction_text(y)
        return out


def price(prices: dict[tuple[int, int], Fraction], d: DeterministicAssignment) -> Fraction:
    return sum((prices.get((i, d.column(i)), Fraction(0)) for i in range(d.problem.n)), Fraction(0))


def decompose_over(
    gamma: StochasticAssignment,
    admissible: Callable[[DeterministicAssignment], bool],
    limit: int = DEFAULT_MAX_ASSIGNMENTS,
) -> Decomposition:
    """Write gamma as a lottery over the admissible deterministic assignments, or prove it cannot be."""
    p = gamma.problem
    family = tuple(
        d
        for d in (DeterministicAssignment.from_columns(p, cols) for cols in support_assignments(gamma, limit))
        if admissible(d)
    )
    cells = [(i, c) for i in range(p.n) for c in range(p.m + 1) if gamma.matrix[i][c] > 0]
    names = [f"lambda[{k}]" for k in range(len(family))]
    constraints = []
    for i, c in cells:
        coefficients = {names[k]: 1 for k, d in enumerate(family) if d.column(i) == c}
        constraints.append(Constraint(coefficients, "==", gamma.matrix[i][c], f"cell[{i}][{c}]"))
    result = solve_exact(LinearProgram(tuple(names), tuple(constraints)))
    if result.optimal:
        outcomes = [(result.primal.get(n, Fraction(0)), d) for n, d in zip(names, family, strict=True)]
        lottery = Lottery(p, tuple((w, d) for w, d in outcomes if w > 0))
        if lottery.expected() != gamma:  # pragma: no cover - verified.lp already checked the primal
            raise VerifiedError("internal error: the LP decomposition does not sum back")
        return Decomposition(p, family, lottery=lottery)
    if result.infeasible and result.farkas is not None:
        prices = {(i, c): result.farkas.get(f"cell[{i}][{c}]", Fraction(0)) for i, c in cells}
        total = sum((y * gamma.matrix[i][c] for (i, c), y in prices.items()), Fraction(0))
        if total <= 0 or any(price(prices, d) > 0 for d in family):  # pragma: no cover - bug guard
            raise VerifiedError("internal error: the Farkas prices do not separate gamma")
        return Decomposition(p, family, prices=prices)
    return Decomposition(p, family, unknown_reason=result.reason or f"LP status {result.status}")


def farkas_evidence(gamma: StochasticAssignment, found: Decomposition) -> dict[str, Any]:
    """The JSON part of a Farkas refutation: prices, gamma's price, each family member's price."""
    assert found.prices is not None
    total = sum((y * gamma.matrix[i][c] for (i, c), y in found.prices.items()), Fraction(0))
    return {
        "prices": found.prices_json(),
        "assignment_price": fraction_text(total),
        "family": [
            {"assignment": d.to_json(), "price": fraction_text(price(found.prices, d))} for d in found.family
        ],
    }


def lottery_or_farkas(
    prop: str,
    kind: str,
    gamma: StochasticAssignment,
    admissible: Callable[[DeterministicAssignment], bool],
    max_assignments: int,
    base: dict[str, Any],
) -> CheckResult:
    """The verdict of `decompose_over`: HOLDS (``kind``, ``base``, ``lottery``), FAILS (kind
    ``farkas``, ``base`` and `farkas_evidence`) or UNKNOWN (too large a support, LP gave up)."""
    try:
        found = decompose_over(gamma, admissible, require_limit(max_assignments))
    except TooManyAssignments as exc:
        return unknown(prop, str(exc))
    if found.lottery is not None:
        return holds(prop, {"kind": kind, **base, "lottery": found.lottery.to_json()})
    if found.prices is not None:
        return fails(prop, {"kind": "farkas", **base, **farkas_evidence(gamma, found)})
    return unknown(prop, f"exact LP: {found.unknown_reason}")


def require_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput(f"expected a positive integer, got {limit!r}", "max_assignments")
    return limit
