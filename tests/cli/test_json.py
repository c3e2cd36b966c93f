"""``--json`` on ``recheck``, ``explain``, ``properties`` and ``search`` (issue 13): the document
parses, has exactly the keys docs/cli.md lists, and the exit code is the command's own on a
holds, fails, bad-input and unknown case (where the subcommand can give each). Hostile
argument lists with ``--json`` never print a traceback or half a document.

Expected verdicts come from the papers, not from the code under test: Erdil's Remark 2 (random
priority wastes b at R = (ab, cb, a, c): agent 1 is unassigned with probability 1/8 while b is
assigned 3/4), the stored certificates' documented claims (certificates/README.md), and for
search Erdil's Proposition 1 (a strategy-proof, non-wasteful mechanism -- random priority for two
agents and two objects, where it is serial dictatorship in a random order and never leaves an
object unassigned that someone wants -- is not dominated by any strategy-proof one).
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verified.cli import main
from verified.recheck import recheck
from verified.recheck.core import read_certificate
from verified.registry import BY_NAME

ROOT = Path(__file__).resolve().parents[2]
STORED = ROOT / "certificates"
HOLDS = STORED / "rp_4x3.sp-anonymous.cert.json"  # Erdil: RP is SD-strategy-proof
FAILS = STORED / "erdil_remark2.nonwasteful.cert.json"  # Erdil, Remark 2: RP is wasteful
TRADE = STORED / "bilateral_trade.improving-trade.cert.json"  # old name: a trade exists
NO_TRADE = STORED / "identical_performance.improving-trade.cert.json"  # old name: none exists


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, object, str]:
    """(exit code, the parsed JSON document or None when stdout is empty, stderr)."""
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    tampered = json.loads(FAILS.read_text())
    tampered["verdict"] = "holds"  # RP is wasteful there: claiming non-waste must be refused
    unknown = copy.deepcopy(json.loads(FAILS.read_text()))
    unknown.update(verdict="unknown", evidence={"kind": "unknown"}, reason="the time limit was reached")
    out = {
        "tampered": tmp_path / "tampered.cert.json",
        "unknown": tmp_path / "unknown.cert.json",
        "garbage": tmp_path / "garbage.json",
        "list": tmp_path / "list.json",
        "folder": tmp_path / "folder.json",
        "missing": tmp_path / "missing.json",
    }
    out["tampered"].write_text(json.dumps(tampered))
    out["unknown"].write_text(json.dumps(unknown))
    out["garbage"].write_bytes(b"\x00\xff{[")
    out["list"].write_text("[1, 2]")
    out["folder"].mkdir()
    return out


# --- recheck ----------------------------------------------------------------------------------------

RECHECK_OK_KEYS = {"file", "status", "message", "property", "verdict"}


def test_recheck_json_on_certificates_of_both_verdicts_exits_0(capsys):
    code, doc, _ = run(["recheck", str(HOLDS), str(FAILS), "--json"], capsys)
    assert code == 0
    assert set(doc) == {"results", "verified", "rejected", "unreadable"}
    assert (doc["verified"], doc["rejected"], doc["unreadable"]) == (2, 0, 0)
    first, second = doc["results"]
    assert set(first) == set(second) == RECHECK_OK_KEYS
    assert (first["file"], first["status"], first["property"], first["verdict"]) == (
        str(HOLDS),
        "ok",
        "sp-anonymous",
        "holds",
    )
    assert (second["property"], second["verdict"]) == ("nonwasteful", "fails")
    assert "re-verified" in first["message"] and "re-verified" in second["message"]


def test_recheck_json_reports_each_rejection_and_exits_1(capsys, files):
    argv = [
        "recheck",
        "--json",
        str(files["tampered"]),
        str(files["missing"]),
        str(HOLDS),
        str(files["folder"]),
    ]
    code, doc, _ = run(argv, capsys)
    assert code == 1
    assert [r["status"] for r in doc["results"]] == ["rejected", "unreadable", "ok", "unreadable"]
    assert (doc["verified"], doc["rejected"], doc["unreadable"]) == (1, 1, 2)
    rejected = doc["results"][0]
    assert set(rejected) == {"file", "status", "message"}  # a refused claim is not repeated as a fact
    assert doc["results"][1]["message"] == "no such file"
    assert doc["results"][3]["message"] == "not a file"


def test_recheck_json_an_unknown_certificate_claims_nothing_and_is_ok(capsys, files):
    code, doc, _ = run(["recheck", "--json", str(files["unknown"])], capsys)
    assert code == 0
    (entry,) = doc["results"]
    assert entry["verdict"] == "unknown" and "nothing claimed" in entry["message"]


def test_recheck_json_says_what_an_old_name_reads_as_now(capsys):
    code, doc, _ = run(["recheck", "--json", str(TRADE), str(NO_TRADE)], capsys)
    assert code == 0
    trade, none = doc["results"]
    # a trade exists (agent 1 takes gamma = (1, -1) from agent 2), so "no improving trade" fails;
    # with identical performance (ii) (pi' - pi'') . gamma < 0 is impossible, so it holds
    assert (trade["property"], trade["verdict"]) == ("improving-trade", "holds")
    assert trade["current"] == {"property": "no-improving-trade", "verdict": "fails"}
    assert none["current"] == {"property": "no-improving-trade", "verdict": "holds"}


def test_recheck_json_without_a_file_is_a_usage_error(capsys):
    code, doc, err = run(["recheck", "--json"], capsys)
    assert code == 2 and doc is None and "required" in err


def test_recheck_words_are_unchanged_by_the_json_option(capsys, files):
    assert main(["recheck", str(HOLDS), str(files["missing"])]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"OK         {HOLDS}: sp-anonymous: holds - re-verified")
    assert lines[1] == f"UNREADABLE {files['missing']}: no such file"


# --- explain ----------------------------------------------------------------------------------------

EXPLAINED_KEYS = {"file", "status", "property", "verdict", "claim", "recheck", "explanation"}


def test_explain_json_of_a_holds_certificate(capsys):
    code, doc, _ = run(["explain", str(HOLDS), "--json"], capsys)
    assert code == 0
    assert set(doc) == EXPLAINED_KEYS
    assert (doc["status"], doc["property"], doc["verdict"]) == ("explained", "sp-anonymous", "holds")
    assert doc["claim"] == BY_NAME["sp-anonymous"].description  # the registry's meaning, verbatim
    assert doc["explanation"][0].startswith("sp-anonymous: HOLDS")
    assert doc["recheck"] == recheck(read_certificate(HOLDS))


def test_explain_json_of_a_fails_certificate_gives_the_counterexample_in_words(capsys):
    code, doc, _ = run(["explain", "--json", str(FAILS)], capsys)
    assert code == 0 and doc["verdict"] == "fails"
    words = "\n".join(doc["explanation"])
    assert "agent 1 gets outside with probability 1/8 although she prefers b" in words
    assert "(assigned 3/4)" in words


def test_explain_json_of_a_rejected_certificate_exits_1_and_explains_nothing(capsys, files):
    code, doc, _ = run(["explain", "--json", str(files["tampered"])], capsys)
    assert code == 1
    assert set(doc) == {"file", "status", "message"} and doc["status"] == "rejected"


@pytest.mark.parametrize("name", ["garbage", "list", "missing", "folder"])
def test_explain_json_of_bad_input_exits_2_with_the_message_on_stderr(capsys, files, name):
    code, doc, err = run(["explain", "--json", str(files[name])], capsys)
    assert code == 2 and doc is None and err.startswith("error:")


def test_explain_json_of_an_unknown_certificate_gives_the_reason(capsys, files):
    code, doc, _ = run(["explain", "--json", str(files["unknown"])], capsys)
    assert code == 0
    assert set(doc) == EXPLAINED_KEYS | {"reason"}
    assert doc["verdict"] == "unknown" and doc["reason"] == "the time limit was reached"


def test_explain_json_of_an_old_name_says_what_it_reads_as_now(capsys):
    code, doc, _ = run(["explain", "--json", str(NO_TRADE)], capsys)
    assert code == 0
    assert set(doc) == EXPLAINED_KEYS | {"current"}
    assert doc["current"] == {"property": "no-improving-trade", "verdict": "holds"}
    assert "reads no-improving-trade: HOLDS" in "\n".join(doc["explanation"])


# --- properties -------------------------------------------------------------------------------------


def test_properties_json_lists_the_registry_and_the_aliases(capsys):
    code, doc, _ = run(["properties", "--json"], capsys)
    assert code == 0
    assert set(doc) == {"properties", "aliases"}
    rows = {r["name"]: r for r in doc["properties"]}
    assert set(rows) == set(BY_NAME)
    for row in doc["properties"]:
        assert set(row) == {"name", "family", "available", "description", "aliases", "negates"}
        assert row["family"] in ("assignment", "trading") and isinstance(row["available"], bool)
    assert rows["improving-trade"]["negates"] == "no-improving-trade"
    assert "strategyproof" in rows["sp"]["aliases"]
    for alias in doc["aliases"]:
        assert set(alias) == {"name", "canonical", "negated", "where", "note"}
        assert alias["canonical"] in rows
        # a spelling is not a property of its own; an old reading may be (improving-trade)
        assert (alias["name"] in rows) <= alias["negated"]


def test_properties_refuses_an_argument(capsys):
    code, doc, _ = run(["properties", "--json", "sp"], capsys)
    assert code == 2 and doc is None


# --- search -----------------------------------------------------------------------------------------


def test_search_json_found_exits_0_and_summarises_the_certificate(capsys, tmp_path):
    problem = ROOT / "examples" / "data" / "erdil_prop3_neighbourhood.json"
    cert = tmp_path / "found.json"
    code, doc, _ = run(["search", str(problem), "--dominate", "--json", "--certificate", str(cert)], capsys)
    assert code == 0
    assert set(doc) == {"file", "property", "verdict", "evidence", "certificate"}
    assert (doc["property"], doc["verdict"], doc["certificate"]) == ("sp-dominator", "holds", str(cert))
    ev = doc["evidence"]
    written = read_certificate(cert)
    assert "re-verified" in recheck(written)
    assert ev["kind"] == "sp_dominator"
    assert ev["rows"] == len(written["evidence"]["g"]) <= 16 * 4  # 16 profiles of 4 agents
    assert 1 <= ev["strict"] == len(written["evidence"]["strict"])
    assert Fraction(ev["value"]) > Fraction(ev["base_value"])  # dominating: strictly better somewhere


def test_search_json_none_exists_exits_1(capsys, tmp_path):
    problem = tmp_path / "rp_2x2.json"
    problem.write_text(json.dumps({"agents": 2, "objects": "ab"}))
    code, doc, _ = run(["search", str(problem), "--dominate", "--json"], capsys)
    assert code == 1
    assert set(doc) == {"file", "property", "verdict", "evidence", "certificate"}
    assert doc["verdict"] == "fails" and doc["certificate"] is None
    assert doc["evidence"]["kind"] == "no_sp_dominator" and doc["evidence"]["cases"] >= 1


def test_search_json_bad_input_exits_2_with_only_stderr(capsys, tmp_path):
    problem = tmp_path / "bad.json"
    problem.write_text(json.dumps({"agents": 2, "objects": "ab", "zzz": 1}))
    code, doc, err = run(["search", str(problem), "--dominate", "--json"], capsys)
    assert code == 2 and doc is None
    assert str(problem) in err and "zzz" in err


def test_search_json_unknown_exits_3_with_the_reason(capsys, tmp_path):
    problem = tmp_path / "sd_4x3.json"
    problem.write_text(
        json.dumps({"agents": 4, "objects": "abc", "base": {"mechanism": "serial_dictatorship"}})
    )
    code, doc, _ = run(["search", str(problem), "--dominate", "--json"], capsys)
    assert code == 3
    assert set(doc) == {"file", "property", "verdict", "evidence", "reason", "certificate"}
    assert doc["verdict"] == "unknown" and "neighbourhood" in doc["reason"]


def test_search_words_are_unchanged(capsys, tmp_path):
    problem = tmp_path / "bad.json"
    problem.write_text("[1]")
    assert main(["search", str(problem), "--dominate"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error:")  # bad input: nothing on stdout, the words on stderr


# --- hostile argument lists with --json -------------------------------------------------------------

COMMANDS = ["recheck", "explain", "properties", "search"]
TOKENS = ["--json", "--dominate", "--objective", "max-min", "--time-limit", "nan", "-1", "x", "--", "-h"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    command=st.sampled_from(COMMANDS),
    args=st.lists(st.sampled_from([*TOKENS, "FILE"]), max_size=5),
    name=st.sampled_from(["tampered", "unknown", "garbage", "list", "folder", "missing"]),
)
def test_hostile_json_runs_exit_0_to_3_and_print_whole_documents(command, args, name, files, capsys):
    argv = [command, "--json", *(str(files[name]) if a == "FILE" else a for a in args)]
    code = main(argv)
    captured = capsys.readouterr()
    assert code in (0, 1, 2, 3), (argv, code, captured.err)
    assert "Traceback" not in captured.out + captured.err
    if "-h" not in argv and captured.out.strip():
        json.loads(captured.out)  # one whole document, never words mixed in
