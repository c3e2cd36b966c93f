"""The public hypothesis strategies of `verified.strategies.trading` draw what they promise.

Each promise is re-derived here with plain Fractions, independently of the library's checks
(polarization is checked by the definition at the pair's witness y' = y'' = 1/2, which the
construction guarantees: -1 + a >= 0 for a >= 1 on every task, and a + b >= 0 elsewhere).
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from verified.strategies import trading as ts
from verified.trading.model import CostDomain, Economy
from verified.trading.polarization import check_polarized
from verified.trading.sets import PointSet, Ray


@settings(max_examples=60)
@given(st.integers(2, 4).flatmap(lambda n: st.tuples(st.just(n), ts.polarized_directions(n))))
def test_polarized_directions_are_polarized_by_the_definition(drawn) -> None:
    n, kappas = drawn
    assert 1 <= len(kappas) <= n  # Corollary 2: at most I polarized rays
    for kappa in kappas:
        assert any(x < 0 for x in kappa) and any(x > 0 for x in kappa)  # non-monotone
    for i, first in enumerate(kappas):
        for second in kappas[i + 1 :]:
            half_sum = [Fraction(1, 2) * (a + b) for a, b in zip(first, second, strict=True)]
            assert all(x >= 0 for x in half_sum)
    assert check_polarized(list(kappas)).holds


@settings(max_examples=60)
@given(st.integers(2, 4).flatmap(lambda n: st.tuples(st.just(n), ts.non_monotone_directions(n))))
def test_non_monotone_directions(drawn) -> None:
    n, kappa = drawn
    assert len(kappa) == n and all(isinstance(x, Fraction) for x in kappa)
    assert min(kappa) < 0 < max(kappa)


@settings(max_examples=40)
@given(st.integers(2, 4).flatmap(lambda n: st.tuples(st.just(n), ts.cost_domains(n), ts.points(n))))
def test_cost_domains_and_points(drawn) -> None:
    n, domain, point = drawn
    assert isinstance(domain, CostDomain) and domain.kind in ("box", "orthant", "positive_orthant")
    assert len(point) == n and all(x >= 0 for x in point)


@settings(max_examples=30)
@given(ts.economies())
def test_economies(economy: Economy) -> None:
    assert 2 <= len(economy.endowment) <= 3
    assert all(0 <= x <= 2 for eta in economy.endowment for x in eta)


@settings(max_examples=30)
@given(ts.economies(full_support=True))
def test_economies_with_full_support(economy: Economy) -> None:
    assert all(x >= 1 for eta in economy.endowment for x in eta)


@settings(max_examples=30)
@given(ts.menus())
def test_menus_start_with_the_endowment(drawn) -> None:
    menu, domain = drawn
    assert isinstance(menu[0], PointSet) and 2 <= len(menu) <= 4
    assert isinstance(domain, CostDomain)


@settings(max_examples=30)
@given(ts.polarized_economies())
def test_polarized_economies_give_polarized_menus(drawn) -> None:
    economy, menus = drawn
    assert len(menus) == len(economy.endowment)
    for menu in menus:
        rays = [s for s in menu[1:] if isinstance(s, Ray)]
        assert rays and check_polarized(rays).holds
