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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from verified.errors import InvalidInput
from verified.names import show, validated_count, validated_name, validated_names
from verified.numbers import bounded_int

#: Column label of the outside option in assignment rows (Erdil writes it ``i``).
OUTSIDE = "outside"

Preference = tuple[str, ...]
Profile = tuple[Preference, ...]


def _capacity(value: object, where: str) -> int:
    """A capacity: an integer (not a bool) >= 1 with a bounded number of digits."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"capacity must be an integer, got {show(value)}", where)
    if value < 1:
        raise InvalidInput(f"capacity must be at least 1, got {show(value)}", where)
    return bounded_int(value, where)


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
        for what, names in (("agents", self.agents), ("objects", self.objects)):
            if not isinstance(names, tuple) or validated_names(names, what) != names:
                raise InvalidInput("names must be a tuple of strings (use Problem.make)", what)
        if OUTSIDE in self.objects:
            raise InvalidInput(f"{OUTSIDE!r} is reserved for the outside option", "objects")
        if not isinstance(self.capacities, tuple) or len(self.capacities) != len(self.objects):
            raise InvalidInput(
                f"{len(self.capacities)} capacities for {len(self.objects)} objects", "capacities"
            )
        for x, q in zip(self.objects, self.capacities, strict=True):
            _capacity(q, f"capacities[{x!r}]")

    @classmethod
    def make(
        cls,
        agents: Sequence[object] | int,
        objects: Sequence[object] | str | int,
        capacities: Sequence[int] | Mapping[str, int] | None = None,
    ) -> Problem:
        """``agents``/``objects`` are counts or names (``"abc"`` means a, b, c);
        ``capacities`` defaults to one copy of each object."""
        if isinstance(objects, int) and not isinstance(objects, bool):
            count = validated_count(objects, "objects")
            objects = "abcdefghijklmnopqrstuvwxyz"[:count] if count <= 26 else count
        agent_names = validated_names(agents, "agents")
        object_names = validated_names(objects, "objects")
        if capacities is None:
            caps = tuple(1 for _ in object_names)
        elif isinstance(capacities, Mapping):
            for key in capacities:
                if not isinstance(key, str) or key not in object_names:
                    raise InvalidInput(
                        f"unknown object {show(key)}; objects are {list(object_names)}",
                        f"capacities[{show(key)}]",
                    )
            caps = tuple(_capacity(capacities.get(x, 1), f"capacities[{x!r}]") for x in object_names)
        elif isinstance(capacities, (list, tuple)):
            if len(capacities) != len(object_names):
                raise InvalidInput(
                    f"{len(capacities)} capacities for {len(object_names)} objects", "capacities"
                )
            caps = tuple(_capacity(q, f"capacities[{k}]") for k, q in enumerate(capacities))
        else:
            raise InvalidInput(
                f"expected a list of integers or a mapping object -> integer, got {show(capacities)}",
                "capacities",
            )
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
        elif isinstance(ranking, (list, tuple)):
            items = list(ranking)
        else:
            raise InvalidInput(
                f"expected a ranking (a list of object names, or a string like 'abc'), got {show(ranking)}",
                where,
            )
        if len(items) > len(self.objects):
            raise InvalidInput(f"{len(items)} entries for {len(self.objects)} objects", where)
        seen: set[str] = set()
        out: list[str] = []
        for k, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                raise InvalidInput(f"expected an object name, got {show(item)}", f"{where}[{k}]")
            name = validated_name(item, f"{where}[{k}]")
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
        if not isinstance(rankings, (list, tuple)):
            raise InvalidInput(f"expected one ranking per agent (a list), got {show(rankings)}", "profile")
        rankings = list(rankings)
        if len(rankings) != self.n:
            raise InvalidInput(f"{len(rankings)} preferences for {self.n} agents", "profile")
        return tuple(
            self.preference(r, f"profile[{k}] (agent {self.agents[k]!r})") for k, r in enumerate(rankings)
        )


def describe_preference(pref: Preference) -> str:
    """Human text: ``"a > b > outside"``."""
    return " > ".join((*pref, OUTSIDE))
