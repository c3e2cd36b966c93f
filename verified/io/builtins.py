"""Built-in mechanisms by name, for mechanism files (``builtin = "random_priority"``).

The names are the functions of `verified.assignment.mechanisms` that take the
problem as first argument. Parameters come from the same table: ``order``
(a list of agent names, for serial dictatorship and Boston) and
``priorities`` (object -> list of tie classes, highest first, for the
deferred-acceptance mechanisms).

Every built-in has an exact whole-domain table computed without one call per profile
(`fast_table`, i.e. `verified.assignment.mechanisms.tables.tabulate_builtin`); a mechanism
made by `builtin_mechanism` remembers its name and parameters (`builtin_parameters`) so that
a mechanism file's table is the fast one, parameters included.
"""

from __future__ import annotations

import importlib
import inspect
import weakref
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
    "random_assignment",
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
    "random_assignment": "random_assignment",
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


def fast_table(name: str, domain: Domain, **params: Any) -> TabulatedMechanism | None:
    """The built-in ``name`` with ``params`` (``order``, ``priorities``: the keyword arguments
    `builtin_mechanism` passes to the factory) tabulated over ``domain`` in one vectorised,
    exact sweep (`tabulate_builtin`): the same table, entry for entry, as tabulating the
    mechanism profile by profile. None when ``name`` is not a built-in or ``params`` do not
    fit its factory (e.g. deferred acceptance without its priorities: the caller then has no
    fast table, and tabulates the mechanism itself). The caller checks the table's name
    against its mechanism's (the name carries the order of serial dictatorship and Boston)."""
    if not isinstance(name, str) or name not in BUILTIN_NAMES:
        return None
    factory = _factory(name)
    if factory is None:
        return None
    try:
        inspect.signature(factory).bind(domain.problem, **params)
    except TypeError:
        return None
    from verified.assignment.mechanisms.tables import tabulate_builtin

    return tabulate_builtin(name, domain, **params)


# The mechanisms `builtin_mechanism` made -> (built-in name, keyword arguments of the factory).
_MADE: weakref.WeakKeyDictionary[Any, tuple[str, dict[str, Any]]] = weakref.WeakKeyDictionary()


def builtin_parameters(mechanism: Any, name: str) -> dict[str, Any] | None:
    """The keyword arguments (``order``, ``priorities``) with which `builtin_mechanism` made
    ``mechanism`` as the built-in ``name``; None for any other object (e.g. a renamed copy)."""
    try:
        found = _MADE.get(mechanism)
    except TypeError:  # not hashable or not weakly referable: not one of ours
        return None
    if found is None or found[0] != name:
        return None
    return dict(found[1])


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
    for key, parameter in list(accepted.items())[1:]:  # the first is the problem
        if parameter.default is inspect.Parameter.empty and key not in kwargs:
            what = "priorities: add a [priorities] table (per object, highest priority first)"
            raise InvalidInput(f"{name} needs {what if key == 'priorities' else key}", f"mechanism.{key}")
    mechanism = factory(problem, **kwargs)
    try:
        _MADE[mechanism] = (name, dict(kwargs))
    except TypeError:  # not weakly referable: no fast table for it, the slow path still works
        pass
    return mechanism


def subject_fast_table(subject: Any) -> TabulatedMechanism | None:
    """The fast table of a subject whose mechanism is a built-in (``description["builtin"]``),
    with the parameters it was made with (`builtin_mechanism`; a subject built by hand gets the
    parameterless table, which its name must then match); None otherwise."""
    builtin = (getattr(subject, "description", None) or {}).get("builtin")
    if not isinstance(builtin, str):
        return None
    params = builtin_parameters(subject.mechanism, builtin)
    fast = fast_table(builtin, subject.domain, **(params or {}))
    return fast if fast is not None and fast.name == subject.mechanism.name else None
