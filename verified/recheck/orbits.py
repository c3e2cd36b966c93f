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

from collections.abc import Iterator
from fractions import Fraction
from math import comb

from verified.recheck import assignment_subject as subject
from verified.recheck.assignment_evidence import MANIPULATION, digest_of, number, row_equals, same
from verified.recheck.core import ensure, exact_keys, fail, integer, text

SUBJECT_KEYS = ("family", "kind", "problem", "rankings", "multiset_index", "mechanism")


Runs = tuple[tuple[int, int], ...]
"""A multiset of ranking indices as runs ``((t, multiplicity), ...)``, t increasing, multiplicities
positive: the sorted positions are t repeated multiplicity times, run after run."""


def colex_rank(sorted_positions: tuple[int, ...]) -> int:
    return sum(comb(a + j, j + 1) for j, a in enumerate(sorted_positions))


def _run_term(t: int, start: int, end: int) -> int:
    """sum_{j = start}^{end - 1} C(t + j, j + 1), the colex terms of positions start..end - 1 all
    equal to t: C(t + j, j + 1) = C((t - 1) + i, i) with i = j + 1, and the hockey-stick identity
    sum_{i <= N} C(r + i, i) = C(r + N + 1, N) gives C(t + end, t) - C(t + start, t) (0 for t = 0)."""
    return comb(t + end, t) - comb(t + start, t)


def rank_of_runs(runs: Runs) -> int:
    """`colex_rank` of the multiset ``runs``, in work proportional to the number of runs."""
    total, start = 0, 0
    for t, times in runs:
        total += _run_term(t, start, start + times)
        start += times
    return total


def ranks_without_one(runs: Runs) -> list[int]:
    """For each run u, the colex rank of the multiset with one copy of its ranking removed: the runs
    before u keep their positions, run u loses its last position, the runs after u move down by
    one. Prefix sums of the kept terms and suffix sums of the moved ones make it linear in runs."""
    starts, start = [], 0
    for _, times in runs:
        starts.append(start)
        start += times
    kept = [0]
    for (t, times), s in zip(runs, starts, strict=True):
        kept.append(kept[-1] + _run_term(t, s, s + times))
    moved = [0] * (len(runs) + 1)
    for u in range(len(runs) - 1, 0, -1):  # moved[0] is never needed (runs[0] starts at 0)
        t, times = runs[u]
        moved[u] = moved[u + 1] + _run_term(t, starts[u] - 1, starts[u] + times - 1)
    return [
        kept[u] + _run_term(t, starts[u], starts[u] + times - 1) + moved[u + 1]
        for u, (t, times) in enumerate(runs)
    ]


def multisets(k: int, size: int) -> Iterator[Runs]:
    """The multisets of ``size`` elements of range(k), as runs, in the order of
    ``itertools.combinations_with_replacement(range(k), size)`` (lexicographic on the sorted
    tuples: the smallest first element first, then the most copies of it). The last ranking
    takes every remaining place, so every branch ends in a multiset and the work per multiset
    follows its number of runs (the recursion depth), never ``size``."""
    stack: list[tuple[int, int]] = []

    def grow(first: int, left: int) -> Iterator[Runs]:
        if left == 0:
            yield tuple(stack)
            return
        for t in range(first, k):
            for times in range(left, 0, -1) if t < k - 1 else (left,):
                stack.append((t, times))
                yield from grow(t + 1, left - times)
                stack.pop()

    return grow(0, size)


def expand(runs: Runs) -> tuple[int, ...]:
    """The sorted positions of a multiset given as runs (for messages only: length = size)."""
    return tuple(t for t, times in runs for _ in range(times))


class Orbits:
    """An orbit-table subject, re-validated (`verified.recheck.assignment_subject` rules for the
    problem and rankings; shape k x C(k + n - 2, n - 1) x (m + 1) checked before any enumeration)."""

    def __init__(self, encoding: dict) -> None:
        exact_keys(encoding, SUBJECT_KEYS, (), "subject.encoding")
        self.agents, self.objects, self.capacities = subject.problem(encoding["problem"])
        self.n, self.m = len(self.agents), len(self.objects)
        ensure(encoding["multiset_index"] == "colex", "subject.multiset_index: unknown multiset numbering")
        self.rankings = subject.rankings(encoding["rankings"], self.objects, "subject.rankings")
        self.k = len(self.rankings)
        mech = subject.mechanism_header(encoding["mechanism"], ("anonymity",))
        self.name, self.anonymity = mech["name"], mech["anonymity"]
        self.den = mech["denominator"]
        self.nums = mech["numerators"]
        ensure(isinstance(self.nums, list) and len(self.nums) == self.k, "subject: one block per ranking")
        self.count = subject.orbit_count(self.k, self.n)
        for t, block in enumerate(self.nums):
            ensure(
                isinstance(block, list) and len(block) == self.count,
                f"subject.mechanism.numerators[{t}]: expected {self.count} rows",
            )
            for o, row in enumerate(block):
                place = f"subject.mechanism.numerators[{t}][{o}]"
                ensure(
                    isinstance(row, list) and len(row) == self.m + 1,
                    f"{place}: expected {self.m + 1} entries",
                )
                for c, v in enumerate(row):
                    integer(v, f"{place}[{c}]", low=0, high=self.den)
                ensure(sum(row) == self.den, f"{place}: the row does not sum to 1")
        self.orders = [[self.objects.index(x) for x in r] + [self.m] for r in self.rankings]

    def feasible(self) -> None:
        """Columns (summed with multiplicity) within capacity at every multiset profile, in the
        order of ``combinations_with_replacement(range(k), n)`` (the first profile over capacity is
        named). Each profile is a tuple of runs, and the multisets of the others are ranked with
        `ranks_without_one`: the work per profile follows its number of runs, never n."""
        caps = [q * self.den for q in self.capacities]
        for profile in multisets(self.k, self.n):
            used = [0] * self.m
            for (t, times), idx in zip(profile, ranks_without_one(profile), strict=True):
                row = self.nums[t][idx]
                for c in range(self.m):
                    used[c] += times * row[c]
            if any(u > q for u, q in zip(used, caps, strict=True)):
                listed = [list(self.rankings[t]) for t in expand(profile)]
                fail(f"multiset profile {listed}: a column over capacity")

    def cumulative(self, row: list[int], t: int) -> list[int]:
        total, out = 0, []
        for c in self.orders[t]:
            total += row[c]
            out.append(total)
        return out

    def sp_violation(self) -> tuple | None:
        """The first (truthful ranking t, the others' sorted reports, misreport r) at which reporting
        r gives an agent of type t a larger cumulative probability of some prefix, the multisets
        in the order of ``combinations_with_replacement(range(k), n - 1)``; None if there is none."""
        seen = set()
        for runs in multisets(self.k, self.n - 1):
            idx = rank_of_runs(runs)
            seen.add(idx)
            rows = [tuple(self.nums[t][idx]) for t in range(self.k)]
            distinct = set(rows)
            for t in range(self.k):
                truth = self.cumulative(list(rows[t]), t)
                for row in distinct:
                    lie = self.cumulative(list(row), t)
                    if any(b > a for a, b in zip(truth, lie, strict=True)):
                        return (t, expand(runs), rows.index(row))
        ensure(seen == set(range(self.count)), "the colex numbering does not cover the table")
        return None

    def digest(self) -> str:
        flat = [v for block in self.nums for row in block for v in row]
        return digest_of(flat, self.den, [self.k, self.count, self.m + 1])


MULTISET_INDEX = "colex: sum_j C(a_j + j, j + 1) over the sorted positions a_0 <= a_1 <= ..."
HOLDS_KEYS = (
    "kind",
    "mechanism",
    "anonymity",
    "agents",
    "objects",
    "capacities",
    "rankings",
    "multiset_index",
    "denominator",
    "orbit_table_digest",
    "orbits",
    "comparisons",
    "profiles_covered",
)


def _holds(o: Orbits, ev: dict) -> None:
    ev = exact_keys(ev, HOLDS_KEYS, (), "evidence")
    for key, value in (
        ("mechanism", o.name),
        ("anonymity", o.anonymity),
        ("agents", o.agents),
        ("objects", o.objects),
        ("capacities", o.capacities),
        ("rankings", [list(r) for r in o.rankings]),
        ("multiset_index", MULTISET_INDEX),
        ("denominator", o.den),
        ("orbits", o.k * o.count),
        ("comparisons", o.k * (o.k - 1) * o.count),
    ):
        same(ev[key], value, f"evidence.{key}")
    covered = integer(ev["profiles_covered"], "evidence.profiles_covered", low=0)
    ensure(covered == o.k**o.n, "evidence.profiles_covered: not k^n")
    ensure(
        text(ev["orbit_table_digest"], "evidence.orbit_table_digest") == o.digest(),
        "orbit_table_digest differs",
    )
    found = o.sp_violation()
    ensure(found is None, f"a profitable misreport exists: {found}")


def _fails(o: Orbits, ev: dict) -> None:
    ev = exact_keys(ev, (*MANIPULATION, "anonymity"), (), "evidence")
    same(ev["anonymity"], o.anonymity, "evidence.anonymity")
    raw = ev["profile"]
    ensure(isinstance(raw, list) and len(raw) == o.n, f"evidence.profile: expected {o.n} rankings")
    known = set(o.objects)
    profile = [subject.ranking(r, known, f"evidence.profile[{j}]") for j, r in enumerate(raw)]  # type: ignore[arg-type]
    ensure(all(r in o.rankings for r in profile), "evidence.profile: outside the domain")
    agent = ev["agent"]
    ensure(isinstance(agent, str) and agent in o.agents, f"evidence.agent: unknown agent {agent!r}")
    i = o.agents.index(agent)
    pref = profile[i]
    same(ev["true_preference"], list(pref), "evidence.true_preference")
    t = o.rankings.index(pref)
    idx = colex_rank(tuple(sorted(o.rankings.index(r) for j, r in enumerate(profile) if j != i)))
    report = subject.ranking(ev["misreport"], known, "evidence.misreport")
    ensure(report in o.rankings and report != pref, "evidence.misreport: not another ranking of the domain")
    r = o.rankings.index(report)
    truth, lie = o.cumulative(o.nums[t][idx], t), o.cumulative(o.nums[r][idx], t)
    expected = [list(pref[: k + 1]) for k in range(len(pref))] + [[*pref, "outside"]]
    ensure(ev["prefix"] in expected, "the prefix is not a prefix of the true ranking")
    k = expected.index(ev["prefix"])
    ensure(lie[k] > truth[k], "misreporting does not raise the probability of the prefix")
    columns = [*o.objects, "outside"]
    number(ev["truthful_cumulative"], Fraction(truth[k], o.den), "evidence.truthful_cumulative")
    number(ev["misreport_cumulative"], Fraction(lie[k], o.den), "evidence.misreport_cumulative")
    row_equals(columns, o.den, ev["truthful_row"], o.nums[t][idx], "evidence.truthful_row")
    row_equals(columns, o.den, ev["misreport_row"], o.nums[r][idx], "evidence.misreport_row")


def recheck_orbit_sp(verdict: str, ev: dict, encoding: dict) -> None:
    o = Orbits(encoding)
    o.feasible()
    if verdict == "holds":
        _holds(o, ev)
    else:
        _fails(o, ev)
