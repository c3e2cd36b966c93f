"""The search examples print exactly their stored expected output, and the stored
certificates pass the independent re-checker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from verified.recheck import recheck_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["erdil_prop3", "erdil_prop4"])
def test_example_output(name):
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / f"{name}.py")], capture_output=True, text=True, check=True
    ).stdout
    assert out == (ROOT / "examples" / "expected" / f"{name}.txt").read_text()


@pytest.mark.parametrize(
    "name", ["search_prop3i_neighbourhood", "search_prop3ii_rda", "search_prop4", "search_prop1_sd_n3_m2"]
)
def test_stored_certificate_rechecks(name):
    assert "re-verified" in recheck_file(ROOT / "certificates" / f"{name}.json")


def test_cli_exit_codes(tmp_path):
    from verified.search.cli import main

    cert = tmp_path / "c.json"
    code = main(
        [
            str(ROOT / "examples" / "data" / "erdil_prop3_neighbourhood.json"),
            "--dominate",
            "--certificate",
            str(cert),
        ]
    )
    assert code == 0
    assert "re-verified" in recheck_file(cert)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"agents": 2, "objects": "ab", "base": {"mechanism": "nope"}}))
    assert main([str(bad), "--dominate"]) == 2
    none = tmp_path / "none.json"
    none.write_text(json.dumps({"agents": 2, "objects": "ab", "base": {"mechanism": "serial_dictatorship"}}))
    assert main([str(none), "--dominate"]) == 1
