"""What makes an integer table a table of stochastic assignments (Erdil, section 2): at every
profile, entries in [0, 1], each agent's row summing to 1, each object's column at most its
capacity q_x. Shared by `verified.assignment.mechanism.TabulatedMechanism` and
`verified.assignment.compact.CompactTable`, so both refuse exactly the same tables with the
same messages.

The check runs over chunks of profiles (its temporaries stay a few tens of MB on a table of
any size). Sums are running sums of slices (numpy sums a short last axis slowly) in a dtype
their bound fits (`verified.assignment.intbounds`): once the entries are in [0, d], a row sum
is at most (m + 1) * d and a column sum at most n * d.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.intbounds import int_dtype, scaled_capacities
from verified.errors import InvalidInput
from verified.numbers import fraction_text

CHUNK = 1 << 18  # profiles per pass


def validate_numerators(domain: Domain, nums: np.ndarray, denominator: int) -> None:
    """Refuse (`InvalidInput`, naming the profile, agent and column) numerators ``nums``,
    shaped (profiles, n, m + 1) over ``denominator``, that are not a valid table over
    ``domain``. Chunk by chunk in profile order; within a chunk, entries first, then rows,
    then columns, each at its first profile."""
    for start in range(0, len(nums), CHUNK):
        _validate_chunk(domain, nums[start : start + CHUNK], denominator, start)


def running_sum(parts: list[np.ndarray], bound: int) -> np.ndarray:
    """``parts[0] + parts[1] + ...`` in `int_dtype` (bound) (every partial sum is at most
    ``bound`` in absolute value): int64, or Python ints past it or when the parts hold them."""
    total = parts[0].astype(object if parts[0].dtype == object else int_dtype(bound))
    for part in parts[1:]:
        total += part
    return total


def _validate_chunk(domain: Domain, nums: np.ndarray, den: int, start: int) -> None:
    p = domain.problem
    if nums.size and (int(nums.min()) < 0 or int(nums.max()) > den):
        pi, i, k = (int(v) for v in np.argwhere((nums < 0) | (nums > den))[0])
        raise InvalidInput(
            f"probability {fraction_text(Fraction(int(nums[pi, i, k]), den))} is outside [0, 1]",
            _where(domain, start + pi, i, p.columns[k]),
        )
    rows = running_sum([nums[:, :, k] for k in range(p.m + 1)], (p.m + 1) * den)
    if (rows != den).any():
        pi, i = (int(v) for v in np.argwhere(rows != den)[0])
        raise InvalidInput(
            f"row sums to {fraction_text(Fraction(int(rows[pi, i]), den))}, not 1",
            _where(domain, start + pi, i),
        )
    if all(q >= p.n for q in p.capacities):
        return  # a column sums to at most n * d <= q * d: rows sum to d, entries are >= 0
    cols = running_sum([nums[:, i, : p.m] for i in range(p.n)], p.n * den)
    caps = scaled_capacities(p.capacities, den)  # q * den: int64 only if it fits
    if (cols > caps).any():
        pi, k = (int(v) for v in np.argwhere(cols > caps)[0])
        raise InvalidInput(
            f"column {p.objects[k]!r} sums to {fraction_text(Fraction(int(cols[pi, k]), den))}, "
            f"more than its capacity {p.capacities[k]}",
            f"table at profile {domain.profile(start + pi)}",
        )


def _where(domain: Domain, profile_index: int, agent: int, column: str | None = None) -> str:
    place = f"table at profile {domain.profile(profile_index)}, agent {domain.problem.agents[agent]!r}"
    return f"{place}, column {column!r}" if column else place
