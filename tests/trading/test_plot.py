"""Menu pictures (Valenzuela-Stookey, Figure 1 style): a real PNG, and the missing-extra message."""

from __future__ import annotations

import sys
from fractions import Fraction

import pytest

from verified.errors import InvalidInput, MissingExtra
from verified.trading.model import CostDomain
from verified.trading.plot import draw_menu, sample_types, save_menu_png
from verified.trading.sets import PointSet, Polytope, Ray, RemedialSet

ETA = (Fraction(1), Fraction(1))
MENU = (PointSet([ETA]), Ray(ETA, [1, -1]), Ray(ETA, [-1, 2]))


def test_renders_a_png(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    target = save_menu_png(
        tmp_path / "menu.png", MENU, CostDomain.orthant(2), title="polarized rays", steps=6
    )
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


def test_draws_every_shape_and_non_osp_types(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    menu = (PointSet([ETA]), Ray(ETA, [1, 0]), Polytope([[0, 0], [2, 0], [0, 2]]), RemedialSet(ETA))
    fig = draw_menu(menu, CostDomain.box([1, 1], [2, 3]), steps=3)
    assert len(fig.axes) == 2
    target = save_menu_png(tmp_path / "shapes.png", menu, CostDomain.positive_orthant(2), steps=3)
    assert target.read_bytes()[:4] == b"\x89PNG"


def test_sample_types_are_exact_and_inside_the_domain() -> None:
    box = CostDomain.box([1, 1], [2, 3])
    types = sample_types(box, 2)
    assert len(types) == 9 and all(box.contains(c) for c in types)
    assert (Fraction(3, 2), Fraction(2)) in types  # midpoints of [1, 2] and [1, 3]
    positive = CostDomain.positive_orthant(2)
    assert all(positive.contains(c) for c in sample_types(positive, 4))
    with pytest.raises(InvalidInput):
        sample_types(CostDomain.orthant(3), 2)


def test_missing_matplotlib_names_the_pip_line(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(MissingExtra) as info:
        draw_menu(MENU, CostDomain.orthant(2))
    assert "pip install 'verified[plot]'" in str(info.value)
    assert "Drawing menus" in str(info.value)
