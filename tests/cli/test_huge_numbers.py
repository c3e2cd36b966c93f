"""Numbers past the digit limit are bad input wherever they enter, never an internal error
(red-team finding: ``verified check`` on a table entry "1/<4,401 digits>", or on a Python
mechanism answering Fraction(1, 10**5000 + 1), exited 4 with "Exceeds the limit (4300 digits)
for integer string conversion", and ``verified.testing.assert_holds`` raised that raw ValueError).

The one rule (`verified.numbers`): every integer, numerator and denominator -- read from a file
or returned by a mechanism, and the common denominator of a profile's answers or of the whole
table -- has at most `max_digits` digits, counted before any conversion to text, and the limit
never exceeds what the interpreter converts (4,300 digits by default).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from verified import testing
from verified.cli import main
from verified.errors import InvalidInput
from verified.numbers import max_digits
from verified.recheck.core import recheck_file

TABLE = """format = "verified/assignment/1"
[problem]
agents = ["ann"]
objects = ["a"]
[domain]
kind = "restricted"
preferences = [[["a"]]]
[mechanism]
table = [{{ profile = [["a"]], assignment = {{ ann = {{ a = "{p}", outside = "{q}" }} }} }}]
"""

PYTHON = """format = "verified/assignment/1"
[problem]
agents = 2
objects = ["a"]
[domain]
kind = "full"
[mechanism]
python = "mechs.py:{name}"
"""

MECHANISMS = """from fractions import Fraction
P, Q = 10**2500 + 1, 10**2500 + 3
def hugeden(profile):
    d = 10**5000 + 1
    return [{"a": Fraction(1, d), "outside": 1 - Fraction(1, d)}, {"outside": 1}]
def two_rows(profile):
    return [{"a": Fraction(1, P), "outside": 1 - Fraction(1, P)},
            {"a": Fraction(1, Q), "outside": 1 - Fraction(1, Q)}]
def by_profile(profile):
    d = P if profile[1] else Q
    return [{"a": Fraction(1, d), "outside": 1 - Fraction(1, d)}, {"outside": 1}]
"""


@pytest.fixture(autouse=True)
def default_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default digit limit: CPython's 4,300 digits, with no VERIFIED_MAX_DIGITS of the caller's."""
    monkeypatch.delenv("VERIFIED_MAX_DIGITS", raising=False)


def _table(tmp_path: Path, digits: int) -> Path:
    """One agent, one object, one profile: ann gets a with probability 1/10^(digits - 1), a
    denominator of ``digits`` digits."""
    den = "1" + "0" * (digits - 1)  # written as text: Python does not print 4,401 digits
    path = tmp_path / "bigtable.toml"
    path.write_text(TABLE.format(p=f"1/{den}", q=f"{'9' * (digits - 1)}/{den}"))  # 10^k - 1: k nines
    return path


def _python(tmp_path: Path, name: str) -> Path:
    (tmp_path / "mechs.py").write_text(MECHANISMS)
    path = tmp_path / f"{name}.toml"
    path.write_text(PYTHON.format(name=name))
    return path


def _check(path: Path, capsys: pytest.CaptureFixture, *extra: str) -> tuple[int, str]:
    code = main(["check", str(path), "-p", "sp", *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    return code, err


def test_the_default_limit_is_what_the_interpreter_converts():
    # by hand: CPython's default int_max_str_digits is 4,300 (0 would mean no limit)
    assert max_digits() == min(4_300, sys.get_int_max_str_digits() or 4_300)


def test_a_digit_limit_above_the_interpreters_is_refused_naming_both_variables(monkeypatch):
    python = sys.get_int_max_str_digits()
    if not python:
        pytest.skip("this interpreter converts integers of any length")
    monkeypatch.setenv("VERIFIED_MAX_DIGITS", str(python + 1))
    with pytest.raises(InvalidInput, match=r"^VERIFIED_MAX_DIGITS: .*PYTHONINTMAXSTRDIGITS"):
        max_digits()


def test_a_table_entry_past_the_limit_is_bad_input_naming_the_place(tmp_path, capsys):
    path = _table(tmp_path, 4401)  # by hand: 10^4400 has 4,401 digits
    code, err = _check(path, capsys)
    assert code == 2
    assert err.startswith(f"error: {path}: mechanism.table[0].assignment: ")
    assert "4,401 digits exceeds the limit of 4,300 digits" in err
    with pytest.raises(InvalidInput, match="4,401 digits exceeds the limit"):
        testing.assert_holds(str(path), "sp")


def test_a_table_entry_at_the_limit_is_checked_and_certified(tmp_path, capsys):
    """By hand: the domain has one profile and ann one ranking, so no misreport exists and SP
    holds; the certificate, which writes the 4,300-digit denominator, re-checks."""
    path = _table(tmp_path, 4300)
    code, _ = _check(path, capsys, "--certificate-dir", str(tmp_path / "certs"))
    assert code == 0
    (cert,) = (tmp_path / "certs").iterdir()
    recheck_file(cert)
    assert "1" + "0" * 4299 in cert.read_text()


def test_a_mechanism_answering_a_huge_denominator_is_bad_input(tmp_path, capsys):
    path = _python(tmp_path, "hugeden")
    code, err = _check(path, capsys)
    assert code == 2
    # by hand: 10^5000 + 1 has 5,001 digits; the first profile (number 0) has both lists empty
    assert err.startswith(f"error: {path}: profile [[], []]")
    assert "5,001 digits exceeds the limit of 4,300 digits" in err
    with pytest.raises(InvalidInput, match="5,001 digits exceeds the limit"):  # not a raw ValueError
        testing.assert_holds(str(path), "sp")


def test_a_profiles_common_denominator_past_the_limit_is_bad_input(tmp_path, capsys):
    """By hand: P = 10^2500 + 1 and Q = 10^2500 + 3 are odd and differ by 2, so they are coprime;
    each entry has a 2,501-digit denominator, but the answer's common denominator P*Q has 5,001."""
    path = _python(tmp_path, "two_rows")
    code, err = _check(path, capsys)
    assert code == 2
    assert err.startswith(f"error: {path}: profile [[], []] (number 0): the common denominator of the answer")
    assert "5,001 digits exceeds the limit" in err


def test_the_tables_common_denominator_past_the_limit_is_bad_input(tmp_path, capsys):
    """By hand: profile 0 is ([], []) and profile 1 is ([], [a]) (the last agent's ranking varies
    fastest, the empty ranking first); agent 1 gets a with probability 1/Q at the first, 1/P at the
    second, so after profile 1 the common denominator is P*Q, of 5,001 digits."""
    path = _python(tmp_path, "by_profile")
    code, err = _check(path, capsys)
    assert code == 2
    assert err.startswith(f"error: {path}: profile number 1: the common denominator of the answers so far")
    assert "5,001 digits exceeds the limit" in err
    with pytest.raises(InvalidInput, match="profile number 1: the common denominator"):
        testing.assert_holds(str(path), "sp")


def test_a_digit_limit_too_long_to_read_is_refused_by_name(monkeypatch, capsys):
    # VERIFIED_MAX_DIGITS of 5,000 nines: read as text, never converted (that was an exit 4)
    monkeypatch.setenv("VERIFIED_MAX_DIGITS", "9" * 5000)
    assert (
        main(
            ["check", str(Path(__file__).resolve().parents[2] / "examples" / "rp_4x3.toml"), "-p", "ir", "-q"]
        )
        == 2
    )
    assert "VERIFIED_MAX_DIGITS: the digit limit must be a positive integer" in capsys.readouterr().err
