"""The whole-domain paths of ex post efficiency, ex post stability (`_whole_domain`, `_phase_one`,
`_admissible`) and SD-efficiency (`_sd_scan`) against a small independent brute force (deterministic
assignments enumerated, Pareto efficiency and stability by definition, decompositions by exact
Gaussian elimination over subsets of the family) and against the one-profile checks they stand for
(the same verdict and byte-identical evidence) on random small tables, where the property holds and
where it fails."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verified.assignment.domain import Domain, all_preferences
from verified.assignment.mechanism import TabulatedMechanism, tabulate
from verified.assignment.mechanisms.boston import random_boston
from verified.assignment.mechanisms.random_deferred_acceptance import random_deferred_acceptance
from verified.assignment.mechanisms.random_priority import tabulate_random_priority
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.assignment.properties._common import over_domain
from verified.assignment.properties._phase_one import FEASIBLE, INFEASIBLE, phase_one
from verified.assignment.properties._sd_scan import sd_scan
from verified.assignment.properties._whole_domain import deterministic_assignments
from verified.assignment.properties.efficiency import (
    check_ex_post_efficient,
    check_ex_post_efficient_assignment,
    check_ex_post_efficient_per_profile,
    check_sd_efficient,
    check_sd_efficient_assignment,
    check_sd_efficient_per_profile,
)
from verified.assignment.properties.stability import (
    check_ex_post_stable,
    check_ex_post_stable_assignment,
    check_ex_post_stable_per_profile,
)
from verified.lp import Constraint, LinearProgram, solve_exact
from verified.results import canonical_json, holds, jsonable

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------- brute force reference


def _all_deterministic(problem):
    """Column tuples (m = outside) within capacities, in lexicographic order."""
    return [
        cols
        for cols in itertools.product(range(problem.m + 1), repeat=problem.n)
        if all(sum(1 for c in cols if c == k) <= q for k, q in enumerate(problem.capacities))
    ]


def _utility(problem, pref, c):
    """Higher is better: acceptable objects by position, then outside, then every unacceptable one."""
    if c == problem.m:
        return -len(pref)
    x = problem.objects[c]
    return -pref.index(x) if x in pref else -len(pref) - 1


def _pareto(problem, profile, cols):
    mine = [_utility(problem, profile[i], c) for i, c in enumerate(cols)]
    for other in _all_deterministic(problem):
        theirs = [_utility(problem, profile[i], c) for i, c in enumerate(other)]
        if all(t >= u for t, u in zip(theirs, mine, strict=True)) and theirs != mine:
            return False
    return True


def _stable(problem, profile, classes, cols):
    rank = {(k, a): c for k, order in enumerate(classes) for c, t in enumerate(order) for a in t}
    for i, pref in enumerate(profile):
        mine = cols[i]
        if mine < problem.m and problem.objects[mine] not in pref:
            return False
        better = pref if mine == problem.m else pref[: pref.index(problem.objects[mine])]
        for x in better:
            k = problem.objects.index(x)
            holders = [j for j, c in enumerate(cols) if c == k]
            if len(holders) < problem.capacities[k]:
                return False
            if any(rank[(k, problem.agents[i])] < rank[(k, problem.agents[j])] for j in holders):
                return False
    return True


def _solve(rows, rhs):
    """The unique solution of a square-or-tall system of full column rank, or None."""
    a = [[Fraction(v) for v in r] + [Fraction(b)] for r, b in zip(rows, rhs, strict=True)]
    width = len(rows[0]) if rows else 0
    pivot_row = 0
    for col in range(width):
        p = next((r for r in range(pivot_row, len(a)) if a[r][col] != 0), None)
        if p is None:
            return None  # dependent columns
        a[pivot_row], a[p] = a[p], a[pivot_row]
        for r in range(len(a)):
            if r != pivot_row and a[r][col] != 0:
                f = a[r][col] / a[pivot_row][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[pivot_row], strict=True)]
        pivot_row += 1
    if any(a[r][width] != 0 for r in range(pivot_row, len(a))):
        return None  # inconsistent
    return [a[r][width] / a[r][r] for r in range(width)]


def _decomposable(problem, gamma, family):
    """Is gamma a lottery over ``family``? Caratheodory: then over linearly independent members."""
    cells = [(i, c) for i in range(problem.n) for c in range(problem.m + 1)]
    rhs = [gamma[i][c] for i, c in cells]
    for size in range(1, min(len(family), len(cells)) + 1):
        for subset in itertools.combinations(family, size):
            rows = [[1 if d[i] == c else 0 for d in subset] for i, c in cells]
            found = _solve(rows, rhs)
            if found is not None and all(w >= 0 for w in found):
                return True
    return False


def _family(problem, gamma, profile, good):
    return [
        d for d in _all_deterministic(problem) if all(gamma[i][c] > 0 for i, c in enumerate(d)) and good(d)
    ]


# ----------------------------------------------------------------------------- random tables


@st.composite
def small_tables(draw, stability=False):
    """A random table over a small restricted domain: at each profile a random lottery over a few
    deterministic assignments, drawn among the Pareto efficient (or stable) ones or among all."""
    n = draw(st.integers(2, 3))
    m = draw(st.integers(1, 2))
    caps = draw(st.lists(st.integers(1, 2), min_size=m, max_size=m))
    problem = Problem.make(n, "ab"[:m], caps)
    rankings = all_preferences(problem.objects)
    per_agent = [
        draw(st.lists(st.sampled_from(rankings), min_size=1, max_size=3, unique=True)) for _ in range(n)
    ]
    domain = Domain.restricted(problem, per_agent)
    classes = None
    if stability:
        classes = []
        for _ in problem.objects:
            order = draw(st.permutations(problem.agents))
            cuts = draw(st.lists(st.booleans(), min_size=n - 1, max_size=n - 1))
            groups, current = [], [order[0]]
            for a, cut in zip(order[1:], cuts, strict=True):
                if cut:
                    groups.append(tuple(current))
                    current = []
                current.append(a)
            groups.append(tuple(current))
            classes.append(tuple(groups))
    everything = _all_deterministic(problem)
    den = draw(st.sampled_from([1, 2, 6, 12]))
    nums = np.zeros((len(domain), n, m + 1), dtype=np.int64)
    for index, profile in enumerate(domain):
        if stability:
            good = [d for d in everything if _stable(problem, profile, classes, d)]
        else:
            good = [d for d in everything if _pareto(problem, profile, d)]
        pool = good if draw(st.integers(0, 9)) < 8 else everything
        for _ in range(den):
            d = draw(st.sampled_from(pool))
            for i, c in enumerate(d):
                nums[index, i, c] += 1
    table = TabulatedMechanism(domain, nums, den, "random")
    priorities = Priorities(problem, tuple(classes)) if stability else None
    return table, priorities


def _gamma(table, index):
    return [list(r) for r in table.at_index(index).matrix]


def _per_profile(prop, check, table):
    """`verified.registry._per_profile`, restated: the one-profile check everywhere."""
    certificates = []
    for index, profile in enumerate(table.domain):
        found = check(table.at_index(index), profile)
        if not found.holds:
            return found
        certificates.append(found.evidence)
    return {"kind": "per_profile", "profiles": len(table.domain), "certificates": certificates}


def _same(fast, slow):
    """The same result (equal as `CheckResult`s, so equal evidence) and the same canonical bytes."""
    assert jsonable(fast.evidence) == fast.evidence  # plain JSON values: `plain_holds` may skip the walk
    if isinstance(slow, dict):
        assert fast.holds and fast.property in ("ex_post_efficient", "ex_post_stable", "sd_efficient")
        assert fast == holds(fast.property, slow)
        assert canonical_json(fast.evidence) == canonical_json(slow)
    else:
        assert fast == slow
        assert canonical_json(fast.to_json()) == canonical_json(slow.to_json())


def _witness(table, result, good):
    """Re-derive the verdict from the brute force and re-check the evidence."""
    p = table.problem
    domain = list(table.domain)
    verdicts = [
        _decomposable(p, _gamma(table, k), _family(p, _gamma(table, k), domain[k], good(domain[k])))
        for k in range(len(domain))
    ]
    assert result.holds == all(verdicts)
    if result.holds:
        for k, evidence in enumerate(result.evidence["certificates"]):
            total = [[Fraction(0)] * (p.m + 1) for _ in p.agents]
            for item in evidence["lottery"]:
                w = Fraction(item["weight"])
                cols = tuple(p.columns.index(item["assignment"][a]) for a in p.agents)
                assert w > 0 and good(domain[k])(cols)
                for i, c in enumerate(cols):
                    total[i][c] += w
            assert total == _gamma(table, k)
        return
    first = verdicts.index(False)
    evidence = result.evidence
    assert evidence["kind"] == "farkas"
    assert [tuple(r) for r in evidence["profile"]] == list(domain[first])
    gamma = _gamma(table, first)
    y = {(a, c): Fraction(v) for a, row in evidence["prices"].items() for c, v in row.items()}
    assert (
        sum(y.get((a, x), 0) * gamma[i][k] for i, a in enumerate(p.agents) for k, x in enumerate(p.columns))
        > 0
    )
    family = _family(p, gamma, domain[first], good(domain[first]))
    stated = [tuple(p.columns.index(item["assignment"][a]) for a in p.agents) for item in evidence["family"]]
    assert sorted(stated) == sorted(family)
    for d in family:
        assert sum(y.get((a, p.columns[c]), 0) for a, c in zip(p.agents, d, strict=True)) <= 0


# ----------------------------------------------------------------------------- tests


@SETTINGS
@given(small_tables())
def test_ex_post_efficient_fast_path_matches_brute_force_and_one_profile_check(drawn):
    table, _ = drawn
    fast = check_ex_post_efficient_per_profile(table, table.domain)
    _same(fast, _per_profile("ex_post_efficient", check_ex_post_efficient_assignment, table))
    _witness(table, fast, lambda profile: lambda d: _pareto(table.problem, profile, d))
    slow = over_domain("ex_post_efficient", table, table.domain, check_ex_post_efficient_assignment)
    _same(check_ex_post_efficient(table, table.domain), slow)


@SETTINGS
@given(small_tables(stability=True))
def test_ex_post_stable_fast_path_matches_brute_force_and_one_profile_check(drawn):
    table, priorities = drawn

    def one(gamma, profile):
        return check_ex_post_stable_assignment(gamma, profile, priorities)

    fast = check_ex_post_stable_per_profile(table, table.domain, priorities)
    _same(fast, _per_profile("ex_post_stable", one, table))
    classes = priorities.classes
    _witness(table, fast, lambda profile: lambda d: _stable(table.problem, profile, classes, d))
    slow = over_domain("ex_post_stable", table, table.domain, one, {"priorities": priorities.to_json()})
    _same(check_ex_post_stable(table, table.domain, priorities), slow)


@SETTINGS
@given(small_tables())
def test_sd_efficient_fast_path_matches_one_profile_check_and_scan_is_sound(drawn):
    table, _ = drawn
    _same(
        check_sd_efficient_per_profile(table, table.domain),
        _per_profile("sd_efficient", check_sd_efficient_assignment, table),
    )
    slow = over_domain("sd_efficient", table, table.domain, check_sd_efficient_assignment)
    _same(check_sd_efficient(table, table.domain), slow)
    for index, sure in enumerate(sd_scan(table).tolist()):
        if sure:  # the exact no-LP test may only claim profiles the LP check proves efficient
            assert check_sd_efficient_assignment(table.at_index(index), table.domain.profile(index)).holds


@pytest.mark.parametrize("builtin", ["random_priority", "random_boston", "random_deferred_acceptance"])
def test_full_domain_3x2_same_certificates_as_one_profile_checks(builtin):
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    priorities = Priorities.make(problem, {"a": [["1", "2"], "3"], "b": ["3", ["1", "2"]]})
    if builtin == "random_priority":
        table = tabulate_random_priority(domain)
    elif builtin == "random_boston":
        table = tabulate(random_boston(problem), domain)
    else:
        table = tabulate(random_deferred_acceptance(problem, priorities), domain)
    _same(
        check_ex_post_efficient_per_profile(table, domain),
        _per_profile("ex_post_efficient", check_ex_post_efficient_assignment, table),
    )
    _same(
        check_sd_efficient_per_profile(table, domain),
        _per_profile("sd_efficient", check_sd_efficient_assignment, table),
    )

    def one(gamma, profile):
        return check_ex_post_stable_assignment(gamma, profile, priorities)

    _same(
        check_ex_post_stable_per_profile(table, domain, priorities),
        _per_profile("ex_post_stable", one, table),
    )


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_phase_one_replica_returns_the_simplex_point(data):
    """`_phase_one` against `solve_exact` (the exact simplex) on random 0/1 decomposition-shaped
    programs, degenerate ones included: same feasibility, same point."""
    rows = data.draw(st.integers(1, 5))
    cols = data.draw(st.integers(1, 6))
    a = [[data.draw(st.integers(0, 1)) for _ in range(cols)] for _ in range(rows)]
    b = [
        Fraction(data.draw(st.integers(0, 6)), data.draw(st.sampled_from([1, 2, 3, 4, 6, 12])))
        for _ in range(rows)
    ]
    names = [f"lambda[{k}]" for k in range(cols)]
    lp = LinearProgram(
        tuple(names),
        tuple(
            Constraint({names[k]: 1 for k in range(cols) if a[r][k]}, "==", b[r], f"cell[{r}]")
            for r in range(rows)
        ),
    )
    exact = solve_exact(lp)
    scale = [v.denominator for v in b]
    matrix = np.array([[[a[r][k] * scale[r] for k in range(cols)] for r in range(rows)]], dtype=np.int64)
    rhs = np.array([[v.numerator for v in b]], dtype=np.int64)
    status, num, den = phase_one(matrix, rhs)
    if exact.optimal:
        assert status[0] == FEASIBLE
        assert [Fraction(int(x), int(y)) for x, y in zip(num[0], den[0], strict=True)] == [
            exact.primal.get(v, Fraction(0)) for v in names
        ]
    else:
        assert exact.infeasible and status[0] == INFEASIBLE


def test_deterministic_assignments_follow_the_support_order():
    problem = Problem.make(3, "ab", [2, 1])
    assert [tuple(r) for r in deterministic_assignments(problem).tolist()] == _all_deterministic(problem)
    assert deterministic_assignments(problem, limit=3) is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_priority_and_boston_4x3_restricted_same_certificates(data):
    """n = 4, m = 3: families of up to ~20 assignments, non-unique decompositions (the replica's
    choice of vertex matters), on random restricted domains."""
    problem = Problem.make(4, "abc")
    rankings = all_preferences(problem.objects)
    per_agent = [
        data.draw(st.lists(st.sampled_from(rankings), min_size=1, max_size=3, unique=True)) for _ in range(4)
    ]
    domain = Domain.restricted(problem, per_agent)
    table = (
        tabulate_random_priority(domain)
        if data.draw(st.booleans())
        else tabulate(random_boston(problem), domain)
    )
    _same(
        check_ex_post_efficient_per_profile(table, domain),
        _per_profile("ex_post_efficient", check_ex_post_efficient_assignment, table),
    )
    _same(
        check_sd_efficient_per_profile(table, domain),
        _per_profile("sd_efficient", check_sd_efficient_assignment, table),
    )
