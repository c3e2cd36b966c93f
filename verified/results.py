"""Verdicts and the evidence that backs them.

Every check returns a `CheckResult`: a `Verdict` (HOLDS, FAILS or UNKNOWN),
the property's name, and JSON-ready ``evidence``. FAILS carries a concrete
counterexample; HOLDS carries a certificate (witnesses, Farkas multipliers or
an exhaustive-check digest); UNKNOWN carries the reason (time-out, resource
limit). Evidence holds only JSON types, with rationals written as exact
strings ``"n/d"`` (see `jsonable`), so the same input gives the same bytes.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verified.numbers import fraction_text


class Verdict(enum.Enum):
    """The three answers a check can give. UNKNOWN is never folded into the others."""

    HOLDS = "holds"
    FAILS = "fails"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


class PlainJSON(dict):
    """Evidence its maker built from plain JSON values only (str, int, bool, None, lists and
    dicts with string keys), so `jsonable` returns it as it is instead of walking it: on 65,536
    per-profile certificates the walk costs more than the check, and it would also copy the
    parts shared between profiles (the same assignment or lottery), which pickling and the
    certificate writer keep shared. A float hidden inside is still refused by the checker's
    reader, and a `Fraction` makes the certificate writer fail loudly."""


def jsonable(value: Any) -> Any:
    """Convert evidence to plain JSON types: Fractions -> exact strings, tuples ->
    lists, enums -> their values. Floats are refused: they never belong in evidence."""
    if type(value) is PlainJSON:
        return value
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Fraction):
        return fraction_text(value)
    if isinstance(value, float):
        raise TypeError(f"float {value!r} in evidence: evidence must be exact")
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):  # numpy scalars
        item = value.item()
        if isinstance(item, float):
            raise TypeError(f"numpy float {value!r} in evidence: evidence must be exact")
        return jsonable(item)
    raise TypeError(f"cannot put {type(value).__name__} into evidence")


def canonical_json(value: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, exact rationals."""
    return json.dumps(jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(value: Any) -> str:
    """SHA-256 (hex) of `canonical_json(value)`."""
    return hashlib.sha256(canonical_json(value).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one property.

    ``evidence`` always has a ``"kind"`` key, e.g. ``"counterexample"``,
    ``"exhaustive"``, ``"witness"``, ``"farkas"``, ``"timeout"``.
    ``stats`` (timings, counts) is informative only and is not part of the
    certificate.
    """

    property: str
    verdict: Verdict
    evidence: Mapping[str, Any]
    reason: str | None = None
    stats: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", jsonable(self.evidence))
        if "kind" not in self.evidence:
            raise ValueError(f"evidence of {self.property!r} lacks a 'kind'")
        if self.verdict is Verdict.UNKNOWN and not self.reason:
            raise ValueError("an UNKNOWN verdict must say why (reason)")

    @property
    def holds(self) -> bool:
        return self.verdict is Verdict.HOLDS

    @property
    def fails(self) -> bool:
        return self.verdict is Verdict.FAILS

    @property
    def unknown(self) -> bool:
        return self.verdict is Verdict.UNKNOWN

    def to_json(self) -> dict[str, Any]:
        """The JSON document of this result (without ``stats``)."""
        out: dict[str, Any] = {
            "property": self.property,
            "verdict": self.verdict.value,
            "evidence": self.evidence,
        }
        if self.reason:
            out["reason"] = self.reason
        return out

    def __str__(self) -> str:
        extra = f" ({self.reason})" if self.reason else ""
        return f"{self.property}: {self.verdict.value}{extra}"

    def __repr__(self) -> str:
        """``CheckResult(property=..., verdict=Verdict.FAILS, evidence={...})`` (`verified.display`)."""
        from verified.display import result_repr

        return result_repr(self)

    def _repr_html_(self) -> str:
        """The verdict and the evidence, the violated cells marked (`verified.display`)."""
        from verified.display import result_html

        return result_html(self)

    def _repr_markdown_(self) -> str:
        from verified.display import result_markdown

        return result_markdown(self)

    def to_pandas(self) -> Any:
        """One row: property, verdict, reason, evidence kind (`verified.frames.result_frame`)."""
        from verified.frames import result_frame

        return result_frame([self])


def holds(prop: str, evidence: Mapping[str, Any], **stats: Any) -> CheckResult:
    return CheckResult(prop, Verdict.HOLDS, evidence, stats=stats)


def fails(prop: str, evidence: Mapping[str, Any], **stats: Any) -> CheckResult:
    return CheckResult(prop, Verdict.FAILS, evidence, stats=stats)


def unknown(prop: str, reason: str, evidence: Mapping[str, Any] | None = None) -> CheckResult:
    return CheckResult(prop, Verdict.UNKNOWN, evidence or {"kind": "unknown"}, reason=reason)
