"""Ex post efficiency and SD-efficiency: exact LP verdicts, re-verified witnesses, and
cross-checks against brute force and the Bogomolnaia-Moulin characterisation."""

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.domain import Domain
from verified.assignment.lottery import DeterministicAssignment
from verified.assignment.mechanisms.random_priority import random_priority
from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
from verified.assignment.model import OUTSIDE, Problem
from verified.assignment.properties.efficiency import (
    check_ex_post_efficient,
    check_ex_post_efficient_assignment,
    check_sd_efficient,
    check_sd_efficient_assignment,
    is_pareto_efficient_deterministic,
    trading_relation,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.strategies import problems, profiles, stochastic_assignments


def _rank(pref, column):
    if column == OUTSIDE:
        return len(pref)
    return pref.index(column) if column in pref else None  # None: unacceptable


def _weakly_better(pref, new, old):
    if new == old:
        return True
    rn, ro = _rank(pref, new), _rank(pref, old)
    if rn is None:
        return False
    return ro is None or rn < ro


def _all_deterministic(problem):
    for cols in itertools.product(problem.columns, repeat=problem.n):
        if all(
            sum(1 for c in cols if c == x) <= q
            for x, q in zip(problem.objects, problem.capacities, strict=True)
        ):
            yield cols


def _brute_force_efficient(problem, profile, cols):
    """No deterministic assignment is weakly better for all and different (hence strictly better) for one."""
    for other in _all_deterministic(problem):
        if other != cols and all(_weakly_better(profile[i], other[i], cols[i]) for i in range(problem.n)):
            return False
    return True


def _recheck_lottery(evidence, gamma, profile):
    p = gamma.problem
    total = [[Fraction(0)] * (p.m + 1) for _ in p.agents]
    weights = Fraction(0)
    for item in evidence["lottery"]:
        w = Fraction(item["weight"])
        assert w > 0
        weights += w
        cols = tuple(item["assignment"][a] for a in p.agents)
        assert _brute_force_efficient(p, profile, cols)
        for i, c in enumerate(cols):
            total[i][p.columns.index(c)] += w
    assert weights == 1
    assert total == [list(r) for r in gamma.matrix]


def _recheck_farkas(evidence, gamma, profile):
    p = gamma.problem
    y = {(a, c): Fraction(v) for a, row in evidence["prices"].items() for c, v in row.items()}
    assert sum(y.get((a, c), 0) * gamma.prob(a, c) for a in p.agents for c in p.columns) > 0
    # Every efficient deterministic assignment inside supp(gamma) must have price <= 0 (found by brute force).
    for cols in _all_deterministic(p):
        in_support = all(gamma.prob(a, c) > 0 for a, c in zip(p.agents, cols, strict=True))
        if in_support and _brute_force_efficient(p, profile, cols):
            assert sum(y.get((a, c), 0) for a, c in zip(p.agents, cols, strict=True)) <= 0


def _recheck_dominating(evidence, gamma, profile):
    p = gamma.problem
    rows = [[Fraction(evidence["dominating"][a][c]) for c in p.columns] for a in p.agents]
    better = StochasticAssignment(p, tuple(tuple(r) for r in rows))  # validates rows and capacities
    strict = False
    for i, pref in enumerate(profile):
        for k in range(1, len(pref) + 2):
            cols = [*pref, OUTSIDE][:k]
            new = sum(better.prob(p.agents[i], c) for c in cols)
            old = sum(gamma.prob(p.agents[i], c) for c in cols)
            assert new >= old
            strict = strict or new > old
        assert all(better.prob(p.agents[i], x) == 0 for x in p.objects if x not in pref)
    assert strict


def test_two_agents_opposed_preferences():
    # 1: a > b, 2: b > a, both get 1/2 a + 1/2 b. Dominated by 1 -> a, 2 -> b (hand), and not ex post
    # efficient: (1 -> b, 2 -> a) is inefficient (swap), so only (1 -> a, 2 -> b) is efficient and it
    # cannot produce gamma_1b = 1/2.
    p = Problem.make(2, "ab")
    prof = p.profile(["ab", "ba"])
    gamma = StochasticAssignment.from_rows(p, [{"a": "1/2", "b": "1/2"}, {"a": "1/2", "b": "1/2"}])
    sd = check_sd_efficient_assignment(gamma, prof)
    assert sd.fails
    _recheck_dominating(sd.evidence, gamma, prof)
    ex_post = check_ex_post_efficient_assignment(gamma, prof)
    assert ex_post.fails and ex_post.evidence["kind"] == "farkas"
    _recheck_farkas(ex_post.evidence, gamma, prof)


def _brute_force_rp(problem, prof):
    """Uniform lottery over all n! serial dictatorships, computed by enumeration."""
    orders = list(itertools.permutations(range(problem.n)))
    rows = [[Fraction(0)] * (problem.m + 1) for _ in problem.agents]
    for order in orders:
        left = dict(zip(problem.objects, problem.capacities, strict=True))
        for i in order:
            pick = next((x for x in prof[i] if left[x] > 0), OUTSIDE)
            if pick != OUTSIDE:
                left[pick] -= 1
            rows[i][problem.columns.index(pick)] += Fraction(1, len(orders))
    return rows


def test_random_priority_bogomolnaia_moulin_example():
    # Bogomolnaia-Moulin (2001): 1, 2: a > c > b > d; 3, 4: c > a > d > b. RP (here enumerated over the
    # 24 orders) gives 5/12 a + 1/12 c + 5/12 b + 1/12 d to agents 1 and 2. It is ex post efficient (a
    # lottery over serial dictatorships) but SD-dominated by 1/2 a + 1/2 b for 1, 2 and 1/2 c + 1/2 d
    # for 3, 4.
    p = Problem.make(4, "abcd")
    prof = p.profile(["acbd", "acbd", "cadb", "cadb"])
    gamma = random_priority(p)(prof)
    assert [list(r) for r in gamma.matrix] == _brute_force_rp(p, prof)
    assert gamma.prob(0, "a") == Fraction(5, 12) and gamma.prob(0, "c") == Fraction(1, 12)
    sd = check_sd_efficient_assignment(gamma, prof)
    assert sd.fails
    _recheck_dominating(sd.evidence, gamma, prof)
    ex_post = check_ex_post_efficient_assignment(gamma, prof)
    assert ex_post.holds
    _recheck_lottery(ex_post.evidence, gamma, prof)


@settings(max_examples=60)
@given(st.data())
def test_pareto_characterisation_matches_brute_force(data):
    p = data.draw(problems(max_agents=3, max_objects=3))
    prof = data.draw(profiles(p))
    cols = data.draw(st.sampled_from(list(_all_deterministic(p))))
    d = DeterministicAssignment(p, tuple(None if c == OUTSIDE else c for c in cols))
    assert is_pareto_efficient_deterministic(d, prof) == _brute_force_efficient(p, prof, cols)


def _bm_characterisation(gamma, prof):
    """Non-wasteful and the trading relation acyclic (Bogomolnaia-Moulin 2001, Lemma 3 + waste)."""
    p = gamma.problem
    for j, pref in enumerate(prof):
        order = [*pref, OUTSIDE]
        for a, z in enumerate(order):
            used = gamma.prob(p.agents[j], OUTSIDE) if z == OUTSIDE else gamma.column_sum(z)
            cap = 1 if z == OUTSIDE else p.capacity(z)
            below = order[a + 1 :] + [x for x in p.objects if x not in pref]
            if used < cap and any(gamma.prob(p.agents[j], y) > 0 for y in below):
                return False
    edges = {(x, y) for x, y, _ in trading_relation(gamma, prof)}
    reach = set(edges)
    for _ in p.objects:
        reach |= {(x, w) for x, y in reach for y2, w in reach if y == y2}
    return not any((x, x) in reach for x in p.objects)


@settings(max_examples=50)
@given(st.data())
def test_sd_efficiency_lp_agrees_with_characterisation_and_implies_ex_post(data):
    p = data.draw(problems(max_agents=3, max_objects=3))
    prof = data.draw(profiles(p))
    gamma = data.draw(stochastic_assignments(p, prof if data.draw(st.booleans()) else None))
    sd = check_sd_efficient_assignment(gamma, prof)
    assert sd.holds == _bm_characterisation(gamma, prof)
    if sd.fails:
        _recheck_dominating(sd.evidence, gamma, prof)
    ex_post = check_ex_post_efficient_assignment(gamma, prof)
    if ex_post.holds:
        _recheck_lottery(ex_post.evidence, gamma, prof)
    else:
        _recheck_farkas(ex_post.evidence, gamma, prof)
    # Erdil, section 2: every efficient assignment is ex post efficient.
    if sd.holds:
        assert ex_post.holds


def test_mechanism_level():
    p = Problem.make(3, "ab")
    domain = Domain.full(p)
    # RP is ex post efficient (a lottery over serial dictatorships); a serial dictatorship is SD-efficient.
    rp = check_ex_post_efficient(random_priority(p), domain)
    assert rp.holds and rp.evidence["profiles_checked"] == len(domain) == 125
    assert check_sd_efficient(serial_dictatorship(p), domain).holds
    # The Bogomolnaia-Moulin profile as a one-profile domain: RP fails SD-efficiency there.
    q = Problem.make(4, "abcd")
    one = Domain.restricted(q, [["acbd"], ["acbd"], ["cadb"], ["cadb"]])
    found = check_sd_efficient(random_priority(q), one)
    assert found.fails and found.evidence["mechanism"] == "random priority"


def test_probabilistic_serial_is_sd_efficient():
    # Bogomolnaia-Moulin (2001): the probabilistic serial assignment is ordinally efficient.
    probabilistic_serial = pytest.importorskip(
        "verified.assignment.mechanisms.probabilistic_serial"
    ).probabilistic_serial

    p = Problem.make(3, "ab")
    found = check_sd_efficient(probabilistic_serial(p), Domain.full(p))
    assert found.holds and found.evidence["profiles_checked"] == 125
    q = Problem.make(4, "abcd")
    prof = q.profile(["acbd", "acbd", "cadb", "cadb"])
    ps = probabilistic_serial(q)(prof)
    # At the Bogomolnaia-Moulin profile PS gives 1/2 a + 1/2 b to agents 1, 2 (eating by hand: 1, 2 eat a
    # and 3, 4 eat c at speed 1 each, both gone at time 1/2; then b and d likewise), which is SD-efficient.
    assert ps.prob(0, "a") == Fraction(1, 2) and ps.prob(0, "b") == Fraction(1, 2)
    assert check_sd_efficient_assignment(ps, prof).holds
