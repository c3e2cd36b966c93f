"""Exact linear programs: variables, constraints, objective, lower bounds.

A `LinearProgram` is

    minimize / maximize   sum_j c_j x_j
    subject to            sum_j a_ij x_j  (<= | >= | ==)  b_i     for every constraint i
                          x_j >= l_j   for every variable j with a lower bound l_j
                          x_j free     for every variable j whose lower bound is None

Every number is an exact `Fraction` (ints, Fractions and exact strings such as
``"3/8"`` are accepted through `verified.numbers.to_fraction`; floats are
rejected with `InvalidInput`). The default lower bound is 0; upper bounds are
written as ordinary ``<=`` constraints.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from verified.errors import InvalidInput
from verified.numbers import to_fraction

Sense = Literal["<=", ">=", "=="]
ObjectiveSense = Literal["min", "max"]

_SENSES = ("<=", ">=", "==")
_OBJECTIVE_SENSES = ("min", "max")


def _frozen_fractions(values: Mapping[str, object], where: str) -> Mapping[str, Fraction]:
    if not isinstance(values, Mapping):
        raise InvalidInput(f"expected a mapping from variable names to numbers, got {values!r}", where)
    out: dict[str, Fraction] = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise InvalidInput(f"variable names must be strings, got {key!r}", where)
        kind = type(value)
        if kind is Fraction:  # fast paths for the common exact types
            number = value
        elif kind is int:
            number = Fraction(value)
        else:
            number = to_fraction(value, f"{where}[{key!r}]")
        if number:
            out[key] = number
    return MappingProxyType(out)


@dataclass(frozen=True)
class Constraint:
    """One linear constraint ``sum_j coefficients[j] * x_j  sense  rhs``.

    Zero coefficients are dropped. ``name`` must be unique within its program:
    dual multipliers and Farkas certificates are keyed by it.
    """

    coefficients: Mapping[str, Fraction]
    sense: Sense
    rhs: Fraction
    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidInput(f"a constraint needs a non-empty string name, got {self.name!r}", "constraint")
        where = f"constraint {self.name!r}"
        if self.sense not in _SENSES:
            raise InvalidInput(f"sense must be one of {_SENSES}, got {self.sense!r}", where)
        object.__setattr__(
            self, "coefficients", _frozen_fractions(self.coefficients, f"{where}.coefficients")
        )
        object.__setattr__(self, "rhs", to_fraction(self.rhs, f"{where}.rhs"))

    def activity(self, point: Mapping[str, Fraction]) -> Fraction:
        """``sum_j a_j x_j`` at ``point`` (missing variables count as 0)."""
        return sum((a * point.get(v, 0) for v, a in self.coefficients.items()), Fraction(0))

    def to_evidence(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "coefficients": dict(self.coefficients),
            "sense": self.sense,
            "rhs": self.rhs,
        }


class IntegerRow(NamedTuple):
    """A constraint multiplied by the positive integer ``scale`` (the least common
    denominator of its numbers): ``sum_k coefficients[k][1] * x_(coefficients[k][0])
    sense rhs``, all integers."""

    scale: int
    coefficients: tuple[tuple[int, int], ...]
    rhs: int

    @staticmethod
    def of(constraint: Constraint, column_index: Mapping[str, int]) -> IntegerRow:
        items = constraint.coefficients.items()
        rhs = constraint.rhs
        scale = math.lcm(rhs.denominator, *(a.denominator for a in constraint.coefficients.values()))
        if scale == 1:
            pairs = tuple((column_index[v], a.numerator) for v, a in items)
        else:
            pairs = tuple((column_index[v], a.numerator * (scale // a.denominator)) for v, a in items)
        return IntegerRow(scale, pairs, rhs.numerator * (scale // rhs.denominator))


@dataclass(frozen=True)
class LinearProgram:
    """An exact LP (see the module docstring for the form).

    ``variables`` fixes the order of the columns; ``lower`` overrides the
    default lower bound 0 (``None`` makes a variable free).
    """

    variables: tuple[str, ...]
    constraints: tuple[Constraint, ...]
    objective: Mapping[str, Fraction] = field(default_factory=dict)
    sense: ObjectiveSense = "min"
    lower: Mapping[str, Fraction | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        variables = tuple(self.variables)
        known: set[str] = set()
        for k, v in enumerate(variables):
            if not isinstance(v, str) or not v:
                raise InvalidInput(f"variable names must be non-empty strings, got {v!r}", f"variables[{k}]")
            if v in known:
                raise InvalidInput(f"variable {v!r} is listed twice", f"variables[{k}]")
            known.add(v)
        object.__setattr__(self, "variables", variables)
        constraints = tuple(self.constraints)
        names: set[str] = set()
        for k, c in enumerate(constraints):
            if not isinstance(c, Constraint):
                raise InvalidInput(f"expected a Constraint, got {type(c).__name__}", f"constraints[{k}]")
            if c.name in names:
                raise InvalidInput(f"constraint name {c.name!r} is used twice", f"constraints[{k}]")
            names.add(c.name)
            for v in c.coefficients:
                if v not in known:
                    raise InvalidInput(f"unknown variable {v!r}", f"constraint {c.name!r}")
        object.__setattr__(self, "constraints", constraints)
        if self.sense not in _OBJECTIVE_SENSES:
            raise InvalidInput(f"must be 'min' or 'max', got {self.sense!r}", "objective sense")
        objective = _frozen_fractions(self.objective, "objective")
        for v in objective:
            if v not in known:
                raise InvalidInput(f"unknown variable {v!r}", "objective")
        object.__setattr__(self, "objective", objective)
        if not isinstance(self.lower, Mapping):
            raise InvalidInput(f"expected a mapping, got {self.lower!r}", "lower")
        lower: dict[str, Fraction | None] = {}
        for v, bound in self.lower.items():
            if v not in known:
                raise InvalidInput(f"unknown variable {v!r}", "lower")
            lower[v] = None if bound is None else to_fraction(bound, f"lower[{v!r}]")
        object.__setattr__(self, "lower", MappingProxyType(lower))

    @cached_property
    def column_index(self) -> Mapping[str, int]:
        """Variable name -> its position in ``variables``."""
        return MappingProxyType({v: j for j, v in enumerate(self.variables)})

    @cached_property
    def integer_rows(self) -> tuple[IntegerRow, ...]:
        """Each constraint scaled to integers (computed once; used by fast exact checks)."""
        return tuple(IntegerRow.of(c, self.column_index) for c in self.constraints)

    def lower_bound(self, variable: str) -> Fraction | None:
        """The lower bound of ``variable`` (0 by default, None if free)."""
        return self.lower.get(variable, Fraction(0))

    def objective_value(self, point: Mapping[str, Fraction]) -> Fraction:
        """``c . x`` exactly (one common denominator, integer sums)."""
        terms = [(c, point[v]) for v, c in self.objective.items() if point.get(v)]
        denominator = math.lcm(1, *(c.denominator * x.denominator for c, x in terms))
        total = sum(
            c.numerator * x.numerator * (denominator // (c.denominator * x.denominator)) for c, x in terms
        )
        return Fraction(total, denominator)

    def constraint(self, name: str) -> Constraint:
        for c in self.constraints:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_evidence(self) -> dict[str, Any]:
        """The program itself as JSON-ready data (for self-contained certificates)."""
        return {
            "variables": list(self.variables),
            "constraints": [c.to_evidence() for c in self.constraints],
            "objective": dict(self.objective),
            "sense": self.sense,
            "lower": {v: self.lower_bound(v) for v in self.variables},
        }
