"""Pareto-efficient deterministic assignments at a profile (for ex post efficiency).

g(R) is ex post efficient when it is a lottery over deterministic assignments that
are Pareto efficient at R (Erdil, section 2). At one small profile we enumerate
every individually rational deterministic assignment (each agent gets an
acceptable object or her outside option, capacities respected) and keep those
that no other one Pareto-dominates (everyone weakly better, someone strictly).
"""

from __future__ import annotations

import itertools

from verified.assignment.model import OUTSIDE, Problem, Profile

Assignment = tuple[str, ...]  # per agent: an object name or OUTSIDE


def _rank(pref: tuple[str, ...], x: str) -> int:
    return len(pref) if x == OUTSIDE else pref.index(x)


def efficient_assignments(problem: Problem, profile: Profile) -> list[Assignment]:
    """Every Pareto-efficient, individually rational deterministic assignment, sorted."""
    options = [(*pref, OUTSIDE) for pref in profile]
    feasible = []
    for choice in itertools.product(*options):
        used = {x: 0 for x in problem.objects}
        for x in choice:
            if x != OUTSIDE:
                used[x] += 1
        if all(used[x] <= problem.capacity(x) for x in problem.objects):
            feasible.append(choice)
    ranks = [tuple(_rank(profile[i], x) for i, x in enumerate(a)) for a in feasible]
    out = []
    for a, ra in zip(feasible, ranks, strict=True):
        dominated = any(all(s <= t for s, t in zip(rb, ra, strict=True)) and rb != ra for rb in ranks)
        if not dominated:
            out.append(a)
    return sorted(out)
