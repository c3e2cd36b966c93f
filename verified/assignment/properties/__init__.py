"""Exact property checks for ordinal random assignment (Erdil).

Each ``check_<property>`` returns a `verified.results.CheckResult`; each ``is_<property>``
is its boolean wrapper.
"""

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
from verified.assignment.properties.strategyproofness import (
    check_strategyproof,
    check_strategyproof_at,
    is_strategyproof,
)
from verified.assignment.properties.wastefulness import (
    check_nonwasteful,
    check_wastefulness,
    is_nonwasteful,
    is_nonwasteful_assignment,
    is_wasteful,
    size,
)

__all__ = [
    "check_assignment_dominance",
    "check_fosd",
    "check_individually_rational",
    "check_individually_rational_assignment",
    "check_mechanism_dominance",
    "check_nonwasteful",
    "check_strategyproof",
    "check_strategyproof_at",
    "check_strict_assignment_dominance",
    "check_strict_fosd",
    "check_wastefulness",
    "is_assignment_dominance",
    "is_fosd",
    "is_individually_rational",
    "is_individually_rational_assignment",
    "is_mechanism_dominance",
    "is_nonwasteful",
    "is_nonwasteful_assignment",
    "is_strategyproof",
    "is_strict_assignment_dominance",
    "is_strict_fosd",
    "is_wasteful",
    "size",
]
