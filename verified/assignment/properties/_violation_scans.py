"""The vectorised scans that count violations (`violations_count`): numpy passes over a table,
integers only (`SubsetSums` sums in `intbounds.work_dtype` of the denominator: int32, int64
only below 2^63, Python ints past it; comparisons give booleans; counts are Python ints).

Each scan yields `Batch` es in the property's listing order; a batch's ``items()`` turns its
violations into small dicts lazily, a chunk of rows at a time, so listing the first ``limit``
never materialises the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from verified.assignment.intbounds import scaled_capacities
from verified.assignment.properties._common import SubsetSums, agent_block, prefixes, profile_at, row_json
from verified.assignment.properties.violations_count import profile_text
from verified.numbers import fraction_text

#: Rows of a violation mask turned into positions at a time while listing.
STEP = 1 << 16

Manipulation = tuple[int, tuple[int, ...], int, int]


@dataclass(frozen=True)
class Batch:
    """``count`` violations; ``items()`` lists them in order; ``first``: for SP, the first
    (true ranking, prefix, rest index, misreport) that `strategyproofness.find_manipulation`
    would return, when this batch holds it."""

    count: int
    items: Callable[[], Iterator[dict[str, Any]]]
    first: Manipulation | None = None


def scan(prop: str, table: Any) -> Iterator[Batch]:
    """Every batch of ``prop`` (a check's property name) over ``table``, in listing order."""
    n = table.problem.n
    if prop == "strategyproof":
        for i in range(n):
            yield from manipulation_batches(table, i)
    elif prop == "individually_rational":
        for i in range(n):
            yield unacceptable_batch(table, i)
    elif prop == "nonwasteful":
        spare = spare_capacity(table)
        for j in range(n):
            yield waste_batch(table, j, spare)
    elif prop == "equal_treatment":
        digits = np.indices(table.domain.sizes).reshape(n, -1).T
        for i in range(n):
            for j in range(i + 1, n):
                yield unequal_batch(table, i, j, digits)
    else:
        raise ValueError(f"no vectorised scan for {prop!r}")


def examined(prop: str, table: Any) -> int:
    """How many units ``prop``'s count is out of (see `violations_count`)."""
    domain = table.domain
    total = len(domain)
    if prop == "strategyproof":
        return sum(total * (k - 1) for k in domain.sizes)
    if prop == "equal_treatment":
        out = 0
        for i in range(domain.problem.n):
            for j in range(i + 1, domain.problem.n):
                common = len(set(domain.preferences[i]) & set(domain.preferences[j]))
                out += common * total // (domain.sizes[i] * domain.sizes[j])
        return out
    return total * domain.problem.n


def _positions(mask: np.ndarray) -> Iterator[tuple[int, ...]]:
    """The positions of True in a C-ordered mask (rows, ...), a chunk of rows at a time."""
    for start in range(0, mask.shape[0], STEP):
        found = np.nonzero(mask[start : start + STEP])
        for where in zip(*(w.tolist() for w in found), strict=True):
            yield (where[0] + start, *where[1:])


def manipulation_batches(table: Any, agent: int) -> Iterator[Batch]:
    """SP (Erdil, section 2) for ``agent``: one batch per true ranking t. With A_S[r, rest] her
    probability of the prefix S of t when she reports r, report r violates at (t, rest) iff
    A_S[r, rest] > A_S[t, rest] for some prefix S (the truthful row does not SD-dominate the
    lie's). The same comparisons give, in the order `find_manipulation` searches (t, then
    prefix, then rest), its first manipulation: at the first (t, S) where some rest has a
    gain, the first such rest and the first report attaining the largest A_S there."""
    domain, problem = table.domain, table.problem
    rankings = domain.preferences[agent]
    sums = SubsetSums(agent_block(table, agent), table.denominator)
    full = tuple(range(problem.m + 1))
    k = len(rankings)
    found = False
    for t, pref in enumerate(rankings):
        bad: np.ndarray | None = None
        first: Manipulation | None = None
        for cols in prefixes(problem, pref):
            if tuple(sorted(cols)) == full:
                continue  # the whole row: always the denominator
            values = sums.get(cols)
            gain = values > np.expand_dims(values.take(t, axis=agent), agent)
            if not found:
                short = gain.any(axis=agent)
                if short.any():
                    rest = int(np.argmax(short.reshape(-1)))
                    column = np.moveaxis(values, agent, -1).reshape(-1, k)[rest]
                    first, found = (t, cols, rest, int(np.argmax(column))), True
            if bad is None:
                bad = np.asarray(gain, dtype=bool)
            else:
                bad |= gain
        if bad is None:
            continue
        yield Batch(int(np.count_nonzero(bad)), _manipulation_items(table, agent, t, bad), first)


def _manipulation_items(table: Any, agent: int, t: int, bad: np.ndarray) -> Callable[[], Iterator[dict]]:
    def items() -> Iterator[dict[str, Any]]:
        domain, problem = table.domain, table.problem
        rankings = domain.preferences[agent]
        moved = np.moveaxis(bad, agent, -1).reshape(-1, len(rankings))  # (rest, report)
        for rest, r in _positions(moved):
            index, prof = profile_at(domain, agent, t, rest)
            lying_index, _ = profile_at(domain, agent, r, rest)
            truthful = table.at_index(index).matrix[agent]
            lying = table.at_index(lying_index).matrix[agent]
            item = {
                "profile_index": index,
                "profile": profile_text(problem.agents, prof),
                "agent": problem.agents[agent],
                "true_preference": list(prof[agent]),
                "misreport": list(rankings[r]),
            }
            for cols in prefixes(problem, prof[agent]):
                a = sum((truthful[c] for c in cols), Fraction(0))
                b = sum((lying[c] for c in cols), Fraction(0))
                if a < b:  # the first prefix where the truthful row falls short
                    item.update(
                        prefix=[problem.columns[c] for c in cols],
                        truthful_cumulative=fraction_text(a),
                        misreport_cumulative=fraction_text(b),
                    )
                    break
            yield item

    return items


def _flat_items(mask: np.ndarray, describe: Callable[[int], dict[str, Any]]) -> Callable[[], Iterator[dict]]:
    def items() -> Iterator[dict[str, Any]]:
        for (index,) in _positions(mask.reshape(-1)):
            yield describe(index)

    return items


def unacceptable_batch(table: Any, agent: int) -> Batch:
    """IR for ``agent``: the profiles where she gets an object she did not list."""
    domain, problem = table.domain, table.problem
    rankings = domain.preferences[agent]
    mask = np.ones((len(rankings), problem.m), dtype=bool)
    for t, pref in enumerate(rankings):
        mask[t, [problem.object_index(x) for x in pref]] = False
    shape = [1] * problem.n + [problem.m]
    shape[agent] = len(rankings)
    block = agent_block(table, agent)
    bad = ((block[..., : problem.m] != 0) & mask.reshape(shape)).any(axis=-1)

    def describe(index: int) -> dict[str, Any]:
        prof = domain.profile(index)
        row = table.at_index(index).matrix[agent]
        return {
            "profile_index": index,
            "profile": profile_text(problem.agents, prof),
            "agent": problem.agents[agent],
            "unacceptable": {
                x: fraction_text(row[k])
                for k, x in enumerate(problem.objects)
                if x not in prof[agent] and row[k]
            },
        }

    return Batch(int(np.count_nonzero(bad)), _flat_items(bad, describe))


def spare_capacity(table: Any) -> np.ndarray:
    """(sizes..., m) bool: the object has a free copy at the profile (as `check_nonwasteful`)."""
    problem = table.problem
    column_sums = table.numerators[:, :, : problem.m].sum(axis=1)
    capacities = scaled_capacities(problem.capacities, table.denominator)
    return np.asarray(column_sums < capacities, dtype=bool).reshape((*table.domain.sizes, problem.m))


def waste_batch(table: Any, agent: int, spare: np.ndarray) -> Batch:
    """Non-wastefulness for agent j = ``agent`` (Erdil, section 2; `wastefulness`): the profiles
    where some z in X_j (an acceptable object or her outside option) has room and j's
    probability strictly below z is positive -- her prefix sum through z is below 1."""
    from verified.assignment.properties.wastefulness import _below

    domain, problem = table.domain, table.problem
    den = table.denominator
    sums = SubsetSums(agent_block(table, agent), den)
    bad = np.zeros(domain.sizes, dtype=bool)
    moved = np.moveaxis(bad, agent, 0)  # a view: moved[t] is bad at the agent's ranking t
    for t, pref in enumerate(domain.preferences[agent]):
        listed = [problem.object_index(x) for x in pref]
        for position in range(len(listed) + 1):
            if position < len(listed):
                free = spare[..., listed[position]].take(t, axis=agent)
                through = sums.get(tuple(listed[: position + 1]))
            else:
                free = sums.column(problem.m).take(t, axis=agent) < den
                through = sums.get((*listed, problem.m))
            moved[t] |= np.asarray(free & (through.take(t, axis=agent) < den))

    def describe(index: int) -> dict[str, Any]:
        prof = domain.profile(index)
        gamma = table.at_index(index)
        row, pref = gamma.matrix[agent], prof[agent]
        item = {
            "profile_index": index,
            "profile": profile_text(problem.agents, prof),
            "agent": problem.agents[agent],
        }
        candidates = [problem.object_index(x) for x in pref] + [problem.m]
        for position, z in enumerate(candidates):
            if z == problem.m:
                room = row[z] < 1  # her outside option: only she can hold it
            else:
                room = gamma.column_sum(problem.objects[z]) < problem.capacities[z]
            y = next((c for c in _below(problem, pref, position) if row[c] > 0), None) if room else None
            if y is not None:  # the first witness: z best first, y in `_below`'s order
                item.update(y=problem.columns[y], z=problem.columns[z], gamma_jy=fraction_text(row[y]))
                break
        return item

    return Batch(int(np.count_nonzero(bad)), _flat_items(bad, describe))


def unequal_batch(table: Any, i: int, j: int, digits: np.ndarray) -> Batch:
    """Equal treatment of equals for agents i < j: the profiles where they report the same
    ranking and get different rows."""
    domain, problem = table.domain, table.problem
    position_in_j = {r: k for k, r in enumerate(domain.preferences[j])}
    lookup = np.array([position_in_j.get(r, -1) for r in domain.preferences[i]], dtype=np.int64)
    same = lookup[digits[:, i]] == digits[:, j]
    nums = table.numerators
    bad = same & (nums[:, i] != nums[:, j]).any(axis=1)

    def describe(index: int) -> dict[str, Any]:
        prof = domain.profile(index)
        gamma = table.at_index(index)
        return {
            "profile_index": index,
            "profile": profile_text(problem.agents, prof),
            "agents": [problem.agents[i], problem.agents[j]],
            "preference": list(prof[i]),
            "rows": [row_json(problem, gamma.matrix[i]), row_json(problem, gamma.matrix[j])],
        }

    return Batch(int(np.count_nonzero(bad)), _flat_items(bad, describe))
