"""Synthesis of strategy-proof mechanisms that dominate a given one (Erdil, Propositions 1-4).

The names below are imported on first use (PEP 562), so that ``verified.search.options``
(what the command line needs) does not load z3 and the LP solvers.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "SearchOutcome": "verified.search.dominate",
    "check_dominated_by_strategyproof": "verified.search.dominate",
    "find_dominating_mechanism": "verified.search.dominate",
    "is_dominated_by_strategyproof": "verified.search.dominate",
    "symmetrise": "verified.search.symmetry",
}

__all__ = list(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'verified.search' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
