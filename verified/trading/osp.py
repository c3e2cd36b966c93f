"""Menu-level obvious strategy-proofness (Valenzuela-Stookey, section 3, Theorem 2).

A menu T^1..T^m (one agent's trading sets) is OSP at the menu level, for the
cost domain C, when every type c in C has an obviously dominant choice k::

    sup {c . x : x in T^k}  <=  inf {c . x : x in T^k'}   for every k' != k,

whatever the selection rule picks inside the sets. Negation: some c in C has,
for every k, a deviation k' with sup_{T^k} c.x > inf_{T^k'} c.x.

Each set is summarised by finitely many points V (its vertices, or a ray's
origin) and recession directions D (a monotone ray's direction). Then
sup_{T^k} c.x > inf_{T^k'} c.x iff one of the *atoms* a . c > 0 holds, for
a = d (d in D_k), a = -d (d in D_k'), or a = v - w (v in V_k, w in V_k')
(an unbounded sup is +inf and is handled by the first kind). So the
violation is  c in C  and  AND_k OR_{atoms a of k} a . c > 0.

Two exact procedures:

- ``method="smt"``: that formula in linear real arithmetic for z3 (via
  `verified.smt`); unsat -> HOLDS with the query's digest, time-out -> UNKNOWN.
- ``method="direct"``: depth-first choice of one atom per k, pruned by exact
  Fourier-Motzkin; every pruned branch carries a Motzkin certificate, so HOLDS
  comes with a refutation tree that a re-checker verifies with Fractions only.

A FAILS verdict from either is re-verified exactly with the sets' own
``maximize``/``minimize`` and reported with concrete crossing points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import z3

from verified.errors import InvalidInput
from verified.results import CheckResult, digest, fails, holds, unknown
from verified.smt import real, solve, to_z3
from verified.trading.fourier_motzkin import Inequality, solve_system
from verified.trading.model import CostDomain, LinearDescription, Vector, dot, vector
from verified.trading.sets import Ray, TradingSet, describe_set

PROPERTY = "menu_osp"
ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class _Shape:
    points: tuple[Vector, ...]
    directions: tuple[Vector, ...]


def _shape(t: TradingSet) -> _Shape:
    if isinstance(t, Ray) and not t.is_bounded:
        return _Shape((t.origin,), (t.direction,))
    return _Shape(tuple(t.vertices()), ())


def _atoms_for(shapes: Sequence[_Shape], k: int) -> list[Vector]:
    """Atoms a (a . c > 0 means: choice k's worst case beats some other choice's best case)."""
    out: list[Vector] = []
    for d in shapes[k].directions:
        out.append(d)
    for k2, other in enumerate(shapes):
        if k2 == k:
            continue
        for d in other.directions:
            out.append(tuple(-x for x in d))
        for v in shapes[k].points:
            for w in other.points:
                out.append(tuple(a - b for a, b in zip(v, w, strict=True)))
    unique: list[Vector] = []
    for a in out:
        if any(x != 0 for x in a) and a not in unique:
            unique.append(a)
    return unique


def _validate(menu: Sequence[TradingSet], domain: CostDomain) -> None:
    if len(menu) == 0:
        raise InvalidInput("the menu is empty", "menu")
    for k, t in enumerate(menu):
        if t.dimension != domain.dimension:
            raise InvalidInput(
                f"dimension {t.dimension}, the cost domain has {domain.dimension}", f"menu[{k}]"
            )


def _witness_point(t: TradingSet, c: Vector, sense: str, beyond: Fraction | None) -> Vector:
    """A point of t whose cost is the extremum, or (unbounded) beyond the given level."""
    ext = t.maximize(c) if sense == "max" else t.minimize(c)
    if ext.bounded:
        return ext.point
    assert ext.direction is not None
    slope = dot(c, ext.direction)
    base = dot(c, ext.point)
    level = beyond if beyond is not None else base + (1 if sense == "max" else -1)
    # move far enough along the direction to pass the level strictly
    y = max(ZERO, (level - base) / slope) + 1
    return tuple(p + y * d for p, d in zip(ext.point, ext.direction, strict=True))


def crossing(menu: Sequence[TradingSet], c: Vector, k: int, k2: int) -> tuple[Vector, Vector] | None:
    """(x in T^k, x' in T^k2) with c . x > c . x', or None when sup_{T^k} <= inf_{T^k2}."""
    top, bottom = menu[k].maximize(c), menu[k2].minimize(c)
    if top.bounded and bottom.bounded:
        assert top.value is not None and bottom.value is not None
        return (top.point, bottom.point) if top.value > bottom.value else None
    if not bottom.bounded:
        x = top.point
        return x, _witness_point(menu[k2], c, "min", dot(c, x))
    x2 = bottom.point
    return _witness_point(menu[k], c, "max", dot(c, x2)), x2


def obviously_dominant_choices(menu: Sequence[TradingSet], c: Sequence[object]) -> tuple[int, ...]:
    """The choices k that are obviously dominant for type c (menu level), in menu order."""
    cv = vector(c, "cost type")
    return tuple(
        k
        for k in range(len(menu))
        if all(crossing(menu, cv, k, k2) is None for k2 in range(len(menu)) if k2 != k)
    )


def counterexample_at(
    menu: Sequence[TradingSet], domain: CostDomain, c: Vector, method: str = "given"
) -> CheckResult:
    """FAILS with the exact crossing evidence at type c (raises AssertionError if c is in fact
    no counterexample: callers only pass types they derived as counterexamples)."""
    return _counterexample(menu, domain, c, method)


def _counterexample(menu: Sequence[TradingSet], domain: CostDomain, c: Vector, method: str) -> CheckResult:
    if not domain.contains(c):
        raise AssertionError(f"solver type {c} is outside the cost domain")
    rows = []
    for k in range(len(menu)):
        found = None
        for k2 in range(len(menu)):
            if k2 != k:
                pair = crossing(menu, c, k, k2)
                if pair is not None:
                    found = (k2, pair)
                    break
        if found is None:
            raise AssertionError(f"type {c} has the obviously dominant choice {k}: the encoding is wrong")
        k2, (x, x2) = found
        rows.append(
            {
                "choice": k,
                "deviation": k2,
                "worse_point": list(x),
                "worse_cost": dot(c, x),
                "better_point": list(x2),
                "better_cost": dot(c, x2),
                "sup_choice": menu[k].maximize(c).describe(),
                "inf_deviation": menu[k2].minimize(c).describe(),
            }
        )
    evidence = {
        "kind": "menu_osp_counterexample",
        "cost": list(c),
        "domain": domain.describe(),
        "sets": [describe_set(t) for t in menu],
        "choices": rows,
    }
    return fails(PROPERTY, evidence, method=method)


def _domain_inequalities(domain: CostDomain) -> list[Inequality]:
    desc: LinearDescription = domain.linear_description()
    return [Inequality(r, b, s) for r, b, s in zip(desc.rows, desc.rhs, desc.strict, strict=True)]


def _smt(
    menu: Sequence[TradingSet], domain: CostDomain, atoms: list[list[Vector]], timeout_ms: int
) -> CheckResult:
    n = domain.dimension
    c = [real(f"c_{i}") for i in range(n)]
    constraints = []
    for q in _domain_inequalities(domain):
        lhs = z3.Sum(*[to_z3(a) * ci for a, ci in zip(q.coeffs, c, strict=True)])
        constraints.append(lhs < to_z3(q.rhs) if q.strict else lhs <= to_z3(q.rhs))
    for per_k in atoms:
        disjuncts = [z3.Sum(*[to_z3(a) * ci for a, ci in zip(atom, c, strict=True)]) > 0 for atom in per_k]
        constraints.append(z3.Or(*disjuncts) if disjuncts else z3.BoolVal(False))
    outcome = solve(constraints, {f"c_{i}": c[i] for i in range(n)}, timeout_ms=timeout_ms)
    if outcome.unknown:
        return unknown(
            PROPERTY, f"z3: {outcome.reason_unknown}", {"kind": "timeout", "timeout_ms": timeout_ms}
        )
    if outcome.sat:
        point = tuple(Fraction(outcome.value(f"c_{i}")) for i in range(n))  # type: ignore[arg-type]
        return _counterexample(menu, domain, point, "smt")
    query = {"domain": domain.describe(), "atoms": [[list(a) for a in per_k] for per_k in atoms]}
    return holds(
        PROPERTY,
        {
            "kind": "exhaustive_smt",
            "statement": "no c in the domain has, for every choice k, an atom a of k with a . c > 0",
            "sets": [describe_set(t) for t in menu],
            "query": query,
            "query_digest": digest(query),
        },
        method="smt",
    )


def _direct(
    menu: Sequence[TradingSet], domain: CostDomain, atoms: list[list[Vector]], node_limit: int
) -> CheckResult:
    base = _domain_inequalities(domain)
    n = domain.dimension
    refuted: list[dict[str, object]] = []
    nodes = 0
    stack: list[tuple[int, ...]] = [()]
    while stack:
        prefix = stack.pop()
        nodes += 1
        if nodes > node_limit:
            return unknown(PROPERTY, f"direct search exceeded {node_limit} nodes", {"kind": "resource_limit"})
        system = base + [
            Inequality(tuple(-a for a in atoms[k][i]), ZERO, True) for k, i in enumerate(prefix)
        ]  # -a . c < 0, i.e. a . c > 0
        result = solve_system(system, n)
        if result is None:
            return unknown(PROPERTY, "Fourier-Motzkin row limit exceeded", {"kind": "resource_limit"})
        if not result.feasible:
            assert result.multipliers is not None
            refuted.append({"choice": list(prefix), "multipliers": list(result.multipliers)})
            continue
        if len(prefix) == len(atoms):
            assert result.point is not None
            return _counterexample(menu, domain, result.point, "direct")
        depth = len(prefix)
        for i in reversed(range(len(atoms[depth]))):
            stack.append(prefix + (i,))
    refuted.sort(key=lambda r: r["choice"])  # type: ignore[arg-type, return-value]
    domain_rows = [{"coeffs": list(q.coeffs), "rhs": q.rhs, "strict": q.strict} for q in base]
    return holds(
        PROPERTY,
        {
            "kind": "refutation_tree",
            "statement": (
                "every way of picking one atom a_k per choice k (a_k . c > 0) is infeasible together "
                "with the domain rows; each refuted prefix has Motzkin multipliers over "
                "domain rows then the prefix's atoms written as -a . c < 0"
            ),
            "sets": [describe_set(t) for t in menu],
            "domain": domain.describe(),
            "domain_rows": domain_rows,
            "atoms": [[list(a) for a in per_k] for per_k in atoms],
            "refuted": refuted,
        },
        method="direct",
        nodes=nodes,
    )


def check_menu_osp(
    menu: Sequence[TradingSet],
    domain: CostDomain,
    *,
    method: str = "smt",
    timeout_ms: int = 20000,
    node_limit: int = 200000,
) -> CheckResult:
    """Menu-level OSP (Valenzuela-Stookey, Theorem 2, with sup/inf over the trading sets).

    Every type c in ``domain`` must have a choice k with
    sup_{x in T^k} c.x <= inf_{x in T^k'} c.x for every k' != k.

    FAILS evidence (kind ``"menu_osp_counterexample"``): ``cost`` c, the
    ``domain``, the ``sets``, and for every ``choice`` k a ``deviation`` k'
    with ``worse_point`` in T^k and ``better_point`` in T^k' such that
    ``worse_cost`` = c . worse_point > ``better_cost`` = c . better_point (so
    k is not obviously dominant), plus the exact sup/inf for information.
    HOLDS evidence: kind ``"exhaustive_smt"`` (the query and its digest) or
    ``"refutation_tree"`` (method ``"direct"``: atoms, domain rows and, for
    every refuted prefix of atom choices, Motzkin multipliers).
    """
    _validate(menu, domain)
    shapes = [_shape(t) for t in menu]
    atoms = [_atoms_for(shapes, k) for k in range(len(menu))]
    if method == "smt":
        return _smt(menu, domain, atoms, timeout_ms)
    if method == "direct":
        return _direct(menu, domain, atoms, node_limit)
    raise InvalidInput(f"unknown method {method!r}; use 'smt' or 'direct'", "method")


def is_menu_osp(menu: Sequence[TradingSet], domain: CostDomain, **options: object) -> bool:
    return check_menu_osp(menu, domain, **options).holds  # type: ignore[arg-type]
