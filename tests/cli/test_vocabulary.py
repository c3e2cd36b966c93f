"""One vocabulary of property names (issue 13, `verified.vocabulary`): every name a check reports
is a registry name or one of its documented aliases, HOLDS means the good thing holds, the trading
property is ``no-improving-trade`` (HOLDS when no bilateral trade improves on the status quo), and
the old name ``improving-trade`` keeps its old reading everywhere -- on the command line, in
certificates (which the independent checker re-derives, never trusts), in ``explain``.

Expected verdicts are derived by hand next to each test: with identical performance no trade
satisfies Lemma 2 (ii) ((pi' - pi'') . gamma = 0, never < 0), so none exists; in the polarized
two-price classification economy agent 1 takes gamma = (1, -1) from agent 2 (the stored
certificate's trade, whose Lemma 2 conditions a separate check re-derives here).
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from itertools import permutations, product
from pathlib import Path

import pytest
from hypothesis import given, settings

from verified.assignment.mechanisms import random_priority, serial_dictatorship
from verified.assignment.model import Problem
from verified.assignment.properties import (
    check_anonymous,
    check_equal_treatment,
    check_equal_treatment_assignment,
    check_individually_rational,
    check_individually_rational_assignment,
    check_nonwasteful,
    check_nonwasteful_assignment,
    check_strategyproof,
    check_wastefulness,
)
from verified.certificates import build_certificate
from verified.cli import main
from verified.errors import InvalidInput
from verified.explain import explain
from verified.io import load_subject
from verified.recheck import RecheckError, recheck
from verified.registry import BY_NAME, available, run_check, spec, subject_for
from verified.strategies.trading import economies
from verified.trading.bilateral import (
    check_bilateral_improvement,
    check_bilateral_trade,
    check_no_improving_trade,
)
from verified.vocabulary import ALIASES, FUNCTION_ALIASES, aliases_of, canonical, negation_of, reading

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NONE_EXISTS = EXAMPLES / "identical_performance.toml"  # identical performance: no trade
TRADE_EXISTS = EXAMPLES / "binary_classification_polarized.toml"  # agent 1 takes (1, -1) from 2


# --- the table ----------------------------------------------------------------------------------


def test_the_alias_table_is_consistent_with_the_registry():
    names = [a.name for a in ALIASES]
    assert len(names) == len(set(names))
    for alias in ALIASES:
        assert alias.canonical in BY_NAME, alias
        if alias.negated:
            assert canonical(alias.name) == alias.name and negation_of(alias.name) == alias.canonical
        else:
            assert alias.name not in BY_NAME and canonical(alias.name) == alias.canonical
            assert spec(alias.name) is BY_NAME[alias.canonical]
        assert alias.name in aliases_of(alias.canonical)
    for name in BY_NAME:
        assert canonical(name) == name
    assert BY_NAME["improving-trade"].negates == "no-improving-trade"
    assert [n for n, s in BY_NAME.items() if s.negates] == ["improving-trade"]


def test_reading_flips_only_an_old_reading_and_never_unknown():
    assert reading("improving-trade", "holds") == ("no-improving-trade", "fails")
    assert reading("improving-trade", "fails") == ("no-improving-trade", "holds")
    assert reading("improving-trade", "unknown") == ("no-improving-trade", "unknown")
    assert reading("strategyproof", "fails") == ("sp", "fails")
    assert reading("sp", "holds") == ("sp", "holds")
    assert reading("sp-dominator", "holds") == ("sp-dominator", "holds")  # not a registry name: as is


def test_an_unknown_name_is_still_refused():
    with pytest.raises(InvalidInput, match="unknown property 'wasteful'"):
        spec("wasteful")  # the negation of nonwasteful is not an alias: it would read backwards


# --- Python: every check reports a registry name or an alias of it -----------------------------


def _rp_4x3_remark2():
    problem = Problem.make(4, "abc")
    profile = problem.profile(["ab", "cb", "a", "c"])
    return problem, profile, random_priority(problem)(profile)


def test_the_assignment_checks_report_names_of_the_vocabulary():
    """Each check's own result name, mapped through the table, is the registry property it backs."""
    subject = load_subject(EXAMPLES / "rp_4x3.toml")
    table, domain = subject.table, subject.domain
    problem, profile, gamma = _rp_4x3_remark2()
    expected = {
        "sp": [check_strategyproof(table, domain)],
        "ir": [
            check_individually_rational(table, domain),
            check_individually_rational_assignment(gamma, profile),
        ],
        "ete": [check_equal_treatment(table, domain), check_equal_treatment_assignment(gamma, profile)],
        "anonymous": [check_anonymous(table, domain)],
        "nonwasteful": [check_nonwasteful(table, domain), check_nonwasteful_assignment(gamma, profile)],
    }
    for name, results in expected.items():
        for result in results:
            assert canonical(result.property) == name, (name, result.property)


def test_check_wastefulness_is_the_one_profile_nonwasteful_check():
    assert FUNCTION_ALIASES["verified.assignment.properties.check_wastefulness"].endswith(
        "check_nonwasteful_assignment"
    )
    assert check_wastefulness is check_nonwasteful_assignment
    # Erdil, Remark 2: RP gives agent 1 the outside option with probability 1/8 while b (which
    # she prefers) is assigned 3/4 only: wasteful, so "nonwasteful" FAILS
    _, profile, gamma = _rp_4x3_remark2()
    result = check_wastefulness(gamma, profile)
    assert result.property == "nonwasteful" and result.fails
    ev = result.evidence
    assert (ev["agent"], ev["y"], ev["z"]) == ("1", "outside", "b")
    assert (Fraction(ev["gamma_jy"]), Fraction(ev["z_column_sum"])) == (Fraction(1, 8), Fraction(3, 4))
    # serial dictatorship assigns every wanted object it can: never wasteful, so it HOLDS
    problem = Problem.make(3, "ab")
    for rankings in product(["", "a", "b", "ab", "ba"], repeat=3):
        prof = problem.profile(list(rankings))
        assert check_wastefulness(serial_dictatorship(problem)(prof), prof).holds


def test_run_check_accepts_a_spelling_and_reports_the_registry_name():
    subject = load_subject(EXAMPLES / "my_mechanism.toml")
    by_alias = run_check("strategyproof", subject)
    assert by_alias.property == "sp" and by_alias.holds  # serial dictatorship is strategy-proof
    assert by_alias.evidence == run_check("sp", subject).evidence
    assert run_check("individually_rational", subject).property == "ir"
    doc = build_certificate("strategyproof", by_alias, subject_for("strategyproof", subject))
    assert doc["property"] == "sp" and "re-verified" in recheck(doc)


# --- the trading property ------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "exists"), [(NONE_EXISTS, False), (TRADE_EXISTS, True)])
def test_no_improving_trade_holds_exactly_when_no_trade_exists_and_the_old_name_reads_the_other_way(
    path, exists
):
    subject = load_subject(path)
    new, old = run_check("no-improving-trade", subject), run_check("improving-trade", subject)
    assert (new.property, old.property) == ("no-improving-trade", "improving-trade")
    assert new.holds is (not exists) and old.holds is exists
    assert new.evidence == old.evidence  # one computation, two readings
    if exists:  # the trade is re-derived by the separate Lemma 2 check
        ev = new.evidence
        assert ev["kind"] == "bilateral_trade" and [Fraction(x) for x in ev["gamma"]] == [1, -1]
        economy = subject.economy
        assert check_bilateral_trade(economy, ev["agent_prime"], ev["agent_double_prime"], ev["gamma"]).holds
    else:
        assert new.evidence["kind"] == "no_bilateral_trade"


@pytest.mark.parametrize(("path", "code"), [(NONE_EXISTS, 0), (TRADE_EXISTS, 1)])
def test_the_cli_exits_0_when_no_improving_trade_exists(path, code, capsys, tmp_path):
    assert main(["check", str(path), "-p", "no-improving-trade", "--json", "-c", str(tmp_path)]) == code
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["property"] == "no-improving-trade"
    (cert,) = tmp_path.glob("*.cert.json")
    assert cert.name == f"{path.stem}.no-improving-trade.cert.json"
    assert main(["recheck", str(cert)]) == 0
    assert main(["explain", str(cert)]) == 0
    words = capsys.readouterr().out
    assert ("an improving bilateral trade exists" if code else "no bilateral trade improves") in words


def test_the_old_name_still_works_with_its_old_exit_codes(capsys):
    # an old CI gate "there is an improving trade" keeps exiting 0 when there is one, 1 when not
    assert main(["check", str(TRADE_EXISTS), "-p", "improving-trade", "-q"]) == 0
    assert main(["check", str(NONE_EXISTS), "-p", "improving-trade", "-q"]) == 1
    out = capsys.readouterr().out
    assert "the negation of no-improving-trade" in out  # the table says what the old name claims


def test_all_checks_each_claim_once():
    assert "no-improving-trade" in available("trading") and "improving-trade" not in available("trading")


def test_a_spelling_on_the_command_line_reports_the_registry_name(capsys, tmp_path):
    path = EXAMPLES / "my_mechanism.toml"
    assert main(["check", str(path), "-p", "strategyproof,sp", "--json", "-c", str(tmp_path)]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["property"] for r in results] == ["sp"]  # one property, asked twice
    assert [p.name for p in tmp_path.iterdir()] == ["my_mechanism.sp.cert.json"]
    assert main(["check", str(path), "-p", "wasteful"]) == 2
    assert "unknown property 'wasteful'" in capsys.readouterr().err


@pytest.mark.parametrize("path", [NONE_EXISTS, TRADE_EXISTS])
def test_the_checker_rederives_each_reading_and_accepts_only_equivalent_renamings(path):
    """A certificate under one name, renamed to the other, is accepted only with the verdict
    flipped too (the same claim); renamed alone it claims the opposite and is rejected."""
    subject = load_subject(path)
    for name in ("no-improving-trade", "improving-trade"):
        doc = build_certificate(name, run_check(name, subject), subject_for(name, subject))
        assert "re-verified" in recheck(doc)
        other = "improving-trade" if name == "no-improving-trade" else "no-improving-trade"
        flipped = {"holds": "fails", "fails": "holds"}[doc["verdict"]]
        for mutant, accepted in (
            ({**doc, "property": other}, False),
            ({**doc, "verdict": flipped}, False),
            ({**doc, "property": other, "verdict": flipped}, True),
        ):
            if accepted:
                assert "re-verified" in recheck(copy.deepcopy(mutant))
                assert run_check(other, subject).verdict.value == flipped  # and it is true
            else:
                with pytest.raises(RecheckError):
                    recheck(copy.deepcopy(mutant))


@pytest.mark.parametrize(
    ("stored", "now"),
    [
        ("bilateral_trade.improving-trade.cert.json", "FAILS"),
        ("identical_performance.improving-trade.cert.json", "HOLDS"),
    ],
)
def test_stored_old_certificates_recheck_and_explain_under_both_names(stored, now, capsys):
    path = ROOT / "certificates" / stored
    assert main(["recheck", str(path)]) == 0
    assert main(["explain", str(path)]) == 0
    assert f"reads no-improving-trade: {now}" in capsys.readouterr().out
    doc = json.loads(path.read_text())
    assert explain(doc).splitlines()[0].startswith("improving-trade: ")  # check's lines stay as they were


_HALVES = [Fraction(k, 2) for k in range(-2, 3)]


@settings(max_examples=25, deadline=None)
@given(economy=economies())
def test_no_improving_trade_is_the_negation_and_no_small_trade_refutes_a_holds(economy):
    """For all small economies: the two readings disagree exactly, and when no-improving-trade
    HOLDS, no trade gamma with entries in {-1, -1/2, 0, 1/2, 1} between any two agents (either
    way) satisfies Lemma 2 by the separate check of a given trade; when it FAILS, its trade does."""
    new, old = check_no_improving_trade(economy), check_bilateral_improvement(economy)
    assert new.property == "no-improving-trade" and canonical(old.property) == "bilateral_improvement"
    assert negation_of(old.property) == "no-improving-trade"
    assert new.verdict.value == reading(old.property, old.verdict.value)[1]
    if new.fails:
        ev = new.evidence
        assert check_bilateral_trade(economy, ev["agent_prime"], ev["agent_double_prime"], ev["gamma"]).holds
        return
    for a, b in permutations(economy.agents, 2):
        for gamma in product(_HALVES, repeat=economy.n_tasks):
            if any(gamma):
                assert not check_bilateral_trade(economy, a, b, list(gamma)).holds, (a, b, gamma)
