"""Exact verification of LP certificates (`verify_result`).

Notation: the program of `verified.lp.model` with constraints
``a_i . x  (<=|>=|==)  b_i`` (i = constraint name), objective ``c``, lower
bounds ``l_j`` (``B`` = the variables with a lower bound, ``F`` = the free
ones). A mapping entry that is absent counts as 0. All arithmetic is exact.

Dual sign convention ("y_i is the derivative of the optimal value in b_i"):

    for "min":  y_i >= 0 if i is ">=",  y_i <= 0 if i is "<=",  y_i free if "=="
    for "max":  y_i <= 0 if i is ">=",  y_i >= 0 if i is "<=",  y_i free if "=="

OPTIMAL certificate (primal x, dual y, claimed objective z):
  1. x is feasible: x_j >= l_j for j in B, and every constraint holds;
  2. y has the signs above;
  3. reduced costs d_j = c_j - sum_i y_i a_ij satisfy d_j = 0 for j in F and
     d_j >= 0 (min) / d_j <= 0 (max) for j in B; if the result lists
     ``reduced_costs`` they must equal these d_j;
  4. c . x == sum_i y_i b_i + sum_{j in B} d_j l_j == z.
  (Weak duality: for every feasible x', c . x' - dual objective
  = sum_i y_i (a_i x' - b_i) + sum_{j in B} d_j (x'_j - l_j), which is >= 0
  for min and <= 0 for max; so x is optimal.)

INFEASIBLE certificate (Farkas vector y, one multiplier per constraint):
  1. y_i >= 0 if i is ">=",  y_i <= 0 if i is "<=",  y_i free if "==";
  2. with g_j = sum_i y_i a_ij:  g_j == 0 for j in F and g_j <= 0 for j in B;
  3. sum_i y_i b_i  >  sum_{j in B} g_j l_j.
  (Any feasible x would give sum_i y_i b_i <= y . A x = sum_j g_j x_j
  <= sum_{j in B} g_j l_j, contradicting 3.)

UNBOUNDED certificate (feasible point x, ray r):
  1. x is feasible (as above);
  2. r_j >= 0 for j in B;  a_i . r <= 0 for "<=",  >= 0 for ">=",  == 0 for "==";
  3. c . r < 0 for "min", c . r > 0 for "max".
  (x + t r is feasible for all t >= 0 and its objective improves without bound.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction

from verified.errors import VerifiedError
from verified.lp.model import LinearProgram
from verified.lp.result import LPResult

_ZERO = Fraction(0)


class CertificateError(VerifiedError, ValueError):
    """An LP certificate does not check exactly; the message says which condition fails where."""


def _check_keys(values: Mapping[str, Fraction], allowed: Mapping[str, int], what: str) -> None:
    for key, value in values.items():
        if key not in allowed:
            raise CertificateError(f"{what} names {key!r}, which is not part of the program")
        if not isinstance(value, (int, Fraction)) or isinstance(value, bool):
            raise CertificateError(f"{what}[{key!r}] is {value!r}, not an exact rational")


def _scaled(values: Mapping[str, Fraction], index: Mapping[str, int], size: int) -> tuple[int, list[int]]:
    """A common denominator ``D`` and the integers ``D * value`` by position (absent = 0)."""
    denominator = math.lcm(1, *(v.denominator for v in values.values() if v))
    out = [0] * size
    for key, value in values.items():
        if value:
            out[index[key]] = value.numerator * (denominator // value.denominator)
    return denominator, out


def _constraint_index(lp: LinearProgram) -> dict[str, int]:
    return {c.name: i for i, c in enumerate(lp.constraints)}


def check_primal_feasible(lp: LinearProgram, point: Mapping[str, Fraction], what: str = "primal") -> None:
    """Raise `CertificateError` unless ``point`` satisfies every bound and constraint exactly."""
    _check_keys(point, lp.column_index, what)
    for v in lp.variables:
        bound = lp.lower_bound(v)
        if bound is not None and point.get(v, _ZERO) < bound:
            value = point.get(v, _ZERO)
            raise CertificateError(f"{what}: variable {v!r} = {value} is below its lower bound {bound}")
    denominator, x = _scaled(point, lp.column_index, len(lp.variables))
    for c, row in zip(lp.constraints, lp.integer_rows, strict=True):
        lhs = sum(a * x[j] for j, a in row.coefficients)  # = scale * denominator * (a_i . x)
        rhs = row.rhs * denominator
        ok = lhs <= rhs if c.sense == "<=" else lhs >= rhs if c.sense == ">=" else lhs == rhs
        if not ok:
            value = Fraction(lhs, row.scale * denominator)
            raise CertificateError(f"{what}: constraint {c.name!r} fails: {value} {c.sense} {c.rhs} is false")


def _multiplier_sign_ok(sense: str, value: Fraction, maximize: bool) -> bool:
    if sense == "==" or value == 0:
        return True
    positive = value > 0
    wants_positive = (sense == ">=") != maximize
    return positive == wants_positive


def _column_sums(lp: LinearProgram, multipliers: Mapping[str, Fraction]) -> tuple[int, list[int], int]:
    """``(D, G, R)`` with ``sum_i y_i a_ij = G[j] / D`` and ``sum_i y_i b_i = R / D``."""
    rows = lp.integer_rows
    y_denominator, y = _scaled(multipliers, _constraint_index(lp), len(lp.constraints))
    row_lcm = math.lcm(1, *(rows[i].scale for i, value in enumerate(y) if value))
    sums = [0] * len(lp.variables)
    rhs_total = 0
    for value, row in zip(y, rows, strict=True):
        if value:
            weight = value * (row_lcm // row.scale)
            for j, a in row.coefficients:
                sums[j] += weight * a
            rhs_total += weight * row.rhs
    return y_denominator * row_lcm, sums, rhs_total


def dual_objective(lp: LinearProgram, dual: Mapping[str, Fraction]) -> tuple[dict[str, Fraction], Fraction]:
    """The reduced costs ``d = c - A^T y`` and the dual objective ``y.b + sum_{j in B} d_j l_j``."""
    denominator, sums, rhs_total = _column_sums(lp, dual)
    objective = lp.objective
    reduced = {
        v: (objective[v] - Fraction(g, denominator) if v in objective else Fraction(-g, denominator))
        for v, g in zip(lp.variables, sums, strict=True)
    }
    value = Fraction(rhs_total, denominator)
    for v, bound in lp.lower.items():
        if bound and reduced[v]:
            value += reduced[v] * bound
    return reduced, value


def verify_optimal(lp: LinearProgram, result: LPResult) -> dict[str, Fraction]:
    """Check an optimality certificate; return the reduced costs ``c - A^T y``."""
    maximize = lp.sense == "max"
    check_primal_feasible(lp, result.primal)
    _check_keys(result.dual, _constraint_index(lp), "dual")
    for c in lp.constraints:
        y = result.dual.get(c.name, _ZERO)
        if not _multiplier_sign_ok(c.sense, y, maximize):
            raise CertificateError(
                f"dual: multiplier {y} of {c.sense!r} constraint {c.name!r} has the wrong sign for {lp.sense}"
            )
    reduced, dual_value = dual_objective(lp, result.dual)
    for v in lp.variables:
        d = reduced[v]
        if lp.lower_bound(v) is None:
            if d != 0:
                raise CertificateError(f"dual: reduced cost of free variable {v!r} is {d}, not 0")
        elif (d < 0 and not maximize) or (d > 0 and maximize):
            raise CertificateError(f"dual: reduced cost of variable {v!r} is {d}, wrong sign for {lp.sense}")
    if result.reduced_costs:
        _check_keys(result.reduced_costs, lp.column_index, "reduced_costs")
        for v in lp.variables:
            if result.reduced_costs.get(v, _ZERO) != reduced[v]:
                raise CertificateError(
                    f"reduced_costs[{v!r}] = {result.reduced_costs.get(v, _ZERO)} "
                    f"but c - A^T y gives {reduced[v]}"
                )
    primal_value = lp.objective_value(result.primal)
    if primal_value != dual_value:
        raise CertificateError(f"duality gap: primal objective {primal_value} != dual objective {dual_value}")
    if result.objective != primal_value:
        raise CertificateError(f"claimed objective {result.objective} != primal objective {primal_value}")
    return reduced


def verify_infeasible(lp: LinearProgram, result: LPResult) -> None:
    if result.farkas is None:
        raise CertificateError("an 'infeasible' result needs a Farkas vector")
    y = result.farkas
    _check_keys(y, _constraint_index(lp), "farkas")
    for c in lp.constraints:
        if not _multiplier_sign_ok(c.sense, y.get(c.name, _ZERO), False):
            raise CertificateError(
                f"farkas: multiplier {y.get(c.name)} of {c.sense!r} constraint {c.name!r} has the wrong sign"
            )
    denominator, sums, rhs_total = _column_sums(lp, y)  # g_j = sums[j] / denominator, y.b = rhs_total / ...
    bound_side = _ZERO
    for v, g in zip(lp.variables, sums, strict=True):
        bound = lp.lower_bound(v)
        if bound is None:
            if g != 0:
                raise CertificateError(
                    f"farkas: column sum of free variable {v!r} is {Fraction(g, denominator)}, not 0"
                )
        elif g > 0:
            raise CertificateError(f"farkas: column sum of variable {v!r} is {Fraction(g, denominator)} > 0")
        elif g and bound:
            bound_side += Fraction(g, denominator) * bound
    rhs_side = Fraction(rhs_total, denominator)
    if not rhs_side > bound_side:
        raise CertificateError(f"farkas: y.b = {rhs_side} is not greater than sum g_j l_j = {bound_side}")


def verify_unbounded(lp: LinearProgram, result: LPResult) -> None:
    if result.ray is None:
        raise CertificateError("an 'unbounded' result needs a ray")
    check_primal_feasible(lp, result.primal)
    ray = result.ray
    _check_keys(ray, lp.column_index, "ray")
    for v in lp.variables:
        if lp.lower_bound(v) is not None and ray.get(v, _ZERO) < 0:
            raise CertificateError(f"ray: variable {v!r} has a lower bound but ray component {ray[v]} < 0")
    denominator, r = _scaled(ray, lp.column_index, len(lp.variables))
    for c, row in zip(lp.constraints, lp.integer_rows, strict=True):
        slope = sum(a * r[j] for j, a in row.coefficients)  # positive multiple of a_i . r
        ok = slope <= 0 if c.sense == "<=" else slope >= 0 if c.sense == ">=" else slope == 0
        if not ok:
            value = Fraction(slope, row.scale * denominator)
            raise CertificateError(f"ray: leaves constraint {c.name!r} ({c.sense}): slope {value}")
    gain = lp.objective_value(ray)
    if (lp.sense == "min" and not gain < 0) or (lp.sense == "max" and not gain > 0):
        raise CertificateError(f"ray: objective slope {gain} does not improve the {lp.sense}")


def verify_result(lp: LinearProgram, result: LPResult) -> None:
    """Raise `CertificateError` unless ``result``'s certificate proves its status exactly.

    ``"unknown"`` claims nothing and always passes. See the module docstring
    for the exact conditions of each status.
    """
    if result.status == "optimal":
        verify_optimal(lp, result)
    elif result.status == "infeasible":
        verify_infeasible(lp, result)
    elif result.status == "unbounded":
        verify_unbounded(lp, result)
    elif result.status != "unknown":
        raise CertificateError(f"unknown status {result.status!r}")


def certify(lp: LinearProgram, result: LPResult) -> LPResult:
    """`verify_result`, then return ``result`` (an optimal one with its reduced
    costs filled in). Raises `CertificateError` like `verify_result`."""
    if result.status == "optimal":
        reduced = verify_optimal(lp, result)
        if not result.reduced_costs:
            return replace(result, reduced_costs=reduced)
        return result
    verify_result(lp, result)
    return result
