"""Random priority is SD-strategy-proof on the full domain; random-order Boston is not.

Erdil, section 2: f is strategy-proof when, for every profile R, agent i and report
R'_i, the truthful lottery f_i(R) first-order stochastically dominates f_i(R'_i, R_-i)
for the TRUE ranking R_i. With n = 4 agents and objects a, b, c there are 16 rankings
per agent (1 + 3 + 6 + 6), 16^4 = 65,536 profiles and 65,536 x 4 x 15 = 3,932,160
(profile, agent, misreport) comparisons; all of them are checked exactly.

Boston (immediate acceptance, uniformly random priority order) is manipulable: at
R1 = a b, R2 = a, R3 = a b agent 1 gets a w.p. 1/3 (she is first in the order) and b
w.p. 1/3 * 1/2 + 1/3 = 1/2 (agent 2 took a and she precedes 3, or agent 3 took a),
so 5/6 of {a, b}; reporting "b" alone wins b in round one for sure: 1 > 5/6.

Run: python examples/rp_strategyproof.py
"""

from verified.assignment.anonymous import check_strategyproof_anonymous, rp_orbit_table
from verified.assignment.domain import Domain
from verified.assignment.mechanism import tabulate
from verified.assignment.mechanisms.boston import random_boston
from verified.assignment.model import Problem, describe_preference
from verified.assignment.properties.strategyproofness import check_strategyproof


def row_text(row: dict[str, str]) -> str:
    return ", ".join(f"{x} {v}" for x, v in row.items() if v != "0")


def main() -> None:
    problem = Problem.make(4, "abc")
    orbits = rp_orbit_table(problem)
    table = orbits.to_tabulated()
    print(f"Random priority: 4 agents, objects a b c, full domain ({len(table.domain)} profiles)")
    result = check_strategyproof(table)
    print(f"SD-strategy-proof: {result.verdict}")
    print(f"  comparisons (profile, agent, misreport): {result.evidence['comparisons']}")
    print(f"  table digest: {result.evidence['table_digest']}")
    on_orbits = check_strategyproof_anonymous(orbits)
    print(
        f"  on orbits: {on_orbits.verdict} ({on_orbits.evidence['orbits']} orbits, anonymity "
        f"{on_orbits.evidence['anonymity']})"
    )
    print(f"  orbit table digest: {on_orbits.evidence['orbit_table_digest']}")

    small = Problem.make(3, "abc")
    domain = Domain.full(small)
    boston = tabulate(random_boston(small), domain)
    print(f"Random-order Boston: 3 agents, objects a b c, full domain ({len(domain)} profiles)")
    bad = check_strategyproof(boston)
    print(f"SD-strategy-proof: {bad.verdict}")
    w = bad.evidence
    profile = "; ".join(
        f"{a}: {describe_preference(tuple(p))}" for a, p in zip(small.agents, w["profile"], strict=True)
    )
    prefix = "{" + ", ".join(w["prefix"]) + "}"
    print(f"  at the profile {profile}")
    print(
        f"  agent {w['agent']} (true ranking {describe_preference(tuple(w['true_preference']))}) does better "
        f"reporting {describe_preference(tuple(w['misreport']))}:"
    )
    print(
        f"  her probability of {prefix} rises from {w['truthful_cumulative']} to {w['misreport_cumulative']}"
    )
    print(f"  truthful lottery: {row_text(w['truthful_row'])}")
    print(f"  misreport lottery: {row_text(w['misreport_row'])}")


if __name__ == "__main__":
    main()
