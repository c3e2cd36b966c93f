"""Statements about all mechanisms (issue 10): Erdil's Proposition 1, its control, Proposition 2
and the Reshuffling Lemma on small full domains, with certificates the standard-library checker
re-verifies and rejects once edited.

Independent evidence: a witness is turned into the library's tables and checked by the
library's own property checks (which share no code with `verified.prove`); a proof is
re-derived row by row by `verified.recheck.prove`; and the verdicts agree with z3's own
decision on random small statements.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from math import lcm

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.certificates.helpers import mutated, rehash
from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem
from verified.assignment.properties.fosd import check_mechanism_dominance
from verified.assignment.properties.individual_rationality import check_individually_rational
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.errors import InvalidInput
from verified.prove import Relation, Statement, Unknown
from verified.prove.api import prove
from verified.prove.search import Prover, decide
from verified.recheck import RecheckError, recheck


def erdil_proposition_1(n: int, objects: str, nonwasteful: bool = True) -> Statement:
    """f SP and non-wasteful (or only IR: the control), g SP and dominating f, on the full domain."""
    problem = Problem.make(n, objects)
    f = Unknown("f", ("sp", "nonwasteful") if nonwasteful else ("sp", "ir"))
    return Statement(
        problem, tuple(Domain.full(problem)), (f, Unknown("g", ("sp",))), (Relation("dominates", "g", "f"),)
    )


@pytest.fixture(scope="module")
def proposition_1():
    return prove(erdil_proposition_1(2, "ab"))


def test_erdil_proposition_1_holds_on_two_agents_and_two_objects(proposition_1):
    assert proposition_1.verdict == "holds"
    doc = proposition_1.certificate
    assert doc["evidence"]["kind"] == "case_split"
    assert recheck(doc).startswith("impossible: holds")
    assert proposition_1.stats["leaves"] == doc["evidence"]["leaves"] >= 1


def _tables(doc: dict, statement: Statement) -> dict[str, TabulatedMechanism]:
    """The witness as the library's tables (the full domain's order is the statement's)."""
    domain = Domain.full(statement.problem)
    assert tuple(domain) == statement.profiles
    out = {}
    for name, rows in doc["evidence"]["tables"].items():
        values = [[[Fraction(v) for v in row] for row in table] for table in rows]
        den = 1
        for table in values:
            for row in table:
                for v in row:
                    den = lcm(den, v.denominator)
        nums = np.array([[[int(v * den) for v in row] for row in table] for table in values], dtype=np.int64)
        out[name] = TabulatedMechanism(domain, nums, den, name)
    return out


def test_without_non_wastefulness_a_dominated_strategy_proof_mechanism_exists():
    """The control: the witness is checked by the library's own property checks."""
    statement = erdil_proposition_1(2, "ab", nonwasteful=False)
    outcome = prove(statement)
    assert outcome.verdict == "fails"
    tables = _tables(outcome.certificate, statement)
    domain = Domain.full(statement.problem)
    assert check_strategyproof(tables["f"], domain).holds
    assert check_individually_rational(tables["f"], domain).holds
    assert check_strategyproof(tables["g"], domain).holds
    assert check_mechanism_dominance(tables["g"], tables["f"], domain).holds


def test_erdil_proposition_2_holds_on_two_agents_and_two_objects():
    """An SP mechanism dominated by an SP mechanism of the same size at every profile: none."""
    problem = Problem.make(2, "ab")
    statement = Statement(
        problem,
        tuple(Domain.full(problem)),
        (Unknown("f", ("sp", "ir")), Unknown("g", ("sp",))),
        (Relation("dominates", "g", "f"), Relation("same-size", "g", "f")),
    )
    outcome = prove(statement)
    assert outcome.verdict == "holds"
    recheck(outcome.certificate)


def reshuffling(problem: Problem, profile) -> Statement:
    """Erdil's Reshuffling Lemma at one profile: gamma weakly dominates a non-wasteful omega, and
    some agent's total share differs between them (impossible)."""
    return Statement(
        problem,
        (profile,),
        (Unknown("omega", ("nonwasteful",)), Unknown("gamma")),
        (Relation("weakly-dominates", "gamma", "omega"), Relation("share-differs", "gamma", "omega")),
    )


@pytest.mark.parametrize(("n", "objects"), [(2, "ab"), (3, "ab"), (2, "abc")])
def test_the_reshuffling_lemma_holds_at_every_profile(n, objects):
    problem = Problem.make(n, objects)
    for profile in Domain.full(problem):
        outcome = prove(reshuffling(problem, profile))
        assert outcome.verdict == "holds", profile


def test_the_reshuffling_lemma_by_hand_on_one_agent_and_one_object():
    """One agent who wants a: non-wastefulness gives omega(a) = 1 (either her outside share is 0
    or a is fully assigned); gamma weakly dominating gives gamma(a) >= 1, and a's one copy
    gamma(a) <= 1, so both shares are 1 and cannot differ. The proof splits on the waste
    clause or on share-differs, and every leaf is a contradiction the checker re-derives."""
    problem = Problem.make(1, "a")
    outcome = prove(reshuffling(problem, (("a",),)))
    assert outcome.verdict == "holds"
    proof = outcome.certificate["evidence"]["proof"]
    assert "split" in proof and outcome.stats["leaves"] >= 2
    # without non-wastefulness omega may leave a unassigned: gamma then has more of a
    loose = Statement(
        problem,
        (("a",),),
        (Unknown("omega"), Unknown("gamma")),
        (Relation("weakly-dominates", "gamma", "omega"), Relation("share-differs", "gamma", "omega")),
    )
    witness = prove(loose)
    assert witness.verdict == "fails"
    tables = witness.certificate["evidence"]["tables"]
    assert Fraction(tables["gamma"][0][0][0]) > Fraction(tables["omega"][0][0][0])


def _first_leaf(tree: dict, path: list) -> list:
    while "leaf" not in tree:
        path += ["cases", 0]
        tree = tree["cases"][0]
    return path


def test_an_edited_proof_is_rejected(proposition_1):
    doc = proposition_1.certificate
    proof = doc["evidence"]["proof"]
    leaf_path = _first_leaf(proof, ["evidence", "proof"])
    node = doc
    for key in leaf_path:
        node = node[key]
    first = node["leaf"][0]
    doubled = [first[0], str(Fraction(first[1]) * 2)]
    edits = [
        mutated(doc, ("verdict",), "fails"),
        mutated(doc, ("property",), "exists"),
        mutated(doc, (*leaf_path, "leaf", 0), doubled),
        mutated(doc, (*leaf_path, "leaf"), node["leaf"][1:]),
        mutated(doc, ("evidence", "leaves"), doc["evidence"]["leaves"] + 1),
    ]
    if "split" in proof:
        edits.append(mutated(doc, ("evidence", "proof", "cases"), proof["cases"][:-1]))
    for edited in edits:
        with pytest.raises(RecheckError):
            recheck(edited)
    # a forger who also changes the subject and redoes its hash: f no longer non-wasteful
    weaker = copy.deepcopy(doc)
    weaker["subject"]["encoding"]["unknowns"][0]["properties"] = ["sp", "ir"]
    with pytest.raises(RecheckError):
        recheck(rehash(weaker))


def test_an_edited_witness_is_rejected():
    outcome = prove(erdil_proposition_1(2, "ab", nonwasteful=False))
    doc = outcome.certificate
    row = doc["evidence"]["tables"]["g"][0][0]
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("evidence", "tables", "g", 0, 0), [row[-1], *row[:-1]]))
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("verdict",), "holds"))


def test_statements_are_validated():
    problem = Problem.make(2, "ab")
    with pytest.raises(InvalidInput, match="unknown property"):
        Unknown("f", ("efficient",))
    with pytest.raises(InvalidInput, match="not an unknown"):
        Statement(problem, ((("a",), ("b",)),), (Unknown("f"),), (Relation("dominates", "g", "f"),))
    with pytest.raises(InvalidInput, match="twice"):
        Statement(problem, ((("a",), ("b",)), (("a",), ("b",))), (Unknown("f"),))
    with pytest.raises(InvalidInput, match="question"):
        Statement(problem, ((("a",), ("b",)),), (Unknown("f"),), question="maybe")


RANKINGS = [(), ("a",), ("b",), ("a", "b"), ("b", "a")]


@settings(max_examples=25, deadline=None)
@given(
    profiles=st.lists(
        st.tuples(st.sampled_from(RANKINGS), st.sampled_from(RANKINGS)), min_size=1, max_size=4, unique=True
    ),
    f_props=st.lists(st.sampled_from(["ir", "sp", "ete", "nonwasteful"]), unique=True),
    g_props=st.lists(st.sampled_from(["ir", "sp", "ete"]), unique=True),
    relations=st.lists(
        st.sampled_from(["dominates", "weakly-dominates", "same-size", "share-differs"]), unique=True
    ),
)
def test_every_verdict_agrees_with_z3_and_its_certificate_rechecks(profiles, f_props, g_props, relations):
    statement = Statement(
        Problem.make(2, "ab"),
        tuple(profiles),
        (Unknown("f", tuple(f_props)), Unknown("g", tuple(g_props))),
        tuple(Relation(kind, "g", "f") for kind in relations),
    )
    prover = Prover(statement)
    expected = decide(prover.rows, prover.clauses).status  # z3 alone, no cores, no LP
    outcome = prove(statement)
    assert outcome.verdict == ("holds" if expected == "unsat" else "fails")
    recheck(outcome.certificate)
