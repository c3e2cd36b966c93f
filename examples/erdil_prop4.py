"""Erdil, Proposition 4 (and Proposition 1): certified "none exists" answers.

Run: python examples/erdil_prop4.py [--write-certificates]
"""

from __future__ import annotations

import sys
from pathlib import Path

from verified.assignment.domain import Domain
from verified.assignment.mechanisms.random_priority import random_priority, tabulate_random_priority
from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
from verified.assignment.model import Problem
from verified.recheck import recheck
from verified.search import find_dominating_mechanism
from verified.search.report import describe, write_certificate

ROOT = Path(__file__).resolve().parents[1]


def main(write: bool) -> None:
    problem = Problem.make(4, "abc")
    domain = Domain.full(problem)
    R = ("ab", "cb", "a", "c")
    print("Proposition 4: RP at R = (a b, c b, a, c), computed exactly:")
    print(random_priority(problem)(problem.profile(R)))
    nbhd = [R, ("ba", "cb", "a", "c"), ("ab", "bc", "a", "c")]  # R, R' and R^ of the proof
    out = find_dominating_mechanism(
        tabulate_random_priority(domain),
        domain,
        neighbourhood=nbhd,
        nonwasteful_at=[R],
        relaxed=True,
        base_spec={"mechanism": "random_priority"},
    )
    recheck(out.certificate)
    print("An SP dominator of RP that is non-wasteful at R, searched with every profile free:")
    print(describe(out.certificate))
    print("re-checked independently: ok")
    print()
    small = Problem.make(3, "ab")
    out1 = find_dominating_mechanism(
        serial_dictatorship(small), Domain.full(small), base_spec={"mechanism": "serial_dictatorship"}
    )
    recheck(out1.certificate)
    print("Proposition 1: serial dictatorship, n = 3, m = 2, full domain:")
    print(describe(out1.certificate))
    print("re-checked independently: ok")
    if write:
        for name, res in (("search_prop4", out), ("search_prop1_sd_n3_m2", out1)):
            write_certificate(ROOT / "certificates" / f"{name}.json", res.certificate)


if __name__ == "__main__":
    main("--write-certificates" in sys.argv)
