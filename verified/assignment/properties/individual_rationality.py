"""Individual rationality (Erdil, section 2): i P_i x implies gamma_ix = 0, i.e. no agent
gets positive probability of an object she did not list as acceptable."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.model import Problem, Profile
from verified.assignment.properties._common import (
    agent_block,
    as_table,
    domain_description,
    profile_at,
    table_digest,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.results import CheckResult, fails, holds


def _unacceptable(problem: Problem, pref: Sequence[str]) -> list[int]:
    listed = set(pref)
    return [k for k, x in enumerate(problem.objects) if x not in listed]


def _unacceptable_share(problem: Problem, prof: Profile, i: int, k: int, share: Fraction) -> CheckResult:
    """FAILS: agent i gets ``share`` > 0 of the object k she did not list."""
    return fails(
        "individually_rational",
        {
            "kind": "unacceptable_share",
            "profile": [list(p) for p in prof],
            "agent": problem.agents[i],
            "object": problem.objects[k],
            "probability": share,
        },
    )


def check_individually_rational_assignment(
    assignment: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> CheckResult:
    """Is ``assignment`` individually rational at ``profile`` (Erdil, section 2)?

    FAILS evidence ``unacceptable_share``: profile, agent, the unacceptable object and its
    probability. HOLDS evidence ``zero_unacceptable``: the number of (agent, unacceptable
    object) entries checked to be 0."""
    problem = assignment.problem
    prof = problem.profile(profile)
    checked = 0
    for i, pref in enumerate(prof):
        for k in _unacceptable(problem, pref):
            checked += 1
            if assignment.matrix[i][k] != 0:
                return _unacceptable_share(problem, prof, i, k, assignment.matrix[i][k])
    return holds(
        "individually_rational",
        {"kind": "zero_unacceptable", "profile": [list(p) for p in prof], "entries_checked": checked},
    )


def is_individually_rational_assignment(
    assignment: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> bool:
    return check_individually_rational_assignment(assignment, profile).holds


def check_individually_rational(
    mechanism: Mechanism | TabulatedMechanism,
    domain: Domain,
    *,
    all_violations: bool = False,
    limit: int | None = None,
) -> CheckResult:
    """Is the mechanism individually rational at every profile of ``domain``?

    Vectorised over the table (a `FunctionMechanism` is tabulated first). FAILS
    evidence as for `check_individually_rational_assignment`; HOLDS evidence
    ``exhaustive``: domain description, table digest, entries checked. With
    ``all_violations=True``: the same result, and ``stats["violations"]`` counts every
    violating (profile, agent) pair (`violations_count`)."""
    if all_violations:
        from verified.assignment.properties.violations_count import counted

        return counted("individually_rational", check_individually_rational, mechanism, domain, limit)
    table = as_table(mechanism, domain)
    problem = domain.problem
    checked = 0
    for i in range(problem.n):
        block = agent_block(table, i)
        # One pass over the agent's rows with a (ranking, object) mask of the unacceptable
        # objects; only a table with a fault is searched ranking by ranking (for the first one).
        rankings = domain.preferences[i]
        mask = np.zeros((len(rankings), problem.m), dtype=bool)
        for t, pref in enumerate(rankings):
            mask[t, _unacceptable(problem, pref)] = True
        checked += int(mask.sum()) * (len(domain) // len(rankings))  # each (t, k): the others' profiles
        shape = [1] * problem.n + [problem.m]
        shape[i] = len(rankings)
        if not ((block[..., : problem.m] != 0) & mask.reshape(shape)).any():
            continue
        for t, pref in enumerate(rankings):
            for k in _unacceptable(problem, pref):
                values = np.asarray(block[..., k].take(t, axis=i)).reshape(-1)
                bad = values != 0
                if bad.any():
                    r = int(np.argmax(bad))
                    index, prof = profile_at(domain, i, t, r)
                    return _unacceptable_share(problem, prof, i, k, table.entry(index, i, k))
    return holds(
        "individually_rational",
        {
            "kind": "exhaustive",
            "domain": domain_description(domain),
            "table_digest": table_digest(table),
            "entries_checked": checked,
        },
    )


def is_individually_rational(mechanism: Mechanism | TabulatedMechanism, domain: Domain) -> bool:
    return check_individually_rational(mechanism, domain).holds
