"""examples/trading_three_task_menu.py prints exactly examples/expected/trading_three_task_menu.txt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_three_task_menu_example_output() -> None:
    # Hand check of the printed counterexample: eta = (1,1,1), c = (3,2,1): c.eta = 6; the end of
    # ray (-1,1,0) is (0,2,1), cost 4 + 1 = 5; the end of ray (0,-1,1) is (1,0,2), cost 3 + 2 = 5.
    expected = (ROOT / "examples" / "expected" / "trading_three_task_menu.txt").read_text()
    script = ROOT / "examples" / "trading_three_task_menu.py"
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout == expected
    assert (
        "counterexample type c = (3 per unit of cleaning, 2 per unit of cooking, 1 per unit of shopping)"
        in expected
    )
