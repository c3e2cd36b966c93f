"""Hypothesis strategies for multi-dimensional trading (Valenzuela-Stookey): exact vectors,
directions, rays, polarized families of rays, cost-type domains, economies and menus.

Everything is exact (`Fraction` coordinates, small numerators) and small (2-4 tasks, 2-3
agents), so each example is checked in milliseconds. Requires the ``hypothesis`` test
dependency. Example::

    from hypothesis import given
    from verified.strategies.trading import menus
    from verified.trading.osp import check_menu_osp

    @given(menus())
    def test_osp_verdict_is_exact(menu_and_domain):
        menu, domain = menu_and_domain
        assert check_menu_osp(menu, domain).verdict.value in ("holds", "fails")
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from verified.trading.model import CostDomain, Economy, Vector
from verified.trading.sets import PointSet, Polytope, Ray, RemedialSet

#: Integers -4..4, Fractions with small numerators and denominators 1..3.
small_ints = st.integers(min_value=-4, max_value=4)
small_fractions = st.builds(Fraction, st.integers(-6, 6), st.integers(1, 3))
nonneg_fractions = st.builds(Fraction, st.integers(0, 6), st.integers(1, 3))
pos_fractions = st.builds(Fraction, st.integers(1, 6), st.integers(1, 3))


def vectors(
    dimension: int, elements: st.SearchStrategy[Fraction] = small_fractions
) -> st.SearchStrategy[Vector]:
    """Vectors of Q^dimension with coordinates drawn from ``elements``."""
    return st.tuples(*([elements] * dimension))


def points(dimension: int) -> st.SearchStrategy[Vector]:
    """Points of the orthant Q^I_+ (bundles of tasks)."""
    return vectors(dimension, nonneg_fractions)


def positive_points(dimension: int) -> st.SearchStrategy[Vector]:
    """Points with every coordinate > 0."""
    return vectors(dimension, pos_fractions)


def directions(dimension: int) -> st.SearchStrategy[Vector]:
    """Non-zero integer directions (of rays)."""
    return vectors(dimension, small_ints.map(Fraction)).filter(lambda v: any(x != 0 for x in v))


def non_monotone_directions(dimension: int) -> st.SearchStrategy[Vector]:
    """Directions with a negative and a positive coordinate (trades, not gifts)."""
    return directions(dimension).filter(lambda v: any(x < 0 for x in v) and any(x > 0 for x in v))


@st.composite
def rays_from(draw: st.DrawFn, origin: Vector) -> Ray:
    """A ray from ``origin`` in a random non-zero direction."""
    return Ray(origin, draw(directions(len(origin))))


@st.composite
def polarized_directions(draw: st.DrawFn, dimension: int) -> tuple[Vector, ...]:
    """Polarized non-monotone directions (Valenzuela-Stookey, section 3): ray k takes away one
    unit of its own task t_k and gives at least one unit of every other task. For two such rays,
    y' = y'' = 1 gives kappa' + kappa'' >= 0 (-1 + a >= 0 with a >= 1), so they are polarized.
    A sufficient construction, not every polarized family; at most I rays (Corollary 2)."""
    count = draw(st.integers(1, dimension))
    tasks = list(range(dimension))
    order = draw(st.permutations(tasks))
    directions_: list[Vector] = []
    for k in range(count):
        v = [Fraction(draw(st.integers(1, 4))) for _ in tasks]
        v[order[k]] = Fraction(-1)
        directions_.append(tuple(v))
    return tuple(directions_)


@st.composite
def cost_domains(draw: st.DrawFn, dimension: int, low: int = 0, width: int = 2) -> CostDomain:
    """A cost-type domain: the orthant, the positive orthant, or a box with integer corners
    ``low <= lo <= low + 2`` and ``lo <= hi <= lo + width``."""
    kind = draw(st.sampled_from(["orthant", "positive_orthant", "box"]))
    if kind != "box":
        return CostDomain(kind, dimension)
    lo = [draw(st.integers(low, low + 2)) for _ in range(dimension)]
    return CostDomain.box(lo, [x + draw(st.integers(0, width)) for x in lo])


@st.composite
def economies(draw: st.DrawFn, common: bool = False, full_support: bool = False) -> Economy:
    """2-3 tasks, 2-3 agents, endowments in 0..2 (1..2 with ``full_support``), performance in
    0..3, and per agent a cost domain (one common box with ``common``)."""
    small = st.integers(min_value=0, max_value=3)
    n = draw(st.integers(min_value=2, max_value=3))
    agents = draw(st.integers(min_value=2, max_value=3))
    low = 1 if full_support else 0
    endow = [[draw(st.integers(min_value=low, max_value=2)) for _ in range(n)] for _ in range(agents)]
    perf = [[draw(small) for _ in range(n)] for _ in range(agents)]

    def box() -> CostDomain:
        lo = [draw(small) for _ in range(n)]
        return CostDomain.box(lo, [x + draw(st.integers(min_value=0, max_value=2)) for x in lo])

    if common:
        domains: CostDomain | list[CostDomain] = box()
    else:
        domains = [
            draw(st.sampled_from([box(), CostDomain.orthant(n), CostDomain.positive_orthant(n)]))
            for _ in range(agents)
        ]
    return Economy.make(n, agents, endow, perf, domains)


@st.composite
def polarized_economies(draw: st.DrawFn) -> tuple[Economy, list[list]]:
    """An economy and, per agent, a menu {eta_j} plus polarized rays from eta_j."""
    n = draw(st.integers(2, 3))
    agents = draw(st.integers(2, 3))
    endow = [[draw(st.integers(0, 3)) for _ in range(n)] for _ in range(agents)]
    perf = [[draw(st.integers(-2, 4)) for _ in range(n)] for _ in range(agents)]
    economy = Economy.make(n, agents, endow, perf)
    menus_: list[list] = []
    for j in range(agents):
        eta = economy.endowment[j]
        menus_.append([PointSet([eta]), *[Ray(eta, d) for d in draw(polarized_directions(n))]])
    return economy, menus_


@st.composite
def menus(draw: st.DrawFn) -> tuple[list, CostDomain]:
    """A menu {eta} + 1-3 rays, point sets or remedial sets (2-3 tasks), and a cost domain."""
    n = draw(st.integers(2, 3))
    eta = draw(points(n))
    menu: list = [PointSet([eta])]
    for _ in range(draw(st.integers(1, 3))):
        shape = draw(st.sampled_from(["ray", "points", "remedial"]))
        if shape == "ray":
            menu.append(Ray(eta, draw(directions(n))))
        elif shape == "points":
            menu.append(PointSet(draw(st.lists(points(n), min_size=1, max_size=2))))
        else:
            menu.append(RemedialSet(eta))
    return menu, draw(cost_domains(n))


@st.composite
def polarized_menus(draw: st.DrawFn) -> tuple[list, Vector, CostDomain]:
    """A menu {eta} + polarized rays (or the remedial set), sometimes with a redundant monotone
    ray that strictly monotone types never want; its eta; a cost domain (box [0, 3]^I)."""
    n = draw(st.integers(2, 4))
    eta = draw(positive_points(n))
    menu: list = [PointSet([eta])]
    if draw(st.booleans()):
        menu += [Ray(eta, d) for d in draw(polarized_directions(n))]
    else:
        menu.append(RemedialSet(eta))
    if draw(st.booleans()):
        menu.append(Ray(eta, [abs(x) for x in draw(directions(n))]))
    kind = draw(st.sampled_from(["orthant", "positive_orthant", "box"]))
    domain = CostDomain(kind, n) if kind != "box" else CostDomain.box([0] * n, [3] * n)
    return menu, eta, domain


@st.composite
def general_menus(draw: st.DrawFn) -> tuple[list, Vector]:
    """A menu {eta} + 1-3 rays, two-point sets, triangles or remedial sets; and its eta."""
    n = draw(st.integers(2, 4))
    eta = draw(positive_points(n))
    menu: list = [PointSet([eta])]
    for _ in range(draw(st.integers(1, 3))):
        shape = draw(st.sampled_from(["ray", "ray", "points", "polytope", "remedial"]))
        if shape == "ray":
            menu.append(Ray(eta, draw(directions(n))))
        elif shape == "points":
            menu.append(PointSet([eta, draw(positive_points(n))]))
        elif shape == "polytope":
            menu.append(Polytope([eta, draw(positive_points(n)), draw(positive_points(n))]))
        else:
            menu.append(RemedialSet(eta))
    return menu, eta
