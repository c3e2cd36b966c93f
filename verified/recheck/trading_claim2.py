"""``one-improving-set`` certificates (Valenzuela-Stookey, proof of Theorem 2, Claim 2), re-verified
from the subject alone (stdlib only).

The claim, per agent j: no type c in C_j has two different sets of the menu each offering a point x
with c . x < c . eta_j. A set offers such a point iff c . u < 0 for one of its *improving
directions* u, which the checker derives from the subject itself: v - eta for every vertex v of a
bounded set (a point set's points, a polytope's listed vertices, a remedial set's corners, a
clipped ray's two ends), and origin - eta and the direction for an unbounded ray; zero directions
and repeats dropped, order kept.

* holds (``per_agent`` items of kind ``improving_set_programs``): ``eta``, ``sets``, ``domain`` and
  ``directions`` equal the subject's (re-derived); ``pairs`` lists every pair of sets k' < k''
  and every pair (u, w) of their directions exactly once, in order (`itertools.combinations`
  then `itertools.product`). For each the checker writes the LP itself,

      max s  s.t.  c . u + s <= 0,  c . w + s <= 0,  s <= 1,  s free, c >= 0, and
      box: lo <= c <= hi;  orthant: c <= 1;  positive orthant: c <= 1 and c_i - s >= 0,

  requires the stated ``lp`` to be exactly that program (field by field, row by row, in the
  canonical JSON form: zero coefficients left out, every lower bound given), and verifies the optimal
  ``certificate`` against its own program (`verified.recheck.lp.Program`) with optimum <= 0.
  Then no type makes both directions negative: a box is compact (s = min(-c.u, -c.w, 1) is
  positive at such a type), and the orthants are cones (scale the type into c <= 1; for the
  positive orthant s <= min c_i > 0).
* fails (``two_improving_sets``): ``agent``; the type ``cost`` lies in her C_j; ``eta_cost``
  = c . eta (recomputed); ``sets`` are two indices k' < k''; ``points`` lie in those sets
  (exact membership; a polytope's point must be a listed vertex) and ``point_costs``
  (recomputed) are both below ``eta_cost``.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from verified.recheck.core import dot, ensure, exact_keys, index
from verified.recheck.lp import Program
from verified.recheck.trading import check_per_agent, same, same_number, same_vector
from verified.recheck.trading_subject import (
    Agent,
    Subject,
    TradingSet,
    Vec,
    bounded,
    fraction_text,
    texts,
    vec,
)

ZERO, ONE = Fraction(0), Fraction(1)
HOLDS_KIND = "improving_set_programs"
FAILS_KIND = "two_improving_sets"
PAIR_KEYS = ("sets", "directions", "lp", "certificate")


def improving_directions(t: TradingSet, eta: Vec) -> list[Vec]:
    """The set's improving directions (module docstring), in the library's order."""
    if t.kind == "ray" and not t.bounded:
        candidates = [tuple(a - b for a, b in zip(t.origin, eta, strict=True)), t.direction]
    else:
        candidates = [tuple(a - b for a, b in zip(v, eta, strict=True)) for v in t.vertices()]
    out: list[Vec] = []
    for u in candidates:
        if any(x != 0 for x in u) and u not in out:
            out.append(u)
    return out


def _row(name: str, coefficients: dict[str, Fraction], sense: str, rhs: Fraction) -> dict:
    return {
        "name": name,
        "coefficients": {v: fraction_text(a) for v, a in coefficients.items() if a != 0},
        "sense": sense,
        "rhs": fraction_text(rhs),
    }


def pair_program(agent: Agent, u: Vec, w: Vec) -> dict:
    """The LP of one pair of directions in its JSON form (`verified.recheck.lp`), written by the
    checker from the subject (see above); zero coefficients left out, every lower bound given."""
    n = len(u)
    c = [f"c[{i}]" for i in range(n)]
    rows = [
        _row("first", {**dict(zip(c, u, strict=True)), "s": ONE}, "<=", ZERO),
        _row("second", {**dict(zip(c, w, strict=True)), "s": ONE}, "<=", ZERO),
        _row("cap", {"s": ONE}, "<=", ONE),
    ]
    for i in range(n):
        if agent.kind == "box":
            rows.append(_row(f"lo[{i}]", {c[i]: ONE}, ">=", agent.lo[i]))
            rows.append(_row(f"hi[{i}]", {c[i]: ONE}, "<=", agent.hi[i]))
        else:
            rows.append(_row(f"hi[{i}]", {c[i]: ONE}, "<=", ONE))
            if agent.kind == "positive_orthant":
                rows.append(_row(f"positive[{i}]", {c[i]: ONE, "s": -ONE}, ">=", ZERO))
    spec = {
        "variables": [*c, "s"],
        "constraints": rows,
        "objective": {"s": "1"},
        "sense": "max",
        "lower": {**{v: "0" for v in c}, "s": None},
    }
    return spec


def same_lp(stated: object, derived: dict, where: str) -> None:
    """The stated LP is exactly the derived one, compared field by field and row by row."""
    stated = exact_keys(stated, ("variables", "constraints", "objective", "sense", "lower"), (), where)
    for key in ("variables", "objective", "sense", "lower"):
        same(stated[key], derived[key], f"{where}.{key}")
    rows, wanted = stated["constraints"], derived["constraints"]
    ensure(
        isinstance(rows, list) and len(rows) == len(wanted),
        f"{where}.constraints: expected {len(wanted)} rows",
    )
    for r, (row, want) in enumerate(zip(rows, wanted, strict=True)):  # type: ignore[arg-type]
        same(row, want, f"{where}.constraints[{r}]")


def check_programs(agent: Agent, ev: object, where: str) -> None:
    """One agent's HOLDS evidence: every pair's LP re-derived and its dual certificate verified."""
    ev = exact_keys(ev, ("kind", "eta", "sets", "domain", "directions", "pairs"), (), where)
    ensure(ev["kind"] == HOLDS_KIND, f"{where}.kind: expected {HOLDS_KIND!r}")
    size = len(agent.menu)  # bounded work first: the subject alone fixes how many LPs to check
    bounded(size * (size - 1) // 2, f"{where}: the pairs of sets")
    bounded(  # every set's corners are listed once: counted before any is
        sum(t.vertex_count() if t.bounded else 2 for t in agent.menu), f"{where}: the corners of the menu"
    )
    dirs = [improving_directions(t, agent.eta) for t in agent.menu]
    combos = list(itertools.combinations(range(size), 2))
    bounded(sum(len(dirs[k1]) * len(dirs[k2]) for k1, k2 in combos), f"{where}: the pairs of directions")
    wanted = [(k1, k2, u, w) for k1, k2 in combos for u, w in itertools.product(dirs[k1], dirs[k2])]
    same(ev["eta"], texts(agent.eta), f"{where}.eta")
    same(ev["sets"], [t.describe() for t in agent.menu], f"{where}.sets")
    same(ev["domain"], agent.describe_domain(), f"{where}.domain")
    same(ev["directions"], [[texts(u) for u in d] for d in dirs], f"{where}.directions")
    pairs = ev["pairs"]
    ensure(
        isinstance(pairs, list) and len(pairs) == len(wanted),
        f"{where}.pairs: one LP per pair of sets and pair of directions ({len(wanted)})",
    )
    for p, (pair, (k1, k2, u, w)) in enumerate(zip(pairs, wanted, strict=True)):  # type: ignore[arg-type]
        at = f"{where}.pairs[{p}]"
        pair = exact_keys(pair, PAIR_KEYS, (), at)
        same(pair["sets"], [k1, k2], f"{at}.sets")
        same(pair["directions"], [texts(u), texts(w)], f"{at}.directions")
        derived = pair_program(agent, u, w)
        same_lp(pair["lp"], derived, f"{at}.lp")
        program = Program(derived, f"{at}: the derived LP")
        value = program.check_certificate(pair["certificate"], "optimal", f"{at}.certificate")
        ensure(
            value is not None and value <= 0,
            f"{at}: the LP optimum {value} is positive, so some type improves in both sets {k1}, {k2}",
        )


def check_two_improving_sets(subject: Subject, ev: dict) -> None:
    """FAILS: a type in C_j and two different sets, each with a point cheaper than eta_j."""
    keys = ("kind", "agent", "cost", "eta_cost", "sets", "points", "point_costs")
    ev = exact_keys(ev, keys, (), "evidence")
    agent = subject.agents[subject.agent(ev["agent"], "evidence.agent")]
    c = vec(ev["cost"], subject.n, "evidence.cost")
    ensure(agent.contains_cost(c), "evidence.cost: the type is outside the agent's cost domain")
    level = dot(list(c), list(agent.eta))
    same_number(ev["eta_cost"], level, "evidence.eta_cost")
    sets, points = ev["sets"], ev["points"]
    ensure(isinstance(sets, list) and len(sets) == 2, "evidence.sets: expected two set indices")
    ensure(isinstance(points, list) and len(points) == 2, "evidence.points: expected two points")
    size = len(agent.menu)
    first, second = (index(k, size, f"evidence.sets[{i}]") for i, k in enumerate(sets))  # type: ignore[arg-type]
    ensure(first < second, "evidence.sets: two different sets, the smaller index first")
    costs = []
    for i, (k, x) in enumerate(zip((first, second), points, strict=True)):  # type: ignore[arg-type]
        point = vec(x, subject.n, f"evidence.points[{i}]")
        ensure(agent.menu[k].contains(point), f"evidence.points[{i}]: not in set {k} of the menu")
        cost = dot(list(c), list(point))
        ensure(cost < level, f"evidence.points[{i}]: costs {cost}, not below c . eta = {level}")
        costs.append(cost)
    same_vector(ev["point_costs"], costs, "evidence.point_costs")


def recheck_claim2(subject: Subject, verdict: str, evidence: dict) -> None:
    """Re-verify a ``one-improving-set`` certificate (module docstring); raise `RecheckError`."""
    if verdict == "fails":
        check_two_improving_sets(subject, evidence)
        return
    check_per_agent(subject, "one-improving-set", evidence)
