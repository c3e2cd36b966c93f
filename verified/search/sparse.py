"""The search LP in exact integer form: maximise c.x subject to A x <= b / d, x >= 0.

A (CSR) and c hold small integers in int64 arrays (coefficients are capacities,
counts and prefix lengths); the right-hand sides share one denominator d (the base
table's) and are int64 only when every numerator is below 2**62 (`INT64_BOUND`), else
Python ints in an object array, so no product ever wraps around. Every exact check is
integer arithmetic. Row and variable names are produced on demand
(hundreds of thousands of rows are never named unless a certificate cites them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from math import lcm

import numpy as np

#: Largest magnitude stored in an int64 array here; beyond it, Python ints (object arrays).
INT64_BOUND = 2**62


def int_array(values: Sequence[int]) -> np.ndarray:
    """``values`` as int64 when each is below `INT64_BOUND` in magnitude, else as Python ints."""
    ints = [int(v) for v in values]
    if all(-INT64_BOUND < v < INT64_BOUND for v in ints):
        return np.array(ints, dtype=np.int64)
    return np.array(ints, dtype=object)


@dataclass(eq=False)
class SparseLP:
    indptr: np.ndarray
    indices: np.ndarray
    coefs: np.ndarray
    rhs: np.ndarray  # numerators over rhs_den
    rhs_den: int
    objective: np.ndarray
    row_name: Callable[[int], tuple] = field(repr=False)
    var_name: Callable[[int], tuple] = field(repr=False)

    @property
    def num_rows(self) -> int:
        return len(self.indptr) - 1

    @property
    def num_vars(self) -> int:
        return len(self.objective)

    @cached_property
    def row_of(self) -> np.ndarray:
        return np.repeat(np.arange(self.num_rows, dtype=np.int64), np.diff(self.indptr))

    def rhs_floats(self) -> np.ndarray:
        """b / d as floats for HiGHS and for ordering only (exact Python division of the ints:
        no overflow however large the denominator)."""
        if self.rhs.dtype != object and self.rhs_den < 2**53:
            return self.rhs.astype(np.float64) / self.rhs_den  # float ok: proposal only
        return np.array([int(b) / self.rhs_den for b in self.rhs.tolist()], dtype=np.float64)  # float ok

    @cached_property
    def cover_row(self) -> np.ndarray:
        """For each variable, a row with coefficient +1 on it, non-negative coefficients and
        the smallest non-negative right-hand side (-1 if none): used to repair duals."""
        rows = self.row_of
        neg = np.zeros(self.num_rows, dtype=bool)
        np.logical_or.at(neg, rows, self.coefs < 0)
        ok = (~neg[rows]) & (self.coefs == 1) & (self.rhs[rows] >= 0)
        out = np.full(self.num_vars, -1, dtype=np.int64)
        order = np.argsort(-self.rhs_floats()[rows[ok]], kind="stable")  # float ok: only orders
        cand_v = self.indices[ok][order]
        cand_r = rows[ok][order]
        out[cand_v] = cand_r  # the last write (smallest rhs) wins
        return out


def from_rows(
    row_vars: list[list[int]],
    row_coefs: list[list[int]],
    rhs_fracs: list,
    objective: list[int],
    row_names: list[tuple],
    var_names: list[tuple],
) -> SparseLP:
    """Pack list-of-rows data (right-hand sides as Fractions) into a `SparseLP`."""
    den = 1
    for b in rhs_fracs:
        if b.denominator != 1:
            den = lcm(den, b.denominator)
    lengths = np.fromiter((len(r) for r in row_vars), dtype=np.int64, count=len(row_vars))
    indptr = np.zeros(len(row_vars) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.fromiter((v for r in row_vars for v in r), dtype=np.int64, count=int(indptr[-1]))
    coefs = np.fromiter((c for r in row_coefs for c in r), dtype=np.int64, count=int(indptr[-1]))
    rhs = int_array([int(b * den) for b in rhs_fracs])
    return SparseLP(
        indptr,
        indices,
        coefs,
        rhs,
        den,
        int_array(objective),
        row_names.__getitem__,
        var_names.__getitem__,
    )
