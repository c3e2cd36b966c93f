"""Exact property checks for ordinal random assignment (Erdil).

Each ``check_<property>`` returns a `verified.results.CheckResult`; each ``is_<property>``
is its boolean wrapper.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verified.assignment.properties.efficiency import (
        check_ex_post_efficient,
        check_ex_post_efficient_assignment,
        check_sd_efficient,
        check_sd_efficient_assignment,
        is_ex_post_efficient,
        is_ex_post_efficient_assignment,
        is_sd_efficient,
        is_sd_efficient_assignment,
    )
    from verified.assignment.properties.equal_treatment import (
        check_anonymous,
        check_equal_treatment,
        check_equal_treatment_assignment,
        is_anonymous,
        is_equal_treatment,
        is_equal_treatment_assignment,
    )
    from verified.assignment.properties.fosd import (
        check_assignment_dominance,
        check_fosd,
        check_mechanism_dominance,
        check_strict_assignment_dominance,
        check_strict_fosd,
        is_assignment_dominance,
        is_fosd,
        is_mechanism_dominance,
        is_strict_assignment_dominance,
        is_strict_fosd,
    )
    from verified.assignment.properties.individual_rationality import (
        check_individually_rational,
        check_individually_rational_assignment,
        is_individually_rational,
        is_individually_rational_assignment,
    )
    from verified.assignment.properties.stability import (
        check_ex_post_stable,
        check_ex_post_stable_assignment,
        is_ex_post_stable,
        is_ex_post_stable_assignment,
    )
    from verified.assignment.properties.strategyproofness import (
        check_strategyproof,
        check_strategyproof_at,
        is_strategyproof,
    )
    from verified.assignment.properties.wastefulness import (
        check_nonwasteful,
        check_nonwasteful_assignment,
        check_wastefulness,
        is_nonwasteful,
        is_nonwasteful_assignment,
        is_wasteful,
        size,
    )

#: Each public name and its module, imported on first use (`verified check -p sp,ir` does not
#: import the LP and decomposition machinery of the efficiency checks).
_MODULES = {
    "check_anonymous": "equal_treatment",
    "check_assignment_dominance": "fosd",
    "check_equal_treatment": "equal_treatment",
    "check_equal_treatment_assignment": "equal_treatment",
    "check_ex_post_efficient": "efficiency",
    "check_ex_post_efficient_assignment": "efficiency",
    "check_ex_post_stable": "stability",
    "check_ex_post_stable_assignment": "stability",
    "check_fosd": "fosd",
    "check_individually_rational": "individual_rationality",
    "check_individually_rational_assignment": "individual_rationality",
    "check_mechanism_dominance": "fosd",
    "check_nonwasteful": "wastefulness",
    "check_nonwasteful_assignment": "wastefulness",
    "check_sd_efficient": "efficiency",
    "check_sd_efficient_assignment": "efficiency",
    "check_strategyproof": "strategyproofness",
    "check_strategyproof_at": "strategyproofness",
    "check_strict_assignment_dominance": "fosd",
    "check_strict_fosd": "fosd",
    "check_wastefulness": "wastefulness",
    "is_anonymous": "equal_treatment",
    "is_assignment_dominance": "fosd",
    "is_equal_treatment": "equal_treatment",
    "is_equal_treatment_assignment": "equal_treatment",
    "is_ex_post_efficient": "efficiency",
    "is_ex_post_efficient_assignment": "efficiency",
    "is_ex_post_stable": "stability",
    "is_ex_post_stable_assignment": "stability",
    "is_fosd": "fosd",
    "is_individually_rational": "individual_rationality",
    "is_individually_rational_assignment": "individual_rationality",
    "is_mechanism_dominance": "fosd",
    "is_nonwasteful": "wastefulness",
    "is_nonwasteful_assignment": "wastefulness",
    "is_sd_efficient": "efficiency",
    "is_sd_efficient_assignment": "efficiency",
    "is_strategyproof": "strategyproofness",
    "is_strict_assignment_dominance": "fosd",
    "is_strict_fosd": "fosd",
    "is_wasteful": "wastefulness",
    "size": "wastefulness",
}

__all__ = [
    "check_anonymous",
    "check_assignment_dominance",
    "check_equal_treatment",
    "check_equal_treatment_assignment",
    "check_ex_post_efficient",
    "check_ex_post_efficient_assignment",
    "check_ex_post_stable",
    "check_ex_post_stable_assignment",
    "check_fosd",
    "check_individually_rational",
    "check_individually_rational_assignment",
    "check_mechanism_dominance",
    "check_nonwasteful",
    "check_nonwasteful_assignment",
    "check_sd_efficient",
    "check_sd_efficient_assignment",
    "check_strategyproof",
    "check_strategyproof_at",
    "check_strict_assignment_dominance",
    "check_strict_fosd",
    "check_wastefulness",
    "is_anonymous",
    "is_assignment_dominance",
    "is_equal_treatment",
    "is_equal_treatment_assignment",
    "is_ex_post_efficient",
    "is_ex_post_efficient_assignment",
    "is_ex_post_stable",
    "is_ex_post_stable_assignment",
    "is_fosd",
    "is_individually_rational",
    "is_individually_rational_assignment",
    "is_mechanism_dominance",
    "is_nonwasteful",
    "is_nonwasteful_assignment",
    "is_sd_efficient",
    "is_sd_efficient_assignment",
    "is_strategyproof",
    "is_strict_assignment_dominance",
    "is_strict_fosd",
    "is_wasteful",
    "size",
]


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES})
