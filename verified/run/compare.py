"""``verified compare`` (and `verified.compare.compare` with a limit) in a child process killed at
the limit (`verified.run.child`).

The child runs `verified.compare.api.run` under the engine's settings for a child
(`verified.run.check.engine_for_child`: ``--jobs`` processes, progress sent to the parent), and
streams its events; the parent collects them (`verified.compare.api.Collector`). Past
``--timeout`` or ``--max-memory`` the child and everything it started are killed, and the parts
that had finished keep their results: a comparison already made keeps its verdict, a property
not checked is UNKNOWN with the reason, a ``--hunt`` that found a refuting pair keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from verified.compare.api import Collector
from verified.compare.model import Comparison, Side
from verified.results import Verdict
from verified.run.check import engine_for_child, raise_failure
from verified.run.child import ChildFailed, run_in_child
from verified.run.limits import Limits


def compare_worker(send: Any, old: Any, new: Any, settings: dict[str, Any]) -> None:
    """Child entry: the comparison, its events sent to the parent as they happen."""
    from verified.compare.api import run

    with engine_for_child({"jobs": settings.get("jobs") or 1}, send):
        run(old, new, settings, send)


def compare_in_child(
    old: Any,
    new: Any,
    settings: dict[str, Any],
    limits: Limits,
    on_tick: Callable[[Collector], None] | None = None,
) -> Comparison:
    """Run the comparison of ``old`` and ``new`` (paths, or subjects under fork) in a child
    bounded by ``limits``. Raises `InvalidInput` for bad input (a user's mechanism that kills its
    process included) and `ChildFailed` for a bug; past a limit, what was not finished is UNKNOWN."""
    collector = Collector()
    outcome = run_in_child(
        compare_worker,
        (old, new, settings),
        timeout=limits.timeout,
        max_memory=limits.max_memory,
        on_message=collector.receive,
        on_tick=None if on_tick is None else (lambda: on_tick(collector)),
    )
    if outcome.status == "done":
        stopped = None
    elif outcome.status == "timeout":
        stopped = f"time-out: the run's limit of {limits.timeout:g} s was reached"
    elif outcome.status == "memory" or outcome.kind == "memory":
        stopped = outcome.message or "out of memory"
    else:
        raise_failure(outcome, collector.python, collector.python_source)
        raise ChildFailed(f"the comparing process ended with {outcome.status}")  # pragma: no cover
    found = collector.result(stopped)
    if found is not None:
        return found
    return _nothing(old, new, settings, f"{stopped or 'the run ended'} while {collector.stage}")


def _nothing(old: Any, new: Any, settings: dict[str, Any], why: str) -> Comparison:
    """An UNKNOWN comparison for a run that ended before both files were read."""
    sides = [Side(str(getattr(x, "name", x)), str(getattr(x, "source", x))) for x in (old, new)]
    return Comparison(None, sides[0], sides[1], 0, settings["requirement"], Verdict.UNKNOWN, why)


def compare_limited(old: Any, new: Any, settings: dict[str, Any], max_memory: int | str | None) -> Comparison:
    """`verified.compare.compare` with ``timeout`` / ``max_memory``: in a child when both subjects
    can be rebuilt there (paths, or any subject under fork: `verified.run.api.child_source`), else
    in this process without the limit."""
    from verified.run.api import api_limits, child_source

    sources = [x if isinstance(x, (str, Path)) else child_source(x) for x in (old, new)]
    if any(s is None for s in sources):
        from verified.compare.api import Collector as Here
        from verified.compare.api import run

        here = Here()
        run(old, new, settings, here.receive)
        result = here.result()
        assert result is not None
        return result
    limits = api_limits(settings.get("timeout"), max_memory)
    return compare_in_child(sources[0], sources[1], settings, limits)
