"""``verified check FILE --count [--limit K]`` (issue 13): per property the count, the examined
total, the exact rate and the first K violations, in text and in ``--json``; exit codes as
without ``--count``; hostile ``--limit`` values are bad input (exit 2, our message). Expected
counts come from the brute force of `tests.assignment.test_violation_counts`."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.assignment.test_violation_counts import brute_ete, brute_ir, brute_sp
from tests.certificates.helpers import EXAMPLES
from verified.cli import main
from verified.io import load_subject

BOSTON = str(EXAMPLES / "boston_3x2.json")  # a user's Python Boston: not SP, not ETE, IR
RP = str(EXAMPLES / "rp_4x3.toml")
TRADING = str(EXAMPLES / "bilateral_mechanism.toml")


@pytest.fixture(scope="module")
def boston_truth():
    """(count, examined, first violations' profile numbers) per property, by brute force."""
    table = load_subject(BOSTON).table
    out = {}
    for name, brute in (("sp", brute_sp), ("ir", brute_ir), ("ete", brute_ete)):
        found, examined = brute(table)
        index = {"sp": 2, "ir": 1, "ete": 2}[name]
        out[name] = (len(found), examined, [v[index] for v in found])
    return out


def _run(capfd, *argv):
    code = main(["check", *argv, "-q"])
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_text_output_counts_rates_and_lists(capfd, boston_truth):
    code, out, _ = _run(capfd, BOSTON, "-p", "sp,ir,ete", "--count", "--limit", "2")
    assert code == 1  # as without --count: sp and ete fail
    sp_count, sp_examined, _ = boston_truth["sp"]
    rate = Fraction(sp_count, sp_examined)
    assert sp_count > 2 and sp_examined == 125 * 3 * 4
    percent = f"{float(rate) * 100:.2f}%"  # a float only to compare with the printed reading
    assert (
        f"violations: {sp_count:,} of {sp_examined:,} (profile, agent, misreport) triples examined, "
        f"rate {rate} ({percent})" in out
    )
    ir_count, ir_examined, _ = boston_truth["ir"]
    assert ir_count == 0 and f"violations: 0 of {ir_examined:,} (profile, agent) pairs examined" in out
    ete_count, ete_examined, _ = boston_truth["ete"]
    assert f"violations: {ete_count:,} of {ete_examined:,} (profile, pair of equal agents)" in out
    assert out.count("listed (first 2; --limit K lists more):") == 2  # sp and ete, both truncated
    assert out.count("        1. profile #") == 2 and out.count("        3. profile #") == 0


def test_json_has_every_count_and_the_same_verdicts(capfd, boston_truth):
    code, out, _ = _run(capfd, BOSTON, "-p", "sp,ir,ete", "--count", "--limit", "3", "--json")
    plain_code, plain, _ = _run(capfd, BOSTON, "-p", "sp,ir,ete", "--json")
    assert code == plain_code == 1
    counted, before = json.loads(out), json.loads(plain)
    for item, old in zip(counted["results"], before["results"], strict=True):
        doc = item.pop("violations")
        assert item == old  # verdict and evidence untouched
        count, examined, first = boston_truth[item["property"]]
        assert doc["countable"] is True and doc["property"] == item["property"]
        assert (doc["count"], doc["examined"], doc["limit"]) == (count, examined, 3)
        assert Fraction(doc["rate"]) == Fraction(count, examined)
        assert doc["truncated"] == (count > 3)
        assert [v["profile_index"] for v in doc["violations"]] == first[:3]


def test_a_mechanism_that_holds_exits_0_with_zero_counts(capfd):
    code, out, _ = _run(capfd, RP, "-p", "sp,ir", "--count", "--json")
    assert code == 0
    docs = {r["property"]: r["violations"] for r in json.loads(out)["results"]}
    assert docs["sp"]["count"] == 0 and docs["sp"]["examined"] == 65_536 * 4 * 15
    assert docs["ir"]["count"] == 0 and docs["ir"]["rate"] == "0" and docs["ir"]["violations"] == []


def test_limit_zero_counts_without_listing(capfd, boston_truth):
    code, out, _ = _run(capfd, BOSTON, "-p", "sp", "--count", "--limit", "0")
    assert code == 1
    assert f"violations: {boston_truth['sp'][0]:,} of" in out and "listed" not in out


def test_a_property_that_cannot_count_says_so(capfd):
    code, out, _ = _run(capfd, TRADING, "-p", "osp", "--count")
    plain_code, _, _ = _run(capfd, TRADING, "-p", "osp")
    assert code == plain_code == 0
    assert "not counted: osp has no count of violations" in out
    code, out, _ = _run(capfd, TRADING, "-p", "osp", "--count", "--json")
    assert json.loads(out)["results"][0]["violations"]["countable"] is False


def test_counting_in_a_per_property_child(capfd, boston_truth):
    code, out, _ = _run(capfd, BOSTON, "-p", "sp", "--count", "--property-timeout", "120", "--json")
    assert code == 1
    assert json.loads(out)["results"][0]["violations"]["count"] == boston_truth["sp"][0]


def test_merge_counts_the_whole_table(capfd, tmp_path, boston_truth):
    parts = tmp_path / "parts"
    for shard in ("1/2", "2/2"):
        assert main(["check", BOSTON, "-p", "sp", "--shard", shard, "-c", str(parts), "-q"]) == 0
    capfd.readouterr()
    code = main(["merge", *map(str, sorted(parts.iterdir())), "--count", "--json", "-q"])
    out, _ = capfd.readouterr()
    assert code == 1
    assert json.loads(out)["results"][0]["violations"]["count"] == boston_truth["sp"][0]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--count", "--limit", "-1"], "--limit: expected a non-negative integer, got '-1'"),
        (["--count", "--limit", "abc"], "--limit: expected a non-negative integer, got 'abc'"),
        (["--count", "--limit", "1.5"], "--limit: expected a non-negative integer"),
        (["--count", "--limit", ""], "--limit: expected a non-negative integer"),
        (["--count", "--limit", "1" * 19], "--limit: expected a non-negative integer"),
        (["--count", "--limit"], "expected one argument"),
        (["--limit", "5"], "--limit: --limit says how many violations --count lists: add --count"),
    ],
)
def test_bad_limits_are_bad_input(capfd, argv, says):
    code, out, err = _run(capfd, BOSTON, "-p", "sp", *argv)
    assert code == 2 and out == ""
    assert says in err


def test_count_with_shard_is_refused(capfd, tmp_path):
    code, out, err = _run(capfd, BOSTON, "-p", "sp", "--count", "--shard", "1/2", "-c", str(tmp_path))
    assert code == 2 and out == ""
    assert "--count: a shard only tabulates its range" in err and "verified merge" in err
    assert not any(tmp_path.iterdir())  # refused before any work


TOKENS = ["--count", "--limit", "-1", "0", "3", "x", "1e3", "", "\u00e9", "99999999999999999999", "--json"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(TOKENS), max_size=4))
def test_fuzz_count_flags(capfd, tokens):
    """Any mix of --count/--limit and values on a table whose sp holds: exit 0 or 2 (bad input,
    said on stderr), never a traceback or another code."""
    code = main(["check", str(EXAMPLES / "tiny_table.toml"), "-p", "sp", "-q", *tokens])
    out, err = capfd.readouterr()
    assert code in (0, 2) and "Traceback" not in out + err
    if code == 2:
        assert out == "" and "error:" in err
    elif "--count" in tokens:
        assert "violations:" in out or '"violations"' in out
