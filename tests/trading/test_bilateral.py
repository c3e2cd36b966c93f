"""Lemma 2, Proposition 1 and Theorem 1 (Valenzuela-Stookey): bilateral trades, exactly.

Every result is re-verified here from its evidence with independent code
(plain Fractions, the domains enumerated directly), never by the module's own
helpers.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations, product

import pytest
from hypothesis import given, settings

from tests.trading.exact import dot
from verified.errors import InvalidInput
from verified.strategies.trading import economies
from verified.trading.bilateral import (
    check_bilateral_improvement,
    check_bilateral_trade,
    check_theorem1,
    common_support_rank,
    is_bilaterally_improvable,
    is_improving_bilateral_trade,
    proposition1_pair,
)
from verified.trading.model import CostDomain, Economy

F = Fraction


def box_types(domain: CostDomain, steps: int = 2):
    """A grid of exact types in a box (vertices included)."""
    axes = [
        [lo + (hi - lo) * F(k, steps) for k in range(steps + 1)]
        for lo, hi in zip(domain.lo, domain.hi, strict=True)
    ]
    return [tuple(p) for p in product(*axes)]


def recheck_trade(economy: Economy, evidence: dict) -> None:
    """Lemma 2 (i)-(iv) recomputed from scratch for the reported trade."""
    a = economy.agents.index(evidence["agent_prime"])
    b = economy.agents.index(evidence["agent_double_prime"])
    gamma = [F(x) for x in evidence["gamma"]]
    assert all(s + g >= 0 for s, g in zip(economy.endowment[a], gamma, strict=True))  # (i)
    assert all(s - g >= 0 for s, g in zip(economy.endowment[b], gamma, strict=True))
    delta = [p - q for p, q in zip(economy.performance[a], economy.performance[b], strict=True)]
    assert dot(delta, gamma) < 0  # (ii)
    for k, sign in ((a, -1), (b, 1)):  # (iii), (iv): exhibit a type of the domain
        dom = economy.cost_domains[k]
        if dom.kind == "box":
            values = [dot(gamma, c) for c in box_types(dom, 1)]
            assert (min(values) < 0) if sign < 0 else (max(values) > 0)
        else:
            assert any(g * sign > 0 for g in gamma)
    lemma = evidence["lemma2"]
    for key in ("iii", "iv"):
        c = [F(x) for x in lemma["conditions"][key]["type"]]
        dom = economy.cost_domains[a if key == "iii" else b]
        assert dom.contains(tuple(c))
        assert (dot(gamma, c) < 0) if key == "iii" else (dot(gamma, c) > 0)


def recheck_no_trade(economy: Economy, evidence: dict) -> None:
    """Independent re-check of the Motzkin certificates and of the case coverage."""
    assert evidence["kind"] == "no_bilateral_trade"
    by_pair = {(p["agent_prime"], p["agent_double_prime"]): p for p in evidence["pairs"]}
    n = economy.n_tasks
    for a, b in combinations(range(economy.n_agents), 2):
        pair = by_pair[(economy.agents[a], economy.agents[b])]
        delta = [p - q for p, q in zip(economy.performance[a], economy.performance[b], strict=True)]
        lower = {i for i in range(n) if economy.endowment[a][i] == 0}
        upper = {i for i in range(n) if economy.endowment[b][i] == 0}
        certified = {}
        for case in pair["cases"]:
            low, high = [F(x) for x in case["low_type"]], [F(x) for x in case["high_type"]]
            y1, y2, y3 = F(case["y_low"]), F(case["y_high"]), F(case["y_performance"])
            assert min(y1, y2, y3) >= 0 and y1 + y2 + y3 > 0
            r = [y1 * lo - y2 * hi + y3 * d for lo, hi, d in zip(low, high, delta, strict=True)]
            for i, x in enumerate(r):
                if i in lower and i in upper:
                    continue
                if i in lower:
                    assert x >= 0
                elif i in upper:
                    assert x <= 0
                else:
                    assert x == 0
            certified[(tuple(low), tuple(high))] = True
        da, db = economy.cost_domains[a], economy.cost_domains[b]
        if da.kind == "box" and db.kind == "box":
            needed = [
                (
                    tuple(da.lo[i] if s else da.hi[i] for i, s in enumerate(signs)),
                    tuple(db.hi[i] if s else db.lo[i] for i, s in enumerate(signs)),
                )
                for signs in product([True, False], repeat=n)
            ]
        else:

            def gens(d):
                if d.kind == "box":
                    return list(product(*[sorted({lo, hi}) for lo, hi in zip(d.lo, d.hi, strict=True)]))
                return [tuple(F(int(i == k)) for i in range(n)) for k in range(n)]

            needed = [(tuple(g1), tuple(g2)) for g1 in gens(da) for g2 in gens(db)]
        for key in needed:
            assert key in certified, f"case {key} of pair {a},{b} is not covered"


BOX = CostDomain.box([1, 1], [2, 2])


def two_agent(performance, endowment=((1, 1), (1, 1)), domain=BOX) -> Economy:
    return Economy.make(["A", "B"], ["x", "y"], [list(e) for e in endowment], performance, domain)


def test_lemma2_holds_for_a_hand_trade() -> None:
    economy = two_agent([[1, 0], [0, 1]])
    # gamma = (-1, 1): x gives an A and takes a B. (i) x -> (0, 2), y -> (2, 0), both >= 0;
    # (ii) (pi_x - pi_y) . gamma = (1, -1) . (-1, 1) = -2 < 0; (iii) min over [1,2]^2 of -c_A + c_B
    # is -2 + 1 = -1 < 0 at c = (2, 1); (iv) max is -1 + 2 = 1 > 0 at c = (1, 2).
    result = check_bilateral_trade(economy, "x", "y", [-1, 1])
    assert result.holds and is_improving_bilateral_trade(economy, "x", "y", [-1, 1])
    cond = result.evidence["conditions"]
    assert cond["ii"]["cost_change"] == "-2"
    assert (cond["iii"]["min"], cond["iii"]["type"]) == ("-1", ["2", "1"])
    assert (cond["iv"]["max"], cond["iv"]["type"]) == ("1", ["1", "2"])


@pytest.mark.parametrize(
    ("gamma", "failed"),
    [
        ([-2, 3], ["i"]),  # x would hold 1 - 2 = -1 of A, y 1 - 3 = -2 of B; (ii)-(iv) hold: -5, -1, 4
        ([1, -1], ["ii"]),  # (1, -1) . (1, -1) = 2 > 0: the trade raises the social cost
        ([-1, 0], ["iv"]),  # max over [1,2]^2 of -c_A = -1 <= 0: y never wants it ((iii) -2 < 0 holds)
    ],
)
def test_lemma2_names_the_failed_condition(gamma, failed) -> None:
    economy = two_agent([[1, 0], [0, 1]])
    result = check_bilateral_trade(economy, "x", "y", gamma)
    assert result.fails and result.evidence["failed"] == failed


def test_lemma2_condition_iii_fails_for_a_dominated_trade() -> None:
    # performance (0, 1) vs (1, 0): delta = (-1, 1); gamma = (1, 0) gives delta . gamma = -1 < 0, but
    # gamma . c = c_A >= 1 > 0 for every c in [1,2]^2, so x never accepts: (iii) fails with min 1 at (1, 1).
    economy = two_agent([[0, 1], [1, 0]])
    result = check_bilateral_trade(economy, "x", "y", [1, 0])
    assert result.fails and result.evidence["failed"] == ["iii"]
    assert result.evidence["conditions"]["iii"]["min"] == "1"


def test_lemma2_rejects_bad_input() -> None:
    economy = two_agent([[1, 0], [0, 1]])
    with pytest.raises(InvalidInput):
        check_bilateral_trade(economy, "x", "x", [1, -1])
    with pytest.raises(InvalidInput):
        check_bilateral_trade(economy, "x", "y", [0.5, -1])
    with pytest.raises(InvalidInput):
        check_bilateral_trade(economy, "x", "nobody", [1, -1])


def test_search_finds_a_trade_and_it_rechecks() -> None:
    economy = two_agent([[1, 0], [0, 1]])
    result = check_bilateral_improvement(economy)
    assert result.holds and is_bilaterally_improvable(economy)
    recheck_trade(economy, result.evidence)


def test_identical_performance_has_no_trade_with_certificate() -> None:
    # (ii) reads 0 . gamma < 0: impossible, for every case; y_performance alone certifies it.
    economy = two_agent([[3, 1], [3, 1]])
    result = check_bilateral_improvement(economy)
    assert result.fails
    recheck_no_trade(economy, result.evidence)
    assert len(result.evidence["pairs"][0]["cases"]) == 4  # the 4 sign patterns give 4 distinct cases


def test_proportional_support_has_no_trade() -> None:
    # C = [1,2] x {0}: gamma . c = c_A gamma_A has the sign of gamma_A for every type, so (iii) and (iv)
    # contradict each other although performance differs. Not a point mass, yet no improvement.
    economy = two_agent([[1, 0], [0, 1]], domain=CostDomain.box([1, 0], [2, 0]))
    result = check_bilateral_improvement(economy)
    assert result.fails
    recheck_no_trade(economy, result.evidence)
    theorem = check_theorem1(economy)
    assert theorem.holds and theorem.evidence["non_degenerate"] is False


def test_zero_endowment_forces_the_sign_of_the_trade() -> None:
    # Nobody holds B: sigma_x(B) = 0 forces gamma_B >= 0 and sigma_y(B) = 0 forces gamma_B <= 0, so
    # gamma = (g, 0), and on the orthant (iii) needs g < 0 while (iv) needs g > 0.
    economy = Economy.make(["A", "B"], ["x", "y"], [[2, 0], [2, 0]], [[1, 0], [0, 1]])
    result = check_bilateral_improvement(economy)
    assert result.fails
    recheck_no_trade(economy, result.evidence)
    assert result.evidence["pairs"][0]["case_split"] == "generators"


def test_positive_orthant_witness_type_is_strictly_positive() -> None:
    economy = Economy.make(
        ["A", "B", "C"],
        ["x", "y"],
        [[1, 1, 1], [1, 1, 1]],
        [[1, 0, 0], [0, 1, 0]],
        CostDomain.positive_orthant(3),
    )
    result = check_bilateral_trade(economy, "x", "y", [-1, 1, 0])
    assert result.holds
    c = [F(x) for x in result.evidence["conditions"]["iii"]["type"]]
    assert all(x > 0 for x in c) and dot(c, [-1, 1, 0]) < 0


def test_theorem1_needs_its_hypotheses() -> None:
    with pytest.raises(InvalidInput):
        check_theorem1(Economy.make(["A", "B"], ["x", "y"], [[1, 1], [1, 1]], [[1, 0], [0, 1]]))
    with pytest.raises(InvalidInput):
        check_theorem1(two_agent([[1, 0], [0, 1]], endowment=((2, 0), (0, 2))))


def test_common_support_rank() -> None:
    assert common_support_rank(BOX, CostDomain.box([3, 3], [4, 4])) == 0  # disjoint boxes
    assert common_support_rank(BOX, CostDomain.box([2, 2], [4, 4])) == 1  # the single point (2, 2)
    assert common_support_rank(BOX, CostDomain.orthant(2)) == 2
    assert common_support_rank(CostDomain.box([0, 1], [1, 1]), CostDomain.positive_orthant(2)) == 2


# --- hypothesis: Proposition 1 and Theorem 1 on random economies -----------------------------------------


@settings(max_examples=40)
@given(economies())
def test_search_evidence_always_rechecks(economy: Economy) -> None:
    result = check_bilateral_improvement(economy)
    assert not result.unknown
    if result.holds:
        recheck_trade(economy, result.evidence)
    else:
        recheck_no_trade(economy, result.evidence)
    if proposition1_pair(economy) is not None:  # Proposition 1: its hypotheses give a trade
        assert result.holds


@settings(max_examples=40)
@given(economies(common=True, full_support=True))
def test_theorem1_equivalence_holds(economy: Economy) -> None:
    result = check_theorem1(economy)
    assert result.holds, result.evidence


def test_search_beyond_one_for_one_swaps() -> None:
    # C = [2,3] x {1} for both. Swap (1,-1): x's min of c_A - c_B is 2 - 1 = 1 > 0, fails (iii); swap
    # (-1,1): y's max of -c_A + c_B is -2 + 1 < 0, fails (iv). But gamma = (1, -5/2) works: x gets
    # (4, 1/2), y gets (2, 11/2); x's min of c_A - 5/2 c_B is 2 - 5/2 < 0, y's max is 3 - 5/2 > 0, and
    # delta . gamma = (-1, 0) . gamma = -1 < 0.
    # The LP path must find some such trade (any one: the recheck decides).
    economy = Economy.make(
        ["A", "B"], ["x", "y"], [[3, 3], [3, 3]], [[0, 1], [1, 1]], CostDomain.box([2, 1], [3, 1])
    )
    assert check_bilateral_trade(economy, "x", "y", [1, "-5/2"]).holds
    result = check_bilateral_improvement(economy)
    assert result.holds
    recheck_trade(economy, result.evidence)
    gamma = [F(g) for g in result.evidence["gamma"]]
    assert gamma[0] != -gamma[1]  # not a one-for-one swap
