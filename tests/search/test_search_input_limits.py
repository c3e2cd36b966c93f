"""``verified search`` refuses, as bad input naming the file and the place, every question it
could not answer with a certificate the independent checker accepts (red-team findings):

* a number past the digit limit (4,501 digits) was an internal error (exit 4, "Exceeds the limit
  (4300 digits) for integer string conversion");
* a capacity of 10^400 was an internal error (OverflowError: a float of it for HiGHS);
* a capacity of 1,000,001 answered "none exists" with a certificate ``verified recheck`` rejects
  ("capacities[0]: 1000001 is above 1000000"), and so did a neighbourhood whose base the checker
  would have to re-derive at too many profiles;
* errors raised by the search itself (an ex post option without a neighbourhood, a base that is
  not ex post stable) did not name the file, and an empty file was told about a 'format' field.

The bounds are the checker's own (`verified.recheck.search`), imported, never restated.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verified.assignment.domain import Domain
from verified.assignment.mechanisms.random_priority import tabulate_random_priority
from verified.assignment.model import Problem
from verified.errors import InvalidInput
from verified.recheck.core import recheck_file
from verified.recheck.search import MAX_AGENTS, MAX_BASE_RUNS
from verified.search import find_dominating_mechanism
from verified.search.cli import main


@pytest.fixture(autouse=True)
def default_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default digit limit: CPython's 4,300 digits, with no VERIFIED_MAX_DIGITS of the caller's."""
    monkeypatch.delenv("VERIFIED_MAX_DIGITS", raising=False)


def _run(tmp_path: Path, capsys: pytest.CaptureFixture, text: str, *extra: str) -> tuple[int, str, Path]:
    path = tmp_path / "problem.json"
    path.write_text(text)
    code = main([str(path), "--dominate", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, err, path


def test_an_integer_past_the_digit_limit_is_refused_by_line_and_column(tmp_path, capsys):
    # by hand: '{"agents": ' is 11 characters, so the number (1 and 4,500 zeros: 4,501 digits)
    # starts at column 12 of line 1
    text = '{"agents": 1' + "0" * 4500 + ', "objects": "ab"}'
    code, err, path = _run(tmp_path, capsys, text)
    assert code == 2
    assert err.startswith(f"error: {path}: line 1, column 12: a number with 4,501 digits exceeds the limit")


def test_a_capacity_of_ten_to_the_400_is_bad_input_not_a_float_overflow(tmp_path, capsys):
    # by hand: 10^400 is far above the checker's largest capacity, 10^6; it has 401 digits
    text = json.dumps({"agents": 2, "objects": "ab", "capacities": [10**400, 1]})
    code, err, path = _run(tmp_path, capsys, text)
    assert code == 2
    assert err.startswith(f"error: {path}: capacities[0]: 100000000000... (401 digits) is above 1000000")


def test_a_capacity_above_the_checkers_limit_writes_no_certificate(tmp_path, capsys):
    cert = tmp_path / "c.json"
    text = json.dumps({"agents": 2, "objects": "ab", "capacities": [1000001, 1]})
    code, err, path = _run(tmp_path, capsys, text, "--certificate", str(cert))
    assert code == 2
    assert err.startswith(f"error: {path}: capacities[0]: 1000001 is above 1000000")
    assert "independent checker" in err
    assert not cert.exists()


def test_a_capacity_at_the_checkers_limit_is_answered_and_rechecked(tmp_path, capsys):
    """By hand: capacity 10^6 is the checker's largest (inclusive), so the question is searched and
    its certificate (a verdict either way) is one the checker accepts."""
    cert = tmp_path / "c.json"
    text = json.dumps({"agents": 2, "objects": "ab", "capacities": [1000000, 1]})
    code, _, _ = _run(tmp_path, capsys, text, "--certificate", str(cert))
    assert code in (0, 1)
    recheck_file(cert)


def test_more_agents_than_the_checker_takes_are_refused(tmp_path, capsys):
    # by hand: 9 agents and one object, a domain of 2^9 = 512 profiles (small), but the checker
    # re-checks at most MAX_AGENTS = 8 agents
    code, err, path = _run(tmp_path, capsys, json.dumps({"agents": MAX_AGENTS + 1, "objects": "a"}))
    assert code == 2
    assert err.startswith(f"error: {path}: agents: 1 to {MAX_AGENTS} agents")


def test_a_neighbourhood_whose_base_the_checker_cannot_rederive_is_refused(tmp_path, capsys):
    """By hand: 8 agents, one object, random priority; the neighbourhood is the whole domain, all
    2^8 = 256 profiles, so the checker re-derives the base at 256 profiles with 8! = 40,320
    orderings each: 10,321,920 assignments, above its limit of 2,000,000."""
    profiles = [[("a" if (k >> i) & 1 else "") for i in range(8)] for k in range(256)]
    text = json.dumps({"agents": 8, "objects": "a", "neighbourhood": profiles})
    code, err, path = _run(tmp_path, capsys, text)
    assert code == 2
    assert err.startswith(
        f"error: {path}: (top level): re-deriving the base at 256 profiles needs 10,321,920"
    )
    assert f"{MAX_BASE_RUNS:,}" in err


def test_a_domain_too_large_to_count_with_len_is_bad_input(tmp_path, capsys):
    # by hand: 6 objects give 1 + 6 + 30 + 120 + 360 + 720 + 720 = 1,957 rankings, and 8 agents
    # 1957^8 = 2.2 x 10^26 profiles: past sys.maxsize, which ``len`` cannot return
    code, err, path = _run(tmp_path, capsys, json.dumps({"agents": 8, "objects": "abcdef"}))
    assert code == 2
    assert err.startswith(f"error: {path}: agents: the full domain has about 10^26 profiles x 8 agents")


def test_the_python_api_refuses_what_the_checker_would_refuse():
    problem = Problem.make(2, "ab", [1000001, 1])
    domain = Domain.full(problem)
    with pytest.raises(InvalidInput, match=r"^capacities\[0\]: 1000001 is above 1000000"):
        find_dominating_mechanism(
            tabulate_random_priority(domain), domain, base_spec={"mechanism": "random_priority"}
        )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ex_post_stable": [[[0], [1]], [[1], [0]]]}, "ex_post_stable: ex post stability is supported with"),
        ({"ex_post_efficient": True}, "ex_post_efficient: ex post efficiency is supported with"),
    ],
)
def test_an_ex_post_option_without_a_neighbourhood_names_the_file(tmp_path, capsys, extra, message):
    code, err, path = _run(tmp_path, capsys, json.dumps({"agents": 2, "objects": "ab", **extra}))
    assert code == 2
    assert err.startswith(f"error: {path}: {message}")


def test_a_base_that_is_not_ex_post_stable_names_the_file(tmp_path, capsys):
    """By hand: a ranks agent 1 first, b agent 2. When both accept only a, random priority gives
    agent 2 the object a with probability 1/2, and agent 1 (higher priority at a, who wants it)
    blocks that matching: the base is not ex post stable at the profile (a; a)."""
    text = json.dumps(
        {
            "agents": 2,
            "objects": "ab",
            "neighbourhood": [["ab", "ab"]],
            "ex_post_stable": [[[0], [1]], [[1], [0]]],
        }
    )
    code, err, path = _run(tmp_path, capsys, text)
    assert code == 2
    assert err.startswith(f"error: {path}: base: the base mechanism is not ex post stable")
    assert "1: a; 2: a" in err


@pytest.mark.parametrize("text", ["", "  \n"])
def test_an_empty_problem_file_gets_the_search_files_hint(tmp_path, capsys, text):
    code, err, path = _run(tmp_path, capsys, text)
    assert code == 2
    assert err.startswith(f'error: {path}: the file is empty; expected a JSON object such as {{"agents": ')
    assert "format" not in err  # a search file has no 'format' field
