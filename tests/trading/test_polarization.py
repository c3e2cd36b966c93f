"""Polarized rays: the definition and Lemma 5 agree; Corollary 2's bound; witnesses re-verified."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.errors import InvalidInput
from verified.strategies.trading import non_monotone_directions, polarized_directions
from verified.trading.polarization import check_polarized, check_polarized_lemma5, is_polarized
from verified.trading.sets import Ray

F = Fraction


def _recheck(result_evidence: dict, kappas: list) -> None:
    """Re-verify evidence from first principles with Fractions only."""
    kind = result_evidence["kind"]
    if kind == "polarization_witnesses":
        for pair in result_evidence["pairs"]:
            y1, y2 = F(pair["y_first"]), F(pair["y_second"])
            assert y1 >= 0 and y2 >= 0 and y1 + y2 == 1
            combo = [
                y1 * a + y2 * b for a, b in zip(kappas[pair["first"]], kappas[pair["second"]], strict=True)
            ]
            assert all(x >= 0 for x in combo) and [str(x) for x in combo] == pair["combination"]
    elif kind == "separating_cost":
        c = [F(x) for x in result_evidence["cost"]]
        assert all(x >= 0 for x in c)
        for key in ("first", "second"):
            assert sum(ci * ki for ci, ki in zip(c, kappas[result_evidence[key]], strict=True)) < 0
    elif kind == "lemma5_cost":
        c = [F(x) for x in result_evidence["cost"]]
        assert all(x >= 0 for x in c)
        assert sum(ci * ki for ci, ki in zip(c, kappas[result_evidence["first"]], strict=True)) < 0
        assert sum(ci * ki for ci, ki in zip(c, kappas[result_evidence["second"]], strict=True)) <= 0


def test_two_price_binary_classification_rays() -> None:
    # rays (1, -p1) and (-1, p2) are polarized iff p1 <= p2 (definitions.md, two-price classification)
    # p1 = 2, p2 = 3: y' = y'' = 1/2 gives (0, 1/2) >= 0
    ok = check_polarized([[1, -2], [-1, 3]])
    assert ok.holds
    _recheck(ok.evidence, [[1, -2], [-1, 3]])
    # p1 = 3, p2 = 2: c = (2, 1)... any c with c1 < 3 c2... the separating cost must make both negative
    bad = check_polarized([[1, -3], [-1, 2]])
    assert bad.fails and bad.evidence["kind"] == "separating_cost"
    _recheck(bad.evidence, [[1, -3], [-1, 2]])


def test_monotone_direction_is_rejected() -> None:
    res = check_polarized([[1, -1], [1, 0]])
    assert res.fails and res.evidence == {"kind": "monotone_direction", "index": 1, "direction": ["1", "0"]}


def test_rays_are_accepted_and_zero_directions_refused() -> None:
    assert is_polarized([Ray([1, 1], [1, -1]), Ray([1, 1], [-1, 1])])
    with pytest.raises(InvalidInput, match=r"directions\[0\]"):
        check_polarized([[0, 0], [1, -1]])


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 4).flatmap(lambda n: st.lists(non_monotone_directions(n), min_size=1, max_size=n + 1)))
def test_definition_and_lemma5_agree(kappas: list) -> None:
    by_definition = check_polarized(kappas)
    by_lemma5 = check_polarized_lemma5(kappas)
    assert by_definition.verdict == by_lemma5.verdict
    _recheck(by_definition.evidence, kappas)
    _recheck(by_lemma5.evidence, kappas)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(2, 4).flatmap(lambda n: st.lists(non_monotone_directions(n), min_size=n + 1, max_size=n + 2))
)
def test_corollary2_more_than_I_rays_are_never_polarized(kappas: list) -> None:
    res = check_polarized(kappas)
    assert res.fails
    _recheck(res.evidence, kappas)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda n: st.tuples(st.just(n), non_monotone_directions(n), non_monotone_directions(n))
    )
)
def test_shared_negative_task_is_never_polarized(data: tuple) -> None:
    n, a, b = data
    i = next(k for k in range(n) if a[k] < 0)
    b = tuple(-abs(x) - 1 if k == i else x for k, x in enumerate(b))  # b also takes away task i
    if not any(x > 0 for x in b):
        return
    res = check_polarized([a, b])
    assert res.fails
    _recheck(res.evidence, [a, b])


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 4).flatmap(polarized_directions))
def test_constructed_polarized_families_hold(kappas: tuple) -> None:
    res = check_polarized(kappas)
    assert res.holds
    _recheck(res.evidence, list(kappas))
