"""Turn a floating-point proposal into an exact candidate certificate.

Two ways, both followed by exact verification in `verified.lp.solve`:

* `from_basis`: take the optimal basis (which variables and which constraints
  are basic, and at which bound the others sit) and re-solve the two basis
  systems exactly in Fractions with sparse elimination (`verified.lp.sparse`):
  ``B x_B = b - N x_N`` for the primal and ``B^T y = c_B`` for the dual.
* `from_floats`: round each float to a nearby simple rational
  (`Fraction.limit_denominator`); cheap, and right whenever the true
  solution has small denominators.

Neither decides anything: a candidate that fails `verify_result` is discarded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from verified.lp.model import LinearProgram
from verified.lp.result import LPResult
from verified.lp.sparse import SingularSystem, solve_square

BASIC, AT_LOWER, AT_UPPER, AT_ZERO = "basic", "lower", "upper", "zero"


class BasisError(ValueError):
    """The proposed basis does not fit the program (wrong size, a bound that does not exist, singular)."""


@dataclass(frozen=True)
class Basis:
    """One status per variable and per constraint (in program order): ``"basic"``,
    ``"lower"``/``"upper"`` (non-basic at that bound; for a constraint, its
    activity equals the bound), or ``"zero"`` (a free non-basic variable at 0)."""

    variables: tuple[str, ...]
    constraints: tuple[str, ...]


_ZERO = Fraction(0)


def _simple(value: float, max_denominator: int) -> Fraction:
    if value == 0:
        return _ZERO
    nearest = round(value)
    if abs(value - nearest) <= 1e-9 * max(1.0, abs(value)):  # float ok: only proposes
        return Fraction(nearest)
    return Fraction(value).limit_denominator(max_denominator)


def from_floats(
    lp: LinearProgram,
    primal: Sequence[float],
    dual: Sequence[float],
    max_denominator: int = 10_000,
) -> LPResult:
    """An optimal-candidate from float primal values (per variable) and float
    constraint multipliers (same sign convention as ours: ``d = c - A^T y``)."""
    point = {v: _simple(x, max_denominator) for v, x in zip(lp.variables, primal, strict=True)}
    multipliers = {c.name: _simple(y, max_denominator) for c, y in zip(lp.constraints, dual, strict=True)}
    objective = lp.objective_value(point)
    return LPResult("optimal", primal=point, dual=multipliers, objective=objective, method="highs+rounding")


def from_basis(lp: LinearProgram, basis: Basis, deadline: float | None = None) -> LPResult:
    """The exact basic solution and dual of ``basis`` (raises `BasisError` if it is not a basis)."""
    if len(basis.variables) != len(lp.variables) or len(basis.constraints) != len(lp.constraints):
        raise BasisError("the basis has the wrong number of statuses")
    point: dict[str, Fraction] = {}
    basic_vars: list[str] = []
    for v, status in zip(lp.variables, basis.variables, strict=True):
        bound = lp.lower_bound(v)
        if status == BASIC:
            basic_vars.append(v)
        elif status == AT_LOWER and bound is not None:
            point[v] = bound
        elif status == AT_ZERO or (status == AT_LOWER and bound is None):
            point[v] = Fraction(0)
        else:
            raise BasisError(f"variable {v!r} is non-basic at {status}, which is not one of its bounds")
    tight = []
    for c, status in zip(lp.constraints, basis.constraints, strict=True):
        if status == BASIC:
            continue
        if (status == AT_LOWER and c.sense == "<=") or (status == AT_UPPER and c.sense == ">="):
            raise BasisError(f"constraint {c.name!r} is non-basic at {status}, not one of its bounds")
        if status not in (AT_LOWER, AT_UPPER):
            raise BasisError(f"constraint {c.name!r} has basis status {status}")
        tight.append(c)
    if len(tight) != len(basic_vars):
        raise BasisError(f"{len(basic_vars)} basic variables but {len(tight)} non-basic constraints")
    position = {v: k for k, v in enumerate(basic_vars)}
    size = len(basic_vars)
    primal_rows: list[dict[int, Fraction]] = []
    primal_rhs: list[Fraction] = []
    dual_rows: list[dict[int, Fraction]] = [{} for _ in range(size)]
    for i, c in enumerate(tight):
        row: dict[int, Fraction] = {}
        rhs = c.rhs
        for v, a in c.coefficients.items():
            k = position.get(v)
            if k is None:
                rhs -= a * point[v]
            else:
                row[k] = a
                dual_rows[k][i] = a
        primal_rows.append(row)
        primal_rhs.append(rhs)
    dual_rhs = [lp.objective.get(v, Fraction(0)) for v in basic_vars]
    try:
        values = solve_square(primal_rows, primal_rhs, size, deadline)
        multipliers = solve_square(dual_rows, dual_rhs, size, deadline)
    except SingularSystem as exc:
        raise BasisError(f"the basis matrix is singular ({exc})") from exc
    for v, x in zip(basic_vars, values, strict=True):
        point[v] = x
    ordered = {v: point[v] for v in lp.variables}
    dual = {c.name: Fraction(0) for c in lp.constraints}
    for c, y in zip(tight, multipliers, strict=True):
        dual[c.name] = y
    return LPResult(
        "optimal", primal=ordered, dual=dual, objective=lp.objective_value(ordered), method="highs+basis"
    )
