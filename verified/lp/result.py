"""`LPResult`: the answer of an exact LP solve together with its certificate.

Status and certificate (all numbers exact `Fraction`; the conditions are
spelled out, and checked, in `verified.lp.certificates`):

* ``"optimal"``: ``primal`` (a value per variable), ``dual`` (a multiplier per
  constraint name), ``reduced_costs`` (a value per variable) and ``objective``;
  the dual objective equals the primal objective (strong duality).
* ``"infeasible"``: ``farkas`` (a multiplier per constraint name).
* ``"unbounded"``: ``primal`` (a feasible point) and ``ray`` (an improving
  direction, a value per variable).
* ``"unknown"``: ``reason`` says why (time limit, failed repair, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

Status = Literal["optimal", "infeasible", "unbounded", "unknown"]
STATUSES = ("optimal", "infeasible", "unbounded", "unknown")
EVIDENCE_KIND = "lp_certificate"


def _nonzero(values: Mapping[str, Fraction] | None) -> dict[str, Fraction] | None:
    if values is None:
        return None
    return {k: v for k, v in values.items() if v != 0}


@dataclass(frozen=True)
class LPResult:
    """The outcome of `verified.lp.solve_exact`. Every non-``unknown`` result
    returned by `solve_exact` has passed `verified.lp.verify_result`."""

    status: Status
    primal: dict[str, Fraction] = field(default_factory=dict)
    dual: dict[str, Fraction] = field(default_factory=dict)
    objective: Fraction | None = None
    farkas: dict[str, Fraction] | None = None
    ray: dict[str, Fraction] | None = None
    reason: str | None = None
    reduced_costs: dict[str, Fraction] = field(default_factory=dict)
    method: str = ""
    stats: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"LPResult status must be one of {STATUSES}, got {self.status!r}")
        if self.status == "unknown" and not self.reason:
            raise ValueError("an 'unknown' LPResult must say why (reason)")

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def infeasible(self) -> bool:
        return self.status == "infeasible"

    @property
    def unbounded(self) -> bool:
        return self.status == "unbounded"

    def to_evidence(self) -> dict[str, Any]:
        """JSON-ready certificate: ``{"kind": "lp_certificate", "status": ...}``.

        Keys by status (rationals as ``"n/d"`` strings; in every mapping an
        entry equal to 0 is omitted, so a missing name means 0):

        * optimal: ``primal``, ``dual``, ``reduced_costs``, ``objective``
        * infeasible: ``farkas``
        * unbounded: ``primal``, ``ray``
        * unknown: ``reason``
        """
        from verified.results import jsonable

        out: dict[str, Any] = {"kind": EVIDENCE_KIND, "status": self.status}
        if self.status == "optimal":
            out["primal"] = _nonzero(self.primal)
            out["dual"] = _nonzero(self.dual)
            out["reduced_costs"] = _nonzero(self.reduced_costs)
            out["objective"] = self.objective
        elif self.status == "infeasible":
            out["farkas"] = _nonzero(self.farkas)
        elif self.status == "unbounded":
            out["primal"] = _nonzero(self.primal)
            out["ray"] = _nonzero(self.ray)
        else:
            out["reason"] = self.reason
        return jsonable(out)


def result_from_evidence(evidence: Mapping[str, Any]) -> LPResult:
    """Rebuild an `LPResult` from `LPResult.to_evidence` output (absent entries
    are 0), e.g. to re-check a stored certificate with `verify_result`.
    Raises `verified.errors.InvalidInput` on malformed evidence."""
    from verified.errors import InvalidInput
    from verified.numbers import parse_fraction_text

    if not isinstance(evidence, Mapping) or evidence.get("kind") != EVIDENCE_KIND:
        raise InvalidInput(f"expected evidence of kind {EVIDENCE_KIND!r}", "evidence.kind")
    status = evidence.get("status")
    if status not in STATUSES:
        raise InvalidInput(f"status must be one of {STATUSES}, got {status!r}", "evidence.status")

    def numbers(key: str) -> dict[str, Fraction] | None:
        block = evidence.get(key)
        if block is None:
            return None
        if not isinstance(block, Mapping):
            raise InvalidInput("expected a mapping of names to rationals", f"evidence.{key}")
        return {str(k): parse_fraction_text(str(v), f"evidence.{key}[{k!r}]") for k, v in block.items()}

    objective = evidence.get("objective")
    return LPResult(
        status,
        primal=numbers("primal") or {},
        dual=numbers("dual") or {},
        objective=None if objective is None else parse_fraction_text(str(objective), "evidence.objective"),
        farkas=numbers("farkas"),
        ray=numbers("ray"),
        reason=evidence.get("reason"),
        reduced_costs=numbers("reduced_costs") or {},
    )
