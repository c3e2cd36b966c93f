"""Ex post stability with respect to weak priorities (Erdil, section 3).

gamma is ex post stable at R for priorities % when it is a lottery over deterministic
matchings that are stable at R: individually rational, non-wasteful and free of priority
violations (`verified.assignment.priorities.blocking_pairs`). Decided exactly, as ex post
efficiency is, by the LP decomposition over the stable matchings inside supp(gamma)
(`_decomposition`): HOLDS with the lottery, FAILS with Farkas prices that every stable
matching in the support prices at <= 0 while gamma's expected price is > 0. RDA (DA after
a uniformly random tie-break) is ex post stable by construction: every tie-break gives a
matching stable for the broken, hence for the weak, priorities.
"""

from __future__ import annotations

from collections.abc import Sequence

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.priorities import Priorities, blocking_pairs
from verified.assignment.properties._common import domain_description
from verified.assignment.properties._decomposition import (
    DEFAULT_MAX_ASSIGNMENTS,
    TooManyAssignments,
    decompose_over,
    farkas_evidence,
    require_limit,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.results import CheckResult, digest, fails, holds, unknown


def check_ex_post_stable_assignment(
    gamma: StochasticAssignment,
    profile: Sequence[Sequence[str] | str],
    priorities: Priorities,
    *,
    max_assignments: int = DEFAULT_MAX_ASSIGNMENTS,
) -> CheckResult:
    """Is gamma a lottery over matchings stable at ``profile`` for ``priorities`` (Erdil,
    section 3)?

    HOLDS evidence ``stable_lottery``: ``priorities`` and ``lottery`` (weights and stable
    matchings summing exactly to gamma). FAILS evidence ``farkas``: ``prices`` (agent ->
    column -> y), ``assignment_price`` = sum y gamma > 0, and ``family``: every stable
    matching inside supp(gamma) with its price <= 0. UNKNOWN if the support holds more than
    ``max_assignments`` deterministic assignments or the LP gives up."""
    prop = "ex_post_stable"
    p = gamma.problem
    if priorities.problem != p:
        raise InvalidInput("the priorities belong to another problem", "priorities")
    prof = p.profile(profile)
    base = {
        "profile": [list(r) for r in prof],
        "assignment": gamma.to_json(),
        "priorities": priorities.to_json(),
    }
    try:
        found = decompose_over(
            gamma, lambda d: not blocking_pairs(d.assigned, prof, priorities), require_limit(max_assignments)
        )
    except TooManyAssignments as exc:
        return unknown(prop, str(exc))
    if found.lottery is not None:
        return holds(prop, {"kind": "stable_lottery", **base, "lottery": found.lottery.to_json()})
    if found.prices is not None:
        return fails(prop, {"kind": "farkas", **base, **farkas_evidence(gamma, found)})
    return unknown(prop, f"exact LP: {found.unknown_reason}")


def is_ex_post_stable_assignment(
    gamma: StochasticAssignment, profile: Sequence[Sequence[str] | str], priorities: Priorities
) -> bool:
    return check_ex_post_stable_assignment(gamma, profile, priorities).holds


def check_ex_post_stable(
    mechanism: Mechanism | TabulatedMechanism, domain: Domain, priorities: Priorities
) -> CheckResult:
    """`check_ex_post_stable_assignment` at every profile of ``domain``. FAILS/UNKNOWN: the
    first profile's evidence (plus ``mechanism``). HOLDS evidence ``exhaustive``: domain,
    priorities, number of profiles and ``certificates_digest`` = `verified.results.digest`
    of the list of per-profile HOLDS evidences in domain order."""
    prop = "ex_post_stable"
    certificates = []
    for index, profile in enumerate(domain):
        gamma = mechanism.at_index(index) if isinstance(mechanism, TabulatedMechanism) else mechanism(profile)
        found = check_ex_post_stable_assignment(gamma, profile, priorities)
        if not found.holds:
            evidence = {**found.evidence, "mechanism": mechanism.name}
            if found.unknown:
                return unknown(prop, f"at profile {[list(r) for r in profile]}: {found.reason}", evidence)
            return fails(prop, evidence)
        certificates.append(found.evidence)
    return holds(
        prop,
        {
            "kind": "exhaustive",
            "mechanism": mechanism.name,
            "domain": domain_description(domain),
            "priorities": priorities.to_json(),
            "profiles_checked": len(certificates),
            "certificates_digest": digest(certificates),
        },
    )


def is_ex_post_stable(
    mechanism: Mechanism | TabulatedMechanism, domain: Domain, priorities: Priorities
) -> bool:
    return check_ex_post_stable(mechanism, domain, priorities).holds
