"""Synthesis of strategy-proof mechanisms that dominate a given one (Erdil, Propositions 1-4)."""

from verified.search.dominate import (
    SearchOutcome,
    check_dominated_by_strategyproof,
    find_dominating_mechanism,
    is_dominated_by_strategyproof,
)
from verified.search.symmetry import symmetrise

__all__ = [
    "SearchOutcome",
    "check_dominated_by_strategyproof",
    "find_dominating_mechanism",
    "is_dominated_by_strategyproof",
    "symmetrise",
]
