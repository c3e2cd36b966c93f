"""Trading-protocol files (format ``"verified/trading/1"``, Valenzuela-Stookey's model).

    format = "verified/trading/1"
    tasks = ["A", "B"]
    [[agents]]
    name = "1"
    endowment = [1, 0]                        # eta_j (sums over agents are the supplies)
    performance = [1, "3/2"]                  # pi_j (optional, default 0)
    status_quo = [1, 0]                       # sigma_j (optional, default: the endowment)
    costs = { kind = "box", lo = [1, 1], hi = [2, 3] }   # or "orthant", "positive_orthant"
    menu = [{ point = [1, 0] }, { ray = [1, -1] }, { ray = [-1, 2] }, { remedial = true },
            { polytope = [[1, 0], [0, 1]] }]  # rays start at the endowment

Rationals are integers or strings ("3/8"); floats only with ``allow_float = true``.
``selection = "eopr"`` (the default) is the ex-post-optimal selection rule.
The menu always gets the status quo {eta_j} (added first when not listed).

Format ``"verified/trading/2"`` (a superset: every /1 file is a /2 file once its format line
changes, except that /2 menus are taken exactly as written, so menu indices are stable)
adds trading mechanisms (Valenzuela-Stookey, section 1.1):

    menu = [{ point = [1, 1] }, { points = [[2, 0], [1, 1]] }]   # finite point sets; the
                                              # endowment alone, {eta_j}, must be listed
    strategy = { kind = "regions", default = 0, regions = [
        { rows = [[1, -1]], rhs = [0], strict = [false], action = 1 } ] }  # first match decides
    # or { kind = "myopic", priority = [0, 1] }   (Lemma 4's choice, ties to the earlier index)
    # or { kind = "fixed", action = 0 }; default for every agent: myopic in menu order
    [[selection.table]]                       # an explicit selection rule P: one row for
    profile = [1, 1]                          # every profile of menu indices (the product
    allocation = [[2, 0], [0, 2]]             # of the menus), one bundle per agent
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from verified.errors import InvalidInput

FORMAT_TRADING = "verified/trading/1"
FORMAT_TRADING_2 = "verified/trading/2"
TRADING_FORMATS = (FORMAT_TRADING, FORMAT_TRADING_2)


@dataclass(frozen=True, eq=False)
class TradingSubject:
    """An economy and one menu per agent, read from a file."""

    economy: Any  # verified.trading.model.Economy
    menus: tuple[tuple[Any, ...], ...]
    source: str = "<memory>"
    status_quo: tuple[tuple, ...] | None = None  # sigma_j, when it differs from the endowment
    selection: Any = "eopr"  # "eopr" or {profile tuple: allocation} (format /2)
    strategies: tuple[Any, ...] | None = None  # verified.trading.protocol strategies (format /2)

    @property
    def mechanism(self) -> Any:
        """The `verified.trading.TradingMechanism` (protocol with the selection table, and the
        strategies; myopic in menu order when the file gives none), built once."""
        cached = self.__dict__.get("_mechanism")
        if cached is None:
            from verified.trading.mechanism_osp import TradingMechanism
            from verified.trading.protocol import MyopicStrategy, TradingProtocol

            protocol = TradingProtocol.make(self.economy, self.menus, self.selection)
            strategies = self.strategies or tuple(MyopicStrategy() for _ in self.menus)
            cached = TradingMechanism(protocol, strategies)
            object.__setattr__(self, "_mechanism", cached)
        return cached

    @property
    def name(self) -> str:
        return f"trading protocol with {len(self.economy.agents)} agents"


def _vec(value: Any, where: str, allow_float: bool) -> tuple:
    from verified.numbers import to_fraction

    if not isinstance(value, list):
        raise InvalidInput(f"expected a list of rationals, got {value!r}", where)
    return tuple(to_fraction(v, f"{where}[{k}]", allow_float=allow_float) for k, v in enumerate(value))


def _costs(spec: Any, n: int, where: str, allow_float: bool) -> Any:
    from verified.trading.model import CostDomain

    if not isinstance(spec, Mapping):
        raise InvalidInput("expected {kind = ...}", where)
    kind = spec.get("kind")
    if kind == "box":
        return CostDomain.box(
            _vec(spec.get("lo"), f"{where}.lo", allow_float), _vec(spec.get("hi"), f"{where}.hi", allow_float)
        )
    if kind == "orthant":
        return CostDomain.orthant(n)
    if kind == "positive_orthant":
        return CostDomain.positive_orthant(n)
    raise InvalidInput(f"unknown kind {kind!r}; use 'box', 'orthant' or 'positive_orthant'", f"{where}.kind")


def _set(spec: Any, eta: tuple, where: str, allow_float: bool, version: int = 1) -> Any:
    from verified.trading.sets import PointSet, Polytope, Ray, RemedialSet

    if not isinstance(spec, Mapping) or len(spec) != 1:
        raise InvalidInput("each menu item is one of {point}, {ray}, {polytope}, {remedial}", where)
    ((key, value),) = spec.items()
    if key == "point":
        return PointSet((_vec(value, f"{where}.point", allow_float),))
    if key == "points" and version == 2:
        if not isinstance(value, list) or not value:
            raise InvalidInput("a finite set needs a non-empty list of points", f"{where}.points")
        return PointSet(tuple(_vec(v, f"{where}.points[{k}]", allow_float) for k, v in enumerate(value)))
    if key == "ray":
        return Ray(eta, _vec(value, f"{where}.ray", allow_float))
    if key == "polytope":
        if not isinstance(value, list) or not value:
            raise InvalidInput("a polytope needs a list of vertices", where)
        return Polytope(tuple(_vec(v, f"{where}.polytope[{k}]", allow_float) for k, v in enumerate(value)))
    if key == "remedial" and value is True:
        return RemedialSet(eta)
    raise InvalidInput(f"unknown menu item {key!r}", where)


def parse_trading(
    doc: Mapping[str, Any], *, source: str = "<memory>", allow_float: bool = False
) -> TradingSubject:
    """Build the economy and menus of a ``verified/trading/1`` document."""
    from verified.trading.model import Economy
    from verified.trading.sets import PointSet

    allow_float = allow_float or doc.get("allow_float") is True
    version = 2 if doc.get("format") == FORMAT_TRADING_2 else 1
    if version == 1 and doc.get("selection", "eopr") != "eopr":
        raise InvalidInput(
            f"unknown selection rule {doc.get('selection')!r}; format verified/trading/1 supports the "
            "ex-post-optimal rule 'eopr' (explicit selection tables: format verified/trading/2)",
            "selection",
        )
    tasks = doc.get("tasks")
    agents = doc.get("agents")
    if not isinstance(tasks, list) or not tasks:
        raise InvalidInput("expected a list of task names", "tasks")
    if not isinstance(agents, list) or not agents:
        raise InvalidInput("expected a list of [[agents]] tables", "agents")
    n = len(tasks)
    names, endowments, performance, costs, raw_menus, sigma = [], [], [], [], [], []
    for j, agent in enumerate(agents):
        where = f"agents[{j}]"
        if not isinstance(agent, Mapping):
            raise InvalidInput("expected a table", where)
        names.append(str(agent.get("name", j + 1)))
        endowments.append(_vec(agent.get("endowment"), f"{where}.endowment", allow_float))
        performance.append(_vec(agent.get("performance", [0] * n), f"{where}.performance", allow_float))
        costs.append(_costs(agent.get("costs", {"kind": "orthant"}), n, f"{where}.costs", allow_float))
        raw_menus.append(agent.get("menu", []))
        if version == 1 and "strategy" in agent:
            raise InvalidInput("strategies need format verified/trading/2", f"{where}.strategy")
        if "status_quo" in agent:
            sigma.append(_vec(agent["status_quo"], f"{where}.status_quo", allow_float))
    economy = Economy.make(tasks, names, endowments, performance, costs)
    menus = []
    for j, items in enumerate(raw_menus):
        if not isinstance(items, list):
            raise InvalidInput("expected a list of menu items", f"agents[{j}].menu")
        eta = economy.endowment[j]
        where = f"agents[{j}].menu"
        menu = [_set(item, eta, f"{where}[{k}]", allow_float, version) for k, item in enumerate(items)]
        if not any(isinstance(t, PointSet) and t.points == (eta,) for t in menu):
            if version == 2:
                raise InvalidInput(f"list the endowment alone, {{ point = {[str(x) for x in eta]} }}", where)
            menu.insert(0, PointSet((eta,)))
        menus.append(tuple(menu))
    if sigma and len(sigma) != len(agents):
        raise InvalidInput("give a status_quo for every agent or for none", "agents")
    selection: Any = "eopr"
    strategies = None
    if version == 2:
        from verified.io.trading_mechanism import parse_selection, parse_strategies

        selection = parse_selection(doc.get("selection", "eopr"), economy, menus, allow_float)
        strategies = parse_strategies(agents, economy, menus, allow_float)
    subject = TradingSubject(
        economy, tuple(menus), source, tuple(sigma) if sigma else None, selection, strategies
    )
    if isinstance(selection, dict):
        subject.mechanism  # noqa: B018 - validates the table (chosen sets, market clearing, coverage)
    return subject


def _text(v: Any) -> str:
    from verified.numbers import fraction_text

    return fraction_text(v)


def _set_encoding(t: Any) -> dict[str, Any]:
    from verified.trading.sets import PointSet, Polytope, Ray, RemedialSet

    if isinstance(t, PointSet):
        return {"type": "points", "points": [[_text(x) for x in p] for p in t.points]}
    if isinstance(t, Ray):
        return {
            "type": "ray",
            "origin": [_text(x) for x in t.origin],
            "direction": [_text(x) for x in t.direction],
        }
    if isinstance(t, Polytope):
        return {"type": "polytope", "vertices": [[_text(x) for x in p] for p in t.points]}
    if isinstance(t, RemedialSet):
        return {"type": "remedial", "eta": [_text(x) for x in t.eta]}
    raise InvalidInput(f"cannot encode trading set {type(t).__name__}", "menu")


def trading_subject(subject: TradingSubject, *, mechanism: bool = False) -> dict[str, Any]:
    """The canonical subject of an economy with menus (plain JSON types); with ``mechanism``,
    also the selection table and the strategies (`mechanism_encoding`)."""
    e = subject.economy
    agents = []
    for j, name in enumerate(e.agents):
        dom = e.cost_domains[j]
        costs: dict[str, Any] = {"kind": dom.kind}
        if dom.kind == "box":
            costs["lo"] = [_text(x) for x in dom.lo]
            costs["hi"] = [_text(x) for x in dom.hi]
        extra = (
            {} if subject.status_quo is None else {"status_quo": [_text(x) for x in subject.status_quo[j]]}
        )
        agents.append(
            {
                **extra,
                "name": name,
                "endowment": [_text(x) for x in e.endowment[j]],
                "performance": [_text(x) for x in e.performance[j]],
                "costs": costs,
                "menu": [_set_encoding(t) for t in subject.menus[j]],
            }
        )
    out = {"family": "trading", "kind": "economy", "tasks": list(e.tasks), "agents": agents}
    if mechanism:
        from verified.io.trading_mechanism import mechanism_encoding

        out.update(mechanism_encoding(subject.mechanism))
    return out
