"""Lotteries over deterministic assignments and the exact Birkhoff-von Neumann decomposition."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.lottery import DeterministicAssignment, Lottery, decompose
from verified.assignment.model import OUTSIDE, Problem
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput


@st.composite
def problems(draw):
    n = draw(st.integers(1, 4))
    m = draw(st.integers(1, 3))
    caps = draw(st.lists(st.integers(1, 2), min_size=m, max_size=m))
    return Problem.make(n, m, caps)


@st.composite
def deterministic(draw, problem):
    left = list(problem.capacities)
    out: list[str | None] = []
    for _ in problem.agents:
        choices = [None] + [x for k, x in enumerate(problem.objects) if left[k] > 0]
        x = draw(st.sampled_from(choices))
        if x is not None:
            left[problem.objects.index(x)] -= 1
        out.append(x)
    return DeterministicAssignment(problem, tuple(out))


@st.composite
def mixtures(draw):
    """A random stochastic assignment, built as a random mixture of deterministic ones."""
    problem = draw(problems())
    k = draw(st.integers(1, 5))
    parts = [draw(deterministic(problem)) for _ in range(k)]
    raw = draw(st.lists(st.integers(1, 12), min_size=k, max_size=k))
    total = sum(raw)
    return Lottery.make(problem, [(Fraction(r, total), d) for r, d in zip(raw, parts, strict=True)])


def _recompute(lottery: Lottery) -> list[list[Fraction]]:
    """Independent sum of weight x indicator, straight from the JSON of the lottery."""
    p = lottery.problem
    cols = list(p.columns)
    out = [[Fraction(0)] * len(cols) for _ in p.agents]
    for item in lottery.to_json():
        w = Fraction(item["weight"])
        for i, a in enumerate(p.agents):
            out[i][cols.index(item["assignment"][a])] += w
    return out


@settings(max_examples=60)
@given(mixtures())
def test_decomposition_sums_back_exactly(lottery):
    gamma = lottery.expected()
    parts = decompose(gamma)
    assert sum((w for w, _ in parts.outcomes), Fraction(0)) == 1
    assert all(w > 0 for w, _ in parts.outcomes)
    assert _recompute(parts) == [list(r) for r in gamma.matrix]
    # Every outcome lies in the support of gamma and respects the capacities (validated on construction).
    for _, d in parts.outcomes:
        for i in range(gamma.problem.n):
            assert gamma.matrix[i][d.column(i)] > 0


@settings(max_examples=40)
@given(
    st.integers(1, 4), st.lists(st.lists(st.integers(0, 7), min_size=3, max_size=3), min_size=4, max_size=4)
)
def test_decomposition_of_arbitrary_rows(n, weights):
    # Capacities n, so any rows summing to 1 are a valid assignment; rows of zeros go to the outside option.
    p = Problem.make(n, "ab", [n, n])
    rows = []
    for w in weights[:n]:
        total = sum(w)
        rows.append([Fraction(v, total) for v in w] if total else [0, 0, 1])
    gamma = StochasticAssignment.from_rows(p, rows)
    assert decompose(gamma).expected() == gamma


def test_hand_example():
    # One object a (1 copy), two agents each with 1/2 of a: the lottery is a to 1 or a to 2, 1/2 each.
    p = Problem.make(2, "a")
    gamma = StochasticAssignment.from_rows(p, [{"a": "1/2", OUTSIDE: "1/2"}, {"a": "1/2", OUTSIDE: "1/2"}])
    parts = decompose(gamma)
    assert sorted((w, str(d.to_json())) for w, d in parts.outcomes) == [
        (Fraction(1, 2), str({"1": "a", "2": OUTSIDE})),
        (Fraction(1, 2), str({"1": OUTSIDE, "2": "a"})),
    ]


def test_lottery_validation():
    p = Problem.make(2, "a")
    d1 = DeterministicAssignment(p, ("a", None))
    with pytest.raises(InvalidInput, match="sum to 1/2"):
        Lottery.make(p, [("1/2", d1)])
    with pytest.raises(InvalidInput, match="capacity"):
        DeterministicAssignment(p, ("a", "a"))
    with pytest.raises(InvalidInput, match="float"):
        Lottery.make(p, [(1.0, d1)])
    merged = Lottery.make(p, [("1/2", d1), ("1/2", ("a", None))])
    assert merged.outcomes == ((Fraction(1), d1),)
