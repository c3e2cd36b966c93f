"""How the engine runs, set once for a block of code: processes, executor, progress, deadline.

`verified check --jobs 2 --scheduler ADDRESS`, ``check_properties(..., n_jobs=2, executor=...)``
and ``tabulate(..., n_jobs=2)`` all come down to these four settings, read by every piece of
engine work (tabulation, whole-domain checks) started inside ``with engine_options(...)``::

    from verified.engine import engine_options
    with engine_options(n_jobs=-1):
        subject.table          # tabulated on every core

A `contextvars.ContextVar`, so nested blocks and threads see their own settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

#: ``on_progress(done, total, label)`` after each finished range
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class EngineOptions:
    """``n_jobs``: worker processes (1: this process; -1: every core); ``executor``: any
    `concurrent.futures.Executor` (Dask's ``Client.get_executor()``) instead of our own pool;
    ``progress``: a tqdm bar on stderr (a terminal only); ``on_progress``: a callback instead
    (the CLI's child process reports to its parent this way); ``deadline``: a `time.monotonic`
    value past which the work stops with `~verified.engine.executors.EngineTimeout`."""

    n_jobs: int = 1
    executor: Executor | None = None
    progress: bool = False
    on_progress: ProgressCallback | None = None
    deadline: float | None = None


_DEFAULT = EngineOptions()
_CURRENT: ContextVar[EngineOptions | None] = ContextVar("verified_engine_options", default=None)


def current_options() -> EngineOptions:
    """The settings in force here."""
    return _CURRENT.get() or _DEFAULT


@contextmanager
def engine_options(**changes: Any) -> Iterator[EngineOptions]:
    """Run the block with some settings changed (the others as they were); ``None`` values are
    ignored, so ``engine_options(n_jobs=args.jobs)`` leaves the default when no flag was given."""
    from verified.engine.executors import resolve_jobs

    given = {k: v for k, v in changes.items() if v is not None}
    if "n_jobs" in given:
        resolve_jobs(given["n_jobs"])  # refuse 0, -2, 1.5 here, with the name of the setting
    options = replace(current_options(), **given)
    token = _CURRENT.set(options)
    try:
        yield options
    finally:
        _CURRENT.reset(token)
