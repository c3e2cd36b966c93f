"""A user's own mechanism written in Python, named ``module:function``.

``module`` is a dotted module name or a path to a ``.py`` file (relative to
the directory of the mechanism file that names it). ``function`` takes either
``(profile)`` or ``(problem, profile)`` and returns a
`~verified.assignment.stochastic.StochasticAssignment`, or rows accepted by
`StochasticAssignment.from_rows` (one ``{object: probability}`` mapping or one
list over objects-then-outside per agent). The profile is a tuple of rankings,
each a tuple of object names, best first.

The user's code runs isolated: whatever it raises while being imported or called (any exception,
``RecursionError``, ``SystemExit`` from ``sys.exit``), a wrong signature or an unusable return value
is `~verified.errors.InvalidInput` naming the file, the function and the profile (exit code 2 in
the CLI), never a verdict; only ``KeyboardInterrupt`` passes through. What it prints goes to
standard error (``sys.stdout`` and file descriptor 1 are redirected around each call), so it cannot
corrupt the CLI's output.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.model import Problem, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.names import show


@contextlib.contextmanager
def user_code_stdout() -> Iterator[None]:
    """Send standard output (``sys.stdout`` and file descriptor 1) to standard error while user code
    runs. Inside a `verified.run` child both already point there, so this costs nothing."""
    from verified.run.child import in_child

    if in_child():
        yield
        return
    saved_stream, saved_fd = sys.stdout, None
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        saved_fd = os.dup(1)
        os.dup2(2, 1)
    except (OSError, ValueError, AttributeError):  # no file descriptors to juggle (e.g. captured)
        saved_fd = None
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = saved_stream
        if saved_fd is not None:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.flush()
                os.dup2(saved_fd, 1)
            os.close(saved_fd)


def passes_through(exc: BaseException) -> bool:
    """True for a ``KeyboardInterrupt`` that must stop the run (the user pressed Ctrl-C). Inside
    a `verified.run` child it cannot be that: the child runs in its own process group, which the
    terminal's Ctrl-C never reaches (the parent gets it and kills the group), so there it comes
    from the user's code, and is bad input like any other way out of it."""
    from verified.run.child import in_child

    return isinstance(exc, KeyboardInterrupt) and not in_child()


def _what(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    if isinstance(exc, RecursionError):
        return "recursed too deeply (RecursionError)"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"raised {type(exc).__name__}: {text}" if text else f"raised {type(exc).__name__}"


def load_callable(reference: str, base_dir: Path | None = None, where: str = "mechanism.python") -> Callable:
    """Import ``module:function`` (see module docstring); a failing import is `InvalidInput`."""
    if not isinstance(reference, str) or reference.count(":") != 1:
        raise InvalidInput(f"expected 'module:function', got {reference!r}", where)
    module_part, function_name = (part.strip() for part in reference.rsplit(":", 1))
    if not module_part or not function_name:
        raise InvalidInput(f"expected 'module:function', got {reference!r}", where)
    base = base_dir or Path.cwd()
    path = Path(module_part)
    try:
        with user_code_stdout():
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
                shown = str(path)
            else:
                shown = module_part
                added = str(base) not in sys.path
                if added:
                    sys.path.insert(0, str(base))
                try:
                    module = importlib.import_module(module_part)
                finally:
                    if added:
                        sys.path.remove(str(base))
    except InvalidInput:
        raise
    except BaseException as exc:  # noqa: BLE001 - user code: any way out is bad input
        if passes_through(exc):
            raise
        raise InvalidInput(f"importing {module_part!r} for {reference!r} {_what(exc)}", where) from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise InvalidInput(f"module {shown!r} has no function {function_name!r}", where)
    return function


def _takes_problem(function: Callable, name: str) -> bool:
    """True for ``(problem, profile)``, False for ``(profile)``; any other signature is refused."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # builtins without a signature: call with the profile
        return False
    for arguments, takes_problem in (((None, None), True), ((None,), False)):
        try:
            signature.bind(*arguments)
        except TypeError:
            continue
        return takes_problem
    raise InvalidInput(
        f"{name} must take (profile) or (problem, profile), but its signature is {signature}",
        "mechanism.python",
    )


def _origin(function: Callable) -> str:
    code = getattr(function, "__code__", None)
    where = code.co_filename if code is not None else getattr(function, "__module__", "?")
    return f"{where}:{getattr(function, '__qualname__', getattr(function, '__name__', '?'))}"


#: What a user's mechanism may return, said when it returns something else.
EXPECTED_ANSWER = (
    "a StochasticAssignment, or a list of one row per agent ({n} rows, each a {{object: probability}} "
    "mapping or a list over the objects then 'outside'), or a {{agent: row}} mapping"
)


def _answer_shape(out: Any, n: int) -> str | None:
    """What is wrong with the shape of a user's answer ``out`` for ``n`` agents, as "returned ...;
    expected ..." (None when it has one item per agent or is a mapping): a string is not a list of
    rows (its characters would be read as rows), nor is a list of another length. Only the built-in
    types are looked at here: a subclass's ``len`` or ``repr`` would run the user's code, which the
    caller's reading guards."""
    if type(out) in (str, bytes, bytearray):
        return f"returned a {type(out).__name__} ({show(out)}); expected {EXPECTED_ANSWER.format(n=n)}"
    if type(out) in (list, tuple) and len(out) != n:
        return (
            f"returned a {type(out).__name__} of {len(out)} rows for {n} agents; "
            f"expected {EXPECTED_ANSWER.format(n=n)}"
        )
    return None


def python_mechanism(
    problem: Problem, function: Callable, name: str, *, allow_float: bool = False, origin: str | None = None
) -> FunctionMechanism:
    """Wrap a user function as a `FunctionMechanism` (rows are read exactly; see the module
    docstring for how the function's failures are reported). Every message names the mechanism
    and ``origin`` (default: the function's ``file:qualname``, `_origin`); a caller that replays
    answers already obtained from the user's function through a stand-in passes the user
    function's origin, so no message names the stand-in."""
    takes_problem = _takes_problem(function, name)
    origin = _origin(function) if origin is None else origin

    def call(profile: Profile) -> StochasticAssignment:
        at = f"profile {list(map(list, profile))}"
        try:
            with user_code_stdout():
                out: Any = function(problem, profile) if takes_problem else function(profile)
        except BaseException as exc:  # noqa: BLE001 - user code: any way out is bad input
            if passes_through(exc):
                raise
            raise InvalidInput(f"mechanism {name} ({origin}) {_what(exc)}", at) from None
        if isinstance(out, StochasticAssignment):
            return out
        wrong = _answer_shape(out, problem.n)
        if wrong is not None:
            raise InvalidInput(f"mechanism {name} ({origin}) {wrong}", at)
        try:
            if isinstance(out, dict):
                out = [out.get(agent, {}) for agent in problem.agents]
            return StochasticAssignment.from_rows(problem, out, allow_float=allow_float)
        except InvalidInput as exc:
            raise InvalidInput(
                f"mechanism {name} ({origin}) returned rows that are not valid: {exc}", at
            ) from None
        except Exception:  # noqa: BLE001 - whatever the user's value makes the reader raise
            raise InvalidInput(
                f"mechanism {name} ({origin}) returned {type(out).__name__}; "
                f"expected {EXPECTED_ANSWER.format(n=problem.n)}",
                at,
            ) from None
        except BaseException as exc:  # the value's own methods (a dict or Fraction subclass) ran user code
            if passes_through(exc):
                raise
            raise InvalidInput(
                f"mechanism {name} ({origin}) returned a {type(out).__name__} whose reading {_what(exc)}", at
            ) from None

    return FunctionMechanism(problem, name, call)
