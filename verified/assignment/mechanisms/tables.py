"""Whole-domain tables of the built-in mechanisms, fast and exact (`tabulate_builtin`).

The slow path, `verified.assignment.mechanism.tabulate`, calls a mechanism once per profile
and builds a `Fraction` for every entry. Here every built-in is tabulated over a whole
`Domain` with integer arithmetic only, and the result is the SAME `TabulatedMechanism`:
the integer counts over the natural denominator D (1 for deterministic mechanisms, n! for
the random orders, the number of distinct endowments for TTC, lcm(1..n)^m for probabilistic
serial) are divided by g = gcd(D, every count), which gives exactly the slow path's common
denominator (the lcm of the reduced denominators of all entries is D / g), and the same
array dtype (int64 when `intbounds.table_bound` fits, else Python ints). Tested equal entry
for entry to the slow path (tests/assignment/test_builtin_tables.py).

How each built-in is computed:

* serial dictatorship, Boston, deferred acceptance: one vectorised pass of the deterministic
  procedure over all profiles (`_vectorised`), in blocks of `BLOCK` profiles.
* anonymous lotteries on a symmetric domain (every agent has the same k rankings): random
  Boston (a uniform order), random priority, probabilistic serial, TTC from a random
  endowment with single copies (the procedure never looks at agent order, and relabelling
  the agents maps the uniform endowment to itself), RDA with every agent tied for every
  object (one uniform order used by every object). Relabelling the agents permutes their
  rows, so the lottery is computed once per MULTISET of rankings (C(k + n - 1, n) of them
  instead of k^n profiles: 15,504 instead of 1,048,576 at n = 5, m = 3), and every profile
  takes agent i's row at the position of her ranking in the sorted profile (`_anonymous`:
  a sorting network, the colex rank of the multiset, one gather).
* RDA with weak priorities: one deferred acceptance per tie-breaking draw (orders inducing
  the same strict priorities counted once, with their multiplicity), each as an AUTOMATON
  over the agents (`_da_states`): DA may add the agents one at a time (McVitie-Wilson), and
  after agents 0..k-1 the rest depends only on who holds what and the part of each holder's
  ranking below it, a few thousand states instead of k^n prefixes.
* other lotteries (restricted non-symmetric domains, TTC with several copies): one pass of
  the deterministic procedure per draw, counts accumulated exactly in packed unsigned words
  (`_Counts`: one lane of 8, 16 or 32 bits per column, wider than the number of draws).
* random priority on a non-symmetric domain: `tabulate_random_priority` (type DP per
  multiset), normalised.
* random assignment (Erdil's RA): the same row for every agent at every profile (it ignores
  the reports), one broadcast of `random_assignment_counts` over max(n, Q).
* probabilistic serial: the eating algorithm in integer units of 1 / lcm(1..n)^m (every
  breakpoint is such a multiple: step k divides quantities with denominator lcm(1..n)^(k-1)
  by at most n eaters, and there are at most m steps), once per multiset of rankings.
"""

from __future__ import annotations

import inspect
import itertools
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from math import comb, factorial, gcd, lcm
from typing import Any

import numpy as np

from verified.assignment.domain import Domain, all_preferences
from verified.assignment.intbounds import fits_int64, int_array, table_bound
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.mechanisms import _vectorised as vec
from verified.assignment.mechanisms._common import MAX_ENUMERATED_AGENTS, agent_order
from verified.assignment.mechanisms.boston import boston, random_boston
from verified.assignment.mechanisms.deferred_acceptance import deferred_acceptance, strict_ranks
from verified.assignment.mechanisms.probabilistic_serial import eating, probabilistic_serial
from verified.assignment.mechanisms.random_assignment import random_assignment, random_assignment_counts
from verified.assignment.mechanisms.random_deferred_acceptance import random_deferred_acceptance
from verified.assignment.mechanisms.random_priority import (
    random_priority,
    rp_type_rows,
    tabulate_random_priority,
)
from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
from verified.assignment.mechanisms.top_trading_cycles import dealings, top_trading_cycles
from verified.assignment.model import Problem
from verified.errors import InvalidInput

#: Profiles per vectorised block (small enough for the working arrays to stay in cache).
BLOCK = 1 << 15

Kernel = Callable[[vec.Block, Any], np.ndarray]  # (block, draw) -> outcomes (profiles, n)
Tables = Sequence[tuple[np.ndarray, np.ndarray]]


def _run(tables: Tables, digits: np.ndarray, kernel: Kernel, draw: Any) -> np.ndarray:
    """``kernel`` for ``draw`` at the profiles whose ranking numbers are the rows of ``digits``
    (agents 0 .. digits.shape[1] - 1 of ``tables``), block by block: (rows, agents) int8."""
    out = np.empty(digits.shape, dtype=np.int8)
    for start in range(0, len(digits), BLOCK):
        stop = min(start + BLOCK, len(digits))
        out[start:stop] = kernel(vec.make_block(tables, digits[start:stop]), draw)
    return out


def _outcomes(domain: Domain, kernel: Kernel, draw: Any) -> np.ndarray:
    """The deterministic outcome of ``kernel`` for ``draw`` at every profile, block by block."""
    tables = vec.ranking_tables(domain)
    out = np.empty((len(domain), domain.problem.n), dtype=np.int8)
    for start in range(0, len(domain), BLOCK):
        stop = min(start + BLOCK, len(domain))
        block = vec.make_block(tables, vec.profile_digits(domain, start, stop))
        out[start:stop] = kernel(block, draw)
    return out


class _Counts:
    """Integer counts per (profile, agent, column), at most ``total`` each, accumulated as one
    ``(profiles, n)`` array of packed words.

    Packed: column c of an agent lives in lane c (bits [c w, (c + 1) w)) of one unsigned word,
    w = 8, 16 or 32, the smallest lane width with ``total`` < 2**w; since every count is at
    most ``total``, adding packed values never carries out of a lane (unsigned words: no
    sign bit either). uint32 when (m + 1) w <= 32, uint64 when <= 64; otherwise (more
    columns) one int64 array per column, unpacked."""

    def __init__(self, size: int, n: int, m: int, total: int) -> None:
        self.n, self.m = n, m
        width = next((w for w in (8, 16, 32) if total < 1 << w), 64)
        bits = width * (m + 1)
        self.packed = bits <= 64
        if self.packed:
            self.width = width
            self.dtype: Any = np.uint32 if bits <= 32 else np.uint64
            self.lane: Any = {8: np.uint8, 16: np.uint16, 32: np.uint32}[width]
            self.acc = np.zeros((size, n), dtype=self.dtype)
            self.unit = np.array([1 << (width * c) for c in range(m + 1)], dtype=self.dtype)
        else:
            self.columns = [np.zeros((size, n), dtype=np.int64) for _ in range(m + 1)]

    def encode(self, outcomes: np.ndarray) -> np.ndarray:
        """(rows, n): the packed unit of every agent's column (packed), else the column."""
        cols = np.where(outcomes < 0, self.m, outcomes).astype(np.intp)
        return self.unit[cols] if self.packed else cols

    def add(self, encoded: np.ndarray, weight: int) -> None:
        """Add ``weight`` times the encoded outcomes (rows = every profile, in order)."""
        if self.packed:
            self.acc += encoded if weight == 1 else encoded * self.dtype(weight)
        else:
            for c in range(self.m + 1):
                self.columns[c] += (encoded == c) * weight

    def numerators(self) -> np.ndarray:
        """(profiles, n, m + 1) int64."""
        if not self.packed:
            return np.stack(self.columns, axis=2)
        size = len(self.acc)
        if sys.byteorder == "little":  # lane c is the c-th lane of the word in memory
            lanes = self.acc.view(self.lane).reshape(size, self.n, -1)
            return lanes[:, :, : self.m + 1].astype(np.int64)
        shifts = np.arange(0, self.width * (self.m + 1), self.width, dtype=self.dtype)
        mask = self.dtype((1 << self.width) - 1)
        return ((self.acc[:, :, np.newaxis] >> shifts) & mask).astype(np.int64)


def _lottery(domain: Domain, kernel: Kernel, draws: Counter) -> tuple[np.ndarray, int]:
    """Counts of sum over draws (with multiplicity) of the kernel's outcomes, over the total:
    one pass of the kernel over the whole domain per draw (any domain)."""
    p = domain.problem
    total = sum(draws.values())
    counts = _Counts(len(domain), p.n, p.m, total)
    for draw, weight in draws.items():
        counts.add(counts.encode(_outcomes(domain, kernel, draw)), weight)
    return counts.numerators(), total


def _one_hot(outcomes: np.ndarray, m: int) -> np.ndarray:
    """(profiles, n, m + 1) int64 indicator of every agent's column (-1: the outside option)."""
    size, n = outcomes.shape
    flat = outcomes.astype(np.int64)
    flat[flat < 0] = m
    flat += np.arange(0, size * n * (m + 1), m + 1, dtype=np.int64).reshape(size, n)
    out = np.zeros(size * n * (m + 1), dtype=np.int64)
    out[flat.ravel()] = 1
    return out.reshape(size, n, m + 1)


def _inverse(perm: Sequence[int]) -> tuple[int, ...]:
    out = [0] * len(perm)
    for j, i in enumerate(perm):
        out[i] = j
    return tuple(out)


# ---- anonymous mechanisms on symmetric domains: one evaluation per multiset of rankings ---------


def _sorted_columns(columns: list[np.ndarray]) -> list[np.ndarray]:
    """The columns sorted row by row (odd-even transposition network of minimum/maximum)."""
    cols = list(columns)
    n = len(cols)
    for sweep in range(n):
        for j in range(sweep % 2, n - 1, 2):
            low = np.minimum(cols[j], cols[j + 1])
            cols[j + 1] = np.maximum(cols[j], cols[j + 1])
            cols[j] = low
    return cols


def _multiset_rank(sorted_cols: Sequence[np.ndarray], k: int) -> np.ndarray:
    """Colex rank of the multisets s_0 <= ... <= s_(n-1) of {0..k-1} (one per row):
    sum_j C(s_j + j, j + 1), a bijection onto 0 .. C(k + n - 1, n) - 1 (the combinations
    s_j + j of {0 .. k + n - 2})."""
    rank = np.zeros(len(sorted_cols[0]), dtype=np.int64)
    for j, col in enumerate(sorted_cols):
        table = np.array([comb(v + j, j + 1) for v in range(k)], dtype=np.int64)
        rank += table[col]
    return rank


def _anonymous(
    domain: Domain, evaluate: Callable[[np.ndarray], tuple[np.ndarray, int]]
) -> tuple[np.ndarray, int]:
    """The table of an ANONYMOUS mechanism (relabelling the agents permutes the rows) on a
    symmetric domain (k rankings per agent): ``evaluate(representatives)`` gives the counts
    ``(multisets, n, m + 1)`` and the denominator at one sorted profile per multiset of
    ranking numbers; every profile takes agent i's row from its multiset's representative,
    at the position of i's ranking in the sorted profile (anonymity implies equal treatment
    of equals, so the position among equal rankings does not matter)."""
    n, k = domain.problem.n, domain.sizes[0]
    reps = np.array(list(itertools.combinations_with_replacement(range(k), n)), dtype=np.int64)
    reps = reps.reshape(-1, n)
    rows, den = evaluate(reps)
    rep_rank = _multiset_rank([reps[:, j] for j in range(n)], k)
    if not np.array_equal(np.sort(rep_rank), np.arange(len(reps))):  # the ranking is a bijection
        raise AssertionError("multiset ranking is not a bijection")
    by_rank = np.empty_like(rows)
    by_rank[rep_rank] = rows
    del rows
    # ranking numbers of every agent at every profile (mixed radix, agent 0 most significant)
    small = np.int16 if k < 2**15 else np.int64
    digits = np.indices(domain.sizes, dtype=small).reshape(n, -1)
    cols = [digits[i] for i in range(n)]
    flat = _multiset_rank(_sorted_columns(cols), k) * n
    index = np.empty((len(flat), n), dtype=np.int64)
    for i in range(n):  # row of agent i: her position in the stable sort of her profile
        where = flat.copy()
        for j in range(n):
            if j != i:
                where += (cols[j] <= cols[i]) if j < i else (cols[j] < cols[i])
        index[:, i] = where
    del digits, cols, flat, where
    table = by_rank.reshape(-1, domain.problem.m + 1)
    return np.take(table, index, axis=0), den


def _counts_at(reps: np.ndarray, domain: Domain, kernel: Kernel, draws: Counter) -> tuple[np.ndarray, int]:
    """Counts (reps, n, m + 1) of the lottery sum over draws of ``kernel`` at the profiles
    ``reps`` (rows of ranking numbers), over the total weight."""
    p = domain.problem
    tables = vec.ranking_tables(domain)
    counts = np.zeros(len(reps) * p.n * (p.m + 1), dtype=np.int64)
    base = np.arange(0, len(reps) * p.n * (p.m + 1), p.m + 1, dtype=np.int64).reshape(len(reps), p.n)
    for draw, weight in draws.items():
        out = _run(tables, reps, kernel, draw).astype(np.int64)
        out[out < 0] = p.m
        counts += weight * np.bincount((out + base).ravel(), minlength=len(counts))
    return counts.reshape(len(reps), p.n, p.m + 1), sum(draws.values())


# ---- deferred acceptance as an automaton over the agents ----------------------------------------


def _da_states(domain: Domain, strict: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray] | None:
    """DA (strict priorities ``strict``: per object, the agents best first) at every profile,
    through the sub-markets of agents 0..k (McVitie-Wilson: DA may add the agents one at a
    time, each new agent's proposal starting a chain of rejections, and the result does not
    depend on that order). After agents 0..k-1 the rest of the procedure depends on their
    profile only through the *state*: per agent, nothing (she is unmatched: rejected by every
    object she lists, for good, since an object's held set only improves) or the object she
    holds with the part of her ranking below it. States are numbered per level; the DA of the
    sub-market at one representative prefix per state and each ranking of agent k gives the
    next level's states (`_vectorised.deferred_acceptance_block`, exact).

    Returns (index, outcomes): ``outcomes[s * k_last + r]`` is the DA outcome (n agents) at a
    profile whose first n - 1 agents are in state s and whose last agent reports ranking r,
    and ``index[prefix]`` is the state of each prefix (profile // k_last). None when the
    state numbers would not fit int64."""
    p = domain.problem
    n, sizes = p.n, domain.sizes
    codes: dict[tuple[int, tuple[int, ...]], int] = {}
    code_tables = []
    for prefs in domain.preferences:  # code[r, x + 1]: 0 unmatched, else (x, her ranking below x)
        table = np.zeros((len(prefs), p.m + 1), dtype=np.int64)
        for r, pref in enumerate(prefs):
            ranking = [p.objects.index(name) for name in pref]
            for k, x in enumerate(ranking):
                table[r, x + 1] = codes.setdefault((x, tuple(ranking[k + 1 :])), len(codes) + 1)
        code_tables.append(table)
    radix = len(codes) + 1
    if radix ** (n - 1) >= 2**62:
        return None
    tables = vec.ranking_tables(domain)
    reps = np.zeros((1, 0), dtype=np.int64)  # one representative prefix per state
    index = np.zeros(1, dtype=np.int64)  # state of every prefix of the agents so far
    for k in range(n):
        size = sizes[k]
        digits = np.concatenate(
            [np.repeat(reps, size, axis=0), np.tile(np.arange(size, dtype=np.int64), len(reps))[:, None]],
            axis=1,
        )
        sub = tuple(tuple(i for i in order if i <= k) for order in strict)
        outcomes = _run(tables[: k + 1], digits, _sub_da(p.capacities), sub)
        if k == n - 1:
            return index, outcomes
        key = np.zeros(len(digits), dtype=np.int64)
        for j in range(k + 1):
            key = key * radix + code_tables[j][digits[:, j], outcomes[:, j].astype(np.int64) + 1]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        reps = digits[first]
        index = inverse.reshape(-1, size)[index].ravel()
    raise AssertionError("unreachable")


def _sub_da(capacities: Sequence[int]) -> Kernel:
    return lambda block, strict: vec.deferred_acceptance_block(block, capacities, strict)


def _da_lottery(domain: Domain, draws: Counter) -> tuple[np.ndarray, int] | None:
    """Counts of the lottery over strict priorities ``draws`` (with multiplicity) of DA, one
    automaton (`_da_states`) per draw. None when the automaton does not apply."""
    p = domain.problem
    total = sum(draws.values())
    counts = _Counts(len(domain), p.n, p.m, total)
    last = domain.sizes[-1]
    for strict, weight in draws.items():
        found = _da_states(domain, strict)
        if found is None:
            return None
        index, outcomes = found
        encoded = counts.encode(outcomes).reshape(-1, last * p.n)  # per state: (last ranking, agent)
        counts.add(np.take(encoded, index, axis=0).reshape(-1, p.n), weight)
    return counts.numerators(), total


# ---- the mechanisms ---------------------------------------------------------------------


def _serial_dictatorship(domain: Domain, order: Any = None) -> tuple[np.ndarray, int]:
    p = domain.problem
    sequence = agent_order(p, order)
    out = _outcomes(domain, lambda b, s: vec.serial_dictatorship_block(b, p.capacities, s), sequence)
    return _one_hot(out, p.m), 1


def _boston(domain: Domain, order: Any = None) -> tuple[np.ndarray, int]:
    p = domain.problem
    sequence = agent_order(p, order)
    out = _outcomes(domain, lambda b, s: vec.boston_block(b, p.capacities, s), sequence)
    return _one_hot(out, p.m), 1


def _strict_lists(ranks: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], ...]:
    """Per object: the agents, highest priority first, from ``ranks[x][i]`` (strict)."""
    return tuple(tuple(sorted(range(len(r)), key=r.__getitem__)) for r in ranks)


def _da_kernel(problem: Problem) -> Kernel:
    return lambda block, strict: vec.deferred_acceptance_block(block, problem.capacities, strict)


def _deferred_acceptance(domain: Domain, priorities: Any) -> tuple[np.ndarray, int]:
    p = domain.problem
    out = _outcomes(domain, _da_kernel(p), _strict_lists(strict_ranks(priorities)))
    return _one_hot(out, p.m), 1


def _every_order(n: int) -> Counter:
    return Counter(itertools.permutations(range(n)))


def _random_boston(domain: Domain) -> tuple[np.ndarray, int]:
    """Anonymous (Boston under the order sigma at R is Boston under the identity at R with
    the agents permuted by sigma, and sigma is uniform): per multiset on a symmetric domain."""
    p = domain.problem
    kernel: Kernel = lambda b, s: vec.boston_block(b, p.capacities, s)  # noqa: E731
    if domain.is_symmetric:
        return _anonymous(domain, lambda reps: _counts_at(reps, domain, kernel, _every_order(p.n)))
    return _lottery(domain, kernel, _every_order(p.n))


def _random_deferred_acceptance(domain: Domain, priorities: Any) -> tuple[np.ndarray, int]:
    """Every order of the agents breaks the ties (`Priorities.break_ties`: within a tie class,
    earlier in the order first); orders inducing the same strict priorities are counted once
    with their multiplicity, as the per-profile definition memoises them. With every agent
    tied for every object the mechanism is anonymous (the draw is one uniform order used by
    every object): per multiset on a symmetric domain. Otherwise one DA automaton per draw."""
    p = domain.problem
    classes = priorities.rank_table()
    draws: Counter = Counter()
    for order in itertools.permutations(range(p.n)):
        position = _inverse(order)
        draws[tuple(tuple(sorted(range(p.n), key=lambda i, c=c: (c[i], position[i]))) for c in classes)] += 1
    if len(draws) == 1:  # strict priorities: plain DA
        (strict,) = draws
        return _one_hot(_outcomes(domain, _da_kernel(p), strict), p.m), 1
    uniform = all(all(c == 0 for c in row) for row in classes)
    if uniform and domain.is_symmetric:
        return _anonymous(domain, lambda reps: _counts_at(reps, domain, _da_kernel(p), draws))
    found = _da_lottery(domain, draws)
    return found if found is not None else _lottery(domain, _da_kernel(p), draws)


def _top_trading_cycles(domain: Domain) -> tuple[np.ndarray, int]:
    """One draw per dealing of the labelled copies, as the per-profile definition. Relabelling
    the agents maps the uniform dealing to itself: anonymous, so per multiset on a symmetric
    domain."""
    p = domain.problem
    draws = Counter(dealings(p.capacities, p.n))
    kernel: Kernel = lambda b, d: vec.top_trading_cycles_block(b, *d)  # noqa: E731
    if domain.is_symmetric:
        return _anonymous(domain, lambda reps: _counts_at(reps, domain, kernel, draws))
    return _lottery(domain, kernel, draws)


def _random_priority(domain: Domain) -> tuple[np.ndarray, int]:
    p = domain.problem
    if not domain.is_symmetric:
        table = tabulate_random_priority(domain)
        return np.asarray(table.numerators), table.denominator
    prefs = domain.preferences[0]

    def evaluate(reps: np.ndarray) -> tuple[np.ndarray, int]:
        rows = np.empty((len(reps), p.n, p.m + 1), dtype=np.int64)
        den = factorial(p.n)
        for r, numbers in enumerate(reps.tolist()):
            multiset = tuple(prefs[v] for v in numbers)
            found, den = rp_type_rows(p, multiset)
            rows[r] = [found[pref] for pref in multiset]
        return rows, den

    return _anonymous(domain, evaluate)


def _random_assignment(domain: Domain) -> tuple[np.ndarray, int]:
    """Constant: every agent's row is ``random_assignment_counts`` at every profile."""
    p = domain.problem
    row, seats = random_assignment_counts(p)
    counts = np.empty((len(domain), p.n, p.m + 1), dtype=np.int64)
    counts[...] = np.array(row, dtype=np.int64)
    return counts, seats


def _eating_units(
    capacities: Sequence[int], prefs: Sequence[tuple[int, ...]], unit: int
) -> list[list[int]] | None:
    """`probabilistic_serial.eating` in integer multiples of 1 / ``unit``; None if a breakpoint
    is not such a multiple (then the caller uses the Fraction version)."""
    m = len(capacities)
    supply = [q * unit for q in capacities]
    shares = [[0] * (m + 1) for _ in prefs]
    time = 0
    while time < unit:
        now = [next((x for x in pref if supply[x] > 0), -1) for pref in prefs]
        eaters = [0] * m
        for x in now:
            if x >= 0:
                eaters[x] += 1
        if not any(eaters):
            break
        step = unit - time
        for x in range(m):
            if eaters[x]:
                whole, rest = divmod(supply[x], eaters[x])
                if rest:
                    return None
                step = min(step, whole)
        for i, x in enumerate(now):
            if x >= 0:
                shares[i][x] += step
        for x in range(m):
            supply[x] -= eaters[x] * step
        time += step
    for row in shares:
        row[m] = unit - sum(row[:m])
    return shares


def _eat_all(problem: Problem, profiles: Sequence[Sequence[tuple[int, ...]]]) -> tuple[np.ndarray, int]:
    """PS counts at every profile (index form) over one common denominator: lcm(1..n)^m, or
    larger when a breakpoint is not a multiple of it (then from the Fraction version)."""
    unit = lcm(*range(1, problem.n + 1)) ** problem.m
    rows: list[list[list[int]] | list[list[Fraction]]] = []
    den = unit
    for prefs in profiles:
        found = _eating_units(problem.capacities, prefs, unit)
        if found is None:
            exact = eating(problem.capacities, tuple(prefs))
            den = lcm(den, *(v.denominator for row in exact for v in row))
            rows.append([list(row) for row in exact])
        else:
            rows.append(found)
    scaled = [
        [
            [int(Fraction(v) * den) if isinstance(v, Fraction) else v * (den // unit) for v in row]
            for row in block
        ]
        for block in rows
    ]
    dtype = np.int64 if table_bound(den, problem.n, problem.m) < 2**63 else object
    return np.array(scaled, dtype=dtype).reshape(len(rows), problem.n, problem.m + 1), den


def _probabilistic_serial(domain: Domain) -> tuple[np.ndarray, int]:
    """Anonymous: run once per distinct multiset of rankings, then gathered to every profile."""
    p = domain.problem
    if domain.is_symmetric:
        index_form = [tuple(p.objects.index(x) for x in pref) for pref in domain.preferences[0]]
        return _anonymous(
            domain, lambda reps: _eat_all(p, [[index_form[v] for v in r] for r in reps.tolist()])
        )
    rankings = all_preferences(p.objects)
    number = {pref: k for k, pref in enumerate(rankings)}
    index_form = [tuple(p.objects.index(x) for x in pref) for pref in rankings]
    digits = vec.profile_digits(domain)
    ids = np.empty_like(digits)
    for i, prefs in enumerate(domain.preferences):
        ids[:, i] = np.array([number[pref] for pref in prefs], dtype=np.int64)[digits[:, i]]
    del digits
    order = np.argsort(ids, axis=1, kind="stable")
    ordered = np.take_along_axis(ids, order, axis=1)
    keys, inverse = np.unique(ordered, axis=0, return_inverse=True)
    by_multiset, den = _eat_all(p, [[index_form[int(r)] for r in key] for key in keys])
    where = np.empty_like(order)
    np.put_along_axis(where, order, np.arange(p.n)[np.newaxis, :], axis=1)
    return by_multiset[inverse.reshape(-1)[:, np.newaxis], where], den


_BUILTINS: dict[str, tuple[Callable[..., Any], Callable[..., tuple[np.ndarray, int]]]] = {
    "boston": (boston, _boston),
    "deferred_acceptance": (deferred_acceptance, _deferred_acceptance),
    "probabilistic_serial": (probabilistic_serial, _probabilistic_serial),
    "random_assignment": (random_assignment, _random_assignment),
    "random_boston": (random_boston, _random_boston),
    "random_deferred_acceptance": (random_deferred_acceptance, _random_deferred_acceptance),
    "random_priority": (random_priority, _random_priority),
    "serial_dictatorship": (serial_dictatorship, _serial_dictatorship),
    "top_trading_cycles": (top_trading_cycles, _top_trading_cycles),
}


#: Whole-table builders that enumerate every draw (agent order or endowment).
_EVERY_DRAW = frozenset({"random_boston", "random_deferred_acceptance", "top_trading_cycles"})


def _common_divisor(counts: np.ndarray, denominator: int) -> int:
    """gcd(denominator, every count): on int64 counts below a small denominator, the gcd of
    the distinct values present (one bincount) instead of a reduction over every entry."""
    if denominator == 1:
        return 1
    if counts.dtype == object:
        g = denominator
        for v in counts.flat:
            g = gcd(g, int(v))
            if g == 1:
                break
        return g
    if (
        0 < denominator <= 1 << 24
        and counts.size
        and 0 <= int(counts.min()) <= int(counts.max()) <= denominator
    ):
        present = np.flatnonzero(np.bincount(counts.ravel()))
        return gcd(denominator, *(int(v) for v in present))
    return gcd(denominator, int(np.gcd.reduce(counts, axis=None))) if counts.size else denominator


def _normalised(domain: Domain, counts: np.ndarray, denominator: int, name: str) -> TabulatedMechanism:
    """counts / denominator in lowest common terms, in the slow path's dtype (int64 exactly
    when `intbounds.table_bound` of the reduced denominator fits, else Python ints)."""
    p = domain.problem
    g = _common_divisor(counts, denominator)
    den = denominator // g
    nums = counts // g if g != 1 else counts
    bound = table_bound(den, p.n, p.m)
    if not (nums.dtype == np.int64 and fits_int64(bound)):
        nums = int_array(nums, bound)
    return TabulatedMechanism(domain, nums, den, name)


def tabulate_builtin(name: str, domain: Domain, **params: Any) -> TabulatedMechanism | None:
    """The built-in mechanism ``name`` (as in mechanism files: `verified.io.builtins`) with
    ``params`` (``order``, ``priorities``) tabulated over ``domain``: the same table as
    ``tabulate(factory(domain.problem, **params), domain)``, entry for entry, with the same
    denominator and name, computed without one Fraction per profile. None for a name that is
    not a built-in (and when the problem is too large for the int8 kernels). Parameters are
    validated by the mechanism's own factory (same errors as the slow path)."""
    found = _BUILTINS.get(name)
    if found is None:
        return None
    factory, builder = found
    problem = domain.problem
    try:
        inspect.signature(factory).bind(problem, **params)
    except TypeError:
        raise InvalidInput(f"{name} takes no parameters {sorted(params)}", "mechanism") from None
    mechanism = factory(problem, **params)  # validates parameters and gives the name
    if not vec.fits_int8(problem.n, problem.m):
        return None
    if name in _EVERY_DRAW and problem.n > MAX_ENUMERATED_AGENTS:
        return None  # n! draws per profile: the per-profile recursions (with budgets) instead
    counts, den = builder(domain, **params)
    return _normalised(domain, counts, den, mechanism.name)


__all__ = ["BLOCK", "tabulate_builtin"]
