"""An independent re-check of LP certificates for the tests (does not import
verified.lp.certificates): the conditions are re-derived from the LP itself."""

from __future__ import annotations

from fractions import Fraction

from verified.lp import LinearProgram, LPResult


def _act(coefficients, point) -> Fraction:
    return sum((Fraction(a) * point.get(v, 0) for v, a in coefficients.items()), Fraction(0))


def _feasible(lp: LinearProgram, x: dict) -> bool:
    for v in lp.variables:
        lb = lp.lower.get(v, 0)
        if lb is not None and x.get(v, 0) < lb:
            return False
    for c in lp.constraints:
        lhs = _act(c.coefficients, x)
        if not {"<=": lhs <= c.rhs, ">=": lhs >= c.rhs, "==": lhs == c.rhs}[c.sense]:
            return False
    return True


def recheck(lp: LinearProgram, r: LPResult) -> bool:
    """True iff the certificate of r proves its status (weak duality argument written out)."""
    sign = 1 if lp.sense == "min" else -1  # turn max into min of -c
    if r.status == "optimal":
        if not _feasible(lp, r.primal):
            return False
        y = {c.name: sign * r.dual.get(c.name, 0) for c in lp.constraints}  # min-form multipliers
        for c in lp.constraints:
            if (c.sense == ">=" and y[c.name] < 0) or (c.sense == "<=" and y[c.name] > 0):
                return False
        dual_value = Fraction(0)
        for v in lp.variables:
            d = sign * lp.objective.get(v, 0) - sum(
                (y[c.name] * c.coefficients.get(v, 0) for c in lp.constraints), Fraction(0)
            )
            lb = lp.lower.get(v, 0)
            if lb is None and d != 0 or lb is not None and d < 0:
                return False
            if lb is not None:
                dual_value += d * lb
        dual_value += sum((y[c.name] * c.rhs for c in lp.constraints), Fraction(0))
        primal_value = sign * _act(lp.objective, r.primal)
        return primal_value == dual_value and r.objective == sign * primal_value
    if r.status == "infeasible":
        y = r.farkas
        for c in lp.constraints:
            if (c.sense == ">=" and y.get(c.name, 0) < 0) or (c.sense == "<=" and y.get(c.name, 0) > 0):
                return False
        total = sum((y.get(c.name, 0) * c.rhs for c in lp.constraints), Fraction(0))
        for v in lp.variables:
            g = sum((y.get(c.name, 0) * c.coefficients.get(v, 0) for c in lp.constraints), Fraction(0))
            lb = lp.lower.get(v, 0)
            if lb is None and g != 0 or lb is not None and g > 0:
                return False
            if lb is not None:
                total -= g * lb
        return total > 0
    if r.status == "unbounded":
        if not _feasible(lp, r.primal):
            return False
        ray = r.ray
        for v in lp.variables:
            if lp.lower.get(v, 0) is not None and ray.get(v, 0) < 0:
                return False
        for c in lp.constraints:
            s = _act(c.coefficients, ray)
            if not {"<=": s <= 0, ">=": s >= 0, "==": s == 0}[c.sense]:
                return False
        return sign * _act(lp.objective, ray) < 0
    return False
