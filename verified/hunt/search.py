"""The search: hypothesis draws profiles (and misreports), climbs toward violations, and shrinks
the first one it finds.

One hypothesis run per property, seeded from the hunt's seed and the property's position, with
no example database (nothing is read from or written to disk) and no deadline, so the same seed
and budget draw the same profiles. A run

* draws a profile (`verified.hunt.profiles`); for ``sp`` also one agent who finds something
  acceptable, up to four of her domain-knowledge misreports (`verified.hunt.misreports`) and
  one arbitrary ranking;
* evaluates the mechanism exactly (`verified.hunt.detect.Evaluator`) and reports the size of the
  violation to ``hypothesis.target`` (the manipulation's prefix gap, the unacceptable or unused
  probability), so the targeted phase climbs toward violations rather than only sampling; the
  float given to ``target`` only steers the search, it never decides anything;
* on a violation, raises, so hypothesis shrinks it; every violation seen is kept, and the
  smallest by `verified.hunt.profiles.profile_key` is the run's answer (hypothesis's own
  shrink order is close to it; `verified.hunt.shrink` finishes the job).

Violations of the other requested properties noticed on the way are kept as well (a profile
drawn for ``sp`` may be wasteful). The run stops at its budget of profiles or its deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings, target
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from verified.assignment.model import Preference, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.hunt.detect import Evaluator, ProfileChecks, Violation
from verified.hunt.misreports import candidates, manipulation_gap, with_report
from verified.hunt.profiles import agent_rankings, profile_key, profiles
from verified.io.hunt import HuntSubject


class _Found(Exception):
    """Raised inside the hypothesis test on a violation, so that hypothesis shrinks it."""


class _OutOfTime(BaseException):
    """Raised inside the hypothesis test at the deadline: not an `Exception`, so hypothesis
    lets it through at once instead of shrinking it."""


@dataclass
class Tally:
    """What a hunt tried: the counts an UNKNOWN verdict reports."""

    profiles: int = 0
    misreports: int = 0
    strategies: set[str] = field(default_factory=set)


@dataclass
class Search:
    """The state shared by the runs of one hunt."""

    subject: HuntSubject
    wanted: tuple[str, ...]
    evaluate: Evaluator
    checks: ProfileChecks
    deadline: float | None
    tally: Tally = field(default_factory=Tally)
    found: dict[str, Violation] = field(default_factory=dict)
    first_found: dict[str, float] = field(default_factory=dict)  # property -> time.monotonic()

    def keep(self, violation: Violation) -> None:
        """Keep ``violation`` when it is the smallest of its property so far."""
        self.first_found.setdefault(violation.property, time.monotonic())
        best = self.found.get(violation.property)
        if best is None or _key(self.subject, violation) < _key(self.subject, best):
            self.found[violation.property] = violation

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def passing(self, gamma: object, profile: Profile) -> None:
        """Note the per-profile violations at ``profile`` of every wanted property."""
        for name in self.wanted:
            if name != "sp":
                found = self.checks.violation_at(name, gamma, profile)  # type: ignore[arg-type]
                if found is not None:
                    self.keep(found)


def _key(subject: HuntSubject, v: Violation) -> tuple:
    problem = subject.problem
    base = profile_key(problem, v.profile)
    if v.misreport is None:
        return (base, ())
    return (base, (v.agent, len(v.misreport), tuple(problem.object_index(x) for x in v.misreport)))


def best_manipulation(
    search: Search, profile: Profile, agent: int, reports: list[tuple[str, Preference]]
) -> Violation | None:
    """The largest manipulation of ``agent`` at ``profile`` among ``reports`` (kind, ranking),
    or None; the best gap seen goes to ``hypothesis.target`` when called inside a test."""
    problem = search.subject.problem
    truth = search.evaluate(profile)
    if truth is None:
        return None
    best: Violation | None = None
    for kind, report in reports:
        lie = search.evaluate(with_report(profile, agent, report))
        search.tally.misreports += 1
        search.tally.strategies.add(f"misreport: {kind}")
        if lie is None:
            continue
        gap = manipulation_gap(problem, truth.matrix[agent], lie.matrix[agent], profile[agent])
        if best is None or gap > best.size:
            best = Violation("sp", profile, agent, tuple(report), gap, kind)
    return best


def run(search: Search, name: str, budget: int, run_seed: int) -> None:
    """One hypothesis run looking for property ``name`` (see the module docstring)."""
    subject = search.subject
    problem = subject.problem
    strategy = profiles(problem, subject.rankings)

    @seed(run_seed)
    @settings(
        max_examples=budget,
        database=None,
        deadline=None,
        derandomize=False,
        verbosity=Verbosity.quiet,
        phases=(Phase.generate, Phase.target, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(st.data())
    def test(data: st.DataObject) -> None:
        if search.out_of_time():
            raise _OutOfTime
        profile = data.draw(strategy)
        search.tally.profiles += 1
        if name == "sp":
            violation = _draw_manipulation(search, data, profile)
        else:
            gamma = search.evaluate(profile)
            if gamma is None:
                return
            search.passing(gamma, profile)
            violation = search.checks.violation_at(name, gamma, profile)
            if violation is None:
                target(closeness(name, gamma, profile), label=name)
                return
        if violation is not None and violation.size > 0:
            search.keep(violation)
            raise _Found

    try:
        test()
    except (_Found, _OutOfTime):
        pass
    except Flaky:
        if search.out_of_time():
            return  # the clock stopped a replay part-way: hypothesis sees a replay that differs
        raise InvalidInput(
            f"the mechanism {subject.name!r} answered differently when the same profiles were drawn "
            "again (is it deterministic? exact lotteries must not depend on a random draw or state)",
            "mechanism",
        ) from None


#: Per profile, misreports are tried for up to this many agents, and per agent every
#: domain-knowledge misreport when there are at most `MISREPORTS_PER_AGENT` (few objects),
#: else that many drawn among them; plus one arbitrary ranking.
AGENTS_PER_PROFILE = 8
MISREPORTS_PER_AGENT = 16


def _draw_manipulation(search: Search, data: st.DataObject, profile: Profile) -> Violation | None:
    """Draw up to `AGENTS_PER_PROFILE` agents who find something acceptable and, for each, her
    domain-knowledge misreports (at most `MISREPORTS_PER_AGENT`) and one arbitrary ranking; the
    largest manipulation found, its gap reported to ``hypothesis.target``."""
    problem = search.subject.problem
    active = [i for i, r in enumerate(profile) if r]
    if not active:
        return None
    agents = data.draw(
        st.lists(st.sampled_from(active), min_size=1, max_size=AGENTS_PER_PROFILE, unique=True)
    )
    truth = search.evaluate(profile)
    if truth is None:
        return None
    search.passing(truth, profile)
    best: Violation | None = None
    for agent in agents:
        known = [
            (kind, report)
            for kind, report in candidates(problem, profile, agent)
            if search.subject.allows(agent, report)
        ]
        if len(known) <= MISREPORTS_PER_AGENT:
            reports = list(known)
        else:
            reports = data.draw(
                st.lists(st.sampled_from(known), min_size=1, max_size=MISREPORTS_PER_AGENT, unique=True)
            )
        other = data.draw(agent_rankings(problem, search.subject.rankings, agent))
        if other != profile[agent]:
            reports.append(("arbitrary", other))
        found = best_manipulation(search, profile, agent, reports)
        if found is not None and (best is None or found.size > best.size):
            best = found
        if best is not None and best.size > 0:
            break
    search.tally.strategies.add("misreport: arbitrary")
    if best is not None:
        target(float(best.size), label="sp prefix gap")
    return best


def closeness(name: str, gamma: StochasticAssignment, profile: Profile) -> float:
    """How promising a profile is for a violation of ``name`` that it does not have (for the
    targeted phase only): unused copies of listed objects for waste, pairs of agents with equal
    lists for equal treatment, otherwise the number of fractional entries (the lotteries where
    inefficiency, instability and unacceptable shares hide)."""
    problem = gamma.problem
    if name == "nonwasteful":
        listed = {x for ranking in profile for x in ranking}
        return float(sum(problem.capacity(x) - gamma.column_sum(x) for x in listed))
    if name == "ete":
        seen: dict[Preference, int] = {}
        for ranking in profile:
            if ranking:
                seen[ranking] = seen.get(ranking, 0) + 1
        return float(sum(c * (c - 1) // 2 for c in seen.values()))
    return float(sum(1 for row in gamma.matrix for v in row if 0 < v < 1))
