"""`verified hunt` on the command line: exit 1 with a certificate the independent checker accepts
(and rejects once edited), exit 3 when nothing is found or the time runs out, exit 2 for bad
input; never a traceback."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from verified.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "hunt"


def test_counterexample_exit_1_with_certificate_that_rechecks(tmp_path, capfd) -> None:
    code = main(
        [
            "hunt",
            str(EXAMPLES / "boston_30x6.toml"),
            "-p",
            "sp,ete",
            "--budget",
            "60",
            "--seed",
            "1",
            "-c",
            str(tmp_path),
        ]
    )
    out, err = capfd.readouterr()
    assert code == 1 and "Traceback" not in err
    assert "sp   FAILS" in out and "ete  FAILS" in out and "gains by reporting" in out
    certificates = sorted(tmp_path.glob("*.cert.json"))
    assert len(certificates) == 2
    assert main(["recheck", *map(str, certificates)]) == 0
    doc = json.loads(certificates[0].read_text())
    doc["evidence"]["profile"][0] = ["c"] if doc["evidence"]["profile"][0] != ["c"] else ["d"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    capfd.readouterr()
    assert main(["recheck", str(edited)]) == 1
    assert "REJECTED" in capfd.readouterr().out


def test_nothing_found_is_exit_3_and_json_has_counts(capfd) -> None:
    code = main(
        ["hunt", str(EXAMPLES / "serial_dictatorship_20.toml"), "-p", "sp", "--budget", "30", "--json"]
    )
    out, _ = capfd.readouterr()
    assert code == 3
    report = json.loads(out)
    (result,) = report["results"]
    assert result["verdict"] == "unknown" and "never proves" in result["reason"]
    assert report["profiles"] >= 30 and report["misreports"] > 0 and report["seed"] == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["-p", "valid"],
        ["-p", "sp", "--budget", "0"],
        ["-p", "sp", "--time", "nan"],
        ["-p", "sp", "--seed", "-1"],
        ["-p", "ex-post-stable"],
    ],
)
def test_bad_arguments_are_exit_2(argv, capfd) -> None:
    assert main(["hunt", str(EXAMPLES / "boston_30x6.toml"), *argv]) == 2
    assert "Traceback" not in capfd.readouterr().err


def test_missing_and_wrong_files_are_exit_2(tmp_path, capfd) -> None:
    assert main(["hunt", str(tmp_path / "missing.toml"), "-p", "sp"]) == 2
    trading = Path(__file__).resolve().parents[2] / "examples" / "bilateral_mechanism.toml"
    assert main(["hunt", str(trading), "-p", "sp"]) == 2
    err = capfd.readouterr().err
    assert "missing.toml" in err and "assignment" in err and "Traceback" not in err


def _user_file(folder: Path, body: str) -> Path:
    (folder / "user.py").write_text(body)
    path = folder / "user.toml"
    path.write_text(
        'format = "verified/assignment/1"\n[problem]\nagents = 40\nobjects = "abcdefghij"\n'
        '[mechanism]\npython = "user.py:mech"\n'
    )
    return path


def test_user_function_raising_is_exit_2_naming_the_profile(tmp_path, capfd) -> None:
    path = _user_file(
        tmp_path,
        "def mech(problem, profile):\n"
        "    if any(len(r) > 3 for r in profile):\n"
        "        raise KeyError('deep list')\n"
        "    return [{'outside': 1} for _ in profile]\n",
    )
    assert main(["hunt", str(path), "-p", "sp", "--budget", "50"]) == 2
    err = capfd.readouterr().err
    assert "KeyError" in err and "profile [" in err and "user.py:mech" in err and "Traceback" not in err


def test_a_function_that_never_returns_is_stopped_unknown(tmp_path, capfd) -> None:
    path = _user_file(tmp_path, "def mech(problem, profile):\n    while True:\n        pass\n")
    start = time.monotonic()
    assert main(["hunt", str(path), "-p", "sp,ir", "--time", "1"]) == 3
    assert time.monotonic() - start < 20
    out = capfd.readouterr().out
    assert out.count("UNKNOWN") == 2 and "time limit of 1 s" in out


def test_the_readme_example_prints_what_the_readme_shows(capfd) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    shown = readme.split("$ verified hunt examples/hunt/planted_20.toml --property sp --seed 1\n")[1]
    shown = shown.split("```")[0].splitlines()
    code = main(["hunt", str(EXAMPLES / "planted_20.toml"), "--property", "sp", "--seed", "1"])
    out = capfd.readouterr().out.splitlines()
    assert code == 1
    for expected, got in zip(shown, out, strict=True):  # seconds differ from run to run; the rest not
        got = got.replace(str(EXAMPLES.parent.parent) + "/", "")
        if got.lstrip().startswith("tried "):  # how many draws it took depends on hypothesis' version
            got, expected = re.sub(r"[0-9,]+", "N", got), re.sub(r"[0-9,]+", "N", expected)
        assert re.sub(r"[0-9.]+ s\b", "T s", got) == re.sub(r"[0-9.]+ s\b", "T s", expected)


@pytest.mark.parametrize("extra", [[], ["--shard", "1/2", "-c", "CERTS"], ["--jobs", "2"]])
def test_check_on_a_domain_past_every_machine_integer_points_to_hunt(tmp_path, capfd, extra) -> None:
    """30 agents and 6 objects: about 10^98 profiles (past sys.maxsize, where len() fails); an
    exhaustive check is refused as bad input that says how large and points to hunt."""
    extra = [str(tmp_path) if a == "CERTS" else a for a in extra]
    assert main(["check", str(EXAMPLES / "boston_30x6.toml"), "-p", "sp", *extra]) == 2
    err = capfd.readouterr().err
    assert "about 10^98 profiles" in err and "verified hunt" in err and "internal error" not in err
