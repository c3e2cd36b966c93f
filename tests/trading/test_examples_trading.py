"""The trading examples print exactly what examples/expected/<name>.txt says (abcvoting style)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["bilateral_trade", "binary_classification", "eopr_allocation"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_output_matches(name: str) -> None:
    script = ROOT / "examples" / f"{name}.py"
    expected = (ROOT / "examples" / "expected" / f"{name}.txt").read_text()
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout == expected
