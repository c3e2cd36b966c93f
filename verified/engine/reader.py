"""Reading a mechanism's answers over a range of profiles into an integer `Block`, fast and exact.

The cost of certifying a user's Python mechanism should be the cost of calling it. So the
answers are read without building a `StochasticAssignment` of Fractions per profile:

* rows ``{object: probability}`` whose values are ints or Fractions with denominator 1
  (every deterministic mechanism) are validated in integers (entries 0 or 1, one 1 per
  row, column counts within capacity -- only counted when some capacity is below n);
* a `StochasticAssignment` (the built-ins) is already validated: its Fractions become
  numerators over the lcm of the profile's denominators;
* anything else (strings like ``"1/2"``, Fractions, lists, a malformed answer) goes through
  exactly the library's path (`verified.io.pyload.python_mechanism` on the answer already
  obtained; the user's function is not called twice), so the accepted inputs, the refused
  ones and the error messages are those of `verified.assignment.mechanism.tabulate`.

A range's denominator is the lcm of its profiles' denominators, and the table's is the lcm
of the ranges' (`blocks.concatenate`): the same integers as the library's table. Each of these
common denominators obeys the digit rule (`verified.numbers.bounded_int`): a profile, or the
first profile of a range, whose answers push it past `verified.numbers.max_digits` is refused
as `InvalidInput` naming that profile, before any further lcm is computed.

A user function that raises -- anything, ``SystemExit`` included, but not
``KeyboardInterrupt`` -- gives an `InvalidInput` naming the profile number, the profile and
the exception. Its printing goes to stderr, so it cannot corrupt ``--json`` output.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np

from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import OUTSIDE
from verified.assignment.stochastic import StochasticAssignment
from verified.assignment.table_checks import running_sum
from verified.engine.blocks import Block, as_dtype, smallest_dtype
from verified.engine.ranges import Range, profiles
from verified.errors import InvalidInput
from verified.numbers import bounded_int


def _profile_text(profile: Any) -> str:
    return str([list(r) for r in profile])


class RangeReader:
    """Reads blocks of one subject (`verified.io.AssignmentSubject`); built once per process."""

    def __init__(self, subject: Any, *, allow_float: bool = False) -> None:
        self.subject = subject
        self.problem = problem = subject.problem
        self.domain = subject.domain
        self.n, self.width = problem.n, problem.m + 1
        self.columns = {x: k for k, x in enumerate(problem.objects)}
        self.columns[OUTSIDE] = problem.m
        self.capacities = list(problem.capacities)
        self.count_columns = any(q < problem.n for q in problem.capacities)
        self.table: TabulatedMechanism | None = None
        self.function: Callable | None = None
        self.takes_problem = False
        self.origin = f"mechanism {subject.mechanism.name}"
        self.replay: Any = None
        mechanism = subject.mechanism
        if isinstance(mechanism, TabulatedMechanism):
            self.table = mechanism
            return
        description = getattr(subject, "description", {}) or {}
        reference = description.get("python")
        if reference is not None:
            from verified.io.pyload import _origin, _takes_problem, load_callable, python_mechanism

            raw = getattr(subject, "python_function", None)  # imported once, by `parse_subject`
            if raw is None:
                raw = load_callable(reference, None, "mechanism.python")
            self.function = raw
            self.takes_problem = _takes_problem(raw, mechanism.name)
            origin = _origin(raw)
            self.origin = f"mechanism {mechanism.name} ({origin})"
            box: list[Any] = [None]
            self._box = box
            # the stand-in replays the user's answer: the messages name the user's function
            self.replay = python_mechanism(
                problem, lambda _profile: box[0], mechanism.name, allow_float=allow_float, origin=origin
            )
        else:
            self.function = mechanism  # returns a validated StochasticAssignment

    def read(self, part: Range) -> Block:
        """The block of profiles ``part`` (validated; see module docstring)."""
        if self.table is not None:
            nums = np.asarray(self.table.numerators[part.start : part.stop])
            return Block(
                part.start, part.stop, self.table.denominator, as_dtype(nums, self.table.denominator)
            )
        from verified.io.pyload import _what, passes_through, user_code_stdout

        n, width = self.n, self.width
        columns: list[int] = []  # n column indices per deterministic profile (0 for the others)
        general: dict[int, tuple[int, list[int]]] = {}  # offset -> (denominator, n * width numerators)
        function, problem, takes_problem = self.function, self.problem, self.takes_problem
        index, one, fraction = self.columns, 1, Fraction
        outside = [self.problem.m] * n
        with user_code_stdout():
            for offset, profile in enumerate(profiles(self.domain, part)):
                try:
                    out = function(problem, profile) if takes_problem else function(profile)
                except BaseException as exc:  # noqa: BLE001 - the user's code may raise anything
                    if passes_through(exc):
                        raise
                    raise InvalidInput(
                        f"{self.origin} {_what(exc)}",
                        f"profile {_profile_text(profile)} (number {part.start + offset})",
                    ) from None
                # The common case inline (a call per profile costs 10% here): n one-entry rows
                # {object: 1}, 1 the int or a Fraction equal to 1; a column per row is appended,
                # and taken back at the first row that is anything else. ``type(x)`` is a
                # specialised call in CPython 3.11, cheaper than ``x.__class__``; the Fraction
                # is read through its two integer slots, not compared.
                if type(out) is list and len(out) == n:
                    mark = len(columns)
                    for row in out:
                        if type(row) is not dict or len(row) != 1:
                            break
                        for key in row:  # the one key
                            value = row[key]
                        if value is not one and (
                            type(value) is not fraction or value._numerator != 1 or value._denominator != 1
                        ):
                            if type(value) is not int or value != 1:
                                break
                        try:
                            columns.append(index[key])
                        except BaseException as exc:  # noqa: BLE001 - not an object, or a key whose == ran code
                            if passes_through(exc):
                                raise
                            break
                    else:
                        continue
                    del columns[mark:]
                flat = [0] * (n * width)
                den = self._general(out, profile, part.start + offset, flat, 0)
                general[offset] = (den, flat)
                columns.extend(outside)  # placeholder, overwritten by the numerators in `_fold`
        block = _fold(part, columns, general, (n, width))
        if self.count_columns:
            self._check_capacities(block)
        return block

    def _check_capacities(self, block: Block) -> None:
        """Refuse a deterministic answer that gives an object to more agents than its capacity
        (the answers read by `_general` are already validated): the offending profile is read
        again through the library's path, so the error is the library's own."""
        m = len(self.capacities)
        nums = block.numerators  # entries in [0, d]: a column sum is at most n * d
        totals = running_sum([nums[:, i, :m] for i in range(self.n)], self.n * block.denominator)
        bound = np.array(self.capacities, dtype=object if totals.dtype == object else np.int64)
        over = np.nonzero((totals > bound * block.denominator).any(axis=1))[0]
        if len(over) == 0:
            return
        number = block.start + int(over[0])
        profile = self.domain.profile(number)
        out = self.function(self.problem, profile) if self.takes_problem else self.function(profile)
        self._general(out, profile, number, [0] * (self.n * self.width), 0)
        raise InvalidInput(
            "the mechanism assigns an object to more agents than its capacity",
            f"profile {_profile_text(profile)} (number {number})",
        )

    def _general(self, out: Any, profile: Any, number: int, flat: list[int], pos: int) -> int:
        """Any other answer, through the library's own reading (same acceptance, same errors)."""
        if self.replay is not None:
            self._box[0] = out
            try:
                out = self.replay(profile)
            finally:
                self._box[0] = None
        if not isinstance(out, StochasticAssignment) or out.problem != self.problem:
            raise InvalidInput(
                f"the mechanism returned {type(out).__name__}, not a StochasticAssignment of its problem",
                f"profile {_profile_text(profile)} (number {number})",
            )
        den = 1
        for row in out.matrix:
            for v in row:
                if v.denominator != 1:
                    den = lcm(den, v.denominator)
        where = f"profile {_profile_text(profile)} (number {number})"
        bounded_int(den, f"{where}: the common denominator of the answer")
        at = pos
        for row in out.matrix:
            for v in row:
                flat[at] = v.numerator * (den // v.denominator)
                at += 1
        return den


def _fold(
    part: Range, columns: list[int], general: dict[int, tuple[int, list[int]]], shape: tuple[int, int]
) -> Block:
    """One block over the lcm of the profiles' denominators: the deterministic profiles from their
    column indices (numerator ``den`` in that column), the others from their numerators."""
    n, width = shape
    den = 1
    for offset, (d, _) in general.items():
        den = lcm(den, d)
        bounded_int(
            den, f"profile number {part.start + offset}: the common denominator of the answers so far"
        )
    size = len(part)
    # Row k of ``den * identity`` is the row of a profile whose agent gets column k: one `take`.
    if smallest_dtype(den) is not object:
        unit_rows = as_dtype(np.eye(width, dtype=np.int64) * den, den)
        nums = unit_rows.take(np.array(columns, dtype=np.intp), axis=0).reshape((size, n, width))
    else:  # a denominator past int64: Python ints
        nums = np.zeros((size * n, width), dtype=object)
        nums[np.arange(size * n), np.array(columns, dtype=np.intp)] = den
        nums = nums.reshape((size, n, width))
    for offset, (d, flat) in general.items():
        factor = den // d
        nums[offset] = as_dtype([v * factor for v in flat], den).reshape((n, width))
    return Block(part.start, part.stop, den, nums)
