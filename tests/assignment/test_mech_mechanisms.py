"""Serial dictatorship, DA, RDA, probabilistic serial, Boston and TTC: hand cases and invariants."""

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.domain import all_preferences
from verified.assignment.mechanisms import (
    boston,
    deferred_acceptance,
    probabilistic_serial,
    random_boston,
    random_deferred_acceptance,
    random_priority,
    serial_dictatorship,
    top_trading_cycles,
)
from verified.assignment.model import OUTSIDE, Problem
from verified.assignment.priorities import Priorities, blocking_pairs
from verified.errors import InvalidInput, OutOfReach

F = Fraction


@st.composite
def instances(draw, max_agents=4, max_objects=3, max_copies=2):
    n = draw(st.integers(1, max_agents))
    m = draw(st.integers(1, max_objects))
    caps = draw(st.lists(st.integers(1, max_copies), min_size=m, max_size=m))
    problem = Problem.make(n, m, caps)
    profile = tuple(draw(st.sampled_from(all_preferences(problem.objects))) for _ in range(n))
    return problem, profile


def held(assignment):
    """Object (or None) of each agent in a deterministic assignment."""
    cols = assignment.problem.columns
    return [None if cols[row.index(1)] == OUTSIDE else cols[row.index(1)] for row in assignment.matrix]


def test_serial_dictatorship_by_hand():
    problem = Problem.make(3, "ab", [1, 2])
    profile = ["ab", "ab", "a"]
    # Order 3, 1, 2: 3 takes a; 1 takes b; 2 takes the second copy of b.
    assert held(serial_dictatorship(problem, ["3", "1", "2"])(profile)) == ["b", "b", "a"]
    # Default order 1, 2, 3: 1 takes a; 2 takes b; 3 wants only a: outside.
    assert held(serial_dictatorship(problem)(profile)) == ["a", "b", None]
    with pytest.raises(InvalidInput, match=r"order\[2\].*unknown agent '7'"):
        serial_dictatorship(problem, ["1", "2", "7"])
    with pytest.raises(InvalidInput, match=r"agents \['3'\] are missing"):
        serial_dictatorship(problem, ["1", "2"])


def test_deferred_acceptance_by_hand_differs_from_boston():
    problem = Problem.make(3, "ab")
    priorities = Priorities.from_order(problem, ["1", "2", "3"])
    profile = ["ab", "ab", "b"]
    # DA: 1 and 2 propose to a, a keeps 1; 3 proposes to b; 2 proposes to b, b prefers 2 to 3.
    assert held(deferred_acceptance(problem, priorities)(profile)) == ["a", "b", None]
    # Boston: round 1, a admits 1 (2 rejected), b admits 3 for good; round 2, b is full: 2 is out.
    assert held(boston(problem, ["1", "2", "3"])(profile)) == ["a", None, "b"]


def test_deferred_acceptance_refuses_ties():
    problem = Problem.make(2, "a")
    with pytest.raises(InvalidInput, match="random_deferred_acceptance"):
        deferred_acceptance(problem, Priorities.uniform(problem))
    other = Problem.make(3, "a")
    with pytest.raises(InvalidInput, match="another problem"):
        deferred_acceptance(problem, Priorities.from_order(other))


@st.composite
def instances_with_priorities(draw):
    problem, profile = draw(instances())
    orders = [draw(st.permutations(problem.agents)) for _ in problem.objects]
    return problem, profile, Priorities.make(problem, [list(o) for o in orders])


@settings(max_examples=60)
@given(instances_with_priorities())
def test_deferred_acceptance_is_stable(case):
    problem, profile, priorities = case
    outcome = deferred_acceptance(problem, priorities)(profile)
    assert outcome.is_deterministic()
    assert blocking_pairs(outcome, profile, priorities) == ()


@settings(max_examples=40)
@given(instances(), st.randoms(use_true_random=False))
def test_da_with_one_common_order_is_serial_dictatorship(case, rng):
    problem, profile = case
    order = list(problem.agents)
    rng.shuffle(order)
    da = deferred_acceptance(problem, Priorities.from_order(problem, order))(profile)
    assert da == serial_dictatorship(problem, order)(profile)


@settings(max_examples=25)
@given(instances(max_agents=4, max_objects=3, max_copies=1))
def test_rda_with_all_ties_and_single_copies_is_rp(case):
    problem, profile = case
    rda = random_deferred_acceptance(problem, Priorities.uniform(problem))(profile)
    assert rda == random_priority(problem)(profile)


def test_rda_by_hand_and_limits():
    problem = Problem.make(3, "a")
    # a ranks 1 first, then 2 and 3 tied. All want a: 1 always gets it.
    priorities = Priorities.make(problem, {"a": ["1", ["2", "3"]]})
    result = random_deferred_acceptance(problem, priorities)(["a", "a", "a"])
    assert result.row("1") == (1, 0) and result.row("2") == (0, 1)
    # Without 1 competing, 2 and 3 split a evenly (half the orders put 2 before 3).
    result = random_deferred_acceptance(problem, priorities)(["", "a", "a"])
    assert result.row("2") == (F(1, 2), F(1, 2)) == result.row("3")
    # Past 8 agents the lottery is still exact: 9 agents tied for one copy of a each get it
    # with probability 1/9 (symmetry), and a search too large for its budget is OutOfReach.
    nine = Problem.make(9, "a")
    result = random_deferred_acceptance(nine, Priorities.uniform(nine))(["a"] * 9)
    assert all(result.row(str(i)) == (F(1, 9), F(8, 9)) for i in range(1, 10))
    tied = Priorities.make(nine, {"a": ["1", [str(i) for i in range(2, 10)]]})
    assert random_deferred_acceptance(nine, tied)([""] + ["a"] * 8).row("9") == (F(1, 8), F(7, 8))
    with pytest.raises(OutOfReach, match="branches"):
        random_deferred_acceptance(nine, tied, max_branches=10)([""] + ["a"] * 8)


def test_probabilistic_serial_by_hand():
    problem = Problem.make(3, "ab", [2, 1])
    # All three eat a (2 copies) at total speed 3: gone at t = 2/3; then all eat b (1 copy) at
    # speed 3: gone at t = 2/3 + 1/3 = 1. Each: a 2/3, b 1/3.
    result = probabilistic_serial(problem)(["ab", "ab", "ab"])
    assert all(row == (F(2, 3), F(1, 3), 0) for row in result.matrix)
    problem = Problem.make(3, "ab")
    # a (1 copy) eaten by 3 agents: gone at 1/3. Agents 1, 2 accept nothing else: they stop,
    # outside 2/3. Agent 3 eats b alone from 1/3 to 1: b 2/3.
    result = probabilistic_serial(problem)(["a", "a", "ab"])
    assert result.row("1") == (F(1, 3), 0, F(2, 3)) == result.row("2")
    assert result.row("3") == (F(1, 3), F(2, 3), 0)


def test_probabilistic_serial_bogomolnaia_moulin():
    problem = Problem.make(4, "abcd")
    result = probabilistic_serial(problem)(["abcd", "abcd", "badc", "badc"])
    # 1, 2 eat a and 3, 4 eat b, each at speed 2: both gone at 1/2. Then 1, 2 find their next
    # free object c, and 3, 4 find d; gone at 1/2 + 1/2 = 1. Agents 1, 2: a 1/2, c 1/2.
    assert result.row("1") == (F(1, 2), 0, F(1, 2), 0, 0)
    assert result.row("4") == (0, F(1, 2), 0, F(1, 2), 0)


@settings(max_examples=40)
@given(instances())
def test_every_mechanism_is_individually_rational(case):
    problem, profile = case
    mechanisms = [random_priority(problem), probabilistic_serial(problem), boston(problem)]
    if problem.n <= 4:
        mechanisms.append(random_boston(problem))
        mechanisms.append(random_deferred_acceptance(problem, Priorities.uniform(problem)))
    if sum(problem.capacities) <= problem.n:
        mechanisms.append(top_trading_cycles(problem))
    for mechanism in mechanisms:
        result = mechanism(profile)
        for i, pref in enumerate(profile):
            for k, x in enumerate(problem.objects):
                if x not in pref:
                    assert result.matrix[i][k] == 0, (mechanism.name, i, x)


def test_random_boston_by_hand():
    problem = Problem.make(2, "ab")
    result = random_boston(problem)(["ab", "a"])
    # Order 1, 2: 1 gets a, 2 (only a) is out. Order 2, 1: 2 gets a, 1 gets b in round 2.
    assert result.row("1") == (F(1, 2), F(1, 2), 0)
    assert result.row("2") == (F(1, 2), 0, F(1, 2))
    # Past 8 agents, still exact: 9 agents who all want the one copy of a get it with 1/9 each.
    result = random_boston(Problem.make(9, "a"))(["a"] * 9)
    assert all(result.row(str(i)) == (F(1, 9), F(8, 9)) for i in range(1, 10))
    with pytest.raises(OutOfReach, match="states"):
        random_boston(Problem.make(9, "ab"), max_states=5)(["ab"] * 5 + ["ba"] * 4)


def test_random_boston_is_manipulable_by_hand():
    problem = Problem.make(4, "ab")
    truthful = random_boston(problem)(["ab", "a", "a", "b"])
    lie = random_boston(problem)(["ba", "a", "a", "b"])
    # Truth (a > b): agent 1 gets a iff she is first of 1, 2, 3 (1/3); otherwise b went to 4 in
    # round 1, so she is out: a 1/3, outside 2/3.
    assert truthful.row("1") == (F(1, 3), 0, F(2, 3))
    # Lie (b > a): she gets b iff she precedes 4 (1/2); otherwise a went to 2 or 3 in round 1:
    # b 1/2, outside 1/2. On the true prefix {a, b}: 1/3 < 1/2, an SD-manipulation.
    assert lie.row("1") == (0, F(1, 2), F(1, 2))
    assert truthful.row("1")[0] + truthful.row("1")[1] < lie.row("1")[0] + lie.row("1")[1]
    # The same profiles under random priority: the lie cannot help (RP is strategy-proof).
    rp_truth = random_priority(problem)(["ab", "a", "a", "b"]).row("1")
    rp_lie = random_priority(problem)(["ba", "a", "a", "b"]).row("1")
    assert rp_truth[0] >= rp_lie[0] and rp_truth[0] + rp_truth[1] >= rp_lie[0] + rp_lie[1]


def test_ttc_equals_rp_for_complete_rankings():
    # Abdulkadiroglu-Sonmez (1998): core from random endowments = random serial dictatorship.
    # Every profile of complete rankings for n <= 3; every 997th of the 331,776 for n = 4.
    for n in (1, 2, 3, 4):
        problem = Problem.make(n, n)
        complete = list(itertools.permutations(problem.objects))
        step = 1 if n <= 3 else 997
        for profile in itertools.islice(itertools.product(complete, repeat=n), 0, None, step):
            assert top_trading_cycles(problem)(profile) == random_priority(problem)(profile)


def test_ttc_by_hand_with_null_seat():
    problem = Problem.make(2, "a")
    result = top_trading_cycles(problem)(["a", "a"])
    # Seats {a, null}; whoever is endowed with a keeps it (1/2 each).
    assert result.row("1") == (F(1, 2), F(1, 2)) == result.row("2")
    problem = Problem.make(2, "ab")
    # Endowment 1:b, 2:a with rankings 1: a, 2: b -> they swap; endowment 1:a, 2:b -> keep.
    assert top_trading_cycles(problem)(["a", "b"]).row("1") == (1, 0, 0)
    with pytest.raises(InvalidInput, match="3 copies for 2 agents"):
        top_trading_cycles(Problem.make(2, "ab", [2, 1]))
