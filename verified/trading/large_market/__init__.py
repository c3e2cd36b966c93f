"""The large-market OSP program of Valenzuela-Stookey, section 4, solved exactly on finite type
distributions: type distributions (`model`), the support function S_j (`support`), the outer
program (eq. 5) with its dual (eq. 6) and Proposition 2 (`program`), and the mechanism it
describes evaluated in the finite economy with the EOPR rule (`finite`). See docs/large_market.md.
"""

from verified.trading.large_market.model import MAX_SUPPORT, LargeMarket, TypeDistribution
from verified.trading.large_market.program import (
    DualValue,
    LargeMarketSolution,
    dual_value,
    solve_large_market,
)
from verified.trading.large_market.support import AgentMenu, SubsetBound, SupportResult, support_function

__all__ = [
    "MAX_SUPPORT",
    "AgentMenu",
    "DualValue",
    "LargeMarket",
    "LargeMarketSolution",
    "SubsetBound",
    "SupportResult",
    "TypeDistribution",
    "dual_value",
    "solve_large_market",
    "support_function",
]
