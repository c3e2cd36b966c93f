"""Exact linear programming with certificates.

    from verified.lp import LinearProgram, Constraint, solve_exact, verify_result

`solve_exact` returns an `LPResult` whose status is ``"optimal"`` (with an
exact primal/dual pair of equal objective), ``"infeasible"`` (with an exact
Farkas vector), ``"unbounded"`` (with a feasible point and an improving ray) or
``"unknown"`` (with the reason). Every certificate is checked exactly by
`verify_result` before it is returned; floats (HiGHS) may only propose.
"""

from verified.lp.certificates import CertificateError, verify_result
from verified.lp.model import Constraint, LinearProgram
from verified.lp.result import LPResult, result_from_evidence
from verified.lp.solve import solve_exact

__all__ = [
    "CertificateError",
    "Constraint",
    "LPResult",
    "LinearProgram",
    "result_from_evidence",
    "solve_exact",
    "verify_result",
]
