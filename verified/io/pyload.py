"""A user's own mechanism written in Python, named ``module:function``.

``module`` is a dotted module name or a path to a ``.py`` file (relative to
the directory of the mechanism file that names it). ``function`` takes either
``(profile)`` or ``(problem, profile)`` and returns a
`~verified.assignment.stochastic.StochasticAssignment`, or rows accepted by
`StochasticAssignment.from_rows` (one ``{object: probability}`` mapping or one
list over objects-then-outside per agent). The profile is a tuple of rankings,
each a tuple of object names, best first.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.model import Problem, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput


def load_callable(reference: str, base_dir: Path | None = None, where: str = "mechanism.python") -> Callable:
    """Import ``module:function`` (see module docstring)."""
    if reference.count(":") != 1:
        raise InvalidInput(f"expected 'module:function', got {reference!r}", where)
    module_part, function_name = (part.strip() for part in reference.rsplit(":", 1))
    if not module_part or not function_name:
        raise InvalidInput(f"expected 'module:function', got {reference!r}", where)
    base = base_dir or Path.cwd()
    path = Path(module_part)
    if module_part.endswith(".py") or "/" in module_part:
        path = path if path.is_absolute() else base / path
        if not path.is_file():
            raise InvalidInput(f"no Python file {str(path)!r}", where)
        module_name = f"verified_user_mechanism_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise InvalidInput(f"cannot import {str(path)!r}", where)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        added = str(base) not in sys.path
        if added:
            sys.path.insert(0, str(base))
        try:
            module = importlib.import_module(module_part)
        except ImportError as exc:
            raise InvalidInput(f"cannot import module {module_part!r}: {exc}", where) from None
        finally:
            if added:
                sys.path.remove(str(base))
    function = getattr(module, function_name, None)
    if not callable(function):
        raise InvalidInput(f"module {module_part!r} has no function {function_name!r}", where)
    return function


def python_mechanism(
    problem: Problem, function: Callable, name: str, *, allow_float: bool = False
) -> FunctionMechanism:
    """Wrap a user function as a `FunctionMechanism` (rows are read exactly)."""
    try:
        positional = [
            p
            for p in inspect.signature(function).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        takes_problem = len(positional) >= 2
    except (TypeError, ValueError):  # builtins without a signature
        takes_problem = False

    def call(profile: Profile) -> StochasticAssignment:
        out: Any = function(problem, profile) if takes_problem else function(profile)
        if isinstance(out, StochasticAssignment):
            return out
        if isinstance(out, dict):
            out = [out.get(agent, {}) for agent in problem.agents]
        try:
            return StochasticAssignment.from_rows(problem, out, allow_float=allow_float)
        except InvalidInput as exc:
            raise InvalidInput(f"{name} at profile {list(map(list, profile))}: {exc}") from None
        except TypeError:
            raise InvalidInput(
                f"{name} returned {type(out).__name__}; expected a StochasticAssignment or rows",
                f"profile {list(map(list, profile))}",
            ) from None

    return FunctionMechanism(problem, name, call)
