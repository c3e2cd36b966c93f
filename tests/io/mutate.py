"""Helpers for the file-format fuzz tests: the seed documents (every valid example file),
a small TOML writer (the standard library only reads TOML), and document mutations."""

from __future__ import annotations

import copy
import json
import math
import shutil
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def seed_files() -> list[Path]:
    """Every JSON/TOML example (including examples/data/)."""
    return sorted(
        p for p in [*EXAMPLES.glob("*.toml"), *EXAMPLES.glob("*.json"), *(EXAMPLES / "data").glob("*.json")]
    )


def read(path: Path) -> Any:
    text = path.read_text("utf-8")
    return tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)


def copy_python_files(target: Path) -> None:
    """The Python mechanisms the examples name (``python = "file.py:function"``)."""
    for py in EXAMPLES.glob("*.py"):
        shutil.copy(py, target / py.name)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are TOML basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {type(value).__name__}")


def has_null(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if node is None:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def to_toml(doc: dict[str, Any]) -> str:
    """TOML text of ``doc`` (top-level keys as ``key = value``, inline tables below);
    ``doc`` must hold no null (TOML has none)."""
    import sys

    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # the mutants hold integers of many digits on purpose
    try:
        return "".join(f"{json.dumps(str(k))} = {_toml_value(v)}\n" for k, v in doc.items())
    finally:
        sys.set_int_max_str_digits(old)


def to_json(doc: Any) -> str:
    import sys

    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # the mutants hold integers of many digits on purpose
    try:
        return json.dumps(doc)
    finally:
        sys.set_int_max_str_digits(old)


def paths(doc: Any) -> list[tuple[Any, ...]]:
    """Every path to a node (the root is ``()``), lists and dicts alike."""
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), doc)]
    while stack:
        path, node = stack.pop()
        out.append(path)
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, k), v) for k, v in enumerate(node))
    return sorted(out, key=lambda p: [str(x) for x in p])


def get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def deep(levels: int) -> Any:
    node: Any = []
    for _ in range(levels):
        node = [node]
    return node


# Values a node may be replaced by: each of the classes, and generic wrong types.
REPLACEMENTS: list[Any] = [
    None,
    0,
    -24,
    2,
    True,
    2.0,
    0.5,
    float("inf"),
    "",
    "x",
    " a",
    "outside",
    "1/0",
    "3/8",
    "1e999999999",
    "9" * 20_000,
    10**5_000,
    10**20_000,
    -(10**30),
    [],
    [None],
    [1],
    [[[]]],
    {},
    {"kind": "full"},
    {"bogus": 1},
]


def mutate(doc: Any, path: tuple[Any, ...], op: str, value: Any) -> Any:
    """A mutated deep copy of ``doc``: at ``path``, ``op`` is "replace" (by ``value``),
    "delete" (the key or item), "add" (an unknown key, when the node is a dict) or "deep"
    (the node wrapped in ``value`` levels of lists)."""
    doc = copy.deepcopy(doc)
    if op == "replace" and not path:
        return value
    if not path:
        return doc
    parent = get(doc, path[:-1])
    key = path[-1]
    if op == "replace":
        parent[key] = value
    elif op == "delete":
        del parent[key]
    elif op == "deep":
        parent[key] = _wrap(parent[key], value)
    elif op == "add":
        node = parent[key]
        if isinstance(node, dict):
            node["unknown_field"] = 1
    return doc


def _wrap(node: Any, levels: int) -> Any:
    for _ in range(levels):
        node = [node]
    return node
