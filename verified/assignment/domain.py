"""Finite preference domains, enumerated lazily and indexed (profile <-> integer).

The full domain gives every agent every strict ranking of every subset of the
objects (sum_k m!/(m-k)! rankings: 16 for m = 3, 65 for m = 4). A restricted
domain lists the allowed rankings per agent. Profiles are numbered in mixed
radix with agent 0 most significant, so a table over the domain reshapes to
``(k_0, k_1, ..., k_{n-1})`` in C order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from math import prod

from verified.assignment.model import Preference, Problem, Profile
from verified.errors import InvalidInput


def all_preferences(objects: Sequence[str]) -> tuple[Preference, ...]:
    """Every ranking of every subset of ``objects``: by length, then in the
    lexicographic order of object positions (the empty ranking first)."""
    out: list[Preference] = []
    for k in range(len(objects) + 1):
        out.extend(itertools.permutations(objects, k))
    return tuple(out)


@dataclass(frozen=True)
class Domain:
    """A product domain: ``preferences[i]`` lists the rankings agent ``i`` may report."""

    problem: Problem
    preferences: tuple[tuple[Preference, ...], ...]

    def __post_init__(self) -> None:
        if len(self.preferences) != self.problem.n:
            raise InvalidInput(
                f"{len(self.preferences)} preference lists for {self.problem.n} agents", "domain"
            )
        for i, prefs in enumerate(self.preferences):
            if not prefs:
                raise InvalidInput("an agent's domain is empty", f"domain[agent {self.problem.agents[i]!r}]")
            seen: set[Preference] = set()
            for k, p in enumerate(prefs):
                where = f"domain[agent {self.problem.agents[i]!r}][{k}]"
                if self.problem.preference(p, where) != p:
                    raise InvalidInput("preferences must be tuples of object names", where)
                if p in seen:
                    raise InvalidInput(f"ranking {p} is listed twice", where)
                seen.add(p)

    @classmethod
    def full(cls, problem: Problem) -> Domain:
        """Every agent may report every ranking of every acceptable subset."""
        prefs = all_preferences(problem.objects)
        return cls(problem, tuple(prefs for _ in problem.agents))

    @classmethod
    def restricted(cls, problem: Problem, per_agent: Sequence[Sequence[Sequence[str] | str]]) -> Domain:
        """An explicit list of rankings per agent (validated)."""
        per = list(per_agent)
        if len(per) != problem.n:
            raise InvalidInput(f"{len(per)} preference lists for {problem.n} agents", "domain")
        return cls(
            problem,
            tuple(
                tuple(
                    problem.preference(p, f"domain[agent {problem.agents[i]!r}][{k}]")
                    for k, p in enumerate(ps)
                )
                for i, ps in enumerate(per)
            ),
        )

    @cached_property
    def sizes(self) -> tuple[int, ...]:
        return tuple(len(p) for p in self.preferences)

    @cached_property
    def is_full(self) -> bool:
        full = set(all_preferences(self.problem.objects))
        return all(set(p) == full for p in self.preferences)

    @cached_property
    def is_symmetric(self) -> bool:
        """All agents share the same list of rankings (needed for anonymity)."""
        return all(p == self.preferences[0] for p in self.preferences)

    @cached_property
    def _position(self) -> tuple[dict[Preference, int], ...]:
        return tuple({p: k for k, p in enumerate(ps)} for ps in self.preferences)

    def __len__(self) -> int:
        return prod(self.sizes)

    def preference_index(self, agent: int, pref: Preference) -> int:
        """Position of ``pref`` in agent ``agent``'s list."""
        try:
            return self._position[agent][pref]
        except KeyError:
            raise InvalidInput(
                f"ranking {pref} is not in the domain of agent {self.problem.agents[agent]!r}"
            ) from None

    def index(self, profile: Profile) -> int:
        """The integer of a profile (mixed radix, agent 0 most significant)."""
        if len(profile) != self.problem.n:
            raise InvalidInput(f"{len(profile)} preferences for {self.problem.n} agents", "profile")
        idx = 0
        for i, pref in enumerate(profile):
            idx = idx * self.sizes[i] + self.preference_index(i, tuple(pref))
        return idx

    def digits(self, index: int) -> tuple[int, ...]:
        """Per-agent preference positions of profile number ``index``."""
        if not 0 <= index < len(self):
            raise InvalidInput(f"profile index {index} out of range 0..{len(self) - 1}")
        out = []
        for size in reversed(self.sizes):
            index, d = divmod(index, size)
            out.append(d)
        return tuple(reversed(out))

    def profile(self, index: int) -> Profile:
        """Profile number ``index``."""
        return tuple(self.preferences[i][d] for i, d in enumerate(self.digits(index)))

    def __iter__(self) -> Iterator[Profile]:
        return (tuple(p) for p in itertools.product(*self.preferences))

    def __contains__(self, profile: object) -> bool:
        if not isinstance(profile, tuple) or len(profile) != self.problem.n:
            return False
        return all(tuple(p) in self._position[i] for i, p in enumerate(profile))
