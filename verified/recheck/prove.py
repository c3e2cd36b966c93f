"""Re-checking a statement about all mechanisms (`verified.prove`), with the standard library.

The subject (``family: "statement"``) is the problem, the profiles, the unknowns (their
properties, and the rows of a fixed mechanism where one is given) and the relations. This
module re-derives every row and clause it reads from its *reason* by its own code (it shares
none with `verified.prove.rows`), and refuses a reason the statement does not impose.

* A case-split proof (evidence ``case_split``) shows that no choice of the unknowns exists:
  at a split, the clause must be one the statement imposes and there must be one case per
  atom, in order; at a leaf, the multipliers must combine the statement's rows and the atoms
  chosen on the way into a contradiction (`_contradiction`: ``0 >= positive`` or ``0 > 0``).
  Every solution satisfies some atom of each clause, so it would reach a leaf whose rows it
  satisfies: there is none. At the root split, a case may instead be an earlier case with the
  agents and objects renamed (`verified.recheck.prove_renaming`).
* A witness (evidence ``witness``) gives each unknown's rows at every profile; every row the
  statement imposes holds and every clause has an atom that holds, in exact arithmetic; an
  ``ex-post-efficient`` or ``ex-post-stable`` unknown's rows are, at every profile, a lottery
  over its deterministic assignments (`verified.recheck.prove_lotteries`, which also
  re-derives the rows of those lotteries).
* ``anonymous`` rows tie profile ``q`` to profile ``p`` when q rearranges p's reports: the
  t-th agent reporting a ranking in p maps to the t-th agent reporting it in q. A witness is
  checked against every such row from the first profile of each class of rearranged profiles
  (statement order) and the ``ete`` rows, which together give f(sigma p)[sigma(i)] = f(p)[i]
  for every sigma between two profiles present.
"""

from __future__ import annotations

from fractions import Fraction

from verified.recheck.assignment_subject import problem as problem_encoding
from verified.recheck.assignment_subject import ranking
from verified.recheck.core import ensure, exact_keys, integer, rational, text
from verified.recheck.prove_lotteries import (
    FAMILIES,
    KINDS,
    STABLE,
    Families,
    check_size,
    in_hull,
    stable_ranks,
)
from verified.recheck.prove_renaming import check_renamed_case

PROPERTIES = ("ir", "sp", "ete", "nonwasteful", "sd-efficient", "ex-post-efficient", STABLE, "anonymous")
RELATIONS = (
    "dominates",
    "weakly-dominates",
    "same-size",
    "share-differs",
    "size-at-least",
    "size-larger",
)
IMPLIED = {  # a reason of kind ... may be used by an unknown with any of these properties
    "ir": {"ir", "nonwasteful", "sd-efficient", "ex-post-efficient", STABLE},
    "nonwasteful": {"nonwasteful", "sd-efficient"},
    "ete": {"ete", "anonymous"},
}
OUTSIDE = "outside"
MAX_DEPTH = 10_000
MAX_CYCLE_OBJECTS = 6  # bounded work: the cycles of at most 6 objects


class Statement:
    """The subject, validated."""

    def __init__(self, encoding: dict) -> None:
        enc = exact_keys(encoding, ("family", "problem", "profiles", "unknowns", "relations"), (), "subject")
        self.agents, self.objects, self.capacities = problem_encoding(enc["problem"])
        self.n, self.m = len(self.agents), len(self.objects)
        self.column = {x: k for k, x in enumerate(self.objects)}
        profiles = enc["profiles"]
        ensure(isinstance(profiles, list) and profiles, "subject.profiles: expected a non-empty list")
        self.profiles = []
        for p, prof in enumerate(profiles):
            ensure(
                isinstance(prof, list) and len(prof) == self.n,
                f"subject.profiles[{p}]: one ranking per agent",
            )
            self.profiles.append(
                tuple(ranking(r, self.objects, f"subject.profiles[{p}][{i}]") for i, r in enumerate(prof))
            )
        ensure(len(set(self.profiles)) == len(self.profiles), "subject.profiles: a profile is listed twice")
        self.properties: dict[str, set[str]] = {}
        self.ranks: dict[str, list[list[int]]] = {}
        self.fixed: dict[str, list] = {}
        ensure(isinstance(enc["unknowns"], list) and enc["unknowns"], "subject.unknowns: expected a list")
        for k, u in enumerate(enc["unknowns"]):
            u = exact_keys(u, ("name", "properties", "fixed"), (), f"subject.unknowns[{k}]")
            name = text(u["name"], f"subject.unknowns[{k}].name")
            ensure(name not in self.properties, f"subject.unknowns: {name!r} twice")
            props = u["properties"]
            ensure(isinstance(props, list), f"subject.unknowns[{k}].properties")
            kinds = set()
            for p in props:
                ensure(isinstance(p, str), f"subject.unknowns[{k}].properties")
                if p.startswith(STABLE + "["):
                    ensure(name not in self.ranks, f"subject.unknowns[{k}]: ex-post-stable twice")
                    self.ranks[name] = stable_ranks(p, self.n, self.m)
                    p = STABLE
                else:
                    ensure(p in PROPERTIES and p != STABLE, f"subject.unknowns[{k}].properties: {p!r}")
                kinds.add(p)
            self.properties[name] = kinds
            if kinds & set(FAMILIES):
                check_size(self.profiles)
            if u["fixed"] is not None:
                self.fixed[name] = self._tables(u["fixed"], f"subject.unknowns[{k}].fixed")
        if any("sd-efficient" in props for props in self.properties.values()):
            ensure(self.m <= MAX_CYCLE_OBJECTS, f"sd-efficient: at most {MAX_CYCLE_OBJECTS} objects (cycles)")
        self.relations = set()
        self.families = Families(self.profiles, self.objects, self.capacities, self.ranks)
        ensure(isinstance(enc["relations"], list), "subject.relations: expected a list")
        for k, r in enumerate(enc["relations"]):
            r = exact_keys(r, ("kind", "left", "right"), (), f"subject.relations[{k}]")
            ensure(r["kind"] in RELATIONS, f"subject.relations[{k}].kind: unknown {r['kind']!r}")
            ensure(
                r["left"] in self.properties and r["right"] in self.properties and r["left"] != r["right"],
                f"subject.relations[{k}]: two different unknowns",
            )
            self.relations.add((r["kind"], r["left"], r["right"]))

    def _tables(self, value: object, where: str) -> list:
        """Per profile, per agent, the m + 1 exact entries."""
        ensure(
            isinstance(value, list) and len(value) == len(self.profiles), f"{where}: one table per profile"
        )
        out = []
        for p, rows in enumerate(value):
            ensure(isinstance(rows, list) and len(rows) == self.n, f"{where}[{p}]: one row per agent")
            out.append([self._row(r, f"{where}[{p}][{i}]") for i, r in enumerate(rows)])
        return out

    def _row(self, value: object, where: str) -> list[Fraction]:
        ensure(isinstance(value, list) and len(value) == self.m + 1, f"{where}: {self.m + 1} entries")
        return [rational(v, f"{where}[{k}]") for k, v in enumerate(value)]

    # ----- shares --------------------------------------------------------------------------
    def prefix(self, p: int, i: int, s: int) -> list[int]:
        pref = self.profiles[p][i]
        ensure(1 <= s <= len(pref) + 1, f"prefix length {s} out of range")
        cols = [self.column[x] for x in pref[: min(s, len(pref))]]
        return cols + [self.m] if s == len(pref) + 1 else cols

    def _p(self, value: object) -> int:
        return integer(value, "reason: profile", 0, len(self.profiles) - 1)

    def _i(self, value: object) -> int:
        return integer(value, "reason: agent", 0, self.n - 1)

    def _k(self, value: object, outside: bool = True) -> int:
        return integer(value, "reason: column", 0, self.m if outside else self.m - 1)

    def _u(self, value: object, prop: str | None = None) -> str:
        ensure(value in self.properties, f"reason: {value!r} is not an unknown")
        if prop is not None:
            ensure(
                bool(self.properties[value] & IMPLIED.get(prop, {prop})),
                f"reason: {value!r} does not have property {prop!r}",
            )
        return value  # type: ignore[return-value]

    def _rel(self, kinds: tuple[str, ...], g: object, f: object) -> None:
        ensure(
            any((k, g, f) in self.relations for k in kinds),
            f"reason: no relation {kinds} between {g!r} and {f!r}",
        )

    # ----- rows: (coefficients {(u, p, i, k): c}, sense, rhs) from a reason ---------------------
    def row(self, reason: object) -> tuple[dict, str, Fraction]:
        ensure(isinstance(reason, list) and reason and isinstance(reason[0], str), "reason: expected a list")
        kind, a = reason[0], reason[1:]
        one = Fraction(1)

        def arity(count: int) -> None:
            ensure(len(a) == count, f"reason {kind!r}: {count} arguments expected")

        if kind == "nonneg":
            arity(4)
            u, p, i, k = self._u(a[0]), self._p(a[1]), self._i(a[2]), self._k(a[3])
            return {(u, p, i, k): one}, ">=", Fraction(0)
        if kind == "sum":
            arity(3)
            u, p, i = self._u(a[0]), self._p(a[1]), self._i(a[2])
            return {(u, p, i, k): one for k in range(self.m + 1)}, "==", one
        if kind == "capacity":
            arity(3)
            u, p, k = self._u(a[0]), self._p(a[1]), self._k(a[2], False)
            return {(u, p, i, k): -one for i in range(self.n)}, ">=", Fraction(-self.capacities[k])
        if kind == "ir":
            arity(4)
            u, p, i, k = self._u(a[0], "ir"), self._p(a[1]), self._i(a[2]), self._k(a[3], False)
            ensure(self.objects[k] not in self.profiles[p][i], "reason ir: the object is acceptable")
            return {(u, p, i, k): one}, "==", Fraction(0)
        if kind == "fixed":
            arity(4)
            u, p, i, k = self._u(a[0]), self._p(a[1]), self._i(a[2]), self._k(a[3])
            ensure(u in self.fixed, f"reason fixed: {u!r} is not fixed")
            return {(u, p, i, k): one}, "==", self.fixed[u][p][i][k]
        if kind == "sp":
            arity(5)
            u, p, q, i = self._u(a[0], "sp"), self._p(a[1]), self._p(a[2]), self._i(a[3])
            s = integer(a[4], "reason: prefix")
            same_others = all(self.profiles[p][j] == self.profiles[q][j] for j in range(self.n) if j != i)
            ensure(
                p != q and same_others, "reason sp: the two profiles must differ in that agent's ranking only"
            )
            return self._difference(u, p, u, q, i, self.prefix(p, i, s)), ">=", Fraction(0)
        if kind == "ete":
            arity(5)
            u, p, i, j, k = self._u(a[0], "ete"), self._p(a[1]), self._i(a[2]), self._i(a[3]), self._k(a[4])
            ensure(
                i != j and self.profiles[p][i] == self.profiles[p][j],
                "reason ete: the agents rank differently",
            )
            return {(u, p, i, k): one, (u, p, j, k): -one}, "==", Fraction(0)
        if kind in ("weak", "strict"):
            arity(5)
            g, f, p, i = self._u(a[0]), self._u(a[1]), self._p(a[2]), self._i(a[3])
            self._rel(("dominates", "weakly-dominates") if kind == "weak" else ("dominates",), g, f)
            s = integer(a[4], "reason: prefix")
            return (
                self._difference(g, p, f, p, i, self.prefix(p, i, s)),
                ">=" if kind == "weak" else ">",
                Fraction(0),
            )
        if kind in ("same-size", "size-at-least", "size-more"):
            arity(3)
            g, f, p = self._u(a[0]), self._u(a[1]), self._p(a[2])
            needs = {
                "same-size": ("same-size",),
                "size-at-least": ("size-at-least", "size-larger"),
                "size-more": ("size-larger",),
            }
            self._rel(needs[kind], g, f)
            coeffs: dict = {}
            for i in range(self.n):
                _merge(coeffs, self._difference(g, p, f, p, i, list(range(self.m))))
            return coeffs, {"same-size": "==", "size-at-least": ">=", "size-more": ">"}[kind], Fraction(0)
        if kind == "anonymous":
            arity(5)
            u, p, q = self._u(a[0], "anonymous"), self._p(a[1]), self._p(a[2])
            i, k = self._i(a[3]), self._k(a[4])
            ensure(p != q, "reason anonymous: two different profiles")
            sigma = self.rearrangement(p, q)
            return {(u, q, sigma[i], k): one, (u, p, i, k): -one}, "==", Fraction(0)
        if kind in KINDS:
            ensure(len(a) >= 3, f"reason {kind!r}: too few arguments")
            family = a[2]
            ensure(family in FAMILIES.values(), f"reason {kind!r}: unknown family {family!r}")
            need = next(prop for prop, fam in FAMILIES.items() if fam == family)
            u, p = self._u(a[0], need), self._p(a[1])
            return self.families.row(kind, u, p, family, list(a[3:]))
        if kind in ("more", "less"):
            arity(4)
            g, f, p, i = self._u(a[0]), self._u(a[1]), self._p(a[2]), self._i(a[3])
            self._rel(("share-differs",), g, f)
            first, second = (g, f) if kind == "more" else (f, g)
            return self._difference(first, p, second, p, i, list(range(self.m))), ">", Fraction(0)
        if kind in ("unused", "zero"):
            arity(4)
            need = "nonwasteful" if kind == "unused" else "sd-efficient"
            u, p, j, y = self._u(a[0], need), self._p(a[1]), self._i(a[2]), self._k(a[3])
            return {(u, p, j, y): -one}, ">=", Fraction(0)
        if kind == "full":
            arity(3)
            u, p, z = self._u(a[0], "nonwasteful"), self._p(a[1]), self._k(a[2], False)
            return {(u, p, i, z): one for i in range(self.n)}, ">=", Fraction(self.capacities[z])
        ensure(False, f"reason: unknown kind {kind!r}")
        raise AssertionError  # pragma: no cover

    def _difference(self, u: str, p: int, v: str, q: int, i: int, cols: list[int]) -> dict:
        coeffs: dict = {}
        _merge(coeffs, {(u, p, i, k): Fraction(1) for k in cols})
        _merge(coeffs, {(v, q, i, k): Fraction(-1) for k in cols})
        return coeffs

    def rearrangement(self, p: int, q: int) -> list[int]:
        """sigma: agent i of p to agent sigma(i) of q, who reports the same ranking (the t-th
        agent with a ranking in p to the t-th agent with it in q); q must rearrange p."""
        first, second = self.profiles[p], self.profiles[q]
        ensure(sorted(first) == sorted(second), "reason anonymous: the profiles are not rearrangements")
        sigma = []
        for i, mine in enumerate(first):
            t = sum(1 for j in range(i) if first[j] == mine)
            sigma.append([j for j in range(self.n) if second[j] == mine][t])
        return sigma

    def is_row(self, reason: list) -> bool:
        """Is ``reason`` a row the statement imposes (not an atom of a clause)?"""
        rows = ("nonneg", "sum", "capacity", "ir", "fixed", "sp", "ete", "weak", "same-size", "size-at-least")
        return reason[0] in rows or reason[0] in KINDS or reason[0] == "anonymous"

    # ----- clauses ---------------------------------------------------------------------------
    def clause(self, reason: object) -> list[list]:
        """The atoms' reasons of a clause the statement imposes, in order."""
        ensure(isinstance(reason, list) and reason, "split: expected a clause reason")
        kind, a = reason[0], reason[1:]
        if kind == "waste":
            ensure(len(a) == 5, "split waste: 5 arguments")
            u, p, j = self._u(a[0], "nonwasteful"), self._p(a[1]), self._i(a[2])
            y, z = self._k(a[3]), self._k(a[4], False)
            pref = [self.column[x] for x in self.profiles[p][j]]
            ensure(
                z in pref and (y == self.m or (y in pref and pref.index(y) > pref.index(z))),
                "split waste: the agent does not rank z above y",
            )
            return [[["unused", u, p, j, y]], [["full", u, p, z]]]
        if kind == "dominates":
            ensure(len(a) == 2, "split dominates: 2 arguments")
            g, f = self._u(a[0]), self._u(a[1])
            self._rel(("dominates",), g, f)
            return [
                [["strict", g, f, p, i, s]]
                for p in range(len(self.profiles))
                for i in range(self.n)
                for s in range(1, len(self.profiles[p][i]) + 2)
            ]
        if kind == "share-differs":
            ensure(len(a) == 2, "split share-differs: 2 arguments")
            g, f = self._u(a[0]), self._u(a[1])
            self._rel(("share-differs",), g, f)
            return [
                [[sign, g, f, p, i]]
                for p in range(len(self.profiles))
                for i in range(self.n)
                for sign in ("more", "less")
            ]
        if kind == "size-larger":
            ensure(len(a) == 2, "split size-larger: 2 arguments")
            g, f = self._u(a[0]), self._u(a[1])
            self._rel(("size-larger",), g, f)
            return [[["size-more", g, f, p]] for p in range(len(self.profiles))]
        if kind == "cycle":
            ensure(len(a) == 3, "split cycle: 3 arguments")
            u, p = self._u(a[0], "sd-efficient"), self._p(a[1])
            cycle = a[2]
            ensure(isinstance(cycle, list) and 2 <= len(cycle) <= self.m, "split cycle: a list of objects")
            cycle = [self._k(x, False) for x in cycle]
            ensure(
                len(set(cycle)) == len(cycle) and cycle[0] == min(cycle), "split cycle: not a canonical cycle"
            )
            atoms = []
            for t, x in enumerate(cycle):
                y = cycle[(t + 1) % len(cycle)]
                agents = self.edge_agents(p, x, y)
                ensure(bool(agents), "split cycle: an edge no agent can realise (the clause is void)")
                atoms.append([["zero", u, p, i, y] for i in agents])
            return atoms
        ensure(False, f"split: unknown clause kind {kind!r}")
        raise AssertionError  # pragma: no cover

    def edge_agents(self, p: int, x: int, y: int) -> list[int]:
        """Agents who list y and rank x above it at profile p."""
        out = []
        for i, pref in enumerate(self.profiles[p]):
            cols = [self.column[o] for o in pref]
            if x in cols and y in cols and cols.index(x) < cols.index(y):
                out.append(i)
        return out

    def cycles(self, p: int) -> list[list[int]]:
        """Canonical simple cycles of objects whose every edge some agent can realise at p."""
        from itertools import permutations

        out = []
        for k in range(2, self.m + 1):
            for cycle in permutations(range(self.m), k):
                if cycle[0] == min(cycle) and all(
                    self.edge_agents(p, cycle[t], cycle[(t + 1) % k]) for t in range(k)
                ):
                    out.append(list(cycle))
        return out

    # ----- what the statement imposes (for a witness) ---------------------------------------------
    def all_rows(self) -> list[list]:
        """Every row the statement imposes except the lotteries' (a witness has no weights:
        `_witness` checks them with `in_hull`)."""
        out: list[list] = []
        for u, props in self.properties.items():
            for p, prof in enumerate(self.profiles):
                for i in range(self.n):
                    out.append(["sum", u, p, i])
                    out += [["nonneg", u, p, i, k] for k in range(self.m + 1)]
                    if u in self.fixed:
                        out += [["fixed", u, p, i, k] for k in range(self.m + 1)]
                    if props & IMPLIED["ir"]:
                        out += [["ir", u, p, i, k] for k, x in enumerate(self.objects) if x not in prof[i]]
                    if props & IMPLIED["ete"]:
                        out += [
                            ["ete", u, p, i, j, k]
                            for j in range(i + 1, self.n)
                            if prof[i] == prof[j]
                            for k in range(self.m + 1)
                        ]
                out += [["capacity", u, p, k] for k in range(self.m)]
                if "sp" in props:
                    for q, other in enumerate(self.profiles):
                        differ = [i for i in range(self.n) if prof[i] != other[i]]
                        if len(differ) == 1:
                            i = differ[0]
                            out += [["sp", u, p, q, i, s] for s in range(1, len(prof[i]) + 2)]
            if "anonymous" in props:
                first: dict = {}
                for q, prof in enumerate(self.profiles):
                    p = first.setdefault(tuple(sorted(prof)), q)
                    if p != q:
                        out += [
                            ["anonymous", u, p, q, i, k] for i in range(self.n) for k in range(self.m + 1)
                        ]
        for kind, g, f in self.relations:
            for p, prof in enumerate(self.profiles):
                if kind in ("dominates", "weakly-dominates"):
                    out += [
                        ["weak", g, f, p, i, s] for i in range(self.n) for s in range(1, len(prof[i]) + 2)
                    ]
                elif kind == "same-size":
                    out.append(["same-size", g, f, p])
                elif kind in ("size-at-least", "size-larger"):
                    out.append(["size-at-least", g, f, p])
        return out

    def all_clauses(self) -> list[list]:
        out: list[list] = []
        for u, props in self.properties.items():
            if props & {"nonwasteful", "sd-efficient"}:
                for p, prof in enumerate(self.profiles):
                    for j in range(self.n):
                        pref = [self.column[x] for x in prof[j]]
                        for a, z in enumerate(pref):
                            out += [["waste", u, p, j, y, z] for y in [*pref[a + 1 :], self.m]]
                    if "sd-efficient" in props:
                        out += [["cycle", u, p, cycle] for cycle in self.cycles(p)]
        global_kinds = ("dominates", "share-differs", "size-larger")
        out += [[kind, g, f] for kind, g, f in self.relations if kind in global_kinds]
        return out


def _merge(into: dict, more: dict) -> None:
    for key, c in more.items():
        into[key] = into.get(key, Fraction(0)) + c
        if into[key] == 0:
            del into[key]


def _contradiction(statement: Statement, leaf: object, chosen: list[list]) -> None:
    ensure(isinstance(leaf, list) and leaf, "leaf: expected a list of [reason, multiplier]")
    total: dict = {}
    rhs = Fraction(0)
    strict = Fraction(0)
    for k, entry in enumerate(leaf):
        ensure(isinstance(entry, list) and len(entry) == 2, f"leaf[{k}]: expected [reason, multiplier]")
        reason, w = entry[0], rational(entry[1], f"leaf[{k}].multiplier")
        ensure(isinstance(reason, list) and reason, f"leaf[{k}]: expected a reason")
        ensure(
            statement.is_row(reason) or reason in chosen,
            f"leaf[{k}]: {reason} is neither a row nor an atom chosen above",
        )
        coeffs, sense, b = statement.row(reason)
        ensure(sense == "==" or w >= 0, f"leaf[{k}]: negative multiplier on an inequality")
        for key, c in coeffs.items():
            total[key] = total.get(key, Fraction(0)) + w * c
        rhs += w * b
        if sense == ">":
            strict += w
    ensure(not any(total.values()), "leaf: the weighted rows do not cancel")
    ensure(rhs > 0 or (rhs == 0 and strict > 0), "leaf: the weighted rows give no contradiction")


def _tree(statement: Statement, node: object, chosen: list[list], depth: int, counts: list[int]) -> None:
    ensure(depth < MAX_DEPTH, "proof: nested too deeply")
    ensure(isinstance(node, dict), "proof: expected a node")
    if "leaf" in node:
        exact_keys(node, ("leaf",), (), "proof leaf")
        counts[0] += 1
        _contradiction(statement, node["leaf"], chosen)
        return
    node = exact_keys(node, ("split", "cases"), (), "proof split")
    atoms = statement.clause(node["split"])
    cases = node["cases"]
    ensure(
        isinstance(cases, list) and len(cases) == len(atoms), "proof split: one case per atom of the clause"
    )
    counts[1] += 1
    for k, (atom, case) in enumerate(zip(atoms, cases, strict=True)):
        if not chosen and isinstance(case, dict) and "same_as" in case:  # at the root only
            check_renamed_case(statement, atoms, k, case)
            continue
        _tree(statement, case, [*chosen, *atom], depth + 1, counts)


def _witness(statement: Statement, evidence: dict) -> None:
    tables = evidence["tables"]
    ensure(
        isinstance(tables, dict) and set(tables) == set(statement.properties),
        "evidence.tables: one per unknown",
    )
    values = {}
    for u, t in tables.items():
        rows = statement._tables(t, f"evidence.tables[{u!r}]")
        for p, table in enumerate(rows):
            for i, row in enumerate(table):
                for k, v in enumerate(row):
                    values[(u, p, i, k)] = v

    def holds(reason: list) -> bool:
        coeffs, sense, b = statement.row(reason)
        value = sum((c * values[key] for key, c in coeffs.items()), Fraction(0))
        return value >= b if sense == ">=" else (value > b if sense == ">" else value == b)

    for reason in statement.all_rows():
        ensure(holds(reason), f"witness: row {reason} does not hold")
    for clause in statement.all_clauses():
        atoms = statement.clause(clause)
        ensure(any(all(holds(r) for r in atom) for atom in atoms), f"witness: no atom of {clause} holds")
    for u, props in statement.properties.items():
        for prop, family in FAMILIES.items():
            if prop in props:
                for p in range(len(statement.profiles)):
                    shares = [
                        [values[(u, p, i, k)] for k in range(statement.m + 1)] for i in range(statement.n)
                    ]
                    points = sorted(statement.families.members(u, family, p))
                    ensure(
                        in_hull(points, shares, statement.m),
                        f"witness: {u} at profile {p} is not a lottery over {family} assignments",
                    )


def recheck_statement(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    """The claim: ``prop`` (the question, ``exists`` or ``impossible``) has ``verdict``."""
    ensure(
        prop in ("exists", "impossible"), f"certificate.property: expected exists or impossible, got {prop!r}"
    )
    statement = Statement(encoding)
    none_exists = (prop == "impossible") == (verdict == "holds")
    kind = evidence.get("kind")
    if none_exists:
        ensure(kind == "case_split", "a proof that none exists carries evidence case_split")
        evidence = exact_keys(evidence, ("kind", "proof", "leaves", "splits"), (), "evidence")
        counts = [0, 0]
        _tree(statement, evidence["proof"], [], 0, counts)
        ensure(
            [evidence["leaves"], evidence["splits"]] == counts,
            "evidence: the leaf and split counts are wrong",
        )
    else:
        ensure(kind == "witness", "a witness carries evidence witness")
        evidence = exact_keys(evidence, ("kind", "tables"), (), "evidence")
        _witness(statement, evidence)
