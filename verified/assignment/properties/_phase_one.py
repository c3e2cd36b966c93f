"""Many decomposition LPs at once: a batched, exact replica of phase 1 of `verified.lp.simplex`.

The decomposition LP of `_decomposition` (Erdil, section 2: gamma is a lottery over the
family F iff ``lambda >= 0, sum_D lambda_D [D(i) = c] = gamma_ic`` is feasible) has no
objective and only equality rows, so `verified.lp.simplex.solve_simplex` decides it in
phase 1: every row starts with its own artificial variable, the phase-1 objective is the
sum of the artificials, and the point it returns is read off the basis at the end of
phase 1 (driving out the artificials that remain, at value 0, pivots on rows whose
right-hand side is 0 and moves no value; phase 2 has a zero objective and never pivots).

This module runs that same phase 1 on a whole batch of such programs with numpy integer
arrays, so the whole-domain checks get *the same* lottery the one-profile check gets (the
certificates stay byte-identical) without building one `LinearProgram` per profile. What
is replicated, decision for decision (every decision compares exact values, so the row
scaling used here does not matter):

* row r is ``scale_r * (A_r lambda) + a_r = scale_r * b_r`` with ``scale_r`` the
  denominator of ``b_r`` (`_Tableau` scales each row by the lcm of its denominators and
  gives the artificial coefficient 1); the phase-1 objective row is minus the sum of rows;
* entering column: Dantzig's (most negative reduced cost, smallest index on ties) after an
  improving pivot, Bland's (smallest index with a negative reduced cost) after a
  degenerate one (the leaving row had right-hand side 0); artificial columns never enter;
* leaving row: minimum ratio ``rhs / t`` over rows with ``t > 0``, ties to the smallest
  basic column index (structural columns come before every artificial one, artificials
  in row order).

Padding keeps the decisions: a zero column never has a negative reduced cost, a zero row
(right-hand side 0) never has ``t > 0``. Integers stay below 2**31 before every pivot
(so every product fits in int64); a program that would leave that range, or that does not
end within the pivot limit, is reported as not decided and the caller solves it with
`verified.lp` itself. The caller must still check the returned point exactly.
"""

from __future__ import annotations

import numpy as np

#: Entries (and row denominators) stay below this before a pivot: products fit in int64.
SAFE = 1 << 31
#: Pivots after which a program is handed back undecided (Bland's rule terminates; this is a guard).
MAX_PIVOTS = 10_000

FEASIBLE, INFEASIBLE, UNDECIDED = 1, 0, -1


def phase_one(matrix: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Phase 1 on L programs ``matrix[l] @ x = rhs[l], x >= 0`` (``matrix`` (L, R, F) and
    ``rhs`` (L, R) non-negative int64, each row already multiplied by its scale).

    Returns ``status`` (L,) (`FEASIBLE`, `INFEASIBLE` or `UNDECIDED`), and for feasible
    programs the point as ``numerators`` (L, F) over ``denominators`` (L, F) (0 / 1 for
    non-basic columns)."""
    count, rows, cols = matrix.shape
    status = np.full(count, UNDECIDED, dtype=np.int8)
    num = np.zeros((count, cols), dtype=np.int64)
    den = np.ones((count, cols), dtype=np.int64)
    if count == 0:
        return status, num, den
    # Tableau: rows 0..R-1 constraints, row R the phase-1 objective; last column the rhs.
    tab = np.zeros((count, rows + 1, cols + 1), dtype=np.int64)
    tab[:, :rows, :cols] = matrix
    tab[:, :rows, cols] = rhs
    tab[:, rows, :] = -tab[:, :rows, :].sum(axis=1)
    rden = np.ones((count, rows + 1), dtype=np.int64)
    basis = np.broadcast_to(cols + np.arange(rows, dtype=np.int64), (count, rows)).copy()
    bland = np.zeros(count, dtype=bool)
    ids = np.arange(count)
    for _ in range(MAX_PIVOTS):
        if ids.size == 0:
            break
        obj = tab[:, rows, :cols]
        negative = obj < 0
        more = negative.any(axis=1)
        if not more.all():
            done = ~more
            _finish(ids[done], tab[done], rden[done], basis[done], rows, cols, status, num, den)
            keep = more
            ids, tab, rden, basis, bland = ids[keep], tab[keep], rden[keep], basis[keep], bland[keep]
            if ids.size == 0:
                break
            obj, negative = obj[keep], negative[keep]
        big = (np.abs(tab).max(axis=(1, 2)) >= SAFE) | (rden.max(axis=1) >= SAFE)
        if big.any():  # leave these to the exact solver
            keep = ~big
            ids, tab, rden, basis, bland = ids[keep], tab[keep], rden[keep], basis[keep], bland[keep]
            obj, negative = obj[keep], negative[keep]
            if ids.size == 0:
                break
        live = np.arange(ids.size)
        entering = np.where(bland, np.argmax(negative, axis=1), np.argmin(obj, axis=1))
        column = tab[live, :rows, entering]  # (L, R)
        right = tab[:, :rows, cols]
        candidate = column > 0
        stuck = ~candidate.any(axis=1)  # an unbounded phase 1 cannot happen: guard
        # Row i attains the minimum ratio iff rhs_i * t_k <= rhs_k * t_i for every candidate k.
        no_worse = right[:, :, None] * column[:, None, :] <= right[:, None, :] * column[:, :, None]
        minimal = candidate & (no_worse | ~candidate[:, None, :]).all(axis=2)
        leaving = np.argmin(np.where(minimal, basis, np.iinfo(np.int64).max), axis=1)
        if stuck.any():
            keep = ~stuck
            ids, tab, rden, basis, bland = ids[keep], tab[keep], rden[keep], basis[keep], bland[keep]
            entering, leaving, right = entering[keep], leaving[keep], right[keep]
            live = np.arange(ids.size)
            if ids.size == 0:
                break
        bland = right[live, leaving] == 0
        _pivot(tab, rden, live, leaving, entering)
        basis[live, leaving] = entering
    return status, num, den


def _pivot(tab: np.ndarray, rden: np.ndarray, live: np.ndarray, r: np.ndarray, s: np.ndarray) -> None:
    """Pivot every program ``l`` on row ``r[l]``, column ``s[l]`` (fraction-free, gcd-reduced)."""
    prow = tab[live, r, :]  # (L, C + 1)
    p = prow[live, s]
    sign = np.where(p < 0, -1, 1)
    prow = prow * sign[:, None]
    dp = np.abs(p)
    g = np.gcd(dp, np.gcd.reduce(prow, axis=1))
    prow //= g[:, None]
    dp //= g
    f = tab[live, :, s]  # (L, R + 1)
    f[live, r] = 0
    new = tab * dp[:, None, None] - f[:, :, None] * prow[:, None, :]
    nden = rden * dp[:, None]
    g = np.gcd(nden, np.gcd.reduce(new, axis=2))
    new //= g[:, :, None]
    nden //= g
    new[live, r, :] = prow
    nden[live, r] = dp
    tab[...] = new
    rden[...] = nden


def _finish(
    ids: np.ndarray,
    tab: np.ndarray,
    rden: np.ndarray,
    basis: np.ndarray,
    rows: int,
    cols: int,
    status: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
) -> None:
    """Phase 1 is over for these programs: infeasible iff the artificials' sum is > 0."""
    feasible = tab[:, rows, cols] == 0
    status[ids] = np.where(feasible, FEASIBLE, INFEASIBLE)
    k, r = np.nonzero((basis < cols) & feasible[:, None])
    num[ids[k], basis[k, r]] = tab[k, r, cols]
    den[ids[k], basis[k, r]] = rden[k, r]
