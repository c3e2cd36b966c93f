from __future__ import annotations

from fractions import Fraction as F

import pytest

from tests.lp.independent import recheck
from verified.errors import InvalidInput
from verified.lp import Constraint, LinearProgram, solve_exact, verify_result


def C(coefficients, sense, rhs, name):  # noqa: N802 - short constructor for readability
    return Constraint(coefficients, sense, rhs, name)


def test_textbook_max() -> None:
    # max 3x + 2y, x + y <= 4, x + 3y <= 6: vertices (0,0),(4,0),(3,1),(0,2) give 0,12,11,4
    lp = LinearProgram(
        ("x", "y"),
        (C({"x": 1, "y": 1}, "<=", 4, "a"), C({"x": 1, "y": 3}, "<=", 6, "b")),
        {"x": 3, "y": 2},
        "max",
    )
    r = solve_exact(lp, method="simplex")
    assert r.status == "optimal" and r.objective == 12
    assert r.primal == {"x": 4, "y": 0}
    # dual by hand: y_a = 3 (x's column: 3 - y_a = 0), y_b = 0; 3*4 = 12
    assert r.dual == {"a": 3, "b": 0}
    assert recheck(lp, r)


def test_beale_cycling_example() -> None:
    # Beale (1955): Dantzig's rule with naive ties cycles. Optimum -5/4 at x4 = x6 = 1:
    # c.x = -3/4 - 1/2; both rows feasible (1/4 - 1 = -3/4 <= 0, 1/2 - 1/2 = 0 <= 0), x6 <= 1 tight.
    v = ("x4", "x5", "x6", "x7")
    lp = LinearProgram(
        v,
        (
            C({"x4": F(1, 4), "x5": -8, "x6": -1, "x7": 9}, "<=", 0, "r1"),
            C({"x4": F(1, 2), "x5": -12, "x6": F(-1, 2), "x7": 3}, "<=", 0, "r2"),
            C({"x6": 1}, "<=", 1, "r3"),
        ),
        {"x4": F(-3, 4), "x5": 20, "x6": F(-1, 2), "x7": 6},
    )
    r = solve_exact(lp, method="simplex")
    assert r.status == "optimal" and r.objective == F(-5, 4)
    assert recheck(lp, r)


def test_infeasible_with_farkas() -> None:
    # x + y <= 1 and x + y >= 2: y_le = -1, y_ge = 1 gives column sums 0 and y.b = -1 + 2 = 1 > 0
    lp = LinearProgram(("x", "y"), (C({"x": 1, "y": 1}, "<=", 1, "le"), C({"x": 1, "y": 1}, ">=", 2, "ge")))
    r = solve_exact(lp, method="simplex")
    assert r.status == "infeasible"
    assert r.farkas["ge"] > 0 and r.farkas["le"] == -r.farkas["ge"]
    assert recheck(lp, r)


def test_infeasible_by_bounds() -> None:
    # x >= 3 (lower bound) and x <= 2
    lp = LinearProgram(("x",), (C({"x": 1}, "<=", 2, "cap"),), lower={"x": 3})
    r = solve_exact(lp)
    assert r.status == "infeasible" and recheck(lp, r)


def test_unbounded_with_ray() -> None:
    lp = LinearProgram(("x", "y"), (C({"x": 1, "y": -1}, "<=", 1, "c"),), {"x": 1, "y": 1}, "max")
    r = solve_exact(lp)
    assert r.status == "unbounded" and recheck(lp, r)


def test_equalities_free_variables_and_bounds() -> None:
    # min x + 2y with x free, y >= -1, x + y == 3, x - y <= 10: y as small as possible
    # (y = -1 gives x = 4, x - y = 5 <= 10), objective 4 - 2 = 2
    lp = LinearProgram(
        ("x", "y"),
        (C({"x": 1, "y": 1}, "==", 3, "sum"), C({"x": 1, "y": -1}, "<=", 10, "gap")),
        {"x": 1, "y": 2},
        lower={"x": None, "y": -1},
    )
    r = solve_exact(lp)
    assert r.status == "optimal" and r.objective == 2 and r.primal == {"x": 4, "y": -1}
    assert recheck(lp, r)


def test_free_variable_unbounded_below() -> None:
    lp = LinearProgram(("x",), (), {"x": 1}, lower={"x": None})
    r = solve_exact(lp)
    assert r.status == "unbounded" and r.ray == {"x": -1} and recheck(lp, r)


def test_degenerate_redundant_equalities() -> None:
    # the third row is the sum of the first two (a redundant row stays with a zero artificial)
    lp = LinearProgram(
        ("a", "b", "c"),
        (
            C({"a": 1, "b": 1}, "==", 1, "r1"),
            C({"b": 1, "c": 1}, "==", 1, "r2"),
            C({"a": 1, "b": 2, "c": 1}, "==", 2, "r3"),
        ),
        {"a": 1, "b": 3, "c": 1},
        "min",
    )
    r = solve_exact(lp)
    # b = t, a = c = 1 - t, cost 2 - 2t + 3t = 2 + t: minimum 2 at t = 0
    assert r.status == "optimal" and r.objective == 2 and recheck(lp, r)


def test_empty_program() -> None:
    lp = LinearProgram((), ())
    r = solve_exact(lp)
    assert r.status == "optimal" and r.objective == 0


def test_tampered_certificates_fail() -> None:
    from dataclasses import replace

    from verified.lp import CertificateError

    lp = LinearProgram(
        ("x", "y"),
        (C({"x": 1, "y": 1}, "<=", 4, "a"), C({"x": 1, "y": 3}, "<=", 6, "b")),
        {"x": 3, "y": 2},
        "max",
    )
    r = solve_exact(lp)
    verify_result(lp, r)
    for bad in (
        replace(r, objective=F(13)),
        replace(r, dual={"a": F(4), "b": F(0)}),
        replace(r, dual={"a": F(2), "b": F(1)}),  # feasible dual, objective 14 != 12
        replace(r, primal={"x": F(5), "y": F(0)}),
        replace(r, reduced_costs={"x": F(1), "y": F(-1)}),
        replace(r, dual={"a": F(3), "zzz": F(0)}),
        replace(r, primal={"x": 4.0, "y": F(0)}),  # a float is never a certificate
    ):
        with pytest.raises(CertificateError):
            verify_result(lp, bad)
    infeasible = LinearProgram(("x",), (C({"x": 1}, "<=", 1, "le"), C({"x": 1}, ">=", 2, "ge")))
    r2 = solve_exact(infeasible)
    verify_result(infeasible, r2)
    with pytest.raises(CertificateError):
        verify_result(infeasible, replace(r2, farkas={"le": F(-1), "ge": F(1, 2)}))


def test_floats_rejected() -> None:
    with pytest.raises(InvalidInput, match="float"):
        Constraint({"x": 0.5}, "<=", 1, "c")
    with pytest.raises(InvalidInput, match="unknown variable"):
        LinearProgram(("x",), (C({"y": 1}, "<=", 1, "c"),))
    with pytest.raises(InvalidInput, match="twice"):
        LinearProgram(("x",), (C({"x": 1}, "<=", 1, "c"), C({"x": 1}, "<=", 2, "c")))


def test_evidence_is_exact_json() -> None:
    lp = LinearProgram(("x",), (C({"x": 2}, "<=", 1, "c"),), {"x": 1}, "max")
    ev = solve_exact(lp).to_evidence()
    assert ev == {
        "kind": "lp_certificate",
        "status": "optimal",
        "primal": {"x": "1/2"},
        "dual": {"c": "1/2"},
        "reduced_costs": {},
        "objective": "1/2",
    }
