"""Anonymous mechanisms on orbits: multiset indexing, validation, strategy-proofness."""

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assignment.reference_mechanisms import (
    lottery,
    random_boston,
    random_priority,
    serial_dictatorship,
    table_of,
)
from tests.assignment.test_strategyproofness import recheck_manipulation
from verified.assignment.anonymous import (
    OrbitTable,
    all_multisets,
    check_strategyproof_anonymous,
    multiset_count,
    multiset_rank,
    multiset_unrank,
    rp_orbit_table,
)
from verified.assignment.domain import Domain, all_preferences
from verified.assignment.model import Problem
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.errors import InvalidInput
from verified.strategies import anonymous_tabulated_mechanisms, small_domains

F = Fraction


@pytest.mark.parametrize(("k", "r"), [(1, 0), (1, 3), (5, 1), (5, 3), (16, 2), (4, 4)])
def test_multiset_index_is_a_bijection(k, r):
    rows = all_multisets(k, r)
    assert len(rows) == multiset_count(k, r) == comb(k + r - 1, r)
    seen = set()
    for index, row in enumerate(rows.tolist()):
        assert row == sorted(row) and all(0 <= a < k for a in row)
        assert multiset_rank(row) == index
        assert multiset_unrank(index, r) == tuple(row)
        seen.add(tuple(row))
    assert len(seen) == len(rows)


def test_rp_orbits_match_the_naive_full_table():
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    naive = table_of(domain, random_priority, "RP")
    orbits = rp_orbit_table(problem)
    assert orbits.rankings == all_preferences("ab") and orbits.denominator == 6
    from_table = OrbitTable.from_tabulated(naive)
    assert from_table.anonymity == "certified exhaustively"
    assert (np.asarray(from_table.numerators) == np.asarray(orbits.numerators)).all()
    assert (np.asarray(orbits.to_tabulated().numerators) == np.asarray(naive.numerators)).all()
    res = check_strategyproof_anonymous(orbits)
    assert res.holds
    ev = res.evidence
    # k = 5 rankings, multisets of the 2 others: C(6, 2) = 15; orbits 5 * 15; comparisons 5 * 4 * 15
    assert (ev["orbits"], ev["comparisons"], ev["profiles_covered"]) == (75, 300, 125)
    assert ev["anonymity"] == "by construction (type DP)"
    # a row read back through the multiset index: R1 = a b, others b and a
    assert (
        orbits.row(("a", "b"), [("b",), ("a",)])
        == random_priority(problem, (("a", "b"), ("b",), ("a",))).matrix[0]
    )


def test_boston_fails_on_orbits_with_a_rechecked_witness():
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    boston = table_of(domain, random_boston, "Boston")
    orbits = OrbitTable.from_tabulated(boston)
    res = check_strategyproof_anonymous(orbits)
    assert res.fails
    recheck_manipulation(boston, res.evidence)


def test_non_anonymous_table_is_refused():
    problem = Problem.make(2, "ab")
    domain = Domain.full(problem)
    sd = table_of(domain, lambda p, prof: lottery(p, prof, serial_dictatorship, [(0, 1)]), "SD")
    with pytest.raises(InvalidInput, match="not anonymous"):
        OrbitTable.from_tabulated(sd)


def test_infeasible_orbit_rows_are_refused():
    problem = Problem.make(2, "a")
    rankings = ((), ("a",))
    # everyone who accepts a gets it for sure: infeasible when both accept it
    nums = np.array([[[0, 1], [0, 1]], [[1, 0], [1, 0]]], dtype=np.int64)
    with pytest.raises(InvalidInput, match=r"multiset profile \[\['a'\], \['a'\]\]: column 'a' sums to 2"):
        OrbitTable(problem, rankings, nums, 1)
    with pytest.raises(InvalidInput, match="row sums"):
        OrbitTable(problem, rankings, np.array([[[0, 1], [0, 1]], [[1, 1], [0, 1]]]), 1)


@settings(max_examples=15)
@given(st.data())
def test_orbit_check_agrees_with_full_check(data):
    problem = Problem.make(data.draw(st.integers(1, 3)), data.draw(st.sampled_from(["a", "ab"])))
    domain = data.draw(small_domains(problem, symmetric=True, max_rankings=4))
    table = data.draw(anonymous_tabulated_mechanisms(domain))
    orbits = OrbitTable.from_tabulated(table)
    on_orbits = check_strategyproof_anonymous(orbits)
    assert on_orbits.holds == check_strategyproof(table).holds
    if on_orbits.fails:
        recheck_manipulation(table, on_orbits.evidence)
    assert (np.asarray(orbits.to_tabulated().numerators) == np.asarray(table.numerators)).all()


@pytest.mark.parametrize(
    ("n", "objects", "caps"), [(3, "abc", None), (3, "abc", [2, 1, 1]), (4, "ab", [1, 2])]
)
def test_renaming_shortcut_equals_one_call_per_multiset(n, objects, caps):
    from verified.assignment.mechanisms.random_priority import rp_type_rows

    problem = Problem.make(n, objects, caps)
    fast = rp_orbit_table(problem)  # one DP call per class of multisets under object renamings
    plain = OrbitTable.from_type_rows(
        problem, all_preferences(problem.objects), lambda ms: rp_type_rows(problem, ms), neutral=False
    )
    assert fast.denominator == plain.denominator
    assert (np.asarray(fast.numerators) == np.asarray(plain.numerators)).all()


def test_rp_orbits_agree_with_naive_rp_on_capacities():
    # two copies of a: the orbit table still reproduces the order-enumerating RP
    problem = Problem.make(3, "ab", [2, 1])
    domain = Domain.full(problem)
    naive = table_of(domain, random_priority, "RP")
    orbits = rp_orbit_table(problem)
    assert (
        np.asarray(orbits.to_tabulated().numerators) * naive.denominator
        == np.asarray(naive.numerators) * orbits.denominator
    ).all()
