"""The orbit pipeline at scale (issue 9, item 8): property ``sp-anonymous`` of random priority
through the Python API (``verified.registry.check_here`` on a subject from
``verified.io.load_subject``: the orbit table built by the RP DP, validated, then checked).

Each case runs in its own subprocess; the note gives the verdict, the orbit table digest and
the subprocess's peak resident set size (``ru_maxrss`` of that one child, from ``os.wait4``).

Before (commit b66ab7f: one type-DP call per class of multiset profiles, int64 table of all
orbits, the n-multiset profiles as Python tuples and int64 arrays, whole-table check):

    RP n=5  m=4   8.7 GB peak, 134 s of CPU (355 s wall on a loaded 2-core machine)
    RP n=12 m=3   MemoryError under a 16 GiB address-space cap after 936 s (12.7 GB resident),
                  still building the ranks of the C(27, 12) = 17.4 M multiset profiles
    RP n=6  m=4   not run: C(70, 6) = 131 M multiset profiles as Python tuples (~15 GB) and
                  int64 arrays (6.3 GB each), then a 29 GB int64 table, on a 23 GB machine
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from run import Case

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys, time
from verified.io import load_subject
from verified.registry import check_here
start = time.perf_counter()
result = check_here("sp-anonymous", load_subject(sys.argv[1]))
ev = result.evidence
print(result.verdict.value, ev.get("orbits"), (ev.get("orbit_table_digest") or "")[:16],
      round(time.perf_counter() - start, 1))
"""


def _mechanism_file(directory: str, n: int, m: int) -> str:
    path = Path(directory) / f"rp_{n}x{m}.toml"
    objects = ", ".join(f'"{x}"' for x in "abcdefgh"[:m])
    path.write_text(
        'format = "verified/assignment/1"\n\n'
        f"[problem]\nagents = {n}\nobjects = [{objects}]\n\n"
        '[domain]\nkind = "full"\n\n[mechanism]\nbuiltin = "random_priority"\n'
    )
    return str(path)


def run_measured(n: int, m: int) -> tuple[str, int]:
    """(the child's output, its peak RSS in bytes)."""
    with tempfile.TemporaryDirectory() as directory:
        source = _mechanism_file(directory, n, m)
        out_path = Path(directory) / "out.txt"
        with open(out_path, "w") as out:
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, source], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
            )
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
        text = out_path.read_text().strip()
    if child.returncode != 0:
        raise RuntimeError(f"n={n} m={m}: exit {child.returncode}: {text[-2000:]}")
    return text, usage.ru_maxrss * 1024  # Linux: kilobytes


def _case(n: int, m: int, target: float, memory_target: str) -> Case:
    def run() -> str:
        text, peak = run_measured(n, m)
        verdict, orbits, digest, seconds = text.splitlines()[-1].split()
        return (
            f"{verdict}; {int(orbits):,} orbits; digest {digest}; peak RSS {peak / 2**30:.2f} GiB"
            f"{memory_target}; child {seconds} s"
        )

    return Case(f"sp-anonymous, RP n={n} m={m} (subprocess)", target, run)


def cases() -> list[Case]:
    return [
        _case(5, 4, 60.0, " (target < 4 GB; before 8.7 GB, 134 s)"),
        _case(12, 3, 300.0, ""),
        _case(6, 4, 900.0, ""),
    ]
