"""The core model: problems, preferences, domains, stochastic assignments, tables."""

from fractions import Fraction

import numpy as np
import pytest

from verified.assignment.domain import Domain, all_preferences
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.numbers import to_fraction


def test_full_domain_sizes_match_the_formula():
    # sum_k m!/(m-k)!: 1 + 3 + 6 + 6 = 16 for m = 3; 1 + 4 + 12 + 24 + 24 = 65 for m = 4.
    assert len(all_preferences("abc")) == 16
    assert len(all_preferences("abcd")) == 65
    assert len(Domain.full(Problem.make(4, "abc"))) == 16**4


def test_profile_index_round_trips():
    domain = Domain.full(Problem.make(3, "abc"))
    for idx in (0, 1, 17, 255, len(domain) - 1):
        assert domain.index(domain.profile(idx)) == idx
    assert list(domain)[37] == domain.profile(37)


def test_numbers_reject_floats_and_accept_exact_text():
    assert to_fraction("3/8", "x") == Fraction(3, 8)
    assert to_fraction("0.375", "x") == Fraction(3, 8)
    with pytest.raises(InvalidInput, match="float"):
        to_fraction(0.5, "x")
    assert to_fraction(0.1, "x", allow_float=True) == Fraction(1, 10)
    with pytest.raises(InvalidInput):
        to_fraction(True, "x")


def test_bad_preferences_name_the_place():
    p = Problem.make(2, "abc")
    with pytest.raises(InvalidInput, match=r"profile\[1\].*unknown object 'd'"):
        p.profile(["ab", "ad"])
    with pytest.raises(InvalidInput, match="listed twice"):
        p.preference("aba")
    with pytest.raises(InvalidInput, match="3 preferences for 2 agents"):
        p.profile(["a", "b", "c"])
    with pytest.raises(InvalidInput, match="at least 1"):
        Problem.make(2, "ab", [1, 0])


def test_assignment_validation():
    p = Problem.make(2, "ab")
    ok = StochasticAssignment.from_rows(p, [{"a": "1/2", "b": "1/2"}, {"a": "1/2", "outside": "1/2"}])
    assert ok.size() == Fraction(3, 2)
    with pytest.raises(InvalidInput, match="row sums to 3/4"):
        StochasticAssignment.from_rows(p, [{"a": "1/2", "b": "1/4"}, {"outside": 1}])
    with pytest.raises(InvalidInput, match="capacity"):
        StochasticAssignment.from_rows(p, [{"a": 1}, {"a": 1}])
    with pytest.raises(InvalidInput, match="float"):
        StochasticAssignment.from_rows(p, [{"a": 0.5, "b": "1/2"}, {"outside": 1}])
    filled = StochasticAssignment.from_rows(p, [{"a": "1/3"}, {}], fill_outside=True)
    assert filled.prob(0, "outside") == Fraction(2, 3)


def test_table_validation_names_profile_and_agent():
    p = Problem.make(2, "a")
    d = Domain.full(p)  # rankings: (), (a,)
    nums = np.zeros((len(d), 2, 2), dtype=np.int64)
    nums[:, :, 1] = 2  # everyone gets the outside option, denominator 2
    TabulatedMechanism(d, nums.copy(), 2)
    bad = nums.copy()
    bad[3, 1] = [1, 0]
    with pytest.raises(InvalidInput, match=r"row sums to 1/2.*|agent '2'"):
        TabulatedMechanism(d, bad, 2)
    over = nums.copy()
    over[3] = [[2, 0], [2, 0]]
    with pytest.raises(InvalidInput, match="capacity"):
        TabulatedMechanism(d, over, 2)


def test_int64_table_with_a_huge_denominator_cannot_wrap_around():
    # Two entries of 2**62 each sum to 2**63, which wraps to a negative int64: the table must
    # switch to Python ints, so this bad row (sum 2**63 != denominator 2**62) is still caught.
    p = Problem.make(1, "a")
    d = Domain.full(p)  # rankings: (), (a,)
    den = 2**62
    nums = np.array([[[0, den]], [[den, den]]], dtype=np.int64)
    with pytest.raises(InvalidInput, match="row sums to 2"):
        TabulatedMechanism(d, nums, den)
    ok = np.array([[[0, den]], [[den, 0]]], dtype=np.int64)
    assert TabulatedMechanism(d, ok, den).entry(1, 0, 0) == 1
