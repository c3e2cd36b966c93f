"""EOPR allocations (Valenzuela-Stookey, section 3) and robustness (section 3.1), exactly.

The certificates are re-verified here by independent code: membership and
market clearing of the allocation, and each case's price bound recomputed
from the sets by brute force over their ends / vertices / points. Random
instances are also cross-checked against z3's exact optimiser.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import product

import pytest
import z3
from hypothesis import given, settings

from tests.trading.exact import dot
from verified.errors import InvalidInput
from verified.strategies.trading import polarized_economies
from verified.trading.eopr import (
    check_eopr_optimal,
    check_eopr_robust,
    eopr_allocation,
    eopr_table,
    is_eopr_optimal,
    is_eopr_robust,
)
from verified.trading.model import Economy
from verified.trading.sets import PointSet, Polytope, Ray, RemedialSet

F = Fraction


def candidate_points(piece):
    """Finitely many points among which a linear function's min and max over the piece lie
    (None when the piece is an unbounded ray: handled by the caller)."""
    if isinstance(piece, PointSet):
        return list(piece.points)
    if isinstance(piece, Polytope):
        return list(piece.points)
    if isinstance(piece, RemedialSet):
        return list(product(*[(F(0), e) for e in piece.eta]))
    ratios = [o / -d for o, d in zip(piece.origin, piece.direction, strict=True) if d < 0]
    if not ratios:
        return None
    t = min(ratios)
    return [piece.origin, tuple(o + t * d for o, d in zip(piece.origin, piece.direction, strict=True))]


def extreme(piece, c, sense):
    pts = candidate_points(piece)
    if pts is None:  # unbounded monotone ray: finite iff c . d has the right sign
        slope = dot(c, piece.direction)
        if (sense == "min" and slope < 0) or (sense == "max" and slope > 0):
            return None
        pts = [piece.origin]
    values = [dot(c, p) for p in pts]
    return min(values) if sense == "min" else max(values)


def piece_of(trading_set, k):
    return PointSet([trading_set.points[k]]) if isinstance(trading_set, PointSet) else trading_set


def recheck_eopr(economy: Economy, chosen, evidence) -> Fraction | None:
    """Re-verify an eopr_optimal / eopr_infeasible certificate; return the certified cost."""
    n = economy.supplies
    seen = set()
    for case in evidence["cases"]:
        pieces = [piece_of(t, k) for t, k in zip(chosen, case["pieces"], strict=True)]
        seen.add(tuple(case["pieces"]))
        p = [F(x) for x in case["prices"]]
        if case["status"] == "optimal":
            minima = [
                extreme(piece, [a - b for a, b in zip(pi, p, strict=True)], "min")
                for piece, pi in zip(pieces, economy.performance, strict=True)
            ]
            assert None not in minima
            assert dot(p, n) + sum(minima) == F(case["value"])
        else:
            maxima = [extreme(piece, p, "max") for piece in pieces]
            assert None not in maxima and dot(p, n) > sum(maxima)
    sizes = [len(t.points) if isinstance(t, PointSet) else 1 for t in chosen]
    assert seen == set(product(*(range(s) for s in sizes)))  # every combination of pieces is covered
    if evidence["kind"] == "eopr_infeasible":
        return None
    mu = [tuple(F(x) for x in m) for m in evidence["allocation"]]
    assert all(t.contains(m) for t, m in zip(chosen, mu, strict=True))
    assert all(sum(m[i] for m in mu) == n[i] for i in range(len(n)))
    cost = sum((dot(pi, m) for pi, m in zip(economy.performance, mu, strict=True)), F(0))
    assert cost == F(evidence["cost"])
    assert all(F(c["value"]) >= cost for c in evidence["cases"] if c["status"] == "optimal")
    return cost


ECON = Economy.make(["A", "B"], ["x", "y"], [[1, 1], [1, 1]], [[1, 2], [2, 1]])
RAY_X = Ray([1, 1], [1, -1])  # x may take A and give B, up to (2, 0)
RAY_Y = Ray([1, 1], [-1, 1])  # y may take B and give A, up to (0, 2)
ETA = PointSet([[1, 1]])


def test_two_rays_trade_fully() -> None:
    # x is cheaper at A (pi_x = (1, 2)), y at B: the best clearing pair is x = (2, 0), y = (0, 2), cost
    # 1*2 + 1*2 = 4 (status quo: 3 + 3 = 6). Certificate by hand: prices p = (1, 0): x's min of
    # (0, 2) . x on its segment is 0 at (2, 0); y's min of (1, 1) . x is 2; p . n = 2; 2 + 0 + 2 = 4.
    outcome = eopr_allocation(ECON, [RAY_X, RAY_Y])
    assert outcome.status == "optimal" and outcome.cost == 4
    assert outcome.allocation == ((2, 0), (0, 2))
    assert recheck_eopr(ECON, [RAY_X, RAY_Y], outcome.evidence) == 4


def test_one_agent_stays_put() -> None:
    # y keeps {(1, 1)}: clearing forces x = (1, 1) too; cost 6.
    outcome = eopr_allocation(ECON, [RAY_X, ETA])
    assert outcome.cost == 6 and outcome.allocation == ((1, 1), (1, 1))
    recheck_eopr(ECON, [RAY_X, ETA], outcome.evidence)


def test_point_sets_are_split_into_cases() -> None:
    # {(2,0),(1,1)} x {(0,2),(1,1)}: the mixed pairs do not clear (infeasible cases with separating
    # prices), (2,0)+(0,2) costs 4 and (1,1)+(1,1) costs 6: the EOPR picks cost 4.
    chosen = [PointSet([[2, 0], [1, 1]]), PointSet([[0, 2], [1, 1]])]
    outcome = eopr_allocation(ECON, chosen)
    assert outcome.cost == 4
    statuses = [c["status"] for c in outcome.evidence["cases"]]
    assert statuses == ["optimal", "infeasible", "infeasible", "optimal"]
    recheck_eopr(ECON, chosen, outcome.evidence)


def test_infeasible_profile_has_separating_prices() -> None:
    chosen = [PointSet([[2, 0]]), ETA]  # 2 + 1 = 3 units of A for a supply of 2
    outcome = eopr_allocation(ECON, chosen)
    assert outcome.status == "infeasible" and outcome.allocation is None
    assert recheck_eopr(ECON, chosen, outcome.evidence) is None


def test_polytope_and_remedial_sets() -> None:
    # Three agents; z holds (0, 0) and may only stay. x may pick from the triangle (0,0),(2,0),(0,2)...
    economy = Economy.make(["A", "B"], ["x", "y", "z"], [[1, 1], [1, 1], [0, 0]], [[1, 3], [3, 1], [0, 0]])
    chosen = [Polytope([[1, 1], [2, 0], [2, 1]]), RemedialSet([2, 2]), PointSet([[0, 0]])]
    # y's remedial box [0,2]^2 lets y absorb anything; x's cheapest point is (2, 0) (cost 2) but y must
    # then take (0, 2) (cost 2): total 4. Any other x in the triangle costs x more than y saves.
    outcome = eopr_allocation(economy, chosen)
    assert outcome.cost == 4 and outcome.allocation == ((2, 0), (0, 2), (0, 0))
    recheck_eopr(economy, chosen, outcome.evidence)


def test_check_eopr_optimal_both_ways() -> None:
    good = check_eopr_optimal(ECON, [RAY_X, RAY_Y], [[2, 0], [0, 2]])
    assert good.holds and is_eopr_optimal(ECON, [RAY_X, RAY_Y], [[2, 0], [0, 2]])
    bad = check_eopr_optimal(ECON, [RAY_X, RAY_Y], [[1, 1], [1, 1]])  # feasible, cost 6 > 4
    assert bad.fails and bad.evidence["reason"] == "not_optimal" and bad.evidence["checked_cost"] == "6"
    recheck_eopr(ECON, [RAY_X, RAY_Y], bad.evidence["eopr"])
    off = check_eopr_optimal(ECON, [RAY_X, RAY_Y], [[3, 0], [0, 2]])  # (3, 0) is past the ray's end
    assert off.fails and off.evidence["agent"] == "x"
    unclear = check_eopr_optimal(ECON, [RAY_X, RAY_Y], [["3/2", "1/2"], [0, 2]])  # A: 3/2 != 2
    assert unclear.fails and unclear.evidence["totals"] == ["3/2", "5/2"]


def test_bad_input_is_named() -> None:
    with pytest.raises(InvalidInput):
        eopr_allocation(ECON, [RAY_X])
    with pytest.raises(InvalidInput):
        eopr_allocation(ECON, [RAY_X, Ray([1, 1, 1], [1, -1, 0])])
    with pytest.raises(InvalidInput):
        check_eopr_optimal(ECON, [RAY_X, RAY_Y], [[0.5, 0], [0, 2]])


def test_robust_over_polarized_menus() -> None:
    menus = [[ETA, RAY_X], [ETA, RAY_Y]]
    result = check_eopr_robust(ECON, menus)
    assert result.holds and is_eopr_robust(ECON, menus)
    ev = result.evidence
    assert ev["status_quo_cost"] == "6" and ev["profiles"] == 4
    assert ev["worst_cost"] == "6"  # any profile with {eta} forces the status quo
    assert [s["cost"] for s in ev["selections"]] == ["6", "6", "6", "4"]
    table = eopr_table(ECON, menus)
    assert table[(1, 1)] == ((2, 0), (0, 2))


def test_not_robust_when_a_set_misses_the_endowment() -> None:
    # y's set {(2, 0)} does not contain eta_y = (1, 1): with x at {(1, 1)} the profile cannot clear
    # (1 + 2 = 3 units of A for a supply of 2), so the EOPR has no selection there.
    menus = [[ETA, RAY_X], [ETA, PointSet([[2, 0]])]]
    result = check_eopr_robust(ECON, menus)
    assert result.fails and result.evidence["profile"] == [0, 1]
    assert result.evidence["eopr"]["kind"] == "eopr_infeasible"
    assert recheck_eopr(ECON, [ETA, menus[1][1]], result.evidence["eopr"]) is None


def test_the_eopr_table_names_an_infeasible_profile() -> None:
    # the same menus: at profile (0, 1) no allocation clears, so the EOPR mechanism (and its
    # table, which `osp` reads) does not exist; the error says so in words, naming the profile
    menus = [[ETA, RAY_X], [ETA, PointSet([[2, 0]])]]
    with pytest.raises(
        InvalidInput, match=r"profile \[0, 1\] of menu indices: no allocation .* clears"
    ) as err:
        eopr_table(ECON, menus)
    assert "None" not in str(err.value)


def test_an_infeasible_profile_is_explained_in_words() -> None:
    # eopr-robust FAILS at the infeasible profile (0, 1) above; the explanation says that no
    # allocation exists there (not that one "costs more"), and gives the status-quo cost 3 + 3 = 6
    from verified.certificates import build_certificate
    from verified.explain import explain

    menus = [[ETA, RAY_X], [ETA, PointSet([[2, 0]])]]
    result = check_eopr_robust(ECON, menus)
    doc = build_certificate("eopr-robust", result, {"family": "trading", "kind": "economy"})
    text = explain(doc, None)
    assert "sets [0, 1]" in text and "has no allocation at all" in text and "the status quo costs 6" in text
    assert "more than" not in text


def test_not_robust_when_the_endowment_is_not_the_status_quo() -> None:
    # Status quo sigma = ((2, 0), (0, 2)) costs 2 + 2 = 4, but the protocol's endowment is (1, 1) each:
    # the profile ({eta}, {eta}) is stuck at cost 3 + 3 = 6 > 4.
    menus = [[ETA, RAY_X], [ETA, RAY_Y]]
    result = check_eopr_robust(ECON, menus, status_quo=[[2, 0], [0, 2]])
    assert result.fails and result.evidence["profile"] == [0, 0]
    assert result.evidence["status_quo_cost"] == "4"
    assert recheck_eopr(ECON, [ETA, ETA], result.evidence["eopr"]) == 6


# --- hypothesis: random polarized menus ------------------------------------------------------------------


def z3_optimum(economy: Economy, chosen) -> Fraction:
    """Exact optimum from z3's optimiser (rays only), an independent computation."""
    opt = z3.Optimize()
    n = economy.n_tasks
    cost = z3.RealVal(0)
    totals = [z3.RealVal(0) for _ in range(n)]
    for j, ray in enumerate(chosen):
        y = z3.Real(f"y{j}")
        opt.add(y >= 0)
        if isinstance(ray, PointSet):
            opt.add(y == 0)
            origin, direction = ray.points[0], (F(0),) * n
        else:
            origin, direction = ray.origin, ray.direction
        for i in range(n):
            x = z3.RealVal(str(origin[i])) + y * z3.RealVal(str(direction[i]))
            opt.add(x >= 0)
            totals[i] = totals[i] + x
            cost = cost + z3.RealVal(str(economy.performance[j][i])) * x
    for i in range(n):
        opt.add(totals[i] == z3.RealVal(str(economy.supplies[i])))
    total = z3.Real("cost")
    opt.add(total == cost)
    opt.minimize(total)
    assert opt.check() == z3.sat
    value = opt.model().eval(total, model_completion=True)
    return F(value.numerator_as_long(), value.denominator_as_long())


@settings(max_examples=25)
@given(polarized_economies())
def test_random_eopr_certificates_recheck_and_match_z3(data) -> None:
    economy, menus = data
    chosen = [menu[-1] for menu in menus]
    outcome = eopr_allocation(economy, chosen)
    assert outcome.status == "optimal"  # the endowment is in every set: always feasible
    assert recheck_eopr(economy, chosen, outcome.evidence) == outcome.cost
    assert outcome.cost == z3_optimum(economy, chosen)


@settings(max_examples=15)
@given(polarized_economies())
def test_random_polarized_menus_are_robust(data) -> None:
    economy, menus = data
    result = check_eopr_robust(economy, menus)
    assert result.holds
    sq = sum((dot(p, s) for p, s in zip(economy.performance, economy.endowment, strict=True)), F(0))
    assert all(F(s["cost"]) <= sq for s in result.evidence["selections"])
