"""Messages about a user's Python mechanism and a mechanism table's fields (red-team findings).

* A user's function returning invalid rows was reported as coming from an internal stand-in
  (``verified/engine/reader.py:RangeReader.__init__.<locals>.<lambda>``): every message must name
  the user's own ``file:qualname``, as it does when the function raises.
* A function returning the string "hello" was reported as "assignment: 5 rows for 2 agents" (the
  string's characters read as rows): the message must say what was returned and what is expected.
* An unknown field of the mechanism listed the allowed keys with repeats ('table', 'table', 'name').
"""

from __future__ import annotations

import json

import pytest

from verified.cli import main

USER_CODE = """from decimal import Decimal
from fractions import Fraction as F


def neg(profile):
    return [{"outside": F(3, 2), "a": F(-1, 2)}, {"outside": 1}]


def floats(profile):
    return [{"outside": 0.5, "a": 0.5}, {"outside": 1}]


def short(profile):
    return [{"outside": 1}]


def overcap(profile):
    return [{"a": 1}, {"a": 1}]


def unknownobj(profile):
    return [{"zz": 1}, {"outside": 1}]


def decimals(profile):
    return [{"a": Decimal("0.5"), "outside": Decimal("0.5")}, {"outside": 1}]


def notdict(profile):
    return "hello"


def none(profile):
    return None


def raises(profile):
    raise ValueError("boom")
"""

#: What every user-mechanism answer is compared against (two agents here).
EXPECTED = (
    "expected a StochasticAssignment, or a list of one row per agent (2 rows, each a {object: "
    "probability} mapping or a list over the objects then 'outside'), or a {agent: row} mapping"
)


def _mechanism_file(tmp_path, function: str):
    (tmp_path / "pm.py").write_text(USER_CODE)
    path = tmp_path / f"pm_{function}.toml"
    path.write_text(
        'format = "verified/assignment/1"\n[problem]\nagents = 2\nobjects = ["a"]\n'
        f'[domain]\nkind = "full"\n[mechanism]\npython = "pm.py:{function}"\n'
    )
    return path


# What each function's first answer breaks, derived from the function above: at the first
# profile (both agents rank nothing), agent 1's row.
INVALID_ROWS = {
    "neg": "assignment row of agent '1'['a']: probability -1/2 is outside [0, 1]",
    "floats": "assignment row of agent '1'['outside']: got the float 0.5; floats are not exact.",
    "overcap": "assignment column 'a': column sums to 2, more than the capacity 1",
    "unknownobj": "assignment row of agent '1': unknown object 'zz'",
    "decimals": "assignment row of agent '1'['a']: expected a rational number, got Decimal",
}


@pytest.mark.parametrize("function", sorted(INVALID_ROWS))
def test_invalid_rows_name_the_users_function(tmp_path, capsys, function):
    path = _mechanism_file(tmp_path, function)
    assert main(["check", str(path), "-p", "ir"]) == 2
    err = capsys.readouterr().err
    origin = f"{tmp_path / 'pm.py'}:{function}"  # the user's file and qualname
    assert err.startswith(
        f"error: {path}: profile [[], []]: mechanism pm.py:{function} ({origin}) returned rows that are "
        f"not valid: {INVALID_ROWS[function]}"
    )
    assert "<lambda>" not in err and "reader.py" not in err


@pytest.mark.parametrize(
    ("function", "returned"),
    [
        ("notdict", "returned a str ('hello')"),  # not 5 "rows" h, e, l, l, o
        ("short", "returned a list of 1 rows for 2 agents"),
        ("none", "returned NoneType"),
    ],
)
def test_a_wrong_shape_says_what_was_returned_and_expected(tmp_path, capsys, function, returned):
    path = _mechanism_file(tmp_path, function)
    assert main(["check", str(path), "-p", "ir"]) == 2
    err = capsys.readouterr().err.strip()
    mechanism = f"mechanism pm.py:{function} ({tmp_path / 'pm.py'}:{function})"
    assert err == f"error: {path}: profile [[], []]: {mechanism} {returned}; {EXPECTED}"


def test_a_raising_function_is_still_named_the_same_way(tmp_path, capsys):
    path = _mechanism_file(tmp_path, "raises")
    assert main(["check", str(path), "-p", "ir"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: {path}: profile [[], []] (number 0): mechanism pm.py:raises "
        f"({tmp_path / 'pm.py'}:raises) raised ValueError: boom"
    )


# Each form of mechanism and the keys it allows, each once (the form's key, then the others).
FORMS = {
    "table": ({"name": "t", "table": []}, "'table', 'name'"),
    "builtin": ({"builtin": "random_priority"}, "'builtin', 'name', 'order', 'priorities'"),
    "python": ({"python": "pm.py:neg"}, "'python', 'name'"),
    "numerators": ({"numerators": [], "denominator": 1}, "'numerators', 'denominator', 'name'"),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_unknown_mechanism_field_lists_each_allowed_key_once(tmp_path, capsys, form):
    spec, allowed = FORMS[form]
    path = tmp_path / "bad_extra_mech_key.json"
    doc = {
        "format": "verified/assignment/1",
        "problem": {"agents": ["x", "y"], "objects": ["a", "b"]},
        "domain": {"kind": "full"},
        "mechanism": {**spec, "foo": 1},
    }
    path.write_text(json.dumps(doc))
    assert main(["check", str(path), "--all"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {path}: mechanism: unknown field(s) ['foo']; allowed here: {allowed}"
