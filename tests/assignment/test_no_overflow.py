"""No wrap-around: every whole-domain property on tables with huge denominators and capacities.

Tables over 2 agents and one object ``a`` (capacity q), full domain (each agent reports () or
("a",): 4 profiles), with denominators 2**62, 2**63 + 1 and 10**40, and 2**60 with q = 8 (the
case where an int64 ``q * d`` wrapped to -2**63 and `check_nonwasteful` said HOLDS on a
wasteful table). Capacities q = 2, 8 or 10**30 push ``q * d`` past 2**63.

Each verdict is compared with an oracle written here from the definitions (Erdil, section 2;
`../shared/definitions.md`) in Fractions only, and each failing witness is re-derived from the
table in Fractions. With one object the definitions reduce to short rules, derived by hand:

* ex post efficiency = SD-efficiency: the deterministic Pareto-efficient matchings give ``a``
  to exactly min(q, #accepting) accepting agents; the assignments with entries in [0, 1] whose
  column sum is that number and that give nothing to a non-accepting agent are exactly the
  lotteries over those (the polytope {0 <= x <= 1, sum x = k} has integral vertices), and any
  other one is dominated (give the spare share to an accepting agent, or take an unacceptable
  share back to the outside option);
* ex post stability for the strict priority 1 > 2: the only stable matching gives ``a`` to the
  first min(q, #accepting) accepting agents in priority order.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.anonymous import OrbitTable, check_strategyproof_anonymous
from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.assignment.properties import (
    check_anonymous,
    check_equal_treatment,
    check_ex_post_efficient,
    check_ex_post_stable,
    check_individually_rational,
    check_nonwasteful,
    check_sd_efficient,
    check_strategyproof,
)
from verified.errors import InvalidInput

A, EMPTY = ("a",), ()
RANKINGS = (EMPTY, A)  # the order of Domain.full for one object (by length)
CASES = [(2**62, 1), (2**62, 2), (2**63 + 1, 1), (2**63 + 1, 3), (10**40, 1), (10**40, 10**30), (2**60, 8)]
Rows = tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]]  # per agent: (a, outside)
Rule = Callable[[tuple[tuple[str, ...], tuple[str, ...]], int, int], tuple[int, int]]


# ---------------------------------------------------------------- tables (numerators of a per agent)


def _priority_rule(profile, d, q):  # the stable matching: accepting agents in order 1, 2 while a lasts
    left, out = q, []
    for ranking in profile:
        take = ranking == A and left > 0
        left -= take
        out.append(d if take else 0)
    return tuple(out)


def _split_rule(profile, d, q):  # both accept: agent 1 gets (d + 1) // 2, agent 2 the rest (q = 1)
    if profile == (A, A) and q == 1:
        return (d + 1) // 2, d - (d + 1) // 2
    return _priority_rule(profile, d, q)


def _half_rule(profile, d, q):  # random priority for q = 1 (d even): 1/2 each when both accept
    if profile == (A, A) and q == 1:
        return d // 2, d // 2
    return _priority_rule(profile, d, q)


def _short_rule(profile, d, q):  # both accept: each gets (d - 1) / d of a (or less): a has spare room
    if profile == (A, A):
        return (d - 1, 0) if q == 1 else (d - 1, d - 1)
    return _priority_rule(profile, d, q)


def _lying_rule(profile, d, q):  # agent 1 reporting () gets a for sure: manipulable, not IR
    if profile[0] == EMPTY:
        return d, (d if profile[1] == A and q >= 2 else 0)
    return _split_rule(profile, d, q)


RULES: dict[str, Rule] = {
    "priority": _priority_rule,
    "split": _split_rule,
    "half": _half_rule,
    "short": _short_rule,
    "lying": _lying_rule,
}


def _problem(q: int) -> Problem:
    return Problem.make(2, "a", capacities=[q])


def _rows(rule: Rule, d: int, q: int) -> dict[tuple, Rows]:
    out = {}
    for r1 in RANKINGS:
        for r2 in RANKINGS:
            shares = rule((r1, r2), d, q)
            out[(r1, r2)] = tuple((Fraction(s, d), 1 - Fraction(s, d)) for s in shares)
    return out


def _table(rule: Rule, d: int, q: int, dtype: str = "object") -> TabulatedMechanism:
    """The table as a caller would pass it: Python ints, or int64 when every entry fits (the
    table must then widen itself wherever a sum or q * d could leave int64)."""
    domain = Domain.full(_problem(q))
    assert tuple(domain.preferences[0]) == RANKINGS
    nums = np.empty((4, 2, 2), dtype=object)
    for index, profile in enumerate(domain):
        for i, share in enumerate(rule(tuple(profile), d, q)):
            nums[index, i] = [share, d - share]
    if dtype == "int64":
        nums = nums.astype(np.int64)
    return TabulatedMechanism(domain, nums, d, name="huge")


# ---------------------------------------------------------------- the Fraction-only oracle


def _cumulatives(ranking: tuple[str, ...], row: tuple[Fraction, Fraction]) -> list[Fraction]:
    """Prefix sums along the true ranking: the acceptable objects, then the outside option."""
    return [row[0], row[0] + row[1]] if ranking == A else [row[1]]


def oracle(prop: str, rows: dict[tuple, Rows], q: int) -> bool:
    profiles = list(rows)
    if prop == "individually_rational":
        return all(rows[p][i][0] == 0 for p in profiles for i in range(2) if p[i] == EMPTY)
    if prop == "nonwasteful":
        for p in profiles:
            column = rows[p][0][0] + rows[p][1][0]
            for i in range(2):
                a_share, out_share = rows[p][i]
                if p[i] == A and out_share > 0 and column < q:
                    return False  # prefers a, which has room, to the outside option she holds
                if p[i] == EMPTY and a_share > 0 and out_share < 1:
                    return False  # prefers her own outside option (room left) to a
        return True
    if prop == "equal_treatment":
        return all(rows[p][0] == rows[p][1] for p in profiles if p[0] == p[1])
    if prop == "anonymous":
        return all(rows[(p[1], p[0])][0] == rows[p][1] for p in profiles)
    if prop == "strategyproof":
        for p in profiles:
            for i in range(2):
                for lie in RANKINGS:
                    other = (lie, p[1]) if i == 0 else (p[0], lie)
                    truthful = _cumulatives(p[i], rows[p][i])
                    lying = _cumulatives(p[i], rows[other][i])
                    if any(t < m for t, m in zip(truthful, lying, strict=True)):
                        return False
        return True
    if prop in ("ex_post_efficient", "sd_efficient"):
        for p in profiles:
            accepting = [i for i in range(2) if p[i] == A]
            if any(rows[p][i][0] > 0 for i in range(2) if i not in accepting):
                return False
            if rows[p][0][0] + rows[p][1][0] != min(q, len(accepting)):
                return False
        return True
    if prop == "ex_post_stable":
        return all(
            tuple(rows[p][i][0] for i in range(2)) == tuple(Fraction(s) for s in _priority_rule(p, 1, q))
            for p in profiles
        )
    raise AssertionError(prop)


def _row(evidence_row: dict[str, Any]) -> tuple[Fraction, Fraction]:
    return Fraction(evidence_row["a"]), Fraction(evidence_row["outside"])


def witness_is_real(prop: str, ev: dict[str, Any], rows: dict[tuple, Rows], q: int) -> None:
    """The failing evidence re-derived from the table, in Fractions."""
    profile = tuple(tuple(r) for r in ev["profile"])
    here = rows[profile]
    if prop == "individually_rational":
        i = int(ev["agent"]) - 1
        assert profile[i] == EMPTY and ev["object"] == "a"
        assert Fraction(ev["probability"]) == here[i][0] > 0
    elif prop == "nonwasteful":
        i = int(ev["agent"]) - 1
        assert _row(ev["row"]) == here[i]
        column = here[0][0] + here[1][0]
        if ev["z"] == "a":
            assert ev["y"] == "outside" and profile[i] == A and here[i][1] > 0 and column < q
            assert Fraction(ev["z_column_sum"]) == column and ev["z_capacity"] == q
        else:
            assert ev["z"] == "outside" and ev["y"] == "a" and here[i][0] > 0 and here[i][1] < 1
    elif prop == "equal_treatment":
        assert profile[0] == profile[1]
        assert [_row(r) for r in ev["rows"]] == [here[0], here[1]] and here[0] != here[1]
    elif prop == "anonymous":
        i = int(ev["agent"]) - 1
        swapped = (profile[1], profile[0])
        assert ev["permutation"] == [1, 0]
        assert _row(ev["permuted_row"]) == rows[swapped][i]
        assert _row(ev["original_row"]) == here[1 - i] != rows[swapped][i]
    elif prop == "strategyproof":
        i = int(ev["agent"]) - 1
        lie = tuple(ev["misreport"])
        other = (lie, profile[1]) if i == 0 else (profile[0], lie)
        assert tuple(ev["true_preference"]) == profile[i]
        assert _row(ev["truthful_row"]) == here[i] and _row(ev["misreport_row"]) == rows[other][i]
        prefix = ev["prefix"]
        truthful = sum(dict(zip(("a", "outside"), here[i], strict=True))[c] for c in prefix)
        lying = sum(dict(zip(("a", "outside"), rows[other][i], strict=True))[c] for c in prefix)
        assert Fraction(ev["truthful_cumulative"]) == truthful < lying == Fraction(ev["misreport_cumulative"])
    elif prop == "sd_efficient":
        dominating = {a: _row(r) for a, r in ev["dominating"].items()}
        assert Fraction(dominating["1"][0]) + dominating["2"][0] <= q  # a feasible assignment
        for i, agent in enumerate(("1", "2")):  # weakly better for everyone along her ranking
            for better, worse in zip(
                _cumulatives(profile[i], dominating[agent]), _cumulatives(profile[i], here[i]), strict=True
            ):
                assert better >= worse
        gains = [
            better > worse
            for i, agent in enumerate(("1", "2"))
            for better, worse in zip(
                _cumulatives(profile[i], dominating[agent]), _cumulatives(profile[i], here[i]), strict=True
            )
        ]
        assert any(gains) and ev["strict_gains"]
    else:  # ex post efficiency / stability: Farkas prices over the admissible matchings in the support
        prices = {(a, c): Fraction(y) for a, per in ev["prices"].items() for c, y in per.items()}
        gamma_price = sum(
            prices.get((str(i + 1), c), 0) * here[i][k]
            for i in range(2)
            for k, c in enumerate(("a", "outside"))
        )
        assert gamma_price > 0 and Fraction(ev["assignment_price"]) == gamma_price
        stable = prop == "ex_post_stable"
        for x1 in (0, 1):  # every deterministic matching inside supp(gamma) that is admissible
            for x2 in (0, 1):
                inside = all((here[i][0] > 0) if x else (here[i][1] > 0) for i, x in enumerate((x1, x2)))
                det = {profile: ((Fraction(x1), Fraction(1 - x1)), (Fraction(x2), Fraction(1 - x2)))}
                if inside and x1 + x2 <= q and oracle("ex_post_stable" if stable else prop, det, q):
                    cost = sum(
                        prices.get((str(i + 1), "a" if x else "outside"), 0) for i, x in enumerate((x1, x2))
                    )
                    assert cost <= 0


# ---------------------------------------------------------------- the tests


def _checks(q: int) -> dict[str, Callable[[TabulatedMechanism], Any]]:
    priorities = Priorities.from_order(_problem(q))
    return {
        "individually_rational": lambda t: check_individually_rational(t, t.domain),
        "nonwasteful": lambda t: check_nonwasteful(t, t.domain),
        "equal_treatment": lambda t: check_equal_treatment(t, t.domain),
        "anonymous": lambda t: check_anonymous(t),
        "strategyproof": lambda t: check_strategyproof(t),
        "ex_post_efficient": lambda t: check_ex_post_efficient(t, t.domain),
        "sd_efficient": lambda t: check_sd_efficient(t, t.domain),
        "ex_post_stable": lambda t: check_ex_post_stable(t, t.domain, priorities),
    }


def _applicable(rule: str, d: int, q: int, dtype: str = "object") -> bool:
    if dtype == "int64" and d > 2**63 - 1:
        return False
    if rule in ("split", "half"):
        return q == 1 and (rule == "split" or d % 2 == 0)
    return True


TABLES = [
    (rule, d, q, dtype)
    for rule in sorted(RULES)
    for d, q in CASES
    for dtype in ("object", "int64")
    if _applicable(rule, d, q, dtype)
]


@pytest.mark.parametrize(
    ("rule", "d", "q", "dtype"), TABLES, ids=[f"{r}-d={d}-q={q}-{t}" for r, d, q, t in TABLES]
)
def test_every_whole_domain_property_agrees_with_the_fraction_oracle(
    rule: str, d: int, q: int, dtype: str
) -> None:
    table = _table(RULES[rule], d, q, dtype)
    rows = _rows(RULES[rule], d, q)
    assert table.denominator == d
    for prop, check in _checks(q).items():
        result = check(table)
        expected = oracle(prop, rows, q)
        assert result.holds == expected, (prop, result.verdict, dict(result.evidence))
        assert result.fails == (not expected), (prop, result.verdict)
        if result.fails:
            witness_is_real(prop, dict(result.evidence), rows, q)


def test_the_tables_cover_holds_and_fails_of_every_property() -> None:
    seen = {(prop, oracle(prop, _rows(RULES[r], d, q), q)) for r, d, q, _ in TABLES for prop in _checks(1)}
    assert seen == {(prop, verdict) for prop in _checks(1) for verdict in (True, False)}


@pytest.mark.parametrize(
    ("rule", "d", "q", "dtype"), TABLES, ids=[f"{r}-d={d}-q={q}-{t}" for r, d, q, t in TABLES]
)
def test_strategyproofness_on_orbits_agrees_with_the_oracle(rule: str, d: int, q: int, dtype: str) -> None:
    table = _table(RULES[rule], d, q, dtype)
    rows = _rows(RULES[rule], d, q)
    if not oracle("anonymous", rows, q):
        with pytest.raises(InvalidInput, match="not anonymous"):
            OrbitTable.from_tabulated(table)
        return
    result = check_strategyproof_anonymous(OrbitTable.from_tabulated(table))
    assert result.holds == oracle("strategyproof", rows, q), dict(result.evidence)
    if result.fails:
        witness_is_real("strategyproof", dict(result.evidence), rows, q)


@pytest.mark.parametrize(("d", "q"), CASES, ids=[f"d={d}-q={q}" for d, q in CASES])
def test_validation_catches_rows_and_columns_whose_fixed_width_sums_would_wrap(d: int, q: int) -> None:
    domain = Domain.full(_problem(q))
    good = _table(_priority_rule, d, q).numerators
    # a row summing to d + 2**64 (wraps to d in uint64/int64 arithmetic): entries d and 2**64
    # are out of [0, d] anyway; the subtle case is a row of in-range entries summing past d
    bad_row = np.array(good, dtype=object)
    bad_row[3, 0] = [d, d]  # both accept; agent 1: a and outside each with probability 1
    with pytest.raises(InvalidInput, match="row sums to 2, not 1"):
        TabulatedMechanism(domain, bad_row, d)
    # a column over capacity: q copies of a, but q + 1 shares needed -- only possible when q = 1
    if q == 1:
        over = np.array(good, dtype=object)
        over[3] = [[d, 0], [d, 0]]
        with pytest.raises(InvalidInput, match="more than its capacity 1"):
            TabulatedMechanism(domain, over, d)
    # fixed-width input with a huge denominator is widened to exact Python ints
    if d <= 2**63 - 1:
        table = TabulatedMechanism(domain, np.array(good, dtype=np.int64), d)
        assert table.numerators.dtype == object or d * 2 <= 2**63 - 1
        assert [table.entry(3, i, 0) for i in range(2)] == [r[0] for r in _rows(_priority_rule, d, q)[(A, A)]]


def test_orbit_ranks_of_many_agents_over_few_rankings_do_not_overflow() -> None:
    # 70 others over 2 rankings: 71 multisets, but C(71, 35) > 2**63 would have been tabulated.
    from verified.assignment.anonymous import all_multisets, multiset_count, multiset_rank

    rows = all_multisets(2, 70)
    assert len(rows) == multiset_count(2, 70) == 71
    assert [multiset_rank(r) for r in rows.tolist()] == list(range(71))  # pure-Python ranks, in order


@st.composite
def _huge_tables(draw: st.DrawFn) -> tuple[dict[tuple, tuple[int, int]], int, int, str]:
    """Random valid tables with denominators around 2**62 .. 10**40 and capacities 1 .. 10**30."""
    d = draw(st.sampled_from([2**62, 2**62 + 1, 2**63 - 1, 2**63, 2**63 + 1, 2**64, 10**40, 2**60]))
    q = draw(st.sampled_from([1, 2, 3, 8, 2**40, 10**30]))
    near = st.sampled_from([0, 1, d // 2, d - 1, d]) | st.integers(0, d)
    shares = {}
    for r1 in RANKINGS:
        for r2 in RANKINGS:
            s1 = draw(near)
            s2 = draw(near.filter(lambda s, s1=s1: s1 + s <= q * d))
            shares[(r1, r2)] = (s1, s2)
    dtype = draw(st.sampled_from(["object", "int64"] if d <= 2**63 - 1 else ["object"]))
    return shares, d, q, dtype


@settings(max_examples=40, deadline=None)
@given(_huge_tables())
def test_random_huge_tables_agree_with_the_fraction_oracle(drawn) -> None:
    shares, d, q, dtype = drawn

    def rule(profile, d_, q_):
        return shares[profile]

    table = _table(rule, d, q, dtype)
    rows = _rows(rule, d, q)
    for prop, check in _checks(q).items():
        result = check(table)
        assert result.holds == oracle(prop, rows, q), (prop, result.verdict, dict(result.evidence))
        if result.fails:
            witness_is_real(prop, dict(result.evidence), rows, q)
