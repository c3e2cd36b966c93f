"""Serial dictatorship: agents pick in a fixed order (Erdil, section 2)."""

from __future__ import annotations

from collections.abc import Sequence

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms._common import (
    IndexPreference,
    Outcome,
    fixed_order_mechanism,
)
from verified.assignment.model import Problem


def serial_dictatorship_outcome(
    capacities: Sequence[int], preferences: Sequence[IndexPreference], order: Sequence[int]
) -> Outcome:
    """Index form: agents in ``order`` each take their best acceptable object with a copy left."""
    left = list(capacities)
    outcome = [-1] * len(preferences)
    for i in order:
        for x in preferences[i]:
            if left[x] > 0:
                left[x] -= 1
                outcome[i] = x
                break
    return tuple(outcome)


def serial_dictatorship(problem: Problem, order: Sequence[object] | None = None) -> FunctionMechanism:
    """Serial dictatorship: the agents, in ``order`` (agent names; default the problem's agent
    order), each take their best remaining acceptable object (capacities respected), or the
    outside option when none is left. Deterministic, strategy-proof, individually rational."""
    return fixed_order_mechanism(problem, order, "serial dictatorship", serial_dictatorship_outcome)
