"""The search LP in exact integer form: maximise c.x subject to A x <= b / d, x >= 0.

A (CSR) and c hold Python-sized integers in int64 arrays (small coefficients);
the right-hand sides share one denominator d (the base table's), so every exact
check is integer arithmetic. Row and variable names are produced on demand
(hundreds of thousands of rows are never named unless a certificate cites them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from math import lcm

import numpy as np


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

    @cached_property
    def cover_row(self) -> np.ndarray:
        """For each variable, a row with coefficient +1 on it, non-negative coefficients and
        the smallest non-negative right-hand side (-1 if none): used to repair duals."""
        rows = self.row_of
        neg = np.zeros(self.num_rows, dtype=bool)
        np.logical_or.at(neg, rows, self.coefs < 0)
        ok = (~neg[rows]) & (self.coefs == 1) & (self.rhs[rows] >= 0)
        out = np.full(self.num_vars, -1, dtype=np.int64)
        order = np.argsort(-self.rhs[rows[ok]].astype(np.float64), kind="stable")  # float ok: only orders
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
    rhs = np.array([int(b * den) for b in rhs_fracs], dtype=np.int64)
    return SparseLP(
        indptr,
        indices,
        coefs,
        rhs,
        den,
        np.array(objective, dtype=np.int64),
        row_names.__getitem__,
        var_names.__getitem__,
    )
