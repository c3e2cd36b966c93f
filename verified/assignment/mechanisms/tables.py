"""Whole-domain tables of the built-in mechanisms, fast and exact (`tabulate_builtin`).

The slow path, `verified.assignment.mechanism.tabulate`, calls a mechanism once per profile
and builds a `Fraction` for every entry. Here every built-in is tabulated over a whole
`Domain` with integer arithmetic only, and the result is the SAME `TabulatedMechanism`:
the integer counts over the natural denominator D (1 for deterministic mechanisms, n! for
the random orders, the number of distinct endowments for TTC, lcm(1..n)^m for probabilistic
serial) are divided by g = gcd(D, every count), which gives exactly the slow path's common
denominator (the lcm of the reduced denominators of all entries is D / g), and the same
array dtype (int64 when `intbounds.table_bound` fits, else Python ints). Tested equal entry
for entry to the slow path.

How each built-in is computed:

* serial dictatorship, Boston, deferred acceptance: one vectorised pass of the deterministic
  procedure over all profiles (`_vectorised`), in blocks of `BLOCK` profiles.
* random Boston, RDA, TTC from a random endowment: the lottery is a sum over draws (an agent
  order, a tie-breaking order, an endowment) of a deterministic outcome; the outcome counts
  are accumulated as integers, packed into one machine integer per agent (`_Counts`). On a
  symmetric domain the draws are reduced by relabelling the agents: a draw's outcome at a
  profile R is the outcome of a *canonical* draw at the profile R with agents permuted
  (Boston under the order sigma at R is Boston under the identity at R permuted by sigma;
  DA with strict priorities S is DA with S relabelled so that the first object's order is
  the identity; TTC with single copies is TTC with the endowment sorted), so one pass per
  canonical draw plus one gather per draw replaces one pass per draw.
* random priority: `tabulate_random_priority` (the type DP / orbit table), normalised.
* probabilistic serial: anonymous, so it is run once per distinct multiset of rankings,
  with the eating algorithm in integer units of 1 / lcm(1..n)^m (every breakpoint is such a
  multiple: step k divides quantities with denominator lcm(1..n)^(k-1) by at most n eaters,
  and there are at most m steps), then gathered to every profile.
"""

from __future__ import annotations

import inspect
import itertools
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from fractions import Fraction
from math import gcd, lcm
from typing import Any

import numpy as np

from verified.assignment.domain import Domain, all_preferences
from verified.assignment.intbounds import int_array, table_bound
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.mechanisms import _vectorised as vec
from verified.assignment.mechanisms._common import agent_order
from verified.assignment.mechanisms.boston import boston, random_boston
from verified.assignment.mechanisms.deferred_acceptance import deferred_acceptance, strict_ranks
from verified.assignment.mechanisms.probabilistic_serial import eating, probabilistic_serial
from verified.assignment.mechanisms.random_deferred_acceptance import random_deferred_acceptance
from verified.assignment.mechanisms.random_priority import random_priority, tabulate_random_priority
from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
from verified.assignment.mechanisms.top_trading_cycles import _distinct_endowments, top_trading_cycles
from verified.assignment.model import Problem
from verified.errors import InvalidInput

#: Profiles per vectorised block (small enough for the working arrays to stay in cache).
BLOCK = 1 << 15

Kernel = Callable[[vec.Block, Any], np.ndarray]  # (block, draw) -> outcomes (profiles, n)


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
    """Integer counts per (profile, agent, column), at most ``total`` each.

    Packed: column c of agent i lives in bits [c w, (c + 1) w) of one integer, w = the bit
    length of ``total``; since every count is at most ``total`` < 2**w, adding packed values
    never carries between columns. int32 when (m + 1) w <= 31 bits, int64 when <= 63, else
    one int64 array per column (counts <= total <= 8! fit either way)."""

    def __init__(self, size: int, n: int, m: int, total: int) -> None:
        self.n, self.m, self.width = n, m, total.bit_length()
        bits = self.width * (m + 1)
        self.packed = bits <= 63
        if self.packed:
            self.dtype: Any = np.int32 if bits <= 31 else np.int64
            self.acc = [np.zeros(size, dtype=self.dtype) for _ in range(n)]
            self.unit = np.array([1 << (self.width * c) for c in range(m + 1)], dtype=self.dtype)
        else:
            self.columns = [[np.zeros(size, dtype=np.int64) for _ in range(m + 1)] for _ in range(n)]

    def encode(self, outcomes: np.ndarray) -> list[np.ndarray]:
        """Per agent: the packed unit of her column (packed), else the column itself."""
        cols = np.where(outcomes < 0, self.m, outcomes).astype(np.intp)
        if self.packed:
            return [np.ascontiguousarray(self.unit[cols[:, i]]) for i in range(self.n)]
        return [np.ascontiguousarray(cols[:, i]) for i in range(self.n)]

    def add(self, agent: int, encoded: np.ndarray, weight: int) -> None:
        if self.packed:
            self.acc[agent] += encoded if weight == 1 else encoded * self.dtype(weight)
        else:
            for c in range(self.m + 1):
                self.columns[agent][c] += (encoded == c) * weight

    def numerators(self) -> np.ndarray:
        size = len(self.acc[0]) if self.packed else len(self.columns[0][0])
        out = np.empty((size, self.n, self.m + 1), dtype=np.int64)
        mask = (1 << self.width) - 1
        for i in range(self.n):
            for c in range(self.m + 1):
                if self.packed:
                    out[:, i, c] = (self.acc[i] >> (self.width * c)) & mask
                else:
                    out[:, i, c] = self.columns[i][c]
        return out


Canonical = Callable[[Any], tuple[tuple[int, ...], Hashable]]  # draw -> (perm, canonical draw)


def _lottery(
    domain: Domain, kernel: Kernel, draws: Counter, canonical: Canonical | None
) -> tuple[np.ndarray, int]:
    """Counts of sum over draws (with multiplicity) of the kernel's outcomes, over the total.

    ``canonical(draw) = (perm, c)`` promises: the outcome of ``draw`` at R, for agent
    perm[j], is the outcome of ``c`` at the profile R' with R'[j] = R[perm[j]], for agent j.
    Used on symmetric domains only (R' must be in the domain)."""
    p = domain.problem
    total = sum(draws.values())
    counts = _Counts(len(domain), p.n, p.m, total)
    if canonical is None or not domain.is_symmetric:
        for draw, weight in draws.items():
            encoded = counts.encode(_outcomes(domain, kernel, draw))
            for i in range(p.n):
                counts.add(i, encoded[i], weight)
        return counts.numerators(), total
    digits = vec.profile_digits(domain)
    k = domain.sizes[0]
    strides = [k ** (p.n - 1 - j) for j in range(p.n)]
    identity = tuple(range(p.n))
    bases: dict[Hashable, list[np.ndarray]] = {}
    for draw, weight in draws.items():
        perm, key = canonical(draw)
        base = bases.get(key)
        if base is None:
            base = bases[key] = counts.encode(_outcomes(domain, kernel, key))
        if perm == identity:
            for j in range(p.n):
                counts.add(j, base[j], weight)
            continue
        moved = digits[:, perm[0]] * strides[0]
        for j in range(1, p.n):
            moved += digits[:, perm[j]] * strides[j]
        for j in range(p.n):
            counts.add(perm[j], np.take(base[j], moved), weight)
    return counts.numerators(), total


def _one_hot(outcomes: np.ndarray, m: int) -> np.ndarray:
    cols = np.where(outcomes < 0, m, outcomes)
    return (cols[:, :, np.newaxis] == np.arange(m + 1)).astype(np.int64)


def _inverse(perm: Sequence[int]) -> tuple[int, ...]:
    out = [0] * len(perm)
    for j, i in enumerate(perm):
        out[i] = j
    return tuple(out)


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


def _random_boston(domain: Domain) -> tuple[np.ndarray, int]:
    p = domain.problem
    draws = Counter(itertools.permutations(range(p.n)))
    identity = tuple(range(p.n))
    return _lottery(
        domain,
        lambda b, s: vec.boston_block(b, p.capacities, s),
        draws,
        lambda order: (tuple(order), identity),
    )


def _relabel_strict(strict: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], Hashable]:
    """perm = the first object's order; the priorities in the new labels (j = old perm[j])."""
    perm = strict[0]
    new = _inverse(perm)
    return perm, tuple(tuple(new[i] for i in order) for order in strict)


def _random_deferred_acceptance(domain: Domain, priorities: Any) -> tuple[np.ndarray, int]:
    """Every order of the agents breaks the ties (`Priorities.break_ties`: within a tie class,
    earlier in the order first); orders inducing the same strict priorities are counted once
    with their multiplicity, as the per-profile definition memoises them."""
    p = domain.problem
    classes = priorities.rank_table()
    draws: Counter = Counter()
    for order in itertools.permutations(range(p.n)):
        position = _inverse(order)
        draws[tuple(tuple(sorted(range(p.n), key=lambda i, c=c: (c[i], position[i]))) for c in classes)] += 1
    return _lottery(domain, _da_kernel(p), draws, _relabel_strict)


def _top_trading_cycles(domain: Domain) -> tuple[np.ndarray, int]:
    """One draw per distinct endowment, as the per-profile definition. With single copies every
    object has at most one holder, the procedure never looks at agent order, and relabelling
    the agents so that the endowment is sorted is exact."""
    p = domain.problem
    total = sum(p.capacities)
    seats = [x for x, q in enumerate(p.capacities) for _ in range(q)] + [-1] * (p.n - total)
    draws = Counter(_distinct_endowments(seats))

    def sort_seats(endowment: tuple[int, ...]) -> tuple[tuple[int, ...], Hashable]:
        perm = tuple(sorted(range(p.n), key=lambda i: (endowment[i], i)))
        return perm, tuple(endowment[i] for i in perm)

    single = all(q == 1 for q in p.capacities)
    return _lottery(domain, vec.top_trading_cycles_block, draws, sort_seats if single else None)


def _random_priority(domain: Domain) -> tuple[np.ndarray, int]:
    table = tabulate_random_priority(domain)
    return np.asarray(table.numerators), table.denominator


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


def _probabilistic_serial(domain: Domain) -> tuple[np.ndarray, int]:
    p = domain.problem
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
    keys, first, inverse = np.unique(ordered, axis=0, return_index=True, return_inverse=True)
    unit = lcm(*range(1, p.n + 1)) ** p.m
    rows: list[list[list[int]] | list[list[Fraction]]] = []
    den = unit
    for key in keys:
        prefs = [index_form[int(r)] for r in key]
        found = _eating_units(p.capacities, prefs, unit)
        if found is None:
            exact = eating(p.capacities, tuple(prefs))
            den = lcm(den, *(v.denominator for row in exact for v in row))
            rows.append([list(row) for row in exact])
        else:
            rows.append(found)
    del first
    scaled = [
        [
            [int(Fraction(v) * den) if isinstance(v, Fraction) else v * (den // unit) for v in row]
            for row in block
        ]
        for block in rows
    ]
    dtype = np.int64 if table_bound(den, p.n, p.m) < 2**63 else object
    by_multiset = np.array(scaled, dtype=dtype)  # (multisets, n, m + 1), agents in sorted order
    where = np.empty_like(order)
    np.put_along_axis(where, order, np.arange(p.n)[np.newaxis, :], axis=1)
    return by_multiset[inverse.reshape(-1)[:, np.newaxis], where], den


_BUILTINS: dict[str, tuple[Callable[..., Any], Callable[..., tuple[np.ndarray, int]]]] = {
    "boston": (boston, _boston),
    "deferred_acceptance": (deferred_acceptance, _deferred_acceptance),
    "probabilistic_serial": (probabilistic_serial, _probabilistic_serial),
    "random_boston": (random_boston, _random_boston),
    "random_deferred_acceptance": (random_deferred_acceptance, _random_deferred_acceptance),
    "random_priority": (random_priority, _random_priority),
    "serial_dictatorship": (serial_dictatorship, _serial_dictatorship),
    "top_trading_cycles": (top_trading_cycles, _top_trading_cycles),
}


def _normalised(domain: Domain, counts: np.ndarray, denominator: int, name: str) -> TabulatedMechanism:
    """counts / denominator in lowest common terms, in the slow path's dtype."""
    p = domain.problem
    if counts.dtype == object:
        g = denominator
        for v in counts.flat:
            g = gcd(g, int(v))
            if g == 1:
                break
    else:
        g = gcd(denominator, int(np.gcd.reduce(counts, axis=None))) if counts.size else denominator
    den = denominator // g
    nums = counts // g if g != 1 else counts
    return TabulatedMechanism(domain, int_array(nums, table_bound(den, p.n, p.m)), den, name)


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
    counts, den = builder(domain, **params)
    return _normalised(domain, counts, den, mechanism.name)


__all__ = ["BLOCK", "tabulate_builtin"]
