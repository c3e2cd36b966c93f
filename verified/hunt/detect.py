"""Evaluating the mechanism at one profile, and noticing a violation there.

`Evaluator` calls the mechanism (a user's function or a built-in) at single profiles, keeps the
last few thousand lotteries, counts every call, and turns an exact lottery that is out of reach
(`verified.errors.OutOfReach`, e.g. random priority with 40 agents in contention) into a skipped
profile: counted and reported, never a verdict. A user's function that raises is bad input
naming the profile (`verified.io.pyload`), and that propagates.

`violation_at` decides each per-profile property at one profile with the library's own exact
one-profile checks (Fractions throughout); the manipulation of SD-strategy-proofness is decided
in `verified.hunt.misreports`. A `Violation` is only a candidate: `verified.hunt.certify`
re-checks it on the mechanism's table over the one or two profiles it needs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verified.assignment.model import Preference, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import OutOfReach
from verified.results import CheckResult

#: The properties `verified hunt` can look for, in the order it hunts them.
HUNTABLE = (
    "sp",
    "ir",
    "nonwasteful",
    "ete",
    "ex-post-efficient",
    "sd-efficient",
    "ex-post-stable",
)


@dataclass(frozen=True)
class Violation:
    """A candidate counterexample: the profile, and for ``sp`` the agent and her misreport."""

    property: str
    profile: Profile
    agent: int | None = None
    misreport: Preference | None = None
    size: Fraction = Fraction(0)
    kind: str = ""  # for sp: the misreport's shape (`verified.hunt.misreports.KINDS`)


@dataclass
class Evaluator:
    """The mechanism at single profiles, cached (LRU) and counted."""

    mechanism: Callable[[Profile], StochasticAssignment]
    capacity: int = 4096
    calls: int = 0
    skipped: int = 0
    first_skip: str | None = None
    _cache: OrderedDict[Profile, StochasticAssignment | None] = field(default_factory=OrderedDict)

    def __call__(self, profile: Profile) -> StochasticAssignment | None:
        """The lottery at ``profile``, or None when its exact computation is out of reach."""
        if profile in self._cache:
            self._cache.move_to_end(profile)
            return self._cache[profile]
        self.calls += 1
        try:
            out: StochasticAssignment | None = self.mechanism(profile)
        except OutOfReach as exc:
            self.skipped += 1
            if self.first_skip is None:
                self.first_skip = f"{exc} (profile {[list(r) for r in profile]})"
            out = None
        self._cache[profile] = out
        if len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
        return out


def _one_profile_check(name: str, priorities: Any) -> Callable[[StochasticAssignment, Profile], CheckResult]:
    """The library's exact check of property ``name`` at one assignment and profile."""
    if name == "ir":
        from verified.assignment.properties.individual_rationality import (
            check_individually_rational_assignment,
        )

        return check_individually_rational_assignment
    if name == "nonwasteful":
        from verified.assignment.properties.wastefulness import check_wastefulness

        return check_wastefulness
    if name == "ete":
        from verified.assignment.properties.equal_treatment import check_equal_treatment_assignment

        return check_equal_treatment_assignment
    if name == "ex-post-efficient":
        from verified.assignment.properties.efficiency import check_ex_post_efficient_assignment

        return check_ex_post_efficient_assignment
    if name == "sd-efficient":
        from verified.assignment.properties.efficiency import check_sd_efficient_assignment

        return check_sd_efficient_assignment
    if name == "ex-post-stable":
        from verified.assignment.properties.stability import check_ex_post_stable_assignment

        return lambda gamma, profile: check_ex_post_stable_assignment(gamma, profile, priorities)
    raise ValueError(f"no one-profile check for {name!r}")  # pragma: no cover - HUNTABLE guards it


@dataclass
class ProfileChecks:
    """The per-profile properties (all of `HUNTABLE` but ``sp``) at single lotteries; a check
    that answers UNKNOWN (an enumeration past its limit) is counted, not a violation."""

    priorities: Any = None
    unknown: dict[str, int] = field(default_factory=dict)
    _checks: dict[str, Callable[[StochasticAssignment, Profile], CheckResult]] = field(default_factory=dict)

    def violation_at(self, name: str, gamma: StochasticAssignment, profile: Profile) -> Violation | None:
        check = self._checks.get(name)
        if check is None:
            check = self._checks[name] = _one_profile_check(name, self.priorities)
        result = check(gamma, profile)
        if result.unknown:
            self.unknown[name] = self.unknown.get(name, 0) + 1
            return None
        if result.fails:
            return Violation(name, profile, size=_size(name, gamma, profile))
        return None


def _size(name: str, gamma: StochasticAssignment, profile: Profile) -> Fraction:
    """How large a per-profile violation is, for the targeted phase (informative only)."""
    if name == "ir":
        problem = gamma.problem
        return sum(
            (
                row[k]
                for row, ranking in zip(gamma.matrix, profile, strict=True)
                for k, x in enumerate(problem.objects)
                if x not in ranking
            ),
            Fraction(0),
        )
    if name == "nonwasteful":
        problem = gamma.problem
        return sum(
            (q - gamma.column_sum(x) for x, q in zip(problem.objects, problem.capacities, strict=True)),
            Fraction(0),
        )
    return Fraction(1)
