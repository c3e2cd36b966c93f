"""Every violation counted (`verified.assignment.properties.violations_count`, issue 13).

Expected counts come from brute force written here (plain loops over the domain, every
misreport, exact integer numerators over the table's one denominator, i.e. exact rationals)
or from hand derivations next to the test -- never from the counting code.
"""

from __future__ import annotations

import concurrent.futures
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assignment.reference_mechanisms import boston, lottery, random_priority, table_of
from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem
from verified.assignment.properties import (
    _whole_domain,
    check_equal_treatment,
    check_ex_post_efficient,
    check_ex_post_efficient_assignment,
    check_individually_rational,
    check_nonwasteful,
    check_sd_efficient,
    check_sd_efficient_assignment,
    check_strategyproof,
)
from verified.assignment.properties.efficiency import (
    check_ex_post_efficient_per_profile,
    check_sd_efficient_per_profile,
)
from verified.assignment.properties.violations_count import (
    DEFAULT_LIMIT,
    ViolationReport,
    iter_violations,
    percent_text,
    resolve_limit,
)
from verified.engine import engine_options
from verified.errors import InvalidInput
from verified.strategies import problems, random_assignment, small_domains, tabulated_mechanisms

VECTORISED = {
    "sp": check_strategyproof,
    "ir": check_individually_rational,
    "nonwasteful": check_nonwasteful,
    "ete": check_equal_treatment,
}


# --- brute force, from the definitions (Erdil, section 2; /work/shared/definitions.md) -------------


def _nums(table):
    return [[[int(v) for v in row] for row in prof] for prof in np.asarray(table.numerators).tolist()]


def _upper_sets(problem, pref):
    """Columns of the true ranking's upper contour sets that are compared: the top 1, top 2, ...,
    every acceptable object, then those plus the outside option; the set of all columns is
    always the whole row (= 1) and is left out."""
    order = [problem.objects.index(x) for x in pref] + [problem.m]
    sets = [order[: k + 1] for k in range(len(order))]
    return [s for s in sets if len(s) < problem.m + 1]


def brute_sp(table):
    """[(agent, true ranking number, profile number, misreport number, profile)] of every
    (profile, agent, misreport) where the truthful row fails to SD-dominate the lie's row at
    the agent's true ranking, in the documented order; and the number of triples examined."""
    domain, p = table.domain, table.problem
    nums = _nums(table)
    out, examined = [], 0
    for index, prof in enumerate(domain):
        for i in range(p.n):
            truth = nums[index][i]
            t = domain.preferences[i].index(prof[i])
            for r, report in enumerate(domain.preferences[i]):
                if report == prof[i]:
                    continue
                examined += 1
                lie = nums[domain.index((*prof[:i], report, *prof[i + 1 :]))][i]
                if any(sum(lie[c] for c in s) > sum(truth[c] for c in s) for s in _upper_sets(p, prof[i])):
                    out.append((i, t, index, r, prof))
    out.sort(key=lambda v: v[:4])
    return out, examined


def brute_ir(table):
    domain, p = table.domain, table.problem
    nums = _nums(table)
    out = []
    for index, prof in enumerate(domain):
        for i in range(p.n):
            if any(nums[index][i][k] > 0 for k, x in enumerate(p.objects) if x not in prof[i]):
                out.append((i, index))
    return sorted(out), len(domain) * p.n


def brute_nw(table):
    """(agent j, profile) pairs with y, z in X_j, z P_j y, gamma_jy > 0 and z not full (an
    object: its column below q_z; her outside option: below 1, only she holds it). Ranked below
    an acceptable z: later acceptable objects, the outside option, every unacceptable object;
    below the outside option: the unacceptable objects."""
    domain, p = table.domain, table.problem
    nums, den = _nums(table), table.denominator
    out = []
    for index, prof in enumerate(domain):
        columns = [sum(nums[index][i][k] for i in range(p.n)) for k in range(p.m)]
        for j in range(p.n):
            row, listed = nums[index][j], [p.objects.index(x) for x in prof[j]]
            unacceptable = [k for k in range(p.m) if k not in listed]
            wasteful = False
            for pos, z in enumerate(listed):
                below = listed[pos + 1 :] + [p.m] + unacceptable
                if columns[z] < p.capacities[z] * den and any(row[y] > 0 for y in below):
                    wasteful = True
            if row[p.m] < den and any(row[y] > 0 for y in unacceptable):
                wasteful = True
            if wasteful:
                out.append((j, index))
    return sorted(out), len(domain) * p.n


def brute_ete(table):
    domain, p = table.domain, table.problem
    nums = _nums(table)
    out, examined = [], 0
    for index, prof in enumerate(domain):
        for i in range(p.n):
            for j in range(i + 1, p.n):
                if prof[i] == prof[j]:
                    examined += 1
                    if nums[index][i] != nums[index][j]:
                        out.append((i, j, index))
    return sorted(out), examined


def _keys(prop, report):
    """The listed violations reduced to the brute force's tuples."""
    out = []
    for v in report.violations:
        if prop == "sp":
            out.append((v["agent"], v["profile_index"], tuple(v["true_preference"]), tuple(v["misreport"])))
        elif prop == "ete":
            out.append((*v["agents"], v["profile_index"]))
        else:
            out.append((v["agent"], v["profile_index"]))
    return out


def _expected_keys(prop, table, found):
    agents, prefs = table.problem.agents, table.domain.preferences
    if prop == "sp":
        return [(agents[i], index, prefs[i][t], prefs[i][r]) for i, t, index, r, _ in found]
    if prop == "ete":
        return [(agents[i], agents[j], index) for i, j, index in found]
    return [(agents[i], index) for i, index in found]


BRUTE = {"sp": brute_sp, "ir": brute_ir, "nonwasteful": brute_nw, "ete": brute_ete}


def assert_counts_match(table, prop, limit=10**9):
    found, examined = BRUTE[prop](table)
    default = VECTORISED[prop](table, table.domain)
    result = VECTORISED[prop](table, table.domain, all_violations=True, limit=limit)
    report = result.stats["violations"]
    assert isinstance(report, ViolationReport)
    assert (report.count, report.examined) == (len(found), examined)
    assert report.rate == Fraction(len(found), examined) if examined else report.rate == 0
    assert _keys(prop, report) == _expected_keys(prop, table, found)[:limit]
    # the verdict and the evidence are the default path's, and FAILS iff something was counted
    assert result == default and result.to_json() == default.to_json()
    assert result.fails == (len(found) > 0)
    assert "violations" not in default.stats
    return report


# --- a hand-planted mechanism -------------------------------------------------------------------


def planted():
    """Two agents, one object a. Rankings (domain order): () then (a); profile number =
    2 x (agent 1's) + (agent 2's). The table (agent 1 gets a exactly when she says she does
    not want it):

    #0 ((), ()):   1 gets a (unacceptable to her), 2 outside
    #1 ((), (a)):  1 gets a (unacceptable), 2 outside
    #2 ((a), ()):  both outside (a unassigned)
    #3 ((a), (a)): 1 outside, 2 gets a
    """
    problem = Problem.make(2, "a")
    domain = Domain.full(problem)
    assert [tuple(map(tuple, r)) for r in domain] == [((), ()), ((), ("a",)), (("a",), ()), (("a",), ("a",))]
    rows = {0: [[1, 0], [0, 1]], 1: [[1, 0], [0, 1]], 2: [[0, 1], [0, 1]], 3: [[0, 1], [1, 0]]}
    nums = np.array([rows[k] for k in range(4)], dtype=np.int64)
    return TabulatedMechanism(domain, nums, 1, "planted")


def test_planted_mechanism_counts_derived_by_hand():
    table = planted()
    # SP (8 triples: 4 profiles x 2 agents x 1 misreport). Agent 1, true (): her only compared
    # set is {outside}; at #0 and #1 she gets a (outside 0) and the lie (a) sends her to #2/#3
    # (outside 1): 2 violations. Agent 1, true (a): at #2 and #3 she gets outside; the lie ()
    # gives #0/#1 where she gets a: 2 violations. Agent 2: true () at #0 (outside 1; lie -> #1
    # outside 1) and #2 (outside 1; lie -> #3, a, outside 0): none; true (a) at #1 (outside;
    # lie -> #0 outside, {a}: 0 vs 0) and #3 (gets a): none. 4 of 8.
    sp = check_strategyproof(table, all_violations=True).stats["violations"]
    assert (sp.count, sp.examined, sp.rate) == (4, 8, Fraction(1, 2))
    listed = [(v["agent"], v["profile_index"], v["misreport"]) for v in sp.violations]
    assert listed == [("1", 0, ["a"]), ("1", 1, ["a"]), ("1", 2, []), ("1", 3, [])]
    assert sp.violations[0]["prefix"] == ["outside"]
    assert (sp.violations[2]["truthful_cumulative"], sp.violations[2]["misreport_cumulative"]) == ("0", "1")
    # IR: agent 1 at #0 and #1 (a is unacceptable to her). 2 of 8 pairs.
    ir = check_individually_rational(table, table.domain, all_violations=True).stats["violations"]
    assert (ir.count, ir.examined) == (2, 8)
    assert [(v["agent"], v["profile_index"], v["unacceptable"]) for v in ir.violations] == [
        ("1", 0, {"a": "1"}),
        ("1", 1, {"a": "1"}),
    ]
    # Waste: agent 1 at #0, #1 (z = her outside option, 0 < 1; y = a, unacceptable, positive);
    # agent 1 at #2 (z = a, column 0 < 1; y = outside, 1 > 0). Nobody else: agent 2's outside
    # is full wherever she holds it, and a is full at #1 and #3. 3 of 8 pairs.
    nw = check_nonwasteful(table, table.domain, all_violations=True).stats["violations"]
    assert (nw.count, nw.examined) == (3, 8)
    assert [(v["profile_index"], v["y"], v["z"]) for v in nw.violations] == [
        (0, "a", "outside"),
        (1, "a", "outside"),
        (2, "outside", "a"),
    ]
    # Equal treatment: equal rankings at #0 and #3 only, different rows at both. 2 of 2.
    ete = check_equal_treatment(table, table.domain, all_violations=True).stats["violations"]
    assert (ete.count, ete.examined, ete.rate, ete.percent) == (2, 2, Fraction(1), "100.00%")
    for prop in BRUTE:
        assert_counts_match(table, prop)


# --- random tables against brute force ----------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_tables_against_brute_force(data):
    problem = data.draw(problems(max_agents=3, max_objects=2))
    domain = data.draw(small_domains(problem))
    table = data.draw(tabulated_mechanisms(domain, individually_rational=data.draw(st.booleans())))
    for prop in BRUTE:
        assert_counts_match(table, prop)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_limit_lists_a_prefix_and_counts_everything(data):
    problem = data.draw(problems(max_agents=3, max_objects=2))
    domain = data.draw(small_domains(problem))
    table = data.draw(tabulated_mechanisms(domain, individually_rational=False))
    prop = data.draw(st.sampled_from(sorted(BRUTE)))
    limit = data.draw(st.integers(0, 6))
    full = assert_counts_match(table, prop)
    cut = VECTORISED[prop](table, domain, all_violations=True, limit=limit).stats["violations"]
    assert (cut.count, cut.examined, cut.limit) == (full.count, full.examined, limit)
    assert list(cut.violations) == list(full.violations[:limit])
    assert cut.truncated == (full.count > limit)
    assert list(iter_violations(table, prop=prop)) == list(full.violations)  # streamed: the same, all


def test_boston_3x3_sp_count_against_brute_force():
    problem = Problem.make(3, "abc")
    domain = Domain.full(problem)
    table = table_of(domain, lambda p, prof: lottery(p, prof, boston, [(0, 1, 2)]), "Boston 1 2 3")
    found, examined = brute_sp(table)
    assert examined == 4096 * 3 * 15 and len(found) > 0
    result = check_strategyproof(table, all_violations=True, limit=50)
    report = result.stats["violations"]
    assert (report.count, report.examined) == (len(found), examined)
    assert _keys("sp", report) == _expected_keys("sp", table, found)[:50]
    assert report.truncated and len(report.violations) == 50
    assert result == check_strategyproof(table)
    ev = result.evidence  # the first counterexample is one of the counted triples
    key = (ev["agent"], domain.index(problem.profile(ev["profile"])), tuple(ev["true_preference"]))
    every = list(iter_violations(table, prop="sp"))
    assert len(every) == len(found)
    assert any((v["agent"], v["profile_index"], tuple(v["true_preference"])) == key for v in every)


def test_random_priority_counts_zero():
    problem = Problem.make(3, "ab")
    table = table_of(Domain.full(problem), random_priority, "RP")
    for check in VECTORISED.values():
        report = check(table, table.domain, all_violations=True).stats["violations"]
        assert report.count == 0 and report.violations == () and not report.truncated
        assert report.limit == DEFAULT_LIMIT
    sp = check_strategyproof(table, all_violations=True)
    assert sp.holds and sp.stats["violations"].examined == 125 * 3 * 4


def test_compact_and_python_int_tables_count_the_same():
    """SP and IR read compact tables (int8) and tables past int64 (Python ints) on the CLI."""
    from verified.assignment.compact import CompactTable

    table = planted()
    compact = CompactTable(table.domain, table.numerators.astype(np.int8), 1, "planted")
    big = 2**70
    wide = TabulatedMechanism(table.domain, table.numerators.astype(object) * big, big, "planted")
    for check in (check_strategyproof, check_individually_rational):
        want = check(table, table.domain, all_violations=True).stats["violations"]
        for other in (compact, wide):
            got = check(other, other.domain, all_violations=True).stats["violations"]
            assert (got.count, got.examined, got.violations) == (want.count, want.examined, want.violations)


# --- the per-profile properties -----------------------------------------------------------------


def _brute_profiles(table, one):
    """Profiles where the one-profile check (tested on its own elsewhere) FAILS, by a plain loop."""
    return [k for k, prof in enumerate(table.domain) if one(table.at_index(k), prof).fails]


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_efficiency_counts_every_failing_profile(data):
    problem = data.draw(problems(max_agents=3, max_objects=2, max_capacity=1))
    domain = data.draw(small_domains(problem, max_rankings=3))
    table = data.draw(tabulated_mechanisms(domain))
    cases = [
        (check_ex_post_efficient, check_ex_post_efficient_assignment),
        (check_ex_post_efficient_per_profile, check_ex_post_efficient_assignment),
        (check_sd_efficient, check_sd_efficient_assignment),
        (check_sd_efficient_per_profile, check_sd_efficient_assignment),
    ]
    for check, one in cases:
        expected = _brute_profiles(table, one)
        result = check(table, domain, all_violations=True, limit=3)
        report = result.stats["violations"]
        assert (report.count, report.examined, report.undecided) == (len(expected), len(domain), 0)
        assert [v["profile_index"] for v in report.violations] == expected[:3]
        assert result == check(table, domain)


def test_ex_post_efficiency_count_through_the_engine(monkeypatch):
    """Ranges of profiles decided in other workers are tallied apart and merged in range order:
    the same count, list and result as one process."""
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    rng = random.Random(13)  # random IR mixtures of deterministic assignments, profile by profile
    table = table_of(domain, lambda p, prof: random_assignment(p, rng, prof), "random")
    expected = _brute_profiles(table, check_ex_post_efficient_assignment)
    assert 0 < len(expected) < len(domain)
    serial = check_ex_post_efficient(table, domain, all_violations=True, limit=4)
    monkeypatch.setattr(_whole_domain, "PARALLEL_MIN", 1)
    ranges = []
    counted = _whole_domain.decompose_counted

    def spy(*args):
        ranges.append(args[-2:])
        return counted(*args)

    monkeypatch.setattr(_whole_domain, "decompose_counted", spy)
    with concurrent.futures.ThreadPoolExecutor(2) as pool, engine_options(executor=pool):
        spread = check_ex_post_efficient(table, domain, all_violations=True, limit=4)
    assert len(ranges) >= 2  # the count went through the engine's ranges
    monkeypatch.setattr(_whole_domain, "decompose_counted", counted)  # workers need the real one
    with engine_options(n_jobs=2):
        processes = check_ex_post_efficient_per_profile(table, domain, all_violations=True, limit=4)
    for result in (serial, spread, processes):
        report = result.stats["violations"]
        assert report.count == len(expected)
        assert [v["profile_index"] for v in report.violations] == expected[:4]
    assert spread == serial == check_ex_post_efficient(table, domain)
    assert processes == check_ex_post_efficient_per_profile(table, domain)


def test_ex_post_stability_count():
    from verified.assignment.priorities import Priorities
    from verified.assignment.properties.stability import (
        check_ex_post_stable,
        check_ex_post_stable_assignment,
        check_ex_post_stable_per_profile,
    )

    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    priorities = Priorities.from_order(problem, ["1", "2", "3"])
    table = table_of(domain, lambda p, prof: lottery(p, prof, boston, [(0, 1, 2)]), "Boston")
    expected = [
        k
        for k, prof in enumerate(domain)
        if check_ex_post_stable_assignment(table.at_index(k), prof, priorities).fails
    ]
    assert expected  # Boston is not stable
    for check in (check_ex_post_stable, check_ex_post_stable_per_profile):
        result = check(table, domain, priorities, all_violations=True, limit=2)
        report = result.stats["violations"]
        assert (report.count, report.examined) == (len(expected), 125)
        assert [v["profile_index"] for v in report.violations] == expected[:2]
        assert result == check(table, domain, priorities)
    streamed = [
        v["profile_index"] for v in iter_violations(table, prop="ex-post-stable", priorities=priorities)
    ]
    assert streamed == expected


# --- the report ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (Fraction(0), "0.00%"),
        (Fraction(1, 3), "33.33%"),
        (Fraction(2, 3), "66.67%"),
        (Fraction(1, 8), "12.50%"),
        (Fraction(1), "100.00%"),
        (Fraction(1, 20000), "0.01%"),
        (Fraction(1, 20001), "0.00%"),
    ],
)
def test_percent_is_rounded_half_up_with_integers(rate, text):
    assert percent_text(rate) == text


@pytest.mark.parametrize("bad", [-1, True, 1.5, "3", [1]])
def test_bad_limits_are_refused(bad):
    with pytest.raises(InvalidInput, match="limit must be a non-negative integer"):
        resolve_limit(bad)
    with pytest.raises(InvalidInput, match="limit must be a non-negative integer"):
        check_strategyproof(planted(), all_violations=True, limit=bad)


def test_report_json_is_exact():
    report = check_strategyproof(planted(), all_violations=True, limit=1).stats["violations"]
    doc = report.to_json()
    assert doc["rate"] == "1/2" and doc["percent"] == "50.00%" and doc["truncated"] is True
    assert (doc["count"], doc["examined"], doc["limit"], len(doc["violations"])) == (4, 8, 1, 1)
    assert not any(isinstance(v, float) for v in doc.values())


def test_iter_violations_refuses_what_it_cannot_count():
    with pytest.raises(InvalidInput, match="cannot count"):
        next(iter_violations(planted(), prop="anonymous"))
