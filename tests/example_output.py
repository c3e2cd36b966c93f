"""Running a script from examples/ and comparing its output with examples/expected/ (abcvoting style)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def expected_output(name: str) -> str:
    """The stored output examples/expected/<name>.txt."""
    return (ROOT / "examples" / "expected" / f"{name}.txt").read_text()


def assert_example_prints_expected(name: str) -> None:
    """examples/<name>.py exits 0 and prints exactly `expected_output(name)`."""
    script = ROOT / "examples" / f"{name}.py"
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout == expected_output(name)
