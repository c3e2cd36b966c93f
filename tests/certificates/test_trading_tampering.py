"""Tampering suite for trading certificates (issue 8): an adversary edits a certificate; every
mutant whose claim is not independently shown true must be rejected by the checker.

Bases: every trading certificate stored in certificates/ and fresh certificates for every
trading property on every trading example file. Mutations: each number (+1, -1, negated, 0),
each integer / index (+1, -1, negative), each name, each boolean, the verdict, the property,
the evidence kind, each subject field (then the subject is re-hashed so the hash matches),
duplicated and dropped list items, dropped and added keys. A mutant the checker accepts must
have a TRUE claim: its subject loads in the library (built with the model's constructors, and
re-encoded to exactly the same JSON) and the library's own check of the property on it gives
the same verdict. Seeded sampling keeps the run short.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from tests.certificates.helpers import ROOT, rehash
from tests.certificates.mutations import replaced, walk
from tests.certificates.test_trading_subject_validation import fresh, library_subject
from verified.errors import InvalidInput
from verified.recheck import RecheckError, recheck
from verified.recheck.core import read_certificate
from verified.recheck.trading import recheck_trading

PROPS = (
    "polarized", "menu-osp", "eopr-robust", "no-improving-trade", "improving-trade", "osp",
    "one-improving-set",
)  # fmt: skip
# Properties whose certificates are about their own subject encoding (`PropertySpec.subject`):
# their bases are the stored certificates (format /3 example files).
OWN_SUBJECT_PROPS = (
    "large-market-improves", "status-quo-unique", "choice-improves-bic", "choice-optimal-bic",
)  # fmt: skip
EXAMPLE_FILES = (
    "binary_classification_polarized.toml",
    "binary_classification_crossed.toml",
    "eopr_low_status_quo.toml",
    "identical_performance.toml",
    "bilateral_mechanism.toml",
    "pseudo_market.toml",
)
SAMPLE = 220  # mutants per base certificate (seeded); all of them when there are fewer


def stored() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted((ROOT / "certificates").glob("*.cert.json*")):
        doc = read_certificate(path)
        if isinstance(doc, dict) and doc.get("subject", {}).get("encoding", {}).get("family") == "trading":
            out.append((path.name, doc))
    return out


def bases() -> list[tuple[str, dict[str, Any]]]:
    out = stored()
    for name in EXAMPLE_FILES:
        for prop in PROPS:
            if prop == "osp" and "mechanism" not in name and "market" not in name:
                continue  # format /1 files: osp runs on the EOPR table and myopic strategies
            doc = fresh(name, prop)
            if doc["verdict"] != "unknown":
                out.append((f"{Path(name).stem}.{prop} (fresh)", doc))
    return out


def _is_rational(text: str) -> bool:
    try:
        Fraction(text)
    except (ValueError, ZeroDivisionError):
        return False
    return "e" not in text.lower() and "_" not in text


def leaf_mutations(value: Any, names: list[str]) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, -value - 1, -value, 0]
    if isinstance(value, str) and _is_rational(value):
        x = Fraction(value)
        return [str(v) for v in {x + 1, x - 1, -x, Fraction(0), x / 2}]
    if isinstance(value, str):
        return [value + "x", ""] + [n for n in names if n != value][:2]
    return []


def structural(node: Any) -> list[Any]:
    """Duplicated / dropped items of a list, dropped / added keys of an object."""
    out: list[Any] = []
    if isinstance(node, list):
        for i in range(len(node)):
            out.append(node[: i + 1] + [copy.deepcopy(node[i])] + node[i + 1 :])
            out.append(node[:i] + node[i + 1 :])
        out.append(node[:-1])
    elif isinstance(node, dict):
        for k in node:
            out.append({q: v for q, v in node.items() if q != k})
        out.append({**node, "extra": 0})
    return out


def mutants(doc: dict) -> Iterator[tuple[str, dict]]:
    enc = doc["subject"]["encoding"]
    names = list(enc["tasks"]) + [a["name"] for a in enc["agents"]]
    yield "verdict", replaced(doc, ("verdict",), "fails" if doc["verdict"] == "holds" else "holds")
    for prop in PROPS + OWN_SUBJECT_PROPS:
        if prop != doc["property"]:
            yield f"property={prop}", replaced(doc, ("property",), prop)
    for root in ("evidence", "subject"):
        start = ("subject", "encoding") if root == "subject" else ("evidence",)
        node = doc
        for key in start:
            node = node[key]
        for path, value in walk(node, start):
            if path == ("subject", "encoding", "family"):
                continue
            variants = leaf_mutations(value, names) + structural(value)
            for v in variants:
                m = replaced(doc, path, v)
                yield (
                    f"{'/'.join(map(str, path))} -> {json.dumps(v)[:40]}",
                    rehash(m) if root == "subject" else m,
                )


def file_document(enc: dict) -> dict:
    """The format /3 document whose subject (for its property) is ``enc``: a large market, a
    program (1) economy or a Lemma 1 economy; fields the reconstruction does not carry make the
    re-encoding differ."""
    agents = []
    for a in enc["agents"]:
        if enc["kind"] == "large_market":
            keys = ("name", "endowment", "performance", "types", "probabilities")
            agents.append({k: a[k] for k in keys})
        elif enc["kind"] == "bic_economy":
            keys = ("name", "performance", "types", "probabilities", "beta")
            agents.append({"endowment": a["status_quo"], **{k: a[k] for k in keys}})
        else:
            costs = {k: v for k, v in a["cost_domain"].items() if k != "dimension"}
            agents.append(
                {"name": a["name"], "endowment": a["status_quo"], "costs": costs, "beta": a["beta"]}
            )
    return {"format": "verified/trading/3", "tasks": enc["tasks"], "agents": agents}


def own_subject_claim_is_true(doc: dict) -> bool:
    from verified.io.trading import parse_trading
    from verified.registry import run_check, subject_for

    enc = doc["subject"]["encoding"]
    try:
        subject = parse_trading(file_document(enc))
        if subject_for(doc["property"], subject) != enc:
            return False
        result = run_check(doc["property"], subject)
    except (InvalidInput, TypeError, ValueError, KeyError, AttributeError, IndexError):
        return False
    return result.verdict.value == doc["verdict"]


def claim_is_true(doc: dict) -> bool:
    """The library loads the subject (exactly as encoded) and its own check agrees."""
    from verified.io.trading import trading_subject
    from verified.registry import run_check

    enc = doc["subject"]["encoding"]
    if enc.get("kind") in ("large_market", "sq_mc_economy", "bic_economy"):
        return own_subject_claim_is_true(doc)
    osp = doc["property"] == "osp"
    try:
        subject = library_subject(enc)
        if trading_subject(subject, mechanism=osp) != enc:
            return False
        result = run_check(doc["property"], subject)
    except (InvalidInput, TypeError, ValueError, KeyError, AttributeError, IndexError):
        return False
    return result.verdict.value == doc["verdict"]


BASES = bases()


@pytest.mark.parametrize(("label", "doc"), BASES, ids=[b[0] for b in BASES])
def test_every_accepted_mutant_has_a_true_claim(label: str, doc: dict) -> None:
    recheck(doc)
    rng = random.Random(f"trading-tampering:{label}")
    every = list(mutants(doc))
    chosen = every if len(every) <= SAMPLE else rng.sample(every, SAMPLE)
    if not any(name == "verdict" for name, _ in chosen):
        chosen.append(every[0])
    wrong = []
    for name, mutant in chosen:
        if mutant == doc:
            continue
        try:
            recheck(mutant)
        except RecheckError:
            continue
        if not claim_is_true(mutant):
            wrong.append(name)
    assert not wrong, f"{label}: accepted mutants with unproved claims: {wrong[:10]}"


def test_the_mutation_campaign_is_not_empty() -> None:
    """Every trading kind (property x verdict) is a base, and each has many mutants."""
    kinds = {(d["property"], d["verdict"]) for _, d in BASES}
    assert kinds == {(p, v) for p in PROPS + OWN_SUBJECT_PROPS for v in ("holds", "fails")}
    assert all(sum(1 for _ in walk(d)) > 30 for _, d in BASES)


# --- every evidence key is read, and a change of it is rejected ---------------------------------------


class Recorder(dict):
    """A dict that records which keys the checker reads."""

    def __init__(self, data: dict, log: dict) -> None:
        super().__init__(data)
        self.read: set[str] = set()
        log[id(self)] = self

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)


def wrap(value: Any, log: dict, path: tuple = ()) -> Any:
    if isinstance(value, dict):
        rec = Recorder({k: wrap(v, log, (*path, k)) for k, v in value.items()}, log)
        rec.path = path  # type: ignore[attr-defined]
        return rec
    if isinstance(value, list):
        return [wrap(v, log, (*path, i)) for i, v in enumerate(value)]
    return value


@pytest.mark.parametrize(("label", "doc"), BASES, ids=[b[0] for b in BASES])
def test_every_evidence_key_is_read_and_verified(label: str, doc: dict) -> None:
    """Wherever the checker looks inside an evidence object, it reads every key; and for every
    key some change of its value (or its removal) is rejected."""
    log: dict[int, Recorder] = {}
    evidence = wrap(doc["evidence"], log)
    recheck_trading(doc["property"], doc["verdict"], evidence, doc["subject"]["encoding"])
    entered = [r for r in log.values() if r.read]
    assert entered, "the checker read no evidence field"
    for rec in entered:
        unread = set(rec) - rec.read
        assert not unread, f"{label}: evidence{list(rec.path)} keys never read: {sorted(unread)}"  # type: ignore[attr-defined]
    names = [a["name"] for a in doc["subject"]["encoding"]["agents"]]
    for rec in entered:
        path = ("evidence", *rec.path)  # type: ignore[attr-defined]
        for key in rec:
            value = dict.__getitem__(rec, key)
            variants = leaf_mutations(_plain(value), names) + structural(_plain(value))
            variants.append(None)  # wrong type
            if value is None:  # a null field: some value must be refused
                variants += [0, [names[0]]]
            rejected = False
            for v in variants:
                try:
                    recheck(replaced(doc, (*path, key), v))
                except RecheckError:
                    rejected = True
                    break
            assert rejected, f"{label}: no change of evidence{list(path[1:])}[{key!r}] is rejected"
            dropped = replaced(doc, path, {q: _plain(w) for q, w in dict.items(rec) if q != key})
            with pytest.raises(RecheckError):
                recheck(dropped)


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


# --- issue 8 regressions ------------------------------------------------------------------------------


def test_eopr_worst_cost_is_recomputed() -> None:
    """Issue 8: ``worst_cost`` set to -99 in the stored eopr-robust certificate was printed by
    ``explain`` and accepted by recheck. By hand: every profile of the two menus keeps the
    endowments (1,1), (1,1), costing (1,2).(1,1) + (2,1).(1,1) = 6, so the worst cost is 6."""
    doc = read_certificate(ROOT / "certificates" / "binary_classification_polarized.eopr-robust.cert.json")
    assert doc["evidence"]["worst_cost"] == "6"
    recheck(doc)
    for field, value in (
        ("worst_cost", "-99"),
        ("worst_cost", "5"),
        ("worst_profile", [2, 2]),
        ("profiles", 8),
        ("digest", "0" * 64),
        ("status_quo_cost", "7"),
    ):
        with pytest.raises(RecheckError, match=field.split("_")[0]):
            recheck(replaced(doc, ("evidence", field), value))
    with pytest.raises(RecheckError, match="cost"):
        recheck(replaced(doc, ("evidence", "selections", 0, "cost"), "5"))
    with pytest.raises(RecheckError, match="value"):
        recheck(replaced(doc, ("evidence", "worst", "cases", 0, "value"), "7"))


def test_unknown_combinations_are_refused() -> None:
    doc = read_certificate(ROOT / "certificates" / "binary_classification_polarized.polarized.cert.json")
    for prop, verdict, kind in (
        ("polarized", "holds", "separating_cost"),
        ("menu-osp", "holds", "per_agent"),  # per-agent items of the wrong kind
        ("sp", "holds", "per_agent"),
        ("osp", "holds", "exhaustive_smt"),
    ):
        bad = replaced(replaced(doc, ("property",), prop), ("verdict",), verdict)
        with pytest.raises(RecheckError):
            recheck(replaced(bad, ("evidence", "kind"), kind))
