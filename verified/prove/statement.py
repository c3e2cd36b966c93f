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
* ``ex-post-efficient``: at every profile a lottery over the Pareto-efficient deterministic
  assignments (Erdil, section 2): each agent gets one listed object or her outside option,
  capacities are respected, and no other such assignment makes every agent weakly better and
  one strictly (`verified.prove.lotteries`: one weight per efficient assignment).
* ``ex-post-stable``: at every profile a lottery over the deterministic assignments that are
  stable for given priorities (Erdil, section 3: individually rational, non-wasteful, and no
  agent prefers an object held by someone of strictly lower priority for it). The priorities
  are part of the property's name, ``ex-post-stable[[r, ...], ...]`` (`ex_post_stable`): for
  each object in the problem's order, each agent's tie class (0 = highest priority), so that a
  certificate carries them. Both enumerate the deterministic assignments of each profile: at
  most `MAX_ASSIGNMENTS` there (the product over agents of their listed objects plus one).
* ``anonymous``: permuting the agents' reports permutes the rows, *between the profiles
  present* (like ``sp``): f(sigma R)[sigma(i)] = f(R)[i] whenever R and sigma R are both
  profiles of the statement. It implies ``ete`` (sigma swapping two agents who rank alike).

Relations between two unknowns ``left`` and ``right`` (at every profile of the statement):

* ``dominates``: ``left`` weakly FOSD-dominates ``right`` for every agent, strictly for some
  agent at some profile (Erdil, definition of mechanism dominance);
* ``weakly-dominates``: the weak part only;
* ``same-size``: ``|left(R)| = |right(R)|`` (Erdil, Proposition 2);
* ``share-differs``: some agent's total share of objects differs between them at some
  profile (the negation of the Reshuffling Lemma's conclusion, Erdil Lemma 1);
* ``size-at-least``: ``|left(R)| >= |right(R)|`` at every profile;
* ``size-larger``: ``size-at-least`` and ``|left(R)| > |right(R)|`` at some profile (Erdil,
  Proposition 2 compares sizes of dominating mechanisms).

``fixed``: an unknown may be given a known mechanism (a callable or a table): its rows are then
fixed at every profile.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from verified.assignment.model import Problem, Profile
from verified.errors import InvalidInput

PROPERTIES = (
    "ir",
    "sp",
    "ete",
    "nonwasteful",
    "sd-efficient",
    "ex-post-efficient",
    "ex-post-stable",
    "anonymous",
)
RELATIONS = (
    "dominates",
    "weakly-dominates",
    "same-size",
    "share-differs",
    "size-at-least",
    "size-larger",
)
QUESTIONS = ("exists", "impossible")
#: Most objects for ``sd-efficient`` (its clauses are the cycles of objects: 409 for 6 objects).
MAX_CYCLE_OBJECTS = 6
#: Most deterministic assignments enumerated at one profile for ``ex-post-efficient`` and
#: ``ex-post-stable``: the product over agents of (listed objects + 1), before capacities.
MAX_ASSIGNMENTS = 4_096
STABLE = "ex-post-stable"


def ex_post_stable(priorities: Any) -> str:
    """The property "ex-post-stable for ``priorities``" (`verified.assignment.priorities.Priorities`,
    weak or strict) as a statement and its certificate write it: ``ex-post-stable`` followed by
    the JSON list (no spaces), per object in the problem's order, of each agent's tie class."""
    return STABLE + json.dumps([list(row) for row in priorities.rank_table()], separators=(",", ":"))


def stability_ranks(prop: str) -> tuple[tuple[int, ...], ...] | None:
    """The tie classes (``[object][agent]``) of an ``ex-post-stable[...]`` property, None for
    any other property. A malformed one (not the canonical JSON of a list of non-empty lists of
    tie classes numbered 0, 1, ... without gaps) is `InvalidInput`."""
    if not prop.startswith(STABLE + "["):
        return None
    bad = InvalidInput(f"{prop[:80]!r} is not ex-post-stable[...] (see `ex_post_stable`)", "properties")
    try:
        ranks = json.loads(prop[len(STABLE) :])
    except (ValueError, RecursionError):
        raise bad from None
    if not isinstance(ranks, list) or not ranks:
        raise bad
    for row in ranks:
        if not isinstance(row, list) or not row or not all(type(c) is int for c in row):
            raise bad
        if set(row) != set(range(max(row) + 1)):
            raise bad
    if json.dumps(ranks, separators=(",", ":")) != prop[len(STABLE) :]:
        raise bad
    return tuple(tuple(row) for row in ranks)


def property_kind(prop: str) -> str:
    """The property's name without its parameters (``ex-post-stable[...]`` -> ``ex-post-stable``)."""
    return STABLE if prop.startswith(STABLE + "[") else prop


@dataclass(frozen=True)
class Unknown:
    """An unknown mechanism ``name`` with ``properties`` (see module docstring; ``ex-post-stable``
    is written with its priorities, `ex_post_stable`, at most once); ``fixed``, when given, is a
    known mechanism (called at each profile) that this unknown must equal."""

    name: str
    properties: tuple[str, ...] = ()
    fixed: Callable[[Profile], Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "|" in self.name:
            raise InvalidInput(f"an unknown needs a name without '|', got {self.name!r}", "unknowns")
        props = tuple(self.properties)
        for p in props:
            if not isinstance(p, str) or property_kind(p) not in PROPERTIES:
                raise InvalidInput(f"unknown property {p!r} (known: {', '.join(PROPERTIES)})", self.name)
            if p == STABLE:
                raise InvalidInput(
                    "ex-post-stable needs its priorities: use ex_post_stable(priorities)", self.name
                )
            stability_ranks(p)
        if sum(property_kind(p) == STABLE for p in props) > 1:
            raise InvalidInput("ex-post-stable at most once per unknown", self.name)
        object.__setattr__(self, "properties", props)

    @property
    def kinds(self) -> frozenset[str]:
        """The property names without parameters."""
        return frozenset(property_kind(p) for p in self.properties)

    @property
    def ranks(self) -> tuple[tuple[int, ...], ...] | None:
        """The priorities of ``ex-post-stable`` (``[object][agent]`` tie class), if it has it."""
        found = [stability_ranks(p) for p in self.properties if property_kind(p) == STABLE]
        return found[0] if found else None


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
        for u in self.unknowns:
            self._check_lotteries(u)
        names = [u.name for u in self.unknowns]
        if not names or len(set(names)) != len(names):
            raise InvalidInput("the unknowns need distinct names (at least one)", "unknowns")
        for r in self.relations:
            for side in (r.left, r.right):
                if side not in names:
                    raise InvalidInput(
                        f"relation {r.kind} names {side!r}, which is not an unknown", "relations"
                    )

    def _check_lotteries(self, u: Unknown) -> None:
        """The priorities fit the problem, and the deterministic assignments are few enough."""
        n, m = self.problem.n, self.problem.m
        ranks = u.ranks
        if ranks is not None and (len(ranks) != m or any(len(row) != n for row in ranks)):
            raise InvalidInput(
                f"{u.name}: ex-post-stable needs, for each of the {m} objects, a tie class per agent ({n})",
                "unknowns",
            )
        if not u.kinds & {"ex-post-efficient", STABLE}:
            return
        for k, profile in enumerate(self.profiles):
            count = 1
            for ranking in profile:
                count *= len(ranking) + 1
                if count > MAX_ASSIGNMENTS:
                    raise InvalidInput(
                        f"{u.name}: ex post properties enumerate the deterministic assignments, at most "
                        f"{MAX_ASSIGNMENTS:,} per profile; profile {k} has more",
                        "unknowns",
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
