"""The certificate envelope: schema, subject hash, bounded numbers, dispatch to the kind's checker.

A certificate is one JSON object with exactly these keys::

    {"schema": "verified-certificate/2", "tool": {"name": "verified", "version": str},
     "property": str, "verdict": "holds" | "fails" | "unknown", ["reason": str,]
     "evidence": {"kind": str, ...},
     "subject": {"sha256": hex, "encoding": {"family": str, ...}}}

`recheck` rejects any other key, recomputes the subject's SHA-256 from its
canonical JSON (sorted keys, no spaces, ASCII) and hands property, verdict,
evidence and subject to the checker of the subject's family, which re-validates
the subject as a model, checks that the (property, verdict, evidence kind)
combination is one it knows, rejects evidence fields it does not verify, and
re-derives the claim. An UNKNOWN verdict claims nothing: it must give its reason
and carry the evidence ``{"kind": "unknown"}`` only.

The helpers below (`exact_keys`, `rational`, `integer`, `index`, ...) are the
only way the family checkers read fields, so every read is typed and bounded.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

from verified.recheck.reader import Limits, RecheckError, parse_certificate, read_certificate

__all__ = [
    "SCHEMA",
    "Limits",
    "RecheckError",
    "canonical",
    "dot",
    "ensure",
    "exact_keys",
    "fail",
    "field",
    "index",
    "integer",
    "parse_certificate",
    "rational",
    "rational_vector",
    "read_certificate",
    "recheck",
    "recheck_file",
    "sha256",
    "text",
    "text_list",
]

SCHEMA = "verified-certificate/2"
MAX_DIGITS = Limits().max_digits
FAMILIES = ("assignment", "lp", "trading", "search", "statement", "comparison")
_RATIONAL = re.compile(r"-?[0-9]+(?:/[0-9]+|\.[0-9]+)?")
_SHA256 = re.compile(r"[0-9a-f]{64}")


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


def exact_keys(
    mapping: object, required: Iterable[str], optional: Iterable[str] = (), where: str = ""
) -> dict:
    """``mapping`` as a dict holding every ``required`` key and no key outside ``required``
    and ``optional``: a field the checker does not know is a field it does not verify."""
    ensure(isinstance(mapping, dict), f"{where}: expected an object, got {type(mapping).__name__}")
    required = tuple(required)
    missing = [k for k in required if k not in mapping]  # type: ignore[operator]
    ensure(not missing, f"{where}: missing {', '.join(map(repr, missing))}")
    allowed = set(required) | set(optional)
    unknown = sorted(str(k) for k in mapping if k not in allowed)  # type: ignore[union-attr]
    ensure(
        not unknown, f"{where}: unknown field(s) {', '.join(map(repr, unknown))} (not verified, so refused)"
    )
    return mapping  # type: ignore[return-value]


def integer(value: object, where: str, low: int | None = None, high: int | None = None) -> int:
    """A JSON integer (not a boolean) with ``low <= value <= high`` where given."""
    ensure(
        isinstance(value, int) and not isinstance(value, bool), f"{where}: expected an integer, got {value!r}"
    )
    ensure(value.bit_length() <= 4 * MAX_DIGITS, f"{where}: integer too large")  # type: ignore[union-attr]
    ensure(low is None or value >= low, f"{where}: {value} is below {low}")  # type: ignore[operator]
    ensure(high is None or value <= high, f"{where}: {value} is above {high}")  # type: ignore[operator]
    return value  # type: ignore[return-value]


def index(value: object, length: int, where: str) -> int:
    """An index into a list of ``length`` items: ``0 <= value < length`` (a negative index
    never aliases the end of the list)."""
    return integer(value, where, 0, length - 1)


def text(value: object, where: str) -> str:
    ensure(isinstance(value, str), f"{where}: expected a string, got {value!r}")
    return value  # type: ignore[return-value]


def text_list(values: object, where: str, unique: bool = True) -> list[str]:
    """A list of strings; with ``unique`` no string twice (names of agents, objects, tasks)."""
    ensure(isinstance(values, list), f"{where}: expected a list of strings")
    out = [text(v, f"{where}[{k}]") for k, v in enumerate(values)]  # type: ignore[arg-type]
    if unique:
        ensure(len(set(out)) == len(out), f"{where}: a name appears twice")
    return out


def rational(value: object, where: str) -> Fraction:
    """An exact rational written as an int or a string "n/d" / "-2" / "0.375" (never a float,
    never exponent notation, at most `MAX_DIGITS` digits: bounded work on hostile input)."""
    if isinstance(value, Fraction):  # built by a checker itself, not read from JSON
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(integer(value, where))
    ensure(isinstance(value, str), f"{where}: expected an integer or a string 'n/d', got {value!r}")
    ensure(len(value) <= 2 * MAX_DIGITS + 2, f"{where}: a number with more than {MAX_DIGITS} digits")  # type: ignore[arg-type]
    ensure(_RATIONAL.fullmatch(value) is not None, f"{where}: not a rational 'n/d': {value[:60]!r}")  # type: ignore[index,arg-type]
    for part in value.lstrip("-").replace(".", "/").split("/"):  # type: ignore[union-attr]
        ensure(len(part) <= MAX_DIGITS, f"{where}: a number with more than {MAX_DIGITS} digits")
    try:
        return Fraction(value)  # type: ignore[arg-type]
    except ZeroDivisionError:
        fail(f"{where}: zero denominator in {value!r}")
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
    ensure(key in mapping, f"{where}: missing {key!r}")  # type: ignore[operator]
    return mapping[key]  # type: ignore[index]


def recheck(doc: object) -> str:
    """Re-verify one certificate document; return a one-line summary, or raise `RecheckError`.

    Any defect, including a malformed document that makes a checker trip (a missing key,
    a wrong type, a nesting too deep), is reported as `RecheckError`: the checker never
    raises anything else on any input."""
    try:
        if isinstance(doc, dict) and doc.get("schema") == "verified-shard/1":
            from verified.recheck.shard import recheck_part

            return recheck_part(doc)
        return _recheck(doc)
    except RecheckError:
        raise
    except RecursionError:
        raise RecheckError("malformed certificate (nested too deeply)") from None
    except MemoryError:
        raise RecheckError("malformed certificate (out of memory while checking it)") from None
    except Exception as exc:  # noqa: BLE001 - any trip over a malformed document is a rejection
        raise RecheckError(f"malformed certificate ({type(exc).__name__}: {exc})") from None


def _recheck(doc: object) -> str:
    doc = exact_keys(
        doc, ("schema", "tool", "property", "verdict", "evidence", "subject"), ("reason",), "certificate"
    )
    ensure(doc["schema"] == SCHEMA, f"unknown schema {doc['schema']!r}, expected {SCHEMA!r}")
    tool = exact_keys(doc["tool"], ("name", "version"), (), "certificate.tool")
    ensure(tool["name"] == "verified", f"certificate.tool.name: expected 'verified', got {tool['name']!r}")
    text(tool["version"], "certificate.tool.version")
    prop = text(doc["property"], "certificate.property")
    verdict = doc["verdict"]
    ensure(verdict in ("holds", "fails", "unknown"), f"verdict must be holds/fails/unknown, got {verdict!r}")
    evidence = doc["evidence"]
    ensure(isinstance(evidence, dict), "certificate.evidence: expected an object")
    text(evidence.get("kind"), "certificate.evidence.kind")
    subject = exact_keys(doc["subject"], ("sha256", "encoding"), (), "certificate.subject")
    claimed = text(subject["sha256"], "certificate.subject.sha256")
    ensure(_SHA256.fullmatch(claimed) is not None, "certificate.subject.sha256: not a SHA-256 in hex")
    encoding = subject["encoding"]
    ensure(isinstance(encoding, dict), "certificate.subject.encoding: expected an object")
    actual = sha256(encoding)
    ensure(
        claimed == actual,
        f"subject SHA-256 mismatch: certificate says {claimed}, encoding hashes to {actual}",
    )
    family = encoding.get("family")
    ensure(family in FAMILIES, f"unknown subject family {family!r}")
    if verdict == "unknown":
        reason = text(doc.get("reason"), "certificate.reason (an unknown verdict must give its reason)")
        ensure(bool(reason.strip()), "an unknown verdict must give its reason")
        exact_keys(evidence, ("kind",), (), "certificate.evidence")
        ensure(evidence["kind"] == "unknown", "an unknown verdict carries the evidence {'kind': 'unknown'}")
        return f"{prop}: unknown ({reason}) - nothing claimed"
    ensure("reason" not in doc, "certificate.reason: only an unknown verdict carries a reason")
    if family == "assignment":
        from verified.recheck.assignment import recheck_assignment

        recheck_assignment(prop, verdict, evidence, encoding)
    elif family == "lp":
        from verified.recheck.lp import recheck_lp

        recheck_lp(prop, verdict, evidence, encoding)
    elif family == "trading":
        from verified.recheck.trading import recheck_trading

        recheck_trading(prop, verdict, evidence, encoding)
    elif family == "statement":
        from verified.recheck.prove import recheck_statement

        recheck_statement(prop, verdict, evidence, encoding)
    elif family == "comparison":
        from verified.recheck.compare import recheck_comparison

        recheck_comparison(prop, verdict, evidence, encoding)
    else:
        from verified.recheck.search import recheck_search

        recheck_search(prop, verdict, evidence, encoding)
    return f"{prop}: {verdict} - re-verified ({evidence['kind']})"


def recheck_file(path: str | Path) -> str:
    """`recheck` the certificate stored at ``path`` (read with bounded work: `verified.recheck.reader`)."""
    try:
        return recheck(read_certificate(path))
    except RecheckError as exc:
        message = str(exc)
        raise RecheckError(message if message.startswith(f"{path}:") else f"{path}: {message}") from None
