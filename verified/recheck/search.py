"""Independent re-checker for the search's certificates (standard library only).

Trusts nothing computed by the search: it rebuilds every named constraint from
its definition (Erdil, section 2: validity, individual rationality, weak FOSD
dominance, SD-strategy-proofness, non-wastefulness) and re-does every sum in
exact `Fraction`s. Kinds:

* ``sp_dominator``: g's rows at the free cells are valid, IR, weakly dominate f,
  strictly at the listed cells, and no agent gains by misreporting (truth at a free
  cell against every lie, and truth elsewhere against a lie into a free cell);
  an optional ``dual`` proves the stated optimum (y >= 0, A^T y >= c, b.y = c.g);
* ``no_sp_dominator``: for every case of the non-wastefulness split, multipliers
  y >= 0 with A^T y >= c and b.y <= c.f ("bound": no prefix can rise) or
  A^T y >= 0 and b.y < 0 ("farkas": the case is infeasible).

The base rows f are read from the certificate; when the base names a known
mechanism (``random_priority``, ``serial_dictatorship``, ``random_deferred_acceptance``),
each of them is recomputed here from scratch and compared.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from math import factorial, lcm

OUT = "outside"


class CertificateError(ValueError):
    """The certificate is wrong or incomplete; the message says where."""


def _need(cond: bool, message: str) -> None:
    if not cond:
        raise CertificateError(message)


def _all_prefs(objects: list[str]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for k in range(len(objects) + 1):
        out.extend(itertools.permutations(objects, k))
    return out


def _frac(text: str) -> Fraction:
    return Fraction(text)


# ---------- base mechanisms, from the definitions (Erdil, section 3) ----------


def _sd(objects, caps, profile, order):  # noqa: ANN001, ANN202
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


def _da(objects, caps, profile, rank):  # noqa: ANN001, ANN202
    n = len(profile)
    nxt = [0] * n
    held = {x: [] for x in objects}
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
    got = {i: OUT for i in range(n)}
    for x, agents in held.items():
        for i in agents:
            got[i] = x
    return got


def _base_rows(
    spec: dict, objects: list[str], caps: list[int], profile: tuple
) -> list[dict[str, Fraction]] | None:
    n = len(profile)
    name = spec.get("mechanism")
    outcomes = []
    if name == "random_priority":
        outcomes = [_sd(objects, caps, profile, order) for order in itertools.permutations(range(n))]
    elif name == "serial_dictatorship":
        outcomes = [_sd(objects, caps, profile, spec.get("order", list(range(n))))]
    elif name == "random_deferred_acceptance":
        tiers = spec["priorities"]
        for order in itertools.permutations(range(n)):
            pos = {i: r for r, i in enumerate(order)}
            rank = {}
            for x, obj_tiers in zip(objects, tiers, strict=True):
                tier_of = {i: t for t, tier in enumerate(obj_tiers) for i in tier}
                rank[x] = {i: tier_of[i] * n + pos[i] for i in range(n)}
            outcomes.append(_da(objects, caps, profile, rank))
    else:
        return None
    counts = [dict.fromkeys([*objects, OUT], 0) for _ in range(n)]
    for got in outcomes:
        for i, x in got.items():
            counts[i][x] += 1
    return [{x: Fraction(c, len(outcomes)) for x, c in row.items()} for row in counts]


def _efficient(objects: list[str], caps: list[int], profile: tuple) -> list[tuple[str, ...]]:
    """Pareto-efficient IR deterministic assignments at ``profile``, by enumeration."""
    feasible = []
    for choice in itertools.product(*[(*pref, OUT) for pref in profile]):
        if all(sum(1 for x in choice if x == obj) <= q for obj, q in zip(objects, caps, strict=True)):
            feasible.append(choice)

    def ranks(a: tuple) -> tuple:
        return tuple(len(p) if x == OUT else p.index(x) for p, x in zip(profile, a, strict=True))

    all_ranks = [ranks(a) for a in feasible]
    return sorted(
        a
        for a, ra in zip(feasible, all_ranks, strict=True)
        if not any(rb != ra and all(s <= t for s, t in zip(rb, ra, strict=True)) for rb in all_ranks)
    )


# ---------- cells ----------


class _Subject:
    def __init__(self, ev: dict) -> None:
        prob = ev["problem"]
        self.agents: list[str] = list(prob["agents"])
        self.objects: list[str] = list(prob["objects"])
        self.caps: list[int] = [int(q) for q in prob["capacities"]]
        self.n = len(self.agents)
        dom = ev["domain"]
        if dom.get("full"):
            self.prefs = [_all_prefs(self.objects) for _ in self.agents]
        else:
            self.prefs = [[tuple(r) for r in ps] for ps in dom["preferences"]]
        self.mode = ev["mode"]
        _need(self.mode in ("explicit", "anonymous"), f"unknown mode {self.mode!r}")
        if self.mode == "anonymous":
            _need(all(p == self.prefs[0] for p in self.prefs), "anonymous mode needs a symmetric domain")
        self.spec = ev["base"]
        self.options = ev["options"]
        self.relaxed = bool(self.options.get("relaxed"))
        self.base: dict[tuple, dict[str, Fraction]] = {}
        for cell_j, row in ev["base_rows"]:
            key = self.key(cell_j)
            self.base[key] = self.row(row, key)
        self._check_base()

    def key(self, cell_j: list) -> tuple:
        if cell_j[0] == "at":
            _need(self.mode == "explicit", f"cell {cell_j} in anonymous mode")
            prof = tuple(tuple(r) for r in cell_j[1])
            _need(len(prof) == self.n, f"profile of wrong length in {cell_j}")
            for i, r in enumerate(prof):
                _need(r in self.prefs[i], f"ranking {r} not in the domain of agent {self.agents[i]}")
            _need(cell_j[2] in self.agents, f"unknown agent in {cell_j}")
            return ("at", prof, self.agents.index(cell_j[2]))
        _need(cell_j[0] == "orbit" and self.mode == "anonymous", f"bad cell {cell_j}")
        own = tuple(cell_j[1])
        others = tuple(sorted((tuple(r) for r in cell_j[2]), key=self.prefs[0].index))
        _need(len(others) == self.n - 1 and own in self.prefs[0], f"bad orbit cell {cell_j}")
        _need(all(o in self.prefs[0] for o in others), f"bad orbit cell {cell_j}")
        return ("orbit", own, others)

    def pref(self, key: tuple) -> tuple[str, ...]:
        return key[1][key[2]] if key[0] == "at" else key[1]

    def lie(self, key: tuple, r: tuple[str, ...]) -> tuple:
        if key[0] == "at":
            prof = list(key[1])
            prof[key[2]] = r
            _need(r in self.prefs[key[2]], f"misreport {r} is not in the agent's domain")
            return ("at", tuple(prof), key[2])
        _need(r in self.prefs[0], f"misreport {r} is not in the domain")
        return ("orbit", r, key[2])

    def agent(self, key: tuple) -> int:
        return key[2]

    def weight(self, key: tuple) -> int:
        if key[0] == "at":
            return 1
        arr = factorial(self.n - 1)
        for o in set(key[2]):
            arr //= factorial(key[2].count(o))
        return self.n * arr

    def row(self, row_j: dict, key: tuple) -> dict[str, Fraction]:
        out = dict.fromkeys([*self.objects, OUT], Fraction(0))
        for col, v in row_j.items():
            _need(col in out, f"unknown column {col!r} at {key}")
            out[col] = _frac(v)
        _need(all(v >= 0 for v in out.values()), f"negative entry at {key}")
        _need(sum(out.values()) == 1, f"row does not sum to 1 at {key}")
        acceptable = set(self.pref(key))
        _need(all(out[x] == 0 for x in self.objects if x not in acceptable), f"row not IR at {key}")
        return out

    def group(self, group_j: list) -> list[tuple[tuple, int]]:
        if group_j[0] == "profile":
            _need(self.mode == "explicit", "profile group in anonymous mode")
            prof = tuple(tuple(r) for r in group_j[1])
            return [(("at", prof, i), 1) for i in range(self.n)]
        _need(group_j[0] == "multiset" and self.mode == "anonymous", f"bad group {group_j}")
        ms = sorted((tuple(r) for r in group_j[1]), key=self.prefs[0].index)
        _need(len(ms) == self.n, f"bad multiset {group_j}")
        out = []
        for r in sorted(set(ms), key=self.prefs[0].index):
            rest = list(ms)
            rest.remove(r)
            out.append((("orbit", r, tuple(rest)), ms.count(r)))
        return out

    def representative(self, key: tuple) -> tuple[tuple, int]:
        if key[0] == "at":
            return key[1], key[2]
        return (key[1], *key[2]), 0

    def _check_base(self) -> None:
        cache: dict[tuple, list] = {}
        for key, row in self.base.items():
            prof, i = self.representative(key)
            if prof not in cache:
                cache[prof] = _base_rows(self.spec, self.objects, self.caps, prof)
            rows = cache[prof]
            if rows is None:
                return  # a tabulated base: its rows are the subject
            _need(rows[i] == row, f"base row at {key} differs from {self.spec.get('mechanism')} recomputed")


# ---------- linear forms ----------


class _Forms:
    """Named constraints rebuilt from their definitions, over variables (cell key, object)."""

    def __init__(
        self, subj: _Subject, free: list[tuple], exhausted: dict[tuple, set[str]], ett: bool
    ) -> None:
        self.s = subj
        self.free = set(free)
        self.free_list = list(free)
        self.exhausted = exhausted
        self.ett = ett

    def value(self, key: tuple, objs, terms: dict, sign: int) -> Fraction:  # noqa: ANN001
        """Add sign * sum_{x in objs} g[key, x] to terms; return the constant part."""
        if not self.s.pref(key):
            return Fraction(0)  # nothing is acceptable: individual rationality gives no object
        if key in self.free:
            acceptable = set(self.s.pref(key))
            for x in objs:
                if x in acceptable:
                    terms[(key, x)] = terms.get((key, x), 0) + sign
            return Fraction(0)
        _need(not self.s.relaxed, f"relaxed certificate uses the non-free cell {key}")
        _need(key in self.s.base, f"no base row for the fixed cell {key}")
        return sign * sum((self.s.base[key][x] for x in objs), Fraction(0))

    def rebuild(self, name: list) -> tuple[dict, Fraction]:
        s = self.s
        head = name[0]
        terms: dict = {}
        if head == "row":
            key = s.key(name[1])
            _need(key in self.free, f"row constraint of a fixed cell {key}")
            self.value(key, s.pref(key), terms, 1)
            return terms, Fraction(1)
        if head in ("col", "full"):
            members = s.group(name[1])
            x = name[2]
            _need(x in s.objects, f"unknown object in {name}")
            const = Fraction(0)
            sign = 1 if head == "col" else -1
            for key, mult in members:
                part: dict = {}
                const += mult * self.value(key, (x,), part, sign)
                for v, c in part.items():
                    terms[v] = terms.get(v, 0) + mult * c
            q = s.caps[s.objects.index(x)]
            if head == "full":
                gkey = tuple(members[0][0][1]) if s.mode == "explicit" else None
                _need(self._in_case(name[1], x), f"{name} is not part of this case")
                del gkey
                return terms, -const - q
            return terms, q - const
        if head == "dom":
            key = s.key(name[1])
            k = int(name[2])
            pref = s.pref(key)
            _need(key in self.free and 1 <= k <= len(pref), f"bad dominance row {name}")
            self.value(key, pref[:k], terms, -1)
            fk = sum((s.base[key][x] for x in pref[:k]), Fraction(0))
            return terms, -fk
        if head == "sp":
            key = s.key(name[1])
            r = tuple(name[2])
            k = int(name[3])
            pref = s.pref(key)
            _need(r != pref and 1 <= k <= len(pref), f"bad strategy-proofness row {name}")
            other = s.lie(key, r)
            c1 = self.value(other, [x for x in pref[:k] if x in r], terms, 1)
            c2 = self.value(key, pref[:k], terms, -1)
            return terms, -(c1 + c2)
        if head == "ett":
            _need(self.ett, "equal-treatment row without the option")
            ki, kj = s.key(name[1]), s.key(name[2])
            _need(
                ki[0] == "at" and ki[1] == kj[1] and s.pref(ki) == s.pref(kj),
                f"bad equal-treatment row {name}",
            )
            c1 = self.value(ki, (name[3],), terms, 1)
            c2 = self.value(kj, (name[3],), terms, -1)
            return terms, -(c1 + c2)
        if head == "minagent":
            _need(name[1] in s.agents and name[2] == 1, f"bad row {name}")
            i = s.agents.index(name[1])
            terms[("t",)] = 1
            const = Fraction(0)
            for key in self.free_list:
                wt = _agent_weight(s, key, i)
                if wt:
                    for x in s.pref(key):
                        terms[(key, x)] = terms.get((key, x), 0) - wt
                        const += wt * s.base[key][x]
            return terms, -const
        if head == "expost_total":
            _need(bool(s.options.get("ex_post_efficient")), "ex post row without the option")
            prof = tuple(tuple(r) for r in name[1][1])
            sign = int(name[2])
            _need(sign in (1, -1) and name[1][0] == "profile", f"bad row {name}")
            for a in _efficient(s.objects, s.caps, prof):
                terms[("lottery", prof, a)] = sign
            return terms, Fraction(sign)
        if head == "expost":
            _need(bool(s.options.get("ex_post_efficient")), "ex post row without the option")
            key = s.key(name[1])
            x, sign = name[2], int(name[3])
            _need(key[0] == "at" and sign in (1, -1) and x in s.pref(key), f"bad row {name}")
            c = self.value(key, (x,), terms, sign)
            for a in _efficient(s.objects, s.caps, key[1]):
                if a[key[2]] == x:
                    terms[("lottery", key[1], a)] = terms.get(("lottery", key[1], a), 0) - sign
            return terms, -c
        if head == "upto":
            key = s.key(name[1])
            z = name[2]
            pref = s.pref(key)
            _need(z in pref, f"bad row {name}")
            prof = key[1]
            _need(
                self._in_case(["profile", [list(r) for r in prof]], z, negate=True),
                f"{name} not in this case",
            )
            c = self.value(key, pref[: pref.index(z) + 1], terms, -1)
            return terms, -c - 1
        raise CertificateError(f"unknown constraint {name[0]!r}")

    def _in_case(self, group_j: list, x: str, negate: bool = False) -> bool:
        prof = tuple(tuple(r) for r in group_j[1])
        if prof not in self.exhausted:
            return False
        return (x in self.exhausted[prof]) != negate


def _agent_weight(subj: _Subject, key: tuple, i: int) -> int:
    """How many of agent i's (profile, agent) pairs the cell stands for."""
    if key[0] == "at":
        return 1 if key[2] == i else 0
    return subj.weight(key) // subj.n


def _objective(subj: _Subject, free: list[tuple], objective: str) -> dict:
    c: dict = {}
    for key in free:
        pref = subj.pref(key)
        for k, x in enumerate(pref):
            if objective == "strict":
                c[(key, x)] = Fraction(len(pref) - k)
            elif objective == "total-gain":
                c[(key, x)] = Fraction(subj.weight(key))
    return c


def _check_multipliers(forms: _Forms, mults: list, c: dict) -> Fraction:
    """y >= 0 and A^T y >= c (variables absent from c have c = 0); returns b.y."""
    lhs: dict = {}
    by = Fraction(0)
    for name, y_text in mults:
        y = _frac(y_text)
        _need(y >= 0, f"negative multiplier at {name}")
        terms, b = forms.rebuild(name)
        by += y * b
        for v, a in terms.items():
            lhs[v] = lhs.get(v, 0) + a * y
    for v in set(lhs) | set(c):
        _need(lhs.get(v, 0) >= c.get(v, 0), f"dual constraint violated at variable {v}")
    return by


def _prefix(row: dict, pref, k: int) -> Fraction:  # noqa: ANN001
    return sum((row[x] for x in pref[:k]), Fraction(0))


def _check_dominator(subj: _Subject, ev: dict) -> None:
    _need(not subj.relaxed, "a relaxed search never certifies a dominator")
    free = [subj.key(c) for c in ev["free"]]
    g = {subj.key(c): None for c in ev["free"]}
    for cell_j, row_j in ev["g"]:
        key = subj.key(cell_j)
        _need(key in g, f"g row at a cell that is not free: {key}")
        g[key] = subj.row(row_j, key)
    _need(all(v is not None for v in g.values()), "a free cell has no g row")

    def at(key: tuple) -> dict[str, Fraction]:
        if key in g:
            return g[key]
        _need(key in subj.base, f"no base row for the fixed cell {key}")
        return subj.base[key]

    prefix_cache: dict[tuple, list[int]] = {}

    common = 1
    for row in [*subj.base.values(), *g.values()]:
        for v in row.values():
            common = lcm(common, v.denominator)

    def cumulative(key: tuple, order: tuple[str, ...]) -> list[int]:
        """Cumulative probabilities (times the common denominator) of the cell's row along ``order``."""
        got = prefix_cache.get((key, order))
        if got is None:
            row = at(key)
            acc = 0
            got = []
            for x in order:
                v = row[x]
                acc += v.numerator * (common // v.denominator)
                got.append(acc)
            prefix_cache[(key, order)] = got
        return got

    for key in free:
        _need(key in subj.base, f"no base row for the free cell {key}")
        pref = subj.pref(key)
        for k in range(1, len(pref) + 1):
            _need(
                _prefix(g[key], pref, k) >= _prefix(subj.base[key], pref, k),
                f"g does not dominate f at {key}",
            )
        for r in subj.prefs[subj.agent(key)] if key[0] == "at" else subj.prefs[0]:
            if r == pref:
                continue
            other = subj.lie(key, r)
            for truth_key, lie_key in ((key, other), (other, key)):
                t_pref = subj.pref(truth_key)
                if not t_pref:
                    continue
                truthful = cumulative(truth_key, t_pref)
                lying = cumulative(lie_key, t_pref)
                _need(
                    all(a >= b for a, b in zip(truthful, lying, strict=True)),
                    f"manipulation: {truth_key} gains by reporting {subj.pref(lie_key)}",
                )
    groups = set()
    for key in free:
        if key[0] == "at":
            groups.add(("profile", key[1]))
        else:
            groups.add(("multiset", tuple(sorted((key[1], *key[2]), key=subj.prefs[0].index))))
    for kind, val in sorted(groups):
        members = subj.group([kind, [list(r) for r in val]])
        for x, q in zip(subj.objects, subj.caps, strict=True):
            _need(
                sum((m * at(k)[x] for k, m in members), Fraction(0)) <= q,
                f"column {x} over capacity at {val}",
            )
    _need(len(ev["strict"]) > 0, "no strict improvement listed")
    for cell_j, k in ev["strict"]:
        key = subj.key(cell_j)
        pref = subj.pref(key)
        _need(key in g and 1 <= k <= len(pref), f"bad strict entry {cell_j}")
        _need(_prefix(g[key], pref, k) > _prefix(subj.base[key], pref, k), f"not strictly better at {key}")
    if subj.options.get("equal_treatment"):
        for key in free:
            for j in range(subj.n):
                if key[0] == "at" and j != key[2] and key[1][j] == subj.pref(key):
                    _need(at(("at", key[1], j)) == g[key], f"equals treated unequally at {key}")
    for prof_j in subj.options.get("nonwasteful_at", []):
        members = subj.group(["profile", prof_j]) if subj.mode == "explicit" else None
        _need(members is not None, "non-wastefulness needs explicit mode")
        rows = [at(k) for k, _ in members]
        for (key, _), row in zip(members, rows, strict=True):
            pref = subj.pref(key)
            for zi, z in enumerate(pref):
                total = sum((r[z] for r in rows), Fraction(0))
                if total < subj.caps[subj.objects.index(z)]:
                    below = list(pref[zi + 1 :]) + [OUT]
                    _need(all(row[y] == 0 for y in below), f"wasteful at {key}: {z} not exhausted")
    if subj.options.get("ex_post_efficient"):
        lotteries = {tuple(tuple(r) for r in g_j[1]): items for g_j, items in ev["lotteries"]}
        for kind, val in sorted(groups):
            _need(kind == "profile" and val in lotteries, f"no lottery at the changed profile {val}")
            efficient = set(_efficient(subj.objects, subj.caps, val))
            mix = [dict.fromkeys([*subj.objects, OUT], Fraction(0)) for _ in range(subj.n)]
            total = Fraction(0)
            for a_j, w_text in lotteries[val]:
                a, w = tuple(a_j), _frac(w_text)
                _need(a in efficient and w > 0, f"{a} is not a Pareto-efficient assignment at {val}")
                total += w
                for i, x in enumerate(a):
                    mix[i][x] += w
            _need(total == 1, f"lottery weights at {val} sum to {total}")
            for i in range(subj.n):
                _need(mix[i] == at(("at", val, i)), f"g at {val} is not the stated lottery (agent {i})")
    objective = ev["objective"]
    c = _objective(subj, free, objective)
    value = sum((c.get((k, x), 0) * g[k][x] for k in free for x in subj.pref(k)), Fraction(0))
    if objective == "max-min":
        c = {("t",): Fraction(1)}
        value = min(
            sum(
                (_agent_weight(subj, k, i) * (g[k][x] - subj.base[k][x]) for k in free for x in subj.pref(k)),
                Fraction(0),
            )
            for i in range(subj.n)
        )
    _need(value == _frac(ev["value"]), "stated objective value is wrong")
    if "dual" in ev:
        forms = _Forms(subj, free, {}, bool(subj.options.get("equal_treatment")))
        by = _check_multipliers(forms, ev["dual"], c)
        _need(by == value, f"dual bound {by} differs from the value {value}: optimality not proved")


def _check_none(subj: _Subject, ev: dict) -> None:
    _need(ev["objective"] == "strict", "a none-exists certificate uses the strict objective")
    free = [subj.key(c) for c in ev["free"]]
    for key in free:
        _need(key in subj.base, f"no base row for the free cell {key}")
    nonwaste = [tuple(tuple(r) for r in p) for p in subj.options.get("nonwasteful_at", [])]
    for prof in nonwaste:
        _need(
            all(("at", prof, i) in set(free) or not prof[i] for i in range(subj.n)),
            "non-waste profile not free",
        )
    subsets = [
        frozenset(s) for k in range(len(subj.objects) + 1) for s in itertools.combinations(subj.objects, k)
    ]
    expected = {
        tuple(zip(nonwaste, choice, strict=True))
        for choice in itertools.product(subsets, repeat=len(nonwaste))
    }
    seen = set()
    c = _objective(subj, free, "strict")
    base_value = sum((c[(k, x)] * subj.base[k][x] for k in free for x in subj.pref(k)), Fraction(0))
    for case in ev["cases"]:
        exhausted = {}
        for group_j, objs in case["exhausted"]:
            exhausted[tuple(tuple(r) for r in group_j[1])] = set(objs)
        seen.add(tuple((p, frozenset(exhausted[p])) for p in nonwaste))
        forms = _Forms(subj, free, exhausted, bool(subj.options.get("equal_treatment")))
        if case["certificate"] == "farkas":
            by = _check_multipliers(forms, case["multipliers"], {})
            _need(by < 0, "Farkas multipliers do not give b.y < 0")
        else:
            _need(case["certificate"] == "bound", f"unknown certificate {case['certificate']!r}")
            by = _check_multipliers(forms, case["multipliers"], c)
            _need(by <= base_value, f"bound {by} exceeds the base value {base_value}")
    _need(seen == expected, "the cases do not cover every way to be non-wasteful")


def recheck_search_certificate(doc: dict) -> None:
    """Raise `CertificateError` unless ``doc`` (a result JSON or its evidence) is a valid
    search certificate; see the module docstring for what is checked."""
    ev = doc.get("evidence", doc)
    ev = json.loads(json.dumps(ev))
    subj = _Subject(ev)
    if ev["kind"] == "sp_dominator":
        _need(doc.get("verdict", "holds") == "holds", "a dominator certificate must have the verdict holds")
        _check_dominator(subj, ev)
    elif ev["kind"] == "no_sp_dominator":
        _need(doc.get("verdict", "fails") == "fails", "a none-exists certificate must have the verdict fails")
        _check_none(subj, ev)
    else:
        raise CertificateError(f"not a search certificate kind: {ev['kind']!r}")
