"""A hunted counterexample, re-verified exactly and certified like `verified check`'s FAILS.

The candidate's one or two profiles form a restricted product domain of the file's problem:
every agent keeps her ranking of the profile, and for a manipulation the manipulating agent
has two rankings, the truth and the lie (as in `verified.io.local`). The mechanism is tabulated
there (one or two evaluations), and the registry's whole-domain check of the property runs on
that table, exactly as `verified check` would on a small file: the verdict, its evidence and
its certificate (subject: that table, hashed) are that check's, and the independent checker
re-derives them. Each of these properties quantifies over the profiles present, so a violation
on the restricted domain is a violation on every domain that contains its profiles.
"""

from __future__ import annotations

from typing import Any

from verified.assignment.domain import Domain
from verified.assignment.mechanism import tabulate
from verified.hunt.detect import Violation
from verified.hunt.misreports import with_report
from verified.io.hunt import HuntSubject
from verified.results import CheckResult


def local_domain(subject: HuntSubject, violation: Violation) -> Domain:
    """The profiles ``violation`` needs, as a restricted domain of the subject's problem."""
    per_agent: list[list[tuple[str, ...]]] = [[ranking] for ranking in violation.profile]
    if violation.property == "sp":
        assert violation.agent is not None and violation.misreport is not None
        per_agent[violation.agent] = [violation.profile[violation.agent], violation.misreport]
    return Domain.restricted(subject.problem, per_agent)


def certify(subject: HuntSubject, violation: Violation) -> tuple[CheckResult, dict[str, Any]] | None:
    """The registry's check of the violated property on the mechanism's table over
    `local_domain`, and its certificate; None when that exact check does not confirm a
    violation (the candidate is then dropped, never reported)."""
    from verified.certificates import build_certificate
    from verified.registry import check_here, subject_for

    domain = local_domain(subject, violation)
    table = tabulate(subject.mechanism, domain)
    local = subject.local_subject(domain, table)
    result = check_here(violation.property, local)
    if not result.fails:
        return None
    return result, build_certificate(violation.property, result, subject_for(violation.property, local))


def lie_profile(violation: Violation) -> tuple[tuple[str, ...], ...]:
    """The profile after the manipulating agent's lie (``sp`` only)."""
    assert violation.agent is not None and violation.misreport is not None
    return with_report(violation.profile, violation.agent, violation.misreport)
