"""SP and IR on domains past the int64 table's cell limit read a compact table (issue 9, item 3).

The cell limit is lowered with ``VERIFIED_MAX_TABLE_CELLS`` so that a small domain is "too
large": 3 agents over objects a, b have 5 rankings each (none, a, b, ab, ba), so the full
domain has 125 profiles and its table 125 x 3 x 3 = 1,125 cells. With the limit at 200 the
int64 table is refused and a compact one (up to 8 x 200 = 1,600 cells) is allowed.

Expected verdicts and witnesses are derived by hand next to each test, and the witnesses are
re-derived by calling the user's function; the compact run must also say exactly what the
int64 run says with the limit lifted.
"""

from __future__ import annotations

import importlib.util
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.helpers import write_problem
from verified.assignment.compact import CompactTable
from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem
from verified.cli import main
from verified.errors import InvalidInput
from verified.io import load_subject
from verified.registry import check_here

LIMIT = "200"


def _user_module(path):
    spec = importlib.util.spec_from_file_location("engine_user_for_test", path.parent / "engine_user.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _both(path, name, monkeypatch):
    """(compact run, int64 run) of property ``name`` on the file at ``path``."""
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", LIMIT)
    subject = load_subject(path)
    compact = check_here(name, subject)
    assert "_compact" in subject.__dict__ and "_table" not in subject.__dict__
    assert isinstance(subject.compact_table, CompactTable)
    monkeypatch.delenv("VERIFIED_MAX_TABLE_CELLS")
    full = check_here(name, load_subject(path))
    return compact, full


def test_the_small_domain_is_past_the_lowered_limit(tmp_path, monkeypatch):
    path = write_problem(tmp_path, "boston", 3, "ab")
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", LIMIT)
    subject = load_subject(path)
    assert subject.domain.table_cells == 1125
    with pytest.raises(InvalidInput, match="compact table"):
        _ = subject.table


def test_sp_holds_for_serial_dictatorship_on_a_compact_table(tmp_path, monkeypatch):
    path = write_problem(tmp_path, "serial_dictatorship", 3, "ab")
    compact, full = _both(path, "sp", monkeypatch)
    assert compact.holds and full.holds
    assert compact.evidence == full.evidence  # same table digest, comparisons, denominator
    # 3 agents x 125 profiles x 4 misreports each
    assert compact.evidence["comparisons"] == 3 * 125 * 4


def test_sp_fails_for_boston_with_a_witness_the_function_confirms(tmp_path, monkeypatch):
    path = write_problem(tmp_path, "boston", 3, "ab")
    compact, full = _both(path, "sp", monkeypatch)
    assert not compact.holds
    assert compact.evidence == full.evidence
    ev = compact.evidence
    boston = _user_module(path).boston
    problem = load_subject(path).problem
    profile = tuple(tuple(r) for r in ev["profile"])
    agent = problem.agents.index(ev["agent"])
    lie = list(profile)
    lie[agent] = tuple(ev["misreport"])
    truthful, lying = boston(problem, profile)[agent], boston(problem, tuple(lie))[agent]
    prefix = ev["prefix"]

    def cumulative(row):
        return sum((Fraction(v) for x, v in row.items() if x in prefix), Fraction(0))

    # the misreport gives more of the prefix of the true ranking than the truth does
    assert cumulative(lying) > cumulative(truthful)
    assert cumulative(truthful) == Fraction(ev["truthful_cumulative"])
    assert cumulative(lying) == Fraction(ev["misreport_cumulative"])


def test_ir_holds_and_fails_on_compact_tables(tmp_path, monkeypatch):
    compact, full = _both(write_problem(tmp_path, "boston", 3, "ab"), "ir", monkeypatch)
    assert compact.holds and compact.evidence == full.evidence
    # By hand: rankings are ordered none, a, b, ab, ba; agent 1 first lacks a at ranking b
    # (number 2), so the first failure is profile 2 * 25 = 50: agent 1 lists b only and
    # still gets 1/2 of a.
    compact, full = _both(write_problem(tmp_path, "unlisted", 3, "ab"), "ir", monkeypatch)
    assert not compact.holds and compact.evidence == full.evidence
    ev = compact.evidence
    assert ev["profile"] == [["b"], [], []]
    assert (ev["agent"], ev["object"], Fraction(ev["probability"])) == ("1", "a", Fraction(1, 2))


def test_two_processes_give_the_same_compact_verdicts(tmp_path, monkeypatch):
    from verified.engine import engine_options

    path = write_problem(tmp_path, "boston", 3, "ab")
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", LIMIT)
    one = check_here("sp", load_subject(path))
    with engine_options(n_jobs=2):
        two = check_here("sp", load_subject(path))
    assert one.evidence == two.evidence


def test_cli_checks_sp_and_ir_past_the_limit_and_refuses_the_rest(tmp_path, monkeypatch, capsys):
    path = write_problem(tmp_path, "boston", 3, "ab")
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", LIMIT)
    assert main(["check", str(path), "-p", "sp,ir", "-q"]) == 1  # sp fails, ir holds
    out = capsys.readouterr().out
    assert "sp  FAILS" in out and "ir  HOLDS" in out
    # other properties read the int64 table, with or without certificates
    assert main(["check", str(path), "-p", "sp,nonwasteful", "-q"]) == 2
    assert "more than the limit" in capsys.readouterr().err
    assert main(["check", str(path), "-p", "sp,ete", "-c", str(tmp_path / "certs"), "-q"]) == 2
    assert "compact table" in capsys.readouterr().err
    assert not (tmp_path / "certs").exists()


def test_past_eight_times_the_limit_even_a_compact_table_is_refused(tmp_path, monkeypatch):
    path = write_problem(tmp_path, "boston", 3, "ab")
    monkeypatch.setenv("VERIFIED_MAX_TABLE_CELLS", "140")  # 8 x 140 = 1,120 < 1,125
    with pytest.raises(InvalidInput, match="more than the limit of 1,120"):
        check_here("sp", load_subject(path))


TINY = Domain.full(Problem.make(2, "a"))  # rankings none, a: 4 profiles x 2 agents x 2 columns


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(-2, 3), min_size=16, max_size=16), st.integers(1, 3))
def test_compact_and_int64_tables_refuse_the_same_tables_with_the_same_message(values, den):
    nums = np.array(values, dtype=np.int8).reshape((4, 2, 2))

    def outcome(make):
        try:
            make()
        except InvalidInput as exc:
            return str(exc)
        return "valid"

    compact = outcome(lambda: CompactTable(TINY, nums.copy(), den, "t"))
    full = outcome(lambda: TabulatedMechanism(TINY, nums.copy(), den, "t"))
    assert compact == full
