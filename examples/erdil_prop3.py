"""Erdil, Proposition 3: RP and RDA are dominated by strategy-proof mechanisms.

Run: python examples/erdil_prop3.py [--write-certificates] [--write-full-certificate]
"""

from __future__ import annotations

import sys
from pathlib import Path

from verified.assignment.domain import Domain
from verified.assignment.mechanisms.random_priority import tabulate_random_priority
from verified.assignment.model import Problem
from verified.assignment.properties.equal_treatment import check_anonymous
from verified.assignment.properties.fosd import check_mechanism_dominance
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.recheck import recheck
from verified.recheck.core import read_certificate
from verified.search import find_dominating_mechanism
from verified.search.bases import base_mechanism
from verified.search.report import describe, write_certificate
from verified.search.symmetry import symmetrise

ROOT = Path(__file__).resolve().parents[1]


def main(write: bool) -> None:
    problem = Problem.make(4, "abc")
    domain = Domain.full(problem)
    rp = tabulate_random_priority(domain)
    others = ("ca", "cb", "c")
    nbhd = [(r, *others) for r in domain.preferences[0]]  # agent 1 reports anything; R_-1 fixed
    print("Proposition 3(i): RP, n = 4, m = 3, agents 2-4 report c > a, c > b, c")
    out = find_dominating_mechanism(
        rp, domain, neighbourhood=nbhd, objective="total-gain", base_spec={"mechanism": "random_priority"}
    )
    recheck(out.certificate)
    print(describe(out.certificate))
    print("re-checked independently: ok")
    h = symmetrise(out.mechanism)
    checks = {
        "anonymous": check_anonymous(h, domain).holds,
        "SD-strategy-proof": check_strategyproof(h).holds,
        "dominates RP": check_mechanism_dominance(h, rp, domain).holds,
    }
    print("Erdil's symmetrised h = average of g over the 24 agent permutations (exhaustive checks):")
    print("  " + ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks.items()))
    print(f"  agent 1 at (a b, c a, c b, c) gets b with probability {h(nbhd[4]).prob('1', 'b')}")
    priorities = [[[0, 1, 2, 3]], [[0, 1, 2, 3]], [[1, 2, 3], [0]]]
    rda_spec = {"mechanism": "random_deferred_acceptance", "priorities": priorities}
    rda = base_mechanism(domain, rda_spec)
    print()
    print("Proposition 3(ii): RDA with priorities a: 1-4 tied, b: 1-4 tied, c: 2-4 tied above 1")
    print("(the appendix's priorities); g must be SP and ex post stable for them, as the paper states")
    out2 = find_dominating_mechanism(
        rda,
        domain,
        neighbourhood=nbhd,
        ex_post_stable=priorities,
        base_spec=rda_spec,
    )
    recheck(out2.certificate)
    print(describe(out2.certificate))
    print("re-checked independently: ok")
    stored = read_certificate(ROOT / "certificates" / "search_full_n4_m3.json")["evidence"]
    print()
    print("Symmetrised (anonymous) optimum over the full domain, stored certificate:")
    print(
        f"total gain {stored['value']} - {stored['base_value']} = "
        f"{int(stored['value']) - int(stored['base_value'])}"
    )
    if write:
        for name, res in (("search_prop3i_neighbourhood", out), ("search_prop3ii_rda", out2)):
            write_certificate(ROOT / "certificates" / f"{name}.json", res.certificate)


def write_full_certificate() -> None:
    """The symmetrised optimum over the full n = 4, m = 3 domain (anonymous orbits, total gain)."""
    domain = Domain.full(Problem.make(4, "abc"))
    out = find_dominating_mechanism(
        tabulate_random_priority(domain),
        domain,
        objective="total-gain",
        base_spec={"mechanism": "random_priority"},
    )
    write_certificate(ROOT / "certificates" / "search_full_n4_m3.json", out.certificate)


if __name__ == "__main__":
    if "--write-full-certificate" in sys.argv:
        write_full_certificate()
    main("--write-certificates" in sys.argv)
