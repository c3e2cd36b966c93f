"""The functions a worker process runs (imported by the forkserver ahead of time).

Each takes picklable arguments (a `MechanismSpec` and a range ``start, stop``), rebuilds
what it needs once per process (`_reader`), and returns ``("ok", value)`` or
``("error", message, where)`` -- plain data, so a user's exception never surfaces as a pool
traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from verified.engine.ranges import Range
from verified.engine.spec import MechanismSpec, rebuild
from verified.errors import InvalidInput

_READERS: dict[MechanismSpec, Any] = {}


def _reader(spec: MechanismSpec) -> Any:
    from verified.engine.reader import RangeReader

    found = _READERS.get(spec)
    if found is None:
        try:
            found = RangeReader(rebuild(spec), allow_float=spec.allow_float)
        except InvalidInput:
            raise
        except Exception as exc:  # noqa: BLE001 - importing the user's module runs the user's code
            raise InvalidInput(
                f"loading the mechanism raised {type(exc).__name__}: {exc}", "mechanism"
            ) from None
        if len(_READERS) > 8:
            _READERS.clear()
        _READERS[spec] = found
    return found


def reader_of(subject: Any) -> Any:
    """A `RangeReader` of ``subject`` in this process (a serial run)."""
    from verified.engine.reader import RangeReader

    return RangeReader(subject, allow_float=bool(getattr(subject, "allow_float", False)))


def _result(read: Callable[[], Any]) -> tuple[Any, ...]:
    """``("ok", read())``, or ``("error", message, where)`` for bad input: plain data either way."""
    try:
        return ("ok", read())
    except InvalidInput as exc:
        text, prefix = str(exc), f"{exc.where}: " if exc.where else ""
        return ("error", text[len(prefix) :] if prefix and text.startswith(prefix) else text, exc.where)


def read_with(reader: Any, start: int, stop: int) -> tuple[Any, ...]:
    """As `tabulate_range`, with a reader already built in this process."""
    return _result(lambda: reader.read(Range(start, stop)))


def tabulate_range(spec: MechanismSpec, start: int, stop: int) -> tuple[Any, ...]:
    """The validated integer `Block` of profiles ``start .. stop - 1``."""
    return _result(lambda: _reader(spec).read(Range(start, stop)))


def tabulate_range_of(mechanism: Any, domain: Any, start: int, stop: int) -> tuple[Any, ...]:
    """As `tabulate_range` for a picklable mechanism object (no spec): read directly."""
    from types import SimpleNamespace

    subject = SimpleNamespace(problem=domain.problem, domain=domain, mechanism=mechanism, description={})
    return _result(lambda: reader_of(subject).read(Range(start, stop)))
