"""Bounded work from the command line (a fresh process, as CI runs it) and from the Python API:
a memory limit ends the run UNKNOWN with the reason, a time limit stops the work for real, and
`run_check` / `assert_holds` with ``timeout=`` return instead of computing on."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.certificates.helpers import EXAMPLES, ROOT
from tests.cli.mechanisms import descendants, write_mechanism
from verified.errors import InvalidInput
from verified.io import load_subject
from verified.registry import run_check
from verified.results import Verdict
from verified.run.limits import Limits, format_bytes, parse_memory, parse_seconds, tree_rss
from verified.testing import assert_holds, check_properties


def _cli(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "verified", *argv], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )


def test_memory_limit_ends_the_run_unknown_with_the_reason(tmp_path):
    path = write_mechanism(tmp_path, "hogs_memory")
    started = time.monotonic()
    run = _cli("check", str(path), "-p", "sp,ir", "--max-memory", "400M")
    assert run.returncode == 3, run.stderr
    assert time.monotonic() - started < 30
    assert run.stdout.count("memory limit of 400 MiB exceeded") == 2
    assert "Traceback" not in run.stdout + run.stderr


def test_hostile_mechanisms_from_a_fresh_process(tmp_path):
    """sys.exit(0) does not pass a CI gate; printing does not reach stdout (file descriptor 1)."""
    exits = _cli("check", str(write_mechanism(tmp_path, "exits")), "-p", "sp")
    assert exits.returncode == 2 and exits.stdout == "" and "called sys.exit(0)" in exits.stderr
    prints = _cli("check", str(write_mechanism(tmp_path, "prints")), "-p", "sp", "-q")
    assert prints.returncode == 0 and "HOLDS" in prints.stdout
    assert "PRINTED" not in prints.stdout and "WRITTEN-ON-FD-1" not in prints.stdout
    assert "WRITTEN-ON-FD-1" in prints.stderr
    loops = _cli("check", str(write_mechanism(tmp_path, "loops")), "-p", "sp", "--timeout", "1.5")
    assert loops.returncode == 3 and "UNKNOWN" in loops.stdout


def test_run_check_with_a_timeout_really_stops(tmp_path):
    subject = load_subject(write_mechanism(tmp_path, "loops"))  # loading does not call it
    before = set(descendants())  # e.g. a forkserver an earlier in-process parallel run left to reuse
    started = time.monotonic()
    result = run_check("sp", subject, timeout=1.5)
    assert time.monotonic() - started < 10
    assert result.verdict is Verdict.UNKNOWN and "1.5 s" in result.reason
    assert set(descendants()) - before == set()


def test_run_check_without_a_limit_is_unchanged_and_a_limit_keeps_the_verdict():
    subject = load_subject(EXAMPLES / "boston_3x2.json")
    assert run_check("sp", subject).verdict is Verdict.FAILS
    limited = run_check("sp", subject, timeout=60, max_memory="2G")
    assert limited.verdict is Verdict.FAILS and limited.evidence == run_check("sp", subject).evidence


def test_run_check_in_a_child_reports_bad_input_as_bad_input(tmp_path):
    subject = load_subject(write_mechanism(tmp_path, "raises"))
    with pytest.raises(InvalidInput, match="ZeroDivisionError"):
        run_check("sp", subject, timeout=30)
    with pytest.raises(InvalidInput, match="unknown property"):
        run_check("no-such-property", subject, timeout=30)


def test_assert_holds_with_a_timeout_fails_saying_why_and_keeps_finished_results(tmp_path):
    path = write_mechanism(tmp_path, "loops")
    before = set(descendants())
    started = time.monotonic()
    with pytest.raises(AssertionError, match="time-out"):
        assert_holds(path, "sp", timeout=1.5)
    assert time.monotonic() - started < 10
    results = check_properties(EXAMPLES / "tiny_table.toml", "ir", "sp", timeout=60)
    assert [r.verdict for r in results.values()] == [Verdict.HOLDS, Verdict.HOLDS]
    assert set(descendants()) - before == set()


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "0", "-1", "x", ""])
def test_seconds_must_be_positive_and_finite(text):
    with pytest.raises(InvalidInput, match="--timeout"):
        parse_seconds(text)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0, -1, True, "2"])
def test_limits_refuse_what_parse_seconds_refuses(value):
    with pytest.raises(InvalidInput):
        Limits(timeout=value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4G", 4 * 1024**3), ("512M", 512 * 1024**2), ("1.5G", 3 * 1024**3 // 2), ("100", 100), ("2KiB", 2048)],
)
def test_memory_amounts_in_binary_units(text, expected):
    assert parse_memory(text) == expected  # hand-computed: 1K = 1024


def test_bytes_are_shown_in_the_largest_whole_unit():
    assert format_bytes(400 * 1024**2) == "400 MiB" and format_bytes(3 * 1024**3 // 2) == "1.5 GiB"


def test_tree_rss_counts_a_child_process():
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.3)
        alone, with_child = tree_rss(sleeper.pid), tree_rss(__import__("os").getpid())
        assert alone is not None and alone > 1_000_000  # a Python interpreter holds megabytes
        assert with_child is not None and with_child >= alone
    finally:
        sleeper.kill()
        sleeper.wait()
