"""Pictures of a two-task menu, in the spirit of Valenzuela-Stookey's Figure 1 ("Polarized rays").

`draw_menu` returns a matplotlib `Figure` with two panels:

* left, the bundle space (x_A, x_B): the endowment, each trading set (rays as
  segments or arrows, points, polytopes, the remedial box) and, for each
  sampled type, the bundle its choice can lead to at best (a small dot in the
  choice's colour);
* right, the type space (c_A, c_B): the cost domain, the lines c . kappa = 0
  of every ray (the types indifferent between the ray and staying put), and
  each sampled type coloured by its obviously dominant choice (menu level,
  `verified.trading.osp.obviously_dominant_choices`, computed exactly); a
  black cross marks a type with no obviously dominant choice (the menu is
  not OSP there).

Only the picture uses floats (matplotlib coordinates); every choice shown is
computed exactly first. matplotlib is an optional extra:
``pip install 'verified[plot]'``. The Agg canvas is used directly, so no
global backend is switched.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from verified.errors import InvalidInput, require_extra
from verified.trading.model import CostDomain, Vector, dot
from verified.trading.osp import obviously_dominant_choices
from verified.trading.sets import PointSet, Polytope, Ray, RemedialSet, TradingSet

FEATURE = "Drawing menus"
COLOURS = ("tab:gray", "tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def _f(x: Fraction) -> float:
    return float(x)  # float ok: drawing coordinates only, never a verdict


def _label(k: int, t: TradingSet) -> str:
    def text(v: Sequence[Fraction]) -> str:
        return "(" + ", ".join(str(x) for x in v) + ")"

    if isinstance(t, PointSet):
        return f"{k}: points " + ", ".join(text(p) for p in t.points)
    if isinstance(t, Ray):
        return f"{k}: ray from {text(t.origin)} along {text(t.direction)}"
    if isinstance(t, Polytope):
        return f"{k}: polytope"
    return f"{k}: remedial set below {text(t.eta)}"


def sample_types(domain: CostDomain, steps: int) -> list[Vector]:
    """Exact types on a grid of the domain (orthants: the directions (t, 1 - t) scaled to a
    grid of the unit square, without the zero type; strictly positive ones for the open orthant)."""
    if domain.dimension != 2:
        raise InvalidInput("pictures are drawn for two tasks only", "cost domain")
    if domain.kind == "box":
        assert domain.lo is not None and domain.hi is not None
        axes = [
            [lo + (hi - lo) * Fraction(k, steps) for k in range(steps + 1)]
            for lo, hi in zip(domain.lo, domain.hi, strict=True)
        ]
        return [(a, b) for a in axes[0] for b in axes[1]]
    start = 1 if domain.kind == "positive_orthant" else 0
    grid = [Fraction(k, steps) for k in range(start, steps + 1)]
    return [(a, b) for a in grid for b in grid if a or b]


def _hull_order(points: Sequence[Vector]) -> list[Vector]:
    """Convex-hull vertices in counter-clockwise order (monotone chain, exact)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: Vector, a: Vector, b: Vector) -> Fraction:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Vector] = []
    upper: list[Vector] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _draw_set(ax: Any, k: int, t: TradingSet, reach: float) -> None:
    colour = COLOURS[k % len(COLOURS)]
    label = _label(k, t)
    if isinstance(t, PointSet):
        ax.scatter(
            [_f(p[0]) for p in t.points],
            [_f(p[1]) for p in t.points],
            s=60,
            color=colour,
            zorder=3,
            label=label,
        )
    elif isinstance(t, Ray):
        start = t.origin
        end = t.endpoint
        if end is None:  # unbounded: draw up to the edge of the picture
            scale = max(abs(_f(d)) for d in t.direction)
            end_f = [_f(o) + reach * _f(d) / scale for o, d in zip(t.origin, t.direction, strict=True)]
        else:
            end_f = [_f(x) for x in end]
        ax.annotate(
            "",
            xy=end_f,
            xytext=[_f(x) for x in start],
            arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2},
        )
        ax.plot([], [], color=colour, lw=2, label=label)
    elif isinstance(t, Polytope):
        hull = _hull_order(t.points)
        ax.fill([_f(p[0]) for p in hull], [_f(p[1]) for p in hull], color=colour, alpha=0.3, label=label)
    elif isinstance(t, RemedialSet):
        ax.fill(
            [0, _f(t.eta[0]), _f(t.eta[0]), 0],
            [0, 0, _f(t.eta[1]), _f(t.eta[1])],
            color=colour,
            alpha=0.2,
            hatch="//",
            label=label,
        )


Choices = list[tuple[Vector, list[int]]]  # each sampled type with its obviously dominant choices


def _bundle_panel(ax: Any, menu: Sequence[TradingSet], choices: Choices, tasks: tuple[str, str]) -> None:
    """The bundle space: every trading set, and the best bundle of each type's obvious choice."""
    corners = [p for t in menu if t.is_bounded for p in t.vertices()]
    corners += [t.origin for t in menu if isinstance(t, Ray)]
    reach = max([1.0] + [_f(x) for p in corners for x in p]) * 1.15
    for k, t in enumerate(menu):
        _draw_set(ax, k, t, reach)
    for c, obvious in choices:
        if obvious:
            best = menu[obvious[0]].minimize(c)
            if best.bounded:
                ax.scatter(
                    [_f(best.point[0])],
                    [_f(best.point[1])],
                    s=12,
                    color=COLOURS[obvious[0] % len(COLOURS)],
                    zorder=4,
                )
    ax.set_xlim(-0.05 * reach, reach)
    ax.set_ylim(-0.05 * reach, reach)
    ax.set_xlabel(f"tasks {tasks[0]}")
    ax.set_ylabel(f"tasks {tasks[1]}")
    ax.set_title("bundles: the menu")
    ax.legend(loc="upper right", fontsize=7)


def _type_panel(
    ax: Any, menu: Sequence[TradingSet], domain: CostDomain, choices: Choices, tasks: tuple[str, str]
) -> None:
    """The type space: the domain, each ray's indifference line, each type by its obvious choice."""
    top = max(_f(x) for c, _ in choices for x in c) * 1.1
    if domain.kind == "box":
        assert domain.lo is not None and domain.hi is not None
        lo, hi = [_f(x) for x in domain.lo], [_f(x) for x in domain.hi]
        ax.fill([lo[0], hi[0], hi[0], lo[0]], [lo[1], lo[1], hi[1], hi[1]], color="0.92")
    for k, t in enumerate(menu):
        if isinstance(t, Ray) and dot(t.direction, t.direction):
            normal = (-_f(t.direction[1]), _f(t.direction[0]))
            if normal[0] < 0 or normal[1] < 0:
                normal = (-normal[0], -normal[1])
            if normal[0] >= 0 and normal[1] >= 0:
                scale = top / max(normal)
                ax.plot(
                    [0, normal[0] * scale],
                    [0, normal[1] * scale],
                    ls="--",
                    color=COLOURS[k % len(COLOURS)],
                    lw=1,
                )
    for c, obvious in choices:
        if not obvious:
            ax.scatter([_f(c[0])], [_f(c[1])], marker="x", color="black", s=25)
        else:
            ax.scatter([_f(c[0])], [_f(c[1])], color=COLOURS[obvious[0] % len(COLOURS)], s=18)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(f"cost of {tasks[0]}")
    ax.set_ylabel(f"cost of {tasks[1]}")
    ax.set_title("types: obviously dominant choice (x: none)")


def _choices(menu: Sequence[TradingSet], domain: CostDomain, steps: int) -> Choices:
    """The sampled types, each with its obviously dominant choices (exact), after validating."""
    if not menu:
        raise InvalidInput("the menu is empty", "menu")
    for k, t in enumerate(menu):
        if t.dimension != 2:
            raise InvalidInput("pictures are drawn for two tasks only", f"menu[{k}]")
    return [(c, list(obviously_dominant_choices(menu, c))) for c in sample_types(domain, steps)]


def draw_menu(
    menu: Sequence[TradingSet],
    domain: CostDomain,
    *,
    title: str = "",
    tasks: tuple[str, str] = ("A", "B"),
    steps: int = 12,
    ax: Any = None,
    panel: str | None = None,
) -> Any:
    """One agent's two-task menu (module docstring).

    Without ``ax`` (as before): a new two-panel `matplotlib.figure.Figure` on the Agg canvas, the
    bundle space left and the type space right, returned. With ``ax`` a matplotlib Axes: only the
    panel ``panel`` (``"bundles"``, the default, or ``"types"``) is drawn on it and the Axes is
    returned; with ``ax`` a pair of Axes both panels are drawn and the pair is returned. ``title``
    titles the figure (or, with ``ax``, the panel). Nothing is shown (`plot_menu` for pyplot)."""
    require_extra("matplotlib", "plot", FEATURE)
    choices = _choices(menu, domain, steps)
    if ax is not None:
        pair = isinstance(ax, (list, tuple)) or getattr(ax, "ndim", 0) == 1
        chosen = panel or ("both" if pair else "bundles")
        if chosen not in ("bundles", "types", "both") or (chosen == "both") != pair:
            raise InvalidInput(
                "give one Axes with panel 'bundles' or 'types', or two Axes for both panels",
                f"panel {chosen!r}",
            )
        targets = list(ax) if pair else [ax]
        if len(targets) != (2 if pair else 1):
            raise InvalidInput(f"expected two Axes, got {len(targets)}", "ax")
        names = ["bundles", "types"] if pair else [chosen]
        for target, name in zip(targets, names, strict=True):
            if name == "bundles":
                _bundle_panel(target, menu, choices, tasks)
            else:
                _type_panel(target, menu, domain, choices, tasks)
            if title and not pair:
                target.set_title(title)
        return ax
    if panel not in (None, "both"):
        raise InvalidInput("one panel is drawn on a given Axes: pass ax=", f"panel {panel!r}")
    figure_module = require_extra("matplotlib.figure", "plot", FEATURE)
    agg = require_extra("matplotlib.backends.backend_agg", "plot", FEATURE)
    fig = figure_module.Figure(figsize=(11, 5))
    agg.FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    _bundle_panel(left, menu, choices, tasks)
    _type_panel(right, menu, domain, choices, tasks)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_menu(
    menu: Sequence[TradingSet], domain: CostDomain, ax: Any = None, *, panel: str = "bundles", **options: Any
) -> Any:
    """One panel of `draw_menu` on ``ax``, returned; without ``ax``, on a new
    ``matplotlib.pyplot.subplots()`` figure (a notebook shows it; nothing calls ``plt.show()``)."""
    if ax is None:
        require_extra("matplotlib", "plot", FEATURE)
        plt = require_extra("matplotlib.pyplot", "plot", FEATURE)
        _, ax = plt.subplots(figsize=(5.5, 5))
    return draw_menu(menu, domain, ax=ax, panel=panel, **options)


def save_menu_png(path: str | Path, menu: Sequence[TradingSet], domain: CostDomain, **options: Any) -> Path:
    """Draw the menu (`draw_menu`) and write it as a PNG file; returns the path."""
    target = Path(path)
    draw_menu(menu, domain, **options).savefig(target, format="png", dpi=100)
    return target
