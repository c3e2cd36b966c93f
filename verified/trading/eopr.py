"""The ex-post-optimal selection rule (EOPR) with exact certificates (Valenzuela-Stookey, section 3).

Given the trading sets T_j chosen by the agents, the EOPR allocation solves

    min  sum_j pi_j . mu_j   s.t.  mu_j in T_j for every j,  sum_j mu_j = n.

Every trading set is a union of convex pieces (`pieces()`: a `PointSet`
splits into its points; a ray, polytope or remedial set is one piece). For
each combination of pieces (one per agent) the problem is an exact LP
(`verified.lp`), with mu_j written through the piece's parameters:

    point p:            mu_j = p
    ray (o, d):         mu_j = o + y d,  y >= 0,  o_i + d_i y >= 0 where d_i < 0
    polytope (V):       mu_j = sum_t w_t V_t,  w >= 0,  sum_t w_t = 1
    remedial set (eta): mu_j = x,  0 <= x <= eta

The certificate speaks the economy's language, not the LP's (Lagrangian
duality over the market-clearing rows):

* an OPTIMAL case carries prices p in Q^I (the duals of market clearing) and,
  per agent, m_j = min over the piece of (pi_j - p) . x. For every feasible
  allocation of that case, sum_j pi_j . mu_j = p . n + sum_j (pi_j - p) . mu_j
  >= p . n + sum_j m_j =: value; the case's allocation attains it.
* an INFEASIBLE case carries q in Q^I with q . n > sum_j M_j, where M_j =
  max over the piece of q . x: a clearing allocation would give
  q . n = sum_j q . mu_j <= sum_j M_j.

The EOPR cost is the least value over the feasible cases; the allocation is
that of the first case (in the order of `itertools.product` over the pieces)
attaining it. A re-checker needs only the sets' exact min/max of a linear
function (a point's value, a segment's two ends, a polytope's vertices, a box's
sign rule) and the membership of the allocation.

Robustness (section 3.1): when every chosen set contains the status quo
sigma_j, sigma is selectable, so the EOPR cost is at most the status quo cost
sum_j pi_j . sigma_j. `check_eopr_robust` checks this over every profile of a
finite menu product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product
from typing import Any

from verified.errors import InvalidInput
from verified.lp import Constraint, LinearProgram, solve_exact
from verified.results import CheckResult, digest, fails, holds, jsonable, unknown
from verified.trading.model import Economy, Vector, dot, vector
from verified.trading.sets import TRADING_SET_TYPES, PointSet, Polytope, Ray, RemedialSet, TradingSet

ZERO = Fraction(0)
OPTIMAL = "eopr_optimal"
ROBUST = "eopr_robust"
MAX_CASES = 4096


@dataclass(frozen=True)
class EoprOutcome:
    """The EOPR answer for one profile of chosen sets.

    ``status``: ``"optimal"`` (``allocation``, ``cost``), ``"infeasible"`` (no
    clearing selection exists) or ``"unknown"`` (``reason``). ``evidence`` is
    the certificate (kind ``"eopr_optimal"`` or ``"eopr_infeasible"``, see
    `eopr_allocation`).
    """

    status: str
    allocation: tuple[Vector, ...] | None
    cost: Fraction | None
    evidence: dict[str, Any]
    reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict, compare=False)


def _piece_columns(j: int, piece: TradingSet) -> tuple[Vector, list[tuple[str, Vector]], list[Constraint]]:
    """mu_j = constant + sum_v v * column_v with every v >= 0, plus the piece's own rows."""
    n = piece.dimension
    zero: Vector = (ZERO,) * n
    unit = [tuple(Fraction(int(i == k)) for i in range(n)) for k in range(n)]
    if isinstance(piece, PointSet):
        return piece.points[0], [], []
    if isinstance(piece, Ray):
        y = f"agent[{j}].y"
        rows = [
            Constraint({y: d}, ">=", -o, f"agent[{j}].nonnegative[{i}]")
            for i, (o, d) in enumerate(zip(piece.origin, piece.direction, strict=True))
            if d < 0
        ]
        return piece.origin, [(y, piece.direction)], rows
    if isinstance(piece, Polytope):
        cols = [(f"agent[{j}].w[{t}]", p) for t, p in enumerate(piece.points)]
        return (
            zero,
            cols,
            [Constraint({name: 1 for name, _ in cols}, "==", Fraction(1), f"agent[{j}].weights")],
        )
    if isinstance(piece, RemedialSet):
        cols = [(f"agent[{j}].x[{i}]", unit[i]) for i in range(n)]
        rows = [Constraint({cols[i][0]: 1}, "<=", piece.eta[i], f"agent[{j}].cap[{i}]") for i in range(n)]
        return zero, cols, rows
    raise InvalidInput(f"unsupported trading set {type(piece).__name__}", f"chosen set of agent {j}")


def _case_program(economy: Economy, pieces: Sequence[TradingSet]):
    n = economy.n_tasks
    variables: list[str] = []
    rows: list[Constraint] = []
    objective: dict[str, Fraction] = {}
    clearing: list[dict[str, Fraction]] = [{} for _ in range(n)]
    constants: list[Vector] = []
    columns: list[list[tuple[str, Vector]]] = []
    for j, piece in enumerate(pieces):
        const, cols, own = _piece_columns(j, piece)
        constants.append(const)
        columns.append(cols)
        rows.extend(own)
        for name, col in cols:
            variables.append(name)
            objective[name] = dot(economy.performance[j], col)
            for i in range(n):
                if col[i]:
                    clearing[i][name] = col[i]
    for i in range(n):
        rhs = economy.supplies[i] - sum((c[i] for c in constants), ZERO)
        rows.append(Constraint(clearing[i], "==", rhs, f"clear[{i}]"))
    program = LinearProgram(tuple(variables), tuple(rows), objective, "min")
    return program, constants, columns


def _allocation(constants, columns, primal) -> tuple[Vector, ...]:
    out = []
    for const, cols in zip(constants, columns, strict=True):
        mu = list(const)
        for name, col in cols:
            v = primal.get(name, ZERO)
            mu = [m + v * c for m, c in zip(mu, col, strict=True)]
        out.append(tuple(mu))
    return tuple(out)


def lagrangian_value(economy: Economy, pieces: Sequence[TradingSet], prices: Vector) -> tuple[Fraction, list]:
    """p . n + sum_j min over piece_j of (pi_j - p) . x (exact; raises if a min is -inf)."""
    minima = []
    for j, piece in enumerate(pieces):
        ext = piece.minimize(tuple(a - p for a, p in zip(economy.performance[j], prices, strict=True)))
        if not ext.bounded:
            raise AssertionError(f"internal error: prices {prices} leave agent {j}'s minimum unbounded")
        minima.append(ext.value)
    return dot(prices, economy.supplies) + sum(minima, ZERO), minima


def infeasibility_margin(
    economy: Economy, pieces: Sequence[TradingSet], q: Vector
) -> tuple[Fraction | None, list]:
    """q . n - sum_j max over piece_j of q . x (None when some max is +inf)."""
    maxima = []
    for piece in pieces:
        ext = piece.maximize(q)
        if not ext.bounded:
            return None, []
        maxima.append(ext.value)
    return dot(q, economy.supplies) - sum(maxima, ZERO), maxima


def _solve_case(economy: Economy, pieces, time_limit):
    program, constants, columns = _case_program(economy, pieces)
    result = solve_exact(program, time_limit=time_limit)
    n = economy.n_tasks
    if result.status == "optimal":
        prices = tuple(result.dual.get(f"clear[{i}]", ZERO) for i in range(n))
        allocation = _allocation(constants, columns, result.primal)
        cost = economy.social_cost(allocation)
        value, minima = lagrangian_value(economy, pieces, prices)
        if value != cost or not economy.clears_market(allocation):
            raise AssertionError(f"internal error: Lagrangian bound {value} != cost {cost}")
        if not all(p.contains(m) for p, m in zip(pieces, allocation, strict=True)):
            raise AssertionError("internal error: the LP allocation leaves a chosen set")
        case = {"status": "optimal", "value": cost, "prices": list(prices), "agent_minima": minima}
        return case, allocation
    if result.status == "infeasible" and result.farkas is not None:
        q = tuple(result.farkas.get(f"clear[{i}]", ZERO) for i in range(n))
        margin, maxima = infeasibility_margin(economy, pieces, q)
        if margin is None or margin <= 0:
            raise AssertionError(f"internal error: Farkas prices {q} do not separate")
        return {"status": "infeasible", "prices": list(q), "agent_maxima": maxima, "margin": margin}, None
    return {"status": "unknown", "reason": result.reason or result.status}, None


def _validate_chosen(economy: Economy, chosen: Sequence[TradingSet]) -> tuple[TradingSet, ...]:
    if len(chosen) != economy.n_agents:
        raise InvalidInput(
            f"expected one chosen set per agent ({economy.n_agents}), got {len(chosen)}", "chosen"
        )
    for j, t in enumerate(chosen):
        where = f"chosen set of agent {economy.agents[j]!r}"
        if not isinstance(t, TRADING_SET_TYPES):
            raise InvalidInput(f"expected a trading set, got {type(t).__name__}", where)
        if t.dimension != economy.n_tasks:
            raise InvalidInput(f"dimension {t.dimension}, expected {economy.n_tasks}", where)
    return tuple(chosen)


def eopr_allocation(
    economy: Economy, chosen: Sequence[TradingSet], *, time_limit: float | None = None
) -> EoprOutcome:
    """The EOPR allocation for the chosen sets, with its certificate (module docstring).

    Evidence kind ``"eopr_optimal"``: ``agents``, ``chosen_sets`` (descriptions),
    ``allocation`` (one bundle per agent), ``cost``, ``best_case`` (index) and
    ``cases``: per combination of pieces, ``pieces`` (a piece index per agent:
    the point's index for a `PointSet`, 0 otherwise) and either ``status``
    ``"optimal"`` with ``value``, ``prices`` and ``agent_minima``, or ``status``
    ``"infeasible"`` with ``prices`` (q), ``agent_maxima`` and ``margin`` > 0.
    Kind ``"eopr_infeasible"`` has the same keys without the allocation.
    """
    sets = _validate_chosen(economy, chosen)
    piece_lists = [s.pieces() for s in sets]
    count = 1
    for p in piece_lists:
        count *= len(p)
    if count > MAX_CASES:
        return EoprOutcome(
            "unknown", None, None, {"kind": "unknown"}, f"{count} piece combinations (> {MAX_CASES})"
        )
    cases: list[dict[str, Any]] = []
    best: tuple[Fraction, int, tuple[Vector, ...]] | None = None
    for index in product(*(range(len(p)) for p in piece_lists)):
        pieces = [piece_lists[j][k] for j, k in enumerate(index)]
        case, allocation = _solve_case(economy, pieces, time_limit)
        if case["status"] == "unknown":
            return EoprOutcome("unknown", None, None, {"kind": "unknown"}, case["reason"])
        cases.append({"pieces": list(index), **case})
        if allocation is not None and (best is None or case["value"] < best[0]):
            best = (case["value"], len(cases) - 1, allocation)
    evidence: dict[str, Any] = {
        "agents": list(economy.agents),
        "chosen_sets": [s.describe() for s in sets],
        "cases": cases,
    }
    if best is None:
        return EoprOutcome("infeasible", None, None, jsonable({"kind": "eopr_infeasible", **evidence}))
    cost, where, allocation = best
    evidence = {
        "kind": "eopr_optimal",
        **evidence,
        "allocation": [list(m) for m in allocation],
        "cost": cost,
        "best_case": where,
    }
    return EoprOutcome("optimal", allocation, cost, jsonable(evidence), stats={"cases": len(cases)})


def check_eopr_optimal(
    economy: Economy, chosen: Sequence[TradingSet], allocation: Sequence[Sequence[object]]
) -> CheckResult:
    """Is ``allocation`` an EOPR selection for ``chosen`` (Valenzuela-Stookey, section 3: the
    ex-post-optimal rule): feasible (mu_j in T_j, market clearing) and of least social cost?

    HOLDS: evidence kind ``"eopr_optimal"`` (of `eopr_allocation`) plus ``checked_allocation``
    and ``checked_cost``. FAILS: kind ``"not_eopr"`` with ``reason`` (``"not_feasible"``:
    ``agent``/``task`` naming the violation; ``"not_optimal"``: ``checked_cost`` and the
    certified cheaper allocation under ``eopr``).
    """
    sets = _validate_chosen(economy, chosen)
    if len(allocation) != economy.n_agents:
        raise InvalidInput(f"expected {economy.n_agents} bundles, got {len(allocation)}", "allocation")
    mu = tuple(
        vector(m, f"allocation of agent {a!r}", economy.n_tasks)
        for a, m in zip(economy.agents, allocation, strict=True)
    )
    for j, (t, m) in enumerate(zip(sets, mu, strict=True)):
        if not t.contains(m):
            return fails(
                OPTIMAL,
                {
                    "kind": "not_eopr",
                    "reason": "not_feasible",
                    "agent": economy.agents[j],
                    "bundle": list(m),
                    "chosen_set": t.describe(),
                },
            )
    if not economy.clears_market(mu):
        totals = [sum((m[i] for m in mu), ZERO) for i in range(economy.n_tasks)]
        return fails(
            OPTIMAL,
            {
                "kind": "not_eopr",
                "reason": "not_feasible",
                "agent": None,
                "totals": totals,
                "supplies": list(economy.supplies),
            },
        )
    outcome = eopr_allocation(economy, sets)
    if outcome.status == "unknown":
        return unknown(OPTIMAL, outcome.reason or "unknown")
    cost = economy.social_cost(mu)
    assert outcome.cost is not None  # a feasible allocation exists, so the LP is feasible
    if cost > outcome.cost:
        return fails(
            OPTIMAL,
            {"kind": "not_eopr", "reason": "not_optimal", "checked_cost": cost, "eopr": outcome.evidence},
        )
    return holds(
        OPTIMAL, {**outcome.evidence, "checked_allocation": [list(m) for m in mu], "checked_cost": cost}
    )


def is_eopr_optimal(
    economy: Economy, chosen: Sequence[TradingSet], allocation: Sequence[Sequence[object]]
) -> bool:
    return check_eopr_optimal(economy, chosen, allocation).holds


def check_eopr_robust(
    economy: Economy,
    menus: Sequence[Sequence[TradingSet]],
    status_quo: Sequence[Sequence[object]] | None = None,
    *,
    time_limit: float | None = None,
) -> CheckResult:
    """Section 3.1 (Valenzuela-Stookey, robustness): for every profile of choices in the
    finite menu product, the EOPR cost is at most the status quo cost sum_j pi_j . sigma_j
    (sigma defaults to the economy's endowment).

    HOLDS: kind ``"eopr_robust"``: ``status_quo_cost``, ``profiles`` (the count),
    ``selections`` (per profile: ``profile`` (a set index per agent), ``allocation``,
    ``cost``; each a feasible selection, hence an upper bound), ``digest`` (of the
    selections), ``worst_profile``, ``worst_cost`` and ``worst`` (its full
    ``"eopr_optimal"`` certificate). FAILS: kind ``"eopr_not_robust"``: ``profile``,
    ``status_quo_cost`` and ``eopr`` (the ``"eopr_optimal"`` certificate of a cost above
    it, or the ``"eopr_infeasible"`` one).
    """
    if len(menus) != economy.n_agents:
        raise InvalidInput(f"expected one menu per agent ({economy.n_agents}), got {len(menus)}", "menus")
    for j, menu in enumerate(menus):
        if len(menu) == 0:
            raise InvalidInput("empty menu", f"menu of agent {economy.agents[j]!r}")
    sigma = (
        economy.endowment
        if status_quo is None
        else tuple(
            vector(s, f"status quo of agent {a!r}", economy.n_tasks)
            for a, s in zip(economy.agents, status_quo, strict=True)
        )
    )
    sq_cost = economy.social_cost(sigma)
    selections = []
    worst: tuple[Fraction, list[int], dict[str, Any]] | None = None
    for profile in product(*(range(len(m)) for m in menus)):
        chosen = [menus[j][k] for j, k in enumerate(profile)]
        outcome = eopr_allocation(economy, chosen, time_limit=time_limit)
        if outcome.status == "unknown":
            return unknown(ROBUST, f"profile {list(profile)}: {outcome.reason}")
        if outcome.status == "infeasible" or (outcome.cost is not None and outcome.cost > sq_cost):
            return fails(
                ROBUST,
                {
                    "kind": "eopr_not_robust",
                    "profile": list(profile),
                    "status_quo_cost": sq_cost,
                    "eopr": outcome.evidence,
                },
            )
        assert outcome.cost is not None and outcome.allocation is not None
        selections.append(
            {
                "profile": list(profile),
                "allocation": [list(m) for m in outcome.allocation],
                "cost": outcome.cost,
            }
        )
        if worst is None or outcome.cost > worst[0]:
            worst = (outcome.cost, list(profile), outcome.evidence)
    assert worst is not None
    return holds(
        ROBUST,
        {
            "kind": "eopr_robust",
            "status_quo_cost": sq_cost,
            "profiles": len(selections),
            "selections": selections,
            "digest": digest(selections),
            "worst_profile": worst[1],
            "worst_cost": worst[0],
            "worst": worst[2],
        },
    )


def is_eopr_robust(economy: Economy, menus: Sequence[Sequence[TradingSet]]) -> bool:
    return check_eopr_robust(economy, menus).holds


def eopr_table(
    economy: Economy, menus: Sequence[Sequence[TradingSet]]
) -> dict[tuple[int, ...], tuple[Vector, ...]]:
    """The EOPR selection over the whole finite menu product (profile of set indices ->
    allocation); raises `InvalidInput` naming an infeasible profile."""
    table: dict[tuple[int, ...], tuple[Vector, ...]] = {}
    for profile in product(*(range(len(m)) for m in menus)):
        outcome = eopr_allocation(economy, [menus[j][k] for j, k in enumerate(profile)])
        if outcome.status == "infeasible":
            raise InvalidInput(
                "no allocation in the chosen sets clears the market, so the menus are not a trading "
                "protocol (a selection must exist at every profile, section 1.1) and the EOPR "
                "mechanism is undefined; `eopr-robust` reports such a profile as its counterexample",
                f"profile {list(profile)} of menu indices",
            )
        if outcome.status != "optimal" or outcome.allocation is None:
            raise InvalidInput(
                f"no EOPR selection: {outcome.reason or outcome.status}", f"profile {list(profile)}"
            )
        table[profile] = outcome.allocation
    return table
