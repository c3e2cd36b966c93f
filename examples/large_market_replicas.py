"""Valenzuela-Stookey, Proposition 3 (section 4.3) as an exact replica experiment on issue 12's instance.

Two tasks, two agents: eta_1 = eta_2 = (2, 2), supplies (4, 4), pi_1 = (1, 3), pi_2 = (3, 1);
agent 1's types (1,1), (1,2), (3,1) with probability 1/3 each, agent 2's (2,1), (1,3) with 1/2.
The large-market solution (value 32/3, status quo 16) is run in the N-replica economy (N copies of
each agent, supplies N n; footnote 19's floor(mu N) menu assignment, residual agents to the largest
remainders) with myopic choices and the EOPR rule. Per N the table shows E[V_LM(N)] / N exactly
and in decimals, the lower bounds V_LM(inf) and BIC(N) / N (program (1), where it fits), the gap
of the bracket max(bounds) <= E[V*(N)] / N <= E[V_LM(N)] / N, and the status quo per replica.

    python examples/large_market_replicas.py [--plot FILE.png] [--n 1 2 4 8 16 32 64]
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction

from verified.errors import InvalidInput, MissingExtra
from verified.numbers import fraction_text
from verified.trading.large_market import LargeMarket
from verified.trading.large_market.replica_report import replica_experiment
from verified.trading.model import Economy

NS = (1, 2, 4, 8)


def text(x: Fraction | None) -> str:
    return "-" if x is None else fraction_text(x)


def decimal(x: Fraction | None) -> str:
    """x rounded exactly to 4 places (half to even), without floats."""
    if x is None:
        return "-"
    q = int(round(x, 4) * 10_000)
    sign, q = ("-" if q < 0 else ""), abs(q)
    return f"{sign}{q // 10_000}.{q % 10_000:04d}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", metavar="FILE.png", help="save the picture (needs verified[plot])")
    parser.add_argument(
        "--n", type=int, nargs="+", default=list(NS), metavar="N", help="replica sizes (default 1 2 4 8)"
    )
    args = parser.parse_args(argv)
    economy = Economy.make(2, 2, [[2, 2], [2, 2]], [[1, 3], [3, 1]])
    market = LargeMarket.make(
        economy, [[(1, 1), (1, 2), (3, 1)], [(2, 1), (1, 3)]], [["1/3"] * 3, ["1/2"] * 2]
    )
    try:
        report = replica_experiment(market, args.n)
    except InvalidInput as exc:
        print(f"--n: {exc}", file=sys.stderr)
        return 2
    solution = report.solution
    print("Proposition 3 on issue 12's instance (I = 2, J = 2)")
    print(
        f"large-market value V_LM(inf) = {text(solution.value)} ({solution.status}), "
        f"status quo {text(solution.status_quo_cost)}"
    )
    for j, agent in enumerate(solution.mechanism):
        print(f"agent {economy.agents[j]}: menu weights {', '.join(fraction_text(mu) for mu, _ in agent)}")
    print(
        f"{'N':>3}  {'E[V_LM(N)]/N':>16}  {'decimal':>8}  {'V_LM(inf)':>9}  {'BIC(N)/N':>9}  "
        f"{'gap':>10}  {'status quo':>10}  menus per agent"
    )
    for row in report.rows:
        menus = "; ".join(",".join(str(c) for c in counts) for counts in row.cost.menu_counts)
        print(
            f"{row.n:>3}  {text(row.realised):>16}  {decimal(row.realised):>8}  {text(row.lm_bound):>9}  "
            f"{text(row.bic_bound):>9}  {text(row.gap):>10}  {text(row.status_quo):>10}  {menus}"
        )
    for row in report.rows:
        if row.bic_bound is None:
            print(f"N = {row.n}: no BIC bound: {row.bic_reason}")
    for row in report.rows:
        if row.cost.low is not None and row.lm_bound is not None and row.cost.low / row.n < row.lm_bound:
            print(
                f"N = {row.n}: one realisation costs {text(row.cost.low / row.n)} per replica, below "
                f"V_LM(inf) = {text(row.lm_bound)}: the bound holds in expectation only"
            )
    closes = ", ".join(str(n) for n in report.closes_at) or "none of these N"
    print(f"bracket max(V_LM(inf), BIC(N)/N) <= E[V*(N)]/N <= E[V_LM(N)]/N closes at: {closes}")
    if args.plot:
        try:
            from verified.trading.large_market.replica_plot import plot_replicas

            ax = plot_replicas(report)
        except MissingExtra as exc:
            print(f"no plot: {exc}")
            return 0
        try:
            ax.figure.savefig(args.plot, dpi=120, bbox_inches="tight")
        except (OSError, ValueError) as exc:  # an unwritable path or an unknown image format
            print(f"--plot {args.plot}: cannot save the picture: {exc}", file=sys.stderr)
            return 2
        print(f"plot saved to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
