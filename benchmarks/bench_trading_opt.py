"""Speed of the trading optimisation checks: EOPR allocations, robustness, bilateral-trade search."""

from __future__ import annotations

from fractions import Fraction

from run import Case

from verified.trading.bilateral import check_bilateral_improvement
from verified.trading.eopr import check_eopr_robust, eopr_allocation
from verified.trading.model import CostDomain, Economy
from verified.trading.sets import PointSet, Ray


def _economy(agents: int, tasks: int) -> Economy:
    endowment = [[2] * tasks for _ in range(agents)]
    performance = [[(j * 7 + i * 3) % 5 + 1 for i in range(tasks)] for j in range(agents)]
    return Economy.make(tasks, agents, endowment, performance, CostDomain.box([1] * tasks, [3] * tasks))


def _rays(economy: Economy, j: int) -> list:
    """{eta} and I polarized rays: ray k gives away one unit of task k for one unit of every other."""
    n = economy.n_tasks
    eta = economy.endowment[j]
    return [PointSet([eta])] + [
        Ray(eta, [Fraction(-1) if i == k else Fraction(1) for i in range(n)]) for k in range(n)
    ]


def _eopr_large() -> str:
    economy = _economy(20, 5)
    chosen = [_rays(economy, j)[1 + j % 5] for j in range(20)]
    outcome = eopr_allocation(economy, chosen)
    return f"{outcome.status}, cost {outcome.cost}"


def _robust() -> str:
    economy = _economy(3, 3)
    result = check_eopr_robust(economy, [_rays(economy, j) for j in range(3)])
    return f"{result.verdict}, {result.evidence['profiles']} profiles, worst {result.evidence['worst_cost']}"


def _no_trade() -> str:
    economy = Economy.make(3, 4, [[2] * 3] * 4, [[1, 2, 3]] * 4, CostDomain.box([1] * 3, [3] * 3))
    result = check_bilateral_improvement(economy)
    cases = sum(len(p["cases"]) for p in result.evidence["pairs"])
    return f"{result.verdict}, {cases} Motzkin certificates"


def cases() -> list[Case]:
    return [
        Case("trading: EOPR allocation, 20 agents x 5 tasks", 2.0, _eopr_large),
        Case("trading: EOPR robustness, 3 agents, 64 profiles", 5.0, _robust),
        Case("trading: no bilateral trade, 4 agents x 3 tasks (certificates)", 2.0, _no_trade),
    ]
