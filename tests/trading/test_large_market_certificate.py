"""``large-market-improves``: format verified/trading/3, the certificate, the stdlib checker, the CLI.

Expected values come from hand derivations: issue 12's instance is worked by hand in
`test_large_market.test_worked_instance_confirms_32_3_against_status_quo_16` (value 32/3, status
quo (1,3).(2,2) + (3,1).(2,2) = 16); with identical performance pi every allocation that clears
the market costs pi . n, so the status quo (12 = (1,2).(4,4)) is optimal and the property FAILS.
The targeted attacks below forge the ways a dishonest certificate could claim a smaller optimum.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.certificates.helpers import rehash
from tests.trading.test_large_market import tiny_markets
from verified.certificates import build_certificate
from verified.errors import InvalidInput
from verified.io import load_subject
from verified.io.trading import parse_trading
from verified.recheck import RecheckError, recheck
from verified.registry import run_check, subject_for
from verified.trading.large_market.certify import (
    check_large_market_improves,
    large_market_of,
    large_market_subject,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PROP = "large-market-improves"


def certificate(path: Path) -> dict:
    subject = load_subject(path)
    return json.loads(
        json.dumps(build_certificate(PROP, run_check(PROP, subject), subject_for(PROP, subject)))
    )


@pytest.fixture(scope="module")
def issue_instance() -> dict:
    return certificate(EXAMPLES / "large_market.toml")


def doc3(**agent_changes) -> dict:
    """Issue 12's instance as a format /3 document; keyword arguments replace agent 1's fields."""
    doc = {
        "format": "verified/trading/3",
        "tasks": ["A", "B"],
        "agents": [
            {"name": "1", "endowment": [2, 2], "performance": [1, 3], "types": [[1, 1], [1, 2], [3, 1]]},
            {
                "name": "2",
                "endowment": [2, 2],
                "performance": [3, 1],
                "types": [[2, 1], [1, 3]],
                "probabilities": ["1/2", "1/2"],
            },
        ],
    }
    doc["agents"][0].update(agent_changes)
    return doc


# ---- the format ---------------------------------------------------------------------------


def test_format_3_reads_types_probabilities_and_beta():
    doc = doc3(probabilities=["1/2", "1/4", "1/4"], beta="3/2")
    doc["agents"][1]["beta"] = 1
    subject = parse_trading(doc)
    first = subject.distributions[0]
    assert first.types == ((1, 1), (1, 2), (3, 1))
    assert first.probabilities == (F(1, 2), F(1, 4), F(1, 4))
    assert subject.distributions[1].probabilities == (F(1, 2), F(1, 2))
    assert subject.beta == (F(3, 2), 1)
    assert subject.menus[0][0].points == ((2, 2),)  # no menu given: {eta}


def test_uniform_probabilities_by_default():
    assert parse_trading(doc3()).distributions[0].probabilities == (F(1, 3),) * 3


@pytest.mark.parametrize(
    ("doc", "place"),
    [
        ({**doc3(), "format": "verified/trading/2"}, "agents[0].types"),
        (doc3(probabilities=["1/2", "1/2"]), "agents[0].probabilities"),
        (doc3(probabilities=["1/2", "1/2", "1/2"]), "agents[0].probabilities"),
        (doc3(probabilities=[1, 0, 0]), "agents[0].probabilities[1]"),
        (doc3(types=[[1, 1], [1, 1]]), "agents[0].types[1]"),
        (doc3(types=[[1, -1]]), "agents[0].types[0][1]"),
        (doc3(types=[[1, 1, 1]]), "agents[0].types[0]"),
        (doc3(types=[]), "agents[0].types"),
        (doc3(types="1,1"), "agents[0].types"),
        (doc3(types=[[1.5, 1]]), "agents[0].types[0][0]"),
        (doc3(beta="1/2"), "agents[0].beta"),
        (doc3(beta=2), "agents[1].beta"),  # beta for one agent only
        (doc3(costs={"kind": "box", "lo": [1, 1], "hi": [2, 2]}), "agents[0].types[2]"),
    ],
)
def test_bad_format_3_documents_are_refused_naming_the_place(doc, place):
    with pytest.raises(InvalidInput) as info:
        parse_trading(doc)
    assert place in str(info.value)


def test_types_for_some_agents_only_are_refused():
    doc = doc3()
    del doc["agents"][1]["types"], doc["agents"][1]["probabilities"]
    with pytest.raises(InvalidInput, match=r"agents\[1\]\.types"):
        parse_trading(doc)


def test_the_large_market_needs_types_positive_costs_and_eta_as_status_quo():
    with pytest.raises(InvalidInput, match="format verified/trading/3"):
        check_large_market_improves(load_subject(EXAMPLES / "binary_classification_polarized.toml"))
    with pytest.raises(InvalidInput, match=r"agents\[0\]\.types\[0\]\[1\].*strictly positive"):
        check_large_market_improves(parse_trading(doc3(types=[[1, 0]])))  # the loader allows 0
    with pytest.raises(InvalidInput, match="status quo"):
        doc = doc3(status_quo=[1, 1])
        doc["agents"][1]["status_quo"] = [3, 3]
        check_large_market_improves(parse_trading(doc))


# ---- verdicts and certificates --------------------------------------------------------------


def test_issue_instance_holds_with_value_32_3(issue_instance):
    doc = issue_instance
    assert doc["verdict"] == "holds"
    assert F(doc["evidence"]["value"]) == F(32, 3) and F(doc["evidence"]["status_quo_cost"]) == 16
    assert doc["evidence"]["prices"] == ["3", "1"]
    assert "re-verified" in recheck(doc)


def test_identical_performance_fails_with_the_status_quo_optimal():
    doc = certificate(EXAMPLES / "large_market_identical.toml")
    assert doc["verdict"] == "fails"
    assert F(doc["evidence"]["value"]) == F(doc["evidence"]["status_quo_cost"]) == 12
    recheck(doc)


def test_three_tasks_use_the_virtual_unit_types():
    """I = 3: every set of real types is listed 2^3 times (with each subset of e_1, e_2, e_3)."""
    doc = certificate(EXAMPLES / "large_market_3tasks.toml")
    assert doc["verdict"] == "holds"
    sets = doc["evidence"]["agents"][0]["support"]["sets"]
    assert len(sets) == (2**2 - 1) * 2**3 and all(len(s["multipliers"]) == 2 + 3 for s in sets)
    recheck(doc)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(market=tiny_markets())
def test_every_certified_optimum_rechecks(market):
    result = check_large_market_improves(market)
    if result.unknown:
        return
    doc = json.loads(json.dumps(build_certificate(PROP, result, large_market_subject(market))))
    recheck(doc)
    flipped = {**doc, "verdict": "fails" if doc["verdict"] == "holds" else "holds"}
    with pytest.raises(RecheckError):
        recheck(flipped)


# ---- targeted attacks: each forges a smaller optimum or a different claim -------------------


def rejected(doc: dict, match: str) -> None:
    with pytest.raises(RecheckError, match=match):
        recheck(doc)


def test_a_changed_value_or_verdict_is_rejected(issue_instance):
    doc = copy.deepcopy(issue_instance)
    doc["evidence"]["value"] = "10"
    rejected(doc, "evidence.value")
    doc = copy.deepcopy(issue_instance)
    doc["verdict"] = "fails"
    rejected(doc, "fails needs")
    doc = copy.deepcopy(issue_instance)
    doc["evidence"]["status_quo_cost"] = "11"
    rejected(doc, "status_quo_cost")


def test_crossing_rays_are_not_a_mechanism(issue_instance):
    """Rays (1, -2) and (-2, 1): t (1,-2) + (1-t)(-2,1) >= 0 needs t >= 2/3 and t <= 1/3."""
    doc = copy.deepcopy(issue_instance)
    menu = doc["evidence"]["agents"][0]["menus"][1]
    menu["displacements"] = [["1", "-2"], ["-2", "1"]]
    rejected(doc, "not polarized")


def test_a_choice_that_is_not_myopic_is_rejected(issue_instance):
    """Type (3, 1) facing ray (2, -2) pays 3*2 - 2 = 4 > 0: it keeps eta (option 0), never the ray."""
    doc = copy.deepcopy(issue_instance)
    menu = doc["evidence"]["agents"][0]["menus"][1]
    assert menu["displacements"] == [["2", "-2"]] and menu["choices"][2] == 0
    menu["choices"][2] = 1
    rejected(doc, "not a least-cost choice")


def test_a_smaller_subset_bound_is_recomputed(issue_instance):
    doc = copy.deepcopy(issue_instance)
    sets = doc["evidence"]["agents"][0]["support"]["sets"]
    sets[-1]["bound"] = "0"
    rejected(doc, "bound: stated 0")
    doc = copy.deepcopy(issue_instance)
    sets = doc["evidence"]["agents"][0]["support"]["sets"]
    sets[-1]["multipliers"] = ["-1", "0", "2/3"]  # type 0 is a member: its multiplier must be >= 0
    rejected(doc, "wrong sign")


def test_a_missing_set_or_a_lower_support_value_is_rejected(issue_instance):
    doc = copy.deepcopy(issue_instance)
    del doc["evidence"]["agents"][0]["support"]["sets"][-1]
    rejected(doc, "one per set")
    doc = copy.deepcopy(issue_instance)
    doc["evidence"]["agents"][0]["support"]["value"] = "5"
    rejected(doc, "support.value")


def test_weights_and_market_clearing_are_recomputed(issue_instance):
    doc = copy.deepcopy(issue_instance)
    doc["evidence"]["agents"][0]["menus"][0]["weight"] = "1"
    rejected(doc, "weights sum")
    doc = copy.deepcopy(issue_instance)
    doc["evidence"]["agents"][1]["menus"] = doc["evidence"]["agents"][1]["menus"][:1]
    doc["evidence"]["agents"][1]["menus"][0]["weight"] = "1"
    rejected(doc, "allocation")


def test_a_changed_subject_is_rejected_unless_the_claim_is_true(issue_instance):
    """Agent 1's performance on task B from 3 to 1: the recomputed status-quo cost and mechanism
    cost change, so the stated numbers no longer match; a zero cost is outside the model."""
    doc = copy.deepcopy(issue_instance)
    doc["subject"]["encoding"]["agents"][0]["performance"] = ["1", "1"]
    rejected(rehash(doc), "reduced cost is positive|stated")
    doc = copy.deepcopy(issue_instance)
    doc["subject"]["encoding"]["agents"][0]["types"][0] = ["0", "1"]
    rejected(rehash(doc), "must be > 0")


# ---- the CLI -----------------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "verified", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_cli_exit_codes_and_recheck(tmp_path):
    out = cli("check", "examples/large_market.toml", "--property", PROP, "--certificate-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    out = cli("check", "examples/large_market_identical.toml", "--property", PROP)
    assert out.returncode == 1 and "the status quo (12) is optimal" in out.stdout
    cert = tmp_path / "large_market.large-market-improves.cert.json"
    assert cli("recheck", str(cert)).returncode == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (EXAMPLES / "large_market.toml")
        .read_text()
        .replace("[[1, 1], [1, 2], [3, 1]]", "[[1, 1], [1, 0], [3, 1]]")
    )
    out = cli("check", str(bad), "--property", PROP)
    assert out.returncode == 2 and "strictly positive" in out.stderr and "Traceback" not in out.stderr
    out = cli("check", "examples/binary_classification_polarized.toml", "--property", PROP)
    assert out.returncode == 2 and "verified/trading/3" in out.stderr


def test_a_failing_master_lp_gives_unknown_not_a_traceback(monkeypatch):
    """The master LP is always feasible (the status-quo columns); if the solver ever said otherwise
    the answer is UNKNOWN with the reason, and the mechanism is the status quo."""
    from verified.lp import LPResult
    from verified.trading.large_market import program

    monkeypatch.setattr(program, "solve_exact", lambda lp: LPResult("unknown", reason="planted"))
    market = large_market_of(load_subject(EXAMPLES / "large_market.toml"))
    solution = program.solve_large_market(market)
    assert not solution.optimal and "planted" in solution.reason
    assert solution.primal_value == solution.status_quo_cost == 16
    assert check_large_market_improves(market).unknown


def test_a_bracketed_optimum_still_shows_a_gain_with_the_mechanism_alone():
    """examples/large_market_bracket.toml: S_2 is not exact at the final prices, so the optimum is
    only bracketed; the mechanism found costs less than the status quo 46 = (4,3,3).(3,2,2) +
    (5,1,3).(3,1,2) = 24 + 22, which the checker re-derives from the menus alone."""
    subject = load_subject(EXAMPLES / "large_market_bracket.toml")
    result = run_check(PROP, subject)
    assert result.holds and result.evidence["kind"] == "large_market_mechanism"
    low, high = result.stats["bracket"]
    assert low < high == F(result.evidence["mechanism_cost"]) < 46
    doc = json.loads(json.dumps(build_certificate(PROP, result, subject_for(PROP, subject))))
    recheck(doc)
    forged = copy.deepcopy(doc)
    forged["evidence"]["mechanism_cost"] = "40"
    rejected(forged, "mechanism_cost")
    forged = copy.deepcopy(doc)
    forged["verdict"] = "fails"
    rejected(forged, "fails needs the optimum")
    forged = copy.deepcopy(doc)
    forged["evidence"]["status_quo_cost"] = "40"
    rejected(forged, "status_quo_cost")
    forged = copy.deepcopy(doc)
    forged["evidence"]["agents"][0]["menus"][0]["weight"] = "1"
    rejected(forged, "weights sum")


def test_no_gain_and_no_certified_optimum_is_unknown():
    """With every S_j forced past its support limit, the status-quo column is all the master has:
    the mechanism costs the status quo and no lower bound is certified, so the answer is UNKNOWN."""
    market = large_market_of(load_subject(EXAMPLES / "large_market.toml"))
    result = check_large_market_improves(market, max_support=1)
    assert result.unknown and "no certified lower bound" in result.reason
