"""A fraction-free, sparse, two-phase simplex method in exact integer arithmetic.

Each tableau row is a sparse mapping column -> integer numerator with one
positive integer denominator for the whole row, reduced by the gcd after every
update; rows whose entry in the pivot column is 0 are never touched, so sparse
structured programs stay cheap. No rounding ever happens.

Phase 1 starts from the slacks of the rows where a slack can be basic and
from one artificial variable for each other row, and minimises the sum of the
artificials. Pivoting rule: Dantzig's (most negative reduced cost) after an
improving pivot, Bland's (smallest index enters, smallest basic index leaves
among the ratio-test ties) after a degenerate one. An infinite loop would have
to end in an infinite run of degenerate Bland pivots, which Bland's theorem
excludes, so the method always terminates.

The certificates of `verified.lp.certificates` are read off the final
tableau: the multiplier of a row from the reduced cost of its slack column, or
of its artificial column for an equality.
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
    return math.lcm(1, *(v.denominator for v in values))


class _Row:
    """A sparse row: ``value[j] = numerators[j] / denominator`` (denominator > 0)."""

    __slots__ = ("numerators", "denominator")

    def __init__(self, numerators: dict[int, int], denominator: int) -> None:
        self.numerators = numerators
        self.denominator = denominator

    def reduce(self) -> None:
        g = math.gcd(self.denominator, *self.numerators.values())
        if g > 1:
            self.numerators = {j: t // g for j, t in self.numerators.items()}
            self.denominator //= g

    def value(self, j: int) -> Fraction:
        return Fraction(self.numerators.get(j, 0), self.denominator)


class _Tableau:
    def __init__(self, form: StandardForm) -> None:
        self.n = len(form.columns)  # structural + slack columns; artificials come after
        self.m = len(form.rows)
        self.rhs_col = -1
        self.slack_of: dict[int, tuple[int, int]] = {}  # row -> (slack column, +1 for "<=", -1 for ">=")
        for col, column in enumerate(form.columns):
            if column.row is not None:
                self.slack_of[column.row] = (col, column.sign)
        self.rows: list[_Row] = []
        self.row_factor: list[int] = []  # initial tableau row i = row_factor[i] * standard-form row i
        self.basis: list[int] = []
        self.artificial_of: dict[int, int] = {}  # row -> artificial column
        phase1: dict[int, int] = {}
        for i, sparse in enumerate(form.rows):
            scale = _lcm_of_denominators([*sparse.values(), form.rhs[i]])
            if form.rhs[i] < 0:
                scale = -scale
            numerators = {col: int(a * scale) for col, a in sparse.items()}
            numerators[self.rhs_col] = int(form.rhs[i] * scale)
            slack = self.slack_of.get(i)
            if slack is not None and numerators[slack[0]] > 0:
                self.rows.append(_Row(numerators, numerators[slack[0]]))
                self.basis.append(slack[0])
            else:
                art = self.n + len(self.artificial_of)
                self.artificial_of[i] = art
                numerators[art] = 1
                self.rows.append(_Row(numerators, 1))
                self.basis.append(art)
                for j, t in numerators.items():  # z = c - c_B B^-1 A with cost 1 per artificial
                    if j != art:
                        phase1[j] = phase1.get(j, 0) - t
            self.row_factor.append(scale)
            self.rows[-1].reduce()
        self.cost_scale = _lcm_of_denominators(list(form.cost))
        phase2 = {j: int(c * self.cost_scale) for j, c in enumerate(form.cost) if c}
        self.objectives = [_Row({j: t for j, t in phase1.items() if t}, 1), _Row(phase2, 1)]
        self.pivots = 0

    @staticmethod
    def _eliminate(row: _Row, pivot_row: _Row, s: int) -> None:
        """row := row - row[s] * pivot_row (pivot_row[s] == 1 in value)."""
        f = row.numerators.get(s)
        if not f:
            return
        dp = pivot_row.denominator
        out = {j: t * dp for j, t in row.numerators.items()}
        for j, t in pivot_row.numerators.items():
            v = out.get(j, 0) - f * t
            if v:
                out[j] = v
            else:
                out.pop(j, None)
        row.numerators = out
        row.denominator *= dp
        row.reduce()

    def pivot(self, r: int, s: int) -> None:
        prow = self.rows[r]
        p = prow.numerators[s]
        if p < 0:
            prow.numerators = {j: -t for j, t in prow.numerators.items()}
            p = -p
        prow.denominator = p  # now prow[s] == 1 in value
        prow.reduce()
        for i, row in enumerate(self.rows):
            if i != r:
                self._eliminate(row, prow, s)
        for row in self.objectives:
            self._eliminate(row, prow, s)
        self.basis[r] = s
        self.pivots += 1

    def entering(self, which: int, bland: bool) -> int | None:
        best: int | None = None
        best_value = 0
        for j, t in self.objectives[which].numerators.items():
            if t < 0 and 0 <= j < self.n:
                if best is None:
                    best, best_value = j, t
                elif j < best if bland else (t < best_value or (t == best_value and j < best)):
                    best, best_value = j, t
        return best

    def leaving(self, s: int) -> int | None:
        best: int | None = None
        best_rhs = best_t = 0
        for i, row in enumerate(self.rows):
            t = row.numerators.get(s, 0)
            if t > 0:
                rhs = row.numerators.get(self.rhs_col, 0)
                if best is not None:
                    lhs, right = rhs * best_t, best_rhs * t
                    if lhs > right or (lhs == right and self.basis[i] > self.basis[best]):
                        continue
                best, best_rhs, best_t = i, rhs, t
        return best

    def run(self, which: int, deadline: float | None) -> int | None:
        """Optimise objective ``which`` (0: phase 1, 1: phase 2); return None at
        the optimum or the entering column of an unbounded direction."""
        bland = False
        while True:
            if deadline is not None and time.monotonic() > deadline:
                raise _Timeout
            s = self.entering(which, bland)
            if s is None:
                return None
            r = self.leaving(s)
            if r is None:
                return s
            bland = self.rows[r].numerators.get(self.rhs_col, 0) == 0
            self.pivot(r, s)

    def drive_out_artificials(self) -> None:
        for r in range(self.m):
            if self.basis[r] >= self.n:
                for j in sorted(self.rows[r].numerators):
                    if 0 <= j < self.n:
                        self.pivot(r, j)
                        break

    def objective_value(self, which: int) -> Fraction:
        """The value of objective ``which`` at the current basis (minimisation form)."""
        return -self.objectives[which].value(self.rhs_col)

    def multipliers(self, which: int) -> list[Fraction]:
        """The multiplier of each original constraint (minimisation convention),
        read from reduced costs: for a slack column with sign sigma,
        ``z = -sigma * y``; for an artificial column (cost 1 in phase 1, 0 in
        phase 2), ``z = cost - y / row_factor``."""
        objective = self.objectives[which]
        scale = 1 if which == 0 else self.cost_scale
        out: list[Fraction] = []
        for i in range(self.m):
            slack = self.slack_of.get(i)
            if slack is not None:
                y = -slack[1] * objective.value(slack[0])
            else:
                y = (Fraction(1 - which) - objective.value(self.artificial_of[i])) * self.row_factor[i]
            out.append(y / scale)
        return out

    def basic_values(self) -> dict[int, Fraction]:
        return {col: self.rows[i].value(self.rhs_col) for i, col in enumerate(self.basis) if col < self.n}


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
        tableau.run(0, deadline)
        if tableau.objective_value(0) > 0:
            y = tableau.multipliers(0)
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
                direction[col] = -tableau.rows[i].value(entering)
        ray = form.to_variables(lp, direction, shift=False)
        return LPResult("unbounded", primal=point, ray=ray, method="simplex", stats=stats)
    y = tableau.multipliers(1)
    sign = -1 if form.maximize else 1
    dual = {names[i]: sign * y[i] for i in range(tableau.m)}
    return LPResult(
        "optimal", primal=point, dual=dual, objective=lp.objective_value(point), method="simplex", stats=stats
    )
