"""Trading core: menu-level OSP (z3 and direct), Theorem 2 structure, mechanism-level OSP."""

from __future__ import annotations

from itertools import product

from run import Case

from verified.trading.mechanism_osp import TradingMechanism, check_mechanism_osp
from verified.trading.model import CostDomain, Economy
from verified.trading.osp import check_menu_osp
from verified.trading.protocol import MyopicStrategy, TradingProtocol
from verified.trading.sets import PointSet, Ray
from verified.trading.theorem2 import check_polarized_ray_menu


def _polarized_menu(n: int) -> list:
    """{eta} and n rays: ray k gives away one unit of task k and takes one unit of every other task."""
    eta = tuple([2] * n)
    rays = [Ray(eta, [-1 if i == k else 1 for i in range(n)]) for k in range(n)]
    return [PointSet([eta]), *rays]


def _menu_case(n: int, method: str) -> Case:
    def run() -> str:
        res = check_menu_osp(_polarized_menu(n), CostDomain.positive_orthant(n), method=method)
        return f"{res.verdict} ({res.evidence['kind']})"

    return Case(f"menu OSP, {n + 1} sets, I={n}, {method}", 10.0 if method == "smt" else 30.0, run)


def _structure_case(n: int) -> Case:
    def run() -> str:
        return str(check_polarized_ray_menu(_polarized_menu(n), tuple([2] * n)).verdict)

    return Case(f"Theorem 2 structure, I={n}", 1.0, run)


def _mechanism_case() -> Case:
    def run() -> str:
        economy = Economy.make(3, 2, [[1, 1, 1], [1, 1, 1]], cost_domains=CostDomain.positive_orthant(3))
        eta = (1, 1, 1)
        menu_a = [PointSet([eta]), Ray(eta, [-1, 1, 1]), Ray(eta, [1, -1, 1]), Ray(eta, [1, 1, -1])]
        menu_b = [PointSet([eta]), Ray(eta, [1, -1, -1]), Ray(eta, [-1, 1, -1]), Ray(eta, [-1, -1, 1])]
        table = {}
        for p in product(range(4), range(4)):
            if p[0] == p[1] and p[0] > 0:  # opposite rays: trade one unit along them
                d = menu_a[p[0]].direction
                table[p] = [[1 + x for x in d], [1 - x for x in d]]
            else:
                table[p] = [eta, eta]
        protocol = TradingProtocol.make(economy, [menu_a, menu_b], table)
        return str(
            check_mechanism_osp(TradingMechanism(protocol, [MyopicStrategy(), MyopicStrategy()])).verdict
        )

    return Case("mechanism OSP, 2 agents x 4 choices, I=3", 10.0, run)


def cases() -> list[Case]:
    return [
        _menu_case(3, "smt"),
        _menu_case(4, "smt"),
        _menu_case(3, "direct"),
        _structure_case(4),
        _mechanism_case(),
    ]
