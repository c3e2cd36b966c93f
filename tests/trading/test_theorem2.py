"""Theorem 2 both ways on hypothesis menus for I = 2, 3, 4 (Claims 3-6 give the counterexamples)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings

from tests.trading.test_osp import recheck_counterexample
from tests.trading.test_protocol import random_mechanisms
from verified.errors import InvalidInput
from verified.strategies.trading import (
    general_menus,
    polarized_menus,
)
from verified.trading.mechanism_osp import TradingMechanism
from verified.trading.model import CostDomain, Economy
from verified.trading.osp import obviously_dominant_choices
from verified.trading.protocol import MyopicStrategy, TradingProtocol
from verified.trading.sets import PointSet, Polytope, Ray, RemedialSet
from verified.trading.theorem2 import (
    analyse_menu,
    check_polarized_ray_menu,
    check_theorem2,
    check_theorem2_mechanism,
    classify_set,
    polarized_ray_cover,
)

F = Fraction
ETA = (F(1), F(1), F(1))


def test_classification_of_sets() -> None:
    assert classify_set(PointSet([ETA]), ETA).kind == "endowment"
    assert classify_set(Ray(ETA, [1, 0, 2]), ETA).kind == "redundant"
    assert classify_set(RemedialSet(ETA), ETA).kind == "remedial"
    ray = classify_set(Ray(ETA, [1, -1, 0]), ETA)
    assert ray.kind == "ray" and ray.direction == (F(1), F(-1), F(0))
    # two points on the same ray from eta (differences (1,-1,0) and (1/2,-1/2,0)): still a ray
    assert classify_set(PointSet([ETA, [2, 0, 1], ["3/2", "1/2", 1]]), ETA).kind == "ray"
    # a polytope with eta and two points off one ray: other
    assert classify_set(Polytope([ETA, [2, 0, 1], [0, 2, 1]]), ETA).kind == "other"
    # a monotone ray passing through eta from below: other (it is neither above nor below eta)
    assert classify_set(Ray([0, 0, 0], [1, 1, 1]), ETA).kind == "other"


def test_claim1_is_required() -> None:
    with pytest.raises(InvalidInput, match=r"menu\[1\].*Claim 1"):
        analyse_menu([PointSet([ETA]), PointSet([[2, 0, 1]])], ETA)
    with pytest.raises(InvalidInput, match="endowment alone"):
        analyse_menu([Ray(ETA, [1, -1, 0])], ETA)


def test_each_claim_gives_a_verified_counterexample() -> None:
    cases = {
        "claim3": [PointSet([ETA]), Polytope([ETA, [2, 0, 1], [0, 2, 1]])],
        "claim5": [PointSet([ETA]), Ray(ETA, [1, -1, 0]), Ray(ETA, [0, -1, 1])],  # both take task 2
        "claim6": [PointSet([ETA]), RemedialSet(ETA), Ray(ETA, [1, -1, 0])],
        "two_remedial": [PointSet([ETA]), RemedialSet(ETA), PointSet([ETA, [0, 1, 1]])],
    }
    for claim, menu in cases.items():
        res = check_polarized_ray_menu(menu, ETA)
        assert res.fails and res.evidence["claim"] == claim
        c = tuple(F(x) for x in res.evidence["cost"])
        assert all(x > 0 for x in c) and obviously_dominant_choices(menu, c) == ()
        recheck_counterexample(res.evidence["counterexample"], menu)
        assert check_theorem2(menu, ETA, CostDomain.positive_orthant(3)).holds


def test_polarized_three_task_menu_and_remedial_pair_hold() -> None:
    menu = [PointSet([ETA]), Ray(ETA, [-1, 1, 1]), Ray(ETA, [1, -1, 1]), Ray(ETA, [1, 1, -1])]
    res = check_polarized_ray_menu(menu, ETA)
    assert res.holds and len(res.evidence["pairs"]) == 3  # y' = y'' = 1/2 gives (0, 1, 0) etc.
    assert check_theorem2(menu, ETA, CostDomain.orthant(3)).holds
    pair = [PointSet([ETA]), RemedialSet(ETA)]
    assert check_polarized_ray_menu(pair, ETA).holds
    assert check_theorem2(pair, ETA, CostDomain.positive_orthant(3)).holds


@settings(max_examples=30, deadline=None)
@given(polarized_menus())
def test_polarized_ray_menus_are_osp(data: tuple) -> None:
    menu, eta, domain = data
    assert check_polarized_ray_menu(menu, eta).holds
    res = check_theorem2(menu, eta, domain)
    assert res.holds and res.evidence["osp"]["verdict"] == "holds"


@settings(max_examples=40, deadline=None)
@given(general_menus())
def test_strictly_monotone_structure_and_osp_agree(data: tuple) -> None:
    menu, eta = data
    structure = check_polarized_ray_menu(menu, eta)
    res = check_theorem2(menu, eta, CostDomain.positive_orthant(len(eta)))
    assert res.holds, res.evidence
    assert res.evidence["osp"]["verdict"] == structure.verdict.value
    if structure.fails:
        recheck_counterexample(structure.evidence["counterexample"], menu)


def _swap_economy(performance: list) -> Economy:
    return Economy.make(
        ["x", "y", "z"],
        ["A", "B"],
        [[1, 1, 1], [1, 1, 1]],
        performance=performance,
        cost_domains=CostDomain.positive_orthant(3),
    )


def test_polarized_rays_with_the_eopr_are_osp_and_their_own_cover() -> None:
    # A's rays each give away one task for one unit of each other task; B's are the opposite
    # moves, which are not polarized (they share negative tasks), so B only keeps eta or one ray.
    economy = _swap_economy([[1, 2, 3], [3, 2, 1]])
    eta = (1, 1, 1)
    menu_a = [PointSet([eta]), Ray(eta, [-1, 1, 1]), Ray(eta, [1, -1, 1])]
    menu_b = [PointSet([eta]), Ray(eta, [1, -1, -1])]
    protocol = TradingProtocol.make(economy, [menu_a, menu_b], "eopr")
    mech = TradingMechanism(protocol, [MyopicStrategy(), MyopicStrategy()])
    res = check_theorem2_mechanism(mech)
    assert res.holds and res.evidence["osp"]["verdict"] == "holds"
    assert res.evidence["domination"]["verdict"] == "holds"


@settings(max_examples=15, deadline=None)
@given(random_mechanisms((CostDomain.positive_orthant(2),)))
def test_osp_mechanisms_are_effectively_dominated_by_polarized_rays(mech: TradingMechanism) -> None:
    res = check_theorem2_mechanism(mech)
    assert res.holds, res.evidence
    if res.evidence["osp"]["verdict"] == "holds":
        cover = polarized_ray_cover(mech)
        assert cover is not None
        for j, menu in enumerate(cover.protocol.menus):
            assert check_polarized_ray_menu(menu, mech.protocol.economy.endowment[j]).holds


def test_cover_of_a_point_menu_mechanism_is_the_full_rays() -> None:
    # A gives one x for one y from (1,0); B the opposite from (0,2): offered as two-point sets
    economy = Economy.make(
        ["x", "y"], ["A", "B"], [[1, 0], [0, 2]], cost_domains=CostDomain.positive_orthant(2)
    )
    menus = [
        [PointSet([[1, 0]]), PointSet([[1, 0], [0, 1]])],
        [PointSet([[0, 2]]), PointSet([[0, 2], [1, 1]])],
    ]
    table = {
        (0, 0): [[1, 0], [0, 2]],
        (0, 1): [[1, 0], [0, 2]],
        (1, 0): [[1, 0], [0, 2]],
        (1, 1): [[0, 1], [1, 1]],
    }
    mech = TradingMechanism(TradingProtocol.make(economy, menus, table), [MyopicStrategy(), MyopicStrategy()])
    cover = polarized_ray_cover(mech)
    assert cover is not None
    # the directions are the trades (0,1) - (1,0) = (-1,1) and (1,1) - (0,2) = (1,-1)
    assert cover.protocol.menus[0][1] == Ray([1, 0], [-1, 1])
    assert cover.protocol.menus[1][1] == Ray([0, 2], [1, -1])
    res = check_theorem2_mechanism(mech)
    assert res.holds and res.evidence["domination"]["verdict"] == "holds"
