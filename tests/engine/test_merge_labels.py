"""``verified merge`` refuses a part whose ``properties`` label ``check --shard`` never writes, naming
the part and ``properties[k]`` (red-team finding: an ``ex-post-stable`` label gave exit 4, an
``sp-anonymous`` one was merged and checked, a ``bogus`` one named no part), bounds the parts'
common denominator, and never names its temporary table file in a message."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.certificates.helpers import EXAMPLES
from verified.cli import main
from verified.engine.shards import SHARDABLE_NOT, digest_of, unshardable
from verified.errors import InvalidInput
from verified.registry import BY_NAME


@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> list[Path]:
    """Both parts of ``check --shard i/2 -p sp`` on Boston 3x2 (125 profiles: 63 + 62)."""
    folder = tmp_path_factory.mktemp("parts")
    for i in (1, 2):
        argv = ["-p", "sp", "--shard", f"{i}/2", "-c", str(folder), "-q"]
        assert main(["check", str(EXAMPLES / "boston_3x2.json"), *argv]) == 0
    return sorted(folder.glob("*.part.json"))


def _relabel(parts: list[Path], folder: Path, labels: list[str]) -> list[Path]:
    """Copies of ``parts`` with ``properties`` = ``labels`` (a label is not in the digest: the
    copies stay valid parts, as the forged parts of the report were)."""
    folder.mkdir()
    out = []
    for part in parts:
        doc = json.loads(part.read_text())
        doc["properties"] = labels
        (folder / part.name).write_text(json.dumps(doc))
        out.append(folder / part.name)
    return out


@pytest.mark.parametrize(
    ("labels", "k", "words"),
    [
        # by hand: the three the docs list as not sharded (docs/engine.md)
        (["ex-post-stable"], 0, "ex-post-stable cannot be sharded"),
        (["sp-anonymous"], 0, "sp-anonymous cannot be sharded"),
        (["sp", "osp"], 1, "osp cannot be sharded"),
        (["bogus"], 0, "unknown property 'bogus'"),
        # an alias: check writes the registry name ("strategyproof" is "sp", docs/cli.md)
        (["strategyproof"], 0, "it writes 'sp'"),
        # a trading property: a part holds an assignment table
        (["no-improving-trade"], 0, "no-improving-trade is about trading mechanisms"),
    ],
)
@pytest.mark.parametrize("certificates", [False, True])
def test_a_label_check_shard_never_writes_is_refused_naming_the_part(
    parts, tmp_path, capsys, labels, k, words, certificates
):
    forged = _relabel(parts, tmp_path / "forged", labels)
    extra = ["-c", str(tmp_path / "out")] if certificates else []
    assert main(["merge", *map(str, forged), *extra, "-q"]) == 2
    captured = capsys.readouterr()
    # the parts are read in the order given: the first one (shard 1) is refused first
    assert captured.err.startswith(f"error: {forged[0]}: properties[{k}]: "), captured.err
    assert words in captured.err and "verified-merge-" not in captured.err
    assert captured.out == "" and not (tmp_path / "out").exists()


def test_merge_and_check_shard_apply_one_rule():
    """Every registry name: `unshardable`, the one rule ``check --shard`` (`build_part`) and merge
    both apply, shards exactly the assignment properties whose certificate is about the table."""
    # by hand: the assignment properties other than the three of SHARDABLE_NOT are sharded
    sharded = {n for n, e in BY_NAME.items() if e.family == "assignment"} - set(SHARDABLE_NOT)
    assert {n for n in BY_NAME if unshardable(n) is None} == sharded
    assert {"sp", "ir", "valid", "nonwasteful", "ete"} <= sharded


def test_check_shard_refuses_ex_post_stable_with_the_same_words(tmp_path, capsys):
    path = EXAMPLES / "boston_priorities_3x3.toml"
    argv = ["check", str(path), "-p", "ex-post-stable", "--shard", "1/2", "-c", str(tmp_path), "-q"]
    assert main(argv) == 2
    assert "--shard: ex-post-stable cannot be sharded" in capsys.readouterr().err


def test_a_common_denominator_past_the_digit_limit_is_refused_naming_the_part(
    parts, tmp_path, capsys, monkeypatch
):
    """By hand: 10**30 (31 digits) and 10**30 + 1 are coprime (consecutive), so the merged table's
    common denominator is their product, 10**60 + 10**30: 61 digits, past a limit of 50, while
    each part's own denominator (31 digits) is within it. The second part (in profile order)
    takes it past, so merge names that part and its ``denominator``."""
    monkeypatch.setenv("VERIFIED_MAX_DIGITS", "50")
    folder = tmp_path / "scaled"
    folder.mkdir()
    scaled = []
    for part, den in zip(parts, (10**30, 10**30 + 1), strict=True):
        doc = json.loads(part.read_text())
        assert doc["denominator"] == 1  # Boston is deterministic
        doc["numerators"] = [[[v * den for v in row] for row in block] for block in doc["numerators"]]
        doc["denominator"] = den
        doc["digest"] = digest_of(*doc["range"], den, doc["numerators"])
        (folder / part.name).write_text(json.dumps(doc))
        scaled.append(folder / part.name)
    assert main(["merge", *map(str, scaled), "-c", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {scaled[1]}: denominator: "), err
    assert "common denominator" in err and "limit of 50 digits" in err


def test_a_message_about_the_merged_table_names_no_temporary_file(parts, capsys, monkeypatch):
    """Whatever the check of the assembled table refuses, the message says "the table merged from
    2 parts" where the check named its temporary file."""

    def refuse(path, *args, **kwargs):
        raise InvalidInput("refused for the test", f"{path}: mechanism")

    monkeypatch.setattr("verified.run.check.check_file", refuse)
    assert main(["merge", *map(str, parts), "-q"]) == 2
    err = capsys.readouterr().err
    assert err == "error: the table merged from 2 parts: mechanism: refused for the test\n"


def test_an_unknown_verdict_of_the_merged_table_names_no_temporary_file(parts, capsys, monkeypatch):
    nothing = SimpleNamespace(header=None, names=[], docs={}, part=None, counts={}, lines={})
    monkeypatch.setattr("verified.run.check.check_file", lambda *args, **kwargs: nothing)
    assert main(["merge", *map(str, parts), "-q"]) == 3
    out = capsys.readouterr().out
    assert out == "merged from 2 parts: every property UNKNOWN (no verdict); no certificate written\n"


def test_valid_parts_still_merge(parts, capsys):
    """By hand (the README's Boston 3x2): bob gains by reporting b alone, so sp FAILS: exit 1."""
    assert main(["merge", *map(str, parts), "-q"]) == 1
    assert "(merged from 2 parts)" in capsys.readouterr().out


def test_the_json_document_of_a_merge_names_its_parts_not_a_temporary_file(parts, capsys):
    assert main(["merge", *map(str, parts), "-q", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["file"] == "merged from 2 parts"
    assert [r["verdict"] for r in doc["results"]] == ["fails"]
