"""Mechanism files (JSON, TOML, module:function), schemas, canonical encoding, certificate bytes."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import pytest

from tests.certificates.helpers import EXAMPLES, certificate, example
from verified.certificates import certificate_bytes
from verified.errors import InvalidInput
from verified.io import parse_subject, subject_sha256, table_subject
from verified.io.schema import load_schema


def _doc(**mechanism):
    return {
        "format": "verified/assignment/1",
        "problem": {"agents": ["ann", "bob"], "objects": ["a"]},
        "domain": {"kind": "restricted", "preferences": [[["a"]], [["a"], []]]},
        "mechanism": mechanism,
    }


HALF = {"a": "1/2", "outside": "1/2"}
ENTRIES = [
    {"profile": [["a"], ["a"]], "assignment": {"ann": HALF, "bob": HALF}},
    {"profile": [["a"], []], "assignment": {"ann": {"a": 1}, "bob": {"outside": 1}}},
]


def test_example_files_validate_against_the_shipped_schema():
    schemas = {
        "verified/assignment/1": load_schema("assignment"),
        "verified/trading/1": load_schema("trading"),
        "verified/trading/3": load_schema("trading"),
    }
    seen = set()
    for path in sorted(EXAMPLES.glob("*.toml")) + sorted(EXAMPLES.glob("*.json")):
        text = path.read_text()
        doc = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        if doc.get("format") in schemas:
            jsonschema.validate(doc, schemas[doc["format"]])
            seen.add(doc["format"])
    assert seen == set(schemas)
    with pytest.raises(jsonschema.ValidationError):  # a float where a rational belongs
        jsonschema.validate(
            {"format": "verified/trading/1", "tasks": ["A", "B"], "agents": [{"endowment": [0.5, 1]}]},
            schemas["verified/trading/1"],
        )


def test_certificates_validate_against_the_shipped_schema():
    schema = load_schema("certificate")
    for prop in ("sp", "ir"):
        jsonschema.validate(certificate(example("boston_3x2.json"), prop), schema)


def test_table_entries_and_numerators_give_the_same_subject():
    by_entries = parse_subject(_doc(table=ENTRIES))
    # the same table as integer numerators over the common denominator 2 (domain order:
    # bob's rankings ["a"], [] -> profiles (a, a), (a, -)); columns a, outside
    by_numerators = parse_subject(_doc(denominator=2, numerators=[[[1, 1], [1, 1]], [[2, 0], [0, 2]]]))
    assert table_subject(by_entries.table)["mechanism"]["numerators"] == [[[1, 1], [1, 1]], [[2, 0], [0, 2]]]
    a = table_subject(by_entries.table)
    b = table_subject(by_numerators.table)
    assert a == b
    assert subject_sha256(a) == subject_sha256(b)


def test_toml_and_json_files_read_the_same():
    toml_subject = example("my_mechanism.toml")
    json_doc = {
        "format": "verified/assignment/1",
        "problem": {"agents": ["ann", "bob", "cat"], "objects": ["a", "b"]},
        "domain": {"kind": "full"},
        "mechanism": {"python": "my_mechanism.py:serial_dictatorship", "name": toml_subject.name},
    }
    json_subject = parse_subject(json_doc, base_dir=EXAMPLES)
    assert table_subject(json_subject.table) == table_subject(toml_subject.table)


def test_module_function_mechanism_is_tabulated_exactly():
    subject = example("boston_3x2.json")
    table = subject.table
    assert len(subject.domain) == 5**3  # rankings of {a, b}: (), a, b, ab, ba
    # Boston with everyone ranking a first: ann (top priority) gets a
    i = subject.domain.index((("a",), ("a",), ("a",)))
    assert table.entry(i, 0, 0) == 1 and table.entry(i, 1, 2) == 1 and table.entry(i, 2, 2) == 1


def test_certificate_bytes_are_deterministic():
    one = certificate_bytes(certificate(example("boston_3x2.json"), "sp"))
    two = certificate_bytes(certificate(example("boston_3x2.json"), "sp"))
    assert one == two
    assert one.endswith(b"\n") and b" " not in one.split(b'"subject"')[0][:20]


@pytest.mark.parametrize(
    "doc,where",
    [
        ({**_doc(table=ENTRIES), "format": "verified/assignment/9"}, "format"),
        (_doc(table=ENTRIES[:1]), "mechanism.table"),
        (
            _doc(table=[{**ENTRIES[0], "assignment": {"ann": {"a": 0.5, "outside": "1/2"}, "bob": HALF}}]),
            "float",
        ),
        (_doc(table=[ENTRIES[0], {**ENTRIES[1], "assignment": {"ann": {"a": 1}, "eve": {}}}]), "eve"),
        (_doc(table=[ENTRIES[0], {**ENTRIES[1], "profile": [["a"], ["b"]]}]), "mechanism.table[1]"),
        (_doc(builtin="no_such_mechanism"), "mechanism.builtin"),
        (_doc(python="no_colon"), "mechanism.python"),
        (_doc(python="missing_module_xyz:f"), "mechanism.python"),
        (
            _doc(denominator=2, numerators=[[[1, 1], [1, 1]], [[2, 0], [0, "2"]]]),
            "mechanism.numerators[1][1]",
        ),
        (_doc(denominator=2, numerators=[[[1, 1], [1, 1]], [[2, 0], [1, 0]]]), "row sums to 1/2"),
        (_doc(), "mechanism"),
    ],
)
def test_bad_input_names_the_place(doc, where):
    with pytest.raises(InvalidInput) as info:
        _ = parse_subject(doc).table
    assert where in str(info.value)


def test_allow_float_reads_the_decimal_exactly():
    doc = _doc(
        table=[{**ENTRIES[0], "assignment": {"ann": {"a": 0.5, "outside": 0.5}, "bob": HALF}}, ENTRIES[1]]
    )
    with pytest.raises(InvalidInput, match="float"):
        _ = parse_subject(doc).table
    table = parse_subject({**doc, "allow_float": True}).table
    assert table_subject(table) == table_subject(parse_subject(_doc(table=ENTRIES)).table)
