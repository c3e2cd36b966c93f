"""verified.testing: assert_holds / assert_fails for users' own pytest suites."""

from __future__ import annotations

import pytest

from tests.certificates.helpers import EXAMPLES
from verified.assignment.domain import Domain
from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
from verified.assignment.model import Problem
from verified.testing import assert_fails, assert_holds


def test_assert_holds_passes_and_returns_rechecked_results(tmp_path):
    results = assert_holds(EXAMPLES / "my_mechanism.toml", "sp", "ir", certificate_dir=tmp_path)
    assert set(results) == {"sp", "ir"} and all(r.holds for r in results.values())
    assert len(list(tmp_path.glob("*.cert.json"))) == 2


def test_assert_holds_fails_with_the_counterexample_in_words():
    with pytest.raises(AssertionError) as info:
        assert_holds(EXAMPLES / "boston_3x2.json", "ir", "sp")
    message = str(info.value)
    assert "sp: FAILS" in message and "gains by reporting" in message and "agent bob" in message
    assert "ir" not in message.split("sp: FAILS")[0]  # only the failing property is reported


def test_assert_fails_on_a_manipulable_mechanism_and_not_on_a_strategyproof_one():
    assert_fails(EXAMPLES / "boston_3x2.json", "sp")
    with pytest.raises(AssertionError, match="sp: HOLDS"):
        assert_fails(EXAMPLES / "my_mechanism.toml", "sp")


def test_mechanism_and_domain_pair():
    problem = Problem.make(3, "ab")
    assert_holds((serial_dictatorship(problem), Domain.full(problem)), "sp", "nonwasteful")
