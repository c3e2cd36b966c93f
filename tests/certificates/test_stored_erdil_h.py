"""Erdil, Proposition 3(i): h is ex post efficient on the full n = 4, m = 3 domain. The stored
certificate (certificates/erdil_h_4x3.ex-post-efficient.cert.json.gz, 1.5 MB) holds, at each of
the 65,536 profiles, a lottery over Pareto-efficient deterministic matchings; the independent
checker re-derives every one (about 40 s and 400 MB). Regenerating it is covered by
test_stored_certificates.test_regeneration_is_a_no_op."""

from __future__ import annotations

from tests.certificates.helpers import ROOT
from verified.recheck import recheck_file
from verified.recheck.core import read_certificate


def test_h_ex_post_efficiency_certificate_rechecks():
    path = ROOT / "certificates" / "erdil_h_4x3.ex-post-efficient.cert.json.gz"
    assert recheck_file(path) == "ex-post-efficient: holds - re-verified (per_profile)"
    doc = read_certificate(path)
    assert "h (g averaged over the 24 permutations" in doc["subject"]["encoding"]["mechanism"]["name"]
    assert doc["evidence"]["profiles"] == 16**4  # 16 rankings (ordered subsets of a, b, c) per agent
