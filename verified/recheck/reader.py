"""Reading a certificate file with bounded work (standard library only).

A certificate comes from somebody we do not trust, so reading it is bounded
before anything is believed:

* size: the file, and its decompressed content for ``.json.gz``, at most
  `Limits.max_bytes` (decompression is streamed, so a gzip bomb stops at the limit);
* syntax: strict JSON -- no duplicate keys in an object (JSON readers disagree on
  which one wins), no floats, no ``NaN``/``Infinity``, UTF-8 only;
* numbers: an integer has at most `Limits.max_digits` digits (Python's ``int()``
  of a million digits is slow; ``Fraction("1e999999999")`` never finishes:
  `verified.recheck.core.rational` refuses exponents);
* nesting: at most `Limits.max_depth` levels (100,000 nested brackets would
  otherwise overflow the parser's recursion).

Memory follows the certificate, not a multiple of it: the text is held once (the raw
bytes are dropped when decoded), and `read_certificate` reads an assignment table's
numerators (``subject.encoding.mechanism.numerators``, nearly all of a large certificate)
into tuples with each distinct row and profile stored once -- the same JSON value, which
`verified.recheck.core.canonical` writes back byte for byte, so the subject hash and every
check see exactly what `json.loads` would have built. Any text that is not such a table
(spaces aside) is read the ordinary way, under the same rules.

Any violation raises `RecheckError` naming the file and the rule.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from json.decoder import scanstring
from pathlib import Path


class RecheckError(Exception):
    """The certificate does not prove what it claims (the message says where and why)."""


def _env_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Limits:
    """Bounds on one certificate. Override with the environment variables
    ``VERIFIED_RECHECK_MAX_BYTES``, ``VERIFIED_RECHECK_MAX_DIGITS``, ``VERIFIED_RECHECK_MAX_DEPTH``."""

    max_bytes: int = 1 << 30  # 1 GiB of JSON text, after decompression
    max_digits: int = 4_300  # of one integer, numerator or denominator (at most `_interpreter_digits`)
    max_depth: int = 64  # nesting of arrays and objects

    @classmethod
    def from_environment(cls) -> Limits:
        return cls(
            max_bytes=_env_int("VERIFIED_RECHECK_MAX_BYTES", cls.max_bytes),
            max_digits=_interpreter_digits(_env_int("VERIFIED_RECHECK_MAX_DIGITS", cls.max_digits)),
            max_depth=_env_int("VERIFIED_RECHECK_MAX_DEPTH", cls.max_depth),
        )


def _interpreter_digits(wanted: int) -> int:
    """``wanted``, but no more digits than this interpreter converts between int and text
    (``sys.get_int_max_str_digits``, 4,300 by default in CPython; 0 means no limit), so every
    number the checker accepts can be read and printed (as the library's `verified.numbers`)."""
    cap = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    return min(wanted, cap) if cap > 0 else wanted


def _read_text(path: Path, limits: Limits) -> str:
    """The file's text, decoded as UTF-8; ``.gz`` files are decompressed in streamed, bounded steps.
    The raw bytes are dropped as soon as the text exists (one copy of the certificate at a time)."""
    try:
        info = path.stat()
    except (OSError, ValueError) as exc:  # missing, a name too long, a symlink loop
        raise RecheckError(f"cannot read the file: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block, a device would never end
        raise RecheckError("not a regular file (a directory, a FIFO or a device?)")
    if info.st_size > limits.max_bytes:
        raise RecheckError(f"the file has {info.st_size} bytes, more than the limit of {limits.max_bytes}")
    if not path.name.endswith(".gz"):
        with path.open("rb") as stream:
            data = stream.read(limits.max_bytes + 1)  # a file that grows is caught too
        if len(data) > limits.max_bytes:
            raise RecheckError(f"the file has more bytes than the limit of {limits.max_bytes}")
        return _decode(data, limits)
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
    out, total = bytearray(), 0
    try:
        with path.open("rb") as stream:
            pending = b""
            while not inflater.eof:
                if not pending:
                    pending = stream.read(1 << 20)
                chunk = inflater.decompress(pending, 1 << 20)
                total += len(chunk)
                if total > limits.max_bytes:
                    raise RecheckError(f"decompresses to more than the limit of {limits.max_bytes} bytes")
                if not pending and not chunk:
                    break  # no input left and no output: the stream ends early
                out += chunk
                pending = inflater.unconsumed_tail
            if inflater.eof and (inflater.unused_data or stream.read(1)):
                raise RecheckError("data after the end of the gzip stream")
    except zlib.error as exc:
        raise RecheckError(f"corrupt gzip data ({exc})") from None
    if not inflater.eof:
        raise RecheckError("truncated gzip data")
    return _decode(out, limits)


def _decode(data: bytes | bytearray, limits: Limits) -> str:
    if len(data) > limits.max_bytes:
        raise RecheckError(f"more than the limit of {limits.max_bytes} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecheckError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise RecheckError(f"duplicate key {key!r} in one JSON object")
        out[key] = value
    return out


def _no_float(text: str) -> None:
    raise RecheckError(f"the number {text[:40]} is not an integer: certificates hold exact numbers only")


def _no_constant(text: str) -> None:
    raise RecheckError(f"{text} is not JSON")


def _check_depth(value: object, limit: int) -> None:
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node  # type: ignore[assignment]
        else:
            continue
        if depth > limit:
            raise RecheckError(f"nested more than {limit} levels deep")
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NOT_INTEGRAL = re.compile(r"[^0-9,\[\]\- \t\n\r]")  # a list of lists of integers has nothing else
_NOT_CANONICAL = re.compile(r"[^0-9,\[\]-]")  # ... and, written canonically, no spaces
#: The object path of a tabulated mechanism's numerators, the one large part of an assignment certificate.
_TABLE_PATH = ("subject", "encoding", "mechanism", "numerators")


class _Parser:
    """Strict JSON with bounded work, parsed by the standard library's C scanner one value at a time.

    The objects on the way to ``subject.encoding.mechanism.numerators`` are walked here (keys
    checked for duplicates); every other value is one call of the C scanner, with the same hooks as
    before (duplicate keys, floats, constants, digits) and its nesting checked at once. With
    ``compact``, the numerators of an assignment table are read into tuples, equal rows and equal
    profiles shared (`table`): the same JSON value, a fraction of the memory."""

    def __init__(self, text: str, limits: Limits, compact: bool) -> None:
        self.text, self.limits, self.compact = text, limits, compact

        def bounded_int(digits: str) -> int:
            if len(digits) > limits.max_digits + 1:
                raise RecheckError(f"an integer with more than {limits.max_digits} digits")
            return int(digits)

        hooks = {
            "object_pairs_hook": _no_duplicates,
            "parse_float": _no_float,
            "parse_constant": _no_constant,
        }
        self.scan = json.JSONDecoder(parse_int=bounded_int, **hooks).scan_once  # type: ignore[arg-type]
        # Inside the table, ints are made by the C scanner itself (no Python call per entry) when the
        # interpreter bounds the digits of int("...") (it does by default, at 4300): the work stays
        # bounded, and the digit rule is applied to each distinct row after the profile is read.
        bounded = 0 < getattr(sys, "get_int_max_str_digits", lambda: 0)() <= 100_000
        self.scan_table = json.JSONDecoder(**hooks).scan_once if bounded else self.scan  # type: ignore[arg-type]
        self.high = 10 ** (limits.max_digits + 1)  # more digits than that: refused (as `bounded_int`)
        self.low = -(10**limits.max_digits)

    def error(self, message: str, pos: int) -> json.JSONDecodeError:
        return json.JSONDecodeError(message, self.text, pos)

    def skip(self, pos: int) -> int:
        return _WHITESPACE.match(self.text, pos).end()  # type: ignore[union-attr]

    def document(self) -> object:
        if self.text.startswith("\ufeff"):
            raise self.error("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)
        pos = self.skip(0)
        if self.compact and self.text.startswith("{", pos):
            value, pos = self.object(pos, 1, ())
        else:
            value, pos = self.value(pos, 1)
        pos = self.skip(pos)
        if pos != len(self.text):
            raise self.error("Extra data", pos)
        return value

    def value(self, pos: int, depth: int) -> tuple[object, int]:
        """One JSON value at ``pos`` (whose nesting level is ``depth``) by the C scanner."""
        try:
            value, end = self.scan(self.text, pos)
        except StopIteration as stop:
            raise self.error("Expecting value", stop.value) from None
        _check_depth(value, self.limits.max_depth - depth + 1)
        return value, end

    def object(self, pos: int, depth: int, path: tuple[str, ...]) -> tuple[dict, int]:
        """An object on the way to the table: keys read here, each value by `value` or deeper."""
        if depth > self.limits.max_depth:
            raise RecheckError(f"nested more than {self.limits.max_depth} levels deep")
        text, out = self.text, {}
        pos = self.skip(pos + 1)
        if text.startswith("}", pos):
            return out, pos + 1
        while True:
            if not text.startswith('"', pos):
                raise self.error("Expecting property name enclosed in double quotes", pos)
            key, pos = scanstring(text, pos + 1, True)
            pos = self.skip(pos)
            if not text.startswith(":", pos):
                raise self.error("Expecting ':' delimiter", pos)
            pos = self.skip(pos + 1)
            inner = (*path, key)
            if (
                inner == _TABLE_PATH[: len(inner)]
                and len(inner) < len(_TABLE_PATH)
                and text.startswith("{", pos)
            ):
                value, pos = self.object(pos, depth + 1, inner)
            elif inner == _TABLE_PATH and self.is_table:
                value, pos = self.table(pos, depth + 1)
            else:
                value, pos = self.value(pos, depth + 1)
            if key in out:
                raise RecheckError(f"duplicate key {key!r} in one JSON object")
            out[key] = value
            if path == _TABLE_PATH[:2]:  # the subject's encoding: is it a table (family and kind first)?
                self.is_table = out.get("family") == "assignment" and out.get("kind") == "table"
            pos = self.skip(pos)
            if text.startswith("}", pos):
                return out, pos + 1
            if not text.startswith(",", pos):
                raise self.error("Expecting ',' delimiter", pos)
            pos = self.skip(pos + 1)

    is_table = False

    def table(self, pos: int, depth: int) -> tuple[object, int]:
        """The numerators, a list (profiles) of lists (rows) of integers, as a list of tuples of
        tuples, every distinct row and profile stored once (`canonical_table` for the canonical
        text the library writes, else one profile per call of the C scanner). Anything else in the
        text (a string, a float, ``true``, an object, a deeper list, a too long integer) is read
        again by `value`, so the result is always exactly the value `json.loads` would build."""
        if not self.text.startswith("[", pos) or depth + 2 > self.limits.max_depth:
            return self.value(pos, depth)
        try:
            found = self.canonical_table(pos)
            if found is None:
                found = self.scanned_table(pos)
        except (TypeError, StopIteration, ValueError, _NotATable):
            found = None
        if found is None:
            return self.value(pos, depth)  # not a list of lists of integers: the exact reading
        out, end, rows = found
        high, low = self.high, self.low
        if any(v >= high or v <= low for row in rows for v in row):
            return self.value(pos, depth)  # too many digits: `bounded_int` names the rule
        return out, end

    def canonical_table(self, start: int) -> tuple[list, int, Iterable[tuple]] | None:
        """The canonical text ``[[[v,...],...],...]`` (no spaces) split at C speed: the value ends at
        the first ``]]]``; it holds only digits, minus signs, commas and brackets; between ``[[[``
        and ``]]]`` the profiles are separated by ``]],[[``, the rows of one by ``],[`` and each
        row must be integers as JSON writes them (`_ROW`). Text that splits that way is exactly a
        list of lists of lists of integers (the separators cannot occur inside a row), and a JSON
        value that is complete ends where it ends, so this is the value the scanner would read."""
        text = self.text
        end = text.find("]]]", start)
        if (
            not text.startswith("[[[", start)
            or end < 0
            or _NOT_CANONICAL.search(text, start, end) is not None
        ):
            return None
        rows: dict[str, tuple] = {}
        blocks: dict[str, tuple] = {}
        row_pattern = _row_pattern(self.limits.max_digits)

        def row(part: str) -> tuple:
            if row_pattern.fullmatch(part) is None:
                raise _NotATable
            value = rows[part] = tuple(map(int, part.split(",")))
            return value

        def block(part: str) -> tuple:
            value = blocks[part] = tuple([rows.get(r) or row(r) for r in part.split("],[")])
            return value

        out: list[tuple] = []
        pos, stop, get = start + 3, end, blocks.get
        while pos <= stop:
            cut = text.find("]],[[", pos + (1 << 22), stop)  # about 4 MB of text at a time
            if cut < 0:
                cut = stop
            out.extend([get(part) or block(part) for part in text[pos:cut].split("]],[[")])
            pos = cut + 5
        return out, end + 3, rows.values()

    def scanned_table(self, start: int) -> tuple[list, int, Iterable[tuple]] | None:
        """Any other spelling (spaces, new lines): one profile per call of the C scanner."""
        text, skip = self.text, self.skip
        rows: dict[tuple, tuple] = {}
        blocks: dict[tuple, tuple] = {}
        out: list[tuple] = []
        scan, append = self.scan_table, out.append
        pos = skip(start + 1)
        if text.startswith("]", pos):
            return out, pos + 1, ()
        while True:
            found, pos = scan(text, pos)
            key = tuple([rows.setdefault(row, row) for row in map(tuple, found)])
            append(blocks.setdefault(key, key))
            pos = skip(pos)
            if text.startswith("]", pos):
                pos += 1
                break
            if not text.startswith(",", pos):
                return None
            pos = skip(pos + 1)
        if _NOT_INTEGRAL.search(text, start, pos) is not None:
            return None  # a string, a constant or an object was read: tuple() of it is not the value
        return out, pos, rows


class _NotATable(Exception):
    """The numerators' text is not a list of lists of lists of integers as JSON writes them."""


@functools.lru_cache(maxsize=8)
def _row_pattern(max_digits: int) -> re.Pattern:
    """Integers as JSON writes them (no leading zero, no plus sign), separated by commas, each of at
    most ``max_digits + 1`` digits (so ``int()`` does bounded work; `bounded_int`'s rule is applied
    after, on the values)."""
    number = rf"-?(?:0|[1-9][0-9]{{0,{max_digits}}})"
    return re.compile(rf"{number}(?:,{number})*")


def parse_certificate(text: bytes | str, limits: Limits | None = None, compact: bool = False) -> object:
    """Parse certificate text strictly (see the module docstring).

    With ``compact``, an assignment table's numerators come as a list of tuples of tuples with
    equal rows and profiles shared (the same JSON value, what `read_certificate` returns): a
    checker reads them, nobody may change them in place."""
    limits = limits or Limits.from_environment()
    if isinstance(text, (bytes, bytearray)):
        text = _decode(text, limits)
    try:
        return _Parser(text, limits, compact).document()
    except RecursionError:
        raise RecheckError(f"nested more than {limits.max_depth} levels deep") from None
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise RecheckError(f"not JSON ({exc})") from None


def read_certificate(path: str | Path, limits: Limits | None = None, compact: bool = True) -> object:
    """Parse a certificate file (``.json``, or gzip-compressed ``.json.gz``), bounded; an assignment
    table comes compact (see `parse_certificate`). One copy of the text at a time, dropped when parsed."""
    path = Path(path)
    limits = limits or Limits.from_environment()
    try:
        return parse_certificate(_read_text(path, limits), limits, compact)
    except OSError as exc:
        raise RecheckError(f"{path}: cannot read a certificate: {exc.strerror or exc}") from None
    except RecheckError as exc:
        raise RecheckError(f"{path}: {exc}") from None
