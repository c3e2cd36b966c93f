"""The engine's reader accepts and refuses exactly what the library does, row by row (issue 9).

The reader reads the common answer (n one-entry rows ``{object: 1}``) inline, appending a
column per row and taking them back at the first row that is anything else; every other
answer goes through the library's own reading. These tests draw answers mixing rows of every
kind -- a deterministic prefix followed by a lottery, a bool, a float, an unknown object, an
empty row, a row that is not a dict, too few or too many rows, two agents given one copy --
and compare with `verified.assignment.mechanism.tabulate` (one `StochasticAssignment` of
Fractions per profile, no shortcut): the same table, or both refuse.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine.helpers import write_problem
from verified.assignment.mechanism import tabulate as library_tabulate
from verified.engine.ranges import Range
from verified.engine.reader import RangeReader
from verified.errors import InvalidInput
from verified.io import load_subject

ROWS = [
    {"a": 1},
    {"b": Fraction(1)},
    {"outside": 1},
    {"a": "1"},
    {"a": Fraction(1, 2), "outside": Fraction(1, 2)},
    {"b": "1/3", "outside": "2/3"},
    {"a": True},
    {"a": 1.0},
    {"a": 0},
    {"a": 2},
    {"nowhere": 1},
    {},
    ["a"],
    None,
]

answers = st.lists(st.sampled_from(range(len(ROWS))), min_size=1, max_size=3)


def _subject(tmp_path):
    path = write_problem(tmp_path, "scripted", 2, "ab")
    subject = load_subject(path)
    return subject, subject.python_function.__globals__["ANSWERS"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=st.dictionaries(st.integers(0, 24), answers, max_size=6))
def test_the_reader_agrees_with_the_library(tmp_path, script):
    subject, table = _subject(tmp_path)
    table.clear()
    for number, rows in script.items():
        profile = subject.domain.profile(number)
        table[tuple(profile)] = [dict(ROWS[k]) if isinstance(ROWS[k], dict) else ROWS[k] for k in rows]
    try:
        reference = library_tabulate(subject.mechanism, subject.domain)
    except InvalidInput:
        reference = None
    try:
        block = RangeReader(subject).read(Range(0, len(subject.domain)))
    except InvalidInput:
        assert reference is None, "the engine refused a table the library reads"
        return
    assert reference is not None, "the engine read a table the library refuses"
    factor = reference.denominator // block.denominator
    assert reference.denominator == block.denominator * factor
    assert np.array_equal(
        np.asarray(block.numerators, dtype=object) * factor, reference.numerators.astype(object)
    )


def test_a_deterministic_prefix_then_a_lottery_is_read_exactly(tmp_path):
    """By hand: at profile 7 agent 1 gets a for sure and agent 2 half of b, so over the
    denominator 2 agent 1's row is (2, 0, 0) and agent 2's (0, 1, 1)."""
    subject, table = _subject(tmp_path)
    table.clear()
    table[tuple(subject.domain.profile(7))] = [{"a": 1}, {"b": Fraction(1, 2), "outside": "1/2"}]
    block = RangeReader(subject).read(Range(0, len(subject.domain)))
    assert block.denominator == 2
    assert block.numerators[7].tolist() == [[2, 0, 0], [0, 1, 1]]
    assert block.numerators[6].tolist() == [[0, 0, 2], [0, 0, 2]]
