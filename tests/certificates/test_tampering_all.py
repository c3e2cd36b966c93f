"""Tampering across every certificate kind: mutants whose claim changed are rejected.

The family suites (test_assignment_tampering, test_trading_tampering,
tests/search/test_search_tampering) mutate each kind's evidence in depth. This one
runs the cross-cutting attacks on every stored certificate (a seeded sample of each):

* the claim itself: every other property name, the other verdicts, another evidence kind;
* the bytes: a duplicated key anywhere (JSON readers disagree on which copy wins),
  truncation at any byte;
* the structure: an unknown field in any object of the evidence or the subject (a field
  the checker does not read is one it does not verify, yet ``explain`` would print it),
  a key deleted from any object, a list item dropped or doubled (subjects re-hashed, as
  a forger would);
* the reading: every evidence field of every stored certificate is read by the checker.

A mutant the checker accepts fails the test unless its claim is independently true:
for an assignment table subject or a trading subject the library re-checks the mutated
claim from the mutated subject (which must load as a well-formed model, re-encoded to the
same JSON); any other accepted claim-changing mutant is a failure.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.certificates.helpers import stored_certificates
from verified.recheck.core import RecheckError, recheck, sha256
from verified.recheck.reader import parse_certificate

ROOT = Path(__file__).resolve().parents[2]
STORED = stored_certificates()
SMALL = [p for p in STORED if p.stat().st_size < 300_000 and not p.name.endswith(".gz")]
PROPERTIES = [
    "valid", "sp", "sp-anonymous", "ir", "nonwasteful", "ete", "anonymous", "ex-post-efficient",
    "ex-post-stable", "sd-efficient", "polarized", "menu-osp", "osp", "eopr-robust", "improving-trade",
    "no-improving-trade", "large-market-improves", "status-quo-unique", "one-improving-set",
    "choice-improves-bic", "choice-optimal-bic",
    "sp-dominator", "search", "equal", "weakly-dominates", "dominates",
]  # fmt: skip
MUTANTS_PER_FILE = 40


def _load(path: Path) -> dict[str, Any]:
    return parse_certificate(path.read_bytes())  # type: ignore[return-value]


def _claim(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return None
    subject = doc.get("subject")
    encoding = subject.get("encoding") if isinstance(subject, dict) else None
    return (doc.get("property"), doc.get("verdict"), json.dumps(encoding, sort_keys=True))


def _library_says(doc: dict[str, Any]) -> bool:
    """True when the library, from the mutated subject alone, reaches the mutated verdict."""
    from verified.errors import VerifiedError
    from verified.io.reader import parse_subject
    from verified.registry import BY_NAME, run_check

    encoding = doc["subject"]["encoding"]
    if encoding.get("family") == "trading":
        from tests.certificates.test_trading_tampering import claim_is_true

        return claim_is_true(doc)
    if encoding.get("family") == "statement":  # z3 decides the mutated statement afresh
        from verified.prove.api import statement_from_encoding
        from verified.prove.rows import Rows
        from verified.prove.search import decide

        try:
            table = Rows(statement_from_encoding(encoding))
            none = decide(table.all_rows(), table.all_clauses()).status == "unsat"
        except (VerifiedError, KeyError, TypeError, ValueError, IndexError):
            return False
        return none == ((doc["property"] == "impossible") == (doc["verdict"] == "holds"))
    if encoding.get("family") == "comparison":  # the library compares the mutated tables afresh
        return _comparison_is_true(doc)
    if encoding.get("family") != "assignment" or encoding.get("kind") != "table":
        return False
    if doc["property"] not in BY_NAME or doc["property"] in ("sp-anonymous", "ex-post-stable"):
        return False
    mech = encoding["mechanism"]
    domain = encoding["domain"]
    file_doc = {
        "format": "verified/assignment/1",
        "problem": encoding["problem"],
        "domain": {"kind": "full"} if domain == {"full": True} else {"kind": "restricted", **domain},
        "mechanism": {
            "numerators": mech["numerators"],
            "denominator": mech["denominator"],
            "name": mech["name"],
        },
    }
    try:
        subject = parse_subject(file_doc)
        return run_check(doc["property"], subject).verdict.value == doc["verdict"]
    except (VerifiedError, KeyError, TypeError, ValueError):
        return False


def _table_file(table: dict[str, Any]) -> dict[str, Any]:
    """A mechanism file holding a table subject's encoding (as `verified check` reads it)."""
    domain = table["domain"]
    return {
        "format": "verified/assignment/1",
        "problem": table["problem"],
        "domain": {"kind": "full"} if domain == {"full": True} else {"kind": "restricted", **domain},
        "mechanism": {k: table["mechanism"][k] for k in ("numerators", "denominator", "name")},
    }


def _comparison_is_true(doc: dict[str, Any]) -> bool:
    """True when the library, comparing the mutated certificate's two tables, reaches its claim."""
    from verified.compare.model import RELATION_REQUIREMENTS, satisfies
    from verified.compare.pairs import compare_tables
    from verified.errors import VerifiedError
    from verified.io.reader import parse_subject

    encoding = doc["subject"]["encoding"]
    if doc["property"] not in RELATION_REQUIREMENTS:
        return False
    try:
        old = parse_subject(_table_file(encoding["old"])).table
        new = parse_subject(_table_file(encoding["new"])).table
        relation = compare_tables(old, new).relation
    except (VerifiedError, KeyError, TypeError, ValueError):
        return False
    return satisfies(relation, doc["property"]) == (doc["verdict"] == "holds")


def _assert_rejected_or_true(original: dict[str, Any], mutant: Any, what: str) -> None:
    try:
        recheck(mutant)
    except RecheckError:
        return
    if _claim(mutant) == _claim(original):
        return  # the same claim, other valid evidence: nothing false was accepted
    assert _library_says(mutant), f"accepted a changed, false claim: {what}"


def _objects(node: Any, path: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(node, dict):
        out.append(path)
        for key, value in node.items():
            out.extend(_objects(value, (*path, key)))
    elif isinstance(node, list):
        for k, value in enumerate(node[:50]):
            out.extend(_objects(value, (*path, k)))
    return out


def _lists(node: Any, path: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_lists(value, (*path, key)))
    elif isinstance(node, list):
        if node:
            out.append(path)
        for k, value in enumerate(node[:50]):
            out.extend(_lists(value, (*path, k)))
    return out


def _at(doc: Any, path: tuple) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _rehash(doc: dict[str, Any]) -> dict[str, Any]:
    doc["subject"]["sha256"] = sha256(doc["subject"]["encoding"])
    return doc


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.name)
def test_other_properties_verdicts_and_kinds_are_rejected_unless_true(path):
    doc = _load(path)
    for prop in PROPERTIES:
        if prop != doc["property"]:
            _assert_rejected_or_true(doc, {**doc, "property": prop}, f"property -> {prop}")
    for verdict in ("holds", "fails"):
        if verdict != doc["verdict"]:
            _assert_rejected_or_true(doc, {**doc, "verdict": verdict}, f"verdict -> {verdict}")
    mutant = copy.deepcopy(doc)
    mutant["evidence"]["kind"] = "exhaustive" if doc["evidence"]["kind"] != "exhaustive" else "per_profile"
    with pytest.raises(RecheckError):
        recheck(mutant)


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.name)
def test_structural_mutants_are_rejected_unless_true(path):
    doc = _load(path)
    rng = random.Random(f"structure:{path.name}")
    objects = [p for p in _objects(doc) if p[:1] in (("evidence",), ("subject",))]
    lists = [p for p in _lists(doc) if p[:1] in (("evidence",), ("subject",))]
    for _ in range(MUTANTS_PER_FILE):
        mutant = copy.deepcopy(doc)
        action = rng.choice(["add", "delete", "drop", "double"])
        if action in ("add", "delete"):
            where = rng.choice(objects)
            node = _at(mutant, where)
            if action == "add":
                node[rng.choice(["note", "comment", "extra", "worst_cost"]) + "_x"] = rng.choice(
                    [0, "1/2", [], {}]
                )
            elif node:
                del node[rng.choice(sorted(node))]
        else:
            where = rng.choice(lists)
            node = _at(mutant, where)
            k = rng.randrange(len(node))
            if action == "drop":
                del node[k]
            else:
                node.insert(k, copy.deepcopy(node[k]))
        if where[:1] == ("subject",) and where[:2] != ("subject", "sha256"):
            _rehash(mutant) if isinstance(mutant.get("subject"), dict) and "encoding" in mutant[
                "subject"
            ] else None
        if mutant == doc:
            continue
        _assert_rejected_or_true(doc, mutant, f"{action} at {where}")


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_a_duplicated_key_or_a_truncated_file_is_rejected(path):
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        import gzip

        raw = gzip.decompress(raw)
    text = raw.decode("ascii")
    rng = random.Random(f"bytes:{path.name}")
    keys = sorted(
        {k for k in ("property", "verdict", "kind", "schema", "sha256", "family") if f'"{k}":' in text}
    )
    for key in keys:
        start = text.index(f'"{key}":')
        with pytest.raises(RecheckError, match="duplicate"):
            parse_certificate(text[:start] + f'"{key}":0,' + text[start:])
    for _ in range(5):
        cut = rng.randrange(1, len(raw) - 1)
        with pytest.raises(RecheckError):
            recheck(parse_certificate(raw[:cut]))


class Reads(dict):
    """A dict that records which of its keys were read: by ``[]`` or ``get``, by iterating its
    items or values (``json.dumps`` of a dict subclass goes through ``items``), and -- for the
    whole subtree -- by comparing it with ``==`` to an object the checker rebuilt (a whole-object
    comparison verifies every field in it)."""

    def __init__(self, *args: Any, log: set, path: tuple) -> None:
        super().__init__(*args)
        self.log, self.path = log, path

    def __getitem__(self, key: Any) -> Any:
        self.log.add((*self.path, key))
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self.log.add((*self.path, key))
        return super().get(key, default)

    def items(self):  # noqa: ANN201
        self.log.update((*self.path, k) for k in dict.keys(self))
        return super().items()

    def values(self):  # noqa: ANN201
        self.log.update((*self.path, k) for k in dict.keys(self))
        return super().values()

    def __eq__(self, other: object) -> bool:
        _mark_all(self)
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]


def _mark_all(node: Any) -> None:
    if isinstance(node, Reads):
        node.log.update((*node.path, k) for k in dict.keys(node))
        for value in dict.values(node):
            _mark_all(value)
    elif isinstance(node, list):
        for value in node:
            _mark_all(value)


def _tracked(node: Any, log: set, path: tuple) -> Any:
    if isinstance(node, dict):
        return Reads({k: _tracked(v, log, (*path, k)) for k, v in node.items()}, log=log, path=path)
    if isinstance(node, list):
        return [_tracked(v, log, (*path, "*")) for v in node]
    return node


def _keys(node: Any, path: tuple) -> set:
    out = set()
    if isinstance(node, dict):
        for key, value in node.items():
            out.add((*path, key))
            out |= _keys(value, (*path, key))
    elif isinstance(node, list):
        for value in node:
            out |= _keys(value, (*path, "*"))
    return out


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.name)
def test_every_evidence_field_is_read_by_the_checker(path):
    doc = _load(path)
    log: set = set()
    evidence = _tracked(doc["evidence"], log, ("evidence",))
    recheck({**doc, "evidence": evidence})
    unread = sorted(map(str, _keys(doc["evidence"], ("evidence",)) - log))
    assert not unread, f"fields the checker never reads (so never verifies): {unread[:10]}"
