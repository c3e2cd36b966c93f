"""The z3 path (verified.assignment.encodings) and the direct exact path
(verified.assignment.properties) must agree; every z3 counterexample is re-verified here
from its own numbers."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.domain import Domain
from verified.assignment.encodings import (
    SymbolicTable,
    check_assignment_dominance_smt,
    check_equal_treatment_smt,
    check_individually_rational_smt,
    check_nonwasteful_at_smt,
    check_nonwasteful_smt,
    check_strategyproof_smt,
    constraints,
)
from verified.assignment.mechanism import TabulatedMechanism, tabulate
from verified.assignment.model import OUTSIDE, Problem
from verified.assignment.properties._common import table_digest
from verified.assignment.properties.equal_treatment import check_equal_treatment
from verified.assignment.properties.fosd import check_assignment_dominance
from verified.assignment.properties.individual_rationality import check_individually_rational
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.assignment.properties.wastefulness import check_nonwasteful, check_wastefulness
from verified.strategies import (
    problems,
    profiles,
    small_domains,
    stochastic_assignments,
    tabulated_mechanisms,
)


def _cumulative(row: dict[str, str], prefix: list[str]) -> Fraction:
    return sum((Fraction(row[x]) for x in prefix), Fraction(0))


def _recheck_sp(evidence: dict, table: TabulatedMechanism) -> None:
    """Re-derive a z3 manipulation from the table itself: rows at both profiles, then the prefix sums."""
    p = table.problem
    i = p.agents.index(evidence["agent"])
    truthful = table(tuple(tuple(r) for r in evidence["profile"])).matrix[i]
    lying = table(tuple(tuple(r) for r in evidence["misreport_profile"])).matrix[i]
    cols = [p.columns.index(x) for x in evidence["prefix"]]
    # The prefix is an upper contour set of the TRUE ranking: its top k (k >= 1), or all of it + outside.
    true_pref = list(evidence["true_preference"])
    prefix = list(evidence["prefix"])
    assert prefix == true_pref + [OUTSIDE] or (prefix and prefix == true_pref[: len(prefix)])
    assert sum(truthful[c] for c in cols) < sum(lying[c] for c in cols)
    assert Fraction(evidence["truthful_cumulative"]) == sum(truthful[c] for c in cols)


def _recheck_waste(evidence: dict, assignment) -> None:
    p = assignment.problem
    j = p.agents.index(evidence["agent"])
    y, z = evidence["worse"], evidence["better"]
    pref = list(evidence["preference"]) + [OUTSIDE]
    # z is ranked above y: both listed with z first, or y is unacceptable (below the outside option).
    assert z in pref and (y not in pref or pref.index(z) < pref.index(y))
    assert assignment.prob(p.agents[j], y) > 0
    used = assignment.prob(p.agents[j], OUTSIDE) if z == OUTSIDE else assignment.column_sum(z)
    cap = 1 if z == OUTSIDE else p.capacity(z)
    assert used < cap


@st.composite
def small_tables(draw, individually_rational=None):
    problem = draw(problems(max_agents=3, max_objects=2))
    domain = draw(small_domains(problem, max_rankings=3))
    ir = draw(st.booleans()) if individually_rational is None else individually_rational
    return draw(tabulated_mechanisms(domain, individually_rational=ir))


def _recheck_ir(evidence: dict, table: TabulatedMechanism) -> None:
    profile = tuple(tuple(r) for r in evidence["profile"])
    assert evidence["object"] not in evidence["preference"]
    assert table(profile).prob(evidence["agent"], evidence["object"]) == Fraction(evidence["probability"]) > 0


def _recheck_waste_in_table(evidence: dict, table: TabulatedMechanism) -> None:
    _recheck_waste(evidence, table(tuple(tuple(r) for r in evidence["profile"])))


# (direct exact check, z3 check, re-check of a z3 counterexample from its own numbers)
AGREEMENT = {
    "strategyproofness": (check_strategyproof, check_strategyproof_smt, _recheck_sp),
    "individual_rationality": (check_individually_rational, check_individually_rational_smt, _recheck_ir),
    "nonwastefulness": (check_nonwasteful, check_nonwasteful_smt, _recheck_waste_in_table),
}


@pytest.mark.parametrize("prop", sorted(AGREEMENT))
@settings(max_examples=40)
@given(table=small_tables())
def test_direct_and_z3_agree(prop, table):
    direct_check, smt_check, recheck = AGREEMENT[prop]
    direct = direct_check(table, table.domain)
    via_z3 = smt_check(table, table.domain)
    assert direct.verdict == via_z3.verdict
    if via_z3.fails:
        recheck(via_z3.evidence, table)
    else:
        assert via_z3.evidence["subject"]["table_digest"] == table_digest(table)


@settings(max_examples=40)
@given(st.data())
def test_assignment_level_checks_agree(data):
    problem = data.draw(problems(max_agents=3, max_objects=3))
    profile = data.draw(profiles(problem))
    gamma = data.draw(stochastic_assignments(problem, profile if data.draw(st.booleans()) else None))
    omega = data.draw(stochastic_assignments(problem, profile))
    assert check_wastefulness(gamma, profile).verdict == check_nonwasteful_at_smt(gamma, profile).verdict
    found = check_nonwasteful_at_smt(gamma, profile)
    if found.fails:
        _recheck_waste(found.evidence, gamma)
    direct = check_assignment_dominance(gamma, omega, profile)
    via_z3 = check_assignment_dominance_smt(gamma, omega, profile)
    assert direct.verdict == via_z3.verdict
    if via_z3.fails:
        e = via_z3.evidence
        assert _cumulative(e["row_gamma"], e["prefix"]) < _cumulative(e["row_omega"], e["prefix"])
        i = problem.agents.index(e["agent"])
        assert [gamma.matrix[i][problem.columns.index(x)] for x in problem.columns] == [
            Fraction(e["row_gamma"][x]) for x in problem.columns
        ]


def _equal_treatment_direct(table: TabulatedMechanism) -> bool:
    """Independent: at every profile, agents with the same ranking have identical rows."""
    for index, profile in enumerate(table.domain):
        rows = table.at_index(index).matrix
        for i in range(len(profile)):
            for j in range(i + 1, len(profile)):
                if profile[i] == profile[j] and rows[i] != rows[j]:
                    return False
    return True


@settings(max_examples=30)
@given(small_tables(individually_rational=True))
def test_equal_treatment_agrees(table):
    via_z3 = check_equal_treatment_smt(table, table.domain)
    assert via_z3.holds == _equal_treatment_direct(table)
    assert via_z3.verdict == check_equal_treatment(table, table.domain).verdict
    if via_z3.fails:
        e = via_z3.evidence
        a, b = e["probabilities"]
        assert a != b
        rows = table(tuple(tuple(r) for r in e["profile"]))
        assert rows.prob(e["agents"][0], e["column"]) == Fraction(a)
        assert rows.prob(e["agents"][1], e["column"]) == Fraction(b)


@pytest.mark.parametrize(("n", "m"), [(2, 2), (3, 2)])
def test_builtin_random_priority_agrees(n, m):
    from verified.assignment.mechanisms.random_priority import random_priority
    from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship

    problem = Problem.make(n, m)
    domain = Domain.full(problem)
    for mechanism in (random_priority(problem), serial_dictatorship(problem)):
        table = tabulate(mechanism, domain)
        for direct, via_z3 in (
            (check_strategyproof, check_strategyproof_smt),
            (check_individually_rational, check_individually_rational_smt),
            (check_nonwasteful, check_nonwasteful_smt),
        ):
            assert direct(table, domain).verdict == via_z3(table, domain).verdict
        # RP and serial dictatorships are strategy-proof and individually rational (Erdil, section 2).
        assert check_strategyproof_smt(table, domain).holds
        assert check_individually_rational_smt(table, domain).holds
    assert check_equal_treatment_smt(tabulate(random_priority(problem), domain), domain).holds
    # A serial dictatorship treats equals unequally: at a profile where both rank a first, agent 1 gets a.
    assert check_equal_treatment_smt(tabulate(serial_dictatorship(problem), domain), domain).fails


def test_existential_query_finds_a_strategyproof_but_wasteful_table():
    # Two agents, one object: is there a valid, IR, strategy-proof table that is wasteful?
    # Yes (e.g. never assign a); z3's table is then checked by the direct path.
    problem = Problem.make(2, "a")
    domain = Domain.full(problem)
    g = SymbolicTable.fresh(domain)
    given_ = constraints.valid(g) + constraints.individually_rational(g) + constraints.strategyproof(g)
    found = check_nonwasteful_smt(g, domain, given=given_)
    assert found.fails
    table = g.read(_outcome_from(found, g))
    assert check_strategyproof(table, domain).holds
    assert check_individually_rational(table, domain).holds
    assert check_nonwasteful(table, domain).fails


def test_no_strategyproof_table_violates_strategyproofness():
    # Sanity of the machinery with unknowns: under the SP constraints the SP violation query is unsat.
    problem = Problem.make(2, "ab")
    domain = Domain.restricted(problem, [["ab", "ba", "a"], ["ab", "b"]])
    g = SymbolicTable.fresh(domain)
    given_ = constraints.valid(g) + constraints.strategyproof(g)
    assert check_strategyproof_smt(g, domain, given=given_).holds
    # Without them, z3 exhibits a manipulable valid table, which the direct path confirms.
    found = check_strategyproof_smt(g, domain, given=constraints.valid(g))
    assert found.fails
    assert check_strategyproof(g.read(_outcome_from(found, g)), domain).fails


def _outcome_from(result, table: SymbolicTable):
    """Rebuild an SmtOutcome-like model from the FAILS evidence's decoded table."""
    from verified.smt import SmtOutcome

    return SmtOutcome("sat", {name: Fraction(v) for name, v in result.evidence["table"].items()})


def test_resource_limit_gives_unknown_not_a_verdict():
    # z3's deterministic resource counter: a tiny budget cannot settle this query, and the answer
    # must be UNKNOWN with z3's reason, never HOLDS or FAILS.
    problem = Problem.make(2, "ab")
    domain = Domain.full(problem)
    g = SymbolicTable.fresh(domain)
    given_ = constraints.valid(g) + constraints.strategyproof(g) + constraints.equal_treatment(g)
    found = check_nonwasteful_smt(g, domain, given=given_, rlimit=50)
    assert found.unknown and found.reason.startswith("z3:")
    assert found.evidence["kind"] == "smt_unknown"


def test_dominance_builders_erdil_proposition_1():
    from verified.assignment.mechanism import FunctionMechanism
    from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
    from verified.assignment.properties.fosd import check_mechanism_dominance
    from verified.assignment.stochastic import StochasticAssignment
    from verified.smt import solve

    problem = Problem.make(2, "ab")
    domain = Domain.full(problem)
    g = SymbolicTable.fresh(domain)
    sp_ir = constraints.valid(g) + constraints.individually_rational(g) + constraints.strategyproof(g)
    # Erdil, Proposition 1: a non-wasteful strategy-proof mechanism (a serial dictatorship) is not
    # dominated by any strategy-proof mechanism.
    sd = SymbolicTable.from_mechanism(serial_dictatorship(problem), domain)
    assert check_nonwasteful(sd.read(), domain).holds
    assert solve(sp_ir + constraints.dominates(g, sd)).unsat
    # The mechanism that never assigns anything is wasteful and strategy-proof; z3 finds a
    # strategy-proof mechanism dominating it, which the direct checks confirm.
    nothing = FunctionMechanism(
        problem, "nothing", lambda prof: StochasticAssignment.deterministic(problem, [None] * problem.n)
    )
    base = SymbolicTable.from_mechanism(nothing, domain)
    outcome = solve(sp_ir + constraints.dominates(g, base))
    assert outcome.sat
    better = g.read(outcome)
    assert check_mechanism_dominance(better, nothing, domain).holds
    assert check_strategyproof(better, domain).holds
