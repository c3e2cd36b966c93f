"""The one place where user input becomes exact rational numbers.

Accepted: ``int`` (not ``bool``), ``fractions.Fraction``, numpy integers, and
strings such as ``"3/8"``, ``"-2"``, ``"0.375"`` or ``".5"`` (a decimal string is exact).
Rejected with `InvalidInput`: floats (Python or numpy), unless the caller passes
``allow_float=True``, in which case a float is read through its shortest
decimal representation (``0.1`` -> ``1/10``), the number the user typed.

Bounded work: exponent notation (``"1e999999999"``, which `fractions.Fraction` would
expand digit by digit) is refused, and so is any number with more than `max_digits()`
decimal digits. Integers are measured by ``bit_length`` (never converted to text), so a
check costs O(1) whatever the input.

The one digit rule, wherever a number enters (a file, a search file, a statement, a user's
mechanism answering in Python): every integer, numerator and denominator, has at most
`max_digits()` digits, checked before any conversion to text (`bounded_int`, `require_int`,
`to_fraction`), refused as `InvalidInput` naming the place. The limit never exceeds what the
interpreter converts between int and text (``sys.get_int_max_str_digits()``, 4,300 in CPython
by default): so every accepted number can be printed, hashed as text or written to a
certificate anywhere downstream, in the command line and in the library alike, and the
interpreter's own guard is never touched (it stays the process's, not ours to change).
The default `MAX_DIGITS` is that 4,300 (lowered with the interpreter's limit when the user
lowers it); to go higher, raise both ``VERIFIED_MAX_DIGITS`` and the interpreter's limit
(``PYTHONINTMAXSTRDIGITS`` or ``python -X int_max_str_digits=N``): a ``VERIFIED_MAX_DIGITS``
above the interpreter's limit is refused with a message saying so.
"""

from __future__ import annotations

import math
import numbers as _numbers
import os
import re
import sys
from collections.abc import Iterable
from fractions import Fraction

from verified.errors import InvalidInput

RationalLike = int | Fraction | str

#: Default largest number of decimal digits of one number (numerator and denominator
#: each, or the digits of a decimal string): CPython's default ``int_max_str_digits``, the most
#: the interpreter converts between int and text. Override: ``VERIFIED_MAX_DIGITS``.
MAX_DIGITS = 4_300
ENV_MAX_DIGITS = "VERIFIED_MAX_DIGITS"
#: The interpreter's own environment variable for its int <-> text limit.
ENV_PYTHON_DIGITS = "PYTHONINTMAXSTRDIGITS"

# "-3/8", "3 / 8", "+2", "0.375", ".5", "5." -- ASCII digits only, no exponent, no underscores.
_RATIO = re.compile(r"([+-]?)([0-9]+)\s*/\s*([0-9]+)")
_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?")
_LOG10_2 = math.log10(2)


def interpreter_digits() -> int:
    """The most digits the interpreter converts between int and text
    (``sys.get_int_max_str_digits()``), or 0 when it sets no limit."""
    return sys.get_int_max_str_digits()


def max_digits(override: int | None = None) -> int:
    """The digit limit in force: ``override`` if given, else ``$VERIFIED_MAX_DIGITS``, else
    `MAX_DIGITS` (lowered to `interpreter_digits` when that is smaller). A malformed value, or an
    explicit one above `interpreter_digits` (such numbers could not be printed), is an
    `InvalidInput` naming where it came from."""
    python = interpreter_digits()
    if override is not None:
        value: object = override
        where = "max_digits"
    else:
        raw = os.environ.get(ENV_MAX_DIGITS)
        if raw is None or not raw.strip():
            return min(MAX_DIGITS, python) if python else MAX_DIGITS
        where = ENV_MAX_DIGITS
        text = raw.strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else raw
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(
            f"the digit limit must be a positive integer (of at most 18 digits), got {_short(value)}", where
        )
    if python and value > python:
        raise InvalidInput(
            f"a digit limit of {value:,} is above the {python:,} digits this Python interpreter converts "
            f"between integers and text; raise that limit too ({ENV_PYTHON_DIGITS}={value} or "
            f"python -X int_max_str_digits={value})",
            where,
        )
    return value


def too_many_digits(digits: int, limit: int, exact: bool = False) -> str:
    """The message refusing a number of ``digits`` digits (``exact``, or about as many) under the
    digit limit ``limit``, with the environment variable(s) that raise it."""
    python = interpreter_digits()
    how = (
        f"the environment variables {ENV_MAX_DIGITS} and {ENV_PYTHON_DIGITS}"
        if python and limit >= python
        else f"the environment variable {ENV_MAX_DIGITS}"
    )
    return (
        f"a number with {'' if exact else 'about '}{digits:,} digits exceeds the limit of {limit:,} "
        f"digits (raise it with {how} if this is intended)"
    )


def _too_many(digits: int, limit: int, where: str) -> InvalidInput:
    return InvalidInput(too_many_digits(digits, limit), where)


def integer_digits(value: int) -> int:
    """An upper bound on the number of decimal digits of ``value`` (from ``bit_length``, O(1))."""
    return int(abs(value).bit_length() * _LOG10_2) + 1


def bounded_int(value: int, where: str, limit: int | None = None) -> int:
    """``value`` if it has at most `max_digits` digits, else `InvalidInput` naming ``where``
    (measured by ``bit_length``: never converted to text)."""
    cap = max_digits(limit)
    digits = integer_digits(value)  # exact or one too many
    if digits > cap + 1 or (digits == cap + 1 and abs(value) >= 10**cap):
        raise _too_many(digits, cap, where)
    return value


def require_int(value: object, where: str, *, low: int | None = None, high: int | None = None) -> int:
    """An integer read from a file (a count, a capacity, an index): ``value`` if it is an ``int``
    (not a ``bool``) of at most `max_digits` digits with ``low <= value <= high`` (where given),
    else `InvalidInput` naming ``where``. The digits are counted before the number is ever
    printed, so a huge integer is refused by the digit rule, never by Python's text limit."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"expected an integer, got {type(value).__name__} {_short(value)}", where)
    bounded_int(value, where)
    if low is not None and value < low:
        raise InvalidInput(f"{_short(value)} is below the least allowed value, {low:,}", where)
    if high is not None and value > high:
        raise InvalidInput(f"{_short(value)} is above the largest allowed value, {high:,}", where)
    return int(value)


def int_text(value: int) -> str:
    """``str(value)`` for an int of any size, without tripping Python's
    ``int_max_str_digits`` guard (4,300 digits by default): 4,000 digits at a time."""
    if abs(value).bit_length() < 13_000:  # < 3,914 digits
        return str(value)
    sign, value = ("-", -value) if value < 0 else ("", value)
    chunks = []
    block = 10**4000
    while value:
        value, low = divmod(value, block)
        chunks.append(low)
    parts = [str(chunks[-1])] + [str(c).zfill(4000) for c in reversed(chunks[:-1])]
    return sign + "".join(parts)


def _digits_to_int(text: str) -> int:
    """``int(text)`` for an ASCII digit string of any (already bounded) length, without
    tripping Python's ``int_max_str_digits`` guard: 4,000 digits at a time."""
    value = 0
    for start in range(0, len(text), 4000):
        chunk = text[start : start + 4000]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def parse_rational_text(value: str, where: str, limit: int | None = None) -> Fraction:
    """An exact rational from ``"n/d"`` or a decimal string (bounded; see module docstring)."""
    text = value.strip()
    cap = max_digits(limit)
    if len(text) > 2 * cap + 8:  # cheap early refusal before any regular expression runs
        raise _too_many(len(text), cap, where)
    ratio = _RATIO.fullmatch(text)
    if ratio:
        sign, num, den = ratio.groups()
        for part in (num, den):
            if len(part.lstrip("0")) > cap:
                raise _too_many(len(part.lstrip("0")), cap, where)
        d = _digits_to_int(den)
        if d == 0:
            raise InvalidInput(f"zero denominator in {value!r}", where)
        n = _digits_to_int(num)
        return Fraction(-n if sign == "-" else n, d)
    decimal = _DECIMAL.fullmatch(text)
    if decimal and (decimal.group(2) or decimal.group(3)):
        sign, whole, frac = decimal.group(1), decimal.group(2), decimal.group(3) or ""
        if len(whole.lstrip("0")) + len(frac) > cap:
            raise _too_many(len(whole.lstrip("0")) + len(frac), cap, where)
        n = _digits_to_int((whole + frac) or "0")
        out = Fraction(n, 10 ** len(frac))
        return -out if sign == "-" else out
    hint = " (exponent notation is not accepted: write the digits)" if re.search(r"[eE]", text) else ""
    raise InvalidInput(
        f"expected a rational such as '3/8' or '0.375', got the string {_short(value)}{hint}", where
    )


def _short(value: object) -> str:
    """``repr(value)``, cut to about 60 characters; an int too long to print is described."""
    if isinstance(value, int) and integer_digits(value) > 60:
        return f"an integer of about {integer_digits(value):,} digits"
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # an int too long to print
        return f"a {type(value).__name__} too large to print"
    return text if len(text) <= 60 else f"{text[:40]}...{text[-10:]} ({len(text):,} characters)"


def to_fraction(
    value: object, where: str, *, allow_float: bool = False, limit: int | None = None
) -> Fraction:
    """Return ``value`` as an exact `Fraction`, or raise `InvalidInput` naming ``where``.
    ``limit`` overrides the digit limit (`max_digits`)."""
    if isinstance(value, bool):
        raise InvalidInput(f"expected a rational number, got the boolean {value!r}", where)
    if isinstance(value, Fraction):  # a subclass becomes a plain Fraction: none of its methods run later
        numerator, denominator = int(value.numerator), int(value.denominator)
        bounded_int(numerator, where, limit)
        bounded_int(denominator, where, limit)
        return value if type(value) is Fraction else Fraction(numerator, denominator)
    if isinstance(value, int):
        return Fraction(bounded_int(int(value), where, limit))
    if isinstance(value, str):
        return parse_rational_text(value, where, limit)
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
        return Fraction(repr(as_float))  # a float's repr has at most 17 significant digits
    raise InvalidInput(f"expected a rational number, got {type(value).__name__} {_short(value)}", where)


def to_fractions(values: Iterable[object], where: str, *, allow_float: bool = False) -> tuple[Fraction, ...]:
    """`to_fraction` on each item; the item's position is appended to ``where``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInput(f"expected a list of rationals, got {_short(values)}", where)
    return tuple(to_fraction(v, f"{where}[{k}]", allow_float=allow_float) for k, v in enumerate(values))


def fraction_text(value: Fraction | int) -> str:
    """Canonical text of a rational: ``"3/8"``, ``"-2"``, ``"0"``."""
    value = Fraction(value)
    if value.denominator == 1:
        return int_text(value.numerator)
    return f"{int_text(value.numerator)}/{int_text(value.denominator)}"


def parse_fraction_text(text: str, where: str) -> Fraction:
    """Inverse of `fraction_text` (accepts any exact rational string)."""
    return to_fraction(text, where)
