"""Bogomolnaia and Moulin (2001), Theorem 2 (issue 10): with four agents and four objects no
mechanism is SD-efficient, SD-strategy-proof and treats equals equally, here on the 81 profiles
in which every agent reports one of ``abcd``, ``badc``, ``bdac``
(examples/statements/bogomolnaia_moulin_theorem_2.toml), and dropping any one of the three
properties makes a mechanism exist (the three control files).

Independent evidence: the proof is re-derived by the standard-library checker; the minimal
profile set is checked to be minimal by proving, for each profile left out, that a mechanism
exists on the others (a witness the checker re-verifies); each control's witness is turned into
the library's table over the restricted domain and checked by the library's own SP, equal
treatment and SD-efficiency checks (which share no code with `verified.prove`), which must also
find that the witness violates the property that was dropped (else the theorem would fail on
these profiles); and the classical witnesses (PS, RP, serial dictatorship) pass the same checks.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from pathlib import Path

import numpy as np
import pytest

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.mechanisms import probabilistic_serial, random_priority, serial_dictatorship
from verified.assignment.properties.efficiency import check_sd_efficient
from verified.assignment.properties.equal_treatment import check_equal_treatment
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.io.statement import load_statement
from verified.prove import Statement, Unknown
from verified.prove.api import prove
from verified.recheck import recheck

STATEMENTS = Path(__file__).resolve().parents[2] / "examples" / "statements"
RANKINGS = ["abcd", "badc", "bdac"]
CHECKS = {"sp": check_strategyproof, "ete": check_equal_treatment, "sd-efficient": check_sd_efficient}


def _domain(statement: Statement) -> Domain:
    domain = Domain.restricted(statement.problem, [RANKINGS] * 4)
    assert tuple(domain) == statement.profiles  # the file's product is the library's domain
    return domain


def _table(rows: list, domain: Domain) -> TabulatedMechanism:
    values = [[[Fraction(v) for v in row] for row in table] for table in rows]
    den = lcm(*(v.denominator for table in values for row in table for v in row))
    nums = np.array([[[int(v * den) for v in row] for row in table] for table in values], dtype=np.int64)
    return TabulatedMechanism(domain, nums, den, "witness")


@pytest.fixture(scope="module")
def theorem():
    statement = load_statement(STATEMENTS / "bogomolnaia_moulin_theorem_2.toml")
    return statement, prove(statement, minimize=True, timeout=300)


def test_theorem_2_holds_with_a_certificate_the_checker_accepts(theorem):
    statement, outcome = theorem
    assert len(statement.profiles) == 81
    assert outcome.verdict == "holds"
    assert recheck(outcome.certificate).startswith("impossible: holds")
    kept = outcome.certificate["subject"]["encoding"]["profiles"]
    assert outcome.stats["minimal_profiles"] == len(kept) < 81


def test_the_profile_set_of_the_proof_is_minimal(theorem):
    """Leaving out any one profile of the proof's set, a mechanism with the three properties
    exists on the rest: its witness is re-checked by the independent checker."""
    statement, outcome = theorem
    kept = [statement.problem.profile(p) for p in outcome.certificate["subject"]["encoding"]["profiles"]]
    for left_out in range(len(kept)):
        rest = tuple(p for k, p in enumerate(kept) if k != left_out)
        smaller = Statement(statement.problem, rest, statement.unknowns)
        found = prove(smaller, timeout=120)
        assert found.verdict == "fails", left_out
        assert found.certificate["evidence"]["kind"] == "witness"
        assert "re-verified" in recheck(found.certificate)


@pytest.mark.parametrize("dropped", ["sp", "ete", "sd-efficient"])
def test_dropping_one_property_makes_a_mechanism_exist(dropped):
    statement = load_statement(STATEMENTS / f"bogomolnaia_moulin_without_{dropped.replace('-', '_')}.toml")
    (unknown,) = statement.unknowns
    assert set(unknown.properties) == set(CHECKS) - {dropped}
    outcome = prove(statement, timeout=120)
    assert outcome.verdict == "fails"
    recheck(outcome.certificate)
    domain = _domain(statement)
    witness = _table(outcome.certificate["evidence"]["tables"]["f"], domain)
    for name in unknown.properties:
        assert CHECKS[name](witness, domain).holds, name
    # Theorem 2 on these profiles: the witness must give up the dropped property
    assert CHECKS[dropped](witness, domain).fails
    # the prover tries the classical witnesses first: the first of serial dictatorship, RP, PS
    # with the two properties (SD is not fair; RP is not SD-efficient here, BM's profile being
    # among the 81; PS is not SP at n = 4)
    classical = {"sp": probabilistic_serial, "ete": serial_dictatorship, "sd-efficient": random_priority}
    mechanism = classical[dropped](statement.problem)
    for p, profile in enumerate(statement.profiles):
        expected = [[Fraction(v) for v in row] for row in mechanism(profile).matrix]
        got = [[Fraction(v) for v in row] for row in outcome.certificate["evidence"]["tables"]["f"][p]]
        assert got == expected, profile


@pytest.mark.parametrize(
    ("mechanism", "properties"),
    [
        (probabilistic_serial, ("ete", "sd-efficient")),  # Bogomolnaia and Moulin, Theorem 1
        (random_priority, ("sp", "ete")),  # Abdulkadiroglu and Sonmez (1998)
        (serial_dictatorship, ("sp", "sd-efficient")),  # deterministic and Pareto efficient
    ],
)
def test_the_classical_witnesses(mechanism, properties):
    """Each classical mechanism, as a fixed unknown, has its two properties on the 81 profiles
    (``exists`` holds), agreeing with the library's own checks, and lacks the third there."""
    base = load_statement(STATEMENTS / "bogomolnaia_moulin_theorem_2.toml")
    problem = base.problem
    unknown = Unknown("f", properties, mechanism(problem))
    outcome = prove(Statement(problem, base.profiles, (unknown,), question="exists"), timeout=120)
    assert outcome.verdict == "holds"
    recheck(outcome.certificate)
    domain = _domain(base)
    for name, check in CHECKS.items():
        assert check(mechanism(problem), domain).holds == (name in properties), name
