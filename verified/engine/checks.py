"""Whole-domain checks over ranges of profiles: the engine's part in the heavy checks.

The per-profile checks that solve a program at every profile (ex post efficiency and ex post
stability through `verified.assignment.properties._whole_domain.decompositions`, SD-efficiency's
per-profile LP certificates) cut the domain into contiguous ranges when the engine's settings
ask for more than one process or give an executor (`verified.engine.engine_options`, the CLI's
``--jobs`` and ``--scheduler``). Each range is checked by a worker, from picklable arguments
(the table and module-level functions), and the results come back in range order, so the
first range that does not hold names the first profile that does not hold: the serial answer.

The vectorised checks (SP, IR, equal treatment, non-wastefulness) are numpy passes over the
table and stay in one process: on a million profiles they take a fraction of a second, less
than sending the table to a worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from verified.engine.executors import resolve_jobs, run_ranges
from verified.engine.options import current_options
from verified.engine.progress import ProgressBar
from verified.engine.ranges import Range, chunks
from verified.engine.tasks import _result


def parallel_ranges(total: int, smallest: int) -> tuple[Range, ...] | None:
    """The ranges to check ``range(total)`` in, or None when the work should stay in this
    process (one job and no executor, or fewer than ``smallest`` profiles)."""
    options = current_options()
    jobs = resolve_jobs(options.n_jobs)
    if (options.executor is None and jobs <= 1) or total < smallest:
        return None
    return chunks(Range(0, total), max(jobs, 2))


def run_check_ranges(
    function: Callable[..., Any],
    arguments_for: Callable[[Range], tuple[Any, ...]],
    ranges: Sequence[Range],
    label: str,
) -> list[Any]:
    """``[function(*arguments_for(r), r.start, r.stop) for r in ranges]``, run as the engine's
    settings say (processes, an executor, progress, deadline), in range order. Each range is
    sent only its own arguments (its slice of the table, not the whole table)."""
    options = current_options()
    total = sum(len(r) for r in ranges)
    bar = ProgressBar(total, label, enabled=options.progress, on_update=options.on_progress)
    with bar:
        return run_ranges(
            check_range,
            (),
            ranges,
            jobs=resolve_jobs(options.n_jobs),
            executor=options.executor,
            progress=bar,
            deadline=options.deadline,
            arguments_for=lambda r: (function, *arguments_for(r)),
        )


def check_range(function: Callable[..., Any], *arguments: Any) -> tuple[Any, ...]:
    """A worker's task: ``("ok", function(*arguments))``, or ``("error", message, where)``."""
    return _result(lambda: function(*arguments))
