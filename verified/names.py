"""Names of agents, objects and tasks, validated the same way in both families.

A name is a non-empty string (surrounding blanks are not allowed) or an integer
(not a bool), which stands for its decimal text. Anything else -- ``None``, floats,
lists, dicts, bools -- is refused with `InvalidInput` naming the place; so is a count
that is not a positive integer or that exceeds `MAX_COUNT`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from verified.errors import InvalidInput

#: Largest count accepted where a count stands for names ``"1".."k"`` (allocation bound).
MAX_COUNT = 100_000
#: Longest accepted name, in characters.
MAX_NAME_LENGTH = 1_000


def show(value: object, width: int = 60) -> str:
    """A short, safe ``repr`` for error messages: never raises (Python refuses to print an
    int of more than 4,300 digits) and never floods the terminal."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return f"a {type(value).__name__} too large to print"
    return text if len(text) <= width else f"{text[: width - 10]}... ({type(value).__name__})"


def _count_text(value: int) -> str:
    if abs(value).bit_length() > 200:
        sign = "-" if value < 0 else ""
        return f"{sign}an integer of about {int(abs(value).bit_length() * 0.30103) + 1:,} digits"
    return f"{value:,}"


def validated_count(value: object, what: str, *, low: int = 1, high: int = MAX_COUNT) -> int:
    """A count given as an integer (not a bool) with ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"expected a count (an integer), got {show(value)}", what)
    if value < low:
        raise InvalidInput(f"need at least {low}, got {_count_text(value)}", what)
    if value > high:
        raise InvalidInput(f"at most {high:,} supported, got {_count_text(value)}", what)
    return value


def validated_name(value: object, where: str) -> str:
    """One name: a non-empty string without surrounding blanks, or an integer (its text)."""
    if isinstance(value, bool):
        raise InvalidInput(f"a name must be a string, got the boolean {value!r}", where)
    if isinstance(value, int):
        if abs(value) >= 10**MAX_NAME_LENGTH:
            raise InvalidInput("a name must be a string, got a huge integer", where)
        return str(value)
    if not isinstance(value, str):
        raise InvalidInput(f"a name must be a string, got {type(value).__name__} {show(value)}", where)
    if not value.strip():
        raise InvalidInput("empty name", where)
    if value != value.strip():
        raise InvalidInput(f"name {value!r} has surrounding blanks", where)
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidInput(f"name longer than {MAX_NAME_LENGTH} characters", where)
    return value


def validated_names(values: Sequence[object] | int, what: str) -> tuple[str, ...]:
    """A count ``k`` gives ``"1".."k"``; a string gives its letters (``"abc"``) or its
    words (``"x y"``, ``"x,y"``); a list or tuple gives its items (`validated_name`).
    Empty lists, bad names and duplicates raise `InvalidInput` naming ``what[k]``."""
    if isinstance(values, bool) or isinstance(values, int):
        return tuple(str(k) for k in range(1, validated_count(values, what) + 1))
    if isinstance(values, str):
        values = list(values) if " " not in values and "," not in values else values.replace(",", " ").split()
    elif isinstance(values, (Mapping, bytes, bytearray)) or not isinstance(values, Sequence):
        raise InvalidInput(f"expected a count or a list of names, got {show(values)}", what)
    if len(values) > MAX_COUNT:
        raise InvalidInput(f"at most {MAX_COUNT:,} names supported, got {len(values):,}", what)
    names = tuple(validated_name(v, f"{what}[{k}]") for k, v in enumerate(values))
    if not names:
        raise InvalidInput("the list is empty", what)
    seen: set[str] = set()
    for k, name in enumerate(names):
        if name in seen:
            raise InvalidInput(f"duplicate name {name!r}", f"{what}[{k}]")
        seen.add(name)
    return names
