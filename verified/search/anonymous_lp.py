"""The search LP over anonymity orbits, built with numpy (same rows and names as
`formulation.build` on an `anonymous_space`, hundreds of times faster).

Cells are (own ranking r, multiset O of the others' rankings); every cell with an
acceptable object is free. Row blocks: ``row`` (per cell), ``col`` (per multiset
and object), ``dom`` (per cell and prefix) and ``sp`` (per cell, lie and prefix);
for ``dom`` and ``sp`` the structure depends only on (r, lie, k), so each such
template is laid out for all multisets O at once.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from fractions import Fraction

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.search.formulation import CellSpace, Formulation
from verified.search.sparse import SparseLP
from verified.search.symmetry import arrangements


def build_anonymous(
    space: CellSpace, domain: Domain, table: TabulatedMechanism, objective: str
) -> Formulation:
    """``objective``: "strict" or "total-gain" (see `formulation.build`)."""
    problem = domain.problem
    n, m = problem.n, problem.m
    prefs = domain.preferences[0]
    k_pref = len(prefs)
    lengths = np.array([len(r) for r in prefs], dtype=np.int64)
    others_list = list(itertools.combinations_with_replacement(range(k_pref), n - 1))
    n_o = len(others_list)
    # f at every cell, as integers over the table's denominator, in ranking order
    digits = np.array([[r, *o] for o in others_list for r in range(k_pref)], dtype=np.int64)
    weights = np.array([k_pref ** (n - 1 - a) for a in range(n)], dtype=np.int64)
    f_rows = table.numerators[digits @ weights, 0, :].reshape(n_o, k_pref, m + 1).astype(np.int64)
    pos_cols = [np.array([problem.object_index(x) for x in r], dtype=np.int64) for r in prefs]
    # variables: for o, for r with an acceptable object, one per position
    var_base = np.full((n_o, k_pref), -1, dtype=np.int64)
    per_o = int(lengths.sum())
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    for r in range(k_pref):
        if lengths[r]:
            var_base[:, r] = np.arange(n_o, dtype=np.int64) * per_o + offsets[r]
    num_vars = n_o * per_o
    cost = np.zeros(num_vars, dtype=np.int64)
    f_vec = np.zeros(num_vars, dtype=np.int64)
    for r in range(k_pref):
        for t in range(lengths[r]):
            cols = var_base[:, r] + t
            if objective == "strict":
                cost[cols] = lengths[r] - t
            else:
                cost[cols] = [n * arrangements(o) for o in others_list]
            f_vec[cols] = f_rows[:, r, pos_cols[r][t]]
    den = table.denominator
    base_value = Fraction(int(np.dot(cost.astype(object), f_vec.astype(object))), den)

    idx_blocks: list[np.ndarray] = []
    coef_blocks: list[np.ndarray] = []
    rhs_blocks: list[np.ndarray] = []
    meta: list[tuple[int, tuple]] = []  # (first row, block description)
    count = 0

    def add_block(idx: np.ndarray, coefs: np.ndarray, rhs: np.ndarray, desc: tuple) -> None:
        nonlocal count
        meta.append((count, desc))
        rows, width = idx.shape
        idx_blocks.append(idx)
        coef_blocks.append(np.broadcast_to(coefs, (rows, width)))
        rhs_blocks.append(rhs)
        count += rows

    ones = np.ones(n_o, dtype=np.int64)
    for r in range(k_pref):
        if lengths[r]:
            idx = var_base[:, r][:, None] + np.arange(lengths[r])
            add_block(idx, np.ones(lengths[r], dtype=np.int64), ones * den, ("row", r))
    for r in range(k_pref):
        prefix = np.cumsum(f_rows[:, r, :][:, pos_cols[r]], axis=1) if lengths[r] else None
        for k in range(1, lengths[r] + 1):
            idx = var_base[:, r][:, None] + np.arange(k)
            add_block(idx, -np.ones(k, dtype=np.int64), -prefix[:, k - 1], ("dom", r, k))
    for r in range(k_pref):
        for lie in range(k_pref):
            if lie == r:
                continue
            for k in range(1, lengths[r] + 1):
                kept = [prefs[lie].index(x) for x in prefs[r][:k] if x in prefs[lie]]
                idx = (
                    np.concatenate(
                        [
                            var_base[:, lie][:, None] + np.array(kept, dtype=np.int64),
                            var_base[:, r][:, None] + np.arange(k),
                        ],
                        axis=1,
                    )
                    if kept
                    else var_base[:, r][:, None] + np.arange(k)
                )
                coefs = np.array([1] * len(kept) + [-1] * k, dtype=np.int64)
                add_block(idx, coefs, np.zeros(n_o, dtype=np.int64), ("sp", r, lie, k))
    # columns: per multiset, one row per object (ragged, built in Python)
    o_index = {o: j for j, o in enumerate(others_list)}
    col_rows: list[tuple[list[int], list[int], int, tuple]] = []
    for ms in itertools.combinations_with_replacement(range(k_pref), n):
        counts = Counter(ms)
        for kx, x in enumerate(problem.objects):
            terms: dict[int, int] = {}
            for r, c in counts.items():
                if x in prefs[r]:
                    rest = list(ms)
                    rest.remove(r)
                    v = int(var_base[o_index[tuple(rest)], r]) + prefs[r].index(x)
                    terms[v] = terms.get(v, 0) + c
            if terms:
                items = sorted(terms.items())
                col_rows.append(
                    ([v for v, _ in items], [c for _, c in items], problem.capacities[kx] * den, (ms, x))
                )
    # pack
    row_len = np.concatenate(
        [np.full(b.shape[0], b.shape[1], dtype=np.int64) for b in idx_blocks]
        + [np.array([len(v) for v, _, _, _ in col_rows], dtype=np.int64)]
    )
    indptr = np.zeros(len(row_len) + 1, dtype=np.int64)
    np.cumsum(row_len, out=indptr[1:])
    indices = np.concatenate(
        [b.ravel() for b in idx_blocks]
        + [np.array([v for vs, _, _, _ in col_rows for v in vs], dtype=np.int64)]
    )
    coefs = np.concatenate(
        [b.ravel() for b in coef_blocks]
        + [np.array([c for _, cs, _, _ in col_rows for c in cs], dtype=np.int64)]
    )
    rhs = np.concatenate([*rhs_blocks, np.array([b for _, _, b, _ in col_rows], dtype=np.int64)])
    col_start = count
    starts = [s for s, _ in meta]

    def cell(r: int, o: int) -> tuple:
        return (r, others_list[o])

    def row_name(row: int) -> tuple:
        if row >= col_start:
            ms, x = col_rows[row - col_start][3]
            return ("col", ("multiset", ms), x)
        b = bisect.bisect_right(starts, row) - 1
        first, desc = meta[b]
        o = row - first
        if desc[0] == "row":
            return ("row", cell(desc[1], o))
        if desc[0] == "dom":
            return ("dom", cell(desc[1], o), desc[2])
        return ("sp", cell(desc[1], o), prefs[desc[2]], desc[3])

    var_of = {}
    free = []
    for o, others in enumerate(others_list):
        for r in range(k_pref):
            if lengths[r]:
                free.append((r, others))
                for t, x in enumerate(prefs[r]):
                    var_of[((r, others), x)] = int(var_base[o, r]) + t

    def var_name(v: int) -> tuple:
        o, rest = divmod(v, per_o)
        r = int(np.searchsorted(offsets, rest, side="right")) - 1
        while lengths[r] == 0 or rest - offsets[r] >= lengths[r]:
            r += 1
        return ("g", cell(r, o), prefs[r][rest - offsets[r]])

    lp = SparseLP(indptr, indices, coefs, rhs, den, cost, row_name, var_name)
    return Formulation(space, free, lp, var_of, objective, base_value)
