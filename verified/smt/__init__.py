"""z3 plumbing shared by the whole library (see `verified.smt.core`)."""

from verified.smt.core import (
    Encoding,
    NonRationalValue,
    SmtOutcome,
    SolverError,
    from_z3,
    is_constant,
    linear_sum,
    real,
    solve,
    to_z3,
)

__all__ = [
    "Encoding",
    "NonRationalValue",
    "SmtOutcome",
    "SolverError",
    "from_z3",
    "is_constant",
    "linear_sum",
    "real",
    "solve",
    "to_z3",
]
