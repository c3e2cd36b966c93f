"""Shards and merge (issue 9): ``check --shard i/N`` writes a part, ``merge`` assembles verified
parts and checks the properties on the whole table, and the merged certificates are the same
bytes as a single run's; a counterexample planted in one shard is found, with the same witness."""

from __future__ import annotations

import copy
import json

import pytest

from tests.engine.helpers import write_planted, write_problem
from verified.cli import main
from verified.engine.ranges import shard_range
from verified.io import load_subject
from verified.recheck import RecheckError
from verified.recheck.core import recheck


def run_shards(path, folder, n, props="sp,ir", extra=()):
    for i in range(1, n + 1):
        assert (
            main(["check", str(path), "-p", props, "--shard", f"{i}/{n}", "-c", str(folder), "-q", *extra])
            == 0
        )
    return sorted(folder.glob("*.part.json*"))


def certificates(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.cert.json*"))}


def test_four_shards_merged_are_the_serial_run_with_the_planted_counterexample(tmp_path):
    """By hand: serial dictatorship is strategy-proof; the plant takes agent 1's object a away
    at the profile (ab, ab, b) only, where reporting "a" instead gives her a back. Agents 2 and 3
    keep their serial-dictatorship rows everywhere, so that is the only manipulation, and the
    merged FAILS must name it, although only one shard (computed below) tabulated that profile."""
    path = write_planted(tmp_path, [["a", "b"], ["a", "b"], ["b"]])
    subject = load_subject(path)
    number = subject.domain.index(subject.problem.profile(["ab", "ab", "b"]))
    holders = [i for i in range(1, 5) if number in _span(shard_range(len(subject.domain), (i, 4)))]
    assert len(holders) == 1
    parts = run_shards(path, tmp_path / "parts", 4)
    assert len(parts) == 4
    for part in parts:
        assert main(["recheck", str(part)]) == 0
    assert main(["merge", *map(str, parts), "-c", str(tmp_path / "merged"), "-q"]) == 1
    assert main(["check", str(path), "-p", "sp,ir", "-c", str(tmp_path / "serial"), "-q"]) == 1
    merged, serial = certificates(tmp_path / "merged"), certificates(tmp_path / "serial")
    assert merged == serial and len(serial) == 2
    sp = json.loads(merged["planted.sp.cert.json"])
    assert sp["verdict"] == "fails"
    witness = sp["evidence"]
    assert witness["agent"] == "1" and witness["profile"] == [["a", "b"], ["a", "b"], ["b"]]
    assert witness["truthful_row"]["outside"] == "1" and witness["misreport_row"]["a"] == "1"
    assert main(["recheck", *(str(p) for p in (tmp_path / "merged").iterdir())]) == 0


def _span(r):
    return range(r.start, r.stop)


def test_the_merged_verdict_does_not_depend_on_the_order_of_the_parts(tmp_path):
    path = write_problem(tmp_path, "boston", 3, "ab")
    parts = run_shards(path, tmp_path / "parts", 3, "sp,ir,ete")
    assert main(["merge", *map(str, reversed(parts)), "-c", str(tmp_path / "a"), "-q"]) == 1
    assert main(["merge", *map(str, parts), "-c", str(tmp_path / "b"), "-q"]) == 1
    assert certificates(tmp_path / "a") == certificates(tmp_path / "b") != {}


def test_a_strategy_proof_mechanism_holds_after_merging(tmp_path):
    path = write_problem(tmp_path, "mixed", 3, "ab", stem="sharded_mixed")
    parts = run_shards(path, tmp_path / "parts", 2, "ir")
    assert main(["merge", *map(str, parts), "-c", str(tmp_path / "merged"), "-q"]) == 0
    assert main(["check", str(path), "-p", "ir", "-c", str(tmp_path / "serial"), "-q"]) == 0
    assert certificates(tmp_path / "merged") == certificates(tmp_path / "serial")


@pytest.fixture()
def parts(tmp_path):
    path = write_problem(tmp_path, "boston", 3, "ab")
    return path, run_shards(path, tmp_path / "parts", 3)


def _load(path):
    return json.loads(path.read_text())


def _mutants(doc):
    """Each changes a claim of the part: every one must be rejected."""
    out = []
    m = copy.deepcopy(doc)
    m["numerators"][0][0][0] += 1
    out.append(("a numerator", m))
    m = copy.deepcopy(doc)
    row = m["numerators"][0][0]
    row[0], row[-1] = row[-1], row[0]
    out.append(("a row rearranged (same sum, digest changes)", m))
    for key, value in [("range", [0, 1]), ("shard", [2, 3]), ("profiles", 126), ("denominator", 2)]:
        m = copy.deepcopy(doc)
        m[key] = value
        out.append((key, m))
    m = copy.deepcopy(doc)
    m["numerators"] = m["numerators"][:-1]
    out.append(("a profile dropped", m))
    m = copy.deepcopy(doc)
    m["extra"] = 1
    out.append(("an unknown key", m))
    m = copy.deepcopy(doc)
    m["problem"]["capacities"] = [1.5, 1]
    out.append(("a capacity of 1.5", m))
    m = copy.deepcopy(doc)
    m["schema"] = "verified-shard/2"
    out.append(("schema", m))
    return out


def test_every_mutated_part_is_rejected(parts):
    _, files = parts
    doc = _load(files[0])
    assert recheck(doc).startswith("shard 1/3")
    for what, mutant in _mutants(doc):
        with pytest.raises(RecheckError):
            recheck(mutant)
        assert what


def test_a_duplicated_key_in_a_part_is_rejected(parts, tmp_path):
    _, files = parts
    text = files[0].read_text()
    bad = tmp_path / "dup.part.json"
    bad.write_text(text[:-2] + ',"digest":"0"}\n' if text.endswith("}\n") else text[:-1] + ',"digest":"0"}')
    assert main(["recheck", str(bad)]) == 1


def test_merge_refuses_a_gap_an_overlap_and_a_foreign_part(parts, tmp_path, capsys):
    path, files = parts
    assert main(["merge", str(files[0]), str(files[2]), "-q"]) == 2  # shard 2 missing
    assert "in no part" in capsys.readouterr().err
    assert main(["merge", str(files[0]), str(files[0]), str(files[1]), str(files[2]), "-q"]) == 2
    assert "also given by" in capsys.readouterr().err
    other = tmp_path / "other"
    other.mkdir()
    four = run_shards(path, other, 4)
    assert main(["merge", str(files[0]), str(four[1]), "-q"]) == 2  # a shard of 4 with shards of 3
    assert "shard of 4" in capsys.readouterr().err


def test_merge_refuses_other_properties_another_subject_or_another_version(parts, tmp_path, capsys):
    path, files = parts
    props = tmp_path / "props"
    props.mkdir()
    alt = run_shards(path, props, 3, "sp")
    assert main(["merge", str(files[0]), str(alt[1]), str(files[2]), "-q"]) == 2
    assert "properties differs" in capsys.readouterr().err
    module = path.parent / "engine_user.py"
    module.write_text(module.read_text() + "\n# a change to the user's code\n")
    changed = tmp_path / "changed"
    changed.mkdir()
    alt = run_shards(path, changed, 3)
    assert main(["merge", str(files[0]), str(alt[1]), str(files[2]), "-q"]) == 2
    err = capsys.readouterr().err
    assert "subject (mechanism file) differs" in err and str(alt[1]) in err
    doc = _load(files[1])
    doc["tool"]["version"] = "0.0.0-other"
    other = tmp_path / "version.part.json"
    other.write_text(json.dumps(doc))
    assert main(["merge", str(files[0]), str(other), str(files[2]), "-q"]) == 2
    assert "tool version differs" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--shard", "0/4", "-c", "D"],
        ["--shard", "5/4", "-c", "D"],
        ["--shard", "1/4"],  # no --certificate-dir to write the part to
        ["--shard", "x", "-c", "D"],
    ],
)
def test_bad_shard_arguments_are_bad_input(tmp_path, argv):
    path = write_problem(tmp_path, "boston", 2, "a")
    argv = [a.replace("D", str(tmp_path / "d")) if a == "D" else a for a in argv]
    assert main(["check", str(path), "-p", "sp", "-q", *argv]) == 2


def test_properties_about_more_than_the_table_are_not_sharded(tmp_path, capsys):
    path = write_problem(tmp_path, "boston", 2, "a")
    assert main(["check", str(path), "-p", "sp-anonymous", "--shard", "1/2", "-c", str(tmp_path), "-q"]) == 2
    assert "cannot be sharded" in capsys.readouterr().err


def test_a_built_in_is_sharded_from_its_fast_table(tmp_path):
    from tests.certificates.helpers import EXAMPLES

    path = EXAMPLES / "boston_3x2.json"
    files = run_shards(path, tmp_path / "parts", 2, "sp")
    assert main(["merge", *map(str, files), "-c", str(tmp_path / "merged"), "-q"]) == 1
    assert main(["check", str(path), "-p", "sp", "-c", str(tmp_path / "serial"), "-q"]) == 1
    assert certificates(tmp_path / "merged") == certificates(tmp_path / "serial")
