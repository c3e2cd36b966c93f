"""Mechanism-level OSP certificates (property ``osp``, Valenzuela-Stookey, section 1.1),
re-verified from the subject with the standard library only.

The subject carries the economy, the menus, the selection table and one strategy per agent,
all re-validated by `verified.recheck.trading_subject` (every profile once, in product
order, bundles in the chosen sets, the market cleared; strategies naming menu indices).

* holds (``mechanism_osp_refutations``): ``statement`` is the fixed text; per agent, in
  order (``agent``, ``domain_rows``, ``refuted``), every domain row holds on C_j; the convex
  pieces of {c : s_j(c) = k} are re-derived from the strategy (fixed: one piece ``{"type":
  "fixed"}``; regions: region r's rows with one negated row of each earlier region,
  ``{"type": "region", "region", "negated"}``, or the default with one negated row of every
  region, ``{"type": "default", "negated"}``; myopic: one piece per bundle x of T~_j^k,
  ``{"type": "myopic", "minimizer_profile"}``, rows (x - y) . c < 0 for y in T~_j^q with q
  before k in the priority, <= 0 after, in table order); for every choice k, piece,
  deviation k' != k and bundles x in T~_j^k, x' in T~_j^k' some entry's Motzkin
  multipliers (over domain rows, piece rows, then -(x - x') . c < 0) are >= 0, cancel, and
  give a negative (or zero with a strict row) right-hand side. Each entry is verified.
* fails (``mechanism_osp_counterexample``): the type lies in C_j, the strategy (recomputed)
  chooses ``chosen`` there, ``deviation`` differs, ``worst_profile`` / ``best_profile`` are
  table rows with own choices ``chosen`` / ``deviation`` and the stated bundles, the stated
  costs are c . x (recomputed), the worst one is the largest over T~_j^chosen and the best
  one the least over T~_j^deviation, and c . worse_bundle > c . better_bundle.
"""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction

from verified.recheck.core import dot, ensure, exact_keys, index
from verified.recheck.trading import Row, domain_rows, motzkin, same, same_number, same_vector
from verified.recheck.trading_subject import Strategy, Subject, Vec, bounded, vec

ZERO = Fraction(0)
STATEMENT = (
    "for every agent j, choice k, convex piece of {c : s_j(c) = k}, deviation k' != k and "
    "bundles x = P_j(k, a), x' = P_j(k', b), the system c in C_j, c in piece, (x - x') . c > 0 "
    "is infeasible: Motzkin multipliers over the domain rows, the piece rows, then -(x - x') . c < 0"
)
PIECE_KEYS = {
    "fixed": ("type",),
    "region": ("type", "region", "negated"),
    "default": ("type", "negated"),
    "myopic": ("type", "minimizer_profile"),
}


class Mechanism:
    """The validated table and strategies of a subject, with the derived pieces."""

    def __init__(self, subject: Subject) -> None:
        self.subject = subject
        self.agents = subject.agents
        self._outcomes: dict[tuple[int, int], list[Vec]] = {}
        self._pieces: dict[tuple[int, int], list[tuple[object, list[Row]]]] = {}

    def outcomes(self, j: int, k: int) -> list[Vec]:
        """Distinct bundles P_j(k, .) in order of first appearance in the table."""
        if (j, k) not in self._outcomes:
            out: list[Vec] = []
            for profile in self.subject.order:
                x = self.subject.table[profile][j]
                if profile[j] == k and x not in out:
                    out.append(x)
            self._outcomes[(j, k)] = out
        return self._outcomes[(j, k)]

    def piece_count(self, j: int, k: int) -> int:
        """How many pieces `pieces` derives (counted before any is built)."""
        s = self.subject.strategies[j]
        if s.kind == "fixed":
            return int(s.action == k)
        if s.kind == "myopic":
            return len(self.outcomes(j, k))
        sizes = [len(r[0]) for r in s.regions]
        count = sum(math.prod(sizes[:r]) for r, region in enumerate(s.regions) if region[3] == k)
        return count + (math.prod(sizes) if s.default == k else 0)

    def bundle(self, profile: object, j: int, k: int, where: str) -> Vec:
        agents = self.agents
        ensure(isinstance(profile, list) and len(profile) == len(agents), f"{where}: one index per agent")
        key = tuple(
            index(v, len(a.menu), f"{where}[{i}]")
            for i, (a, v) in enumerate(zip(agents, profile, strict=True))
        )  # type: ignore[arg-type]
        ensure(key[j] == k, f"{where}: {list(key)} is not a row with own choice {k}")
        return self.subject.table[key][j]

    def action(self, j: int, c: Vec) -> int:
        s = self.subject.strategies[j]
        if s.kind == "fixed":
            return s.action
        if s.kind == "regions":
            for rows, rhs, strict, action in s.regions:
                if all(_holds((list(a), b, t), c) for a, b, t in zip(rows, rhs, strict, strict=True)):
                    return action
            return s.default
        size = len(self.agents[j].menu)
        minima = [min(dot(list(c), list(x)) for x in self.outcomes(j, k)) for k in range(size)]
        return next(k for k in s.priority if minima[k] == min(minima))

    def pieces(self, j: int, k: int) -> list[tuple[object, list[Row]]]:
        """(identity, rows) of the convex pieces of {c : s_j(c) = k} (built once)."""
        if (j, k) not in self._pieces:
            bounded(self.piece_count(j, k), f"the pieces of agent {self.agents[j].name!r}'s choice {k}")
            self._pieces[(j, k)] = self._derive_pieces(j, k)
        return self._pieces[(j, k)]

    def _derive_pieces(self, j: int, k: int) -> list[tuple[object, list[Row]]]:
        s: Strategy = self.subject.strategies[j]
        if s.kind == "fixed":
            return [("fixed", [])] if s.action == k else []
        if s.kind == "regions":
            regions = [_region_rows(r) for r in s.regions]
            out: list[tuple[object, list[Row]]] = []
            for r, region in enumerate(s.regions):
                if region[3] == k:
                    for negs in itertools.product(*(range(len(regions[q])) for q in range(r))):
                        rows = regions[r] + [_negate(regions[q][i]) for q, i in enumerate(negs)]
                        out.append(({"type": "region", "region": r, "negated": list(negs)}, rows))
            if s.default == k:
                for negs in itertools.product(*(range(len(rows)) for rows in regions)):
                    rows = [_negate(regions[q][i]) for q, i in enumerate(negs)]
                    out.append(({"type": "default", "negated": list(negs)}, rows))
            return out
        order = list(s.priority)
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


def _region_rows(region: tuple) -> list[Row]:
    rows, rhs, strict, _ = region
    return [(list(a), b, s) for a, b, s in zip(rows, rhs, strict, strict=True)]


def _negate(row: Row) -> Row:
    return ([-a for a in row[0]], -row[1], not row[2])


def _holds(row: Row, c: Vec) -> bool:
    value = dot(row[0], list(c))
    return value < row[1] if row[2] else value <= row[1]


def _key(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


ENTRY_KEYS = ("choice", "piece", "deviation", "worse_profile", "better_profile", "multipliers")


def check_refutations(mech: Mechanism, j: int, item: object, where: str) -> None:
    agent, n = mech.agents[j], mech.subject.n
    item = exact_keys(item, ("agent", "domain_rows", "refuted"), (), where)
    same(item["agent"], agent.name, f"{where}.agent")
    base = domain_rows(agent, item["domain_rows"], n, f"{where}.domain_rows")
    size = len(agent.menu)
    proved: set[str] = set()
    entries = item["refuted"]
    ensure(isinstance(entries, list), f"{where}.refuted: expected a list")
    needed = sum(
        mech.piece_count(j, k) * len(mech.outcomes(j, k)) * len(mech.outcomes(j, k2))
        for k in range(size)
        for k2 in range(size)
        if k2 != k
    )
    ensure(needed <= len(entries), f"{where}.refuted: {needed} systems to refute, {len(entries)} given")  # type: ignore[arg-type]
    for e, entry in enumerate(entries):  # type: ignore[arg-type]
        at = f"{where}.refuted[{e}]"
        entry = exact_keys(entry, ENTRY_KEYS, (), at)
        k = index(entry["choice"], size, f"{at}.choice")
        k2 = index(entry["deviation"], size, f"{at}.deviation")
        ensure(k2 != k, f"{at}.deviation: must differ from the choice")
        piece = entry["piece"]
        ptype = piece.get("type") if isinstance(piece, dict) else None
        ensure(ptype in PIECE_KEYS, f"{at}.piece: unknown piece {piece!r}")
        piece = exact_keys(piece, PIECE_KEYS[ptype], (), f"{at}.piece")  # type: ignore[index]
        ident: object = {key: piece[key] for key in PIECE_KEYS[ptype]}  # type: ignore[index]
        if ptype == "myopic":
            ident = (
                "myopic",
                tuple(mech.bundle(piece["minimizer_profile"], j, k, f"{at}.piece.minimizer_profile")),
            )
        elif ptype == "fixed":
            ident = "fixed"
        x = mech.bundle(entry["worse_profile"], j, k, f"{at}.worse_profile")
        x2 = mech.bundle(entry["better_profile"], j, k2, f"{at}.better_profile")
        rows = {_key(i): r for i, r in mech.pieces(j, k)}
        ensure(_key(ident) in rows, f"{at}.piece: not a piece of the strategy's choice {k}")
        atom = ([b - a for a, b in zip(x, x2, strict=True)], ZERO, True)
        motzkin(base + rows[_key(ident)] + [atom], entry["multipliers"], n, f"{at}.multipliers")
        proved.add(_key([k, ident, k2, x, x2]))
    for k in range(size):
        for ident, _ in mech.pieces(j, k):
            for k2 in range(size):
                for x in mech.outcomes(j, k) if k2 != k else []:
                    for x2 in mech.outcomes(j, k2):
                        ensure(
                            _key([k, ident, k2, x, x2]) in proved,
                            f"{where}: choice {k}, piece {ident}, deviation {k2}, "
                            f"bundles {x} / {x2} are not refuted",
                        )


COUNTER_KEYS = ("kind", "agent", "cost", "chosen", "deviation", "worst_profile", "worse_bundle", "worse_cost")


def check_counterexample(mech: Mechanism, ev: dict) -> None:
    ev = exact_keys(ev, COUNTER_KEYS + ("best_profile", "better_bundle", "better_cost"), (), "evidence")
    j = mech.subject.agent(ev["agent"], "evidence.agent")
    agent, size = mech.agents[j], len(mech.agents[j].menu)
    c = vec(ev["cost"], mech.subject.n, "evidence.cost")
    ensure(agent.contains_cost(c), "evidence.cost: the type is outside the agent's cost domain")
    k = index(ev["chosen"], size, "evidence.chosen")
    k2 = index(ev["deviation"], size, "evidence.deviation")
    ensure(k2 != k, "evidence.deviation: must differ from the chosen index")
    ensure(mech.action(j, c) == k, "evidence.chosen: the strategy does not choose it at this type")
    worse = mech.bundle(ev["worst_profile"], j, k, "evidence.worst_profile")
    better = mech.bundle(ev["best_profile"], j, k2, "evidence.best_profile")
    same_vector(ev["worse_bundle"], worse, "evidence.worse_bundle")
    same_vector(ev["better_bundle"], better, "evidence.better_bundle")
    high, low = dot(list(c), list(worse)), dot(list(c), list(better))
    same_number(ev["worse_cost"], high, "evidence.worse_cost")
    same_number(ev["better_cost"], low, "evidence.better_cost")
    ensure(high == max(dot(list(c), list(x)) for x in mech.outcomes(j, k)), "evidence: not the worst case")
    ensure(low == min(dot(list(c), list(x)) for x in mech.outcomes(j, k2)), "evidence: not the best case")
    ensure(high > low, "evidence: the deviation's best case is not better")


def recheck_osp(subject: Subject, verdict: str, evidence: dict) -> None:
    mech = Mechanism(subject)
    if verdict == "fails":
        check_counterexample(mech, evidence)
        return
    evidence = exact_keys(evidence, ("kind", "statement", "agents"), (), "evidence")
    same(evidence["statement"], STATEMENT, "evidence.statement")
    items = evidence["agents"]
    ensure(
        isinstance(items, list) and len(items) == len(subject.agents), "evidence.agents: one item per agent"
    )
    for j, item in enumerate(items):  # type: ignore[arg-type]
        check_refutations(mech, j, item, f"evidence.agents[{j}]")
