"""The table digest computed in a background thread is the digest computed in line, and a forked
child never waits for a thread it did not inherit (`verified.assignment.properties._common`)."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import Future

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism, tabulate
from verified.assignment.mechanisms import serial_dictatorship
from verified.assignment.model import Problem
from verified.assignment.properties import _common


def _table() -> TabulatedMechanism:
    problem = Problem.make(3, "ab")
    return tabulate(serial_dictatorship(problem), Domain.full(problem))


def test_the_prefetched_digest_is_the_inline_digest_and_the_documented_bytes():
    table = _table()
    _common.prefetch_table_digest(table)
    got = _common.table_digest(table)
    assert got == _common.array_digest(table.numerators, table.denominator)
    # the documented encoding, by hand: 8 big-endian bytes per numerator, C order
    raw = b"".join(int(v).to_bytes(8, "big", signed=True) for v in table.numerators.reshape(-1))
    expected = _common.digest(
        {
            "denominator": table.denominator,
            "shape": list(table.numerators.shape),
            "encoding": "int64-big-endian",
            "numerators_sha256": hashlib.sha256(raw).hexdigest(),
        }
    )
    assert got == expected


def test_a_forked_child_forgets_an_unfinished_digest_and_keeps_a_finished_one():
    waiting, done = _table(), _table()
    pending: Future = Future()
    finished: Future = Future()
    finished.set_result("abc")
    _common._DIGESTS[waiting] = pending
    _common._DIGESTS[done] = finished
    try:
        _common._forget_unfinished_digests()
        assert waiting not in _common._DIGESTS
        assert _common._DIGESTS[done] == "abc"
        # the child computes the forgotten one itself
        assert _common.table_digest(waiting) == _common.array_digest(waiting.numerators, waiting.denominator)
    finally:
        _common._DIGESTS.pop(done, None)


def test_a_real_fork_after_a_prefetch_gives_the_digest():
    table = _table()
    _common.prefetch_table_digest(table)
    expected = _common.array_digest(table.numerators, table.denominator)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: must not hang on the parent's thread
        try:
            os.write(write, _common.table_digest(table).encode())
        finally:
            os._exit(0)
    os.close(write)
    got = os.read(read, 200).decode()
    os.waitpid(pid, 0)
    assert got == expected
    assert np.asarray(table.numerators).flags.writeable is False
