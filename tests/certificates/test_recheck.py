"""The independent checker accepts real certificates and rejects tampered ones."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.certificates.helpers import certificate, example, mutated, rehash
from verified.io import AssignmentSubject
from verified.recheck import RecheckError, recheck
from verified.strategies import problems, small_domains, tabulated_mechanisms


@pytest.fixture(scope="module")
def boston():
    return example("boston_3x2.json")


@pytest.fixture(scope="module")
def dictatorship():
    return example("my_mechanism.toml")


def _cumulative(table, profile_index, agent, prefix):
    cols = [table.problem.columns.index(x) for x in prefix]
    return sum((table.entry(profile_index, agent, c) for c in cols), Fraction(0))


def test_sp_counterexample_is_a_real_manipulation_and_rechecks(boston):
    doc = certificate(boston, "sp")
    assert doc["verdict"] == "fails"
    ev = doc["evidence"]
    table, domain = boston.table, boston.domain
    agent = table.problem.agent_index(ev["agent"])
    truthful = domain.index(tuple(tuple(p) for p in ev["profile"]))
    lying_profile = [tuple(p) for p in ev["profile"]]
    lying_profile[agent] = tuple(ev["misreport"])
    lying = domain.index(tuple(lying_profile))
    # re-verify the witness here, with the table's own Fractions
    assert ev["prefix"][: len(ev["true_preference"])] == ev["true_preference"][: len(ev["prefix"])]
    assert _cumulative(table, lying, agent, ev["prefix"]) > _cumulative(table, truthful, agent, ev["prefix"])
    assert Fraction(ev["truthful_cumulative"]) == _cumulative(table, truthful, agent, ev["prefix"])
    assert "re-verified" in recheck(doc)


def test_boston_hand_derived_manipulation_exists(boston):
    # Boston, priority ann > bob > cat, profile ann: a; bob: a b; cat: b.
    # Truthful: round 1 ann gets a, cat gets b, bob is rejected and b is full: bob gets nothing.
    # bob reports "b" instead: in round 1 bob and cat apply to b, bob has priority: bob gets b.
    table, domain = boston.table, boston.domain
    truthful = domain.index((("a",), ("a", "b"), ("b",)))
    lying = domain.index((("a",), ("b",), ("b",)))
    assert table.entry(truthful, 1, 2) == 1  # bob: outside
    assert table.entry(lying, 1, 1) == 1  # bob: b


@pytest.mark.parametrize("prop", ["valid", "sp", "ir", "nonwasteful"])
def test_holds_certificates_of_serial_dictatorship_recheck(dictatorship, prop):
    doc = certificate(dictatorship, prop)
    assert doc["verdict"] == "holds"
    recheck(doc)


def _table_edit(doc, profile, agent, delta_from, delta_to):
    """Move 1/d of probability in one row (keeps the row sum; the table stays plausible)."""
    nums = doc["subject"]["encoding"]["mechanism"]["numerators"]
    row = nums[profile][agent]
    row[delta_from] -= 1
    row[delta_to] += 1
    return doc


MUTATIONS = [
    ("schema", lambda d: mutated(d, ("schema",), "verified-certificate/0")),
    ("subject hash", lambda d: mutated(d, ("subject", "sha256"), "0" * 64)),
    (
        "one numerator, no rehash",
        lambda d: mutated(d, ("subject", "encoding", "mechanism", "denominator"), 2),
    ),
    ("verdict flipped", lambda d: mutated(d, ("verdict",), "fails" if d["verdict"] == "holds" else "holds")),
    ("digest altered", lambda d: mutated(d, ("evidence", "table_digest"), "f" * 64)),
]


@pytest.mark.parametrize("name,mutate", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_tampered_holds_certificate_is_rejected(dictatorship, name, mutate):
    doc = certificate(dictatorship, "sp")
    recheck(doc)
    with pytest.raises(RecheckError):
        recheck(mutate(doc))


def test_changed_table_with_rehash_is_rejected_by_the_digest_or_the_property(dictatorship):
    import numpy as np

    from verified.assignment.properties._common import array_digest

    doc = certificate(dictatorship, "ir")
    assert doc["verdict"] == "holds"
    # profile 0: everyone reports the empty ranking, all outside; give agent 0 object a: not IR,
    # and the evidence's table digest no longer matches
    edited = rehash(_table_edit(doc, 0, 0, 2, 0))
    with pytest.raises(RecheckError, match="table_digest"):
        recheck(edited)
    mechanism = edited["subject"]["encoding"]["mechanism"]
    digest = array_digest(np.array(mechanism["numerators"], dtype=object), mechanism["denominator"])
    with pytest.raises(RecheckError, match="not individually rational"):
        recheck(mutated(edited, ("evidence", "table_digest"), digest))


SP_WITNESS_MUTATIONS = [
    ("agent swapped", lambda ev, t: {**ev, "agent": next(a for a in t.problem.agents if a != ev["agent"])}),
    ("misreport swapped", lambda ev, t: {**ev, "misreport": ev["true_preference"]}),
    ("prefix changed", lambda ev, t: {**ev, "prefix": ["b", "a", "a"]}),
    ("cumulative changed", lambda ev, t: {**ev, "misreport_cumulative": "1/3"}),
    ("row changed", lambda ev, t: {**ev, "truthful_row": {**ev["truthful_row"], "outside": "1/2"}}),
]


@pytest.mark.parametrize("name,mutate", SP_WITNESS_MUTATIONS, ids=[m[0] for m in SP_WITNESS_MUTATIONS])
def test_tampered_counterexample_is_rejected(boston, name, mutate):
    doc = certificate(boston, "sp")
    recheck(doc)
    bad = mutated(doc, ("evidence",), mutate(doc["evidence"], boston.table))
    with pytest.raises(RecheckError):
        recheck(bad)


def test_fails_certificate_on_a_table_without_the_violation_is_rejected(boston, dictatorship):
    # Boston's counterexample pasted onto serial dictatorship's table: no manipulation there
    bad = certificate(boston, "sp")
    good = certificate(dictatorship, "sp")
    forged = mutated(bad, ("subject",), good["subject"])
    with pytest.raises(RecheckError):
        recheck(forged)


def test_unknown_verdict_claims_nothing_but_needs_a_reason(dictatorship):
    doc = certificate(dictatorship, "sp")
    doc = mutated(doc, ("verdict",), "unknown")
    doc["evidence"] = {"kind": "unknown"}
    with pytest.raises(RecheckError, match="reason"):
        recheck(doc)
    doc["reason"] = "time-out after 1 s"
    assert "nothing claimed" in recheck(doc)


@settings(max_examples=25)
@given(st.data())
def test_recheck_agrees_with_the_checks_on_random_tables(data):
    problem = data.draw(problems(max_agents=3, max_objects=2, max_capacity=2))
    domain = data.draw(small_domains(problem))
    table = data.draw(tabulated_mechanisms(domain, individually_rational=data.draw(st.booleans())))
    subject = AssignmentSubject(problem, domain, table)
    for prop in ("sp", "ir", "nonwasteful", "ete"):
        doc = certificate(subject, prop)
        recheck(doc)
        # the opposite verdict, with the same evidence, never passes
        flipped = mutated(doc, ("verdict",), "fails" if doc["verdict"] == "holds" else "holds")
        with pytest.raises(RecheckError):
            recheck(flipped)
