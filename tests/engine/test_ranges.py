"""Ranges: how a domain is cut into work and what ``--shard i/N`` means (issue 9)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verified.assignment.domain import Domain
from verified.assignment.model import Problem
from verified.engine.ranges import Range, chunks, parse_shard, profiles, shard_range, split
from verified.errors import InvalidInput


@given(st.integers(0, 10_000), st.integers(1, 50))
def test_split_covers_every_profile_once_in_order(total, parts):
    ranges = split(total, parts)
    assert len(ranges) == parts
    assert ranges[0].start == 0 and ranges[-1].stop == total
    assert all(a.stop == b.start for a, b in zip(ranges, ranges[1:], strict=False))
    sizes = [len(r) for r in ranges]
    assert max(sizes) - min(sizes) <= 1


@given(st.integers(0, 5_000), st.integers(0, 5_000), st.integers(1, 8), st.integers(1, 300))
def test_chunks_cut_a_range_into_contiguous_bounded_pieces(a, b, jobs, max_size):
    outer = Range(min(a, b), max(a, b))
    pieces = chunks(outer, jobs, max_size)
    assert sum(len(p) for p in pieces) == len(outer)
    if pieces:
        assert pieces[0].start == outer.start and pieces[-1].stop == outer.stop
        assert all(x.stop == y.start for x, y in zip(pieces, pieces[1:], strict=False))
        assert all(0 < len(p) <= max_size for p in pieces)


def _domains():
    full = Domain.full(Problem.make(3, "abc"))
    restricted = Domain.restricted(Problem.make(4, "ab"), [["ab", "b"], ["a"], ["", "ba", "a"], ["b", "ab"]])
    one = Domain.full(Problem.make(1, "ab"))
    return [full, restricted, one]


@pytest.mark.parametrize("domain", _domains(), ids=["full-3x3", "restricted-4x2", "one-agent"])
@given(data=st.data())
def test_profiles_of_a_range_are_the_domains_own(domain, data):
    total = len(domain)
    start = data.draw(st.integers(0, total))
    stop = data.draw(st.integers(start, total))
    assert list(profiles(domain, Range(start, stop))) == [domain.profile(p) for p in range(start, stop)]


@pytest.mark.parametrize("text", ["1/4", " 4/4 ", "3/7"])
def test_a_shard_is_i_of_n(text):
    i, n = parse_shard(text)
    assert 1 <= i <= n


@pytest.mark.parametrize("text", ["0/4", "5/4", "4", "1/0", "-1/4", "a/b", "1/4/5", "", "1.0/4", "١/٤"])
def test_a_bad_shard_is_refused(text):
    with pytest.raises(InvalidInput, match="--shard"):
        parse_shard(text)


def test_shards_partition_the_domain():
    """By hand: 10 profiles in 4 shards are 3, 3, 2, 2 profiles."""
    assert [shard_range(10, (i, 4)) for i in range(1, 5)] == [
        Range(0, 3),
        Range(3, 6),
        Range(6, 8),
        Range(8, 10),
    ]
