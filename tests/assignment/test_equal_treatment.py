"""Equal treatment of equals and anonymity (Erdil, section 2)."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assignment.reference_mechanisms import lottery, random_priority, serial_dictatorship, table_of
from verified.assignment.domain import Domain
from verified.assignment.model import Problem
from verified.assignment.properties.equal_treatment import (
    anonymity_generators,
    check_anonymous,
    check_equal_treatment,
    check_equal_treatment_assignment,
    is_anonymous,
    is_equal_treatment,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.strategies import anonymous_tabulated_mechanisms, small_domains, tabulated_mechanisms


def test_assignment_level():
    p = Problem.make(2, "ab")
    gamma = StochasticAssignment.from_rows(p, [{"a": "1/2", "b": "1/2"}, {"a": "1/2", "b": "1/2"}])
    assert check_equal_treatment_assignment(gamma, ["ab", "ab"]).holds
    det = StochasticAssignment.deterministic(p, ["a", "b"])
    res = check_equal_treatment_assignment(det, ["ab", "ab"])
    assert res.fails
    ev = res.evidence
    assert ev["agents"] == ["1", "2"] and ev["rows"][0] != ev["rows"][1]
    assert check_equal_treatment_assignment(det, ["ab", "ba"]).holds  # different rankings: nothing to compare


def test_rp_is_anonymous_and_serial_dictatorship_is_not():
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    rp = table_of(domain, random_priority, "RP")
    res = check_anonymous(rp)
    assert res.holds and res.evidence["generators"] == [[1, 0, 2], [1, 2, 0]]
    assert res.evidence["comparisons"] == 125 * 2
    assert check_equal_treatment(rp, domain).holds
    sd = table_of(domain, lambda p, prof: lottery(p, prof, serial_dictatorship, [(0, 1, 2)]), "SD")
    bad = check_anonymous(sd)
    assert bad.fails
    recheck_permutation(sd, bad.evidence)
    eq = check_equal_treatment(sd, domain)
    assert eq.fails
    ev = eq.evidence
    prof = problem.profile(ev["profile"])
    i, j = (problem.agent_index(a) for a in ev["agents"])
    assert prof[i] == prof[j] and sd(prof).matrix[i] != sd(prof).matrix[j]


def recheck_permutation(table, ev):
    problem = table.problem
    prof = problem.profile(ev["profile"])
    pi = ev["permutation"]
    moved = tuple(prof[pi[k]] for k in range(problem.n))
    assert [list(r) for r in moved] == ev["permuted_profile"]
    i = problem.agent_index(ev["agent"])
    assert table(moved).matrix[i] != table(prof).matrix[pi[i]]


def test_generators_cover_the_symmetric_group():
    # closure of the generators under composition is all n! permutations
    for n in range(1, 6):
        group = {tuple(range(n))}
        frontier = list(group)
        gens = anonymity_generators(n)
        while frontier:
            new = []
            for g in frontier:
                for h in gens:
                    c = tuple(g[h[i]] for i in range(n))
                    if c not in group:
                        group.add(c)
                        new.append(c)
            frontier = new
        assert len(group) == len(list(itertools.permutations(range(n))))


def brute_anonymous(table):
    problem = table.problem
    for prof in table.domain:
        for pi in itertools.permutations(range(problem.n)):
            moved = tuple(prof[pi[k]] for k in range(problem.n))
            if any(table(moved).matrix[i] != table(prof).matrix[pi[i]] for i in range(problem.n)):
                return False
    return True


@settings(max_examples=12)
@given(st.data())
def test_generators_agree_with_all_permutations(data):
    problem = Problem.make(data.draw(st.integers(2, 3)), "ab")
    domain = data.draw(small_domains(problem, symmetric=True, max_rankings=3))
    anonymous = data.draw(st.booleans())
    if anonymous:
        table = data.draw(anonymous_tabulated_mechanisms(domain))
    else:
        table = data.draw(tabulated_mechanisms(domain))
    res = check_anonymous(table)
    assert res.holds == brute_anonymous(table)
    if anonymous:
        assert res.holds and is_equal_treatment(table, domain)
    if res.fails:
        recheck_permutation(table, res.evidence)
    assert is_anonymous(table) == res.holds
