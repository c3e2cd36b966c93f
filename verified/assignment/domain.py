"""Finite preference domains, enumerated lazily and indexed (profile <-> integer).

The full domain gives every agent every strict ranking of every subset of the
objects (sum_k m!/(m-k)! rankings: 16 for m = 3, 65 for m = 4). A restricted
domain lists the allowed rankings per agent. Profiles are numbered in mixed
radix with agent 0 most significant, so a table over the domain reshapes to
``(k_0, k_1, ..., k_{n-1})`` in C order.

Bounded work: a table over a domain has ``profiles x agents x (objects + 1)`` cells, and
the profiles grow as (rankings)^agents (13,700 rankings of 7 objects: 3 agents give
2.6 x 10^12 profiles). `Domain.require_table` refuses, before anything is allocated, a
table of more than `max_table_cells()` cells (default `MAX_TABLE_CELLS` = 2^26; raise it
with the environment variable ``VERIFIED_MAX_TABLE_CELLS`` or the ``limit`` argument), and
`Domain.full` refuses a full domain whose rankings alone exceed that many cells (one
agent's table). Describing a domain (``len``, indexing) never allocates the table, so
checks that work on orbits of anonymous mechanisms are not limited by it.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from math import prod

from verified.assignment.model import Preference, Problem, Profile
from verified.errors import InvalidInput
from verified.names import show

#: Default largest table (profiles x agents x (objects + 1) cells) the library materialises.
MAX_TABLE_CELLS = 2**26
ENV_MAX_TABLE_CELLS = "VERIFIED_MAX_TABLE_CELLS"


class DomainTooLarge(InvalidInput):
    """A table over the domain would exceed the cell limit (`max_table_cells`)."""


def max_table_cells(override: int | None = None) -> int:
    """The cell limit in force: ``override``, else ``$VERIFIED_MAX_TABLE_CELLS``, else
    `MAX_TABLE_CELLS`."""
    if override is not None:
        value: object = override
        where = "limit"
    else:
        raw = os.environ.get(ENV_MAX_TABLE_CELLS, "").strip().replace("_", "")
        if not raw:
            return MAX_TABLE_CELLS
        where = ENV_MAX_TABLE_CELLS
        value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 40 else raw
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"the table limit must be a positive integer, got {show(value)}", where)
    return value


def count_rankings(m: int, cap: int | None = None) -> int:
    """Number of strict rankings of the subsets of ``m`` objects: sum_k m!/(m-k)!
    (16 for m = 3, 65 for m = 4, 13,700 for m = 7). With ``cap``, stops and returns a
    number above ``cap`` as soon as the count exceeds it (no huge integers)."""
    total, term = 1, 1
    for k in range(m):
        term *= m - k
        total += term
        if cap is not None and total > cap:
            return total
    return total


#: Said when a mechanism's table over a domain is refused: what reads less than the table.
COMPACT_HINT = (
    "; properties sp and ir (checked alone) read a compact table of up to 8 times as many cells, "
    "and with --certificate-dir certify a FAILS verdict on the profiles of its counterexample"
)


def refuse_table(
    cells: int, limit: int, what: str, *, at_least: bool = False, hint: str = ""
) -> DomainTooLarge:
    """The error for a table of ``cells`` cells over ``limit``: size, limit and what to do."""
    return DomainTooLarge(
        f"{what} has {'at least ' if at_least else ''}{count_text(cells)} cells, "
        f"more than the limit of {limit:,} "
        f"(set {ENV_MAX_TABLE_CELLS} to raise it). Check a restricted domain (domain.kind = "
        f"'restricted'), fewer agents or objects, or, for an anonymous mechanism, property "
        f"sp-anonymous (orbits, no full table){hint}. To look for counterexamples on a domain this "
        f"large without a table, sample it: verified hunt FILE --property NAMES",
        "domain",
    )


def count_text(number: int) -> str:
    """A count in words: with thousands separators, or its order of magnitude past 10^15."""
    return f"{number:,}" if number < 10**15 else f"about 10^{len(str(number)) - 1}"


def require_cells(cells: int, what: str, limit: int | None = None, hint: str = "") -> int:
    """``cells`` if within the limit (`max_table_cells`), else `DomainTooLarge` (with ``hint``)."""
    cap = max_table_cells(limit)
    if cells > cap:
        raise refuse_table(cells, cap, what, hint=hint)
    return cells


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
        checked: list[tuple[Preference, ...]] = []  # lists shared by several agents: validated once
        for i, prefs in enumerate(self.preferences):
            if not isinstance(prefs, tuple):
                raise InvalidInput(
                    "preference lists must be tuples", f"domain[agent {self.problem.agents[i]!r}]"
                )
            if any(prefs is c for c in checked):
                continue
            checked.append(prefs)
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
        """Every agent may report every ranking of every acceptable subset. Refused
        (`DomainTooLarge`) when one agent's table over the rankings alone exceeds the limit."""
        cap = max_table_cells()
        rankings = count_rankings(problem.m, cap)
        if rankings * (problem.m + 1) > cap:
            exact = count_rankings(problem.m) if problem.m <= 20 else None
            size = f"{exact:,} rankings" if exact is not None else f"more than {rankings:,} rankings"
            raise refuse_table(
                (exact or rankings) * (problem.m + 1),
                cap,
                f"the full domain of {problem.m} objects ({size} per agent; one agent's table)",
                at_least=exact is None,
            )
        prefs = all_preferences(problem.objects)
        # generated here, so valid by construction: skip the per-ranking validation
        domain = cls.__new__(cls)
        object.__setattr__(domain, "problem", problem)
        object.__setattr__(domain, "preferences", tuple(prefs for _ in problem.agents))
        return domain

    @classmethod
    def restricted(cls, problem: Problem, per_agent: Sequence[Sequence[Sequence[str] | str]]) -> Domain:
        """An explicit list of rankings per agent (validated)."""
        if not isinstance(per_agent, (list, tuple)):
            raise InvalidInput(f"expected one list of rankings per agent, got {show(per_agent)}", "domain")
        per = list(per_agent)
        if len(per) != problem.n:
            raise InvalidInput(f"{len(per)} preference lists for {problem.n} agents", "domain")
        for i, ps in enumerate(per):
            if not isinstance(ps, (list, tuple)):
                raise InvalidInput(
                    f"expected a list of rankings, got {show(ps)}", f"domain[agent {problem.agents[i]!r}]"
                )
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
        """Every agent lists the same rankings *in the same order*: the number of a profile with its
        agents permuted is then the number of its permuted digits, which the per-multiset fast
        paths rely on (tabulating anonymous built-ins, the anonymous search). Anonymity itself only
        needs `same_rankings`."""
        return all(p == self.preferences[0] for p in self.preferences)

    @cached_property
    def same_rankings(self) -> bool:
        """Every agent has the same *set* of rankings, whatever order each lists them in: the
        profiles are then closed under permuting the agents, so anonymity is defined. A profile
        with its agents permuted is numbered through each agent's own positions (`translation`)."""
        first = self.preferences[0]
        common = frozenset(first)
        return all(p is first or (len(p) == len(first) and frozenset(p) == common) for p in self.preferences)

    def translation(self, source: int, target: int) -> tuple[int, ...]:
        """For each ranking of agent ``source``'s list, in order, its position in agent ``target``'s
        list (`InvalidInput` for a ranking ``target`` may not report)."""
        return tuple(self.preference_index(target, p) for p in self.preferences[source])

    @cached_property
    def _position(self) -> tuple[dict[Preference, int], ...]:
        return tuple({p: k for k, p in enumerate(ps)} for ps in self.preferences)

    def __len__(self) -> int:
        return self.profile_count  # OverflowError past sys.maxsize: use profile_count there

    @property
    def profile_count(self) -> int:
        """The number of profiles, however large (``len`` stops at ``sys.maxsize``)."""
        return prod(self.sizes)

    @property
    def table_cells(self) -> int:
        """Cells of a table over the domain: profiles x agents x (objects + 1)."""
        return self.profile_count * self.problem.n * (self.problem.m + 1)

    def require_table(self, limit: int | None = None) -> Domain:
        """``self`` if a table over it fits the cell limit (`max_table_cells`); otherwise
        `DomainTooLarge` with the size, *before* anything is allocated."""
        p = self.problem
        require_cells(
            self.table_cells,
            f"a table over this domain ({count_text(self.profile_count)} profiles x {p.n} agents "
            f"x {p.m + 1} columns)",
            limit,
            COMPACT_HINT if limit is None else "",  # past the compact limit, nothing reads less
        )
        return self

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
        if not 0 <= index < self.profile_count:
            raise InvalidInput(f"profile index {index} out of range 0..{self.profile_count - 1}")
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
