"""Priorities, tie-breaking and stability of deterministic matchings (Erdil, section 3)."""

import json

import pytest

from verified.assignment.model import Problem
from verified.assignment.priorities import (
    BlockingPair,
    Priorities,
    blocking_pairs,
    check_stable_matching,
    is_stable_matching,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput

PROBLEM = Problem.make(3, "ab")
# a: 1 > 2 > 3 strictly; b: everyone tied.
PRIORITIES = Priorities.make(PROBLEM, {"a": ["1", "2", "3"], "b": [["1", "2", "3"]]})
PROFILE = PROBLEM.profile(["a", "ab", "b"])


def test_validation_names_the_place():
    with pytest.raises(InvalidInput, match=r"priorities\['a'\]\[1\].*unknown agent '9'"):
        Priorities.make(PROBLEM, {"a": ["1", "9", "3"], "b": [["1", "2", "3"]]})
    with pytest.raises(InvalidInput, match=r"priorities\['b'\]\[1\].*agent '2' is ranked twice"):
        Priorities.make(PROBLEM, {"a": ["1", "2", "3"], "b": [["1", "2"], ["2", "3"]]})
    with pytest.raises(InvalidInput, match=r"priorities\['b'\].*agents \['3'\] are not ranked"):
        Priorities.make(PROBLEM, {"a": ["1", "2", "3"], "b": [["1", "2"]]})
    with pytest.raises(InvalidInput, match=r"unknown objects \['z'\]"):
        Priorities.make(PROBLEM, {"a": ["1", "2", "3"], "b": ["1", "2", "3"], "z": ["1"]})
    with pytest.raises(InvalidInput, match=r"no priority order for objects \['b'\]"):
        Priorities.make(PROBLEM, {"a": ["1", "2", "3"]})
    with pytest.raises(InvalidInput, match="1 priority orders for 2 objects"):
        Priorities.make(PROBLEM, [["1", "2", "3"]])


def test_strictness_ranks_and_tie_breaking():
    assert not PRIORITIES.is_strict()
    assert PRIORITIES.rank("a", "3") == 2 and PRIORITIES.rank("b", "3") == 0
    strict = PRIORITIES.break_ties(["3", "1", "2"])
    assert strict.is_strict()
    # a was already strict and keeps its order; b's single tie class is ordered 3, 1, 2.
    assert strict.classes == ((("1",), ("2",), ("3",)), (("3",), ("1",), ("2",)))
    assert Priorities.uniform(PROBLEM).classes == ((("1", "2", "3"),), (("1", "2", "3"),))
    assert Priorities.from_order(PROBLEM, "213").break_ties("123") == Priorities.from_order(PROBLEM, "213")
    with pytest.raises(InvalidInput, match=r"order\[1\].*appears twice"):
        PRIORITIES.break_ties(["1", "1", "2"])
    with pytest.raises(InvalidInput, match=r"agents \['3'\] are missing"):
        PRIORITIES.break_ties(["1", "2"])


def test_blocking_pairs_by_hand():
    # Agent 1 wants a, held by 2 who has lower priority for a: a priority violation.
    # Agent 3 wants b and b's copy is free: waste. Agent 2 holds her favourite a.
    pairs = blocking_pairs([None, "a", None], PROFILE, PRIORITIES)
    assert pairs == (
        BlockingPair("priority", "1", "a", None, "2"),
        BlockingPair("waste", "3", "b", None),
    )
    result = check_stable_matching([None, "a", None], PROFILE, PRIORITIES)
    assert result.fails
    evidence = json.loads(json.dumps(result.evidence))
    assert evidence["kind"] == "blocking_pair"
    witness = evidence["blocking_pair"]
    # Re-verify the witness from the evidence alone: agent 1 ranks a first and holds nothing,
    # agent 2 holds a, and 1 is strictly above 2 in a's order.
    assert witness == {"kind": "priority", "agent": "1", "object": "a", "held": "outside", "other": "2"}
    assert evidence["matching"]["2"] == "a"
    assert PRIORITIES.rank("a", "1") < PRIORITIES.rank("a", "2")


def test_stable_matching_and_ties():
    # 1 -> a, 2 -> b, 3 unassigned: 2 envies a but 1 has higher priority; 3 wants b, held by 2,
    # tied with 3 for b, so no violation; b is full. Stable.
    assert is_stable_matching(["a", "b", None], PROFILE, PRIORITIES)
    result = check_stable_matching(["a", "b", None], PROFILE, PRIORITIES)
    assert result.holds and result.evidence == {
        "kind": "stable_matching",
        "matching": {"1": "a", "2": "b", "3": "outside"},
    }
    # Same matching as a deterministic StochasticAssignment.
    det = StochasticAssignment.deterministic(PROBLEM, ["a", "b", None])
    assert is_stable_matching(det, PROFILE, PRIORITIES)
    # Once b's tie is broken with 3 first, agent 3 has a priority violation against 2.
    strict = PRIORITIES.break_ties(["3", "1", "2"])
    assert blocking_pairs(["a", "b", None], PROFILE, strict) == (
        BlockingPair("priority", "3", "b", None, "2"),
    )


def test_unacceptable_object_and_bad_matchings():
    # Agent 3 only accepts b but holds a.
    pairs = blocking_pairs(["b", None, "a"], PROFILE, PRIORITIES)
    assert BlockingPair("unacceptable", "3", None, "a") in pairs
    with pytest.raises(InvalidInput, match="2 agents hold object 'a', capacity 1"):
        blocking_pairs(["a", "a", None], PROFILE, PRIORITIES)
    with pytest.raises(InvalidInput, match=r"matching\[1\].*unknown object 'z'"):
        blocking_pairs(["a", "z", None], PROFILE, PRIORITIES)
    with pytest.raises(InvalidInput, match="not deterministic"):
        half = StochasticAssignment.from_rows(
            PROBLEM, [{"a": "1/2", "outside": "1/2"}, {"outside": 1}, {"outside": 1}]
        )
        blocking_pairs(half, PROFILE, PRIORITIES)
