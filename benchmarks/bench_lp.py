"""Exact LP benchmarks: the pure-integer simplex and HiGHS + exact repair on
the same programs (transportation problems, dense random packing programs,
and a large sparse program shaped like the mechanism search's).

    python benchmarks/run.py lp
"""

from __future__ import annotations

import importlib.util
import random
from fractions import Fraction

from run import Case

from verified.lp import Constraint, LinearProgram, solve_exact
from verified.results import digest


def transportation(size: int, seed: int) -> LinearProgram:
    """min sum c_ij x_ij, supplies (<=) and demands (>=) on a size x size grid."""
    rng = random.Random(seed)
    names = tuple(f"x{i}_{j}" for i in range(size) for j in range(size))
    supply = [rng.randint(10, 30) for _ in range(size)]
    demand = [rng.randint(5, 20) for _ in range(size)]
    rows = [
        Constraint({f"x{i}_{j}": 1 for j in range(size)}, "<=", supply[i], f"supply{i}") for i in range(size)
    ]
    rows += [
        Constraint({f"x{i}_{j}": 1 for i in range(size)}, ">=", demand[j], f"demand{j}") for j in range(size)
    ]
    costs = {v: Fraction(rng.randint(1, 50), rng.choice([1, 2, 3])) for v in names}
    return LinearProgram(names, tuple(rows), costs, "min")


def packing(size: int, seed: int) -> LinearProgram:
    """max c.x, A x <= b with dense random digits (worst case for exact arithmetic)."""
    rng = random.Random(seed)
    names = tuple(f"x{j}" for j in range(size))
    rows = tuple(
        Constraint({v: rng.randint(0, 9) for v in names}, "<=", rng.randint(50, 100), f"c{i}")
        for i in range(size)
    )
    return LinearProgram(names, rows, {v: rng.randint(1, 9) for v in names}, "max")


def search_shaped(variables: int, constraints: int, seed: int) -> LinearProgram:
    """Probability-like variables in groups summing to at most 1, plus many sparse
    incentive-style rows with small rational coefficients."""
    rng = random.Random(seed)
    names = tuple(f"g{j}" for j in range(variables))
    rows = [
        Constraint({names[b]: 1, names[b + 1]: 1, names[b + 2]: 1}, "<=", 1, f"row{b}")
        for b in range(0, variables - 2, 3)
    ]
    for i in range(constraints):
        picked = rng.sample(range(variables), rng.randint(2, 6))
        coefficients = {names[j]: rng.choice([1, -1, Fraction(1, 2), Fraction(-1, 3)]) for j in picked}
        rows.append(Constraint(coefficients, "<=", Fraction(rng.randint(0, 3), 6), f"ic{i}"))
    return LinearProgram(names, tuple(rows), {v: rng.randint(0, 5) for v in names}, "max")


def _case(name: str, target: float | None, build, method: str) -> Case:  # noqa: ANN001
    def run() -> str:
        lp = build()
        result = solve_exact(lp, method=method)
        fingerprint = digest(result.to_evidence())[:12]
        return f"{result.status} {result.method} objective={result.objective} digest={fingerprint}"

    return Case(f"lp {name} [{method}]", target, run)


def cases() -> list[Case]:
    methods = ["simplex"]
    if importlib.util.find_spec("highspy") is not None:
        methods.append("highs")
    out: list[Case] = []
    for method in methods:
        out.append(_case("transport 15x15 (225 vars)", 10, lambda: transportation(15, 1), method))
        out.append(_case("packing dense 60x60", 10, lambda: packing(60, 2), method))
    if "highs" in methods:
        out.append(_case("transport 100x100 (10k vars)", 30, lambda: transportation(100, 3), "highs"))
        out.append(_case("search-shaped 3k x 30k", 60, lambda: search_shaped(3000, 30000, 4), "highs"))
    return out
