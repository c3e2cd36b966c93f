"""Four ways of running the same ranges: serial, a process pool, any `concurrent.futures.Executor`
(Dask's ``Client.get_executor()``), and -- one level up -- shards (`verified.engine.shards`).

`run_ranges` submits one task per range and returns the results IN RANGE ORDER, whatever
order they finish in; an error is the error of the lowest-numbered failing range (the ranges
before it are waited for), so the outcome never depends on scheduling.

Tasks are top-level functions of picklable arguments (a `MechanismSpec`, two integers) and
return ``("ok", value)`` or ``("error", message, where)``: an exception never crosses a
process boundary, so a user's error is reported as `InvalidInput`, never as a pool traceback.

The process pool uses an explicit ``forkserver`` context (Python 3.14's default on Linux;
``spawn`` where forkserver does not exist), so nothing relies on fork-inherited state: a
worker rebuilds the mechanism from its spec once and reuses it for every range it runs.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from verified.engine.progress import ProgressBar
from verified.engine.ranges import Range
from verified.errors import InvalidInput, VerifiedError

#: More worker processes than this on one machine is a typo, not a plan (each imports numpy and z3).
MAX_JOBS = 256


class EngineTimeout(VerifiedError):
    """The deadline passed before every range was done: the caller reports UNKNOWN."""


class WorkerLost(VerifiedError):
    """A worker process died (killed, out of memory, ``os._exit``) and retries did not help."""


def cpu_count() -> int:
    """Cores this process may use (the affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(n_jobs: int) -> int:
    """``n_jobs`` as a number of processes: -1 means every core; 0 and below -1 are refused."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise InvalidInput(f"expected a positive number of jobs or -1 (all cores), got {n_jobs!r}", "--jobs")
    if n_jobs > MAX_JOBS:
        raise InvalidInput(f"at most {MAX_JOBS} worker processes, got {n_jobs}", "--jobs")
    return cpu_count() if n_jobs == -1 else n_jobs


#: Modules the forkserver imports ahead of time (`process_pool`).
PRELOAD = ("verified.engine.tasks", "verified.engine.reader", "verified.engine.checks")


def _context() -> Any:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # The server imports these once; every worker forked from it starts with them loaded
        # (numpy and the reader: 0.1 s per worker otherwise).
        context.set_forkserver_preload(list(PRELOAD))
    return context


def process_pool(jobs: int) -> ProcessPoolExecutor:
    """A pool of ``jobs`` processes started by forkserver (spawn where that does not exist)."""
    return ProcessPoolExecutor(max_workers=jobs, mp_context=_context())


def warm_up() -> None:
    """Start the forkserver now, so that its imports (`PRELOAD`) run beside the caller's own
    loading instead of before the first range (``verified check --jobs N`` calls this first)."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _unwrap(result: Any) -> Any:
    if isinstance(result, tuple) and result and result[0] == "error":
        raise InvalidInput(result[1], result[2])
    if not (isinstance(result, tuple) and len(result) == 2 and result[0] == "ok"):
        raise VerifiedError(f"a worker returned {type(result).__name__}, not a task result")
    return result[1]


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


def run_ranges(
    task: Callable[..., Any],
    arguments: tuple[Any, ...],
    ranges: Sequence[Range],
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: ProgressBar | None = None,
    deadline: float | None = None,
    arguments_for: Callable[[Range], tuple[Any, ...]] | None = None,
) -> list[Any]:
    """``[task(*arguments, r.start, r.stop) for r in ranges]`` (unwrapped), in range order;
    with ``arguments_for``, each range's own arguments ``arguments_for(r)`` (e.g. its slice of a
    table) are sent instead of ``arguments``.

    On our own pool, a worker that dies (killed, ``os._exit`` in a user's function) breaks the
    pool: the unfinished ranges are run again once on a fresh pool; a second death is
    `WorkerLost` (a `MemoryError` when the worker was SIGKILLed, most likely by the kernel's
    out-of-memory killer, so the run ends UNKNOWN rather than blaming the input)."""
    if executor is None and jobs <= 1:
        out = []
        for r in ranges:
            remaining = _remaining(deadline)
            if remaining is not None and remaining <= 0:
                raise EngineTimeout("time-out while running profiles")
            own = arguments if arguments_for is None else arguments_for(r)
            out.append(_unwrap(task(*own, r.start, r.stop)))
            if progress is not None:
                progress.update(len(r))
        return out
    results: list[Any] = [_MISSING] * len(ranges)
    both = (arguments, arguments_for)
    if executor is not None:
        _gather(executor, task, both, ranges, range(len(ranges)), results, progress, deadline)
        return results
    for attempt in (1, 2):
        todo = [k for k, v in enumerate(results) if v is _MISSING]
        pool = process_pool(min(jobs, max(1, len(todo))))
        workers: list[Any] = []
        try:
            _gather(pool, task, both, ranges, todo, results, progress, deadline, workers)
        except BrokenProcessPool:
            _shutdown(pool)
            if attempt == 2:
                _lost(ranges, results, workers)
            continue
        except BaseException:
            _shutdown(pool)
            raise
        pool.shutdown(wait=True)
        break
    return results


_MISSING = object()


def _lost(ranges: Sequence[Range], results: list[Any], workers: list[Any]) -> None:
    lost = [ranges[k] for k, v in enumerate(results) if v is _MISSING]
    where = f"profiles {lost[0].start}..{lost[-1].stop - 1}"
    for p in workers:
        p.join(timeout=5)
    codes = sorted({p.exitcode for p in workers if p.exitcode not in (None, 0)})
    if -signal.SIGKILL in codes:
        raise MemoryError(f"a worker process was killed (SIGKILL) twice while running {where}")
    raise WorkerLost(f"a worker process died twice while running {where} (exit codes {codes})")


def _gather(
    pool: Executor,
    task: Callable[..., Any],
    arguments: tuple[tuple[Any, ...], Callable[[Range], tuple[Any, ...]] | None],
    ranges: Sequence[Range],
    todo: Sequence[int],
    results: list[Any],
    progress: ProgressBar | None,
    deadline: float | None,
    workers: list[Any] | None = None,
) -> None:
    """Run ranges ``todo`` on ``pool``, filling ``results``; the error of the lowest failing range
    (after every range before it is done) is raised, so the outcome never depends on timing."""
    shared, arguments_for = arguments

    def submit(r: Range) -> Future:
        own = shared if arguments_for is None else arguments_for(r)
        return pool.submit(task, *own, r.start, r.stop)

    futures: dict[Future, int] = {submit(ranges[k]): k for k in todo}
    if workers is not None and isinstance(pool, ProcessPoolExecutor):  # for `_lost`'s exit codes
        workers.extend((pool._processes or {}).values())
    first_error: int | None = None
    errors: dict[int, Any] = {}
    pending = set(futures)
    try:
        while pending:
            needed = {f for f in pending if first_error is None or futures[f] < first_error}
            if not needed:
                break
            done, _ = wait(needed, timeout=_remaining(deadline), return_when=FIRST_COMPLETED)
            if not done:
                raise EngineTimeout("time-out while running profiles")
            for f in done:
                pending.discard(f)
                k = futures[f]
                try:
                    value = f.result()
                except BrokenProcessPool:
                    raise
                except Exception as exc:
                    if type(exc).__name__ == "KilledWorker":  # Dask gave up after its own retries
                        raise WorkerLost(f"Dask workers died while running profiles {ranges[k]}") from None
                    raise
                if isinstance(value, tuple) and value and value[0] == "error":
                    errors[k] = value
                    first_error = k if first_error is None else min(first_error, k)
                    continue
                results[k] = _unwrap(value)
                if progress is not None:
                    progress.update(len(ranges[k]))
    finally:
        for f in pending:
            f.cancel()
    if first_error is not None:
        _unwrap(errors[first_error])


def _shutdown(pool: Executor) -> None:
    """Stop our own pool at once (running workers are terminated)."""
    processes = []
    if isinstance(pool, ProcessPoolExecutor):
        processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)
