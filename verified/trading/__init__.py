"""Trading mechanisms with multidimensional types (Valenzuela-Stookey, 2026).

Economies and cost domains (`model`), trading sets and menus (`sets`),
polarized rays (`polarization`), obvious strategy-proofness (`osp`), trading
protocols (`protocol`) and Theorem 2 (`theorem2`).
"""

from verified.trading.model import CostDomain, Economy, LinearDescription, Vector, vector
from verified.trading.sets import (
    Extremum,
    Menu,
    PointSet,
    Polytope,
    Ray,
    RemedialSet,
    TradingSet,
    validate_menu,
)

__all__ = [
    "CostDomain",
    "Economy",
    "Extremum",
    "LinearDescription",
    "Menu",
    "PointSet",
    "Polytope",
    "Ray",
    "RemedialSet",
    "TradingSet",
    "Vector",
    "validate_menu",
    "vector",
]
