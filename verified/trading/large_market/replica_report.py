"""Proposition 3 as an exact replica experiment (Valenzuela-Stookey, section 4.3): per N, the
large-market mechanism's expected cost per replica E[V_LM(N)] / N (`replica.replica_cost`) against
the lower bounds on E[V*(N)] / N (`replica_bounds`) and the status quo.

Every number is exact. The bracket of a row is

    lower = max(V_LM(inf), BIC(N) / N)  <=  E[V*(N)] / N  <=  E[V_LM(N)] / N = upper,

(the bounds that exist); it *closes* when lower = upper: then the large-market mechanism is an
optimal OSP trading mechanism of the N-replica economy. Proposition 3 says the cost per replica
tends to the optimum's; in expectation, upper -> V_LM(inf) <= lower, so the bracket closes in the
limit (the argument, and why it is stated in expectation, is in docs/large_market.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from verified.errors import InvalidInput
from verified.numbers import fraction_text
from verified.trading.large_market.model import LargeMarket
from verified.trading.large_market.program import LargeMarketSolution, solve_large_market
from verified.trading.large_market.replica import (
    MAX_COUNT_PROFILES,
    ReplicaCost,
    positive_integer,
    replica_cost,
)
from verified.trading.large_market.replica_bounds import Bound, bic_bound, large_market_bound

DEFAULT_NS = (1, 2, 4, 8)
MAX_ROWS = 64
"""The most values of N one experiment takes."""


def _text(x: Fraction | None) -> str | None:
    return None if x is None else fraction_text(x)


@dataclass(frozen=True)
class ReplicaRow:
    """One N. ``realised`` = E[V_LM(N)] / N (None when ``cost`` is UNKNOWN), ``lm_bound`` =
    V_LM(inf), ``bic_bound`` = BIC(N) / N (None with ``bic_reason``), ``status_quo`` =
    sum_j pi_j . eta_j (the status quo's cost per replica), ``lower`` = the larger bound."""

    n: int
    cost: ReplicaCost
    lm_bound: Fraction | None
    bic_bound: Fraction | None
    bic_reason: str | None
    status_quo: Fraction

    @property
    def realised(self) -> Fraction | None:
        return self.cost.per_replica

    @property
    def lower(self) -> Fraction | None:
        bounds = [b for b in (self.lm_bound, self.bic_bound) if b is not None]
        return max(bounds) if bounds else None

    @property
    def gap(self) -> Fraction | None:
        """upper - lower (>= 0), None when an end is missing."""
        if self.realised is None or self.lower is None:
            return None
        return self.realised - self.lower

    @property
    def closes(self) -> bool:
        return self.gap == 0

    def describe(self) -> dict[str, object]:
        return {
            "N": self.n,
            "status": self.cost.status,
            "realised_per_replica": _text(self.realised),
            "large_market_bound": _text(self.lm_bound),
            "bic_bound_per_replica": _text(self.bic_bound),
            "bic_reason": self.bic_reason,
            "status_quo_per_replica": _text(self.status_quo),
            "lower": _text(self.lower),
            "gap": _text(self.gap),
            "closes": self.closes,
            "least_realisation_per_replica": _text(None if self.cost.low is None else self.cost.low / self.n),
            "menu_counts": [list(c) for c in self.cost.menu_counts],
            "count_profiles": self.cost.count_profiles,
            "lps": self.cost.lps,
            "reason": self.cost.reason,
        }


@dataclass(frozen=True)
class ReplicaReport:
    """The experiment: the large-market ``solution`` and one `ReplicaRow` per N (in the order
    asked). ``lm_reason`` says why V_LM(inf) is missing or only a dual bound."""

    solution: LargeMarketSolution
    rows: tuple[ReplicaRow, ...]
    lm_reason: str | None = None

    @property
    def closes_at(self) -> tuple[int, ...]:
        """The N whose bracket closes."""
        return tuple(row.n for row in self.rows if row.closes)

    def describe(self) -> dict[str, object]:
        """JSON-ready, every number an exact string."""
        return {
            "large_market_status": self.solution.status,
            "large_market_value": _text(self.solution.value),
            "large_market_reason": self.lm_reason,
            "status_quo": _text(self.solution.status_quo_cost),
            "closes_at": list(self.closes_at),
            "rows": [row.describe() for row in self.rows],
        }


def _ns(ns: object) -> tuple[int, ...]:
    if isinstance(ns, (str, bytes)) or not isinstance(ns, Sequence) or not ns:
        raise InvalidInput("expected a non-empty list of positive integers", "Ns")
    if len(ns) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} values of N, got {len(ns)}", "Ns")
    out = tuple(positive_integer(n, f"Ns[{k}]") for k, n in enumerate(ns))
    for k, n in enumerate(out):
        if n in out[:k]:
            raise InvalidInput(f"N = {n} repeats", f"Ns[{k}]")
    return out


def replica_experiment(
    market: LargeMarket,
    Ns: Sequence[int] = DEFAULT_NS,  # noqa: N803 - the paper's N
    *,
    solution: LargeMarketSolution | None = None,
    max_count_profiles: int = MAX_COUNT_PROFILES,
    bic: bool = True,
) -> ReplicaReport:
    """Solve the large-market program (unless ``solution`` is given) and, for every N in ``Ns``,
    compute the row of the module docstring. ``bic=False`` skips program (1)."""
    if not isinstance(market, LargeMarket):
        raise InvalidInput(f"expected a LargeMarket, got {type(market).__name__}", "market")
    ns = _ns(Ns)
    if solution is None:
        solution = solve_large_market(market)
    lm: Bound = large_market_bound(solution)
    rows = []
    for n in ns:
        cost = replica_cost(market, solution, n, max_count_profiles=max_count_profiles)
        if bic:
            b = bic_bound(market, n)
        else:
            b = Bound(None, "not computed (bic=False)")
        rows.append(
            ReplicaRow(
                n,
                cost,
                lm.value,
                None if b.value is None else b.value / n,
                b.reason,
                market.status_quo_cost(),
            )
        )
    return ReplicaReport(solution, tuple(rows), lm.reason)
