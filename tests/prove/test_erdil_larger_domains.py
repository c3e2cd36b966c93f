"""Erdil's Propositions 1 and 2 on the full domains of n = 3, m = 2 (125 profiles) and, for the
controls, n = 2, m = 3 (256 profiles), from the example files (issue 10).

The impossibilities are re-verified by the standard-library checker (their proofs rename most
root cases: the statements name no agent or object). The n = 2, m = 3 proofs take one to two
minutes each: they are measured by ``python benchmarks/run.py prove`` and their stored
certificates (certificates/prove_erdil_proposition_*_2x3) are re-checked with the others. Each
control's witness is checked by the library's own SP, IR and dominance checks, which share no
code with `verified.prove`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.prove.test_prove import _tables
from verified.assignment.domain import Domain
from verified.assignment.properties.fosd import check_mechanism_dominance
from verified.assignment.properties.individual_rationality import check_individually_rational
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.io.statement import load_statement
from verified.prove.api import prove
from verified.recheck import recheck

STATEMENTS = Path(__file__).resolve().parents[2] / "examples" / "statements"


@pytest.mark.parametrize("name", ["erdil_proposition_1_3x2", "erdil_proposition_2_3x2"])
def test_the_proposition_holds_on_three_agents_and_two_objects(name):
    statement = load_statement(STATEMENTS / f"{name}.toml")
    assert len(statement.profiles) == 125
    outcome = prove(statement, timeout=300)
    assert outcome.verdict == "holds"
    assert recheck(outcome.certificate).startswith("impossible: holds")
    assert outcome.stats["renamed_cases"] > 0


@pytest.mark.parametrize("size", ["3x2", "2x3"])
def test_without_non_wastefulness_a_dominated_mechanism_exists(size):
    statement = load_statement(STATEMENTS / f"erdil_proposition_1_control_{size}.toml")
    outcome = prove(statement, timeout=300)
    assert outcome.verdict == "fails"
    recheck(outcome.certificate)
    tables = _tables(outcome.certificate, statement)
    domain = Domain.full(statement.problem)
    assert check_strategyproof(tables["f"], domain).holds
    assert check_individually_rational(tables["f"], domain).holds
    assert check_strategyproof(tables["g"], domain).holds
    assert check_mechanism_dominance(tables["g"], tables["f"], domain).holds
