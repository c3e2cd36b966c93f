"""Strings are names, integers are indices (from 0): rankings, profiles (lists or numpy arrays
of shape (agents, k)) and agents; an integer whose text names another object or agent is refused
as ambiguous. Files keep holding names."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from verified.assignment.mechanisms import random_priority
from verified.assignment.model import Problem, names_as_text
from verified.errors import InvalidInput
from verified.io import load_subject


def test_indices_from_zero_mean_objects_in_order():
    p = Problem.make(3, "abc")
    assert p.profile([[0, 1], [2], []]) == (("a", "b"), ("c",), ())
    assert p.preference([np.int64(2), np.uint8(0)]) == ("c", "a")
    assert p.preference(["a", 2]) == ("a", "c")  # a name and an index may be mixed
    assert p.profile(np.array([[0, 1, 2], [2, 1, 0], [1, 0, 2]])) == (
        ("a", "b", "c"),
        ("c", "b", "a"),
        ("b", "a", "c"),
    )
    assert p.profile(np.array([[1], [0], [2]], dtype=np.int8)) == (("b",), ("a",), ("c",))
    assert p.profile(np.zeros((3, 0), dtype=int)) == ((), (), ())
    assert p.preference(np.array(["c", "a"])) == ("c", "a")
    assert p.profile([np.array([2, 0]), "ab", ["c"]]) == (("c", "a"), ("a", "b"), ("c",))


def test_a_mechanism_reads_an_index_profile_as_the_named_one():
    p = Problem.make(4, "abc")
    rp = random_priority(p)
    assert rp([[0, 1], [2, 1], [0], [2]]) == rp(["ab", "cb", "a", "c"])


def test_numeric_names_that_agree_with_their_index_are_fine():
    p = Problem.make(2, ["0", "1", "2"])
    assert p.preference([2, 0]) == ("2", "0") == p.preference(["2", "0"])
    q = Problem.make(2, ["1", "2", "3"])
    assert q.preference([0]) == ("1",)  # "0" names nothing: index 0
    assert q.preference(["1", "3"]) == ("1", "3")


@pytest.mark.parametrize(
    ("ranking", "says"),
    [
        (
            [1],
            "ambiguous object 1: integers are indices from 0 (index 1 is '2'), but another object is "
            "named '1'",
        ),
        ([2], "'2' for the object named 2, '3' for index 2"),
        ([3], "ambiguous object 3: integers are indices from 0 (0..2), so 3 is out of range"),
        ([np.int32(1)], "ambiguous object 1"),
    ],
)
def test_an_integer_that_names_another_object_is_ambiguous(ranking, says):
    q = Problem.make(2, ["1", "2", "3"])
    with pytest.raises(InvalidInput) as info:
        q.preference(ranking, "profile[0]")
    assert says in str(info.value) and str(info.value).startswith("profile[0][0]: ")


def test_agents_follow_the_same_rule():
    p = Problem.make(4, "ab")  # agents "1".."4"
    assert p.agent_index("1") == 0 and p.agent_index("4") == 3
    assert p.agent_index(0) == 0  # "0" names no agent
    assert p.agent_index(np.int64(0)) == 0
    with pytest.raises(InvalidInput, match="ambiguous agent 1: .*index 1 is '2'"):
        p.agent_index(1)
    with pytest.raises(InvalidInput, match="ambiguous agent 4: .* out of range"):
        p.agent_index(4)
    with pytest.raises(InvalidInput, match="agent index 7 out of range 0..3"):
        p.agent_index(7)
    with pytest.raises(InvalidInput, match="unknown agent '5'"):
        p.agent_index("5")
    with pytest.raises(InvalidInput, match="agent name .* or index"):
        p.agent_index(1.0)  # type: ignore[arg-type]
    named = Problem.make(["ann", "bob"], "ab")
    assert named.agent_index(1) == 1 and named.agent_index("bob") == 1
    gamma = random_priority(named)(["a", "a"])
    assert gamma.row(1) == gamma.row("bob")
    assert random_priority(p)(["a", "a", "b", "b"]).prob("2", "a") == 1 / 2


@pytest.mark.parametrize(
    ("profile", "says"),
    [
        (np.array([[0.0, 1.0]] * 3), "an array of floats is not a ranking"),
        (np.array([[True, False]] * 3), "an array of booleans is not a ranking"),
        (np.array([0, 1, 2]), "expected an array of shape (agents, objects)"),
        (np.zeros((3, 2, 1), dtype=int), "got shape (3, 2, 1)"),
        (np.array([[0, 1]] * 2), "2 preferences for 3 agents"),
        (np.array([[0, 1, 2, 0]] * 3), "4 entries for 3 objects"),
        (np.array([[0, -1]] * 3), "object index -1 out of range 0..2"),
        (np.array([[0, 0]] * 3), "listed twice"),
        ([[0, 1], [1.0], []], "expected an object name (a string) or index"),
        ([[0, 1], [True], []], "expected an object name (a string) or index"),
        ([[0, 1], [np.float64(1)], []], "expected an object name (a string) or index"),
        ([[0, 1], [None], []], "expected an object name (a string) or index"),
        ([[0, 1], [10**5000], []], "object index of more than 30 digits out of range"),
    ],
)
def test_bad_integer_profiles_are_invalid_input(profile, says):
    p = Problem.make(3, "abc")
    with pytest.raises(InvalidInput) as info:
        p.profile(profile)
    assert says in str(info.value)


@given(st.data())
def test_index_rankings_equal_name_rankings(data):
    m = data.draw(st.integers(1, 5))
    n = data.draw(st.integers(1, 5))
    p = Problem.make(n, m)  # objects a, b, c, ...
    indices = [
        data.draw(st.permutations(range(m)).flatmap(lambda q: st.integers(0, m).map(lambda k: list(q[:k]))))
        for _ in range(n)
    ]
    names = [["abcde"[k] for k in row] for row in indices]  # the independent mapping: index k is letter k
    assert p.profile(indices) == p.profile(names)
    if len({len(row) for row in indices}) == 1:
        assert p.profile(np.array(indices, dtype=np.int64).reshape(n, len(indices[0]))) == p.profile(names)


def test_names_as_text_keeps_file_integers_names():
    assert names_as_text([[1, 2], "ab", [True]]) == [["1", "2"], "ab", [True]]
    assert names_as_text(3) == "3" and names_as_text("x") == "x"


def test_files_with_integer_names_keep_their_meaning(tmp_path):
    path = tmp_path / "ints.toml"
    path.write_text(
        'format = "verified/assignment/1"\n[problem]\nagents = 2\nobjects = [1, 2, 3]\n'
        '[domain]\nkind = "restricted"\npreferences = [[[1, 2], [3]], [[2]]]\n'
        '[mechanism]\nbuiltin = "random_priority"\n'
    )
    subject = load_subject(path)
    # the file's integers are the object *names* 1, 2, 3 (read as indices, 1 would be ambiguous)
    assert subject.domain.preferences == ((("1", "2"), ("3",)), (("2",),))
    table = tmp_path / "table.toml"
    table.write_text(
        'format = "verified/assignment/1"\n[problem]\nagents = 1\nobjects = [1, 2]\n'
        '[domain]\nkind = "restricted"\npreferences = [[[2, 1]]]\n'
        '[mechanism]\nname = "t"\n[[mechanism.table]]\nprofile = [[2, 1]]\nassignment = [["0", 1, 0]]\n'
    )
    assert load_subject(table).table(((("2", "1")),)).matrix[0][1] == 1
