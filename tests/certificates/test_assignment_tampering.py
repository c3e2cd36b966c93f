"""Tampering suite for assignment certificates: systematic mutants of every kind.

Base certificates: fresh ones for every assignment property (holds and fails) on small
examples (3 agents x 2 objects), a hand-made table that is not individually rational, and
the stored assignment certificates in certificates/ (the large ones sampled lightly).

Mutations (`mutations`): each number (+1, -1, 0, -1 as a negative index, another
fraction), each name or text (another agent, object, or an unknown name), the verdict,
the property, each list (truncated, first item duplicated, reversed), each object (a key
dropped, an unknown key added), the subject hash; a mutated subject is re-hashed, as a
forger would. A seeded sample of them is taken per certificate.

Oracle: a mutant is either rejected by `recheck`, or its claim is independently shown
true: the library loads the mutated subject (and encodes it back to the very same
subject) and its own check of the property gives the claimed verdict. Evidence mutants
must moreover be rejected outright unless they leave the evidence meaning the same
thing (`harmless`).
"""

from __future__ import annotations

import copy
import gzip
import json
import random
import re
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from tests.certificates.helpers import ROOT, example, rehash
from verified.certificates import build_certificate
from verified.io import parse_subject
from verified.recheck import RecheckError, recheck
from verified.registry import run_check, subject_for

PROPERTIES = [
    "valid",
    "sp",
    "ir",
    "nonwasteful",
    "ete",
    "anonymous",
    "ex-post-efficient",
    "sd-efficient",
    "ex-post-stable",
    "sp-anonymous",
]
FRESH = [
    ("my_mechanism.toml", ["valid", "sp", "ir", "nonwasteful", "ete", "anonymous", "ex-post-efficient"]),
    ("my_mechanism.toml", ["sd-efficient"]),
    ("boston_3x2.json", ["sp"]),
    ("erdil_remark2.toml", ["nonwasteful", "sd-efficient"]),
    ("rda_3x2.toml", ["ex-post-stable", "ex-post-efficient"]),
    ("rp_priorities_3x2.toml", ["ex-post-stable", "sp-anonymous", "anonymous", "ete"]),
]
SMALL_STORED = [
    "bogomolnaia_moulin.sd-efficient.cert.json",
    "boston_3x2.sp.cert.json",
    "erdil_remark2.ex-post-efficient.cert.json",
    "erdil_remark2.nonwasteful.cert.json",
    "rda_3x2.ex-post-stable.cert.json",
    "rp_priorities_3x2.ex-post-stable.cert.json",
    "serial_dictatorship_3x2.nonwasteful.cert.json",
    "serial_dictatorship_3x2.sp.cert.json",
]
MEDIUM_STORED = ["random_boston_3x3.sp.cert.json", "rp_4x3.sp-anonymous.cert.json"]
LARGE_STORED = ["rp_4x3.sp.cert.json.gz", "rp_5x3.sp-anonymous.cert.json.gz"]
PER_SMALL, PER_MEDIUM = 30, 5
#: checking these costs ~1 s per mutant (125 exact LP certificates): fewer samples
SLOW = {"sd-efficient": 10}
_RATIONAL = re.compile(r"-?[0-9]+(/[0-9]+)?")


def _fresh(name: str, prop: str) -> dict[str, Any]:
    subject = example(name)
    return json.loads(
        json.dumps(build_certificate(prop, run_check(prop, subject), subject_for(prop, subject)))
    )


def _not_ir() -> dict[str, Any]:
    """Serial dictatorship with one edit: at profile 0 (everyone reports the empty ranking)
    agent ann gets object a, which she finds unacceptable: valid, not individually rational."""
    base = _fresh("my_mechanism.toml", "valid")["subject"]["encoding"]
    nums = copy.deepcopy(base["mechanism"]["numerators"])
    nums[0][0] = [1, 0, 0]
    doc = {
        "format": "verified/assignment/1",
        "problem": base["problem"],
        "mechanism": {"name": "not ir", "numerators": nums, "denominator": 1},
    }
    subject = parse_subject(doc)
    return json.loads(
        json.dumps(build_certificate("ir", run_check("ir", subject), subject_for("ir", subject)))
    )


def _random_boston_3x2() -> dict[str, Any]:
    """Random Boston on 3 agents x 2 objects: anonymous and manipulable (sp-anonymous fails)."""
    source = {
        "format": "verified/assignment/1",
        "problem": {"agents": 3, "objects": ["a", "b"]},
        "mechanism": {"builtin": "random_boston"},
    }
    subject = parse_subject(source)
    prop = "sp-anonymous"
    return json.loads(
        json.dumps(build_certificate(prop, run_check(prop, subject), subject_for(prop, subject)))
    )


def _stored(name: str) -> dict[str, Any]:
    data = (ROOT / "certificates" / name).read_bytes()
    return json.loads(gzip.decompress(data) if name.endswith(".gz") else data)


# ----- the oracle ------------------------------------------------------------------------


def library_claim_holds(doc: dict[str, Any]) -> bool:
    """The library loads the certificate's subject, encodes it back identically, and its own
    check of the property gives the certificate's verdict."""
    prop, verdict, enc = doc["property"], doc["verdict"], doc["subject"]["encoding"]
    if prop not in PROPERTIES or not isinstance(enc, dict):
        return False
    try:
        if enc.get("kind") == "orbit_table":
            from verified.assignment.anonymous import OrbitTable, check_strategyproof_anonymous
            from verified.assignment.model import Problem
            from verified.io.canonical import orbit_subject

            p = enc["problem"]
            orbits = OrbitTable(
                Problem.make(p["agents"], p["objects"], p["capacities"]),
                tuple(tuple(r) for r in enc["rankings"]),
                np.array(enc["mechanism"]["numerators"], dtype=object),
                enc["mechanism"]["denominator"],
                enc["mechanism"]["name"],
                enc["mechanism"]["anonymity"],
            )
            if prop != "sp-anonymous" or orbit_subject(orbits) != enc:
                return False
            return check_strategyproof_anonymous(orbits).verdict.value == verdict
        domain = enc["domain"]
        source: dict[str, Any] = {
            "format": "verified/assignment/1",
            "problem": enc["problem"],
            "domain": {"kind": "full"} if domain == {"full": True} else {"kind": "restricted", **domain},
            "mechanism": {k: enc["mechanism"][k] for k in ("name", "denominator", "numerators")},
        }
        if "priorities" in enc:
            source["priorities"] = enc["priorities"]
        subject = parse_subject(source)
        if prop == "sp-anonymous" or subject_for(prop, subject) != enc:
            return False
        return run_check(prop, subject).verdict.value == verdict
    except Exception:  # noqa: BLE001 - the library refuses the subject: the claim is not shown true
        return False


# ----- mutations -------------------------------------------------------------------------


def _names(doc: dict[str, Any]) -> list[str]:
    problem = doc["subject"]["encoding"]["problem"]
    return [*problem["agents"], *problem["objects"], "outside", "zz"]


def _leaf_values(value: Any, names: list[str]) -> Iterator[tuple[Any, str]]:
    if isinstance(value, bool):
        yield not value, "flipped"
    elif isinstance(value, int):
        for new, label in ((value + 1, "+1"), (value - 1, "-1"), (0, "0"), (-1, "negative")):
            yield new, label
    elif isinstance(value, str) and _RATIONAL.fullmatch(value):
        q = Fraction(value)
        for new, label in ((q + 1, "+1"), (q - 1, "-1"), (Fraction(0), "0"), (Fraction(1, 7), "1/7")):
            yield str(new), label
    elif isinstance(value, str):
        for other in names:
            yield other, f"renamed {other}"
        yield value + "x", "altered text"


def mutations(doc: dict[str, Any], subject: bool = True) -> Iterator[tuple[str, tuple, Any]]:
    """(label, path, new value) for every mutation site of the certificate (of its evidence
    and envelope only when ``subject`` is false)."""
    names = _names(doc)
    for prop in PROPERTIES:
        yield f"property -> {prop}", ("property",), prop
    for verdict in ("holds", "fails"):
        yield f"verdict -> {verdict}", ("verdict",), verdict
    yield "subject hash", ("subject", "sha256"), "0" * 64

    def walk(value: Any, path: tuple) -> Iterator[tuple[str, tuple, Any]]:
        where = "/".join(map(str, path))
        if isinstance(value, dict):
            for key in list(value):
                yield f"{where}: drop {key!r}", path, {k: v for k, v in value.items() if k != key}
            yield f"{where}: unknown key", path, {**value, "extra": 1}
            for key, item in value.items():
                yield from walk(item, (*path, key))
        elif isinstance(value, list):
            if value:
                yield f"{where}: truncated", path, value[:-1]
                yield f"{where}: first item duplicated", path, [value[0], *value]
            if len(value) >= 2:
                yield f"{where}: reversed", path, value[::-1]
            for k, item in enumerate(value):
                yield from walk(item, (*path, k))
        else:
            for new, label in _leaf_values(value, names):
                yield f"{where}: {label}", path, new

    yield from walk(doc["evidence"], ("evidence",))
    if subject:
        yield from walk(doc["subject"]["encoding"], ("subject", "encoding"))


def apply(doc: dict[str, Any], path: tuple, value: Any) -> dict[str, Any] | None:
    out = json.loads(json.dumps(doc))
    node = out
    for key in path[:-1]:
        node = node[key]
    if node[path[-1]] == value and type(node[path[-1]]) is type(value):
        return None  # not a mutation
    node[path[-1]] = copy.deepcopy(value)
    return rehash(out) if path[:2] == ("subject", "encoding") else out


def harmless(doc: dict[str, Any], path: tuple, value: Any) -> bool:
    """Evidence edits that leave its meaning unchanged: another topological order of the
    objects (any order along the trading relation is one), or a zero written out or left out
    in a mapping where a missing entry means 0."""
    if path and path[-1] == "topological_order":
        return True
    node = doc
    for key in path[:-1]:
        node = node[key]
    old = node[path[-1]]
    if isinstance(old, dict) and isinstance(value, dict):
        dropped = set(old) - set(value)
        return set(value) <= set(old) and all(
            isinstance(old[k], str) and _RATIONAL.fullmatch(old[k]) and Fraction(old[k]) == 0 for k in dropped
        )
    return (
        isinstance(old, str)
        and isinstance(value, str)
        and _RATIONAL.fullmatch(old) is not None
        and (Fraction(old) == Fraction(value))
    )


def _run(doc: dict[str, Any], sample: int, seed: str) -> list[str]:
    """Problems found among the sampled mutants (none expected); at least one must be rejected."""
    recheck(doc)
    sites = list(mutations(doc))
    rng = random.Random(seed)
    top = [s for s in sites if s[1][0] in ("property", "verdict") or s[1] == ("subject", "sha256")]
    chosen = top + rng.sample(sites, min(sample, len(sites)))
    problems, rejected = [], 0
    for label, path, value in chosen:
        mutant = apply(doc, path, value)
        if mutant is None:
            continue
        try:
            recheck(mutant)
        except RecheckError:
            rejected += 1
            continue
        if path[0] == "evidence" and not harmless(doc, path, value):
            problems.append(f"evidence mutant accepted: {label}")
        elif not library_claim_holds(mutant):
            problems.append(f"accepted, but the library does not confirm the claim: {label}")
    assert rejected > len(chosen) // 2, f"only {rejected} of {len(chosen)} mutants rejected"
    return problems


CASES = [(f"{n}:{p}", n, p) for n, props in FRESH for p in props]


@pytest.mark.parametrize("case,name,prop", CASES, ids=[c[0] for c in CASES])
def test_fresh_certificate_mutants_are_rejected_unless_their_claim_is_true(case, name, prop):
    doc = _fresh(name, prop)
    assert _run(doc, SLOW.get(prop, PER_SMALL), case) == []


def test_not_individually_rational_certificate_mutants():
    doc = _not_ir()
    assert doc["verdict"] == "fails" and doc["evidence"]["kind"] == "unacceptable_share"
    assert _run(doc, PER_SMALL, "not-ir") == []


def test_orbit_manipulation_certificate_mutants():
    doc = _random_boston_3x2()
    assert doc["verdict"] == "fails" and doc["evidence"]["kind"] == "manipulation"
    assert _run(doc, PER_SMALL, "random-boston-3x2") == []


@pytest.mark.parametrize("name", SMALL_STORED)
def test_stored_certificate_mutants(name):
    assert _run(_stored(name), PER_SMALL, name) == []


@pytest.mark.parametrize("name", MEDIUM_STORED)
def test_medium_stored_certificate_mutants(name):
    assert _run(_stored(name), PER_MEDIUM, name) == []


@pytest.mark.parametrize("name", LARGE_STORED)
def test_large_stored_certificates_sampled(name):
    doc = _stored(name)
    sites = [s for s in mutations(doc, subject=False) if s[1][0] == "evidence"]
    label, path, value = random.Random(name).choice(sites)
    mutant = apply(doc, path, value)
    if mutant is not None:
        with pytest.raises(RecheckError):
            recheck(mutant)
    with pytest.raises(RecheckError):  # the subject hash (no re-hash)
        recheck(apply(doc, ("subject", "sha256"), "0" * 64))


def test_the_oracle_confirms_the_base_claims_and_refutes_a_flipped_verdict():
    doc = _fresh("boston_3x2.json", "sp")
    assert library_claim_holds(doc)
    flipped = copy.deepcopy(doc)
    flipped["verdict"] = "holds"
    assert not library_claim_holds(flipped)
