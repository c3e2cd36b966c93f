"""The three example trading mechanisms of Valenzuela-Stookey, section 2.1, built and checked exactly.

* `bilateral_trading_mechanism`: j' may move from sigma_j' to sigma_j' + gamma,
  j'' from sigma_j'' to sigma_j'' - gamma; trade iff both ask for it (so the
  "trade" set is {sigma_j' + gamma, sigma_j'}: asking may end in either); j'
  asks iff gamma . c <= 0, j'' iff gamma . c >= 0. Lemma 2's four
  conditions come with it (`verified.trading.bilateral.check_bilateral_trade`).
* `two_price_binary_classification`: two tasks A, B; agent j's menu is
  {sigma_j}, the ray from sigma_j along (1, -p1_j) (buy A at p1 B each) and
  the ray along (-1, p2_j) (sell A for p2 B each); the selection rule is the
  EOPR. The paper: polarized iff p1 <= p2; here polarization is *checked*
  with `verified.trading.polarization.check_polarized`, never assumed.
* `fixed_price_pseudo_market`: a price vector p fixed up front; agent j's
  menu is {sigma_j} and {x, sigma_j} for each offered budget point x
  (p . x = p . sigma_j, x >= 0); the designer executes the largest set of
  requested trades that clears the market (ties: the first such set in the
  order of `itertools.combinations` over agent indices); agents follow the
  myopically optimal strategy (Lemma 4; ties to the earlier menu entry).
  `check_pseudo_market_osp` shows it is not OSP, with the counterexample of
  the mechanism-level check (`verified.trading.mechanism_osp`).

Each constructor returns a `ConstructedMechanism`: a
`TradingMechanism` (a `TradingProtocol` with an explicit selection table, the
EOPR table for binary classification, and strategy objects) plus the
exact checks made while building it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product
from typing import Any

from verified.errors import InvalidInput
from verified.results import CheckResult
from verified.trading.bilateral import check_bilateral_improvement, check_bilateral_trade
from verified.trading.mechanism_osp import TradingMechanism, check_mechanism_osp
from verified.trading.model import Economy, LinearDescription, Vector, dot, vector
from verified.trading.polarization import check_polarized
from verified.trading.protocol import (
    FixedStrategy,
    MyopicStrategy,
    RegionStrategy,
    TradingProtocol,
    strategy_action,
)
from verified.trading.sets import Menu, PointSet, Ray, TradingSet

Profile = tuple[int, ...]
Allocation = tuple[Vector, ...]


@dataclass(frozen=True)
class ConstructedMechanism:
    """A trading mechanism of section 2.1 (a `TradingMechanism`: protocol with an
    explicit selection table, plus strategies) and the exact checks made while building it
    (``checks``, by name)."""

    name: str
    mechanism: TradingMechanism
    checks: dict[str, Any]

    @property
    def economy(self) -> Economy:
        return self.mechanism.protocol.economy

    @property
    def menus(self) -> tuple[Menu, ...]:
        return self.mechanism.protocol.menus

    def selection(self, profile: Sequence[int]) -> Allocation:
        """P(k_J), the allocation for a profile of menu indices."""
        return self.mechanism.protocol.selection(profile)

    def action(self, agent: int, c: Sequence[object]) -> int:
        """s_j(c), agent j's menu index for cost type c."""
        return strategy_action(self.mechanism.strategies[agent], self.mechanism.protocol, agent, c)


def _stay(economy: Economy, j: int) -> PointSet:
    return PointSet([economy.endowment[j]])


def bilateral_trading_mechanism(
    economy: Economy, agent_prime: str | int, agent_double_prime: str | int, gamma: Sequence[object]
) -> ConstructedMechanism:
    """The bilateral trading mechanism (Valenzuela-Stookey, section 2.1), with Lemma 2 checked.

    ``checks["lemma2"]`` is the `check_bilateral_trade` result (HOLDS iff the mechanism is
    feasible and improves on the status quo; FAILS names the failed conditions). Raises
    `InvalidInput` when condition (i) fails: a bundle would be negative, so there is no protocol.
    """
    a, b = economy.agent_index(agent_prime), economy.agent_index(agent_double_prime)
    g = vector(gamma, "gamma", economy.n_tasks)
    lemma2 = check_bilateral_trade(economy, a, b, g)
    if "i" in lemma2.evidence["failed"]:
        raise InvalidInput("condition (i) of Lemma 2 fails: a traded bundle would be negative", "gamma")
    sigma = economy.endowment
    plus = tuple(s + x for s, x in zip(sigma[a], g, strict=True))
    minus = tuple(s - x for s, x in zip(sigma[b], g, strict=True))
    menus = tuple(
        (_stay(economy, j), PointSet([plus if j == a else minus, sigma[j]]))
        if j in (a, b)
        else (_stay(economy, j),)
        for j in range(economy.n_agents)
    )
    table: dict[Profile, Allocation] = {}
    for profile in product(*(range(len(m)) for m in menus)):
        trade = profile[a] == 1 and profile[b] == 1
        table[profile] = tuple(
            (plus if j == a else minus if j == b else sigma[j]) if trade else sigma[j]
            for j in range(economy.n_agents)
        )

    zero = Fraction(0)
    accepts_prime = LinearDescription.make(economy.n_tasks, [(g, zero)])  # gamma . c <= 0
    accepts_double_prime = LinearDescription.make(economy.n_tasks, [(tuple(-x for x in g), zero)])  # >= 0
    strategies = tuple(
        RegionStrategy(((accepts_prime, 1),), 0)
        if j == a
        else RegionStrategy(((accepts_double_prime, 1),), 0)
        if j == b
        else FixedStrategy(0)
        for j in range(economy.n_agents)
    )
    protocol = TradingProtocol.make(economy, menus, table)
    return ConstructedMechanism(
        "bilateral trading mechanism", TradingMechanism(protocol, strategies), {"lemma2": lemma2}
    )


def improving_bilateral_trading_mechanism(economy: Economy) -> ConstructedMechanism | None:
    """The bilateral trading mechanism of the first improving trade found by
    `verified.trading.bilateral.check_bilateral_improvement` (Lemma 2, Proposition 1), or None
    when that check proves that no bilateral trade improves (``checks["search"]`` keeps it)."""
    search = check_bilateral_improvement(economy)
    if not search.holds:
        return None
    ev = search.evidence
    built = bilateral_trading_mechanism(economy, ev["agent_prime"], ev["agent_double_prime"], ev["gamma"])
    return ConstructedMechanism(built.name, built.mechanism, {**built.checks, "search": search})


def binary_classification_menu(sigma: Vector, p1: Fraction, p2: Fraction) -> Menu:
    """{sigma}, the ray along (1, -p1) and the ray along (-1, p2), from sigma = (sigma(A), sigma(B))."""
    return (PointSet([sigma]), Ray(sigma, (Fraction(1), -p1)), Ray(sigma, (Fraction(-1), p2)))


def two_price_binary_classification(
    economy: Economy, prices: Sequence[Sequence[object]] | Sequence[object]
) -> ConstructedMechanism:
    """The two-price binary-classification mechanism (Baron et al. 2025; Valenzuela-Stookey,
    section 2.1), with the EOPR selection rule and myopically optimal strategies.

    ``prices``: one pair (p1, p2) for every agent, or a single pair shared by all (p1, p2 > 0).
    ``checks["polarized"]``: per agent, `check_polarized` of the two rays' directions (the
    paper: polarized iff p1 <= p2); ``checks["all_polarized"]``: all of them hold.
    """
    if economy.n_tasks != 2:
        raise InvalidInput(f"binary classification has two tasks, got {economy.n_tasks}", "economy.tasks")
    if len(prices) == 2 and not isinstance(prices[0], (list, tuple)):
        pairs = [prices] * economy.n_agents
    else:
        pairs = list(prices)
    if len(pairs) != economy.n_agents:
        raise InvalidInput(f"expected {economy.n_agents} price pairs, got {len(pairs)}", "prices")
    menus, polarized = [], []
    for j, pair in enumerate(pairs):
        p1, p2 = vector(pair, f"prices of agent {economy.agents[j]!r}", 2)
        if p1 <= 0 or p2 <= 0:
            raise InvalidInput("prices must be > 0", f"prices of agent {economy.agents[j]!r}")
        menu = binary_classification_menu(economy.endowment[j], p1, p2)
        menus.append(menu)
        polarized.append(check_polarized([menu[1], menu[2]]))
    checks = {"polarized": tuple(polarized), "all_polarized": all(r.holds for r in polarized)}
    protocol = TradingProtocol.make(economy, menus, "eopr")
    strategies = [MyopicStrategy() for _ in menus]
    return ConstructedMechanism(
        "two-price binary classification", TradingMechanism(protocol, strategies), checks
    )


def fixed_price_pseudo_market(
    economy: Economy, prices: Sequence[object], budget_points: Sequence[Sequence[Sequence[object]]]
) -> ConstructedMechanism:
    """The fixed-price pseudo-market trading protocol (Valenzuela-Stookey, section 2.1), with the
    offered budget points ``budget_points[j]`` for agent j (each x >= 0 with p . x = p . sigma_j,
    x != sigma_j). See the module docstring for the selection rule and strategies."""
    p = vector(prices, "prices", economy.n_tasks)
    if len(budget_points) != economy.n_agents:
        raise InvalidInput(f"expected {economy.n_agents} lists of budget points", "budget_points")
    menus = []
    for j, points in enumerate(budget_points):
        sigma = economy.endowment[j]
        menu: list[TradingSet] = [PointSet([sigma])]
        for k, x in enumerate(points):
            where = f"budget point {k} of agent {economy.agents[j]!r}"
            xv = vector(x, where, economy.n_tasks)
            if dot(p, xv) != dot(p, sigma):
                raise InvalidInput(f"p . x = {dot(p, xv)} but p . sigma_j = {dot(p, sigma)}", where)
            if xv == sigma:
                raise InvalidInput("the endowment itself is not a trade", where)
            menu.append(PointSet([xv, sigma]))  # PointSet validates x >= 0
        menus.append(tuple(menu))
    table: dict[Profile, Allocation] = {}
    agents = range(economy.n_agents)
    for profile in product(*(range(len(m)) for m in menus)):
        requested = [j for j in agents if profile[j] != 0]
        table[profile] = _clearing_trades(economy, menus, profile, requested)
    protocol = TradingProtocol.make(economy, menus, table)
    strategies = [MyopicStrategy() for _ in menus]
    return ConstructedMechanism(
        "fixed-price pseudo-market", TradingMechanism(protocol, strategies), {"prices": list(p)}
    )


def _clearing_trades(economy: Economy, menus, profile: Profile, requested: list[int]) -> Allocation:
    for size in range(len(requested), -1, -1):
        for subset in combinations(requested, size):
            allocation = tuple(
                menus[j][profile[j]].points[0] if j in subset else economy.endowment[j]
                for j in range(economy.n_agents)
            )
            if economy.clears_market(allocation):
                return allocation
    raise AssertionError("the endowment always clears")  # size 0 is the endowment


def check_pseudo_market_osp(constructed: ConstructedMechanism, *, timeout_ms: int = 20000) -> CheckResult:
    """Is the constructed mechanism OSP? (Valenzuela-Stookey, Definition of OSP; section 2.1:
    the fixed-price pseudo-market is not.) The mechanism-level check
    (`verified.trading.mechanism_osp.check_mechanism_osp`) on the selection table and the
    strategies: its FAILS evidence (kind ``"mechanism_osp_counterexample"``) names the agent, a
    type c, the strategy's choice k, a deviation k', the others' actions under which k ends at
    ``worse_bundle`` and those under which k' ends at ``better_bundle``, with c . worse >
    c . better: whatever the others do, k is not obviously better than k'."""
    return check_mechanism_osp(constructed.mechanism, timeout_ms=timeout_ms)


def is_pseudo_market_osp(constructed: ConstructedMechanism) -> bool:
    return check_pseudo_market_osp(constructed).holds
