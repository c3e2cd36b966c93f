"""The standard form shared by the exact solvers.

`LinearProgram` -> ``A' x' = b', x' >= 0`` with

* one column per variable with a lower bound (``x'_j = x_j - l_j``) and two
  columns per free variable (``x_j = x+_j - x-_j``);
* one slack column per inequality: ``+1`` for ``<=``, ``-1`` for ``>=``;
* the right-hand side shifted by the lower bounds, ``b'_i = b_i - sum_j a_ij l_j``.

`StandardForm` also maps solutions of the standard form back to the
program's variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from verified.lp.model import LinearProgram


@dataclass(frozen=True)
class Column:
    """One standard-form column: which variable it carries (``+1`` or ``-1``
    times), or which constraint's slack (``variable`` is None)."""

    variable: str | None
    sign: int
    row: int | None = None  # the constraint of a slack column


@dataclass(frozen=True)
class StandardForm:
    columns: tuple[Column, ...]
    rows: tuple[dict[int, Fraction], ...]  # sparse rows of A' (column index -> coefficient)
    rhs: tuple[Fraction, ...]
    cost: tuple[Fraction, ...]  # minimisation costs (objective negated for "max")
    maximize: bool

    @staticmethod
    def of(lp: LinearProgram) -> StandardForm:
        columns: list[Column] = []
        index: dict[str, list[tuple[int, int]]] = {}
        for v in lp.variables:
            index[v] = [(len(columns), 1)]
            columns.append(Column(v, 1))
            if lp.lower_bound(v) is None:
                index[v].append((len(columns), -1))
                columns.append(Column(v, -1))
        rows: list[dict[int, Fraction]] = []
        rhs: list[Fraction] = []
        for i, c in enumerate(lp.constraints):
            row: dict[int, Fraction] = {}
            shift = Fraction(0)
            for v, a in c.coefficients.items():
                bound = lp.lower_bound(v)
                if bound:
                    shift += a * bound
                for col, sign in index[v]:
                    row[col] = a * sign
            if c.sense != "==":
                row[len(columns)] = Fraction(1 if c.sense == "<=" else -1)
                columns.append(Column(None, 1 if c.sense == "<=" else -1, i))
            rows.append(row)
            rhs.append(c.rhs - shift)
        maximize = lp.sense == "max"
        cost = [Fraction(0)] * len(columns)
        for v, coefficient in lp.objective.items():
            for col, sign in index[v]:
                cost[col] = (-coefficient if maximize else coefficient) * sign
        return StandardForm(tuple(columns), tuple(rows), tuple(rhs), tuple(cost), maximize)

    def to_variables(
        self, lp: LinearProgram, values: dict[int, Fraction], shift: bool
    ) -> dict[str, Fraction]:
        """Map standard-form column values back to the program's variables
        (``shift``: add the lower bounds, for points; not for rays)."""
        out: dict[str, Fraction] = {}
        for v in lp.variables:
            bound = lp.lower_bound(v)
            out[v] = bound if (shift and bound is not None) else Fraction(0)
        for col, value in values.items():
            column = self.columns[col]
            if column.variable is not None and value:
                out[column.variable] += column.sign * value
        return out
