"""A statement about ALL mechanisms on a finite set of profiles (issue 10).

The unknowns are mechanisms (one stochastic assignment per profile of the statement), each
with properties it must have; relations tie two unknowns (``g`` dominates ``f``, ...). The
question is whether some choice of the unknowns satisfies everything: ``exists`` (holds
with a witness table) or ``impossible`` (holds with a proof that none exists).

Properties of one unknown (Erdil, section 2; Bogomolnaia and Moulin 2001):

* ``ir``: no probability of an object the agent did not list;
* ``sp``: SD-strategy-proof *between the profiles present* (a misreport is checked only when
  the profile it leads to is one of the statement's);
* ``ete``: equal treatment of equals (agents with the same ranking get the same row);
* ``nonwasteful``: no agent j gets a positive share of y while an object z she prefers to y
  (y possibly her outside option) is not fully assigned; it implies ``ir`` (Erdil, section 2);
* ``sd-efficient``: ordinally efficient, dominated by no stochastic assignment. Bogomolnaia and
  Moulin (2001, Lemma 3): for complete preferences and one copy each, iff the relation
  "x tau y iff some agent prefers x to y and gets some y" has no cycle. With outside options
  it is non-wastefulness and no cycle among the objects (an IR assignment never puts an
  outside option on a cycle); `tests/prove` confirms this against the library's LP check
  (`verified.assignment.properties.efficiency`) on random assignments, capacities included.
  For an unknown it is a disjunction per cycle: one of its edges is absent.

Relations between two unknowns ``left`` and ``right`` (at every profile of the statement):

* ``dominates``: ``left`` weakly FOSD-dominates ``right`` for every agent, strictly for some
  agent at some profile (Erdil, definition of mechanism dominance);
* ``weakly-dominates``: the weak part only;
* ``same-size``: ``|left(R)| = |right(R)|`` (Erdil, Proposition 2);
* ``share-differs``: some agent's total share of objects differs between them at some
  profile (the negation of the Reshuffling Lemma's conclusion, Erdil Lemma 1).

``fixed``: an unknown may be given a known mechanism (a callable or a table): its rows are then
fixed at every profile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from verified.assignment.model import Problem, Profile
from verified.errors import InvalidInput

PROPERTIES = ("ir", "sp", "ete", "nonwasteful", "sd-efficient")
RELATIONS = ("dominates", "weakly-dominates", "same-size", "share-differs")
QUESTIONS = ("exists", "impossible")
#: Most objects for ``sd-efficient`` (its clauses are the cycles of objects: 409 for 6 objects).
MAX_CYCLE_OBJECTS = 6


@dataclass(frozen=True)
class Unknown:
    """An unknown mechanism ``name`` with ``properties`` (see module docstring); ``fixed``, when
    given, is a known mechanism (called at each profile) that this unknown must equal."""

    name: str
    properties: tuple[str, ...] = ()
    fixed: Callable[[Profile], Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "|" in self.name:
            raise InvalidInput(f"an unknown needs a name without '|', got {self.name!r}", "unknowns")
        props = tuple(self.properties)
        for p in props:
            if p not in PROPERTIES:
                raise InvalidInput(f"unknown property {p!r} (known: {', '.join(PROPERTIES)})", self.name)
        object.__setattr__(self, "properties", props)


@dataclass(frozen=True)
class Relation:
    """``left`` KIND ``right`` (see module docstring)."""

    kind: str
    left: str
    right: str

    def __post_init__(self) -> None:
        if self.kind not in RELATIONS:
            raise InvalidInput(f"unknown relation {self.kind!r} (known: {', '.join(RELATIONS)})", "relations")
        if self.left == self.right:
            raise InvalidInput(
                f"a relation needs two different unknowns, got {self.left!r} twice", "relations"
            )


@dataclass(frozen=True)
class Statement:
    """The problem, the profiles (distinct, in the given order), the unknowns, the relations and
    the question (``exists`` or ``impossible``)."""

    problem: Problem
    profiles: tuple[Profile, ...]
    unknowns: tuple[Unknown, ...]
    relations: tuple[Relation, ...] = ()
    question: str = "impossible"

    def __post_init__(self) -> None:
        if self.question not in QUESTIONS:
            raise InvalidInput(f"question must be one of {QUESTIONS}, got {self.question!r}", "question")
        profiles = tuple(self.problem.profile(p) for p in self.profiles)
        if not profiles:
            raise InvalidInput("a statement needs at least one profile", "profiles")
        if len(set(profiles)) != len(profiles):
            raise InvalidInput("a profile is listed twice", "profiles")
        object.__setattr__(self, "profiles", profiles)
        if any("sd-efficient" in u.properties for u in self.unknowns) and self.problem.m > MAX_CYCLE_OBJECTS:
            raise InvalidInput(
                f"sd-efficient is encoded by the cycles of the objects: at most {MAX_CYCLE_OBJECTS} objects",
                "unknowns",
            )
        names = [u.name for u in self.unknowns]
        if not names or len(set(names)) != len(names):
            raise InvalidInput("the unknowns need distinct names (at least one)", "unknowns")
        for r in self.relations:
            for side in (r.left, r.right):
                if side not in names:
                    raise InvalidInput(
                        f"relation {r.kind} names {side!r}, which is not an unknown", "relations"
                    )

    def restricted(self, keep: Sequence[int]) -> Statement:
        """The same statement on the profiles numbered ``keep`` (in that order)."""
        return Statement(
            self.problem, tuple(self.profiles[k] for k in keep), self.unknowns, self.relations, self.question
        )


def grown_profiles(
    problem: Problem, seed: Sequence[Sequence[str] | str], depth: int, limit: int | None = None
) -> tuple[Profile, ...]:
    """The profiles reached from ``seed`` by at most ``depth`` single-agent deviations (any
    ranking of the objects), in the order found (breadth first, agents then rankings in the
    library's order, `verified.assignment.domain.all_preferences`). More than ``limit``
    profiles (checked before each is added, so the work stays bounded) is `InvalidInput`."""
    from verified.assignment.domain import all_preferences, count_rankings

    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
        raise InvalidInput(f"depth must be a non-negative integer, got {depth!r}", "depth")
    cap = None if limit is None else max(limit, 1)
    if depth > 0 and cap is not None and count_rankings(problem.m, cap) > cap:
        raise InvalidInput(f"one deviation from the seed already gives more than {cap:,} profiles", "depth")
    rankings = all_preferences(problem.objects) if depth > 0 else ()
    start = problem.profile(seed)
    seen = {start: None}
    layer = [start]
    for _ in range(depth):
        nxt = []
        for profile in layer:
            for i in range(problem.n):
                for r in rankings:
                    q = (*profile[:i], r, *profile[i + 1 :])
                    if q not in seen:
                        if cap is not None and len(seen) >= cap:
                            raise InvalidInput(f"more than {cap:,} profiles grown from the seed", "depth")
                        seen[q] = None
                        nxt.append(q)
        layer = nxt
    return tuple(seen)
