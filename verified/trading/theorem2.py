"""Theorem 2 as a checkable statement (Valenzuela-Stookey, Theorem 2 and Claims 1-6).

Theorem 2: any polarized ray mechanism is OSP; with strictly monotone
preferences (C_j = R^I_{++}) any OSP trading mechanism is effectively
dominated by a polarized ray mechanism. At the level of one agent's menu
(sup/inf over the trading sets, every set containing eta_j as Claim 1
requires) this becomes a structural test, `analyse_menu`:

- classify each set against eta: ``"endowment"`` ({eta}), ``"redundant"``
  (every x >= eta), ``"remedial"`` (every x <= eta), ``"ray"`` (inside one
  non-monotone ray from eta, direction kappa) or ``"other"``;
- ``"other"`` fails by Claims 3-4: two points x', x'' of the set and a type
  c > 0 with c.x' < c.eta < c.x'';
- a non-trivial remedial set next to a ray fails by Claim 6; two non-trivial
  remedial sets fail at c = (1, ..., 1) (each offers a point below eta, while
  eta stays possible in both);
- two rays whose directions are not polarized fail by Claim 5 (a type c > 0
  wanting to move along both);
- otherwise the menu is a polarized ray menu (or {eta} with one remedial set,
  plus redundant sets, which strictly monotone types never want) and OSP holds
  for every cost domain inside R^I_+ (first part of Theorem 2).

Every predicted counterexample type is strictly positive and is re-verified
exactly with `verified.trading.osp.obviously_dominant_choices`.
`check_theorem2` runs the menu-level OSP check as well and reports whether
the two agree (they must: a disagreement means a bug or an error in the paper).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from verified.errors import InvalidInput
from verified.numbers import fraction_text
from verified.results import CheckResult, fails, holds
from verified.trading.mechanism_osp import TradingMechanism, check_effectively_dominated, check_mechanism_osp
from verified.trading.model import CostDomain, Vector, dot, vector
from verified.trading.osp import check_menu_osp, counterexample_at, obviously_dominant_choices
from verified.trading.polarization import is_non_monotone, pair_witness, separating_cost
from verified.trading.protocol import TradingProtocol
from verified.trading.sets import PointSet, Ray, RemedialSet, TradingSet, describe_set, validate_menu

ZERO, ONE = Fraction(0), Fraction(1)


@dataclass(frozen=True, slots=True)
class SetClass:
    """How one trading set sits relative to eta; ``direction`` only for ``"ray"``."""

    kind: str
    direction: Vector | None = None


@dataclass(frozen=True, slots=True)
class MenuAnalysis:
    """Theorem 2's structural verdict on one menu.

    ``polarized``: True for a polarized ray menu (or the remedial pair);
    otherwise ``claim`` names the argument ("claim3", "claim5", "claim6",
    "two_remedial"), ``sets`` the indices involved, and ``cost`` a strictly
    positive type at which no choice is obviously dominant.
    """

    classes: tuple[SetClass, ...]
    polarized: bool
    claim: str | None = None
    sets: tuple[int, ...] = ()
    cost: Vector | None = None
    witness: dict[str, object] | None = None


def _sample_points(t: TradingSet, eta: Vector) -> tuple[Vector, ...]:
    """Finitely many points whose pairwise relations decide the class of t (vertices, or for an
    unbounded ray its origin, origin + d, and eta + d)."""
    if isinstance(t, Ray) and not t.is_bounded:
        pts = [t.origin, t.point_at(ONE)]
        y = t.parameter_of(eta)
        if y is not None:
            pts.append(t.point_at(y + 1))
        return tuple(pts)
    return tuple(t.vertices())


def classify_set(t: TradingSet, eta: Sequence[object]) -> SetClass:
    """Endowment / redundant / remedial / ray (non-monotone, from eta) / other (exact)."""
    e = vector(eta, "eta", t.dimension)
    pts = _sample_points(t, e)
    diffs = [tuple(a - b for a, b in zip(p, e, strict=True)) for p in pts]
    if all(all(x == 0 for x in d) for d in diffs):
        return SetClass("endowment")
    if all(all(x >= 0 for x in d) for d in diffs):
        return SetClass("redundant")
    if isinstance(t, Ray) and not t.is_bounded:
        return SetClass("other")  # an unbounded set is never below eta nor inside a non-monotone ray
    if all(all(x <= 0 for x in d) for d in diffs):
        return SetClass("remedial")
    kappa = next(d for d in diffs if any(x != 0 for x in d))
    for d in diffs:
        if any(x != 0 for x in d) and pair_witness_parallel(kappa, d) is None:
            return SetClass("other")
    if is_non_monotone(kappa):
        return SetClass("ray", kappa)
    return SetClass("other")


def pair_witness_parallel(kappa: Vector, d: Vector) -> Fraction | None:
    """y > 0 with d = y * kappa, or None."""
    k = next(i for i, x in enumerate(kappa) if x != 0)
    y = d[k] / kappa[k]
    if y <= 0 or any(a * y != b for a, b in zip(kappa, d, strict=True)):
        return None
    return y


def _strictly_positive(c: Vector, negatives: Sequence[Vector]) -> Vector:
    """c + eps (1, ..., 1) > 0 keeping c . v < 0 for every v in negatives (c >= 0 given)."""
    eps = ONE
    for v in negatives:
        value, total = dot(c, v), sum(v, ZERO)
        assert value < 0
        if total > 0:
            eps = min(eps, -value / (2 * total))
    return tuple(x + eps for x in c)


def _claim3(t: TradingSet, eta: Vector) -> tuple[Vector, Vector, Vector] | None:
    """x', x'' in t and c > 0 with c.x' < c.eta < c.x'' (Claim 3), if any pair of sample points has one."""
    pts = _sample_points(t, eta)
    for x1 in pts:
        for x2 in pts:
            u = tuple(a - b for a, b in zip(x1, eta, strict=True))
            w = tuple(b - a for a, b in zip(x2, eta, strict=True))
            if all(x == 0 for x in u) or all(x == 0 for x in w):
                continue
            c = separating_cost(u, w)
            if c is not None:
                return x1, x2, _strictly_positive(c, [u, w])
    return None


def analyse_menu(menu: Sequence[TradingSet], eta: Sequence[object]) -> MenuAnalysis:
    """Theorem 2's structure for one agent's menu (every set must contain eta: Claim 1)."""
    if len(menu) == 0:
        raise InvalidInput("the menu is empty", "menu")
    e = vector(eta, "eta", menu[0].dimension)
    validate_menu(menu, e)  # {eta} is always on the menu
    for k, t in enumerate(menu):
        if not t.contains(e):
            raise InvalidInput(
                f"the set does not contain eta = {[fraction_text(x) for x in e]} (Claim 1)", f"menu[{k}]"
            )
    classes = tuple(classify_set(t, e) for t in menu)
    for k, cls in enumerate(classes):
        if cls.kind == "other":
            found = _claim3(menu[k], e)
            assert found is not None, f"Claim 4: menu[{k}] is of no kind but has no Claim 3 pair"
            x1, x2, c = found
            return MenuAnalysis(classes, False, "claim3", (k,), c, {"better_point": x1, "worse_point": x2})
    rays = [k for k, cls in enumerate(classes) if cls.kind == "ray"]
    remedial = [k for k, cls in enumerate(classes) if cls.kind == "remedial"]
    if remedial and rays:
        k, r = rays[0], remedial[0]
        x = next(p for p in menu[r].vertices() if p != e)
        down = tuple(a - b for a, b in zip(x, e, strict=True))
        kappa = classes[k].direction
        assert kappa is not None
        c = separating_cost(kappa, down)
        assert c is not None, "Claim 6: a non-monotone ray and a point below eta are never polarized"
        c = _strictly_positive(c, [kappa, down])
        return MenuAnalysis(classes, False, "claim6", (r, k), c, {"remedial_point": x, "direction": kappa})
    if len(remedial) > 1:
        c = tuple(ONE for _ in e)
        return MenuAnalysis(classes, False, "two_remedial", tuple(remedial[:2]), c)
    for a_pos, k1 in enumerate(rays):
        for k2 in rays[a_pos + 1 :]:
            d1, d2 = classes[k1].direction, classes[k2].direction
            assert d1 is not None and d2 is not None
            if pair_witness(d1, d2) is None:
                c = separating_cost(d1, d2)
                assert c is not None
                c = _strictly_positive(c, [d1, d2])
                return MenuAnalysis(classes, False, "claim5", (k1, k2), c, {"directions": [d1, d2]})
    return MenuAnalysis(classes, True)


def _describe(analysis: MenuAnalysis) -> dict[str, object]:
    out: dict[str, object] = {
        "classes": [{"kind": c.kind, "direction": list(c.direction or ())} for c in analysis.classes],
        "polarized": analysis.polarized,
    }
    if not analysis.polarized:
        out.update(
            {
                "claim": analysis.claim,
                "sets_involved": list(analysis.sets),
                "cost": list(analysis.cost or ()),
                "witness": analysis.witness or {},
            }
        )
    return out


def check_polarized_ray_menu(menu: Sequence[TradingSet], eta: Sequence[object]) -> CheckResult:
    """Is the menu a polarized ray menu (rays from eta, pairwise polarized, plus {eta} and
    redundant sets) or the remedial pair? (Valenzuela-Stookey, Definition of a polarized ray
    mechanism; Theorem 2.)

    HOLDS evidence (kind ``"polarized_ray_menu"``): the class of every set and, for every pair of
    rays, the polarization witness (y', y''). FAILS evidence (kind ``"theorem2_structure"``): the
    classes, the claim violated, the sets involved, and a type ``cost`` > 0 at which no choice is
    obviously dominant, plus ``counterexample``: the full menu-level OSP counterexample at that type
    (as in `verified.trading.osp.check_menu_osp`).
    """
    name = "polarized_ray_menu"
    analysis = analyse_menu(menu, eta)
    if analysis.polarized:
        rays = [(k, c.direction) for k, c in enumerate(analysis.classes) if c.kind == "ray"]
        witnesses = []
        for a_pos, (k1, d1) in enumerate(rays):
            for k2, d2 in rays[a_pos + 1 :]:
                assert d1 is not None and d2 is not None
                w = pair_witness(d1, d2)
                assert w is not None
                witnesses.append({"first": k1, "second": k2, "y_first": w[0], "y_second": w[1]})
        evidence = {"kind": "polarized_ray_menu", **_describe(analysis), "pairs": witnesses}
        return holds(name, evidence)
    assert analysis.cost is not None
    if obviously_dominant_choices(menu, analysis.cost):
        raise AssertionError(f"{analysis.claim}: type {analysis.cost} has an obviously dominant choice")
    dim = len(analysis.cost)
    cex = counterexample_at(menu, CostDomain.positive_orthant(dim), analysis.cost, analysis.claim or "")
    evidence = {"kind": "theorem2_structure", **_describe(analysis), "counterexample": cex.evidence}
    return fails(name, evidence)


def is_polarized_ray_menu(menu: Sequence[TradingSet], eta: Sequence[object]) -> bool:
    return check_polarized_ray_menu(menu, eta).holds


def check_theorem2(
    menu: Sequence[TradingSet], eta: Sequence[object], domain: CostDomain, **options: object
) -> CheckResult:
    """Theorem 2 on one menu: the structural prediction and the menu-level OSP check agree.

    For any domain inside R^I_+: polarized ray menu => OSP. For the non-negative and the strictly
    positive orthant also: not a polarized ray menu => not OSP. (Boxes: only the first direction
    is predicted.) HOLDS evidence (kind ``"theorem2_agreement"``): ``structure`` (the
    `check_polarized_ray_menu` evidence) and ``osp`` (the `check_menu_osp` evidence). FAILS (kind
    ``"theorem2_disagreement"``) carries both as well; UNKNOWN if the OSP check is unknown.
    """
    name = "theorem2"
    structure = check_polarized_ray_menu(menu, eta)
    osp = check_menu_osp(menu, domain, **options)  # type: ignore[arg-type]
    if osp.unknown:
        return osp
    predicts = structure.holds or domain.kind != "box"
    agree = (structure.holds and osp.holds) or (structure.fails and (osp.fails or not predicts))
    evidence = {
        "kind": "theorem2_agreement" if agree else "theorem2_disagreement",
        "sets": [describe_set(t) for t in menu],
        "domain": domain.describe(),
        "structure": structure.to_json(),
        "osp": osp.to_json(),
    }
    return holds(name, evidence) if agree else fails(name, evidence)


def polarized_ray_cover(mechanism: TradingMechanism) -> TradingMechanism | None:
    """The polarized ray mechanism of Theorem 2's second part, or None if the structure fails.

    Each set of the essential reduction T~_j^k is replaced by: {eta_j} if it is {eta_j}; the full
    ray {eta_j + y kappa} ∩ R^I_+ if it lies in the non-monotone ray with direction kappa; the
    remedial set {0 <= x <= eta_j} if it is remedial; itself if it is redundant (strictly
    monotone types never need it; keeping it keeps K_j, so domination is literal). Strategies and
    the selection table are unchanged (the table's bundles stay inside the expanded sets).
    """
    protocol = mechanism.protocol
    reduced = protocol.essential_reduction()
    menus = []
    for j, menu in enumerate(reduced.menus):
        eta = protocol.economy.endowment[j]
        if not analyse_menu(menu, eta).polarized:
            return None
        cover: list[TradingSet] = []
        for t in menu:
            cls = classify_set(t, eta)
            if cls.kind == "ray":
                assert cls.direction is not None
                cover.append(Ray(eta, cls.direction))
            elif cls.kind == "remedial":
                cover.append(RemedialSet(eta))
            elif cls.kind == "endowment":
                cover.append(PointSet([eta]))
            else:
                cover.append(t)
        menus.append(tuple(cover))
    return TradingMechanism(
        TradingProtocol(protocol.economy, tuple(menus), protocol.table), mechanism.strategies
    )


def check_theorem2_mechanism(mechanism: TradingMechanism, **options: object) -> CheckResult:
    """Theorem 2, second part, on one mechanism: with strictly monotone preferences (every cost
    domain the positive orthant), an OSP trading mechanism is effectively dominated by a polarized
    ray mechanism (`polarized_ray_cover`).

    HOLDS evidence (kind ``"theorem2_mechanism"``): ``osp`` (the `check_mechanism_osp` result) and,
    when it holds, ``cover`` (the dominating menus) and ``domination`` (the
    `check_effectively_dominated` result). FAILS (kind ``"theorem2_mechanism_violated"``) only if
    an OSP mechanism has no polarized ray cover or is not dominated by it.
    """
    name = "theorem2_mechanism"
    economy = mechanism.protocol.economy
    for j, dom in enumerate(economy.cost_domains):
        if dom.kind != "positive_orthant":
            raise InvalidInput(
                "Theorem 2's second part needs strictly monotone preferences", f"agent {economy.agents[j]!r}"
            )
    osp = check_mechanism_osp(mechanism, **options)  # type: ignore[arg-type]
    if osp.unknown:
        return osp
    evidence: dict[str, object] = {"kind": "theorem2_mechanism", "osp": osp.to_json()}
    if osp.fails:
        return holds(name, evidence)
    cover = polarized_ray_cover(mechanism)
    if cover is None:
        return fails(
            name, {**evidence, "kind": "theorem2_mechanism_violated", "reason": "no polarized ray cover"}
        )
    domination = check_effectively_dominated(mechanism, cover, **options)
    if domination.unknown:
        return domination
    evidence["cover"] = [[describe_set(t) for t in menu] for menu in cover.protocol.menus]
    evidence["domination"] = domination.to_json()
    if domination.fails:
        return fails(name, {**evidence, "kind": "theorem2_mechanism_violated", "reason": "not dominated"})
    return holds(name, evidence)
