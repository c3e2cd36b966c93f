"""Ex post stability w.r.t. weak priorities (Erdil, section 3): RDA's output is ex post stable;
mixtures with weight on unstable matchings are not; every certificate is re-verified here."""

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.domain import Domain
from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.model import OUTSIDE, Problem
from verified.assignment.priorities import Priorities
from verified.assignment.properties.stability import (
    check_ex_post_stable,
    check_ex_post_stable_assignment,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.strategies import problems, profiles, stochastic_assignments


def _stable(problem, profile, classes, cols):
    """Independent stability test of a matching given as column names (IR, no waste, no violation)."""
    rank = {
        (x, a): c
        for x, order in zip(problem.objects, classes, strict=True)
        for c, t in enumerate(order)
        for a in t
    }
    for i, (agent, pref) in enumerate(zip(problem.agents, profile, strict=True)):
        mine = cols[i]
        if mine != OUTSIDE and mine not in pref:
            return False
        better = pref if mine == OUTSIDE else pref[: pref.index(mine)]
        for x in better:
            holders = [j for j, c in enumerate(cols) if c == x]
            if len(holders) < problem.capacity(x):
                return False
            if any(rank[(x, agent)] < rank[(x, problem.agents[j])] for j in holders):
                return False
    return True


def _deferred_acceptance(problem, profile, strict_rank):
    """Student-proposing DA with strict priorities strict_rank[(x, agent)] (lower = higher priority)."""
    nxt = [0] * problem.n
    held = {x: [] for x in problem.objects}
    free = list(range(problem.n))
    while free:
        i = free.pop(0)
        pref = profile[i]
        if nxt[i] >= len(pref):
            continue
        x = pref[nxt[i]]
        nxt[i] += 1
        held[x].append(i)
        held[x].sort(key=lambda j: strict_rank[(x, problem.agents[j])])
        if len(held[x]) > problem.capacity(x):
            free.append(held[x].pop())
    cols = [OUTSIDE] * problem.n
    for x, agents in held.items():
        for j in agents:
            cols[j] = x
    return cols


def _rda(problem, profile, classes):
    """RDA by enumeration: uniform over the n! tie-breaking orders, then DA."""
    orders = list(itertools.permutations(problem.agents))
    rows = [[Fraction(0)] * (problem.m + 1) for _ in problem.agents]
    for order in orders:
        strict = {
            (x, a): (c, order.index(a))
            for x, cl in zip(problem.objects, classes, strict=True)
            for c, t in enumerate(cl)
            for a in t
        }
        for i, col in enumerate(_deferred_acceptance(problem, profile, strict)):
            rows[i][problem.columns.index(col)] += Fraction(1, len(orders))
    return StochasticAssignment(problem, tuple(tuple(r) for r in rows))


@st.composite
def weak_priorities(draw, problem):
    classes = []
    for _ in problem.objects:
        order = draw(st.permutations(problem.agents))
        cuts = draw(st.lists(st.booleans(), min_size=problem.n - 1, max_size=problem.n - 1))
        groups, current = [], [order[0]]
        for a, cut in zip(order[1:], cuts, strict=True):
            if cut:
                groups.append(tuple(current))
                current = []
            current.append(a)
        groups.append(tuple(current))
        classes.append(tuple(groups))
    return Priorities(problem, tuple(classes))


def _recheck(result, gamma, profile, priorities):
    p = gamma.problem
    classes = priorities.classes
    e = result.evidence
    if result.holds:
        total = [[Fraction(0)] * (p.m + 1) for _ in p.agents]
        assert sum(Fraction(item["weight"]) for item in e["lottery"]) == 1
        for item in e["lottery"]:
            cols = [item["assignment"][a] for a in p.agents]
            assert Fraction(item["weight"]) > 0 and _stable(p, profile, classes, cols)
            for i, c in enumerate(cols):
                total[i][p.columns.index(c)] += Fraction(item["weight"])
        assert total == [list(r) for r in gamma.matrix]
    else:
        assert e["kind"] == "farkas"
        y = {(a, c): Fraction(v) for a, row in e["prices"].items() for c, v in row.items()}
        assert sum(y.get((a, c), 0) * gamma.prob(a, c) for a in p.agents for c in p.columns) > 0
        for cols in itertools.product(p.columns, repeat=p.n):
            in_support = all(gamma.prob(p.agents[i], c) > 0 for i, c in enumerate(cols))
            fits = all(sum(1 for c in cols if c == x) <= p.capacity(x) for x in p.objects)
            if in_support and fits and _stable(p, profile, classes, cols):
                assert sum(y.get((a, c), 0) for a, c in zip(p.agents, cols, strict=True)) <= 0


@settings(max_examples=40)
@given(st.data())
def test_rda_output_is_ex_post_stable(data):
    p = data.draw(problems(max_agents=3, max_objects=3))
    prof = data.draw(profiles(p))
    pri = data.draw(weak_priorities(p))
    gamma = _rda(p, prof, pri.classes)
    found = check_ex_post_stable_assignment(gamma, prof, pri)
    assert found.holds
    _recheck(found, gamma, prof, pri)


@settings(max_examples=40)
@given(st.data())
def test_random_assignments_get_a_rechecked_certificate(data):
    p = data.draw(problems(max_agents=3, max_objects=3))
    prof = data.draw(profiles(p))
    pri = data.draw(weak_priorities(p))
    gamma = data.draw(stochastic_assignments(p, prof if data.draw(st.booleans()) else None))
    found = check_ex_post_stable_assignment(gamma, prof, pri)
    assert not found.unknown
    _recheck(found, gamma, prof, pri)


def test_weight_on_an_unstable_matching_fails_with_farkas():
    # One copy of a, both agents want it, 1 has strictly higher priority. The only stable matching is
    # (1 -> a, 2 -> outside); the mixture 1/2 (1 -> a) + 1/2 (2 -> a) gives agent 2 a with 1/2 > 0.
    p = Problem.make(2, "a")
    pri = Priorities.make(p, {"a": ["1", "2"]})
    prof = p.profile(["a", "a"])
    gamma = StochasticAssignment.from_rows(p, [{"a": "1/2", OUTSIDE: "1/2"}, {"a": "1/2", OUTSIDE: "1/2"}])
    found = check_ex_post_stable_assignment(gamma, prof, pri)
    assert found.fails
    assert [item["assignment"] for item in found.evidence["family"]] == [{"1": "a", "2": OUTSIDE}]
    _recheck(found, gamma, prof, pri)
    # With a tie, both matchings are stable and the same mixture is ex post stable (it is RDA's output).
    tied = Priorities.uniform(p)
    assert _rda(p, prof, tied.classes) == gamma
    ok = check_ex_post_stable_assignment(gamma, prof, tied)
    assert ok.holds
    _recheck(ok, gamma, prof, tied)


def test_mechanism_level_rda():
    # Erdil, section 3 (proof of Proposition 3 (ii)): a non-trivial weak priority structure.
    p = Problem.make(3, "ab")
    pri = Priorities.make(p, {"a": [["1", "2"], "3"], "b": ["3", ["1", "2"]]})
    domain = Domain.full(p)
    rda = FunctionMechanism(p, "rda (enumerated)", lambda prof: _rda(p, prof, pri.classes))
    found = check_ex_post_stable(rda, domain, pri)
    assert found.holds and found.evidence["profiles_checked"] == 125
    # The same mechanism judged against strict priorities 3 > 1 > 2 everywhere is not ex post stable.
    strict = Priorities.from_order(p, ["3", "1", "2"])
    assert check_ex_post_stable(rda, domain, strict).fails


@settings(max_examples=25)
@given(st.data())
def test_builtin_rda_matches_enumeration_and_is_ex_post_stable(data):
    random_deferred_acceptance = pytest.importorskip(
        "verified.assignment.mechanisms.random_deferred_acceptance"
    ).random_deferred_acceptance

    p = data.draw(problems(max_agents=3, max_objects=3))
    prof = data.draw(profiles(p))
    pri = data.draw(weak_priorities(p))
    gamma = random_deferred_acceptance(p, pri)(prof)
    assert gamma == _rda(p, prof, pri.classes)
    found = check_ex_post_stable_assignment(gamma, prof, pri)
    assert found.holds
    _recheck(found, gamma, prof, pri)
