"""Assignment problems, preferences and profiles (Erdil, section 2).

A problem has agents N, object types X with capacities q_x >= 1, and for
each agent an outside option (being unassigned). A preference is a strict
ranking of the agent's *acceptable* objects, best first; the outside option
comes right after them and every other object is unacceptable (its position
below the outside option never matters for individually rational
mechanisms). A profile is one preference per agent.

Preferences and profiles are plain tuples of object names, validated by
`Problem.preference` / `Problem.profile`; internal code may use object
indices (`Problem.object_index`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from verified.errors import InvalidInput
from verified.names import validated_names

#: Column label of the outside option in assignment rows (Erdil writes it ``i``).
OUTSIDE = "outside"

Preference = tuple[str, ...]
Profile = tuple[Preference, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """Agents, object types and capacities (Erdil, section 2: N, X, q_x >= 1).

    Build one with `Problem.make`, e.g. ``Problem.make(4, "abc")`` for agents
    ``"1".."4"`` and single-copy objects ``a, b, c``.
    """

    agents: tuple[str, ...]
    objects: tuple[str, ...]
    capacities: tuple[int, ...]

    def __post_init__(self) -> None:
        validated_names(self.agents, "agents")
        validated_names(self.objects, "objects")
        if OUTSIDE in self.objects:
            raise InvalidInput(f"{OUTSIDE!r} is reserved for the outside option", "objects")
        if len(self.capacities) != len(self.objects):
            raise InvalidInput(
                f"{len(self.capacities)} capacities for {len(self.objects)} objects", "capacities"
            )
        for x, q in zip(self.objects, self.capacities, strict=True):
            if isinstance(q, bool) or not isinstance(q, int):
                raise InvalidInput(f"capacity must be an integer, got {q!r}", f"capacities[{x!r}]")
            if q < 1:
                raise InvalidInput(f"capacity must be at least 1, got {q}", f"capacities[{x!r}]")

    @classmethod
    def make(
        cls,
        agents: Sequence[object] | int,
        objects: Sequence[object] | str | int,
        capacities: Sequence[int] | dict[str, int] | None = None,
    ) -> Problem:
        """``agents``/``objects`` are counts or names (``"abc"`` means a, b, c);
        ``capacities`` defaults to one copy of each object."""
        if isinstance(objects, int) and not isinstance(objects, bool):
            objects = "abcdefghijklmnopqrstuvwxyz"[:objects] if objects <= 26 else objects
        agent_names = validated_names(agents, "agents")
        object_names = validated_names(objects, "objects")
        if capacities is None:
            caps = tuple(1 for _ in object_names)
        elif isinstance(capacities, dict):
            unknown = set(capacities) - set(object_names)
            if unknown:
                raise InvalidInput(f"unknown objects {sorted(unknown)}", "capacities")
            caps = tuple(capacities.get(x, 1) for x in object_names)
        else:
            caps = tuple(capacities)
        return cls(agent_names, object_names, caps)

    @property
    def n(self) -> int:
        """Number of agents."""
        return len(self.agents)

    @property
    def m(self) -> int:
        """Number of object types."""
        return len(self.objects)

    @property
    def columns(self) -> tuple[str, ...]:
        """Column labels of an assignment row: the objects, then `OUTSIDE`."""
        return (*self.objects, OUTSIDE)

    def object_index(self, name: str) -> int:
        try:
            return self.objects.index(name)
        except ValueError:
            raise InvalidInput(f"unknown object {name!r}; objects are {list(self.objects)}") from None

    def agent_index(self, agent: str | int) -> int:
        """Index of an agent given by name (or by index, passed through)."""
        if isinstance(agent, int) and not isinstance(agent, bool):
            if 0 <= agent < self.n:
                return agent
            raise InvalidInput(f"agent index {agent} out of range 0..{self.n - 1}")
        try:
            return self.agents.index(str(agent))
        except ValueError:
            raise InvalidInput(f"unknown agent {agent!r}; agents are {list(self.agents)}") from None

    def capacity(self, name: str) -> int:
        return self.capacities[self.object_index(name)]

    def preference(self, ranking: Sequence[object] | str, where: str = "preference") -> Preference:
        """Validate a ranking of acceptable objects (best first).

        A string of single-letter objects may be written compactly (``"ab"``)
        or with spaces (``"a b"``). Unknown and repeated objects are errors.
        """
        if isinstance(ranking, str):
            items: list[object] = ranking.split() if (" " in ranking or "," in ranking) else list(ranking)
            items = [str(s).strip(",") for s in items if str(s).strip(",")]
        else:
            items = list(ranking)
        seen: set[str] = set()
        out: list[str] = []
        for k, item in enumerate(items):
            name = str(item)
            if name == OUTSIDE:
                raise InvalidInput(
                    f"{OUTSIDE!r} must not be listed: list only the acceptable objects", f"{where}[{k}]"
                )
            if name not in self.objects:
                raise InvalidInput(
                    f"unknown object {name!r}; objects are {list(self.objects)}", f"{where}[{k}]"
                )
            if name in seen:
                raise InvalidInput(f"object {name!r} is listed twice", f"{where}[{k}]")
            seen.add(name)
            out.append(name)
        return tuple(out)

    def profile(self, rankings: Sequence[Sequence[object] | str]) -> Profile:
        """Validate one preference per agent, in agent order."""
        rankings = list(rankings)
        if len(rankings) != self.n:
            raise InvalidInput(f"{len(rankings)} preferences for {self.n} agents", "profile")
        return tuple(
            self.preference(r, f"profile[{k}] (agent {self.agents[k]!r})") for k, r in enumerate(rankings)
        )


def describe_preference(pref: Preference) -> str:
    """Human text: ``"a > b > outside"``."""
    return " > ".join((*pref, OUTSIDE))
