"""The one place where user input becomes exact rational numbers.

Accepted: ``int`` (not ``bool``), ``fractions.Fraction``, numpy integers, and
strings such as ``"3/8"``, ``"-2"`` or ``"0.375"`` (a decimal string is exact).
Rejected with `InvalidInput`: floats (Python or numpy), unless the caller passes
``allow_float=True``, in which case a float is read through its shortest
decimal representation (``0.1`` -> ``1/10``), the number the user typed.
"""

from __future__ import annotations

import math
import numbers as _numbers
from collections.abc import Iterable
from fractions import Fraction

from verified.errors import InvalidInput

RationalLike = int | Fraction | str


def to_fraction(value: object, where: str, *, allow_float: bool = False) -> Fraction:
    """Return ``value`` as an exact `Fraction`, or raise `InvalidInput` naming ``where``."""
    if isinstance(value, bool):
        raise InvalidInput(f"expected a rational number, got the boolean {value!r}", where)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise InvalidInput(
                f"expected a rational such as '3/8' or '0.375', got the string {value!r}", where
            ) from None
    if isinstance(value, _numbers.Integral):  # numpy integers
        return Fraction(int(value))
    if isinstance(value, _numbers.Real):  # Python and numpy floats
        if not allow_float:
            raise InvalidInput(
                f"got the float {value!r}; floats are not exact. Write it as an integer, a "
                f"Fraction or a string like '3/8' (or pass allow_float=True to read it as "
                f"the decimal {repr(value)})",
                where,
            )
        as_float = float(value)  # float ok: only to read the decimal the user typed
        if not math.isfinite(as_float):
            raise InvalidInput(f"got the non-finite float {value!r}", where)
        return Fraction(repr(as_float))
    raise InvalidInput(f"expected a rational number, got {type(value).__name__} {value!r}", where)


def to_fractions(values: Iterable[object], where: str, *, allow_float: bool = False) -> tuple[Fraction, ...]:
    """`to_fraction` on each item; the item's position is appended to ``where``."""
    return tuple(to_fraction(v, f"{where}[{k}]", allow_float=allow_float) for k, v in enumerate(values))


def fraction_text(value: Fraction | int) -> str:
    """Canonical text of a rational: ``"3/8"``, ``"-2"``, ``"0"``."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def parse_fraction_text(text: str, where: str) -> Fraction:
    """Inverse of `fraction_text` (accepts any exact rational string)."""
    return to_fraction(text, where)
