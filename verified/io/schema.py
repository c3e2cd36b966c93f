"""What a well-formed mechanism document is: the JSON Schemas shipped with the package
(``verified/io/schemas/*.json``), and the safe reader every file goes through.

Everything that can go wrong while reading becomes `InvalidInput` naming the file:
a missing or unreadable file, bytes that are not UTF-8, an empty file, syntax errors,
duplicate keys (JSON readers disagree on which one wins), numbers with more digits than
`verified.numbers.max_digits` (refused by their line and column, before any conversion),
``NaN``/``Infinity``, nesting deeper than `MAX_DEPTH` (100,000 brackets would otherwise
raise ``RecursionError``) and a top level that is not an object/table. `fields` checks
the keys of one table: required ones present, unknown ones refused by name.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from verified.errors import InvalidInput
from verified.numbers import interpreter_digits, max_digits, too_many_digits

SCHEMAS = ("assignment", "certificate", "trading")


def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``name`` (one of `SCHEMAS`) as a dict."""
    if name not in SCHEMAS:
        raise KeyError(f"unknown schema {name!r}; known: {list(SCHEMAS)}")
    text = resources.files("verified.io").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


def fields(
    value: Any, where: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> Mapping[str, Any]:
    """``value`` if it is an object/table with every ``required`` key and no key outside
    ``required + optional``; otherwise `InvalidInput` naming ``where`` and the keys (each allowed
    key said once, in order, even when a caller lists it as both required and optional)."""
    if not isinstance(value, Mapping):
        from verified.names import show

        raise InvalidInput(f"expected an object/table, got {show(value)}", where)
    unknown = [str(k) for k in value if k not in required and k not in optional]
    if unknown:
        allowed = ", ".join(repr(k) for k in dict.fromkeys((*required, *optional)))
        raise InvalidInput(f"unknown field(s) {unknown}; allowed here: {allowed}", where)
    missing = [k for k in required if k not in value]
    if missing:
        raise InvalidInput(f"missing field(s) {missing}", where)
    return value


#: Deepest nesting of lists and objects accepted in a mechanism file (the formats need 7).
MAX_DEPTH = 64
#: The largest input file read (mechanism, statement, search and PrefLib files): far above any
#: real one, and checked before reading, so a huge or endless file costs nothing.
MAX_FILE_BYTES = 64 << 20


class _Refused(Exception):
    """Raised inside the JSON decoder's hooks; turned into `InvalidInput` by `parse_text`."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key {key!r} (JSON readers disagree on which one wins)")
        out[key] = value
    return out


class _TooLong(_Refused):
    """An integer literal past the digit limit; `parse_text` names its line and column."""


def _json_int(text: str) -> int:
    digits = len(text.lstrip("-").lstrip("0"))
    cap = max_digits()
    if digits > cap:
        raise _TooLong(too_many_digits(digits, cap, exact=True))
    return int(text)  # at most `max_digits` digits: within the interpreter's int <-> text limit


_STRING_OR_NUMBER = re.compile(r""""(?:[^"\\\n]|\\.)*"|'[^'\n]*'|([0-9][0-9_]*)""")


def _long_number(text: str, cap: int) -> tuple[str, int] | None:
    """The place (``line L, column C``) and the digit count of the first integer literal of more
    than ``cap`` digits outside a string (JSON or TOML), or None."""
    for match in _STRING_OR_NUMBER.finditer(text):
        literal = match.group(1)
        if literal is not None and len(literal) - literal.count("_") > cap:
            start = match.start(1)
            line = text.count("\n", 0, start) + 1
            column = start - text.rfind("\n", 0, start)
            return f"line {line}, column {column}", len(literal) - literal.count("_")
    return None


def _json_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number in this format")


def _json_float(text: str) -> float:
    if len(text) > 400:  # a float literal never needs that many characters
        raise _Refused(f"a number literal of {len(text):,} characters")
    return float(text)


def depth(doc: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of lists and dicts (iterative; stops counting above ``limit``)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, (list, dict)):
            deepest = max(deepest, d)
            if deepest > limit:
                return deepest
            stack.extend((v, d + 1) for v in (node.values() if isinstance(node, dict) else node))
    return deepest


def _bracket_depth(text: str) -> int:
    """An upper bound on the nesting depth of ``text`` (brackets outside strings are
    overcounted inside strings too: cheap, and only used to refuse before parsing)."""
    level = deepest = 0
    for ch in text:
        if ch in "[{":
            level += 1
            deepest = max(deepest, level)
        elif ch in "]}":
            level -= 1
    return deepest


def parse_text(text: str, suffix: str, where: str) -> dict[str, Any]:
    """Parse ``text`` as JSON (``.json``) or TOML (``.toml``) into a dict (see module docstring)."""
    suffix = suffix.lower()
    if suffix not in (".json", ".toml"):
        raise InvalidInput(f"unknown file type {suffix!r}; use .json or .toml", where)
    kind = "JSON" if suffix == ".json" else "TOML"
    if not text.strip():
        raise InvalidInput(f"the file is empty; expected a {kind} document with a 'format' field", where)
    if _bracket_depth(text) > MAX_DEPTH and depth_of_parsed(text, suffix) > MAX_DEPTH:
        raise InvalidInput(f"nested more than {MAX_DEPTH} levels deep", where)
    try:
        if suffix == ".toml":
            doc = tomllib.loads(text)
        else:
            doc = json.loads(
                text,
                object_pairs_hook=_no_duplicates,
                parse_int=_json_int,
                parse_float=_json_float,
                parse_constant=_json_constant,
            )
    except _TooLong as exc:
        found = _long_number(text, max_digits())
        raise InvalidInput(str(exc), f"{where}: {found[0]}" if found else where) from None
    except _Refused as exc:
        raise InvalidInput(f"not a valid document: {exc}", where) from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"not valid {kind}: {exc}", where) from None
    except RecursionError:
        raise InvalidInput(f"nested too deeply (more than {MAX_DEPTH} levels)", where) from None
    except InvalidInput:  # a malformed VERIFIED_MAX_DIGITS: the message names it
        raise
    except (ValueError, OverflowError) as exc:
        found = _long_number(text, interpreter_digits() or max_digits())
        if found:  # a TOML integer beyond what the interpreter converts (tomllib's int())
            raise InvalidInput(
                too_many_digits(found[1], max_digits(), exact=True), f"{where}: {found[0]}"
            ) from None
        raise InvalidInput(f"not valid {kind}: {exc}", where) from None
    if not isinstance(doc, dict):
        raise InvalidInput(
            f"the document must be an object/table at top level, got a {type(doc).__name__}", where
        )
    if depth(doc) > MAX_DEPTH:
        raise InvalidInput(f"nested more than {MAX_DEPTH} levels deep", where)
    return doc


def depth_of_parsed(text: str, suffix: str) -> int:
    """Exact nesting depth of ``text`` when the cheap bracket count is inconclusive:
    scans JSON/TOML strings so that brackets inside them are not counted."""
    level = deepest = 0
    quote: str | None = None
    escaped = False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
        elif ch == '"' or (ch == "'" and suffix == ".toml"):
            quote = ch
        elif ch in "[{":
            level += 1
            deepest = max(deepest, level)
        elif ch in "]}":
            level -= 1
    return deepest


def read_file_bytes(path: str | Path, where: str | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them. A missing file, a name
    the system refuses (too long, a symlink loop), a directory, a FIFO or a device, and a larger
    file are `InvalidInput` at ``where`` (default: the path), before anything is read; a file
    that grows while it is read is caught too (one byte past the limit is asked for)."""
    where = str(path) if where is None else where
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InvalidInput(f"no such file {str(path)!r}", where) from None
    except (OSError, ValueError) as exc:  # ENAMETOOLONG, ELOOP, EACCES, a NUL in the name
        raise InvalidInput(f"cannot read the file: {getattr(exc, 'strerror', None) or exc}", where) from None
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput("not a regular file (a directory, a FIFO or a device?)", where)
    if info.st_size > limit:
        raise InvalidInput(f"the file has {info.st_size:,} bytes, more than the limit of {limit:,}", where)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror or exc}", where) from None
    if len(data) > limit:
        raise InvalidInput(f"the file has more than {limit:,} bytes (the limit)", where)
    return data


def read_document(path: str | Path) -> dict[str, Any]:
    """Read and parse the ``.json`` or ``.toml`` file ``path`` (format chosen by suffix)."""
    path = Path(path)
    where = str(path)
    data = read_file_bytes(path, where)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})", where
        ) from None
    return parse_text(text, path.suffix, where)
