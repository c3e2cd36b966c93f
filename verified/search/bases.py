"""The search's base mechanisms from their JSON spec (Erdil, section 3), computed by the
library's mechanisms (`verified.assignment.mechanisms`).

A spec is what certificates record under ``base``: ``{"mechanism": "random_priority"}``,
``{"mechanism": "serial_dictatorship", "order": [agent indices]}`` (default 0, 1, ..., n-1) or
``{"mechanism": "random_deferred_acceptance", "priorities": per object, tiers of agent
indices, highest first}``. Agents are given by index (the certificate format); they are
translated to agent names here. Random priority is tabulated over the whole domain in one
sweep (`tabulate_random_priority`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.mechanisms.random_deferred_acceptance import random_deferred_acceptance
from verified.assignment.mechanisms.random_priority import tabulate_random_priority
from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.errors import InvalidInput

BASE_NAMES = ("random_priority", "serial_dictatorship", "random_deferred_acceptance")


def _agent(problem: Problem, index: object, where: str) -> str:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < problem.n:
        raise InvalidInput(f"{index!r} is not an agent index in 0..{problem.n - 1}", where)
    return problem.agents[index]


def agent_names(problem: Problem, order: Sequence[object] | None, where: str = "base.order") -> list[str]:
    """Agent names for an order of agent indices (default 0, 1, ..., n-1)."""
    if order is None:
        return list(problem.agents)
    if isinstance(order, str) or not isinstance(order, Sequence):
        raise InvalidInput(f"must be a list of agent indices, got {order!r}", where)
    names = [_agent(problem, i, f"{where}[{k}]") for k, i in enumerate(order)]
    if sorted(names) != sorted(problem.agents):
        raise InvalidInput("must name every agent exactly once", where)
    return names


def weak_priorities(
    problem: Problem, tiers: Sequence[Sequence[Sequence[int]]], where: str = "base.priorities"
) -> Priorities:
    """`Priorities` from, per object, its tiers of agent indices (highest first)."""
    if isinstance(tiers, str) or not isinstance(tiers, Sequence):
        raise InvalidInput("must list, per object, its tiers of agent indices", where)
    if len(tiers) != problem.m:
        raise InvalidInput(f"one list of tiers per object: {problem.m} expected, got {len(tiers)}", where)
    for k, obj_tiers in enumerate(tiers):
        if isinstance(obj_tiers, str) or not isinstance(obj_tiers, Sequence):
            raise InvalidInput("must be a list of tiers (lists of agent indices)", f"{where}[{k}]")
        for t, tier in enumerate(obj_tiers):
            if isinstance(tier, str) or not isinstance(tier, Sequence):
                raise InvalidInput("a tier is a list of agent indices", f"{where}[{k}][{t}]")
    classes = [
        [[_agent(problem, i, f"{where}[{k}][{t}]") for i in tier] for t, tier in enumerate(obj_tiers)]
        for k, obj_tiers in enumerate(tiers)
    ]
    try:
        return Priorities.make(problem, classes)
    except InvalidInput as exc:
        raise InvalidInput(str(exc), where) from None


def base_mechanism(domain: Domain, spec: Mapping[str, Any]) -> Mechanism | TabulatedMechanism:
    """The base named by ``spec`` (module docstring); random priority as a table over ``domain``."""
    problem = domain.problem
    if not isinstance(spec, Mapping):
        raise InvalidInput(f"expected an object {{'mechanism': ...}}, got {spec!r}", "base")
    name = spec.get("mechanism")
    if name == "random_priority":
        return tabulate_random_priority(domain)
    if name == "serial_dictatorship":
        order = agent_names(problem, spec.get("order"))
        table = _table(name, domain, order=order)
        return serial_dictatorship(problem, order) if table is None else table
    if name == "random_deferred_acceptance":
        if "priorities" not in spec:
            raise InvalidInput("random_deferred_acceptance needs priorities", "base.priorities")
        priorities = weak_priorities(problem, spec["priorities"])
        table = _table(name, domain, priorities=priorities)
        return random_deferred_acceptance(problem, priorities) if table is None else table
    raise InvalidInput(f"unknown base mechanism {name!r}; known: {', '.join(BASE_NAMES)}", "base.mechanism")


def _table(name: str, domain: Domain, **params: Any) -> TabulatedMechanism | None:
    """The built-in's exact table over ``domain`` (`tabulate_builtin`: RDA on the 65,536 profiles
    of 4 agents and 3 objects in about half a second), or None where it has no fast table."""
    from verified.assignment.mechanisms.tables import tabulate_builtin

    return tabulate_builtin(name, domain, **params)
