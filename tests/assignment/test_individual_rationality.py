"""Individual rationality (Erdil, section 2): no probability on unacceptable objects."""

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assignment.reference_mechanisms import random_priority, table_of
from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem
from verified.assignment.properties.individual_rationality import (
    check_individually_rational,
    check_individually_rational_assignment,
    is_individually_rational_assignment,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.strategies import profiles, small_domains, stochastic_assignments, tabulated_mechanisms

F = Fraction


def test_assignment_ir_holds_and_fails():
    p = Problem.make(2, "ab")
    gamma = StochasticAssignment.from_rows(p, [{"a": "1/2", "b": "1/2"}, {"b": "1/2", "outside": "1/2"}])
    assert check_individually_rational_assignment(gamma, ["ab", "b"]).holds
    res = check_individually_rational_assignment(gamma, ["a", "b"])
    assert res.fails
    ev = res.evidence
    # agent 1 ranks only a, yet gets b with probability 1/2
    assert (ev["agent"], ev["object"], ev["probability"]) == ("1", "b", "1/2")
    assert gamma.prob(ev["agent"], ev["object"]) == F(ev["probability"]) > 0


def test_mechanism_ir_on_rp_and_on_a_broken_table():
    problem = Problem.make(2, "ab")
    domain = Domain.full(problem)
    rp = table_of(domain, random_priority, "RP")
    res = check_individually_rational(rp, domain)
    assert res.holds
    # 25 profiles x 2 agents x (unacceptable objects per ranking: 2,1,1,0,0 over 5 rankings) x 5 others
    assert res.evidence["entries_checked"] == 2 * 5 * (2 + 1 + 1 + 0 + 0)
    nums = np.array(rp.numerators, dtype=np.int64)
    index = domain.index(problem.profile(["", "ab"]))
    nums[index, 0] = [1, 0, 1]  # agent 1 lists nothing but gets a with 1/2 (den 2)
    nums[index, 1] = [0, 1, 1]  # agent 2 (ranks a b) gets b or nothing: still a valid table
    bad = TabulatedMechanism(domain, nums, rp.denominator, "bad")
    out = check_individually_rational(bad, domain)
    assert out.fails
    ev = out.evidence
    prof = problem.profile(ev["profile"])
    assert bad(prof).prob(ev["agent"], ev["object"]) == F(ev["probability"]) == F(1, 2)
    assert ev["object"] not in prof[problem.agent_index(ev["agent"])]


@settings(max_examples=30)
@given(st.data())
def test_ir_agrees_with_direct_definition(data):
    problem = Problem.make(2, "ab")
    prof = data.draw(profiles(problem))
    gamma = data.draw(stochastic_assignments(problem))
    direct = all(
        gamma.matrix[i][k] == 0
        for i, pref in enumerate(prof)
        for k, x in enumerate(problem.objects)
        if x not in pref
    )
    assert is_individually_rational_assignment(gamma, prof) == direct
    ir_gamma = data.draw(stochastic_assignments(problem, prof))
    assert is_individually_rational_assignment(ir_gamma, prof)


@settings(max_examples=10)
@given(st.data())
def test_tables_from_ir_strategy_are_ir(data):
    problem = Problem.make(2, "ab")
    domain = data.draw(small_domains(problem))
    table = data.draw(tabulated_mechanisms(domain))
    assert check_individually_rational(table, domain).holds
