"""The stored full-domain optimum (n = 4, m = 3, RP), re-checked from the file (not regenerated;
regenerate with ``python benchmarks/bench_search.py --write-certificate``)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from verified.recheck.core import read_certificate

CERT = Path(__file__).resolve().parents[2] / "certificates" / "search_full_n4_m3.json"


def test_stored_full_domain_optimum_is_48():
    """Beyond the paper: the largest total gain over RP on the full n = 4, m = 3 domain is 48,
    Erdil's 1/12 for the agent of his proof at 8 rankings (a, b acceptable), times 4 agents x 3!
    seatings of (c a, c b, c) x 3 choices of the contested object c: 8 * 24 * 3 / 12 = 48; the
    dual multipliers in the certificate prove that nothing larger exists."""
    doc = read_certificate(CERT)
    ev, subject = doc["evidence"], doc["subject"]["encoding"]
    assert (
        doc["verdict"] == "holds" and subject["mode"] == "anonymous" and subject["objective"] == "total-gain"
    )
    assert Fraction(ev["value"]) - Fraction(ev["base_value"]) == 48
    # the independent re-check of this file (half a minute) is tests/certificates/test_stored_search_full.py
