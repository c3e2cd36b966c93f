"""SD-efficiency of an unknown as clauses over the cycles of the trading relation (Bogomolnaia
and Moulin 2001, Lemma 3; `verified.prove.statement`), checked against the library's own LP
test of ordinal efficiency (`check_sd_efficient_assignment`, which shares no code with it)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.domain import Domain, all_preferences
from verified.assignment.mechanisms import random_priority
from verified.assignment.model import Problem
from verified.assignment.properties.efficiency import check_sd_efficient_assignment
from verified.assignment.stochastic import StochasticAssignment
from verified.cli import main
from verified.prove import Statement, Unknown
from verified.prove.api import prove
from verified.recheck.core import recheck_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "statements"


@st.composite
def assignments(draw):
    """A profile and a lottery over up to three random IR deterministic assignments there."""
    n = draw(st.integers(2, 4))
    objects = draw(st.sampled_from(["ab", "abc"]))
    capacities = draw(st.sampled_from([None, {objects[0]: 2}]))
    problem = Problem.make(n, objects, capacities)
    rankings = all_preferences(problem.objects)
    profile = tuple(draw(st.sampled_from(rankings)) for _ in range(n))
    matrix = [[Fraction(0)] * (problem.m + 1) for _ in range(n)]
    parts = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    for weight in parts:
        left = dict(zip(problem.objects, problem.capacities, strict=True))
        for i, ranking in enumerate(profile):
            options = [x for x in ranking if left[x] > 0] + ["outside"]
            pick = draw(st.sampled_from(options))
            if pick != "outside":
                left[pick] -= 1
            matrix[i][problem.columns.index(pick)] += Fraction(weight, sum(parts))
    return problem, profile, StochasticAssignment(problem, tuple(tuple(r) for r in matrix))


@settings(max_examples=80, deadline=None)
@given(case=assignments())
def test_the_cycle_clauses_agree_with_the_lp_test_of_ordinal_efficiency(case):
    problem, profile, gamma = case
    statement = Statement(
        problem, (profile,), (Unknown("gamma", ("sd-efficient",), lambda _p: gamma),), question="exists"
    )
    outcome = prove(statement)
    assert (outcome.verdict == "holds") == check_sd_efficient_assignment(gamma, profile).holds


def test_random_priority_is_sd_efficient_for_two_agents_and_three_objects():
    """Erdil's remark (RP is efficient for few agents) on the full domain of 2 agents and
    3 objects (256 profiles): the statement "RP is SD-efficient" has a witness, RP itself."""
    problem = Problem.make(2, "abc")
    rp = random_priority(problem)
    statement = Statement(
        problem, tuple(Domain.full(problem)), (Unknown("rp", ("sd-efficient",), rp),), question="exists"
    )
    assert prove(statement).verdict == "holds"


def test_random_priority_is_not_sd_efficient_at_bogomolnaia_and_moulin_s_profile(tmp_path, capsys):
    """By hand: agent 1 gets b under RP only when agent 2 picks first and she second (a gone,
    b still there): 2 of the 24 orders, 1/12; symmetrically agent 3 gets a with 1/12. So the
    trading relation has the cycle a -> b -> a. Likewise agent 3 gets c only when she picks last
    after 1, 2, 4 or 2, 1, 4 (a, b, d gone): 1/12, and symmetrically agent 1 gets d with 1/12:
    the cycle c -> d -> c. The proof splits on the two edges of one of them (which one depends
    on z3's core)."""
    assert main(["prove", str(EXAMPLES / "rp_not_sd_efficient.toml"), "-c", str(tmp_path)]) == 0
    (written,) = tmp_path.iterdir()
    recheck_file(written)
    assert main(["explain", str(written)]) == 0
    words = capsys.readouterr().out
    cycle = "a -> b -> a" if "the cycle a -> b -> a misses an edge" in words else "c -> d -> c"
    assert f"the cycle {cycle} misses an edge" in words
    x, y = ("b", "a") if cycle == "a -> b -> a" else ("d", "c")
    assert f"rp gives agent 1 1/12 of {x} at R0 (known)" in words
    assert f"rp gives agent 3 1/12 of {y} at R0 (known)" in words


def test_sd_efficiency_is_refused_past_six_objects_on_both_sides():
    """Its clauses are the cycles of the objects: bounded work for the prover and the checker."""
    import pytest

    from verified.errors import InvalidInput
    from verified.recheck import RecheckError, recheck

    problem = Problem.make(1, "abcdefg")
    with pytest.raises(InvalidInput, match="at most 6 objects"):
        Statement(problem, ((("a",),),), (Unknown("f", ("sd-efficient",)),))
    small = Problem.make(1, "ab")
    doc = prove(
        Statement(small, ((("a",),),), (Unknown("f", ("sd-efficient",)),), question="exists")
    ).certificate
    encoding = doc["subject"]["encoding"]
    encoding["problem"] = {"agents": ["1"], "objects": list("abcdefg"), "capacities": [1] * 7}
    from tests.certificates.helpers import rehash

    with pytest.raises(RecheckError):
        recheck(rehash(doc))


@settings(max_examples=60, deadline=None)
@given(case=assignments())
def test_the_waste_clauses_agree_with_the_library_s_wastefulness_check(case):
    """The same drawn assignments: "gamma is non-wasteful" has a witness exactly when the
    library's direct check (`is_wasteful`, a witness search over (j, y, z)) finds no waste."""
    from verified.assignment.properties.wastefulness import is_wasteful

    problem, profile, gamma = case
    unknown = Unknown("gamma", ("nonwasteful",), lambda _p: gamma)
    outcome = prove(Statement(problem, (profile,), (unknown,), question="exists"))
    assert (outcome.verdict == "holds") == (not is_wasteful(gamma, profile))
