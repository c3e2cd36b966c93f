"""Names of agents, objects and tasks, validated the same way in both families."""

from __future__ import annotations

from collections.abc import Sequence

from verified.errors import InvalidInput


def validated_names(values: Sequence[object] | int, what: str) -> tuple[str, ...]:
    """A count ``k`` gives ``"1".."k"``; a string gives its letters (``"abc"``) or its
    words (``"x y"``, ``"x,y"``); any other sequence gives its items as strings.
    Empty lists, empty names and duplicates raise `InvalidInput` naming ``what[k]``."""
    if isinstance(values, bool):
        raise InvalidInput(f"expected a count or a list of names, got {values!r}", what)
    if isinstance(values, int):
        if values < 1:
            raise InvalidInput(f"need at least one, got {values}", what)
        return tuple(str(k) for k in range(1, values + 1))
    if isinstance(values, str):
        values = list(values) if " " not in values and "," not in values else values.replace(",", " ").split()
    names = tuple(str(v) for v in values)
    if not names:
        raise InvalidInput("the list is empty", what)
    seen: set[str] = set()
    for k, name in enumerate(names):
        if not name:
            raise InvalidInput("empty name", f"{what}[{k}]")
        if name in seen:
            raise InvalidInput(f"duplicate name {name!r}", f"{what}[{k}]")
        seen.add(name)
    return names
