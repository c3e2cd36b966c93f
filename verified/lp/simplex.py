"""A pure-integer (fraction-free) two-phase simplex method.

The tableau is kept as Python integers with a common denominator ``D``
(Bareiss-style integer pivoting: after a pivot on ``p``, every entry becomes
``(t * p - t_is * t_rj) / D``, an exact division, and ``D := p``), so no
rounding ever happens and no Fraction is normalised in the inner loop.

Pivoting rule: Dantzig's (most negative reduced cost) after an improving
pivot, Bland's (smallest index enters, smallest basic index leaves among the
ratio-test ties) after a degenerate one. An infinite loop would have to end in
an infinite run of degenerate Bland pivots, which Bland's theorem excludes, so
the method always terminates.

The result carries the certificates of `verified.lp.certificates`, read off
the final tableau (duals from the artificial columns of every row).
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

from verified.lp.model import LinearProgram
from verified.lp.result import LPResult
from verified.lp.standard_form import StandardForm


class _Timeout(Exception):
    pass


def _lcm_of_denominators(values: list[Fraction]) -> int:
    out = 1
    for v in values:
        out = math.lcm(out, v.denominator)
    return out


class _Tableau:
    def __init__(self, form: StandardForm) -> None:
        self.n = len(form.columns)
        self.m = len(form.rows)
        n, m = self.n, self.m
        self.rhs_col = n + m
        self.rows: list[list[int]] = []
        self.row_factor: list[int] = []  # tableau row i = row_factor[i] * (standard-form row i)
        for i, sparse in enumerate(form.rows):
            values = list(sparse.values()) + [form.rhs[i]]
            scale = _lcm_of_denominators(values)
            if form.rhs[i] < 0:
                scale = -scale
            row = [0] * (n + m + 1)
            for col, a in sparse.items():
                row[col] = int(a * scale)
            row[n + i] = 1
            row[self.rhs_col] = int(form.rhs[i] * scale)
            self.rows.append(row)
            self.row_factor.append(scale)
        self.denominator = 1
        self.basis = [n + i for i in range(m)]
        # phase 1: every artificial costs 1; objective row z_j = c_j - sum_i c_B(i) T_ij
        phase1 = [0] * (n + m + 1)
        for row in self.rows:
            for j, t in enumerate(row):
                if t:
                    phase1[j] -= t
        for i in range(m):
            phase1[n + i] += 1
        self.cost_scale = _lcm_of_denominators(list(form.cost))
        phase2 = [int(c * self.cost_scale) for c in form.cost] + [0] * (m + 1)
        self.objectives = [phase1, phase2]
        self.pivots = 0

    def pivot(self, r: int, s: int) -> None:
        prow = self.rows[r]
        p = prow[s]
        d = self.denominator
        for i, row in enumerate(self.rows):
            if i != r:
                self.rows[i] = self._combine(row, prow, p, d, s)
        self.objectives = [self._combine(row, prow, p, d, s) for row in self.objectives]
        self.basis[r] = s
        self.denominator = p
        if p < 0:
            self.rows = [[-t for t in row] for row in self.rows]
            self.objectives = [[-t for t in row] for row in self.objectives]
            self.denominator = -p
        self.pivots += 1

    @staticmethod
    def _combine(row: list[int], prow: list[int], p: int, d: int, s: int) -> list[int]:
        f = row[s]
        if f == 0:
            if p == d:
                return row
            return [t * p // d for t in row]
        return [(t * p - f * u) // d for t, u in zip(row, prow, strict=True)]

    def entering(self, objective: list[int], bland: bool) -> int | None:
        best: int | None = None
        for j in range(self.n):
            z = objective[j]
            if z < 0:
                if bland:
                    return j
                if best is None or z < objective[best]:
                    best = j
        return best

    def leaving(self, s: int) -> int | None:
        best: int | None = None
        rc = self.rhs_col
        for i, row in enumerate(self.rows):
            t = row[s]
            if t > 0:
                if best is None:
                    best = i
                    continue
                brow = self.rows[best]
                lhs, rhs = row[rc] * brow[s], brow[rc] * t
                if lhs < rhs or (lhs == rhs and self.basis[i] < self.basis[best]):
                    best = i
        return best

    def run(self, which: int, deadline: float | None) -> int | None:
        """Optimise objective row ``which``; return None at the optimum or the
        entering column of an unbounded direction."""
        bland = False
        while True:
            if deadline is not None and time.monotonic() > deadline:
                raise _Timeout
            objective = self.objectives[which]
            s = self.entering(objective, bland)
            if s is None:
                return None
            r = self.leaving(s)
            if r is None:
                return s
            bland = self.rows[r][self.rhs_col] == 0
            self.pivot(r, s)

    def drive_out_artificials(self) -> None:
        for r in range(self.m):
            if self.basis[r] >= self.n:
                row = self.rows[r]
                for j in range(self.n):
                    if row[j] != 0:
                        self.pivot(r, j)
                        break

    def multipliers(self, which: int, art_cost: int, scale: int) -> dict[int, Fraction]:
        """y'_i = (cost of artificial i - z_(artificial i) / D) / scale, mapped to the
        unscaled standard-form row (times row_factor)."""
        objective = self.objectives[which]
        out: dict[int, Fraction] = {}
        for i in range(self.m):
            y = Fraction(art_cost) - Fraction(objective[self.n + i], self.denominator)
            out[i] = y / scale * self.row_factor[i]
        return out

    def basic_values(self) -> dict[int, Fraction]:
        return {
            col: Fraction(self.rows[i][self.rhs_col], self.denominator)
            for i, col in enumerate(self.basis)
            if col < self.n
        }


def solve_simplex(lp: LinearProgram, *, time_limit: float | None = None) -> LPResult:
    """Solve ``lp`` exactly by the fraction-free two-phase simplex method.

    The returned certificate is *not* verified here; `verified.lp.solve_exact`
    verifies it. A time limit gives status ``"unknown"``.
    """
    start = time.monotonic()
    deadline = None if time_limit is None else start + time_limit
    form = StandardForm.of(lp)
    tableau = _Tableau(form)
    names = [c.name for c in lp.constraints]
    try:
        # crash: a slack with a positive coefficient replaces its row's artificial
        for i in range(tableau.m):
            for col, a in form.rows[i].items():
                column = form.columns[col]
                if column.variable is None and a * tableau.row_factor[i] > 0:
                    tableau.pivot(i, col)
                    break
        tableau.run(0, deadline)
        infeasibility = Fraction(-tableau.objectives[0][tableau.rhs_col], tableau.denominator)
        if infeasibility > 0:
            y = tableau.multipliers(0, 1, 1)
            stats = {"pivots": tableau.pivots, "seconds": time.monotonic() - start}
            return LPResult(
                "infeasible", farkas={names[i]: y[i] for i in range(tableau.m)}, method="simplex", stats=stats
            )
        tableau.drive_out_artificials()
        entering = tableau.run(1, deadline)
    except _Timeout:
        return LPResult(
            "unknown",
            reason=f"time limit of {time_limit} s reached by the exact simplex after {tableau.pivots} pivots",
            method="simplex",
        )
    stats = {"pivots": tableau.pivots, "seconds": time.monotonic() - start}
    point = form.to_variables(lp, tableau.basic_values(), shift=True)
    if entering is not None:
        direction: dict[int, Fraction] = {entering: Fraction(1)}
        for i, col in enumerate(tableau.basis):
            if col < tableau.n:
                direction[col] = -Fraction(tableau.rows[i][entering], tableau.denominator)
        ray = form.to_variables(lp, direction, shift=False)
        return LPResult("unbounded", primal=point, ray=ray, method="simplex", stats=stats)
    y = tableau.multipliers(1, 0, tableau.cost_scale)
    sign = -1 if form.maximize else 1
    dual = {names[i]: sign * y[i] for i in range(tableau.m)}
    return LPResult(
        "optimal", primal=point, dual=dual, objective=lp.objective_value(point), method="simplex", stats=stats
    )
