"""Economy and CostDomain: exact input, validation naming the place, linear descriptions."""

from __future__ import annotations

from fractions import Fraction

import pytest

from verified.errors import InvalidInput
from verified.trading.model import CostDomain, Economy, dot, vector


def test_vector_is_exact_and_rejects_floats() -> None:
    assert vector([1, "1/3", Fraction(2, 5)], "v") == (Fraction(1), Fraction(1, 3), Fraction(2, 5))
    with pytest.raises(InvalidInput, match=r"v\[1\]"):
        vector([1, 0.5], "v")
    with pytest.raises(InvalidInput, match="expected 3 entries"):
        vector([1, 2], "v", 3)


def test_economy_make_defaults_and_market_clearing() -> None:
    e = Economy.make(["A", "B"], ["ann", "bob"], [[1, "1/2"], [0, "1/2"]], performance=[[1, 2], [3, 1]])
    assert e.supplies == (Fraction(1), Fraction(1))  # 1 + 0, 1/2 + 1/2
    assert e.cost_domains[0].kind == "orthant"
    assert e.agent_index("bob") == 1
    # social cost of the endowment: (1,2).(1,1/2) + (3,1).(0,1/2) = 2 + 1/2
    assert e.social_cost(e.endowment) == Fraction(5, 2)
    assert e.clears_market(e.endowment)
    assert not e.clears_market([(Fraction(1), Fraction(0)), (Fraction(0), Fraction(0))])  # task B: 0 != 1


def test_economy_rejects_unbalanced_endowment_naming_the_task() -> None:
    with pytest.raises(InvalidInput, match="task 'B'"):
        Economy.make(["A", "B"], 2, [[1, 1], [0, 1]], supplies=[1, 1])
    with pytest.raises(InvalidInput, match="endowment of agent '2', task 'A'"):
        Economy.make(["A", "B"], 2, [[1, 1], [-1, 0]])
    with pytest.raises(InvalidInput, match="cost domain of agent '1'"):
        Economy.make(2, 1, [[1, 1]], cost_domains=[CostDomain.orthant(3)])


def test_cost_domain_box_vertices_and_description() -> None:
    box = CostDomain.box([0, 1], [2, 1])
    assert box.vertices() == ((0, 1), (2, 1))  # task 2 is degenerate: lo = hi = 1
    assert box.contains(["1/2", 1]) and not box.contains([3, 1])
    desc = box.linear_description()
    assert desc.contains((Fraction(2), Fraction(1))) and not desc.contains((Fraction(2), Fraction(2)))
    with pytest.raises(InvalidInput, match=r"lo\[0\]"):
        CostDomain.box([-1, 0], [1, 1])
    with pytest.raises(InvalidInput, match="exceeds"):
        CostDomain.box([2, 0], [1, 1])


def test_positive_orthant_is_strict() -> None:
    pos = CostDomain.positive_orthant(2)
    assert pos.contains([1, "1/9"]) and not pos.contains([1, 0])
    assert CostDomain.orthant(2).contains([1, 0])
    desc = pos.linear_description()
    assert all(desc.strict) and not desc.contains((Fraction(0), Fraction(1)))
    with pytest.raises(InvalidInput):
        pos.vertices()


def test_dot() -> None:
    assert dot((Fraction(1, 2), Fraction(3)), (Fraction(4), Fraction(-1, 3))) == Fraction(1)  # 2 - 1
