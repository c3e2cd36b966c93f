"""Mutations of certificate JSON shared by the tampering tests: walk every node, replace one,
and the variants of a value (numbers shifted, negated, zeroed, halved; names changed; list items
duplicated or dropped; keys dropped or added; values of another JSON type)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from fractions import Fraction as F
from typing import Any

from tests.certificates.helpers import mutated as replaced  # a deep copy with one entry replaced

__all__ = ["replaced", "variants", "walk"]


def walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, (*path, i))


def variants(value: Any) -> list[Any]:
    """Each number +1, -1, negated, 0, halved; each integer also as a negative index; each name
    changed; each boolean flipped; lists with an item duplicated / dropped; objects with a key
    dropped / added; every value replaced by one of another JSON type."""
    out: list[Any] = []
    if isinstance(value, bool):
        out.append(not value)
    elif isinstance(value, int):
        out += [value + 1, value - 1, -value - 1, 0]
    elif isinstance(value, str):
        try:
            x = F(value)
        except (ValueError, ZeroDivisionError):
            out += [value + "x", ""]
        else:
            out += [str(v) for v in {x + 1, x - 1, -x, F(0), x / 2}]
    elif isinstance(value, list):
        for i in range(len(value)):
            out.append(value[: i + 1] + [copy.deepcopy(value[i])] + value[i + 1 :])
            out.append(value[:i] + value[i + 1 :])
    elif isinstance(value, dict):
        out += [{q: v for q, v in value.items() if q != k} for k in value]
        out.append({**value, "extra": 0})
    out += [None, "x", [], {}]  # wrong types: refused with a message, never a traceback
    return [v for v in out if v != value]
