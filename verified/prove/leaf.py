"""One leaf of a proof: a set of linear rows with no solution, and exact multipliers that show it.

Rows are ``a . x >= b``, ``a . x > b`` or ``a . x = b`` over free variables. A certificate of
infeasibility is a multiplier ``w_r`` per row, ``w_r >= 0`` for the inequalities (free for the
equations), with (the Motzkin transposition theorem)

    sum_r w_r a_r = 0,   and either  sum_r w_r b_r > 0,
                         or          sum_r w_r b_r = 0 and w_r > 0 for some strict row.

Any solution x would give ``0 = sum_r w_r (a_r . x) >= sum_r w_r b_r`` with the inequality
strict when a strict row has a positive multiplier: ``0 >= something > 0`` or ``0 > 0``.

`infeasibility` finds such multipliers, or a solution, with one exact LP
(`verified.lp.solve_exact`; HiGHS may propose, the result is verified exactly):

    maximize t  subject to  a_r . x >= b_r (non-strict),  a_r . x - t >= b_r (strict),
                            a_r . x = b_r,  t <= 1,  t >= 0, x free.

The rows have a solution iff the optimum is positive (then x is one). Otherwise the LP's
exact Farkas vector (when it is infeasible) or its exact dual (optimum 0) gives ``w`` (the
derivation is in the comments of `_from_dual` and `_from_farkas`). The conditions are checked
by `verified.recheck.prove` (its own code) before any certificate leaves `verified.prove.api`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from verified.lp import Constraint, LinearProgram, solve_exact
from verified.prove.rows import Row

_T = "__t"
_CAP = "__t<=1"


class LeafUnknown(RuntimeError):
    """The exact LP gave no verdict (time limit): the proof is unknown."""


def _name(k: int) -> str:
    return f"r{k}"


def infeasibility(rows: Sequence[Row], time_limit: float | None = None) -> tuple[str, dict]:
    """``("solution", {variable: value})`` or ``("multipliers", {row index: w})``."""
    variables = sorted({v for r in rows for v in r.coefficients})
    constraints = []
    for k, r in enumerate(rows):
        coeffs = dict(r.coefficients)
        if r.sense == ">":
            coeffs[_T] = Fraction(-1)
        sense = "==" if r.sense == "==" else ">="
        constraints.append(Constraint(coeffs, sense, r.rhs, _name(k)))
    constraints.append(Constraint({_T: Fraction(1)}, "<=", Fraction(1), _CAP))
    lower = {v: None for v in variables}
    lower[_T] = Fraction(0)
    lp = LinearProgram((*variables, _T), tuple(constraints), {_T: Fraction(1)}, "max", lower)
    result = solve_exact(lp, time_limit=time_limit)
    if result.status == "optimal":
        if result.objective is not None and result.objective > 0:
            return "solution", {v: result.primal.get(v, Fraction(0)) for v in variables}
        return "multipliers", _from_dual(result.dual, len(rows))
    if result.status == "infeasible":
        return "multipliers", _from_farkas(result.farkas or {}, len(rows))
    raise LeafUnknown(result.reason or f"LP status {result.status}")


def _from_dual(dual: dict, count: int) -> dict[int, Fraction]:
    # max t: dual y has y <= 0 on ">=" rows, y >= 0 on the "<=" cap, free on "=="; for the free
    # x the reduced costs vanish (sum_r y_r a_r = 0) and the objective t* = 0 equals
    # sum_r y_r b_r + y_cap. With w = -y: sum w_r a_r = 0 and sum w_r b_r = y_cap >= 0. If
    # y_cap = 0, the reduced cost of t (1 - sum_strict(-y_r) - y_cap <= 0) gives
    # sum_strict w_r >= 1 > 0. Either way w certifies (checked again by `check`).
    return {k: -Fraction(dual.get(_name(k), 0)) for k in range(count) if dual.get(_name(k), 0)}


def _from_farkas(farkas: dict, count: int) -> dict[int, Fraction]:
    # Farkas: y >= 0 on ">=" rows, y <= 0 on the cap, sum_r y_r a_r = 0 on the free x, the column
    # sum on t is <= 0 and sum_r y_r b_r + y_cap > 0 (t >= 0 contributes nothing); so the rows'
    # own w = y has sum w_r b_r > -y_cap >= 0.
    return {k: Fraction(farkas.get(_name(k), 0)) for k in range(count) if farkas.get(_name(k), 0)}
