"""`tabulate_builtin` (fast whole-domain tables of the built-ins) against the slow path.

The reference is `verified.assignment.mechanism.tabulate`, which calls the mechanism's own
per-profile function at every profile and builds one Fraction per entry; the fast tables
must equal it entry for entry: same denominator, same numerators array (same dtype kind),
same name. Hand-derived entries below (one per mechanism family, derivation in comments)
make sure the two library paths do not agree on a wrong answer. The routing through mechanism
files (`verified.io.builtins.fast_table`, `AssignmentSubject.table`) is tested at the end.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verified.assignment.domain import Domain, all_preferences
from verified.assignment.mechanism import tabulate
from verified.assignment.mechanisms import (
    boston,
    deferred_acceptance,
    probabilistic_serial,
    random_assignment,
    random_boston,
    random_deferred_acceptance,
    random_priority,
    serial_dictatorship,
    tabulate_builtin,
    top_trading_cycles,
)
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.errors import InvalidInput
from verified.io.builtins import BUILTIN_NAMES, fast_table
from verified.io.reader import parse_subject

F = Fraction

FACTORIES = {
    "boston": boston,
    "deferred_acceptance": deferred_acceptance,
    "probabilistic_serial": probabilistic_serial,
    "random_assignment": random_assignment,
    "random_boston": random_boston,
    "random_deferred_acceptance": random_deferred_acceptance,
    "random_priority": random_priority,
    "serial_dictatorship": serial_dictatorship,
    "top_trading_cycles": top_trading_cycles,
}


def test_every_builtin_has_a_reference_factory():
    assert set(FACTORIES) == set(BUILTIN_NAMES)


def assert_same_table(name, domain, **params):
    """The fast table equals the slow path's, entry for entry; returns the fast table."""
    fast = tabulate_builtin(name, domain, **params)
    slow = tabulate(FACTORIES[name](domain.problem, **params), domain)
    assert fast is not None
    assert fast.name == slow.name
    assert fast.denominator == slow.denominator, (name, params)
    assert fast.numerators.dtype.kind == slow.numerators.dtype.kind
    if not np.array_equal(fast.numerators, slow.numerators):
        bad = np.argwhere(fast.numerators != slow.numerators)[0]
        profile = domain.profile(int(bad[0]))
        raise AssertionError(
            f"{name} {params}: first difference at profile {profile}: "
            f"fast {fast.numerators[bad[0]].tolist()} slow {slow.numerators[bad[0]].tolist()}"
        )
    return fast


def parameter_sets(name, problem):
    """The parameter sets tested for ``name``: default and reversed orders, strict and weak
    priorities (DA only takes strict ones)."""
    agents = list(problem.agents)
    reverse = agents[::-1]
    if name in ("serial_dictatorship", "boston"):
        return [{}, {"order": reverse}]
    if name == "deferred_acceptance":
        mixed = {x: (agents if k % 2 == 0 else reverse) for k, x in enumerate(problem.objects)}
        return [{"priorities": Priorities.make(problem, mixed)}]
    if name == "random_deferred_acceptance":
        top_pair = [agents[:2], *agents[2:]]  # 1 and 2 tied at the top, then the others
        weak = {
            x: (top_pair if k % 3 == 0 else [agents] if k % 3 == 1 else reverse)
            for k, x in enumerate(problem.objects)
        }
        return [
            {"priorities": Priorities.uniform(problem)},
            {"priorities": Priorities.make(problem, weak)},
            {"priorities": Priorities.from_order(problem, reverse)},
        ]
    return [{}]


def usable(name, problem):
    return name != "top_trading_cycles" or sum(problem.capacities) <= problem.n


FULL_PROBLEMS = [
    (2, 2, None),
    (2, 3, None),
    (3, 2, None),
    (3, 3, None),
    (2, 2, [2, 1]),
    (3, 2, [2, 1]),
    (3, 3, [1, 2, 1]),
    (2, 2, [3, 1]),  # a capacity above n
]


@pytest.mark.parametrize("name", BUILTIN_NAMES)
@pytest.mark.parametrize("n, m, caps", FULL_PROBLEMS, ids=lambda v: str(v))
def test_full_domains_agree_with_the_slow_path(name, n, m, caps):
    problem = Problem.make(n, m, caps)
    if not usable(name, problem):
        pytest.skip("TTC needs at most n copies")
    domain = Domain.full(problem)
    for params in parameter_sets(name, problem):
        assert_same_table(name, domain, **params)


def _restricted_domains():
    p3 = Problem.make(3, "abc")
    p3caps = Problem.make(3, "abc", [2, 1, 1])
    p4 = Problem.make(4, "ab")
    asymmetric = Domain.restricted(
        p3,
        [
            [("a", "b", "c"), ("b",), ("c", "a")],
            [("a",), ("b", "a"), ()],
            [("c", "b", "a"), ("a", "c"), ("b", "c")],
        ],
    )
    symmetric_list = [("a", "b"), ("b", "a"), ("c",), (), ("a", "c", "b")]
    symmetric = Domain.restricted(p3, [symmetric_list] * 3)
    symmetric_caps = Domain.restricted(p3caps, [symmetric_list] * 3)
    incomplete = Domain.restricted(p4, [[("a",), ("b",), ()]] * 4)  # short lists, outside option
    single_agent = Domain.full(Problem.make(1, "ab"))
    return {
        "asymmetric": asymmetric,
        "symmetric": symmetric,
        "symmetric-capacities": symmetric_caps,
        "incomplete-4-agents": incomplete,
        "one-agent": single_agent,
    }


RESTRICTED = _restricted_domains()


@pytest.mark.parametrize("name", BUILTIN_NAMES)
@pytest.mark.parametrize("which", sorted(RESTRICTED))
def test_restricted_domains_agree_with_the_slow_path(name, which):
    domain = RESTRICTED[which]
    if not usable(name, domain.problem):
        pytest.skip("TTC needs at most n copies")
    for params in parameter_sets(name, domain.problem):
        assert_same_table(name, domain, **params)


@pytest.mark.parametrize("name", ["serial_dictatorship", "boston"])
def test_every_order_of_three_agents(name):
    domain = Domain.full(Problem.make(3, "ab", [1, 2]))
    for order in itertools.permutations(domain.problem.agents):
        table = assert_same_table(name, domain, order=list(order))
        assert table.name.endswith(f"({' '.join(order)})")


def test_weak_priorities_of_every_shape_for_rda():
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    shapes = [
        [["1", "2", "3"]],
        [["1", "2"], "3"],
        ["1", ["2", "3"]],
        [["3", "1"], "2"],
        ["2", "3", "1"],
    ]
    for first, second in itertools.product(shapes, repeat=2):
        priorities = Priorities.make(problem, {"a": first, "b": second})
        assert_same_table("random_deferred_acceptance", domain, priorities=priorities)


def test_rda_without_the_automaton_agrees(monkeypatch):
    # the per-draw pass over the whole domain, used when the automaton's state numbers would
    # not fit int64
    from verified.assignment.mechanisms import tables

    monkeypatch.setattr(tables, "_da_states", lambda domain, strict: None)
    problem = Problem.make(3, "ab")
    weak = Priorities.make(problem, {"a": [["1", "2"], "3"], "b": ["3", ["1", "2"]]})
    assert_same_table("random_deferred_acceptance", Domain.full(problem), priorities=weak)
    assert_same_table(
        "random_deferred_acceptance",
        RESTRICTED["asymmetric"],
        priorities=Priorities.uniform(RESTRICTED["asymmetric"].problem),
    )


def test_many_objects_unpacked_counts():
    # 9 columns: 8-bit lanes need 72 bits, so the counts are kept one array per column
    problem = Problem.make(3, "abcdefgh")
    domain = Domain.restricted(
        problem,
        [
            [("a", "b", "c"), ("h", "g"), ("d",)],
            [("a", "h"), ("b", "c", "d", "e"), ()],
            [("h", "a", "b"), ("e", "f", "g", "h", "a")],
        ],
    )
    assert_same_table("random_boston", domain)
    weak = {x: ([["1", "2"], "3"] if k % 2 else [["1", "2", "3"]]) for k, x in enumerate(problem.objects)}
    assert_same_table("random_deferred_acceptance", domain, priorities=Priorities.make(problem, weak))
    symmetric = Domain.restricted(problem, [[("a", "b"), ("h",), ("b", "h", "a")]] * 3)
    for name in ("random_boston", "random_priority", "probabilistic_serial"):
        assert_same_table(name, symmetric)


# ---- hypothesis: random small restricted domains -----------------------------------------------


@st.composite
def restricted_cases(draw):
    n = draw(st.integers(1, 3))
    m = draw(st.integers(1, 3))
    caps = draw(st.lists(st.integers(1, 3), min_size=m, max_size=m))
    problem = Problem.make(n, m, caps)
    rankings = all_preferences(problem.objects)
    lists = st.lists(st.sampled_from(rankings), min_size=1, max_size=4, unique=True).map(tuple)
    if draw(st.booleans()):
        shared = draw(lists)
        domain = Domain(problem, tuple(shared for _ in range(n)))
    else:
        domain = Domain(problem, tuple(draw(lists) for _ in range(n)))
    name = draw(st.sampled_from([x for x in BUILTIN_NAMES if usable(x, problem)]))
    params = {}
    agents = list(problem.agents)
    if name in ("serial_dictatorship", "boston") and draw(st.booleans()):
        params["order"] = draw(st.permutations(agents))
    if name.endswith("deferred_acceptance"):
        orders = {}
        for x in problem.objects:
            order = draw(st.permutations(agents))
            if name == "deferred_acceptance":
                orders[x] = order
            else:  # cut the order into tie classes
                cuts = sorted(draw(st.sets(st.integers(1, max(n - 1, 1)), max_size=n - 1)))
                bounds = [0, *[c for c in cuts if c < n], n]
                orders[x] = [order[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if a < b]
        params["priorities"] = Priorities.make(problem, orders)
    return name, domain, params


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(restricted_cases())
def test_random_restricted_domains_agree_with_the_slow_path(case):
    name, domain, params = case
    assert_same_table(name, domain, **params)


# ---- hand-derived entries ------------------------------------------------------------------------


def row(table, profile, agent):
    """Agent ``agent``'s row (Fractions, objects then outside) at ``profile``."""
    return table(table.problem.profile(profile)).matrix[table.problem.agent_index(agent)]


def test_hand_serial_dictatorship():
    # Order 2, 1; both rank a > b. Agent 2 picks first and takes a, agent 1 takes b.
    domain = Domain.full(Problem.make(2, "ab"))
    table = tabulate_builtin("serial_dictatorship", domain, order=["2", "1"])
    profile = [("a", "b"), ("a", "b")]
    assert row(table, profile, "1") == (0, 1, 0)
    assert row(table, profile, "2") == (1, 0, 0)
    # Two copies of a: both get a, whatever the order.
    two = Domain.full(Problem.make(2, "ab", [2, 1]))
    table = tabulate_builtin("serial_dictatorship", two, order=["2", "1"])
    assert row(table, profile, "1") == row(table, profile, "2") == (1, 0, 0)


def test_hand_boston():
    # Priority 1, 2, 3. R1 = b > a, R2 = a > b, R3 = a > b.
    # Round 1: 1 applies to b (accepted); 2 and 3 apply to a, 2 has priority (accepted), 3 not.
    # Round 2: 3 applies to b, no copy left. Her ranking is exhausted: outside.
    domain = Domain.full(Problem.make(3, "ab"))
    table = tabulate_builtin("boston", domain)
    profile = [("b", "a"), ("a", "b"), ("a", "b")]
    assert row(table, profile, "1") == (0, 1, 0)
    assert row(table, profile, "2") == (1, 0, 0)
    assert row(table, profile, "3") == (0, 0, 1)
    # R1 = a > b, R2 = b > a, R3 = b; priority 3, 1, 2.
    # Round 1: 1 alone applies to a and gets it; 2 and 3 apply to b, 3 has priority: 3 gets b.
    # Round 2: 2 applies to a, already taken for good: outside.
    table = tabulate_builtin("boston", domain, order=["3", "1", "2"])
    profile = [("a", "b"), ("b", "a"), ("b",)]
    assert [row(table, profile, a) for a in "123"] == [(1, 0, 0), (0, 0, 1), (0, 1, 0)]


def test_hand_deferred_acceptance():
    # Priorities a: 3 > 1 > 2, b: 1 > 2 > 3. R1 = a > b, R2 = a > b, R3 = a.
    # All propose to a; a keeps 3 (highest) and rejects 1 and 2. 1 and 2 propose to b, which
    # keeps 1 and rejects 2; 2 has nothing left: outside. Result 1: b, 2: outside, 3: a.
    problem = Problem.make(3, "ab")
    priorities = Priorities.make(problem, {"a": ["3", "1", "2"], "b": ["1", "2", "3"]})
    table = tabulate_builtin("deferred_acceptance", Domain.full(problem), priorities=priorities)
    profile = [("a", "b"), ("a", "b"), ("a",)]
    assert [row(table, profile, a) for a in "123"] == [(0, 1, 0), (0, 0, 1), (1, 0, 0)]


def test_hand_random_boston():
    # R1 = R2 = a > b, R3 = b > a; 6 orders. Round 1: 3 alone applies to b and gets it in every
    # order; 1 and 2 apply to a, the earlier one in the order gets it (1 first in 3 of the 6
    # orders). Round 2: the other applies to b, gone; ranking exhausted: outside.
    # So agents 1 and 2: a 1/2, outside 1/2; agent 3: b 1.
    table = tabulate_builtin("random_boston", Domain.full(Problem.make(3, "ab")))
    profile = [("a", "b"), ("a", "b"), ("b", "a")]
    assert row(table, profile, "1") == row(table, profile, "2") == (F(1, 2), 0, F(1, 2))
    assert row(table, profile, "3") == (0, 1, 0)


def test_hand_random_deferred_acceptance():
    # Priorities a: 3 > {1, 2}, b: {1, 2, 3} (weak). R1 = R2 = R3 = a > b.
    # In every tie-break 3 is first for a and keeps it; 1 and 2 are rejected by a and propose
    # to b, which keeps the one earlier in the random order (probability 1/2 each); the other
    # has nothing left. So 1 and 2: b 1/2, outside 1/2; 3: a 1.
    problem = Problem.make(3, "ab")
    priorities = Priorities.make(problem, {"a": ["3", ["1", "2"]], "b": [["1", "2", "3"]]})
    table = tabulate_builtin("random_deferred_acceptance", Domain.full(problem), priorities=priorities)
    profile = [("a", "b")] * 3
    assert row(table, profile, "1") == row(table, profile, "2") == (0, F(1, 2), F(1, 2))
    assert row(table, profile, "3") == (1, 0, 0)


def test_hand_random_priority():
    # R1 = a > b, R2 = a, R3 = b > a. The 6 orders (who picks first):
    #   123: 1 a, 2 out, 3 b    132: 1 a, 3 b, 2 out    213: 2 a, 1 b, 3 out
    #   231: 2 a, 3 b, 1 out    312: 3 b, 1 a, 2 out    321: 3 b, 2 a, 1 out
    # Agent 1: a in 123, 132, 312, b in 213, out in 231, 321: a 1/2, b 1/6, out 1/3.
    # Agent 2: a in 213, 231, 321 (whenever she picks before 1): a 1/2, out 1/2.
    # Agent 3: b except in 213: b 5/6, out 1/6.
    table = tabulate_builtin("random_priority", Domain.full(Problem.make(3, "abc")))
    profile = [("a", "b"), ("a",), ("b", "a")]
    assert row(table, profile, "1") == (F(1, 2), F(1, 6), 0, F(1, 3))
    assert row(table, profile, "2") == (F(1, 2), 0, 0, F(1, 2))
    assert row(table, profile, "3") == (0, F(5, 6), 0, F(1, 6))


def test_hand_probabilistic_serial():
    # R1 = R2 = a > b, R3 = b. On [0, 1/2] agents 1 and 2 eat a (gone at 1/2), 3 eats b.
    # At 1/2, b has 1/2 left and three eaters: gone at 1/2 + 1/6 = 2/3. Then nothing is left.
    # Agents 1, 2: a 1/2, b 1/6, outside 1/3; agent 3: b 1/2 + 1/6 = 2/3, outside 1/3.
    table = tabulate_builtin("probabilistic_serial", Domain.full(Problem.make(3, "ab")))
    profile = [("a", "b"), ("a", "b"), ("b",)]
    assert row(table, profile, "1") == row(table, profile, "2") == (F(1, 2), F(1, 6), F(1, 3))
    assert row(table, profile, "3") == (0, F(2, 3), F(1, 3))


def test_hand_top_trading_cycles():
    # Two agents, a and b, both rank a > b. Endowment (a, b): 1 holds her favourite and keeps
    # it, then 2 keeps b. Endowment (b, a): 1 points to 2 (holder of a), 2 keeps a, then 1
    # keeps b. Two equally likely endowments: agent 1 gets a 1/2, b 1/2; agent 2 the same.
    table = tabulate_builtin("top_trading_cycles", Domain.full(Problem.make(2, "ab")))
    profile = [("a", "b"), ("a", "b")]
    assert row(table, profile, "1") == row(table, profile, "2") == (F(1, 2), F(1, 2), 0)
    # With a null seat (3 agents, 2 objects; seats a, b, null in 3! = 6 arrangements) and
    # R1 = R2 = a, R3 = (): agent 3 finds nothing acceptable, points to herself and leaves with
    # the outside option in round 1, whatever she holds (a held by 3 is discarded). If 1 holds a
    # she points to herself and keeps it; 2 points to 1 and, once a is gone, to herself: outside.
    # So agent 1 gets a exactly when endowed with it: 2 of 6 arrangements, 1/3. Agent 2 likewise.
    table = tabulate_builtin("top_trading_cycles", Domain.full(Problem.make(3, "ab")))
    profile = [("a",), ("a",), ()]
    assert row(table, profile, "1") == row(table, profile, "2") == (F(1, 3), 0, F(2, 3))
    assert row(table, profile, "3") == (0, 0, 1)


def test_errors_match_the_factories():
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    weak = Priorities.uniform(problem)
    with pytest.raises(InvalidInput):
        tabulate_builtin("deferred_acceptance", domain, priorities=weak)  # DA needs strict
    with pytest.raises(InvalidInput):
        tabulate_builtin("random_priority", domain, order=["1", "2", "3"])  # takes no order
    with pytest.raises(InvalidInput):
        tabulate_builtin("top_trading_cycles", Domain.full(Problem.make(2, "ab", [2, 1])))
    assert tabulate_builtin("no_such_mechanism", domain) is None


# ---- routing: fast_table and mechanism files ---------------------------------------------------


def test_fast_table_routes_every_builtin():
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    priorities = Priorities.make(problem, {"a": [["1", "2"], "3"], "b": ["3", "2", "1"]})
    strict = Priorities.from_order(problem, ["2", "3", "1"])
    for name in BUILTIN_NAMES:
        params = {}
        if name == "deferred_acceptance":
            params = {"priorities": strict}
        elif name == "random_deferred_acceptance":
            params = {"priorities": priorities}
        elif name in ("boston", "serial_dictatorship"):
            params = {"order": ["3", "1", "2"]}
        fast = fast_table(name, domain, **params)
        slow = tabulate(FACTORIES[name](problem, **params), domain)
        assert fast.name == slow.name and fast.denominator == slow.denominator
        assert np.array_equal(fast.numerators, slow.numerators)
    # the two-argument form: a built-in whose parameters are required has no table without them
    assert fast_table("deferred_acceptance", domain) is None
    assert fast_table("serial_dictatorship", domain).name == "serial dictatorship (1 2 3)"
    assert fast_table("python", domain) is None


def _document(mechanism, agents=3, objects="ab"):
    return {
        "format": "verified/assignment/1",
        "problem": {"agents": agents, "objects": objects},
        "mechanism": mechanism,
    }


@pytest.mark.parametrize(
    "mechanism",
    [
        {"builtin": "random_boston"},
        {"builtin": "serial_dictatorship", "order": ["3", "1", "2"]},
        {"builtin": "boston", "order": ["2", "3", "1"]},
        {"builtin": "deferred_acceptance", "priorities": {"a": ["3", "2", "1"], "b": ["1", "3", "2"]}},
        {
            "builtin": "random_deferred_acceptance",
            "priorities": {"a": [["1", "2"], "3"], "b": [["1", "2", "3"]]},
        },
        {"builtin": "probabilistic_serial"},
        {"builtin": "top_trading_cycles"},
        {"builtin": "random_priority"},
        {"builtin": "random_assignment"},
    ],
    ids=lambda spec: spec["builtin"],
)
def test_mechanism_files_use_the_fast_table(mechanism, monkeypatch):
    subject = parse_subject(_document(mechanism))
    reference = tabulate(subject.mechanism, subject.domain)

    def refuse(*args, **kwargs):
        raise AssertionError("the slow path was used for a built-in")

    monkeypatch.setattr("verified.io.reader.tabulate", refuse)
    table = subject.table
    assert table.name == reference.name and table.denominator == reference.denominator
    assert np.array_equal(table.numerators, reference.numerators)


def test_a_renamed_builtin_keeps_its_name():
    # The fast table is named after the built-in; a file's own name wins (slow path).
    subject = parse_subject(_document({"builtin": "random_boston", "name": "my boston"}))
    assert subject.table.name == "my boston"
    reference = tabulate(random_boston(subject.problem), subject.domain)
    assert np.array_equal(subject.table.numerators, reference.numerators)
