"""``status-quo-unique`` from trading files (Lemma 1 / Corollary 1), and ``--all`` on trading files.

Hand derivations. examples/corollary1_unique.toml: beta = 1, boxes [1,2]x[1,3] and [1,3]x[1,2]
meet in [1,2]^2, which has dimension 2 = I, so Corollary 1 says the status quo is the only
allocation satisfying (SQ) and (MC). examples/lemma1_slack.toml (beta = 2): m_1 = (0, 2),
m_2 = (3, 1) clears the market (3, 3) and satisfies (SQ): agent 1 needs 2 c_B <= 2 (2 c_A + c_B),
always true; agent 2 needs 3 c_A + c_B <= 2 (c_A + 2 c_B), i.e. c_A <= 3 c_B, true on [1,3]x[1,2].
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

from verified.certificates import build_certificate
from verified.io import load_subject
from verified.io.trading import parse_trading
from verified.recheck import recheck
from verified.registry import run_check, subject_for

ROOT = Path(__file__).resolve().parents[2]
PROP = "status-quo-unique"


def certify(subject):
    return build_certificate(PROP, run_check(PROP, subject), subject_for(PROP, subject))


def test_corollary1_example_holds():
    doc = certify(load_subject(ROOT / "examples" / "corollary1_unique.toml"))
    assert doc["verdict"] == "holds"
    recheck(doc)


def test_beta_two_example_fails_with_an_allocation_checked_by_hand():
    doc = certify(load_subject(ROOT / "examples" / "lemma1_slack.toml"))
    assert doc["verdict"] == "fails"
    m = [[F(x) for x in row] for row in doc["evidence"]["allocation"]]
    assert [m[0][i] + m[1][i] for i in range(2)] == [3, 3]  # (MC)
    for c_a in (1, 2, 3):  # (SQ) at the vertices of both boxes (linear in c)
        for c_b in (1, 2, 3):
            if c_a <= 2:
                assert c_a * m[0][0] + c_b * m[0][1] <= 2 * (2 * c_a + c_b)
            if c_b <= 2:
                assert c_a * m[1][0] + c_b * m[1][1] <= 2 * (c_a + 2 * c_b)
    assert m != [[2, 1], [1, 2]]
    recheck(doc)


def test_a_status_quo_other_than_the_endowment_is_the_sigma_of_lemma_1():
    """sigma = (1, 1) for both agents, supplies then (2, 2); with beta = 1 on the orthant no
    allocation but sigma satisfies (SQ) at the unit costs (m_j <= sigma_j) and (MC)."""
    doc = {
        "format": "verified/trading/3",
        "tasks": ["A", "B"],
        "agents": [
            {"name": "1", "endowment": [2, 0], "status_quo": [1, 1]},
            {"name": "2", "endowment": [0, 2], "status_quo": [1, 1]},
        ],
    }
    subject = parse_trading(doc)
    cert = certify(subject)
    assert [a["status_quo"] for a in cert["subject"]["encoding"]["agents"]] == [["1", "1"], ["1", "1"]]
    assert cert["verdict"] == "holds"
    recheck(cert)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "verified", *args], capture_output=True, text=True, cwd=ROOT, timeout=600
    )


def test_all_leaves_out_what_the_file_does_not_give():
    """A /1 file has no type distributions: --all checks the rest and never exits 2; a /3 file
    with types gets the large-market and program (1) properties too."""
    old = cli("check", "examples/eopr_low_status_quo.toml", "--all")
    assert old.returncode in (0, 1), old.stderr
    assert "large-market-improves" not in old.stdout and "status-quo-unique" in old.stdout
    new = cli("check", "examples/large_market.toml", "--all")
    assert new.returncode in (0, 1), new.stderr
    for name in ("large-market-improves", "choice-improves-bic", "choice-optimal-bic"):
        assert name in new.stdout
