"""What comparing two mechanisms finds: the frozen result objects of `verified.compare`.

Definitions (Erdil, *Strategy-proof stochastic assignment*, section 2; first-order stochastic
dominance). Agent i's lottery P_i *weakly SD-dominates* Q_i under her ranking R_i iff for every
k the probability of her top k acceptable objects under P_i is at least that under Q_i, and so
is the probability of "an acceptable object or the outside option" (the prefix convention of
`verified.assignment.properties.fosd`). For one profile and one agent, NEW's row against OLD's:

* ``same``: the rows are identical;
* ``better``: NEW's row weakly SD-dominates OLD's, strictly at some prefix;
* ``worse``: OLD's row weakly SD-dominates NEW's, strictly at some prefix;
* ``incomparable``: some prefix is more likely under NEW and another under OLD;
* ``equivalent``: the rows differ but every prefix has the same probability (the difference
  lies on objects the agent finds unacceptable: possible only for rows that are not
  individually rational).

Between mechanisms on a domain (`relation`): ``equal`` (every pair the same), ``equivalent``
(every pair same or equivalent, some equivalent), ``dominates`` (NEW weakly dominates OLD --
every pair same, equivalent or better -- and strictly somewhere: Erdil's "g dominates f"),
``dominated`` (OLD dominates NEW), ``incomparable`` (neither weakly dominates the other).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verified.assignment.model import Preference, Problem, Profile
from verified.numbers import fraction_text
from verified.recheck.compare import CHANGED_LISTED
from verified.results import CheckResult, Verdict

#: The kinds of (profile, agent) pairs, in the order they are counted and reported.
CATEGORIES = ("same", "better", "worse", "incomparable", "equivalent")
#: What exit 0 can mean (``--require``); see `verified.compare.api.decide`.
REQUIREMENTS = ("dominates", "weakly-dominates", "equal", "no-regression")
#: The requirements that are relations between the two mechanisms (and certificate properties).
RELATION_REQUIREMENTS = ("dominates", "weakly-dominates", "equal")
#: The relations between the mechanisms (see module docstring).
RELATIONS = ("equal", "equivalent", "dominates", "dominated", "incomparable")
__all__ = ["CATEGORIES", "CHANGED_LISTED", "RELATIONS", "REQUIREMENTS", "Comparison", "Differences", "Pair"]

Row = tuple[Fraction, ...]


def relation_of(counts: Mapping[str, int]) -> str:
    """The relation between the mechanisms from the counts of the pair kinds."""
    better, worse = counts.get("better", 0), counts.get("worse", 0)
    if counts.get("incomparable", 0) or (better and worse):
        return "incomparable"
    if better:
        return "dominates"
    if worse:
        return "dominated"
    return "equivalent" if counts.get("equivalent", 0) else "equal"


def satisfies(relation: str, requirement: str) -> bool:
    """Does ``relation`` meet the relation requirement (``equal``, ``weakly-dominates``,
    ``dominates``)?"""
    if requirement == "equal":
        return relation == "equal"
    if requirement == "dominates":
        return relation == "dominates"
    return relation in ("equal", "equivalent", "dominates")


@dataclass(frozen=True)
class Pair:
    """One agent at one profile, with her OLD and NEW lotteries (rows over the objects, then
    the outside option) and the kind of the pair. ``index`` is the profile's number in the
    domain's order (mixed radix, agent 0 most significant); ``rank`` the pair's place in the
    order the pairs were examined ((profile, agent) order, or the order of the draws)."""

    rank: int
    index: int
    profile: Profile
    agent: str
    agent_index: int
    old_row: Row
    new_row: Row
    category: str

    @property
    def preference(self) -> Preference:
        return self.profile[self.agent_index]

    def to_json(self, problem: Problem) -> dict[str, Any]:
        return {
            "profile": [list(r) for r in self.profile],
            "agent": self.agent,
            "category": self.category,
            "old_row": _row(problem, self.old_row),
            "new_row": _row(problem, self.new_row),
        }


def _row(problem: Problem, row: Row) -> dict[str, str]:
    return {x: fraction_text(v) for x, v in zip(problem.columns, row, strict=True)}


@dataclass(frozen=True)
class ChangedProfile:
    """A profile at which some agent's row differs: (agent, OLD row, NEW row) for each such agent."""

    index: int
    profile: Profile
    rows: tuple[tuple[str, Row, Row], ...]

    def to_json(self, problem: Problem) -> dict[str, Any]:
        return {
            "profile": [list(r) for r in self.profile],
            "agents": {a: {"old": _row(problem, o), "new": _row(problem, n)} for a, o, n in self.rows},
        }


@dataclass(frozen=True)
class SizeChange:
    """The size of the assignments (Erdil: |gamma| = the probability of objects assigned),
    summed over the ``profiles`` compared: OLD's, NEW's, and per agent NEW minus OLD."""

    profiles: int
    old_total: Fraction
    new_total: Fraction
    per_agent: tuple[tuple[str, Fraction], ...]

    @property
    def change(self) -> Fraction:
        return self.new_total - self.old_total

    @property
    def per_profile(self) -> Fraction:
        """The change on average over the profiles compared."""
        return self.change / self.profiles if self.profiles else Fraction(0)

    def to_json(self) -> dict[str, Any]:
        return {
            "profiles": self.profiles,
            "old_total": fraction_text(self.old_total),
            "new_total": fraction_text(self.new_total),
            "change": fraction_text(self.change),
            "per_profile": fraction_text(self.per_profile),
            "per_agent": {a: fraction_text(v) for a, v in self.per_agent},
        }


@dataclass(frozen=True)
class Differences:
    """What comparing the rows found: over the whole domain (``exhaustive``) or over the
    profiles sampled (``sampled``). ``counts`` follows `CATEGORIES`; ``first`` holds the first
    pair of each kind found (in (profile, agent) order when exhaustive, in the order drawn when
    sampled); ``changed`` lists at most `CHANGED_LISTED` of the ``changed_count`` profiles where
    some row differs; ``digest`` (exhaustive only) is the SHA-256 of the kinds of all pairs, one
    letter each (s, b, w, i, e) in (profile, agent) order."""

    mode: str
    profiles: int
    agents: int
    counts: tuple[int, ...]
    first: Mapping[str, Pair]
    changed_count: int
    changed: tuple[ChangedProfile, ...]
    size: SizeChange
    digest: str | None = None

    @property
    def by_category(self) -> dict[str, int]:
        return dict(zip(CATEGORIES, self.counts, strict=True))

    @property
    def relation(self) -> str:
        """The relation between the mechanisms (exhaustive), or on the sampled profiles."""
        return relation_of(self.by_category)

    def first_of(self, categories: tuple[str, ...]) -> Pair | None:
        """The earliest pair among the firsts of ``categories`` (None when there is none)."""
        found = [self.first[c] for c in categories if c in self.first]
        return min(found, key=lambda pair: pair.rank) if found else None

    def to_json(self, problem: Problem) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mode": self.mode,
            "profiles": self.profiles,
            "pairs": self.profiles * self.agents,
            "relation": self.relation,
            "counts": self.by_category,
            "first": {c: p.to_json(problem) for c, p in self.first.items()},
            "changed_profiles": self.changed_count,
            "changed": [c.to_json(problem) for c in self.changed],
            "size": self.size.to_json(),
        }
        if self.digest is not None:
            out["classification_sha256"] = self.digest
        return out


@dataclass(frozen=True)
class Sampling:
    """How `--hunt` sampled: the seed, the budget of draws, the draws made, the distinct profiles
    evaluated, and those skipped because a mechanism could not be evaluated exactly there
    (`verified.errors.OutOfReach`) with the first reason."""

    seed: int
    budget: int
    drawn: int
    evaluated: int
    skipped: int = 0
    skip_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seed": self.seed,
            "budget": self.budget,
            "drawn": self.drawn,
            "evaluated": self.evaluated,
            "skipped": self.skipped,
        }
        if self.skip_reason:
            out["skip_reason"] = self.skip_reason
        return out


@dataclass(frozen=True)
class PropertyChange:
    """One requested property checked on both mechanisms. A *regression*: it holds for OLD
    and fails for NEW."""

    name: str
    old: CheckResult
    new: CheckResult

    @property
    def status(self) -> str:
        """``kept`` (holds for both), ``regression``, ``fixed`` (fails for OLD, holds for NEW),
        ``fails for both``, or ``unknown`` (a verdict is unknown and it could be a regression)."""
        old, new = self.old.verdict, self.new.verdict
        if old is Verdict.HOLDS and new is Verdict.FAILS:
            return "regression"
        if old is Verdict.FAILS and new is Verdict.HOLDS:
            return "fixed"
        if old is Verdict.HOLDS and new is Verdict.HOLDS:
            return "kept"
        if old is Verdict.FAILS and new is Verdict.FAILS:
            return "fails for both"
        if old is Verdict.FAILS:  # whatever NEW is, it cannot be a regression
            return "no regression (fails for OLD)"
        if new is Verdict.HOLDS:
            return "no regression (holds for NEW)"
        return "unknown"

    def to_json(self) -> dict[str, Any]:
        return {
            "property": self.name,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "status": self.status,
        }


@dataclass(frozen=True)
class Side:
    """One of the two mechanisms: its name, its file, and the number of profiles of its domain."""

    name: str
    source: str


@dataclass(frozen=True)
class Comparison:
    """The answer of `verified.compare.compare`: the differences found (None when a limit ended
    the run first), how profiles were sampled (``--hunt``), the properties on both sides, and
    the verdict of the ``requirement`` (HOLDS: exit 0, FAILS: exit 1, UNKNOWN: exit 3) with its
    reason in words and, for a FAILS that one pair shows, that pair (``witness``).
    ``certificates``: (file-name part, certificate document) pairs, when asked for."""

    problem: Problem | None  # None only when a limit ended the run before both files were read
    old: Side
    new: Side
    domain_size: int
    requirement: str
    verdict: Verdict
    reason: str
    differences: Differences | None = None
    sampling: Sampling | None = None
    properties: tuple[PropertyChange, ...] = ()
    witness: Pair | None = None
    certificates: tuple[tuple[str, dict[str, Any]], ...] = field(default=(), repr=False)

    @property
    def holds(self) -> bool:
        return self.verdict is Verdict.HOLDS

    @property
    def regressions(self) -> list[str]:
        return [p.name for p in self.properties if p.status == "regression"]

    @property
    def exit_code(self) -> int:
        """0 the requirement holds, 1 it fails, 3 unknown (the project's exit codes)."""
        return {Verdict.HOLDS: 0, Verdict.FAILS: 1, Verdict.UNKNOWN: 3}[self.verdict]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "old": {"mechanism": self.old.name, "file": self.old.source},
            "new": {"mechanism": self.new.name, "file": self.new.source},
            "problem": None
            if self.problem is None
            else {
                "agents": list(self.problem.agents),
                "objects": list(self.problem.objects),
                "capacities": list(self.problem.capacities),
            },
            "domain_profiles": self.domain_size,
            "requirement": self.requirement,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "regressions": self.regressions,
            "properties": [p.to_json() for p in self.properties],
        }
        if self.differences is not None and self.problem is not None:
            out["differences"] = self.differences.to_json(self.problem)
        if self.sampling is not None:
            out["sampling"] = self.sampling.to_json()
        if self.witness is not None and self.problem is not None:
            out["witness"] = self.witness.to_json(self.problem)
        return out
