"""Trading files, certificates and their independent recheck (Valenzuela-Stookey)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.certificates.helpers import EXAMPLES, mutated
from verified.certificates import build_certificate
from verified.errors import InvalidInput
from verified.io import load_subject, parse_trading, subject_encoding
from verified.recheck import RecheckError, recheck
from verified.registry import run_check


def _cert(name: str, prop: str) -> dict:
    subject = load_subject(EXAMPLES / name)
    return build_certificate(prop, run_check(prop, subject), subject_encoding(subject))


def _dot(a, b):
    return sum(Fraction(x) * Fraction(y) for x, y in zip(a, b, strict=True))


def test_two_price_classification_polarized_iff_p1_le_p2():
    good = _cert("binary_classification_polarized.toml", "polarized")  # p1 = 1 <= p2 = 2
    bad = _cert("binary_classification_crossed.toml", "polarized")  # p1 = 2 > p2 = 1
    assert good["verdict"] == "holds" and bad["verdict"] == "fails"
    # re-verify the witnesses here: (1, -1) and (-1, 2) mix to >= 0, e.g. 2 (1, -1) + 1 (-1, 2) = (1, 0)
    pair = good["evidence"]["agents"][0]["evidence"]["pairs"][0]
    combo = [
        Fraction(pair["y_first"]) * a + Fraction(pair["y_second"]) * b
        for a, b in zip((1, -1), (-1, 2), strict=True)
    ]
    assert all(x >= 0 for x in combo) and (pair["y_first"], pair["y_second"]) != ("0", "0")
    c = bad["evidence"]["cost"]
    assert all(Fraction(x) >= 0 for x in c)
    assert _dot(c, (1, -2)) < 0 and _dot(c, (-1, 1)) < 0
    for doc in (good, bad):
        recheck(doc)
    with pytest.raises(RecheckError):
        recheck(mutated(bad, ("evidence", "cost"), ["1", "1"]))  # (1,1).(1,-2) < 0 but (1,1).(-1,1) = 0
    witnesses = good["evidence"]["agents"][0]["evidence"]["pairs"]
    with pytest.raises(RecheckError):
        recheck(
            mutated(good, ("evidence", "agents", 0, "evidence", "pairs"), [{**witnesses[0], "y_second": "0"}])
        )


def test_menu_osp_refutation_tree_and_counterexample():
    holds = _cert("binary_classification_polarized.toml", "menu-osp")
    fails = _cert("binary_classification_crossed.toml", "menu-osp")
    assert holds["verdict"] == "holds" and fails["verdict"] == "fails"
    recheck(holds)
    recheck(fails)
    tree = holds["evidence"]["agents"][0]["evidence"]
    with pytest.raises(RecheckError):  # drop one refuted branch: coverage breaks
        recheck(mutated(holds, ("evidence", "agents", 0, "evidence", "refuted"), tree["refuted"][1:]))
    with pytest.raises(RecheckError):  # drop an atom: the tree no longer covers the menu
        atoms = [per_k[1:] for per_k in tree["atoms"]]
        recheck(mutated(holds, ("evidence", "agents", 0, "evidence", "atoms"), atoms))
    row = fails["evidence"]["choices"][0]
    with pytest.raises(RecheckError):  # a point that is not on the deviation's ray
        recheck(mutated(fails, ("evidence", "choices", 0), {**row, "better_point": ["0", "0"]}))


def test_improving_trade_and_its_absence():
    trade = _cert("binary_classification_polarized.toml", "improving-trade")
    none = _cert("identical_performance.toml", "improving-trade")
    assert trade["verdict"] == "holds" and none["verdict"] == "fails"
    gamma = trade["evidence"]["gamma"]
    # Lemma 2 (ii) by hand: pi_1 - pi_2 = (1, 2) - (2, 1) = (-1, 1); (-1, 1) . gamma < 0
    assert _dot((-1, 1), gamma) < 0
    recheck(trade)
    recheck(none)
    with pytest.raises(RecheckError):
        recheck(mutated(trade, ("evidence", "gamma"), [str(-Fraction(g)) for g in gamma]))
    case = none["evidence"]["pairs"][0]["cases"][0]
    with pytest.raises(RecheckError):
        recheck(mutated(none, ("evidence", "pairs", 0, "cases"), none["evidence"]["pairs"][0]["cases"][1:]))
    with pytest.raises(RecheckError):
        bad_case = {**case, "y_low": "0", "y_high": "0", "y_performance": "0"}
        recheck(mutated(none, ("evidence", "pairs", 0, "cases", 0), bad_case))


def test_eopr_robustness_certificate():
    doc = _cert("binary_classification_polarized.toml", "eopr-robust")
    assert doc["verdict"] == "holds"
    # status quo cost by hand: pi_1 . eta_1 + pi_2 . eta_2 = (1, 2).(1, 1) + (2, 1).(1, 1) = 6
    assert doc["evidence"]["status_quo_cost"] == "6"
    recheck(doc)
    selections = doc["evidence"]["selections"]
    with pytest.raises(RecheckError):  # a profile without its selection
        recheck(mutated(doc, ("evidence", "selections"), selections[1:]))
    moved = {**selections[0], "allocation": [["2", "1"], ["0", "1"]]}  # clears, but not in {eta_j}
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("evidence", "selections"), [moved, *selections[1:]]))


def test_eopr_not_robust_when_the_status_quo_is_not_selectable():
    doc = _cert("eopr_low_status_quo.toml", "eopr-robust")
    assert doc["verdict"] == "fails"
    # by hand: sigma costs (1,2).(2,0) + (2,1).(0,2) = 4;
    # the menus hold only eta: (1,2).(1,1) + (2,1).(1,1) = 6
    assert doc["evidence"]["status_quo_cost"] == "4" and doc["evidence"]["eopr"]["cost"] == "6"
    recheck(doc)
    # with singleton pieces every price vector gives the exact bound 6 (p . n cancels), so the
    # certificate survives any prices; it does not survive a missing case or another subject
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("evidence", "eopr", "cases"), []))
    with pytest.raises(RecheckError):  # claimed for the robust economy's subject
        recheck(
            mutated(
                doc, ("subject",), _cert("binary_classification_polarized.toml", "eopr-robust")["subject"]
            )
        )


def test_trading_file_errors_name_the_place():
    base = {"format": "verified/trading/1", "tasks": ["A", "B"]}
    with pytest.raises(InvalidInput, match=r"agents\[0\].endowment\[1\]"):
        parse_trading({**base, "agents": [{"endowment": [1, 0.5]}]})
    with pytest.raises(InvalidInput, match=r"agents\[0\].menu\[0\]"):
        parse_trading({**base, "agents": [{"endowment": [1, 1], "menu": [{"circle": 1}]}]})
    with pytest.raises(InvalidInput, match=r"agents\[0\].costs.kind"):
        parse_trading({**base, "agents": [{"endowment": [1, 1], "costs": {"kind": "ball"}}]})
    subject = parse_trading({**base, "agents": [{"endowment": [1, "1/2"]}], "allow_float": True})
    assert subject_encoding(subject)["agents"][0]["endowment"] == ["1", "1/2"]


@settings(max_examples=20)
@given(st.data())
def test_random_ray_menus_recheck_and_flipped_verdicts_are_rejected(data):
    from verified.strategies.trading import non_monotone_directions, positive_points

    n = data.draw(st.integers(2, 3))
    eta = [data.draw(positive_points(n)) for _ in range(2)]
    rays = [data.draw(st.lists(non_monotone_directions(n), min_size=1, max_size=3)) for _ in range(2)]
    doc = {
        "format": "verified/trading/1",
        "tasks": [f"t{i}" for i in range(n)],
        "agents": [
            {
                "name": str(j + 1),
                "endowment": [str(x) for x in eta[j]],
                "performance": [str(j + i) for i in range(n)],
                "costs": {"kind": "box", "lo": ["1"] * n, "hi": ["2"] * n},
                "menu": [{"ray": [str(x) for x in d]} for d in rays[j]],
            }
            for j in range(2)
        ],
    }
    subject = parse_trading(doc)
    for prop in ("polarized", "improving-trade"):
        cert = build_certificate(prop, run_check(prop, subject), subject_encoding(subject))
        recheck(cert)
        flipped = mutated(cert, ("verdict",), "fails" if cert["verdict"] == "holds" else "holds")
        with pytest.raises(RecheckError):
            recheck(flipped)
