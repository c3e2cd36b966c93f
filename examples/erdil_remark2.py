"""Erdil, Remark 2: random priority is wasteful.

Four agents, objects a, b, c (one copy each), rankings R1 = a b, R2 = c b, R3 = a,
R4 = c. Hand derivation of RP(R) (uniform over the 24 orders):

* agent 1 gets a exactly when she precedes agent 3 (probability 1/2); agent 3
  gets a otherwise (1/2);
* otherwise (3 before 1) agent 1 falls back to b, which is gone only if agent 2
  took it before her, i.e. 4 < 2 < 1 (agent 4 took c first, so 2 settled for b).
  Orders with 3 < 1 and 4 < 2 < 1: place 3 in one of the 3 slots before 1 in the
  fixed chain 4, 2, 1: 3 orders out of 24. So agent 1 gets b with probability
  12/24 - 3/24 = 9/24 = 3/8, and the outside option with 1/8;
* agent 2 is symmetric (c with 1/2, b with 3/8, outside 1/8), agents 3, 4 get
  a, c with 1/2 each.

So b is assigned with probability 3/4 < 1 while agent 1, who prefers b to her
outside option, stays unassigned with probability 1/8: wasteful (Erdil's
definition, section 2, with y = the outside option and z = b). The size is
|RP(R)| = 1 + 3/4 + 1 = 11/4. (The paper's Remark 2 table agrees; the proof of
Proposition 4 prints 5/12 for b at the same profile, which is not what RP gives.)

Run: python examples/erdil_remark2.py
"""

from verified.assignment.mechanisms import random_priority
from verified.assignment.model import Problem
from verified.assignment.properties.wastefulness import check_wastefulness
from verified.numbers import fraction_text


def main() -> None:
    problem = Problem.make(4, "abc")
    profile = problem.profile(["ab", "cb", "a", "c"])
    rp = random_priority(problem)(profile)
    print("Erdil, Remark 2: random priority at R1 = a b, R2 = c b, R3 = a, R4 = c")
    print(rp)
    print(f"|RP(R)| = {fraction_text(rp.size())}")
    result = check_wastefulness(rp, profile)
    print(f"non-wasteful: {result.verdict}")
    w = result.evidence
    if result.fails:
        print(
            f"witness: agent {w['agent']} has {w['y']} with probability {w['gamma_jy']} > 0, "
            f"prefers {w['z']}, and {w['z']} is assigned with total probability "
            f"{w['z_column_sum']} < capacity {w['z_capacity']}"
        )


if __name__ == "__main__":
    main()
