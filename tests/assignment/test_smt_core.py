"""verified.smt.core: exact numbers across the z3 boundary; unknown is never folded."""

from fractions import Fraction

import pytest
import z3
from hypothesis import given
from hypothesis import strategies as st

from verified.errors import InvalidInput
from verified.smt import Encoding, NonRationalValue, from_z3, linear_sum, real, solve, to_z3

fractions = st.fractions(min_value=-(10**30), max_value=10**30, max_denominator=10**25)


@given(fractions)
def test_fractions_round_trip_exactly(value):
    assert from_z3(z3.simplify(to_z3(value))) == value


def test_to_z3_refuses_floats():
    with pytest.raises(InvalidInput, match="float"):
        to_z3(0.5)


def test_sat_model_is_decoded_to_exact_fractions():
    x, y = real("x"), real("y")
    # 3x = 1 and x + y = 1  =>  x = 1/3, y = 2/3 (hand derivation).
    out = solve([3 * x == 1, x + y == 1], {"x": x, "y": y, "x_small": x < 1})
    assert out.status == "sat"
    assert out.model == {"x": Fraction(1, 3), "y": Fraction(2, 3), "x_small": True}
    assert out.value("y") == Fraction(2, 3)


def test_huge_rationals_survive_the_solver():
    x = real("x")
    target = Fraction(10**40 + 7, 3**50)
    out = solve([x * 3**50 == 10**40 + 7], {"x": x})
    assert out.value("x") == target


def test_unsat_has_no_model():
    x = real("x")
    out = solve([x > 1, x < 1])
    assert out.unsat and out.model == {}
    with pytest.raises(InvalidInput, match="unsat"):
        out.value("x")


def test_algebraic_values_are_refused_not_rounded():
    x = real("x")
    with pytest.raises(NonRationalValue, match="algebraic"):
        solve([x * x == 2, x > 0], {"x": x})


def test_resource_limit_gives_unknown_with_a_reason():
    # A non-linear integer problem z3 cannot finish within a tiny resource budget.
    a, b, c = z3.Ints("a b c")
    hard = [a > 0, b > 0, c > 0, a * a * a + b * b * b == c * c * c]
    out = solve(hard, {"a": a}, rlimit=1000)
    assert out.status == "unknown"
    assert out.reason_unknown
    assert out.model == {}


def test_encodings_compose_and_reject_name_clashes():
    x, y = real("x"), real("y")
    first = Encoding([x >= 1], {"x": x})
    second = Encoding([y == 2 * x], {"y": y})
    out = solve(first + second + Encoding([x <= 1]))
    assert out.model == {"x": Fraction(1), "y": Fraction(2)}
    with pytest.raises(InvalidInput, match="two different terms"):
        _ = first + Encoding([], {"x": y})


def test_linear_sum_mixes_constants_and_unknowns():
    x = real("x")
    out = solve([linear_sum([x, Fraction(1, 2), 1]) == 2], {"x": x})
    assert out.value("x") == Fraction(1, 2)
    assert from_z3(z3.simplify(linear_sum([]))) == 0
