"""Hypothesis strategies for the trading family: exact vectors, directions, rays and menus."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from verified.trading.model import Vector
from verified.trading.sets import Ray

small_ints = st.integers(min_value=-4, max_value=4)
small_fractions = st.builds(Fraction, st.integers(-6, 6), st.integers(1, 3))
nonneg_fractions = st.builds(Fraction, st.integers(0, 6), st.integers(1, 3))
pos_fractions = st.builds(Fraction, st.integers(1, 6), st.integers(1, 3))


def vectors(
    dimension: int, elements: st.SearchStrategy[Fraction] = small_fractions
) -> st.SearchStrategy[Vector]:
    return st.tuples(*([elements] * dimension))


def points(dimension: int) -> st.SearchStrategy[Vector]:
    """Points of Q^I_+."""
    return vectors(dimension, nonneg_fractions)


def positive_points(dimension: int) -> st.SearchStrategy[Vector]:
    return vectors(dimension, pos_fractions)


def directions(dimension: int) -> st.SearchStrategy[Vector]:
    """Non-zero integer directions."""
    return vectors(dimension, small_ints.map(Fraction)).filter(lambda v: any(x != 0 for x in v))


def non_monotone_directions(dimension: int) -> st.SearchStrategy[Vector]:
    return directions(dimension).filter(lambda v: any(x < 0 for x in v) and any(x > 0 for x in v))


@st.composite
def rays_from(draw: st.DrawFn, origin: Vector) -> Ray:
    return Ray(origin, draw(directions(len(origin))))


@st.composite
def polarized_directions(draw: st.DrawFn, dimension: int) -> tuple[Vector, ...]:
    """Polarized non-monotone directions: ray k takes away one unit of its own task t_k and gives
    at least one unit of every other task. For two such rays, y' = y'' = 1 gives
    kappa' + kappa'' >= 0 (-1 + a >= 0 with a >= 1), so they are polarized. A sufficient
    construction, not all polarized families."""
    count = draw(st.integers(1, dimension))  # Corollary 2: at most I polarized rays
    tasks = list(range(dimension))
    order = draw(st.permutations(tasks))
    taken = [order[k] for k in range(count)]  # ray k takes away task taken[k] (one task each)
    dirs = []
    for k in range(count):
        v = [Fraction(draw(st.integers(1, 4))) for _ in tasks]
        v[taken[k]] = Fraction(-1)
        dirs.append(tuple(v))
    return tuple(dirs)
