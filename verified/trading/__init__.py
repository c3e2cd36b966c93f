"""Trading mechanisms with multidimensional types (Valenzuela-Stookey, 2026).

Economies and cost domains (`model`), trading sets and menus (`sets`),
polarized rays (`polarization`), obvious strategy-proofness (`osp`), trading
protocols (`protocol`) and Theorem 2 (`theorem2`).
"""

from verified.trading.mechanism_osp import (
    TradingMechanism,
    check_dominated,
    check_effectively_dominated,
    check_mechanism_osp,
    check_myopically_optimal,
    is_dominated,
    is_effectively_dominated,
    is_mechanism_osp,
    is_myopically_optimal,
)
from verified.trading.model import CostDomain, Economy, LinearDescription, Vector, vector
from verified.trading.osp import check_menu_osp, is_menu_osp, obviously_dominant_choices
from verified.trading.polarization import check_polarized, check_polarized_lemma5, is_polarized
from verified.trading.protocol import (
    FixedStrategy,
    MyopicStrategy,
    RegionStrategy,
    TradingProtocol,
    check_claim1,
    is_claim1,
)
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
from verified.trading.theorem2 import (
    analyse_menu,
    check_polarized_ray_menu,
    check_theorem2,
    check_theorem2_mechanism,
    classify_set,
    is_polarized_ray_menu,
    polarized_ray_cover,
)

__all__ = [
    "FixedStrategy",
    "MyopicStrategy",
    "RegionStrategy",
    "TradingMechanism",
    "TradingProtocol",
    "analyse_menu",
    "check_claim1",
    "check_dominated",
    "check_effectively_dominated",
    "check_mechanism_osp",
    "check_menu_osp",
    "check_myopically_optimal",
    "check_polarized",
    "check_polarized_lemma5",
    "check_polarized_ray_menu",
    "check_theorem2",
    "check_theorem2_mechanism",
    "polarized_ray_cover",
    "classify_set",
    "is_claim1",
    "is_dominated",
    "is_effectively_dominated",
    "is_mechanism_osp",
    "is_menu_osp",
    "is_myopically_optimal",
    "is_polarized",
    "is_polarized_ray_menu",
    "obviously_dominant_choices",
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
