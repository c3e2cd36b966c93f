"""Selection tables and strategies in trading files (format ``"verified/trading/2"``), and
their canonical encoding in certificates (Valenzuela-Stookey, section 1.1: a trading
mechanism is a protocol (eta, menus, P) with one strategy s_j : C_j -> K_j per agent).

File syntax (see `verified.io.trading` and docs/formats.md)::

    selection = "eopr"                                   # or an explicit table:
    [[selection.table]]
    profile = [1, 0]                                     # one menu index per agent
    allocation = [[1, 1], [1, 1]]                        # one bundle per agent
    # per agent, optional (default: myopic, ties to the earlier menu index):
    strategy = { kind = "fixed", action = 0 }
    strategy = { kind = "myopic", priority = [1, 0] }    # ties go to the earlier in priority
    strategy = { kind = "regions", default = 0, regions = [{ rows = [[1, -1]], rhs = [0],
                 strict = [false], action = 1 }] }      # first region containing c decides

The table's rows are validated by `verified.trading.protocol.TradingProtocol.make`: every
profile of the menus' product exactly once, each bundle in the chosen trading set, the
market cleared task by task (errors name the profile, the agent or the task).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from verified.errors import InvalidInput
from verified.names import show


def _vec(value: Any, where: str, allow_float: bool, n: int | None = None) -> tuple[Fraction, ...]:
    from verified.numbers import to_fraction

    if not isinstance(value, list):
        raise InvalidInput(f"expected a list of rationals, got {show(value)}", where)
    out = tuple(to_fraction(v, f"{where}[{k}]", allow_float=allow_float) for k, v in enumerate(value))
    if n is not None and len(out) != n:
        raise InvalidInput(f"expected {n} entries, got {len(out)}", where)
    return out


def _index(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"expected a menu index (an integer), got {show(value)}", where)
    if not 0 <= value < 2**31:
        raise InvalidInput(f"a menu index is a non-negative integer, got {show(value)}", where)
    return value


def parse_selection(spec: Any, economy: Any, menus: Sequence[Sequence[Any]], allow_float: bool) -> Any:
    """``"eopr"`` or ``{"table": [{profile, allocation}, ...]}`` -> "eopr" or {profile: allocation}."""
    if isinstance(spec, str) and spec == "eopr":
        return "eopr"
    if not isinstance(spec, Mapping) or set(spec) != {"table"} or not isinstance(spec["table"], list):
        raise InvalidInput("expected 'eopr' or a table: [[selection.table]] rows", "selection")
    rows: dict[tuple[int, ...], tuple[tuple[Fraction, ...], ...]] = {}
    for r, row in enumerate(spec["table"]):
        where = f"selection.table[{r}]"
        if not isinstance(row, Mapping) or set(row) != {"profile", "allocation"}:
            raise InvalidInput("each row has exactly 'profile' and 'allocation'", where)
        profile, alloc = row["profile"], row["allocation"]
        if not isinstance(profile, list) or len(profile) != economy.n_agents:
            raise InvalidInput(f"expected one menu index per agent ({economy.n_agents})", f"{where}.profile")
        key = tuple(_index(k, f"{where}.profile[{j}]") for j, k in enumerate(profile))
        for j, k in enumerate(key):
            if not 0 <= k < len(menus[j]):
                raise InvalidInput(
                    f"agent {economy.agents[j]!r} has menu indices 0..{len(menus[j]) - 1}, not {k}",
                    f"{where}.profile[{j}]",
                )
        if key in rows:
            raise InvalidInput(f"profile {list(key)} appears twice", where)
        if not isinstance(alloc, list) or len(alloc) != economy.n_agents:
            raise InvalidInput(f"expected one bundle per agent ({economy.n_agents})", f"{where}.allocation")
        rows[key] = tuple(
            _vec(b, f"{where}.allocation[{j}]", allow_float, economy.n_tasks) for j, b in enumerate(alloc)
        )
    return rows


def _strategy(spec: Any, where: str, n: int, allow_float: bool) -> Any:
    from verified.trading.model import LinearDescription
    from verified.trading.protocol import FixedStrategy, MyopicStrategy, RegionStrategy

    if not isinstance(spec, Mapping):
        raise InvalidInput("expected { kind = 'fixed' | 'myopic' | 'regions', ... }", where)
    kind = spec.get("kind")
    kind = kind if isinstance(kind, str) else show(kind)
    allowed = {
        "fixed": {"kind", "action"},
        "myopic": {"kind", "priority"},
        "regions": {"kind", "regions", "default"},
    }
    if kind not in allowed:
        raise InvalidInput(
            f"unknown strategy kind {kind!r}; use 'fixed', 'myopic' or 'regions'", f"{where}.kind"
        )
    extra = sorted(set(spec) - allowed[kind])
    if extra:
        raise InvalidInput(f"unexpected field(s) {extra} for a {kind!r} strategy", where)
    if kind == "fixed":
        return FixedStrategy(_index(spec.get("action"), f"{where}.action"))
    if kind == "myopic":
        priority = spec.get("priority")
        if priority is None:
            return MyopicStrategy()
        if not isinstance(priority, list):
            raise InvalidInput("expected a list of menu indices", f"{where}.priority")
        return MyopicStrategy(tuple(_index(k, f"{where}.priority[{i}]") for i, k in enumerate(priority)))
    regions = spec.get("regions")
    if not isinstance(regions, list):
        raise InvalidInput("expected a list of regions", f"{where}.regions")
    out = []
    for r, region in enumerate(regions):
        at = f"{where}.regions[{r}]"
        if not isinstance(region, Mapping) or not {"rows", "rhs", "action"} <= set(region) <= {
            "rows",
            "rhs",
            "strict",
            "action",
        }:
            raise InvalidInput("a region has 'rows', 'rhs', 'action' and optionally 'strict'", at)
        rows = region["rows"]
        if not isinstance(rows, list):
            raise InvalidInput("expected a list of rows", f"{at}.rows")
        coeffs = tuple(_vec(row, f"{at}.rows[{i}]", allow_float, n) for i, row in enumerate(rows))
        rhs = _vec(region["rhs"], f"{at}.rhs", allow_float, len(coeffs))
        strict = region.get("strict", [False] * len(coeffs))
        if (
            not isinstance(strict, list)
            or len(strict) != len(coeffs)
            or not all(isinstance(s, bool) for s in strict)
        ):
            raise InvalidInput(f"expected {len(coeffs)} booleans", f"{at}.strict")
        out.append(
            (LinearDescription(n, coeffs, rhs, tuple(strict)), _index(region["action"], f"{at}.action"))
        )
    return RegionStrategy(tuple(out), _index(spec.get("default"), f"{where}.default"))


def parse_strategies(
    agents: Sequence[Any], economy: Any, menus: Sequence[Sequence[Any]], allow_float: bool
) -> tuple[Any, ...] | None:
    """One strategy per agent (myopic in menu order where none is given); None when no agent
    gives one. Actions are checked against the menus by `validate_strategies` later."""
    from verified.trading.protocol import MyopicStrategy

    if not any(isinstance(a, Mapping) and "strategy" in a for a in agents):
        return None
    return tuple(
        _strategy(a["strategy"], f"agents[{j}].strategy", economy.n_tasks, allow_float)
        if "strategy" in a
        else MyopicStrategy()
        for j, a in enumerate(agents)
    )


def _texts(v: Sequence[Fraction]) -> list[str]:
    from verified.numbers import fraction_text

    return [fraction_text(x) for x in v]


def strategy_encoding(strategy: Any, size: int) -> dict[str, Any]:
    """Canonical JSON of a strategy (a myopic priority is written out in full)."""
    from verified.trading.protocol import FixedStrategy, MyopicStrategy

    if isinstance(strategy, FixedStrategy):
        return {"kind": "fixed", "action": strategy.action}
    if isinstance(strategy, MyopicStrategy):
        return {"kind": "myopic", "priority": list(strategy.priority or range(size))}
    regions = [
        {
            "rows": [_texts(row) for row in d.rows],
            "rhs": _texts(d.rhs),
            "strict": list(d.strict),
            "action": action,
        }
        for d, action in strategy.regions
    ]
    return {"kind": "regions", "regions": regions, "default": strategy.default}


def mechanism_encoding(mechanism: Any) -> dict[str, Any]:
    """``selection`` (the full table, in the order of the menus' product) and ``strategies``."""
    protocol = mechanism.protocol
    table = [
        {"profile": list(profile), "allocation": [_texts(b) for b in alloc]}
        for profile, alloc in protocol.table
    ]
    strategies = [strategy_encoding(s, len(protocol.menus[j])) for j, s in enumerate(mechanism.strategies)]
    return {"selection": {"table": table}, "strategies": strategies}
