"""Trading sets in R^I_+ and menus (Valenzuela-Stookey, section 2).

A trading set is a subset of R^I_+ from which the selection rule picks agent
j's bundle. Four shapes, all frozen and exact:

- `PointSet(points)`: finitely many bundles.
- `Ray(origin, direction)`: {origin + y * direction : y >= 0} ∩ R^I_+. With a
  negative entry in the direction it is a segment, ending where the first
  coordinate hits 0 (the single point ``origin`` if such a coordinate of the
  origin is already 0); with direction >= 0 it is unbounded ("monotone").
- `Polytope(vertices)`: the convex hull of finitely many points.
- `RemedialSet(eta)`: the box {x : 0 <= x <= eta}.

Common methods: ``contains(x)``, ``minimize(c)`` / ``maximize(c)`` for the
linear cost c . x (an `Extremum`: exact value and attaining point, or
unbounded with a direction), ``is_bounded``, ``vertices()`` (bounded sets: a
finite set whose convex hull is the hull of the set; for a `PointSet`, the
points themselves), ``linear_description()`` (the closed convex hull as
A x <= b) and ``pieces()`` (convex pieces whose union is the set: a
`PointSet` splits into its points, every other set is one convex piece).

A `Menu` is one agent's tuple of trading sets; `validate_menu` checks that it
holds {eta_j} (the paper requires it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product
from typing import Union

from verified.errors import InvalidInput
from verified.trading.model import LinearDescription, Vector, dot, vector

ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class Extremum:
    """The min or max of c . x over a trading set.

    Bounded: ``value`` and an attaining ``point``. Unbounded (``value`` is
    None): ``point`` is a member of the set and ``direction`` a recession
    direction along which c . x goes to -inf (minimize) or +inf (maximize).
    """

    sense: str  # "min" or "max"
    value: Fraction | None
    point: Vector
    direction: Vector | None = None

    @property
    def bounded(self) -> bool:
        return self.value is not None

    def describe(self) -> dict[str, object]:
        if self.value is None:
            infinite = "-inf" if self.sense == "min" else "+inf"
            return {
                "sense": self.sense,
                "value": infinite,
                "point": list(self.point),
                "direction": list(self.direction or ()),
            }
        return {"sense": self.sense, "value": self.value, "point": list(self.point)}


def _check_point(values: Sequence[object], where: str, dimension: int | None = None) -> Vector:
    v = vector(values, where, dimension)
    if not v:
        raise InvalidInput("a point needs at least one coordinate", where)
    for i, x in enumerate(v):
        if x < 0:
            raise InvalidInput(f"trading sets lie in R^I_+, got {x} < 0", f"{where}[{i}]")
    return v


def _best(points: Sequence[Vector], c: Sequence[Fraction], sense: str) -> Extremum:
    """Lowest (highest) c . x over points; ties go to the first point."""
    best_point, best_value = points[0], dot(c, points[0])
    for p in points[1:]:
        value = dot(c, p)
        if (sense == "min" and value < best_value) or (sense == "max" and value > best_value):
            best_point, best_value = p, value
    return Extremum(sense, best_value, best_point)


def _cost(c: Sequence[object], dimension: int) -> Vector:
    return vector(c, "cost vector", dimension)


def _distinct_points(points: Sequence[Sequence[object]], field: str, empty: str) -> tuple[Vector, ...]:
    """The checked points ``field[k]`` of one dimension, repeats dropped, first-seen order kept.
    ``empty`` is the message for no points (placed at the class, the part of ``field`` before '.')."""
    if isinstance(points, (str, bytes)) or len(points) == 0:
        raise InvalidInput(empty, field.split(".")[0])
    first = _check_point(points[0], f"{field}[0]")
    pts = [first] + [_check_point(p, f"{field}[{k}]", len(first)) for k, p in enumerate(points) if k]
    unique: list[Vector] = []
    for p in pts:
        if p not in unique:
            unique.append(p)
    return tuple(unique)


class _FinitePoints:
    """What `PointSet` and `Polytope` share: a non-empty tuple ``points``, so bounded, and a
    linear cost attains its min / max at one of the points."""

    __slots__ = ()
    points: tuple[Vector, ...]

    @property
    def dimension(self) -> int:
        return len(self.points[0])

    @property
    def is_bounded(self) -> bool:
        return True

    def minimize(self, c: Sequence[object]) -> Extremum:
        return _best(self.points, _cost(c, self.dimension), "min")

    def maximize(self, c: Sequence[object]) -> Extremum:
        return _best(self.points, _cost(c, self.dimension), "max")


def _unit_rows(dimension: int) -> list[tuple[Vector, Fraction]]:
    """-x_i <= 0 for every i (membership in R^I_+)."""
    return [(tuple(Fraction(-int(i == k)) for i in range(dimension)), ZERO) for k in range(dimension)]


# --- exact linear algebra (small dense Fraction matrices) --------------------------------------------


def nullspace(rows: Sequence[Sequence[Fraction]], n: int) -> list[Vector]:
    """A basis of {x in Q^n : r . x = 0 for every row r} (reduced row echelon)."""
    m = [list(map(Fraction, r)) for r in rows]
    pivots: list[int] = []
    r = 0
    for col in range(n):
        pivot = next((k for k in range(r, len(m)) if m[k][col] != 0), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        lead = m[r][col]
        m[r] = [x / lead for x in m[r]]
        for k in range(len(m)):
            if k != r and m[k][col] != 0:
                f = m[k][col]
                m[k] = [a - f * b for a, b in zip(m[k], m[r], strict=True)]
        pivots.append(col)
        r += 1
        if r == len(m):
            break
    basis: list[Vector] = []
    for free in (col for col in range(n) if col not in pivots):
        x = [ZERO] * n
        x[free] = Fraction(1)
        for k, p in enumerate(pivots):
            x[p] = -m[k][free]
        basis.append(tuple(x))
    return basis


def _primitive(v: Sequence[Fraction]) -> Vector:
    """Scale v so that its first non-zero entry is +-1 (canonical direction)."""
    lead = next((x for x in v if x != 0), Fraction(1))
    return tuple(x / abs(lead) for x in v)


# --- the four shapes ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PointSet(_FinitePoints):
    """A finite set of bundles in R^I_+."""

    points: tuple[Vector, ...]

    def __init__(self, points: Sequence[Sequence[object]]) -> None:
        unique = _distinct_points(points, "PointSet.points", "a point set needs at least one point")
        object.__setattr__(self, "points", unique)

    def contains(self, x: Sequence[object]) -> bool:
        return vector(x, "point") in self.points

    def vertices(self) -> tuple[Vector, ...]:
        return self.points

    def pieces(self) -> tuple[PointSet, ...]:
        return tuple(PointSet([p]) for p in self.points)

    def linear_description(self) -> LinearDescription:
        """Of the convex hull (exactly the set when it has one point)."""
        return Polytope(self.points).linear_description()

    def describe(self) -> dict[str, object]:
        return {"shape": "points", "points": [list(p) for p in self.points]}


@dataclass(frozen=True, slots=True)
class Ray:
    """{origin + y * direction : y >= 0} ∩ R^I_+ (a segment if some direction entry is negative)."""

    origin: Vector
    direction: Vector

    def __init__(self, origin: Sequence[object], direction: Sequence[object]) -> None:
        o = _check_point(origin, "Ray.origin")
        d = vector(direction, "Ray.direction", len(o))
        if all(x == 0 for x in d):
            raise InvalidInput("the direction must not be zero", "Ray.direction")
        object.__setattr__(self, "origin", o)
        object.__setattr__(self, "direction", d)

    @property
    def dimension(self) -> int:
        return len(self.origin)

    @property
    def is_monotone(self) -> bool:
        """direction >= 0 or direction <= 0."""
        return all(x >= 0 for x in self.direction) or all(x <= 0 for x in self.direction)

    @property
    def is_non_monotone(self) -> bool:
        """Neither direction >= 0 nor direction <= 0 (the paper's non-monotone rays)."""
        return not self.is_monotone

    @property
    def is_bounded(self) -> bool:
        return any(x < 0 for x in self.direction)

    @property
    def length(self) -> Fraction | None:
        """The largest y keeping origin + y * direction >= 0 (None when unbounded)."""
        ratios = [o / -d for o, d in zip(self.origin, self.direction, strict=True) if d < 0]
        return min(ratios) if ratios else None

    def point_at(self, y: Fraction) -> Vector:
        return tuple(o + y * d for o, d in zip(self.origin, self.direction, strict=True))

    @property
    def endpoint(self) -> Vector | None:
        """The far end of the segment (None when unbounded)."""
        length = self.length
        return None if length is None else self.point_at(length)

    def parameter_of(self, x: Sequence[object]) -> Fraction | None:
        """y with x = origin + y * direction and 0 <= y <= length, or None if x is not in the set."""
        v = vector(x, "point")
        if len(v) != self.dimension:
            return None
        k = next(i for i, d in enumerate(self.direction) if d != 0)
        y = (v[k] - self.origin[k]) / self.direction[k]
        if y < 0 or v != self.point_at(y):
            return None
        length = self.length
        return y if length is None or y <= length else None

    def contains(self, x: Sequence[object]) -> bool:
        return self.parameter_of(x) is not None

    def _extremum(self, c: Sequence[object], sense: str) -> Extremum:
        cv = _cost(c, self.dimension)
        slope = dot(cv, self.direction)
        improving = slope < 0 if sense == "min" else slope > 0
        if not improving:
            return Extremum(sense, dot(cv, self.origin), self.origin)
        length = self.length
        if length is None:
            return Extremum(sense, None, self.origin, self.direction)
        end = self.point_at(length)
        return Extremum(sense, dot(cv, end), end)

    def minimize(self, c: Sequence[object]) -> Extremum:
        return self._extremum(c, "min")

    def maximize(self, c: Sequence[object]) -> Extremum:
        return self._extremum(c, "max")

    def vertices(self) -> tuple[Vector, ...]:
        end = self.endpoint
        if end is None:
            raise InvalidInput("a monotone ray is unbounded and has no finite vertex set", "Ray.vertices")
        return (self.origin,) if end == self.origin else (self.origin, end)

    def pieces(self) -> tuple[Ray]:
        return (self,)

    def linear_description(self) -> LinearDescription:
        """x >= 0, x - origin parallel to direction, (x - origin) . direction >= 0."""
        n, o, d = self.dimension, self.origin, self.direction
        cons: list[tuple[Vector, Fraction]] = _unit_rows(n)
        for w in nullspace([d], n):  # (x - o) orthogonal to every w in direction's complement
            cons.append((w, dot(w, o)))
            cons.append((tuple(-a for a in w), -dot(w, o)))
        cons.append((tuple(-a for a in d), -dot(d, o)))  # d . x >= d . o
        return LinearDescription.make(n, cons)

    def describe(self) -> dict[str, object]:
        return {"shape": "ray", "origin": list(self.origin), "direction": list(self.direction)}


@dataclass(frozen=True, slots=True)
class Polytope(_FinitePoints):
    """The convex hull of finitely many points of R^I_+."""

    points: tuple[Vector, ...]

    def __init__(self, vertices: Sequence[Sequence[object]]) -> None:
        unique = _distinct_points(vertices, "Polytope.vertices", "a polytope needs at least one vertex")
        object.__setattr__(self, "points", unique)

    def vertices(self) -> tuple[Vector, ...]:
        """The generating points (a superset of the extreme points)."""
        return self.points

    def pieces(self) -> tuple[Polytope]:
        return (self,)

    def contains(self, x: Sequence[object]) -> bool:
        v = vector(x, "point")
        return len(v) == self.dimension and self.linear_description().contains(v)

    def linear_description(self) -> LinearDescription:
        """Exact H-description: the affine hull's equations (as two inequalities each) plus
        every facet inequality, found by brute force over subsets of the points."""
        n, base = self.dimension, self.points[0]
        diffs = [tuple(p - b for p, b in zip(q, base, strict=True)) for q in self.points[1:]]
        normals = nullspace(diffs, n)  # the orthogonal complement of the direction space L
        cons: list[tuple[Vector, Fraction]] = []
        for w in normals:
            cons.append((w, dot(w, base)))
            cons.append((tuple(-a for a in w), -dot(w, base)))
        span = nullspace(normals, n)  # a basis of L
        dim = len(span)
        seen: list[tuple[Vector, Fraction]] = []
        for subset in combinations(self.points, dim) if dim else ():
            # a facet normal a lies in L and is orthogonal to the subset's differences
            sub_diffs = [tuple(p - q for p, q in zip(s, subset[0], strict=True)) for s in subset[1:]]
            coeff_rows = [[dot(b, e) for b in span] for e in sub_diffs]
            sol = nullspace(coeff_rows, dim)
            if len(sol) != 1:
                continue
            a = _primitive(
                tuple(sum((t * b[i] for t, b in zip(sol[0], span, strict=True)), ZERO) for i in range(n))
            )
            level = dot(a, subset[0])
            values = [dot(a, p) for p in self.points]
            if all(v <= level for v in values):
                facet = (a, level)
            elif all(v >= level for v in values):
                facet = (tuple(-x for x in a), -level)
            else:
                continue
            if facet not in seen:
                seen.append(facet)
        return LinearDescription.make(n, _unit_rows(n) + cons + seen)

    def describe(self) -> dict[str, object]:
        return {"shape": "polytope", "vertices": [list(p) for p in self.points]}


@dataclass(frozen=True, slots=True)
class RemedialSet:
    """{x : 0 <= x <= eta} (the remedial set of an agent with endowment eta)."""

    eta: Vector

    def __init__(self, eta: Sequence[object]) -> None:
        object.__setattr__(self, "eta", _check_point(eta, "RemedialSet.eta"))

    @property
    def dimension(self) -> int:
        return len(self.eta)

    @property
    def is_bounded(self) -> bool:
        return True

    def contains(self, x: Sequence[object]) -> bool:
        v = vector(x, "point")
        return len(v) == self.dimension and all(0 <= a <= e for a, e in zip(v, self.eta, strict=True))

    def _extremum(self, c: Sequence[object], sense: str) -> Extremum:
        cv = _cost(c, self.dimension)
        take = (lambda ci: ci < 0) if sense == "min" else (lambda ci: ci > 0)
        point = tuple(e if take(ci) else ZERO for ci, e in zip(cv, self.eta, strict=True))
        return Extremum(sense, dot(cv, point), point)

    def minimize(self, c: Sequence[object]) -> Extremum:
        return self._extremum(c, "min")

    def maximize(self, c: Sequence[object]) -> Extremum:
        return self._extremum(c, "max")

    def vertices(self) -> tuple[Vector, ...]:
        choices = [(ZERO,) if e == 0 else (ZERO, e) for e in self.eta]
        return tuple(tuple(p) for p in product(*choices))

    def pieces(self) -> tuple[RemedialSet]:
        return (self,)

    def linear_description(self) -> LinearDescription:
        n = self.dimension
        upper = [(tuple(Fraction(int(i == k)) for i in range(n)), self.eta[k]) for k in range(n)]
        return LinearDescription.make(n, _unit_rows(n) + upper)

    def describe(self) -> dict[str, object]:
        return {"shape": "remedial", "eta": list(self.eta)}


TradingSet = Union[PointSet, Ray, Polytope, RemedialSet]  # noqa: UP007 - a runtime alias
Menu = tuple[TradingSet, ...]
TRADING_SET_TYPES = (PointSet, Ray, Polytope, RemedialSet)


def is_singleton(trading_set: TradingSet, point: Sequence[Fraction]) -> bool:
    """True when the set is exactly {point}."""
    if not trading_set.is_bounded:
        return False
    return all(v == tuple(point) for v in trading_set.vertices())


def validate_menu(menu: Sequence[TradingSet], eta: Sequence[object], where: str = "menu") -> Menu:
    """Check a menu: a non-empty tuple of trading sets of the endowment's dimension, one of
    which equals {eta} (Valenzuela-Stookey, section 2: {eta_j} is always on the menu)."""
    eta_v = _check_point(eta, f"{where} endowment")
    if isinstance(menu, (str, bytes)) or len(menu) == 0:
        raise InvalidInput("a menu needs at least one trading set", where)
    for k, t in enumerate(menu):
        if not isinstance(t, TRADING_SET_TYPES):
            raise InvalidInput(f"expected a trading set, got {type(t).__name__}", f"{where}[{k}]")
        if t.dimension != len(eta_v):
            raise InvalidInput(f"dimension {t.dimension}, expected {len(eta_v)}", f"{where}[{k}]")
    if not any(is_singleton(t, eta_v) for t in menu):
        raise InvalidInput(f"the menu must contain the endowment alone, {{{list(map(str, eta_v))}}}", where)
    return tuple(menu)


def describe_set(trading_set: TradingSet) -> dict[str, object]:
    """JSON-ready description of a trading set (for evidence)."""
    return trading_set.describe()
