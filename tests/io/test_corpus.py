"""Regression corpus for issue 8: each malformed-input class named in the issue gives an
`InvalidInput` naming the file and the place, quickly; never another exception."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest

from verified.assignment.domain import DomainTooLarge
from verified.errors import InvalidInput
from verified.io import load_subject
from verified.numbers import MAX_DIGITS

ASSIGNMENT = {
    "format": "verified/assignment/1",
    "problem": {"agents": ["ann", "bob"], "objects": ["a"]},
    "domain": {"kind": "restricted", "preferences": [[["a"]], [["a"], []]]},
    "mechanism": {
        "table": [
            {
                "profile": [["a"], ["a"]],
                "assignment": {"ann": {"a": "1/2", "outside": "1/2"}, "bob": ["1/2", "1/2"]},
            },
            {"profile": [["a"], []], "assignment": {"ann": {"a": 1}, "bob": {"outside": 1}}},
        ]
    },
}
TRADING = {
    "format": "verified/trading/1",
    "tasks": ["A", "B"],
    "agents": [{"name": "1", "endowment": [1, 0], "menu": [{"ray": [1, -1]}]}, {"endowment": [0, 1]}],
}


def _with(doc: dict, path: tuple, value: object) -> dict:
    out = json.loads(json.dumps(doc))
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _refused(tmp_path: Path, text: str, place: str, suffix: str = ".json", seconds: float = 2.0) -> str:
    """Load ``text``; it must raise `InvalidInput` naming the file and ``place``, in time."""
    path = tmp_path / f"subject{suffix}"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InvalidInput) as info:
        load_subject(path)
    assert time.perf_counter() - start < seconds
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert place in message, message
    return message


def test_the_valid_documents_load(tmp_path: Path) -> None:
    for doc in (ASSIGNMENT, TRADING):
        path = tmp_path / "ok.json"
        path.write_text(json.dumps(doc))
        load_subject(path)


@pytest.mark.parametrize(
    ("path", "value", "place"),
    [
        (("problem", "agents"), 2.0, "problem.agents"),
        (("problem", "agents"), None, "problem.agents"),
        (("problem", "agents"), True, "problem"),
        (("problem", "agents"), 0, "need at least 1"),
        (("problem", "agents"), ["ann", None], "agents[1]"),
        (("problem", "agents"), ["ann", [1]], "agents[1]"),
        (("problem", "agents"), ["ann", ""], "agents[1]: empty name"),
        (("problem", "objects"), -24, "need at least 1, got -24"),
        (("problem", "objects"), [1.5], "objects[0]"),
        (("problem", "capacities"), {"a": 1.5}, "capacities['a']"),
        (("problem", "capacities"), [True], "capacities[0]"),
        (("problem", "capacities"), 3, "problem.capacities"),
        (("domain", "preferences", 1, 0), None, "domain"),
        (("domain", "preferences", 1), 2, "domain"),
        (("mechanism", "table", 0, "profile", 1), None, "mechanism.table[0].profile"),
        (("mechanism", "table", 0, "profile"), 2, "mechanism.table[0].profile"),
        (("mechanism", "table", 1, "assignment", "bob"), 2, "mechanism.table[1].assignment['bob']"),
        (("mechanism", "table", 1, "assignment"), 2, "mechanism.table[1].assignment"),
        (("mechanism", "table", 0, "assignment", "ann", "a"), "1e999999999", "exponent notation"),
        (
            ("mechanism", "table", 0, "assignment", "ann", "a"),
            "9" * 20_000,
            f"exceeds the limit of {MAX_DIGITS:,} digits",
        ),
        (("mechanism", "table", 1), [], "mechanism.table[1]"),
        (("mechanism", "table"), {"profile": []}, "mechanism.table"),
        (("mechanism", "nmae"), "typo", "unknown field(s) ['nmae']"),
        (("problem", "capacity"), {"a": 1}, "unknown field(s) ['capacity']"),
        (("domain", "preference"), [], "unknown field(s) ['preference']"),
        (("extra",), 1, "unknown field(s) ['extra']"),
        (("format",), "verified/assignment/2", "unknown format"),
    ],
)
def test_assignment_classes(tmp_path: Path, path: tuple, value: object, place: str) -> None:
    _refused(tmp_path, json.dumps(_with(ASSIGNMENT, path, value)), place)


def test_priorities_with_a_bare_number(tmp_path: Path) -> None:
    doc = {**ASSIGNMENT, "priorities": {"a": 5}}
    _refused(tmp_path, json.dumps(doc), "priorities['a']: expected a list of tie classes")
    doc = {**ASSIGNMENT, "priorities": {"a": [["ann", 5.5], "bob"]}}
    _refused(tmp_path, json.dumps(doc), "priorities['a'][0][1]")
    doc = {**ASSIGNMENT, "priorities": 7}
    _refused(tmp_path, json.dumps(doc), "priorities")


@pytest.mark.parametrize(
    ("path", "value", "place"),
    [
        (("tasks",), 2.0, "tasks"),
        (("tasks",), ["A", None], "tasks[1]"),
        (("agents",), 2, "agents"),
        (("agents", 0, "name"), None, "agents[0].name"),
        (("agents", 0, "endowment"), [1], "agents[0].endowment"),
        (("agents", 0, "endowment", 0), "1e999999999", "agents[0].endowment[0]"),
        (("agents", 0, "menu", 0), {"point": 2}, "agents[0].menu[0].point"),
        (("agents", 0, "menu", 0), {"remedial": 1}, "agents[0].menu[0].remedial"),
        (("agents", 0, "costs"), {"kind": "box", "lo": [1, 1]}, "agents[0].costs"),
        (("agents", 0, "costs"), {"kind": "orthant", "lo": [1, 1]}, "unknown field(s) ['lo']"),
        (("agents", 0, "endownment"), [1, 0], "unknown field(s) ['endownment']"),
        (("selection",), {"table": []}, "selection"),
        (("allow_float",), "yes", "allow_float"),
    ],
)
def test_trading_classes(tmp_path: Path, path: tuple, value: object, place: str) -> None:
    _refused(tmp_path, json.dumps(_with(TRADING, path, value)), place)


def test_trading_2_strategy_kind_of_the_wrong_type(tmp_path: Path) -> None:
    doc = _with(TRADING, ("format",), "verified/trading/2")
    doc["agents"][0]["menu"] = [{"point": [1, 0]}]
    doc["agents"][1]["menu"] = [{"point": [0, 1]}]
    doc["agents"][0]["strategy"] = {"kind": ["fixed"]}
    _refused(tmp_path, json.dumps(doc), "agents[0].strategy.kind")
    doc["agents"][0]["strategy"] = {"kind": "fixed", "action": -1}
    _refused(tmp_path, json.dumps(doc), "agents[0].strategy.action")


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_deep_nesting(tmp_path: Path, suffix: str) -> None:
    depth = 100_000
    if suffix == ".json":
        text = '{"format": "verified/assignment/1", "problem": ' + "[" * depth + "]" * depth + "}"
    else:
        text = 'format = "verified/assignment/1"\nproblem = ' + "[" * depth + "]" * depth + "\n"
    assert "nested" in _refused(tmp_path, text, "", suffix)


@pytest.mark.parametrize(
    ("data", "place"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"[1, 2]", "top level"),
        (b'"text"', "top level"),
        (b'{"format": "verified/assignment/1"} trailing', "not valid JSON"),
        (b'{"format": "verified/assignment/1", "format": "verified/trading/1"}', "duplicate key 'format'"),
        (b'{"format": NaN}', "NaN is not a number"),
        (b'{"format": 1' + b"0" * 20_000 + b"}", "20,001 digits"),
        (b'{"format": "\xff\xfe"}', "not UTF-8"),
    ],
)
def test_broken_json_files(tmp_path: Path, data: bytes, place: str) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(data)
    with pytest.raises(InvalidInput) as info:
        load_subject(path)
    assert str(info.value).startswith(f"{path}: ") and place in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("", "the file is empty"),
        ("format = ", "not valid TOML"),
        ("format = 1" + "0" * 5_000, "line 1, column 10: a number with 5,001 digits"),  # after "format = "
        (
            'format = "verified/assignment/1"\n[problem]\nagents = 2.0\nobjects = "ab"\n[mechanism]\n'
            'builtin = "random_priority"\n',
            "problem.agents",
        ),
    ],
)
def test_broken_toml_files(tmp_path: Path, text: str, place: str) -> None:
    _refused(tmp_path, text, place, ".toml")


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        load_subject(tmp_path / "absent.json")
    other = tmp_path / "subject.yaml"
    other.write_text("format: x")
    with pytest.raises(InvalidInput, match="unknown file type"):
        load_subject(other)


def _rankings(m: int) -> int:
    """Rankings of the subsets of m objects, counted independently: sum_k m!/(m-k)!."""
    return sum(math.perm(m, k) for k in range(m + 1))


def test_three_agents_seven_objects_refused_at_once(tmp_path: Path) -> None:
    doc = {
        "format": "verified/assignment/1",
        "problem": {"agents": 3, "objects": 7},
        "mechanism": {"builtin": "random_priority"},
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    start = time.perf_counter()
    subject = load_subject(path)  # describing the domain allocates nothing
    with pytest.raises(DomainTooLarge) as info:
        subject.table  # noqa: B018 - the table is what is refused
    assert time.perf_counter() - start < 5.0
    profiles = _rankings(7) ** 3
    assert _rankings(7) == 13_700
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert f"{profiles:,} profiles x 3 agents x 8 columns" in message
    assert f"{profiles * 3 * 8:,} cells" in message
    assert "restricted domain" in message and "VERIFIED_MAX_TABLE_CELLS" in message


def test_a_numerators_table_over_a_huge_domain_is_refused_at_load(tmp_path: Path) -> None:
    doc = {
        "format": "verified/assignment/1",
        "problem": {"agents": 3, "objects": 7},
        "mechanism": {"denominator": 1, "numerators": []},
    }
    _refused(tmp_path, json.dumps(doc), "mechanism.numerators")
    doc["mechanism"] = {"table": [{"profile": [[], [], []], "assignment": [[0] * 7 + [1]] * 3}]}
    message = _refused(tmp_path, json.dumps(doc), "cells")
    assert f"{_rankings(7) ** 3:,} profiles x 3 agents x 8 columns" in message


def test_a_full_domain_of_many_objects_is_refused_before_listing_rankings(tmp_path: Path) -> None:
    doc = {
        "format": "verified/assignment/1",
        "problem": {"agents": 1, "objects": 12},
        "mechanism": {"builtin": "random_priority"},
    }
    message = _refused(tmp_path, json.dumps(doc), "the full domain of 12 objects")
    assert f"{_rankings(12):,} rankings" in message
