"""Trading-protocol files (format ``"verified/trading/1"``, Valenzuela-Stookey's model).

A file::

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
adds trading mechanisms (Valenzuela-Stookey, section 1.1)::

    menu = [{ point = [1, 1] }, { points = [[2, 0], [1, 1]] }]   # finite point sets; the
                                              # endowment alone, {eta_j}, must be listed
    strategy = { kind = "regions", default = 0, regions = [
        { rows = [[1, -1]], rhs = [0], strict = [false], action = 1 } ] }  # first match decides
    # or { kind = "myopic", priority = [0, 1] }   (Lemma 4's choice, ties to the earlier index)
    # or { kind = "fixed", action = 0 }; default for every agent: myopic in menu order
    [[selection.table]]                       # an explicit selection rule P: one row for
    profile = [1, 1]                          # every profile of menu indices (the product
    allocation = [[2, 0], [0, 2]]             # of the menus), one bundle per agent

Format ``"verified/trading/3"`` (a superset of /2; an agent without ``menu`` gets the menu
{eta_j}) adds what the paper's Bayesian results need, per agent (all agents or none)::

    types = [[1, 1], [1, 2], [3, 1]]          # the support of F_j: distinct cost types >= 0,
                                              # each in the agent's cost domain
    probabilities = ["1/3", "1/3", "1/3"]     # optional: uniform when omitted; > 0, summing to 1
    beta = 1                                  # optional slack parameter beta_j >= 1 (Lemma 1)

They feed the large-market program (section 4, ``large-market-improves``), Lemma 1 /
Corollary 1 (``status-quo-unique``) and Theorem 1 over BIC mechanisms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from verified.errors import InvalidInput
from verified.io.schema import fields
from verified.names import show, validated_name, validated_names
from verified.numbers import fraction_text

FORMAT_TRADING = "verified/trading/1"
FORMAT_TRADING_2 = "verified/trading/2"
FORMAT_TRADING_3 = "verified/trading/3"
TRADING_FORMATS = (FORMAT_TRADING, FORMAT_TRADING_2, FORMAT_TRADING_3)


@dataclass(frozen=True, eq=False)
class TradingSubject:
    """An economy and one menu per agent, read from a file."""

    economy: Any  # verified.trading.model.Economy
    menus: tuple[tuple[Any, ...], ...]
    source: str = "<memory>"
    status_quo: tuple[tuple, ...] | None = None  # sigma_j, when it differs from the endowment
    selection: Any = "eopr"  # "eopr" or {profile tuple: allocation} (format /2)
    strategies: tuple[Any, ...] | None = None  # verified.trading.protocol strategies (format /2)
    distributions: tuple[Any, ...] | None = None  # one FiniteTypes F_j per agent (format /3)
    beta: tuple[Any, ...] | None = None  # slack parameters beta_j >= 1 (format /3; None: all 1)

    @property
    def mechanism(self) -> Any:
        """The `verified.trading.TradingMechanism` (protocol with the selection table, and the
        strategies; myopic in menu order when the file gives none), built once."""
        cached = self.__dict__.get("_mechanism")
        if cached is None:
            from verified.trading.mechanism_osp import TradingMechanism
            from verified.trading.protocol import MyopicStrategy, TradingProtocol

            require_selection_table(self.economy, self.menus)
            protocol = TradingProtocol.make(self.economy, self.menus, self.selection)
            strategies = self.strategies or tuple(MyopicStrategy() for _ in self.menus)
            cached = TradingMechanism(protocol, strategies)
            object.__setattr__(self, "_mechanism", cached)
        return cached

    @property
    def name(self) -> str:
        return f"trading protocol with {len(self.economy.agents)} agents"

    @property
    def status_quo_economy(self) -> Any:
        """The economy with the status quo sigma in place of the endowment eta: what Lemma 1
        (SQ), Lemma 2 (a bilateral trade moves from sigma) and program (1) read. The same
        economy when the file gives no ``status_quo`` (sigma = eta); the supplies are unchanged,
        since sigma clears the market (checked when the file is read)."""
        if self.status_quo is None:
            return self.economy
        cached = self.__dict__.get("_status_quo_economy")
        if cached is None:
            from verified.trading.model import Economy

            e = self.economy
            cached = Economy.make(
                list(e.tasks),
                list(e.agents),
                [list(v) for v in self.status_quo],
                e.performance,
                e.cost_domains,
            )
            object.__setattr__(self, "_status_quo_economy", cached)
        return cached


def require_selection_table(economy: Any, menus: tuple[tuple[Any, ...], ...]) -> int:
    """The number of profiles of menu indices (the product of the menus' sizes), if a
    selection table over them fits the cell limit (profiles x agents x tasks,
    `verified.assignment.domain.max_table_cells`); `DomainTooLarge` otherwise."""
    from verified.assignment.domain import max_table_cells, require_cells

    cap = max_table_cells()
    profiles = 1
    for menu in menus:
        profiles *= max(len(menu), 1)
        if profiles > cap:  # stop before the product grows huge
            break
    require_cells(
        profiles * max(len(menus), 1) * max(economy.n_tasks, 1),
        f"the selection table over the menus' product ({profiles:,}{'+' if profiles > cap else ''} profiles)",
    )
    return profiles


def _require_allocation(sigma: list[tuple], economy: Any) -> None:
    """The status quo is an allocation (Valenzuela-Stookey, section 2): loads sigma_j >= 0 that
    clear the market, sum_j sigma_j = the supplies (the endowments' sums)."""
    for j, loads in enumerate(sigma):
        for i, x in enumerate(loads):
            if x < 0:
                raise InvalidInput(
                    f"a status quo load must be >= 0, got {fraction_text(x)}", f"agents[{j}].status_quo[{i}]"
                )
    for i, task in enumerate(economy.tasks):
        total = sum(loads[i] for loads in sigma)
        if total != economy.supplies[i]:
            raise InvalidInput(
                f"the status quo must clear the market: task {task!r} sums to {fraction_text(total)}, "
                f"the supply (the endowments' sum) is {fraction_text(economy.supplies[i])}",
                "agents[*].status_quo",
            )


def _vec(value: Any, where: str, allow_float: bool, n: int | None = None) -> tuple:
    from verified.numbers import to_fraction

    if not isinstance(value, list):
        raise InvalidInput(f"expected a list of rationals, got {show(value)}", where)
    if n is not None and len(value) != n:
        raise InvalidInput(f"expected {n} entries (one per task), got {len(value)}", where)
    return tuple(to_fraction(v, f"{where}[{k}]", allow_float=allow_float) for k, v in enumerate(value))


def _costs(spec: Any, n: int, where: str, allow_float: bool) -> Any:
    from verified.trading.model import CostDomain

    if not isinstance(spec, Mapping):
        raise InvalidInput(f"expected {{kind = ...}}, got {show(spec)}", where)
    kind = spec.get("kind")
    if kind == "box":
        fields(spec, where, ("kind", "lo", "hi"))
        return CostDomain.box(
            _vec(spec["lo"], f"{where}.lo", allow_float, n),
            _vec(spec["hi"], f"{where}.hi", allow_float, n),
            where,
        )
    if kind == "orthant":
        fields(spec, where, ("kind",))
        return CostDomain.orthant(n)
    if kind == "positive_orthant":
        fields(spec, where, ("kind",))
        return CostDomain.positive_orthant(n)
    raise InvalidInput(
        f"unknown kind {show(kind)}; use 'box', 'orthant' or 'positive_orthant'", f"{where}.kind"
    )


def _set(spec: Any, eta: tuple, where: str, allow_float: bool, version: int = 1) -> Any:
    from verified.trading.sets import PointSet, Polytope, Ray, RemedialSet

    n = len(eta)
    if not isinstance(spec, Mapping) or len(spec) != 1:
        items = (
            "{point}, {points}, {ray}, {polytope}, {remedial}"
            if version >= 2
            else "{point}, {ray}, {polytope}, {remedial}"
        )
        raise InvalidInput(f"each menu item is one of {items}, got {show(spec)}", where)
    ((key, value),) = spec.items()
    if key == "point":
        return PointSet((_vec(value, f"{where}.point", allow_float, n),))
    if key == "points" and version >= 2:
        if not isinstance(value, list) or not value:
            raise InvalidInput("a finite set needs a non-empty list of points", f"{where}.points")
        return PointSet(tuple(_vec(v, f"{where}.points[{k}]", allow_float, n) for k, v in enumerate(value)))
    if key == "ray":
        return Ray(eta, _vec(value, f"{where}.ray", allow_float, n))
    if key == "polytope":
        if not isinstance(value, list) or not value:
            raise InvalidInput("a polytope needs a non-empty list of vertices", f"{where}.polytope")
        return Polytope(tuple(_vec(v, f"{where}.polytope[{k}]", allow_float, n) for k, v in enumerate(value)))
    if key == "remedial":
        if value is not True:
            raise InvalidInput(f"write remedial = true, got {show(value)}", f"{where}.remedial")
        return RemedialSet(eta)
    raise InvalidInput(f"unknown menu item {show(key)}", where)


_TOP = ("format", "tasks", "agents")
_TOP_OPTIONAL = ("allow_float", "selection")
_AGENT_OPTIONAL = ("name", "performance", "status_quo", "costs", "menu")
_BAYESIAN = ("types", "probabilities", "beta")


def _domain_text(domain: Any) -> str:
    if domain.kind != "box":
        return f"({domain.kind.replace('_', ' ')})"
    return " x ".join(
        f"[{fraction_text(a)}, {fraction_text(b)}]" for a, b in zip(domain.lo, domain.hi, strict=True)
    )


def _bayesian(agents: list, economy: Any, allow_float: bool) -> tuple[tuple | None, tuple | None]:
    """Format /3: one finite type distribution per agent (all or none), each type in the agent's
    cost domain, and the slack parameters beta_j >= 1 (all or none)."""
    from verified.numbers import to_fraction
    from verified.trading.bic import FiniteTypes

    with_types = [j for j, a in enumerate(agents) if "types" in a]
    for j, a in enumerate(agents):
        if "probabilities" in a and "types" not in a:
            raise InvalidInput("probabilities need the types they weigh", f"agents[{j}].probabilities")
    if with_types and len(with_types) != len(agents):
        missing = next(j for j in range(len(agents)) if j not in with_types)
        raise InvalidInput("give types for every agent or for none", f"agents[{missing}].types")
    distributions = None
    if with_types:
        found = []
        for j, a in enumerate(agents):
            where = f"agents[{j}]"
            types = a["types"]
            if not isinstance(types, list) or not types:
                raise InvalidInput(
                    f"expected a non-empty list of cost types, got {show(types)}", f"{where}.types"
                )
            vecs = [_vec(c, f"{where}.types[{t}]", allow_float, economy.n_tasks) for t, c in enumerate(types)]
            probs = a.get("probabilities")
            if probs is not None:
                if not isinstance(probs, list):
                    raise InvalidInput(
                        f"expected a list of probabilities, got {show(probs)}", f"{where}.probabilities"
                    )
                probs = [
                    to_fraction(p, f"{where}.probabilities[{t}]", allow_float=allow_float)
                    for t, p in enumerate(probs)
                ]
            dist = FiniteTypes.make(vecs, probs, where)
            domain = economy.cost_domains[j]
            for t, c in enumerate(dist.types):
                if not domain.contains(c):
                    raise InvalidInput(
                        f"the type ({', '.join(fraction_text(x) for x in c)}) lies outside the agent's "
                        f"cost domain {_domain_text(domain)}",
                        f"{where}.types[{t}]",
                    )
            found.append(dist)
        distributions = tuple(found)
    values = {}
    for j, a in enumerate(agents):
        if "beta" in a:
            b = to_fraction(a["beta"], f"agents[{j}].beta", allow_float=allow_float)
            if b < 1:
                raise InvalidInput(
                    f"a slack parameter must be >= 1, got {fraction_text(b)}", f"agents[{j}].beta"
                )
            values[j] = b
    if values and len(values) != len(agents):
        missing = next(j for j in range(len(agents)) if j not in values)
        raise InvalidInput("give beta for every agent or for none", f"agents[{missing}].beta")
    beta = tuple(values[j] for j in range(len(agents))) if values else None
    return distributions, beta


def parse_trading(
    doc: Mapping[str, Any], *, source: str = "<memory>", allow_float: bool = False
) -> TradingSubject:
    """Build the economy and menus of a ``verified/trading/1`` (or /2, /3) document; an
    `InvalidInput` names ``source`` (the file) and the place."""
    from verified.io.reader import located

    try:
        return _parse_trading(doc, source, allow_float)
    except InvalidInput as exc:
        raise located(exc, source) from None


def _parse_trading(doc: Mapping[str, Any], source: str, allow_float: bool) -> TradingSubject:
    from verified.trading.model import Economy
    from verified.trading.sets import PointSet

    fields(doc, "document", _TOP, _TOP_OPTIONAL)
    flag = doc.get("allow_float", False)
    if not isinstance(flag, bool):
        raise InvalidInput(f"must be true or false, got {show(flag)}", "allow_float")
    allow_float = allow_float or flag
    version = {FORMAT_TRADING_2: 2, FORMAT_TRADING_3: 3}.get(doc.get("format"), 1)  # type: ignore[arg-type]
    if version == 1 and doc.get("selection", "eopr") != "eopr":
        raise InvalidInput(
            f"unknown selection rule {show(doc.get('selection'))}; format verified/trading/1 supports the "
            "ex-post-optimal rule 'eopr' (explicit selection tables: format verified/trading/2)",
            "selection",
        )
    tasks = doc["tasks"]
    agents = doc["agents"]
    if not isinstance(tasks, list) or not tasks:
        raise InvalidInput(f"expected a non-empty list of task names, got {show(tasks)}", "tasks")
    if not isinstance(agents, list) or not agents:
        raise InvalidInput(f"expected a non-empty list of [[agents]] tables, got {show(agents)}", "agents")
    tasks = list(validated_names(tasks, "tasks"))
    n = len(tasks)
    names, endowments, performance, costs, raw_menus, sigma = [], [], [], [], [], []
    allowed = _AGENT_OPTIONAL + (("strategy",) if version >= 2 else ()) + (_BAYESIAN if version >= 3 else ())
    for j, agent in enumerate(agents):
        where = f"agents[{j}]"
        if version == 1 and isinstance(agent, Mapping) and "strategy" in agent:
            raise InvalidInput("strategies need format verified/trading/2", f"{where}.strategy")
        if version < 3 and isinstance(agent, Mapping):
            for key in _BAYESIAN:
                if key in agent:
                    raise InvalidInput(f"{key} needs format verified/trading/3", f"{where}.{key}")
        fields(agent, where, ("endowment",), allowed)
        names.append(validated_name(agent.get("name", j + 1), f"{where}.name"))
        endowments.append(_vec(agent["endowment"], f"{where}.endowment", allow_float, n))
        performance.append(_vec(agent.get("performance", [0] * n), f"{where}.performance", allow_float, n))
        costs.append(_costs(agent.get("costs", {"kind": "orthant"}), n, f"{where}.costs", allow_float))
        default_menu = [{"point": list(endowments[-1])}] if version >= 3 else []
        raw_menus.append(agent.get("menu", default_menu))
        if "status_quo" in agent:
            sigma.append(_vec(agent["status_quo"], f"{where}.status_quo", allow_float, n))
    economy = Economy.make(tasks, names, endowments, performance, costs)
    menus = []
    for j, items in enumerate(raw_menus):
        if not isinstance(items, list):
            raise InvalidInput(f"expected a list of menu items, got {show(items)}", f"agents[{j}].menu")
        eta = economy.endowment[j]
        where = f"agents[{j}].menu"
        menu = [_set(item, eta, f"{where}[{k}]", allow_float, version) for k, item in enumerate(items)]
        if not any(isinstance(t, PointSet) and t.points == (eta,) for t in menu):
            if version >= 2:
                raise InvalidInput(
                    f"list the endowment alone, {{ point = {[fraction_text(x) for x in eta]} }}", where
                )
            menu.insert(0, PointSet((eta,)))
        menus.append(tuple(menu))
    if sigma and len(sigma) != len(agents):
        raise InvalidInput("give a status_quo for every agent or for none", "agents")
    if sigma:
        _require_allocation(sigma, economy)
    selection: Any = "eopr"
    strategies = None
    if version >= 2:
        from verified.io.trading_mechanism import parse_selection, parse_strategies

        if isinstance(doc.get("selection"), Mapping):
            require_selection_table(economy, tuple(menus))  # bounds the coverage check of a table
        selection = parse_selection(doc.get("selection", "eopr"), economy, menus, allow_float)
        strategies = parse_strategies(agents, economy, menus, allow_float)
    distributions, beta = _bayesian(agents, economy, allow_float) if version >= 3 else (None, None)
    subject = TradingSubject(
        economy,
        tuple(menus),
        source,
        tuple(sigma) if sigma else None,
        selection,
        strategies,
        distributions,
        beta,
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
