"""A cheap, exact, sufficient test of SD-efficiency, vectorised over the profiles of a table.

gamma is SD- (ordinally) efficient when no stochastic assignment dominates it (Erdil,
section 2; Bogomolnaia and Moulin 2001). `efficiency.check_sd_efficient_assignment` decides
it by an exact LP per profile; this module proves it without an LP at the profiles where

(a) gamma is individually rational,
(b) gamma is non-wasteful (no agent i with gamma_iy > 0, y an object or the outside option,
    prefers an object z whose column sum is below q_z), and
(c) the relation on objects "x tau y iff some agent i prefers x to y and gamma_iy > 0"
    (Bogomolnaia-Moulin's) has no cycle.

Proof that (a)-(c) exclude every omega != gamma that weakly dominates gamma (so the LP of the
one-profile check has gamma's own value as optimum and that check HOLDS). Rows of omega sum
to 1 and the last prefix (all acceptable objects and the outside option) of gamma already has
1, so omega is individually rational too. Take an agent i with omega_i != gamma_i and her
best object x_1 where the two differ: weak dominance makes omega_ix1 > gamma_ix1 and leaves
gamma_i some mass below x_1, at some y with x_1 P_i y. By (b) x_1 is full in gamma, so some
agent j has omega_jx1 < gamma_jx1 (so gamma_jx1 > 0); weak dominance on j's prefix ending at
x_1 gives an object x_2 P_j x_1 with omega_jx2 > gamma_jx2, and x_2 tau x_1. Again x_2 is
full by (b) (j gets x_1 and prefers x_2), some agent loses x_2, and so on: x_1, x_2, ... is
an infinite walk backwards along tau on finitely many objects, a cycle, against (c).
(Conversely an efficient gamma satisfies (c): Bogomolnaia-Moulin 2001, Lemma 3; the
one-profile check asserts it.)

The whole-domain check uses the test only to skip, when it looks for the first profile that
does not hold, profiles that certainly hold; HOLDS evidence is still the one-profile check's.
"""

from __future__ import annotations

import numpy as np

from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.properties._admissible import RankingTables
from verified.assignment.properties._whole_domain import CHUNK, fits, profile_types


def surely_sd_efficient(
    table: TabulatedMechanism, start: int, stop: int, tables: RankingTables
) -> np.ndarray:
    """(stop - start,) bool: (a), (b) and (c) of the module docstring hold at the profile."""
    p = table.problem
    nums = np.asarray(table.numerators[start:stop], dtype=np.int64)
    types = profile_types(table.domain, start, stop)
    count = stop - start
    columns = nums[:, :, : p.m].sum(axis=1)  # (L, m)
    open_ = np.zeros(count, dtype=np.int64)  # objects with a free copy, as a bitmask
    for k in range(p.m):
        open_ |= np.where(columns[:, k] < p.capacities[k] * table.denominator, 1 << k, 0)
    ok = np.ones(count, dtype=bool)
    above = np.zeros((p.m, count), dtype=np.int64)  # above[y]: objects x with x tau y
    for i in range(p.n):
        t = types[i]
        for c in range(p.m + 1):
            positive = nums[:, i, c] > 0
            better = tables.better[i][t, c]
            ok &= ~positive | tables.acceptable[i][t, c]
            ok &= ~positive | ((better & open_) == 0)
            if c < p.m:
                above[c] |= np.where(positive, better, 0)
    return ok & ~_cycle(above, p.m)


def _cycle(above: np.ndarray, m: int) -> np.ndarray:
    """Per profile: does "x -> y when bit x of above[y]" have a cycle? Warshall's closure."""
    reach = np.zeros((m, m, above.shape[1]), dtype=bool)
    for x in range(m):
        for y in range(m):
            reach[x, y] = (above[y] >> x) & 1 == 1
    for k in range(m):
        reach |= reach[:, k : k + 1, :] & reach[k : k + 1, :, :]
    return reach[np.arange(m), np.arange(m)].any(axis=0)


def sd_scan(table: TabulatedMechanism) -> np.ndarray:
    """`surely_sd_efficient` at every profile of the table's domain."""
    total = len(table.domain)
    if not fits(table):
        return np.zeros(total, dtype=bool)
    tables = RankingTables(table.domain)
    return np.concatenate(
        [surely_sd_efficient(table, s, min(total, s + CHUNK), tables) for s in range(0, total, CHUNK)]
        or [np.zeros(0, dtype=bool)]
    )
