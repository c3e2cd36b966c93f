"""The comparison's numbers agree with an exhaustive dominance check written in the test
(`tests.compare.helpers.reference`: a FOSD loop over Fractions) on random small tables, with the
library's own mechanism-dominance check, and with the independent checker's re-derivation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.compare.helpers import kind, reference, related_tables, subject
from verified.assignment.properties.fosd import check_mechanism_dominance
from verified.compare import compare
from verified.compare.pairs import classify_rows, compare_tables
from verified.recheck import recheck
from verified.strategies import problems, small_domains


@st.composite
def table_pairs(draw: st.DrawFn):
    problem = draw(problems(max_agents=3, max_objects=2, max_capacity=2))
    domain = draw(small_domains(problem, max_rankings=4))
    rng = draw(st.randoms(use_true_random=False))
    mode = draw(st.sampled_from(["same", "new_better", "new_worse", "mixed"]))
    return related_tables(domain, rng, mode, individually_rational=draw(st.booleans()))


@settings(max_examples=60, deadline=None)
@given(pair=table_pairs())
def test_every_number_agrees_with_a_fosd_loop_written_here(pair):
    old, new = pair
    expected = reference(old, new)
    found = compare_tables(old, new)
    assert found.by_category == expected["counts"]
    assert found.relation == expected["relation"]
    assert {k: (p.index, p.agent) for k, p in found.first.items()} == expected["first"]
    assert found.changed_count == len(expected["changed"])
    assert [c.index for c in found.changed] == expected["changed"][:20]
    assert found.size.old_total == expected["size_old"] and found.size.new_total == expected["size_new"]
    assert dict(found.size.per_agent) == expected["per_agent"]
    for pair_found in found.first.values():  # the one-pair classification says the same
        by_rows = classify_rows(pair_found.old_row, pair_found.new_row, pair_found.preference, old.problem)
        assert (
            by_rows
            == pair_found.category
            == kind(pair_found.old_row, pair_found.new_row, pair_found.preference, old.problem)
        )
    # NEW dominates OLD exactly when the library's mechanism-dominance check says so
    assert (found.relation == "dominates") == check_mechanism_dominance(new, old, old.domain).holds
    assert (found.relation == "dominated") == check_mechanism_dominance(old, new, old.domain).holds


@settings(max_examples=25, deadline=None)
@given(pair=table_pairs(), require=st.sampled_from(["dominates", "weakly-dominates", "equal"]))
def test_verdicts_and_certificates_agree(pair, require):
    old, new = pair
    relation = reference(old, new)["relation"]
    result = compare(subject(old), subject(new), require=require, certificates=True)
    holds = {
        "equal": relation == "equal",
        "dominates": relation == "dominates",
        "weakly-dominates": relation in ("equal", "equivalent", "dominates"),
    }[require]
    assert result.holds == holds and result.exit_code == (0 if holds else 1)
    labels = [label for label, _ in result.certificates]
    assert labels[0] == require
    for _, doc in result.certificates:
        assert doc["verdict"] == ("holds" if holds else "fails")
        assert "re-verified" in recheck(doc)
    if not holds and result.witness is not None:
        assert labels == [require, f"{require}.witness"]
        assert result.witness.category in (
            ("better", "worse", "incomparable", "equivalent")
            if require == "equal"
            else ("worse", "incomparable")
        )
