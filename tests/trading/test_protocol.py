"""Trading protocols: validation, Claim 1, mechanism-level OSP, Lemma 4, essential reduction, domination."""

from __future__ import annotations

from fractions import Fraction
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.trading.exact import dot as _dot
from verified.errors import InvalidInput
from verified.trading.mechanism_osp import (
    TradingMechanism,
    check_dominated,
    check_effectively_dominated,
    check_mechanism_osp,
    check_myopically_optimal,
)
from verified.trading.model import CostDomain, Economy, LinearDescription
from verified.trading.protocol import (
    FixedStrategy,
    MyopicStrategy,
    RegionStrategy,
    TradingProtocol,
    check_claim1,
    strategy_action,
)
from verified.trading.sets import PointSet, Ray

F = Fraction
ETA_A, ETA_B = [1, 0], [0, 2]


def _economy(domain: CostDomain | None = None) -> Economy:
    return Economy.make(
        ["x", "y"], ["A", "B"], [ETA_A, ETA_B], cost_domains=domain or CostDomain.positive_orthant(2)
    )


def _bilateral(menu_a: list, menu_b: list, trades: dict) -> TradingProtocol:
    """Everybody keeps eta unless ``trades`` says otherwise for the profile."""
    table = {p: [ETA_A, ETA_B] for p in product(range(len(menu_a)), range(len(menu_b)))}
    table.update(trades)
    return TradingProtocol.make(_economy(), [menu_a, menu_b], table)


# A swaps task x for y with B (polarized: one ray each); and a menu with two rays taking task x.
SWAP = (
    [PointSet([ETA_A]), Ray(ETA_A, [-1, 1])],
    [PointSet([ETA_B]), Ray(ETA_B, [1, -1])],
    {(1, 1): [[0, 1], [1, 1]]},
)
TWO_RAYS = (
    [PointSet([ETA_A]), Ray(ETA_A, [-1, 1]), Ray(ETA_A, [-1, 2])],
    [PointSet([ETA_B]), Ray(ETA_B, [1, -1]), Ray(ETA_B, [1, -2])],
    {(1, 1): [[0, 1], [1, 1]], (2, 2): [[0, 2], [1, 0]]},
)


def recheck_osp_counterexample(ev: dict, protocol: TradingProtocol, mechanism: TradingMechanism) -> None:
    j = protocol.economy.agents.index(ev["agent"])
    c = [F(x) for x in ev["cost"]]
    assert protocol.economy.cost_domains[j].contains(c)
    assert strategy_action(mechanism.strategies[j], protocol, j, c) == ev["chosen"]
    worse = protocol.selection(ev["worst_profile"])[j]
    better = protocol.selection(ev["best_profile"])[j]
    assert ev["worst_profile"][j] == ev["chosen"] and ev["best_profile"][j] == ev["deviation"]
    assert [str(x) for x in worse] == ev["worse_bundle"] and [str(x) for x in better] == ev["better_bundle"]
    assert _dot(c, worse) > _dot(c, better)


def test_protocol_validation_names_the_place() -> None:
    menu_a, menu_b, trades = SWAP
    with pytest.raises(InvalidInput, match=r"selection\[\[1, 1\]\] task 'x'"):
        _bilateral(menu_a, menu_b, {(1, 1): [["1/2", "1/2"], [1, 1]]})  # both on their rays; x: 3/2 != 1
    with pytest.raises(InvalidInput, match=r"selection\[\[1, 1\]\] agent 'A'"):
        _bilateral(menu_a, menu_b, {(1, 1): [[0, 2], [1, 0]]})  # (0,2) is past the end of A's segment
    with pytest.raises(InvalidInput, match="no allocation"):
        TradingProtocol.make(_economy(), [menu_a, menu_b], {(0, 0): [ETA_A, ETA_B]})
    with pytest.raises(InvalidInput, match="endowment alone"):
        _bilateral([Ray(ETA_A, [-1, 1])], menu_b, {})


def test_claim1_market_clearing_forces_eta_into_every_set() -> None:
    economy = _economy()
    assert check_claim1(economy, [SWAP[0], SWAP[1]]).holds
    bad = [PointSet([ETA_A]), PointSet([[0, 1]])]  # A's second set lacks eta_A
    res = check_claim1(economy, [bad, SWAP[1]])
    assert res.fails and res.evidence["agent"] == "A" and res.evidence["set"] == 1
    # and no clearing selection table exists: at profile (1, 0) B keeps eta_B, so A must get eta_A
    with pytest.raises(InvalidInput, match=r"selection\[\[1, 0\]\]"):
        table = {p: [ETA_A, ETA_B] for p in product(range(2), range(2))}
        table[(1, 0)] = [[0, 1], ETA_B]
        TradingProtocol.make(economy, [bad, SWAP[1]], table)


def test_polarized_swap_is_osp_and_myopic() -> None:
    protocol = _bilateral(*SWAP)
    mech = TradingMechanism(protocol, [MyopicStrategy(), MyopicStrategy()])
    assert check_mechanism_osp(mech).holds
    assert check_myopically_optimal(mech).holds


def test_two_rays_taking_the_same_task_fail_osp() -> None:
    # At c = (3/4, 1/4) agent A's myopic choice is ray 1 (min 1/4 at (0,1)); its worst case eta
    # costs 3/4 > 1/2, the best case (0, 2) of ray 2.
    protocol = _bilateral(*TWO_RAYS)
    mech = TradingMechanism(protocol, [MyopicStrategy(), MyopicStrategy()])
    res = check_mechanism_osp(mech)
    assert res.fails
    recheck_osp_counterexample(res.evidence, protocol, mech)
    assert check_myopically_optimal(mech).holds  # myopic, yet not OSP: Lemma 4 is one-way


def test_fixed_strategy_is_not_myopic_and_lemma4_catches_it() -> None:
    protocol = _bilateral(*SWAP)
    mech = TradingMechanism(protocol, [FixedStrategy(0), MyopicStrategy()])
    res = check_myopically_optimal(mech)
    assert res.fails and res.evidence["agent"] == "A" and res.evidence["chosen"] == 0
    c = [F(x) for x in res.evidence["cost"]]
    # A keeps eta (cost c_x) though trading gives (0, 1) (cost c_y < c_x)
    assert _dot(c, res.evidence["better_bundle"]) < _dot(c, ETA_A)
    osp = check_mechanism_osp(mech)
    assert osp.fails  # Lemma 4 contrapositive: not myopic -> not OSP
    recheck_osp_counterexample(osp.evidence, protocol, mech)


def test_region_strategy_given_by_the_user() -> None:
    protocol = _bilateral(*SWAP)
    # A trades iff c_y <= c_x (the myopic rule up to ties): region -c_x + c_y <= 0 -> action 1
    trade = LinearDescription.make(2, [((F(-1), F(1)), F(0))])
    mech = TradingMechanism(protocol, [RegionStrategy(((trade, 1),), 0), MyopicStrategy()])
    assert strategy_action(mech.strategies[0], protocol, 0, [2, 1]) == 1
    assert check_mechanism_osp(mech).holds
    assert check_myopically_optimal(mech).holds


def test_essential_reduction_and_effective_domination() -> None:
    protocol = _bilateral(*SWAP)
    mech = TradingMechanism(protocol, [MyopicStrategy(), MyopicStrategy()])
    reduced = mech.essential_reduction()
    # A's ray from (1,0) is used only at (1,0) and (0,1): the reduction keeps those two bundles
    assert reduced.protocol.menus[0][1].points == ((1, 0), (0, 1))
    assert not protocol.is_non_redundant() and reduced.protocol.is_non_redundant()
    assert check_effectively_dominated(mech, mech).holds
    assert check_dominated(reduced, mech).holds
    res = check_dominated(mech, reduced)  # the ray is not inside two points
    assert res.fails and res.evidence["reason"] == "set"
    other = TradingMechanism(protocol, [FixedStrategy(0), MyopicStrategy()])
    res = check_effectively_dominated(mech, other)
    assert res.fails and res.evidence["reason"] == "strategy"
    c = [F(x) for x in res.evidence["cost"]]
    assert strategy_action(mech.strategies[0], protocol, 0, c) != 0


def test_point_menus_are_effectively_dominated_by_their_rays() -> None:
    # the same trades offered as finite point sets, then as full rays: same table, same myopic strategy
    points = _bilateral(
        [PointSet([ETA_A]), PointSet([ETA_A, [0, 1]])],
        [PointSet([ETA_B]), PointSet([ETA_B, [1, 1]])],
        SWAP[2],
    )
    rays = _bilateral(*SWAP)
    mech_points = TradingMechanism(points, [MyopicStrategy(), MyopicStrategy()])
    mech_rays = TradingMechanism(rays, [MyopicStrategy(), MyopicStrategy()])
    assert check_effectively_dominated(mech_points, mech_rays).holds
    assert check_mechanism_osp(mech_rays).holds


@st.composite
def random_mechanisms(draw: st.DrawFn, domains: tuple[CostDomain, ...] | None = None) -> TradingMechanism:
    """Two agents, endowments (2,1) and (1,2); choice 0 is {eta}; other profiles trade a random
    vector t in {-1,0,1}^2 (A gets eta_A + t, B gets eta_B - t); sets are the bundles used."""
    options = domains or (CostDomain.positive_orthant(2), CostDomain.box([1, 1], [2, 3]))
    economy = Economy.make(
        ["x", "y"], ["A", "B"], [[2, 1], [1, 2]], cost_domains=draw(st.sampled_from(options))
    )
    sizes = (draw(st.integers(2, 3)), draw(st.integers(2, 3)))
    table = {}
    for p in product(range(sizes[0]), range(sizes[1])):
        t = (0, 0) if 0 in p else (draw(st.integers(-1, 1)), draw(st.integers(-1, 1)))
        table[p] = [[2 + t[0], 1 + t[1]], [1 - t[0], 2 - t[1]]]
    menus = []
    for j in range(2):
        menu = []
        for k in range(sizes[j]):
            menu.append(PointSet([tuple(table[p][j]) for p in table if p[j] == k]))
        menus.append(menu)
    protocol = TradingProtocol.make(economy, menus, table)
    strategies = []
    for j in range(2):
        kind = draw(st.sampled_from(["myopic", "fixed"]))
        if kind == "myopic":
            strategies.append(MyopicStrategy(tuple(draw(st.permutations(range(sizes[j]))))))
        else:
            strategies.append(FixedStrategy(draw(st.integers(0, sizes[j] - 1))))
    return TradingMechanism(protocol, strategies)


@settings(max_examples=15, deadline=None)
@given(random_mechanisms())
def test_lemma4_osp_implies_myopic(mech: TradingMechanism) -> None:
    osp = check_mechanism_osp(mech)
    myopic = check_myopically_optimal(mech)
    if osp.holds:
        assert myopic.holds
    else:
        recheck_osp_counterexample(osp.evidence, mech.protocol, mech)
    if all(isinstance(s, MyopicStrategy) for s in mech.strategies):
        assert myopic.holds
    assert check_effectively_dominated(mech, mech).holds
