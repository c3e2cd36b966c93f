"""verify_result accepts a certificate exactly when the independent re-check does,
also on tampered certificates (one entry nudged), so it is neither too lax nor too strict."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lp.independent import recheck
from tests.lp.test_random import linear_programs
from verified.lp import CertificateError, LinearProgram, solve_exact, verify_result


def accepted(lp: LinearProgram, result) -> bool:  # noqa: ANN001
    try:
        verify_result(lp, result)
    except CertificateError:
        return False
    return True


@settings(max_examples=150)
@given(linear_programs(), st.data())
def test_verify_agrees_with_independent_recheck_when_tampered(lp: LinearProgram, data) -> None:  # noqa: ANN001
    result = solve_exact(lp, method="simplex")
    fields = {
        "optimal": ["primal", "dual", "objective"],
        "infeasible": ["farkas"],
        "unbounded": ["primal", "ray"],
    }
    target = data.draw(st.sampled_from(fields[result.status]))
    delta = data.draw(st.sampled_from([Fraction(1), Fraction(-1), Fraction(1, 2), Fraction(-1, 3)]))
    if target == "objective":
        tampered = replace(result, objective=result.objective + delta)
    else:
        values = dict(getattr(result, target))
        keys = sorted(values) or None
        if keys is None:
            return
        key = data.draw(st.sampled_from(keys))
        values[key] += delta
        tampered = replace(result, **{target: values}, reduced_costs={})
    assert accepted(lp, tampered) == recheck(lp, tampered)
