"""`solve_exact`: choose a method, solve, verify the certificate exactly."""

from __future__ import annotations

from typing import Literal

from verified.errors import InvalidInput
from verified.lp.certificates import CertificateError, verify_result
from verified.lp.model import LinearProgram
from verified.lp.result import LPResult
from verified.lp.simplex import solve_simplex

Method = Literal["auto", "simplex", "highs"]


def solve_exact(lp: LinearProgram, *, method: Method = "auto", time_limit: float | None = None) -> LPResult:
    """Solve ``lp`` exactly and return a verified `LPResult`.

    ``method``: ``"simplex"`` (pure-integer simplex), ``"highs"`` (HiGHS
    proposes a basis, an exact basis solve repairs it; needs
    ``verified[highs]``), or ``"auto"``. Whatever the method, a status other
    than ``"unknown"`` is returned only after `verify_result` has checked its
    certificate exactly; a certificate that fails gives ``"unknown"`` with the reason.
    """
    if not isinstance(lp, LinearProgram):
        raise InvalidInput(f"expected a LinearProgram, got {type(lp).__name__}", "solve_exact(lp)")
    if method not in ("auto", "simplex", "highs"):
        raise InvalidInput(
            f"method must be 'auto', 'simplex' or 'highs', got {method!r}", "solve_exact(method)"
        )
    if time_limit is not None and (isinstance(time_limit, bool) or not time_limit > 0):
        raise InvalidInput(
            f"time_limit must be a positive number of seconds, got {time_limit!r}", "solve_exact"
        )
    result = solve_simplex(lp, time_limit=time_limit)
    return _verified(lp, result)


def _verified(lp: LinearProgram, result: LPResult) -> LPResult:
    try:
        verify_result(lp, result)
    except CertificateError as exc:
        return LPResult(
            "unknown",
            reason=f"the {result.method or 'solver'}'s {result.status} certificate failed "
            f"exact verification: {exc}",
            method=result.method,
            stats=result.stats,
        )
    return result
