"""Trading sets: membership, exact extrema (bounded and unbounded), H-descriptions, menus."""

from __future__ import annotations

from fractions import Fraction
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.errors import InvalidInput
from verified.strategies.trading import directions, points, small_fractions, vectors
from verified.trading.model import dot
from verified.trading.sets import PointSet, Polytope, Ray, RemedialSet, is_singleton, validate_menu

F = Fraction


def test_ray_segment_length_endpoint_and_membership() -> None:
    r = Ray([1, 1], [1, -2])  # task 2 hits 0 at y = 1/2: endpoint (3/2, 0)
    assert r.length == F(1, 2) and r.endpoint == (F(3, 2), F(0))
    assert r.is_non_monotone and r.is_bounded
    assert r.contains(["5/4", "1/2"]) and not r.contains([2, -1]) and not r.contains([1, 2])
    assert r.vertices() == ((F(1), F(1)), (F(3, 2), F(0)))


def test_ray_degenerates_to_its_origin() -> None:
    r = Ray([1, 0], [1, -1])  # the coordinate that decreases is already 0
    assert r.length == 0 and is_singleton(r, (F(1), F(0)))


def test_monotone_ray_is_unbounded_with_a_direction() -> None:
    r = Ray([1, 0], [1, 1])
    assert not r.is_bounded and r.is_monotone and r.length is None
    low = r.minimize([-1, 0])  # c . d = -1 < 0: cost goes to -inf along d
    assert not low.bounded and low.direction == (F(1), F(1))
    high = r.maximize([1, 2])  # c . d = 3 > 0: +inf
    assert not high.bounded
    flat = r.maximize([1, -1])  # c . d = 0: the origin attains the sup, value 1
    assert flat.bounded and flat.value == 1
    with pytest.raises(InvalidInput):
        r.vertices()


def test_remedial_set_extrema() -> None:
    s = RemedialSet([2, 3])
    low = s.minimize([-1, 1])  # take all of task 1 (cost -1 each), none of task 2: -2
    assert low.value == -2 and low.point == (2, 0)
    high = s.maximize([-1, 1])  # 3
    assert high.value == 3 and high.point == (0, 3)
    assert s.contains([1, 3]) and not s.contains([3, 0])
    assert set(s.vertices()) == {(0, 0), (0, 3), (2, 0), (2, 3)}


def test_polytope_h_description_of_a_triangle_in_3d() -> None:
    # the simplex {x >= 0, x1 + x2 + x3 = 1}: 2-dimensional inside R^3
    t = Polytope([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert t.contains(["1/3", "1/3", "1/3"]) and not t.contains(["1/2", "1/2", "1/2"])
    assert not t.contains([2, -1, 0])
    assert t.minimize([3, 1, 2]).value == 1  # the cheapest vertex is (0, 1, 0)


@settings(max_examples=40, deadline=None)
@given(st.lists(points(3), min_size=1, max_size=5), vectors(3))
def test_polytope_description_contains_exactly_the_hull_on_a_grid(pts: list, c: tuple) -> None:
    poly = Polytope(pts)
    desc = poly.linear_description()
    for p in poly.vertices():
        assert desc.contains(p)
    # midpoints of vertex pairs are inside; a point past a maximiser of c is outside
    for a, b in product(poly.vertices(), repeat=2):
        assert desc.contains(tuple((x + y) / 2 for x, y in zip(a, b, strict=True)))
    best = poly.maximize(c)
    if any(x != 0 for x in c):
        beyond = tuple(x + ci for x, ci in zip(best.point, c, strict=True))  # c . beyond > max
        assert dot(c, beyond) > best.value
        assert not desc.contains(beyond)


@settings(max_examples=60, deadline=None)
@given(points(3), directions(3), small_fractions, vectors(3))
def test_ray_description_agrees_with_membership(origin: tuple, d: tuple, y: Fraction, c: tuple) -> None:
    r = Ray(origin, d)
    x = r.point_at(abs(y))
    desc = r.linear_description()
    assert desc.contains(x) == r.contains(x)
    low = r.minimize(c)
    if low.bounded:
        assert r.contains(low.point)
        if r.contains(x):
            assert dot(c, x) >= low.value  # no member beats the minimum
    else:
        assert dot(c, low.direction) < 0 and r.contains(low.point)


def test_point_set_pieces_and_menu_validation() -> None:
    s = PointSet([[1, 0], [0, 1], [1, 0]])
    assert s.points == ((1, 0), (0, 1)) and len(s.pieces()) == 2
    assert validate_menu([PointSet([[1, 0]]), Ray([1, 0], [-1, 1])], [1, 0])
    with pytest.raises(InvalidInput, match="endowment alone"):
        validate_menu([Ray([1, 0], [-1, 1])], [1, 0])
    with pytest.raises(InvalidInput, match=r"menu\[1\]"):
        validate_menu([PointSet([[1, 0]]), Ray([1, 0, 0], [-1, 1, 0])], [1, 0])
    with pytest.raises(InvalidInput, match=r"points\[1\]\[0\]"):
        PointSet([[1, 0], [-1, 0]])
