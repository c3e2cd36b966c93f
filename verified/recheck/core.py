"""The certificate envelope: schema, subject hash, dispatch to the kind's checker.

A certificate is one JSON object::

    {"schema": "verified-certificate/1", "tool": {"name": ..., "version": ...},
     "property": str, "verdict": "holds" | "fails" | "unknown", ["reason": str,]
     "evidence": {"kind": str, ...},
     "subject": {"sha256": hex, "encoding": <the canonical subject>}}

`recheck` recomputes the subject's SHA-256 from its canonical JSON (sorted
keys, no spaces, ASCII) and hands subject + evidence to the checker of the
subject's family. An UNKNOWN verdict claims nothing and is accepted as such.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from fractions import Fraction
from pathlib import Path

SCHEMA = "verified-certificate/1"


class RecheckError(Exception):
    """The certificate does not prove what it claims (message says where and why)."""


def fail(message: str) -> None:
    """Raise `RecheckError`; checkers call it on the first defect."""
    raise RecheckError(message)


def ensure(condition: bool, message: str) -> None:
    if not condition:
        raise RecheckError(message)


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def sha256(value: object) -> str:
    return hashlib.sha256(canonical(value).encode("ascii")).hexdigest()


def rational(text: object, where: str) -> Fraction:
    """An exact rational written as an int or a string "n/d" (never a float)."""
    if isinstance(text, Fraction):  # built by a checker itself, not read from JSON
        return text
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        fail(f"{where}: expected an integer or a string 'n/d', got {text!r}")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        fail(f"{where}: not a rational: {text!r}")
    raise AssertionError  # unreachable


def rational_vector(values: object, where: str) -> list[Fraction]:
    """A JSON list of exact rationals (see `rational`)."""
    ensure(isinstance(values, list), f"{where}: expected a list")
    return [rational(v, f"{where}[{k}]") for k, v in enumerate(values)]  # type: ignore[arg-type]


def dot(a: list[Fraction], b: list[Fraction]) -> Fraction:
    ensure(len(a) == len(b), "vectors of different dimensions")
    return sum((x * y for x, y in zip(a, b, strict=True)), Fraction(0))


def field(mapping: object, key: str, where: str) -> object:
    ensure(isinstance(mapping, dict), f"{where}: expected an object")
    ensure(key in mapping, f"{where}: missing {key!r}")
    return mapping[key]  # type: ignore[index]


SEARCH_KINDS = ("sp_dominator", "no_sp_dominator")


def recheck(doc: object) -> str:
    """Re-verify one certificate document; return a one-line summary, or raise `RecheckError`.

    Any defect, including a malformed document that makes a checker trip (a missing key,
    a wrong type), is reported as `RecheckError`."""
    try:
        return _recheck(doc)
    except RecheckError:
        raise
    except (KeyError, TypeError, IndexError, ValueError, AttributeError, ZeroDivisionError) as exc:
        raise RecheckError(f"malformed certificate ({type(exc).__name__}: {exc})") from None


def _search(doc: dict) -> str:
    """The search module's certificates (`verified.recheck.search`, stdlib only)."""
    from verified.recheck.search import recheck_search_certificate

    recheck_search_certificate(doc)
    return f"{doc.get('property', 'search')}: {doc.get('verdict')} - re-verified ({doc['evidence']['kind']})"


def _recheck(doc: object) -> str:
    ensure(isinstance(doc, dict), "a certificate must be a JSON object")
    evidence = doc.get("evidence")  # type: ignore[union-attr]
    if "schema" not in doc and isinstance(evidence, dict) and evidence.get("kind") in SEARCH_KINDS:
        return _search(doc)  # type: ignore[arg-type]
    ensure(doc.get("schema") == SCHEMA, f"unknown schema {doc.get('schema')!r}, expected {SCHEMA!r}")  # type: ignore[union-attr]
    prop = field(doc, "property", "certificate")
    verdict = field(doc, "verdict", "certificate")
    subject = field(doc, "subject", "certificate")
    ensure(isinstance(prop, str), "property must be a string")
    ensure(verdict in ("holds", "fails", "unknown"), f"verdict must be holds/fails/unknown, got {verdict!r}")
    ensure(isinstance(evidence, dict) and isinstance(evidence.get("kind"), str), "evidence needs a 'kind'")
    encoding = field(subject, "encoding", "subject")
    claimed = field(subject, "sha256", "subject")
    actual = sha256(encoding)
    ensure(
        claimed == actual,
        f"subject SHA-256 mismatch: certificate says {claimed}, encoding hashes to {actual}",
    )
    if verdict == "unknown":
        ensure(bool(doc.get("reason")), "an unknown verdict must give its reason")  # type: ignore[union-attr]
        return f"{prop}: unknown ({doc['reason']}) - nothing claimed"  # type: ignore[index]
    family = field(encoding, "family", "subject.encoding")
    if evidence["kind"] in SEARCH_KINDS:  # type: ignore[index]
        return _search(doc)  # type: ignore[arg-type]
    if family == "assignment":
        from verified.recheck.assignment import recheck_assignment

        recheck_assignment(prop, verdict, evidence, encoding)  # type: ignore[arg-type]
    elif family == "lp":
        from verified.recheck.lp import recheck_lp

        recheck_lp(prop, verdict, evidence, encoding)  # type: ignore[arg-type]
    elif family == "trading":
        from verified.recheck.trading import recheck_trading

        recheck_trading(prop, verdict, evidence, encoding)  # type: ignore[arg-type]
    else:
        fail(f"unknown subject family {family!r}")
    return f"{prop}: {verdict} - re-verified ({evidence['kind']})"  # type: ignore[index]


def read_certificate(path: str | Path) -> object:
    """Parse a certificate file (``.json``, or gzip-compressed ``.json.gz``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        return json.loads(data.decode("utf-8"))
    except (OSError, ValueError, EOFError) as exc:
        raise RecheckError(f"{path}: cannot read a certificate: {exc}") from None


def recheck_file(path: str | Path) -> str:
    """`recheck` the certificate stored at ``path``."""
    try:
        return recheck(read_certificate(path))
    except RecheckError as exc:
        raise RecheckError(f"{path}: {exc}") from None
