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

Strings are names, integers are indices (from 0). In a ranking given to `Problem.preference`
or `Problem.profile`, a string names an object and an integer (a Python int or a numpy integer
scalar) is an object's index; a numpy integer array of shape (agents, k), k <= objects, is a
profile of index rankings (prefsampling's output), one row per agent. `Problem.agent_index`
reads agents the same way. An integer k is refused as *ambiguous* when its text ``str(k)`` is
the name of another object (agent) than the one at index k, or when k is out of range while
``str(k)`` is a name: with objects named ``"1", "2", ...`` write ``"1"`` for the object named 1,
and its index only where the two agree. File formats keep writing names (a file's integer
``1`` in a ranking is the name ``"1"``: `names_as_text` converts it before validation).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verified.errors import InvalidInput
from verified.names import MAX_NAME_LENGTH, show, validated_count, validated_name, validated_names
from verified.numbers import bounded_int

#: Column label of the outside option in assignment rows (Erdil writes it ``i``).
OUTSIDE = "outside"

Preference = tuple[str, ...]
Profile = tuple[Preference, ...]


#: Integers below this in size have a decimal text that can be a name (`verified.names`).
_PRINTABLE = 10**MAX_NAME_LENGTH


def _integer(value: object) -> int | None:
    """``value`` as an index when it is an integer (a Python int or a numpy integer scalar; never
    a bool, a string or a float), else None."""
    if isinstance(value, (bool, str)) or type(value).__name__ in ("bool", "bool_"):
        return None
    if isinstance(value, int):
        return value
    if type(value).__module__ == "numpy" and hasattr(value, "__index__"):
        try:
            return operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            return None
    return None


def _array_items(value: object, ndim: int, where: str) -> list[Any] | None:
    """The items of a numpy array of ``ndim`` dimensions (``tolist()``), or None when ``value`` is
    not an array. Integer arrays are indices, string arrays names, object arrays are read item by
    item; a float, bool or complex array, or another number of dimensions, is `InvalidInput`."""
    dtype, shape = getattr(value, "dtype", None), getattr(value, "shape", None)
    if dtype is None or not isinstance(shape, tuple) or not callable(getattr(value, "tolist", None)):
        return None
    kind = getattr(dtype, "kind", "?")
    if kind not in "iuUO":
        what = {"b": "booleans", "f": "floats", "c": "complex numbers"}.get(kind, f"dtype {dtype}")
        raise InvalidInput(
            f"an array of {what} is not a ranking: object indices must be integers (from 0)", where
        )
    if len(shape) != ndim:
        need = "(agents, objects): one row per agent" if ndim == 2 else "(k,): one ranking"
        raise InvalidInput(f"expected an array of shape {need}, got shape {shape}", where)
    return value.tolist()  # type: ignore[attr-defined]


def names_as_text(value: Any) -> Any:
    """A ranking, or a list of them, as read from a file: every integer (not a bool) becomes its
    decimal text, so that a file's ``[1, 2]`` keeps meaning the objects *named* 1 and 2 (file
    formats hold names; only the Python API reads integers as indices). Lists and tuples are
    converted item by item; anything else is returned as it is, for validation to judge."""
    if isinstance(value, (list, tuple)):
        return [names_as_text(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return validated_name(value, "ranking")
    return value


def _by_index(names: tuple[str, ...], k: int, what: str, where: str) -> str:
    """The name at index ``k`` of ``names``, refusing an out-of-range or ambiguous index (its
    text names another one: strings are names, integers are indices)."""
    text = str(k) if abs(k) < _PRINTABLE else None
    if not 0 <= k < len(names):
        if text is not None and text in names:
            raise InvalidInput(
                f"ambiguous {what} {k}: integers are indices from 0 (0..{len(names) - 1}), so {k} is out "
                f"of range, but a{'n' if what[0] in 'aeiou' else ''} {what} is named {text!r}; write the "
                f"name as a string ({text!r})",
                where,
            )
        shown = text if text is not None and len(text) <= 30 else "of more than 30 digits"
        raise InvalidInput(f"{what} index {shown} out of range 0..{len(names) - 1}", where)
    name = names[k]
    if text is not None and text in names and text != name:
        raise InvalidInput(
            f"ambiguous {what} {k}: integers are indices from 0 (index {k} is {name!r}), but another "
            f"{what} is named {text!r}; write names as strings ({text!r} for the {what} named {text}, "
            f"{name!r} for index {k})",
            where,
        )
    return name


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
        """Index of an agent given by name (a string) or by index from 0 (an int or a numpy
        integer). An index whose text names another agent (agents ``"1".."4"`` and index 1) is
        refused as ambiguous: write the name as a string."""
        k = _integer(agent)
        if k is not None:
            _by_index(self.agents, k, "agent", "agent")
            return k
        if not isinstance(agent, str):
            raise InvalidInput(f"expected an agent name (a string) or index (an integer), got {show(agent)}")
        try:
            return self.agents.index(agent)
        except ValueError:
            raise InvalidInput(f"unknown agent {show(agent)}; agents are {list(self.agents)}") from None

    def capacity(self, name: str) -> int:
        return self.capacities[self.object_index(name)]

    def preference(self, ranking: Sequence[object] | str, where: str = "preference") -> Preference:
        """Validate a ranking of acceptable objects (best first).

        A string of single-letter objects may be written compactly (``"ab"``)
        or with spaces (``"a b"``). Unknown and repeated objects are errors.
        """
        array = None if isinstance(ranking, (str, list, tuple)) else _array_items(ranking, 1, where)
        if isinstance(ranking, str):
            items: list[object] = ranking.split() if (" " in ranking or "," in ranking) else list(ranking)
            items = [str(s).strip(",") for s in items if str(s).strip(",")]
        elif isinstance(ranking, (list, tuple)):
            items = list(ranking)
        elif array is not None:
            items = array
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
            index = _integer(item)
            if index is not None:
                name = _by_index(self.objects, index, "object", f"{where}[{k}]")
            elif isinstance(item, str):
                name = str(validated_name(item, f"{where}[{k}]"))
            else:
                raise InvalidInput(
                    f"expected an object name (a string) or index (an integer from 0), got {show(item)}",
                    f"{where}[{k}]",
                )
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
        """Validate one preference per agent, in agent order: a list of rankings (names or
        indices), or a numpy integer array of shape (agents, k) whose rows are index rankings."""
        array = None if isinstance(rankings, (list, tuple)) else _array_items(rankings, 2, "profile")
        if array is not None:
            rankings = array
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
