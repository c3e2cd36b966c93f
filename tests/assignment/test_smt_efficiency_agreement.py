"""The z3 path (verified.assignment.encodings.efficiency) and the exact-LP path
(verified.assignment.properties.efficiency / .stability) must agree on ex post efficiency,
SD-efficiency and ex post stability; every witness is re-verified here from its own numbers."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.encodings import check_ex_post_stable_smt as package_check_ex_post_stable_smt
from verified.assignment.encodings.efficiency import (
    check_ex_post_efficient_smt,
    check_ex_post_stable_smt,
    check_sd_efficient_smt,
    is_ex_post_efficient_smt,
    is_ex_post_stable_smt,
    is_sd_efficient_smt,
)
from verified.assignment.lottery import DeterministicAssignment
from verified.assignment.mechanisms.probabilistic_serial import probabilistic_serial
from verified.assignment.mechanisms.random_deferred_acceptance import random_deferred_acceptance
from verified.assignment.mechanisms.random_priority import random_priority
from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
from verified.assignment.model import OUTSIDE, Problem
from verified.assignment.priorities import Priorities, blocking_pairs
from verified.assignment.properties.efficiency import (
    check_ex_post_efficient_assignment,
    check_sd_efficient_assignment,
    pareto_improvement,
)
from verified.assignment.properties.fosd import check_strict_assignment_dominance
from verified.assignment.properties.stability import check_ex_post_stable_assignment
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.strategies import problems, profiles, stochastic_assignments


def _recheck_lottery(evidence: dict, gamma: StochasticAssignment, admissible) -> None:
    """The lottery's weights are positive, sum to 1, each outcome is admissible, and the
    weighted outcomes add up to gamma cell by cell (all in Fractions, from the JSON)."""
    p = gamma.problem
    total = {(a, x): Fraction(0) for a in p.agents for x in p.columns}
    weight_sum = Fraction(0)
    for item in evidence["lottery"]:
        w = Fraction(item["weight"])
        assert w > 0
        weight_sum += w
        assigned = item["assignment"]
        det = DeterministicAssignment(
            p, tuple(None if assigned[a] == OUTSIDE else assigned[a] for a in p.agents)
        )
        assert admissible(det)
        for a in p.agents:
            total[(a, assigned[a])] += w
    assert weight_sum == 1
    for i, a in enumerate(p.agents):
        for c, x in enumerate(p.columns):
            assert total[(a, x)] == gamma.matrix[i][c]


def _recheck_dominating(evidence: dict, gamma: StochasticAssignment, prof) -> None:
    """Rebuild gamma' from the JSON; valid and IR; strict dominance by the direct FOSD check."""
    p = gamma.problem
    rows = [[Fraction(evidence["dominating"][a][x]) for x in p.columns] for a in p.agents]
    better = StochasticAssignment(p, tuple(tuple(r) for r in rows))  # validates rows and capacities
    for i, pref in enumerate(prof):
        for k, x in enumerate(p.objects):
            if x not in pref:
                assert rows[i][k] == 0
    assert check_strict_assignment_dominance(better, gamma, prof).holds


def _efficient(prof):
    return lambda d: pareto_improvement(d, prof) is None


def _stable(prof, priorities):
    return lambda d: not blocking_pairs(d.assigned, prof, priorities)


@st.composite
def _cases(draw, with_profile_ir: bool = True):
    problem = draw(problems(max_agents=3, max_objects=3))
    prof = draw(profiles(problem))
    ir = draw(st.booleans()) if with_profile_ir else False
    gamma = draw(stochastic_assignments(problem, prof if ir else None))
    return problem, prof, gamma


@st.composite
def _priorities(draw, problem: Problem) -> Priorities:
    """A random weak order per object: a permutation of the agents cut into tie classes."""
    orders = []
    for _ in problem.objects:
        perm = draw(st.permutations(list(problem.agents)))
        cuts = draw(st.lists(st.booleans(), min_size=len(perm) - 1, max_size=len(perm) - 1))
        classes: list[list[str]] = [[perm[0]]]
        for agent, cut in zip(perm[1:], cuts, strict=True):
            if cut:
                classes.append([agent])
            else:
                classes[-1].append(agent)
        orders.append(classes)
    return Priorities.make(problem, orders)


@settings(max_examples=35, deadline=None)
@given(_cases())
def test_ex_post_efficiency_agrees(case) -> None:
    _, prof, gamma = case
    z3_result = check_ex_post_efficient_smt(gamma, prof)
    direct = check_ex_post_efficient_assignment(gamma, prof)
    assert z3_result.verdict == direct.verdict
    if z3_result.holds:
        assert z3_result.evidence["kind"] == "efficient_lottery"
        _recheck_lottery(z3_result.evidence, gamma, _efficient(prof))
    else:
        assert z3_result.evidence["kind"] == "smt_unsat"
        # The named family is exactly the efficient assignments the direct Farkas evidence prices.
        assert z3_result.evidence["family"] == [f["assignment"] for f in direct.evidence["family"]]


@settings(max_examples=35, deadline=None)
@given(_cases())
def test_sd_efficiency_agrees(case) -> None:
    _, prof, gamma = case
    z3_result = check_sd_efficient_smt(gamma, prof)
    direct = check_sd_efficient_assignment(gamma, prof)
    assert z3_result.verdict == direct.verdict
    if z3_result.fails:
        assert z3_result.evidence["kind"] == "dominating_assignment"
        _recheck_dominating(z3_result.evidence, gamma, prof)
    else:
        assert z3_result.evidence["kind"] == "smt_unsat"


@settings(max_examples=35, deadline=None)
@given(st.data())
def test_ex_post_stability_agrees(data) -> None:
    problem, prof, gamma = data.draw(_cases())
    priorities = data.draw(_priorities(problem))
    z3_result = check_ex_post_stable_smt(gamma, prof, priorities)
    direct = check_ex_post_stable_assignment(gamma, prof, priorities)
    assert z3_result.verdict == direct.verdict
    if z3_result.holds:
        assert z3_result.evidence["kind"] == "stable_lottery"
        _recheck_lottery(z3_result.evidence, gamma, _stable(prof, priorities))
    else:
        assert z3_result.evidence["kind"] == "smt_unsat"
        for item in z3_result.evidence["family"]:
            matching = [None if item[a] == OUTSIDE else item[a] for a in problem.agents]
            assert not blocking_pairs(matching, prof, priorities)


def _bogomolnaia_moulin():
    problem = Problem.make(4, "abcd")
    prof = problem.profile(["abcd", "abcd", "badc", "badc"])
    return problem, prof


def test_random_priority_at_bogomolnaia_moulin_is_ex_post_but_not_sd_efficient() -> None:
    problem, prof = _bogomolnaia_moulin()
    rp = random_priority(problem)(prof)
    # Hand derivation of agent 1's RP row over the 24 orders (agents 3, 4 take b first; the
    # second of them takes a only if 3 and 4 both precede 1 and 2, else d):
    # a: 1 before 2 and not (3, 4 both first) = 12/24 - 2/24 = 5/12;
    # b: a gone and b free at 1's turn = order 2, 1, {3, 4} = 2/24 = 1/12;
    # c: 3, 4 first then 1 (2 orders) + 2 before 1 with some of 3, 4 before 1 but not both
    #    before 2 (12 - 2 - 2 = 8 orders) = 10/24 = 5/12; d: the rest, 1/12.
    # Agents 3, 4 by the same count with a <-> b, c <-> d.
    # RP is a lottery over serial dictatorships, each Pareto efficient, so it is ex post
    # efficient; PS (1/2 a + 1/2 c for 1 and 2) dominates it, so it is not SD-efficient.
    twelfth = Fraction(1, 12)
    assert rp.matrix[0] == (5 * twelfth, twelfth, 5 * twelfth, twelfth, 0)
    assert rp.matrix[2] == (twelfth, 5 * twelfth, twelfth, 5 * twelfth, 0)
    assert check_ex_post_efficient_assignment(rp, prof).holds
    result = check_ex_post_efficient_smt(rp, prof)
    assert result.holds and is_ex_post_efficient_smt(rp, prof)
    _recheck_lottery(result.evidence, rp, _efficient(prof))
    ps = probabilistic_serial(problem)(prof)
    assert check_strict_assignment_dominance(ps, rp, prof).holds  # independent: PS dominates RP
    sd = check_sd_efficient_smt(rp, prof)
    assert sd.fails and not is_sd_efficient_smt(rp, prof)
    _recheck_dominating(sd.evidence, rp, prof)
    # PS itself is SD-efficient (Bogomolnaia-Moulin 2001, Proposition 1); both paths agree.
    assert check_sd_efficient_smt(ps, prof).holds
    assert check_sd_efficient_assignment(ps, prof).holds


def test_swap_lottery_is_not_ex_post_efficient() -> None:
    problem = Problem.make(2, "ab")
    prof = problem.profile(["ab", "ba"])
    # 1/2 (1:a, 2:b) + 1/2 (1:b, 2:a): the second outcome is improved by swapping (each gets
    # her top), so the only efficient assignment in the support is (1:a, 2:b), which cannot
    # reproduce gamma_1b = 1/2 > 0.
    half = Fraction(1, 2)
    gamma = StochasticAssignment.from_rows(problem, [[half, half, 0], [half, half, 0]])
    result = check_ex_post_efficient_smt(gamma, prof)
    assert result.fails and not is_ex_post_efficient_smt(gamma, prof)
    assert result.evidence["kind"] == "smt_unsat"
    assert result.evidence["family"] == [{"1": "a", "2": "b"}]
    assert check_ex_post_efficient_assignment(gamma, prof).fails
    # It is also SD-dominated by (1:a, 2:b) for sure.
    sd = check_sd_efficient_smt(gamma, prof)
    assert sd.fails
    _recheck_dominating(sd.evidence, gamma, prof)


def test_mixture_with_an_unstable_matching_is_not_ex_post_stable() -> None:
    problem = Problem.make(2, "a")
    prof = problem.profile(["a", "a"])
    half = Fraction(1, 2)
    gamma = StochasticAssignment.from_rows(problem, [[half, half], [half, half]])
    strict = Priorities.make(problem, {"a": ["1", "2"]})
    # Under 1 > 2 at a, the matching (2:a, 1:outside) is blocked by (1, a): the only stable
    # matching is (1:a, 2:outside), so gamma_2a = 1/2 cannot be reproduced.
    result = check_ex_post_stable_smt(gamma, prof, strict)
    assert result.fails and not is_ex_post_stable_smt(gamma, prof, strict)
    assert result.evidence["family"] == [{"1": "a", "2": OUTSIDE}]
    assert check_ex_post_stable_assignment(gamma, prof, strict).fails
    # With 1 ~ 2 tied at a both matchings are stable: gamma = 1/2 each, re-verified.
    tied = Priorities.make(problem, {"a": [["1", "2"]]})
    held = check_ex_post_stable_smt(gamma, prof, tied)
    assert held.holds and is_ex_post_stable_smt(gamma, prof, tied)
    _recheck_lottery(held.evidence, gamma, _stable(prof, tied))
    assert sorted(item["weight"] for item in held.evidence["lottery"]) == ["1/2", "1/2"]


def test_same_input_same_evidence() -> None:
    problem, prof = _bogomolnaia_moulin()
    rp = random_priority(problem)(prof)
    assert check_sd_efficient_smt(rp, prof).evidence == check_sd_efficient_smt(rp, prof).evidence
    assert check_ex_post_efficient_smt(rp, prof).evidence == check_ex_post_efficient_smt(rp, prof).evidence


def test_too_large_support_is_unknown() -> None:
    problem, prof = _bogomolnaia_moulin()
    rp = random_priority(problem)(prof)
    result = check_ex_post_efficient_smt(rp, prof, max_assignments=1)
    assert result.unknown and result.evidence["kind"] == "smt_unknown"


def test_random_deferred_acceptance_is_ex_post_stable_by_both_paths() -> None:
    problem = Problem.make(3, "ab")
    prof = problem.profile(["ab", "ab", "ba"])
    priorities = Priorities.make(problem, {"a": [["1", "2", "3"]], "b": [["1", "2"], "3"]})
    gamma = random_deferred_acceptance(problem, priorities)(prof)
    # Every tie-break gives a matching stable for the broken, hence the weak, priorities
    # (Erdil, section 3), so RDA's outcome is ex post stable; re-verified from the lottery.
    result = package_check_ex_post_stable_smt(gamma, prof, priorities)
    assert result.holds
    _recheck_lottery(result.evidence, gamma, _stable(prof, priorities))
    assert check_ex_post_stable_assignment(gamma, prof, priorities).holds


def test_priorities_of_another_problem_are_rejected() -> None:
    problem = Problem.make(2, "a")
    other = Problem.make(3, "a")
    gamma = StochasticAssignment.deterministic(problem, ["a", None])
    with pytest.raises(InvalidInput, match="another problem"):
        check_ex_post_stable_smt(gamma, ["a", "a"], Priorities.make(other, {"a": ["1", "2", "3"]}))


@st.composite
def _serial_dictatorship_mixtures(draw):
    """gamma = a random mixture of serial dictatorship outcomes (each Pareto efficient, so gamma
    is ex post efficient by definition), usually with fractional entries."""
    problem = draw(problems(max_agents=3, max_objects=3))
    prof = draw(profiles(problem))
    orders = draw(st.lists(st.permutations(list(problem.agents)), min_size=1, max_size=3))
    weights = draw(st.lists(st.integers(1, 4), min_size=len(orders), max_size=len(orders)))
    total = sum(weights)
    matrix = [[Fraction(0)] * (problem.m + 1) for _ in problem.agents]
    for order, w in zip(orders, weights, strict=True):
        outcome = serial_dictatorship(problem, order)(prof)
        for i in range(problem.n):
            for c in range(problem.m + 1):
                matrix[i][c] += outcome.matrix[i][c] * Fraction(w, total)
    return problem, prof, StochasticAssignment(problem, tuple(tuple(r) for r in matrix))


@settings(max_examples=25, deadline=None)
@given(_serial_dictatorship_mixtures())
def test_mixtures_of_serial_dictatorships_are_ex_post_efficient_by_both_paths(case) -> None:
    problem, prof, gamma = case
    result = check_ex_post_efficient_smt(gamma, prof)
    assert result.holds and check_ex_post_efficient_assignment(gamma, prof).holds
    _recheck_lottery(result.evidence, gamma, _efficient(prof))
    # SD-efficiency may go either way on such mixtures; both paths must agree, and PS at the
    # same profile is SD-efficient (Bogomolnaia-Moulin 2001, Proposition 1) by both paths.
    assert check_sd_efficient_smt(gamma, prof).verdict == check_sd_efficient_assignment(gamma, prof).verdict
    ps = probabilistic_serial(problem)(prof)
    assert check_sd_efficient_smt(ps, prof).holds and check_sd_efficient_assignment(ps, prof).holds


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_random_deferred_acceptance_outcomes_are_ex_post_stable_by_both_paths(data) -> None:
    problem, prof, _ = data.draw(_cases())
    priorities = data.draw(_priorities(problem))
    gamma = random_deferred_acceptance(problem, priorities)(prof)
    result = check_ex_post_stable_smt(gamma, prof, priorities)
    assert result.holds and check_ex_post_stable_assignment(gamma, prof, priorities).holds
    _recheck_lottery(result.evidence, gamma, _stable(prof, priorities))
