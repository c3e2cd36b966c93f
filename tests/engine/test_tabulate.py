"""The engine's tables are the library's tables, whichever way the ranges run (issue 9).

The reference is `verified.assignment.mechanism.tabulate` on the subject's own mechanism: one call
per profile through `verified.io.pyload.python_mechanism`, a `StochasticAssignment` of Fractions
each time, with none of the engine's integer shortcuts. Equal means the same denominator, the
same numerators (entry for entry) and the same dtype, which is what makes the certificates the
same bytes.
"""

from __future__ import annotations

import re
import time
from fractions import Fraction

import numpy as np
import pytest

from tests.cli.mechanisms import descendants
from tests.engine.helpers import write_problem
from verified.assignment.mechanism import tabulate as library_tabulate
from verified.engine import engine_options, tabulate
from verified.engine.executors import EngineTimeout, WorkerLost
from verified.errors import InvalidInput
from verified.io import load_subject


def assert_same_table(got, reference) -> None:
    assert got.denominator == reference.denominator
    assert got.numerators.dtype == reference.numerators.dtype
    assert np.array_equal(got.numerators, reference.numerators)
    assert got.name == reference.name
    assert got.domain == reference.domain


_REFERENCES: dict[tuple[str, bool], object] = {}


def reference_table(path, allow_float: bool = False):
    """The library's table of the file at ``path`` (computed once per file text: Boston on
    65,536 profiles takes the library's path 20 s)."""
    key = (path.read_text() + (path.parent / "engine_user.py").read_text(), allow_float)
    if key not in _REFERENCES:
        subject = load_subject(path, allow_float=allow_float)
        _REFERENCES[key] = library_tabulate(subject.mechanism, subject.domain)
    return _REFERENCES[key]


CASES = [
    ("boston", 3, "ab", None),
    ("boston", 4, "abc", None),
    ("boston", 3, "ab", {"a": 2}),
    ("mixed", 3, "ab", None),
    ("mixed", 4, "ab", {"b": 2}),  # every kind of answer, two copies of b
    ("random_boston_like", 3, "abc", None),
]


@pytest.mark.parametrize(("function", "agents", "objects", "capacities"), CASES)
def test_serial_tabulation_equals_the_library(tmp_path, function, agents, objects, capacities):
    path = write_problem(tmp_path, function, agents, objects, capacities)
    reference = reference_table(path)
    assert_same_table(tabulate(path), reference)
    assert_same_table(load_subject(path).table, reference)  # what `verified check` uses


def test_denominators_are_combined_exactly(tmp_path):
    """By hand: random_boston_like gives the last agent 1/2 or 1/3 of her first choice, so the
    table's common denominator is lcm(2, 3) = 6 and a 1/3 entry is the numerator 2."""
    path = write_problem(tmp_path, "random_boston_like", 2, "a")
    table = tabulate(path)
    assert table.denominator == 6
    subject = load_subject(path)
    profile = subject.domain.index(subject.problem.profile(["", "a"]))  # agent 1 ranks nothing: 1/3
    assert Fraction(int(table.numerators[profile][1][0]), 6) == Fraction(1, 3)


@pytest.mark.parametrize(("function", "agents", "objects", "capacities"), CASES[:4])
def test_two_processes_give_the_same_table(tmp_path, function, agents, objects, capacities):
    path = write_problem(tmp_path, function, agents, objects, capacities)
    assert_same_table(tabulate(path, n_jobs=2), reference_table(path))


def test_engine_options_reach_subject_tables(tmp_path):
    path = write_problem(tmp_path, "mixed", 3, "ab")
    with engine_options(n_jobs=2):
        table = load_subject(path).table
    assert_same_table(table, reference_table(path))


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("function", "says"),
    [("raises_at_some", "raised ValueError: not at this profile"), ("exits_at_some", "called sys.exit(0)")],
)
def test_a_raising_mechanism_is_bad_input_at_the_first_such_profile(tmp_path, function, says, jobs):
    """Whatever order the ranges finish in, the error is the one at the lowest profile number."""
    path = write_problem(tmp_path, function, 3, "ab")
    subject = load_subject(path)
    first = next(
        k for k, profile in enumerate(subject.domain) if len(profile[0]) == 2 and len(profile[-1]) == 1
    )
    with pytest.raises(InvalidInput) as caught:
        tabulate(path, n_jobs=jobs)
    text = str(caught.value)
    assert says in text and f"(number {first})" in text
    assert str([list(r) for r in subject.domain.profile(first)]) in text


def test_a_worker_that_dies_is_retried_then_reported(tmp_path):
    path = write_problem(tmp_path, "dies_at_some", 3, "ab")
    with pytest.raises(WorkerLost, match="died twice") as info:
        tabulate(path, n_jobs=2)
    codes = re.search(r"exit codes \[([^\]]*)\]", str(info.value)).group(1)
    assert "7" in [c.strip() for c in codes.split(",")]  # os._exit(7); a stopped sibling shows -15


def test_a_worker_lost_once_mid_range_is_retried_and_the_table_is_complete(tmp_path):
    path = write_problem(tmp_path, "dies_once", 3, "ab")
    table = tabulate(path, n_jobs=2)
    assert (tmp_path / "died.marker").exists()  # a worker did die
    (tmp_path / "died.marker").unlink()
    (tmp_path / "died.marker").touch()  # the reference must not die: it runs in this process
    assert_same_table(table, reference_table(path))


def test_floats_are_refused_as_by_the_library_and_read_when_allowed(tmp_path):
    path = write_problem(tmp_path, "floats", 2, "ab")
    with pytest.raises(InvalidInput, match="float"):
        reference_table(path)
    with pytest.raises(InvalidInput, match="float"):
        tabulate(path)
    with pytest.raises(InvalidInput, match="float"):
        tabulate(path, n_jobs=2)
    allowed = load_subject(path, allow_float=True)
    reference = library_tabulate(allowed.mechanism, allowed.domain)
    assert_same_table(tabulate(allowed), reference)
    assert_same_table(tabulate(allowed, n_jobs=2), reference)  # the workers read floats too


def test_more_agents_than_copies_is_refused(tmp_path):
    path = write_problem(tmp_path, "over_capacity", 2, "ab")
    with pytest.raises(InvalidInput):
        reference_table(path)
    with pytest.raises(InvalidInput, match="capacity") as caught:
        tabulate(path)
    assert "[['a'], ['a']]" in str(caught.value) or "['a', 'b'], ['a'" in str(caught.value)


def test_a_deadline_stops_the_work_and_its_workers(tmp_path):
    path = write_problem(tmp_path, "slow", 3, "ab")  # 125 profiles x 0.05 s: 6 s of work
    before = set(descendants())
    start = time.monotonic()
    with pytest.raises(EngineTimeout):
        tabulate(path, n_jobs=2, deadline=time.monotonic() + 0.5)
    assert time.monotonic() - start < 4
    time.sleep(0.5)
    workers = [
        pid for pid in set(descendants()) - before if "engine_user" in _cmdline(pid) or _is_worker(pid)
    ]
    assert workers == []


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def _is_worker(pid: int) -> bool:
    """A busy process below the forkserver (the forkserver itself sleeps, waiting for requests)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state == "R"


def test_bad_jobs_are_refused(tmp_path):
    path = write_problem(tmp_path, "boston", 2, "a")
    for jobs in (0, -2, 1.5, True):
        with pytest.raises(InvalidInput, match="jobs"):
            tabulate(path, n_jobs=jobs)


def test_check_properties_takes_n_jobs_and_gives_the_same_results(tmp_path):
    from verified.testing import check_properties

    path = write_problem(tmp_path, "boston", 3, "ab")
    one = check_properties(path, "sp", "ir", n_jobs=1)
    two = check_properties(path, "sp", "ir", n_jobs=2)
    assert {k: v.to_json() for k, v in one.items()} == {k: v.to_json() for k, v in two.items()}
    assert one["sp"].verdict.value == "fails" and one["ir"].verdict.value == "holds"
