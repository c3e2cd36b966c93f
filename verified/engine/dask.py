"""Dask: the engine's ranges on a cluster (the optional extra ``pip install 'verified[dask]'``).

Dask's own ``Client.get_executor()`` is a `concurrent.futures.Executor`, so the engine runs the
same tasks on it as on its process pool (`verified.engine.executors.run_ranges`): nothing here
schedules anything. A Dask worker that dies is replaced and its task retried by Dask itself
(``distributed.scheduler.allowed-failures``); past that, the run reports the lost worker.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

from verified.errors import InvalidInput

INSTALL = "pip install 'verified[dask]'"


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InvalidInput(
            f"running on a Dask cluster needs dask.distributed: {INSTALL}", "--scheduler"
        ) from None
    return distributed


def _connect_timeout() -> float:
    """Seconds to wait for the scheduler: ``VERIFIED_DASK_CONNECT_TIMEOUT``, default 30."""
    try:
        seconds = float(os.environ.get("VERIFIED_DASK_CONNECT_TIMEOUT", "30"))
    except ValueError:
        return 30.0
    return seconds if 0 < seconds < 3600 else 30.0


@contextmanager
def dask_executor(address: str, *, connect_timeout: float | None = None) -> Iterator[Executor]:
    """An executor on the Dask scheduler at ``address`` (``tcp://host:8786``), closed on exit."""
    distributed = _distributed()
    connect_timeout = connect_timeout or _connect_timeout()
    try:
        client = distributed.Client(address, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InvalidInput(f"cannot reach a Dask scheduler at {address!r}: {exc}", "--scheduler") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
