"""Wastefulness (Erdil, section 2) and the Reshuffling Lemma (Erdil, section 4)."""

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assignment.reference_mechanisms import random_priority, table_of
from verified.assignment.domain import Domain
from verified.assignment.model import OUTSIDE, Problem
from verified.assignment.properties.fosd import is_assignment_dominance
from verified.assignment.properties.wastefulness import (
    check_nonwasteful,
    check_wastefulness,
    is_nonwasteful_assignment,
    is_wasteful,
    size,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.strategies import problems, profiles, random_assignment, small_domains, tabulated_mechanisms

F = Fraction


def recheck_waste(problem, profile, gamma, ev):
    """Re-verify a waste witness from the definition: z P_j y, gamma_jy > 0, column(z) < q_z."""
    j = problem.agent_index(ev["agent"])
    pref = profile[j]
    order = [*pref, OUTSIDE]
    y, z = ev["y"], ev["z"]
    assert z in order
    # y ranks below z: later in the list, or unacceptable (below the outside option)
    assert y not in order or order.index(y) > order.index(z)
    assert gamma.prob(problem.agents[j], y) == F(ev["gamma_jy"]) > 0
    used = gamma.prob(problem.agents[j], OUTSIDE) if z == OUTSIDE else gamma.column_sum(z)
    cap = 1 if z == OUTSIDE else problem.capacity(z)
    assert used == F(ev["z_column_sum"]) < cap


def test_remark2_rp_wastes_b():
    # Erdil, Remark 2: R1 = a b, R2 = c b, R3 = a, R4 = c. By hand: agent 1 gets a iff she
    # precedes 3 (1/2); she misses b too iff 3 < 1 and 4 < 2 < 1 (1 last, 4 before 2: 3/24),
    # so b goes to her w.p. 1/2 - 1/8 = 3/8 and, symmetrically, to agent 2 w.p. 3/8.
    # (The proof of Proposition 4 prints 5/12 for these; Remark 2's 3/8 is right.)
    problem = Problem.make(4, "abc")
    profile = problem.profile(["ab", "cb", "a", "c"])
    rp = random_priority(problem, profile)
    assert rp.prob(0, "b") == F(3, 8) and rp.prob("2", "b") == F(3, 8)
    res = check_wastefulness(rp, profile)
    assert res.fails
    ev = res.evidence
    # agent 1: z = b (column 3/4 < 1), y = outside (1/8)
    assert (ev["agent"], ev["z"], ev["y"], ev["gamma_jy"], ev["z_column_sum"]) == (
        "1",
        "b",
        OUTSIDE,
        "1/8",
        "3/4",
    )
    recheck_waste(problem, profile, rp, ev)
    assert is_wasteful(rp, profile)
    # size: a and c fully assigned, b 3/4 -> 11/4
    assert size(rp) == F(11, 4)


def test_nonwasteful_assignment():
    problem = Problem.make(2, "ab")
    profile = problem.profile(["ab", "a"])
    gamma = StochasticAssignment.from_rows(
        problem, [{"a": "1/2", "b": "1/2"}, {"a": "1/2", "outside": "1/2"}]
    )
    res = check_wastefulness(gamma, profile)
    assert res.holds  # b is spare but unacceptable to 2; agent 1 has nothing below b
    assert res.evidence["column_sums"] == {"a": "1", "b": "1/2"}
    # if 2 also accepts b, her outside share 1/2 is wasted next to the spare half of b
    res2 = check_wastefulness(gamma, problem.profile(["ab", "ab"]))
    assert res2.fails
    recheck_waste(problem, problem.profile(["ab", "ab"]), gamma, res2.evidence)


def test_unacceptable_share_is_waste_via_outside_option():
    problem = Problem.make(1, "a")
    gamma = StochasticAssignment.from_rows(problem, [{"a": "1/3", "outside": "2/3"}])
    res = check_wastefulness(gamma, problem.profile([""]))
    assert res.fails and res.evidence["z"] == OUTSIDE and res.evidence["y"] == "a"
    recheck_waste(problem, problem.profile([""]), gamma, res.evidence)


def test_mechanism_level_rp():
    # n <= 3: RP is ordinally efficient (Bogomolnaia-Moulin), hence non-wasteful.
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    res = check_nonwasteful(table_of(domain, random_priority, "RP"), domain)
    assert res.holds and res.evidence["pairs_checked"] == 125 * 3
    # n = 4 on a small domain containing Remark 2's profile: wasteful somewhere.
    big = Problem.make(4, "abc")
    rankings = [("a", "b"), ("c", "b"), ("a",), ("c",)]
    dom = Domain(big, tuple(tuple(rankings) for _ in range(4)))
    table = table_of(dom, random_priority, "RP")
    out = check_nonwasteful(table, dom)
    assert out.fails
    prof = big.profile(out.evidence["profile"])
    recheck_waste(big, prof, table(prof), out.evidence)


@settings(max_examples=15)
@given(st.data())
def test_vectorised_agrees_with_profile_by_profile(data):
    problem = data.draw(problems(max_agents=2, max_objects=2))
    domain = data.draw(small_domains(problem))
    table = data.draw(tabulated_mechanisms(domain, individually_rational=data.draw(st.booleans())))
    res = check_nonwasteful(table, domain)
    direct = all(is_nonwasteful_assignment(table(p), p) for p in domain)
    assert res.holds == direct
    if res.fails:
        prof = problem.profile(res.evidence["profile"])
        recheck_waste(problem, prof, table(prof), res.evidence)


def deterministic_pool(problem, prof):
    """Every individually rational deterministic assignment at ``prof``."""
    out = []
    choices = [[problem.object_index(x) for x in pref] + [problem.m] for pref in prof]
    for combo in itertools.product(*choices):
        if all(combo.count(k) <= q for k, q in enumerate(problem.capacities)):
            rows = tuple(tuple(F(int(k == c)) for c in range(problem.m + 1)) for k in combo)
            out.append(StochasticAssignment(problem, rows))
    return out


@settings(max_examples=60)
@given(st.data())
def test_reshuffling_lemma(data):
    """Erdil, Reshuffling Lemma: gamma weakly dominates a non-wasteful IR omega =>
    every agent's total object share is the same under both."""
    problem = data.draw(problems(max_agents=3, max_objects=3))
    prof = data.draw(profiles(problem))
    rng = data.draw(st.randoms(use_true_random=False))
    pool = deterministic_pool(problem, prof)
    pool += [random_assignment(problem, rng, prof, parts=data.draw(st.integers(2, 3))) for _ in range(6)]
    premises = 0
    for omega in pool:
        if not is_nonwasteful_assignment(omega, prof):
            continue
        for gamma in pool:
            if is_assignment_dominance(gamma, omega, prof):
                premises += 1
                for i in range(problem.n):
                    assert sum(gamma.matrix[i][:-1], F(0)) == sum(omega.matrix[i][:-1], F(0))
    # gamma = omega always satisfies the premise when omega is non-wasteful
    assert premises >= sum(1 for w in pool if is_nonwasteful_assignment(w, prof))


def test_reshuffling_needs_nonwastefulness():
    # Remark 2 again: adding the wasted 1/8 of b to agent 1 dominates RP and raises her total.
    problem = Problem.make(4, "abc")
    profile = problem.profile(["ab", "cb", "a", "c"])
    rp = random_priority(problem, profile)
    rows = [list(r) for r in rp.matrix]
    rows[0][1] += F(1, 8)
    rows[0][3] -= F(1, 8)
    better = StochasticAssignment(problem, tuple(tuple(r) for r in rows))
    assert is_assignment_dominance(better, rp, profile)
    assert sum(better.matrix[0][:-1]) == 1 > sum(rp.matrix[0][:-1]) == F(7, 8)


def test_reshuffling_lemma_on_a_swap():
    # R1 = b a, R2 = a b; omega gives 1 a and 2 b (non-wasteful: both objects used up);
    # gamma = half omega, half the swap: dominates omega strictly, totals stay 1 each.
    problem = Problem.make(2, "ab")
    prof = problem.profile(["ba", "ab"])
    omega = StochasticAssignment.deterministic(problem, ["a", "b"])
    gamma = StochasticAssignment.from_rows(problem, [{"a": "1/2", "b": "1/2"}, {"a": "1/2", "b": "1/2"}])
    assert is_nonwasteful_assignment(omega, prof) and is_assignment_dominance(gamma, omega, prof)
    assert [sum(r[:-1]) for r in gamma.matrix] == [sum(r[:-1]) for r in omega.matrix] == [1, 1]
