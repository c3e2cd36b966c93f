"""Exact sparse Gaussian elimination over the rationals.

Used to re-solve a basis proposed by a floating-point solver: the basis
matrix of a large structured LP is mostly triangular, so pivoting on the
shortest remaining row (and, in it, on the column occurring in the fewest
rows; a Markowitz-style heuristic) keeps the fill-in small.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Sequence
from fractions import Fraction


class SingularSystem(ArithmeticError):
    """The square system has no unique solution."""


class SolveTimeout(TimeoutError):
    """The deadline passed during the elimination."""


def solve_square(
    rows: Sequence[dict[int, Fraction]],
    rhs: Sequence[Fraction],
    size: int,
    deadline: float | None = None,
) -> list[Fraction]:
    """Solve ``M z = rhs`` exactly; ``rows[i]`` maps unknown index -> ``M[i][index]``.

    Raises `SingularSystem` if ``M`` (``size`` x ``size``) is singular and
    `SolveTimeout` after ``deadline`` (a `time.monotonic` instant).
    """
    if len(rows) != size or len(rhs) != size:
        raise SingularSystem(f"{len(rows)} equations for {size} unknowns")
    work = [{c: Fraction(a) for c, a in row.items() if a} for row in rows]
    right = [Fraction(b) for b in rhs]
    occurs: list[set[int]] = [set() for _ in range(size)]
    for i, row in enumerate(work):
        for c in row:
            occurs[c].add(i)
    heap = [(len(row), i) for i, row in enumerate(work)]
    heapq.heapify(heap)
    done = [False] * size
    order: list[tuple[int, int]] = []
    steps = 0
    while heap:
        length, i = heapq.heappop(heap)
        row = work[i]
        if done[i] or length != len(row):
            continue
        if not row:
            raise SingularSystem("a row became zero during elimination")
        steps += 1
        if deadline is not None and steps % 64 == 0 and time.monotonic() > deadline:
            raise SolveTimeout
        pivot_col = min(row, key=lambda c: (len(occurs[c]), c))
        pivot = row[pivot_col]
        done[i] = True
        for c in row:
            occurs[c].discard(i)
        for k in sorted(occurs[pivot_col]):
            other = work[k]
            factor = other[pivot_col] / pivot
            for c, a in row.items():
                value = other.get(c, 0) - factor * a
                if value:
                    if c not in other:
                        occurs[c].add(k)
                    other[c] = value
                elif c in other:
                    del other[c]
                    occurs[c].discard(k)
            right[k] -= factor * right[i]
            heapq.heappush(heap, (len(other), k))
        order.append((i, pivot_col))
    if len(order) != size:
        raise SingularSystem("fewer pivots than unknowns")
    solution: list[Fraction] = [Fraction(0)] * size
    for i, c in reversed(order):
        row = work[i]
        total = right[i]
        for c2, a in row.items():
            if c2 != c:
                total -= a * solution[c2]
        solution[c] = total / row[c]
    return solution
