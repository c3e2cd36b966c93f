"""Random priority by dynamic programming, checked against enumerating the n! orders."""

import itertools
from fractions import Fraction
from math import factorial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.domain import all_preferences
from verified.assignment.mechanisms import random_priority, rp_type_rows, serial_dictatorship
from verified.assignment.model import Problem
from verified.errors import InvalidInput


def rp_by_orders(problem, profile):
    """Independent reference: average of the serial dictatorships over all n! orders."""
    total = [[Fraction(0)] * (problem.m + 1) for _ in range(problem.n)]
    orders = list(itertools.permutations(problem.agents))
    for order in orders:
        outcome = serial_dictatorship(problem, order)(profile)
        for i, row in enumerate(outcome.matrix):
            for k, v in enumerate(row):
                total[i][k] += v
    return tuple(tuple(v / len(orders) for v in row) for row in total)


@st.composite
def problems_and_profiles(draw, max_agents=4, max_objects=3):
    n = draw(st.integers(1, max_agents))
    m = draw(st.integers(1, max_objects))
    caps = draw(st.lists(st.integers(1, 2), min_size=m, max_size=m))
    problem = Problem.make(n, m, caps)
    prefs = all_preferences(problem.objects)
    profile = tuple(draw(st.sampled_from(prefs)) for _ in range(n))
    return problem, profile


@settings(max_examples=60)
@given(problems_and_profiles())
def test_dp_equals_enumeration_of_orders(case):
    problem, profile = case
    assert random_priority(problem)(profile).matrix == rp_by_orders(problem, profile)


@settings(max_examples=40)
@given(problems_and_profiles())
def test_type_rows_are_the_rows_of_the_mechanism(case):
    problem, profile = case
    rows, den = rp_type_rows(problem, tuple(sorted(profile)))
    assert den == factorial(problem.n)
    assert set(rows) == set(profile)
    assignment = random_priority(problem)(profile)
    for i, pref in enumerate(profile):
        assert tuple(Fraction(v, den) for v in rows[pref]) == assignment.matrix[i]
        assert sum(rows[pref]) == den


@settings(max_examples=30)
@given(problems_and_profiles(), st.randoms(use_true_random=False))
def test_anonymous_and_equal_treatment(case, rng):
    problem, profile = case
    result = random_priority(problem)(profile)
    perm = list(range(problem.n))
    rng.shuffle(perm)
    permuted = random_priority(problem)(tuple(profile[j] for j in perm))
    for k, j in enumerate(perm):
        assert permuted.matrix[k] == result.matrix[j]
    for i, j in itertools.combinations(range(problem.n), 2):
        if profile[i] == profile[j]:
            assert result.matrix[i] == result.matrix[j]


def test_erdil_remark_2_by_hand():
    problem = Problem.make(4, "abc")
    result = random_priority(problem)(["ab", "cb", "a", "c"])
    # Agent 1 gets a iff she precedes 3: 1/2. She gets b iff 3 precedes her and b is still there,
    # i.e. not (4 before 2 before 1): of the 12 orders with 3 before 1, the 3 orders with 4 < 2 < 1
    # and 3 < 1 lose b, so 9/24 = 3/8. Symmetrically for agent 2 with c, b, 4, 3.
    assert result.row("1") == (Fraction(1, 2), Fraction(3, 8), 0, Fraction(1, 8))
    assert result.row("2") == (0, Fraction(3, 8), Fraction(1, 2), Fraction(1, 8))
    assert result.row("3") == (Fraction(1, 2), 0, 0, Fraction(1, 2))
    assert result.row("4") == (0, 0, Fraction(1, 2), Fraction(1, 2))
    # b is wasted with probability 1 - 3/8 - 3/8 = 1/4.
    assert result.column_sum("b") == Fraction(3, 4)


def test_capacities_by_hand():
    # Two copies of a, three agents who all want only a: each is left out iff she picks last: 1/3.
    problem = Problem.make(3, "a", [2])
    result = random_priority(problem)(["a", "a", "a"])
    assert all(row == (Fraction(2, 3), Fraction(1, 3)) for row in result.matrix)


def test_ten_agents_rows_are_a_valid_lottery():
    problem = Problem.make(10, 10)
    objects = list(problem.objects)
    profile = [tuple(objects[k:] + objects[:k]) for k in range(10)]  # everyone a different top
    result = random_priority(problem)(profile)
    # Distinct tops: in any order, by induction every earlier agent took her own (distinct) top,
    # so each agent's top is still free when she picks. Everyone gets her top with probability 1.
    assert all(result.matrix[i][i] == 1 for i in range(10))


def test_invalid_inputs():
    problem = Problem.make(2, "ab")
    with pytest.raises(InvalidInput, match="3 preferences for 2 agents"):
        rp_type_rows(problem, (("a",), ("b",), ()))
    with pytest.raises(InvalidInput, match="unknown object 'z'"):
        rp_type_rows(problem, (("a",), ("z",)))
    with pytest.raises(InvalidInput, match="unknown object 'z'"):
        random_priority(problem)(["a", "z"])


@settings(max_examples=60)
@given(problems_and_profiles(max_agents=6, max_objects=4))
def test_the_two_recursions_agree(case):
    # _type_rows conditions on who picks first; _type_rows_by_availability on what is left at
    # one agent's turn. Independent derivations of the same lottery.
    from verified.assignment.mechanisms._common import index_profile
    from verified.assignment.mechanisms.random_priority import _type_rows, _type_rows_by_availability

    problem, profile = case
    prefs = index_profile(problem, profile)
    by_first_pick = _type_rows(problem.capacities, prefs, problem.m)
    by_availability = _type_rows_by_availability(problem.capacities, prefs, problem.m)
    assert by_first_pick == by_availability


def _domains():
    from verified.assignment.domain import Domain

    p3 = Problem.make(3, "abc", [1, 2, 1])
    full = Domain.full(p3)
    rankings = full.preferences[0]
    mixed = Domain(p3, (rankings[:6], rankings[4:9], (("c", "a"), ("b",), ())))
    return [full, mixed, Domain.full(Problem.make(2, "ab"))]


@pytest.mark.parametrize("domain", _domains(), ids=["symmetric", "asymmetric", "two-agents"])
def test_tabulation_equals_the_order_enumerating_reference(domain):
    # Two paths of one function (orbit table on the symmetric domain, type DP per multiset on the
    # asymmetric one) against the independent reference that enumerates the n! orders per profile.
    import numpy as np

    from tests.assignment.reference_mechanisms import random_priority as reference_rp
    from tests.assignment.reference_mechanisms import table_of
    from verified.assignment.mechanisms.random_priority import tabulate_random_priority
    from verified.io.builtins import fast_table

    fast = tabulate_random_priority(domain)
    reference = table_of(domain, reference_rp, "reference")
    assert fast.denominator == factorial(domain.problem.n)
    for index, profile in enumerate(domain):
        rows = tuple(tuple(Fraction(int(v), fast.denominator) for v in row) for row in fast.numerators[index])
        assert rows == reference(profile).matrix, profile
    via_files = fast_table("random_priority", domain)
    assert np.array_equal(np.asarray(via_files.numerators), np.asarray(fast.numerators))
    assert fast_table("serial_dictatorship", domain) is not None  # every built-in has its fast table
