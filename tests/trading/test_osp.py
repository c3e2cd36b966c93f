"""Menu-level OSP: z3 and the direct Fourier-Motzkin search agree; evidence re-verified with Fractions."""

from __future__ import annotations

from fractions import Fraction
from itertools import product

from hypothesis import given, settings

from tests.trading.exact import dot as _dot
from verified.strategies.trading import menus
from verified.trading.model import CostDomain
from verified.trading.osp import check_menu_osp, obviously_dominant_choices
from verified.trading.sets import PointSet, Ray

F = Fraction


def recheck_counterexample(evidence: dict, menu: list) -> None:
    """Stdlib-style re-check: for every choice k, a point of T^k costs more than a point of T^k'."""
    assert evidence["kind"] == "menu_osp_counterexample"
    c = [F(x) for x in evidence["cost"]]
    assert [row["choice"] for row in evidence["choices"]] == list(range(len(menu)))
    for row in evidence["choices"]:
        assert row["deviation"] != row["choice"]
        worse, better = [F(x) for x in row["worse_point"]], [F(x) for x in row["better_point"]]
        assert menu[row["choice"]].contains(worse) and menu[row["deviation"]].contains(better)
        assert _dot(c, worse) > _dot(c, better)
        assert F(row["worse_cost"]) == _dot(c, worse) and F(row["better_cost"]) == _dot(c, better)


def recheck_refutation_tree(evidence: dict) -> None:
    """Every atom choice sequence is cut by a refuted prefix whose Motzkin multipliers check out."""
    assert evidence["kind"] == "refutation_tree"
    rows = [([F(a) for a in r["coeffs"]], F(r["rhs"]), r["strict"]) for r in evidence["domain_rows"]]
    atoms = [[[F(a) for a in atom] for atom in per_k] for per_k in evidence["atoms"]]
    refuted = {tuple(r["choice"]): [F(y) for y in r["multipliers"]] for r in evidence["refuted"]}
    for prefix, ys in refuted.items():
        system = rows + [([-a for a in atoms[k][i]], F(0), True) for k, i in enumerate(prefix)]
        assert len(ys) == len(system) and all(y >= 0 for y in ys)
        n = len(system[0][0])
        assert all(sum(y * s[0][i] for y, s in zip(ys, system, strict=True)) == 0 for i in range(n))
        rhs = sum(y * s[1] for y, s in zip(ys, system, strict=True))
        assert rhs < 0 or (rhs == 0 and any(y > 0 and s[2] for y, s in zip(ys, system, strict=True)))

    def covered(prefix: tuple) -> bool:
        if prefix in refuted:
            return True
        if len(prefix) == len(atoms):
            return False
        return all(covered(prefix + (i,)) for i in range(len(atoms[len(prefix)])))

    assert covered(())


ETA = [1, 1]


def test_polarized_two_task_menu_holds_with_a_refutation_tree() -> None:
    menu = [PointSet([ETA]), Ray(ETA, [1, -2]), Ray(ETA, [-1, 3])]
    for domain in (CostDomain.orthant(2), CostDomain.positive_orthant(2)):
        assert check_menu_osp(menu, domain).holds
        direct = check_menu_osp(menu, domain, method="direct")
        assert direct.holds
        recheck_refutation_tree(direct.evidence)


def test_non_polarized_menu_fails_with_crossing_points() -> None:
    # rays (1,-3), (-1,2): c = (5/2, 1) gives c.(1,-3) = -1/2 and c.(-1,2) = -1/2, both improve on eta,
    # so every choice has a deviation whose best case beats its worst case.
    menu = [PointSet([ETA]), Ray(ETA, [1, -3]), Ray(ETA, [-1, 2])]
    assert obviously_dominant_choices(menu, [F(5, 2), 1]) == ()
    for method in ("smt", "direct"):
        res = check_menu_osp(menu, CostDomain.positive_orthant(2), method=method)
        assert res.fails
        recheck_counterexample(res.evidence, menu)


def test_box_domain_can_rescue_a_non_polarized_menu() -> None:
    # on [1,2]^2: c.(1,-3) <= 2 - 3 < 0 but c.(-1,2) >= -2 + 2 = 0, so nobody wants both rays
    menu = [PointSet([ETA]), Ray(ETA, [1, -3]), Ray(ETA, [-1, 2])]
    box = CostDomain.box([1, 1], [2, 2])
    assert check_menu_osp(menu, box).holds
    direct = check_menu_osp(menu, box, method="direct")
    assert direct.holds
    recheck_refutation_tree(direct.evidence)


def test_unbounded_monotone_ray_sup_is_infinite() -> None:
    # {eta} and the monotone ray eta + y(1,0): at c = (1, 0) choosing the ray has sup +inf, but
    # {eta} is obviously dominant (its cost c.eta = 1 equals the ray's inf) -> OSP holds.
    menu = [PointSet([ETA]), Ray(ETA, [1, 0])]
    assert obviously_dominant_choices(menu, [1, 0]) == (0,)
    assert check_menu_osp(menu, CostDomain.orthant(2)).holds
    # {eta, (2,0)} against the monotone ray: at c = (2, 1) the point set's worst case (2,0) costs 4 >
    # 3 = c.eta, the ray's best case; the ray's worst case is +inf. No choice is obviously dominant.
    menu2 = [PointSet([ETA, [2, 0]]), Ray(ETA, [1, 0])]
    assert obviously_dominant_choices(menu2, [2, 1]) == ()
    for method in ("smt", "direct"):
        res = check_menu_osp(menu2, CostDomain.positive_orthant(2), method=method)
        assert res.fails
        recheck_counterexample(res.evidence, menu2)
        assert res.evidence["choices"][1]["sup_choice"]["value"] == "+inf"


def test_single_choice_menu_is_trivially_osp() -> None:
    assert check_menu_osp([PointSet([ETA])], CostDomain.orthant(2), method="direct").holds
    assert check_menu_osp([PointSet([ETA])], CostDomain.orthant(2)).holds


@settings(max_examples=40, deadline=None)
@given(menus())
def test_smt_and_direct_agree_and_a_grid_never_contradicts(data: tuple) -> None:
    menu, domain = data
    smt = check_menu_osp(menu, domain)
    direct = check_menu_osp(menu, domain, method="direct", node_limit=3000)
    if direct.unknown:
        return
    assert smt.verdict == direct.verdict
    if smt.fails:
        recheck_counterexample(smt.evidence, menu)
        recheck_counterexample(direct.evidence, menu)
    else:
        recheck_refutation_tree(direct.evidence)
        # a third, independent look: every grid type in the domain has an obviously dominant choice
        n = domain.dimension
        grid = [F(k, 2) for k in range(0, 5)]
        for c in product(grid, repeat=n):
            if domain.contains(c):
                assert obviously_dominant_choices(menu, c), f"type {c} has no obviously dominant choice"


def test_resource_limit_gives_unknown_not_a_guess() -> None:
    menu = [PointSet([ETA]), Ray(ETA, [1, -2]), Ray(ETA, [-1, 3])]
    res = check_menu_osp(menu, CostDomain.orthant(2), method="direct", node_limit=2)
    assert res.unknown and "nodes" in res.reason
