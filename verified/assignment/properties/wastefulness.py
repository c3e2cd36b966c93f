"""Wastefulness (Erdil, section 2) and the size of an assignment.

gamma is wasteful at R if there are an agent j and y, z in X_j with z P_j y,
gamma_jy > 0 and sum_i gamma_iz < q_z. y may be the outside option j. Reading taken
for the unspecified part of a ranking (below the outside option): z ranges over j's
acceptable objects and her outside option (whose "capacity" is q_j = 1, as in the
paper; only j can hold it); "z P_j y" is certain when y is an acceptable object
listed after z, the outside option after an acceptable z, or any unacceptable object
(all of which rank below the outside option). Hence a row with probability on an
unacceptable object is always wasteful (take z = the outside option).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.intbounds import scaled_capacities
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.model import Preference, Problem
from verified.assignment.properties._common import (
    SubsetSums,
    agent_block,
    as_table,
    domain_description,
    profile_at,
    row_json,
    table_digest,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.results import CheckResult, fails, holds


def size(assignment: StochasticAssignment) -> Fraction:
    """``|gamma|`` = sum over agents i and objects x (not the outside option) of gamma_ix."""
    return assignment.size()


def _below(problem: Problem, pref: Preference, position: int) -> list[int]:
    """Columns certainly ranked below the ``position``-th entry of ``pref`` (position
    ``len(pref)`` is the outside option): later acceptable objects, the outside option,
    then the unacceptable objects in object order."""
    listed = [problem.object_index(x) for x in pref]
    unacceptable = [k for k in range(problem.m) if k not in listed]
    if position == len(pref):
        return unacceptable
    return [*listed[position + 1 :], problem.m, *unacceptable]


def _witness(assignment: StochasticAssignment, prof: tuple[Preference, ...]) -> dict[str, Any] | None:
    problem = assignment.problem
    columns = [assignment.column_sum(x) for x in problem.objects]
    for j, pref in enumerate(prof):
        row = assignment.matrix[j]
        candidates = [problem.object_index(x) for x in pref] + [problem.m]
        for position, z in enumerate(candidates):
            if z == problem.m:
                used, capacity = row[z], 1
            else:
                used, capacity = columns[z], problem.capacities[z]
            if used >= capacity:
                continue
            for y in _below(problem, pref, position):
                if row[y] > 0:
                    return {
                        "kind": "waste",
                        "profile": [list(p) for p in prof],
                        "agent": problem.agents[j],
                        "preference": list(pref),
                        "y": problem.columns[y],
                        "z": problem.columns[z],
                        "gamma_jy": row[y],
                        "z_column_sum": used,
                        "z_capacity": capacity,
                        "row": row_json(problem, row),
                    }
    return None


def check_nonwasteful_assignment(
    assignment: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> CheckResult:
    """Is ``assignment`` NON-wasteful at ``profile`` (Erdil, section 2; see module docstring)?
    The one-profile form of `check_nonwasteful`, reported under the same name
    (``"nonwasteful"``); `check_wastefulness` is its older name, kept as an alias.

    HOLDS when no waste exists; evidence ``no_waste`` gives every object's column sum
    and capacity (the only numbers the definition needs besides the rows). FAILS
    evidence ``waste``: agent j, y, z (``"outside"`` for the outside option),
    gamma_jy > 0, the column sum of z < its capacity, and j's row."""
    problem = assignment.problem
    prof = problem.profile(profile)
    found = _witness(assignment, prof)
    if found is not None:
        return fails("nonwasteful", found)
    return holds(
        "nonwasteful",
        {
            "kind": "no_waste",
            "profile": [list(p) for p in prof],
            "column_sums": {x: assignment.column_sum(x) for x in problem.objects},
            "size": assignment.size(),
        },
    )


#: The older name of `check_nonwasteful_assignment` (the same function): it reports under
#: ``"nonwasteful"`` and HOLDS when the assignment is NOT wasteful (`verified.vocabulary`).
check_wastefulness = check_nonwasteful_assignment


def is_nonwasteful_assignment(
    assignment: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> bool:
    return check_nonwasteful_assignment(assignment, profile).holds


def is_wasteful(assignment: StochasticAssignment, profile: Sequence[Sequence[str] | str]) -> bool:
    """Erdil's "wasteful" (the negation of `check_nonwasteful_assignment` holding)."""
    return check_nonwasteful_assignment(assignment, profile).fails


def check_nonwasteful(
    mechanism: Mechanism | TabulatedMechanism,
    domain: Domain,
    *,
    all_violations: bool = False,
    limit: int | None = None,
) -> CheckResult:
    """Is the mechanism non-wasteful at every profile of ``domain``?

    Vectorised: waste at (j, z) exists iff z has spare capacity and j's probability
    strictly below z is positive, i.e. the prefix sum through z is < 1. The first
    such profile (agent-major, then ranking, then z) is re-examined exactly and
    reported as in `check_nonwasteful_assignment`. HOLDS evidence ``exhaustive``: domain, table
    digest and the number of (profile, agent) pairs checked. With ``all_violations=True``:
    the same result, and ``stats["violations"]`` counts every (profile, agent) pair with a
    waste witness (`violations_count`)."""
    if all_violations:
        from verified.assignment.properties.violations_count import counted

        return counted("nonwasteful", check_nonwasteful, mechanism, domain, limit)
    table = as_table(mechanism, domain)
    problem = domain.problem
    den = table.denominator
    nums = table.numerators
    spare_shape = (*domain.sizes, problem.m)
    column_sums = nums[:, :, : problem.m].sum(axis=1)  # <= n * den: int64 only if that fits
    capacities = scaled_capacities(problem.capacities, den)  # q * den: int64 only if it fits
    spare = np.asarray(column_sums < capacities, dtype=bool).reshape(spare_shape)
    for j in range(problem.n):
        sums = SubsetSums(agent_block(table, j), den)
        for t, pref in enumerate(domain.preferences[j]):
            listed = [problem.object_index(x) for x in pref]
            for position in range(len(listed) + 1):
                if position < len(listed):
                    z = listed[position]
                    free = spare[..., z].take(t, axis=j)
                    through = sums.get(tuple(listed[: position + 1]))
                else:
                    free = sums.column(problem.m).take(t, axis=j) < den
                    through = sums.get((*listed, problem.m))
                bad = np.asarray(free & (through.take(t, axis=j) < den))
                if bad.any():
                    r = int(np.argmax(bad.reshape(-1)))
                    index, prof = profile_at(domain, j, t, r)
                    return check_nonwasteful_assignment(table.at_index(index), prof)
    return holds(
        "nonwasteful",
        {
            "kind": "exhaustive",
            "domain": domain_description(domain),
            "table_digest": table_digest(table),
            "pairs_checked": len(domain) * problem.n,
        },
    )


def is_nonwasteful(mechanism: Mechanism | TabulatedMechanism, domain: Domain) -> bool:
    return check_nonwasteful(mechanism, domain).holds
