"""Mechanisms: functions from profiles to stochastic assignments (Erdil, section 2).

Two forms:

* `FunctionMechanism` wraps a Python function ``profile -> StochasticAssignment``
  (the built-ins in `verified.assignment.mechanisms` are of this form);
* `TabulatedMechanism` is an explicit table over a finite `Domain`, stored
  exactly as integer numerators over one common denominator: entry
  ``numerators[p, i, k] / denominator`` is the probability that agent ``i``
  gets column ``k`` (objects, then outside) at profile number ``p``. The
  integer form is what makes whole-domain checks fast *and* exact; when a row or
  column sum could leave int64 the array holds Python ints (dtype=object), by the
  policy of `verified.assignment.intbounds`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from typing import Any, Protocol, runtime_checkable

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.intbounds import int_array, int_dtype, table_bound, table_numerators
from verified.assignment.model import Problem, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.assignment.table_checks import validate_numerators
from verified.errors import InvalidInput


@runtime_checkable
class Mechanism(Protocol):
    """Anything with a ``problem``, a ``name`` and ``__call__(profile) -> StochasticAssignment``."""

    problem: Problem
    name: str

    def __call__(self, profile: Profile) -> StochasticAssignment: ...


@dataclass(frozen=True)
class FunctionMechanism:
    """A mechanism given by a Python function; profiles are validated before the call."""

    problem: Problem
    name: str
    function: Callable[[Profile], StochasticAssignment] = field(repr=False)

    def __call__(self, profile: Profile) -> StochasticAssignment:
        profile = self.problem.profile(profile)
        out = self.function(profile)
        if not isinstance(out, StochasticAssignment) or out.problem != self.problem:
            raise InvalidInput(
                f"mechanism {self.name!r} returned {type(out).__name__}, not a StochasticAssignment "
                "of its problem",
                f"profile {profile}",
            )
        return out


def _exact_array(values: np.ndarray, denominator: int) -> np.ndarray:
    """An object array of ints as int64 when `intbounds.table_bound` fits (the largest entry
    counted, so unvalidated entries cannot overflow either), else unchanged (Python ints)."""
    if values.dtype == object and values.size and values.ndim >= 2:
        largest = max(abs(int(v)) for v in values.flat)
        n, columns = values.shape[-2], values.shape[-1]
        return int_array(values, table_bound(denominator, n, columns - 1, largest))
    return values


class TableRows:
    """Reading a table's rows: for classes with ``domain``, ``numerators`` (profiles, n, m + 1)
    and ``denominator`` (`TabulatedMechanism`, `verified.assignment.compact.CompactTable`)."""

    domain: Domain
    numerators: np.ndarray
    denominator: int

    @property
    def problem(self) -> Problem:
        return self.domain.problem

    def entry(self, profile_index: int, agent: int, column: int) -> Fraction:
        return Fraction(int(self.numerators[profile_index, agent, column]), self.denominator)

    def at_index(self, profile_index: int) -> StochasticAssignment:
        """The stochastic assignment at profile number ``profile_index``."""
        rows = self.numerators[profile_index]
        return StochasticAssignment.from_numerators(self.problem, rows, self.denominator)


@dataclass(frozen=True, eq=False)
class TabulatedMechanism(TableRows):
    """An explicit table over ``domain`` (see module docstring for the layout).

    Validated on construction: entries in [0, 1], rows sum to 1, columns at
    most q_x, at every profile. Nothing ever certifies an invalid table.
    """

    domain: Domain
    numerators: np.ndarray = field(repr=False)
    denominator: int
    name: str = "table"

    def __post_init__(self) -> None:
        p = self.domain.problem
        if (
            isinstance(self.denominator, bool)
            or not isinstance(self.denominator, int)
            or self.denominator < 1
        ):
            raise InvalidInput(f"denominator must be a positive integer, got {self.denominator!r}", "table")
        nums = self.numerators
        if not isinstance(nums, np.ndarray) or nums.dtype.kind not in "iuO":
            raise InvalidInput("numerators must be an integer numpy array", "table")
        expected = (len(self.domain), p.n, p.m + 1)
        if nums.shape != expected:
            raise InvalidInput(f"table has shape {nums.shape}, expected {expected}", "table")
        bound = table_bound(self.denominator, p.n, p.m)
        # A signed fixed-width array is validated as given (reading int8 is 8x less memory
        # traffic than its int64 copy): the sums below run in int64 when the bound fits.
        narrow = nums.dtype.kind == "i" and int_dtype(bound) is np.int64
        if narrow:
            validate_numerators(self.domain, nums, self.denominator)
        nums = table_numerators(nums, bound, "table")
        object.__setattr__(self, "numerators", nums)
        nums.flags.writeable = False
        if not narrow:
            validate_numerators(self.domain, nums, self.denominator)

    def __call__(self, profile: Profile) -> StochasticAssignment:
        return self.at_index(self.domain.index(self.problem.profile(profile)))

    def __repr__(self) -> str:
        """Constructor-like, with the size of the numerators instead of them (`verified.display`)."""
        from verified.display import table_repr

        return table_repr(self)

    def _repr_html_(self) -> str:
        from verified.display import table_html

        return table_html(self)

    def _repr_markdown_(self) -> str:
        from verified.display import table_markdown

        return table_markdown(self)

    def to_pandas(self, profiles: Iterable[int] | None = None) -> Any:
        """One row per profile, agent and column (`verified.frames.table_frame`; ``share`` is exact)."""
        from verified.frames import table_frame

        return table_frame(self, profiles)

    def plot(
        self, agent: int | str = 0, profiles: Iterable[object] | None = None, ax: Any = None, **options: Any
    ) -> Any:
        """One agent's shares across profiles, a heat map with exact labels
        (`verified.assignment.plot.plot_mechanism`)."""
        from verified.assignment.plot import plot_mechanism

        return plot_mechanism(self, agent, profiles, ax=ax, **options)

    @classmethod
    def from_assignments(
        cls, domain: Domain, assignments: Iterable[StochasticAssignment], name: str = "table"
    ) -> TabulatedMechanism:
        """Table from one assignment per profile, in domain order."""
        assignments = list(assignments)
        if len(assignments) != len(domain):
            raise InvalidInput(f"{len(assignments)} assignments for {len(domain)} profiles", "table")
        den = 1
        for a in assignments:
            if a.problem != domain.problem:
                raise InvalidInput("assignment of another problem", "table")
            for row in a.matrix:
                for v in row:
                    den = lcm(den, v.denominator)
        p = domain.problem
        raw = np.empty((len(domain), p.n, p.m + 1), dtype=object)
        for pi, a in enumerate(assignments):
            for i, row in enumerate(a.matrix):
                for k, v in enumerate(row):
                    raw[pi, i, k] = v.numerator * (den // v.denominator)
        return cls(domain, _exact_array(raw, den), den, name)

    @classmethod
    def from_fraction_array(
        cls, domain: Domain, values: np.ndarray, name: str = "table"
    ) -> TabulatedMechanism:
        """Table from an object array of Fractions/ints shaped (profiles, n, m + 1)."""
        den = 1
        for v in values.flat:
            if not isinstance(v, (int, Fraction)) or isinstance(v, bool):
                raise InvalidInput(f"table entry {v!r} is not exact (int or Fraction)", "table")
            den = lcm(den, Fraction(v).denominator)
        raw = np.empty(values.shape, dtype=object)
        for idx, v in np.ndenumerate(values):
            f = Fraction(v)
            raw[idx] = f.numerator * (den // f.denominator)
        return cls(domain, _exact_array(raw, den), den, name)


def tabulate(mechanism: Mechanism, domain: Domain) -> TabulatedMechanism:
    """Evaluate ``mechanism`` at every profile of ``domain`` (in order)."""
    if mechanism.problem != domain.problem:
        raise InvalidInput("the mechanism and the domain have different problems", "tabulate")
    return TabulatedMechanism.from_assignments(
        domain, (mechanism(profile) for profile in domain), name=mechanism.name
    )
