"""Bounded numbers, names and domain sizes (issue 8, part 3), through the Python API."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

from verified.assignment.domain import (
    MAX_TABLE_CELLS,
    Domain,
    DomainTooLarge,
    count_rankings,
    max_table_cells,
)
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.errors import InvalidInput
from verified.names import validated_names
from verified.numbers import MAX_DIGITS, fraction_text, max_digits, to_fraction


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3/8", Fraction(3, 8)),
        (" -3 / 8 ", Fraction(-3, 8)),
        ("0.375", Fraction(3, 8)),
        ("-.5", Fraction(-1, 2)),
        ("+2", Fraction(2)),
        ("007", Fraction(7)),
        ("1" + "0" * (MAX_DIGITS - 1), Fraction(10 ** (MAX_DIGITS - 1))),
    ],
)
def test_exact_strings_are_read(text: str, value: Fraction) -> None:
    assert to_fraction(text, "x") == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e999999999", "exponent notation"),
        ("1E5", "exponent notation"),
        ("2.5e-3", "exponent notation"),
        ("1/0", "zero denominator"),
        ("1_000", "expected a rational"),
        ("", "expected a rational"),
        ("nan", "expected a rational"),
        ("9" * (MAX_DIGITS + 1), f"exceeds the limit of {MAX_DIGITS:,} digits"),
        ("1/" + "7" * (MAX_DIGITS + 1), "exceeds the limit"),
        ("0." + "1" * (MAX_DIGITS + 1), "exceeds the limit"),
    ],
)
def test_unbounded_strings_are_refused_quickly(text: str, message: str) -> None:
    start = time.perf_counter()
    with pytest.raises(InvalidInput, match=message):
        to_fraction(text, "field")
    assert time.perf_counter() - start < 1.0


def test_huge_integers_are_refused_by_size_not_by_printing() -> None:
    to_fraction(10 ** (MAX_DIGITS - 1), "x")
    for value in (10**MAX_DIGITS, -(10**MAX_DIGITS), 2**1_000_000, Fraction(1, 10**MAX_DIGITS)):
        start = time.perf_counter()
        with pytest.raises(InvalidInput, match="exceeds the limit"):
            to_fraction(value, "x")
        assert time.perf_counter() - start < 1.0


def test_the_digit_limit_can_be_raised_or_lowered(monkeypatch: pytest.MonkeyPatch) -> None:
    assert max_digits() == MAX_DIGITS
    monkeypatch.setenv("VERIFIED_MAX_DIGITS", "5")
    assert max_digits() == 5
    with pytest.raises(InvalidInput, match="limit of 5 digits"):
        to_fraction("123456", "x")
    assert to_fraction("12345", "x") == 12345
    assert to_fraction("123456", "x", limit=6) == 123456
    monkeypatch.setenv("VERIFIED_MAX_DIGITS", "many")
    with pytest.raises(InvalidInput, match="VERIFIED_MAX_DIGITS"):
        max_digits()


def test_fraction_text_of_numbers_beyond_pythons_print_limit() -> None:
    value = Fraction(10**5000 + 1, 3)
    text = fraction_text(value)
    numerator, denominator = text.split("/")
    assert denominator == "3" and numerator == "1" + "0" * 4999 + "1"


@pytest.mark.parametrize(
    "names",
    [None, [None], [[1]], [True], [""], ["  "], [" a"], [1.5], ["a", "a"], 2.0, True, 0, -3, {"a": 1}],
)
def test_names_refuse_what_is_not_a_name(names: object) -> None:
    with pytest.raises(InvalidInput):
        validated_names(names, "agents")  # type: ignore[arg-type]


def test_problem_make_coercions() -> None:
    assert Problem.make([1, 2], "ab").agents == ("1", "2")
    assert Problem.make(2, 3).objects == ("a", "b", "c")
    assert Problem.make(2, "x y").objects == ("x", "y")
    for agents, objects in [
        (None, "ab"),
        ([None], "ab"),
        ([[1]], "ab"),
        (2, -24),
        (2, 0),
        (2, None),
        (2, True),
    ]:
        with pytest.raises(InvalidInput):
            Problem.make(agents, objects)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="names must be a tuple of strings"):
        Problem(("1", 2), ("a",), (1,))  # type: ignore[arg-type]
    problem = Problem.make(2, "ab")
    for ranking in (None, 2, [None], [["a"]], [True]):
        with pytest.raises(InvalidInput, match="preference"):
            problem.preference(ranking)  # type: ignore[arg-type]
    for profile in (2, None, "ab"):
        with pytest.raises(InvalidInput, match="profile"):
            problem.profile(profile)  # type: ignore[arg-type]


def test_priorities_make_refuses_non_lists() -> None:
    problem = Problem.make(2, "ab")
    for orders in (5, {"a": 5, "b": ["1", "2"]}, {"a": [None, "2"], "b": ["1", "2"]}, [["1", "2"], 3]):
        with pytest.raises(InvalidInput, match="priorities"):
            Priorities.make(problem, orders)  # type: ignore[arg-type]


def test_count_rankings_matches_the_enumeration() -> None:
    from verified.assignment.domain import all_preferences

    for m in range(6):
        assert count_rankings(m) == len(all_preferences("abcdef"[:m]))
    assert count_rankings(50, cap=1000) > 1000  # stops early


def test_table_limit_and_its_override(monkeypatch: pytest.MonkeyPatch) -> None:
    domain = Domain.full(Problem.make(4, "abc"))  # 16^4 profiles x 4 agents x 4 columns
    cells = 16**4 * 4 * 4
    assert domain.table_cells == cells and cells <= MAX_TABLE_CELLS
    domain.require_table()
    with pytest.raises(DomainTooLarge, match=f"{cells:,} cells, more than the limit of {cells - 1:,}"):
        domain.require_table(limit=cells - 1)
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", str(cells - 1))
    assert max_table_cells() == cells - 1
    with pytest.raises(DomainTooLarge):
        domain.require_table()
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", "2**40")
    with pytest.raises(InvalidInput, match="VERIFIED_MAX_TABLE_CELLS"):
        max_table_cells()


def test_the_benchmarks_largest_materialised_table_fits() -> None:
    """benchmarks/bench_assignment.py tabulates n = 5, m = 3 (16^5 profiles); the orbit
    benchmarks (n = 4, m = 4: 65^4 profiles) never build the full table."""
    Domain.full(Problem.make(5, "abc")).require_table()
    orbit_domain = Domain.full(Problem.make(4, "abcd"))
    assert len(orbit_domain) == 65**4  # describing it is fine
    with pytest.raises(DomainTooLarge):
        orbit_domain.require_table()
