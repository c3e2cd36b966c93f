"""Mechanism-level OSP without z3 (Fourier-Motzkin + Motzkin certificates) next to the z3 path."""

from __future__ import annotations

from itertools import product
from pathlib import Path

from run import Case

from verified.io import load_subject
from verified.trading.constructors import fixed_price_pseudo_market, two_price_binary_classification
from verified.trading.mechanism_osp import TradingMechanism, check_mechanism_osp
from verified.trading.model import CostDomain, Economy
from verified.trading.protocol import MyopicStrategy, TradingProtocol
from verified.trading.sets import PointSet, Ray

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _opposite_rays() -> TradingMechanism:
    """2 agents x 4 choices, I = 3: trade one unit along opposite rays when both pick them."""
    economy = Economy.make(3, 2, [[1, 1, 1], [1, 1, 1]], cost_domains=CostDomain.positive_orthant(3))
    eta = (1, 1, 1)
    menu_a = [PointSet([eta]), Ray(eta, [-1, 1, 1]), Ray(eta, [1, -1, 1]), Ray(eta, [1, 1, -1])]
    menu_b = [PointSet([eta]), Ray(eta, [1, -1, -1]), Ray(eta, [-1, 1, -1]), Ray(eta, [-1, -1, 1])]
    table = {}
    for p in product(range(4), range(4)):
        if p[0] == p[1] and p[0] > 0:
            d = menu_a[p[0]].direction
            table[p] = [[1 + x for x in d], [1 - x for x in d]]
        else:
            table[p] = [eta, eta]
    protocol = TradingProtocol.make(economy, [menu_a, menu_b], table)
    return TradingMechanism(protocol, [MyopicStrategy(), MyopicStrategy()])


def _pseudo_market_3() -> TradingMechanism:
    """The fixed-price pseudo-market with 3 agents, 2 tasks, 4 budget points each (125 profiles)."""
    economy = Economy.make(
        ["A", "B"], 3, [[1, 1]] * 3, [[1, 2], [2, 1], [1, 1]], CostDomain.positive_orthant(2)
    )
    budget = [[2, 0], ["3/2", "1/2"], ["1/2", "3/2"], [0, 2]]
    return fixed_price_pseudo_market(economy, [1, 1], [budget] * 3).mechanism


def _classification_3() -> TradingMechanism:
    """Two-price binary classification p1 = p2 = 1 (polarized), EOPR table, 3 agents: OSP holds."""
    economy = Economy.make(
        ["A", "B"], 3, [[1, 1]] * 3, [[1, 2], [2, 1], [1, 3]], CostDomain.box([1, 1], [3, 3])
    )
    return two_price_binary_classification(economy, [1, 1]).mechanism


def _case(name: str, build, method: str, target: float) -> Case:
    def run() -> str:
        res = check_mechanism_osp(build(), method=method)
        return f"{res.verdict} ({res.evidence['kind']}, {res.stats.get('systems', '-')} systems)"

    return Case(f"mechanism OSP, {name}, {method}", target, run)


def cases() -> list[Case]:
    bilateral = lambda: load_subject(EXAMPLES / "bilateral_mechanism.toml").mechanism  # noqa: E731
    return [
        _case("bilateral example", bilateral, "direct", 1.0),
        _case("2 agents x 4 choices, I=3", _opposite_rays, "direct", 10.0),
        _case("2 agents x 4 choices, I=3", _opposite_rays, "smt", 10.0),
        _case("classification 3 agents x 3 choices (EOPR)", _classification_3, "direct", 5.0),
        _case("classification 3 agents x 3 choices (EOPR)", _classification_3, "smt", 5.0),
        _case("pseudo-market 3 agents x 5 choices", _pseudo_market_3, "direct", 10.0),
        _case("pseudo-market 3 agents x 5 choices", _pseudo_market_3, "smt", 10.0),
    ]
