"""The command line: verdict tables, certificates, recheck, explain, exit codes 0/1/2/3."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.certificates.helpers import EXAMPLES, ROOT
from verified.cli import main

FLOAT_TABLE = """
format = "verified/assignment/1"
[problem]
agents = ["ann", "bob"]
objects = ["a"]
[domain]
kind = "restricted"
preferences = [[["a"]], [["a"]]]
[[mechanism.table]]
profile = [["a"], ["a"]]
assignment = { ann = { a = 0.5, outside = 0.5 }, bob = { a = 0.5, outside = 0.5 } }
"""

SLOW = """
import time

def slow(profile):
    time.sleep(5)
    return [{"outside": 1} for _ in profile]
"""


def test_holds_gives_exit_0_and_certificates_that_recheck(tmp_path, capsys):
    code = main(["check", str(EXAMPLES / "my_mechanism.toml"), "-p", "sp,ir", "-c", str(tmp_path), "-q"])
    out = capsys.readouterr().out
    assert code == 0
    assert "sp" in out and "HOLDS" in out
    certs = sorted(tmp_path.glob("*.json"))
    assert [c.name for c in certs] == ["my_mechanism.ir.cert.json", "my_mechanism.sp.cert.json"]
    assert main(["recheck", *map(str, certs)]) == 0
    assert main(["explain", str(certs[1])]) == 0
    assert "HOLDS" in capsys.readouterr().out


def test_fails_gives_exit_1_with_the_counterexample_in_words(tmp_path, capsys):
    code = main(["check", str(EXAMPLES / "boston_3x2.json"), "--property", "ir,sp", "-c", str(tmp_path)])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 1
    assert "FAILS" in out and "gains by reporting" in out
    assert captured.err == ""  # no progress line when stderr is not a terminal
    cert = tmp_path / "boston_3x2.sp.cert.json"
    assert main(["explain", str(cert)]) == 0
    assert "gains by reporting" in capsys.readouterr().out


def test_json_output_is_machine_readable(capsys):
    assert main(["check", str(EXAMPLES / "boston_3x2.json"), "-p", "sp", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["results"][0]["verdict"] == "fails"
    assert data["results"][0]["evidence"]["kind"] == "manipulation"


def test_tampered_certificate_gives_exit_1(tmp_path, capsys):
    main(["check", str(EXAMPLES / "my_mechanism.toml"), "-p", "sp", "-c", str(tmp_path), "-q"])
    cert = tmp_path / "my_mechanism.sp.cert.json"
    doc = json.loads(cert.read_text())
    doc["evidence"]["comparisons"] += 1
    cert.write_text(json.dumps(doc))
    assert main(["recheck", str(cert)]) == 1
    assert "REJECTED" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "no/such/file.toml", "-p", "sp"],
        ["check", str(EXAMPLES / "my_mechanism.toml"), "-p", "no-such-property"],
        ["check", str(EXAMPLES / "my_mechanism.toml")],
        ["explain", "no/such/cert.json"],
        ["frobnicate"],
    ],
)
def test_bad_input_gives_exit_2(argv, capsys):
    assert main(argv) == 2


def test_floats_are_rejected_unless_allowed(tmp_path, capsys):
    path = tmp_path / "floats.toml"
    path.write_text(FLOAT_TABLE)
    assert main(["check", str(path), "-p", "sp"]) == 2
    assert "float" in capsys.readouterr().err
    assert main(["check", str(path), "-p", "sp", "--allow-float", "-q"]) == 0


def test_timeout_gives_exit_3(tmp_path, capsys):
    (tmp_path / "slow.py").write_text(SLOW)
    path = tmp_path / "slow.json"
    spec = {
        "format": "verified/assignment/1",
        "problem": {"agents": 1, "objects": ["a"]},
        "mechanism": {"python": "slow.py:slow"},
    }
    path.write_text(json.dumps(spec))
    assert main(["check", str(path), "-p", "sp", "--timeout", "0.5", "-q"]) == 3
    assert "UNKNOWN" in capsys.readouterr().out


def test_console_entry_points_run():
    stored = "certificates/bilateral_trade.improving-trade.cert.json"
    for argv in (["-m", "verified", "properties"], ["-m", "verified.recheck", stored]):
        run = subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert run.returncode == 0, run.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "verified", "properties"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert "sp" in listed.stdout


def test_search_subcommand_is_wired_when_the_search_module_exists(capsys):
    pytest.importorskip("verified.search.cli")
    assert main(["search", "--help"]) == 0
    assert "--dominate" in capsys.readouterr().out


def test_all_runs_every_applicable_property(tmp_path, capsys):
    assert main(["check", str(EXAMPLES / "rda_3x2.toml"), "--all", "-q", "-c", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    for name in ("valid", "ir", "nonwasteful", "sp", "ete", "ex-post-stable"):
        assert f"  {name} " in out
    # RDA: ex post stable and strategy-proof (Erdil, section 3) but, with these priorities, not anonymous
    assert (
        "ex-post-stable     HOLDS" in out
        and "sp                 HOLDS" in out
        and "anonymous          FAILS" in out
    )
    assert main(["recheck", *map(str, sorted(tmp_path.glob("*.json")))]) == 0


class _Terminal(__import__("io").StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("with_tqdm", [True, False])
def test_progress_line_only_on_a_terminal_and_never_a_traceback(monkeypatch, with_tqdm):
    from verified.cli import Progress

    if not with_tqdm:
        monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm -> ImportError
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    progress = Progress("checking sp", True)
    progress.start -= 2.5  # as if the check had run for 2.5 s
    progress.tick()
    progress.close()
    assert "checking sp" in terminal.getvalue()
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    silent = Progress("checking sp", False)  # --quiet
    silent.start -= 2.5
    silent.tick()
    silent.close()
    assert quiet.getvalue() == ""


def test_explain_refuses_a_certificate_the_checker_rejects(tmp_path, capsys):
    """Issue 8: an edited evidence field (worst_cost set to -99) was printed by explain as if true.
    explain now re-checks first: a rejected certificate gives exit 1 and the edited value is not shown."""
    stored = ROOT / "certificates" / "binary_classification_polarized.eopr-robust.cert.json"
    assert main(["explain", str(stored)]) == 0
    assert "re-verified" in capsys.readouterr().out
    doc = json.loads(stored.read_text())
    doc["evidence"]["worst_cost"] = "-99"
    tampered = tmp_path / "tampered.cert.json"
    tampered.write_text(json.dumps(doc))
    assert main(["explain", str(tampered)]) == 1
    out = capsys.readouterr().out
    assert "REJECTED" in out and "not explained" in out
    lines = out.splitlines()
    assert len(lines) == 2  # the rejection (which may quote the edited value) and nothing explained
    assert "stated -99, recomputed 6" in lines[0]  # by hand: every selection above costs 6
