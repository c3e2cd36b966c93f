"""No third-party output reaches stdout: HiGHS is constructed with file descriptor 1 silenced.

highspy 1.16 prints its banner on stdout while ``Highs()`` is constructed, before any option
can be set; `verified.lp.highs.quiet_highs` is how every HiGHS instance is made. These tests
read file descriptor 1 itself (capfd), where C code writes, not only Python's sys.stdout.
"""

from __future__ import annotations

import ctypes
import os
from fractions import Fraction

import pytest

from verified.lp import Constraint, LinearProgram
from verified.lp.highs import quiet_highs, solve_highs, stdout_silenced

highspy = pytest.importorskip("highspy")


def test_constructing_highs_prints_nothing_on_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    solver = quiet_highs()
    assert isinstance(solver, highspy.Highs)
    out, _ = capfd.readouterr()
    assert out == ""


def test_solving_through_highs_prints_nothing_on_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    # max x + y s.t. x + 2y <= 4, 3x + y <= 6, x, y >= 0: optimum at (8/5, 6/5), value 14/5
    # (by hand: the two constraints are tight, x = (12 - 4) / 5, y = (4 - x) / 2).
    lp = LinearProgram(
        ("x", "y"),
        (Constraint({"x": 1, "y": 2}, "<=", 4, "a"), Constraint({"x": 3, "y": 1}, "<=", 6, "b")),
        {"x": 1, "y": 1},
        "max",
    )
    capfd.readouterr()
    result = solve_highs(lp)
    out, _ = capfd.readouterr()
    assert out == ""
    assert result.status == "optimal"
    assert result.objective == Fraction(14, 5)


def test_the_silenced_block_swallows_c_level_writes_and_restores_stdout(
    capfd: pytest.CaptureFixture[str],
) -> None:
    libc = ctypes.CDLL(None)
    capfd.readouterr()
    print("before", flush=True)
    with stdout_silenced():
        os.write(1, b"raw write to fd 1\n")
        libc.printf(b"buffered C printf\n")  # sits in C's stdio buffer until flushed
    print("after", flush=True)
    os.write(1, b"fd 1 works again\n")
    out, _ = capfd.readouterr()
    assert out == "before\nafter\nfd 1 works again\n"
