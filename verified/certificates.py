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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verified.errors import InvalidInput
from verified.io.canonical import subject_sha256
from verified.recheck.core import SCHEMA
from verified.results import CheckResult, jsonable

#: Certificates with more bytes of canonical JSON than this are written gzip-compressed (`save_certificate`).
GZIP_ABOVE = 1 << 20
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"  # magic, deflate, no flags, mtime 0, XFL, OS


def tool_version() -> str:
    """The running library's version: ``verified.__version__``, which is also the installed
    distribution's (pyproject.toml reads it from there), without importlib.metadata's 20 ms."""
    from verified import __version__

    return __version__


def build_certificate(prop: str, result: CheckResult, subject: dict[str, Any]) -> dict[str, Any]:
    """The certificate of ``result`` (a check of property ``prop``, a registry name) on
    ``subject`` (plain JSON types only, e.g. from `verified.io.table_subject`). A spelling of a
    registry name (`verified.vocabulary`: ``strategyproof``) is written as the registry name."""
    from verified.vocabulary import canonical

    prop = canonical(prop)
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
    data = certificate_bytes(doc)
    require_checkable_numbers(data, path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
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
    data = certificate_bytes(doc)
    require_checkable_numbers(data, path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    compressed = path.with_name(path.name + ".gz")
    if len(data) > GZIP_ABOVE:
        path, stale, data = compressed, path, gzip_bytes(data)
    else:
        stale = compressed
    path.write_bytes(data)
    stale.unlink(missing_ok=True)
    return path


def require_checkable_numbers(data: bytes, name: str) -> None:
    """Refuse (`UncheckableCertificate`) to write a certificate carrying a number the independent
    checker does not read: more digits in one integer, numerator or denominator than its limit
    (`verified.recheck.reader.Limits`, at most the interpreter's 4,300). Inputs obey that limit,
    but evidence computed from them (a sum of supplies, a difference of weights, a cost) may pass
    it; such a certificate would only be rejected. One regular-expression pass over the bytes."""
    import re

    from verified.recheck.reader import Limits

    cap = Limits.from_environment().max_digits
    if re.search(rb"(?<![0-9])[0-9]{%d}" % (cap + 1), data):  # tried at the start of a run only: linear
        raise UncheckableCertificate(
            f"its evidence carries a number of more than {cap:,} digits, which the independent checker "
            "does not read (computed from inputs near the digit limit); no certificate written",
            name,
        )


class UncheckableCertificate(InvalidInput):
    """A certificate `verified recheck` could not read (`require_checkable_numbers`)."""


def certificate_name(source_stem: str, prop: str) -> str:
    """File name of the (uncompressed) certificate for property ``prop`` of the subject in
    ``source_stem``; `save_certificate` adds ``.gz`` to large ones."""
    return f"{source_stem}.{prop}.cert.json"


@dataclass(frozen=True)
class Certificate:
    """A certificate document held for reading (a notebook view, a DataFrame row): a *view*, not a
    check. ``document`` is the parsed JSON exactly as written (the file format is unchanged);
    `Certificate.load` reads a ``.json`` or ``.json.gz`` file with the checker's strict, bounded
    reader, and `recheck` runs the independent checker on it."""

    document: Mapping[str, Any]
    path: str | None = None

    @classmethod
    def load(cls, path: str | Path) -> Certificate:
        """Read a certificate file; unreadable, malformed or non-object JSON is `InvalidInput`
        naming the file."""
        from verified.recheck.reader import RecheckError, read_certificate

        try:
            doc = read_certificate(path)
        except RecheckError as exc:
            raise InvalidInput(str(exc).removeprefix(f"{Path(path)}: "), str(path)) from None
        if not isinstance(doc, dict):
            raise InvalidInput("a certificate is a JSON object", str(path))
        return cls(doc, str(path))

    def _field(self, key: str) -> Any:
        return self.document.get(key) if isinstance(self.document, Mapping) else None

    @property
    def verdict(self) -> str:
        """``"holds"``, ``"fails"`` or ``"unknown"`` as written (not re-checked)."""
        return str(self._field("verdict"))

    @property
    def reason(self) -> str | None:
        reason = self._field("reason")
        return None if reason is None else str(reason)

    @property
    def evidence(self) -> Any:
        return self._field("evidence")

    @property
    def sha256(self) -> Any:
        subject = self._field("subject")
        return subject.get("sha256") if isinstance(subject, Mapping) else None

    @property
    def encoding(self) -> Any:
        subject = self._field("subject")
        return subject.get("encoding") if isinstance(subject, Mapping) else None

    @property
    def agents(self) -> list[str] | None:
        """The subject's agent names (assignment subjects), to name a profile's rankings."""
        enc = self.encoding
        problem = enc.get("problem") if isinstance(enc, Mapping) else None
        agents = problem.get("agents") if isinstance(problem, Mapping) else None
        return [str(a) for a in agents] if isinstance(agents, (list, tuple)) else None

    @property
    def mechanism_name(self) -> str | None:
        enc = self.encoding
        mech = enc.get("mechanism") if isinstance(enc, Mapping) else None
        name = mech.get("name") if isinstance(mech, Mapping) else None
        return None if name is None else str(name)

    def recheck(self) -> str:
        """Run the independent checker (`verified.recheck.core.recheck`): its summary line, or
        `verified.recheck.reader.RecheckError` when the certificate is rejected."""
        from verified.recheck.core import recheck

        return recheck(self.document)

    def __repr__(self) -> str:
        if self.path:
            return f"Certificate.load({self.path!r})"
        return f"Certificate(document=<{self.property!r} {self.verdict!r} certificate>)"

    def _repr_html_(self) -> str:
        from verified.display import certificate_html

        return certificate_html(self)

    def _repr_markdown_(self) -> str:
        from verified.display import certificate_markdown

        return certificate_markdown(self)

    def to_pandas(self) -> Any:
        """One row: property, verdict, reason, evidence kind, mechanism, subject SHA-256, file."""
        from verified.frames import certificate_frame

        return certificate_frame([self])

    @property  # defined last: below it, the name ``property`` in this class body is this accessor
    def property(self) -> str:
        return str(self._field("property"))
