"""A bilateral trade moves from the status quo sigma, not from the endowment eta
(Valenzuela-Stookey, section 2.1 and Lemma 2: "agent j' is offered the option to keep their
status quo or trade to sigma_j' + gamma"). A trading file may give a ``status_quo`` other than
its endowment; ``no-improving-trade`` and the checker must then read (i) and the sign
constraints at sigma. Found by a red-team campaign: both read eta, so a false HOLDS and a false
FAILS were written and re-verified.

Every expected verdict is derived by hand in the test's comments, and a trade is re-checked
here against Lemma 2's four conditions with plain Fractions.
"""

from __future__ import annotations

import copy
import tomllib
from fractions import Fraction

import pytest

from tests.certificates.helpers import rehash
from verified.certificates import build_certificate
from verified.errors import InvalidInput
from verified.io.trading import parse_trading
from verified.recheck import RecheckError, recheck
from verified.registry import run_check, subject_for

BOX = 'costs = { kind = "box", lo = [1, 1], hi = [2, 2] }\nmenu = []\n'


def economy_text(eta: tuple[str, str], sigma: tuple[str, str] | None) -> str:
    """Two agents, tasks A and B, performance (1, 2) and (2, 1), cost box [1, 2]^2 each."""
    out = 'format = "verified/trading/1"\ntasks = ["A", "B"]\n'
    for name, e, s, pi in (
        ("1", eta[0], sigma and sigma[0], "[1, 2]"),
        ("2", eta[1], sigma and sigma[1], "[2, 1]"),
    ):
        out += f'[[agents]]\nname = "{name}"\nendowment = {e}\nperformance = {pi}\n{BOX}'
        if s is not None:
            out += f"status_quo = {s}\n"
    return out


def subject(eta: tuple[str, str], sigma: tuple[str, str] | None = None):
    return parse_trading(tomllib.loads(economy_text(eta, sigma)), source="sq.toml")


def certificate(subj) -> dict:
    result = run_check("no-improving-trade", subj)
    return build_certificate("no-improving-trade", result, subject_for("no-improving-trade", subj))


def lemma2_holds(sigma, pi, gamma) -> bool:
    """Lemma 2 (i)-(iv) for agents 1 (j') and 2 (j''), both with cost box [1, 2]^2: a box's
    min / max of gamma . c take lo where gamma_i >= 0 (min) and hi (max), the other end otherwise."""
    g = [Fraction(x) for x in gamma]
    feasible = all(s + x >= 0 for s, x in zip(sigma[0], g, strict=True)) and all(
        s - x >= 0 for s, x in zip(sigma[1], g, strict=True)
    )
    cheaper = sum((a - b) * x for a, b, x in zip(pi[0], pi[1], g, strict=True)) < 0
    low = sum(x * (1 if x >= 0 else 2) for x in g) < 0
    high = sum(x * (2 if x >= 0 else 1) for x in g) > 0
    return feasible and cheaper and low and high


PI = ((1, 2), (2, 1))


def test_a_trade_from_the_status_quo_is_found_where_the_endowment_allows_none() -> None:
    # eta = (2, 0), (0, 2); sigma = (1, 1) each. From eta, (i) forces gamma_B >= 0 >= gamma_A (for
    # either order of the pair), so (pi_1 - pi_2) . gamma = -gamma_A + gamma_B >= 0 and (ii) fails:
    # no trade. From sigma, gamma = (1, -1) (agent 1 gives B, takes A) has (i) (2, 0), (0, 2) >= 0,
    # (ii) -2 < 0, (iii) min 1 - 2 = -1 < 0, (iv) max 2 - 1 = 1 > 0: an improving trade.
    from_eta = certificate(subject(("[2, 0]", "[0, 2]")))
    assert from_eta["verdict"] == "holds"
    recheck(from_eta)
    doc = certificate(subject(("[2, 0]", "[0, 2]"), ("[1, 1]", "[1, 1]")))
    assert doc["verdict"] == "fails"
    ev = doc["evidence"]
    sigma = ((1, 1), (1, 1))
    gamma = [Fraction(x) for x in ev["gamma"]]
    if ev["agent_prime"] == "2":  # the same trade seen from the other side
        gamma = [-x for x in gamma]
    assert lemma2_holds(sigma, PI, gamma)
    recheck(doc)
    # the endowment's HOLDS evidence, moved onto the status-quo subject, proves nothing there
    forged = copy.deepcopy(from_eta)
    forged["subject"] = doc["subject"]
    with pytest.raises(RecheckError):
        recheck(forged)


def test_no_trade_from_the_status_quo_where_the_endowment_allows_one() -> None:
    # eta = (1, 1) each; sigma = (2, 0), (0, 2). From eta, gamma = (1, -1) is improving (as above
    # with sigma and eta swapped). From sigma, for j' = 1: (i) sigma_1 + gamma >= 0 and
    # sigma_2 - gamma >= 0 give gamma_B >= 0 and gamma_A <= 0, so (ii) -gamma_A + gamma_B < 0
    # fails; for j' = 2 (delta = (1, -1)): gamma_A >= 0 >= gamma_B, and gamma_A - gamma_B < 0
    # fails too. No improving trade.
    from_eta = certificate(subject(("[1, 1]", "[1, 1]")))
    assert from_eta["verdict"] == "fails"
    assert lemma2_holds(((1, 1), (1, 1)), PI, from_eta["evidence"]["gamma"]) or lemma2_holds(
        ((1, 1), (1, 1)), PI, [-Fraction(x) for x in from_eta["evidence"]["gamma"]]
    )
    doc = certificate(subject(("[1, 1]", "[1, 1]"), ("[2, 0]", "[0, 2]")))
    assert doc["verdict"] == "holds"
    recheck(doc)
    # the endowment's trade, claimed on the status-quo subject, breaks (i) there
    forged = copy.deepcopy(from_eta)
    forged["subject"] = doc["subject"]
    with pytest.raises(RecheckError, match=r"\(i\)"):
        recheck(forged)


def test_a_status_quo_must_be_an_allocation() -> None:
    # sigma = (1, 1), (1, 5): task A sums to 2 (the supply), task B to 6 (the supply is 2)
    with pytest.raises(InvalidInput, match=r"sq\.toml: agents\[\*\]\.status_quo.*'B' sums to 6"):
        subject(("[1, 1]", "[1, 1]"), ("[1, 1]", "[1, 5]"))
    with pytest.raises(InvalidInput, match=r"agents\[0\]\.status_quo\[0\].*>= 0"):
        subject(("[1, 1]", "[1, 1]"), ("[-1, 1]", "[3, 1]"))
    # the checker refuses a subject whose status quo does not clear, even re-hashed
    doc = certificate(subject(("[1, 1]", "[1, 1]"), ("[2, 0]", "[0, 2]")))
    bad = copy.deepcopy(doc)
    bad["subject"]["encoding"]["agents"][1]["status_quo"] = ["0", "5"]
    with pytest.raises(RecheckError, match="status quo of task 'B' does not sum to its supply"):
        recheck(rehash(bad))
    negative = copy.deepcopy(doc)
    negative["subject"]["encoding"]["agents"][0]["status_quo"] = ["3", "-1"]
    negative["subject"]["encoding"]["agents"][1]["status_quo"] = ["-1", "3"]
    with pytest.raises(RecheckError):
        recheck(rehash(negative))


def test_a_supply_past_the_digit_limit_does_not_break_the_checker() -> None:
    # two endowments of 4,300 nines in task A: each number obeys the digit rule, their sum (the
    # supply, 4,301 digits) is never printed by the checker (a red-team finding: the status-quo
    # check formatted it eagerly and every trading certificate of such a file was rejected)
    from verified.numbers import max_digits

    big = "9" * max_digits()
    text = economy_text((f'["{big}", "1"]', f'["{big}", "1"]'), None)
    subj = parse_trading(tomllib.loads(text), source="supply.toml")
    doc = build_certificate("polarized", run_check("polarized", subj), subject_for("polarized", subj))
    assert doc["verdict"] == "holds"  # no rays in the menus: polarized trivially
    recheck(doc)


def test_a_certificate_the_checker_could_not_read_is_not_written(tmp_path, capsys) -> None:
    # the same supply: eopr-robust's evidence states the status-quo cost, here
    # (1, 2) . (10^4300 - 1, 1) + (2, 1) . (10^4300 - 1, 1) = 3 x 10^4300: 4,301 digits;
    # the verdict is kept (the same exit code as without -c) and the file is not written
    from verified.cli import main
    from verified.numbers import max_digits

    big = "9" * max_digits()
    path = tmp_path / "supply.toml"
    path.write_text(economy_text((f'["{big}", "1"]', f'["{big}", "1"]'), None))
    out = tmp_path / "certs"
    assert main(["check", str(path), "-p", "polarized,eopr-robust", "-q"]) == 0
    capsys.readouterr()
    assert main(["check", str(path), "-p", "polarized,eopr-robust", "-q", "-c", str(out)]) == 0
    assert (
        "eopr-robust: supply.eopr-robust.cert.json: its evidence carries a number" in capsys.readouterr().err
    )
    assert sorted(p.name for p in out.iterdir()) == ["supply.polarized.cert.json"]
