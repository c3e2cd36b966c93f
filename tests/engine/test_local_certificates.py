"""Past the table limit, ``verified check -c`` certifies a FAILS verdict of sp or ir on the
profiles of its counterexample (`verified.io.local`), and says why a HOLDS verdict has none.

The limit is lowered (``VERIFIED_MAX_TABLE_CELLS``) so that small domains are past it. The
rows the certificates carry are compared with the user's own function called at those
profiles (independent of the engine), and the independent checker re-verifies each
certificate and rejects edited ones.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.certificates.helpers import mutated, rehash
from tests.engine.helpers import write_problem
from verified.assignment.properties.individual_rationality import check_individually_rational
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.certificates import build_certificate
from verified.cli import main
from verified.io import load_subject
from verified.io.local import local_subject, local_table
from verified.recheck import RecheckError, recheck
from verified.recheck.core import recheck_file
from verified.strategies import problems, small_domains, tabulated_mechanisms

LIMIT = "200"  # a table of 3 agents over a, b has 125 x 3 x 3 = 1,125 cells


def _only_certificate(folder: Path) -> dict:
    files = sorted(folder.iterdir())
    assert len(files) == 1, files
    recheck_file(files[0])
    return json.loads(files[0].read_text())


def _users_rows(path: Path, profile: list[list[str]], takes_problem: bool) -> list[list[Fraction]]:
    """The user's function called directly at ``profile``: rows over (a, b, outside)."""
    subject = load_subject(path)
    ranks = tuple(tuple(r) for r in profile)
    f = subject.python_function
    answer = f(subject.problem, ranks) if takes_problem else f(ranks)
    return [[Fraction(row.get(x, 0)) for x in ("a", "b", "outside")] for row in answer]


def test_a_manipulation_is_certified_on_two_profiles(tmp_path, monkeypatch, capsys):
    path = write_problem(tmp_path, "boston", 3, "ab")
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", LIMIT)
    assert main(["check", str(path), "-p", "sp,ir", "-c", str(tmp_path / "certs"), "-q"]) == 1
    out = capsys.readouterr().out
    assert "Certified on the profiles this counterexample needs." in out
    assert "No certificate: a HOLDS certificate would carry the whole table (125 profiles" in out
    doc = _only_certificate(tmp_path / "certs")  # sp only: ir holds
    assert (doc["property"], doc["verdict"]) == ("sp", "fails")
    ev, subject = doc["evidence"], doc["subject"]["encoding"]
    agent = subject["problem"]["agents"].index(ev["agent"])
    per_agent = subject["domain"]["preferences"]
    # every other agent keeps her ranking; the manipulator has the truth and the lie
    assert [p for j, p in enumerate(per_agent) if j != agent] == [
        [r] for j, r in enumerate(ev["profile"]) if j != agent
    ]
    assert sorted(per_agent[agent]) == sorted([ev["true_preference"], ev["misreport"]])
    rows = subject["mechanism"]["numerators"]
    den = subject["mechanism"]["denominator"]
    profiles = []
    for report in per_agent[agent]:
        profile = [list(r) for r in ev["profile"]]
        profile[agent] = report
        profiles.append(profile)
    for profile, numerators in zip(profiles, rows, strict=True):
        assert [[Fraction(v, den) for v in row] for row in numerators] == _users_rows(path, profile, True)


def test_an_unacceptable_share_is_certified_on_one_profile(tmp_path, monkeypatch, capsys):
    path = write_problem(tmp_path, "unlisted", 3, "ab")
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", LIMIT)
    assert main(["check", str(path), "-p", "ir", "-c", str(tmp_path / "certs"), "-q"]) == 1
    doc = _only_certificate(tmp_path / "certs")
    ev, subject = doc["evidence"], doc["subject"]["encoding"]
    assert subject["domain"]["preferences"] == [[r] for r in ev["profile"]]
    # by hand (engine_user.unlisted): agent 1 gets 1/2 of a whenever she ranks anything, so at
    # the first such profile, where she ranks b only, a is unacceptable and has 1/2
    assert ev["profile"][0] == ["b"] and Fraction(ev["probability"]) == Fraction(1, 2)
    assert _users_rows(path, ev["profile"], False)[0] == [Fraction(1, 2), 0, Fraction(1, 2)]


def test_holds_past_the_limit_writes_nothing_and_says_why(tmp_path, monkeypatch, capsys):
    path = write_problem(tmp_path, "serial_dictatorship", 3, "ab")
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", LIMIT)
    assert main(["check", str(path), "-p", "sp,ir", "-c", str(tmp_path / "certs"), "-q"]) == 0
    assert "No certificate" in capsys.readouterr().out
    assert not (tmp_path / "certs").exists() or not any((tmp_path / "certs").iterdir())


EDITS = [
    ("a row of the subject", ("subject", "encoding", "mechanism", "numerators", 0, 1), [0, 0, 1]),
    ("the manipulator's domain", ("subject", "encoding", "domain", "preferences", 1), [["b"]]),
    ("the misreport", ("evidence", "misreport"), ["a"]),
]


@pytest.mark.parametrize(("what", "where", "value"), EDITS, ids=[e[0] for e in EDITS])
def test_an_edited_local_certificate_is_rejected(tmp_path, monkeypatch, what, where, value):
    path = write_problem(tmp_path, "boston", 3, "ab")
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", LIMIT)
    main(["check", str(path), "-p", "sp", "-c", str(tmp_path / "certs"), "-q"])
    doc = _only_certificate(tmp_path / "certs")
    edited = mutated(doc, where, value)
    with pytest.raises(RecheckError):
        recheck(edited)  # the subject's hash no longer matches
    with pytest.raises(RecheckError):
        recheck(rehash(edited))  # and with the hash redone, the violation is not there


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_local_certificate_of_a_random_table_rechecks(data):
    """For all small tables: each FAILS verdict of sp or ir, certified on its restricted table,
    is accepted by the independent checker; the restricted table is the table's rows there."""
    problem = data.draw(problems(max_agents=3, max_objects=2, max_capacity=2))
    domain = data.draw(small_domains(problem))
    table = data.draw(tabulated_mechanisms(domain, individually_rational=data.draw(st.booleans())))
    for name, check in (("sp", check_strategyproof), ("ir", check_individually_rational)):
        result = check(table, domain)
        encoding = local_subject(table, name, result)
        if result.verdict.value != "fails":
            assert encoding is None
            continue
        restricted = local_table(table, name, result.evidence)
        for k, profile in enumerate(restricted.domain):
            assert restricted.at_index(k) == table.at_index(domain.index(profile))
        recheck(build_certificate(name, result, encoding))
