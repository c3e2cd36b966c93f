"""Base specs (agent indices, as certificates record them) -> the library's mechanisms."""

from __future__ import annotations

from fractions import Fraction

import pytest

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem
from verified.errors import InvalidInput
from verified.search.bases import base_mechanism

P3 = Problem.make(3, "ab")
D3 = Domain.full(P3)


def test_rda_with_everyone_tied_is_random_priority():
    # Erdil, proof of Proposition 3(ii): all agents tied at every object, one copy each -> RDA = RP.
    rp = base_mechanism(D3, {"mechanism": "random_priority"})
    assert isinstance(rp, TabulatedMechanism)
    rda = base_mechanism(D3, {"mechanism": "random_deferred_acceptance", "priorities": [[[0, 1, 2]]] * 2})
    for profile in D3:
        assert rda(profile).matrix == rp(profile).matrix, profile


def test_serial_dictatorship_order_is_by_index():
    # Order [2, 0, 1]: agent "3" picks first and takes a; agent "1" then takes b; agent "2" gets nothing.
    sd = base_mechanism(D3, {"mechanism": "serial_dictatorship", "order": [2, 0, 1]})
    out = sd(P3.profile(["ab", "ab", "ab"]))
    assert out.prob("3", "a") == 1 and out.prob("1", "b") == 1
    assert out.prob("2", "a") + out.prob("2", "b") == Fraction(0)
    default = base_mechanism(D3, {"mechanism": "serial_dictatorship"})(P3.profile(["ab", "ab", "ab"]))
    assert default.prob("1", "a") == 1 and default.prob("2", "b") == 1


@pytest.mark.parametrize(
    ("spec", "where"),
    [
        ({"mechanism": "serial_dictatorship", "order": [0, 3, 1]}, "base.order[1]"),
        ({"mechanism": "serial_dictatorship", "order": [0, True, 1]}, "base.order[1]"),
        ({"mechanism": "serial_dictatorship", "order": "012"}, "base.order"),
        ({"mechanism": "random_deferred_acceptance", "priorities": [[[0, 1, 5]], [[0, 1, 2]]]}, "[0][0]"),
        ({"mechanism": "random_deferred_acceptance", "priorities": [[[0, 1]], [[0, 1, 2]]]}, "priorities"),
        ({"mechanism": "random_deferred_acceptance"}, "base.priorities"),
        ({"mechanism": "boston"}, "base.mechanism"),
    ],
)
def test_bad_specs_name_the_place(spec, where):
    with pytest.raises(InvalidInput) as err:
        base_mechanism(D3, spec)
    assert where in str(err.value)
