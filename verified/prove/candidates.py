"""The library's own mechanisms as candidate witnesses, tried before z3 searches for one.

z3's search for a witness is fast on some statements and, on others, slow in ways that change
with z3's version and state (measured: Bogomolnaia and Moulin's control without equal treatment,
81 profiles, took 2 s to more than 120 s). The classical mechanisms are the classical witnesses
(serial dictatorship is SD-strategy-proof and SD-efficient; random priority SD-strategy-proof
and fair; probabilistic serial SD-efficient and fair: Bogomolnaia and Moulin 2001), so every
assignment of them to the unknowns that have no known mechanism is checked exactly against the
statement's rows and clauses first. A candidate that satisfies them is a witness like any other
(the checker re-verifies it); one that does not costs one pass over the rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from verified.prove.rows import Clause, Row, var
from verified.prove.statement import Statement

#: At most this many unknowns are given candidates (3 ** 2 = 9 assignments).
MAX_UNKNOWNS = 2


def _mechanisms(statement: Statement) -> list[Callable[[Any], Any]]:
    from verified.assignment.mechanisms import probabilistic_serial, random_priority, serial_dictatorship

    problem = statement.problem
    return [serial_dictatorship(problem), random_priority(problem), probabilistic_serial(problem)]


def classical_witness(
    statement: Statement, rows: list[Row], clauses: list[Clause]
) -> dict[str, Fraction] | None:
    """A point (every unknown's shares) built from the library's mechanisms that satisfies every
    row and clause exactly, or None."""
    free = [u.name for u in statement.unknowns if u.fixed is None]
    if not free or len(free) > MAX_UNKNOWNS:
        return None
    known = {u.name: u.fixed for u in statement.unknowns if u.fixed is not None}
    mechanisms = _mechanisms(statement)
    shares: dict[int, list] = {}  # mechanism number -> its matrix at every profile

    def matrices(k: int, mechanism: Callable[[Any], Any]) -> list:
        if k not in shares:
            shares[k] = [mechanism(p).matrix for p in statement.profiles]
        return shares[k]

    fixed_point = {}
    for name, mechanism in known.items():
        for p, profile in enumerate(statement.profiles):
            for i, row in enumerate(mechanism(profile).matrix):
                for c, value in enumerate(row):
                    fixed_point[var(name, p, i, c)] = Fraction(value)
    for choice in itertools.product(range(len(mechanisms)), repeat=len(free)):
        point = dict(fixed_point)
        for name, k in zip(free, choice, strict=True):
            for p, matrix in enumerate(matrices(k, mechanisms[k])):
                for i, row in enumerate(matrix):
                    for c, value in enumerate(row):
                        point[var(name, p, i, c)] = Fraction(value)
        if all(r.holds_at(point) for r in rows) and all(c.holds_at(point) for c in clauses):
            return point
    return None
