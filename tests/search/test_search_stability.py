"""The search with ex post stability (Erdil, Proposition 3(ii)) and the base's checked SP (issue 12)."""

from __future__ import annotations

import copy
import itertools
import json
from fractions import Fraction

import pytest

from tests.search.shared import D4, P4, ROOT
from verified.assignment.domain import Domain
from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.model import Problem
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.recheck.core import sha256
from verified.recheck.search import RecheckError, recheck_search_certificate
from verified.search import find_dominating_mechanism
from verified.search.bases import base_mechanism

APPENDIX = [[[0, 1, 2, 3]], [[0, 1, 2, 3]], [[1, 2, 3], [0]]]  # a, b: 1-4 tied; c: 2-4 tied above 1
OTHERS = ("ca", "cb", "c")
NBHD = [(r, *OTHERS) for r in D4.preferences[0]]


def _blocked(matching, profile, tiers) -> bool:
    """Written here from Erdil's section 3: waste or a priority violation (tiers: lower is higher)."""
    for i, pref in enumerate(profile):
        held = matching[i]
        better = pref if held == "outside" else pref[: pref.index(held)]
        for x in better:
            k = "abc".index(x)
            tier = {a: t for t, members in enumerate(tiers[k]) for a in members}
            holders = [j for j, y in enumerate(matching) if y == x]
            if not holders or any(tier[j] > tier[i] for j in holders):
                return True
    return False


@pytest.fixture(scope="module")
def prop3ii():
    spec = {"mechanism": "random_deferred_acceptance", "priorities": APPENDIX}
    out = find_dominating_mechanism(
        base_mechanism(D4, spec), D4, neighbourhood=NBHD, ex_post_stable=APPENDIX, base_spec=spec
    )
    return out


def test_prop3ii_as_the_paper_states_it(prop3ii):
    out = prop3ii
    assert out.found
    recheck_search_certificate(out.certificate)
    ev = out.result.evidence
    # Erdil, appendix (proof of Prop. 3(ii)): agent 1 gains 1/12 of b at (a b, c a, c b, c) and 1/12 of a
    # at (b a, c a, c b, c). RDA there is RP (c's priority never binds: agent 1 does not rank c), so
    # her RDA share of b is RP's 1/6 (hand count in test_dominate) and g gives 1/6 + 1/12 = 1/4.
    g = out.mechanism
    assert g(P4.profile(["ab", *OTHERS])).matrix[0][1] == Fraction(1, 4)
    assert g(P4.profile(["ba", *OTHERS])).matrix[0][0] == Fraction(1, 4)
    assert ev["base_checked"] == {
        "profiles": 16**4,
        "misreports": 16**4 * 4 * 15,
        "properties": ["sp", "ex-post-stable"],
    }
    # every matching in every lottery is stable (our own scan) and the lottery adds up to g
    for (_, prof), items in ev["lotteries"]:
        total = [[Fraction(0)] * 4 for _ in range(4)]
        for matching, weight in items:
            assert not _blocked(matching, prof, APPENDIX), (prof, matching)
            for i, x in enumerate(matching):
                total[i][["a", "b", "c", "outside"].index(x)] += Fraction(weight)
        assert [list(r) for r in g(P4.profile(["".join(r) for r in prof])).matrix] == total


def test_stability_makes_the_difference():
    # c: agent 1 alone above 2-4 (the appendix's c with agent 1 moved to the top); a, b: all tied.
    # Hand facts: at (c a b, c a, c b, c) agent 1 ranks c first with top priority for it, so every
    # stable matching gives her c (else she and c block); RDA gives her c with probability 1.
    tiers = [[[0, 1, 2, 3]], [[0, 1, 2, 3]], [[0], [1, 2, 3]]]
    spec = {"mechanism": "random_deferred_acceptance", "priorities": tiers}
    rda = base_mechanism(D4, spec)
    prof = ("cab", *OTHERS)
    stable = [
        m
        for m in itertools.product(*[[*r, "outside"] for r in prof])
        if all(m.count(x) <= 1 for x in "abc") and not _blocked(m, prof, tiers)
    ]
    assert stable and all(m[0] == "c" for m in stable)
    assert rda(P4.profile(list(prof))).matrix[0][2] == 1
    free = find_dominating_mechanism(rda, D4, neighbourhood=NBHD, base_spec=spec)
    assert free.found  # without stability: agent 1 gains at a b, b a, a b c, b a c (checked below)
    recheck_search_certificate(free.certificate)
    assert {tuple(c[1][0]) for c, _ in free.result.evidence["strict"]} == {
        ("a", "b"),
        ("b", "a"),
        ("a", "b", "c"),
        ("b", "a", "c"),
    }
    stable_out = find_dominating_mechanism(rda, D4, neighbourhood=NBHD, base_spec=spec, ex_post_stable=tiers)
    assert stable_out.result.fails  # with it: none exists, an exact certificate
    recheck_search_certificate(stable_out.certificate)
    assert stable_out.subject["ex_post_stable"] == tiers


def _rehashed(doc):
    doc["subject"]["sha256"] = sha256(doc["subject"]["encoding"])
    return doc


def test_an_edited_stability_claim_is_rejected(prop3ii):
    doc = prop3ii.certificate
    strict = copy.deepcopy(doc)  # other priorities: c with agent 1 on top; the lotteries are no longer stable
    strict["subject"]["encoding"]["ex_post_stable"] = [[[0, 1, 2, 3]], [[0, 1, 2, 3]], [[0], [1, 2, 3]]]
    with pytest.raises(RecheckError):
        recheck_search_certificate(_rehashed(strict))
    dropped = copy.deepcopy(doc)  # the stability requirement removed, the lotteries kept
    del dropped["subject"]["encoding"]["ex_post_stable"]
    with pytest.raises(RecheckError):
        recheck_search_certificate(_rehashed(dropped))
    unstable = copy.deepcopy(doc)  # a listed matching replaced by a wasteful one
    items = unstable["evidence"]["lotteries"][4][1]
    items[0][0] = ["a", "outside", "outside", "outside"]
    with pytest.raises(RecheckError):
        recheck_search_certificate(unstable)
    for mutate in (
        lambda c: c.__setitem__("properties", ["sp"]),
        lambda c: c.__setitem__("misreports", c["misreports"] + 1),
        lambda c: c.__setitem__("profiles", 1),
        lambda c: c.__setitem__("note", "x"),
    ):
        bad = copy.deepcopy(doc)
        mutate(bad["evidence"]["base_checked"])
        with pytest.raises(RecheckError):
            recheck_search_certificate(bad)
    gone = copy.deepcopy(doc)
    del gone["evidence"]["base_checked"]
    with pytest.raises(RecheckError, match="base_checked"):
        recheck_search_certificate(gone)


def test_a_base_that_is_not_ex_post_stable_is_refused():
    # RP ignores priorities: with c giving agent 1 top priority, the order 2 < 1 at (c, c, -, -) gives
    # c to agent 2, and agent 1 blocks with c. Refused before any search.
    problem = Problem.make(2, "c")
    domain = Domain.full(problem)
    rp = base_mechanism(domain, {"mechanism": "random_priority"})
    with pytest.raises(InvalidInput, match="not ex post stable"):
        find_dominating_mechanism(
            rp,
            domain,
            neighbourhood=[("c", "c")],
            ex_post_stable=[[[0], [1]]],
            base_spec={"mechanism": "random_priority"},
        )


def _half(problem):
    """Each agent gets 1/2 of her first choice and nothing else (two who share it: 1/2 each).
    SD-strategy-proof: another report gives her at most 1/2 of a worse object; wasteful."""

    def rule(profile):
        rows = [{r[0]: Fraction(1, 2), "outside": Fraction(1, 2)} if r else {"outside": 1} for r in profile]
        return StochasticAssignment.from_rows(problem, rows)

    return FunctionMechanism(problem, "half", rule)


def test_a_manipulable_base_is_refused_with_the_manipulation():
    problem = Problem.make(2, "ab")
    domain = Domain.full(problem)

    def swapped(profile):  # agent 1 gets b when she ranks a, b: she gains by reporting b, a
        got = {("a", "b"): "b", ("b", "a"): "a"}.get(profile[0], profile[0][0] if profile[0] else "outside")
        return StochasticAssignment.from_rows(problem, [{got: 1}, {"outside": 1}])

    with pytest.raises(
        InvalidInput, match=r"not SD-strategy-proof: at the profile .* agent 1 gains by reporting"
    ):
        find_dominating_mechanism(
            FunctionMechanism(problem, "swapped", swapped), domain, neighbourhood=[("ab", "")]
        )


def test_table_base_is_carried_whole_and_checked_everywhere():
    problem = Problem.make(2, "ab")
    domain = Domain.full(problem)  # 5 rankings each: 25 profiles, 50 cells
    alone = [(r, "") for r in ("", "a", "b", "ab", "ba")]  # agent 2 wants nothing
    out = find_dominating_mechanism(_half(problem), domain, neighbourhood=alone)
    assert out.found  # by hand: agent 1 alone may get all of her first choice; every report then
    # gives all of its first object, so truth still wins every prefix
    doc = out.certificate
    assert len(doc["subject"]["encoding"]["base"]["rows"]) == 50
    recheck_search_certificate(doc)
    bad = copy.deepcopy(doc)  # far from the neighbourhood: agent 2 at (ab, ab) gets b, not a, so
    for cell, row in bad["subject"]["encoding"]["base"]["rows"]:  # reporting "a" (1/2 of a) pays
        if cell[1] == [["a", "b"], ["a", "b"]] and cell[2] == "2":
            row.clear()
            row.update({"b": "1/2", "outside": "1/2"})
    with pytest.raises(RecheckError, match="manipulation|not SD-strategy-proof"):
        recheck_search_certificate(_rehashed(bad))


def test_cli_reads_ex_post_stable(tmp_path):
    from verified.search.cli import main

    data = json.loads((ROOT / "examples" / "data" / "erdil_prop3_neighbourhood.json").read_text())
    data["base"] = {"mechanism": "random_deferred_acceptance", "priorities": APPENDIX}
    data["ex_post_stable"] = APPENDIX
    good = tmp_path / "good.json"
    good.write_text(json.dumps(data))
    assert main([str(good), "--dominate"]) == 0
    for bad_value in ("abc", [[[0, 1, 2, 3]]], [[[0, 1, 2, 9]], [[0, 1, 2, 3]], [[0, 1, 2, 3]]], True):
        data["ex_post_stable"] = bad_value
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(data))
        assert main([str(bad), "--dominate"]) == 2
