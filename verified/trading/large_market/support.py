"""The support function S_j(w) of the OSP-feasible set F_j, exactly, on a finite type support
(Valenzuela-Stookey, section 4.2: the display after Proposition 2, Corollary 2, Lemma 5).

    S_j(w) = sup { w . E_j[P_j(s_j(c_j))] : a menu of polarized rays from eta_j (or the remedial
             menu {eta_j}, {0 <= x <= eta_j}), a myopically optimal strategy s_j and individual
             selections P_j(k) in T_j^k }

Notation. Types c_1..c_m (each > 0) with probabilities p_1..p_m; for a set A of types,
Q(A) = sum_{t in A} p_t. A ray menu with selections is described by the displacements
d_k = P_j(k) - eta_j (k = 1..K): eta_j + d_k >= 0, and d_k is a non-negative multiple of the
ray's direction kappa_k, so the nonzero d_k are non-monotone and pairwise polarized exactly when
the rays are. The agent's expected bundle is E = eta_j + sum_k Q(A_k) d_k, where A_k is the set of
types choosing ray k and A_0 the types staying at {eta_j}.

UPPER BOUND (the completeness argument). Let D(A) = {d : d >= -eta_j, c_t . d <= 0 for t in A,
c_t . d >= 0 for t not in A} and u(A) = max { w . d : d in D(A) }, an exact LP (bounded: A is
non-empty and every c_t > 0; feasible: d = 0). For any polarized ray menu with a myopic strategy:

1. a type t in A_k weakly prefers P(k) to eta_j (myopic, eta_j is on the menu): c_t . d_k <= 0;
2. a type t in A_0 weakly prefers eta_j to every P(k): c_t . d_k >= 0;
3. a type t in A_k' (k' != k): c_t . d_k' <= 0 by 1; if d_k' != 0, Lemma 5 for the polarized pair
   gives c_t . d_k >= 0; if d_k' = 0, myopia gives c_t . d_k >= c_t . d_k' = 0.

So d_k lies in D(A_k) for every k; the A_k are disjoint; by Corollary 2 at most I of the d_k
are nonzero (polarized non-monotone directions have disjoint negative supports). Hence
w . E <= w . eta_j + max { sum_k Q(A_k) u(A_k)^+ : at most I disjoint non-empty sets A_k } =: U_rays.
Every value is enumerated: one LP per non-empty subset of the support (2^m - 1 of them, each with
I variables and m rows) and an exact dynamic programme over at most I disjoint subsets (at most
I * 3^m steps).

Virtual types (I >= 3). Steps 2-3 need no myopia for a cost v >= 0 outside the support: for a
polarized family, v . d_k < 0 for at most one k, and then v . d_k' >= 0 for the others (Lemma 5);
if no such k exists, v . d_k >= 0 for all k. So v can be placed in the A_k with v . d_k < 0, or in
A_0, with probability 0, and the bound stays valid while D(A) shrinks (with v = e_i it encodes
Corollary 2's disjoint negative supports). For I >= 3 the unit costs e_1..e_I are added: the LPs
are then the (2^m - 1) 2^I sets with at least one real type, and the DP runs over m + I members.
(For I = 2 they are not needed: the bound closes without them, see below.)

The remedial menu gives E in the box [0, eta_j] (the types' choice between eta_j
and a point x <= eta_j is weak for every c > 0, and mixing is a convex combination), so its best
value is R = sum_i max(w_i, 0) eta_j(i). Hence S_j(w) <= U := max(U_rays, R). Each LP's bound is
certified by its dual: multipliers y_t (>= 0 on the rows of A, <= 0 on the others) with reduced
costs r = w - sum_t y_t c_t <= 0, which give w . d <= -r . eta_j on D(A).

LOWER BOUND (a realised menu). The remedial corner x_i = eta_j(i) if w_i > 0 else 0 attains R.
For a packing attaining U_rays, the LP optima d_k are checked: if the nonzero ones are
non-monotone and polarized, the menu {eta_j} + {rays eta_j + y d_k} with selections eta_j + d_k is
a genuine polarized ray mechanism; its types are sorted again from scratch (each type picks a
least-cost option, ties broken in the designer's favour: the program maximises over s_j, and an
indifferent type may take any option in its argmin) and w . E is computed; a lone d <= 0 is the
remedial menu with selection eta_j + d. If that realised value equals U, S_j(w) is EXACT. Other
packings are tried (best first, up to `MAX_PACKINGS_TRIED`) when the best one is not polarized.
Otherwise the answer is UNKNOWN with the bracket [lower, upper] and the reason: the relaxation
dropped the polarization constraint, which couples the rays bilinearly (for a pair with negative
tasks i of d and l of d', it reads ``d_l d'_i >= |d_i| |d'_l|``), and an optimum on that curved
boundary can be irrational. In the two-task case (Remark 1) the bracket always closes when w
has a positive entry (tests: brute force over threshold prices); with w <= 0, S_j(w) = 0 exactly
(remedial x = 0 and E >= 0 bound each other).

Ties and boundaries, with care: types exactly indifferent (c_t . d_k = 0) sit on the boundary of
two cells; the designer-favourable tie-break is what the program's max over s_j allows, and the
sup is then attained (D(A) is closed). Zero-length rays are dropped (their types stay).
Growth: (2^m - 1) LPs (times 2^I when I >= 3) and I * 3^(m + I) DP steps for m types; past `max_support`
(default `MAX_SUPPORT` = 10) the answer is UNKNOWN with that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verified.errors import InvalidInput
from verified.lp import Constraint, LinearProgram, solve_exact
from verified.trading.large_market.model import MAX_SUPPORT, TypeDistribution
from verified.trading.model import Vector, dot, vector
from verified.trading.polarization import is_non_monotone, is_polarized

ZERO = Fraction(0)
MAX_PACKINGS_TRIED = 200
"""How many packings (best first) are tried for a polarized realisation before giving up."""

STAY, RAYS, REMEDIAL = "status_quo", "rays", "remedial"


@dataclass(frozen=True)
class AgentMenu:
    """One agent's mechanism in the large market: a menu, the individual selections and the strategy.

    ``kind``: ``"status_quo"`` (the menu {eta}), ``"rays"`` (eta plus the rays
    {eta + y d_k : y >= 0} ∩ R^I_+, designer's selection eta + d_k on ray k) or ``"remedial"``
    ({eta} and the box {0 <= x <= eta}, selection eta + d_1 on the box). ``choices[t]`` is type t's
    option: 0 = {eta}, k = the k-th entry of ``displacements``. ``expected`` = E[P(s(c))].
    """

    kind: str
    eta: Vector
    displacements: tuple[Vector, ...]
    choices: tuple[int, ...]
    expected: Vector

    def selections(self) -> tuple[Vector, ...]:
        """P(k) for k = 0 (eta), 1, 2, ...."""
        return (self.eta,) + tuple(
            tuple(e + d for e, d in zip(self.eta, dk, strict=True)) for dk in self.displacements
        )

    def describe(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "eta": list(self.eta),
            "displacements": [list(d) for d in self.displacements],
            "choices": list(self.choices),
            "expected": list(self.expected),
        }


@dataclass(frozen=True)
class SubsetBound:
    """The LP u(A) = max { w . d : d in D(A) } for the set ``members`` of types (indices past the
    support are the virtual unit types, `SupportResult.virtual`), with its dual
    ``multipliers`` (one per type, the row's sign: >= 0 for members, <= 0 otherwise), the reduced
    costs ``reduced`` = w - sum_t y_t c_t (all <= 0), ``bound`` = -reduced . eta = u(A), and an
    optimal ``point`` d."""

    members: tuple[int, ...]
    multipliers: tuple[Fraction, ...]
    reduced: Vector
    bound: Fraction
    point: Vector


@dataclass(frozen=True)
class SupportResult:
    """S_j(w) for one agent. ``status`` is ``"exact"`` (``value`` = ``lower`` = ``upper``) or
    ``"unknown"`` (``reason``; ``lower`` is attained by ``realizer``, ``upper`` may be None).

    Certificate: ``subset_bounds`` (every non-empty subset's LP bound), ``packing`` (the subsets
    attaining ``upper`` through the rays, at most I), ``remedial_value`` R, and the
    ``realizer`` menu whose w . E is ``lower``.
    """

    status: str
    w: Vector
    lower: Fraction
    upper: Fraction | None
    realizer: AgentMenu
    remedial_value: Fraction
    rays_bound: Fraction | None = None
    packing: tuple[tuple[int, ...], ...] = ()
    subset_bounds: tuple[SubsetBound, ...] = ()
    reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict, compare=False)
    virtual: tuple[Vector, ...] = ()

    @property
    def exact(self) -> bool:
        return self.status == "exact"

    @property
    def value(self) -> Fraction | None:
        return self.lower if self.exact else None


def realize(
    dist: TypeDistribution, eta: Vector, displacements: Sequence[Vector], w: Vector, kind: str = RAYS
) -> AgentMenu:
    """Sort the types over the menu {eta} + {eta + d_k} by myopic choice (least c . P(k); ties to
    the option with the larger w . P(k), then the lower index) and return the menu with E."""
    options = [tuple(ZERO for _ in eta)] + [tuple(d) for d in displacements]
    choices = []
    for c in dist.types:
        costs = [dot(c, d) for d in options]
        least = min(costs)
        best = max(
            (k for k in range(len(options)) if costs[k] == least), key=lambda k: (dot(w, options[k]), -k)
        )
        choices.append(best)
    expected = tuple(
        eta[i] + sum((p * options[k][i] for p, k in zip(dist.probabilities, choices, strict=True)), ZERO)
        for i in range(len(eta))
    )
    return AgentMenu(kind, tuple(eta), tuple(tuple(d) for d in displacements), tuple(choices), expected)


def status_quo_menu(dist: TypeDistribution, eta: Vector) -> AgentMenu:
    return AgentMenu(STAY, tuple(eta), (), tuple(0 for _ in dist.types), tuple(eta))


def remedial_corner(eta: Vector, w: Vector) -> Vector:
    """argmax of w . x over 0 <= x <= eta (x_i = eta_i where w_i > 0, else 0)."""
    return tuple(e if wi > 0 else ZERO for e, wi in zip(eta, w, strict=True))


def _subset_lp(costs: Sequence[Vector], eta: Vector, w: Vector, members: frozenset[int]):
    n = len(eta)
    names = tuple(f"d[{i}]" for i in range(n))
    rows = tuple(
        Constraint(
            {names[i]: c[i] for i in range(n) if c[i]}, "<=" if t in members else ">=", ZERO, f"type[{t}]"
        )
        for t, c in enumerate(costs)
    )
    lp = LinearProgram(
        names, rows, {names[i]: w[i] for i in range(n)}, "max", {names[i]: -eta[i] for i in range(n)}
    )
    return lp, names


def _subset_bound(
    costs: Sequence[Vector], eta: Vector, w: Vector, members: tuple[int, ...]
) -> SubsetBound | str:
    lp, names = _subset_lp(costs, eta, w, frozenset(members))
    result = solve_exact(lp)
    if result.status != "optimal":
        return f"the LP for types {list(members)} ended {result.status}: {result.reason}"
    y = tuple(result.dual.get(f"type[{t}]", ZERO) for t in range(len(costs)))
    reduced = tuple(w[i] - sum((y[t] * c[i] for t, c in enumerate(costs)), ZERO) for i in range(len(eta)))
    bound = -dot(reduced, eta)
    point = tuple(result.primal.get(v, ZERO) for v in names)
    if any(r > 0 for r in reduced) or bound != result.objective or dot(w, point) != bound:
        return f"internal error: the dual of the LP for types {list(members)} does not certify its optimum"
    return SubsetBound(members, y, reduced, bound, point)


def _packings(values: dict[int, Fraction], m: int, limit: int):
    """Every collection of at most ``limit`` disjoint masks with positive value, best first
    (a generator over a sorted list; used only for small supports)."""
    masks = sorted((mask for mask, v in values.items() if v > 0), key=lambda mask: -values[mask])
    found: list[tuple[Fraction, tuple[int, ...]]] = [(ZERO, ())]

    def extend(start: int, used: int, chosen: tuple[int, ...], total: Fraction) -> None:
        if len(chosen) == limit:
            return
        for pos in range(start, len(masks)):
            mask = masks[pos]
            if mask & used:
                continue
            found.append((total + values[mask], chosen + (mask,)))
            extend(pos + 1, used | mask, chosen + (mask,), total + values[mask])

    extend(0, 0, (), ZERO)
    found.sort(key=lambda item: -item[0])
    return found


def _best_packing(values: dict[int, Fraction], m: int, limit: int) -> tuple[Fraction, tuple[int, ...]]:
    """max sum of values over at most ``limit`` disjoint non-empty masks (exact DP over masks)."""
    full = (1 << m) - 1
    prev: dict[int, tuple[Fraction, tuple[int, ...]]] = {mask: (ZERO, ()) for mask in range(full + 1)}
    for _ in range(limit):
        cur: dict[int, tuple[Fraction, tuple[int, ...]]] = {0: (ZERO, ())}
        for mask in range(1, full + 1):
            low = mask & -mask
            best = cur[mask & ~low]  # the lowest type unused
            rest = mask & ~low
            sub = rest
            while True:
                piece = sub | low
                v = values.get(piece, ZERO)
                if v > 0:
                    tail = prev[mask & ~piece]
                    if tail[0] + v > best[0]:
                        best = (tail[0] + v, tail[1] + (piece,))
                if sub == 0:
                    break
                sub = (sub - 1) & rest
            cur[mask] = best
        prev = cur
    return prev[full]


def _members(mask: int, m: int) -> tuple[int, ...]:
    return tuple(t for t in range(m) if mask >> t & 1)


def _realization(dist, eta, w, points: Sequence[Vector]) -> AgentMenu | None:
    """A genuine menu from the packing's optimal displacements, or None if they are not polarized."""
    nonzero = [d for d in points if any(x != 0 for x in d)]
    if not nonzero:
        return status_quo_menu(dist, eta)
    if len(nonzero) == 1 and all(x <= 0 for x in nonzero[0]):
        return realize(dist, eta, nonzero, w, REMEDIAL)
    if not all(is_non_monotone(d) for d in nonzero) or not is_polarized(nonzero):
        return None
    return realize(dist, eta, nonzero, w, RAYS)


def support_function(
    dist: TypeDistribution, eta: Sequence[object], w: Sequence[object], *, max_support: int = MAX_SUPPORT
) -> SupportResult:
    """S_j(w) exactly, with its certificate (see the module docstring)."""
    if not isinstance(dist, TypeDistribution):
        raise InvalidInput(
            f"expected a TypeDistribution, got {type(dist).__name__}", "support_function(dist)"
        )
    n = dist.dimension
    eta_v = vector(eta, "support_function(eta)", n)
    w_v = vector(w, "support_function(w)", n)
    if any(e < 0 for e in eta_v):
        raise InvalidInput("the endowment must be >= 0", "support_function(eta)")
    m = dist.size
    corner = remedial_corner(eta_v, w_v)
    remedial_value = dot(w_v, corner)
    shift = tuple(c - e for c, e in zip(corner, eta_v, strict=True))
    remedial_menu = (
        realize(dist, eta_v, [shift], w_v, REMEDIAL) if any(shift) else status_quo_menu(dist, eta_v)
    )
    if m > max_support:
        return SupportResult(
            "unknown",
            w_v,
            remedial_value,
            None,
            remedial_menu,
            remedial_value,
            reason=f"the support has {m} types (> {max_support}): 2^{m} - 1 LPs would be needed",
        )
    virtual = virtual_types(n) if n >= 3 else ()
    costs = tuple(dist.types) + virtual
    bounds: list[SubsetBound] = []
    values: dict[int, Fraction] = {}
    by_mask: dict[int, SubsetBound] = {}
    for real in range(1, 1 << m):
        for extra in range(1 << len(virtual)):
            mask = real | extra << m
            members = _members(mask, len(costs))
            sb = _subset_bound(costs, eta_v, w_v, members)
            if isinstance(sb, str):
                return SupportResult(
                    "unknown", w_v, remedial_value, None, remedial_menu, remedial_value, reason=sb
                )
            bounds.append(sb)
            by_mask[mask] = sb
            values[mask] = sum((dist.probabilities[t] for t in members if t < m), ZERO) * sb.bound
    packing_value, packing = _best_packing(values, len(costs), n)
    rays_bound = dot(w_v, eta_v) + packing_value
    upper = max(rays_bound, remedial_value)
    best_menu, lower = remedial_menu, remedial_value
    tried = 0
    if rays_bound > remedial_value:
        candidates = [(packing_value, packing)]
        if m <= 8:
            candidates += _packings(values, len(costs), n)[:MAX_PACKINGS_TRIED]
        for _, chosen in candidates:
            tried += 1
            menu = _realization(dist, eta_v, w_v, [by_mask[mask].point for mask in chosen])
            if menu is not None and dot(w_v, menu.expected) > lower:
                best_menu, lower = menu, dot(w_v, menu.expected)
            if lower == upper:
                break
    status = "exact" if lower == upper else "unknown"
    reason = None
    if status == "unknown":
        reason = (
            f"no polarized menu found attains the relaxation's bound {upper} (best found {lower}); the "
            "polarization constraint is bilinear and was dropped by the relaxation"
        )
    return SupportResult(
        status,
        w_v,
        lower,
        upper,
        best_menu,
        remedial_value,
        rays_bound,
        tuple(_members(mask, len(costs)) for mask in packing),
        tuple(bounds),
        reason,
        {"lps": len(bounds), "packings_tried": tried, "support": m},
        virtual,
    )


def virtual_types(n: int) -> tuple[Vector, ...]:
    """The unit costs e_1..e_I, added with probability 0 when I >= 3 (see the module docstring)."""
    return tuple(tuple(Fraction(int(i == k)) for i in range(n)) for k in range(n))
