"""Anonymous mechanisms stored and checked on orbits (Erdil, section 2, strategy-proofness).

Over a symmetric domain (every agent may report the same k rankings) an anonymous
mechanism is determined by one row per (own ranking, multiset of the others' n - 1
rankings): there are k * C(k + n - 2, n - 1) such orbits instead of n * k^n entries.

Multiset index: the others' ranking positions sorted, a_0 <= a_1 <= ... <= a_{r-1}
(r = n - 1), are numbered by the colex rank sum_j C(a_j + j, j + 1), a bijection onto
0 .. C(k + r - 1, r) - 1 (b_j = a_j + j is a strictly increasing r-subset of
0 .. k + r - 2; the combinatorial number system numbers those).

Strategy-proofness on orbits: agent i's lottery depends only on her report and the
others' multiset, so "truthful vs every misreport at every profile" is exactly "row
(t, M) vs rows (r, M) for every true ranking t, misreport r and multiset M".

At scale (RP with n = 5, m = 4 has 65 x 814,385 orbits; n = 6, m = 4 has 65 x 11.2 M): the
multisets of each size come level by level in colex order with the ranks of their
one-smaller sub-multisets (`multiset_levels`: no sorting, no ranking, no n-multiset
array); a table is stored in the narrowest integer dtype holding its denominator
(`compact_dtype`: int8 for n! = 120), every sum that can exceed one row is formed
upcast; validation and the strategy-proofness check stream over blocks of multisets
(per own ranking for the entries, by largest ranking for the capacities), reporting the
same first violation or witness as a whole-table pass, and the digest is hashed in
chunks.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import comb, lcm
from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.intbounds import (
    fits_int64,
    int_dtype,
    scaled_capacities,
    table_bound,
    table_numerators,
)
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Preference, Problem
from verified.assignment.properties._common import array_digest, prefixes
from verified.assignment.properties.equal_treatment import check_anonymous, profile_numbers
from verified.assignment.properties.strategyproofness import manipulation_evidence
from verified.errors import InvalidInput
from verified.numbers import fraction_text
from verified.results import CheckResult, digest, fails, holds

TypeRows = Callable[[tuple[Preference, ...]], tuple[Mapping[Preference, Sequence[int]], int]]


def multiset_count(k: int, r: int) -> int:
    """Number of multisets of size ``r`` from ``k`` kinds."""
    return comb(k + r - 1, r)


def multiset_rank(sorted_positions: Sequence[int]) -> int:
    """Colex rank of a non-decreasing tuple of positions (module docstring)."""
    return sum(comb(a + j, j + 1) for j, a in enumerate(sorted_positions))


def multiset_unrank(index: int, r: int) -> tuple[int, ...]:
    """Inverse of `multiset_rank` for multisets of size ``r``."""
    out = [0] * r
    for j in range(r - 1, -1, -1):
        b = j
        while comb(b + 1, j + 1) <= index:
            b += 1
        index -= comb(b, j + 1)
        out[j] = b - j
    return tuple(out)


def _rank_rows(sorted_rows: np.ndarray, k: int) -> np.ndarray:
    """Vectorised `multiset_rank` of each row of an (N, r) array of sorted positions."""
    n_rows, r = sorted_rows.shape
    if r == 0:
        return np.zeros(n_rows, dtype=np.int64)
    # Only the terms C(a + j, j + 1) with a < k are ever looked up; each is at most the rank,
    # hence below multiset_count(k, r): int64 when that count fits (`intbounds`), else Python ints.
    table = np.zeros((k + r, r + 1), dtype=int_dtype(multiset_count(k, r)))
    for j in range(r):
        for a in range(k):
            table[a + j, j + 1] = comb(a + j, j + 1)
    shift = np.arange(r, dtype=np.int64)
    return table[sorted_rows + shift, shift + 1].sum(axis=1)


def compact_dtype(bound: int) -> Any:
    """Smallest signed integer dtype holding every integer of absolute value at most ``bound``
    (int8, int16, int32, int64), else ``object`` (Python ints). Storage only: a computation
    that can exceed ``bound`` (a sum over agents, a row sum before validation) upcasts first."""
    for dtype in (np.int8, np.int16, np.int32):
        if abs(int(bound)) <= np.iinfo(dtype).max:
            return dtype
    return int_dtype(bound)


def iter_multiset_levels(k: int, r: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """For every size s = 0 .. r in turn: ``(rows, drop)`` where ``rows`` holds every multiset of
    size s from k kinds as sorted rows in rank (colex) order and ``drop[i, j]`` is the rank,
    among the multisets of size s - 1, of ``rows[i]`` without its entry j.

    Built level by level without sorting or ranking: in colex order the multisets of size s
    are, for t = 0 .. k - 1, the first C(t + s - 1, s - 1) multisets of size s - 1 (those with
    every entry <= t) with t appended; that block starts at rank C(t + s - 1, s). Dropping the
    appended t gives back the row's own index in level s - 1; dropping an earlier entry j gives
    ``drop[., j]`` of level s - 1 shifted by the start C(t + s - 2, s - 1) of block t there.
    Only the level being built and the one before it are held."""
    prev_rows, prev_drop = np.zeros((1, 0), dtype=np.int64), np.zeros((1, 0), dtype=np.int64)
    yield prev_rows, prev_drop
    row_dtype = compact_dtype(k)
    for s in range(1, r + 1):
        size = multiset_count(k, s)
        rows = np.empty((size, s), dtype=row_dtype)
        drop = np.empty((size, s), dtype=compact_dtype(max(multiset_count(k, s - 1), 1 << 16)))
        for t in range(k):
            start, count = comb(t + s - 1, s), comb(t + s - 1, s - 1)
            block = slice(start, start + count)
            rows[block, : s - 1] = prev_rows[:count]
            rows[block, s - 1] = t
            if s > 1:
                drop[block, : s - 1] = prev_drop[:count] + comb(t + s - 2, s - 1)
            drop[block, s - 1] = np.arange(count)
        prev_rows, prev_drop = rows, drop
        del rows, drop
        yield prev_rows, prev_drop


def multiset_levels(k: int, r: int, keep: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
    """`iter_multiset_levels` as a list (with ``keep=False``: only level r)."""
    if keep:
        return list(iter_multiset_levels(k, r))
    *_, last = iter_multiset_levels(k, r)
    return [last]


def all_multisets(k: int, r: int) -> np.ndarray:
    """Every multiset of size ``r`` from ``k`` kinds, as sorted rows, in rank order."""
    return multiset_levels(k, r, keep=False)[-1][0].astype(np.int64)


def _others_ranks(full: np.ndarray, k: int) -> np.ndarray:
    """For each n-multiset row and each position j, the rank of the row without entry j."""
    n = full.shape[1]
    return np.stack([_rank_rows(np.delete(full, j, axis=1), k) for j in range(n)], axis=1)


def _renamings(problem: Problem, rankings: Sequence[Preference]) -> list[tuple[int, ...]]:
    """Renamings sigma of the objects (identity first) that keep capacities and map the
    set of ``rankings`` onto itself."""
    known = set(rankings)
    out = []
    for sigma in itertools.permutations(range(problem.m)):
        if any(problem.capacities[sigma[x]] != problem.capacities[x] for x in range(problem.m)):
            continue
        if all(tuple(problem.objects[sigma[problem.object_index(x)]] for x in r) in known for r in rankings):
            out.append(sigma)
    return out


def _renaming_maps(
    problem: Problem, rankings: Sequence[Preference], renamings: Sequence[tuple[int, ...]]
) -> tuple[np.ndarray, np.ndarray]:
    """Per renaming: the position of each renamed ranking, and the column map x -> sigma(x)
    (the outside option fixed)."""
    pos = {r: a for a, r in enumerate(rankings)}
    rank_maps = np.array(
        [
            [pos[tuple(problem.objects[s[problem.object_index(x)]] for x in r)] for r in rankings]
            for s in renamings
        ],
        dtype=np.int64,
    )
    column_maps = np.array([[*s, problem.m] for s in renamings], dtype=np.int64)
    return rank_maps, column_maps


def _canonical(full: np.ndarray, k: int, rank_maps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each multiset row: the smallest rank among its renamings, and which renaming."""
    best_rank = _rank_rows(np.sort(rank_maps[0][full], axis=1), k)
    best = np.zeros(len(full), dtype=np.int64)
    for g in range(1, len(rank_maps)):
        rank = _rank_rows(np.sort(rank_maps[g][full], axis=1), k)
        better = rank < best_rank
        best_rank = np.where(better, rank, best_rank)
        best[better] = g
    return best_rank, best


@dataclass(frozen=True, eq=False)
class OrbitFactors:
    """An orbit table given by factors: ``numerators[t, M, c]`` is the sum of ``weights[M, w]``
    over the w with ``best[t, w] == c``. For random priority w is a set of objects left when
    the agent moves, ``weights[M, w]`` the number of orders in which it is left while the others
    report the multiset M, and ``best[t, w]`` the column ranking t then takes
    (`verified.assignment.mechanisms.random_priority.rp_orbit_weights`): 16 weights per
    multiset instead of 65 x 5 entries for m = 4.

    ``weights`` is a fixed-width integer array whose dtype holds the denominator (entries are
    sums of non-negative weights of one row, so at most the row sum); ``best`` holds columns."""

    weights: np.ndarray = field(repr=False)
    best: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        w, b = self.weights, self.best
        if not (isinstance(w, np.ndarray) and w.ndim == 2 and w.dtype.kind == "i"):
            raise InvalidInput("orbit weights must be a 2-d fixed-width integer array", "orbit table")
        columns_ok = isinstance(b, np.ndarray) and b.ndim == 2 and b.dtype.kind == "i"
        if not columns_ok or b.shape[1] != w.shape[1]:
            raise InvalidInput("orbit columns must be an integer array, one per weight", "orbit table")
        groups = []  # per ranking, per column: the weights summed into it
        for cols in b.tolist():
            top = max(cols, default=0)
            groups.append([tuple(x for x, c in enumerate(cols) if c == col) for col in range(top + 1)])
        object.__setattr__(self, "_groups", groups)

    def part(self, ts: slice, ms: slice, width: int, dtype: Any) -> np.ndarray:
        """``numerators[ts, ms, :width]`` computed from the factors (a new array)."""
        w = self.weights[ms]
        columns = np.ascontiguousarray(w.T)  # one row per weight
        own = range(*ts.indices(self.best.shape[0]))
        out = np.zeros((len(own), len(w), width), dtype=dtype)
        summed: dict[tuple[int, ...], np.ndarray] = {}
        for i, t in enumerate(own):
            for c, group in enumerate(self._groups[t][:width]):  # type: ignore[attr-defined]
                if not group:
                    continue
                found = summed.get(group)
                if found is None:
                    found = summed[group] = columns[list(group)].sum(axis=0, dtype=dtype)
                out[i, :, c] = found
        return out


@dataclass(frozen=True, eq=False)
class OrbitTable:
    """An anonymous mechanism over the symmetric domain where everyone may report ``rankings``.

    ``numerators[t, M, c] / denominator`` is the probability of column c for an agent who
    reports ``rankings[t]`` while the others' reports form the multiset number M.
    Validated on construction: entries in [0, 1], rows sum to 1, and at every multiset
    profile the column sums (with multiplicity) are at most the capacities.

    ``numerators`` may also be given as `OrbitFactors` (the RP DP does): the table is then
    validated and checked block by block from the factors, and the ``numerators`` array is
    only built when first read (e.g. to write a certificate holding the whole table)."""

    problem: Problem
    rankings: tuple[Preference, ...]
    numerators: np.ndarray = field(repr=False)
    denominator: int
    name: str = "orbit table"
    anonymity: str = "by construction (rows per multiset)"

    def __post_init__(self) -> None:
        p, k = self.problem, len(self.rankings)
        Domain(p, tuple(self.rankings for _ in p.agents))  # validates the rankings
        expected = (k, multiset_count(k, p.n - 1), p.m + 1)
        if isinstance(self.numerators, OrbitFactors) and self._factored(self.numerators, expected):
            return
        if not isinstance(self.numerators, np.ndarray) or self.numerators.dtype.kind not in "iuO":
            raise InvalidInput("numerators must be an integer numpy array", "orbit table")
        if self.numerators.shape != expected:
            raise InvalidInput(
                f"orbit table has shape {self.numerators.shape}, expected {expected}", "orbit table"
            )
        if (
            isinstance(self.denominator, bool)
            or not isinstance(self.denominator, int)
            or self.denominator < 1
        ):
            raise InvalidInput(
                f"denominator must be a positive integer, got {self.denominator!r}", "orbit table"
            )
        raw, den = self.numerators, self.denominator
        bound = table_bound(den, p.n, p.m)
        if raw.dtype.kind == "i" and fits_int64(bound):
            nums = raw  # fixed width, every sum beyond one row is formed upcast (`_validate`)
        else:
            nums = table_numerators(raw, bound, "orbit table")  # Python ints, or int64
        self._check_entries(nums)
        if fits_int64(bound) and nums.dtype != compact_dtype(den):
            # Entries are in [0, den] now, so the narrowest dtype holding den holds them and
            # every partial sum of one row (at most den): the table is stored compactly.
            nums = nums.astype(compact_dtype(den))
        object.__setattr__(self, "numerators", nums)
        nums.flags.writeable = False
        self._validate()

    def _factored(self, factors: OrbitFactors, expected: tuple[int, int, int]) -> bool:
        """Keep ``factors`` unexpanded if they are well formed and every row they give is valid
        (weights >= 0 and summing to the denominator per multiset, columns in range: then
        every entry is in [0, den]); then check capacities block by block. False (expand and
        validate as a table, which reports the first bad entry) otherwise."""
        den, (k, count, width) = self.denominator, expected
        w, b = factors.weights, factors.best
        if (
            isinstance(den, bool)
            or not isinstance(den, int)
            or den < 1
            or not fits_int64(table_bound(den, self.problem.n, self.problem.m))
            or w.dtype != compact_dtype(den)
            or w.shape[0] != count
            or b.shape[0] != k
            or not ((b >= 0) & (b < width)).all()
        ):
            raise InvalidInput("orbit factors do not fit the table", "orbit table")
        step = 1 << 20
        wide = object if w.dtype == np.int64 else np.int64  # a sum of W weights: past int64?
        for start in range(0, count, step):
            part = w[start : start + step]
            if (part < 0).any() or (part.sum(axis=1, dtype=wide) != den).any():
                nums = np.empty(expected, dtype=np.int64)
                for begin in range(0, count, step):
                    ms = slice(begin, begin + step)
                    nums[:, ms] = factors.part(slice(None), ms, width, np.int64)
                object.__setattr__(self, "numerators", nums)
                return False
        object.__setattr__(self, "_factors", factors)
        object.__delattr__(self, "numerators")  # built on first read (`__getattr__`)
        self._validate_capacities()
        return True

    def __getattr__(self, name: str) -> Any:
        factors = self.__dict__.get("_factors")
        if name != "numerators" or factors is None:
            raise AttributeError(name)
        k, n, m = len(self.rankings), self.problem.n, self.problem.m
        count = multiset_count(k, n - 1)
        nums = np.empty((k, count, m + 1), dtype=factors.weights.dtype)
        step = max(1, (1 << 22) // (k * (m + 1)))
        for start in range(0, count, step):
            part = slice(start, start + step)
            nums[:, part] = factors.part(slice(None), part, m + 1, nums.dtype)
        nums.flags.writeable = False
        object.__setattr__(self, "numerators", nums)
        return nums

    def part(self, ts: slice, ms: slice, width: int | None = None) -> np.ndarray:
        """``numerators[ts, ms, :width]`` (own rankings ``ts``, others' multisets ``ms``, the first
        ``width`` columns, default all), from the factors while the table has not been built."""
        factors = self.__dict__.get("_factors")
        if factors is None or "numerators" in self.__dict__:
            return self.numerators[ts, ms, :width]
        return factors.part(ts, ms, self.problem.m + 1 if width is None else width, factors.weights.dtype)

    def digest(self) -> str:
        """`array_digest` of the numerators (streamed from the factors when not built)."""
        factors = self.__dict__.get("_factors")
        if factors is None or "numerators" in self.__dict__:
            return array_digest(self.numerators, self.denominator)
        k, n, m = len(self.rankings), self.problem.n, self.problem.m
        count = multiset_count(k, n - 1)
        sha = hashlib.sha256()  # the "int64-big-endian" encoding of `array_digest` (den < 2**63)
        step = max(1, (1 << 20) // (m + 1))
        for t in range(k):
            for start in range(0, count, step):
                sha.update(self.part(slice(t, t + 1), slice(start, start + step)).astype(">i8").tobytes())
        return digest(
            {
                "denominator": int(self.denominator),
                "shape": [k, count, m + 1],
                "encoding": "int64-big-endian",
                "numerators_sha256": sha.hexdigest(),
            }
        )

    def _where(self, t: int, others: int) -> str:
        rest = [list(self.rankings[a]) for a in multiset_unrank(others, self.problem.n - 1)]
        return f"orbit table row (own ranking {list(self.rankings[t])}, others {rest})"

    def _check_entries(self, nums: np.ndarray) -> None:
        """Every entry in [0, den], one own ranking at a time (no table-sized temporaries)."""
        den = self.denominator
        for t in range(nums.shape[0]):
            block = nums[t]
            high = den if block.dtype == object or den <= np.iinfo(block.dtype).max else None
            bad = np.argwhere((block < 0) | (block > high)) if high is not None else np.argwhere(block < 0)
            if len(bad):
                o, c = (int(v) for v in bad[0])
                value = fraction_text(Fraction(int(nums[t, o, c]), den))
                raise InvalidInput(
                    f"probability {value} is outside [0, 1]",
                    f"{self._where(t, o)}[{self.problem.columns[c]!r}]",
                )

    def _validate(self) -> None:
        """Rows sum to the denominator; at every multiset profile the columns (with
        multiplicity) are within capacity. Both streamed: rows one own ranking at a time, and
        the n-agent multiset profiles P = M + [t] by their largest ranking t (M an (n - 1)-
        multiset with entries <= t), in rank order, so the first violation reported is the
        same as when the whole table is scanned at once."""
        nums, den = self.numerators, self.denominator
        for t in range(nums.shape[0]):
            sums = nums[t].sum(axis=1, dtype=None if nums.dtype == object else np.int64)  # <= (m+1) den
            bad = np.flatnonzero(sums != den)
            if len(bad):
                o = int(bad[0])
                value = fraction_text(Fraction(int(sums[o]), den))
                raise InvalidInput(f"row sums to {value}, not 1", self._where(t, o))
        self._validate_capacities()

    def _validate_capacities(self) -> None:
        """At every multiset profile P = M + [t] (t its largest ranking, M with entries <= t, in
        rank order): agent t's row (t, M) plus, for each entry M_j, the row (M_j, M - M_j + [t]).
        Those (n - 1)-multisets all lie in block t (largest entry t), read once per t."""
        p, den = self.problem, self.denominator
        k, n = len(self.rankings), p.n
        rows, drop = multiset_levels(k, n - 1, keep=False)[-1]
        caps = scaled_capacities(p.capacities, den)  # q * den: int64 only if it fits
        sample = self.part(slice(0, 1), slice(0, 1))
        wide = object if sample.dtype == object else np.int64  # a column sum is at most n * den
        step = max(1, (1 << 21) // max(1, n * (p.m + 1)))
        for t in range(k):
            shift = comb(t + n - 2, n - 1) if n > 1 else 0  # start of block t among the multisets
            size = comb(t + n - 2, n - 2) if n > 1 else 1
            block = self.part(slice(0, t + 1), slice(shift, shift + size), p.m)  # objects only
            for start in range(0, comb(t + n - 1, n - 1), step):
                part = slice(start, min(start + step, comb(t + n - 1, n - 1)))
                columns = self.part(slice(t, t + 1), part, p.m)[0].astype(wide)
                for j in range(n - 1):
                    columns += block[rows[part, j], drop[part, j]]
                bad = np.argwhere(columns > caps)
                if len(bad):
                    q, c = (int(v) for v in bad[0])
                    prof = [list(self.rankings[a]) for a in [*rows[part.start + q].tolist(), t]]
                    value = fraction_text(Fraction(int(columns[q, c]), den))
                    raise InvalidInput(
                        f"column {p.objects[c]!r} sums to {value}, more than its capacity {p.capacities[c]}",
                        f"orbit table at the multiset profile {prof}",
                    )

    @property
    def domain(self) -> Domain:
        return Domain(self.problem, tuple(self.rankings for _ in self.problem.agents))

    def row(self, own: Preference, others: Sequence[Preference]) -> tuple[Fraction, ...]:
        """Exact row of an agent reporting ``own`` against the others' reports."""
        pos = {r: a for a, r in enumerate(self.rankings)}
        t = pos[tuple(own)]
        index = multiset_rank(sorted(pos[tuple(o)] for o in others))
        row = self.part(slice(t, t + 1), slice(index, index + 1))[0, 0]
        return tuple(Fraction(int(v), self.denominator) for v in row)

    @classmethod
    def from_type_rows(
        cls,
        problem: Problem,
        rankings: Sequence[Preference],
        type_rows: TypeRows,
        name: str = "orbit table",
        anonymity: str = "by construction (rows per multiset)",
        neutral: bool = False,
    ) -> OrbitTable:
        """Build from ``type_rows(multiset) -> ({ranking: numerators}, denominator)``, called
        once per multiset profile (n rankings sorted by position in ``rankings``), e.g.
        `verified.assignment.mechanisms.random_priority.rp_type_rows`.

        With ``neutral=True`` the caller asserts that ``type_rows`` commutes with renaming
        objects of equal capacity (true of random priority: serial dictatorships only see
        rankings and capacities). ``type_rows`` is then called once per class of multiset
        profiles under the renamings that map ``rankings`` onto itself, and the other
        members' rows are the representative's rows with columns renamed back."""
        rankings = tuple(tuple(r) for r in rankings)
        k, n, m = len(rankings), problem.n, problem.m
        full = all_multisets(k, n)
        renamings = _renamings(problem, rankings) if neutral else [tuple(range(m))]
        rank_maps, column_maps = _renaming_maps(problem, rankings, renamings)
        best_rank, best = _canonical(full, k, rank_maps)
        reps = np.unique(best_rank)
        values: list[Sequence[int]] = []
        dens: list[int] = []
        den = 1
        for positions in full[reps].tolist():
            rows, d = type_rows(tuple(rankings[a] for a in positions))
            den = lcm(den, d)
            values.extend(rows[rankings[a]] for a in positions)
            dens.append(d)
        dtype: Any = int_dtype(table_bound(den, n, m))  # entries and their products den // d * v <= den
        canon = np.array(values, dtype=dtype).reshape(len(reps), n, m + 1)
        canon = canon * (den // np.array(dens, dtype=dtype))[:, None, None]
        nums = np.zeros((k, multiset_count(k, n - 1), m + 1), dtype=dtype)
        others = _others_ranks(full, k)
        for start in range(0, len(full), 1 << 17):
            part = slice(start, start + (1 << 17))
            g = best[part]
            mapped = rank_maps[g[:, None], full[part]]  # renamed ranking at each position
            sorted_canon = full[best_rank[part]]
            pos = np.stack([np.argmax(sorted_canon == mapped[:, [j]], axis=1) for j in range(n)], axis=1)
            rows = canon[np.searchsorted(reps, best_rank[part])[:, None], pos]
            rows = np.take_along_axis(rows, column_maps[g][:, None, :], axis=2)
            nums[full[part], others[part]] = rows
        return cls(problem, rankings, nums, den, name, anonymity)

    @classmethod
    def from_tabulated(cls, table: TabulatedMechanism) -> OrbitTable:
        """Certify the table's anonymity exhaustively (`check_anonymous`), then keep agent 0's
        rows with the others sorted. Raises `InvalidInput` with the witness if not anonymous."""
        verdict = check_anonymous(table)
        if not verdict.holds:
            raise InvalidInput(
                "sp-anonymous checks anonymous mechanisms on orbits, and this one is not anonymous: "
                f"{_mismatch_words(table.problem, verdict.evidence)}; check `sp` instead",
                "orbit table",
            )
        problem, domain = table.problem, table.domain
        k, n = domain.sizes[0], problem.n
        others = all_multisets(k, n - 1)
        # agent 0 reports ranking t, the others the multiset, all as positions in agent 0's list;
        # each agent's own list may order the same rankings differently (`profile_numbers`)
        own = np.repeat(np.arange(k), len(others))[:, None]
        positions = np.concatenate([own, np.tile(others, (k, 1))], axis=1)
        index = profile_numbers(domain, positions, [0] * n).reshape(k, len(others))
        nums = np.asarray(table.numerators)[index, 0]
        return cls(
            problem, domain.preferences[0], nums, table.denominator, table.name, "certified exhaustively"
        )

    def to_tabulated(self) -> TabulatedMechanism:
        """The full table over the symmetric domain (for cross-checks; k^n profiles)."""
        domain, k, n = self.domain, len(self.rankings), self.problem.n
        digits = np.indices(domain.sizes).reshape(n, -1).T
        nums = np.empty((len(domain), n, self.problem.m + 1), dtype=self.numerators.dtype)
        for i in range(n):
            rest = np.sort(np.delete(digits, i, axis=1), axis=1)
            nums[:, i] = self.numerators[digits[:, i], _rank_rows(rest, k)]
        return TabulatedMechanism(domain, nums, self.denominator, self.name)


def _find_manipulation(orbits: OrbitTable) -> tuple[int, tuple[int, ...], int, int] | None:
    """`find_manipulation` on the orbit table (reported ranking along axis 0, the others'
    multiset as the rest index), streamed over blocks of multisets: the same answer (first t,
    then prefix, then multiset; the first misreport attaining the largest probability of that
    prefix) without one table-sized array per prefix.

    The prefix sums of a block are formed in the table's own dtype: it holds the denominator
    (`OrbitTable` stores the narrowest such dtype), which bounds every sum of entries of one
    validated row."""
    p = orbits.problem
    k = len(orbits.rankings)
    count = multiset_count(k, p.n - 1)
    full = tuple(range(p.m + 1))
    members: dict[tuple[int, ...], list[tuple[int, int]]] = {}  # prefix set -> (t, prefix number)
    for t, pref in enumerate(orbits.rankings):
        for number, cols in enumerate(prefixes(p, pref)):
            key = tuple(sorted(cols))
            if key != full:
                members.setdefault(key, []).append((t, number))
    owners = {key: np.array([t for t, _ in found], dtype=np.int64) for key, found in members.items()}
    first: dict[tuple[int, int], int] = {}  # (t, prefix number) -> first short multiset
    step = max(1, (1 << 20) // max(1, k * (p.m + 1)))
    for start in range(0, count, step):
        block = orbits.part(slice(None), slice(start, start + step))
        sums: dict[tuple[int, ...], np.ndarray] = {}

        def subset_sum(key: tuple[int, ...], block: np.ndarray = block, sums: dict = sums) -> np.ndarray:
            found = sums.get(key)
            if found is None:
                found = block[:, :, key[0]] if len(key) == 1 else subset_sum(key[:-1]) + block[:, :, key[-1]]
                sums[key] = found
            return found

        for key, who in members.items():
            values = subset_sum(key)
            short = values[owners[key]] < values.max(axis=0)
            for row in np.flatnonzero(short.any(axis=1)).tolist():
                first.setdefault(who[row], start + int(np.argmax(short[row])))
    if not first:
        return None
    t, number = min(first)
    rest = first[t, number]
    cols = prefixes(p, orbits.rankings[t])[number]
    rows = orbits.part(slice(None), slice(rest, rest + 1))[:, 0]
    column = [sum(int(v) for v in rows[r, list(cols)].tolist()) for r in range(k)]
    return t, cols, rest, column.index(max(column))


def check_strategyproof_anonymous(orbits: OrbitTable) -> CheckResult:
    """SD-strategy-proofness (Erdil, section 2) of an anonymous mechanism, on its orbits.

    FAILS evidence ``manipulation`` (as `check_strategyproof`) at the profile where agent
    ``problem.agents[0]`` holds the true ranking and the others hold the multiset in
    sorted order. HOLDS evidence ``exhaustive_orbits``: how anonymity is known, the
    rankings, the orbit table digest (`_common.array_digest`), denominator, number of
    orbits and of (true ranking, misreport, multiset) comparisons, and the number of
    profiles this covers (k^n)."""
    start = time.perf_counter()
    p, k = orbits.problem, len(orbits.rankings)
    found = _find_manipulation(orbits)
    if found is not None:
        t, cols, rest, r = found
        others = [orbits.rankings[a] for a in multiset_unrank(rest, p.n - 1)]
        prof = (orbits.rankings[t], *others)
        at = orbits.part(slice(None), slice(rest, rest + 1))[:, 0]
        row_t = tuple(Fraction(int(v), orbits.denominator) for v in at[t])
        row_r = tuple(Fraction(int(v), orbits.denominator) for v in at[r])
        evidence = manipulation_evidence(p, prof, 0, orbits.rankings[r], cols, row_t, row_r)
        return fails("strategyproof", {**evidence, "anonymity": orbits.anonymity})
    count = multiset_count(k, p.n - 1)
    evidence: dict[str, Any] = {
        "kind": "exhaustive_orbits",
        "mechanism": orbits.name,
        "anonymity": orbits.anonymity,
        "agents": list(p.agents),
        "objects": list(p.objects),
        "capacities": list(p.capacities),
        "rankings": [list(r) for r in orbits.rankings],
        "multiset_index": "colex: sum_j C(a_j + j, j + 1) over the sorted positions a_0 <= a_1 <= ...",
        "denominator": orbits.denominator,
        "orbit_table_digest": orbits.digest(),
        "orbits": k * count,
        "comparisons": k * (k - 1) * count,
        "profiles_covered": k**p.n,
    }
    return holds("strategyproof", evidence, seconds=round(time.perf_counter() - start, 3))


def is_strategyproof_anonymous(orbits: OrbitTable) -> bool:
    return check_strategyproof_anonymous(orbits).holds


def rp_orbit_table(problem: Problem, rankings: Sequence[Preference] | None = None) -> OrbitTable:
    """Random priority on orbits (default rankings: the full domain), from the vectorised
    availability recursion `verified.assignment.mechanisms.random_priority.rp_orbit_weights`
    (tested equal, entry for entry, to one `rp_type_rows` call per multiset profile through
    `OrbitTable.from_type_rows`)."""
    from verified.assignment.domain import all_preferences
    from verified.assignment.mechanisms.random_priority import rp_orbit_weights

    chosen = all_preferences(problem.objects) if rankings is None else tuple(tuple(r) for r in rankings)
    Domain(problem, tuple(chosen for _ in problem.agents))  # validates the rankings first
    weights, best, den = rp_orbit_weights(problem, chosen)
    factors = OrbitFactors(weights, best)
    return OrbitTable(problem, chosen, factors, den, "random priority", "by construction (type DP)")  # type: ignore[arg-type]


__all__ = [
    "OrbitFactors",
    "OrbitTable",
    "all_multisets",
    "compact_dtype",
    "check_strategyproof_anonymous",
    "is_strategyproof_anonymous",
    "multiset_count",
    "iter_multiset_levels",
    "multiset_levels",
    "multiset_rank",
    "multiset_unrank",
    "rp_orbit_table",
]


def _ranking_words(ranking: Sequence[str]) -> str:
    return " > ".join(map(str, ranking)) if ranking else "(none)"


def _profile_words(problem: Problem, profile: Sequence[Sequence[str]]) -> str:
    """``agent: ranking`` for every agent, in order."""
    return "; ".join(f"{a}: {_ranking_words(r)}" for a, r in zip(problem.agents, profile, strict=True))


def _row_words(row: Mapping[str, object]) -> str:
    return ", ".join(f"{x} {p}" for x, p in row.items() if p not in ("0", 0)) or "nothing"


def _mismatch_words(problem: Problem, ev: Mapping[str, Any]) -> str:
    """A ``permutation_mismatch`` (`check_anonymous`) in words, each row with the agent who gets
    it and the profile where: agent pi(i) gets ``original_row`` at R, and agent i, who reports
    R_pi(i) at R o pi ((R o pi)_j = R_pi(j)), gets ``permuted_row`` there."""
    pi = ev["permutation"]
    i = problem.agents.index(ev["agent"])
    moved = problem.agents[pi[i]]
    return (
        f"at the profile ({_profile_words(problem, ev['profile'])}) agent {moved} gets "
        f"{_row_words(ev['original_row'])}, but at the profile "
        f"({_profile_words(problem, ev['permuted_profile'])}), the same reports with the agents "
        f"permuted by {pi}, agent {ev['agent']}, who now reports agent {moved}'s ranking "
        f"{_ranking_words(ev['profile'][pi[i]])}, gets {_row_words(ev['permuted_row'])}"
    )
