"""Hostile files, names, streams and signals found by a red-team campaign: each used to give exit
4, hang, or leave work running. Every subcommand must answer with the contract's code (2 for bad
input, naming the file) at once, and no process of a run may outlive it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.mechanisms import _alive, write_mechanism


def _verified(args: list[str], timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "verified", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def _commands(path: Path) -> list[list[str]]:
    """Every subcommand that reads ``path`` as its input file."""
    return [
        ["check", str(path), "-p", "sp"],
        ["hunt", str(path), "-p", "sp"],
        ["compare", str(path), str(path)],
        ["prove", str(path)],
        ["search", str(path), "--dominate"],
        ["explain", str(path)],
        ["merge", str(path), "--certificate-dir", str(path.parent / "out")],
        ["recheck", str(path)],
    ]


@pytest.mark.parametrize("suffix", [".toml", ".json", ".soc"])
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path, suffix):
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    for args in _commands(fifo):
        if suffix == ".soc":
            args = ["check", str(fifo), "--mechanism", "rp", "-p", "sp"]
        out = _verified(args, timeout=60)  # a regression blocks: the timeout turns it into an error
        assert out.returncode in (1, 2), (args, out.returncode, out.stderr)  # recheck: 1, unreadable
        assert "Traceback" not in out.stderr and str(fifo) in out.stderr + out.stdout, args
        if out.returncode == 2:
            assert out.stdout == "", args


def test_a_device_is_refused_not_read_forever(tmp_path):
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    for args in _commands(zero):
        out = _verified(args, timeout=60)
        assert out.returncode in (1, 2) and "Traceback" not in out.stderr, (args, out.stderr)


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from verified.io.schema import MAX_FILE_BYTES

    big = tmp_path / "big.toml"
    with open(big, "wb") as handle:  # sparse: costs no disk, and nothing may read it
        handle.truncate(MAX_FILE_BYTES + 1)
    out = _verified(["check", str(big), "-p", "sp"])  # refused from its size, before any read
    assert out.returncode == 2 and "more than the limit" in out.stderr and str(big) in out.stderr


def test_a_name_too_long_for_the_system_is_bad_input(tmp_path):
    path = tmp_path / ("x" * 300 + ".toml")  # NAME_MAX is 255 bytes
    for args in (["check", str(path), "-p", "sp"], ["hunt", str(path), "-p", "sp"], ["prove", str(path)]):
        out = _verified(args)
        assert out.returncode == 2 and "Traceback" not in out.stderr, (args, out.stderr)
        assert "internal error" not in out.stderr


def test_an_unencodable_name_on_an_ascii_terminal_is_escaped_not_a_crash(tmp_path):
    path = tmp_path / "méchanisme.toml"
    out = _verified(["check", str(path), "-p", "sp"], env={"PYTHONIOENCODING": "ascii"})
    assert out.returncode == 2 and "internal error" not in out.stderr
    assert "m\\xe9chanisme" in out.stderr  # the name, escaped


USER_CODE = """
import os, sys, time


class Exits(dict):
    def items(self):
        sys.exit(3)

    def keys(self):
        sys.exit(3)

    def __iter__(self):
        sys.exit(3)


def exits_in_its_answer(profile):
    return [Exits(outside=1) for _ in profile]


def interrupts(profile):
    raise KeyboardInterrupt


def sleeps(profile):
    with open(os.environ["VERIFIED_TEST_PID_FILE"], "w") as out:
        out.write(str(os.getpid()))
    time.sleep(600)
"""


@pytest.mark.parametrize(
    ("function", "says"),
    [("exits_in_its_answer", "called sys.exit(3)"), ("interrupts", "raised KeyboardInterrupt")],
)
def test_a_user_answer_that_exits_or_interrupts_is_bad_input_naming_the_profile(tmp_path, function, says):
    (tmp_path / "odd.py").write_text(USER_CODE)
    path = write_mechanism(tmp_path, function, module="odd.py")
    out = _verified(["check", str(path), "-p", "sp", "-q"])
    assert out.returncode == 2, out.stderr
    assert says in out.stderr and "profile [" in out.stderr and str(path) in out.stderr
    assert out.stdout == ""


def test_sigterm_kills_the_checking_child_too(tmp_path):
    (tmp_path / "odd.py").write_text(USER_CODE)
    path = write_mechanism(tmp_path, "sleeps", module="odd.py")
    pid_file = tmp_path / "child.pid"
    run = subprocess.Popen(
        [sys.executable, "-m", "verified", "check", str(path), "-p", "sp", "--timeout", "500"],
        env={**os.environ, "VERIFIED_TEST_PID_FILE": str(pid_file)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline and run.poll() is None
        time.sleep(0.05)
    worker = int(pid_file.read_text())
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=30)
    assert run.returncode == 128 + signal.SIGTERM and "terminated by SIGTERM" in err
    deadline = time.monotonic() + 10
    while _alive(worker):
        assert time.monotonic() < deadline, "the process running the mechanism outlived the run"
        time.sleep(0.05)


def test_search_reports_bad_input_on_stderr_only(tmp_path):
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps({"agents": 2}))
    out = _verified(["search", str(problem), "--dominate"])
    assert out.returncode == 2 and out.stdout == "" and str(problem) in out.stderr


def test_a_property_that_does_not_apply_is_refused_naming_the_file_in_words():
    # Boston with agents in priority order is not anonymous: swapping the first two agents at
    # (a; a; none) moves object a from ann to bob (ann has priority), so sp-anonymous cannot run.
    path = Path(__file__).resolve().parents[2] / "examples" / "boston_3x2.json"
    out = _verified(["check", str(path), "-p", "sp-anonymous"])
    assert out.returncode == 2 and str(path) in out.stderr
    assert "is not anonymous" in out.stderr and "check `sp` instead" in out.stderr
    assert "{" not in out.stderr  # words, not a Python dict
