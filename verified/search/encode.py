"""Domain words for cells, constraints and variables in certificates (JSON)."""

from __future__ import annotations

from fractions import Fraction

from verified.assignment.domain import Domain
from verified.numbers import fraction_text


def profile_json(domain: Domain, p: int) -> list[list[str]]:
    return [list(r) for r in domain.profile(p)]


def cell_json(domain: Domain, mode: str, cell: tuple) -> list:
    """explicit: ["at", profile, agent name]; anonymous: ["orbit", own ranking, others' rankings]."""
    if mode == "explicit":
        p, i = cell
        return ["at", profile_json(domain, p), domain.problem.agents[i]]
    prefs = domain.preferences[0]
    r, others = cell
    return ["orbit", list(prefs[r]), [list(prefs[o]) for o in others]]


def group_json(domain: Domain, group: tuple) -> list:
    kind, value = group
    if kind == "profile":
        return ["profile", profile_json(domain, value)]
    prefs = domain.preferences[0]
    return ["multiset", [list(prefs[o]) for o in value]]


def name_json(domain: Domain, mode: str, name: tuple) -> list:
    """A row or variable name of the LP in domain words."""
    head = name[0]
    cj = lambda c: cell_json(domain, mode, c)  # noqa: E731
    if head in ("row",):
        return [head, cj(name[1])]
    if head in ("col", "full"):
        return [head, group_json(domain, name[1]), name[2]]
    if head == "dom":
        return [head, cj(name[1]), name[2]]
    if head == "sp":
        return [head, cj(name[1]), list(name[2]), name[3]]
    if head == "ett":
        return [head, cj(name[1]), cj(name[2]), name[3]]
    if head == "upto":
        return [head, cj(name[1]), name[2]]
    if head == "expost":
        return [head, cj(name[1]), name[2], name[3]]
    if head == "expost_total":
        return [head, group_json(domain, name[1]), name[2]]
    if head == "lottery":
        return [head, group_json(domain, name[1]), list(name[2])]
    if head == "minagent":
        return [head, domain.problem.agents[name[1]], name[2]]
    if head == "g":
        return [head, cj(name[1]), name[2]]
    return list(name)


def multipliers_json(domain: Domain, mode: str, lp, values: dict[int, Fraction]) -> list:  # noqa: ANN001
    """Nonzero multipliers ``{row: y}`` of ``lp`` as ``[[row name], "n/d"]`` pairs, in row order."""
    return [
        [name_json(domain, mode, lp.row_name(r)), fraction_text(v)] for r, v in sorted(values.items()) if v
    ]
