"""Claim 2 of the proof of Theorem 2 (Valenzuela-Stookey) as a checkable statement.

Claim 2: in an OSP trading mechanism, for every type c_j, every set T_j^k the agent does NOT
choose (k != s_j(c_j)) stays weakly above the endowment: c_j . x >= c_j . eta_j for all x in
T_j^k. The proof: eta_j lies in the chosen set (Claim 1), so the chosen set's worst case is at
least c_j . eta_j; a point x of another set with c_j . x < c_j . eta_j would beat it.

At the level of one menu and one type (`check_claim2`): every obviously dominant choice k at c
(`verified.trading.osp.obviously_dominant_choices`) leaves no point below c . eta in the other
sets. The statement needs Claim 1 (eta in the chosen set): the FAILS evidence of a menu whose
dominant set lacks eta shows the claim is false without it.

Over a whole cost domain (`check_claim2_menu`), Claim 2 gives a necessary condition for menu
level OSP: no type c in C_j has two different sets each offering a point strictly below c . eta
(with eta in every set, at such a c no choice is obviously dominant). For each pair of sets
k' < k'' and each pair of "improving directions" u (of T^k') and w (of T^k'') -- v - eta for the
vertices v of a bounded set, origin - eta and the direction for an unbounded ray; a set has a
point below c . eta iff c . u < 0 for one of its directions -- one exact LP

    max s  subject to  c . u + s <= 0,  c . w + s <= 0,  s <= 1,  c in C_j
    (orthants: 0 <= c <= 1, and c_i >= s for the positive orthant; the cone is scale-free)

decides whether such a c exists (optimum s > 0). HOLDS carries every LP's dual certificate
(optimum <= 0); FAILS the type, both improving points, and the menu-level OSP counterexample at
that type (re-verified with `obviously_dominant_choices`).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations, product
from typing import Any

from verified.errors import InvalidInput
from verified.lp import Constraint, LinearProgram, solve_exact
from verified.numbers import fraction_text
from verified.results import CheckResult, fails, holds, unknown
from verified.trading.model import CostDomain, Vector, dot, vector
from verified.trading.osp import counterexample_at, obviously_dominant_choices
from verified.trading.sets import Ray, TradingSet, describe_set

ZERO, ONE = Fraction(0), Fraction(1)
CLAIM2 = "claim2"
CLAIM2_MENU = "claim2_menu"


def _check_menu(menu: Sequence[TradingSet], eta: Vector) -> None:
    if isinstance(menu, (str, bytes)) or len(menu) == 0:
        raise InvalidInput("the menu is empty", "menu")
    for k, t in enumerate(menu):
        if not hasattr(t, "minimize") or t.dimension != len(eta):
            raise InvalidInput(f"expected a trading set of dimension {len(eta)}", f"menu[{k}]")


def point_below(t: TradingSet, eta: Vector, c: Vector) -> Vector | None:
    """A point x of t with c . x < c . eta, or None (exact; unbounded rays included)."""
    level = dot(c, eta)
    ext = t.minimize(c)
    if ext.bounded:
        assert ext.value is not None
        return ext.point if ext.value < level else None
    assert ext.direction is not None
    slope, base = dot(c, ext.direction), dot(c, ext.point)  # slope < 0
    y = max(ZERO, (base - level) / -slope) + 1
    return tuple(p + y * d for p, d in zip(ext.point, ext.direction, strict=True))


def check_claim2(menu: Sequence[TradingSet], eta: Sequence[object], c: Sequence[object]) -> CheckResult:
    """Claim 2 at one type: no set other than an obviously dominant choice has a point below c . eta.

    HOLDS (kind ``"claim2"``): ``eta_cost`` = c . eta, ``dominant`` (the obviously dominant
    choices), ``eta_in_set`` per set (Claim 1), ``below`` (per set a point under c . eta, or
    null). FAILS (kind ``"claim2_violation"``, same fields plus ``choice``, ``other``, ``point``):
    a dominant choice k and another set with a point below c . eta; this needs eta not in T^k."""
    e = vector(eta, "eta")
    cv = vector(c, "cost type", len(e))
    _check_menu(menu, e)
    dominant = obviously_dominant_choices(menu, cv)
    below = [point_below(t, e, cv) for t in menu]
    evidence: dict[str, Any] = {
        "kind": "claim2",
        "cost": list(cv),
        "eta_cost": dot(cv, e),
        "dominant": list(dominant),
        "eta_in_set": [t.contains(e) for t in menu],
        "below": [None if x is None else list(x) for x in below],
    }
    for k in dominant:
        for k2, x in enumerate(below):
            if k2 != k and x is not None:
                evidence.update({"kind": "claim2_violation", "choice": k, "other": k2, "point": list(x)})
                return fails(CLAIM2, evidence)
    return holds(CLAIM2, evidence)


def improving_directions(t: TradingSet, eta: Vector) -> tuple[Vector, ...]:
    """Directions u with: t has a point x with c . x < c . eta iff c . u < 0 for some u."""
    if isinstance(t, Ray) and not t.is_bounded:
        cands = [tuple(a - b for a, b in zip(t.origin, eta, strict=True)), t.direction]
    else:
        cands = [tuple(a - b for a, b in zip(v, eta, strict=True)) for v in t.vertices()]
    out: list[Vector] = []
    for u in cands:
        if any(x != 0 for x in u) and u not in out:
            out.append(u)
    return tuple(out)


def _pair_program(u: Vector, w: Vector, domain: CostDomain) -> LinearProgram:
    n = len(u)
    names = tuple(f"c[{i}]" for i in range(n)) + ("s",)
    rows = [
        Constraint({**{f"c[{i}]": u[i] for i in range(n)}, "s": ONE}, "<=", ZERO, "first"),
        Constraint({**{f"c[{i}]": w[i] for i in range(n)}, "s": ONE}, "<=", ZERO, "second"),
        Constraint({"s": ONE}, "<=", ONE, "cap"),
    ]
    if domain.kind == "box":
        assert domain.lo is not None and domain.hi is not None
        for i in range(n):
            rows.append(Constraint({f"c[{i}]": ONE}, ">=", domain.lo[i], f"lo[{i}]"))
            rows.append(Constraint({f"c[{i}]": ONE}, "<=", domain.hi[i], f"hi[{i}]"))
    else:
        for i in range(n):
            rows.append(Constraint({f"c[{i}]": ONE}, "<=", ONE, f"hi[{i}]"))
            if domain.kind == "positive_orthant":
                rows.append(Constraint({f"c[{i}]": ONE, "s": -ONE}, ">=", ZERO, f"positive[{i}]"))
    lower: dict[str, Fraction | None] = {"s": None}
    return LinearProgram(names, tuple(rows), {"s": ONE}, "max", lower)


def check_claim2_menu(
    menu: Sequence[TradingSet], eta: Sequence[object], domain: CostDomain, *, time_limit: float | None = None
) -> CheckResult:
    """Claim 2's necessary condition for OSP over a cost domain (module docstring).

    Every set must contain eta (Claim 1; `InvalidInput` names the set otherwise). HOLDS (kind
    ``"claim2_no_double_improvement"``): ``pairs``, per pair of sets and directions, the LP's
    optimal certificate with optimum <= 0. FAILS (kind ``"claim2_double_improvement"``): the type
    ``cost``, the two sets and their points below c . eta, and ``counterexample``: the menu-level
    OSP counterexample at that type (no choice is obviously dominant)."""
    e = vector(eta, "eta", domain.dimension)
    _check_menu(menu, e)
    for k, t in enumerate(menu):
        if not t.contains(e):
            raise InvalidInput(
                f"the set does not contain eta = {[fraction_text(x) for x in e]} (Claim 1)", f"menu[{k}]"
            )
    pairs = []
    dirs = [improving_directions(t, e) for t in menu]
    for k1, k2 in combinations(range(len(menu)), 2):
        for u, w in product(dirs[k1], dirs[k2]):
            result = solve_exact(_pair_program(u, w, domain), time_limit=time_limit)
            if result.status != "optimal" or result.objective is None:
                return unknown(CLAIM2_MENU, f"LP for sets {k1}, {k2}: {result.reason or result.status}")
            if result.objective > 0:
                c = tuple(result.primal.get(f"c[{i}]", ZERO) for i in range(len(e)))
                x1, x2 = point_below(menu[k1], e, c), point_below(menu[k2], e, c)
                assert x1 is not None and x2 is not None, "the LP type must improve in both sets"
                if obviously_dominant_choices(menu, c):
                    raise AssertionError(f"Claim 2: type {c} has an obviously dominant choice")
                cex = counterexample_at(menu, domain, c, "claim2")
                evidence = {
                    "kind": "claim2_double_improvement",
                    "cost": list(c),
                    "sets": [k1, k2],
                    "points": [list(x1), list(x2)],
                    "eta_cost": dot(c, e),
                    "counterexample": cex.evidence,
                }
                return fails(CLAIM2_MENU, evidence)
            pairs.append({"sets": [k1, k2], "directions": [list(u), list(w)], "lp": result.to_evidence()})
    evidence = {
        "kind": "claim2_no_double_improvement",
        "sets": [describe_set(t) for t in menu],
        "domain": domain.describe(),
        "pairs": pairs,
    }
    return holds(CLAIM2_MENU, evidence)
