"""Deterministic assignments, lotteries over them, and the exact generalized
Birkhoff-von Neumann decomposition (Erdil, section 2; Kojima and Manea 2010).

A `DeterministicAssignment` gives each agent one object or her outside option
(``None``) without exceeding any capacity. A `Lottery` is a finite list of
deterministic assignments with positive rational weights that sum to exactly
1; `Lottery.expected` is the stochastic assignment it induces.

`decompose` goes the other way: every stochastic assignment is a lottery over
deterministic ones. Construction (exact, in Fractions): split each object's
column over its q_x seats by filling seats in agent order, give agent i a
private outside seat, and embed the agents x seats matrix A (rows sum to 1,
seat columns to at most 1) into the doubly stochastic block matrix
``[[A, 0], [I - diag(colsums A), A^T]]``. Birkhoff's algorithm then peels off
permutation matrices (a perfect matching on the support always exists, by
Hall's theorem) with the smallest matched entry as weight; each permutation
restricted to the agent rows is a deterministic assignment. The result is
checked to sum back exactly before it is returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verified.assignment.model import OUTSIDE, Problem
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput, VerifiedError
from verified.numbers import fraction_text, to_fraction


@dataclass(frozen=True, slots=True)
class DeterministicAssignment:
    """``assigned[i]`` is agent i's object name, or None for her outside option."""

    problem: Problem
    assigned: tuple[str | None, ...]

    def __post_init__(self) -> None:
        p = self.problem
        if len(self.assigned) != p.n:
            raise InvalidInput(f"{len(self.assigned)} entries for {p.n} agents", "deterministic assignment")
        counts = [0] * p.m
        for i, x in enumerate(self.assigned):
            if x is None:
                continue
            if x not in p.objects:
                raise InvalidInput(
                    f"unknown object {x!r}", f"deterministic assignment, agent {p.agents[i]!r}"
                )
            counts[p.objects.index(x)] += 1
        for k, x in enumerate(p.objects):
            if counts[k] > p.capacities[k]:
                raise InvalidInput(
                    f"{counts[k]} agents get {x!r}, more than its capacity {p.capacities[k]}",
                    "deterministic assignment",
                )

    def column(self, agent: int) -> int:
        """Column index (objects, then outside) of agent ``agent``'s assignment."""
        x = self.assigned[agent]
        return self.problem.m if x is None else self.problem.objects.index(x)

    def to_stochastic(self) -> StochasticAssignment:
        return StochasticAssignment.deterministic(self.problem, self.assigned)

    def to_json(self) -> dict[str, str]:
        """``{agent: object or "outside"}``."""
        return {
            a: OUTSIDE if x is None else x for a, x in zip(self.problem.agents, self.assigned, strict=True)
        }

    @classmethod
    def from_columns(cls, problem: Problem, columns: Sequence[int]) -> DeterministicAssignment:
        return cls(problem, tuple(None if k == problem.m else problem.objects[k] for k in columns))


Outcome = DeterministicAssignment | Sequence[str | None]


@dataclass(frozen=True)
class Lottery:
    """Deterministic assignments with positive rational weights summing to exactly 1."""

    problem: Problem
    outcomes: tuple[tuple[Fraction, DeterministicAssignment], ...]

    def __post_init__(self) -> None:
        if not self.outcomes:
            raise InvalidInput("a lottery needs at least one outcome", "lottery")
        total = Fraction(0)
        for k, (weight, outcome) in enumerate(self.outcomes):
            if not isinstance(weight, Fraction) or weight <= 0:
                raise InvalidInput(f"weight {weight!r} is not a positive Fraction", f"lottery[{k}]")
            if not isinstance(outcome, DeterministicAssignment) or outcome.problem != self.problem:
                raise InvalidInput("not a deterministic assignment of this problem", f"lottery[{k}]")
            total += weight
        if total != 1:
            raise InvalidInput(f"weights sum to {fraction_text(total)}, not 1", "lottery")

    @classmethod
    def make(
        cls,
        problem: Problem,
        outcomes: Sequence[tuple[object, DeterministicAssignment | Sequence[str | None]]],
    ) -> Lottery:
        """Weights through `to_fraction`; repeated outcomes are merged (first-seen order)."""
        merged: dict[tuple[str | None, ...], Fraction] = {}
        for k, (weight, outcome) in enumerate(outcomes):
            det = (
                outcome
                if isinstance(outcome, DeterministicAssignment)
                else DeterministicAssignment(problem, tuple(outcome))
            )
            if det.problem != problem:
                raise InvalidInput("deterministic assignment of another problem", f"lottery[{k}]")
            merged[det.assigned] = merged.get(det.assigned, Fraction(0)) + to_fraction(
                weight, f"lottery[{k}] weight"
            )
        return cls(problem, tuple((w, DeterministicAssignment(problem, a)) for a, w in merged.items()))

    def expected(self) -> StochasticAssignment:
        """The stochastic assignment: sum of weight x outcome."""
        p = self.problem
        matrix = [[Fraction(0)] * (p.m + 1) for _ in p.agents]
        for weight, outcome in self.outcomes:
            for i in range(p.n):
                matrix[i][outcome.column(i)] += weight
        return StochasticAssignment(p, tuple(tuple(row) for row in matrix))

    def to_json(self) -> list[dict[str, object]]:
        """``[{"weight": "n/d", "assignment": {agent: object or "outside"}}, ...]``."""
        return [{"weight": fraction_text(w), "assignment": d.to_json()} for w, d in self.outcomes]

    def __repr__(self) -> str:
        """``Lottery.make(Problem.make(...), [("1/2", ("a", None)), ...])`` (`verified.display`)."""
        from verified.display import lottery_repr

        return lottery_repr(self)

    def _repr_html_(self) -> str:
        from verified.display import lottery_html

        return lottery_html(self)

    def _repr_markdown_(self) -> str:
        from verified.display import lottery_markdown

        return lottery_markdown(self)

    def to_pandas(self) -> Any:
        """One row per outcome and agent (`verified.frames.lottery_frame`; ``weight`` is exact)."""
        from verified.frames import lottery_frame

        return lottery_frame(self)


def _seat_matrix(gamma: StochasticAssignment) -> tuple[list[list[Fraction]], list[int]]:
    """Agents x seats matrix (object seats, then one outside seat per agent) and each seat's column."""
    p = gamma.problem
    seat_column: list[int] = []
    rows = [[] for _ in p.agents]  # type: list[list[Fraction]]
    for k in range(p.m):
        seats = [[Fraction(0)] * p.capacities[k] for _ in p.agents]
        seat, room = 0, Fraction(1)
        for i in range(p.n):
            share = gamma.matrix[i][k]
            while share > 0:
                take = min(share, room)
                seats[i][seat] += take
                share -= take
                room -= take
                if room == 0 and (share > 0 or seat + 1 < p.capacities[k]):
                    seat, room = seat + 1, Fraction(1)
        for i in range(p.n):
            rows[i].extend(seats[i])
        seat_column.extend([k] * p.capacities[k])
    for i in range(p.n):
        rows[i].extend(gamma.matrix[i][p.m] if j == i else Fraction(0) for j in range(p.n))
    seat_column.extend([p.m] * p.n)
    return rows, seat_column


def _perfect_matching(support: list[list[int]]) -> list[int]:
    """Row -> column perfect matching on a bipartite support graph (Kuhn's algorithm, deterministic)."""
    size = len(support)
    match_col = [-1] * size

    def augment(row: int, seen: list[bool]) -> bool:
        for col in support[row]:
            if not seen[col]:
                seen[col] = True
                if match_col[col] < 0 or augment(match_col[col], seen):
                    match_col[col] = row
                    return True
        return False

    for row in range(size):
        if not augment(row, [False] * size):
            raise VerifiedError("internal error: no perfect matching on a doubly stochastic support")
    match_row = [-1] * size
    for col, row in enumerate(match_col):
        match_row[row] = col
    return match_row


def decompose(gamma: StochasticAssignment) -> Lottery:
    """An exact lottery over deterministic assignments whose expectation is ``gamma``
    (generalized Birkhoff-von Neumann; see the module docstring)."""
    p = gamma.problem
    a, seat_column = _seat_matrix(gamma)
    seats = len(seat_column)
    size = p.n + seats
    colsum = [sum((a[i][s] for i in range(p.n)), Fraction(0)) for s in range(seats)]
    big = [[Fraction(0)] * size for _ in range(size)]
    for i in range(p.n):
        for s in range(seats):
            big[i][s] = a[i][s]
    for s in range(seats):
        big[p.n + s][s] = 1 - colsum[s]
        for i in range(p.n):
            big[p.n + s][seats + i] = a[i][s]
    outcomes: list[tuple[Fraction, DeterministicAssignment]] = []
    remaining = Fraction(1)
    while remaining > 0:
        support = [[c for c in range(size) if big[r][c] > 0] for r in range(size)]
        match = _perfect_matching(support)
        weight = min(big[r][match[r]] for r in range(size))
        for r in range(size):
            big[r][match[r]] -= weight
        remaining -= weight
        columns = [seat_column[match[i]] for i in range(p.n)]
        outcomes.append((weight, DeterministicAssignment.from_columns(p, columns)))
    lottery = Lottery.make(p, outcomes)
    if lottery.expected() != gamma:  # pragma: no cover - a bug guard, the construction is exact
        raise VerifiedError("internal error: the decomposition does not sum back to the assignment")
    return lottery
