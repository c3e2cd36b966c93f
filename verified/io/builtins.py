"""Built-in mechanisms by name, for mechanism files (``builtin = "random_priority"``).

The names are the functions of `verified.assignment.mechanisms` that take the
problem as first argument. Parameters come from the same table: ``order``
(a list of agent names, for serial dictatorship and Boston) and
``priorities`` (object -> list of tie classes, highest first, for the
deferred-acceptance mechanisms).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from typing import Any

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.model import Problem
from verified.errors import InvalidInput
from verified.names import show, validated_name

BUILTIN_NAMES = (
    "boston",
    "deferred_acceptance",
    "probabilistic_serial",
    "random_boston",
    "random_deferred_acceptance",
    "random_priority",
    "serial_dictatorship",
    "top_trading_cycles",
)
_PARAMETERS = ("order", "priorities")


def read_priorities(problem: Problem, spec: Any, where: str = "mechanism.priorities") -> Any:
    """`Priorities` from ``{object: [tie class, ...]}`` (highest first; a bare name is a class of one)."""
    from verified.assignment.priorities import Priorities

    if not isinstance(spec, Mapping):
        raise InvalidInput(f"must map each object to a list of tie classes, got {show(spec)}", where)
    try:
        return Priorities.make(problem, dict(spec))
    except InvalidInput as exc:
        raise InvalidInput(str(exc), where) from None


_MODULES = {
    "boston": "boston",
    "random_boston": "boston",
    "deferred_acceptance": "deferred_acceptance",
    "random_deferred_acceptance": "random_deferred_acceptance",
    "probabilistic_serial": "probabilistic_serial",
    "random_priority": "random_priority",
    "serial_dictatorship": "serial_dictatorship",
    "top_trading_cycles": "top_trading_cycles",
}


def _factory(name: str) -> Any:
    """The package's export, else the function of the same name in its module."""
    for module_name in ("verified.assignment.mechanisms", f"verified.assignment.mechanisms.{_MODULES[name]}"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        factory = getattr(module, name, None)
        if callable(factory):
            return factory
    return None


def fast_table(name: str, domain: Domain) -> TabulatedMechanism | None:
    """Random priority tabulated in one sweep (`tabulate_random_priority`) instead of one call
    per profile. None for other mechanisms."""
    if name != "random_priority":
        return None
    from verified.assignment.mechanisms.random_priority import tabulate_random_priority

    return tabulate_random_priority(domain)


def builtin_mechanism(problem: Problem, spec: Mapping[str, Any]) -> Mechanism:
    """The built-in mechanism named ``spec["builtin"]`` with its parameters."""
    name = spec["builtin"]
    if not isinstance(name, str) or name not in BUILTIN_NAMES:
        raise InvalidInput(
            f"unknown built-in mechanism {show(name)}; known: {list(BUILTIN_NAMES)}", "mechanism.builtin"
        )
    factory = _factory(name)
    if factory is None:
        raise InvalidInput(
            f"built-in mechanism {name!r} is not available in this version", "mechanism.builtin"
        )
    unknown = sorted(set(spec) - {"builtin", "name", *_PARAMETERS})
    if unknown:
        raise InvalidInput(f"unknown parameters {unknown}; allowed: {list(_PARAMETERS)}", "mechanism")
    kwargs: dict[str, Any] = {}
    accepted = inspect.signature(factory).parameters
    if "order" in spec:
        order = spec["order"]
        if not isinstance(order, list):
            raise InvalidInput(f"must be a list of agent names, got {show(order)}", "mechanism.order")
        names = []
        for k, a in enumerate(order):
            agent = validated_name(a, f"mechanism.order[{k}]")
            if agent not in problem.agents:
                raise InvalidInput(
                    f"unknown agent {agent!r}; agents are {list(problem.agents)}", f"mechanism.order[{k}]"
                )
            names.append(agent)
        kwargs["order"] = names
    if "priorities" in spec:
        kwargs["priorities"] = read_priorities(problem, spec["priorities"])
    for key in kwargs:
        if key not in accepted:
            raise InvalidInput(f"{name} takes no parameter {key!r}", f"mechanism.{key}")
    return factory(problem, **kwargs)
