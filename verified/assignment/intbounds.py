"""One policy for integer arrays: int64 only where a bound proves that nothing wraps around.

numpy's fixed-width integers wrap around silently (``2**62 + 2**62`` is ``-2**63`` in int64)
and raise `OverflowError` when a Python int does not fit; either would turn an exact verdict
into a wrong one. The rule used everywhere in `verified.assignment` (and `verified.lp`):

    An integer array is int64 only when a bound B, derived from invariants that hold BEFORE
    the computation (validated entries, capacities, sizes -- never from the computed result),
    bounds the absolute value of every number the computation produces (each entry, every
    partial and final sum, every product), and ``B <= INT64_MAX = 2**63 - 1``
    (`fits_int64`). Otherwise the array holds Python ints (``dtype=object``): exact, slower.

The bounds, with ``d`` the common denominator and entries validated in ``[0, d]``:

* an entry, a row sum, any subset or prefix sum of one row: ``d`` (rows sum to ``d``);
* a row sum before the entries are validated: ``(m + 1) * max(d, largest entry)``;
* a column sum over the agents: ``n * d``;
* a capacity times the denominator: ``max(q) * d`` (capacities are unbounded ints);
* prefix sums of two tables cross-multiplied by the other's denominator: ``d_g * d_f``;
* a profile index (mixed radix over the domain): ``len(domain)``, smaller than the number of
  entries of a table that exists in memory.

`table_bound` is the bound every validated table of a problem meets (entries, row sums,
column sums); `int_array` builds an array in the dtype its bound allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from verified.errors import InvalidInput

INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1


def fits_int64(bound: int) -> bool:
    """True iff every integer of absolute value at most ``bound`` is an int64."""
    return abs(int(bound)) <= INT64_MAX


def int_dtype(bound: int) -> Any:
    """``np.int64`` if `fits_int64` (bound), else ``object`` (Python ints)."""
    return np.int64 if fits_int64(bound) else object


def work_dtype(bound: int) -> Any:
    """Smallest exact dtype for numbers bounded by ``bound``: int32, int64 or Python ints."""
    if abs(int(bound)) <= INT32_MAX:
        return np.int32
    return int_dtype(bound)


def table_bound(denominator: int, n: int, m: int, largest: int = 0) -> int:
    """Bound on every entry, row sum and column sum of an (n agents) x (m objects + outside)
    table over ``denominator`` whose entries are at most ``max(denominator, largest)``."""
    return max(int(denominator), abs(int(largest))) * max(n, m + 1, 1)


def int_array(values: Iterable[int] | np.ndarray, bound: int) -> np.ndarray:
    """``values`` as an integer array: int64 when `fits_int64` (bound), else Python ints.

    ``bound`` must bound every value of ``values`` and of what will be computed from them."""
    dtype = int_dtype(bound)
    if isinstance(values, np.ndarray):
        if dtype is object:
            # astype(object) turns numpy integers into Python ints
            return values if values.dtype == object else values.astype(object)
        return values.astype(np.int64)
    if dtype is object:
        items = [int(v) for v in values]
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out
    return np.array([int(v) for v in values], dtype=np.int64)


def table_numerators(nums: np.ndarray, bound: int, where: str) -> np.ndarray:
    """A table's numerators in the dtype this policy allows for ``bound`` (`table_bound`).

    int64 (or a narrower signed type, widened) stays fixed-width when the bound fits; a
    fixed-width array whose sums could wrap, or an unsigned one, becomes Python ints; an
    object array must hold integers and is rebuilt with Python ints (a numpy integer kept
    inside an object array would still wrap). Raises `InvalidInput` at ``where`` otherwise."""
    if nums.dtype == object:
        flat = nums.ravel().tolist()
        for v in flat:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise InvalidInput(f"table entry {v!r} is not an integer numerator", where)
        out = np.empty(len(flat), dtype=object)
        out[:] = [int(v) for v in flat]
        return out.reshape(nums.shape)
    if nums.dtype.kind == "i" and fits_int64(bound):
        return nums if nums.dtype == np.int64 else nums.astype(np.int64)
    return nums.astype(object)


def scaled_capacities(capacities: Iterable[int], denominator: int) -> np.ndarray:
    """``q_x * denominator`` for every object, exact (int64 only when the largest fits)."""
    caps = [int(q) * int(denominator) for q in capacities]
    return int_array(caps, max(caps, default=0))


__all__ = [
    "INT32_MAX",
    "INT64_MAX",
    "fits_int64",
    "int_array",
    "int_dtype",
    "scaled_capacities",
    "table_bound",
    "table_numerators",
    "work_dtype",
]
