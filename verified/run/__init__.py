"""Bounded work: a run in a child process that the parent kills at its time or memory limit.

`limits` parses and describes the limits (``--timeout``, ``--property-timeout``,
``--max-memory``) and measures a process tree's memory; `child` starts a child
process, receives the messages it streams and kills it (and everything it
started) at the limit; `check` is the work of ``verified check`` and of the
Python API's limited checks, written so that it runs in such a child.
"""

from verified.run.limits import Limits, default_max_memory, format_bytes, parse_memory, parse_seconds

__all__ = ["Limits", "default_max_memory", "format_bytes", "parse_memory", "parse_seconds"]
