"""Heat maps of stochastic assignments and of one agent's shares across profiles.

`plot_assignment` draws an agent x column grid (objects, then the outside option) coloured by
the share, each cell labelled with its exact fraction (``"3/8"``). `plot_mechanism` draws one
agent's row at each of a list of profiles (a slice of the domain), rows labelled by the profile.

Both take ``ax`` (a matplotlib ``Axes``), draw on it and return it. Without one they make a new
figure with ``matplotlib.pyplot.subplots()`` (so a notebook shows it; close it with
``plt.close(ax.figure)`` when drawing many) and return its Axes. Nothing here calls
``plt.show()`` or switches the backend. Only the colours use floats; every label is the exact
fraction. matplotlib is an optional extra: ``pip install 'verified[plot]'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from verified.errors import InvalidInput, require_extra
from verified.numbers import fraction_text

FEATURE = "Plotting assignments"
#: Profiles `plot_mechanism` shows when none are given (the first ones of the table's domain).
DEFAULT_PROFILES = 10
#: Most profiles one picture takes (each is a row of labelled cells).
MAX_PROFILES = 200


def _axes(ax: Any, rows: int, columns: int) -> Any:
    if ax is not None:
        return ax
    require_extra("matplotlib", "plot", FEATURE)
    plt = require_extra("matplotlib.pyplot", "plot", FEATURE)
    _, new = plt.subplots(figsize=(1.2 + 0.9 * columns, 0.9 + 0.45 * rows))
    return new


def _heat_map(
    ax: Any, rows: Sequence[Sequence[Fraction]], row_labels: Sequence[str], columns: Sequence[str], cmap: str
) -> Any:
    """Cells coloured by value in [0, 1], each labelled with its exact fraction text."""
    # float ok: colours only; the labels below are the exact fractions
    values = [[float(v) for v in row] for row in rows]
    image = ax.imshow(values, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            colour = "white" if v > Fraction(3, 5) else "black"
            ax.text(c, r, fraction_text(v), ha="center", va="center", color=colour, fontsize=9)
    ax.set_xticks(range(len(columns)), labels=list(columns))
    ax.set_yticks(range(len(row_labels)), labels=list(row_labels))
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    return image


def plot_assignment(assignment: Any, ax: Any = None, *, cmap: str = "Blues", title: str | None = None) -> Any:
    """A heat map of ``assignment`` (a `StochasticAssignment`): rows are agents, columns the
    objects and the outside option, each cell labelled with its exact share. Returns the Axes."""
    p = assignment.problem
    ax = _axes(ax, p.n, p.m + 1)
    _heat_map(ax, assignment.matrix, [f"agent {a}" for a in p.agents], p.columns, cmap)
    ax.set_title(title if title is not None else "shares (exact)")
    return ax


def _short(profile: Sequence[Sequence[str]]) -> str:
    return "; ".join(" > ".join(pref) or "-" for pref in profile)


def _slice(mechanism: Any, profiles: Iterable[object] | None) -> list[tuple[str, Any]]:
    """(row label, assignment) for each requested profile: indices or rankings for a table,
    rankings for any other mechanism."""
    domain = getattr(mechanism, "domain", None)
    if profiles is None:
        if domain is None:
            raise InvalidInput("give the profiles to draw (a list of profiles)", "profiles")
        profiles = range(min(len(domain), DEFAULT_PROFILES))
    out = []
    for k, item in enumerate(profiles):
        if len(out) == MAX_PROFILES:
            raise InvalidInput(f"at most {MAX_PROFILES} profiles fit in one picture", "profiles")
        if isinstance(item, int) and not isinstance(item, bool):
            if domain is None or not 0 <= item < len(domain):
                size = "no domain" if domain is None else f"profiles 0..{len(domain) - 1}"
                raise InvalidInput(f"profile index {item} is out of range ({size})", f"profiles[{k}]")
            out.append((f"#{item}: {_short(domain.profile(item))}", mechanism.at_index(item)))
        else:
            profile = mechanism.problem.profile(item)
            out.append((_short(profile), mechanism(profile)))
    if not out:
        raise InvalidInput("no profiles to draw", "profiles")
    return out


def plot_mechanism(
    mechanism: Any,
    agent: int | str = 0,
    profiles: Iterable[object] | None = None,
    ax: Any = None,
    *,
    cmap: str = "Blues",
    title: str | None = None,
) -> Any:
    """One agent's shares across a slice of the domain: a row per profile (``profiles``: indices
    into a table's domain, or profiles as rankings; default the first `DEFAULT_PROFILES` of a
    table), a column per object and the outside option, each cell labelled exactly. Returns the Axes."""
    p = mechanism.problem
    i = p.agent_index(agent)
    drawn = _slice(mechanism, profiles)
    ax = _axes(ax, len(drawn), p.m + 1)
    _heat_map(ax, [gamma.matrix[i] for _, gamma in drawn], [label for label, _ in drawn], p.columns, cmap)
    name = getattr(mechanism, "name", "mechanism")
    ax.set_title(title if title is not None else f"{name}: agent {p.agents[i]}'s shares (exact)")
    return ax
