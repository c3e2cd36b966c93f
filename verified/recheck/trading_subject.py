"""The trading subject re-validated as a well-formed model, by the checker itself (stdlib only).

The subject of a trading certificate is the canonical encoding written by
`verified.io.trading.trading_subject` (Valenzuela-Stookey, section 2: tasks, agents with
endowments eta_j in Q^I_+, performance weights pi_j, cost domains C_j and menus of trading
sets in R^I_+; section 1.1 for a mechanism's selection table and strategies). The checker
refuses every subject the library refuses to build, and a few non-canonical ones it never
writes:

* keys: exactly the documented ones at every level (`exact_keys`);
* ``tasks``: a non-empty list of distinct non-empty strings; ``agents``: a non-empty list,
  names distinct and non-empty; ``status_quo`` for every agent or for none;
* every number a bounded rational (`rational`); every vector has one entry per task;
  endowments >= 0 (so the supplies, their sums, are >= 0: the market clears at eta); a
  status quo sigma (an allocation) >= 0 with sum_j sigma_j = the supplies;
* cost domains: ``box`` (``lo``, ``hi`` with 0 <= lo <= hi), ``orthant``, ``positive_orthant``;
* trading sets (they lie in R^I_+): ``points`` and ``polytope`` (non-empty, distinct points,
  coordinates >= 0), ``ray`` (origin >= 0, direction not zero), ``remedial`` (eta >= 0);
  each menu is non-empty and holds the endowment alone, {eta_j};
* a mechanism subject (``selection`` and ``strategies``, both or neither): every profile of
  the menus' product exactly once, in product order, with indices in range (a negative
  index never aliases), one bundle per agent in the chosen set, the market cleared task by
  task; one strategy per agent: ``fixed`` (``action``), ``myopic`` (``priority``: a
  permutation of the menu indices) or ``regions`` (``rows`` of one entry per task, ``rhs``
  and ``strict`` booleans of equal length, ``action``; ``default``), every action a menu index.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

from verified.recheck.core import dot, ensure, exact_keys, fail, index, rational, text

Vec = tuple[Fraction, ...]
ZERO = Fraction(0)
MAX_ITEMS = 1 << 20  # the most items (profiles, vertices, cases, pieces) the checker enumerates


def bounded(count: int, where: str) -> int:
    """``count`` items to enumerate, refused above `MAX_ITEMS` (bounded work on hostile input)."""
    ensure(
        count <= MAX_ITEMS, f"{where}: {count} items to enumerate, more than the checker's limit {MAX_ITEMS}"
    )
    return count


COST_KINDS = ("box", "orthant", "positive_orthant")
SET_KEYS = {
    "points": ("points",),
    "polytope": ("vertices",),
    "ray": ("origin", "direction"),
    "remedial": ("eta",),
}


def vec(values: object, n: int, where: str, nonnegative: bool = False) -> Vec:
    """A list of exactly ``n`` bounded rationals (>= 0 when ``nonnegative``)."""
    ensure(isinstance(values, list), f"{where}: expected a list of {n} rationals")
    ensure(len(values) == n, f"{where}: expected {n} entries, got {len(values)}")  # type: ignore[arg-type]
    out = tuple(rational(v, f"{where}[{i}]") for i, v in enumerate(values))  # type: ignore[arg-type]
    if nonnegative:
        for i, x in enumerate(out):
            ensure(x >= 0, f"{where}[{i}]: must be >= 0 (R^I_+), got {x}")
    return out


def points(values: object, n: int, where: str) -> tuple[Vec, ...]:
    """A non-empty list of distinct points of R^I_+."""
    ensure(isinstance(values, list) and len(values) > 0, f"{where}: expected a non-empty list of points")
    out = tuple(vec(p, n, f"{where}[{k}]", nonnegative=True) for k, p in enumerate(values))  # type: ignore[arg-type]
    ensure(len(set(out)) == len(out), f"{where}: a point appears twice")
    return out


def fraction_text(x: Fraction) -> str:
    """The library's canonical text of a rational ("3/8", "-2", "0")."""
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def texts(v: Vec | list[Fraction]) -> list[str]:
    return [fraction_text(x) for x in v]


@dataclass(frozen=True)
class TradingSet:
    """One validated trading set (``kind``: points, polytope, ray, remedial)."""

    kind: str
    pts: tuple[Vec, ...] = ()
    origin: Vec = ()
    direction: Vec = ()
    eta: Vec = ()

    @property
    def bounded(self) -> bool:
        return self.kind != "ray" or any(d < 0 for d in self.direction)

    def ray_length(self) -> Fraction | None:
        ratios = [o / -d for o, d in zip(self.origin, self.direction, strict=True) if d < 0]
        return min(ratios) if ratios else None

    def ray_point(self, y: Fraction) -> Vec:
        return tuple(o + y * d for o, d in zip(self.origin, self.direction, strict=True))

    def contains(self, x: Vec | list[Fraction]) -> bool:
        """Exact membership (a polytope's members must be listed vertices: its bundles in
        evidence are always vertices, so a larger set is never needed)."""
        x = tuple(x)
        if self.kind in ("points", "polytope"):
            return x in self.pts
        if len(x) != len(self.eta or self.origin):
            return False
        if self.kind == "remedial":
            return all(0 <= a <= e for a, e in zip(x, self.eta, strict=True))
        if any(v < 0 for v in x):
            return False
        k = next(i for i, d in enumerate(self.direction) if d != 0)
        y = (x[k] - self.origin[k]) / self.direction[k]
        return y >= 0 and self.ray_point(y) == x

    def vertices(self) -> tuple[Vec, ...]:
        """The library's ``vertices()`` of a bounded set (a ray: origin, and its end if distinct)."""
        if self.kind in ("points", "polytope"):
            return self.pts
        if self.kind == "remedial":
            bounded(2 ** sum(1 for e in self.eta if e), "the vertices of a remedial set")
            return tuple(itertools.product(*((ZERO,) if e == 0 else (ZERO, e) for e in self.eta)))
        length = self.ray_length()
        ensure(length is not None, "an unbounded ray has no vertices")
        end = self.ray_point(length)  # type: ignore[arg-type]
        return (self.origin,) if end == self.origin else (self.origin, end)

    def vertex_count(self) -> int:
        """``len(self.vertices())`` of a bounded set, counted without forming a vertex (a remedial
        set has 2^(its positive entries) corners)."""
        if self.kind in ("points", "polytope"):
            return len(self.pts)
        if self.kind == "remedial":
            return 2 ** sum(1 for e in self.eta if e)
        return len(self.vertices())  # a bounded ray: origin, and its end if distinct

    def is_singleton(self, x: Vec) -> bool:
        """Is the set exactly {x}, i.e. bounded with every vertex equal to x? Decided from the
        definition, without enumerating a remedial set's 2^k corners: its corners take both 0 and
        e_i in every coordinate with e_i > 0, so they all equal x iff eta = x = 0."""
        if self.kind in ("points", "polytope"):
            return all(p == x for p in self.pts)
        if self.kind == "remedial":
            return all(e == 0 for e in self.eta) and all(v == 0 for v in x)
        return self.bounded and all(v == x for v in self.vertices())  # a ray: at most 2 vertices

    def shape(self) -> tuple[tuple[Vec, ...], tuple[Vec, ...]]:
        """(points, recession directions) whose hull + cone is the closed convex hull."""
        if not self.bounded:
            return (self.origin,), (self.direction,)
        return self.vertices(), ()

    def pieces(self) -> list[TradingSet]:
        """Convex pieces whose union is the set (a point set splits into its points)."""
        if self.kind == "points":
            return [TradingSet("points", (p,)) for p in self.pts]
        return [self]

    def extreme(self, c: Vec | list[Fraction], lowest: bool) -> Fraction | None:
        """min (``lowest``) or max of c . x over the set; None when it is -inf / +inf."""
        c = tuple(c)
        pick = min if lowest else max
        if self.kind == "remedial":
            return sum((pick(ZERO, a * e) for a, e in zip(c, self.eta, strict=True)), ZERO)
        points, directions = self.shape()
        for d in directions:
            slope = dot(list(c), list(d))
            if (slope < 0) if lowest else (slope > 0):
                return None
        return pick(dot(list(c), list(p)) for p in points)

    def describe(self) -> dict[str, object]:
        """The library's ``describe()`` (JSON text form), for comparison with evidence."""
        if self.kind == "points":
            return {"shape": "points", "points": [texts(p) for p in self.pts]}
        if self.kind == "polytope":
            return {"shape": "polytope", "vertices": [texts(p) for p in self.pts]}
        if self.kind == "ray":
            return {"shape": "ray", "origin": texts(self.origin), "direction": texts(self.direction)}
        return {"shape": "remedial", "eta": texts(self.eta)}


def trading_set(spec: object, n: int, where: str) -> TradingSet:
    ensure(isinstance(spec, dict), f"{where}: expected an object")
    kind = spec.get("type")  # type: ignore[union-attr]
    ensure(kind in SET_KEYS, f"{where}.type: unknown trading set type {kind!r}")
    spec = exact_keys(spec, ("type", *SET_KEYS[kind]), (), where)  # type: ignore[index]
    if kind == "points":
        return TradingSet("points", pts=points(spec["points"], n, f"{where}.points"))
    if kind == "polytope":
        return TradingSet("polytope", pts=points(spec["vertices"], n, f"{where}.vertices"))
    if kind == "remedial":
        return TradingSet("remedial", eta=vec(spec["eta"], n, f"{where}.eta", nonnegative=True))
    origin = vec(spec["origin"], n, f"{where}.origin", nonnegative=True)
    direction = vec(spec["direction"], n, f"{where}.direction")
    ensure(any(direction), f"{where}.direction: the direction must not be zero")
    return TradingSet("ray", origin=origin, direction=direction)


@dataclass(frozen=True)
class Agent:
    """One validated agent: name, eta, pi, sigma, cost domain, menu."""

    name: str
    eta: Vec
    pi: Vec
    sigma: Vec
    kind: str
    lo: Vec
    hi: Vec
    menu: tuple[TradingSet, ...]

    def contains_cost(self, c: Vec | list[Fraction]) -> bool:
        if len(c) != len(self.eta):
            return False
        if self.kind == "box":
            return all(a <= x <= b for a, x, b in zip(self.lo, c, self.hi, strict=True))
        if self.kind == "orthant":
            return all(x >= 0 for x in c)
        return all(x > 0 for x in c)

    def extreme(self, g: Vec | list[Fraction], lowest: bool) -> Fraction | None:
        """min (or max) of g . c over the cost domain; None when it is -inf / +inf (for the
        positive orthant, 0 is an infimum / supremum, attained in the closure)."""
        if self.kind == "box":
            pick = min if lowest else max
            return sum((pick(gi * a, gi * b) for gi, a, b in zip(g, self.lo, self.hi, strict=True)), ZERO)
        if lowest:
            return None if any(x < 0 for x in g) else ZERO
        return None if any(x > 0 for x in g) else ZERO

    def rays(self) -> list[Vec]:
        """The directions of the menu's rays, in menu order."""
        return [t.direction for t in self.menu if t.kind == "ray"]

    def describe_domain(self) -> dict[str, object]:
        """The library's ``CostDomain.describe()`` (JSON text form)."""
        out: dict[str, object] = {"kind": self.kind, "dimension": len(self.eta)}
        if self.kind == "box":
            out["lo"], out["hi"] = texts(self.lo), texts(self.hi)
        return out


def _agent(spec: object, n: int, where: str, with_status_quo: bool) -> Agent:
    required = ("name", "endowment", "performance", "costs", "menu")
    spec = exact_keys(spec, required + (("status_quo",) if with_status_quo else ()), (), where)
    name = text(spec["name"], f"{where}.name")
    ensure(name != "", f"{where}.name: empty name")
    eta = vec(spec["endowment"], n, f"{where}.endowment", nonnegative=True)
    pi = vec(spec["performance"], n, f"{where}.performance")
    sigma = vec(spec["status_quo"], n, f"{where}.status_quo", nonnegative=True) if with_status_quo else eta
    costs = spec["costs"]
    ensure(isinstance(costs, dict), f"{where}.costs: expected an object")
    kind = costs.get("kind")  # type: ignore[union-attr]
    ensure(kind in COST_KINDS, f"{where}.costs.kind: unknown cost domain {kind!r}")
    lo: Vec = ()
    hi: Vec = ()
    if kind == "box":
        costs = exact_keys(costs, ("kind", "lo", "hi"), (), f"{where}.costs")
        lo = vec(costs["lo"], n, f"{where}.costs.lo", nonnegative=True)
        hi = vec(costs["hi"], n, f"{where}.costs.hi")
        for i, (a, b) in enumerate(zip(lo, hi, strict=True)):
            ensure(a <= b, f"{where}.costs: lo[{i}] = {a} exceeds hi[{i}] = {b}")
    else:
        exact_keys(costs, ("kind",), (), f"{where}.costs")
    menu_spec = spec["menu"]
    ensure(isinstance(menu_spec, list) and len(menu_spec) > 0, f"{where}.menu: expected a non-empty list")
    menu = tuple(trading_set(t, n, f"{where}.menu[{k}]") for k, t in enumerate(menu_spec))  # type: ignore[arg-type]
    ensure(
        any(t.is_singleton(eta) for t in menu),
        f"{where}.menu: the menu must contain the endowment alone, {{{texts(eta)}}}",
    )
    return Agent(name, eta, pi, sigma, kind, lo, hi, menu)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Strategy:
    """A validated strategy: ``kind`` fixed (``action``), myopic (``priority``) or regions
    (``regions``: (rows, rhs, strict, action) each; ``default``)."""

    kind: str
    action: int = 0
    priority: tuple[int, ...] = ()
    regions: tuple[tuple[tuple[Vec, ...], Vec, tuple[bool, ...], int], ...] = ()
    default: int = 0


def _strategy(spec: object, size: int, n: int, where: str) -> Strategy:
    ensure(isinstance(spec, dict), f"{where}: expected an object")
    kind = spec.get("kind")  # type: ignore[union-attr]
    if kind == "fixed":
        spec = exact_keys(spec, ("kind", "action"), (), where)
        return Strategy("fixed", action=index(spec["action"], size, f"{where}.action"))
    if kind == "myopic":
        spec = exact_keys(spec, ("kind", "priority"), (), where)
        prio = spec["priority"]
        ensure(isinstance(prio, list), f"{where}.priority: expected a list of menu indices")
        order = tuple(index(k, size, f"{where}.priority[{i}]") for i, k in enumerate(prio))  # type: ignore[arg-type]
        ensure(sorted(order) == list(range(size)), f"{where}.priority: must order the indices 0..{size - 1}")
        return Strategy("myopic", priority=order)
    ensure(kind == "regions", f"{where}.kind: unknown strategy kind {kind!r}")
    spec = exact_keys(spec, ("kind", "regions", "default"), (), where)
    ensure(isinstance(spec["regions"], list), f"{where}.regions: expected a list")
    regions = []
    for r, region in enumerate(spec["regions"]):
        at = f"{where}.regions[{r}]"
        region = exact_keys(region, ("rows", "rhs", "strict", "action"), (), at)
        ensure(isinstance(region["rows"], list), f"{at}.rows: expected a list of rows")
        rows = tuple(vec(row, n, f"{at}.rows[{i}]") for i, row in enumerate(region["rows"]))
        rhs = vec(region["rhs"], len(rows), f"{at}.rhs")
        strict = region["strict"]
        ensure(
            isinstance(strict, list)
            and len(strict) == len(rows)
            and all(isinstance(s, bool) for s in strict),
            f"{at}.strict: expected {len(rows)} booleans",
        )
        regions.append((rows, rhs, tuple(strict), index(region["action"], size, f"{at}.action")))
    return Strategy(
        "regions", regions=tuple(regions), default=index(spec["default"], size, f"{where}.default")
    )


@dataclass(frozen=True)
class Subject:
    """A validated trading subject; ``table`` / ``order`` / ``strategies`` for a mechanism."""

    tasks: tuple[str, ...]
    agents: tuple[Agent, ...]
    supplies: Vec
    table: dict[tuple[int, ...], tuple[Vec, ...]] = field(default_factory=dict)
    order: tuple[tuple[int, ...], ...] = ()
    strategies: tuple[Strategy, ...] = ()

    @property
    def n(self) -> int:
        return len(self.tasks)

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.agents]

    def agent(self, name: object, where: str) -> int:
        """The index of the agent named ``name``."""
        ensure(isinstance(name, str) and name in self.names, f"{where}: unknown agent {name!r}")
        return self.names.index(name)  # type: ignore[arg-type]

    def profiles(self) -> list[tuple[int, ...]]:
        """Every profile of menu indices, in `itertools.product` order."""
        bounded(math.prod(len(a.menu) for a in self.agents), "the profiles of the menus' product")
        return list(itertools.product(*(range(len(a.menu)) for a in self.agents)))

    def clears(self, allocation: list[Vec] | tuple[Vec, ...]) -> bool:
        if len(allocation) != len(self.agents):
            return False
        return all(sum((b[i] for b in allocation), ZERO) == self.supplies[i] for i in range(self.n))

    def status_quo_cost(self) -> Fraction:
        return sum((dot(list(a.pi), list(a.sigma)) for a in self.agents), ZERO)


def _table(spec: object, subject: Subject) -> tuple[dict, tuple]:
    spec = exact_keys(spec, ("table",), (), "subject.selection")
    rows = spec["table"]
    ensure(isinstance(rows, list), "subject.selection.table: expected a list of rows")
    expected = subject.profiles()
    ensure(
        len(rows) == len(expected),  # type: ignore[arg-type]
        f"subject.selection.table: {len(rows)} rows, the menus' product has {len(expected)} profiles",  # type: ignore[arg-type]
    )
    table: dict[tuple[int, ...], tuple[Vec, ...]] = {}
    agents = subject.agents
    for r, (row, want) in enumerate(zip(rows, expected, strict=True)):  # type: ignore[call-overload]
        where = f"subject.selection.table[{r}]"
        row = exact_keys(row, ("profile", "allocation"), (), where)
        prof, alloc = row["profile"], row["allocation"]
        ensure(isinstance(prof, list) and len(prof) == len(agents), f"{where}.profile: one index per agent")
        profile = tuple(
            index(k, len(a.menu), f"{where}.profile[{j}]")
            for j, (a, k) in enumerate(zip(agents, prof, strict=True))
        )
        ensure(
            profile == want, f"{where}.profile: expected {list(want)} (every profile once, in product order)"
        )
        ensure(
            isinstance(alloc, list) and len(alloc) == len(agents), f"{where}.allocation: one bundle per agent"
        )
        bundles = tuple(vec(b, subject.n, f"{where}.allocation[{j}]") for j, b in enumerate(alloc))
        for j, (a, k, x) in enumerate(zip(agents, profile, bundles, strict=True)):
            ensure(a.menu[k].contains(x), f"{where}.allocation[{j}]: not in agent {a.name!r}'s set {k}")
        ensure(subject.clears(bundles), f"{where}: the allocation does not clear the market")
        table[profile] = bundles
    return table, tuple(expected)


def parse_subject(encoding: dict, mechanism: bool) -> Subject:
    """Validate the subject encoding; ``mechanism``: it must carry ``selection`` and
    ``strategies`` (property ``osp``), else it must not."""
    mech_keys = ("selection", "strategies") if mechanism else ()
    encoding = exact_keys(encoding, ("family", "kind", "tasks", "agents", *mech_keys), (), "subject")
    ensure(encoding["kind"] == "economy", f"subject.kind: unknown trading subject kind {encoding['kind']!r}")
    tasks = encoding["tasks"]
    ensure(isinstance(tasks, list) and len(tasks) > 0, "subject.tasks: expected a non-empty list of names")
    names = tuple(text(t, f"subject.tasks[{i}]") for i, t in enumerate(tasks))  # type: ignore[arg-type]
    for i, t in enumerate(names):
        ensure(t != "", f"subject.tasks[{i}]: empty name")
        ensure(t not in names[:i], f"subject.tasks[{i}]: duplicate task name {t!r}")
    n = len(names)
    specs = encoding["agents"]
    ensure(isinstance(specs, list) and len(specs) > 0, "subject.agents: expected a non-empty list")
    with_sq = isinstance(specs[0], dict) and "status_quo" in specs[0]  # type: ignore[index]
    agents = tuple(_agent(s, n, f"subject.agents[{j}]", with_sq) for j, s in enumerate(specs))  # type: ignore[arg-type]
    for j, a in enumerate(agents):
        ensure(a.name not in [b.name for b in agents[:j]], f"subject.agents[{j}].name: duplicate {a.name!r}")
    supplies = tuple(sum((a.eta[i] for a in agents), ZERO) for i in range(n))
    for i in range(n if with_sq else 0):  # the status quo is an allocation: it clears the market
        if sum((a.sigma[i] for a in agents), ZERO) != supplies[i]:  # (no number printed: any size)
            fail(
                f"subject.agents: the status quo of task {names[i]!r} does not sum to its supply "
                "(the endowments' sum)"
            )
    subject = Subject(names, agents, supplies)
    if not mechanism:
        return subject
    table, order = _table(encoding["selection"], subject)
    strategies = encoding["strategies"]
    ensure(
        isinstance(strategies, list) and len(strategies) == len(agents),
        "subject.strategies: expected one strategy per agent",
    )
    parsed = tuple(
        _strategy(s, len(a.menu), n, f"subject.strategies[{j}]")
        for j, (s, a) in enumerate(zip(strategies, agents, strict=True))  # type: ignore[call-overload]
    )
    return Subject(names, agents, supplies, table, order, parsed)
