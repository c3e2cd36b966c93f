"""`verified hunt`: planted counterexamples are found and shrunk to their known minimum (derived
by hand next to each test), strategy-proof mechanisms give UNKNOWN with the counts, every
counterexample is re-verified here by code independent of the library and by the independent
checker."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms.boston import boston
from verified.assignment.mechanisms.deferred_acceptance import deferred_acceptance
from verified.assignment.mechanisms.probabilistic_serial import probabilistic_serial
from verified.assignment.mechanisms.random_priority import random_priority
from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput, OutOfReach
from verified.hunt import hunt
from verified.io.hunt import HuntSubject, load_hunt_subject
from verified.recheck import recheck

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "hunt"


def subject(mechanism, priorities=None) -> HuntSubject:
    return HuntSubject(mechanism.problem, mechanism, None, priorities)


def eat(capacities: list[int], prefs: list[tuple[int, ...]]) -> list[list[Fraction]]:
    """Probabilistic serial by the eating algorithm, written here independently of the library."""
    m = len(capacities)
    left = [Fraction(q) for q in capacities]
    shares = [[Fraction(0)] * m for _ in prefs]
    clock = Fraction(0)
    while clock < 1:
        eating = [next((x for x in p if left[x] > 0), None) for p in prefs]
        mouths = [sum(1 for e in eating if e == x) for x in range(m)]
        if not any(mouths):
            break
        step = min([1 - clock] + [left[x] / mouths[x] for x in range(m) if mouths[x]])
        for i, x in enumerate(eating):
            if x is not None:
                shares[i][x] += step
                left[x] -= step
        clock += step
    return shares


def top_k(row: list[Fraction], ranking: tuple[int, ...], k: int) -> Fraction:
    return sum((row[x] for x in ranking[:k]), Fraction(0))


def test_ps_manipulation_is_found_and_verified_independently() -> None:
    problem = Problem.make(8, "abcd")
    report = hunt(subject(probabilistic_serial(problem)), "sp", budget=150, seed=3)
    (answer,) = report.answers
    assert answer.result.fails
    assert recheck(answer.certificate).startswith("sp: fails")
    v = answer.violation
    idx = {x: k for k, x in enumerate(problem.objects)}
    truth = [tuple(idx[x] for x in r) for r in v.profile]
    lie = list(truth)
    lie[v.agent] = tuple(idx[x] for x in v.misreport)
    honest, lying = eat(list(problem.capacities), truth)[v.agent], eat(list(problem.capacities), lie)[v.agent]
    mine = truth[v.agent]
    gains = [top_k(lying, mine, k) - top_k(honest, mine, k) for k in range(1, len(mine) + 1)]
    assert max(gains) > 0 and max(gains) == v.size
    # shrunk: PS needs at least three agents with a list for a manipulation (two agents cannot
    # gain: Bogomolnaia and Moulin 2001 note PS is strategy-proof for n = 2), and the hunt's
    # greedy pass leaves no agent whose list can be emptied
    active = [i for i, r in enumerate(v.profile) if r]
    assert 3 <= len(active) <= 5


@pytest.mark.parametrize("seed", [3, 11])
def test_planted_manipulation_shrinks_to_the_known_minimum(seed: int) -> None:
    """examples/hunt/planted.py: the smallest manipulation (derived in its docstring) is agent 7
    alone, truly ranking c > a and reporting c; every seed reaches it (two local minima, such as
    agent 1 taking a before agent 7 who lies c > a, are left by the look-ahead step). Seed 1 is
    the README's example (tests/hunt/test_hunt_cli.py); seeds 0-11 were all run by hand with
    hypothesis 6.90 and the newest."""
    found = hunt(EXAMPLES / "planted_20.toml", "sp", budget=300, seed=seed)
    (answer,) = found.answers
    assert answer.result.fails
    v = answer.violation
    expected = [()] * 20
    expected[6] = ("c", "a")
    assert v.profile == tuple(expected)
    assert (v.agent, v.misreport) == (6, ("c",))
    assert recheck(answer.certificate).startswith("sp: fails")


@pytest.mark.parametrize(
    "make",
    [
        lambda p: serial_dictatorship(p),
        lambda p: deferred_acceptance(p, Priorities.from_order(p, list(reversed(p.agents)))),
    ],
    ids=["serial dictatorship", "deferred acceptance"],
)
def test_strategyproof_mechanisms_give_unknown_with_counts(make) -> None:
    problem = Problem.make(20, "abcde", [2, 1, 3, 1, 2])
    report = hunt(subject(make(problem)), "sp", budget=60, seed=5)
    (answer,) = report.answers
    assert answer.result.unknown and answer.certificate is None
    assert report.profiles >= 60 and report.misreports > report.profiles
    reason = answer.result.reason
    assert f"{report.profiles:,} profiles" in reason and "seed 5" in reason
    assert "never proves" in reason


def test_random_priority_with_few_types_survives() -> None:
    problem = Problem.make(6, "abc")
    report = hunt(subject(random_priority(problem)), "sp,ete", budget=40, seed=1)
    assert [a.result.verdict.value for a in report.answers] == ["unknown", "unknown"]


def test_same_seed_same_answer() -> None:
    problem = Problem.make(8, "abc", [2, 2, 2])
    runs = [hunt(subject(boston(problem)), "sp,ete", budget=40, seed=7) for _ in range(2)]
    assert [a.violation for a in runs[0].answers] == [a.violation for a in runs[1].answers]
    assert runs[0].profiles == runs[1].profiles


def test_boston_equal_treatment_minimum() -> None:
    """Fixed-order Boston with 3 copies of a: four agents who list only a are the fewest with
    one of them unassigned (three copies), and no smaller list exists."""
    problem = Problem.make(10, "abc", [3, 1, 1])
    (answer,) = hunt(subject(boston(problem)), "ete", budget=100, seed=2).answers
    assert answer.result.fails
    assert answer.violation.profile == (("a",),) * 4 + ((),) * 6
    assert recheck(answer.certificate).startswith("ete: fails")


def _rows(problem: Problem, rows) -> StochasticAssignment:
    return StochasticAssignment.from_rows(problem, rows)


def test_waste_irrationality_inefficiency_minima() -> None:
    """A mechanism that gives everybody the outside option wastes as soon as one agent lists an
    object (minimum: agent 1 lists a); one that always gives agent 1 object a is not
    individually rational even when nobody lists anything (minimum: the empty profile)."""
    problem = Problem.make(15, "abc")
    nobody = FunctionMechanism(problem, "nobody", lambda p: _rows(problem, [{"outside": 1}] * 15))
    report = hunt(subject(nobody), "nonwasteful,ex-post-efficient,sd-efficient", budget=50, seed=0)
    for answer in report.answers:
        assert answer.result.fails, answer.property
        assert answer.violation.profile == (("a",),) + ((),) * 14
        assert recheck(answer.certificate).startswith(f"{answer.property}: fails")
    first = FunctionMechanism(
        problem, "agent 1 gets a", lambda p: _rows(problem, [{"a": 1}] + [{"outside": 1}] * 14)
    )
    (answer,) = hunt(subject(first), "ir", budget=50, seed=0).answers
    assert answer.result.fails and answer.violation.profile == ((),) * 15


def test_ex_post_stability_minimum() -> None:
    """Serial dictatorship in reverse agent order against priorities in agent order: agents 1
    and 2 both listing a is the smallest instability (agent 2 gets a; agent 1 has priority)."""
    problem = Problem.make(8, "ab")
    priorities = Priorities.from_order(problem)
    mechanism = serial_dictatorship(problem, list(reversed(problem.agents)))
    (answer,) = hunt(subject(mechanism, priorities), "ex-post-stable", budget=100, seed=0).answers
    assert answer.result.fails
    assert answer.violation.profile == (("a",), ("a",)) + ((),) * 6
    assert recheck(answer.certificate).startswith("ex-post-stable: fails")


def test_out_of_reach_profiles_are_counted_not_fatal() -> None:
    problem = Problem.make(10, "abc")

    def picky(profile):
        if sum(1 for r in profile if r) > 2:
            raise OutOfReach("too many agents in contention for this test")
        return _rows(problem, [{"outside": 1}] * 10)

    report = hunt(subject(FunctionMechanism(problem, "picky", picky)), "ir", budget=40, seed=0)
    (answer,) = report.answers
    assert answer.result.unknown
    assert report.skipped > 0 and "skipped" in answer.result.reason
    assert "too many agents in contention" in answer.result.reason


def test_a_raising_user_function_names_the_profile(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "def mech(problem, profile):\n"
        "    if sum(1 for r in profile if r) >= 2:\n"
        "        raise ZeroDivisionError('boom')\n"
        "    return [{'outside': 1} for _ in profile]\n"
    )
    (tmp_path / "bad.toml").write_text(
        'format = "verified/assignment/1"\n[problem]\nagents = 30\nobjects = "abcdefghij"\n'
        '[mechanism]\npython = "bad.py:mech"\n'
    )
    with pytest.raises(InvalidInput, match=r"boom.*|profile \[") as caught:
        hunt(tmp_path / "bad.toml", "sp", budget=20, seed=0)
    assert "profile [" in str(caught.value) and "ZeroDivisionError" in str(caught.value)


def test_bad_requests_are_refused() -> None:
    problem = Problem.make(4, "ab")
    s = subject(serial_dictatorship(problem))
    with pytest.raises(InvalidInput, match="cannot hunt"):
        hunt(s, "valid")
    with pytest.raises(InvalidInput, match="priorities"):
        hunt(s, "ex-post-stable")
    with pytest.raises(InvalidInput, match="--budget"):
        hunt(s, "sp", budget=0)
    with pytest.raises(InvalidInput, match="--time"):
        hunt(s, "sp", time_limit=float("nan"))


def test_large_full_domain_file_is_read_without_enumerating() -> None:
    s = load_hunt_subject(EXAMPLES / "boston_30x6.toml")
    assert s.rankings is None and s.problem.n == 30 and s.problem.m == 6


def test_equal_lists_shrink_together() -> None:
    """Serial dictatorship treats agents 1 and 2 listing only a unequally (1 gets a), and no
    smaller profile does: equal treatment needs two agents with one equal, non-empty list."""
    (answer,) = hunt(EXAMPLES / "serial_dictatorship_20.toml", "ete", budget=100, seed=0).answers
    assert answer.result.fails
    assert answer.violation.profile == (("a",), ("a",)) + ((),) * 18
