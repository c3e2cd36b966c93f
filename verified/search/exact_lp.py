"""Solve the search LP: HiGHS proposes (floats), exact arithmetic confirms.

A float never reaches a verdict. From HiGHS's basic solution we rebuild
rationals (continued fractions, `Fraction.limit_denominator`), then check
exactly, in integers: primal feasibility (A x <= b, x >= 0), dual feasibility
(y >= 0, A^T y >= c), and equal objectives c.x + c0 = b.y + c0, which proves
optimality. Small rounding defects of the dual are repaired exactly by raising
multipliers of rows with non-negative coefficients (this keeps A^T y >= c and
only weakens the bound, which is then re-compared). Infeasibility gets a Farkas
certificate y >= 0, A^T y >= 0, b.y < 0 from a phase-one LP.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm

import numpy as np

from verified.errors import require_extra
from verified.search.formulation import LinearProgram

_SAFE = 2**62
_DENOMINATORS = (10**3, 10**5, 10**7)


@dataclass
class ExactSolution:
    status: str  # "optimal" | "infeasible" | "unknown"
    primal: list[Fraction] | None = None
    dual: list[Fraction] | None = None  # optimal: bound multipliers; infeasible: Farkas multipliers
    value: Fraction | None = None  # c.x + c0 (optimal)
    reason: str = ""
    stats: dict = field(default_factory=dict)


@dataclass
class _Csr:
    indptr: np.ndarray
    indices: np.ndarray
    coefs: np.ndarray
    row_of: np.ndarray


def _csr(lp: LinearProgram) -> _Csr:
    lengths = np.fromiter((len(r) for r in lp.row_vars), dtype=np.int64, count=lp.num_rows)
    indptr = np.zeros(lp.num_rows + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.fromiter((v for r in lp.row_vars for v in r), dtype=np.int64, count=int(indptr[-1]))
    coefs = np.fromiter((c for r in lp.row_coefs for c in r), dtype=np.int64, count=int(indptr[-1]))
    row_of = np.repeat(np.arange(lp.num_rows, dtype=np.int64), lengths)
    return _Csr(indptr, indices, coefs, row_of)


def _common(values: list[Fraction]) -> tuple[np.ndarray, int]:
    den = 1
    for v in values:
        if v.denominator != 1:
            den = lcm(den, v.denominator)
    nums = [v.numerator * (den // v.denominator) for v in values]
    big = max((abs(x) for x in nums), default=0)
    arr = np.array(nums, dtype=np.int64 if big < 2**40 else object)
    return arr, den


def _row_sums(csr: _Csr, x_int: np.ndarray, num_rows: int) -> np.ndarray:
    dtype = x_int.dtype
    out = np.zeros(num_rows, dtype=dtype)
    np.add.at(out, csr.row_of, csr.coefs.astype(dtype) * x_int[csr.indices])
    return out


def _col_sums(csr: _Csr, y_int: np.ndarray, num_vars: int) -> np.ndarray:
    dtype = y_int.dtype
    out = np.zeros(num_vars, dtype=dtype)
    np.add.at(out, csr.indices, csr.coefs.astype(dtype) * y_int[csr.row_of])
    return out


def primal_feasible(lp: LinearProgram, csr: _Csr, x: list[Fraction]) -> bool:
    """Exact: x >= 0 and every row sum_j a_rj x_j <= b_r."""
    if any(v < 0 for v in x):
        return False
    x_int, dx = _common(x)
    b_int, db = _common(lp.rhs)
    lhs = _row_sums(csr, x_int, lp.num_rows)
    # compare lhs/dx <= b/db  <=>  lhs*db <= b*dx
    if max(dx, db) * 2**24 > _SAFE or lhs.dtype == object or b_int.dtype == object:
        lhs, b_int = lhs.astype(object), b_int.astype(object)
    return bool(np.all(lhs * db <= b_int * dx))


def dual_bound(lp: LinearProgram, csr: _Csr, y: list[Fraction], c: list[Fraction]) -> Fraction | None:
    """Exact: if y >= 0 and A^T y >= c, return b.y (an upper bound on c.x); else None."""
    if any(v < 0 for v in y):
        return None
    y_int, dy = _common(y)
    c_int, dc = _common(c)
    lhs = _col_sums(csr, y_int, lp.num_vars)
    if max(dy, dc) * 2**24 > _SAFE or lhs.dtype == object or c_int.dtype == object:
        lhs, c_int = lhs.astype(object), c_int.astype(object)
    if not bool(np.all(lhs * dc >= c_int * dy)):
        return None
    return sum((b * v for b, v in zip(lp.rhs, y, strict=True) if v), Fraction(0))


def _round(values: np.ndarray, max_den: int) -> list[Fraction]:
    zero = Fraction(0)
    out = [zero] * len(values)
    for j in np.nonzero(np.abs(values) >= 1e-9)[0].tolist():
        out[j] = Fraction(float(values[j])).limit_denominator(max_den)  # float ok: only proposes
    return out


def _repair(lp: LinearProgram, csr: _Csr, y: list[Fraction], c: list[Fraction]) -> list[Fraction]:
    """Clip negatives and raise rows with non-negative coefficients until A^T y >= c."""
    y = [v if v > 0 else Fraction(0) for v in y]
    if dual_bound(lp, csr, y, c) is not None:
        return y
    colsum = [Fraction(0)] * lp.num_vars
    for r, v in enumerate(y):
        if v:
            for j, a in zip(lp.row_vars[r], lp.row_coefs[r], strict=True):
                colsum[j] += a * v
    deficit = {j: c[j] - colsum[j] for j in range(lp.num_vars) if colsum[j] < c[j]}
    if not deficit:
        return y
    best: dict[int, tuple[Fraction, int, int]] = {}
    for r, (vs, cs) in enumerate(zip(lp.row_vars, lp.row_coefs, strict=True)):
        if not vs or min(cs) < 0 or lp.rhs[r] < 0:
            continue
        for j, a in zip(vs, cs, strict=True):
            if j in deficit:
                key = (lp.rhs[r] / a, r, a)
                if j not in best or key < best[j]:
                    best[j] = key
    for j, need in deficit.items():
        if j not in best:
            continue
        _, r, a = best[j]
        y[r] += need / a
    return y


def solve(lp: LinearProgram, time_limit: float = 600.0) -> ExactSolution:
    """Maximise c.x + c0 over A x <= b, x >= 0, exactly certified."""
    highspy = require_extra("highspy", "highs", "the search's LP accelerator")
    start = time.perf_counter()
    csr = _csr(lp)
    c = lp.objective
    status, x_f, y_f, obj_f = _run_highs(highspy, lp, csr, [float(v) for v in c], False, time_limit)
    stats = {"highs_seconds": round(time.perf_counter() - start, 3), "rows": lp.num_rows, "vars": lp.num_vars}
    if status == "infeasible":
        return _farkas(highspy, lp, csr, time_limit, stats)
    if status != "optimal":
        return ExactSolution("unknown", reason=f"HiGHS stopped with status {status}", stats=stats)
    for max_den in _DENOMINATORS:
        x = _round(x_f, max_den)
        if not primal_feasible(lp, csr, x):
            continue
        value = sum((a * b for a, b in zip(c, x, strict=True) if b), Fraction(0))
        for sign in (-1, 1):
            y = _repair(lp, csr, _round(sign * y_f, max_den), c)
            bound = dual_bound(lp, csr, y, c)
            if bound is not None and bound == value:
                stats["exact_seconds"] = round(time.perf_counter() - start, 3)
                return ExactSolution("optimal", x, y, value + lp.constant, stats=stats)
    return ExactSolution(
        "unknown",
        reason=f"no exact certificate rebuilt from HiGHS's solution (objective {obj_f!r})",
        stats=stats,
    )


def _farkas(highspy, lp: LinearProgram, csr: _Csr, time_limit: float, stats: dict) -> ExactSolution:  # noqa: ANN001
    """Phase one: maximise -sum s subject to A x - s <= b; its dual is a Farkas certificate."""
    n, m = lp.num_vars, lp.num_rows
    aux = LinearProgram(
        var_names=[*lp.var_names, *(("slack", r) for r in range(m))],
        objective=[Fraction(0)] * n + [Fraction(-1)] * m,
        row_names=lp.row_names,
        row_vars=[[*vs, n + r] for r, vs in enumerate(lp.row_vars)],
        row_coefs=[[*cs, -1] for cs in lp.row_coefs],
        rhs=lp.rhs,
    )
    aux_csr = _csr(aux)
    status, _, y_f, _ = _run_highs(
        highspy, aux, aux_csr, [float(v) for v in aux.objective], False, time_limit
    )
    if status != "optimal":
        return ExactSolution("unknown", reason=f"phase one stopped with status {status}", stats=stats)
    zero = [Fraction(0)] * n
    for max_den in _DENOMINATORS:
        for sign in (-1, 1):
            y = _repair(lp, csr, _round(sign * y_f, max_den), zero)
            bound = dual_bound(lp, csr, y, zero)
            if bound is not None and bound < 0:
                return ExactSolution("infeasible", dual=y, stats=stats)
    return ExactSolution(
        "unknown", reason="HiGHS reports infeasible but no exact Farkas certificate was rebuilt", stats=stats
    )


def _run_highs(highspy, lp: LinearProgram, csr: _Csr, cost: list[float], _: bool, time_limit: float):  # noqa: ANN001, ANN202
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("solver", "simplex")
    model = highspy.HighsLp()
    model.num_col_ = lp.num_vars
    model.num_row_ = lp.num_rows
    model.col_cost_ = np.array(cost, dtype=np.float64)
    model.col_lower_ = np.zeros(lp.num_vars)
    model.col_upper_ = np.full(lp.num_vars, highspy.kHighsInf)
    model.row_lower_ = np.full(lp.num_rows, -highspy.kHighsInf)
    model.row_upper_ = np.array([float(b) for b in lp.rhs], dtype=np.float64)  # float ok: proposal only
    model.sense_ = highspy.ObjSense.kMaximize
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.start_ = csr.indptr.astype(np.int32)
    model.a_matrix_.index_ = csr.indices.astype(np.int32)
    model.a_matrix_.value_ = csr.coefs.astype(np.float64)
    h.passModel(model)
    h.run()
    status = h.getModelStatus()
    name = h.modelStatusToString(status).lower()
    if status == highspy.HighsModelStatus.kOptimal:
        sol = h.getSolution()
        return (
            "optimal",
            np.array(sol.col_value),
            np.array(sol.row_dual),
            h.getInfo().objective_function_value,
        )
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", None, None, None
    return name, None, None, None
