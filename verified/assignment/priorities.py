"""Priorities of objects over agents, and stability of deterministic matchings (Erdil, section 3).

Each object x ranks the agents by a weak order ``%_x``, written as a list of
tie classes, highest priority first: ``[["1", "2"], ["3"]]`` means 1 and 2 are
tied above 3. Every agent appears exactly once per object.

A deterministic matching gives each agent one object or the outside option
(``None``). Following Erdil (section 3), a matching is *stable* when it is

* non-wasteful: no agent i prefers an object x to her assignment while a copy
  of x is left unassigned, and
* free of priority violations: no agent i prefers x to her assignment while
  some agent j holding x has strictly lower priority for x than i.

Individual rationality is assumed throughout the paper; `blocking_pairs`
reports an agent holding an object she finds unacceptable as a blocking pair of
kind ``"unacceptable"`` (she blocks with her outside option).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from verified.assignment.model import OUTSIDE, Problem, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.names import show, validated_name
from verified.results import CheckResult, fails, holds

TieClasses = tuple[tuple[str, ...], ...]
Matching = tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class Priorities:
    """``classes[k]`` is object ``problem.objects[k]``'s weak order: tie classes, highest first."""

    problem: Problem
    classes: tuple[TieClasses, ...]

    def __post_init__(self) -> None:
        p = self.problem
        if len(self.classes) != p.m:
            raise InvalidInput(f"{len(self.classes)} priority orders for {p.m} objects", "priorities")
        for x, order in zip(p.objects, self.classes, strict=True):
            where = f"priorities[{x!r}]"
            seen: set[str] = set()
            for c, tie_class in enumerate(order):
                if not tie_class:
                    raise InvalidInput("empty tie class", f"{where}[{c}]")
                for agent in tie_class:
                    if agent not in p.agents:
                        raise InvalidInput(
                            f"unknown agent {agent!r}; agents are {list(p.agents)}", f"{where}[{c}]"
                        )
                    if agent in seen:
                        raise InvalidInput(f"agent {agent!r} is ranked twice", f"{where}[{c}]")
                    seen.add(agent)
            missing = [a for a in p.agents if a not in seen]
            if missing:
                raise InvalidInput(f"agents {missing} are not ranked", where)

    @classmethod
    def make(
        cls,
        problem: Problem,
        orders: Mapping[str, Sequence[object]] | Sequence[Sequence[object]],
    ) -> Priorities:
        """One weak order per object (a mapping by object name, or a list in object order).

        Each order lists tie classes, highest first; a bare agent name stands for a
        class of one: ``{"a": [["1", "2"], "3"]}``.
        """
        if isinstance(orders, Mapping):
            unknown = [x if isinstance(x, str) else show(x) for x in orders if x not in problem.objects]
            if unknown:
                raise InvalidInput(
                    f"unknown objects {unknown}; objects are {list(problem.objects)}", "priorities"
                )
            missing = [x for x in problem.objects if x not in orders]
            if missing:
                raise InvalidInput(f"no priority order for objects {missing}", "priorities")
            ordered = [orders[x] for x in problem.objects]
        elif isinstance(orders, (list, tuple)):
            ordered = list(orders)
        else:
            raise InvalidInput(
                f"expected one order per object (a mapping or a list), got {show(orders)}", "priorities"
            )
        classes = []
        for x, order in zip(problem.objects, ordered, strict=False):
            where = f"priorities[{x!r}]"
            if not isinstance(order, (list, tuple)):
                raise InvalidInput(f"expected a list of tie classes, got {show(order)}", where)
            tie_classes = []
            for c, tie in enumerate(order):
                if isinstance(tie, (str, int)) and not isinstance(tie, bool):
                    tie_classes.append((validated_name(tie, f"{where}[{c}]"),))
                elif isinstance(tie, (list, tuple)):
                    tie_classes.append(
                        tuple(validated_name(a, f"{where}[{c}][{k}]") for k, a in enumerate(tie))
                    )
                else:
                    raise InvalidInput(
                        f"expected an agent name or a list of agent names (a tie class), got {show(tie)}",
                        f"{where}[{c}]",
                    )
            classes.append(tuple(tie_classes))
        if len(ordered) != problem.m:
            raise InvalidInput(f"{len(ordered)} priority orders for {problem.m} objects", "priorities")
        return cls(problem, tuple(classes))

    @classmethod
    def uniform(cls, problem: Problem) -> Priorities:
        """Every object ties all agents (the "trivial priority structure" of Erdil, Remark 2)."""
        return cls(problem, tuple((problem.agents,) for _ in problem.objects))

    @classmethod
    def from_order(cls, problem: Problem, order: Sequence[object] | None = None) -> Priorities:
        """Every object uses the same strict order over agents (default: the problem's agent order)."""
        strict = _agent_order(problem, order)
        return cls(problem, tuple(tuple((a,) for a in strict) for _ in problem.objects))

    def is_strict(self) -> bool:
        """True when every tie class has one agent."""
        return all(len(c) == 1 for order in self.classes for c in order)

    def rank(self, obj: str, agent: str) -> int:
        """Tie-class index of ``agent`` for ``obj`` (0 = highest priority)."""
        order = self.classes[self.problem.object_index(obj)]
        for c, tie_class in enumerate(order):
            if agent in tie_class:
                return c
        raise InvalidInput(f"unknown agent {agent!r}; agents are {list(self.problem.agents)}")

    def rank_table(self) -> tuple[tuple[int, ...], ...]:
        """``table[k][i]``: tie-class index of agent ``i`` for object ``k``."""
        index = {a: i for i, a in enumerate(self.problem.agents)}
        table = []
        for order in self.classes:
            row = [0] * self.problem.n
            for c, tie_class in enumerate(order):
                for a in tie_class:
                    row[index[a]] = c
            table.append(tuple(row))
        return tuple(table)

    def break_ties(self, order: Sequence[object]) -> Priorities:
        """Strict priorities: within each tie class, agents earlier in ``order`` come first."""
        strict = _agent_order(self.problem, order)
        position = {a: k for k, a in enumerate(strict)}
        return Priorities(
            self.problem,
            tuple(
                tuple((a,) for c in classes for a in sorted(c, key=position.__getitem__))
                for classes in self.classes
            ),
        )

    def to_json(self) -> dict[str, list[list[str]]]:
        pairs = zip(self.problem.objects, self.classes, strict=True)
        return {x: [list(c) for c in order] for x, order in pairs}


def _agent_order(problem: Problem, order: Sequence[object] | None) -> tuple[str, ...]:
    """Validate a strict order of all agents (names); default: the problem's agent order."""
    if order is None:
        return problem.agents
    if isinstance(order, str):
        order = list(order) if " " not in order else order.split()
    if not isinstance(order, (list, tuple)):
        raise InvalidInput(f"expected a list of agent names, got {show(order)}", "order")
    names = tuple(validated_name(a, f"order[{k}]") for k, a in enumerate(order))
    for k, a in enumerate(names):
        if a not in problem.agents:
            raise InvalidInput(f"unknown agent {a!r}; agents are {list(problem.agents)}", f"order[{k}]")
        if a in names[:k]:
            raise InvalidInput(f"agent {a!r} appears twice", f"order[{k}]")
    if len(names) != problem.n:
        missing = [a for a in problem.agents if a not in names]
        raise InvalidInput(f"agents {missing} are missing", "order")
    return names


def as_matching(problem: Problem, matching: Sequence[str | None] | StochasticAssignment) -> Matching:
    """Validate a deterministic matching: one object name (or None / "outside") per agent,
    capacities respected. A deterministic `StochasticAssignment` is accepted too."""
    if isinstance(matching, StochasticAssignment):
        if matching.problem != problem:
            raise InvalidInput("assignment of another problem", "matching")
        if not matching.is_deterministic():
            raise InvalidInput("the assignment is not deterministic", "matching")
        held = (problem.columns[row.index(1)] for row in matching.matrix)
        return tuple(None if x == OUTSIDE else x for x in held)
    items = list(matching)
    if len(items) != problem.n:
        raise InvalidInput(f"{len(items)} entries for {problem.n} agents", "matching")
    out: list[str | None] = []
    load = {x: 0 for x in problem.objects}
    for i, x in enumerate(items):
        where = f"matching[{i}] (agent {problem.agents[i]!r})"
        if x is None or x == OUTSIDE:
            out.append(None)
            continue
        if str(x) not in problem.objects:
            raise InvalidInput(f"unknown object {x!r}; objects are {list(problem.objects)}", where)
        load[str(x)] += 1
        out.append(str(x))
    for x, q in zip(problem.objects, problem.capacities, strict=True):
        if load[x] > q:
            raise InvalidInput(f"{load[x]} agents hold object {x!r}, capacity {q}", "matching")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class BlockingPair:
    """Why a matching is unstable.

    kind ``"waste"``: ``agent`` prefers ``obj`` to ``held`` and a copy of ``obj`` is free.
    kind ``"priority"``: ``agent`` prefers ``obj`` to ``held`` and ``other`` holds ``obj``
    with strictly lower priority for it.
    kind ``"unacceptable"``: ``agent`` holds ``held``, which she ranks below her outside option.
    """

    kind: str
    agent: str
    obj: str | None
    held: str | None
    other: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "agent": self.agent,
            "object": self.obj,
            "held": OUTSIDE if self.held is None else self.held,
            "other": self.other,
        }


def blocking_pairs(
    matching: Sequence[str | None] | StochasticAssignment, profile: Profile, priorities: Priorities
) -> tuple[BlockingPair, ...]:
    """All blocking pairs of a deterministic matching (Erdil, section 3), in agent order, then
    in the agent's preference order, then (for priority violations) in agent order of ``other``."""
    problem = priorities.problem
    profile = problem.profile(profile)
    held = as_matching(problem, matching)
    load = {x: 0 for x in problem.objects}
    for x in held:
        if x is not None:
            load[x] += 1
    ranks = priorities.rank_table()
    out: list[BlockingPair] = []
    for i, (agent, pref) in enumerate(zip(problem.agents, profile, strict=True)):
        mine = held[i]
        if mine is not None and mine not in pref:
            out.append(BlockingPair("unacceptable", agent, None, mine))
            continue
        better = pref if mine is None else pref[: pref.index(mine)]
        for x in better:
            k = problem.object_index(x)
            if load[x] < problem.capacities[k]:
                out.append(BlockingPair("waste", agent, x, mine))
            for j, other in enumerate(problem.agents):
                if held[j] == x and ranks[k][i] < ranks[k][j]:
                    out.append(BlockingPair("priority", agent, x, mine, other))
    return tuple(out)


def check_stable_matching(
    matching: Sequence[str | None] | StochasticAssignment, profile: Profile, priorities: Priorities
) -> CheckResult:
    """Stability of a deterministic matching (Erdil, section 3: non-wasteful and no priority
    violation; individually rational). FAILS with the first blocking pair; HOLDS with the matching
    (the certificate is the matching itself: re-checking it is a finite scan)."""
    problem = priorities.problem
    held = as_matching(problem, matching)
    pairs = blocking_pairs(held, profile, priorities)
    named = {a: (OUTSIDE if x is None else x) for a, x in zip(problem.agents, held, strict=True)}
    if pairs:
        return fails(
            "stable_matching",
            {"kind": "blocking_pair", "matching": named, "blocking_pair": pairs[0].to_json()},
            blocking_pairs=len(pairs),
        )
    return holds("stable_matching", {"kind": "stable_matching", "matching": named})


def is_stable_matching(
    matching: Sequence[str | None] | StochasticAssignment, profile: Profile, priorities: Priorities
) -> bool:
    """True when the matching has no blocking pair (see `check_stable_matching`)."""
    return not blocking_pairs(matching, profile, priorities)
