"""Ex post stability in the search, and the checks of the base the search relies on.

*Ex post stable* (Erdil, section 3; Proposition 3(ii)): at every profile, g is a lottery over
deterministic matchings that are stable for the given weak priorities -- individually
rational, non-wasteful and free of priority violations
(`verified.assignment.priorities.blocking_pairs`). The search asks it at the changed profiles
through lottery variables over the admissible matchings there (`admissible_assignments`:
the stable ones, intersected with the Pareto-efficient ones when ex post efficiency is asked
too); elsewhere g *is* the base, so the base itself must be ex post stable there.

*The base*: with a neighbourhood, g equals the base f outside the changed profiles, so "g is
SD-strategy-proof" rests on f being SD-strategy-proof on every pair of unchanged cells, and
"g is ex post stable" on f being ex post stable at every unchanged profile. `check_base`
decides both exactly on f's table over the whole domain (integer prefix sums; the LP
decomposition of `verified.assignment.properties.stability`) and refuses a base that fails,
with the manipulation or the profile in words. The certificate records what was checked
(`base_checked_json`), and the independent checker re-derives the base from its definition
at every profile and checks it again (`verified.recheck.search_base`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import OUTSIDE, Problem, Profile
from verified.assignment.priorities import Priorities, blocking_pairs
from verified.errors import InvalidInput
from verified.search.expost import efficient_assignments

Assignment = tuple[str, ...]  # per agent: an object name or OUTSIDE


def read_priorities(problem: Problem, value: object, where: str = "ex_post_stable") -> Priorities:
    """``value`` as `Priorities`: a `Priorities` of this problem, or per object its tiers of
    agent indices, highest first (the format of the RDA base in a search file)."""
    from verified.search.bases import weak_priorities

    if isinstance(value, Priorities):
        if value.problem != problem:
            raise InvalidInput("the priorities belong to another problem", where)
        return value
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidInput("must list, per object, its tiers of agent indices (highest first)", where)
    return weak_priorities(problem, value, where)  # type: ignore[arg-type]


def priorities_json(priorities: Priorities) -> list[list[list[int]]]:
    """Per object, its tiers of agent indices, highest first (the certificate's format)."""
    index = {a: i for i, a in enumerate(priorities.problem.agents)}
    return [[[index[a] for a in tier] for tier in order] for order in priorities.classes]


def stable_assignments(problem: Problem, profile: Profile, priorities: Priorities) -> list[Assignment]:
    """Every deterministic matching stable at ``profile`` for ``priorities``, sorted: each agent
    gets an acceptable object or OUTSIDE, capacities hold, and no blocking pair exists."""
    out = []
    for choice in itertools.product(*[(*pref, OUTSIDE) for pref in profile]):
        used = dict.fromkeys(problem.objects, 0)
        for x in choice:
            if x != OUTSIDE:
                used[x] += 1
        if any(used[x] > problem.capacity(x) for x in problem.objects):
            continue
        matching = [None if x == OUTSIDE else x for x in choice]
        if not blocking_pairs(matching, profile, priorities):
            out.append(tuple(choice))
    return sorted(out)


def admissible_assignments(
    problem: Problem, profile: Profile, *, efficient: bool, priorities: Priorities | None
) -> list[Assignment]:
    """The deterministic matchings g may mix at a changed profile: the Pareto-efficient ones
    (``efficient``), the stable ones (``priorities``), or those that are both."""
    sets = []
    if efficient:
        sets.append(efficient_assignments(problem, profile))
    if priorities is not None:
        sets.append(stable_assignments(problem, profile, priorities))
    if not sets:
        raise ValueError("neither ex post efficiency nor ex post stability was asked")
    common = set(sets[0]).intersection(*sets[1:])
    return sorted(common)


def _words(profile: Sequence[Sequence[str]]) -> str:
    return "; ".join(f"{k + 1}: {' > '.join(r) if r else '(nothing)'}" for k, r in enumerate(profile))


def manipulation_words(problem: Problem, bad: Mapping[str, Any]) -> str:
    """A manipulation found by `verified.search.dominate._sp_violation`, in words."""
    return (
        f"the base mechanism is not SD-strategy-proof: at the profile {_words(bad['profile'])}, agent "
        f"{bad['agent']} gains by reporting {' > '.join(bad['misreport']) or '(nothing)'}: it raises her "
        f"probability of getting one of {{{', '.join(bad['prefix'])}}}"
    )


def check_base(table: TabulatedMechanism, priorities: Priorities | None) -> dict[str, Any]:
    """Refuse a base that is not SD-strategy-proof on the whole domain, or (with ``priorities``)
    not ex post stable at some profile; return what was checked (`base_checked_json`)."""
    from verified.search.dominate import _sp_violation

    domain = table.domain
    problem = domain.problem
    bad = _sp_violation(table)
    if bad is not None:
        raise InvalidInput(manipulation_words(problem, bad), "base")
    if priorities is not None:
        from verified.assignment.properties.stability import check_ex_post_stable

        result = check_ex_post_stable(table, domain, priorities)
        if not result.holds:
            where = result.evidence.get("profile")
            at = f" at the profile {_words(where)}" if where else ""
            raise InvalidInput(
                f"the base mechanism is not ex post stable for the priorities{at} "
                f"({result.verdict.value}): g equals the base outside the changed profiles, so no "
                "ex post stable g exists in the search space; use a base that is (e.g. "
                "random_deferred_acceptance with these priorities)",
                "base",
            )
    return base_checked_json(domain, priorities is not None)


def base_checked_json(domain: Domain, stable: bool) -> dict[str, Any]:
    """What the certificate says was checked of the base: SD-strategy-proofness over every
    profile and misreport of the domain, and ex post stability at every profile when asked."""
    profiles = len(domain)
    misreports = profiles * sum(len(ps) - 1 for ps in domain.preferences)
    return {
        "profiles": profiles,
        "misreports": misreports,
        "properties": ["sp", "ex-post-stable"] if stable else ["sp"],
    }
