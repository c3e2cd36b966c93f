"""HiGHS proposes, exact arithmetic decides: random LPs solved by HiGHS + repair
agree with the exact simplex, and every certificate re-checks independently."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings

from tests.lp.independent import recheck
from tests.lp.test_random import degenerate_programs, linear_programs
from verified.lp import Constraint, LinearProgram, solve_exact, verify_result
from verified.lp.highs import solve_highs
from verified.lp.reconstruct import Basis, BasisError, from_basis
from verified.lp.sparse import SingularSystem, solve_square

pytest.importorskip("highspy")


@settings(max_examples=100)
@given(linear_programs())
def test_highs_agrees_with_simplex(lp: LinearProgram) -> None:
    exact = solve_exact(lp, method="simplex")
    for rounding in (True, False):
        proposed = solve_highs(lp, rounding=rounding)
        assert proposed.status == exact.status, proposed.reason
        verify_result(lp, proposed)
        assert recheck(lp, proposed)
        if exact.status == "optimal":
            assert proposed.objective == exact.objective


@settings(max_examples=60)
@given(degenerate_programs())
def test_highs_agrees_with_simplex_on_degenerate_programs(lp: LinearProgram) -> None:
    exact = solve_exact(lp, method="simplex")
    proposed = solve_highs(lp, rounding=False)
    assert proposed.status == exact.status, proposed.reason
    assert recheck(lp, proposed)
    if exact.status == "optimal":
        assert proposed.objective == exact.objective


def test_awkward_denominators_need_the_basis_solve() -> None:
    # max x + y s.t. 9973 x + 9967 y <= 1, 9967 x + 9973 y <= 1 (x, y >= 0): by symmetry the
    # optimum is x = y = 1/19940, value 1/9970; denominators beyond the rounding's 10,000 limit
    lp = LinearProgram(
        ("x", "y"),
        (Constraint({"x": 9973, "y": 9967}, "<=", 1, "a"), Constraint({"x": 9967, "y": 9973}, "<=", 1, "b")),
        {"x": 1, "y": 1},
        "max",
    )
    result = solve_exact(lp, method="highs")
    assert result.status == "optimal" and result.method == "highs+basis"
    assert result.primal == {"x": F(1, 19940), "y": F(1, 19940)} and result.objective == F(1, 9970)
    # dual by hand: y_a = y_b = 1/19940 (columns: 19940 * y = 1), dual objective 2/19940 = 1/9970
    assert result.dual == {"a": F(1, 19940), "b": F(1, 19940)}
    assert recheck(lp, result)


def test_infeasible_and_unbounded_through_highs() -> None:
    infeasible = LinearProgram(
        ("x", "y"), (Constraint({"x": 1, "y": 2}, "<=", 1, "le"), Constraint({"x": 3, "y": 6}, ">=", 7, "ge"))
    )
    r = solve_exact(infeasible, method="highs")
    assert r.status == "infeasible" and recheck(infeasible, r)
    unbounded = LinearProgram(
        ("x", "y"),
        (Constraint({"x": 1, "y": -1}, "==", 2, "eq"),),
        {"x": 1, "y": 1},
        "min",
        {"x": None, "y": None},
    )
    r = solve_exact(unbounded, method="highs")
    assert r.status == "unbounded" and recheck(unbounded, r)


def test_bad_basis_is_rejected() -> None:
    lp = LinearProgram(("x", "y"), (Constraint({"x": 1, "y": 1}, "<=", 4, "a"),), {"x": 1}, "max")
    with pytest.raises(BasisError):
        from_basis(lp, Basis(("basic", "basic"), ("upper",)))  # 2 basic variables, 1 tight row
    with pytest.raises(BasisError):
        from_basis(lp, Basis(("basic", "lower"), ("lower",)))  # a "<=" row has no lower bound


def test_sparse_solver() -> None:
    # 2a + b = 5, a - b = 1  ->  a = 2, b = 1
    assert solve_square([{0: F(2), 1: F(1)}, {0: F(1), 1: F(-1)}], [F(5), F(1)], 2) == [2, 1]
    with pytest.raises(SingularSystem):
        solve_square([{0: F(1), 1: F(1)}, {0: F(2), 1: F(2)}], [F(1), F(2)], 2)


def test_wrong_float_proposal_never_becomes_a_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    import verified.lp.highs as highs

    lp = LinearProgram(
        ("x", "y"),
        (Constraint({"x": 1, "y": 1}, "<=", 4, "a"), Constraint({"x": 1, "y": 3}, "<=", 6, "b")),
        {"x": 3, "y": 2},
        "max",
    )
    # a feasible but non-optimal point (3, 1) with a made-up dual, and a basis that is not optimal
    wrong = highs.Proposal("optimal", (3.0, 1.0), (1.0, 1.0), Basis(("basic", "basic"), ("upper", "upper")))
    monkeypatch.setattr(highs, "propose", lambda lp, time_limit=None: wrong)
    result = highs.solve_highs(lp)
    assert result.status == "unknown" and "could not be made exact" in result.reason
    # solve_exact falls back to the exact simplex for a small program: max 3x + 2y is 12 at (4, 0)
    fallback = solve_exact(lp, method="highs")
    assert fallback.status == "optimal" and fallback.objective == 12 and fallback.method == "simplex"
    assert "highs_failure" in fallback.stats and recheck(lp, fallback)


@pytest.mark.parametrize(
    "lp",
    [
        LinearProgram(("x",), (), {"x": 1}, lower={"x": None}),  # unbounded below, no rows
        LinearProgram(("x",), (), {"x": 1}),  # optimum 0 at the bound
        LinearProgram(("x",), (), {"x": -1}),  # unbounded, no rows
        LinearProgram((), ()),  # empty program: optimum 0
        LinearProgram(("x",), (Constraint({}, "<=", -1, "empty"),)),  # 0 <= -1: infeasible
        LinearProgram(("x",), (Constraint({}, ">=", -1, "empty"),), {"x": 2}, "max", {"x": None}),
        LinearProgram(  # duplicated equality (rank-deficient)
            ("x", "y"),
            (Constraint({"x": 1}, "==", 2, "e1"), Constraint({"x": 2}, "==", 4, "e2")),
            {"x": 1, "y": 1},
        ),
    ],
)
def test_edge_programs_agree(lp: LinearProgram) -> None:
    exact = solve_exact(lp, method="simplex")
    proposed = solve_exact(lp, method="highs")
    assert proposed.status == exact.status != "unknown"
    assert proposed.objective == exact.objective
    assert recheck(lp, exact) and recheck(lp, proposed)


def test_highs_misreported_status_is_corrected_exactly() -> None:
    # HiGHS 1.x reports this program "infeasible"; it is unbounded: x1 = -(x3 + x4) with x3 + x4
    # growing keeps c1 (-x1 - x3 - x4 <= 0) tight and the box at x0 + x2 <= 1.
    names = ("x0", "x1", "x2", "x3", "x4")
    lp = LinearProgram(
        names,
        (
            Constraint({}, "<=", 0, "c0"),
            Constraint({"x1": -1, "x3": -1, "x4": -1}, "<=", 0, "c1"),
            Constraint(dict.fromkeys(names, 1), "<=", 1, "box"),
        ),
        {"x1": 1},
        "min",
        {"x1": None},
    )
    result = solve_highs(lp)
    assert result.status == "unbounded" and recheck(lp, result)
