"""Mechanism-level properties of a trading mechanism (protocol + strategies), Valenzuela-Stookey, section 3.

- OSP (Definition of obviously dominant actions): for every agent j and type
  c in C_j, with k = s_j(c)::

      sup_{k_-j} c . P_j(k, k_-j)  <=  inf_{k_-j} c . P_j(k', k_-j)   for every k' != k.

- Myopic optimality (Lemma 4: OSP implies it): s_j(c) in
  argmin_k min {c . x : x in T~_j^k}.
- Domination: same endowments, menu sizes and strategies (equal as functions
  of the type), every trading set expanded; effective domination: the
  essential reduction is dominated.

The quantifier over c in C_j is handled by z3 (linear real arithmetic): the
selection table is finite, so sup/inf are maxima/minima over finitely many
bundles and every condition is a finite disjunction of strict linear
inequalities in c. A model is re-verified exactly before it is reported;
unsat gives HOLDS with the query digest; a time-out gives UNKNOWN.
For OSP, ``method="direct"`` (`verified.trading.mechanism_osp_direct`) decides the same
question without z3 and gives HOLDS as Motzkin certificates a standard-library checker
re-verifies; the z3 path stays as the cross-check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import z3

from verified.errors import InvalidInput
from verified.results import CheckResult, digest, fails, holds, unknown
from verified.smt import real, solve, to_z3
from verified.trading.model import Vector, dot
from verified.trading.protocol import (
    FixedStrategy,
    MyopicStrategy,
    RegionStrategy,
    Strategy,
    TradingProtocol,
    myopic_minima,
    set_contained,
    strategy_action,
    validate_strategies,
)
from verified.trading.sets import describe_set


@dataclass(frozen=True)
class TradingMechanism:
    """A trading protocol with one strategy per agent (validated)."""

    protocol: TradingProtocol
    strategies: tuple[Strategy, ...]

    def __init__(self, protocol: TradingProtocol, strategies: Sequence[Strategy]) -> None:
        object.__setattr__(self, "protocol", protocol)
        object.__setattr__(self, "strategies", validate_strategies(protocol, strategies))

    def essential_reduction(self) -> TradingMechanism:
        return TradingMechanism(self.protocol.essential_reduction(), self.strategies)


def _lin(coeffs: Sequence[Fraction], c: list[z3.ArithRef]) -> z3.ArithRef:
    return z3.Sum(*[to_z3(a) * ci for a, ci in zip(coeffs, c, strict=True)])


def _domain(protocol: TradingProtocol, agent: int, c: list[z3.ArithRef]) -> list[z3.BoolRef]:
    desc = protocol.economy.cost_domains[agent].linear_description()
    return [
        _lin(r, c) < to_z3(b) if s else _lin(r, c) <= to_z3(b)
        for r, b, s in zip(desc.rows, desc.rhs, desc.strict, strict=True)
    ]


def _minimum_vars(protocol: TradingProtocol, agent: int, c: list[z3.ArithRef], tag: str):
    """Real variables m_k = min {c . x : x in T~_j^k} with their defining constraints."""
    size = len(protocol.menus[agent])
    mins = [real(f"{tag}_min_{k}") for k in range(size)]
    cons: list[z3.BoolRef] = []
    for k in range(size):
        values = [_lin(x, c) for x, _ in protocol.outcomes(agent, k)]
        cons += [mins[k] <= v for v in values]
        cons.append(z3.Or(*[mins[k] == v for v in values]))
    return mins, cons


def _action_is(
    strategy: Strategy, protocol: TradingProtocol, agent: int, c: list[z3.ArithRef], tag: str
) -> tuple[list[z3.BoolRef], list[z3.BoolRef]]:
    """(formula "s_j(c) = k" for every k, auxiliary constraints)."""
    size = len(protocol.menus[agent])
    if isinstance(strategy, FixedStrategy):
        return [z3.BoolVal(k == strategy.action) for k in range(size)], []
    if isinstance(strategy, RegionStrategy):
        inside = [
            z3.And(
                *[
                    _lin(r, c) < to_z3(b) if s else _lin(r, c) <= to_z3(b)
                    for r, b, s in zip(d.rows, d.rhs, d.strict, strict=True)
                ]
            )
            for d, _ in strategy.regions
        ]
        first = [z3.And(inside[r], *[z3.Not(inside[q]) for q in range(r)]) for r in range(len(inside))]
        none = z3.And(*[z3.Not(x) for x in inside]) if inside else z3.BoolVal(True)
        formulas = []
        for k in range(size):
            options = [first[r] for r, (_, a) in enumerate(strategy.regions) if a == k]
            if strategy.default == k:
                options.append(none)
            formulas.append(z3.Or(*options) if options else z3.BoolVal(False))
        return formulas, []
    assert isinstance(strategy, MyopicStrategy)
    mins, cons = _minimum_vars(protocol, agent, c, tag)
    order = list(strategy.priority or range(size))
    formulas = [z3.BoolVal(False)] * size
    for pos, k in enumerate(order):
        earlier, later = order[:pos], order[pos + 1 :]
        formulas[k] = z3.And(*[mins[k] < mins[q] for q in earlier], *[mins[k] <= mins[q] for q in later])
    return formulas, cons


def _c_vars(protocol: TradingProtocol) -> list[z3.ArithRef]:
    return [real(f"c_{i}") for i in range(protocol.economy.n_tasks)]


def _decode(outcome, n: int) -> Vector:
    return tuple(Fraction(outcome.value(f"c_{i}")) for i in range(n))


def _named(c: list[z3.ArithRef]) -> dict[str, z3.ArithRef]:
    return {f"c_{i}": x for i, x in enumerate(c)}


def _for_every_agent(
    name: str,
    mechanism: TradingMechanism,
    timeout_ms: int,
    violation: Callable[[int, list[z3.ArithRef], list[z3.BoolRef]], list[z3.BoolRef]],
    counterexample: Callable[[int, Vector], dict[str, object]],
) -> CheckResult:
    """Per agent j, ask z3 for a type c in C_j (with is_k[k] <=> s_j(c) = k) meeting
    ``violation(j, c, is_k)``: sat -> FAILS with ``counterexample(j, c)``, unknown -> UNKNOWN,
    unsat for every agent -> HOLDS (kind ``"exhaustive_smt"``, per-agent query digests)."""
    protocol = mechanism.protocol
    n = protocol.economy.n_tasks
    digests = []
    for j, strategy in enumerate(mechanism.strategies):
        c = _c_vars(protocol)
        is_k, aux = _action_is(strategy, protocol, j, c, "s")
        constraints = _domain(protocol, j, c) + aux + violation(j, c, is_k)
        outcome = solve(constraints, _named(c), timeout_ms=timeout_ms)
        if outcome.unknown:
            return unknown(name, f"z3 on agent {protocol.economy.agents[j]!r}: {outcome.reason_unknown}")
        if outcome.sat:
            return fails(name, counterexample(j, _decode(outcome, n)))
        digests.append(
            {"agent": protocol.economy.agents[j], "query_digest": digest([str(x) for x in constraints])}
        )
    return holds(name, {"kind": "exhaustive_smt", "agents": digests})


def check_mechanism_osp(
    mechanism: TradingMechanism, *, method: str = "smt", timeout_ms: int = 20000, max_rows: int = 20000
) -> CheckResult:
    """OSP of a trading mechanism with an explicit selection table (Valenzuela-Stookey,
    Definition of obviously dominant actions, section 3).

    ``method="smt"`` (z3, below) or ``"direct"`` (exact Fourier-Motzkin per piece of every
    strategy region, HOLDS with Motzkin certificates a standard-library checker re-verifies:
    `verified.trading.mechanism_osp_direct.check_mechanism_osp_direct`).

    FAILS evidence (kind ``"mechanism_osp_counterexample"``): ``agent``, ``cost`` c in C_j,
    ``chosen`` k = s_j(c), ``deviation`` k', ``worst_profile`` (the others' actions realising
    the bundle ``worse_bundle`` = ``P_j(k, k_-j)``), ``best_profile`` (with ``better_bundle`` =
    ``P_j(k', k'_-j)``), and their costs, ``worse_cost`` > ``better_cost``.
    HOLDS: kind ``"exhaustive_smt"`` with, per agent, the query digest.
    """
    if method == "direct":
        from verified.trading.mechanism_osp_direct import check_mechanism_osp_direct

        return check_mechanism_osp_direct(mechanism, max_rows=max_rows)
    if method != "smt":
        raise InvalidInput(f"unknown method {method!r}; use 'smt' or 'direct'", "method")
    protocol = mechanism.protocol

    def some_crossing(j: int, c: list[z3.ArithRef], is_k: list[z3.BoolRef]) -> list[z3.BoolRef]:
        size = len(protocol.menus[j])
        crossing = []
        for k in range(size):
            atoms = [
                _lin(tuple(a - b for a, b in zip(x, x2, strict=True)), c) > 0
                for k2 in range(size)
                if k2 != k
                for x, _ in protocol.outcomes(j, k)
                for x2, _ in protocol.outcomes(j, k2)
            ]
            crossing.append(z3.And(is_k[k], z3.Or(*atoms)) if atoms else z3.BoolVal(False))
        return [z3.Or(*crossing)]

    def counterexample(j: int, c: Vector) -> dict[str, object]:
        return osp_counterexample(mechanism, j, c)

    return _for_every_agent("mechanism_osp", mechanism, timeout_ms, some_crossing, counterexample)


def osp_counterexample(mechanism: TradingMechanism, j: int, c: Vector) -> dict[str, object]:
    """The FAILS evidence at a type c of agent j known to violate OSP (asserts that it does)."""
    protocol = mechanism.protocol
    assert protocol.economy.cost_domains[j].contains(c)
    k = strategy_action(mechanism.strategies[j], protocol, j, c)
    worst = max(protocol.outcomes(j, k), key=lambda t: dot(c, t[0]))
    for k2 in range(len(protocol.menus[j])):
        if k2 == k:
            continue
        best = min(protocol.outcomes(j, k2), key=lambda t: dot(c, t[0]))
        if dot(c, worst[0]) > dot(c, best[0]):
            return {
                "kind": "mechanism_osp_counterexample",
                "agent": protocol.economy.agents[j],
                "cost": list(c),
                "chosen": k,
                "deviation": k2,
                "worst_profile": list(worst[1]),
                "worse_bundle": list(worst[0]),
                "worse_cost": dot(c, worst[0]),
                "best_profile": list(best[1]),
                "better_bundle": list(best[0]),
                "better_cost": dot(c, best[0]),
            }
    raise AssertionError(f"z3 type {c} is not a counterexample")


def is_mechanism_osp(mechanism: TradingMechanism, **options: object) -> bool:
    return check_mechanism_osp(mechanism, **options).holds  # type: ignore[arg-type]


def check_myopically_optimal(mechanism: TradingMechanism, *, timeout_ms: int = 20000) -> CheckResult:
    """Every agent's strategy is myopically optimal: s_j(c) in argmin_k min{c . x : x in T~_j^k}
    (Valenzuela-Stookey, Lemma 4: every OSP mechanism has this property).

    FAILS evidence (kind ``"myopic_counterexample"``): ``agent``, ``cost``, ``chosen`` k,
    ``better`` k', ``chosen_minimum`` (min over T~_j^k) > ``better_minimum`` attained by
    ``better_bundle`` in T~_j^k' (the profile ``better_profile`` realises it).
    HOLDS: kind ``"exhaustive_smt"`` with per-agent query digests.
    """
    protocol = mechanism.protocol

    def worse_than_myopic(j: int, c: list[z3.ArithRef], is_k: list[z3.BoolRef]) -> list[z3.BoolRef]:
        mins, aux = _minimum_vars(protocol, j, c, "m")
        size = len(protocol.menus[j])
        worse = [
            z3.And(is_k[k], z3.Or(*[mins[k] > mins[k2] for k2 in range(size) if k2 != k]))
            for k in range(size)
            if size > 1
        ]
        return aux + [z3.Or(*worse) if worse else z3.BoolVal(False)]

    def counterexample(j: int, cv: Vector) -> dict[str, object]:
        k = strategy_action(mechanism.strategies[j], protocol, j, cv)
        minima = myopic_minima(protocol, j, cv)
        k2 = min(range(len(protocol.menus[j])), key=lambda q: (minima[q], q))
        assert minima[k2] < minima[k], "z3 model is not a counterexample"
        best = min(protocol.outcomes(j, k2), key=lambda t: dot(cv, t[0]))
        return {
            "kind": "myopic_counterexample",
            "agent": protocol.economy.agents[j],
            "cost": list(cv),
            "chosen": k,
            "chosen_minimum": minima[k],
            "better": k2,
            "better_minimum": minima[k2],
            "better_bundle": list(best[0]),
            "better_profile": list(best[1]),
        }

    return _for_every_agent("myopically_optimal", mechanism, timeout_ms, worse_than_myopic, counterexample)


def is_myopically_optimal(mechanism: TradingMechanism, **options: object) -> bool:
    return check_myopically_optimal(mechanism, **options).holds  # type: ignore[arg-type]


def _strategies_differ(a: TradingMechanism, b: TradingMechanism, j: int, timeout_ms: int):
    """None if s_j and s^_j agree on C_j; else a type where they differ; 'unknown' on time-out."""
    if a.strategies[j] == b.strategies[j] and not isinstance(a.strategies[j], MyopicStrategy):
        return None
    protocol = a.protocol
    c = _c_vars(protocol)
    is_a, aux_a = _action_is(a.strategies[j], a.protocol, j, c, "a")
    is_b, aux_b = _action_is(b.strategies[j], b.protocol, j, c, "b")
    differ = z3.Or(*[z3.And(x, z3.Not(y)) for x, y in zip(is_a, is_b, strict=True)])
    outcome = solve(
        _domain(protocol, j, c) + aux_a + aux_b + [differ],
        _named(c),
        timeout_ms=timeout_ms,
    )
    if outcome.unknown:
        return "unknown"
    return _decode(outcome, protocol.economy.n_tasks) if outcome.sat else None


def check_dominated(
    mechanism: TradingMechanism,
    other: TradingMechanism,
    *,
    effectively: bool = False,
    timeout_ms: int = 20000,
) -> CheckResult:
    """Is ``mechanism`` (effectively) dominated by ``other``? (Valenzuela-Stookey, section 3,
    Definitions of domination and effective domination.)

    Conditions for every agent j: eta_j equal; K_j of equal size and s_j = s^_j (as functions
    on C_j, decided by z3); T_j^k ⊆ T^_j^k for every k (with ``effectively``: the essential
    reduction T~_j^k, i.e. the bundles the selection table uses). FAILS evidence (kind
    ``"not_dominated"``): ``agent`` and ``reason`` one of ``"endowment"``, ``"menu_size"``,
    ``"strategy"`` (with ``cost`` and both ``actions``) or ``"set"`` (with ``set`` index, both
    sets, and ``point`` when a bundle of the reduction lies outside). HOLDS evidence (kind
    ``"dominated"``): per agent the sets compared.
    """
    name = "effectively_dominated" if effectively else "dominated"
    mine = mechanism.essential_reduction() if effectively else mechanism
    economy, other_economy = mechanism.protocol.economy, other.protocol.economy
    agents = []
    for j, agent in enumerate(economy.agents):
        base = {"kind": "not_dominated", "agent": agent}
        if economy.endowment[j] != other_economy.endowment[j]:
            return fails(name, {**base, "reason": "endowment"})
        menu, other_menu = mine.protocol.menus[j], other.protocol.menus[j]
        if len(menu) != len(other_menu):
            return fails(name, {**base, "reason": "menu_size", "sizes": [len(menu), len(other_menu)]})
        for k, (t, u) in enumerate(zip(menu, other_menu, strict=True)):
            if not set_contained(t, u):
                ev = {**base, "reason": "set", "set": k, "inner": describe_set(t), "outer": describe_set(u)}
                outside = [p for p in t.vertices() if not u.contains(p)] if t.is_bounded else []
                if outside:
                    ev["point"] = list(outside[0])
                return fails(name, ev)
        differ = _strategies_differ(mechanism, other, j, timeout_ms)
        if differ == "unknown":
            return unknown(name, f"z3 time-out comparing the strategies of agent {agent!r}")
        if differ is not None:
            actions = [
                strategy_action(mechanism.strategies[j], mechanism.protocol, j, differ),
                strategy_action(other.strategies[j], other.protocol, j, differ),
            ]
            assert actions[0] != actions[1]
            return fails(name, {**base, "reason": "strategy", "cost": list(differ), "actions": actions})
        agents.append(
            {
                "agent": agent,
                "inner": [describe_set(t) for t in menu],
                "outer": [describe_set(u) for u in other_menu],
            }
        )
    return holds(name, {"kind": "dominated", "agents": agents})


def is_dominated(mechanism: TradingMechanism, other: TradingMechanism, **options: object) -> bool:
    return check_dominated(mechanism, other, **options).holds  # type: ignore[arg-type]


def check_effectively_dominated(
    mechanism: TradingMechanism, other: TradingMechanism, **options: object
) -> CheckResult:
    """`check_dominated` with ``effectively=True`` (the essential reduction is dominated)."""
    return check_dominated(mechanism, other, effectively=True, **options)  # type: ignore[arg-type]


def is_effectively_dominated(mechanism: TradingMechanism, other: TradingMechanism, **options: object) -> bool:
    return check_effectively_dominated(mechanism, other, **options).holds
