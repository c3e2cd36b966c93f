"""Integer blocks: a range's (or the whole domain's) numerators over one denominator.

Numerators of a valid table lie in ``[0, d]`` (``d`` the denominator), so the smallest
numpy dtype holding ``d`` holds every entry: int8 / int16 / int32 / int64, and Python
ints (``dtype=object``) beyond int64 (`smallest_dtype`). This is what workers ship
between processes (never Fractions) and what a whole-domain check keeps in memory: for
a deterministic mechanism (``d = 1``) one byte per entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import lcm
from typing import Any

import numpy as np

from verified.errors import InvalidInput
from verified.numbers import bounded_int


def smallest_dtype(bound: int) -> Any:
    """The narrowest signed dtype holding every integer in ``[-bound, bound]`` (object past int64)."""
    bound = abs(int(bound))
    for dtype in (np.int8, np.int16, np.int32, np.int64):
        if bound <= np.iinfo(dtype).max:
            return dtype
    return object


def as_dtype(values: np.ndarray | list[int], bound: int) -> np.ndarray:
    """``values`` (ints in ``[-bound, bound]``) in `smallest_dtype` (bound)."""
    dtype = smallest_dtype(bound)
    if dtype is object:
        flat = values.ravel().tolist() if isinstance(values, np.ndarray) else list(values)
        out = np.empty(len(flat), dtype=object)
        out[:] = [int(v) for v in flat]
        return out.reshape(values.shape) if isinstance(values, np.ndarray) else out
    return np.asarray(values).astype(dtype) if isinstance(values, np.ndarray) else np.array(values, dtype)


@dataclass(frozen=True, eq=False)
class Block:
    """Profiles ``start .. stop - 1``: ``numerators`` shaped (stop - start, n, m + 1) over
    ``denominator``; validated by the code that made it (rows sum to the denominator,
    entries in range, columns within capacity)."""

    start: int
    stop: int
    denominator: int
    numerators: np.ndarray

    def scaled(self, denominator: int) -> np.ndarray:
        """The numerators over ``denominator`` (a multiple of this block's), in its smallest dtype."""
        factor, rest = divmod(denominator, self.denominator)
        if rest:
            raise InvalidInput(f"{denominator} is not a multiple of {self.denominator}", "block")
        dtype = smallest_dtype(denominator)
        if dtype is object:
            out = self.numerators.astype(object)
            return out * factor if factor != 1 else out
        out = self.numerators.astype(dtype, copy=self.numerators.dtype != dtype)
        if factor != 1:  # every product is a numerator over `denominator`: it fits `dtype`
            out = out * dtype(factor)
        return out.astype(dtype, copy=False)


def concatenate(blocks: Sequence[Block], shape: tuple[int, int]) -> tuple[np.ndarray, int]:
    """Contiguous blocks (in order) as one array over the lcm of their denominators.
    ``shape`` is ``(n, m + 1)``; each block is released as soon as it is copied."""
    den = 1
    for b in blocks:
        den = lcm(den, b.denominator)
        bounded_int(den, f"profile number {b.start}: the common denominator of the answers so far")
    total = sum(b.stop - b.start for b in blocks)
    dtype = smallest_dtype(den)
    out = np.zeros((total, *shape), dtype=dtype)
    at = 0
    for b in blocks:
        size = b.stop - b.start
        out[at : at + size] = b.scaled(den)
        at += size
    return out, den
