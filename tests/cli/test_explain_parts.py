"""Files and arguments of the wrong kind (red-team findings): ``verified explain`` on a shard's part
gave exit 4 with ``--json`` (KeyError 'property') and a garbage exit 0 ("?: ?") without; on any
other JSON object that is no certificate (a mechanism, search or statement file, a command's
``--json`` output) it said REJECTED, exit 1, as if a certificate had been tampered with; and
``verified.registry.run_check`` given a path or None raised a raw AttributeError.

Now ``explain`` refuses anything without a certificate's schema as bad input (exit 2) naming the
file and ``schema`` and saying what the file looks like -- a part: merge the parts first; it
does not explain a part (a part has no verdict, and ``verified recheck`` already verifies one).
``recheck`` keeps its documented contract: each file OK / REJECTED, exit 1 when any is rejected
(docs/cli.md), a part OK. ``run_check`` raises a `TypeError` saying how to load a subject."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verified.cli import main
from verified.io import load_subject
from verified.registry import run_check

ROOT = Path(__file__).resolve().parents[2]
BOSTON = ROOT / "examples" / "boston_3x2.json"
SEARCH = ROOT / "examples" / "data" / "erdil_prop3_neighbourhood.json"
CERTIFICATE = ROOT / "certificates" / "erdil_remark2.nonwasteful.cert.json"
STATEMENT = {
    "format": "verified/statement/1",
    "question": "exists",
    "problem": {"agents": 2, "objects": ["a"]},
    "profiles": {"kind": "full"},
    "unknowns": [{"name": "f", "properties": ["sp"]}],
}


@pytest.fixture(scope="module")
def part(tmp_path_factory) -> Path:
    """Shard 1 of 2 of Boston 3x2 (``check --shard 1/2``), as the report made it."""
    folder = tmp_path_factory.mktemp("part")
    argv = ["check", str(BOSTON), "-p", "sp", "--shard", "1/2", "-c", str(folder), "-q"]
    assert main(argv) == 0
    (written,) = folder.glob("*.part.json")
    return written


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_explain_refuses_a_shard_part_and_says_to_merge_first(part, capsys, as_json):
    assert main(["explain", str(part), *as_json]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    refusal = "a shard's part (verified-shard/1), not a certificate"
    assert captured.err.startswith(f"error: {part}: schema: {refusal}")
    assert "merge every part first (verified merge PART... -c DIR)" in captured.err


def test_recheck_still_verifies_a_part(part, capsys):
    """docs/engine.md: ``verified recheck`` verifies a part. By hand: shard 1 of 2 of 125
    profiles is profiles 0..62 (the first 125 % 2 = 1 shard has one profile more: 63 rows)."""
    assert main(["recheck", str(part)]) == 0
    assert "shard 1/2: profiles 0..62 of 125, 63 rows verified" in capsys.readouterr().out


def _outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    """A mechanism file, a search file, a statement file, and the ``--json`` output of check,
    explain and hunt: every JSON a user may pass to explain or recheck by mistake."""
    files = {"mechanism": BOSTON, "search": SEARCH, "statement": tmp_path / "statement.json"}
    files["statement"].write_text(json.dumps(STATEMENT))
    for name, argv in (
        ("check", ["check", str(BOSTON), "-p", "ir", "--json"]),
        ("explain", ["explain", str(CERTIFICATE), "--json"]),
        ("hunt", ["hunt", str(BOSTON), "-p", "sp", "--budget", "20", "--json"]),
    ):
        main(argv)
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(capsys.readouterr().out)
    return files


# by hand: what each file is, in the words the refusal uses
EXPECTED = {
    "mechanism": "it looks like a mechanism file (verified/assignment/1), which verified check reads",
    "search": "no 'schema'; it looks like a search file, which verified search reads",
    "statement": "no 'schema'; it looks like a statement file, which verified prove reads",
    "check": "no 'schema'; it looks like the --json output of a verified command",
    "explain": "no 'schema'; it looks like the --json output of a verified command",
    # hunt's output holds its run time in seconds, a float: no certificate holds one
    "hunt": "not readable as a certificate: the number",
}


def test_explain_refuses_every_other_json_as_bad_input_naming_the_file(tmp_path, capsys):
    for name, path in _outputs(tmp_path, capsys).items():
        for extra in ([], ["--json"]):
            assert main(["explain", str(path), *extra]) == 2, name
            captured = capsys.readouterr()
            assert captured.out == "", name
            assert captured.err.startswith(f"error: {path}: "), (name, captured.err)
            assert EXPECTED[name] in captured.err, (name, captured.err)


def test_recheck_rejects_every_other_json_by_its_documented_contract(tmp_path, capsys):
    """docs/cli.md: recheck reports each file and exits 1 when any is rejected (never 4, never 0)."""
    files = _outputs(tmp_path, capsys)
    assert main(["recheck", *map(str, files.values())]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [["REJECTED", f"{p}:"] for p in files.values()]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("[1, 2]", "an array"),
        ('"x"', "a string"),
        ("null", "null"),
        ("3", "a number"),
        ("true", "true or false"),
    ],
)
def test_explain_of_json_that_is_no_object_says_what_it_is(tmp_path, capsys, text, kind):
    path = tmp_path / "value.json"
    path.write_text(text)
    assert main(["explain", str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path}: not a certificate (a JSON object), but {kind}\n"


def test_explain_of_another_certificate_version_is_still_judged_by_the_checker(tmp_path, capsys):
    """A certificate of another schema version is a certificate the checker rejects (exit 1),
    not a file of another kind."""
    doc = json.loads(CERTIFICATE.read_text())
    doc["schema"] = "verified-certificate/1"
    path = tmp_path / "old.cert.json"
    path.write_text(json.dumps(doc))
    assert main(["explain", str(path)]) == 1
    assert "REJECTED" in capsys.readouterr().out


@pytest.mark.parametrize("given", [str(BOSTON), BOSTON, None, 3])
def test_run_check_says_it_takes_a_loaded_subject(given):
    words = r"run_check takes a loaded subject, verified\.io\.load_subject\(path\)"
    with pytest.raises(TypeError, match=words):
        run_check("sp", given)
    with pytest.raises(TypeError, match="run_check takes a loaded subject"):
        run_check("sp", given, timeout=5)  # refused before any child is started


def test_run_check_on_a_loaded_subject_is_unchanged():
    """By hand (README): Boston 3x2 is not strategy-proof (bob gains by reporting b alone)."""
    assert run_check("sp", load_subject(BOSTON)).verdict.value == "fails"
