"""Which deterministic assignments are Pareto efficient (Erdil, section 2) or stable (Erdil,
section 3) at each profile: vectorised over profiles, from per-ranking tables.

For agent i with ranking R_i and column c (an object or the outside option), let
``better(R_i, c)`` be the set of acceptable objects i ranks strictly above c (all acceptable
objects when c is the outside option) and ``acceptable(R_i, c)`` whether c is acceptable or
the outside option. Both depend on one ranking only, so they are tabulated once per ranking.
Then, for a deterministic assignment D with loads ``load_x``:

* D is Pareto efficient at R iff every D(i) is acceptable, no ``better(R_i, D(i))`` holds an
  object with a free copy, and the graph "i -> j when D(j) is an object in
  ``better(R_i, D(i))``" has no cycle (`efficiency.pareto_improvement` gives the proof and
  the same three tests, in the same order);
* D is stable at R for priorities % iff every D(i) is acceptable and no
  ``better(R_i, D(i))`` holds an object x that is wasted (``load_x < q_x``) or held by
  someone of strictly lower priority for x than i (`priorities.blocking_pairs`). The set of
  such objects depends on D and the priorities only.
"""

from __future__ import annotations

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities


class RankingTables:
    """``acceptable[i]`` (k_i, m + 1) bool and ``better[i]`` (k_i, m + 1) object bitmasks (bit k
    for object k) over agent i's rankings in domain order."""

    def __init__(self, domain: Domain) -> None:
        p = domain.problem
        self.problem = p
        self.acceptable: list[np.ndarray] = []
        self.better: list[np.ndarray] = []
        for prefs in domain.preferences:
            ok = np.zeros((len(prefs), p.m + 1), dtype=bool)
            better = np.zeros((len(prefs), p.m + 1), dtype=np.int64)
            for t, pref in enumerate(prefs):
                above = 0
                for x in pref:
                    k = p.object_index(x)
                    ok[t, k] = True
                    better[t, k] = above
                    above |= 1 << k
                ok[t, p.m] = True
                better[t, p.m] = above
            self.acceptable.append(ok)
            self.better.append(better)

    def at(self, types: np.ndarray, agent: int, column: int) -> tuple[np.ndarray, np.ndarray]:
        """(acceptable, better) of ``agent``'s column ``column`` at each profile of ``types``."""
        t = types[agent]
        return self.acceptable[agent][t, column], self.better[agent][t, column]


def _loads(problem: Problem, cols: np.ndarray) -> list[int]:
    load = [0] * problem.m
    for c in cols.tolist():
        if c < problem.m:
            load[c] += 1
    return load


def efficient(domain: Domain):  # noqa: ANN201 - an `_whole_domain.Admissible`
    """The Pareto efficiency test of every deterministic assignment at every profile."""
    tables = RankingTables(domain)
    p = domain.problem

    def test(types: np.ndarray, assignments: np.ndarray) -> np.ndarray:
        out = np.zeros((types.shape[1], len(assignments)), dtype=bool)
        for d, cols in enumerate(assignments):
            load = _loads(p, cols)
            free = sum(1 << k for k in range(p.m) if load[k] < p.capacities[k])
            ok = np.ones(types.shape[1], dtype=bool)
            better = []
            for i in range(p.n):
                acceptable, above = tables.at(types, i, int(cols[i]))
                ok &= acceptable & ((above & free) == 0)
                better.append(above)
            holders = [j for j in range(p.n) if cols[j] < p.m]
            if len(holders) > 1:
                ok &= ~_has_cycle(holders, better, cols, ok)
            out[:, d] = ok
        return out

    return test


def _has_cycle(
    holders: list[int], better: list[np.ndarray], cols: np.ndarray, where: np.ndarray
) -> np.ndarray:
    """Per profile: does "i -> j when i ranks D(j) above D(i)" have a cycle among ``holders``
    (only they can be pointed at, so only they lie on cycles)? Warshall's closure."""
    k = len(holders)
    reach = np.zeros((k, k, where.size), dtype=bool)
    for a, i in enumerate(holders):
        for b, j in enumerate(holders):
            if a != b:
                reach[a, b] = (better[i] >> int(cols[j])) & 1 == 1
    for c in range(k):
        reach |= reach[:, c : c + 1, :] & reach[c : c + 1, :, :]
    return reach[np.arange(k), np.arange(k)].any(axis=0)


def stable(domain: Domain, priorities: Priorities):  # noqa: ANN201 - an `_whole_domain.Admissible`
    """The stability test (for ``priorities``) of every deterministic assignment at every profile."""
    tables = RankingTables(domain)
    p = domain.problem
    ranks = priorities.rank_table()

    def test(types: np.ndarray, assignments: np.ndarray) -> np.ndarray:
        out = np.zeros((types.shape[1], len(assignments)), dtype=bool)
        for d, cols in enumerate(assignments):
            load = _loads(p, cols)
            held = cols.tolist()
            ok = np.ones(types.shape[1], dtype=bool)
            for i in range(p.n):
                blocking = 0
                for k in range(p.m):
                    wasted = load[k] < p.capacities[k]
                    if wasted or any(held[j] == k and ranks[k][i] < ranks[k][j] for j in range(p.n)):
                        blocking |= 1 << k
                acceptable, above = tables.at(types, i, held[i])
                ok &= acceptable & ((above & blocking) == 0)
            out[:, d] = ok
        return out

    return test
