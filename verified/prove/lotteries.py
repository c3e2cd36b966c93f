"""Ex post efficiency and ex post stability of an unknown: lotteries over deterministic assignments.

Erdil (section 2) calls a stochastic assignment *ex post efficient* when it is a lottery over
Pareto-efficient deterministic assignments, and (section 3) *ex post stable* for priorities
when it is a lottery over stable ones. For an unknown both are linear once the deterministic
set D_1, ..., D_T of the profile is listed: one weight w_t per member, and the rows

* ``["lottery-weight", u, p, family, [c_1, ..., c_n]]``  ``w >= 0`` for the member that gives
  agent i column c_i (an object, or ``m`` for the outside option);
* ``["lottery-sum", u, p, family]``  ``sum_t w_t = 1``;
* ``["lottery-share", u, p, family, i, k]``  ``x_pik - sum_{t: D_t(i) = k} w_t = 0``.

``family`` is ``"efficient"`` or ``"stable"`` (for the unknown's own priorities). A weight is
named by its member, ``"u|p|family:c_1,...,c_n"`` (`weight_var`): three ``|``-fields where a
share ``"u|p|i|k"`` has four, so the two never collide, and the checker
(`verified.recheck.prove_lotteries`) re-derives the member from the reason and checks that it
belongs to the family by its own code.

The deterministic assignments of a profile (`deterministic`) give each agent one object she
listed or her outside option within the capacities, in lexicographic order of the columns;
there are at most `verified.prove.statement.MAX_ASSIGNMENTS` (checked when the statement is
made). Pareto efficiency is the library's test (`efficiency.pareto_improvement`: no waste, no
trading cycle), stability its blocking pairs (`priorities.blocking_pairs`); the checker uses
the definitions directly instead.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

from verified.assignment.model import Problem, Profile

FAMILIES = {"ex-post-efficient": "efficient", "ex-post-stable": "stable"}
KINDS = ("lottery-weight", "lottery-sum", "lottery-share")

Columns = tuple[int, ...]


def weight_var(u: str, p: int, family: str, cols: Columns) -> str:
    """The weight of deterministic assignment ``cols`` in unknown ``u``'s lottery at profile ``p``."""
    return f"{u}|{p}|{family}:{','.join(map(str, cols))}"


def deterministic(problem: Problem, profile: Profile) -> list[Columns]:
    """Every assignment of one listed object or the outside option (column ``m``) per agent
    within the capacities, in lexicographic order of the column tuples."""
    options = [sorted(problem.object_index(x) for x in ranking) + [problem.m] for ranking in profile]
    out = []
    for cols in itertools.product(*options):
        load = [0] * problem.m
        for c in cols:
            if c < problem.m:
                load[c] += 1
        if all(q <= cap for q, cap in zip(load, problem.capacities, strict=True)):
            out.append(tuple(cols))
    return out


def _priorities(problem: Problem, ranks: tuple[tuple[int, ...], ...]) -> Any:
    """The library's `Priorities` for tie classes ``ranks[object][agent]``."""
    from verified.assignment.priorities import Priorities

    classes = tuple(
        tuple(
            tuple(a for a, r in zip(problem.agents, row, strict=True) if r == c) for c in range(max(row) + 1)
        )
        for row in ranks
    )
    return Priorities(problem, classes)


def members(problem: Problem, profile: Profile, family: str, ranks: Any = None) -> list[Columns]:
    """The deterministic assignments of ``family`` at ``profile`` (`deterministic`'s order)."""
    from verified.assignment.lottery import DeterministicAssignment
    from verified.assignment.priorities import blocking_pairs
    from verified.assignment.properties.efficiency import pareto_improvement

    def named(cols: Columns) -> tuple[str | None, ...]:
        return tuple(None if c == problem.m else problem.objects[c] for c in cols)

    if family == "efficient":
        return [
            cols
            for cols in deterministic(problem, profile)
            if pareto_improvement(DeterministicAssignment(problem, named(cols)), profile) is None
        ]
    priorities = _priorities(problem, ranks)
    return [
        cols
        for cols in deterministic(problem, profile)
        if not blocking_pairs(named(cols), profile, priorities)
    ]


def reasons(u: str, p: int, family: str, found: list[Columns], n: int, m: int) -> list[tuple]:
    """The rows of unknown ``u``'s lottery over ``found`` at profile ``p``."""
    out: list[tuple] = [("lottery-weight", u, p, family, cols) for cols in found]
    out.append(("lottery-sum", u, p, family))
    out += [("lottery-share", u, p, family, i, k) for i in range(n) for k in range(m + 1)]
    return out


def coefficients(
    reason: tuple, found: list[Columns], share: str
) -> tuple[dict[str, Fraction], str, Fraction]:
    """(coefficients, sense, rhs) of a lottery row; ``found`` the family at its profile, ``share``
    the variable of the share for ``lottery-share``."""
    kind, u, p, family, *rest = reason
    one = Fraction(1)
    if kind == "lottery-weight":
        return {weight_var(u, p, family, tuple(rest[0])): one}, ">=", Fraction(0)
    if kind == "lottery-sum":
        return {weight_var(u, p, family, cols): one for cols in found}, "==", one
    i, k = rest
    coeffs = {share: one}
    for cols in found:
        if cols[i] == k:
            coeffs[weight_var(u, p, family, cols)] = -one
    return coeffs, "==", Fraction(0)
