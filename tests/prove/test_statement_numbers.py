"""A statement's numbers within the digit limit (red-team finding): ``verified prove`` on a statement
whose capacity has 4,501 digits exited 4 ("Exceeds the limit (4300 digits) for integer string
conversion") when its certificate was written. The digit limit (`verified.numbers.max_digits`)
never exceeds what the interpreter converts to text, so such a capacity is refused as bad input
where it is read, naming the file and the place, and one at the limit is proved and certified."""

from __future__ import annotations

import pytest

from verified.assignment.model import Problem
from verified.cli import main
from verified.errors import InvalidInput
from verified.recheck.core import recheck_file

PREFIX = (
    '{"format": "verified/statement/1", "question": "exists", '
    '"problem": {"agents": 2, "objects": ["a"], "capacities": ['
)
SUFFIX = ']}, "profiles": {"kind": "full"}, "unknowns": [{"name": "f", "properties": ["sp"]}]}'


@pytest.fixture(autouse=True)
def default_limit(monkeypatch):
    """The default limits: CPython's 4,300 digits, with no VERIFIED_MAX_DIGITS of the caller's."""
    monkeypatch.delenv("VERIFIED_MAX_DIGITS", raising=False)


def test_a_capacity_past_the_digit_limit_is_bad_input_naming_the_file_and_place(tmp_path, capsys):
    path = tmp_path / "stmt_big.json"
    path.write_text(PREFIX + "1" + "0" * 4500 + SUFFIX)  # 10**4500: 4,501 digits
    assert main(["prove", str(path)]) == 2
    err = capsys.readouterr().err
    # by hand: the number starts right after PREFIX, on line 1 (the file has no newline)
    column = len(PREFIX) + 1
    assert err.startswith(f"error: {path}: line 1, column {column}: "), err
    assert "4,501 digits exceeds the limit of 4,300 digits" in err


def test_a_capacity_at_the_digit_limit_is_proved_and_certified(tmp_path, capsys):
    """By hand: with one object of capacity 10**4299 (4,300 digits, the limit) and two agents,
    giving each agent her first choice is strategy-proof, so ``exists`` HOLDS (exit 0), and the
    certificate, which writes the capacity, is written and re-verified."""
    path = tmp_path / "at_limit.json"
    path.write_text(PREFIX + "1" + "0" * 4299 + SUFFIX)
    assert main(["prove", str(path), "-c", str(tmp_path / "certs")]) == 0
    assert "exists  HOLDS" in capsys.readouterr().out
    written = tmp_path / "certs" / "at_limit.exists.cert.json"
    recheck_file(written)
    assert "1" + "0" * 4299 in written.read_text()


def test_a_statement_built_in_python_is_refused_at_its_capacity():
    with pytest.raises(InvalidInput, match=r"^capacities\[0\]: .*4,501 digits exceeds the limit of 4,300"):
        Problem.make(2, ["a"], [10**4500])
