"""HiGHS as a *proposer*: floats suggest, exact arithmetic decides.

`solve_highs` runs HiGHS (highspy, a run-time dependency), then turns
its answer into an exact certificate and verifies it with `verify_result`:

* optimal: round HiGHS's primal/dual to simple rationals and verify; if that
  fails, re-solve HiGHS's optimal basis exactly (`reconstruct.from_basis`) and verify;
* infeasible or unbounded (HiGHS's word is not trusted): solve the *elastic*
  program (every constraint gets non-negative violation variables, minimise
  their sum) exactly. Optimum > 0: its optimal dual, restricted to the original
  constraints, is a Farkas vector. Optimum 0: its primal is a feasible point,
  and an exact ray (``A r`` in the cone of the senses, ``r_j >= 0`` on bounded
  variables, ``c . r = -1`` for min / ``+1`` for max) proves unboundedness; if
  no ray exists, the program is re-solved with HiGHS's presolve off.

Anything that does not verify gives status ``"unknown"`` with the reason.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verified.errors import require_extra
from verified.lp.certificates import CertificateError, certify
from verified.lp.model import Constraint, LinearProgram
from verified.lp.reconstruct import (
    AT_LOWER,
    AT_UPPER,
    AT_ZERO,
    BASIC,
    Basis,
    BasisError,
    from_basis,
    from_floats,
)
from verified.lp.result import LPResult
from verified.lp.sparse import SolveTimeout


@dataclass(frozen=True)
class Proposal:
    """HiGHS's floating-point answer (never reported as such)."""

    # "optimal" | "infeasible" | "unbounded" | "unbounded_or_infeasible" | other HiGHS status text
    status: str
    primal: tuple[float, ...] = ()
    dual: tuple[float, ...] = ()
    basis: Basis | None = None


_FD_LOCK = threading.Lock()
_INT32_MAX = 2**31 - 1  # HiGHS's matrix indices (HighsInt) are 32-bit


def _flush_c_stdio() -> None:
    """Flush the C library's stdio buffers (HiGHS may print through them)."""
    import ctypes

    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library handle on this platform: nothing buffered there
        pass


@contextmanager
def stdout_silenced() -> Iterator[None]:
    """File descriptor 1 points to the null device inside the block (then is restored).

    Python's and C's buffers are flushed on the way in (so nothing earlier is lost) and
    on the way out (so nothing printed inside leaks later). Serialised by a lock: fd 1 is
    process-wide."""
    with _FD_LOCK:
        for stream in (sys.stdout, sys.__stdout__):
            if stream is not None:
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
        _flush_c_stdio()
        try:
            saved = os.dup(1)
        except OSError:  # descriptor 1 is closed: nothing can reach stdout anyway
            yield
            return
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            yield
        finally:
            _flush_c_stdio()
            os.dup2(saved, 1)
            os.close(null)
            os.close(saved)


def quiet_highs(highspy: Any | None = None) -> Any:
    """A new ``highspy.Highs()`` that never writes to stdout.

    highspy >= 1.16 prints its banner on stdout while ``Highs()`` is constructed, before
    any option can be set (earlier versions print it at the first call unless
    ``output_flag`` is already off). So the construction runs with file descriptor 1
    redirected to the null device (`stdout_silenced`), and ``output_flag`` and
    ``log_to_console`` are switched off before the descriptor is restored. Use this for
    every HiGHS instance: no third-party output may reach our stdout (CLI output and
    exit codes are a contract)."""
    if highspy is None:
        highspy = require_extra("highspy", "highs", "Fast LP solving")
    with stdout_silenced():
        solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        solver.setOptionValue("log_to_console", False)
    return solver


def _float(value: Fraction) -> float:
    return value.numerator / value.denominator  # float ok: HiGHS input, a proposal only


def propose(lp: LinearProgram, time_limit: float | None = None, presolve: bool = True) -> Proposal:
    """Run HiGHS on ``lp`` and return its floating-point proposal."""
    highspy = require_extra("highspy", "highs", "Fast LP solving")
    import numpy as np

    n, m = len(lp.variables), len(lp.constraints)
    integer_rows = lp.integer_rows  # cached; the exact checks use them too
    counts = np.fromiter((len(r.coefficients) for r in integer_rows), dtype=np.int64, count=m)
    nnz = int(counts.sum())  # <= the number of stored coefficients: int64 (intbounds policy)
    if max(n, m, nnz) > _INT32_MAX:
        return Proposal(f"too large for HiGHS's 32-bit indices ({n} columns, {m} rows, {nnz} nonzeros)")
    try:
        return _propose(highspy, lp, counts, nnz, time_limit, presolve)
    except OverflowError:  # a number beyond float range: HiGHS cannot be given this program
        return Proposal("a coefficient, bound or cost is beyond the float range HiGHS works in")


def _propose(
    highspy: Any, lp: LinearProgram, counts: Any, nnz: int, time_limit: float | None, presolve: bool
) -> Proposal:
    import numpy as np

    n, m = len(lp.variables), len(lp.constraints)
    integer_rows = lp.integer_rows
    cols = np.fromiter((j for r in integer_rows for j, _ in r.coefficients), dtype=np.int64, count=nnz)
    rows = np.repeat(np.arange(m, dtype=np.int64), counts)
    # float ok: HiGHS input, a proposal only (Python ints of any size convert to float64)
    scales = np.array([float(r.scale) for r in integer_rows], dtype=np.float64)  # float ok: proposal only
    numerators = np.array(
        [float(a) for r in integer_rows for _, a in r.coefficients],  # float ok: proposal only
        dtype=np.float64,
    )
    vals = numerators / np.repeat(scales, counts) if m else numerators
    rhs = np.array([_float(c.rhs) for c in lp.constraints], dtype=np.float64)  # float ok: proposal only
    senses = np.array([c.sense for c in lp.constraints], dtype=object)
    inf = highspy.kHighsInf
    row_lower = np.where(senses == "<=", -inf, rhs) if m else np.empty(0)
    row_upper = np.where(senses == ">=", inf, rhs) if m else np.empty(0)
    order = np.lexsort((rows, cols))
    model = highspy.HighsLp()
    model.num_col_ = n
    model.num_row_ = m
    costs = [_float(lp.objective.get(v, Fraction(0))) for v in lp.variables]  # float ok: proposal only
    model.col_cost_ = np.array(costs, dtype=np.float64)
    lower = [lp.lower_bound(v) for v in lp.variables]
    col_lower = [-inf if b is None else _float(b) for b in lower]  # float ok: proposal only
    model.col_lower_ = np.array(col_lower, dtype=np.float64)
    model.col_upper_ = np.full(n, inf)
    model.row_lower_ = row_lower
    model.row_upper_ = row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = np.searchsorted(cols[order], np.arange(n + 1)).astype(np.int32)
    model.a_matrix_.index_ = rows[order].astype(np.int32)
    model.a_matrix_.value_ = vals[order]
    model.sense_ = highspy.ObjSense.kMaximize if lp.sense == "max" else highspy.ObjSense.kMinimize
    solver = quiet_highs(highspy)
    if not presolve:
        solver.setOptionValue("presolve", "off")
    if time_limit is not None:
        solver.setOptionValue("time_limit", float(max(time_limit, 1e-3)))  # float ok: proposal only
    solver.passModel(model)
    solver.run()
    status = solver.getModelStatus()
    statuses = highspy.HighsModelStatus
    if status == statuses.kInfeasible:
        return Proposal("infeasible")
    if status == statuses.kUnbounded:
        return Proposal("unbounded")
    if status == statuses.kUnboundedOrInfeasible:
        return Proposal("unbounded_or_infeasible")
    if status not in (statuses.kOptimal, statuses.kModelEmpty):
        return Proposal(f"HiGHS stopped with status {solver.modelStatusToString(status)!r}")
    solution = solver.getSolution()
    names = {
        highspy.HighsBasisStatus.kBasic: BASIC,
        highspy.HighsBasisStatus.kLower: AT_LOWER,
        highspy.HighsBasisStatus.kUpper: AT_UPPER,
        highspy.HighsBasisStatus.kZero: AT_ZERO,
    }
    basis = solver.getBasis()
    exact_basis = None
    if basis.valid:
        exact_basis = Basis(
            tuple(names.get(s, "nonbasic") for s in basis.col_status),
            tuple(names.get(s, "nonbasic") for s in basis.row_status),
        )
    return Proposal(
        "optimal",
        tuple(float(x) for x in solution.col_value),  # float ok: proposal only
        tuple(float(y) for y in solution.row_dual),  # float ok: proposal only
        exact_basis,
    )


def _fresh_prefix(lp: LinearProgram, stem: str) -> str:
    taken = set(lp.variables) | {c.name for c in lp.constraints}
    prefix = stem
    while any(name.startswith(prefix) for name in taken):
        prefix = "_" + prefix
    return prefix


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


def _unknown(reason: str) -> LPResult:
    return LPResult("unknown", reason=reason, method="highs")


def _exact_optimum(
    lp: LinearProgram,
    deadline: float | None,
    proposal: Proposal | None = None,
    rounding: bool = True,
    presolve: bool = True,
) -> LPResult:
    """HiGHS (or its given ``proposal``) + exact repair for a program HiGHS should find optimal."""
    if proposal is None:
        remaining = _remaining(deadline)
        if remaining is not None and remaining <= 0:
            return _unknown("time limit reached before HiGHS ran")
        proposal = propose(lp, remaining, presolve)
    if proposal.status != "optimal":
        stats = {"highs_status": proposal.status}
        return LPResult("unknown", reason=proposal.status, method="highs", stats=stats)
    failures = []
    if rounding:
        candidate = from_floats(lp, proposal.primal, proposal.dual)
        try:
            return certify(lp, candidate)
        except CertificateError as exc:
            failures.append(f"rounding: {exc}")
    if proposal.basis is None:
        return _unknown("HiGHS gave no valid basis (and its rounded solution did not verify)")
    try:
        return certify(lp, from_basis(lp, proposal.basis, deadline))
    except SolveTimeout:
        return _unknown("time limit reached during the exact basis solve")
    except (BasisError, CertificateError) as exc:
        failures.append(f"basis solve: {exc}")
    return _unknown("HiGHS's optimum could not be made exact: " + "; ".join(failures))


def _elastic(lp: LinearProgram) -> LinearProgram:
    """Every constraint gets non-negative violation variables; minimise their sum.
    Always feasible and bounded below by 0; optimum 0 iff ``lp`` is feasible."""
    prefix = _fresh_prefix(lp, "elastic_")
    extra: list[str] = []
    constraints = []
    for i, c in enumerate(lp.constraints):
        coefficients = dict(c.coefficients)
        if c.sense in ("<=", "=="):
            extra.append(f"{prefix}minus_{i}")
            coefficients[extra[-1]] = Fraction(-1)
        if c.sense in (">=", "=="):
            extra.append(f"{prefix}plus_{i}")
            coefficients[extra[-1]] = Fraction(1)
        constraints.append(Constraint(coefficients, c.sense, c.rhs, c.name))
    return LinearProgram(
        lp.variables + tuple(extra), tuple(constraints), dict.fromkeys(extra, 1), "min", dict(lp.lower)
    )


def _ray_program(lp: LinearProgram) -> LinearProgram:
    """Improving directions: ``A r`` in the cone of the senses, ``r_j >= 0`` on
    bounded variables, ``c . r = -1`` (min) or ``+1`` (max)."""
    name = _fresh_prefix(lp, "normalise_ray")
    target = Fraction(-1 if lp.sense == "min" else 1)
    cone = [Constraint(c.coefficients, c.sense, 0, c.name) for c in lp.constraints]
    cone.append(Constraint(dict(lp.objective), "==", target, name))
    lower = {v: (None if lp.lower_bound(v) is None else Fraction(0)) for v in lp.variables}
    return LinearProgram(lp.variables, tuple(cone), {}, "min", lower)


def _not_optimal(lp: LinearProgram, deadline: float | None, rounding: bool) -> LPResult:
    """HiGHS said infeasible / unbounded: decide it exactly. The elastic program
    gives a Farkas vector (optimum > 0) or a feasible point (optimum 0); then
    the ray program gives an improving ray, or, if it has none, the program is
    bounded after all and is re-solved without HiGHS's presolve."""
    elastic = _exact_optimum(_elastic(lp), deadline, rounding=rounding)
    if elastic.status != "optimal":
        return _unknown(f"the elastic program (infeasibility test) was not solved: {elastic.reason}")
    if elastic.objective and elastic.objective > 0:
        farkas = {c.name: elastic.dual[c.name] for c in lp.constraints}
        return LPResult("infeasible", farkas=farkas, method="highs")
    point = {v: elastic.primal[v] for v in lp.variables}
    ray = _exact_optimum(_ray_program(lp), deadline, rounding=rounding)
    if ray.status == "optimal":
        return LPResult("unbounded", primal=point, ray=ray.primal, method="highs")
    if ray.stats.get("highs_status") != "infeasible":
        return _unknown(f"no exact improving ray for an unbounded certificate: {ray.reason}")
    retry = _exact_optimum(lp, deadline, rounding=rounding, presolve=False)
    if retry.status == "optimal":
        return retry
    return _unknown(f"HiGHS's status is contradicted by exact checks and a re-solve failed: {retry.reason}")


def solve_highs(lp: LinearProgram, *, time_limit: float | None = None, rounding: bool = True) -> LPResult:
    """HiGHS proposes, exact arithmetic repairs; see the module docstring.

    ``rounding=False`` skips the rounding shortcut and always re-solves the
    basis exactly. Every returned status other than ``"unknown"`` has passed
    `verify_result` (via `certify`) on ``lp`` itself, exactly once after its
    final construction; a certificate that fails becomes ``"unknown"``.
    """
    start = time.monotonic()
    deadline = None if time_limit is None else start + time_limit
    proposal = propose(lp, time_limit)
    if proposal.status == "optimal":
        result = _exact_optimum(lp, deadline, proposal, rounding)
    elif proposal.status in ("infeasible", "unbounded", "unbounded_or_infeasible"):
        result = _not_optimal(lp, deadline, rounding)
        if result.status in ("infeasible", "unbounded"):
            try:
                result = certify(lp, result)
            except CertificateError as exc:
                result = _unknown(f"HiGHS's {result.status} certificate failed exact verification: {exc}")
    elif "time" in proposal.status.lower():
        result = _unknown(f"time limit of {time_limit} s reached by HiGHS ({proposal.status})")
    else:
        result = _unknown(proposal.status)
    stats = dict(result.stats)
    stats["seconds"] = time.monotonic() - start
    return LPResult(
        result.status,
        primal=result.primal,
        dual=result.dual,
        objective=result.objective,
        farkas=result.farkas,
        ray=result.ray,
        reason=result.reason,
        reduced_costs=result.reduced_costs,
        method=result.method or "highs",
        stats=stats,
    )
