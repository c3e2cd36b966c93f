"""Time and memory limits: parsing them from the command line, the default memory limit, and the
memory a process tree holds (Linux: ``VmRSS`` of ``/proc/<pid>/status``).

A limit is refused unless it is a positive, finite number: ``nan`` would disable a comparison
(``elapsed > nan`` is never true), ``inf`` is no limit, and ``0`` or a negative number would end
the run before any work.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from verified.errors import InvalidInput

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_MEMORY = re.compile(r"(\d{1,12}(?:\.\d{1,6})?)\s*([KMGT]?)(?:I?B)?", re.IGNORECASE)


def parse_seconds(text: str, where: str = "--timeout") -> float:
    """Seconds as a positive finite number (``"2"``, ``"0.5"``); anything else is `InvalidInput`."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"expected a number of seconds, got {text!r}", where) from None
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput(f"must be a positive, finite number of seconds, got {text!r}", where)
    return value


def parse_memory(text: str, where: str = "--max-memory") -> int:
    """Bytes from ``"4G"``, ``"512M"``, ``"1.5G"``, ``"800000K"`` or a plain number of bytes
    (binary units: ``1K = 1024``); a positive amount, else `InvalidInput`."""
    match = _MEMORY.fullmatch(str(text).strip())
    if match is None:
        raise InvalidInput(f"expected an amount such as '4G' or '512M', got {text!r}", where)
    number, unit = match.groups()
    value = int(float(number) * _UNITS[unit.upper()])
    if value <= 0:
        raise InvalidInput(f"must be a positive amount of memory, got {text!r}", where)
    return value


def format_bytes(value: int) -> str:
    """``4294967296 -> "4 GiB"``, ``536870912 -> "512 MiB"`` (one decimal when not whole)."""
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= size:
            text = f"{value / size:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{value} B"


def physical_memory() -> int | None:
    """The memory this process may use: the machine's physical memory (``os.sysconf``), or the
    cgroup's limit when it is smaller (a container); None when neither can be read."""
    total = None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        total = None
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and (total is None or int(text) < total):
            total = int(text)
    return total if total and total > 0 else None


def default_max_memory() -> int | None:
    """Half of `physical_memory` (None when unknown: then no memory limit is watched)."""
    total = physical_memory()
    return None if total is None else total // 2


def _rss(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except (OSError, ValueError):
            continue
    return found


def tree_rss(pid: int) -> int | None:
    """Resident memory (bytes) of process ``pid`` and its descendants, or None where ``/proc`` does
    not say (not Linux). Pages shared after a fork count in each process: an overestimate."""
    if not os.path.exists(f"/proc/{pid}/status"):
        return None
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _rss(current)
        todo.extend(_children(current))
    return total


@dataclass(frozen=True)
class Limits:
    """The limits of one run: ``timeout`` seconds for the whole run, ``property_timeout`` seconds
    for each property, ``max_memory`` bytes for the process tree doing the work (None: no limit)."""

    timeout: float | None = None
    property_timeout: float | None = None
    max_memory: int | None = None

    def __post_init__(self) -> None:
        for name in ("timeout", "property_timeout"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value <= 0
            ):
                raise InvalidInput(f"must be a positive, finite number of seconds, got {value!r}", name)
        memory = self.max_memory
        if memory is not None and (isinstance(memory, bool) or not isinstance(memory, int) or memory <= 0):
            raise InvalidInput(f"must be a positive number of bytes, got {memory!r}", "max_memory")

    @property
    def any(self) -> bool:
        return self.timeout is not None or self.property_timeout is not None or self.max_memory is not None
