"""The heavy whole-domain checks over ranges of profiles (issue 9, item 2): ex post efficiency,
ex post stability and SD-efficiency give the same result with one process, two processes and
the CLI's ``--jobs 2`` (same certificate bytes), and a planted failure is found by whichever
range holds it, as the first failing profile.

Expected failures are derived by hand: `planted` is serial dictatorship (each deterministic
assignment it gives is Pareto efficient: the first agent has her best listed object, the next
her best of the rest, ...) except at one profile, where agent 1 is given nothing although her
first choice is free: giving it to her harms nobody, so that profile, and only it, is not ex
post efficient.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.engine.helpers import write_planted
from verified.assignment.properties import _whole_domain
from verified.cli import main
from verified.engine import engine_options
from verified.io import load_subject
from verified.registry import check_here

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _text(result) -> str:
    return json.dumps([result.verdict, result.evidence], sort_keys=True, default=str)


def _serial_and_parallel(path, name):
    subject = load_subject(path)
    serial = check_here(name, subject)
    with engine_options(n_jobs=2):
        parallel = check_here(name, load_subject(path))
    return serial, parallel


def _builtin_file(folder: Path, builtin: str, agents: int, objects: str, extra: str = "") -> Path:
    path = folder / f"{builtin}_{agents}x{len(objects)}.toml"
    names = ", ".join(f'"{x}"' for x in objects)
    path.write_text(
        f'format = "verified/assignment/1"\n[problem]\nagents = {agents}\nobjects = [{names}]\n'
        f'[domain]\nkind = "full"\n{extra}[mechanism]\nbuiltin = "{builtin}"\n'
    )
    return path


def test_ex_post_efficiency_of_rp_is_the_same_on_two_processes(tmp_path):
    path = _builtin_file(tmp_path, "random_priority", 3, "abc")  # 16^3 = 4,096 profiles
    assert len(load_subject(path).domain) >= _whole_domain.PARALLEL_MIN
    serial, parallel = _serial_and_parallel(path, "ex-post-efficient")
    assert serial.holds  # Erdil, section 2: RP is ex post efficient
    assert _text(serial) == _text(parallel)


@pytest.mark.parametrize("plant_at", [[["a"], [], []], [["c", "b", "a"], ["a"], ["b"]]])
def test_a_planted_inefficiency_is_the_first_failure_whichever_range_holds_it(tmp_path, plant_at):
    path = write_planted(tmp_path, plant_at, agents=3, objects="abc")
    serial, parallel = _serial_and_parallel(path, "ex-post-efficient")
    assert serial.fails and _text(serial) == _text(parallel)
    assert serial.evidence["profile"] == plant_at


def test_ex_post_stability_is_the_same_on_two_processes(monkeypatch):
    monkeypatch.setattr(_whole_domain, "PARALLEL_MIN", 8)  # 125 profiles: cut them anyway
    path = EXAMPLES / "rp_priorities_3x2.toml"
    serial, parallel = _serial_and_parallel(path, "ex-post-stable")
    assert serial.fails  # the example's own comment: RP ignores the priorities
    assert _text(serial) == _text(parallel)


def test_sd_efficiency_certificates_are_the_same_on_two_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(_whole_domain, "PARALLEL_MIN", 8)
    path = _builtin_file(tmp_path, "probabilistic_serial", 3, "ab")
    serial, parallel = _serial_and_parallel(path, "sd-efficient")
    assert serial.holds  # Bogomolnaia and Moulin (2001): PS is ordinally efficient
    assert _text(serial) == _text(parallel)


def test_cli_jobs_2_writes_the_same_certificate_bytes(tmp_path):
    path = _builtin_file(tmp_path, "random_priority", 3, "abc")
    for jobs in ("1", "2"):
        code = main(
            ["check", str(path), "-p", "ex-post-efficient", "-j", jobs, "-c", str(tmp_path / jobs), "-q"]
        )
        assert code == 0
    one = {p.name: p.read_bytes() for p in (tmp_path / "1").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "2").iterdir()}
    assert one and one == two


def test_a_run_after_this_process_used_a_pool_starts_its_own_workers(tmp_path):
    """Regression: a pool in this process leaves a forkserver whose state a forked run's child
    inherited; asking it for workers raised ChildProcessError (exit 4)."""
    path = _builtin_file(tmp_path, "random_priority", 3, "abc")
    with engine_options(n_jobs=2):
        assert check_here("ex-post-efficient", load_subject(path)).holds  # starts this process's pool
    assert main(["check", str(path), "-p", "ex-post-efficient", "-j", "2", "-q"]) == 0
