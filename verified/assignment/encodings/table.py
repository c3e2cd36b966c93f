"""Symbolic tables: a mechanism's entries as z3 terms, fixed or unknown.

Entry ``(profile index, agent, column)`` is the probability that the agent
gets the column (objects, then outside) at that profile of the domain. A
fixed table (`SymbolicTable.from_mechanism`) holds exact z3 numerals; a
fresh table (`SymbolicTable.fresh`) holds z3 Real unknowns named
``"<prefix>[<profile>][<agent>][<column>]"``, and a mix is possible
(`SymbolicTable.with_unknowns`). `SymbolicTable.read` turns a sat model back
into an exact `TabulatedMechanism`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import z3

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism, tabulate
from verified.assignment.model import Problem
from verified.errors import InvalidInput
from verified.smt.core import SmtOutcome, from_z3, is_constant, linear_sum, to_z3

Key = tuple[int, int, int]


@dataclass(frozen=True, eq=False)
class SymbolicTable:
    """``entries[(p, i, k)]`` is a z3 term; ``unknowns`` maps decode names to the unknown entries."""

    domain: Domain
    entries: Mapping[Key, z3.ArithRef] = field(repr=False)
    unknowns: Mapping[str, Key] = field(default_factory=dict, repr=False)
    name: str = "table"
    source: TabulatedMechanism | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        p = self.domain.problem
        expected = len(self.domain) * p.n * (p.m + 1)
        if len(self.entries) != expected:
            raise InvalidInput(f"{len(self.entries)} entries, expected {expected}", "symbolic table")

    @property
    def problem(self) -> Problem:
        return self.domain.problem

    def keys(self) -> Iterable[Key]:
        p = self.problem
        for pi in range(len(self.domain)):
            for i in range(p.n):
                for k in range(p.m + 1):
                    yield (pi, i, k)

    @classmethod
    def from_mechanism(cls, mechanism: Mechanism | TabulatedMechanism, domain: Domain) -> SymbolicTable:
        """Every entry fixed to the mechanism's exact value."""
        table = mechanism if isinstance(mechanism, TabulatedMechanism) else tabulate(mechanism, domain)
        if table.domain != domain:
            raise InvalidInput("the table is over another domain", "symbolic table")
        den = table.denominator
        entries = {key: to_z3(Fraction(int(table.numerators[key]), den)) for key in _all_keys(domain)}
        return cls(domain, entries, {}, table.name, table)

    @classmethod
    def fresh(cls, domain: Domain, prefix: str = "g") -> SymbolicTable:
        """Every entry an unknown."""
        return cls.with_unknowns(domain, lambda key: True, prefix)

    @classmethod
    def with_unknowns(
        cls,
        domain: Domain,
        is_unknown: Callable[[Key], bool],
        prefix: str = "g",
        fixed: TabulatedMechanism | None = None,
    ) -> SymbolicTable:
        """Unknowns where ``is_unknown(key)``; elsewhere the ``fixed`` table's value (required then)."""
        p = domain.problem
        entries: dict[Key, z3.ArithRef] = {}
        unknowns: dict[str, Key] = {}
        for key in _all_keys(domain):
            if is_unknown(key):
                name = f"{prefix}[{key[0]}][{p.agents[key[1]]}][{p.columns[key[2]]}]"
                entries[key] = z3.Real(name)
                unknowns[name] = key
            else:
                if fixed is None:
                    raise InvalidInput(f"entry {key} is fixed but no fixed table was given", "symbolic table")
                entries[key] = to_z3(fixed.entry(*key))
        return cls(domain, entries, unknowns, prefix)

    def entry(self, profile_index: int, agent: int, column: int) -> z3.ArithRef:
        return self.entries[(profile_index, agent, column)]

    def row(self, profile_index: int, agent: int) -> list[z3.ArithRef]:
        return [self.entries[(profile_index, agent, k)] for k in range(self.problem.m + 1)]

    def cumulative(self, profile_index: int, agent: int, columns: Iterable[int]) -> z3.ArithRef:
        return linear_sum(self.entries[(profile_index, agent, k)] for k in columns)

    def column_sum(self, profile_index: int, column: int) -> z3.ArithRef:
        return linear_sum(self.entries[(profile_index, i, column)] for i in range(self.problem.n))

    def is_fixed(self) -> bool:
        return not self.unknowns

    def decode_map(self) -> dict[str, z3.ArithRef]:
        """Decode names of the unknown entries (for `verified.smt.solve`)."""
        return {name: self.entries[key] for name, key in self.unknowns.items()}

    def value(self, outcome: SmtOutcome | None, key: Key) -> Fraction:
        """Exact value of one entry: its numeral, or the model's value for an unknown."""
        term = self.entries[key]
        if is_constant(term):
            return _numeral(term)
        if outcome is None:
            raise InvalidInput(f"entry {key} is unknown and there is no model", "symbolic table")
        name = f"{self.name}[{key[0]}][{self.problem.agents[key[1]]}][{self.problem.columns[key[2]]}]"
        value = outcome.value(name)
        if not isinstance(value, Fraction):
            raise InvalidInput(f"decoded {name!r} is not a number", "symbolic table")
        return value

    def read(self, outcome: SmtOutcome | None = None, name: str | None = None) -> TabulatedMechanism:
        """The exact table (unknowns read from a sat ``outcome``); validated on construction."""
        p = self.problem
        values = np.empty((len(self.domain), p.n, p.m + 1), dtype=object)
        for key in self.keys():
            values[key] = self.value(outcome, key)
        return TabulatedMechanism.from_fraction_array(self.domain, values, name or self.name)


def _numeral(term: object) -> Fraction:
    if isinstance(term, (Fraction, int)):
        return Fraction(term)
    return from_z3(z3.simplify(term))  # type: ignore[arg-type]


def _all_keys(domain: Domain) -> Iterable[Key]:
    p = domain.problem
    for pi in range(len(domain)):
        for i in range(p.n):
            for k in range(p.m + 1):
                yield (pi, i, k)
