"""Run a piece of work in a child process that the parent kills at a deadline or past a memory limit.

The child streams messages (tuples whose first item names them) through a pipe as it goes, so what
it finished before the limit is kept; the parent polls the pipe, the clock and (Linux) the resident
memory of the child's process tree about every 0.1 s. At the limit the parent sends SIGKILL to the
child's whole process group: no thread or process of the run keeps computing.

The start method is explicit: ``fork`` on Linux (cheap; the child inherits the parent's objects),
``spawn`` elsewhere (the target and its arguments must then be picklable: pass file paths and
options, not subjects). The child's standard output goes to standard error, so nothing the work
prints (a user's mechanism, a solver's banner) can reach the parent's standard output.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from verified.errors import OutOfReach, VerifiedError
from verified.run.limits import format_bytes, tree_rss

POLL_SECONDS = 0.1
_IN_CHILD = False


class Terminated(BaseException):
    """This process got SIGTERM or SIGHUP (a CI job cancelled, a terminal closed) while a child
    ran: the child's process group was killed first, so no work outlives the run."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


@contextmanager
def _terminated_on_signals() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise `Terminated` here (so the caller's cleanup
    kills the child) instead of ending this process at once and leaving the child running. Only
    the main thread can set handlers; elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]

    def handler(signum: int, _frame: Any) -> None:
        raise Terminated(signum)

    saved = {s: signal.signal(s, handler) for s in wanted}
    try:
        yield
    finally:
        for s, previous in saved.items():
            signal.signal(s, signal.SIG_DFL if previous is None else previous)  # None: set outside Python


class ChildFailed(Exception):
    """The child process failed for a reason that is not the input's fault: an unexpected exception
    in our code, or a death by a signal that we did not send. Not a `VerifiedError`: a bug."""


@dataclass(frozen=True)
class Outcome:
    """How a child run ended: ``status`` is ``"done"`` (the work returned), ``"error"`` (it raised:
    ``kind`` is ``"bad_input"``, ``"memory"`` or ``"internal"``), ``"timeout"``, ``"memory"`` (the
    parent killed it past the memory limit) or ``"died"`` (it ended without saying why)."""

    status: str
    kind: str = ""
    message: str = ""
    exitcode: int | None = None

    def describe_death(self) -> str:
        code = self.exitcode
        if code is not None and code < 0:
            try:
                return f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exited with status {code}" if code is not None else "ended without a result"


def in_child() -> bool:
    """True inside a child started by `run_in_child` (where work runs directly, never forks again
    on its own account)."""
    return _IN_CHILD


def start_method() -> str:
    """``"fork"`` on Linux when available, else ``"spawn"``."""
    methods = multiprocessing.get_all_start_methods()
    return "fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn"


def _classify(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, OutOfReach):  # a work budget, like memory: the verdict is UNKNOWN
        return "memory", str(exc)
    if isinstance(exc, VerifiedError):
        return "bad_input", str(exc)
    if isinstance(exc, ChildFailed):  # from a grandchild: already described
        return "internal", str(exc)
    if isinstance(exc, MemoryError):
        return "memory", "out of memory (MemoryError)"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return "internal", f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _forget_inherited_forkserver() -> None:
    """A forked child inherits the parent's forkserver state (when the parent ran the engine's
    pool before): asking that server for workers would fail (``os.waitpid`` on a process that
    is not the child's, ``ChildProcessError``), and its workers would be outside the child's
    process group, out of reach of the kill at the limit. The child forgets it (closing only
    its own copy of the descriptor), so its first pool starts its own server."""
    try:
        from multiprocessing import forkserver
    except ImportError:  # pragma: no cover - no forkserver on this platform
        return
    server = getattr(forkserver, "_forkserver", None)
    if server is None or getattr(server, "_forkserver_pid", None) is None:
        return
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is not None:
        try:
            os.close(alive)
        except OSError:  # pragma: no cover - already closed
            pass
    server._forkserver_address = None
    server._forkserver_alive_fd = None
    server._forkserver_pid = None


def _child_main(sender: Any, new_group: bool, target: Callable[..., None], args: tuple[Any, ...]) -> None:
    """The child's entry: own process group, standard output onto standard error, run ``target``,
    report how it ended. Every exception is reported, none escapes (no traceback is printed)."""
    global _IN_CHILD
    _IN_CHILD = True
    for name in ("SIGTERM", "SIGHUP"):  # the parent's handlers (`_terminated_on_signals`) are not ours
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _forget_inherited_forkserver()
    if new_group and hasattr(os, "setpgrp"):
        try:
            os.setpgrp()
        except OSError:  # pragma: no cover - already a group leader
            pass
    try:
        sys.stdout.flush()
        os.dup2(2, 1)
        sys.stdout = sys.stderr
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no standard streams
        pass
    try:
        target(sender.send, *args)
        sender.send(("done",))
    except BaseException as exc:  # noqa: BLE001 - every way out is reported to the parent
        kind, message = _classify(exc)
        try:
            sender.send(("error", kind, message))
        except BaseException:  # noqa: BLE001 - the parent sees the closed pipe
            pass
    finally:
        sender.close()


def _kill(process: Any, group: bool) -> None:
    if process.pid is None:
        return
    if group and hasattr(os, "killpg"):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):  # the child has not made its group yet
            pass
    try:
        process.kill()
    except (ProcessLookupError, OSError, ValueError):  # pragma: no cover - already gone
        pass


def run_in_child(
    target: Callable[..., None],
    args: tuple[Any, ...],
    *,
    timeout: float | None = None,
    max_memory: int | None = None,
    on_message: Callable[[tuple[Any, ...]], None] | None = None,
    on_tick: Callable[[], None] | None = None,
    new_group: bool = True,
) -> Outcome:
    """Run ``target(send, *args)`` in a child process; ``send(message)`` streams a tuple to
    ``on_message`` in this process. Kill the child (and its process group when ``new_group``) after
    ``timeout`` seconds or when its process tree holds more than ``max_memory`` bytes; the child is
    always gone when this returns (also on KeyboardInterrupt, and on SIGTERM or SIGHUP, which
    raise `Terminated` here)."""
    context = multiprocessing.get_context(start_method())
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(sender, new_group, target, args), daemon=False)
    deadline = None if timeout is None else time.monotonic() + timeout
    with _terminated_on_signals():
        return _supervise(process, sender, receiver, deadline, max_memory, on_message, on_tick, new_group)


def _supervise(
    process: Any,
    sender: Any,
    receiver: Any,
    deadline: float | None,
    max_memory: int | None,
    on_message: Callable[[tuple[Any, ...]], None] | None,
    on_tick: Callable[[], None] | None,
    new_group: bool,
) -> Outcome:
    """Start ``process`` and watch it (see `run_in_child`); it is gone when this returns or raises."""
    next_watch = 0.0
    outcome: Outcome | None = None
    process.start()
    sender.close()
    try:
        while outcome is None:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                outcome = Outcome("timeout")
                break
            if max_memory is not None and now >= next_watch:
                next_watch = now + POLL_SECONDS
                rss = tree_rss(process.pid)
                if rss is not None and rss > max_memory:
                    outcome = Outcome(
                        "memory", message=f"memory limit of {format_bytes(max_memory)} exceeded"
                    )
                    break
            if on_tick is not None:
                on_tick()
            wait = POLL_SECONDS if deadline is None else max(0.0, min(POLL_SECONDS, deadline - now))
            try:
                if not receiver.poll(wait):
                    continue
                message = receiver.recv()
            except (EOFError, OSError):
                process.join(1.0)
                outcome = Outcome("died", exitcode=process.exitcode)
                break
            if message[0] == "done":
                outcome = Outcome("done")
            elif message[0] == "error":
                outcome = Outcome("error", kind=message[1], message=message[2])
            elif on_message is not None:
                on_message(message)
    finally:
        _kill(process, new_group)
        process.join()
        receiver.close()
    return outcome
