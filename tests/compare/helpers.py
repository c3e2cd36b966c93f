"""Shared builders for the comparison tests: subjects from tables, an independent FOSD
classification written here over Fractions (not the library's), pairs of related tables."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem
from verified.assignment.stochastic import StochasticAssignment
from verified.io import AssignmentSubject
from verified.strategies import random_assignment


def subject(table: TabulatedMechanism, source: str = "<memory>") -> AssignmentSubject:
    return AssignmentSubject(table.domain.problem, table.domain, table, source)


def kind(
    old: tuple[Fraction, ...], new: tuple[Fraction, ...], ranking: tuple[str, ...], problem: Problem
) -> str:
    """The kind of a pair, by hand: cumulative probabilities of the top 1, top 2, ... acceptable
    objects, then of all of them and the outside option (Erdil, FOSD), NEW against OLD."""
    if old == new:
        return "same"
    columns = [problem.objects.index(x) for x in ranking] + [problem.m]
    up = down = False
    total_old = total_new = Fraction(0)
    for c in columns:
        total_old += old[c]
        total_new += new[c]
        up = up or total_new > total_old
        down = down or total_new < total_old
    if up and down:
        return "incomparable"
    return "better" if up else ("worse" if down else "equivalent")


def reference(old: TabulatedMechanism, new: TabulatedMechanism) -> dict[str, Any]:
    """Every number of a comparison, computed profile by profile in Fractions."""
    domain, problem = old.domain, old.domain.problem
    counts = dict.fromkeys(("same", "better", "worse", "incomparable", "equivalent"), 0)
    first: dict[str, tuple[int, str]] = {}
    changed = []
    size_old = size_new = Fraction(0)
    per_agent = {a: Fraction(0) for a in problem.agents}
    for index, profile in enumerate(domain):
        a, b = old(profile), new(profile)
        differ = False
        for i, agent in enumerate(problem.agents):
            found = kind(a.matrix[i], b.matrix[i], profile[i], problem)
            counts[found] += 1
            first.setdefault(found, (index, agent))
            differ = differ or found != "same"
            per_agent[agent] += sum(b.matrix[i][:-1]) - sum(a.matrix[i][:-1])
        size_old += a.size()
        size_new += b.size()
        if differ:
            changed.append(index)
    better, worse = counts["better"], counts["worse"]
    if counts["incomparable"] or (better and worse):
        relation = "incomparable"
    elif better:
        relation = "dominates"
    elif worse:
        relation = "dominated"
    else:
        relation = "equivalent" if counts["equivalent"] else "equal"
    return {
        "counts": counts,
        "first": first,
        "changed": changed,
        "size_old": size_old,
        "size_new": size_new,
        "per_agent": per_agent,
        "relation": relation,
    }


def lowered(assignment: StochasticAssignment, rng: random.Random) -> StochasticAssignment:
    """``assignment`` with one agent's share of one object partly moved to her outside option:
    column sums only fall, so it stays valid, and the agent is weakly worse off."""
    problem = assignment.problem
    matrix = [list(row) for row in assignment.matrix]
    i = rng.randrange(problem.n)
    held = [k for k in range(problem.m) if matrix[i][k] > 0]
    if held:
        k = rng.choice(held)
        moved = matrix[i][k] * Fraction(rng.randint(1, 2), 2)
        matrix[i][k] -= moved
        matrix[i][problem.m] += moved
    return StochasticAssignment(problem, tuple(tuple(r) for r in matrix))


def related_tables(
    domain: Domain, rng: random.Random, mode: str, individually_rational: bool = True
) -> tuple[TabulatedMechanism, TabulatedMechanism]:
    """(OLD, NEW) over ``domain``: ``same``; ``new_better`` (OLD lowered at some profiles);
    ``new_worse``; ``mixed`` (each profile: the same, lowered on one side, or redrawn)."""
    problem = domain.problem
    old_rows, new_rows = [], []
    for profile in domain:
        at = profile if individually_rational else None
        base = random_assignment(problem, rng, at)
        choice = {"same": "same", "new_better": "lower_old", "new_worse": "lower_new"}.get(mode)
        if choice is None:
            choice = rng.choice(["same", "same", "lower_old", "lower_new", "redraw"])
        elif rng.random() < 0.5:
            choice = "same"
        old, new = base, base
        if choice == "lower_old":
            old = lowered(base, rng)
        elif choice == "lower_new":
            new = lowered(base, rng)
        elif choice == "redraw":
            new = random_assignment(problem, rng, at)
        old_rows.append(old)
        new_rows.append(new)
    return (
        TabulatedMechanism.from_assignments(domain, old_rows, "old table"),
        TabulatedMechanism.from_assignments(domain, new_rows, "new table"),
    )
