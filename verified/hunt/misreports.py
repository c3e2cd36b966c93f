"""The misreports worth trying first, and the size of a manipulation.

SD-strategy-proofness (Erdil, section 2) asks that an agent's truthful lottery first-order
stochastically dominate, under her true ranking, the lottery of every misreport. Which lies
pay depends on the mechanism, but a few shapes find most manipulations of the mechanisms in the
literature (Boston, PS, random-order variants, hand-written rules):

* ``truncation``: a prefix of the true list (drop the tail of acceptable objects);
* ``swap``: two adjacent objects exchanged;
* ``drop``: one object left out (skipping an object ranked high but out of reach);
* ``contested first``: a contested object (more first choices than copies) moved to the top;
* ``safe first``: the least contested acceptable object moved to the top (the classic Boston
  manipulation: rank first a school you surely get);
* ``extend``: one object the agent does not accept added at the end.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction

from verified.assignment.model import Preference, Problem, Profile
from verified.assignment.stochastic import Row

KINDS = ("truncation", "swap", "drop", "contested first", "safe first", "extend")


def pressure(problem: Problem, profile: Profile) -> dict[str, Fraction]:
    """First choices per copy of each object: above 1, the object is contested."""
    firsts = {x: 0 for x in problem.objects}
    for ranking in profile:
        if ranking:
            firsts[ranking[0]] += 1
    return {x: Fraction(firsts[x], problem.capacity(x)) for x in problem.objects}


def _moved_first(ranking: Preference, x: str) -> Preference:
    return (x, *(y for y in ranking if y != x))


def candidates(problem: Problem, profile: Profile, agent: int) -> list[tuple[str, Preference]]:
    """The misreports of `KINDS` for ``agent`` at ``profile``, each once, truth excluded, in the
    order above (kind, ranking)."""
    truth = profile[agent]
    seen = {truth}
    out: list[tuple[str, Preference]] = []

    def add(kind: str, ranking: Preference) -> None:
        if ranking not in seen:
            seen.add(ranking)
            out.append((kind, ranking))

    for k in range(len(truth)):
        add("truncation", truth[:k])
    for k in range(len(truth) - 1):
        add("swap", (*truth[:k], truth[k + 1], truth[k], *truth[k + 2 :]))
    for k in range(len(truth)):
        add("drop", truth[:k] + truth[k + 1 :])
    load = pressure(problem, profile)
    listed = sorted(truth, key=lambda x: (-load[x], problem.object_index(x)))
    for x in listed:
        if load[x] > 1:
            add("contested first", _moved_first(truth, x))
    for x in reversed(listed):
        add("safe first", _moved_first(truth, x))
    for x in problem.objects:
        if x not in truth:
            add("extend", (*truth, x))
    return out


def prefix_sums(problem: Problem, row: Row, ranking: Preference) -> Iterator[Fraction]:
    """The probability of each top-k set of ``ranking`` (k = 1 .. its length) under ``row``."""
    total = Fraction(0)
    for x in ranking:
        total += row[problem.object_index(x)]
        yield total


def manipulation_gap(problem: Problem, truthful: Row, lie: Row, ranking: Preference) -> Fraction:
    """max over k of (top-k probability when lying) - (when truthful), under the true
    ``ranking``: positive exactly when the truthful row does not SD-dominate the lie's (a
    manipulation); 0 or below otherwise. The size hunting climbs on."""
    if not ranking:
        return Fraction(-1)
    return max(
        b - a
        for a, b in zip(
            prefix_sums(problem, truthful, ranking), prefix_sums(problem, lie, ranking), strict=True
        )
    )


def with_report(profile: Profile, agent: int, report: Sequence[str]) -> Profile:
    """``profile`` with ``agent``'s ranking replaced by ``report``."""
    return (*profile[:agent], tuple(report), *profile[agent + 1 :])
