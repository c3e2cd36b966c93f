"""The Boston (immediate acceptance) mechanism; its random-order version is
`verified.assignment.mechanisms.random_order_boston.random_boston` (re-exported here)."""

from __future__ import annotations

from collections.abc import Sequence

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms._common import IndexPreference, Outcome, fixed_order_mechanism
from verified.assignment.mechanisms.random_order_boston import random_boston
from verified.assignment.model import Problem


def boston_outcome(
    capacities: Sequence[int], preferences: Sequence[IndexPreference], order: Sequence[int]
) -> Outcome:
    """Index form. Round r = 1, 2, ...: every agent not yet assigned applies to the r-th object
    of her ranking; an object accepts applicants in ``order`` (priority) while copies are left,
    and acceptances are final. Agents whose ranking is exhausted get the outside option."""
    left = list(capacities)
    outcome = [-1] * len(preferences)
    waiting = list(order)
    r = 0
    while waiting:
        still: list[int] = []
        for i in waiting:  # priority order, so earlier agents are accepted first
            if r >= len(preferences[i]):
                continue  # ranking exhausted: outside option
            x = preferences[i][r]
            if left[x] > 0:
                left[x] -= 1
                outcome[i] = x
            else:
                still.append(i)
        waiting = still
        r += 1
    return tuple(outcome)


def boston(problem: Problem, order: Sequence[object] | None = None) -> FunctionMechanism:
    """Boston / immediate acceptance for one priority order over agents (agent names; default
    the problem's agent order), used by every object: in round r each unassigned agent applies
    to her r-th choice, which admits applicants by priority while copies last, for good.
    Deterministic, individually rational, manipulable."""
    return fixed_order_mechanism(problem, order, "boston", boston_outcome)


__all__ = ["boston", "boston_outcome", "random_boston"]
