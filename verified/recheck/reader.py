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

Any violation raises `RecheckError` naming the file and the rule.
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass
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
    max_digits: int = 10_000  # of one integer, numerator or denominator
    max_depth: int = 64  # nesting of arrays and objects

    @classmethod
    def from_environment(cls) -> Limits:
        return cls(
            max_bytes=_env_int("VERIFIED_RECHECK_MAX_BYTES", cls.max_bytes),
            max_digits=_env_int("VERIFIED_RECHECK_MAX_DIGITS", cls.max_digits),
            max_depth=_env_int("VERIFIED_RECHECK_MAX_DEPTH", cls.max_depth),
        )


def _read_bytes(path: Path, limits: Limits) -> bytes:
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise RecheckError(f"the file has {size} bytes, more than the limit of {limits.max_bytes}")
    data = path.read_bytes()
    if not path.name.endswith(".gz"):
        return data
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
    chunks, total, pending = [], 0, data
    try:
        while pending:
            chunk = inflater.decompress(pending, 1 << 20)
            total += len(chunk)
            if total > limits.max_bytes:
                raise RecheckError(f"decompresses to more than the limit of {limits.max_bytes} bytes")
            chunks.append(chunk)
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        raise RecheckError(f"corrupt gzip data ({exc})") from None
    if not inflater.eof:
        raise RecheckError("truncated gzip data")
    if inflater.unused_data:
        raise RecheckError("data after the end of the gzip stream")
    return b"".join(chunks)


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


def parse_certificate(text: bytes | str, limits: Limits | None = None) -> object:
    """Parse certificate text strictly (see the module docstring)."""
    limits = limits or Limits.from_environment()
    if isinstance(text, bytes):
        if len(text) > limits.max_bytes:
            raise RecheckError(f"more than the limit of {limits.max_bytes} bytes")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecheckError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None

    def bounded_int(digits: str) -> int:
        if len(digits) > limits.max_digits + 1:
            raise RecheckError(f"an integer with more than {limits.max_digits} digits")
        return int(digits)

    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_int=bounded_int,
            parse_constant=_no_constant,
        )
    except RecursionError:
        raise RecheckError(f"nested more than {limits.max_depth} levels deep") from None
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise RecheckError(f"not JSON ({exc})") from None
    _check_depth(value, limits.max_depth)
    return value


def read_certificate(path: str | Path, limits: Limits | None = None) -> object:
    """Parse a certificate file (``.json``, or gzip-compressed ``.json.gz``), bounded."""
    path = Path(path)
    limits = limits or Limits.from_environment()
    try:
        return parse_certificate(_read_bytes(path, limits), limits)
    except OSError as exc:
        raise RecheckError(f"{path}: cannot read a certificate: {exc.strerror or exc}") from None
    except RecheckError as exc:
        raise RecheckError(f"{path}: {exc}") from None
