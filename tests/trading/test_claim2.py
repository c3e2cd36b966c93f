"""Claim 2 of the proof of Theorem 2 (Valenzuela-Stookey): hand examples both ways, the role of
Claim 1, and the necessary condition for OSP on hypothesis menus (against the menu-level check).

Witnesses are re-checked here with plain Fractions; LP certificates with the standard-library
checker (`verified.recheck.lp.Program`) on programs this file writes out itself.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.trading.test_osp import recheck_counterexample
from verified.errors import InvalidInput
from verified.recheck.lp import Program
from verified.strategies.trading import general_menus, polarized_menus
from verified.trading.claim2 import check_claim2, check_claim2_menu
from verified.trading.model import CostDomain
from verified.trading.osp import check_menu_osp
from verified.trading.sets import PointSet, Ray, RemedialSet

F = Fraction


def dot(a: list, b: list) -> Fraction:
    return sum((F(x) * F(y) for x, y in zip(a, b, strict=True)), F(0))


ETA2 = (F(1), F(1))
# {eta}, the ray towards (0, 2) and the ray towards (2, 0): a bilateral-style polarized menu.
SWAP_MENU = [PointSet([ETA2]), Ray(ETA2, [-1, 1]), Ray(ETA2, [1, -1])]


def test_claim2_holds_at_a_hand_type() -> None:
    # c = (1, 2): c . eta = 3. Set 2 reaches (2, 0) at cost 2 < 3 and never exceeds 3 (sup at eta),
    # set 0 costs 3 and set 1 costs between 3 and 4: choice 2 is the only obviously dominant one,
    # and no other set goes below 3.
    result = check_claim2(SWAP_MENU, ETA2, (1, 2))
    assert result.holds
    ev = result.evidence
    assert ev["dominant"] == [2] and F(ev["eta_cost"]) == 3
    assert ev["below"][0] is None and ev["below"][1] is None
    assert dot(ev["below"][2], [1, 2]) < 3 and SWAP_MENU[2].contains([F(x) for x in ev["below"][2]])


def test_claim2_fails_without_claim1() -> None:
    # c = (1, 1), c . eta = 2. T1 = {(0, 0)} (cost 0) lacks eta; T2 = {(1, 0), (1, 1)} (costs 1, 2).
    # Choice 1: sup 0 <= inf of T0 (2) and of T2 (1), so it is obviously dominant, yet T2 offers
    # (1, 0) at cost 1 < 2: Claim 2's conclusion fails, because eta is not in T1 (Claim 1 fails).
    menu = [PointSet([ETA2]), PointSet([(0, 0)]), PointSet([(1, 0), (1, 1)])]
    result = check_claim2(menu, ETA2, (1, 1))
    assert result.fails
    ev = result.evidence
    assert (ev["choice"], ev["other"]) == (1, 2) and [F(x) for x in ev["point"]] == [1, 0]
    assert ev["eta_in_set"] == [True, False, True]


def test_two_improving_sets_leave_nothing_dominant() -> None:
    # README's crossed menu: eta = (1,1,1), rays (-1,1,0) and (0,-1,1) are not polarized.
    eta = (F(1), F(1), F(1))
    menu = [PointSet([eta]), Ray(eta, [-1, 1, 0]), Ray(eta, [0, -1, 1])]
    domain = CostDomain.positive_orthant(3)
    result = check_claim2_menu(menu, eta, domain)
    assert result.fails
    ev = result.evidence
    c = [F(x) for x in ev["cost"]]
    assert all(x > 0 for x in c)
    level = dot(c, list(eta))
    for k, point in zip(ev["sets"], ev["points"], strict=True):
        x = [F(p) for p in point]
        assert menu[k].contains(x) and dot(c, x) < level
    recheck_counterexample(ev["counterexample"], menu)
    assert check_claim2(menu, eta, c).evidence["dominant"] == []


def lp_for(u: list, w: list, domain: CostDomain) -> Program:
    """max s, c.u + s <= 0, c.w + s <= 0, s <= 1 and c in the (scaled) domain, written by hand."""
    n = len(u)
    rows = [
        {
            "name": "first",
            "coefficients": {**{f"c[{i}]": u[i] for i in range(n)}, "s": "1"},
            "sense": "<=",
            "rhs": "0",
        },
        {
            "name": "second",
            "coefficients": {**{f"c[{i}]": w[i] for i in range(n)}, "s": "1"},
            "sense": "<=",
            "rhs": "0",
        },
        {"name": "cap", "coefficients": {"s": "1"}, "sense": "<=", "rhs": "1"},
    ]
    for i in range(n):
        if domain.kind == "box":
            rows.append(
                {
                    "name": f"lo[{i}]",
                    "coefficients": {f"c[{i}]": "1"},
                    "sense": ">=",
                    "rhs": str(domain.lo[i]),
                }
            )
            rows.append(
                {
                    "name": f"hi[{i}]",
                    "coefficients": {f"c[{i}]": "1"},
                    "sense": "<=",
                    "rhs": str(domain.hi[i]),
                }
            )
        else:
            rows.append({"name": f"hi[{i}]", "coefficients": {f"c[{i}]": "1"}, "sense": "<=", "rhs": "1"})
            if domain.kind == "positive_orthant":
                rows.append(
                    {
                        "name": f"positive[{i}]",
                        "coefficients": {f"c[{i}]": "1", "s": "-1"},
                        "sense": ">=",
                        "rhs": "0",
                    }
                )
    spec = {
        "variables": [f"c[{i}]" for i in range(n)] + ["s"],
        "constraints": rows,
        "objective": {"s": "1"},
        "sense": "max",
        "lower": {"s": None},
    }
    return Program(spec)


def recheck_holds(evidence: dict, domain: CostDomain) -> None:
    assert evidence["kind"] == "claim2_no_double_improvement"
    for pair in evidence["pairs"]:
        u, w = pair["directions"]
        value = lp_for(u, w, domain).check_certificate(pair["lp"], "optimal")
        assert value is not None and value <= 0


def test_swap_menu_has_no_double_improvement() -> None:
    # (-1, 1) and (1, -1) cannot both cost less than 0: their sum is 0. The LP's dual is (1/2, 1/2).
    for domain in (CostDomain.positive_orthant(2), CostDomain.orthant(2), CostDomain.box([1, 1], [3, 2])):
        result = check_claim2_menu(SWAP_MENU, ETA2, domain)
        assert result.holds
        recheck_holds(dict(result.evidence), domain)
        (pair,) = result.evidence["pairs"]
        assert {k: F(v) for k, v in pair["lp"]["dual"].items()} == {"first": F(1, 2), "second": F(1, 2)}


def test_box_domain_can_rule_out_the_crossing_type() -> None:
    # The crossed menu again, but types in [1,2] x [1,2] x [1,2]: c . (-1,1,0) < 0 needs c1 > c2 and
    # c . (0,-1,1) < 0 needs c2 > c3: c = (2, 3/2, 1) does both, inside the box.
    eta = (F(1), F(1), F(1))
    menu = [PointSet([eta]), Ray(eta, [-1, 1, 0]), Ray(eta, [0, -1, 1])]
    assert check_claim2_menu(menu, eta, CostDomain.box([1, 1, 1], [2, 2, 2])).fails
    # With c1 <= c2 forced (box [1,1] x [2,2] x [1,2]) the first ray never improves: HOLDS.
    narrow = CostDomain.box([1, 2, 1], [1, 2, 2])
    result = check_claim2_menu(menu, eta, narrow)
    assert result.holds
    recheck_holds(dict(result.evidence), narrow)


@settings(max_examples=40, deadline=None)
@given(general_menus(), st.sampled_from(["positive_orthant", "orthant"]))
def test_claim2_condition_is_necessary_for_osp(menu_eta: tuple, kind: str) -> None:
    menu, eta = menu_eta
    domain = CostDomain(kind, len(eta))
    claim = check_claim2_menu(menu, eta, domain)
    osp = check_menu_osp(menu, domain, method="direct")
    if osp.holds:
        assert claim.holds
    if claim.fails:
        assert osp.fails
        recheck_counterexample(claim.evidence["counterexample"], menu)
    else:
        recheck_holds(dict(claim.evidence), domain)


@settings(max_examples=30, deadline=None)
@given(polarized_menus())
def test_polarized_menus_satisfy_claim2(menu_eta_domain: tuple) -> None:
    menu, eta, domain = menu_eta_domain
    if any(not t.contains(eta) for t in menu):
        return
    result = check_claim2_menu(menu, eta, domain)
    assert result.holds
    recheck_holds(dict(result.evidence), domain)


@settings(max_examples=30, deadline=None)
@given(general_menus(), st.lists(st.integers(1, 4), min_size=4, max_size=4))
def test_claim2_at_a_type_on_hypothesis_menus(menu_eta: tuple, raw: list) -> None:
    # With eta in every set (Claim 1), Claim 2 holds at every type.
    menu, eta = menu_eta
    c = [F(x) for x in raw[: len(eta)]]
    result = check_claim2(menu, eta, c)
    assert result.holds
    for k in result.evidence["dominant"]:
        for k2, t in enumerate(menu):
            if k2 != k:
                low = t.minimize(c)
                assert low.bounded and low.value >= dot(c, list(eta))


def test_claim1_is_required_for_the_menu_check() -> None:
    with pytest.raises(InvalidInput, match="Claim 1"):
        check_claim2_menu([PointSet([ETA2]), PointSet([(0, 0)])], ETA2, CostDomain.orthant(2))


@pytest.mark.parametrize(
    "menu",
    [[], "ab", [PointSet([(1, 1, 1)])], [RemedialSet((1, 1, 1))], [object()]],
)
def test_bad_menus(menu: object) -> None:
    with pytest.raises(InvalidInput):
        check_claim2(menu, ETA2, (1, 1))  # type: ignore[arg-type]


def test_bad_types() -> None:
    with pytest.raises(InvalidInput):
        check_claim2(SWAP_MENU, ETA2, (1, 1, 1))
    with pytest.raises(InvalidInput):
        check_claim2(SWAP_MENU, ETA2, (0.5, 1))
