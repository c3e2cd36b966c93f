"""A validated table in the narrowest exact dtype: what the whole-domain SP and IR checks read on
domains too large for the library's int64 `~verified.assignment.mechanism.TabulatedMechanism`.

16,777,216 profiles x 6 agents x 4 columns is 3.2 GB in int64 but 0.4 GB in int8. A
`CompactTable` keeps the numerators as `verified.engine.blocks.smallest_dtype` of the
denominator makes them (int8 for a deterministic mechanism), and is validated on
construction with the same rules and messages as a `TabulatedMechanism`
(`verified.assignment.table_checks`).

Fixed-width arithmetic on int8 would wrap, so only checks that widen before they add read
it: `verified.assignment.properties.strategyproofness.check_strategyproof` (its
`SubsetSums` converts each column to `work_dtype` first) and
`verified.assignment.properties.individual_rationality.check_individually_rational` (it
only compares entries with 0). `verified.registry.COMPACT_PROPERTIES` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TableRows
from verified.assignment.table_checks import validate_numerators
from verified.errors import InvalidInput

# a compact table may have this many times the cells of the int64 limit (1 byte against 8)
COMPACT_FACTOR = 8


@dataclass(frozen=True, eq=False)
class CompactTable(TableRows):
    """Numerators shaped (profiles, n, m + 1) over ``denominator``: entry ``[p, i, k] / d`` is
    agent i's probability of column k at profile number p. Read-only once built."""

    domain: Domain
    numerators: np.ndarray
    denominator: int
    name: str

    def __post_init__(self) -> None:
        nums = self.numerators
        p = self.domain.problem
        if not isinstance(nums, np.ndarray) or nums.dtype.kind not in "iO":
            raise InvalidInput("numerators must be a signed integer numpy array", "table")
        if nums.shape != (len(self.domain), p.n, p.m + 1):
            raise InvalidInput(f"table has shape {nums.shape}, expected {(len(self.domain), p.n, p.m + 1)}")
        if (
            isinstance(self.denominator, bool)
            or not isinstance(self.denominator, int)
            or self.denominator < 1
        ):
            raise InvalidInput(f"denominator must be a positive integer, got {self.denominator!r}", "table")
        validate_numerators(self.domain, nums, self.denominator)
        nums.flags.writeable = False
