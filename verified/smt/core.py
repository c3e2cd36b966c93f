"""z3 plumbing: exact numbers across the solver boundary, and `solve`.

Every z3 object stays inside `verified.smt` and the encoders that feed it.
Rationals go in as z3 numerals written ``"n/d"`` (`to_z3`) and come back as
`Fraction` through ``numerator_as_long()`` / ``denominator_as_long()``
(`from_z3`); a value z3 can only give as an algebraic number (a root of a
polynomial, from non-linear constraints) is refused with `NonRationalValue`,
never rounded. `solve` returns an `SmtOutcome` whose status is ``"sat"``,
``"unsat"`` or ``"unknown"``: a time-out or a resource limit is reported as
``"unknown"`` with z3's ``reason_unknown()``, never folded into the others.

An `Encoding` is what encoders return: a tuple of z3 constraints plus a decode
map ``{name: z3 term}``; `solve` evaluates the decode map in the model and
hands back plain Fractions and bools under the same names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import z3

from verified.errors import InvalidInput, VerifiedError
from verified.numbers import fraction_text, to_fraction

Status = Literal["sat", "unsat", "unknown"]
Value = Fraction | bool


class NonRationalValue(VerifiedError, ValueError):
    """z3 returned a value that is not a rational number (an algebraic number)."""


class SolverError(VerifiedError, RuntimeError):
    """A z3 call failed for a reason other than unknown/time-out (a bug in an encoding)."""


def to_z3(value: object, where: str = "value") -> z3.ArithRef:
    """An exact z3 real numeral for an int / Fraction / rational string (floats refused)."""
    return z3.RealVal(fraction_text(to_fraction(value, where)))


def from_z3(term: z3.ExprRef, where: str = "z3 value") -> Fraction:
    """The exact Fraction of a z3 rational or integer numeral.

    Raises `NonRationalValue` for algebraic numbers and `InvalidInput` for
    anything that is not a numeral (an uninterpreted term).
    """
    if z3.is_algebraic_value(term):
        raise NonRationalValue(
            f"{where}: z3 gave the algebraic number {term.sexpr()}, which is not rational; "
            "exact results need linear constraints"
        )
    if z3.is_rational_value(term):
        return Fraction(term.numerator_as_long(), term.denominator_as_long())
    if z3.is_int_value(term):
        return Fraction(term.as_long())
    raise InvalidInput(f"expected a z3 numeral, got {term.sexpr()!r}", where)


def real(name: str) -> z3.ArithRef:
    """A z3 real variable (names should be unique within one query)."""
    return z3.Real(name)


def linear_sum(terms: Iterable[z3.ArithRef | Fraction | int]) -> z3.ArithRef:
    """Sum of terms as a z3 expression (Fractions/ints become exact numerals)."""
    parts = [t if isinstance(t, z3.ExprRef) else to_z3(t) for t in terms]
    if not parts:
        return z3.RealVal(0)
    if len(parts) == 1:
        return parts[0]
    return z3.Sum(*parts)


def is_constant(term: object) -> bool:
    """True for a Fraction/int or a z3 numeral (no unknowns)."""
    if isinstance(term, (Fraction, int)) and not isinstance(term, bool):
        return True
    return isinstance(term, z3.ExprRef) and (z3.is_rational_value(term) or z3.is_int_value(term))


@dataclass(frozen=True)
class Encoding:
    """Constraints plus a decode map ``{name: z3 term}``; compose with ``+``."""

    constraints: tuple[z3.BoolRef, ...] = ()
    decode: Mapping[str, z3.ExprRef] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "constraints", tuple(self.constraints))
        object.__setattr__(self, "decode", dict(self.decode))

    def __add__(self, other: Encoding) -> Encoding:
        clash = sorted(set(self.decode) & set(other.decode))
        for name in clash:
            if not self.decode[name].eq(other.decode[name]):
                raise InvalidInput(f"decode name {name!r} is used for two different terms", "Encoding")
        return Encoding(self.constraints + other.constraints, {**self.decode, **other.decode})

    @staticmethod
    def combine(parts: Iterable[Encoding]) -> Encoding:
        out = Encoding()
        for part in parts:
            out = out + part
        return out


@dataclass(frozen=True)
class SmtOutcome:
    """The answer of one `solve` call.

    ``model`` (only when sat) maps each decode name to its exact value;
    ``reason_unknown`` (only when unknown) is z3's explanation.
    """

    status: Status
    model: Mapping[str, Value] = field(default_factory=dict)
    reason_unknown: str | None = None

    @property
    def sat(self) -> bool:
        return self.status == "sat"

    @property
    def unsat(self) -> bool:
        return self.status == "unsat"

    @property
    def unknown(self) -> bool:
        return self.status == "unknown"

    def value(self, name: str) -> Value:
        if self.status != "sat":
            raise InvalidInput(f"no model: the query is {self.status}", f"value {name!r}")
        return self.model[name]


def _decode_value(model: z3.ModelRef, name: str, term: z3.ExprRef) -> Value:
    value = model.eval(term, model_completion=True)
    if z3.is_true(value):
        return True
    if z3.is_false(value):
        return False
    return from_z3(value, f"decode[{name!r}]")


def solve(
    constraints: Iterable[z3.BoolRef] | Encoding,
    decode: Mapping[str, z3.ExprRef] | None = None,
    *,
    timeout_ms: int | None = None,
    rlimit: int | None = None,
) -> SmtOutcome:
    """Check the conjunction of ``constraints``; decode a model when sat.

    ``timeout_ms`` (wall clock) and ``rlimit`` (z3's deterministic resource
    counter) bound the effort; hitting either gives status ``"unknown"``.
    Passing an `Encoding` supplies both constraints and decode map (an extra
    ``decode`` is merged in).
    """
    if isinstance(constraints, Encoding):
        names = dict(constraints.decode)
        names.update(decode or {})
        items = list(constraints.constraints)
    else:
        names = dict(decode or {})
        items = list(constraints)
    solver = z3.SolverFor("QF_LRA") if _is_linear_real(items) else z3.Solver()
    solver.set("random_seed", 0)
    if timeout_ms is not None:
        solver.set("timeout", int(timeout_ms))
    if rlimit is not None:
        solver.set("rlimit", int(rlimit))
    solver.add(*items)
    try:
        answer = solver.check()
    except z3.Z3Exception as exc:  # pragma: no cover - z3 internal failure
        raise SolverError(f"z3 failed: {exc}") from exc
    if answer == z3.unsat:
        return SmtOutcome("unsat")
    if answer == z3.unknown:
        return SmtOutcome("unknown", reason_unknown=solver.reason_unknown() or "unknown")
    model = solver.model()
    decoded = {name: _decode_value(model, name, term) for name, term in sorted(names.items())}
    return SmtOutcome("sat", decoded)


def _is_linear_real(items: list[Any]) -> bool:
    """Cheap syntactic test: no integer-sorted variables and no products of two unknowns."""
    seen: set[int] = set()
    stack = list(items)
    while stack:
        e = stack.pop()
        key = e.get_id()
        if key in seen:
            continue
        seen.add(key)
        if z3.is_const(e) and not (z3.is_rational_value(e) or z3.is_int_value(e)):
            if e.sort() not in (z3.RealSort(), z3.BoolSort()):
                return False
        if z3.is_app_of(e, z3.Z3_OP_MUL):
            unknown_factors = [c for c in e.children() if not is_constant(c)]
            if len(unknown_factors) > 1:
                return False
        if z3.is_quantifier(e) or z3.is_app_of(e, z3.Z3_OP_DIV) or z3.is_app_of(e, z3.Z3_OP_POWER):
            return False
        stack.extend(e.children())
    return True
