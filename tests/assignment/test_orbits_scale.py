"""The orbit pipeline at scale (issue 9, item 8) gives what the straightforward path gives.

`rp_orbit_table` (a vectorised availability DP over multiset levels), the compact storage of
`OrbitTable` and the streamed `check_strategyproof_anonymous` are compared, on problems small
enough for the straightforward path, with a reference written here: the whole table built one
multiset profile at a time from the order-enumerating RP (or any full table), ranked with
`multiset_rank`, checked with the whole-table `find_manipulation` and digested as int64. The
verdicts, witnesses, evidence and certificate bytes must be identical.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb, lcm

import numpy as np
import pytest

from tests.assignment.reference_mechanisms import random_boston, random_priority, table_of
from tests.assignment.test_strategyproofness import recheck_manipulation
from verified.assignment.anonymous import (
    OrbitFactors,
    OrbitTable,
    check_strategyproof_anonymous,
    multiset_count,
    multiset_levels,
    multiset_rank,
    multiset_unrank,
    rp_orbit_table,
)
from verified.assignment.domain import Domain, all_preferences
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.mechanisms.random_priority import rp_type_rows
from verified.assignment.model import Problem
from verified.assignment.properties._common import array_digest
from verified.assignment.properties.strategyproofness import find_manipulation, manipulation_evidence
from verified.certificates import build_certificate, certificate_bytes
from verified.errors import InvalidInput
from verified.io.canonical import orbit_subject
from verified.results import CheckResult, fails, holds

F = Fraction


# --- the reference: straightforward, whole-table ------------------------------------------------


def reference_numerators(problem: Problem, rankings, row_of) -> tuple[np.ndarray, int]:
    """``row_of(profile)[0]`` (agent 0's row as Fractions) for agent 0 holding each ranking and
    the others each multiset, as int64 numerators over the lcm of the denominators."""
    k, n = len(rankings), problem.n
    rows = {}
    for t in range(k):
        for others in itertools.combinations_with_replacement(range(k), n - 1):
            profile = (rankings[t], *(rankings[a] for a in others))
            rows[t, multiset_rank(others)] = row_of(profile)
    den = 1
    for row in rows.values():
        for v in row:
            den = lcm(den, v.denominator)
    nums = np.zeros((k, multiset_count(k, n - 1), problem.m + 1), dtype=np.int64)
    for (t, o), row in rows.items():
        nums[t, o] = [int(v * den) for v in row]
    return nums, den


def reference_check(problem: Problem, rankings, nums: np.ndarray, den: int, name: str, anonymity: str):
    """What `check_strategyproof_anonymous` computed before it was streamed: `find_manipulation`
    over the whole int64 table, the int64 digest."""
    found = find_manipulation(nums, 0, den, problem, rankings)
    k = len(rankings)
    if found is not None:
        t, cols, rest, r = found
        others = [rankings[a] for a in multiset_unrank(rest, problem.n - 1)]
        row_t = tuple(F(int(v), den) for v in nums[t, rest])
        row_r = tuple(F(int(v), den) for v in nums[r, rest])
        ev = manipulation_evidence(problem, (rankings[t], *others), 0, rankings[r], cols, row_t, row_r)
        return fails("strategyproof", {**ev, "anonymity": anonymity})
    count = multiset_count(k, problem.n - 1)
    return holds(
        "strategyproof",
        {
            "kind": "exhaustive_orbits",
            "mechanism": name,
            "anonymity": anonymity,
            "agents": list(problem.agents),
            "objects": list(problem.objects),
            "capacities": list(problem.capacities),
            "rankings": [list(r) for r in rankings],
            "multiset_index": "colex: sum_j C(a_j + j, j + 1) over the sorted positions a_0 <= a_1 <= ...",
            "denominator": den,
            "orbit_table_digest": array_digest(nums, den),
            "orbits": k * count,
            "comparisons": k * (k - 1) * count,
            "profiles_covered": k**problem.n,
        },
    )


def reference_subject(problem: Problem, rankings, nums: np.ndarray, den: int, name: str, anonymity: str):
    return {
        "family": "assignment",
        "kind": "orbit_table",
        "problem": {
            "agents": list(problem.agents),
            "objects": list(problem.objects),
            "capacities": list(problem.capacities),
        },
        "rankings": [list(r) for r in rankings],
        "multiset_index": "colex",
        "mechanism": {
            "name": name,
            "anonymity": anonymity,
            "denominator": den,
            "numerators": [[[int(v) for v in row] for row in block] for block in nums.tolist()],
        },
    }


def certificate_of(result: CheckResult, subject: dict) -> bytes:
    return certificate_bytes(build_certificate("sp-anonymous", result, subject))


def assert_same_as_reference(orbits: OrbitTable, nums: np.ndarray, den: int) -> CheckResult:
    """Same table, verdict, evidence and certificate bytes as the reference path."""
    p, rankings = orbits.problem, orbits.rankings
    assert orbits.denominator == den
    result = check_strategyproof_anonymous(orbits)  # before the table is read: from the factors if any
    assert orbits.digest() == array_digest(nums, den)
    assert orbits.row(rankings[-1], rankings[:1] * (p.n - 1)) == tuple(F(int(v), den) for v in nums[-1, 0])
    assert orbits.numerators.shape == nums.shape
    assert (np.asarray(orbits.numerators, dtype=object) == nums.astype(object)).all()
    assert orbits.digest() == array_digest(nums, den)
    expected = reference_check(p, rankings, nums, den, orbits.name, orbits.anonymity)
    assert result.verdict == expected.verdict
    assert dict(result.evidence) == dict(expected.evidence)
    subject = reference_subject(p, rankings, nums, den, orbits.name, orbits.anonymity)
    assert orbit_subject(orbits) == subject
    assert certificate_of(result, orbit_subject(orbits)) == certificate_of(expected, subject)
    return result


# --- random priority: sp-anonymous holds ---------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "objects", "caps"),
    [
        (1, "ab", None),
        (2, "abc", None),
        (3, "ab", None),
        (3, "abc", None),
        (3, "abc", [2, 1, 1]),
        (4, "ab", [1, 2]),
    ],
)
def test_rp_orbit_pipeline_equals_the_order_enumerating_reference(n, objects, caps):
    problem = Problem.make(n, objects, caps)
    rankings = all_preferences(problem.objects)
    nums, den = reference_numerators(problem, rankings, lambda prof: random_priority(problem, prof).matrix[0])
    orbits = rp_orbit_table(problem)
    assert "numerators" not in vars(orbits)  # factors: the table is built when first read
    if orbits.denominator != den:  # the reference's lcm may divide RP's n!: bring it to n!
        assert orbits.denominator % den == 0
        nums, den = nums * (orbits.denominator // den), orbits.denominator
    result = assert_same_as_reference(orbits, nums, den)
    assert result.holds
    # the full-table path agrees, and so does the orbit table read off the full table
    table = table_of(Domain.full(problem), random_priority, "RP")
    assert (
        np.asarray(orbits.to_tabulated().numerators) * table.denominator == np.asarray(table.numerators) * den
    ).all()


@pytest.mark.parametrize(
    ("n", "objects", "caps"),
    [(4, "abc", None), (5, "ab", [2, 3]), (2, "abcd", None), (6, "ab", None), (3, "abc", [3, 1, 2])],
)
def test_rp_orbit_dp_equals_one_type_dp_call_per_multiset(n, objects, caps):
    problem = Problem.make(n, objects, caps)
    rankings = all_preferences(problem.objects)
    fast = rp_orbit_table(problem)
    plain = OrbitTable.from_type_rows(problem, rankings, lambda ms: rp_type_rows(problem, ms), neutral=False)
    assert fast.denominator == plain.denominator
    assert (np.asarray(fast.numerators) == np.asarray(plain.numerators)).all()
    assert_same_as_reference(fast, np.asarray(plain.numerators).astype(np.int64), plain.denominator)


def test_rp_orbits_on_a_restricted_symmetric_domain():
    problem = Problem.make(4, "abc")
    rankings = (("a", "b"), ("b",), ("c", "a", "b"), ())
    fast = rp_orbit_table(problem, rankings)
    plain = OrbitTable.from_type_rows(problem, rankings, lambda ms: rp_type_rows(problem, ms))
    assert (np.asarray(fast.numerators) == np.asarray(plain.numerators)).all()
    assert_same_as_reference(fast, np.asarray(plain.numerators).astype(np.int64), plain.denominator)


# --- sp-anonymous fails --------------------------------------------------------------------------


def test_random_boston_fails_on_orbits_like_the_reference():
    problem = Problem.make(3, "abc")
    domain = Domain.full(problem)
    boston = table_of(domain, random_boston, "Boston")
    orbits = OrbitTable.from_tabulated(boston)
    nums, den = reference_numerators(
        problem, domain.preferences[0], lambda prof: random_boston(problem, prof).matrix[0]
    )
    if den != orbits.denominator:
        nums, den = nums * (orbits.denominator // den), orbits.denominator
    result = assert_same_as_reference(orbits, nums, den)
    assert result.fails
    recheck_manipulation(boston, result.evidence)


def _hand_table() -> TabulatedMechanism:
    """Two agents, objects a and b, everyone reports ab or ba; rows over 4 (a, b, outside):

        own ab, other ab: [2, 2, 0]     own ba, other ab: [3, 1, 0]
        own ab, other ba: [1, 3, 0]     own ba, other ba: [2, 2, 0]

    Feasible: at (ab, ab) and (ba, ba) each column sums to 4; at (ab, ba) column a is 1 + 3 and
    b is 3 + 1. The manipulation, by hand: agent 1 with true ranking ab facing ab gets a with
    probability 2/4 = 1/2; reporting ba she gets a with 3/4 > 1/2, so the prefix [a] of her
    true ranking gains. It is the first in the search order: t = ab (rank 0), prefix [a],
    others' multiset [ab] (rank 0), misreport ba."""
    problem = Problem.make(2, "ab")
    ab, ba = ("a", "b"), ("b", "a")
    domain = Domain(problem, ((ab, ba), (ab, ba)))
    rows = {(ab, ab): [2, 2, 0], (ab, ba): [1, 3, 0], (ba, ab): [3, 1, 0], (ba, ba): [2, 2, 0]}
    nums = np.array([[rows[p[0], p[1]], rows[p[1], p[0]]] for p in domain], dtype=np.int64)
    return TabulatedMechanism(domain, nums, 4, "hand-made")


def test_a_hand_made_manipulable_anonymous_table():
    table = _hand_table()
    orbits = OrbitTable.from_tabulated(table)
    assert orbits.numerators.tolist() == [[[2, 2, 0], [1, 3, 0]], [[3, 1, 0], [2, 2, 0]]]
    nums = np.array(orbits.numerators.tolist(), dtype=np.int64)
    result = assert_same_as_reference(orbits, nums, 4)
    assert result.fails
    ev = result.evidence
    assert ev["profile"] == [["a", "b"], ["a", "b"]] and ev["agent"] == "1"
    assert ev["misreport"] == ["b", "a"] and ev["prefix"] == ["a"]
    assert (ev["truthful_cumulative"], ev["misreport_cumulative"]) == ("1/2", "3/4")
    recheck_manipulation(table, ev)


@pytest.mark.parametrize("scale", [1, 2**62 // 4, 2**70])
def test_huge_denominators_stay_exact(scale):
    # the hand table and RP 3 x ab over a denominator multiplied by `scale` (Python ints past 2**63)
    hand = np.array(OrbitTable.from_tabulated(_hand_table()).numerators.tolist(), dtype=object) * scale
    rp = rp_orbit_table(Problem.make(3, "ab"))
    rp_nums = np.array(rp.numerators.tolist(), dtype=object) * scale
    for problem, rankings, nums, den, verdict in (
        (Problem.make(2, "ab"), (("a", "b"), ("b", "a")), hand, 4 * scale, "fails"),
        (rp.problem, rp.rankings, rp_nums, rp.denominator * scale, "holds"),
    ):
        orbits = OrbitTable(problem, rankings, nums.copy(), den, "m", "a")
        narrow = den * max(problem.n, problem.m + 1) <= 2**63 - 1  # else Python ints
        assert (orbits.numerators.dtype != object) == narrow
        result = check_strategyproof_anonymous(orbits)
        assert result.verdict.value == verdict
        if den < 2**63:
            expected = reference_check(problem, rankings, nums.astype(np.int64), den, "m", "a")
            assert dict(result.evidence) == dict(expected.evidence)


# --- the pieces ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "r"), [(1, 4), (2, 9), (5, 3), (16, 3), (7, 5)])
def test_multiset_levels_rank_and_drop(k, r):
    levels = multiset_levels(k, r)
    for s, (rows, drop) in enumerate(levels):
        assert rows.shape == (comb(k + s - 1, s), s)
        for i, row in enumerate(rows.tolist()):
            assert row == sorted(row) and multiset_rank(row) == i
            for j in range(s):
                assert drop[i, j] == multiset_rank(row[:j] + row[j + 1 :])


def test_storage_is_compact_and_exact():
    assert rp_orbit_table(Problem.make(5, "ab")).numerators.dtype == np.int8  # 5! = 120
    assert rp_orbit_table(Problem.make(6, "ab")).numerators.dtype == np.int16  # 720
    assert rp_orbit_table(Problem.make(8, "ab")).numerators.dtype == np.int32  # 40320
    # an int64 table whose entries are out of range is refused before it is narrowed
    problem = Problem.make(2, "a")
    bad = np.array([[[0, 1], [0, 1]], [[1, 0], [257, -256]]], dtype=np.int64)  # int8: 1 and 0
    with pytest.raises(InvalidInput, match="outside"):
        OrbitTable(problem, ((), ("a",)), bad, 1)


def test_streamed_validation_reports_the_first_violation_in_rank_order():
    # 3 agents, rankings (), (a): an agent who accepts a gets it for sure: the first infeasible
    # multiset profile in rank order is [(), (a), (a)] (rank 2 of 4), column a sums to 2
    problem = Problem.make(3, "a")
    nums = np.array([[[0, 1]] * 3, [[1, 0]] * 3], dtype=np.int64)
    with pytest.raises(
        InvalidInput, match=r"multiset profile \[\[\], \['a'\], \['a'\]\]: column 'a' sums to 2"
    ):
        OrbitTable(problem, ((), ("a",)), nums, 1)
    nums[1, 0] = [2, -1]
    entry = r"own ranking \['a'\], others \[\[\], \[\]\]\)\['a'\]: probability 2"
    with pytest.raises(InvalidInput, match=entry):
        OrbitTable(problem, ((), ("a",)), nums, 1)


def test_factored_tables_are_validated_like_tables():
    # 2 agents, rankings (), (a); two sets can be left: {a} (weight 0) and {} (weight 1).
    # Whoever accepts a gets it whenever {a} is left: weights [1, 0] give a for sure to both at
    # the profile [(a), (a)]: column a sums to 2 (the table form says the same).
    problem = Problem.make(2, "a")
    rankings = ((), ("a",))
    best = np.array([[1, 1], [0, 1]], dtype=np.int64)
    weights = np.array([[1, 0], [1, 0]], dtype=np.int8)
    table = np.array([[[0, 1], [0, 1]], [[1, 0], [1, 0]]], dtype=np.int64)
    message = r"multiset profile \[\['a'\], \['a'\]\]: column 'a' sums to 2"
    for numerators in (OrbitFactors(weights, best), table):
        with pytest.raises(InvalidInput, match=message):
            OrbitTable(problem, rankings, numerators, 1)
    # a negative weight: expanded and refused as a table would be, at the first bad entry
    # (ranking () sums both weights into outside: 1, fine; ranking (a) gets a with 2 > 1)
    weights = np.array([[2, -1], [1, 0]], dtype=np.int8)
    with pytest.raises(InvalidInput, match=r"own ranking \['a'\], others \[\[\]\]\)\['a'\]: probability 2 "):
        OrbitTable(problem, rankings, OrbitFactors(weights, best), 1)
    # valid factors: a for sure when the other rejects it, else a lottery over who gets a
    weights = np.array([[2, 0], [1, 1]], dtype=np.int8)
    orbits = OrbitTable(problem, rankings, OrbitFactors(weights, best), 2)
    assert orbits.row(("a",), [("a",)]) == (F(1, 2), F(1, 2))
    assert orbits.numerators.tolist() == [[[0, 2], [0, 2]], [[2, 0], [1, 1]]]
