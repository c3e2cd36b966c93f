"""The large-market OSP program of Valenzuela-Stookey, section 4, solved exactly on finite type
distributions: type distributions (`model`), the support function S_j (`support`), the outer
program (eq. 5) with its dual (eq. 6) and Proposition 2 (`program`), and the mechanism it
describes evaluated in the finite economy with the EOPR rule (`finite`) and, exactly, in N-replica
economies against lower bounds on the optimum (`replica`, `replica_bounds`, `replica_report`,
`replica_plot`: Proposition 3). See docs/large_market.md.
"""

from verified.trading.large_market.model import MAX_SUPPORT, LargeMarket, TypeDistribution
from verified.trading.large_market.program import (
    DualValue,
    LargeMarketSolution,
    dual_value,
    solve_large_market,
)
from verified.trading.large_market.replica import MAX_COUNT_PROFILES, ReplicaCost, assign_menus, replica_cost
from verified.trading.large_market.support import AgentMenu, SubsetBound, SupportResult, support_function

# Imported on first use (PEP 562): the replica report needs `verified.trading.bic`, which itself
# imports this package's `model`; an eager import here would be a cycle.
_LAZY = {
    "ReplicaReport": "verified.trading.large_market.replica_report",
    "ReplicaRow": "verified.trading.large_market.replica_report",
    "replica_experiment": "verified.trading.large_market.replica_report",
    "plot_replicas": "verified.trading.large_market.replica_plot",
}


def __getattr__(name: str):  # noqa: ANN202 - whatever the named module holds
    if name not in _LAZY:
        raise AttributeError(f"module 'verified.trading.large_market' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)


__all__ = [
    "MAX_COUNT_PROFILES",
    "MAX_SUPPORT",
    "AgentMenu",
    "DualValue",
    "LargeMarket",
    "LargeMarketSolution",
    "ReplicaCost",
    "ReplicaReport",
    "ReplicaRow",
    "SubsetBound",
    "SupportResult",
    "TypeDistribution",
    "assign_menus",
    "dual_value",
    "plot_replicas",
    "replica_cost",
    "replica_experiment",
    "solve_large_market",
    "support_function",
]
