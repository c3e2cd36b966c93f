"""Fuzz the command line: random argument lists drawn from the subcommands, flags and values it
knows, plus missing, garbage and hostile files. Whatever the list, the exit code is one of
0/1/2/3, nothing prints a traceback, and the run ends promptly (issue 8, part 2)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.certificates.helpers import EXAMPLES, ROOT
from tests.cli.mechanisms import write_mechanism
from verified.cli import main

STORED = ROOT / "certificates" / "bilateral_trade.improving-trade.cert.json"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "garbage.json").write_bytes(b"\x00\xff{[")
    (folder / "empty.toml").write_text("")
    (folder / "list.json").write_text("[1, 2]")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "huge_number.json").write_text(
        json.dumps(
            {
                "format": "verified/assignment/1",
                "problem": {"agents": 2, "objects": ["a"]},
                "mechanism": {"numerators": [[["1e999999999"]]], "denominator": 1},
            }
        )
    )
    (folder / "bad.json.gz").write_bytes(b"\x1f\x8b not gzip")
    (folder / "bomb.json.gz").write_bytes(gzip.compress(b" " * 50_000_000))
    (folder / "a_dir.json").mkdir()
    tampered = json.loads(STORED.read_text())
    tampered["verdict"] = "fails"
    (folder / "tampered.cert.json").write_text(json.dumps(tampered))
    return {
        "tiny": str(EXAMPLES / "tiny_table.toml"),
        "boston": str(EXAMPLES / "boston_3x2.json"),
        "stored": str(STORED),
        "raises": str(write_mechanism(folder, "raises")),
        "exits": str(write_mechanism(folder, "exits")),
        "missing": str(folder / "missing.toml"),
        **{p.name: str(p) for p in folder.iterdir() if p.suffix != ".py"},
    }


COMMANDS = [
    "check",
    "recheck",
    "explain",
    "merge",
    "properties",
    "hunt",
    "compare",
    "frobnicate",
    "--help",
    "",
]
FLAGS = [
    "-p",
    "--property",
    "--all",
    "--json",
    "-q",
    "--timeout",
    "--property-timeout",
    "--max-memory",
    "--allow-float",
    "-c",
    "--certificate-dir",
    "-h",
    "--no-such-flag",
    "--",
    "--jobs",
    "-j",
    "--shard",
    "--budget",
    "--time",
    "--seed",
    "--require",
    "--hunt",
]
VALUES = [
    "sp",
    "ir",
    "sp,ir",
    "valid,ete",
    ",",
    "",
    "sp,,nope",
    "nan",
    "inf",
    "-1",
    "0",
    "1e309",
    "20",
    "0.5",
    "4G",
    "512M",
    "abc",
    "-3M",
    "\x00",
    "é",
    "1/2",
    "2/2",
    "3/2",
    "0/0",
    "99999",
    "dominates",
    "no-regression",
    "weakly-dominates",
]


def argv_lists(names: list[str]) -> st.SearchStrategy[list[str]]:
    token = st.one_of(
        st.sampled_from(FLAGS), st.sampled_from(VALUES), st.sampled_from(names).map(lambda n: f"@{n}")
    )
    return st.tuples(st.sampled_from(COMMANDS), st.lists(token, max_size=6)).map(
        lambda t: [t[0], *t[1]] if t[0] else t[1]
    )


def _resolve(argv: list[str], files: dict[str, str], out_dir: Path) -> list[str]:
    resolved = []
    for i, token in enumerate(argv):
        previous = argv[i - 1] if i else ""
        if previous in ("-c", "--certificate-dir"):
            resolved.append(str(out_dir))  # never write outside the test's folder
        elif token.startswith("@"):
            resolved.append(files[token[1:]])
        else:
            resolved.append(token)
    return resolved


FILE_NAMES = [
    "tiny",
    "boston",
    "stored",
    "raises",
    "exits",
    "missing",
    "garbage.json",
    "empty.toml",
    "list.json",
    "deep.json",
    "huge_number.json",
    "bad.json.gz",
    "bomb.json.gz",
    "a_dir.json",
    "tampered.cert.json",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=argv_lists(FILE_NAMES))
def test_any_argument_list_gives_a_documented_code_and_no_traceback(files, capsys, tmp_path, argv):
    concrete = _resolve(argv, files, tmp_path / "out")
    started = time.monotonic()
    code = main([*concrete, "--timeout", "20"] if concrete[:1] == ["check"] else concrete)
    captured = capsys.readouterr()
    assert code in (0, 1, 2, 3), (concrete, captured.err)
    assert "Traceback" not in captured.out + captured.err, concrete
    assert time.monotonic() - started < 40, concrete


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "@huge_number.json", "-p", "sp"],
        ["check", "@deep.json", "--all"],
        ["check", "@exits", "-p", "sp,ir"],
        ["check", "@list.json", "-p", "sp", "--timeout", "nan"],
        ["recheck", "@garbage.json", "@bad.json.gz", "@bomb.json.gz", "@stored", "@a_dir.json", "@missing"],
        ["explain", "@deep.json"],
    ],
)
def test_the_corpus_from_a_fresh_process(files, argv, tmp_path):
    concrete = _resolve(argv, files, tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "verified", *concrete], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert run.returncode in (1, 2), (concrete, run.stdout, run.stderr)  # rejected or bad input, never 0
    assert "Traceback" not in run.stdout + run.stderr


CHECK_FILES = [
    "tiny",
    "boston",
    "raises",
    "exits",
    "missing",
    "garbage.json",
    "empty.toml",
    "list.json",
    "huge_number.json",
    "a_dir.json",
    "stored",
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(CHECK_FILES),
    properties=st.lists(
        st.sampled_from(["sp", "ir", "ete", "valid", "anonymous", "osp", "nope", ""]), max_size=3
    ),
    extra=st.lists(
        st.sampled_from(
            [
                ["--json"],
                ["-q"],
                ["--all"],
                ["--allow-float"],
                ["-c", "@out"],
                ["--property-timeout", "5"],
                ["--max-memory", "8G"],
            ]
        ),
        max_size=3,
    ),
)
def test_check_of_any_file_with_any_properties(files, capsys, tmp_path, name, properties, extra):
    argv = ["check", files[name], "--timeout", "20"]
    if properties:
        argv += ["-p", ",".join(properties)]
    for group in extra:
        argv += [str(tmp_path / "out") if token == "@out" else token for token in group]
    code = main(argv)
    captured = capsys.readouterr()
    assert code in (0, 1, 2, 3), (argv, captured.err)
    assert "Traceback" not in captured.out + captured.err, argv
    if name in ("raises", "exits", "missing", "garbage.json", "empty.toml", "list.json", "a_dir.json"):
        assert code == 2, (argv, captured.out)  # bad input is never a verdict
