"""The stdlib LP certificate checker against the exact LP module's certificates."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.certificates.helpers import mutated
from verified.lp import Constraint, LinearProgram, solve_exact
from verified.recheck import RecheckError, recheck
from verified.recheck.lp import Program
from verified.results import CheckResult, Verdict


def _doc(lp: LinearProgram, prop: str, verdict: Verdict) -> dict:
    from verified.certificates import build_certificate

    result = CheckResult(prop, verdict, solve_exact(lp).to_evidence())
    return build_certificate(prop, result, {"family": "lp", "kind": "linear_program", "lp": _plain(lp)})


def _plain(lp: LinearProgram) -> dict:
    from verified.results import jsonable

    return jsonable(lp.to_evidence())


def _c(coefficients, sense, rhs, name):
    return Constraint({k: Fraction(v) for k, v in coefficients.items()}, sense, Fraction(rhs), name)


# max x + y s.t. x + 2y <= 4, 3x + y <= 6, x, y >= 0: the vertex x = 8/5, y = 6/5 gives 14/5
# (solving x + 2y = 4, 3x + y = 6 by hand); duals 2/5 and 1/5: 4 * 2/5 + 6 * 1/5 = 14/5.
OPTIMAL = LinearProgram(
    ("x", "y"),
    (_c({"x": 1, "y": 2}, "<=", 4, "a"), _c({"x": 3, "y": 1}, "<=", 6, "b")),
    {"x": Fraction(1), "y": Fraction(1)},
    "max",
)
# x + y >= 3 and x + y <= 1: infeasible; y_1 = 1 on ">=", y_2 = -1 on "<=" gives 0 . x and 3 - 1 > 0
INFEASIBLE = LinearProgram(
    ("x", "y"), (_c({"x": 1, "y": 1}, ">=", 3, "lo"), _c({"x": 1, "y": 1}, "<=", 1, "hi")), {}, "min"
)


def test_optimal_certificate_rechecks_and_the_value_is_the_hand_derived_one():
    doc = _doc(OPTIMAL, "optimal", Verdict.HOLDS)
    assert Fraction(doc["evidence"]["objective"]) == Fraction(14, 5)
    recheck(doc)
    assert Program(doc["subject"]["encoding"]["lp"]).check_optimal(doc["evidence"]) == Fraction(14, 5)
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("evidence", "objective"), "3"))
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("evidence", "dual"), {"a": "1/5", "b": "2/5"}))


def test_farkas_certificate_rechecks_and_tampering_is_rejected():
    doc = _doc(INFEASIBLE, "feasible", Verdict.FAILS)
    assert doc["evidence"]["status"] == "infeasible"
    recheck(doc)
    farkas = doc["evidence"]["farkas"]
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("evidence", "farkas"), {k: str(-Fraction(v)) for k, v in farkas.items()}))
    with pytest.raises(RecheckError):  # a changed right-hand side makes the program feasible
        lp = doc["subject"]["encoding"]["lp"]
        rows = [dict(lp["constraints"][0], rhs="1"), lp["constraints"][1]]
        from tests.certificates.helpers import rehash

        recheck(rehash(mutated(doc, ("subject", "encoding", "lp", "constraints"), rows)))


def test_lp_subject_and_certificate_fields_are_exact():
    from tests.certificates.helpers import rehash

    doc = _doc(OPTIMAL, "optimal", Verdict.HOLDS)
    recheck(doc)
    # unknown fields: in the certificate, the subject, the LP, a constraint
    with pytest.raises(RecheckError, match="unknown field"):
        recheck(mutated(doc, ("evidence", "note"), "x"))
    with pytest.raises(RecheckError, match="unknown field"):
        recheck(rehash(mutated(doc, ("subject", "encoding", "note"), "x")))
    with pytest.raises(RecheckError, match="unknown field"):
        recheck(rehash(mutated(doc, ("subject", "encoding", "lp", "integer"), ["x"])))
    with pytest.raises(RecheckError, match="unknown field"):
        recheck(rehash(mutated(doc, ("subject", "encoding", "lp", "constraints", 0, "weight"), 2)))
    # a coefficient on an undeclared variable, a repeated variable
    with pytest.raises(RecheckError):
        recheck(
            rehash(mutated(doc, ("subject", "encoding", "lp", "constraints", 0, "coefficients", "z"), "1"))
        )
    with pytest.raises(RecheckError, match="appears twice"):
        recheck(rehash(mutated(doc, ("subject", "encoding", "lp", "variables"), ["x", "x"])))
    # the primal witness is required and must be feasible with the claimed value
    without = mutated(doc, ("evidence",), {k: v for k, v in doc["evidence"].items() if k != "primal"})
    with pytest.raises(RecheckError, match="missing 'primal'"):
        recheck(without)
    with pytest.raises(RecheckError, match="violates"):
        recheck(
            mutated(doc, ("evidence", "primal"), {"x": "2", "y": "4/5"})
        )  # x + 2y = 18/5, 3x + y = 34/5 > 6


def test_stated_reduced_costs_must_be_c_minus_a_transpose_y():
    doc = _doc(OPTIMAL, "optimal", Verdict.HOLDS)
    # at the vertex both variables are basic: c - A^T y = (1 - 2/5 - 3/5, 1 - 4/5 - 1/5) = (0, 0)
    assert {k: Fraction(v) for k, v in doc["evidence"]["reduced_costs"].items() if Fraction(v)} == {}
    with pytest.raises(RecheckError, match="reduced_costs"):
        recheck(mutated(doc, ("evidence", "reduced_costs"), {"x": "-1"}))


def test_lp_property_verdict_combinations_are_closed():
    doc = _doc(OPTIMAL, "optimal", Verdict.HOLDS)
    for prop, verdict in (("optimal", "fails"), ("feasible", "holds"), ("bounded", "holds")):
        with pytest.raises(RecheckError, match="no independent checker"):
            recheck(mutated(mutated(doc, ("property",), prop), ("verdict",), verdict))
    farkas = _doc(INFEASIBLE, "feasible", Verdict.FAILS)
    with pytest.raises(RecheckError):  # a Farkas certificate is not an optimality certificate
        recheck(mutated(mutated(farkas, ("property",), "optimal"), ("verdict",), "holds"))
