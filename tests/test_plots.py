"""Plots (`verified.assignment.plot`, `verified.trading.plot`): on the Agg backend, each returns the
Axes it was given, labels every cell with the exact fraction, and never shows a figure.

Expected labels: RP at R = (1: a > b, 2: c > b, 3: a, 4: c), derived by hand in
tests/test_display.py's docstring; random priority for 3 agents and objects a, b at the profile
where everybody ranks b > a: each agent is first with probability 1/3 and takes b, the second
takes a, the third gets nothing, so every agent's row is (a 1/3, b 1/3, outside 1/3).
"""

from __future__ import annotations

import sys
from fractions import Fraction

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from verified.assignment.domain import Domain  # noqa: E402
from verified.assignment.mechanism import tabulate  # noqa: E402
from verified.assignment.mechanisms import random_priority  # noqa: E402
from verified.assignment.model import Problem  # noqa: E402
from verified.errors import InvalidInput, MissingExtra  # noqa: E402
from verified.trading.model import CostDomain, Economy  # noqa: E402
from verified.trading.plot import draw_menu, plot_menu  # noqa: E402
from verified.trading.protocol import TradingProtocol  # noqa: E402
from verified.trading.sets import PointSet, Ray  # noqa: E402

P4 = Problem.make(4, "abc")
R4 = P4.profile(["ab", "cb", "a", "c"])
RP = [
    ["1/2", "3/8", "0", "1/8"],
    ["0", "3/8", "1/2", "1/8"],
    ["1/2", "0", "0", "1/2"],
    ["0", "0", "1/2", "1/2"],
]
ETA = (Fraction(1), Fraction(1))
MENU = (PointSet([ETA]), Ray(ETA, [1, -1]), Ray(ETA, [-1, 2]))


@pytest.fixture(autouse=True)
def no_show(monkeypatch: pytest.MonkeyPatch):
    """``plt.show`` fails the test if anything calls it; every figure is closed afterwards."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the library called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


def labels(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_assignment_heat_map_on_a_given_axes() -> None:
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    out = random_priority(P4)(R4).plot(ax=ax)
    assert out is ax and plt.get_fignums() == before  # no new figure
    assert labels(ax) == [v for row in RP for v in row]  # row-major, exact text
    assert "0.375" not in labels(ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "outside"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"agent {a}" for a in "1234"]
    image = ax.images[0].get_array()
    assert image.shape == (4, 4) and image[0][1] == 0.375  # colours only: floats


def test_assignment_heat_map_without_axes() -> None:
    before = len(plt.get_fignums())
    ax = random_priority(P4)(R4).plot(title="RP")
    assert len(plt.get_fignums()) == before + 1 and ax.get_title() == "RP"
    assert labels(ax) == [v for row in RP for v in row]


def test_mechanism_slice() -> None:
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    table = tabulate(random_priority(problem), domain)
    everyone_b_a = domain.index(problem.profile(["ba", "ba", "ba"]))
    fig, ax = plt.subplots()
    out = table.plot(agent="2", profiles=[everyone_b_a, 0], ax=ax)
    assert out is ax
    # at profile 0 everybody reports nothing acceptable: agent 2 stays out
    assert labels(ax) == ["1/3", "1/3", "1/3", "0", "0", "1"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        f"#{everyone_b_a}: b > a; b > a; b > a",
        "#0: -; -; -",
    ]
    assert "agent 2" in ax.get_title()
    default = table.plot(ax=plt.subplots()[1])
    assert len(default.texts) == 10 * 3  # the first 10 profiles, 3 columns each


def test_mechanism_slice_of_a_function_mechanism() -> None:
    problem = Problem.make(3, "ab")
    mechanism = random_priority(problem)
    fig, ax = plt.subplots()
    from verified.assignment.plot import plot_mechanism

    plot_mechanism(mechanism, 0, [["ba", "ba", "ba"]], ax=ax)
    assert labels(ax) == ["1/3", "1/3", "1/3"]
    for profiles, where in (
        (None, "profiles"),  # no domain to take the first profiles from
        ([0], r"profiles\[0\]"),  # an index needs a table's domain
        ([], "profiles"),
        ([["zz", "a", "b"]], r"profile\[0\]"),
    ):
        with pytest.raises(InvalidInput, match=where):
            plot_mechanism(mechanism, 0, profiles, ax=ax)


def test_bad_slices_of_a_table() -> None:
    problem = Problem.make(2, "ab")
    table = tabulate(random_priority(problem), Domain.full(problem))
    ax = plt.subplots()[1]
    with pytest.raises(InvalidInput, match=r"profiles\[1\]"):
        table.plot(profiles=[0, 25], ax=ax)  # 5^2 = 25 profiles: 0..24
    with pytest.raises(InvalidInput, match="at most 200"):
        table.plot(profiles=[0] * 201, ax=ax)
    with pytest.raises(InvalidInput):
        table.plot(agent="9", ax=ax)


def test_menu_on_given_axes() -> None:
    fig, (left, right) = plt.subplots(1, 2)
    domain = CostDomain.orthant(2)
    assert draw_menu(MENU, domain, ax=left, steps=3) is left
    assert left.get_title() == "bundles: the menu"
    assert draw_menu(MENU, domain, ax=right, panel="types", steps=3, title="T") is right
    assert right.get_title() == "T"
    pair = plt.subplots(1, 2)[1]
    assert draw_menu(MENU, domain, ax=pair, steps=3) is pair
    assert [a.get_title() for a in pair][1].startswith("types")
    for bad in ({"ax": left, "panel": "both"}, {"ax": left, "panel": "nope"}, {"panel": "types"}):
        with pytest.raises(InvalidInput, match="panel"):
            draw_menu(MENU, domain, steps=3, **bad)


def test_menu_old_callers_get_a_figure() -> None:
    before = plt.get_fignums()
    fig = draw_menu(MENU, CostDomain.orthant(2), steps=3)
    assert len(fig.axes) == 2 and plt.get_fignums() == before  # not a pyplot figure
    ax = plot_menu(MENU, CostDomain.orthant(2), panel="types", steps=3)
    assert ax.get_title().startswith("types")


def test_protocol_plot() -> None:
    economy = Economy.make(
        ["x", "y"], ["A", "B"], [[1, 0], [0, 2]], cost_domains=CostDomain.positive_orthant(2)
    )
    keep = [[1, 0], [0, 2]]
    menus = [[PointSet([[1, 0]]), Ray([1, 0], [-1, 1])], [PointSet([[0, 2]])]]
    protocol = TradingProtocol.make(economy, menus, {(0, 0): keep, (1, 0): keep})
    ax = plt.subplots()[1]
    assert protocol.plot("A", ax=ax, steps=2) is ax
    assert ax.get_title() == "bundles: the menu"
    assert len(ax.get_legend().get_texts()) == 2  # agent A's two trading sets


def test_missing_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingExtra) as info:
        random_priority(P4)(R4).plot()
    assert "pip install 'verified[plot]'" in str(info.value)
