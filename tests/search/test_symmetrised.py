"""Erdil, Proposition 3(i): the neighbourhood improvement g, checked on the whole domain by the
library's direct (non-LP) property checks, and its symmetrisation h (anonymous, SP, dominates RP)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.search.shared import D4, P4, RP_SPEC
from verified.assignment.properties.equal_treatment import check_anonymous as direct_anonymous
from verified.assignment.properties.fosd import check_mechanism_dominance
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.search import find_dominating_mechanism
from verified.search.symmetry import symmetrise


@pytest.fixture(scope="module")
def improvement(rp_table):
    nbhd = [(r, "ca", "cb", "c") for r in D4.preferences[0]]
    out = find_dominating_mechanism(rp_table, D4, neighbourhood=nbhd, base_spec=RP_SPEC)
    return rp_table, out.mechanism


def test_g_is_sp_and_dominates_rp_on_the_whole_domain(improvement):
    rp, g = improvement
    assert check_strategyproof(g).holds  # two algorithms agree: LP certificate and exhaustive check
    assert check_mechanism_dominance(g, rp, D4).holds
    assert not direct_anonymous(g, D4).holds  # g favours agent 1, as in Erdil's proof


def test_symmetrised_h_is_anonymous_sp_and_dominates_rp(improvement):
    rp, g = improvement
    h = symmetrise(g)
    assert direct_anonymous(h, D4).holds
    assert check_strategyproof(h).holds
    assert check_mechanism_dominance(h, rp, D4).holds
    assert symmetrise(rp).numerators.tolist() == (rp.numerators * 24).tolist()  # RP is already symmetric
    profile = P4.profile(["ab", "ca", "cb", "c"])
    # Only the identity permutation seats (ca, cb, c) on agents 2, 3, 4 in this order with the
    # a-b ranking on agent 1, so h adds 1/24 of Erdil's 1/12 of b: 1/6 + 1/288.
    assert h(profile).prob("1", "b") == Fraction(1, 6) + Fraction(1, 288)
