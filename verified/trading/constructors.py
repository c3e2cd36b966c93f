"""The three example trading mechanisms of Valenzuela-Stookey, section 2.1, built and checked exactly.

* `bilateral_trading_mechanism`: j' may move from sigma_j' to sigma_j' + gamma,
  j'' from sigma_j'' to sigma_j'' - gamma; trade iff both ask for it; j'
  trades iff gamma . c <= 0, j'' iff gamma . c >= 0. Lemma 2's four
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
  `check_pseudo_market_osp` shows it is not OSP: the menu-level
  counterexample of `verified.trading.osp.check_menu_osp` is realised by the
  selection table (others' actions giving the crossing bundles).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product
from typing import Any

from verified.errors import InvalidInput
from verified.results import CheckResult, fails, unknown
from verified.trading.bilateral import check_bilateral_trade
from verified.trading.model import Economy, Vector, dot, vector
from verified.trading.osp import check_menu_osp
from verified.trading.polarization import check_polarized
from verified.trading.sets import Menu, PointSet, Ray, TradingSet

Profile = tuple[int, ...]
Allocation = tuple[Vector, ...]
Strategy = Callable[[Vector], int]


@dataclass(frozen=True)
class ConstructedMechanism:
    """A trading protocol plus strategies (Valenzuela-Stookey, section 2.1).

    ``menus[j][k]`` is agent j's k-th trading set ({eta_j} is entry 0);
    ``selection`` maps every profile of set indices to the allocation, or is
    None for the EOPR (`verified.trading.eopr`); ``strategies[j](c)`` is the
    index agent j picks with cost type c; ``checks`` holds the exact checks
    made while building (by name).
    """

    name: str
    economy: Economy
    menus: tuple[Menu, ...]
    selection: Mapping[Profile, Allocation] | None
    strategies: tuple[Strategy, ...]
    checks: Mapping[str, Any]


def _stay(economy: Economy, j: int) -> PointSet:
    return PointSet([economy.endowment[j]])


def _always_stay(c: Vector) -> int:
    return 0


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
        (_stay(economy, j), PointSet([plus if j == a else minus])) if j in (a, b) else (_stay(economy, j),)
        for j in range(economy.n_agents)
    )
    table: dict[Profile, Allocation] = {}
    for profile in product(*(range(len(m)) for m in menus)):
        trade = profile[a] == 1 and profile[b] == 1
        table[profile] = tuple(
            (plus if j == a else minus if j == b else sigma[j]) if trade else sigma[j]
            for j in range(economy.n_agents)
        )

    def trade_prime(c: Vector) -> int:
        return 1 if dot(g, c) <= 0 else 0

    def trade_double_prime(c: Vector) -> int:
        return 1 if dot(g, c) >= 0 else 0

    strategies = tuple(
        trade_prime if j == a else trade_double_prime if j == b else _always_stay
        for j in range(economy.n_agents)
    )
    return ConstructedMechanism(
        "bilateral trading mechanism", economy, menus, table, strategies, {"lemma2": lemma2}
    )


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
    strategies = tuple(_myopic(menu) for menu in menus)
    checks = {"polarized": tuple(polarized), "all_polarized": all(r.holds for r in polarized)}
    return ConstructedMechanism(
        "two-price binary classification", economy, tuple(menus), None, strategies, checks
    )


def _myopic(menu: Menu) -> Strategy:
    """Lemma 4's myopically optimal choice: least min over the set of c . x (ties: earlier entry;
    an unbounded-below set wins over any bounded one)."""

    def choose(c: Vector) -> int:
        best_k, best_value = 0, None
        for k, t in enumerate(menu):
            ext = t.minimize(c)
            if not ext.bounded:
                return k
            if best_value is None or ext.value < best_value:  # type: ignore[operator]
                best_k, best_value = k, ext.value
        return best_k

    return choose


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
    strategies = tuple(_myopic(m) for m in menus)
    return ConstructedMechanism(
        "fixed-price pseudo-market", economy, tuple(menus), table, strategies, {"prices": list(p)}
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


def check_pseudo_market_osp(mechanism: ConstructedMechanism, *, timeout_ms: int = 20000) -> CheckResult:
    """Is the pseudo-market (any mechanism with a finite ``selection`` table) OSP for its
    strategies? (Valenzuela-Stookey, Definition of OSP; section 2.1 remarks that the fixed-price
    pseudo-market is not.)

    For each agent, `check_menu_osp` (helper D's menu-level check) proposes a type c without an
    obviously dominant set; this function then realises it in the table: for the strategy's
    choice k it finds a deviation k' and others' actions ``others_for_choice`` /
    ``others_for_deviation`` with c . P_j(k, .) > c . P_j(k', .). FAILS evidence kind
    ``"mechanism_osp_counterexample"``: ``agent``, ``type``, ``choice``, ``deviation``, both
    others' profiles, both bundles and both costs, and ``menu_level`` (D's evidence). UNKNOWN
    when no menu-level counterexample is realised (this function does not certify OSP).
    """
    economy, table = mechanism.economy, mechanism.selection
    if table is None:
        raise InvalidInput("this check needs an explicit selection table", "mechanism.selection")
    prop = "mechanism_osp"
    for j, menu in enumerate(mechanism.menus):
        menu_level = check_menu_osp(menu, economy.cost_domains[j], timeout_ms=timeout_ms)
        if not menu_level.fails:
            continue
        c = tuple(Fraction(x) for x in menu_level.evidence["cost"])
        k = mechanism.strategies[j](c)
        others = [range(len(m)) for i, m in enumerate(mechanism.menus) if i != j]

        def full(own: int, rest: tuple[int, ...], j: int = j) -> Profile:
            return rest[:j] + (own,) + rest[j:]

        worst = max(product(*others), key=lambda rest: dot(c, table[full(k, rest)][j]))
        high = dot(c, table[full(k, worst)][j])
        for k2 in range(len(menu)):
            if k2 == k:
                continue
            best = min(product(*others), key=lambda rest: dot(c, table[full(k2, rest)][j]))
            low = dot(c, table[full(k2, best)][j])
            if high > low:
                return fails(
                    prop,
                    {
                        "kind": "mechanism_osp_counterexample",
                        "agent": economy.agents[j],
                        "type": list(c),
                        "choice": k,
                        "deviation": k2,
                        "others_for_choice": list(worst),
                        "others_for_deviation": list(best),
                        "bundle_for_choice": list(table[full(k, worst)][j]),
                        "bundle_for_deviation": list(table[full(k2, best)][j]),
                        "cost_for_choice": high,
                        "cost_for_deviation": low,
                        "menu_level": dict(menu_level.evidence),
                    },
                )
    return unknown(prop, "no menu-level counterexample is realised by the selection table")
