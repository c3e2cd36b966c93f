"""Import time (issue 13: ``import verified`` under 0.3 s, heavy modules imported lazily).

Each import runs in a fresh interpreter (``python -c``), best of five, minus the floor: the same
interpreter running ``pass`` (its own start-up, best of five). The ratio is the import's cost
over the 0.3 s budget the issue sets, so ``<= 1.0`` meets it. The lines past the first show what
a user pays for each family when they first use it (numpy, z3 or HiGHS come in there).
"""

from __future__ import annotations

import subprocess
import sys
import time

from run import Case

BUDGET = 0.3
IMPORTS = {
    "import verified": "import verified",
    "verified.Problem (the model)": "import verified; verified.Problem",
    "built-in mechanisms (numpy)": "import verified.assignment.mechanisms",
    "assignment properties": "import verified.assignment.properties",
    "trading (z3)": "import verified.trading",
    "the CLI entry point": "import verified.cli",
}


def _best(code: str, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - start)
    return best


def _case(label: str, code: str) -> Case:
    def run() -> tuple[str, float]:
        floor = _best("pass")
        cost = max(0.0, _best(code) - floor)
        return f"{cost:.3f} s over a bare interpreter ({floor:.3f} s)", cost / BUDGET

    return Case(f"import: {label}", None, run, "<= 1.0")


def cases() -> list[Case]:
    return [_case(label, code) for label, code in IMPORTS.items()]
