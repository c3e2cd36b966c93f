"""The stored full-domain search optimum (certificates/search_full_n4_m3.json) re-checks with
the independent checker (about half a minute of pure-Python arithmetic)."""

from __future__ import annotations

from tests.certificates.helpers import ROOT
from verified.recheck import recheck_file


def test_full_domain_search_certificate_rechecks():
    path = ROOT / "certificates" / "search_full_n4_m3.json"
    assert "re-verified" in recheck_file(path)
