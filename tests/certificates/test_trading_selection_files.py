"""Trading files of format verified/trading/2: explicit selection tables and strategies
(Valenzuela-Stookey, section 1.1), good files and bad input naming the place; the osp
certificates written through the CLI re-check with the standard-library checker."""

from __future__ import annotations

import copy
import json
import tomllib
from fractions import Fraction

import jsonschema
import pytest

from tests.certificates.helpers import EXAMPLES
from verified.cli import main
from verified.errors import InvalidInput
from verified.io import parse_subject
from verified.io.schema import load_schema
from verified.io.trading import trading_subject
from verified.recheck import recheck
from verified.trading.protocol import FixedStrategy, MyopicStrategy, RegionStrategy, strategy_action

F = Fraction


def bilateral() -> dict:
    """Two agents, eta = (1, 1) each; x may ask for (2, 0), y for (0, 2); trade iff both ask."""
    stay = [[1, 1], [1, 1]]
    return {
        "format": "verified/trading/2",
        "tasks": ["A", "B"],
        "agents": [
            {
                "name": "x",
                "endowment": [1, 1],
                "costs": {"kind": "positive_orthant"},
                "menu": [{"point": [1, 1]}, {"points": [[2, 0], [1, 1]]}],
                "strategy": {
                    "kind": "regions",
                    "default": 0,
                    "regions": [{"rows": [[1, -1]], "rhs": [0], "strict": [False], "action": 1}],
                },
            },
            {
                "name": "y",
                "endowment": [1, 1],
                "costs": {"kind": "positive_orthant"},
                "menu": [{"point": [1, 1]}, {"points": [[0, 2], [1, 1]]}],
                "strategy": {"kind": "fixed", "action": 1},
            },
        ],
        "selection": {
            "table": [
                {"profile": [0, 0], "allocation": stay},
                {"profile": [0, 1], "allocation": stay},
                {"profile": [1, 0], "allocation": stay},
                {"profile": [1, 1], "allocation": [[2, 0], [0, 2]]},
            ]
        },
    }


def reject(doc: dict, where: str, words: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_subject(doc)
    assert where in str(info.value) and words in str(info.value), str(info.value)


def test_a_good_file_gives_the_table_and_the_strategies() -> None:
    subject = parse_subject(bilateral())
    protocol = subject.mechanism.protocol
    assert protocol.selection((1, 1)) == ((F(2), F(0)), (F(0), F(2)))
    assert protocol.selection((1, 0)) == ((F(1), F(1)), (F(1), F(1)))
    sx, sy = subject.mechanism.strategies
    assert isinstance(sx, RegionStrategy) and isinstance(sy, FixedStrategy) and sy.action == 1
    # x trades iff c_A - c_B <= 0: c = (1, 2) trades, (2, 1) keeps, (1, 1) trades (tie, non-strict row)
    assert [strategy_action(sx, protocol, 0, c) for c in [(1, 2), (2, 1), (1, 1)]] == [1, 0, 1]
    encoding = trading_subject(subject, mechanism=True)
    assert encoding["selection"]["table"][3] == {"profile": [1, 1], "allocation": [["2", "0"], ["0", "2"]]}
    assert encoding["strategies"][1] == {"kind": "fixed", "action": 1}
    assert "selection" not in trading_subject(subject)  # the menu-level subject is unchanged


def test_strategies_default_to_myopic_and_priorities_are_read() -> None:
    doc = bilateral()
    del doc["agents"][0]["strategy"]
    doc["agents"][1]["strategy"] = {"kind": "myopic", "priority": [1, 0]}
    x, y = parse_subject(doc).mechanism.strategies
    assert x == MyopicStrategy() and y == MyopicStrategy((1, 0))
    for agent in doc["agents"]:
        agent.pop("strategy", None)
    assert parse_subject(doc).strategies is None


def test_eopr_selection_in_format_2_builds_the_table() -> None:
    doc = bilateral()
    doc["selection"] = "eopr"
    doc["agents"][0]["performance"] = [1, 2]
    doc["agents"][1]["performance"] = [2, 1]
    protocol = parse_subject(doc).mechanism.protocol
    # both ask: (2,0),(0,2) costs 1*2 + 1*2 = 4 < 6 (status quo 3 + 3), so EOPR trades
    assert protocol.selection((1, 1)) == ((F(2), F(0)), (F(0), F(2)))


def test_bundle_outside_the_chosen_set() -> None:
    doc = bilateral()
    doc["selection"]["table"][3]["allocation"] = [
        ["3/2", "1/2"],
        ["1/2", "3/2"],
    ]  # clears; x's set 1 is {(2,0),(1,1)}
    reject(doc, "selection[[1, 1]] agent 'x'", "not in the chosen trading set 1")


def test_profile_missing_from_the_table() -> None:
    doc = bilateral()
    del doc["selection"]["table"][2]
    reject(doc, "selection[[1, 0]]", "no allocation for this profile")


def test_market_not_clearing() -> None:
    doc = bilateral()
    doc["selection"]["table"][3]["allocation"] = [[2, 0], [1, 1]]  # task A: 2 + 1 = 3 != supply 2
    reject(doc, "selection[[1, 1]] task 'A'", "allocates 3 of a supply of 2")


def test_floats_are_rejected_unless_allowed() -> None:
    doc = bilateral()
    doc["selection"]["table"][3]["allocation"] = [[2.0, 0], [0, 2]]
    reject(doc, "selection.table[3].allocation[0][0]", "float")
    doc = bilateral()
    doc["agents"][0]["strategy"]["regions"][0]["rhs"] = [0.5]
    reject(doc, "agents[0].strategy.regions[0].rhs[0]", "float")
    doc["allow_float"] = True  # 0.5 is read as the decimal it prints as
    region = parse_subject(doc).mechanism.strategies[0].regions[0][0]
    assert region.rhs == (F(1, 2),)


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (
            lambda d: d["selection"]["table"].append(copy.deepcopy(d["selection"]["table"][0])),
            "table[4]",
            "twice",
        ),
        (lambda d: d["selection"]["table"][0].update(profile=[0, 2]), "table[0].profile[1]", "0..1"),
        (lambda d: d["selection"]["table"][0].update(profile=[0]), "table[0].profile", "one menu index"),
        (lambda d: d["selection"]["table"][0].update(profile=[0, True]), "profile[1]", "menu index"),
        (lambda d: d["selection"]["table"][0].update(allocation=[[1, 1]]), "allocation", "one bundle"),
        (lambda d: d["selection"]["table"][0].update(allocation=[[1, 1, 0], [1, 1]]), "allocation[0]", "2"),
        (lambda d: d.update(selection="serial"), "selection", "table"),
        (lambda d: d["agents"][1].update(strategy={"kind": "lazy"}), "agents[1].strategy.kind", "lazy"),
        (lambda d: d["agents"][1].update(strategy={"kind": "fixed", "action": 5}), "agent 'y'", "menu index"),
        (lambda d: d["agents"][1].update(strategy={"kind": "fixed", "action": 1, "x": 0}), "strategy", "'x'"),
        (
            lambda d: d["agents"][1].update(strategy={"kind": "myopic", "priority": [0]}),
            "agent 'y'",
            "priority",
        ),
        (
            lambda d: d["agents"][0]["strategy"]["regions"][0].update(rhs=[0, 1]),
            "regions[0].rhs",
            "1 entries",
        ),
        (
            lambda d: d["agents"][0]["strategy"]["regions"][0].update(strict=[1]),
            "regions[0].strict",
            "booleans",
        ),
        (lambda d: d["agents"][0].update(menu=[{"points": [[2, 0], [1, 1]]}]), "agents[0].menu", "endowment"),
        (lambda d: d.update(format="verified/trading/1"), "selection", "verified/trading/2"),
    ],
)
def test_bad_input_names_the_place(change, where, words) -> None:
    doc = bilateral()
    change(doc)
    reject(doc, where, words)


def test_format_1_rejects_strategies_and_point_sets() -> None:
    doc = bilateral()
    doc["format"] = "verified/trading/1"
    del doc["selection"]
    reject(doc, "agents[0].strategy", "verified/trading/2")
    for agent in doc["agents"]:
        del agent["strategy"]
    reject(doc, "agents[0].menu[1]", "unknown menu item 'points'")


def test_format_2_examples_validate_against_the_schema() -> None:
    schema = load_schema("trading")
    for name in ("bilateral_mechanism.toml", "pseudo_market.toml"):
        doc = tomllib.loads((EXAMPLES / name).read_text())
        assert doc["format"] == "verified/trading/2"
        jsonschema.validate(doc, schema)
    jsonschema.validate(bilateral(), schema)
    bad = bilateral()
    bad["agents"][1]["strategy"] = {"kind": "fixed", "action": "1"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_cli_writes_osp_certificates_that_recheck(tmp_path) -> None:
    for name, code in (("bilateral_mechanism.toml", 0), ("pseudo_market.toml", 1)):
        assert main(["check", str(EXAMPLES / name), "--property", "osp", "-q", "-c", str(tmp_path)]) == code
    holds_doc = json.loads((tmp_path / "bilateral_mechanism.osp.cert.json").read_text())
    fails_doc = json.loads((tmp_path / "pseudo_market.osp.cert.json").read_text())
    assert holds_doc["verdict"] == "holds" and fails_doc["verdict"] == "fails"
    assert "re-verified" in recheck(holds_doc) and "re-verified" in recheck(fails_doc)
    assert holds_doc["subject"]["encoding"]["strategies"][0]["kind"] == "regions"
