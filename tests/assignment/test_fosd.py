"""First-order stochastic dominance (Erdil, (FOSD)) for rows, assignments and mechanisms."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assignment.reference_mechanisms import random_priority, table_of
from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem
from verified.assignment.properties.fosd import (
    check_assignment_dominance,
    check_fosd,
    check_mechanism_dominance,
    check_strict_assignment_dominance,
    check_strict_fosd,
    is_fosd,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.strategies import preferences, problems

F = Fraction
P3 = Problem.make(1, "abc")


def cumulative(row, prefix, problem):
    return sum((F(row[problem.columns.index(x)]) for x in prefix), F(0))


def test_fosd_holds_and_fails_with_prefix_witness():
    # ranking a > b > outside; rows over (a, b, c, outside)
    good = [F(1, 2), F(1, 4), 0, F(1, 4)]
    bad = [F(1, 3), F(1, 3), 0, F(1, 3)]  # {a}: 1/3 < 1/2, {a, b}: 2/3 < 3/4
    res = check_fosd(good, bad, "ab", P3)
    assert res.holds and res.evidence["strict_prefix"] == ["a"]  # 1/2 > 1/3 at the top
    back = check_fosd(bad, good, "ab", P3)
    assert back.fails
    ev = back.evidence
    # hand: top prefix {a}: 1/3 < 1/2
    assert ev["prefix"] == ["a"] and ev["a"] == "1/3" and ev["b"] == "1/2"
    assert cumulative(bad, ev["prefix"], P3) < cumulative(good, ev["prefix"], P3)


def test_second_prefix_violation_and_strictness():
    a = [F(1, 2), 0, 0, F(1, 2)]
    b = [F(1, 2), F(1, 4), 0, F(1, 4)]
    res = check_fosd(a, b, "ab", P3)
    # {a}: 1/2 = 1/2, {a, b}: 1/2 < 3/4
    assert res.fails and res.evidence["prefix"] == ["a", "b"]
    assert res.evidence["a"] == "1/2" and res.evidence["b"] == "3/4"
    same = check_strict_fosd(a, a, "ab", P3)
    assert same.fails and same.evidence["kind"] == "no_strict_prefix"
    assert check_strict_fosd(b, a, "ab", P3).holds


def test_floats_are_rejected():
    import pytest

    from verified.errors import InvalidInput

    with pytest.raises(InvalidInput, match="float"):
        check_fosd([0.5, 0.5, 0, 0], [1, 0, 0, 0], "ab", P3)


@st.composite
def ir_rows(draw, problem, pref, count):
    """``count`` exact lotteries over pref's objects and the outside option."""
    cols = [problem.object_index(x) for x in pref] + [problem.m]
    rows = []
    for _ in range(count):
        weights = draw(st.lists(st.integers(0, 4), min_size=len(cols), max_size=len(cols)))
        if sum(weights) == 0:
            weights[-1] = 1
        row = [F(0)] * (problem.m + 1)
        for c, w in zip(cols, weights, strict=True):
            row[c] = F(w, sum(weights))
        rows.append(row)
    return rows


@settings(max_examples=60)
@given(st.data())
def test_fosd_is_a_partial_order_on_ir_rows(data):
    problem = data.draw(problems(max_agents=1, max_objects=3))
    pref = data.draw(preferences(problem))
    a, b, c = data.draw(ir_rows(problem, pref, 3))
    assert is_fosd(a, a, pref, problem)  # reflexive
    if is_fosd(a, b, pref, problem) and is_fosd(b, a, pref, problem):
        assert a == b  # antisymmetric on IR rows (prefix sums determine the row)
    if is_fosd(a, b, pref, problem) and is_fosd(b, c, pref, problem):
        assert is_fosd(a, c, pref, problem)  # transitive
    # the verdict agrees with a direct recomputation of every prefix
    prefixes = [pref[: k + 1] for k in range(len(pref))] + [(*pref, "outside")]
    direct = all(cumulative(a, q, problem) >= cumulative(b, q, problem) for q in prefixes)
    assert is_fosd(a, b, pref, problem) == direct


def remark2():
    # Erdil, Remark 2: R1 = a b, R2 = c b, R3 = a, R4 = c.
    problem = Problem.make(4, "abc")
    profile = problem.profile(["ab", "cb", "a", "c"])
    return problem, profile, random_priority(problem, profile)


def test_assignment_dominance_lists_strict_gainers():
    problem, profile, rp = remark2()
    # give agent 1 the wasted b: 1/8 of it (her outside share is 1/8, b's column is 3/4)
    rows = [list(r) for r in rp.matrix]
    assert rows[0][3] == F(1, 8)
    rows[0][1] += F(1, 8)
    rows[0][3] -= F(1, 8)
    better = StochasticAssignment(problem, tuple(tuple(r) for r in rows))
    res = check_strict_assignment_dominance(better, rp, profile)
    assert res.holds
    gains = res.evidence["strict_gains"]
    assert [g["agent"] for g in gains] == ["1"]
    # prefix {a, b}: 1/2 + 1/2 = 1 vs 1/2 + 3/8 = 7/8
    assert gains[0]["prefix"] == ["a", "b"] and gains[0]["gamma_cumulative"] == "1"
    assert gains[0]["omega_cumulative"] == "7/8"
    back = check_assignment_dominance(rp, better, profile)
    assert back.fails and back.evidence["agent"] == "1"
    ev = back.evidence
    assert F(ev["gamma_cumulative"]) < F(ev["omega_cumulative"])
    equal = check_strict_assignment_dominance(rp, rp, profile)
    assert equal.fails and equal.evidence["kind"] == "no_strict_gain"


def test_mechanism_dominance_rp_over_uniform_disposal():
    # Erdil, Remark 1 in spirit: RP dominates "uniform lottery with free disposal" where
    # every agent gets 1/n of each acceptable object (n = 2, one copy each).
    problem = Problem.make(2, "ab")
    domain = Domain.full(problem)

    def uniform(problem, profile):
        rows = []
        for pref in profile:
            row = {x: F(1, 2) for x in pref}
            rows.append(row)
        return StochasticAssignment.from_rows(problem, rows, fill_outside=True)

    rp = table_of(domain, random_priority, "RP")
    uni = table_of(domain, uniform, "uniform")
    res = check_mechanism_dominance(rp, uni, domain)
    assert res.holds
    w = res.evidence["strict_witness"]
    prof = problem.profile(w["profile"])
    i = problem.agent_index(w["agent"])
    g_row = rp(prof).matrix[i]
    f_row = uni(prof).matrix[i]
    assert cumulative(g_row, w["prefix"], problem) > cumulative(f_row, w["prefix"], problem)
    back = check_mechanism_dominance(uni, rp, domain)
    assert back.fails and back.evidence["kind"] == "violated_prefix"
    ev = back.evidence
    prof = problem.profile(ev["profile"])
    i = problem.agent_index(ev["agent"])
    assert cumulative(uni(prof).matrix[i], ev["prefix"], problem) < cumulative(
        rp(prof).matrix[i], ev["prefix"], problem
    )
    same = check_mechanism_dominance(rp, rp, domain)
    assert same.fails and same.evidence["kind"] == "never_strict"


def test_mechanism_dominance_across_denominators():
    problem = Problem.make(1, "a")
    domain = Domain.full(problem)  # rankings (), (a,)
    import numpy as np

    half = np.array([[[0, 2]], [[1, 1]]], dtype=np.int64)  # a: 1/2 when acceptable
    third = np.array([[[0, 3]], [[1, 2]]], dtype=np.int64)  # a: 1/3 when acceptable
    g = TabulatedMechanism(domain, half, 2, "half")
    f = TabulatedMechanism(domain, third, 3, "third")
    res = check_mechanism_dominance(g, f, domain)
    assert res.holds  # 1/2 > 1/3 at profile ((a,),)
    assert res.evidence["strict_witness"]["g_cumulative"] == "1/2"
    assert res.evidence["strict_witness"]["f_cumulative"] == "1/3"
