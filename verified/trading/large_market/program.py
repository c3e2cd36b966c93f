"""The outer program (eq. 5), its dual (eq. 6) and strong duality (Proposition 2), exactly.

    (5)  min  sum_j pi_j . x_j   s.t.  x_j in F_j for every j,  sum_j x_j = n        (LM-MC)
    (6)  sup_lambda  lambda . n - sum_j S_j(lambda - pi_j)

F_j is known through its support function (`support.support_function`) and through genuine
menus (`AgentMenu`) whose expected bundles lie in F_j. The outer program is solved by column
generation (Dantzig-Wolfe), every step exact:

* the master LP (exact, `verified.lp`) mixes, for each agent, the expected bundles E_{j,s} of
  menus found so far with weights mu_{j,s} >= 0, sum_s mu_{j,s} = 1 (the randomisation over
  menus that program (4) allows), subject to sum_j x_j = n; its duals are prices lambda on the
  market-clearing rows and nu_j on the agents' weight rows, with reduced costs
  pi_j . E - lambda . E - nu_j >= 0 on every column;
* pricing: S_j(lambda - pi_j) > -nu_j means the maximising menu has a negative reduced cost and
  joins the master; otherwise no menu of agent j can improve it.

When no agent can improve, the master's value P = sum_j pi_j . x_j (a genuine large-market
mechanism: per agent, menus with randomisation weights) equals the dual value
D(lambda) = lambda . n - sum_j S_j(lambda - pi_j) at the master's prices, each S_j exact with its
certificate. Weak duality (P* >= D(lambda) for every lambda, the first lines of the paper's
proof in A.1) then makes both optimal: strong duality (Proposition 2) is certified by the two
equal exact numbers. The Proposition 2 construction is checked too: every x_j attains
S_j(lambda* - pi_j) (x_j in argmax (lambda* - pi_j) . y over F_j) and the x_j clear the market.
Termination: the menus come from a finite family (LP vertices over finitely many subsets), so
the loop ends; `max_rounds` bounds it anyway (UNKNOWN past it). When some S_j is UNKNOWN (the
relaxation's bracket did not close) the answer is UNKNOWN with the bracket
[lambda . n - sum_j upper_j, P].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verified.errors import InvalidInput
from verified.lp import Constraint, LinearProgram, solve_exact
from verified.trading.large_market.model import MAX_SUPPORT, LargeMarket
from verified.trading.large_market.support import AgentMenu, SupportResult, status_quo_menu, support_function
from verified.trading.model import Vector, dot, vector

ZERO = Fraction(0)
MAX_ROUNDS = 200


@dataclass(frozen=True)
class DualValue:
    """D(lambda) = lambda . n - sum_j S_j(lambda - pi_j): ``value`` when every S_j is exact,
    otherwise None with ``lower`` (from the upper bounds of S_j; None if one is missing)."""

    prices: Vector
    value: Fraction | None
    lower: Fraction | None
    supports: tuple[SupportResult, ...]


@dataclass(frozen=True)
class LargeMarketSolution:
    """The outer program's answer.

    ``status``: ``"optimal"`` (``value`` = primal = dual, certified) or ``"unknown"`` (``reason``;
    ``primal_value`` is still attained by the mechanism, ``dual_lower`` bounds from below).
    ``mechanism[j]``: agent j's menus with their randomisation weights ``(mu, AgentMenu)``;
    ``allocation[j]`` = x_j = sum mu E; ``prices`` = lambda*; ``dual`` = D(lambda*) with every
    S_j's certificate; ``candidates[j]``: every menu the column generation produced for agent j.
    """

    status: str
    primal_value: Fraction
    dual_lower: Fraction | None
    prices: Vector
    allocation: tuple[Vector, ...]
    mechanism: tuple[tuple[tuple[Fraction, AgentMenu], ...], ...]
    dual: DualValue
    status_quo_cost: Fraction
    reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict, compare=False)
    candidates: tuple[tuple[AgentMenu, ...], ...] = ()

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def value(self) -> Fraction | None:
        return self.primal_value if self.optimal else None

    def describe(self) -> dict[str, object]:
        return {
            "status": self.status,
            "value": self.primal_value if self.optimal else None,
            "primal_value": self.primal_value,
            "dual_lower": self.dual_lower,
            "prices": list(self.prices),
            "allocation": [list(x) for x in self.allocation],
            "status_quo_cost": self.status_quo_cost,
            "mechanism": [
                [{"weight": mu, **menu.describe()} for mu, menu in agent] for agent in self.mechanism
            ],
            "reason": self.reason,
        }


def dual_value(market: LargeMarket, prices: Sequence[object], *, max_support: int = MAX_SUPPORT) -> DualValue:
    """The dual objective (eq. 6) at ``prices``, with the certificate of every S_j."""
    if not isinstance(market, LargeMarket):
        raise InvalidInput(f"expected a LargeMarket, got {type(market).__name__}", "dual_value(market)")
    e = market.economy
    lam = vector(prices, "prices", e.n_tasks)
    supports = tuple(
        support_function(
            market.distributions[j],
            e.endowment[j],
            tuple(a - b for a, b in zip(lam, e.performance[j], strict=True)),
            max_support=max_support,
        )
        for j in range(e.n_agents)
    )
    base = dot(lam, e.supplies)
    if all(s.exact for s in supports):
        return DualValue(lam, base - sum((s.lower for s in supports), ZERO), None, supports)
    if any(s.upper is None for s in supports):
        return DualValue(lam, None, None, supports)
    return DualValue(lam, None, base - sum((s.upper for s in supports), ZERO), supports)  # type: ignore[misc]


def _master(market: LargeMarket, columns: list[list[AgentMenu]]):
    e = market.economy
    names = [[f"mu[{j}][{s}]" for s in range(len(columns[j]))] for j in range(e.n_agents)]
    variables = tuple(v for row in names for v in row)
    rows: list[Constraint] = []
    for i in range(e.n_tasks):
        coeffs = {names[j][s]: col.expected[i] for j in range(e.n_agents) for s, col in enumerate(columns[j])}
        rows.append(Constraint(coeffs, "==", e.supplies[i], f"clear[{i}]"))
    for j in range(e.n_agents):
        rows.append(Constraint({v: 1 for v in names[j]}, "==", Fraction(1), f"convex[{j}]"))
    objective = {
        names[j][s]: dot(e.performance[j], col.expected)
        for j in range(e.n_agents)
        for s, col in enumerate(columns[j])
    }
    return LinearProgram(variables, tuple(rows), objective, "min"), names


def _master_failed(market: LargeMarket, reason: str, rounds: int) -> LargeMarketSolution:
    """UNKNOWN with the status quo as the mechanism (every agent keeps eta_j)."""
    e = market.economy
    zero = tuple(ZERO for _ in range(e.n_tasks))
    menus = tuple(status_quo_menu(market.distributions[j], e.endowment[j]) for j in range(e.n_agents))
    return LargeMarketSolution(
        "unknown",
        market.status_quo_cost(),
        None,
        zero,
        tuple(e.endowment),
        tuple(((Fraction(1), menu),) for menu in menus),
        DualValue(zero, None, None, ()),
        market.status_quo_cost(),
        reason,
        {"rounds": rounds},
        tuple((menu,) for menu in menus),
    )


def solve_large_market(
    market: LargeMarket, *, max_support: int = MAX_SUPPORT, max_rounds: int = MAX_ROUNDS
) -> LargeMarketSolution:
    """Solve the outer program (eq. 5) and certify it against its dual (eq. 6); see the module docstring."""
    if not isinstance(market, LargeMarket):
        raise InvalidInput(
            f"expected a LargeMarket, got {type(market).__name__}", "solve_large_market(market)"
        )
    e = market.economy
    J, n = e.n_agents, e.n_tasks
    columns: list[list[AgentMenu]] = [
        [status_quo_menu(market.distributions[j], e.endowment[j])] for j in range(J)
    ]
    status, reason = "unknown", f"no convergence within {max_rounds} rounds"
    rounds = 0
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - reported in stats
        lp, names = _master(market, columns)
        result = solve_exact(lp)
        if result.status != "optimal":  # cannot happen (the status-quo columns are feasible); kept honest
            return _master_failed(market, f"the master LP ended {result.status}: {result.reason}", rounds)
        lam = tuple(result.dual.get(f"clear[{i}]", ZERO) for i in range(n))
        nu = [result.dual.get(f"convex[{j}]", ZERO) for j in range(J)]
        dual = dual_value(market, lam, max_support=max_support)
        added, undecided = False, []
        for j, s in enumerate(dual.supports):
            if s.lower > -nu[j]:
                if s.realizer.expected not in [c.expected for c in columns[j]]:
                    columns[j].append(s.realizer)
                    added = True
            elif not s.exact and (s.upper is None or s.upper > -nu[j]):
                undecided.append(j)
        if added:
            continue
        if undecided:
            reason = (
                "S_j is not exact for agents "
                + ", ".join(repr(e.agents[j]) for j in undecided)
                + ": "
                + "; ".join(str(dual.supports[j].reason) for j in undecided)
            )
        else:
            status, reason = "optimal", None
        break
    mechanism = tuple(
        tuple(
            (result.primal.get(names[j][s], ZERO), col)
            for s, col in enumerate(columns[j])
            if result.primal.get(names[j][s], ZERO) > 0
        )
        for j in range(J)
    )
    allocation = tuple(
        tuple(sum((mu * col.expected[i] for mu, col in mechanism[j]), ZERO) for i in range(n))
        for j in range(J)
    )
    primal = e.social_cost(allocation)
    if status == "optimal":
        if dual.value != primal or not e.clears_market(allocation):
            status, reason = "unknown", f"internal error: primal {primal} and dual {dual.value} differ"
        for j in range(J):
            w = tuple(a - b for a, b in zip(lam, e.performance[j], strict=True))
            if dot(w, allocation[j]) != dual.supports[j].lower:
                status, reason = "unknown", f"internal error: x_{j} does not attain S_j(lambda - pi_j)"
    dual_lower = dual.value if dual.value is not None else dual.lower
    return LargeMarketSolution(
        status,
        primal,
        dual_lower,
        lam,
        allocation,
        mechanism,
        dual,
        market.status_quo_cost(),
        reason,
        {"rounds": rounds, "columns": [len(c) for c in columns]},
        tuple(tuple(c) for c in columns),
    )
