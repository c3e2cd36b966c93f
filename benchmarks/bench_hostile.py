"""The independent checker on small hostile certificates found by a red-team campaign: each used
to cost minutes or hours, and must now be answered in about the time it takes to read it.

    python benchmarks/run.py hostile

The floor each case names is the red team's measurement before the fix. The certificates are
built by the test modules that check the same files' verdicts (their builders are reused here,
so the benchmark times exactly what the tests verify).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from run import Case

ROOT = Path(__file__).resolve().parents[1]


def _recheck_seconds(doc: dict) -> tuple[str, float]:
    from verified.recheck import RecheckError, recheck

    start = time.perf_counter()
    try:
        outcome = recheck(doc).split(" - ")[0]
    except RecheckError as exc:
        outcome = f"rejected: {str(exc)[:70]}"
    return outcome, time.perf_counter() - start


def _case(name: str, before: str, build) -> Case:  # noqa: ANN001
    def run() -> str:
        outcome, seconds = _recheck_seconds(build())
        return f"{outcome} ({seconds:.2f} s; {before})"

    return Case(name, 10.0, run)


def cases() -> list[Case]:
    sys.path.insert(0, str(ROOT))
    from tests.certificates.test_recheck_agent_scaling import ete_doc, orbit_doc
    from tests.search.test_search_tampering import _rp_certificate

    return [
        _case(
            "ete holds, one profile, 4,000 equal agents",
            "before: 26 s",
            lambda: ete_doc([["a"]] * 4000, ["a"], [[1, 0]] * 4000, 4000 * 3999 // 2),
        ),
        _case(
            "sp-anonymous orbit table, 10,000 agents",
            "before: about 100 s",
            lambda: orbit_doc(10_000, 10_000, [True] * 10_000),
        ),
        _case(
            "sp-dominator fails, n = 8, m = 6, RP, 825 bytes",
            "before: about 1.5 h",
            lambda: _rp_certificate(8, 6),
        ),
    ]
