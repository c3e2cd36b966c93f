"""``verified compare`` on the command line (in-process through `verified.cli.main`; the work runs
in a forked child): exit 0 when the requirement holds, 1 when it fails (a regression, no
dominance), 2 for bad input naming the difference or the place, 3 past the time limit; never a
traceback. Certificates it writes are accepted by ``verified recheck``."""

from __future__ import annotations

import json
import time

import pytest

from tests.certificates.helpers import EXAMPLES
from tests.cli.mechanisms import write_mechanism
from verified.cli import main

DA, BOSTON = str(EXAMPLES / "da_priorities_3x3.toml"), str(EXAMPLES / "boston_priorities_3x3.toml")


def _file(folder, name: str, **changes) -> str:
    doc = {
        "format": "verified/assignment/1",
        "problem": {"agents": 3, "objects": ["a", "b", "c"]},
        "domain": {"kind": "full"},
        "mechanism": {"builtin": "serial_dictatorship"},
    }
    for key, value in changes.items():
        doc[key] = value
    path = folder / f"{name}.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_a_regression_is_exit_1_and_is_marked(capsys):
    assert main(["compare", DA, BOSTON, "--property", "sp", "-q"]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION" in out and "requirement no-regression: FAILS" in out
    assert "NEW AND OLD ARE INCOMPARABLE" in out
    assert "gains by reporting" in out  # NEW's manipulation, in words


def test_a_property_that_fails_for_both_is_no_regression(capsys):
    assert main(["compare", BOSTON, BOSTON, "--property", "sp", "-q"]) == 0
    assert "fails for both" in capsys.readouterr().out


def test_the_requirement_sets_what_exit_0_means(capsys):
    assert main(["compare", DA, BOSTON, "--require", "dominates", "-q"]) == 1
    assert main(["compare", DA, BOSTON, "-q"]) == 1  # default without properties: weakly-dominates
    assert main(["compare", DA, DA, "--require", "equal", "-q"]) == 0
    assert main(["compare", DA, DA, "-q"]) == 0
    assert main(["compare", DA, DA, "--require", "dominates", "-q"]) == 1
    out = capsys.readouterr().out
    assert "OLD AND NEW ARE EQUAL" in out and "strictly better for no agent" in out


def test_json_output_is_one_document(capsys):
    assert main(["compare", DA, BOSTON, "--require", "dominates", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "fails" and data["requirement"] == "dominates"
    assert data["differences"]["relation"] == "incomparable"
    assert data["differences"]["counts"]["better"] == data["differences"]["counts"]["worse"] == 300
    assert data["witness"]["category"] == "worse"


def test_certificates_are_written_and_recheck(tmp_path, capsys):
    folder = tmp_path / "certs"
    assert (
        main(["compare", DA, BOSTON, "--property", "sp", "--require", "dominates", "-c", str(folder), "-q"])
        == 1
    )
    names = sorted(p.name for p in folder.iterdir())
    stem = "da_priorities_3x3-vs-boston_priorities_3x3"
    assert names == sorted(
        f"{stem}.{label}.cert.json" for label in ("dominates", "dominates.witness", "old.sp", "new.sp")
    )
    capsys.readouterr()
    assert main(["recheck", *(str(folder / n) for n in names)]) == 0
    assert capsys.readouterr().out.count("OK") == 4


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"problem": {"agents": 3, "objects": ["a", "b"]}}, "OLD has objects [a, b, c], NEW has [a, b]"),
        ({"problem": {"agents": 2, "objects": ["a", "b", "c"]}}, "OLD has agents [1, 2, 3], NEW has [1, 2]"),
        (
            {"problem": {"agents": 3, "objects": ["a", "b", "c"], "capacities": {"a": 2}}},
            "OLD has capacities {a: 1, b: 1, c: 1}, NEW has {a: 2, b: 1, c: 1}",
        ),
        (
            {"problem": {"agents": 3, "objects": ["b", "a", "c"]}},
            "OLD has objects [a, b, c], NEW has [b, a, c] (the same objects in another order",
        ),
        (
            {"domain": {"kind": "restricted", "preferences": [["ab", "a"], ["ab"], ["c"]]}},
            "OLD's domain is full (16 rankings per agent), NEW's is restricted",
        ),
    ],
)
def test_different_problems_are_refused_naming_the_difference(tmp_path, capsys, change, says):
    old, new = _file(tmp_path, "old"), _file(tmp_path, "new", **change)
    assert main(["compare", old, new, "-q"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and says in err and "Traceback" not in err
    assert old in err and new in err


def test_restricted_domains_that_differ_name_the_ranking(tmp_path, capsys):
    a = {"kind": "restricted", "preferences": [["ab", "a"], ["ab"], ["c"]]}
    b = {"kind": "restricted", "preferences": [["ab", "a"], ["ab", "b"], ["c"]]}
    assert main(["compare", _file(tmp_path, "old", domain=a), _file(tmp_path, "new", domain=b), "-q"]) == 2
    err = capsys.readouterr().err
    assert "the domains differ for agent 2: OLD lists 1 rankings, NEW 2; only NEW allows b > outside" in err


def test_the_same_restricted_domain_in_another_order_is_the_same_domain(tmp_path, capsys):
    a = {"kind": "restricted", "preferences": [["ab", "a", "ba"], ["ab", "b"], ["c", "ca"]]}
    b = {"kind": "restricted", "preferences": [["ba", "ab", "a"], ["b", "ab"], ["ca", "c"]]}
    assert (
        main(
            [
                "compare",
                _file(tmp_path, "old", domain=a),
                _file(tmp_path, "new", domain=b),
                "--require",
                "equal",
            ]
        )
        == 0
    )
    assert "OLD AND NEW ARE EQUAL" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--require", "no-regression"], "no-regression needs the properties"),
        (["--hunt", "--property", "sp"], "--hunt samples profiles"),
        (["--property", "frobnicate"], "unknown property 'frobnicate'"),
        (["--property", "osp"], "property 'osp' is about trading mechanisms"),
        (["--budget", "0", "--hunt"], "--budget"),
        (["--seed", "-1", "--hunt"], "--seed"),
        (["--timeout", "nan"], "--timeout"),
        (["--require", "better"], "--require"),
    ],
)
def test_bad_arguments_are_exit_2(capsys, arguments, says):
    assert main(["compare", DA, BOSTON, *arguments, "-q"]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_a_malformed_file_is_exit_2_naming_the_file_and_place(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "verified/assignment/1", "problem": {"agents": 3, "objects": ["a", "b", "c"]}, '
        '"mechanism": {"builtin": "serial_dictatorship", "order": ["1", "9"]}}'
    )
    assert main(["compare", DA, str(bad), "-q"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "mechanism.order[1]: unknown agent '9'" in err
    assert main(["compare", str(tmp_path / "missing.toml"), DA, "-q"]) == 2
    assert "missing.toml" in capsys.readouterr().err


def test_a_trading_file_is_refused(capsys):
    assert main(["compare", DA, str(EXAMPLES / "pseudo_market.toml"), "-q"]) == 2
    assert "NEW is not an assignment mechanism" in capsys.readouterr().err


def test_a_user_mechanism_that_raises_is_bad_input_naming_the_profile(tmp_path, capsys):
    old, new = write_mechanism(tmp_path, "nobody"), write_mechanism(tmp_path, "raises")
    assert main(["compare", str(old), str(new), "-q"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "raised ZeroDivisionError" in err and "profile [" in err and str(new) in err


def test_the_time_limit_stops_the_run_with_exit_3(tmp_path, capsys):
    old, new = write_mechanism(tmp_path, "nobody"), write_mechanism(tmp_path, "loops")
    started = time.monotonic()
    assert main(["compare", str(old), str(new), "--timeout", "2", "-q"]) == 3
    assert time.monotonic() - started < 15
    out = capsys.readouterr().out
    assert "requirement weakly-dominates: UNKNOWN" in out
    assert "time-out: the run's limit of 2 s was reached while tabulating NEW" in out


def test_a_finished_comparison_keeps_its_verdict_when_a_property_runs_out_of_time(monkeypatch, capsys):
    import verified.assignment.properties.strategyproofness as sp

    def loop_forever(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr(sp, "check_strategyproof", loop_forever)
    assert (
        main(["compare", DA, BOSTON, "--property", "sp", "--require", "dominates", "--timeout", "3", "-q"])
        == 1
    )
    out = capsys.readouterr().out
    assert "NEW AND OLD ARE INCOMPARABLE" in out and "UNKNOWN" in out
    assert main(["compare", DA, DA, "--property", "sp", "--timeout", "3", "-q"]) == 3
    assert "sp is unknown (time-out" in capsys.readouterr().out
