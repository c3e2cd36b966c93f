"""PrefLib ordinal files: the lenient reader, the spec-strict writer, round trips, interop.

Expected values are read off the files by hand (the mapping of verified.io.preflib's docstring),
and the writer's order is recomputed here independently (`expected_file_order`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verified.assignment.model import Problem
from verified.errors import InvalidInput
from verified.io.preflib import MAX_VOTERS, REQUIRED, dumps, read, write

ROOT = Path(__file__).resolve().parents[2]
THREE = ROOT / "examples" / "preflib" / "three_voters.soc"
REMARK2 = ROOT / "examples" / "preflib" / "erdil_remark2.soi"

HEADER = """# FILE NAME: t.soi
# DATA TYPE: soi
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: {voters}
# NUMBER UNIQUE ORDERS: {unique}
# ALTERNATIVE NAME 1: x
# ALTERNATIVE NAME 2: y
# ALTERNATIVE NAME 3: z
"""


def soi(body: str, voters: int | str = 3, unique: int | str = 2) -> str:
    return HEADER.format(voters=voters, unique=unique) + body


def test_three_voters_soc_is_read_by_hand():
    data = read(THREE)
    # "2: 1,2,3" then "1: 2,1,3": voters 1 and 2 rank Ann > Bob > Cy, voter 3 Bob > Ann > Cy.
    assert data.problem == Problem.make(3, ["Ann", "Bob", "Cy"])
    assert data.profile == (("Ann", "Bob", "Cy"), ("Ann", "Bob", "Cy"), ("Bob", "Ann", "Cy"))
    assert data.orders == ((2, (1, 2, 3)), (1, (2, 1, 3)))
    assert data.alternative_names == ("Ann", "Bob", "Cy")
    assert data.data_type == "soc" and data.notes == ()
    assert data.metadata["TITLE"] == "Three voters, three alternatives"
    assert data.source == str(THREE)


def test_soi_leaves_unlisted_alternatives_unacceptable():
    data = read(REMARK2)
    assert data.profile == (("a", "b"), ("c", "b"), ("a",), ("c",))
    assert data.data_type == "soi"


def test_voters_are_expanded_in_file_order_and_repeated_orders_are_more_voters():
    data = read(soi("1: 3\n2: 1,2\n1: 3\n", voters=4, unique=2))
    assert data.profile == (("z",), ("x", "y"), ("x", "y"), ("z",))
    assert data.problem.agents == ("1", "2", "3", "4")


def test_text_and_bytes_are_read_like_a_file_and_leniency():
    text = "\ufeff" + soi("2 : { 1 } , 2\r\n\r\n1:3\r\n").replace("# DATA TYPE", "#data   type")
    data = read(text)
    assert data.profile == (("x", "y"), ("x", "y"), ("z",)) and data.source == "<text>"
    assert read(text.encode("utf-8")).profile == data.profile
    # no NUMBER headers at all: the largest alternative number named anywhere
    bare = read("# ALTERNATIVE NAME 1: p\n# ALTERNATIVE NAME 2: q\n1: 2\n")
    assert bare.problem.objects == ("p", "q") and bare.profile == (("q",),)


def test_names_fall_back_to_numbers_with_a_note():
    missing = read("# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: a\n1: 1,2\n")
    assert missing.problem.objects == ("1", "2") and "have no name" in missing.notes[0]
    assert missing.alternative_names == ("a", None)
    twice = read("# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 2: a\n1: 1,2\n")
    assert twice.problem.objects == ("1", "2") and "share a name" in twice.notes[0]
    reserved = read("# ALTERNATIVE NAME 1: outside\n# ALTERNATIVE NAME 2: a\n1: 2\n")
    assert reserved.problem.objects == ("1", "2") and "not a valid object name" in reserved.notes[0]


def test_capacities_pass_through():
    data = read(soi("2: 1,2\n1: 3\n"), capacities={"x": 2})
    assert data.problem.capacities == (2, 1, 1)


@pytest.mark.parametrize(
    ("body", "voters", "unique", "says", "line"),
    [
        ("2: 1,{2,3}\n1: 3\n", 3, 2, "ties alternatives {2, 3}", 9),
        ("0: 1,2\n1: 3\n", 1, 2, "count of voters must be at least 1", 9),
        ("-1: 1,2\n", 3, 1, "non-negative integer", 9),
        ("x: 1\n", 3, 1, "non-negative integer", 9),
        ("2: 1,4\n1: 3\n", 3, 2, "alternative 4 is out of range 1..3", 9),
        ("2: 1,0\n1: 3\n", 3, 2, "alternative number must be at least 1, got 0", 9),
        ("2: 1,2,1\n1: 3\n", 3, 2, "listed twice", 9),
        ("2: 1,,2\n1: 3\n", 3, 2, "malformed order", 9),
        ("2: 1 2\n1: 3\n", 3, 2, "malformed order", 9),
        ("2: {}\n1: 3\n", 3, 2, "empty entry", 9),
        ("2: 1,2\n1: 3\n", 4, 2, "NUMBER VOTERS says 4, but the orders have 3", 4),
        ("2: 1,2\n1: 3\n", 3, 3, "NUMBER UNIQUE ORDERS says 3", 5),
        ("2: 1,2\n1: 3\n", "lots", 2, "NUMBER VOTERS must be a non-negative integer", 4),
        ("9" * 30 + ": 1\n", 3, 1, "digits: far too large", 9),
        (f"{MAX_VOTERS}: 1\n1: 2\n", 3, 2, f"more than {MAX_VOTERS:,} voters", 10),
        ("2: 1\x00\n", 3, 1, "NUL byte", 9),
        ("2 1,2\n", 3, 1, "expected 'count: order'", 9),
    ],
)
def test_hostile_files_name_the_file_and_line(tmp_path, body, voters, unique, says, line):
    path = tmp_path / "bad.soi"
    path.write_text(soi(body, voters, unique), encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        read(path)
    assert says in str(info.value)
    assert str(info.value).startswith(f"{path}, line {line}: ")


def test_more_refusals(tmp_path):
    cases = {
        "latin1.soi": (
            "# NUMBER ALTERNATIVES: 1\n1: 1\n# TITLE: caf\xe9\n".encode("latin-1"),
            "line 3: not UTF-8",
        ),
        "suffix.soc": (soi("2: 1,2,3\n1: 3,2,1\n").encode(), "data type 'soi' but the file is named .soc"),
        "short.soc": (
            b"# NUMBER ALTERNATIVES: 2\n1: 1\n",
            "line 2: a soc order must rank all 2 alternatives",
        ),
        "empty.soi": (b"# NUMBER ALTERNATIVES: 2\n", "no voters"),
        "names.soi": (
            b"# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 3: c\n1: 1\n",
            "line 2: a name for alternative 3",
        ),
        "renamed.soi": (
            b"# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 1: b\n1: 1\n",
            "line 2: alternative 1 is named twice",
        ),
        "type.soi": (b"# DATA TYPE: cat\n1: 1\n", "unknown data type 'cat'"),
        "old.soi": (b"3\n1,a\n", "pre-2022 format"),
        "zero.soi": (b"# NUMBER ALTERNATIVES: 0\n1: 1\n", "NUMBER ALTERNATIVES must be at least 1"),
    }
    for name, (data, says) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InvalidInput) as info:
            read(path)
        assert says in str(info.value) and str(path) in str(info.value), (name, str(info.value))
    with pytest.raises(InvalidInput, match="no such file"):
        read(tmp_path / "missing.soc")
    with pytest.raises(InvalidInput, match="expected a path or the text"):
        read(3)  # type: ignore[arg-type]


def test_a_tie_class_of_one_is_that_alternative():
    assert read(soi("2: {1},2\n1: {3}\n")).profile == (("x", "y"), ("x", "y"), ("z",))


def test_writer_is_spec_strict(tmp_path):
    problem = Problem.make(5, ["Ann", "Bob", "Cy"])
    profile = [["Bob"], ["Ann", "Bob", "Cy"], ["Bob"], ["Cy", "Ann"], ["Ann", "Bob", "Cy"]]
    text = dumps(problem, profile, title="T", modification_type="original")
    lines = text.splitlines()
    # every required header, in the specification's order, then the names, then the orders
    assert [line.split(":")[0][2:] for line in lines[: len(REQUIRED)]] == list(REQUIRED)
    assert (
        "# DATA TYPE: soi" in lines and "# NUMBER UNIQUE ORDERS: 3" in lines and "# NUMBER VOTERS: 5" in lines
    )
    assert lines[len(REQUIRED) : len(REQUIRED) + 3] == [
        "# ALTERNATIVE NAME 1: Ann",
        "# ALTERNATIVE NAME 2: Bob",
        "# ALTERNATIVE NAME 3: Cy",
    ]
    # sorted by count, largest first; equal counts by first appearance (Bob came before Ann, Bob, Cy)
    assert lines[len(REQUIRED) + 3 :] == ["2: 2", "2: 1,2,3", "1: 3,1"]
    path = write(tmp_path / "out", problem, profile)
    assert path.name == "out.soi" and "# FILE NAME: out.soi" in path.read_text()
    complete = write(tmp_path / "c", Problem.make(1, "ab"), [["b", "a"]])
    assert complete.suffix == ".soc" and read(complete).data_type == "soc"


def test_writer_refusals(tmp_path):
    problem = Problem.make(2, "ab")
    with pytest.raises(InvalidInput, match="the profile is soi .* named .soc"):
        write(tmp_path / "x.soc", problem, [["a"], ["b"]])
    with pytest.raises(InvalidInput, match="capacities"):
        dumps(Problem.make(2, "ab", [2, 1]), [["a"], ["b"]])
    with pytest.raises(InvalidInput, match="one line"):
        dumps(problem, [["a"], ["b"]], title="two\nlines")
    with pytest.raises(InvalidInput, match="one line"):
        dumps(Problem.make(1, ["a\u2028b"]), [[]])
    with pytest.raises(InvalidInput, match="modification_type"):
        dumps(problem, [["a"], ["b"]], modification_type="made up")
    with pytest.raises(InvalidInput, match="unknown object"):
        dumps(problem, [["a"], ["c"]])


def expected_file_order(profile):
    """Distinct rankings by count (largest first), equal counts by first appearance, expanded."""
    firsts, counts = [], {}
    for ranking in profile:
        if ranking not in counts:
            firsts.append(ranking)
        counts[ranking] = counts.get(ranking, 0) + 1
    groups = sorted(firsts, key=lambda r: (-counts[r], firsts.index(r)))
    return tuple(r for r in groups for _ in range(counts[r]))


NAMES = st.one_of(
    st.sampled_from(["a", "b", "c", "d", "1", "2", "10", "Ann Lee", "x:y", "#5", "{1,2}"]),
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Zl", "Zp", "Cc")), min_size=1, max_size=6
    ),
)


@st.composite
def problems_and_profiles(draw):
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    names = [n for n in names if n.strip() == n and n.strip() and n != "outside" and len(n.splitlines()) == 1]
    if not names:
        names = ["a"]
    problem = Problem.make(draw(st.integers(1, 7)), names)
    rankings = st.permutations(problem.objects).flatmap(lambda p: st.integers(0, len(p)).map(lambda k: p[:k]))
    profile = tuple(tuple(r) for r in draw(st.lists(rankings, min_size=problem.n, max_size=problem.n)))
    return problem, profile


@given(problems_and_profiles())
def test_write_then_read_gives_the_same_objects_and_rankings(case):
    problem, profile = case
    data = read(dumps(problem, profile))
    assert data.problem == Problem.make(problem.n, problem.objects)
    assert data.profile == expected_file_order(profile)
    # a profile already in the file's order comes back as it is, and so does the text
    assert read(dumps(data.problem, data.profile)).profile == data.profile
    assert dumps(data.problem, data.profile) == dumps(problem, profile)


# ---- interop (run once locally with the packages installed; skipped otherwise) ----


def test_preflibtools_reads_what_we_write_and_we_read_what_it_writes(tmp_path):
    instances = pytest.importorskip("preflibtools.instances")
    data = read(REMARK2)
    ours = tmp_path / "ours.soi"
    write(ours, data.problem, data.profile)
    theirs = instances.OrdinalInstance(str(ours))
    assert theirs.num_voters == 4 and theirs.num_alternatives == 3 and theirs.num_unique_orders == 4
    assert {o: theirs.multiplicity[o] for o in theirs.orders} == {
        ((1,), (2,)): 1,
        ((3,), (2,)): 1,
        ((1,),): 1,
        ((3,),): 1,
    }
    assert theirs.alternatives_name == {1: "a", 2: "b", 3: "c"}
    back = tmp_path / "back.soi"
    theirs.write(str(back))
    again = read(back)
    assert sorted(again.profile) == sorted(data.profile) and again.problem.objects == ("a", "b", "c")


def test_pref_voting_and_prefsampling_profiles_are_accepted():
    profiles = pytest.importorskip("pref_voting.profiles")
    ordinal = pytest.importorskip("prefsampling.ordinal")
    import numpy as np

    # rows of numpy integer indices from 0 (an ndarray, or in some versions a list of rows)
    sample = ordinal.impartial(num_voters=6, num_candidates=3, seed=7)
    rows = [[int(k) for k in row] for row in sample]
    problem = Problem.make(6, ["Ann", "Bob", "Cy"])
    by_array = problem.profile(np.asarray(sample))
    assert by_array == problem.profile(sample) == problem.profile(rows)
    assert by_array == tuple(tuple(("Ann", "Bob", "Cy")[k] for k in row) for row in rows)
    pv = profiles.Profile(rows)
    rankings = [list(r) for r in pv.rankings]  # pref_voting keeps candidates 0..m-1 too
    assert problem.profile(rankings) == by_array
    assert read(dumps(problem, by_array)).profile == expected_file_order(by_array)
