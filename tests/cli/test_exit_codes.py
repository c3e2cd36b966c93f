"""Exit codes of `verified check` for each class of hostile input in issue 8: 0 holds, 1 fails,
2 bad input (naming the file, the function and the profile), 3 unknown, 4 internal error; never a
traceback. Run in-process (`verified.cli.main`); the work itself runs in a forked child."""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.certificates.helpers import EXAMPLES
from tests.cli.mechanisms import descendants, write_mechanism
from verified.cli import main

TINY = str(EXAMPLES / "tiny_table.toml")


@pytest.mark.parametrize(
    ("function", "says"),
    [
        ("raises", "raised ZeroDivisionError: division by zero"),
        ("wrong_signature", "must take (profile) or (problem, profile)"),
        ("recurses", "recursed too deeply (RecursionError)"),
        ("exits", "called sys.exit(0)"),
        ("returns_junk", "returned object"),
    ],
)
def test_a_misbehaving_user_mechanism_is_bad_input_naming_file_function_and_place(
    tmp_path, capfd, function, says
):
    path = write_mechanism(tmp_path, function)
    assert main(["check", str(path), "-p", "sp", "-q"]) == 2
    out, err = capfd.readouterr()
    assert out == ""  # nothing on stdout: above all no verdict table a CI could read
    assert says in err and str(path) in err and f"hostile.py:{function}" in err
    if function != "wrong_signature":
        assert "profile [" in err  # the profile at which it misbehaved
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("module", "says"),
    [
        ("raise ImportError('no such thing')\n", "raised ImportError: no such thing"),
        ("def broken(:\n", "raised SyntaxError"),
        ("import sys\nsys.exit(0)\n", "called sys.exit(0)"),
        ("x = 1 / 0\n", "raised ZeroDivisionError"),
    ],
)
def test_a_user_module_that_fails_to_import_is_bad_input(tmp_path, capfd, module, says):
    (tmp_path / "broken.py").write_text(module)
    path = write_mechanism(tmp_path, "anything", module="broken.py")
    assert main(["check", str(path), "-p", "sp", "-q"]) == 2
    out, err = capfd.readouterr()
    assert out == "" and says in err and "broken.py" in err and str(path) in err
    assert "Traceback" not in err


def test_a_user_mechanism_that_kills_its_process_is_bad_input_naming_it(tmp_path, capfd):
    path = write_mechanism(tmp_path, "kills_itself")
    assert main(["check", str(path), "-p", "sp", "-q"]) == 2
    err = capfd.readouterr().err
    assert "hostile.py:kills_itself" in err and "SIGKILL" in err and str(path) in err


def test_printing_user_mechanism_cannot_reach_stdout(tmp_path, capfd):
    path = write_mechanism(tmp_path, "prints")
    assert main(["check", str(path), "-p", "sp,ir", "--json"]) == 0
    out, err = capfd.readouterr()
    data = json.loads(out)  # stdout is exactly the JSON document
    assert [r["verdict"] for r in data["results"]] == ["holds", "holds"]
    assert "PRINTED-ON-SYS-STDOUT" in err and "WRITTEN-ON-FD-1" in err


@pytest.mark.parametrize("flag", ["--timeout", "--property-timeout"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0", "0.0", "soon", ""])
def test_time_limits_must_be_positive_finite_seconds(capsys, flag, value):
    assert main(["check", TINY, "-p", "sp", f"{flag}={value}"]) == 2  # "-inf" alone reads as a flag
    err = capsys.readouterr().err
    assert flag in err and ("positive, finite" in err or "number of seconds" in err)


@pytest.mark.parametrize("value", ["lots", "-4G", "0", "0M", "4Q", "1e9"])
def test_memory_limit_must_be_a_positive_amount(capsys, value):
    assert main(["check", TINY, "-p", "sp", f"--max-memory={value}"]) == 2
    assert "--max-memory" in capsys.readouterr().err


def test_a_time_out_is_unknown_promptly_and_leaves_no_process_behind(tmp_path, capsys, monkeypatch):
    pid_file = tmp_path / "grandchild.pid"
    monkeypatch.setenv("VERIFIED_TEST_PID_FILE", str(pid_file))
    path = write_mechanism(tmp_path, "forks_and_loops")
    before = set(descendants())  # e.g. a forkserver an earlier in-process parallel run left to reuse
    started = time.monotonic()
    assert main(["check", str(path), "-p", "sp,ir", "--timeout", "2", "-q"]) == 3
    assert time.monotonic() - started < 10
    out = capsys.readouterr().out
    assert out.count("UNKNOWN") == 2 and "the run's limit of 2 s was reached" in out
    assert set(descendants()) - before == set()  # the child is gone ...
    grandchild = int(pid_file.read_text())  # ... and so is the process the mechanism started
    deadline = time.monotonic() + 5
    while os.path.exists(f"/proc/{grandchild}") and time.monotonic() < deadline:
        state = open(f"/proc/{grandchild}/stat").read().rsplit(")", 1)[1].split()[0]
        if state in ("Z", "X"):
            break
        time.sleep(0.05)
    else:
        assert not os.path.exists(f"/proc/{grandchild}")


def _loop_forever(*args, **kwargs):
    while True:
        pass


def test_finished_properties_keep_their_verdicts_past_the_total_limit(monkeypatch, capsys):
    import verified.assignment.properties.equal_treatment as ete

    monkeypatch.setattr(ete, "check_equal_treatment", _loop_forever)  # inherited by the forked child
    before = set(descendants())
    assert main(["check", TINY, "-p", "ir,ete,sp", "--timeout", "3", "--json"]) == 3
    results = {r["property"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert results["ir"]["verdict"] == "holds"
    assert results["ete"]["verdict"] == "unknown" and "while checking ete" in results["ete"]["reason"]
    assert results["sp"]["verdict"] == "unknown" and "before sp started" in results["sp"]["reason"]
    assert set(descendants()) - before == set()


def test_a_per_property_limit_lets_the_run_go_on(monkeypatch, capsys, tmp_path):
    import verified.assignment.properties.equal_treatment as ete

    monkeypatch.setattr(ete, "check_equal_treatment", _loop_forever)
    argv = ["check", TINY, "-p", "ir,ete,sp", "--property-timeout", "1", "-q", "-c", str(tmp_path)]
    before = set(descendants())
    assert main(argv) == 3
    out = capsys.readouterr().out
    assert "ir   HOLDS" in out and "sp   HOLDS" in out and "ete  UNKNOWN" in out
    assert "per-property limit of 1 s" in out
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["tiny_table.ete.cert.json", "tiny_table.ir.cert.json", "tiny_table.sp.cert.json"]
    assert main(["recheck", *(str(tmp_path / n) for n in written)]) == 0  # the UNKNOWN one claims nothing
    assert set(descendants()) - before == set()


def _boom(*args, **kwargs):
    raise RuntimeError("a bug planted by the test")


def test_an_unexpected_exception_is_an_internal_error_exit_4(monkeypatch, capsys):
    import verified.assignment.properties.individual_rationality as ir

    monkeypatch.setattr(ir, "check_individually_rational", _boom)
    assert main(["check", TINY, "-p", "ir"]) == 4
    captured = capsys.readouterr()
    assert "internal error: RuntimeError: a bug planted by the test" in captured.err
    assert "please report" in captured.err and "Traceback" not in captured.err + captured.out
    assert len(captured.err.strip().splitlines()) == 1


def test_an_unexpected_exception_outside_the_child_is_exit_4_too(monkeypatch, capsys):
    import verified.cli

    monkeypatch.setattr(verified.cli, "_list", _boom)
    monkeypatch.setattr(verified.cli, "build_parser", _parser_with(_boom))
    assert main(["properties"]) == 4
    assert "internal error" in capsys.readouterr().err


def _parser_with(run):
    from verified.cli import build_parser

    def build():
        parser = build_parser()
        parser.set_defaults(run=run)
        return parser

    return build


def test_recheck_reports_every_file_and_goes_on(tmp_path, capsys):
    good = EXAMPLES.parent / "certificates" / "bilateral_trade.improving-trade.cert.json"
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x00\xff{{{")
    gz = tmp_path / "corrupt.json.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00 definitely not deflate")
    folder = tmp_path / "a_folder.json"
    folder.mkdir()
    argv = ["recheck", str(garbage), str(tmp_path / "missing.json"), str(good), str(gz), str(folder)]
    assert main(argv) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["REJECTED", "UNREADABLE", "OK", "REJECTED", "UNREADABLE"]
    assert main(["recheck", "--help"]) == 0
    assert "UNREADABLE" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", "\x00"],
        ["check", "examples/tiny_table.toml", "-c", "out\x00dir"],
        ["recheck", "a\x00.json"],
    ],
)
def test_an_argument_with_a_nul_character_is_bad_input(argv, capsys):
    """Found by the argv fuzzer: a NUL reached ``open`` (ValueError, exit 4)."""
    assert main(argv) == 2
    assert "contains a NUL character" in capsys.readouterr().err


@pytest.mark.parametrize("certificates", [False, True])
def test_ex_post_stability_without_priorities_is_bad_input_with_or_without_certificates(
    tmp_path, capsys, certificates
):
    # boston_3x2.json has no [priorities]: ex post stability is undefined there. With -c the
    # certificate's subject (table + priorities) was built first and crashed (exit 4).
    extra = ["-c", str(tmp_path)] if certificates else []
    assert main(["check", str(EXAMPLES / "boston_3x2.json"), "-p", "ex-post-stable", "-q", *extra]) == 2
    err = capsys.readouterr().err
    assert "boston_3x2.json: priorities: ex post stability needs priorities" in err
    assert not list(tmp_path.iterdir())
