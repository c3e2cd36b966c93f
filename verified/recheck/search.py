"""Independent re-checker for the search's certificates (standard library only).

Property ``"sp-dominator"`` (Erdil, Propositions 1-4): *some SD-strategy-proof,
individually rational mechanism g dominates the base f* (g_i(R) weakly FOSD-dominates
f_i(R) for every agent at every profile, strictly somewhere), under the options of the
subject. The subject (family ``"search"``) is the whole question::

    {"family": "search", "problem": {"agents", "objects", "capacities"},
     "domain": {"full": true} | {"preferences": [[ranking, ...] per agent]},
     "base": {"mechanism": "random_priority"}
           | {"mechanism": "serial_dictatorship", ["order": [agent indices]]}
           | {"mechanism": "random_deferred_acceptance", "priorities": [per object, tiers of indices]}
           | {"mechanism": "table", "rows": [[cell, row], ...]},
     "mode": "explicit" | "anonymous", "objective": "strict" | "total-gain" | "max-min",
     "neighbourhood": null | [profile, ...], "nonwasteful_at": [profile, ...],
     "relaxed": bool, "equal_treatment": bool, "ex_post_efficient": bool,
     ["ex_post_stable": per object, tiers of agent indices]}

With a neighbourhood, a found g is the base elsewhere: ``evidence.base_checked`` is then
required and the base is re-derived at every profile and checked SD-strategy-proof (and ex post
stable with ``ex_post_stable``) by `verified.recheck.search_base`.

The free cells (where g may differ from f) are derived here from the subject, never
read: explicit mode, every (profile, agent with an acceptable object) of the
neighbourhood and ``nonwasteful_at`` profiles (every profile without a neighbourhood);
anonymous mode, every orbit (own ranking, multiset of the others') with an acceptable
object. A named base is recomputed here from its definition (Erdil, section 3) at every
cell used; a ``table`` base is the subject itself, checked as a mechanism on its cells.

* verdict holds, evidence ``{"kind": "sp_dominator", "g", "strict", "value", "base_value",
  ["dual"], ["lotteries"]}`` -- see `_check_dominator`;
* verdict fails, evidence ``{"kind": "no_sp_dominator", "cases"}`` -- see `_check_none`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from fractions import Fraction
from math import comb, factorial

from verified.recheck.core import (
    RecheckError,
    ensure,
    exact_keys,
    fail,
    index,
    integer,
    rational,
    recheck,
    text,
    text_list,
)
from verified.recheck.search_base import check_base_everywhere, parse_tiers, stable_matchings

PROPERTY = "sp-dominator"
KINDS = {"holds": "sp_dominator", "fails": "no_sp_dominator"}
BASES = ("random_priority", "serial_dictatorship", "random_deferred_acceptance", "table")
OBJECTIVES = ("strict", "total-gain", "max-min")
OUT = "outside"
MAX_AGENTS, MAX_OBJECTS, MAX_CELLS = 8, 6, 300_000
#: Deterministic assignments the checker computes to re-derive a named base (n! per profile for
#: random priority and random deferred acceptance): bounded before the work, so a small
#: certificate cannot ask for hours (the stored n = 4 full-domain one needs 313,344).
MAX_BASE_RUNS = 2_000_000
#: Cases of the non-wastefulness split, (2^m)^(profiles), counted before they are listed.
MAX_CASES = 4096

Cell = tuple  # ("at", profile, agent index) | ("orbit", own ranking, others' rankings)
Row = dict[str, Fraction]


def recheck_search(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    """Raise `RecheckError` unless ``evidence`` proves ``verdict`` for ``prop`` on the subject."""
    ensure(prop == PROPERTY, f"certificate.property: the search certifies {PROPERTY!r} only, not {prop!r}")
    ensure(verdict in KINDS, f"a search certificate is holds or fails, not {verdict!r}")
    ensure(
        evidence.get("kind") == KINDS[verdict],
        f"verdict {verdict} needs evidence kind {KINDS[verdict]!r}, got {evidence.get('kind')!r}",
    )
    subj = Subject(encoding)
    if verdict == "holds":
        _check_dominator(subj, evidence)
    else:
        _check_none(subj, evidence)


def recheck_search_certificate(doc: object) -> str:
    """`verified.recheck.recheck` of a whole certificate document (convenience for tests)."""
    return recheck(doc)


# ---------- base mechanisms, from the definitions (Erdil, section 3) ----------


def _sd(objects: list[str], caps: list[int], profile: tuple, order: list[int]) -> dict[int, str]:
    left = dict(zip(objects, caps, strict=True))
    got = {}
    for i in order:
        got[i] = OUT
        for x in profile[i]:
            if left[x] > 0:
                left[x] -= 1
                got[i] = x
                break
    return got


def _da(objects: list[str], caps: list[int], profile: tuple, rank: dict) -> dict[int, str]:
    """Agent-proposing deferred acceptance with strict priorities ``rank[x][i]`` (lower first)."""
    n = len(profile)
    nxt = [0] * n
    held: dict[str, list[int]] = {x: [] for x in objects}
    free = list(range(n))
    while free:
        i = free.pop()
        if nxt[i] >= len(profile[i]):
            continue
        x = profile[i][nxt[i]]
        nxt[i] += 1
        held[x].append(i)
        held[x].sort(key=lambda j: rank[x][j])
        if len(held[x]) > caps[objects.index(x)]:
            free.append(held[x].pop())
    got = dict.fromkeys(range(n), OUT)
    for x, agents in held.items():
        for i in agents:
            got[i] = x
    return got


def _efficient(objects: list[str], caps: list[int], profile: tuple) -> list[tuple[str, ...]]:
    """Pareto-efficient IR deterministic assignments at ``profile``, by enumeration."""
    feasible = [
        choice
        for choice in itertools.product(*[(*pref, OUT) for pref in profile])
        if all(sum(1 for x in choice if x == obj) <= q for obj, q in zip(objects, caps, strict=True))
    ]

    def ranks(a: tuple) -> tuple:
        return tuple(len(p) if x == OUT else p.index(x) for p, x in zip(profile, a, strict=True))

    all_ranks = [ranks(a) for a in feasible]
    return sorted(
        a
        for a, ra in zip(feasible, all_ranks, strict=True)
        if not any(rb != ra and all(s <= t for s, t in zip(rb, ra, strict=True)) for rb in all_ranks)
    )


def _all_prefs(objects: list[str]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for k in range(len(objects) + 1):
        out.extend(itertools.permutations(objects, k))
    return out


# ---------- the subject ----------


class Subject:
    """The question, re-validated as a model: problem, domain, base, mode, options."""

    def __init__(self, enc: dict) -> None:
        keys = ("family", "problem", "domain", "base", "mode", "objective", "neighbourhood")
        keys += ("nonwasteful_at", "relaxed", "equal_treatment", "ex_post_efficient")
        enc = exact_keys(enc, keys, ("ex_post_stable",), "subject")
        ensure(enc["family"] == "search", "subject.family: expected 'search'")
        self._problem(enc["problem"])
        self._domain(enc["domain"])
        self.mode = enc["mode"]
        ensure(self.mode in ("explicit", "anonymous"), f"subject.mode: unknown mode {self.mode!r}")
        self.objective = enc["objective"]
        ensure(self.objective in OBJECTIVES, f"subject.objective: unknown objective {self.objective!r}")
        for flag in ("relaxed", "equal_treatment", "ex_post_efficient"):
            ensure(isinstance(enc[flag], bool), f"subject.{flag}: expected true or false")
        self.relaxed, self.ett, self.ex_post_efficient = (
            enc["relaxed"],
            enc["equal_treatment"],
            enc["ex_post_efficient"],
        )
        # ex post stability (verified.recheck.search_base): lotteries over stable matchings
        self.stable_tiers = None
        if "ex_post_stable" in enc:
            where = "subject.ex_post_stable"
            self.stable_tiers = parse_tiers(enc["ex_post_stable"], self.n, self.m, where)
        self.ex_post = self.ex_post_efficient or self.stable_tiers is not None
        self._admissible: dict[tuple, list[tuple[str, ...]]] = {}
        nbhd = enc["neighbourhood"]
        self.nbhd = None if nbhd is None else self._profiles(nbhd, "subject.neighbourhood", nonempty=True)
        self.nonwaste = self._profiles(enc["nonwasteful_at"], "subject.nonwasteful_at")
        ensure(not self.relaxed or self.nbhd is not None, "subject.relaxed: needs a neighbourhood")
        ensure(not self.ex_post or self.nbhd is not None, "subject: ex post options need a neighbourhood")
        if self.ex_post:
            ensure((self.m + 1) ** self.n <= 100_000, "subject: too many assignments to enumerate ex post")
        if self.mode == "anonymous":
            ensure(self.symmetric, "subject.mode: anonymous mode needs the same rankings for every agent")
            ensure(
                self.nbhd is None and not self.nonwaste and not self.ex_post,
                "subject.mode: anonymous mode takes no neighbourhood, nonwasteful_at or ex post option",
            )
        self.free = self._free_cells()
        self.free_set = set(self.free)
        self._base(enc["base"])
        ensure(
            self.stable_tiers is None or self.table is None,
            "subject.ex_post_stable: needs a named base the checker can rebuild",
        )

    def admissible(self, profile: tuple) -> list[tuple[str, ...]]:
        """The deterministic matchings g may mix at a changed profile: Pareto-efficient (with
        ``ex_post_efficient``) and stable for ``ex_post_stable`` (when given), enumerated here."""
        found = self._admissible.get(profile)
        if found is None:
            sets = []
            if self.ex_post_efficient:
                sets.append(set(_efficient(self.objects, self.caps, profile)))
            if self.stable_tiers is not None:
                sets.append(set(stable_matchings(self.objects, self.caps, profile, self.stable_tiers)))
            found = self._admissible[profile] = sorted(set.intersection(*sets)) if sets else []
        return found

    # problem and domain

    def _problem(self, prob: object) -> None:
        prob = exact_keys(prob, ("agents", "objects", "capacities"), (), "subject.problem")
        self.agents = text_list(prob["agents"], "subject.problem.agents")
        self.objects = text_list(prob["objects"], "subject.problem.objects")
        self.n, self.m = len(self.agents), len(self.objects)
        ensure(1 <= self.n <= MAX_AGENTS, f"subject.problem.agents: 1 to {MAX_AGENTS} agents")
        ensure(1 <= self.m <= MAX_OBJECTS, f"subject.problem.objects: 1 to {MAX_OBJECTS} objects")
        ensure(all(self.agents), "subject.problem.agents: an empty name")
        ensure(all(self.objects) and OUT not in self.objects, "subject.problem.objects: empty or 'outside'")
        caps = prob["capacities"]
        ensure(isinstance(caps, list) and len(caps) == self.m, "subject.problem.capacities: one per object")
        self.caps = [integer(q, f"subject.problem.capacities[{k}]", 1, 10**6) for k, q in enumerate(caps)]

    def _ranking(self, value: object, where: str) -> tuple[str, ...]:
        names = text_list(value, where)
        ensure(all(x in self.objects for x in names), f"{where}: an unknown object")
        return tuple(names)

    def _domain(self, dom: object) -> None:
        ensure(isinstance(dom, dict) and len(dom) == 1, "subject.domain: {'full': true} or {'preferences'}")
        if "full" in dom:
            ensure(dom["full"] is True, "subject.domain.full: must be true")
            self.prefs = [_all_prefs(self.objects) for _ in range(self.n)]
        else:
            prefs = exact_keys(dom, ("preferences",), (), "subject.domain")["preferences"]
            ensure(
                isinstance(prefs, list) and len(prefs) == self.n, "subject.domain.preferences: one per agent"
            )
            self.prefs = []
            for i, ps in enumerate(prefs):
                where = f"subject.domain.preferences[{i}]"
                ensure(isinstance(ps, list) and ps, f"{where}: a non-empty list of rankings")
                got = [self._ranking(r, f"{where}[{k}]") for k, r in enumerate(ps)]
                ensure(len(set(got)) == len(got), f"{where}: a ranking appears twice")
                self.prefs.append(got)
        self.pref_sets = [set(ps) for ps in self.prefs]
        self.symmetric = all(ps == self.prefs[0] for ps in self.prefs)
        self.order = {r: k for k, r in enumerate(self.prefs[0])}

    def profile(self, value: object, where: str) -> tuple:
        ensure(
            isinstance(value, list) and len(value) == self.n, f"{where}: a profile has one ranking per agent"
        )
        prof = tuple(self._ranking(r, f"{where}[{i}]") for i, r in enumerate(value))
        for i, r in enumerate(prof):
            ensure(r in self.pref_sets[i], f"{where}[{i}]: ranking {list(r)} is not in the agent's domain")
        return prof

    def _profiles(self, values: object, where: str, nonempty: bool = False) -> list[tuple]:
        ensure(isinstance(values, list), f"{where}: expected a list of profiles")
        ensure(bool(values) or not nonempty, f"{where}: empty")
        out = [self.profile(v, f"{where}[{k}]") for k, v in enumerate(values)]
        ensure(len(set(out)) == len(out), f"{where}: a profile appears twice")
        return out

    def _free_cells(self) -> list[Cell]:
        if self.mode == "anonymous":
            k = len(self.prefs[0])
            ensure(k * comb(k + self.n - 2, self.n - 1) <= MAX_CELLS, "subject: too many orbits to check")
            return [
                ("orbit", own, others)
                for others in itertools.combinations_with_replacement(self.prefs[0], self.n - 1)
                for own in self.prefs[0]
                if own
            ]
        if self.nbhd is None:
            size = 1
            for ps in self.prefs:
                size *= len(ps)
            ensure(size * self.n <= MAX_CELLS, f"subject: {size} profiles are too many to check")
            profiles = list(itertools.product(*self.prefs))
        else:
            profiles = list(dict.fromkeys([*self.nbhd, *self.nonwaste]))
        return [("at", p, i) for p in profiles for i in range(self.n) if p[i]]

    # cells and groups

    def cell(self, value: object, where: str) -> Cell:
        ensure(isinstance(value, list) and len(value) == 3, f"{where}: a cell is [kind, ..., ...]")
        if value[0] == "at":
            ensure(self.mode == "explicit", f"{where}: an 'at' cell in anonymous mode")
            prof = self.profile(value[1], f"{where}[1]")
            agent = text(value[2], f"{where}[2]")
            ensure(agent in self.agents, f"{where}[2]: unknown agent {agent!r}")
            return ("at", prof, self.agents.index(agent))
        ensure(value[0] == "orbit" and self.mode == "anonymous", f"{where}: not a cell of this mode")
        own = self._ranking(value[1], f"{where}[1]")
        ensure(isinstance(value[2], list) and len(value[2]) == self.n - 1, f"{where}[2]: n - 1 rankings")
        others = tuple(self._ranking(r, f"{where}[2][{k}]") for k, r in enumerate(value[2]))
        ensure(own in self.order and all(r in self.order for r in others), f"{where}: not in the domain")
        ensure(list(others) == sorted(others, key=self.order.__getitem__), f"{where}[2]: not in domain order")
        return ("orbit", own, others)

    def pref(self, key: Cell) -> tuple[str, ...]:
        return key[1][key[2]] if key[0] == "at" else key[1]

    def agent_prefs(self, key: Cell) -> list[tuple[str, ...]]:
        return self.prefs[key[2]] if key[0] == "at" else self.prefs[0]

    def lie(self, key: Cell, r: tuple[str, ...]) -> Cell:
        if key[0] == "at":
            prof = list(key[1])
            prof[key[2]] = r
            return ("at", tuple(prof), key[2])
        return ("orbit", r, key[2])

    def weight(self, key: Cell) -> int:
        """How many (profile, agent) pairs the cell stands for."""
        if key[0] == "at":
            return 1
        arr = factorial(self.n - 1)
        for o in set(key[2]):
            arr //= factorial(key[2].count(o))
        return self.n * arr

    def agent_weight(self, key: Cell, i: int) -> int:
        """How many of agent i's (profile, agent) pairs the cell stands for."""
        if key[0] == "at":
            return 1 if key[2] == i else 0
        return self.weight(key) // self.n

    def group_of(self, key: Cell) -> tuple:
        if key[0] == "at":
            return ("profile", key[1])
        return ("multiset", tuple(sorted((key[1], *key[2]), key=self.order.__getitem__)))

    def members(self, group: tuple) -> list[tuple[Cell, int]]:
        """The cells of a profile (each agent once) or of a multiset (each ranking with its count)."""
        if group[0] == "profile":
            return [(("at", group[1], i), 1) for i in range(self.n)]
        ms = list(group[1])
        out = []
        for r in dict.fromkeys(ms):
            rest = list(ms)
            rest.remove(r)
            out.append((("orbit", r, tuple(rest)), ms.count(r)))
        return out

    def group(self, value: object, where: str) -> tuple:
        ensure(isinstance(value, list) and len(value) == 2, f"{where}: a group is [kind, rankings]")
        if value[0] == "profile":
            ensure(self.mode == "explicit", f"{where}: a profile group in anonymous mode")
            return ("profile", self.profile(value[1], f"{where}[1]"))
        ensure(value[0] == "multiset" and self.mode == "anonymous", f"{where}: not a group of this mode")
        ensure(isinstance(value[1], list) and len(value[1]) == self.n, f"{where}[1]: n rankings")
        ms = tuple(self._ranking(r, f"{where}[1][{k}]") for k, r in enumerate(value[1]))
        ensure(all(r in self.order for r in ms), f"{where}: not in the domain")
        ensure(list(ms) == sorted(ms, key=self.order.__getitem__), f"{where}[1]: not in domain order")
        return ("multiset", ms)

    def row(self, value: object, key: Cell, where: str) -> Row:
        """A valid, individually rational row: entries >= 0 summing to 1, only acceptable objects."""
        ensure(isinstance(value, dict), f"{where}: a row is an object {{column: probability}}")
        out = dict.fromkeys([*self.objects, OUT], Fraction(0))
        for col, v in value.items():
            ensure(col in out, f"{where}: unknown column {col!r}")
            out[col] = rational(v, f"{where}.{col}")
            ensure(out[col] > 0, f"{where}.{col}: entries are positive (zeros are left out)")
        ensure(sum(out.values()) == 1, f"{where}: the row does not sum to 1")
        acceptable = set(self.pref(key))
        ensure(
            all(out[x] == 0 for x in self.objects if x not in acceptable),
            f"{where}: not individually rational",
        )
        return out

    # the base

    def _base(self, spec: object) -> None:
        ensure(isinstance(spec, dict), "subject.base: expected an object")
        name = spec.get("mechanism")
        ensure(name in BASES, f"subject.base.mechanism: {name!r} is not one of {list(BASES)}")
        self.base_name = name
        self._cache: dict[tuple, list[Row]] = {}
        self._runs = 0  # assignments computed for `_named_rows`, against MAX_BASE_RUNS
        self.table: dict[Cell, Row] | None = None
        if name == "random_priority":
            exact_keys(spec, ("mechanism",), (), "subject.base")
        elif name == "serial_dictatorship":
            exact_keys(spec, ("mechanism",), ("order",), "subject.base")
            order = spec.get("order", list(range(self.n)))
            ensure(isinstance(order, list), "subject.base.order: a list of agent indices")
            self.sd_order = [index(i, self.n, f"subject.base.order[{k}]") for k, i in enumerate(order)]
            ensure(sorted(self.sd_order) == list(range(self.n)), "subject.base.order: not a permutation")
        elif name == "random_deferred_acceptance":
            tiers = exact_keys(spec, ("mechanism", "priorities"), (), "subject.base")["priorities"]
            ensure(
                isinstance(tiers, list) and len(tiers) == self.m, "subject.base.priorities: one per object"
            )
            self.tier_of = []
            for x, obj_tiers in enumerate(tiers):
                where = f"subject.base.priorities[{x}]"
                ensure(isinstance(obj_tiers, list), f"{where}: a list of tiers")
                tier_of: dict[int, int] = {}
                for t, tier in enumerate(obj_tiers):
                    ensure(
                        isinstance(tier, list) and tier, f"{where}[{t}]: a non-empty list of agent indices"
                    )
                    for k, i in enumerate(tier):
                        i = index(i, self.n, f"{where}[{t}][{k}]")
                        ensure(i not in tier_of, f"{where}[{t}][{k}]: agent {i} appears twice")
                        tier_of[i] = t
                ensure(len(tier_of) == self.n, f"{where}: every agent must be ranked")
                self.tier_of.append(tier_of)
        else:
            rows = exact_keys(spec, ("mechanism", "rows"), (), "subject.base")["rows"]
            ensure(isinstance(rows, list), "subject.base.rows: a list of [cell, row]")
            self.table = {}
            for k, item in enumerate(rows):
                where = f"subject.base.rows[{k}]"
                ensure(isinstance(item, list) and len(item) == 2, f"{where}: [cell, row]")
                key = self.cell(item[0], f"{where}[0]")
                ensure(key not in self.table, f"{where}: the cell appears twice")
                self.table[key] = self.row(item[1], key, f"{where}[1]")
        if self.mode == "anonymous":
            ensure(
                name in ("random_priority", "table"), "subject.base: anonymous mode needs an anonymous base"
            )

    def base_row(self, key: Cell) -> Row:
        """f at a cell: the table's row, or the named mechanism recomputed at the cell's profile."""
        if self.table is not None:
            ensure(key in self.table, f"the table base carries no row at the cell it needs: {key}")
            return self.table[key]
        prof, i = (key[1], key[2]) if key[0] == "at" else ((key[1], *key[2]), 0)
        rows = self._cache.get(prof)
        if rows is None:
            self._runs += 1 if self.base_name == "serial_dictatorship" else factorial(self.n)
            ensure(
                self._runs <= MAX_BASE_RUNS,
                f"subject: re-deriving the base at {len(self._cache) + 1} profiles needs more than "
                f"{MAX_BASE_RUNS:,} assignments (the checker's limit)",
            )
            rows = self._cache[prof] = self._named_rows(prof)
        return rows[i]

    def _named_rows(self, profile: tuple) -> list[Row]:
        n = self.n
        if self.base_name == "random_priority":
            outcomes = [
                _sd(self.objects, self.caps, profile, list(o)) for o in itertools.permutations(range(n))
            ]
        elif self.base_name == "serial_dictatorship":
            outcomes = [_sd(self.objects, self.caps, profile, self.sd_order)]
        else:  # random deferred acceptance: tiers broken by one uniform random order (Erdil, section 3)
            outcomes = []
            for order in itertools.permutations(range(n)):
                pos = {i: r for r, i in enumerate(order)}
                rank = {
                    x: {i: self.tier_of[k][i] * n + pos[i] for i in range(n)}
                    for k, x in enumerate(self.objects)
                }
                outcomes.append(_da(self.objects, self.caps, profile, rank))
        counts = [dict.fromkeys([*self.objects, OUT], 0) for _ in range(n)]
        for got in outcomes:
            for i, x in got.items():
                counts[i][x] += 1
        return [{x: Fraction(c, len(outcomes)) for x, c in row.items()} for row in counts]

    def used_cells(self) -> list[Cell]:
        """The cells the claim rests on: free cells, every cell a misreport from them reaches,
        and every cell of a profile (multiset) that holds a free cell."""
        seen: dict[Cell, None] = {}
        for key in self.free:
            seen.setdefault(key, None)
            for r in self.agent_prefs(key):
                seen.setdefault(self.lie(key, r), None)
        for group in dict.fromkeys(self.group_of(k) for k in self.free):
            for key, _ in self.members(group):
                seen.setdefault(key, None)
        return list(seen)


# ---------- a mechanism on a set of cells ----------


def _cumulative(row: Row, order: tuple[str, ...]) -> list[Fraction]:
    acc, out = Fraction(0), []
    for x in order:
        acc += row[x]
        out.append(acc)
    return out


def _check_mechanism(subj: Subject, at: Callable[[Cell], Row], cells: list[Cell]) -> None:
    """The rows ``at`` on ``cells`` form a mechanism there: valid and IR (by construction of
    `Subject.row` / recomputation), within capacity at every profile (multiset) all of whose
    cells are present, and SD-strategy-proof at every comparison between two present cells."""
    present = set(cells)
    for key in cells:
        truth = subj.pref(key)
        if not truth:
            continue
        mine = _cumulative(at(key), truth)
        for r in subj.agent_prefs(key):
            other = subj.lie(key, r)
            if r == truth or other not in present:
                continue
            lying = _cumulative(at(other), truth)
            for k, (a, b) in enumerate(zip(mine, lying, strict=True)):
                ensure(
                    a >= b, f"manipulation: at {key} reporting {list(r)} raises P(top {k + 1}) to {b} > {a}"
                )
    for group in dict.fromkeys(subj.group_of(k) for k in cells):
        members = subj.members(group)
        if all(k in present for k, _ in members):
            for x, q in zip(subj.objects, subj.caps, strict=True):
                total = sum((mult * at(k)[x] for k, mult in members), Fraction(0))
                ensure(total <= q, f"column {x} over capacity at {group}")


def base_cells(subj: Subject) -> list[Cell]:
    """The cells whose base rows the certificate fixes: the table's, or the used cells."""
    cells = subj.used_cells()
    if subj.table is not None:
        for key in cells:
            subj.base_row(key)  # every used cell must be carried
        return list(subj.table)
    if subj.base_name != "serial_dictatorship":  # n! assignments per profile: counted first
        profiles = len({(key[1], key[2]) if key[0] == "orbit" else key[1] for key in cells})
        ensure(
            profiles * factorial(subj.n) <= MAX_BASE_RUNS,
            f"subject: re-deriving the base at {profiles:,} profiles needs {profiles * factorial(subj.n):,} "
            f"assignments, more than the checker's limit of {MAX_BASE_RUNS:,}",
        )
    return cells


# ---------- linear forms of the search LP, rebuilt from their definitions ----------


class _Forms:
    """Constraints named in multipliers, rebuilt over variables (cell, object); each is implied
    by the definition of the search space (see docs/certificates.md)."""

    def __init__(self, subj: Subject, exhausted: dict[tuple, set[str]], max_min: bool) -> None:
        self.s = subj
        self.exhausted = exhausted
        self.max_min = max_min

    def value(self, key: Cell, objs: tuple[str, ...] | list[str], terms: dict, sign: int) -> Fraction:
        """Add sign * sum_{x in objs} g[key, x] to terms; return the constant part."""
        s = self.s
        if not s.pref(key):
            return Fraction(0)  # nothing is acceptable: individual rationality gives no object
        if key in s.free_set:
            acceptable = set(s.pref(key))
            for x in objs:
                if x in acceptable:
                    terms[(key, x)] = terms.get((key, x), 0) + sign
            return Fraction(0)
        ensure(not s.relaxed, f"a relaxed certificate uses the fixed cell {key}")
        row = s.base_row(key)
        return sign * sum((row[x] for x in objs), Fraction(0))

    def _object(self, value: object, where: str) -> str:
        x = text(value, where)
        ensure(x in self.s.objects, f"{where}: unknown object {x!r}")
        return x

    def _free(self, value: object, where: str) -> Cell:
        key = self.s.cell(value, where)
        ensure(key in self.s.free_set, f"{where}: not a free cell")
        return key

    def rebuild(self, name: object, where: str) -> tuple[dict, Fraction]:
        s = self.s
        ensure(isinstance(name, list) and name, f"{where}: a constraint name is a non-empty list")
        head, terms = name[0], {}
        arity = {"row": 2, "col": 3, "full": 3, "dom": 3, "sp": 4, "ett": 4, "minagent": 3}
        arity.update({"expost_total": 3, "expost": 4, "upto": 3})
        ensure(head in arity, f"{where}: unknown constraint {head!r}")
        ensure(len(name) == arity[head], f"{where}: {head} takes {arity[head] - 1} arguments")
        if head == "row":
            key = self._free(name[1], f"{where}[1]")
            self.value(key, s.pref(key), terms, 1)
            return terms, Fraction(1)
        if head in ("col", "full"):
            group = s.group(name[1], f"{where}[1]")
            x = self._object(name[2], f"{where}[2]")
            sign = 1 if head == "col" else -1
            const = Fraction(0)
            for key, mult in s.members(group):
                part: dict = {}
                const += mult * self.value(key, (x,), part, sign)
                for v, c in part.items():
                    terms[v] = terms.get(v, 0) + mult * c
            q = s.caps[s.objects.index(x)]
            if head == "full":
                ensure(x in self.exhausted.get(group[1], ()), f"{where}: {x} is not exhausted in this case")
                return terms, -const - q
            return terms, q - const
        if head == "dom":
            key = self._free(name[1], f"{where}[1]")
            pref = s.pref(key)
            k = integer(name[2], f"{where}[2]", 1, len(pref))
            self.value(key, pref[:k], terms, -1)
            return terms, -sum((s.base_row(key)[x] for x in pref[:k]), Fraction(0))
        if head == "sp":
            key = s.cell(name[1], f"{where}[1]")
            pref = s.pref(key)
            r = s._ranking(name[2], f"{where}[2]")
            ensure(r in s.agent_prefs(key) and r != pref, f"{where}[2]: not a misreport in the domain")
            k = integer(name[3], f"{where}[3]", 1, max(1, len(pref)))
            ensure(k <= len(pref), f"{where}: the cell's ranking is empty")
            other = s.lie(key, r)
            ensure(key in s.free_set or other in s.free_set, f"{where}: compares two fixed cells")
            c1 = self.value(other, [x for x in pref[:k] if x in r], terms, 1)
            c2 = self.value(key, pref[:k], terms, -1)
            return terms, -(c1 + c2)
        if head == "ett":
            ensure(s.ett, f"{where}: equal-treatment row without the option")
            ki, kj = self._free(name[1], f"{where}[1]"), self._free(name[2], f"{where}[2]")
            ensure(
                ki[0] == "at" and ki[1] == kj[1] and ki[2] != kj[2] and s.pref(ki) == s.pref(kj),
                f"{where}: not two agents with equal rankings at one profile",
            )
            x = self._object(name[3], f"{where}[3]")
            c1 = self.value(ki, (x,), terms, 1)
            c2 = self.value(kj, (x,), terms, -1)
            return terms, -(c1 + c2)
        if head == "minagent":
            ensure(self.max_min and s.mode == "explicit", f"{where}: minagent row outside explicit max-min")
            agent = text(name[1], f"{where}[1]")
            ensure(agent in s.agents, f"{where}[1]: unknown agent {agent!r}")
            integer(name[2], f"{where}[2]", 1, 1)
            i = s.agents.index(agent)
            terms[("t",)] = 1
            const = Fraction(0)
            for key in s.free:
                wt = s.agent_weight(key, i)
                for x in s.pref(key) if wt else ():
                    terms[(key, x)] = terms.get((key, x), 0) - wt
                    const += wt * s.base_row(key)[x]
            return terms, -const
        if head == "expost_total":
            ensure(s.ex_post, f"{where}: ex post row without the option")
            group = s.group(name[1], f"{where}[1]")
            ensure(any(k in s.free_set for k, _ in s.members(group)), f"{where}: not a changed profile")
            sign = name[2]
            ensure(sign in (1, -1) and not isinstance(sign, bool), f"{where}[2]: 1 or -1")
            for a in s.admissible(group[1]):
                terms[("lottery", group[1], a)] = sign
            return terms, Fraction(sign)
        if head == "expost":
            ensure(s.ex_post, f"{where}: ex post row without the option")
            key = self._free(name[1], f"{where}[1]")
            x, sign = self._object(name[2], f"{where}[2]"), name[3]
            ensure(sign in (1, -1) and not isinstance(sign, bool), f"{where}[3]: 1 or -1")
            ensure(x in s.pref(key), f"{where}: {x} is not acceptable")
            c = self.value(key, (x,), terms, sign)
            for a in s.admissible(key[1]):
                if a[key[2]] == x:
                    terms[("lottery", key[1], a)] = terms.get(("lottery", key[1], a), 0) - sign
            return terms, -c
        # upto: a non-exhausted acceptable object z of a non-wasteful profile; the agent gets z or better
        key = self._free(name[1], f"{where}[1]")
        z = self._object(name[2], f"{where}[2]")
        pref = s.pref(key)
        ensure(key[0] == "at" and key[1] in self.exhausted, f"{where}: not a non-wasteful profile")
        ensure(z in pref and z not in self.exhausted[key[1]], f"{where}: {z} is exhausted or unacceptable")
        c = self.value(key, pref[: pref.index(z) + 1], terms, -1)
        return terms, -c - 1


def _check_multipliers(forms: _Forms, mults: object, c: dict, where: str) -> Fraction:
    """y >= 0 and A^T y >= c (variables absent from c have c = 0); returns b.y."""
    ensure(isinstance(mults, list), f"{where}: a list of [constraint, multiplier]")
    lhs: dict = {}
    by = Fraction(0)
    seen: set[str] = set()
    for k, item in enumerate(mults):
        at = f"{where}[{k}]"
        ensure(isinstance(item, list) and len(item) == 2, f"{at}: [constraint, multiplier]")
        name_key = repr(item[0])
        ensure(name_key not in seen, f"{at}: the constraint appears twice")
        seen.add(name_key)
        y = rational(item[1], f"{at}[1]")
        ensure(y > 0, f"{at}[1]: multipliers are positive (zeros are left out)")
        terms, b = forms.rebuild(item[0], f"{at}[0]")
        by += y * b
        for v, a in terms.items():
            lhs[v] = lhs.get(v, 0) + a * y
    for v in set(lhs) | set(c):
        ensure(lhs.get(v, 0) >= c.get(v, 0), f"{where}: dual constraint violated at variable {v}")
    return by


# ---------- the two kinds ----------


def _objective(subj: Subject, objective: str) -> dict:
    c: dict = {}
    for key in subj.free:
        pref = subj.pref(key)
        for k, x in enumerate(pref):
            c[(key, x)] = Fraction(len(pref) - k) if objective == "strict" else Fraction(subj.weight(key))
    return c


def _value(subj: Subject, c: dict, at: Callable[[Cell], Row]) -> Fraction:
    return sum((w * at(key)[x] for (key, x), w in c.items()), Fraction(0))


def _gains(subj: Subject, g: dict[Cell, Row]) -> list[Fraction]:
    """Per agent: the extra probability of acceptable objects, summed over the agent's pairs."""
    out = []
    for i in range(subj.n):
        total = Fraction(0)
        for key in subj.free:
            wt = subj.agent_weight(key, i)
            if wt:
                total += wt * sum((g[key][x] - subj.base_row(key)[x] for x in subj.pref(key)), Fraction(0))
        out.append(total)
    return out


def _check_dominator(subj: Subject, ev: dict) -> None:
    """g (the rows at the free cells; f elsewhere) is valid and IR at the free cells, within
    capacity and SD-strategy-proof on every cell the claim uses (`_check_mechanism`), weakly
    dominates f at every free cell, strictly exactly at the listed cells (first prefix),
    treats equals equally / is non-wasteful / is the stated lottery when asked, and has the
    stated objective value; a ``dual`` proves that value is the optimum."""
    optional = ("dual", "lotteries", "base_checked")
    ev = exact_keys(ev, ("kind", "g", "strict", "value", "base_value"), optional, "evidence")
    ensure(not subj.relaxed, "a relaxed search never certifies a dominator")
    # g is the base outside the neighbourhood: its SP (and ex post stability) is checked everywhere
    fixed_outside = subj.mode == "explicit" and subj.nbhd is not None
    ensure(
        ("base_checked" in ev) == fixed_outside, "evidence.base_checked: present exactly with a neighbourhood"
    )
    ensure(isinstance(ev["g"], list), "evidence.g: a list of [cell, row]")
    g: dict[Cell, Row] = {}
    for k, item in enumerate(ev["g"]):
        where = f"evidence.g[{k}]"
        ensure(isinstance(item, list) and len(item) == 2, f"{where}: [cell, row]")
        key = subj.cell(item[0], f"{where}[0]")
        ensure(key in subj.free_set, f"{where}: not a free cell")
        ensure(key not in g, f"{where}: the cell appears twice")
        g[key] = subj.row(item[1], key, f"{where}[1]")
    ensure(len(g) == len(subj.free), "evidence.g: a free cell has no row")

    def at(key: Cell) -> Row:
        return g[key] if key in g else subj.base_row(key)

    strict: dict[Cell, int] = {}
    for key in subj.free:
        pref = subj.pref(key)
        mine, base = _cumulative(g[key], pref), _cumulative(subj.base_row(key), pref)
        ensure(all(a >= b for a, b in zip(mine, base, strict=True)), f"g does not dominate f at {key}")
        first = next((k for k, (a, b) in enumerate(zip(mine, base, strict=True), 1) if a > b), None)
        if first is not None:
            strict[key] = first
    ensure(bool(strict), "g is nowhere strictly better than f")
    ensure(isinstance(ev["strict"], list), "evidence.strict: a list of [cell, prefix length]")
    listed: dict[Cell, int] = {}
    for k, item in enumerate(ev["strict"]):
        where = f"evidence.strict[{k}]"
        ensure(isinstance(item, list) and len(item) == 2, f"{where}: [cell, prefix length]")
        key = subj.cell(item[0], f"{where}[0]")
        ensure(key not in listed, f"{where}: the cell appears twice")
        listed[key] = integer(item[1], f"{where}[1]", 1, subj.m)
    ensure(listed == strict, "evidence.strict: not exactly the cells (and first prefixes) where g is better")
    if subj.ett and subj.mode == "explicit":
        for key in subj.free:
            for j in range(subj.n):
                if j != key[2] and key[1][j] == subj.pref(key):
                    ensure(at(("at", key[1], j)) == g[key], f"equals treated unequally at {key}")
    for prof in subj.nonwaste:
        members = subj.members(("profile", prof))
        rows = [at(key) for key, _ in members]
        for key, row in zip((k for k, _ in members), rows, strict=True):
            pref = subj.pref(key)
            for zi, z in enumerate(pref):
                if sum((r[z] for r in rows), Fraction(0)) < subj.caps[subj.objects.index(z)]:
                    below = [*pref[zi + 1 :], OUT]
                    ensure(all(row[y] == 0 for y in below), f"wasteful at {key}: {z} is not exhausted")
    _check_lotteries(subj, ev, at)
    _check_value(subj, ev, g, at)
    _check_mechanism(subj, at, list(dict.fromkeys([*base_cells(subj), *subj.free])))  # the costly part last
    if fixed_outside:
        check_base_everywhere(subj, ev["base_checked"], subj.stable_tiers)


def _check_lotteries(subj: Subject, ev: dict, at: Callable[[Cell], Row]) -> None:
    ensure(("lotteries" in ev) == subj.ex_post, "evidence.lotteries: present exactly with ex post efficiency")
    if not subj.ex_post:
        return
    ensure(isinstance(ev["lotteries"], list), "evidence.lotteries: a list of [group, lottery]")
    lotteries: dict[tuple, list] = {}
    for k, item in enumerate(ev["lotteries"]):
        where = f"evidence.lotteries[{k}]"
        ensure(isinstance(item, list) and len(item) == 2, f"{where}: [group, lottery]")
        group = subj.group(item[0], f"{where}[0]")
        ensure(group[1] not in lotteries, f"{where}: the profile appears twice")
        ensure(isinstance(item[1], list), f"{where}[1]: a list of [assignment, weight]")
        lotteries[group[1]] = item[1]
    changed = list(dict.fromkeys(key[1] for key in subj.free))
    ensure(set(lotteries) == set(changed), "evidence.lotteries: not one lottery per changed profile")
    for prof in changed:
        efficient = set(subj.admissible(prof))
        mix = [dict.fromkeys([*subj.objects, OUT], Fraction(0)) for _ in range(subj.n)]
        seen: set[tuple] = set()
        for k, item in enumerate(lotteries[prof]):
            where = f"evidence.lotteries[{prof}][{k}]"
            ensure(isinstance(item, list) and len(item) == 2 and isinstance(item[0], list), f"{where}: bad")
            a = tuple(text(x, f"{where}[0]") for x in item[0])
            ensure(
                a in efficient and a not in seen,
                f"{where}: not a new admissible (efficient / stable) matching",
            )
            seen.add(a)
            w = rational(item[1], f"{where}[1]")
            ensure(w > 0, f"{where}[1]: weights are positive")
            for i, x in enumerate(a):
                mix[i][x] += w
        ensure(sum(mix[0].values()) == 1, f"lottery weights at {prof} do not sum to 1")
        for i in range(subj.n):
            ensure(mix[i] == at(("at", prof, i)), f"g at {prof} is not the stated lottery (agent {i})")


def _check_value(subj: Subject, ev: dict, g: dict[Cell, Row], at: Callable[[Cell], Row]) -> None:
    """``value`` / ``base_value``: the subject's objective at g / at f (max-min: the least gain
    of an agent, and 0); ``dual``: multipliers proving no feasible g does better."""
    objective = subj.objective
    if objective == "max-min":
        value, base_value = min(_gains(subj, g)), Fraction(0)
        c = {("t",): Fraction(1)} if subj.mode == "explicit" else _objective(subj, "total-gain")
    else:
        c = _objective(subj, objective)
        value, base_value = _value(subj, c, at), _value(subj, c, subj.base_row)
    ensure(rational(ev["value"], "evidence.value") == value, f"evidence.value: g's objective is {value}")
    ensure(
        rational(ev["base_value"], "evidence.base_value") == base_value,
        f"evidence.base_value: f's objective is {base_value}",
    )
    if "dual" not in ev:
        return
    ensure(objective != "strict", "evidence.dual: the strict objective has no optimum to prove")
    ensure(not subj.nonwaste, "evidence.dual: an optimum under a non-wastefulness split is not certified")
    forms = _Forms(subj, {}, objective == "max-min")
    by = _check_multipliers(forms, ev["dual"], c, "evidence.dual")
    target = value
    if objective == "max-min" and subj.mode == "anonymous":
        # anonymous g: every agent gains the same, total / n; the dual bounds the total gain
        target = _value(subj, c, at)
        ensure(value == (target - _value(subj, c, subj.base_row)) / subj.n, "anonymous gains differ")
    ensure(by == target, f"dual bound {by} differs from the value {target}: optimality not proved")


def _check_none(subj: Subject, ev: dict) -> None:
    """For every case of the non-wastefulness split (which objects each ``nonwasteful_at``
    profile exhausts; one case without the option), multipliers y >= 0 over constraints
    implied by the search space with A^T y >= c and b.y <= c.f for the strict objective c
    ("bound": no prefix can rise, so nothing is strictly better) or A^T y >= 0 and b.y < 0
    ("farkas": the case is infeasible). A relaxed search (every profile may change, only the
    constraints among the free cells are kept) is proved by "farkas" cases only. Base rows are
    checked as a mechanism as above."""
    ev = exact_keys(ev, ("kind", "cases"), (), "evidence")
    ensure(  # before any work
        (1 << subj.m) ** len(subj.nonwaste) <= MAX_CASES,
        f"subject.nonwasteful_at: more than {MAX_CASES} cases to check (the checker's limit)",
    )
    for key in subj.free:
        subj.base_row(key)
    _check_mechanism(subj, subj.base_row, base_cells(subj))
    for prof in subj.nonwaste:
        ensure(
            all(("at", prof, i) in subj.free_set or not prof[i] for i in range(subj.n)), "nonwaste not free"
        )
    subsets = [frozenset(s) for k in range(subj.m + 1) for s in itertools.combinations(subj.objects, k)]
    expected = {
        tuple(zip(subj.nonwaste, choice, strict=True))
        for choice in itertools.product(subsets, repeat=len(subj.nonwaste))
    }
    c = _objective(subj, "strict")
    base_value = _value(subj, c, subj.base_row)
    cases = ev["cases"]
    ensure(isinstance(cases, list), "evidence.cases: a list")
    seen: set[tuple] = set()
    for k, case in enumerate(cases):
        where = f"evidence.cases[{k}]"
        case = exact_keys(case, ("exhausted", "certificate", "multipliers"), (), where)
        ensure(isinstance(case["exhausted"], list), f"{where}.exhausted: a list of [group, objects]")
        exhausted: dict[tuple, set[str]] = {}
        for t, item in enumerate(case["exhausted"]):
            at = f"{where}.exhausted[{t}]"
            ensure(isinstance(item, list) and len(item) == 2, f"{at}: [group, objects]")
            group = subj.group(item[0], f"{at}[0]")
            ensure(
                group[0] == "profile" and group[1] not in exhausted, f"{at}: a profile twice or a multiset"
            )
            objs = text_list(item[1], f"{at}[1]")
            ensure(all(x in subj.objects for x in objs), f"{at}[1]: an unknown object")
            exhausted[group[1]] = set(objs)
        ensure(set(exhausted) == set(subj.nonwaste), f"{where}.exhausted: not the non-wasteful profiles")
        split = tuple((p, frozenset(exhausted[p])) for p in subj.nonwaste)
        ensure(split not in seen, f"{where}: the case appears twice")
        seen.add(split)
        forms = _Forms(subj, exhausted, False)
        if case["certificate"] == "farkas":
            by = _check_multipliers(forms, case["multipliers"], {}, f"{where}.multipliers")
            ensure(by < 0, f"{where}: Farkas multipliers do not give b.y < 0")
        else:
            ensure(case["certificate"] == "bound", f"{where}.certificate: 'farkas' or 'bound'")
            # A bound covers the free cells only: in a relaxed search every other profile may
            # change too, so a dominator could gain there. Only infeasibility proves the claim.
            ensure(not subj.relaxed, f"{where}: a relaxed search is proved by Farkas multipliers only")
            by = _check_multipliers(forms, case["multipliers"], c, f"{where}.multipliers")
            ensure(by <= base_value, f"{where}: bound {by} exceeds the base value {base_value}")
    ensure(seen == expected, "evidence.cases: the cases do not cover every way to be non-wasteful")


__all__ = ["PROPERTY", "RecheckError", "Subject", "fail", "recheck_search", "recheck_search_certificate"]
