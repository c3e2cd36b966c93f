"""The independent checker re-validates an assignment subject as a well-formed model by itself.

Each rule here is one the library enforces when it loads a model (`Problem`, `Domain`,
`TabulatedMechanism`, `Priorities`, `OrbitTable`): a re-hashed subject that breaks it must be
rejected by `recheck`, and (the independent check written next to it) the library itself
must refuse to load the same subject. Issue 8 named duplicate agent names, priorities naming
unknown agents or objects, and a capacity of 1.5.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import numpy as np
import pytest

from tests.certificates.helpers import example, rehash
from verified.certificates import build_certificate
from verified.errors import InvalidInput
from verified.io import parse_subject
from verified.recheck import RecheckError, recheck
from verified.registry import run_check, subject_for


def _doc(name: str, prop: str) -> dict[str, Any]:
    subject = example(name)
    return build_certificate(prop, run_check(prop, subject), subject_for(prop, subject))


@pytest.fixture(scope="module")
def sp_doc():
    return _doc("my_mechanism.toml", "sp")  # serial dictatorship, 3 agents x 2 objects: holds


@pytest.fixture(scope="module")
def stable_doc():
    return _doc("rda_3x2.toml", "ex-post-stable")  # holds, subject carries the priorities


@pytest.fixture(scope="module")
def orbit_doc():
    return _doc("rp_priorities_3x2.toml", "sp-anonymous")  # random priority on orbits: holds


def library_loads(encoding: dict[str, Any]) -> None:
    """Load a table subject with the library's own reader (raises InvalidInput if malformed)."""
    domain = encoding["domain"]
    doc: dict[str, Any] = {
        "format": "verified/assignment/1",
        "problem": encoding["problem"],
        "domain": {"kind": "full"} if domain.get("full") is True else {"kind": "restricted", **domain},
        "mechanism": {k: encoding["mechanism"][k] for k in ("name", "denominator", "numerators")},
    }
    if "priorities" in encoding:
        doc["priorities"] = encoding["priorities"]
    parse_subject(doc)


def _edit(doc: dict[str, Any], change) -> dict[str, Any]:  # noqa: ANN001
    out = copy.deepcopy(doc)
    change(out["subject"]["encoding"])
    return rehash(out)


def _set_profile_rows(enc: dict[str, Any], value: Any) -> None:
    enc["mechanism"]["numerators"][0][0] = value


TABLE_RULES = [
    ("duplicate agent names", lambda e: e["problem"].update(agents=["ann", "ann", "cat"])),
    ("duplicate object names", lambda e: e["problem"].update(objects=["a", "a"])),
    ("empty agent name", lambda e: e["problem"].update(agents=["", "bob", "cat"])),
    ("an object named outside", lambda e: e["problem"].update(objects=["a", "outside"])),
    ("capacity 1.5", lambda e: e["problem"].update(capacities=[1.5, 1])),
    ("capacity 0", lambda e: e["problem"].update(capacities=[0, 1])),
    ("negative capacity", lambda e: e["problem"].update(capacities=[-1, 1])),
    ("boolean capacity", lambda e: e["problem"].update(capacities=[True, 1])),
    ("capacity as text", lambda e: e["problem"].update(capacities=["1", 1])),
    ("one capacity missing", lambda e: e["problem"].update(capacities=[1])),
    ("denominator 0", lambda e: e["mechanism"].update(denominator=0)),
    ("boolean denominator", lambda e: e["mechanism"].update(denominator=True)),
    ("negative numerator", lambda e: _set_profile_rows(e, [2, -1, 0])),
    ("boolean numerator", lambda e: _set_profile_rows(e, [False, False, True])),
    ("numerator 1.0", lambda e: _set_profile_rows(e, [0, 0, 1.0])),
    ("row too short", lambda e: _set_profile_rows(e, [0, 1])),
    ("profile missing", lambda e: e["mechanism"]["numerators"].pop()),
    ("restricted ranking with an unknown object", lambda e: e.update(domain={"preferences": [[["z"]]] * 3})),
    (
        "restricted ranking repeating an object",
        lambda e: e.update(domain={"preferences": [[["a", "a"]]] * 3}),
    ),
    ("a ranking listed twice in a domain", lambda e: e.update(domain={"preferences": [[["a"], ["a"]]] * 3})),
    ("an empty domain", lambda e: e.update(domain={"preferences": [[], [], []]})),
    ("full: false", lambda e: e.update(domain={"full": False})),
]


@pytest.mark.parametrize("name,change", TABLE_RULES, ids=[r[0] for r in TABLE_RULES])
def test_rehashed_malformed_table_subject_is_rejected_and_the_library_refuses_it_too(sp_doc, name, change):
    recheck(sp_doc)
    bad = _edit(sp_doc, change)
    with pytest.raises(RecheckError):
        recheck(bad)
    with pytest.raises((InvalidInput, KeyError, TypeError, ValueError)):
        library_loads(bad["subject"]["encoding"])


UNKNOWN_FIELDS = [
    ("subject", lambda e: e.update(note="x")),
    ("problem", lambda e: e["problem"].update(extra=1)),
    ("domain", lambda e: e["domain"].update(kind="full")),
    ("mechanism", lambda e: e["mechanism"].update(builtin="random_priority")),
    ("priorities on an sp subject", lambda e: e.update(priorities={"a": [["ann", "bob", "cat"]]})),
]


@pytest.mark.parametrize("name,change", UNKNOWN_FIELDS, ids=[r[0] for r in UNKNOWN_FIELDS])
def test_unknown_subject_fields_are_refused_at_every_level(sp_doc, name, change):
    with pytest.raises(RecheckError, match="unknown field|missing"):
        recheck(_edit(sp_doc, change))


PRIORITY_RULES = [
    ("an unknown agent", lambda p: p["a"].append(["zed"])),
    ("an unknown object", lambda p: p.update(z=[["1", "2", "3"]])),
    ("an object without an order", lambda p: p.pop("b")),
    ("an agent ranked twice", lambda p: p["a"].append(["1"])),
    ("an agent not ranked", lambda p: p.update(a=[["1", "2"]])),
    ("an empty tie class", lambda p: p["a"].append([])),
    ("a bare number as a class", lambda p: p["a"].append(3)),
    ("a bare name as a class", lambda p: p.update(a=["1", "2", "3"])),
]


@pytest.mark.parametrize("name,change", PRIORITY_RULES, ids=[r[0] for r in PRIORITY_RULES])
def test_malformed_priorities_are_rejected(stable_doc, name, change):
    recheck(stable_doc)
    bad = _edit(stable_doc, lambda e: change(e["priorities"]))
    with pytest.raises(RecheckError):
        recheck(bad)
    if name != "a bare name as a class":  # the file format accepts a bare name as a class of one
        with pytest.raises((InvalidInput, KeyError, TypeError, ValueError)):
            library_loads(bad["subject"]["encoding"])


def test_the_checker_refuses_the_bare_name_shorthand_that_the_canonical_encoding_never_writes(stable_doc):
    # Priorities.to_json writes every class as a list; a forger's bare names are refused
    bad = _edit(stable_doc, lambda e: e["priorities"].update(a=["1", "2", "3"]))
    with pytest.raises(RecheckError, match="expected a list"):
        recheck(bad)


def test_ex_post_stable_needs_the_priorities(stable_doc):
    with pytest.raises(RecheckError, match="priorities"):
        recheck(_edit(stable_doc, lambda e: e.pop("priorities")))


def test_a_domain_of_10_to_the_30_profiles_with_a_tiny_table_is_refused_at_once(sp_doc):
    # 30 objects: sum_k 30!/(30-k)! rankings per agent, far more than 125 profiles
    objects = [f"o{k}" for k in range(30)]

    def huge(e: dict[str, Any]) -> None:
        e["problem"].update(objects=objects, capacities=[1] * 30)

    bad = _edit(sp_doc, huge)
    start = time.perf_counter()
    with pytest.raises(RecheckError, match="full domain has more than 125"):
        recheck(bad)
    assert time.perf_counter() - start < 1.0
    # 10^30 profiles declared by a restricted domain: one ranking list per agent, 10^10 rankings
    # each, cannot be written down; a huge count from many agents is refused the same way
    many = _edit(
        sp_doc,
        lambda e: (
            e["problem"].update(agents=[f"x{k}" for k in range(100)]),
            e.update(domain={"full": True}),
        ),
    )
    start = time.perf_counter()
    with pytest.raises(RecheckError, match="more than 125"):
        recheck(many)
    assert time.perf_counter() - start < 1.0


def test_the_full_domain_size_formula_matches_the_library():
    from verified.assignment.domain import all_preferences
    from verified.recheck.assignment_subject import full_size

    for m in range(6):
        assert full_size(m, 10**9) == len(all_preferences("abcdef"[:m]))
    assert full_size(30, 10**6) is None


ORBIT_RULES = [
    ("duplicate agent names", lambda e: e["problem"].update(agents=["1", "1", "3"])),
    ("capacity 1.5", lambda e: e["problem"].update(capacities=[1.5, 1])),
    ("a ranking listed twice", lambda e: e["rankings"].append(list(e["rankings"][1]))),
    ("a ranking with an unknown object", lambda e: e["rankings"].__setitem__(1, ["z"])),
    ("another multiset numbering", lambda e: e.update(multiset_index="lex")),
    ("a block missing", lambda e: e["mechanism"]["numerators"].pop()),
    ("a row missing", lambda e: e["mechanism"]["numerators"][0].pop()),
    ("a negative entry", lambda e: e["mechanism"]["numerators"][0].__setitem__(0, [7, -1, 0])),
    ("anonymity not a string", lambda e: e["mechanism"].update(anonymity=1)),
    ("an unknown field", lambda e: e["mechanism"].update(extra="x")),
]


@pytest.mark.parametrize("name,change", ORBIT_RULES, ids=[r[0] for r in ORBIT_RULES])
def test_malformed_orbit_subjects_are_rejected(orbit_doc, name, change):
    recheck(orbit_doc)
    with pytest.raises(RecheckError):
        recheck(_edit(orbit_doc, change))


def test_an_orbit_table_over_capacity_is_rejected(orbit_doc):
    # every row gives object a with probability 1: at a multiset profile of 3 agents, a is
    # assigned 3 times with capacity 1 (the library's OrbitTable refuses it as well)
    from verified.assignment.anonymous import OrbitTable
    from verified.assignment.model import Problem

    def all_a(e: dict[str, Any]) -> None:
        den = e["mechanism"]["denominator"]
        e["mechanism"]["numerators"] = [
            [[den, 0, 0] for _ in block] for block in e["mechanism"]["numerators"]
        ]

    bad = _edit(orbit_doc, all_a)
    with pytest.raises(RecheckError, match="over capacity"):
        recheck(bad)
    enc = bad["subject"]["encoding"]
    problem = Problem.make(enc["problem"]["agents"], enc["problem"]["objects"], enc["problem"]["capacities"])
    with pytest.raises(InvalidInput):
        OrbitTable(
            problem,
            tuple(tuple(r) for r in enc["rankings"]),
            np.array(enc["mechanism"]["numerators"], dtype=np.int64),
            enc["mechanism"]["denominator"],
        )
