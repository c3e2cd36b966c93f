"""The two mechanisms of a comparison: read, refused unless they are about one problem and one
domain, and tabulated on that domain.

The problems must be equal (the same agents and objects in the same order, the same
capacities) and so must the domains, as sets of rankings per agent: a restricted domain
listed in another order is the same domain, and NEW's table is then re-ordered onto OLD's
profile order. Priorities (a file's ``[priorities]``, a deferred-acceptance parameter) may
differ: comparing DA with Boston under the same priorities is the point. Every refusal is
`InvalidInput` naming the difference ("OLD has objects [a, b, c], NEW has [a, b]").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from verified.assignment.domain import Domain, DomainTooLarge
from verified.assignment.mechanism import TabulatedMechanism
from verified.errors import InvalidInput


def _names(values: Any) -> str:
    return "[" + ", ".join(map(str, values)) + "]"


def load(target: Any, role: str, allow_float: bool = False) -> Any:
    """An `AssignmentSubject` from a path or given as one; a trading file is refused."""
    from verified.io import AssignmentSubject, load_subject

    subject = load_subject(target, allow_float=allow_float) if isinstance(target, (str, Path)) else target
    if not isinstance(subject, AssignmentSubject):
        where = getattr(subject, "source", None) or str(target)
        raise InvalidInput(
            f"{role} is not an assignment mechanism (compare takes two files of the format "
            f"'verified/assignment/1')",
            where,
        )
    return subject


def require_same_setting(old: Any, new: Any) -> None:
    """Refuse (`InvalidInput`) two subjects on different problems or domains, naming the difference."""
    p, q = old.problem, new.problem
    differences = []
    if p.agents != q.agents:
        differences.append(f"OLD has agents {_names(p.agents)}, NEW has {_names(q.agents)}")
    if p.objects != q.objects:
        same_set = set(p.objects) == set(q.objects)
        note = " (the same objects in another order: list them in the same order)" if same_set else ""
        differences.append(f"OLD has objects {_names(p.objects)}, NEW has {_names(q.objects)}{note}")
    elif p.capacities != q.capacities:
        show = lambda caps: ", ".join(f"{x}: {c}" for x, c in zip(p.objects, caps, strict=True))  # noqa: E731
        differences.append(f"OLD has capacities {{{show(p.capacities)}}}, NEW has {{{show(q.capacities)}}}")
    if not differences:
        found = _domain_difference(old.domain, new.domain)
        if found:
            differences.append(found)
    if differences:
        raise InvalidInput(
            f"OLD ({old.source}) and NEW ({new.source}) are not about the same problem and domain: "
            + "; ".join(differences)
        )


def _domain_difference(a: Domain, b: Domain) -> str | None:
    """What differs between two domains of one problem (as sets of rankings per agent), or None."""
    if a.is_full != b.is_full:
        full, other, which = (a, b, ("OLD", "NEW")) if a.is_full else (b, a, ("NEW", "OLD"))
        sizes = ", ".join(
            f"{agent}: {len(r)}" for agent, r in zip(other.problem.agents, other.preferences, strict=True)
        )
        return (
            f"{which[0]}'s domain is full ({full.sizes[0]} rankings per agent), {which[1]}'s is restricted "
            f"(rankings per agent {sizes})"
        )
    for agent, ours, theirs in zip(a.problem.agents, a.preferences, b.preferences, strict=True):
        only_old = [r for r in ours if r not in set(theirs)]
        only_new = [r for r in theirs if r not in set(ours)]
        if only_old or only_new:
            parts = []
            if only_old:
                parts.append(f"only OLD allows {_ranking(only_old[0])}" + _more(len(only_old)))
            if only_new:
                parts.append(f"only NEW allows {_ranking(only_new[0])}" + _more(len(only_new)))
            return (
                f"the domains differ for agent {agent}: OLD lists {len(ours)} rankings, NEW {len(theirs)}; "
                + (", ".join(parts))
            )
    return None


def _ranking(r: tuple[str, ...]) -> str:
    return " > ".join([*r, "outside"])


def _more(count: int) -> str:
    return f" (and {count - 1} more)" if count > 1 else ""


def tabulate(subject: Any, role: str) -> TabulatedMechanism:
    """The subject's table (`AssignmentSubject.table`: the fast built-in tables, the engine for a
    user's Python function); a domain too large to tabulate is refused with the hint to sample."""
    try:
        subject.domain.require_table()
        return subject.table
    except DomainTooLarge as exc:
        raise InvalidInput(
            f"{role}: {exc}. To compare mechanisms on a domain this large, sample profiles: --hunt "
            "(--budget N --seed K)"
        ) from None


def on_domain(table: TabulatedMechanism, domain: Domain) -> TabulatedMechanism:
    """``table`` re-ordered onto ``domain`` (the same rankings per agent, maybe in another order)."""
    if table.domain == domain:
        return table
    own = table.domain
    perms = [[own.preference_index(i, r) for r in domain.preferences[i]] for i in range(domain.problem.n)]
    shaped = table.numerators.reshape((*own.sizes, *table.numerators.shape[1:]))
    moved = shaped[np.ix_(*(np.asarray(p) for p in perms))].reshape(table.numerators.shape)
    return TabulatedMechanism(domain, np.ascontiguousarray(moved), int(table.denominator), table.name)
