"""Exact feasibility of small systems of strict and non-strict linear inequalities.

Fourier-Motzkin elimination over Fractions, tracking for every derived row
the non-negative multipliers of the original rows. The answer is either a
feasible point (by back-substitution) or a Motzkin certificate: multipliers
y >= 0 with sum_r y_r a_r = 0 and either sum_r y_r b_r < 0, or
sum_r y_r b_r = 0 with y_r > 0 on some strict row. `verify_infeasibility`
re-checks such a certificate with plain Fraction arithmetic.

Meant for the few variables of the trading world (I <= 5 tasks); the number
of rows can grow quickly, so callers pass ``max_rows`` and get None back
(unknown) when it is exceeded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from verified.trading.model import Vector, dot

ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class Inequality:
    """coeffs . x < rhs (strict) or coeffs . x <= rhs."""

    coeffs: Vector
    rhs: Fraction
    strict: bool

    def holds_at(self, x: Sequence[Fraction]) -> bool:
        value = dot(self.coeffs, x)
        return value < self.rhs if self.strict else value <= self.rhs


@dataclass(frozen=True, slots=True)
class _Row:
    coeffs: tuple[Fraction, ...]
    rhs: Fraction
    strict: bool
    mult: tuple[Fraction, ...]


@dataclass(frozen=True, slots=True)
class Feasibility:
    """Either ``point`` (feasible) or ``multipliers`` (a Motzkin certificate of infeasibility)."""

    feasible: bool
    point: Vector | None = None
    multipliers: tuple[Fraction, ...] | None = None


def _scale(row: _Row, f: Fraction) -> tuple[list[Fraction], Fraction, list[Fraction]]:
    return [a * f for a in row.coeffs], row.rhs * f, [m * f for m in row.mult]


def _combine(p: _Row, n: _Row, var: int) -> _Row:
    fp, fn = -n.coeffs[var], p.coeffs[var]  # both > 0
    cp, bp, mp = _scale(p, fp)
    cn, bn, mn = _scale(n, fn)
    coeffs = tuple(a + b for a, b in zip(cp, cn, strict=True))
    mult = tuple(a + b for a, b in zip(mp, mn, strict=True))
    scale = max((abs(a) for a in coeffs), default=ZERO) or Fraction(1)  # keep numbers small
    return _Row(
        tuple(a / scale for a in coeffs),
        (bp + bn) / scale,
        p.strict or n.strict,
        tuple(m / scale for m in mult),
    )


def _contradiction(row: _Row) -> bool:
    return all(a == 0 for a in row.coeffs) and (row.rhs < 0 or (row.rhs == 0 and row.strict))


def _pick(lower: list[tuple[Fraction, bool]], upper: list[tuple[Fraction, bool]]) -> Fraction:
    """A value above every lower bound and below every upper bound (strict where marked)."""
    lo = max(lower, key=lambda t: (t[0], t[1]), default=None)
    hi = min(upper, key=lambda t: (t[0], not t[1]), default=None)
    if lo is None and hi is None:
        return ZERO
    if lo is None:
        assert hi is not None
        return hi[0] - 1 if hi[1] else hi[0]
    if hi is None:
        return lo[0] + 1 if lo[1] else lo[0]
    if lo[0] == hi[0]:
        return lo[0]
    return (lo[0] + hi[0]) / 2


def solve_system(system: Sequence[Inequality], dimension: int, max_rows: int = 20000) -> Feasibility | None:
    """Decide {x in Q^dimension : every inequality}; None if ``max_rows`` is exceeded."""
    count = len(system)
    rows = [
        _Row(tuple(q.coeffs), q.rhs, q.strict, tuple(Fraction(int(r == k)) for r in range(count)))
        for k, q in enumerate(system)
    ]
    stages: list[list[_Row]] = []
    for var in range(dimension):
        stages.append(rows)
        pos = [r for r in rows if r.coeffs[var] > 0]
        neg = [r for r in rows if r.coeffs[var] < 0]
        new = [r for r in rows if r.coeffs[var] == 0]
        if len(new) + len(pos) * len(neg) > max_rows:
            return None
        seen = {(r.coeffs, r.rhs, r.strict) for r in new}
        for p in pos:
            for n in neg:
                row = _combine(p, n, var)
                key = (row.coeffs, row.rhs, row.strict)
                if key not in seen:
                    seen.add(key)
                    new.append(row)
        rows = new
        for row in rows:
            if _contradiction(row):
                return Feasibility(False, multipliers=row.mult)
    for row in rows:
        if _contradiction(row):
            return Feasibility(False, multipliers=row.mult)
    x = [ZERO] * dimension
    for var in reversed(range(dimension)):
        lower: list[tuple[Fraction, bool]] = []
        upper: list[tuple[Fraction, bool]] = []
        for row in stages[var]:
            a = row.coeffs[var]
            if a == 0:
                continue
            rest = row.rhs - sum((row.coeffs[k] * x[k] for k in range(var + 1, dimension)), ZERO)
            bound = rest / a
            (upper if a > 0 else lower).append((bound, row.strict))
        x[var] = _pick(lower, upper)
    point = tuple(x)
    assert all(q.holds_at(point) for q in system), "Fourier-Motzkin back-substitution failed"
    return Feasibility(True, point=point)


def verify_infeasibility(system: Sequence[Inequality], multipliers: Sequence[Fraction]) -> bool:
    """Check a Motzkin certificate: y >= 0, sum y_r a_r = 0, and sum y_r b_r < 0 or
    (= 0 with y_r > 0 on a strict row)."""
    if len(multipliers) != len(system) or any(y < 0 for y in multipliers):
        return False
    dimension = len(system[0].coeffs) if system else 0
    total = [
        sum((y * q.coeffs[i] for y, q in zip(multipliers, system, strict=True)), ZERO)
        for i in range(dimension)
    ]
    if any(t != 0 for t in total):
        return False
    rhs = sum((y * q.rhs for y, q in zip(multipliers, system, strict=True)), ZERO)
    return rhs < 0 or (rhs == 0 and any(y > 0 and q.strict for y, q in zip(multipliers, system, strict=True)))
