"""Renaming agents and objects: the symmetries of a statement, used to shorten its proof.

A *renaming* ``(agents, objects)`` sends agent ``i`` to ``agents[i]`` and object ``k`` to
``objects[k]`` (the outside option stays). It maps a profile R to the profile in which agent
``agents[i]`` reports agent ``i``'s ranking with each object renamed, and an unknown's share
``x[u, p, i, k]`` to ``x[u, sigma(p), agents[i], objects[k]]``.

Every property and relation of `verified.prove.statement` is defined without naming a particular
agent or object (anonymous and neutral), except a known mechanism (``fixed``) and ex post
stability for given priorities. So when a statement has neither, and a renaming maps its set of
profiles onto itself (objects only onto objects with the same capacity), the renaming maps the
statement's rows and clauses onto themselves: a solution renamed is a solution. Hence, if the
rows and one atom ``A`` are infeasible, so are the rows and the renamed atom ``sigma(A)``: at the
root of a proof, the case of ``sigma(A)`` is the case of ``A`` renamed. The prover uses this to
prove one case per orbit of a clause's atoms (Erdil's Proposition 1 at n = 3, m = 2: the
dominance clause has 750 atoms in about 12 times fewer orbits); the checker
(`verified.recheck.prove`) re-checks the renaming with its own code.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from math import factorial

from verified.assignment.model import Profile
from verified.prove.rows import Reason
from verified.prove.statement import Statement

#: Properties defined without naming an agent or an object (see the module docstring).
SYMMETRIC_PROPERTIES = frozenset(
    {"ir", "sp", "ete", "nonwasteful", "sd-efficient", "anonymous", "ex-post-efficient"}
)
#: Most renamings tried (agents! x objects!), so the search for symmetries stays cheap.
MAX_RENAMINGS = 5_040

Renaming = tuple[tuple[int, ...], tuple[int, ...]]


def renamed_profile(statement: Statement, profile: Profile, renaming: Renaming) -> Profile:
    """``profile`` with agent ``i``'s ranking given to agent ``agents[i]``, objects renamed."""
    agents, objects = renaming
    names = statement.problem.objects
    index = {x: k for k, x in enumerate(names)}
    out: list = [None] * len(profile)
    for i, ranking in enumerate(profile):
        out[agents[i]] = tuple(names[objects[index[x]]] for x in ranking)
    return tuple(out)


def symmetries(statement: Statement) -> list[Renaming]:
    """The renamings other than the identity that map the statement onto itself (empty when a
    property is not symmetric, an unknown is a known mechanism, or there are more than
    `MAX_RENAMINGS` renamings to try)."""
    if any(u.fixed is not None for u in statement.unknowns):
        return []
    if any(p not in SYMMETRIC_PROPERTIES for u in statement.unknowns for p in u.properties):
        return []
    n, m = statement.problem.n, statement.problem.m
    if factorial(n) * factorial(m) > MAX_RENAMINGS:
        return []
    capacities = statement.problem.capacities
    present = set(statement.profiles)
    out = []
    for renaming in _renamings(n, m):
        agents, objects = renaming
        if renaming == (tuple(range(n)), tuple(range(m))):
            continue
        if any(capacities[objects[k]] != capacities[k] for k in range(m)):
            continue
        if all(renamed_profile(statement, p, renaming) in present for p in statement.profiles):
            out.append(renaming)
    return out


def _renamings(n: int, m: int) -> Iterator[Renaming]:
    for agents in itertools.permutations(range(n)):
        for objects in itertools.permutations(range(m)):
            yield agents, objects


class Renamer:
    """Renames reasons of atoms (`verified.prove.rows`) under the statement's symmetries."""

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self.m = statement.problem.m
        self.number = {p: k for k, p in enumerate(statement.profiles)}
        self._profile: dict[tuple[int, Renaming], int] = {}

    def profile(self, p: int, renaming: Renaming) -> int:
        found = self._profile.get((p, renaming))
        if found is None:
            image = renamed_profile(self.statement, self.statement.profiles[p], renaming)
            found = self._profile[(p, renaming)] = self.number[image]
        return found

    def column(self, k: int, renaming: Renaming) -> int:
        return k if k == self.m else renaming[1][k]

    def reason(self, reason: Reason, renaming: Renaming) -> Reason | None:
        """The renamed reason of an atom's row, or None for a kind this does not rename."""
        kind = reason[0]
        agents = renaming[0]
        if kind == "strict":
            _, g, f, p, i, s = reason
            return (kind, g, f, self.profile(p, renaming), agents[i], s)
        if kind in ("more", "less"):
            _, g, f, p, i = reason
            return (kind, g, f, self.profile(p, renaming), agents[i])
        if kind == "size-more":
            _, g, f, p = reason
            return (kind, g, f, self.profile(p, renaming))
        if kind in ("unused", "zero"):
            _, u, p, i, k = reason
            return (kind, u, self.profile(p, renaming), agents[i], self.column(k, renaming))
        if kind == "full":
            _, u, p, k = reason
            return (kind, u, self.profile(p, renaming), self.column(k, renaming))
        return None

    def atom(self, atom_reasons: tuple[Reason, ...], renaming: Renaming) -> frozenset | None:
        """The renamed atom as a set of reasons (None when a row cannot be renamed)."""
        out = []
        for r in atom_reasons:
            image = self.reason(r, renaming)
            if image is None:
                return None
            out.append(image)
        return frozenset(out)
