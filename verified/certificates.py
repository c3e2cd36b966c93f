"""Certificate documents: one JSON document per verdict, re-checkable by `verified.recheck`.

A certificate records the schema version, the tool version, the property, the
verdict (holds / fails / unknown), the evidence of the check, and the subject
(the canonical encoding of the problem and tabulated mechanism) with its
SHA-256. Serialised canonically (sorted keys, no spaces, ASCII, one trailing
newline): the same input gives the same bytes. Certificates above `GZIP_ABOVE` bytes
are stored gzip-compressed (``NAME.cert.json.gz``, deterministically: `save_certificate`).
"""

from __future__ import annotations

import json
import struct
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any

from verified.io.canonical import subject_sha256
from verified.recheck.core import SCHEMA
from verified.results import CheckResult, jsonable

#: Certificates with more bytes of canonical JSON than this are written gzip-compressed (`save_certificate`).
GZIP_ABOVE = 1 << 20
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"  # magic, deflate, no flags, mtime 0, XFL, OS


def tool_version() -> str:
    try:
        return metadata.version("verified")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def build_certificate(prop: str, result: CheckResult, subject: dict[str, Any]) -> dict[str, Any]:
    """The certificate of ``result`` (a check of property ``prop``, a registry name) on
    ``subject`` (plain JSON types only, e.g. from `verified.io.table_subject`)."""
    unknown = result.verdict.value == "unknown"
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": "verified", "version": tool_version()},
        "property": prop,
        "verdict": result.verdict.value,
        # an unknown verdict claims nothing, so it carries no evidence a reader could mistake for a claim
        "evidence": {"kind": "unknown"} if unknown else jsonable(result.evidence),
        "subject": {"sha256": subject_sha256(subject), "encoding": subject},
    }
    if unknown:
        doc["reason"] = result.reason or "no reason given"
    return doc


def certificate_bytes(doc: dict[str, Any]) -> bytes:
    """Canonical bytes of a certificate document."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return (text + "\n").encode("ascii")


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzip-compressed deterministically: modification time 0, no file name, the header
    fields fixed (XFL 2 = best compression, OS 3), so the same certificate gives the same bytes on
    every run, serial or parallel (the bytes of ``gzip.compress(data, 9, mtime=0)`` on Linux)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(data) + compressor.flush()
    trailer = struct.pack("<LL", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return _GZIP_HEADER + body + trailer


def write_certificate(doc: dict[str, Any], path: str | Path) -> Path:
    """Write ``doc`` canonically; a ``.json.gz`` name is gzip-compressed (deterministically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = certificate_bytes(doc)
    if path.name.endswith(".gz"):
        data = gzip_bytes(data)
    path.write_bytes(data)
    return path


def save_certificate(doc: dict[str, Any], directory: str | Path, source_stem: str) -> Path:
    """Write ``doc`` into ``directory`` as ``certificate_name(source_stem, doc["property"])``
    (`save_document`: ``.json``, or ``.json.gz`` past `GZIP_ABOVE`). Returns the path written."""
    return save_document(doc, Path(directory) / certificate_name(source_stem, str(doc["property"])))


def save_document(doc: dict[str, Any], path: str | Path) -> Path:
    """Write ``doc`` canonically at ``path`` (a ``.json`` name): plain up to `GZIP_ABOVE` bytes of
    JSON, as ``path.gz`` above (deterministic gzip, `gzip_bytes`; `verified recheck` reads both).
    The other spelling of the same name, left by an earlier run, is removed, so a directory never
    holds two versions of one document. Returns the path written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = certificate_bytes(doc)
    compressed = path.with_name(path.name + ".gz")
    if len(data) > GZIP_ABOVE:
        path, stale, data = compressed, path, gzip_bytes(data)
    else:
        stale = compressed
    path.write_bytes(data)
    stale.unlink(missing_ok=True)
    return path


def certificate_name(source_stem: str, prop: str) -> str:
    """File name of the (uncompressed) certificate for property ``prop`` of the subject in
    ``source_stem``; `save_certificate` adds ``.gz`` to large ones."""
    return f"{source_stem}.{prop}.cert.json"
