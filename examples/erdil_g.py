"""Erdil's g (Proposition 3(i)), written as a designer would write it: a function of a profile.

Random priority (RP) wastes: at the profile where agents 2-4 report c > a, c > b and c, and
agent 1 ranks a and b, RP leaves agent 1 unassigned with probability 1/12 although her second
object of a and b is not fully assigned (Erdil, Remark 2: a > b, R = (ab, ca, cb, c); RP gives
agent 1 a 3/4, b 1/6, outside 1/12, and b is assigned 19/24 in all). g gives her that 1/12 of
her second object instead: 1/6 -> 1/4 of it, 1/12 -> 0 of the outside option. The 8 rankings
of agent 1 that list both a and b (a b, b a, a b c, a c b, b a c, b c a, c a b, c b a) give the
8 profiles where g differs from RP; everywhere else g is RP. Erdil shows that g is
SD-strategy-proof and dominates RP; `verified compare` checks both exactly:

    verified compare examples/rp_4x3.toml examples/erdil_g_4x3.toml --property sp --require dominates

RP's rows come from the library's exact table of RP (computed once per problem, 0.1 s for the
65,536 profiles of 4 agents and 3 objects); the change is written by hand.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from itertools import permutations

from verified.assignment.domain import Domain
from verified.assignment.mechanisms import tabulate_builtin
from verified.assignment.stochastic import StochasticAssignment

OTHERS = (("c", "a"), ("c", "b"), ("c",))  # what agents 2, 3, 4 report
MOVED = Fraction(1, 12)  # from agent 1's outside option to her second object of a and b


@lru_cache(maxsize=4)
def _rp_table(problem):
    return tabulate_builtin("random_priority", Domain.full(problem))


def _special(profile) -> str | None:
    """Agent 1's second object of a and b at the 8 profiles where g differs from RP, else None."""
    first = profile[0]
    if tuple(profile[1:]) != OTHERS or "a" not in first or "b" not in first:
        return None
    return "b" if first.index("a") < first.index("b") else "a"


def g(problem, profile):
    """RP's rows at ``profile``, with Erdil's change at the 8 profiles described above."""
    rp = _rp_table(problem)
    lottery = rp.at_index(rp.domain.index(profile))  # RP's exact assignment at the profile
    second = _special(profile)
    if second is None:
        return lottery
    rows = [dict(zip(problem.columns, row, strict=True)) for row in lottery.matrix]
    assert rows[0]["outside"] == MOVED, rows[0]  # RP's waste, as Remark 2 computes it
    rows[0][second] += MOVED
    rows[0]["outside"] -= MOVED
    return StochasticAssignment.from_rows(problem, rows)


def h_literal(problem, profile):
    """Erdil's h (proof of Proposition 3(i)): g with the roles of the agents permuted, averaged
    over all n! permutations, h = (1/n!) sum_pi g^pi, so that equal agents are treated equally.
    Literally: for each relabelling, the agent in position k reports what agent ``order[k]``
    reports, and her row under g goes back to agent ``order[k]`` (24 calls of g per profile)."""
    n = problem.n
    orders = list(permutations(range(n)))
    total = [[Fraction(0)] * len(problem.columns) for _ in range(n)]
    for order in orders:
        rows = g(problem, tuple(profile[order[k]] for k in range(n))).matrix
        for k in range(n):
            for c, value in enumerate(rows[k]):
                total[order[k]][c] += value
    return [dict(zip(problem.columns, (v / len(orders) for v in row), strict=True)) for row in total]


def h(problem, profile):
    """`h_literal`, computed with one RP lookup: g = RP + D with D non-zero only at the 8
    profiles of `_special`, and RP is anonymous (relabelling the agents relabels its rows), so
    h(R) = RP(R) + (1/n!) sum over relabellings of D moved back. A relabelling that puts agent i
    first and the others in the order of OTHERS moves 1/12 of agent i's outside option to her
    second object of a and b. (tests/compare/test_examples.py checks h = h_literal.)"""
    rp = _rp_table(problem)
    rows = [
        dict(zip(problem.columns, row, strict=True)) for row in rp.at_index(rp.domain.index(profile)).matrix
    ]
    n = problem.n
    share = MOVED / len(list(permutations(range(n))))
    for order in permutations(range(n)):
        second = _special(tuple(profile[order[k]] for k in range(n)))
        if second is not None:
            rows[order[0]][second] += share
            rows[order[0]]["outside"] -= share
    return rows
