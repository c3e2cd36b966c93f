"""Re-checking ``ex-post-efficient`` and ``ex-post-stable`` in a statement (standard library only).

An unknown with either property is, at every profile, a lottery over deterministic
assignments (Erdil, sections 2 and 3): each agent gets one object she listed or her outside
option, within the capacities, and the assignment is Pareto efficient (no other one makes
every agent weakly better and one strictly) or stable for the unknown's priorities (no agent
prefers an object that has a free copy or is held by someone of strictly lower priority for
it). This module enumerates those assignments by its own code (at most `MAX_ASSIGNMENTS` per
profile, counted as the product over agents of listed objects plus one, as the prover does)
and tests them by the definitions above: efficiency by searching for an assignment that
makes every agent weakly better, stability by looking for a blocking pair.

* The rows ``lottery-weight`` (a member's weight >= 0; the member must be in the family),
  ``lottery-sum`` (the weights sum to 1) and ``lottery-share`` (a share is the sum of the
  weights of the members that give it) are re-derived here; a weight's key is
  ``("w", u, p, family, columns)``, a share's ``(u, p, i, k)``.
* A witness carries only the shares: `in_hull` decides, with an exact phase-one simplex
  (Bland's rule, so it ends), whether they are a lottery over the family.
"""

from __future__ import annotations

import json
from fractions import Fraction
from itertools import product

from verified.recheck.core import ensure, integer

MAX_ASSIGNMENTS = 4_096
STABLE = "ex-post-stable"
FAMILIES = {"ex-post-efficient": "efficient", STABLE: "stable"}
KINDS = ("lottery-weight", "lottery-sum", "lottery-share")


def stable_ranks(prop: str, n: int, m: int) -> list[list[int]]:
    """The tie classes ``[object][agent]`` of ``ex-post-stable[...]``: the canonical JSON (no
    spaces) of m lists of n classes, numbered 0, 1, ... without gaps."""
    where = f"subject: property {prop[:60]!r}"
    try:
        ranks = json.loads(prop[len(STABLE) :])
    except (ValueError, RecursionError):
        ranks = None
    ensure(isinstance(ranks, list) and len(ranks) == m, f"{where}: one priority order per object")
    for row in ranks:  # type: ignore[union-attr]
        ensure(isinstance(row, list) and len(row) == n, f"{where}: one tie class per agent")
        for c in row:
            integer(c, where, 0, n - 1)
        ensure(set(row) == set(range(max(row) + 1)), f"{where}: tie classes numbered without gaps")
    ensure(json.dumps(ranks, separators=(",", ":")) == prop[len(STABLE) :], f"{where}: not canonical")
    return ranks  # type: ignore[return-value]


def check_size(profiles: list[tuple[str, ...]]) -> None:
    for p, profile in enumerate(profiles):
        count = 1
        for ranking in profile:
            count *= len(ranking) + 1
            ensure(
                count <= MAX_ASSIGNMENTS, f"subject.profiles[{p}]: more than {MAX_ASSIGNMENTS:,} assignments"
            )


class Families:
    """The efficient and stable deterministic assignments at a statement's profiles (kept)."""

    def __init__(
        self,
        profiles: list[tuple[tuple[str, ...], ...]],
        objects: list[str],
        capacities: list[int],
        ranks: dict[str, list[list[int]]],
    ) -> None:
        self.profiles, self.objects, self.capacities, self.ranks = profiles, objects, capacities, ranks
        self.n, self.m = len(profiles[0]), len(objects)
        self._found: dict[tuple, frozenset] = {}

    def _options(self, p: int) -> list[list[int]]:
        return [[self.objects.index(x) for x in ranking] + [self.m] for ranking in self.profiles[p]]

    def _fits(self, cols: tuple[int, ...]) -> bool:
        return all(sum(1 for c in cols if c == k) <= self.capacities[k] for k in range(self.m))

    def _rank(self, p: int, i: int, c: int) -> int:
        """0 for agent i's top object, len(list) for her outside option."""
        ranking = self.profiles[p][i]
        return len(ranking) if c == self.m else ranking.index(self.objects[c])

    def efficient(self, p: int, cols: tuple[int, ...]) -> bool:
        """No other assignment in which every agent gets something she likes at least as much."""
        weakly_better = [
            [c for c in options if self._rank(p, i, c) <= self._rank(p, i, cols[i])]
            for i, options in enumerate(self._options(p))
        ]
        return not any(other != cols and self._fits(other) for other in product(*weakly_better))

    def stable(self, p: int, cols: tuple[int, ...], ranks: list[list[int]]) -> bool:
        """No agent prefers an object with a free copy or held by someone of lower priority."""
        for i, c in enumerate(cols):
            for x in self.profiles[p][i][: self._rank(p, i, c)]:
                k = self.objects.index(x)
                holders = [j for j, d in enumerate(cols) if d == k]
                if len(holders) < self.capacities[k] or any(ranks[k][i] < ranks[k][j] for j in holders):
                    return False
        return True

    def members(self, u: str, family: str, p: int) -> frozenset:
        key = (u, family, p)
        if key not in self._found:
            out = set()
            for cols in product(*self._options(p)):
                if not self._fits(cols):
                    continue
                good = (
                    self.efficient(p, cols) if family == "efficient" else self.stable(p, cols, self.ranks[u])
                )
                if good:
                    out.add(tuple(cols))
            self._found[key] = frozenset(out)
        return self._found[key]

    # ----- rows ------------------------------------------------------------------------------
    def row(self, kind: str, u: str, p: int, family: str, rest: list) -> tuple[dict, str, Fraction]:
        found = self.members(u, family, p)
        one = Fraction(1)
        if kind == "lottery-weight":
            ensure(len(rest) == 1 and isinstance(rest[0], list), "reason lottery-weight: an assignment")
            ensure(len(rest[0]) == self.n, "reason lottery-weight: one column per agent")
            cols = tuple(integer(c, "reason: column", 0, self.m) for c in rest[0])
            ensure(cols in found, f"reason lottery-weight: {list(cols)} is not {family} at profile {p}")
            return {("w", u, p, family, cols): one}, ">=", Fraction(0)
        if kind == "lottery-sum":
            ensure(not rest, "reason lottery-sum: 4 arguments expected")
            return {("w", u, p, family, cols): one for cols in found}, "==", one
        ensure(len(rest) == 2, "reason lottery-share: 6 arguments expected")
        i = integer(rest[0], "reason: agent", 0, self.n - 1)
        k = integer(rest[1], "reason: column", 0, self.m)
        coeffs: dict = {(u, p, i, k): one}
        for cols in found:
            if cols[i] == k:
                coeffs[("w", u, p, family, cols)] = -one
        return coeffs, "==", Fraction(0)


def in_hull(points: list[tuple[int, ...]], shares: list[list[Fraction]], m: int) -> bool:
    """Is the table ``shares[i][k]`` a lottery over the deterministic assignments ``points``
    (point t gives agent i column ``points[t][i]``)? Exact phase-one simplex: minimise the sum of
    artificial variables a >= 0 in ``sum_t w_t [points_t(i) = k] + a_ik = shares[i][k]`` and
    ``sum_t w_t + a = 1``, w >= 0; the table is a lottery iff the minimum is 0."""
    if any(v < 0 for row in shares for v in row):
        return False
    # a point outside the support would need a negative weight elsewhere: leave it out
    points = [t for t in points if all(shares[i][c] > 0 for i, c in enumerate(t))]
    cells = [(i, k) for i, row in enumerate(shares) for k in range(m + 1) if row[k] > 0]
    rows = [[Fraction(int(t[i] == k)) for t in points] + [shares[i][k]] for i, k in cells]
    rows.append([Fraction(1)] * len(points) + [Fraction(1)])
    width = len(points)
    # tableau: the artificial variables are the initial basis (their columns are not kept)
    basis = [width + r for r in range(len(rows))]
    cost = [-sum((row[j] for row in rows), Fraction(0)) for j in range(width + 1)]
    while True:
        entering = next((j for j in range(width) if cost[j] < 0), None)
        if entering is None:
            return cost[width] == 0
        best = None
        for r, row in enumerate(rows):
            if row[entering] > 0:
                ratio = row[width] / row[entering]
                if best is None or (ratio, basis[r]) < (best[0], basis[best[1]]):
                    best = (ratio, r)
        if best is None:  # unbounded below: impossible for a phase-one problem bounded by 0
            return False
        r = best[1]
        pivot = rows[r][entering]
        rows[r] = [v / pivot for v in rows[r]]
        for other in range(len(rows)):
            if other != r and rows[other][entering] != 0:
                factor = rows[other][entering]
                rows[other] = [v - factor * w for v, w in zip(rows[other], rows[r], strict=True)]
        factor = cost[entering]
        cost = [v - factor * w for v, w in zip(cost, rows[r], strict=True)]
        basis[r] = entering
