"""The checker's digit limit is never above what the interpreter converts between int and text
(4,300 digits by default in CPython): a hostile certificate with longer numbers is rejected with
the checker's own message naming the field, never a conversion error (a red-team finding: the
limit was 10,000, and numbers of 4,301 to 10,000 digits fell through to ``int()``)."""

from __future__ import annotations

import json
import sys

import pytest

from tests.certificates.helpers import certificate, example
from verified.recheck import RecheckError, recheck
from verified.recheck.core import MAX_DIGITS
from verified.recheck.reader import Limits


def test_the_limit_is_within_the_interpreters() -> None:
    cap = sys.get_int_max_str_digits()
    assert MAX_DIGITS <= cap or cap == 0
    assert Limits.from_environment().max_digits == MAX_DIGITS


@pytest.mark.parametrize(
    "number",
    [
        "1/" + "7" * (MAX_DIGITS + 1),  # a denominator one digit past the limit
        "7" * (MAX_DIGITS + 1) + "/3",
        "-" + "1" * (MAX_DIGITS + 1),
        "0." + "5" * (MAX_DIGITS + 1),
    ],
    ids=["denominator", "numerator", "integer", "decimal"],
)
def test_a_long_number_in_the_evidence_is_rejected_by_name(number: str) -> None:
    doc = certificate(example("boston_3x2.json"), "sp")  # FAILS: its evidence has rationals
    assert doc["verdict"] == "fails"
    text = json.dumps(doc)
    field = "misreport_cumulative"
    assert field in doc["evidence"]
    doc["evidence"][field] = number  # a rational (the misreport's cumulative probability)
    with pytest.raises(RecheckError, match=rf"evidence\.{field}.*more than {MAX_DIGITS} digits"):
        recheck(doc)
    assert json.loads(text)  # the untouched certificate still reads (sanity of the fixture)
