"""Certificate documents: one JSON document per verdict, re-checkable by `verified.recheck`.

A certificate records the schema version, the tool version, the property, the
verdict (holds / fails / unknown), the evidence of the check, and the subject
(the canonical encoding of the problem and tabulated mechanism) with its
SHA-256. Serialised canonically (sorted keys, no spaces, ASCII, one trailing
newline): the same input gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from verified.io.canonical import subject_sha256
from verified.recheck.core import SCHEMA
from verified.results import CheckResult, jsonable


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


def write_certificate(doc: dict[str, Any], path: str | Path) -> Path:
    """Write ``doc`` canonically; a ``.json.gz`` name is gzip-compressed (deterministically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = certificate_bytes(doc)
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    path.write_bytes(data)
    return path


def certificate_name(source_stem: str, prop: str) -> str:
    """File name of the certificate for property ``prop`` of the subject in ``source_stem``."""
    return f"{source_stem}.{prop}.cert.json"
