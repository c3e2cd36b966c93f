"""examples/rp_strategyproof.py prints exactly examples/expected/rp_strategyproof.txt, and the
numbers in it are re-derived here independently."""

from __future__ import annotations

import random
from fractions import Fraction

from tests.assignment.reference_mechanisms import random_boston, random_priority
from tests.assignment.test_strategyproofness import stdlib_table_digest
from tests.example_output import assert_example_prints_expected, expected_output
from verified.assignment.anonymous import rp_orbit_table
from verified.assignment.model import Problem


def test_rp_strategyproof_example_output():
    assert_example_prints_expected("rp_strategyproof")


def test_rp_strategyproof_example_numbers():
    lines = expected_output("rp_strategyproof").splitlines()
    # 16 rankings (1 + 3 + 6 + 6), 16^4 profiles, 4 agents x 15 misreports each
    assert lines[0].endswith("(65536 profiles)")
    assert lines[2].split()[-1] == str(16**4 * 4 * 15)
    problem = Problem.make(4, "abc")
    table = rp_orbit_table(problem).to_tabulated()
    # the digest, recomputed with the standard library only
    assert lines[3].split()[-1] == stdlib_table_digest(table)
    # spot-check the table against RP by enumerating the 24 orders
    rng = random.Random(7)
    for index in rng.sample(range(len(table.domain)), 25):
        prof = table.domain.profile(index)
        assert table.at_index(index) == random_priority(problem, prof)
    # orbits: 16 rankings x C(18, 3) = 816 multisets of the other three
    assert "(13056 orbits" in lines[4]
    # Boston witness (hand derivation in the example's docstring), recomputed
    small = Problem.make(3, "abc")
    prof = small.profile(["ab", "a", "ab"])
    truthful = random_boston(small, prof).matrix[0]
    lying = random_boston(small, small.profile(["b", "a", "ab"])).matrix[0]
    assert truthful == (Fraction(1, 3), Fraction(1, 2), 0, Fraction(1, 6))
    assert lying[1] == 1
    assert "rises from 5/6 to 1" in lines[10]
