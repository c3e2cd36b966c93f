"""The built-in assignment mechanisms, each a `FunctionMechanism` with exact Fraction output.

Every mechanism but one is individually rational by construction: an agent only ever
receives objects she lists (her acceptable objects) or her outside option. The exception is
`random_assignment` (Erdil's RA), which ignores the reports.
"""

from verified.assignment.mechanisms.boston import boston, random_boston
from verified.assignment.mechanisms.deferred_acceptance import deferred_acceptance
from verified.assignment.mechanisms.probabilistic_serial import probabilistic_serial
from verified.assignment.mechanisms.random_assignment import random_assignment
from verified.assignment.mechanisms.random_deferred_acceptance import random_deferred_acceptance
from verified.assignment.mechanisms.random_priority import (
    clear_rp_cache,
    random_priority,
    random_priority_counts,
    rp_type_rows,
)
from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
from verified.assignment.mechanisms.tables import tabulate_builtin
from verified.assignment.mechanisms.top_trading_cycles import top_trading_cycles

__all__ = [
    "boston",
    "clear_rp_cache",
    "deferred_acceptance",
    "probabilistic_serial",
    "random_assignment",
    "random_boston",
    "random_deferred_acceptance",
    "random_priority",
    "random_priority_counts",
    "rp_type_rows",
    "serial_dictatorship",
    "tabulate_builtin",
    "top_trading_cycles",
]
