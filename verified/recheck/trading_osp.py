"""Mechanism-level OSP certificates (property ``osp``, Valenzuela-Stookey, section 1.1),
re-verified from the subject with the standard library only.

The subject carries the economy, the menus, the selection table (``selection.table``) and one
strategy per agent (``strategies``). The table is checked first: every profile of the menus'
product exactly once, each bundle in the chosen set, the market cleared.

* holds (``mechanism_osp_refutations``): per agent, every stated domain row holds on C_j; the
  convex pieces of {c : s_j(c) = k} are re-derived from the strategy (fixed; regions: region r
  with one negated row of each earlier region, or the default with one negated row of every
  region; myopic: one piece per bundle x of T~_j^k, rows (x - y) . c < 0 for y in T~_j^q with q
  before k in the priority, <= 0 after, in table order); for every choice k, piece,
  deviation k' != k and bundles x in T~_j^k, x' in T~_j^k' some entry's Motzkin multipliers
  (over domain rows, piece rows, then -(x - x') . c < 0) are >= 0, cancel, and give a
  negative (or zero with a strict row) right-hand side.
* fails (``mechanism_osp_counterexample``): the type lies in C_j, the strategy (recomputed)
  chooses ``chosen`` there, both profiles are table rows with the stated own choices and
  bundles, and c . worse_bundle > c . better_bundle.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

from verified.recheck.core import dot as _dot
from verified.recheck.core import ensure, fail, field, rational
from verified.recheck.core import rational_vector as _vec

ZERO = Fraction(0)
Row = tuple[list[Fraction], Fraction, bool]


class Mechanism:
    """The table (validated) and the strategies of a subject."""

    def __init__(self, agents: list, encoding: dict, n: int) -> None:
        from verified.recheck.trading import in_set

        self.agents = agents
        rows = field(field(encoding, "selection", "subject"), "table", "selection")
        self.order: list[tuple[int, ...]] = []
        self.table: dict[tuple[int, ...], list[list[Fraction]]] = {}
        supplies = [sum((a.eta[i] for a in agents), ZERO) for i in range(n)]
        for row in rows:
            profile = tuple(field(row, "profile", "table row"))
            ensure(profile not in self.table, f"profile {list(profile)} appears twice")
            alloc = [_vec(b, "allocation") for b in field(row, "allocation", "table row")]
            ensure(len(profile) == len(agents) == len(alloc), f"profile {list(profile)}: one entry per agent")
            for a, k, x in zip(agents, profile, alloc, strict=True):
                ensure(isinstance(k, int) and 0 <= k < len(a.menu), f"profile {list(profile)}: bad index")
                ensure(
                    len(x) == n and in_set(a.menu[k], x), f"profile {list(profile)}: {a.name!r} not in set"
                )
            total = [sum((x[i] for x in alloc), ZERO) for i in range(n)]
            ensure(total == supplies, f"profile {list(profile)}: the market does not clear")
            self.table[profile] = alloc
            self.order.append(profile)
        product = set(itertools.product(*(range(len(a.menu)) for a in agents)))
        ensure(set(self.table) == product, "the table does not cover the menus' product exactly")
        self.strategies = field(encoding, "strategies", "subject")
        ensure(isinstance(self.strategies, list) and len(self.strategies) == len(agents), "one strategy each")
        for a, strategy in zip(agents, self.strategies, strict=True):
            size, actions = len(a.menu), _actions(strategy)
            ok = all(isinstance(k, int) and not isinstance(k, bool) and 0 <= k < size for k in actions)
            ensure(ok, f"agent {a.name!r}: a strategy action is not a menu index")
            if strategy.get("kind") == "myopic":
                ensure(
                    sorted(actions) == list(range(size)),
                    f"agent {a.name!r}: the priority must order 0..{size - 1}",
                )

    def outcomes(self, j: int, k: int) -> list[list[Fraction]]:
        """Distinct bundles P_j(k, .) in order of first appearance in the table."""
        out: list[list[Fraction]] = []
        for profile in self.order:
            x = self.table[profile][j]
            if profile[j] == k and x not in out:
                out.append(x)
        return out

    def bundle(self, profile: object, j: int, k: int) -> list[Fraction]:
        ensure(isinstance(profile, list), "a profile is a list")
        key = tuple(profile)  # type: ignore[arg-type]
        ensure(key in self.table and key[j] == k, f"profile {profile} is not a row with own choice {k}")
        return self.table[key][j]

    def action(self, j: int, c: list[Fraction]) -> int:
        s = self.strategies[j]
        kind = s.get("kind")
        if kind == "fixed":
            return s["action"]
        if kind == "regions":
            for region in s["regions"]:
                if all(_holds(row, c) for row in _region_rows(region)):
                    return region["action"]
            return s["default"]
        ensure(kind == "myopic", f"unknown strategy kind {kind!r}")
        size = len(self.agents[j].menu)
        ensure(sorted(s["priority"]) == list(range(size)), "the priority must order every menu index")
        minima = [min(_dot(c, x) for x in self.outcomes(j, k)) for k in range(size)]
        return next(k for k in s["priority"] if minima[k] == min(minima))

    def pieces(self, j: int, k: int) -> list[tuple[object, list[Row]]]:
        """(identity, rows) of the convex pieces of {c : s_j(c) = k}."""
        s = self.strategies[j]
        kind = s.get("kind")
        if kind == "fixed":
            return [("fixed", [])] if s["action"] == k else []
        if kind == "regions":
            regions = [_region_rows(r) for r in s["regions"]]
            out: list[tuple[object, list[Row]]] = []
            for r, region in enumerate(s["regions"]):
                if region["action"] == k:
                    for negs in itertools.product(*(range(len(regions[q])) for q in range(r))):
                        rows = regions[r] + [_negate(regions[q][i]) for q, i in enumerate(negs)]
                        out.append(({"type": "region", "region": r, "negated": list(negs)}, rows))
            if s["default"] == k:
                for negs in itertools.product(*(range(len(rows)) for rows in regions)):
                    rows = [_negate(regions[q][i]) for q, i in enumerate(negs)]
                    out.append(({"type": "default", "negated": list(negs)}, rows))
            return out
        ensure(kind == "myopic", f"unknown strategy kind {kind!r}")
        order = s["priority"]
        position = order.index(k)
        out = []
        for x in self.outcomes(j, k):
            rows = [
                ([a - b for a, b in zip(x, y, strict=True)], ZERO, pos < position)
                for pos, q in enumerate(order)
                if q != k
                for y in self.outcomes(j, q)
            ]
            out.append((("myopic", tuple(x)), rows))
        return out


def _actions(strategy: dict) -> list[object]:
    """Every menu index a strategy can name."""
    kind = strategy.get("kind")
    if kind == "fixed":
        return [strategy["action"]]
    if kind == "myopic":
        return list(strategy["priority"])
    ensure(kind == "regions", f"unknown strategy kind {kind!r}")
    return [r["action"] for r in strategy["regions"]] + [strategy["default"]]


def _region_rows(region: dict) -> list[Row]:
    coeffs = [_vec(r, "region row") for r in field(region, "rows", "region")]
    rhs = _vec(field(region, "rhs", "region"), "rhs")
    strict = field(region, "strict", "region")
    ensure(len(coeffs) == len(rhs) == len(strict), "a region needs rows, rhs and strict of equal length")
    return [(a, b, s is True) for a, b, s in zip(coeffs, rhs, strict, strict=True)]


def _negate(row: Row) -> Row:
    return ([-a for a in row[0]], -row[1], not row[2])


def _holds(row: Row, c: list[Fraction]) -> bool:
    value = _dot(row[0], c)
    return value < row[1] if row[2] else value <= row[1]


def _motzkin(system: list[Row], multipliers: object, where: str) -> None:
    y = [rational(v, "multiplier") for v in multipliers]  # type: ignore[union-attr]
    ensure(len(y) == len(system) and all(v >= 0 for v in y), f"{where}: bad multipliers")
    dim = len(system[0][0])
    combo = [sum((v * row[0][i] for v, row in zip(y, system, strict=True)), ZERO) for i in range(dim)]
    ensure(all(x == 0 for x in combo), f"{where}: the multipliers do not cancel")
    b = sum((v * row[1] for v, row in zip(y, system, strict=True)), ZERO)
    strict_used = any(v > 0 and row[2] for v, row in zip(y, system, strict=True))
    ensure(b < 0 or (b == 0 and strict_used), f"{where}: the multipliers prove nothing")


def _key(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def check_refutations(mech: Mechanism, j: int, item: dict) -> None:
    from verified.recheck.trading import _valid_row

    agent = mech.agents[j]
    base: list[Row] = []
    for r in field(item, "domain_rows", "evidence"):
        row = (_vec(r["coeffs"], "row"), rational(r["rhs"], "rhs"), r["strict"] is True)
        ensure(_valid_row(agent, *row), f"agent {agent.name!r}: domain row {r} does not hold on C_j")
        base.append(row)
    proved: set[str] = set()
    for e in field(item, "refuted", "evidence"):
        k, k2 = field(e, "choice", "entry"), field(e, "deviation", "entry")
        piece = field(e, "piece", "entry")
        ident: object = piece
        if piece.get("type") == "myopic":
            ident = ("myopic", tuple(mech.bundle(piece["minimizer_profile"], j, k)))
        elif piece.get("type") == "fixed":
            ident = "fixed"
        x = mech.bundle(field(e, "worse_profile", "entry"), j, k)
        x2 = mech.bundle(field(e, "better_profile", "entry"), j, k2)
        rows = {_key(i): r for i, r in mech.pieces(j, k)}
        ensure(_key(ident) in rows, f"agent {agent.name!r}, choice {k}: unknown piece {piece}")
        atom = ([b - a for a, b in zip(x, x2, strict=True)], ZERO, True)
        _motzkin(base + rows[_key(ident)] + [atom], e["multipliers"], f"agent {agent.name!r}, choice {k}")
        proved.add(_key([k, ident, k2, x, x2]))
    size = len(agent.menu)
    for k in range(size):
        for ident, _ in mech.pieces(j, k):
            for k2 in range(size):
                for x in mech.outcomes(j, k) if k2 != k else []:
                    for x2 in mech.outcomes(j, k2):
                        ensure(
                            _key([k, ident, k2, x, x2]) in proved,
                            f"agent {agent.name!r}: choice {k}, piece {ident}, deviation {k2}, "
                            f"bundles {x} / {x2} are not refuted",
                        )


def check_counterexample(mech: Mechanism, ev: dict) -> None:
    ensure(ev.get("kind") == "mechanism_osp_counterexample", "a 'fails' verdict needs a counterexample")
    names = [a.name for a in mech.agents]
    ensure(field(ev, "agent", "evidence") in names, "unknown agent")
    j = names.index(ev["agent"])
    c = _vec(field(ev, "cost", "evidence"), "cost")
    ensure(mech.agents[j].contains_cost(c), "the type is outside the agent's cost domain")
    k, k2 = field(ev, "chosen", "evidence"), field(ev, "deviation", "evidence")
    ensure(mech.action(j, c) == k, "the strategy does not choose 'chosen' at this type")
    ensure(k2 != k and isinstance(k2, int) and 0 <= k2 < len(mech.agents[j].menu), "bad deviation")
    worse = mech.bundle(field(ev, "worst_profile", "evidence"), j, k)
    better = mech.bundle(field(ev, "best_profile", "evidence"), j, k2)
    ensure(_vec(field(ev, "worse_bundle", "evidence"), "worse_bundle") == worse, "worse_bundle differs")
    ensure(_vec(field(ev, "better_bundle", "evidence"), "better_bundle") == better, "better_bundle differs")
    ensure(_dot(c, worse) > _dot(c, better), "the deviation's best case is not better")


def recheck_osp(agents: list, verdict: str, evidence: dict, encoding: dict, n: int) -> None:
    mech = Mechanism(agents, encoding, n)
    if verdict == "fails":
        check_counterexample(mech, evidence)
        return
    ensure(verdict == "holds", f"no independent checker for osp with verdict {verdict!r}")
    if evidence.get("kind") != "mechanism_osp_refutations":
        fail("osp 'holds' needs Motzkin refutations (the z3 path's digests cannot be re-checked)")
    items = field(evidence, "agents", "evidence")
    ensure([item.get("agent") for item in items] == [a.name for a in agents], "one item per agent, in order")
    for j, item in enumerate(items):
        check_refutations(mech, j, item)
