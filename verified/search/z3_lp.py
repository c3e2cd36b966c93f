"""The search LP solved by z3 alone (no floats anywhere): the exact path for small
(reduced or neighbourhood) problems, and the fallback when HiGHS is not installed.

z3 ``Optimize`` gives an exact optimal vertex; the dual certificate (y >= 0,
A^T y >= c, b.y <= c.x) is then found as a feasibility problem through
`verified.smt.core.solve`; for an infeasible LP, Farkas multipliers
(y >= 0, A^T y >= 0, b.y <= -1). Time-outs give status "unknown".
"""

from __future__ import annotations

import time
from fractions import Fraction

import z3

from verified.numbers import fraction_text
from verified.search.exact_lp import ExactSolution
from verified.search.sparse import SparseLP
from verified.smt.core import from_z3, solve


def _rows(lp: SparseLP) -> list[list[tuple[int, int]]]:
    out = []
    for r in range(lp.num_rows):
        s, e = int(lp.indptr[r]), int(lp.indptr[r + 1])
        out.append([(int(v), int(c)) for v, c in zip(lp.indices[s:e], lp.coefs[s:e], strict=True)])
    return out


def _dual(
    lp: SparseLP, rows: list, cost: list[int], bound: Fraction, timeout_ms: int
) -> dict[int, Fraction] | None | str:
    """Exact y >= 0 with A^T y >= cost and b.y <= bound (None if none exists, "unknown" on time-out)."""
    ys = [z3.Real(f"y{r}") for r in range(lp.num_rows)]
    cols: list[list[tuple[int, int]]] = [[] for _ in range(lp.num_vars)]
    for r, terms in enumerate(rows):
        for v, c in terms:
            cols[v].append((r, c))
    cons = [y >= 0 for y in ys]
    for v in range(lp.num_vars):
        lhs = z3.Sum([c * ys[r] for r, c in cols[v]]) if cols[v] else z3.RealVal(0)
        cons.append(lhs >= cost[v])
    den = lp.rhs_den
    by = z3.Sum(
        [z3.RealVal(fraction_text(Fraction(int(lp.rhs[r]), den))) * ys[r] for r in range(lp.num_rows)]
    )
    cons.append(by <= z3.RealVal(fraction_text(bound)))
    out = solve(cons, {f"y{r}": ys[r] for r in range(lp.num_rows)}, timeout_ms=timeout_ms)
    if out.unknown:
        return "unknown"
    if out.unsat:
        return None
    return {r: out.model[f"y{r}"] for r in range(lp.num_rows) if out.model[f"y{r}"]}


def solve_z3(lp: SparseLP, time_limit: float = 600.0) -> ExactSolution:
    """Maximise c.x over A x <= b, x >= 0 with z3, exactly, with a dual or Farkas certificate."""
    start = time.perf_counter()
    timeout_ms = int(time_limit * 1000)
    rows = _rows(lp)
    xs = [z3.Real(f"x{j}") for j in range(lp.num_vars)]
    opt = z3.Optimize()
    opt.set("timeout", timeout_ms)
    opt.add(*[x >= 0 for x in xs])
    for r, terms in enumerate(rows):
        lhs = z3.Sum([c * xs[v] for v, c in terms]) if terms else z3.RealVal(0)
        opt.add(lhs <= z3.RealVal(fraction_text(Fraction(int(lp.rhs[r]), lp.rhs_den))))
    cost = [int(c) for c in lp.objective]
    if lp.num_vars:
        opt.maximize(
            z3.Sum([c * x for c, x in zip(cost, xs, strict=True) if c]) if any(cost) else z3.RealVal(0)
        )
    answer = opt.check()
    stats = {"z3_seconds": 0.0, "rows": lp.num_rows, "vars": lp.num_vars}
    if answer == z3.unknown:
        return ExactSolution("unknown", reason=f"z3: {opt.reason_unknown()}", stats=stats)
    if answer == z3.unsat:
        farkas = _dual(lp, rows, [0] * lp.num_vars, Fraction(-1), timeout_ms)
        stats["z3_seconds"] = round(time.perf_counter() - start, 3)
        if isinstance(farkas, dict):
            return ExactSolution("infeasible", dual=farkas, stats=stats)
        return ExactSolution(
            "unknown", reason="z3 found the LP infeasible but no Farkas certificate", stats=stats
        )
    model = opt.model()
    x = [from_z3(model.eval(xv, model_completion=True)) for xv in xs]
    value = sum((c * v for c, v in zip(cost, x, strict=True) if c), Fraction(0))
    dual = _dual(lp, rows, cost, value, timeout_ms)
    stats["z3_seconds"] = round(time.perf_counter() - start, 3)
    if not isinstance(dual, dict):
        return ExactSolution("unknown", reason="z3 found no dual certificate for its optimum", stats=stats)
    return ExactSolution("optimal", x, dual, value, stats=stats)
