"""SD-strategy-proofness (Erdil, section 2): f is strategy-proof if
``f_i(R) R~_i f_i(R'_i, R_-i)`` for every profile R, agent i and report R'_i, where R~_i is
first-order stochastic dominance judged with the TRUE ranking R_i (see `fosd` for the
prefix convention). Both the true ranking and the report range over the agent's
domain.

Whole-domain check of a table, exact and vectorised: for agent i and a prefix S of a
true ranking t, let A_S[r, rest] be agent i's probability of S (an integer numerator)
when she reports r and the others report ``rest``. Truth-telling at (t, rest) is
violated at S iff A_S[t, rest] < max_r A_S[r, rest]. One maximum per prefix set serves
every true ranking having that prefix, so the work is about (number of prefix sets) x
(table size). Sums of entries of one row never exceed the denominator, so int32/int64
is exact (see `_common.work_dtype`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from verified.assignment.domain import Domain, all_preferences
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.model import Preference, Problem
from verified.assignment.properties._common import (
    SubsetSums,
    agent_block,
    as_table,
    domain_description,
    prefix_names,
    prefixes,
    profile_at,
    row_json,
    table_digest,
)
from verified.assignment.properties.fosd import prefix_comparisons
from verified.errors import InvalidInput
from verified.results import CheckResult, fails, holds

Manipulation = tuple[int, tuple[int, ...], int, int]


def find_manipulation(
    block: np.ndarray, axis: int, denominator: int, problem: Problem, rankings: Sequence[Preference]
) -> Manipulation | None:
    """The first (true ranking t, prefix, rest index, misreport) at which truth-telling is
    beaten, or None. ``block`` has shape (..., m + 1) with the reported ranking (indices
    into ``rankings``) along ``axis``; ``rest index`` is the C-order index over the other
    axes. Search order: t, then prefix (best first), then rest index; the misreport is
    the first one attaining the largest probability of that prefix."""
    sums = SubsetSums(block, denominator)
    full = tuple(range(problem.m + 1))
    best: dict[tuple[int, ...], np.ndarray] = {}
    for t, pref in enumerate(rankings):
        for cols in prefixes(problem, pref):
            if tuple(sorted(cols)) == full:
                continue  # the whole row: always the denominator
            values = sums.get(cols)
            key = tuple(sorted(cols))
            if key not in best:
                best[key] = values.max(axis=axis)
            short = np.asarray(values.take(t, axis=axis) < best[key])
            if short.any():
                rest = int(np.argmax(short.reshape(-1)))
                column = np.moveaxis(values, axis, -1).reshape(-1, values.shape[axis])[rest]
                misreport = int(np.argmax(column))
                return t, cols, rest, misreport
    return None


def manipulation_evidence(
    problem: Problem,
    profile: Sequence[Preference],
    agent: int,
    misreport: Preference,
    cols: tuple[int, ...],
    truthful_row: Sequence[Fraction],
    lying_row: Sequence[Fraction],
) -> dict[str, Any]:
    return {
        "kind": "manipulation",
        "profile": [list(p) for p in profile],
        "agent": problem.agents[agent],
        "true_preference": list(profile[agent]),
        "misreport": list(misreport),
        "prefix": prefix_names(problem, cols),
        "truthful_cumulative": sum((truthful_row[c] for c in cols), Fraction(0)),
        "misreport_cumulative": sum((lying_row[c] for c in cols), Fraction(0)),
        "truthful_row": row_json(problem, truthful_row),
        "misreport_row": row_json(problem, lying_row),
    }


def check_strategyproof(
    mechanism: Mechanism | TabulatedMechanism,
    domain: Domain | None = None,
    *,
    all_violations: bool = False,
    limit: int | None = None,
) -> CheckResult:
    """Is the mechanism SD-strategy-proof on ``domain`` (Erdil, section 2)?

    A `TabulatedMechanism` is checked on its own domain (``domain`` may be omitted); any
    other mechanism is tabulated on ``domain`` first. FAILS evidence ``manipulation``:
    profile (truthful), agent, true preference, misreport, the prefix where the truthful
    cumulative probability falls short, both cumulatives and both rows. HOLDS evidence
    ``exhaustive``: domain description, table digest (see `_common.table_digest`),
    denominator, and the number of (profile, agent, misreport) comparisons.

    With ``all_violations=True`` the same vectorised pass also counts every violating
    (profile, agent, misreport) triple and lists the first ``limit`` (default 1,000):
    ``stats["violations"]`` is a `violations_count.ViolationReport`; verdict and evidence are
    unchanged."""
    if domain is None:
        if not isinstance(mechanism, TabulatedMechanism):
            raise InvalidInput("a domain is needed to check a mechanism that is not a table", "domain")
        domain = mechanism.domain
    start = time.perf_counter()
    table = as_table(mechanism, domain)
    problem = domain.problem
    den = table.denominator
    tally = None
    stats: dict[str, Any] = {}
    if all_violations:
        from verified.assignment.properties.violations_count import Tally, count_manipulations

        tally = Tally("strategyproof", limit, problem.agents)
    first = None
    for i in range(problem.n):
        if tally is None:
            found = find_manipulation(agent_block(table, i), i, den, problem, domain.preferences[i])
        else:
            found = count_manipulations(table, i, tally)
        if found is not None and first is None:
            first = (i, found)
            if tally is None:
                break
    if tally is not None:
        tally.examined = sum(len(domain) * (k - 1) for k in domain.sizes)
        stats = {"violations": tally.report()}
    if first is not None:
        i, (t, cols, rest, r) = first
        index, prof = profile_at(domain, i, t, rest)
        lying_index, _ = profile_at(domain, i, r, rest)
        return fails(
            "strategyproof",
            manipulation_evidence(
                problem,
                prof,
                i,
                domain.preferences[i][r],
                cols,
                table.at_index(index).matrix[i],
                table.at_index(lying_index).matrix[i],
            ),
            **stats,
        )
    comparisons = sum(len(domain) * (k - 1) for k in domain.sizes)
    return holds(
        "strategyproof",
        {
            "kind": "exhaustive",
            "mechanism": table.name,
            "domain": domain_description(domain),
            "denominator": den,
            "table_digest": table_digest(table),
            "comparisons": comparisons,
        },
        seconds=round(time.perf_counter() - start, 3),
        **stats,
    )


def is_strategyproof(mechanism: Mechanism | TabulatedMechanism, domain: Domain | None = None) -> bool:
    return check_strategyproof(mechanism, domain).holds


def check_strategyproof_at(
    mechanism: Mechanism | TabulatedMechanism,
    profile: Sequence[Sequence[str] | str],
    agent: str | int,
    misreports: Sequence[Sequence[str] | str] | None = None,
) -> CheckResult:
    """Can ``agent`` gain at ``profile`` by one of ``misreports`` (default: her domain's
    rankings for a table, every ranking otherwise)? Exact, with Fractions.

    FAILS evidence ``manipulation`` (as `check_strategyproof`); HOLDS evidence
    ``local_exhaustive``: profile, agent, the misreports checked and the truthful row."""
    problem = mechanism.problem
    prof = problem.profile(profile)
    i = problem.agent_index(agent)
    if misreports is None:
        if isinstance(mechanism, TabulatedMechanism):
            reports = mechanism.domain.preferences[i]
        else:
            reports = all_preferences(problem.objects)
    else:
        reports = tuple(problem.preference(r, f"misreports[{k}]") for k, r in enumerate(misreports))
    truthful = mechanism(prof).matrix[i]
    for report in reports:
        if report == prof[i]:
            continue
        lying = mechanism((*prof[:i], report, *prof[i + 1 :])).matrix[i]
        for cols, sa, sb in prefix_comparisons(truthful, lying, prof[i], problem):
            if sa < sb:
                return fails(
                    "strategyproof", manipulation_evidence(problem, prof, i, report, cols, truthful, lying)
                )
    return holds(
        "strategyproof",
        {
            "kind": "local_exhaustive",
            "profile": [list(p) for p in prof],
            "agent": problem.agents[i],
            "misreports": [list(r) for r in reports if r != prof[i]],
            "truthful_row": row_json(problem, truthful),
        },
    )
