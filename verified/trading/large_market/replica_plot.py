"""A picture of a replica experiment (`replica_report.ReplicaReport`): per N, the large-market
mechanism's expected cost per replica E[V_LM(N)] / N, the lower bounds on E[V*(N)] / N (V_LM(inf)
and BIC(N) / N) with the bracket shaded between the best lower bound and the realised cost, and
the status quo.

Only the picture uses floats (matplotlib coordinates); every number is computed exactly first.
matplotlib is an optional extra (``pip install 'verified[plot]'``), imported lazily through
`verified.errors.require_extra`. `plot_replicas` draws on ``ax`` or on a new figure's Axes and
returns the Axes; it never calls ``plt.show()``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verified.errors import InvalidInput, require_extra

FEATURE = "Plotting replica experiments"


def _f(x: Fraction) -> float:
    return float(x)  # float ok: drawing coordinates only, never a verdict


def plot_replicas(report: Any, ax: Any = None, *, title: str | None = None) -> Any:
    """Draw ``report`` (a `ReplicaReport`) on ``ax`` (a new figure's Axes when None); return the Axes."""
    from verified.trading.large_market.replica_report import ReplicaReport

    if not isinstance(report, ReplicaReport):
        raise InvalidInput(f"expected a ReplicaReport, got {type(report).__name__}", "plot_replicas(report)")
    if ax is None:
        require_extra("matplotlib", "plot", FEATURE)
        plt = require_extra("matplotlib.pyplot", "plot", FEATURE)
        _, ax = plt.subplots(figsize=(6.0, 4.0))
    rows = sorted(report.rows, key=lambda r: r.n)
    ns = [r.n for r in rows]
    ax.plot(ns, [_f(r.status_quo) for r in rows], ls=":", color="tab:gray", label="status quo")
    lm = [(r.n, r.lm_bound) for r in rows if r.lm_bound is not None]
    if lm:
        ax.plot([n for n, _ in lm], [_f(v) for _, v in lm], ls="--", color="tab:green", label="V_LM(inf)")
    bic = [(r.n, r.bic_bound) for r in rows if r.bic_bound is not None]
    if bic:
        ax.plot(
            [n for n, _ in bic],
            [_f(v) for _, v in bic],
            "s",
            color="tab:purple",
            label="BIC(N) / N (program 1)",
        )
    done = [r for r in rows if r.realised is not None]
    if done:
        ax.plot(
            [r.n for r in done],
            [_f(r.realised) for r in done],
            "o-",
            color="tab:blue",
            label="E[V_LM(N)] / N",
        )
        bracket = [r for r in done if r.lower is not None]
        if bracket:
            ax.fill_between(
                [r.n for r in bracket],
                [_f(r.lower) for r in bracket],
                [_f(r.realised) for r in bracket],
                color="tab:blue",
                alpha=0.12,
                label="bracket for E[V*(N)] / N",
            )
    missing = [r.n for r in rows if r.realised is None]
    if missing:
        ax.plot(
            missing,
            [_f(r.status_quo) for r in rows if r.realised is None],
            "x",
            color="tab:red",
            label="E[V_LM(N)] / N unknown (limit): at most the status quo",
        )
    ax.set_xscale("log", base=2)
    ax.set_xticks(ns, labels=[str(n) for n in ns])
    ax.set_xlabel("replicas N")
    ax.set_ylabel("expected social cost per replica")
    ax.set_title(title or "Proposition 3: the large-market mechanism in N-replica economies")
    ax.legend(fontsize=8)
    return ax
