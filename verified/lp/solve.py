"""`solve_exact`: choose a method, solve, verify the certificate exactly."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from verified.errors import InvalidInput
from verified.lp.certificates import CertificateError, certify
from verified.lp.model import LinearProgram
from verified.lp.result import LPResult
from verified.lp.simplex import solve_simplex

Method = Literal["auto", "simplex", "highs"]


def solve_exact(lp: LinearProgram, *, method: Method = "auto", time_limit: float | None = None) -> LPResult:
    """Solve ``lp`` exactly and return a verified `LPResult`.

    ``method``: ``"simplex"`` (pure-integer simplex), ``"highs"`` (HiGHS
    proposes a basis, an exact basis solve repairs it), or ``"auto"``. Whatever the method, a status other
    than ``"unknown"`` is returned only after `verify_result` has checked its
    certificate exactly; a certificate that fails gives ``"unknown"`` with the reason.
    """
    if not isinstance(lp, LinearProgram):
        raise InvalidInput(f"expected a LinearProgram, got {type(lp).__name__}", "solve_exact(lp)")
    if method not in ("auto", "simplex", "highs"):
        raise InvalidInput(
            f"method must be 'auto', 'simplex' or 'highs', got {method!r}", "solve_exact(method)"
        )
    valid_number = isinstance(time_limit, (int, float)) and not isinstance(time_limit, bool)
    if time_limit is not None and not (valid_number and time_limit > 0):
        raise InvalidInput(
            f"time_limit must be a positive number of seconds, got {time_limit!r}", "solve_exact"
        )
    if method == "auto":
        method = "simplex" if _small(lp, AUTO_SIMPLEX_ENTRIES) or not _highs_installed() else "highs"
    if method == "simplex":
        return _verified(lp, solve_simplex(lp, time_limit=time_limit))
    from verified.lp.highs import solve_highs

    result = solve_highs(lp, time_limit=time_limit)  # certifies every non-unknown result itself
    timed_out = "time limit" in (result.reason or "")
    if result.status == "unknown" and not timed_out and _small(lp, FALLBACK_ENTRIES):
        fallback = _verified(lp, solve_simplex(lp, time_limit=time_limit))
        if fallback.status != "unknown":
            stats = dict(fallback.stats)
            stats["highs_failure"] = result.reason
            return replace(fallback, stats=stats)
    return result


AUTO_SIMPLEX_ENTRIES = 2_500
"""``"auto"`` uses the exact simplex when (variables + 1) x (constraints + 1) is at most this."""
FALLBACK_ENTRIES = 200_000
"""When HiGHS's proposal cannot be made exact, the simplex retries programs up to this size."""


def _small(lp: LinearProgram, entries: int) -> bool:
    return (len(lp.variables) + 1) * (len(lp.constraints) + 1) <= entries


def _highs_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("highspy") is not None


def _verified(lp: LinearProgram, result: LPResult) -> LPResult:
    try:
        return certify(lp, result)
    except CertificateError as exc:
        return LPResult(
            "unknown",
            reason=f"the {result.method or 'solver'}'s {result.status} certificate failed "
            f"exact verification: {exc}",
            method=result.method,
            stats=result.stats,
        )
