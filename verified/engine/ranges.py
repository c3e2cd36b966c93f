"""Contiguous ranges of profile indices: how a domain is cut into work, and what ``--shard i/N`` means.

Profiles are numbered as in `verified.assignment.domain` (mixed radix, agent 0 most
significant). Every way of running the engine (serial, process pool, Dask, shards) cuts
``range(total)`` into the contiguous ranges computed here and folds their results in
index order, which is why all of them give the same bytes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from verified.assignment.domain import Domain
from verified.assignment.model import Profile
from verified.errors import InvalidInput

#: Largest range handed to one worker call: small enough for a responsive progress bar and
#: bounded per-range memory, large enough that per-call overhead does not show.
MAX_RANGE = 1 << 15


@dataclass(frozen=True, slots=True)
class Range:
    """Profile numbers ``start <= p < stop``."""

    start: int
    stop: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.stop:
            raise InvalidInput(f"bad range {self.start}..{self.stop}", "range")

    def __len__(self) -> int:
        return self.stop - self.start


def split(total: int, parts: int) -> tuple[Range, ...]:
    """``range(total)`` as ``parts`` contiguous ranges whose sizes differ by at most one
    (the first ``total % parts`` ranges get one more); empty ranges are kept, so shard ``i``
    of ``N`` is always ``split(total, N)[i - 1]``."""
    if parts < 1:
        raise InvalidInput(f"cannot split into {parts} parts", "range")
    size, extra = divmod(total, parts)
    out, start = [], 0
    for k in range(parts):
        stop = start + size + (1 if k < extra else 0)
        out.append(Range(start, stop))
        start = stop
    return tuple(out)


def chunks(outer: Range, jobs: int = 1, max_size: int = MAX_RANGE) -> tuple[Range, ...]:
    """``outer`` cut into contiguous ranges: at least ``4 * jobs`` of them when there is
    enough work (load balance), none larger than ``max_size``."""
    n = len(outer)
    if n == 0:
        return ()
    parts = max(1, min(n, max(4 * jobs if jobs > 1 else 1, -(-n // max_size))))
    return tuple(Range(outer.start + r.start, outer.start + r.stop) for r in split(n, parts))


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/N"`` with integers ``1 <= i <= N`` (else `InvalidInput` at ``--shard``)."""
    parts = str(text).strip().split("/")
    if len(parts) != 2 or not all(p.strip().isdigit() and p.strip().isascii() for p in parts):
        raise InvalidInput(f"expected i/N with integers 1 <= i <= N, got {text!r}", "--shard")
    i, n = (int(p) for p in parts)
    if not 1 <= i <= n:
        raise InvalidInput(f"expected i/N with 1 <= i <= N, got {text!r}", "--shard")
    if n > 1_000_000:
        raise InvalidInput(f"at most 1000000 shards, got {n}", "--shard")
    return i, n


def shard_range(total: int, shard: tuple[int, int]) -> Range:
    """The contiguous range of shard ``i`` of ``N`` (1-based) over ``range(total)``."""
    i, n = shard
    if not 1 <= i <= n:
        raise InvalidInput(f"expected 1 <= i <= N, got {i}/{n}", "--shard")
    return split(total, n)[i - 1]


def profiles(domain: Domain, part: Range) -> Iterator[Profile]:
    """The profiles numbered ``part.start .. part.stop - 1``, in order, as the domain's own
    tuples (``domain.profile(p)`` for each ``p``), without enumerating the profiles before
    ``part.start``: an odometer on the leading agents, `itertools.product` on the last two."""
    if len(part) == 0:
        return
    prefs = domain.preferences
    n = len(prefs)
    tail_agents = min(2, n)
    head_n = n - tail_agents
    tail = [tuple(t) for t in itertools.product(*prefs[head_n:])]
    width = len(tail)
    digits = list(domain.digits(part.start))
    head_digits = digits[:head_n]
    offset = 0
    for d, size in zip(digits[head_n:], domain.sizes[head_n:], strict=True):
        offset = offset * size + d
    left = len(part)
    sizes = domain.sizes
    while left > 0:
        head = tuple(prefs[i][d] for i, d in enumerate(head_digits))
        take = min(width - offset, left)
        for t in tail[offset : offset + take]:
            yield head + t
        left -= take
        offset = 0
        i = head_n - 1
        while i >= 0:  # odometer step on the head digits
            head_digits[i] += 1
            if head_digits[i] < sizes[i]:
                break
            head_digits[i] = 0
            i -= 1
