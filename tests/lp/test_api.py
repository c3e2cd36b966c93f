"""solve_exact's contract: methods, time limits, evidence round trips, missing extra."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from fractions import Fraction as F

import pytest

from tests.lp.independent import recheck
from verified.errors import InvalidInput, MissingExtra
from verified.lp import (
    CertificateError,
    Constraint,
    LinearProgram,
    result_from_evidence,
    solve_exact,
    verify_result,
)


def dense(size: int, seed: int, rows: int | None = None) -> LinearProgram:
    rng = random.Random(seed)
    names = tuple(f"x{j}" for j in range(size))
    rows = tuple(
        Constraint({v: rng.randint(0, 9) for v in names}, ">=", rng.randint(50, 100), f"c{i}")
        for i in range(size if rows is None else rows)
    )
    return LinearProgram(names, rows, {v: rng.randint(1, 9) for v in names}, "min")


def test_time_limit_gives_unknown_with_reason() -> None:
    # the simplex checks its deadline before its first pivot, and a dense 30 x 30 program needs pivots
    result = solve_exact(dense(30, 1), method="simplex", time_limit=1e-9)
    assert result.status == "unknown" and "time limit" in result.reason
    verify_result(dense(30, 1), result)  # unknown claims nothing
    assert result.to_evidence() == {"kind": "lp_certificate", "status": "unknown", "reason": result.reason}


def test_time_limit_and_method_are_validated() -> None:
    lp = dense(2, 1)
    for bad in (0, -1.0, "5", True):
        with pytest.raises(InvalidInput):
            solve_exact(lp, time_limit=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        solve_exact(lp, method="glpk")  # type: ignore[arg-type]


def test_evidence_round_trip_and_determinism() -> None:
    lp = dense(8, 2)
    first = solve_exact(lp, method="simplex")
    second = solve_exact(lp, method="simplex")
    text = json.dumps(first.to_evidence(), sort_keys=True)
    assert text == json.dumps(second.to_evidence(), sort_keys=True)
    back = result_from_evidence(json.loads(text))
    verify_result(lp, back)
    assert recheck(lp, back) and back.objective == first.objective
    tampered = json.loads(text)
    tampered["objective"] = str(first.objective + 1)
    with pytest.raises(CertificateError):
        verify_result(lp, result_from_evidence(tampered))


def test_auto_matches_simplex() -> None:
    import importlib.util

    has_highs = importlib.util.find_spec("highspy") is not None
    for size, rows, expected in ((3, 3, "simplex"), (200, 15, "highs" if has_highs else "simplex")):
        lp = dense(size, size, rows)  # (201 * 16 > 2,500 entries: HiGHS when installed)
        auto, exact = solve_exact(lp), solve_exact(lp, method="simplex")
        assert auto.method.startswith(expected)
        assert auto.status == exact.status == "optimal" and auto.objective == exact.objective
        assert recheck(lp, auto)


def test_missing_highspy_names_the_pip_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if name == "highspy":
            raise ImportError("no highspy")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(MissingExtra, match=r"pip install 'verified\[highs\]'"):
        solve_exact(dense(3, 1), method="highs")


def test_infeasible_evidence_round_trip() -> None:
    rows = (Constraint({"x": 1}, "<=", F(1, 3), "le"), Constraint({"x": 1}, ">=", 1, "ge"))
    lp = LinearProgram(("x",), rows)
    result = solve_exact(lp)
    back = result_from_evidence(result.to_evidence())
    verify_result(lp, back)
    with pytest.raises(CertificateError):
        verify_result(lp, replace(back, farkas={"ge": F(1)}))  # x >= 1 alone is feasible
