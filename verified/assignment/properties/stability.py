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

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from verified.assignment.domain import Domain
from verified.assignment.lottery import DeterministicAssignment
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.model import Profile
from verified.assignment.priorities import Priorities, blocking_pairs
from verified.assignment.properties._admissible import stable
from verified.assignment.properties._common import as_table, over_domain
from verified.assignment.properties._decomposition import DEFAULT_MAX_ASSIGNMENTS, lottery_or_farkas
from verified.assignment.properties._whole_domain import exhaustive, per_profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.results import CheckResult


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

    def stable(d: DeterministicAssignment) -> bool:
        return not blocking_pairs(d.assigned, prof, priorities)

    return lottery_or_farkas(prop, "stable_lottery", gamma, stable, max_assignments, base)


def is_ex_post_stable_assignment(
    gamma: StochasticAssignment, profile: Sequence[Sequence[str] | str], priorities: Priorities
) -> bool:
    return check_ex_post_stable_assignment(gamma, profile, priorities).holds


def check_ex_post_stable(
    mechanism: Mechanism | TabulatedMechanism,
    domain: Domain,
    priorities: Priorities,
    *,
    all_violations: bool = False,
    limit: int | None = None,
) -> CheckResult:
    """`check_ex_post_stable_assignment` at every profile of ``domain``. FAILS/UNKNOWN: the
    first profile's evidence (plus ``mechanism``). HOLDS evidence ``exhaustive``: domain,
    priorities, number of profiles and ``certificates_digest`` = `verified.results.digest`
    of the list of per-profile HOLDS evidences in domain order. A table over ``domain`` goes
    through `_whole_domain` (the same evidence, computed for all profiles at once). With
    ``all_violations=True``: every profile is decided, the same result, and
    ``stats["violations"]`` counts the profiles where it fails (`violations_count`)."""
    stable_at = _one_profile(priorities)
    extra = {"priorities": priorities.to_json()}
    tally = _tally(domain, limit) if all_violations else None
    if isinstance(mechanism, TabulatedMechanism) and mechanism.domain == domain:
        _same_problem(priorities, domain)
        admissible = partial(stable, domain, priorities)
        result = exhaustive(
            "ex_post_stable", mechanism, admissible, "stable_lottery", extra, stable_at, extra, sink=tally
        )
    else:
        result = over_domain("ex_post_stable", mechanism, domain, stable_at, extra, sink=tally)
    return _reported(result, tally)


def check_ex_post_stable_per_profile(
    table: TabulatedMechanism,
    domain: Domain,
    priorities: Priorities,
    *,
    all_violations: bool = False,
    limit: int | None = None,
) -> CheckResult:
    """Ex post stability at every profile with every profile's certificate kept: exactly
    the one-profile loop ``_per_profile("ex_post_stable", check, table, domain)`` with ``check``
    = `check_ex_post_stable_assignment` for ``priorities`` (HOLDS ``per_profile`` with the list
    of per-profile evidences; else the first failing profile's own result), computed by
    `_whole_domain` for all profiles at once (``all_violations``: as for
    `check_ex_post_stable`)."""
    table = as_table(table, domain)
    _same_problem(priorities, domain)
    tally = _tally(domain, limit) if all_violations else None
    result = per_profile(
        "ex_post_stable",
        table,
        partial(stable, domain, priorities),
        "stable_lottery",
        {"priorities": priorities.to_json()},
        _one_profile(priorities),
        sink=tally,
    )
    return _reported(result, tally)


def _tally(domain: Domain, limit: int | None) -> Any:
    """A `violations_count.Tally` of the profiles where ex post stability fails."""
    from verified.assignment.properties.violations_count import per_profile_tally

    return per_profile_tally("ex_post_stable", domain, limit)


def _reported(result: CheckResult, tally: Any) -> CheckResult:
    """``result`` with the tally's report in its stats (unchanged without a tally)."""
    if tally is None:
        return result
    from verified.assignment.properties.violations_count import with_report

    return with_report(result, tally)


def _one_profile(priorities: Priorities) -> Callable[[StochasticAssignment, Profile], CheckResult]:
    """`check_ex_post_stable_assignment` for ``priorities``: a `functools.partial`, so that the
    engine's workers can be sent it."""
    return partial(check_ex_post_stable_assignment, priorities=priorities)


def _same_problem(priorities: Priorities, domain: Domain) -> None:
    if priorities.problem != domain.problem:
        raise InvalidInput("the priorities belong to another problem", "priorities")


def is_ex_post_stable(
    mechanism: Mechanism | TabulatedMechanism, domain: Domain, priorities: Priorities
) -> bool:
    return check_ex_post_stable(mechanism, domain, priorities).holds
