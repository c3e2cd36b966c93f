"""Exact property checks for ordinal random assignment (Erdil).

Each ``check_<property>`` returns a `verified.results.CheckResult`; each ``is_<property>``
is its boolean wrapper.
"""

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
