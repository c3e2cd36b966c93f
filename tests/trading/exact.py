"""Test-side exact arithmetic, written independently of `verified.trading.model` so that the
tests re-verify evidence with code of their own."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction


def dot(a: Iterable[object], b: Iterable[object]) -> Fraction:
    """sum a_i b_i in Fractions (entries may be ints, Fractions or "n/d" strings)."""
    return sum((Fraction(x) * Fraction(y) for x, y in zip(a, b, strict=True)), Fraction(0))
