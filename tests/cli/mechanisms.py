"""Hostile user mechanisms (one per class of the issue) and helpers writing mechanism files."""

from __future__ import annotations

import json
import os
from pathlib import Path

USER_CODE = """
import os
import subprocess
import sys
import time


def raises(profile):
    return 1 / 0


def wrong_signature(a, b, c):
    return None


def recurses(profile):
    return recurses(profile)


def exits(profile):
    sys.exit(0)


def prints(profile):
    print("PRINTED-ON-SYS-STDOUT")
    os.write(1, b"WRITTEN-ON-FD-1\\n")
    return [{"outside": 1} for _ in profile]


def loops(profile):
    while True:
        pass


def forks_and_loops(profile):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(os.environ["VERIFIED_TEST_PID_FILE"], "w") as out:
        out.write(str(child.pid))
    while True:
        time.sleep(0.01)


def hogs_memory(profile):
    hoard = []
    while True:
        hoard.append(b"x" * 20_000_000)


def kills_itself(profile):
    os.kill(os.getpid(), 9)


def returns_junk(profile):
    return object()


def nobody(profile):
    return [{"outside": 1} for _ in profile]
"""


def write_mechanism(folder: Path, function: str, module: str = "hostile.py", agents: int = 2) -> Path:
    """A one-object assignment file whose mechanism is ``module:function`` (the module written too)."""
    if module == "hostile.py":
        (folder / module).write_text(USER_CODE)
    path = folder / f"{function}.json"
    spec = {
        "format": "verified/assignment/1",
        "problem": {"agents": agents, "objects": ["a"]},
        "mechanism": {"python": f"{module}:{function}"},
    }
    path.write_text(json.dumps(spec))
    return path


def descendants(pid: int | None = None) -> list[int]:
    """Live descendants of ``pid`` (this process by default), from ``/proc`` (Linux)."""
    todo, found = [pid or os.getpid()], []
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if _alive(child):
                    found.append(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
