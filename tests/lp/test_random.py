"""Random small LPs: the exact simplex agrees with z3's exact optimiser (an
independent rational LP solver) on status and optimal value, and every
certificate passes both `verify_result` and the independent re-check."""

from __future__ import annotations

from fractions import Fraction

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lp.independent import recheck
from verified.lp import Constraint, LinearProgram, solve_exact, verify_result

coefficient = st.integers(-3, 3)


@st.composite
def linear_programs(draw, max_variables: int = 4, max_constraints: int = 5) -> LinearProgram:
    n = draw(st.integers(1, max_variables))
    names = tuple(f"x{j}" for j in range(n))
    constraints = []
    for i in range(draw(st.integers(0, max_constraints))):
        coefficients = {v: draw(coefficient) for v in names}
        sense = draw(st.sampled_from(["<=", ">=", "=="]))
        rhs = Fraction(draw(st.integers(-6, 6)), draw(st.sampled_from([1, 1, 2, 3])))
        constraints.append(Constraint(coefficients, sense, rhs, f"c{i}"))
    objective = {v: draw(coefficient) for v in names}
    lower = {v: draw(st.sampled_from([0, 0, -2, 1, None, Fraction(1, 2)])) for v in names}
    return LinearProgram(names, tuple(constraints), objective, draw(st.sampled_from(["min", "max"])), lower)


def z3_status_and_value(lp: LinearProgram) -> tuple[str, Fraction | None]:
    xs = {v: z3.Real(v) for v in lp.variables}
    opt = z3.Optimize()
    for v in lp.variables:
        bound = lp.lower_bound(v)
        if bound is not None:
            opt.add(xs[v] >= z3.RealVal(f"{bound.numerator}/{bound.denominator}"))
    for c in lp.constraints:
        terms = [z3.RealVal(f"{a.numerator}/{a.denominator}") * xs[v] for v, a in c.coefficients.items()]
        lhs = z3.Sum(terms + [z3.RealVal(0)])
        rhs = z3.RealVal(f"{c.rhs.numerator}/{c.rhs.denominator}")
        opt.add(lhs <= rhs if c.sense == "<=" else lhs >= rhs if c.sense == ">=" else lhs == rhs)
    objective = z3.Sum([z3.RealVal(str(a)) * xs[v] for v, a in lp.objective.items()] + [z3.RealVal(0)])
    handle = opt.minimize(objective) if lp.sense == "min" else opt.maximize(objective)
    answer = opt.check()
    if answer == z3.unsat:
        return "infeasible", None
    assert answer == z3.sat
    if not lp.objective:  # z3 reports a constant objective oddly; the optimum of 0 is 0
        return "optimal", Fraction(0)
    value = handle.value()
    if z3.is_int_value(value):  # z3 sometimes reports an integral optimum with sort Int
        return "optimal", Fraction(value.as_long())
    if not z3.is_rational_value(value):
        # "oo" (or, from the oldest z3 we support, a bare "epsilon" on some unbounded programs):
        # confirmed independently, the objective passes any bound on a feasible point.
        probe = z3.Solver()
        probe.add(*opt.assertions())
        far = z3.RealVal(10**12)
        probe.add(objective >= far if lp.sense == "max" else objective <= -far)
        assert probe.check() == z3.sat, f"z3 reported {value} for a bounded program"
        return "unbounded", None
    return "optimal", Fraction(value.numerator_as_long(), value.denominator_as_long())


@settings(max_examples=150)
@given(linear_programs())
def test_simplex_agrees_with_z3(lp: LinearProgram) -> None:
    result = solve_exact(lp, method="simplex")
    assert result.status != "unknown", result.reason
    verify_result(lp, result)
    assert recheck(lp, result)
    status, value = z3_status_and_value(lp)
    assert result.status == status
    if status == "optimal":
        assert result.objective == value


@st.composite
def degenerate_programs(draw) -> LinearProgram:  # noqa: ANN001
    """Coefficients in {-1, 0, 1} and mostly zero right-hand sides: many ties in the ratio test."""
    n = draw(st.integers(2, 6))
    names = tuple(f"x{j}" for j in range(n))
    constraints = [
        Constraint(
            {v: draw(st.integers(-1, 1)) for v in names},
            draw(st.sampled_from(["<=", ">=", "=="])),
            draw(st.sampled_from([0, 0, 0, 1])),
            f"c{i}",
        )
        for i in range(draw(st.integers(1, 7)))
    ]
    constraints.append(Constraint(dict.fromkeys(names, 1), "<=", 1, "box"))
    objective = {v: draw(st.integers(-2, 2)) for v in names}
    lower = {v: draw(st.sampled_from([0, 0, None])) for v in names}
    return LinearProgram(names, tuple(constraints), objective, draw(st.sampled_from(["min", "max"])), lower)


@settings(max_examples=100)
@given(degenerate_programs())
def test_degenerate_programs_agree_with_z3(lp: LinearProgram) -> None:
    result = solve_exact(lp, method="simplex")
    assert result.status != "unknown", result.reason
    assert recheck(lp, result)
    status, value = z3_status_and_value(lp)
    assert result.status == status
    if status == "optimal":
        assert result.objective == value
