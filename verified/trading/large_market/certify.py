"""The property ``large-market-improves`` with its certificate (Valenzuela-Stookey, section 4,
program (5), its dual (6) and Proposition 2).

``large-market-improves`` HOLDS when the optimum of the large-market program is strictly below
the status-quo cost sum_j pi_j . eta_j (some OSP trading mechanism gains in the large market),
and FAILS when the status quo is optimal. Either way the evidence certifies the optimum V:

* the primal side: per agent, the menus of the optimal mechanism with their randomisation
  weights (each a status-quo, polarized-ray or remedial menu, the types' myopic choices and the
  expected bundle E), the allocation x_j = sum mu E, with sum_j x_j = n and sum_j pi_j . x_j = V;
* the dual side: the prices lambda*, and per agent the certificate of S_j(lambda* - pi_j) <= U_j:
  one exact LP dual (multipliers y, one per type and virtual type) for every set of types (the
  completeness argument of `verified.trading.large_market.support`), from which the checker
  recomputes every bound u(A), the best packing of at most I disjoint sets, the remedial value and
  U_j; then D = lambda* . n - sum_j U_j <= every feasible cost (weak duality, the first lines of the
  paper's proof of Proposition 2), and D = V closes the gap.

The subject (``{"family": "trading", "kind": "large_market"}``) is the economy with its type
distributions: tasks, and per agent the name, endowment eta_j (the status quo), performance pi_j,
types (each > 0) and probabilities. The independent checker is `verified.recheck.trading_large_market`.
When the optimum is not certified (a support function whose bracket did not close, or too many
types: the polarization constraint is bilinear, so with I >= 3 the exact optimum can be
irrational), the property can still HOLD: the mechanism found is feasible, and if it costs less
than the status quo the program beats it (evidence ``large_market_mechanism``: the primal side
alone). Otherwise the verdict is UNKNOWN with the bracket in the reason.
"""

from __future__ import annotations

from typing import Any

from verified.errors import InvalidInput
from verified.results import CheckResult, fails, holds, jsonable, unknown
from verified.trading.large_market.model import MAX_SUPPORT, LargeMarket, TypeDistribution
from verified.trading.large_market.program import LargeMarketSolution, solve_large_market

IMPROVES = "large-market-improves"
EVIDENCE_KIND = "large_market_optimum"
GAIN_KIND = "large_market_mechanism"


def large_market_of(subject: Any) -> LargeMarket:
    """The `LargeMarket` of a trading file in format ``verified/trading/3`` (types for every agent,
    each cost > 0, the status quo equal to the endowment); `InvalidInput` naming the place otherwise."""
    if isinstance(subject, LargeMarket):
        return subject
    source = getattr(subject, "source", "<memory>")
    if getattr(subject, "distributions", None) is None:
        raise InvalidInput(
            f"{source}: the large-market program needs a type distribution per agent: use format "
            "verified/trading/3 and give every agent `types` (and optionally `probabilities`)",
            "agents",
        )
    if getattr(subject, "status_quo", None) is not None:
        raise InvalidInput(
            f"{source}: the large-market program takes the status quo to be the endowment; drop status_quo",
            "agents",
        )
    distributions = tuple(
        TypeDistribution.make(d.types, d.probabilities, f"agents[{j}]")
        for j, d in enumerate(subject.distributions)
    )
    return LargeMarket(subject.economy, distributions)


def large_market_subject(market: LargeMarket) -> dict[str, Any]:
    """The certificate subject: tasks and, per agent, name, endowment, performance, types and
    probabilities (exact strings)."""
    e = market.economy
    agents = [
        {
            "name": name,
            "endowment": list(e.endowment[j]),
            "performance": list(e.performance[j]),
            "types": [list(c) for c in market.distributions[j].types],
            "probabilities": list(market.distributions[j].probabilities),
        }
        for j, name in enumerate(e.agents)
    ]
    return jsonable({"family": "trading", "kind": "large_market", "tasks": list(e.tasks), "agents": agents})


def subject_of(subject: Any) -> dict[str, Any]:
    """`large_market_subject` of a loaded file (the registry's subject encoder)."""
    return large_market_subject(large_market_of(subject))


def _menus(solution: LargeMarketSolution, j: int) -> list[dict[str, Any]]:
    return [
        {
            "weight": mu,
            "kind": menu.kind,
            "displacements": [list(d) for d in menu.displacements],
            "choices": list(menu.choices),
            "expected": list(menu.expected),
        }
        for mu, menu in solution.mechanism[j]
    ]


def optimum_evidence(market: LargeMarket, solution: LargeMarketSolution) -> dict[str, Any]:
    """The JSON-ready evidence of an optimal solution (see the module docstring)."""
    e = market.economy
    agents = []
    for j, name in enumerate(e.agents):
        support = solution.dual.supports[j]
        agents.append(
            {
                "agent": name,
                "allocation": list(solution.allocation[j]),
                "menus": _menus(solution, j),
                "support": {
                    "value": support.lower,
                    "sets": [
                        {"members": list(b.members), "multipliers": list(b.multipliers), "bound": b.bound}
                        for b in support.subset_bounds
                    ],
                },
            }
        )
    return jsonable(
        {
            "kind": EVIDENCE_KIND,
            "value": solution.primal_value,
            "status_quo_cost": solution.status_quo_cost,
            "prices": list(solution.prices),
            "agents": agents,
        }
    )


def mechanism_evidence(market: LargeMarket, solution: LargeMarketSolution) -> dict[str, Any]:
    """The evidence of a gain without a certified optimum (kind ``large_market_mechanism``): the
    mechanism alone, whose cost is below the status quo's."""
    e = market.economy
    agents = [
        {"agent": name, "allocation": list(solution.allocation[j]), "menus": _menus(solution, j)}
        for j, name in enumerate(e.agents)
    ]
    return jsonable(
        {
            "kind": GAIN_KIND,
            "mechanism_cost": solution.primal_value,
            "status_quo_cost": solution.status_quo_cost,
            "agents": agents,
        }
    )


def check_large_market_improves(
    subject: Any, timeout: float | None = None, *, max_support: int = MAX_SUPPORT
) -> CheckResult:
    """Does the large-market program (eq. 5) beat the status quo? HOLDS when its certified optimum
    is below sum_j pi_j . eta_j, or, when the optimum is not certified, when the mechanism found
    already costs less (a feasible point suffices); FAILS when the status quo is optimal (certified
    by the dual); UNKNOWN otherwise, with the bracket. ``timeout`` is honoured by the registry's
    child process. ``stats["bracket"]`` holds [dual lower bound or None, primal value]."""
    market = large_market_of(subject)
    solution = solve_large_market(market, max_support=max_support)
    bracket = {"bracket": [solution.dual_lower, solution.primal_value]}
    if not solution.optimal:
        low = "no certified lower bound" if solution.dual_lower is None else f">= {solution.dual_lower}"
        if solution.primal_value < solution.status_quo_cost:
            return holds(IMPROVES, mechanism_evidence(market, solution), **bracket)
        return unknown(
            IMPROVES,
            f"the optimum is <= {solution.primal_value} ({low}), not certified: {solution.reason}",
        )
    evidence = optimum_evidence(market, solution)
    if solution.primal_value < solution.status_quo_cost:
        return holds(IMPROVES, evidence, **bracket)
    return fails(IMPROVES, evidence)
