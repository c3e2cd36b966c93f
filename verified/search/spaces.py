"""The two cell spaces of the search: explicit profiles, or anonymity orbits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from fractions import Fraction
from functools import cache

from verified.assignment.domain import Domain
from verified.assignment.model import Preference, Profile
from verified.search.formulation import CellSpace
from verified.search.symmetry import arrangements, orbit_cells


def explicit_space(
    domain: Domain, base: Callable[[Profile], object], free_profiles: Iterable[int]
) -> CellSpace:
    """Cells (profile index, agent); groups are the free profiles. ``base`` maps a
    profile to a `StochasticAssignment` (called lazily, cached)."""
    problem = domain.problem

    @cache
    def at(p: int) -> tuple[tuple[Fraction, ...], ...]:
        return base(domain.profile(p)).matrix

    strides = [1] * problem.n
    for a in range(problem.n - 2, -1, -1):
        strides[a] = strides[a + 1] * domain.sizes[a + 1]

    @cache
    def digits_of(p: int) -> tuple[int, ...]:
        return domain.digits(p)

    @cache
    def pref(cell: tuple[int, int]) -> Preference:
        return domain.preferences[cell[1]][digits_of(cell[0])[cell[1]]]

    def lie(cell: tuple[int, int], r: Preference) -> tuple[int, int]:
        p, i = cell
        old = digits_of(p)[i]
        return (p + (domain.preference_index(i, r) - old) * strides[i], i)

    groups = [(("profile", p), [((p, i), 1) for i in range(problem.n)]) for p in sorted(set(free_profiles))]
    return CellSpace(
        problem=problem,
        pref=pref,
        lie=lie,
        lies=lambda cell: domain.preferences[cell[1]],
        groups=groups,
        base_row=lambda cell: at(cell[0])[cell[1]],
        weight=lambda cell: 1,
        agents_of=lambda cell: ((cell[1], Fraction(1)),),
    )


def anonymous_space(domain: Domain, base_at: Callable[[tuple[int, ...]], tuple]) -> CellSpace:
    """Cells (own ranking index, sorted others); groups are the multisets of rankings.
    ``base_at(digits)`` gives agent 0's row of f at the profile with those ranking indices."""
    problem = domain.problem
    prefs = domain.preferences[0]
    n = problem.n

    @cache
    def base_row(cell: tuple[int, tuple[int, ...]]) -> tuple[Fraction, ...]:
        r, others = cell
        return base_at((r, *others))

    groups = []
    cells = orbit_cells(domain)
    multisets = sorted({tuple(sorted((r, *o))) for r, o in cells})
    for ms in multisets:
        counts = Counter(ms)
        members = []
        for r, c in sorted(counts.items()):
            rest = list(ms)
            rest.remove(r)
            members.append(((r, tuple(rest)), c))
        groups.append((("multiset", ms), members))
    index = {p: k for k, p in enumerate(prefs)}
    return CellSpace(
        problem=problem,
        pref=lambda cell: prefs[cell[0]],
        lie=lambda cell, r: (index[r], cell[1]),
        lies=lambda cell: prefs,
        groups=groups,
        base_row=base_row,
        weight=lambda cell: n * arrangements(cell[1]),
        agents_of=lambda cell: tuple((i, Fraction(arrangements(cell[1]))) for i in range(n)),
    )
