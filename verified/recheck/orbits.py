"""Anonymous mechanisms on orbits (stdlib only): subject kind ``orbit_table``.

``numerators[t][M][c] / denominator`` is the probability of column c (objects, then
outside) for an agent who reports ``rankings[t]`` while the others' reports form the
multiset number M: the sorted positions a_0 <= ... <= a_{n-2} numbered by the colex rank
sum_j C(a_j + j, j + 1). The checker re-derives the numbering, re-validates every row,
checks feasibility at every multiset profile (columns summed with multiplicity within
capacity), and re-checks SD-strategy-proofness: row (t, M) against every row (r, M).
Anonymity is what makes the orbit table the whole mechanism; the subject records how
it is known (e.g. "by construction (type DP)").
"""

from __future__ import annotations

import hashlib
import itertools
from math import comb

from verified.recheck.core import ensure, fail, field, rational, sha256


def colex_rank(sorted_positions: tuple[int, ...]) -> int:
    return sum(comb(a + j, j + 1) for j, a in enumerate(sorted_positions))


class Orbits:
    def __init__(self, encoding: dict) -> None:
        problem = field(encoding, "problem", "subject")
        self.agents, self.objects = list(problem["agents"]), list(problem["objects"])
        self.capacities = list(problem["capacities"])
        self.n, self.m = len(self.agents), len(self.objects)
        ensure(encoding.get("multiset_index") == "colex", "unknown multiset numbering")
        self.rankings = [tuple(r) for r in field(encoding, "rankings", "subject")]
        ensure(len(set(self.rankings)) == len(self.rankings), "a ranking repeats")
        for r in self.rankings:
            ensure(all(x in self.objects for x in r) and len(set(r)) == len(r), f"bad ranking {r}")
        self.k = len(self.rankings)
        self.count = comb(self.k + self.n - 2, self.n - 1)
        mech = field(encoding, "mechanism", "subject")
        self.den = mech["denominator"]
        ensure(type(self.den) is int and self.den >= 1, "denominator must be a positive integer")
        self.nums = mech["numerators"]
        ensure(
            len(self.nums) == self.k and all(len(b) == self.count for b in self.nums), "bad orbit table shape"
        )
        for t in range(self.k):
            for row in self.nums[t]:
                if (
                    len(row) != self.m + 1
                    or sum(row) != self.den
                    or not all(type(v) is int and v >= 0 for v in row)
                ):
                    fail(f"orbit row of ranking {list(self.rankings[t])}: entries not in [0, 1] or sum != 1")
        self.orders = [[self.objects.index(x) for x in r] + [self.m] for r in self.rankings]

    def feasible(self) -> None:
        caps = [q * self.den for q in self.capacities]
        for profile in itertools.combinations_with_replacement(range(self.k), self.n):
            used = [0] * self.m
            for t in set(profile):
                others = list(profile)
                others.remove(t)
                row = self.nums[t][colex_rank(tuple(others))]
                for c in range(self.m):
                    used[c] += profile.count(t) * row[c]
            if any(u > q for u, q in zip(used, caps, strict=True)):
                fail(f"multiset profile {[list(self.rankings[t]) for t in profile]}: a column over capacity")

    def cumulative(self, row: list[int], t: int) -> list[int]:
        total, out = 0, []
        for c in self.orders[t]:
            total += row[c]
            out.append(total)
        return out

    def sp_violation(self) -> tuple | None:
        seen = set()
        for others in itertools.combinations_with_replacement(range(self.k), self.n - 1):
            idx = colex_rank(others)
            seen.add(idx)
            rows = [tuple(self.nums[t][idx]) for t in range(self.k)]
            distinct = set(rows)
            for t in range(self.k):
                truth = self.cumulative(list(rows[t]), t)
                for row in distinct:
                    lie = self.cumulative(list(row), t)
                    if any(b > a for a, b in zip(truth, lie, strict=True)):
                        return (t, others, rows.index(row))
        ensure(seen == set(range(self.count)), "the colex numbering does not cover the table")
        return None

    def digest(self) -> str:
        flat = [v for block in self.nums for row in block for v in row]
        if self.den < 2**63:
            encoding, data = "int64-big-endian", b"".join(v.to_bytes(8, "big", signed=True) for v in flat)
        else:
            encoding, data = "decimal-json", ("[" + ",".join(map(str, flat)) + "]").encode("ascii")
        shape = [self.k, self.count, self.m + 1]
        return sha256(
            {
                "denominator": self.den,
                "shape": shape,
                "encoding": encoding,
                "numerators_sha256": hashlib.sha256(data).hexdigest(),
            }
        )


def recheck_orbit_sp(verdict: str, ev: dict, encoding: dict) -> None:
    o = Orbits(encoding)
    o.feasible()
    if verdict == "holds":
        ensure(ev.get("kind") == "exhaustive_orbits", "an orbit 'holds' needs the exhaustive_orbits evidence")
        if "orbit_table_digest" in ev:
            ensure(ev["orbit_table_digest"] == o.digest(), "orbit_table_digest does not match the subject")
        found = o.sp_violation()
        ensure(found is None, f"a profitable misreport exists: {found}")
        return
    profile = [tuple(r) for r in field(ev, "profile", "evidence")]
    ensure(len(profile) == o.n and all(r in o.rankings for r in profile), "profile outside the domain")
    agent = field(ev, "agent", "evidence")
    ensure(agent in o.agents, "unknown agent")
    i = o.agents.index(agent)
    t = o.rankings.index(profile[i])
    others = tuple(sorted(o.rankings.index(r) for j, r in enumerate(profile) if j != i))
    idx = colex_rank(others)
    report = tuple(field(ev, "misreport", "evidence"))
    ensure(report in o.rankings and report != profile[i], "bad misreport")
    r = o.rankings.index(report)
    truth, lie = o.cumulative(o.nums[t][idx], t), o.cumulative(o.nums[r][idx], t)
    prefix = field(ev, "prefix", "evidence")
    pref = profile[i]
    expected = [list(pref[: k + 1]) for k in range(len(pref))] + [[*pref, "outside"]]
    ensure(prefix in expected, "the prefix is not a prefix of the true ranking")
    k = expected.index(prefix)
    ensure(lie[k] > truth[k], "misreporting does not raise the probability of the prefix")
    if "truthful_cumulative" in ev:
        ensure(
            rational(ev["truthful_cumulative"], "truthful_cumulative") * o.den == truth[k],
            "stated number differs",
        )
