"""Deterministic built-in mechanisms run on a whole block of profiles at once (numpy).

A `Block` holds, for every agent i and object x, the array ``pos[i][x]`` of x's position
in agent i's ranking at each profile of the block (`UNACCEPTABLE` when x is not listed),
and ``objk[i][k]``, agent i's k-th object (-1 past the end of her ranking). Every kernel
below replays the per-profile definition of its mechanism (the modules next to this one)
step by step, on all profiles of the block simultaneously, with boolean masks instead of
branches. The output is an int8 array ``(profiles, n)`` of object indices, -1 for the
outside option -- the same `Outcome` the per-profile function returns (tested equal).

Integer ranges: positions are < m <= 126, agent indices and counters are <= n, and
capacities are capped at n (no more than n agents ever hold an object, so a cap q >= n
behaves exactly like q = n); hence int8 never wraps for n <= `MAX_ENUMERATED_AGENTS`
and m <= 126 (callers check `fits_int8`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from verified.assignment.domain import Domain

UNACCEPTABLE = 127  # position of an object the agent does not list
_MAX_SMALL = 126


def fits_int8(n: int, m: int) -> bool:
    """True when positions, agent indices and capped capacities all fit int8."""
    return n <= _MAX_SMALL and m <= _MAX_SMALL


@dataclass(frozen=True, eq=False)
class Block:
    """Positions and ranked objects of every agent, for a block of profiles (see module doc)."""

    size: int
    n: int
    m: int
    pos: tuple[tuple[np.ndarray, ...], ...]
    objk: tuple[tuple[np.ndarray, ...], ...]


def ranking_tables(domain: Domain) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Per agent: (positions, objects) tables indexed by her ranking's number in the domain."""
    p = domain.problem
    out = []
    for prefs in domain.preferences:
        pos = np.full((len(prefs), p.m), UNACCEPTABLE, dtype=np.int8)
        obj = np.full((len(prefs), p.m), -1, dtype=np.int8)
        for r, pref in enumerate(prefs):
            for k, name in enumerate(pref):
                x = p.objects.index(name)
                pos[r, x] = k
                obj[r, k] = x
        out.append((pos, obj))
    return tuple(out)


def profile_digits(domain: Domain, start: int = 0, stop: int | None = None) -> np.ndarray:
    """``(stop - start, n)`` int64 array: each agent's ranking number at profiles start..stop-1
    (mixed radix, agent 0 most significant, as `Domain.index`)."""
    stop = len(domain) if stop is None else stop
    index = np.arange(start, stop, dtype=np.int64)
    out = np.empty((stop - start, domain.problem.n), dtype=np.int64)
    for i in range(domain.problem.n - 1, -1, -1):
        index, out[:, i] = np.divmod(index, domain.sizes[i])
    return out


def make_block(tables: Sequence[tuple[np.ndarray, np.ndarray]], digits: np.ndarray) -> Block:
    """The `Block` of the profiles whose ranking numbers are the rows of ``digits``."""
    size, n = digits.shape
    m = tables[0][0].shape[1]
    pos = tuple(tuple(np.take(tables[i][0][:, x], digits[:, i]) for x in range(m)) for i in range(n))
    objk = tuple(tuple(np.take(tables[i][1][:, k], digits[:, i]) for k in range(m)) for i in range(n))
    return Block(size, n, m, pos, objk)


def _caps(capacities: Sequence[int], n: int) -> list[int]:
    return [min(int(q), n) for q in capacities]


def serial_dictatorship_block(block: Block, capacities: Sequence[int], order: Sequence[int]) -> np.ndarray:
    """`serial_dictatorship_outcome` on every profile: in ``order``, each agent takes her best
    acceptable object with a copy left."""
    size, n, m = block.size, block.n, block.m
    left = [np.full(size, q, dtype=np.int8) for q in _caps(capacities, n)]
    out = [np.full(size, -1, dtype=np.int8) for _ in range(n)]
    for i in order:
        offered = [np.where(left[x] > 0, block.pos[i][x], UNACCEPTABLE) for x in range(m)]
        best = np.minimum.reduce(offered) if m > 1 else offered[0]
        listed = best != UNACCEPTABLE
        for x in range(m):
            take = (offered[x] == best) & listed
            left[x] -= take
            out[i][take] = x
    return np.stack(out, axis=1)


def boston_block(block: Block, capacities: Sequence[int], order: Sequence[int]) -> np.ndarray:
    """`boston_outcome` on every profile: round r, every unassigned agent applies (in priority
    ``order``) to her r-th object and is accepted while copies are left, for good."""
    size, n, m = block.size, block.n, block.m
    left = [np.full(size, q, dtype=np.int8) for q in _caps(capacities, n)]
    out = [np.full(size, -1, dtype=np.int8) for _ in range(n)]
    waiting = [np.ones(size, dtype=bool) for _ in range(n)]
    for r in range(m):
        for i in order:
            applies = block.objk[i][r]
            for x in range(m):
                take = waiting[i] & (applies == x) & (left[x] > 0)
                left[x] -= take
                out[i][take] = x
                waiting[i] &= ~take
    return np.stack(out, axis=1)


def deferred_acceptance_block(
    block: Block, capacities: Sequence[int], strict: Sequence[Sequence[int]]
) -> np.ndarray:
    """`deferred_acceptance_outcome` on every profile, by simultaneous proposals: every agent
    proposes to the object at position ``step[i]`` of her ranking; each object x keeps its
    q_x best proposers in its strict order ``strict[x]`` (agents, best first) and rejects the
    rest, who move one position down their rankings. Stop when nobody is rejected. This is
    the agent-optimal stable matching (Gale-Shapley 1962), which does not depend on the order
    of proposals, so it equals the one-at-a-time version. Profiles with no rejection in a
    round are final and are dropped from the working set."""
    size, n, m = block.size, block.n, block.m
    caps = _caps(capacities, n)
    pos = [list(row) for row in block.pos]
    step = [np.zeros(size, dtype=np.int8) for _ in range(n)]
    final = [np.zeros(size, dtype=np.int8) for _ in range(n)]
    where = np.arange(size)  # original profile numbers of the working set
    while where.size:
        rejected = [np.zeros(where.size, dtype=bool) for _ in range(n)]
        for x in range(m):
            held = np.zeros(where.size, dtype=np.int8)
            for i in strict[x]:
                proposes = pos[i][x] == step[i]
                rejected[i] |= proposes & (held >= caps[x])
                held += proposes
        any_rejected = np.logical_or.reduce(rejected) if n > 1 else rejected[0]
        for i in range(n):
            step[i] += rejected[i]
        done = ~any_rejected
        if done.any():
            finished = where[done]
            for i in range(n):
                final[i][finished] = step[i][done]
            keep = np.flatnonzero(any_rejected)
            where = where[keep]
            step = [s[keep] for s in step]
            pos = [[a[keep] for a in row] for row in pos]
    out = [np.full(size, -1, dtype=np.int8) for _ in range(n)]
    for i in range(n):
        for x in range(m):
            out[i][block.pos[i][x] == final[i]] = x
    return np.stack(out, axis=1)


def top_trading_cycles_block(
    block: Block, endowment: Sequence[int], labels: Sequence[int] | None = None
) -> np.ndarray:
    """`top_trading_cycles_outcome` on every profile for one endowment (object or -1 per agent)
    and seat labels (default: agent order).

    Each round: an object is held when a present agent holds it; every present agent points
    to herself if she holds her best held acceptable object, else to the present holder of it
    with the smallest seat label, else (nothing acceptable held) to herself. Agents on cycles
    (found by following the pointers n times) receive the seat they point to when they find
    it acceptable, else the outside option, and leave."""
    size, n, m = block.size, block.n, block.m
    agents = np.arange(n, dtype=np.int8)
    seat_of = np.array(list(endowment) + [-1], dtype=np.int8)  # index n: nobody
    order = range(n) if labels is None else sorted(range(n), key=labels.__getitem__)
    holders = [[j for j in order if endowment[j] == x] for x in range(m)]
    present = np.ones((size, n), dtype=bool)
    out = np.full((size, n), -1, dtype=np.int8)
    for _ in range(n):
        if not present.any():
            break
        held = [np.zeros(size, dtype=bool) for _ in range(m)]
        first = [np.full(size, n, dtype=np.int8) for _ in range(m)]  # first present holder, by label
        for x in range(m):
            for j in reversed(holders[x]):
                here = present[:, j]
                held[x] |= here
                first[x] = np.where(here, np.int8(j), first[x])
        points = np.empty((size, n), dtype=np.int8)
        for i in range(n):
            offered = [np.where(held[x], block.pos[i][x], UNACCEPTABLE) for x in range(m)]
            best = np.minimum.reduce(offered) if m > 1 else offered[0]
            target = np.full(size, i, dtype=np.int8)
            for x in range(m):
                if endowment[i] == x:
                    continue  # she holds x: pointing to herself is the default
                target = np.where((offered[x] == best) & (best != UNACCEPTABLE), first[x], target)
            points[:, i] = target
        points = np.where(present, points, agents[np.newaxis, :])
        walk = points.astype(np.intp)
        cycle = walk == agents
        for _ in range(n - 1):
            walk = np.take_along_axis(points, walk, axis=1).astype(np.intp)
            cycle |= walk == agents
        leaving = cycle & present
        seat = seat_of[points.astype(np.intp)]
        for i in range(n):
            for x in range(m):
                got = leaving[:, i] & (seat[:, i] == x) & (block.pos[i][x] != UNACCEPTABLE)
                out[got, i] = x
        present &= ~leaving
    return out


__all__ = [
    "UNACCEPTABLE",
    "Block",
    "boston_block",
    "deferred_acceptance_block",
    "fits_int8",
    "make_block",
    "profile_digits",
    "ranking_tables",
    "serial_dictatorship_block",
    "top_trading_cycles_block",
]
