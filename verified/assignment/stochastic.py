"""Stochastic (probabilistic) assignments (Erdil, section 2).

gamma gives each agent i a lottery over X_i = X ∪ {i}: entries in [0, 1],
(a) each row sums to 1 over the objects and the outside option, (b) each
column x sums to at most q_x. Deterministic when every entry is 0 or 1.
Size ``|gamma|`` = sum over agents and objects (not the outside option).
Entries are exact `Fraction` numbers; construction validates and names the bad place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verified.assignment.model import OUTSIDE, Preference, Problem
from verified.errors import InvalidInput
from verified.numbers import fraction_text, to_fraction

Row = tuple[Fraction, ...]


@dataclass(frozen=True, slots=True)
class StochasticAssignment:
    """``matrix[i]`` is agent i's row over `Problem.columns` (objects, then outside)."""

    problem: Problem
    matrix: tuple[Row, ...]

    def __post_init__(self) -> None:
        p = self.problem
        if len(self.matrix) != p.n:
            raise InvalidInput(f"{len(self.matrix)} rows for {p.n} agents", "assignment")
        for i, row in enumerate(self.matrix):
            where = f"assignment row of agent {p.agents[i]!r}"
            if len(row) != p.m + 1:
                raise InvalidInput(f"{len(row)} entries, expected {p.m + 1} (objects + outside)", where)
            for x, v in zip(p.columns, row, strict=True):
                if not isinstance(v, Fraction):
                    raise InvalidInput(f"entry {v!r} is not a Fraction (use from_rows)", f"{where}[{x!r}]")
                if v < 0 or v > 1:
                    raise InvalidInput(f"probability {fraction_text(v)} is outside [0, 1]", f"{where}[{x!r}]")
            total = sum(row, Fraction(0))
            if total != 1:
                raise InvalidInput(f"row sums to {fraction_text(total)}, not 1", where)
        for k, x in enumerate(p.objects):
            col = sum((row[k] for row in self.matrix), Fraction(0))
            if col > p.capacities[k]:
                raise InvalidInput(
                    f"column sums to {fraction_text(col)}, more than the capacity {p.capacities[k]}",
                    f"assignment column {x!r}",
                )

    @classmethod
    def from_numerators(cls, problem: Problem, rows: Any, denominator: int) -> StochasticAssignment:
        """The assignment whose entry (i, k) is ``rows[i][k] / denominator`` (``rows``: one
        profile's numerators in a table, any integer array or nested sequence)."""
        matrix = tuple(tuple(Fraction(int(v), denominator) for v in row) for row in rows)
        return cls(problem, matrix)

    @classmethod
    def from_rows(
        cls,
        problem: Problem,
        rows: Sequence[Mapping[str, object] | Sequence[object]],
        *,
        fill_outside: bool = False,
        allow_float: bool = False,
    ) -> StochasticAssignment:
        """Build from one row per agent: a mapping ``{object: probability}`` or
        a sequence over `Problem.columns`. With ``fill_outside=True`` a mapping
        without an ``"outside"`` entry gets 1 minus the rest there (never
        negative); otherwise every row must sum to exactly 1."""
        rows = list(rows)
        if len(rows) != problem.n:
            raise InvalidInput(f"{len(rows)} rows for {problem.n} agents", "assignment")
        matrix: list[Row] = []
        for i, row in enumerate(rows):
            where = f"assignment row of agent {problem.agents[i]!r}"
            if isinstance(row, Mapping):
                values = [Fraction(0)] * (problem.m + 1)
                for key, v in row.items():
                    name = str(key)
                    if name == OUTSIDE:
                        k = problem.m
                    elif name in problem.objects:
                        k = problem.objects.index(name)
                    else:
                        raise InvalidInput(f"unknown object {name!r}", where)
                    values[k] = to_fraction(v, f"{where}[{name!r}]", allow_float=allow_float)
                if fill_outside and OUTSIDE not in {str(k) for k in row}:
                    rest = 1 - sum(values[:-1], Fraction(0))
                    if rest < 0:
                        raise InvalidInput(f"objects sum to {fraction_text(1 - rest)} > 1", where)
                    values[-1] = rest
                matrix.append(tuple(values))
            else:
                entries = list(row)
                if len(entries) != problem.m + 1:
                    raise InvalidInput(f"{len(entries)} entries, expected {problem.m + 1}", where)
                matrix.append(
                    tuple(
                        to_fraction(v, f"{where}[{x!r}]", allow_float=allow_float)
                        for x, v in zip(problem.columns, entries, strict=True)
                    )
                )
        return cls(problem, tuple(matrix))

    @classmethod
    def deterministic(cls, problem: Problem, assigned: Sequence[str | None]) -> StochasticAssignment:
        """Agent i gets ``assigned[i]`` (an object name, or None for the outside option)."""
        rows = []
        for x in assigned:
            rows.append({OUTSIDE if x is None else x: 1})
        return cls.from_rows(problem, rows)

    def row(self, agent: int | str) -> Row:
        return self.matrix[self.problem.agent_index(agent)]

    def prob(self, agent: int | str, column: str) -> Fraction:
        k = self.problem.m if column == OUTSIDE else self.problem.object_index(column)
        return self.row(agent)[k]

    def column_sum(self, obj: str) -> Fraction:
        k = self.problem.object_index(obj)
        return sum((row[k] for row in self.matrix), Fraction(0))

    def size(self) -> Fraction:
        """``|gamma|``: total probability of objects assigned (Erdil, section 2)."""
        return sum((sum(row[:-1], Fraction(0)) for row in self.matrix), Fraction(0))

    def is_deterministic(self) -> bool:
        return all(v in (0, 1) for row in self.matrix for v in row)

    def ordered_row(self, agent: int, pref: Preference) -> tuple[Fraction, ...]:
        """Agent's probabilities of her acceptable objects in ``pref`` order."""
        row = self.matrix[agent]
        return tuple(row[self.problem.object_index(x)] for x in pref)

    def to_json(self) -> dict[str, dict[str, str]]:
        """``{agent: {column: "n/d"}}`` with zero entries left out."""
        return {
            a: {x: fraction_text(v) for x, v in zip(self.problem.columns, row, strict=True) if v}
            for a, row in zip(self.problem.agents, self.matrix, strict=True)
        }

    def __str__(self) -> str:
        cols = self.problem.columns
        width = max(6, *(len(c) for c in cols))
        head = "agent".ljust(8) + "".join(c.rjust(width + 1) for c in cols)
        lines = [head]
        for a, row in zip(self.problem.agents, self.matrix, strict=True):
            cells = "".join((fraction_text(v) if v else ".").rjust(width + 1) for v in row)
            lines.append(a.ljust(8) + cells)
        return "\n".join(lines)

    def __repr__(self) -> str:
        """``StochasticAssignment.from_rows(Problem.make(...), [["1/2", ...], ...])`` (`verified.display`)."""
        from verified.display import assignment_repr

        return assignment_repr(self)

    def _repr_html_(self) -> str:
        from verified.display import assignment_html

        return assignment_html(self)

    def _repr_markdown_(self) -> str:
        from verified.display import assignment_markdown

        return assignment_markdown(self)

    def to_pandas(self) -> Any:
        """One row per agent and column (`verified.frames.assignment_frame`; ``share`` is exact)."""
        from verified.frames import assignment_frame

        return assignment_frame(self)

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """A heat map of the shares with exact labels (`verified.assignment.plot.plot_assignment`)."""
        from verified.assignment.plot import plot_assignment

        return plot_assignment(self, ax=ax, **options)
