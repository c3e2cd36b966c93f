"""Every ``--help`` is accurate (issue 13): each option, subcommand and property name the help
text mentions -- in usage, option help, descriptions and epilogs -- exists, found by argparse
introspection of `verified.cli.build_parser` and in `verified.registry`, never in a hard-coded
list. Each help is read in-process (`verified.cli.main`) and once from a fresh interpreter.

How a mention is resolved: an option written right after a subcommand's name (```check
--shard```, ``verified check FILE --property``) belongs to that subcommand; any other option mentioned in
subcommand X's help belongs to X; in the top-level help, to the top level or some subcommand.
```verified NAME``` (in backticks, after ``usage:`` or ``-m``, or opening a line) names a
subcommand. A comma-separated list (``sp,ir,nonwasteful``) outside
argparse's ``{choices}`` braces is a list of property names, as is the word after
``--property`` / ``-p``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from verified.cli import build_parser, main
from verified.errors import InvalidInput
from verified.registry import BY_NAME, spec

ROOT = Path(__file__).resolve().parents[2]
WIDE = "1000"  # no wrapping, so "ex-post-efficient" is never split at a hyphen


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


PARSER = build_parser()
SUBS = _subparsers(PARSER)
TARGETS = [None, *SUBS]


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings}


def _help_in_process(sub: str | None, capsys: pytest.CaptureFixture[str]) -> str:
    argv = [sub, "--help"] if sub else ["--help"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
# a command line: in backticks, after "usage:" or "-m", or opening a line ("verified" alone is prose)
COMMAND = re.compile(r"(?:`|^[ $]*|usage: |-m )verified ([a-z][a-z-]*)", re.M)
LIST = re.compile(r"(?<![\w{,-])([a-z][a-z0-9-]*(?:,[a-z][a-z0-9-]*)+)(?![\w}-])")
# "`check --shard`", "verified check FILE --property": the subcommand, then upper-case placeholders
QUALIFIED = re.compile(r"(?:`|\bverified )([a-z][a-z-]*) (?:[A-Z][A-Z_.*/-]* )*$")
AFTER_PROPERTY = re.compile(r"(?:--property|-p)\s+([a-z][a-z0-9_,-]*)")


def option_mentions(text: str) -> list[tuple[str | None, str]]:
    """(subcommand it is qualified with or None, option) for every ``--option`` in ``text``."""
    out = []
    for match in OPTION.finditer(text):
        before = QUALIFIED.search(text[: match.start()])
        owner = before.group(1) if before and before.group(1) in SUBS else None
        out.append((owner, match.group(1)))
    return out


def property_mentions(text: str) -> list[str]:
    """Every name in a comma-separated list outside ``{...}`` and every name after ``--property``."""
    plain = re.sub(r"\{[^}]*\}", " ", text)
    names = [n for m in LIST.finditer(plain) for n in m.group(1).split(",")]
    names += [n for m in AFTER_PROPERTY.finditer(plain) for n in m.group(1).split(",") if n]
    return names


def _check_help(sub: str | None, text: str) -> None:
    own = PARSER if sub is None else SUBS[sub]
    everywhere = _options(PARSER).union(*(_options(p) for p in SUBS.values()))
    for owner, option in option_mentions(text):
        if owner is not None:
            assert option in _options(SUBS[owner]), f"{sub} --help: `{owner} {option}` does not exist"
        elif sub is None:
            assert option in everywhere, f"verified --help mentions {option}, which no subcommand has"
        else:
            assert option in _options(own), f"verified {sub} --help mentions {option}, which it lacks"
    for command in COMMAND.findall(text):
        assert command in SUBS, f"{sub} --help mentions `verified {command}`, which does not exist"
    for name in property_mentions(text):
        assert spec(name).name in BY_NAME, f"{sub} --help mentions property {name!r}"


@pytest.mark.parametrize("sub", TARGETS, ids=lambda s: s or "top")
def test_every_mention_in_the_help_exists(sub, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", WIDE)
    text = _help_in_process(sub, capsys)
    assert text.startswith("usage: verified")
    _check_help(sub, text)


@pytest.mark.parametrize("sub", TARGETS, ids=lambda s: s or "top")
def test_the_console_help_is_the_same_text(sub, capsys, monkeypatch):
    """The help of a fresh ``python -m verified`` is the in-process one, so it is checked too."""
    monkeypatch.setenv("COLUMNS", WIDE)
    expected = _help_in_process(sub, capsys)
    argv = [sys.executable, "-m", "verified", *([sub] if sub else []), "--help"]
    env = {**os.environ, "COLUMNS": WIDE}
    run = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout == expected


@pytest.mark.parametrize("sub", list(SUBS))
def test_every_option_is_explained_and_every_subcommand_states_its_exit_codes(sub, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", WIDE)
    parser = SUBS[sub]
    for action in parser._actions:
        assert action.help, f"verified {sub}: {action.option_strings or action.dest} has no help"
    text = _help_in_process(sub, capsys)
    codes = text[text.index("exit codes") :]
    for code in ("0", "2", "4") if sub not in ("hunt",) else ("1", "2", "3", "4"):
        assert re.search(rf"^\s+{code}\s", codes, re.M), f"verified {sub}: exit {code} is not explained"
    assert PARSER._subparsers is not None
    listed = [a for a in PARSER._subparsers._group_actions[0]._choices_actions if a.dest == sub]
    assert listed and listed[0].help, f"verified {sub} has no one-line help in `verified --help`"


def test_hunt_lists_exactly_the_properties_it_hunts(capsys, monkeypatch):
    from verified.hunt.detect import HUNTABLE

    monkeypatch.setenv("COLUMNS", WIDE)
    text = _help_in_process("hunt", capsys)
    assert set(property_mentions(text)) == set(HUNTABLE)


def test_check_help_no_longer_points_at_a_missing_list_option(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", WIDE)
    text = _help_in_process("check", capsys)
    assert "--list" not in text and "`verified properties`" in text
    assert main(["check", "x.toml", "--list"]) == 2  # it really does not exist: a usage error
    assert "unrecognized arguments: --list" in capsys.readouterr().err


# --- the checker of this file catches what it should ------------------------------------------


@pytest.mark.parametrize(
    ("sub", "text"),
    [
        ("check", "comma-separated property names (see --list)"),
        ("recheck", "like `verified check --frobnicate`"),
        ("merge", "run `verified frobnicate` first"),
        ("hunt", "comma-separated: sp,ir,wastefulness"),
        (None, "try --no-such-option"),
        ("check", "e.g. --property sp,nope"),
    ],
)
def test_a_stale_mention_is_caught(sub, text):
    with pytest.raises((AssertionError, InvalidInput)):  # InvalidInput: an unknown property name
        _check_help(sub, text)


def test_mentions_are_resolved_as_documented():
    assert option_mentions("parts of `check --shard` runs; see --json") == [
        ("check", "--shard"),
        (None, "--json"),
    ]
    assert property_mentions("{strict,total-gain} e.g. -p sp,ir and among a,b-c") == [
        "sp",
        "ir",
        "a",
        "b-c",
        "sp",
        "ir",
    ]
    _check_help("merge", "assemble the parts of `check --shard` runs with --certificate-dir")


# --- the reference page says the same as the parser ----------------------------------------------


def _sections(text: str) -> dict[str, str]:
    """docs/cli.md's ``## verified NAME`` sections, by subcommand."""
    parts = re.split(r"^## `?verified (\w+)`?.*$", text, flags=re.M)
    return {parts[k]: parts[k + 1] for k in range(1, len(parts) - 1, 2)}


def test_the_reference_page_documents_every_subcommand_and_option_and_nothing_else():
    text = (ROOT / "docs" / "cli.md").read_text()
    sections = _sections(text)
    assert set(sections) == set(SUBS)
    for sub, body in sections.items():
        own = _options(SUBS[sub]) - {"-h", "--help"}
        mentioned = {o for owner, o in option_mentions(body) if owner in (None, sub)}
        long_own = {o for o in own if o.startswith("--")}
        assert long_own <= mentioned, f"docs/cli.md, {sub}: undocumented {sorted(long_own - mentioned)}"
        for owner, option in option_mentions(body):
            target = SUBS[owner or sub]
            assert option in _options(target), f"docs/cli.md, {sub}: {option} does not exist"
        for command in COMMAND.findall(body):
            assert command in SUBS, f"docs/cli.md, {sub}: `verified {command}` does not exist"
        for name in property_mentions(body):
            spec(name)  # an unknown property name is InvalidInput
