"""Classifying every (profile, agent) pair of two tables, exactly (Erdil, section 2, (FOSD)).

Both tables are brought to one denominator L = lcm(d_old, d_new) (int64 when every prefix sum
fits, Python integers otherwise), so comparing two prefix probabilities is comparing two
integers. For each agent and each of her rankings the prefix sums (`prefixes`: the top 1, top
2, ... acceptable objects, then all of them and the outside option) are taken over all the
profiles at which she reports that ranking at once, as `check_mechanism_dominance` does.
A pair is ``same`` (identical rows), ``better`` (NEW weakly SD-dominates OLD, strictly at some
prefix), ``worse``, ``incomparable`` or ``equivalent`` (see `verified.compare.model`).

`classify_rows` classifies one pair of rows in Fractions (the sampled comparison of
``--hunt``; the tests cross-check it with the vectorised one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from fractions import Fraction
from math import lcm

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Preference, Problem
from verified.assignment.properties._common import prefixes
from verified.assignment.properties.fosd import prefix_comparisons
from verified.compare.model import (
    CATEGORIES,
    CHANGED_LISTED,
    ChangedProfile,
    Differences,
    Pair,
    SizeChange,
)

SAME, BETTER, WORSE, INCOMPARABLE, EQUIVALENT = range(5)
LETTERS = np.frombuffer(b"sbwie", dtype=np.uint8)


def classify_rows(
    old_row: Sequence[Fraction], new_row: Sequence[Fraction], pref: Preference, problem: Problem
) -> str:
    """The kind of one pair: NEW's row against OLD's for an agent with ranking ``pref``."""
    if tuple(old_row) == tuple(new_row):
        return "same"
    comps = prefix_comparisons(new_row, old_row, pref, problem)  # (columns, NEW's sum, OLD's sum)
    gain = any(a > b for _, a, b in comps)
    loss = any(a < b for _, a, b in comps)
    if gain and loss:
        return "incomparable"
    return "better" if gain else ("worse" if loss else "equivalent")


def first_loss(
    old_row: Sequence[Fraction], new_row: Sequence[Fraction], pref: Preference, problem: Problem
) -> tuple[list[str], Fraction, Fraction] | None:
    """(the first prefix whose probability is lower under NEW, OLD's and NEW's probability of
    it), or None when no prefix is."""
    for cols, new_sum, old_sum in prefix_comparisons(new_row, old_row, pref, problem):
        if new_sum < old_sum:
            return [problem.columns[c] for c in cols], old_sum, new_sum
    return None


def _common(table: TabulatedMechanism, factor: int, exact: bool) -> np.ndarray:
    nums = table.numerators
    if exact:
        return nums.astype(object) * factor
    return nums.astype(np.int64) * np.int64(factor)


def classify_tables(old: TabulatedMechanism, new: TabulatedMechanism) -> np.ndarray:
    """The kind of every pair, shaped (profiles, agents): codes `SAME` .. `EQUIVALENT`."""
    domain = old.domain
    problem, sizes = domain.problem, domain.sizes
    n, m = problem.n, problem.m
    common = lcm(int(old.denominator), int(new.denominator))
    exact = common >= 2**62 // max(m + 1, 1)  # prefix sums are at most L: int64 below that
    a = _common(old, common // int(old.denominator), exact)
    b = _common(new, common // int(new.denominator), exact)
    identical = (a == b).all(axis=2)
    gain = np.zeros((len(domain), n), dtype=bool)
    loss = np.zeros((len(domain), n), dtype=bool)
    shaped_a = a.reshape((*sizes, n, m + 1))
    shaped_b = b.reshape((*sizes, n, m + 1))
    for i in range(n):
        gain_i = np.zeros(sizes, dtype=bool)
        loss_i = np.zeros(sizes, dtype=bool)
        for t, pref in enumerate(domain.preferences[i]):
            cols = list(prefixes(problem, pref)[-1])  # her acceptable objects, best first, then outside
            at = [slice(None)] * n
            at[i] = t
            rows_a = shaped_a[tuple(at)][..., i, :][..., cols]
            rows_b = shaped_b[tuple(at)][..., i, :][..., cols]
            sums_a, sums_b = np.cumsum(rows_a, axis=-1), np.cumsum(rows_b, axis=-1)
            gain_i[tuple(at)] = (sums_b > sums_a).any(axis=-1)
            loss_i[tuple(at)] = (sums_b < sums_a).any(axis=-1)
        gain[:, i] = gain_i.reshape(-1)
        loss[:, i] = loss_i.reshape(-1)
    codes = np.full((len(domain), n), EQUIVALENT, dtype=np.uint8)
    codes[loss] = WORSE
    codes[gain] = BETTER
    codes[gain & loss] = INCOMPARABLE
    codes[identical] = SAME
    return codes


def _row(table: TabulatedMechanism, index: int, agent: int) -> tuple[Fraction, ...]:
    return table.at_index(index).matrix[agent]


def _assigned(table: TabulatedMechanism) -> tuple[int, ...]:
    """Per agent, the sum over the profiles of her outside option's numerator."""
    outside = table.numerators[:, :, -1]
    count = len(table.domain)
    if outside.dtype != object and count * int(table.denominator) < 2**62:
        return tuple(int(v) for v in outside.sum(axis=0, dtype=np.int64))
    return tuple(sum(int(v) for v in outside[:, i]) for i in range(outside.shape[1]))


def size_change(old: TabulatedMechanism, new: TabulatedMechanism) -> SizeChange:
    """The size of the assignments summed over the domain (Erdil, section 2: |gamma|, the
    probability of objects assigned), and per agent NEW minus OLD."""
    problem, count = old.domain.problem, len(old.domain)
    d_old, d_new = int(old.denominator), int(new.denominator)
    out_old, out_new = _assigned(old), _assigned(new)
    old_total = Fraction(count * problem.n * d_old - sum(out_old), d_old)
    new_total = Fraction(count * problem.n * d_new - sum(out_new), d_new)
    per_agent = tuple(
        (a, Fraction(out_old[i], d_old) - Fraction(out_new[i], d_new)) for i, a in enumerate(problem.agents)
    )
    return SizeChange(count, old_total, new_total, per_agent)


def compare_tables(old: TabulatedMechanism, new: TabulatedMechanism) -> Differences:
    """Every pair of two tables over one domain, classified and summed up (`Differences`)."""
    domain: Domain = old.domain
    if new.domain != domain:
        raise ValueError("compare_tables: the tables are over different domains")
    n = domain.problem.n
    codes = classify_tables(old, new)
    flat = codes.reshape(-1)
    counts = tuple(int(c) for c in np.bincount(flat, minlength=len(CATEGORIES)))
    first: dict[str, Pair] = {}
    for code, name in enumerate(CATEGORIES):
        if counts[code]:
            rank = int(np.argmax(flat == code))
            index, agent = divmod(rank, n)
            first[name] = _pair(old, new, rank, index, agent, name)
    differ = np.flatnonzero((codes != SAME).any(axis=1))
    changed = tuple(_changed(old, new, codes, int(index)) for index in differ[:CHANGED_LISTED])
    digest = hashlib.sha256(LETTERS[flat].tobytes()).hexdigest()
    return Differences(
        "exhaustive", len(domain), n, counts, first, len(differ), changed, size_change(old, new), digest
    )


def _pair(
    old: TabulatedMechanism, new: TabulatedMechanism, rank: int, index: int, agent: int, kind: str
) -> Pair:
    problem = old.domain.problem
    profile = old.domain.profile(index)
    return Pair(
        rank,
        index,
        profile,
        problem.agents[agent],
        agent,
        _row(old, index, agent),
        _row(new, index, agent),
        kind,
    )


def _changed(
    old: TabulatedMechanism, new: TabulatedMechanism, codes: np.ndarray, index: int
) -> ChangedProfile:
    problem = old.domain.problem
    rows = tuple(
        (problem.agents[i], _row(old, index, i), _row(new, index, i))
        for i in range(problem.n)
        if codes[index, i] != SAME
    )
    return ChangedProfile(index, old.domain.profile(index), rows)
