"""Trading core: menu-level OSP (z3 and direct), Theorem 2 structure.

Mechanism-level OSP (direct and z3) is timed in bench_mechanism_osp_direct.py."""

from __future__ import annotations

from run import Case

from verified.trading.model import CostDomain
from verified.trading.osp import check_menu_osp
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


def cases() -> list[Case]:
    return [
        _menu_case(3, "smt"),
        _menu_case(4, "smt"),
        _menu_case(3, "direct"),
        _structure_case(4),
    ]
