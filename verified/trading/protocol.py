"""Trading protocols, strategies, essential reduction and domination (Valenzuela-Stookey, section 3).

A trading protocol is (eta, menus, P): agent j's menu (T_j^k)_{k in K_j}
holds {eta_j}; the selection rule P maps every profile of choices k_J to an
allocation with P_j(k_J) in T_j^{k_j} and market clearing sum_j P_j = n. Here
P is an explicit finite table over the product of the menus' indices (the
EOPR table of `verified.trading.eopr.eopr_table` is one).

Strategies map a cost type to a menu index:

- `FixedStrategy(action)`: always the same choice;
- `RegionStrategy(regions, default)`: the first region (a `LinearDescription`)
  that contains c decides, else ``default`` (a strategy "given" by the user);
- `MyopicStrategy(priority)`: the myopically optimal choice a*_j(c | T) =
  argmin_k min {c . x : x in T~_j^k} (T~ the essential reduction), ties broken
  by ``priority`` (default: menu order).

Definitions implemented here: essential reduction (``T~_j^k = {P_j(k, k_-j)}``),
domination of mechanisms (same endowments, menu sizes and strategies; each
trading set expanded), effective domination (the essential reduction is
dominated), Claim 1 (eta_j in every trading set).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from verified.errors import InvalidInput
from verified.numbers import fraction_text
from verified.results import CheckResult, fails, holds
from verified.trading.model import Economy, LinearDescription, Vector, dot, vector
from verified.trading.sets import Menu, PointSet, Ray, TradingSet, describe_set, validate_menu

Profile = tuple[int, ...]
Allocation = tuple[Vector, ...]


@dataclass(frozen=True, slots=True)
class FixedStrategy:
    """s_j(c) = action for every type."""

    action: int


@dataclass(frozen=True, slots=True)
class RegionStrategy:
    """s_j(c) = the action of the first region containing c, else ``default``."""

    regions: tuple[tuple[LinearDescription, int], ...]
    default: int


@dataclass(frozen=True, slots=True)
class MyopicStrategy:
    """Lemma 4's myopically optimal strategy, ties broken by ``priority`` (None: menu order)."""

    priority: tuple[int, ...] | None = None


Strategy = FixedStrategy | RegionStrategy | MyopicStrategy


@dataclass(frozen=True)
class TradingProtocol:
    """Endowment (from the economy), one validated menu per agent and an explicit selection table."""

    economy: Economy
    menus: tuple[Menu, ...]
    table: tuple[tuple[Profile, Allocation], ...]

    @classmethod
    def make(
        cls,
        economy: Economy,
        menus: Sequence[Sequence[TradingSet]],
        selection: Mapping[Sequence[int], Sequence[Sequence[object]]] | str,
    ) -> TradingProtocol:
        """``selection``: a table {profile of menu indices: allocation (one bundle per agent)}
        covering every profile, or ``"eopr"`` for the ex-post-optimal rule (computed exactly)."""
        if len(menus) != economy.n_agents:
            raise InvalidInput(f"expected {economy.n_agents} menus, got {len(menus)}", "menus")
        checked = tuple(
            validate_menu(m, economy.endowment[j], f"menu of agent {economy.agents[j]!r}")
            for j, m in enumerate(menus)
        )
        if isinstance(selection, str):
            if selection != "eopr":
                raise InvalidInput(
                    f"unknown selection rule {selection!r}; give a table or 'eopr'", "selection"
                )
            from verified.trading.eopr import eopr_table

            selection = eopr_table(economy, checked)
        rows: dict[Profile, Allocation] = {}
        for key, alloc in selection.items():
            profile = tuple(int(k) for k in key)
            where = f"selection[{list(profile)}]"
            if len(alloc) != economy.n_agents:
                raise InvalidInput(f"expected one bundle per agent ({economy.n_agents})", where)
            rows[profile] = tuple(
                vector(b, f"{where} agent {economy.agents[j]!r}", economy.n_tasks)
                for j, b in enumerate(alloc)
            )
        table = []
        for profile in product(*(range(len(m)) for m in checked)):
            where = f"selection[{list(profile)}]"
            if profile not in rows:
                raise InvalidInput("the table has no allocation for this profile", where)
            alloc = rows.pop(profile)
            for j, bundle in enumerate(alloc):
                if not checked[j][profile[j]].contains(bundle):
                    raise InvalidInput(
                        f"bundle {[fraction_text(x) for x in bundle]} is not in the chosen trading set "
                        f"{profile[j]}",
                        f"{where} agent {economy.agents[j]!r}",
                    )
            for i, task in enumerate(economy.tasks):
                total = sum((b[i] for b in alloc), Fraction(0))
                if total != economy.supplies[i]:
                    raise InvalidInput(
                        f"allocates {total} of a supply of {economy.supplies[i]}", f"{where} task {task!r}"
                    )
            table.append((profile, alloc))
        if rows:
            raise InvalidInput(f"profile {list(next(iter(rows)))} is not in the menus' product", "selection")
        return cls(economy, checked, tuple(table))

    def selection(self, profile: Sequence[int]) -> Allocation:
        key = tuple(profile)
        for p, alloc in self.table:
            if p == key:
                return alloc
        raise InvalidInput(f"no such profile {list(key)}", "profile")

    def outcomes(self, agent: int, choice: int) -> tuple[tuple[Vector, Profile], ...]:
        """(``P_j(k, k_-j)``, the profile realising it) for every ``k_-j``, first profile per bundle."""
        seen: list[Vector] = []
        out: list[tuple[Vector, Profile]] = []
        for profile, alloc in self.table:
            if profile[agent] == choice and alloc[agent] not in seen:
                seen.append(alloc[agent])
                out.append((alloc[agent], profile))
        return tuple(out)

    def essential_reduction(self) -> TradingProtocol:
        """Every T_j^k replaced by ``{P_j(k, k_-j) : k_-j}`` (same endowment and selection rule)."""
        menus = tuple(
            tuple(PointSet([x for x, _ in self.outcomes(j, k)]) for k in range(len(m)))
            for j, m in enumerate(self.menus)
        )
        return TradingProtocol(self.economy, menus, self.table)

    def is_non_redundant(self) -> bool:
        """True when the protocol equals its essential reduction (every set is exactly its outcomes)."""
        reduced = self.essential_reduction()
        return all(
            set_contained(t, r) and set_contained(r, t)
            for m, rm in zip(self.menus, reduced.menus, strict=True)
            for t, r in zip(m, rm, strict=True)
        )

    def plot(self, agent: int | str = 0, ax: object = None, **options: object) -> object:
        """One agent's menu and cost domain, one panel of `verified.trading.plot.draw_menu`
        (``panel="bundles"`` or ``"types"``) on ``ax`` or a new pyplot figure; returns the Axes."""
        from verified.trading.plot import plot_menu

        j = self.economy.agent_index(agent)
        return plot_menu(self.menus[j], self.economy.cost_domains[j], ax, **options)


def set_contained(inner: TradingSet, outer: TradingSet) -> bool:
    """inner ⊆ outer, exactly (convex outer sets: the vertices suffice; point sets: points)."""
    if inner.dimension != outer.dimension:
        return False
    if isinstance(inner, Ray) and not inner.is_bounded:
        if not (isinstance(outer, Ray) and not outer.is_bounded) or not outer.contains(inner.origin):
            return False
        d, e = inner.direction, outer.direction  # positively parallel directions
        k = next(i for i, x in enumerate(e) if x != 0)
        ratio = d[k] / e[k]
        return ratio > 0 and all(a == ratio * b for a, b in zip(d, e, strict=True))
    points = inner.vertices()
    if isinstance(outer, PointSet) and not isinstance(inner, PointSet) and len(points) > 1:
        return False  # a segment, polytope or box with two points is infinite
    return all(outer.contains(p) for p in points)


def check_claim1(economy: Economy, menus: Sequence[Sequence[TradingSet]]) -> CheckResult:
    """Claim 1 (Valenzuela-Stookey, proof of Theorem 2): eta_j in T_j^k for every j and k.

    Any protocol with market clearing satisfies it (when the others choose ``{eta_-j}``, agent j
    must receive eta_j); `TradingProtocol.make` therefore rejects menus that violate it.
    HOLDS evidence (kind ``"endowment_in_every_set"``): per agent the endowment and the sets.
    FAILS (kind ``"endowment_missing"``): ``agent``, ``set`` index, the set and ``eta``.
    """
    name = "claim1"
    agents = []
    for j, menu in enumerate(menus):
        eta = economy.endowment[j]
        for k, t in enumerate(menu):
            if not t.contains(eta):
                return fails(
                    name,
                    {
                        "kind": "endowment_missing",
                        "agent": economy.agents[j],
                        "set": k,
                        "trading_set": describe_set(t),
                        "eta": list(eta),
                    },
                )
        agents.append({"agent": economy.agents[j], "eta": list(eta), "sets": [describe_set(t) for t in menu]})
    return holds(name, {"kind": "endowment_in_every_set", "agents": agents})


def is_claim1(economy: Economy, menus: Sequence[Sequence[TradingSet]]) -> bool:
    return check_claim1(economy, menus).holds


def myopic_minima(protocol: TradingProtocol, agent: int, c: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """min {c . x : x in T~_j^k} for every k (T~ the essential reduction)."""
    return tuple(
        min(dot(c, x) for x, _ in protocol.outcomes(agent, k)) for k in range(len(protocol.menus[agent]))
    )


def strategy_action(strategy: Strategy, protocol: TradingProtocol, agent: int, c: Sequence[object]) -> int:
    """s_j(c), exactly."""
    cv = vector(c, "cost type", protocol.economy.n_tasks)
    size = len(protocol.menus[agent])
    if isinstance(strategy, FixedStrategy):
        return strategy.action
    if isinstance(strategy, RegionStrategy):
        for region, action in strategy.regions:
            if region.contains(cv):
                return action
        return strategy.default
    minima = myopic_minima(protocol, agent, cv)
    best = min(minima)
    for k in strategy.priority or tuple(range(size)):
        if minima[k] == best:
            return k
    raise AssertionError("priority misses a minimiser")  # validate_strategies prevents this


def validate_strategies(protocol: TradingProtocol, strategies: Sequence[Strategy]) -> tuple[Strategy, ...]:
    """One strategy per agent whose actions are menu indices (a priority must list every index)."""
    economy = protocol.economy
    if len(strategies) != economy.n_agents:
        raise InvalidInput(f"expected {economy.n_agents} strategies, got {len(strategies)}", "strategies")
    for j, s in enumerate(strategies):
        where, size = f"strategy of agent {economy.agents[j]!r}", len(protocol.menus[j])
        if isinstance(s, FixedStrategy):
            actions = [s.action]
        elif isinstance(s, RegionStrategy):
            actions = [a for _, a in s.regions] + [s.default]
            for r, (region, _) in enumerate(s.regions):
                if region.dimension != economy.n_tasks:
                    raise InvalidInput(f"region of dimension {region.dimension}", f"{where} region {r}")
        elif isinstance(s, MyopicStrategy):
            actions = list(s.priority) if s.priority is not None else []
            if s.priority is not None and sorted(s.priority) != list(range(size)):
                raise InvalidInput(f"priority must order the indices 0..{size - 1}", where)
        else:
            raise InvalidInput(f"expected a strategy, got {type(s).__name__}", where)
        for a in actions:
            if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < size:
                raise InvalidInput(f"action {a!r} is not a menu index 0..{size - 1}", where)
    return tuple(strategies)
