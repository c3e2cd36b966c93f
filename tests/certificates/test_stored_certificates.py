"""Every stored certificate re-checks with the independent checker, and regenerating the
ones this repository derives (scripts/regenerate_certificates.py) changes no byte."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.certificates.helpers import HEAVY, ROOT, stored_certificates
from verified.recheck import recheck_file

STORED = stored_certificates()  # the heavy ones have their own test files (`helpers.HEAVY`)


def _script():
    path = ROOT / "scripts" / "regenerate_certificates.py"
    spec = importlib.util.spec_from_file_location("regenerate_certificates", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_folder_holds_the_paper_results():
    names = {p.name for p in (ROOT / "certificates").iterdir()}
    for entry in _script().ENTRIES:
        assert entry.file in names, f"{entry.file} is not stored; run scripts/regenerate_certificates.py"


@pytest.mark.parametrize("path", STORED, ids=[p.name for p in STORED])
def test_stored_certificate_rechecks(path):
    assert "re-verified" in recheck_file(path)


@pytest.mark.parametrize("path", STORED, ids=[p.name for p in STORED])
def test_stored_certificate_explains_in_words(path):
    from verified.explain import explain
    from verified.recheck.core import read_certificate

    doc = read_certificate(path)
    text = explain(doc)
    assert text.startswith(f"{doc['property']}: {doc['verdict'].upper()}")
    assert len(text.splitlines()) >= 2


def test_regeneration_is_a_no_op(capsys):
    names = [e.file for e in _script().ENTRIES if e.file not in HEAVY]  # h: 40 s (`HEAVY`)
    assert _script().main(["--check", *names]) == 0, capsys.readouterr().out
