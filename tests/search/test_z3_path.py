"""The z3-only path (exact throughout, no floats) against the HiGHS-proposes path."""

from __future__ import annotations

import pytest

from tests.search.shared import D4, RP_SPEC
from verified.recheck.search import recheck_search_certificate
from verified.search import find_dominating_mechanism


@pytest.mark.parametrize("objective", ["total-gain", "strict"])
def test_z3_path_agrees_with_highs(rp_table, objective):
    # Two algorithms: z3 alone (exact throughout) and HiGHS-proposes-exact-confirms give the same
    # verdicts and optimal values, and both certificates re-check.
    nbhd = [(r, "ca", "cb", "c") for r in D4.preferences[0]]
    results = [
        find_dominating_mechanism(
            rp_table,
            D4,
            neighbourhood=nbhd,
            objective=objective,
            base_spec=RP_SPEC,
            solver=s,
            check_base=False,
        )
        for s in ("z3", "highs")
    ]
    assert results[0].result.verdict == results[1].result.verdict
    assert results[0].result.evidence["value"] == results[1].result.evidence["value"]
    for r in results:
        recheck_search_certificate(r.certificate)


def test_z3_path_prop4_none_exists(rp_table):
    R = ("ab", "cb", "a", "c")
    nbhd = [R, ("ba", "cb", "a", "c"), ("ab", "bc", "a", "c")]
    out = find_dominating_mechanism(
        rp_table,
        D4,
        neighbourhood=nbhd,
        nonwasteful_at=[R],
        relaxed=True,
        base_spec=RP_SPEC,
        solver="z3",
        check_base=False,
    )
    assert out.result.fails
    recheck_search_certificate(out.certificate)
