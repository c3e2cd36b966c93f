"""``verified compare`` (issue 11): what a design change did, exhaustively and by sampling.

python benchmarks/run.py compare

Each case runs the comparison in this process (the command line adds one child process only
with --timeout or --max-memory). The floor of an exhaustive comparison is tabulating both
mechanisms: the (profile, agent) classification itself is a numpy pass over the two tables,
so the case reports the comparison's time against the time of building the two tables alone.
"""

from __future__ import annotations

import time
from pathlib import Path

from run import Case

from verified.compare import compare
from verified.io import load_subject

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _tables_alone(old: Path, new: Path) -> float:
    start = time.perf_counter()
    for path in (old, new):
        load_subject(path).table  # noqa: B018 (tabulating is the point)
    return time.perf_counter() - start


def _exhaustive(old: str, new: str, properties: str = "") -> tuple[str, float]:
    a, b = EXAMPLES / old, EXAMPLES / new
    floor = _tables_alone(a, b)
    start = time.perf_counter()
    result = compare(a, b, properties, certificates=True)
    seconds = time.perf_counter() - start
    d = result.differences
    note = (
        f"{d.relation}; {d.profiles * d.agents:,} pairs, {d.changed_count:,} changed profiles; "
        f"{seconds:.2f} s against {floor:.2f} s for the two tables alone"
    )
    return note, seconds / floor


def _sampled(old: str, new: str, budget: int) -> str:
    result = compare(EXAMPLES / old, EXAMPLES / new, hunt=True, budget=budget, seed=0)
    s = result.sampling
    relation = result.differences.relation
    return f"{result.verdict.value}; {s.evaluated:,} profiles evaluated, relation on them: {relation}"


def cases() -> list[Case]:
    return [
        Case(
            "compare: Erdil's g (user Python) vs RP, n=4 m=3, with certificates",
            60.0,
            lambda: _exhaustive("rp_4x3.toml", "erdil_g_4x3.toml"),
            ratio_target="<= 1.5",
        ),
        Case(
            "compare: DA vs Boston with priorities, n=3 m=3, sp on both",
            10.0,
            lambda: _exhaustive("da_priorities_3x3.toml", "boston_priorities_3x3.toml", "sp")[0],
        ),
        Case(
            "compare --hunt: Boston 30x6 vs itself, 300 profiles",
            60.0,
            lambda: _sampled("hunt/boston_30x6.toml", "hunt/boston_30x6.toml", 300),
        ),
    ]
