"""Bogomolnaia and Moulin (2001): probabilistic serial SD-dominates random priority.

Four agents, objects a, b, c, d (one copy each), R1 = R2 = a b c d and
R3 = R4 = b a d c. Hand derivation:

* PS: agents 1, 2 eat a and 3, 4 eat b, each object at speed 2, both gone at
  t = 1/2; then 1, 2 move to c and 3, 4 to d, gone at t = 1. So agents 1, 2 get
  a 1/2, c 1/2 and agents 3, 4 get b 1/2, d 1/2.
* RP, agent 1 (uniform over the 24 orders):
  a: she moves first (1/4); or 3 or 4 moves first and takes b (1/2), and then
  she is first among the three others (1/3), since 2 would take a and the
  other of 3, 4 would take a too (b being gone): 1/4 + 1/6 = 5/12.
  b: b is free at her turn only if 3 and 4 both move after her, and she takes b
  only if a is gone, i.e. 2 moved before her: orders 2, 1, {3, 4}: 2/24 = 1/12.
  d: a, b, c all gone at her turn: she is last, and c was taken by 2, which
  happens only if a was already gone, i.e. orders 3 4 2 1 and 4 3 2 1: 1/12.
  c: the rest, 1 - 5/12 - 1/12 - 1/12 = 5/12.
  Agent 2 is symmetric; agents 3, 4 likewise with (b, a, d, c).
  Agent 1's cumulative sums under RP, 5/12, 1/2, 11/12, 1, are at most PS's
  1/2, 1/2, 1, 1 at every prefix, strictly at the first: PS dominates RP.

Run: python examples/bogomolnaia_moulin.py
"""

from verified.assignment.mechanisms import probabilistic_serial, random_priority
from verified.assignment.model import Problem
from verified.assignment.properties.fosd import check_assignment_dominance


def main() -> None:
    problem = Problem.make(4, "abcd")
    profile = problem.profile(["abcd", "abcd", "badc", "badc"])
    rp = random_priority(problem)(profile)
    ps = probabilistic_serial(problem)(profile)
    print("Bogomolnaia-Moulin: R1 = R2 = a b c d, R3 = R4 = b a d c")
    print("random priority:")
    print(rp)
    print("probabilistic serial:")
    print(ps)
    result = check_assignment_dominance(ps, rp, profile)
    print(f"PS(R) weakly SD-dominates RP(R): {result.verdict}")
    for gain in result.evidence.get("strict_gains", []):
        prefix = " ".join(gain["prefix"])
        print(
            f"  agent {gain['agent']} strictly gains at prefix {{{prefix}}}: "
            f"PS {gain['gamma_cumulative']} > RP {gain['omega_cumulative']}"
        )


if __name__ == "__main__":
    main()
