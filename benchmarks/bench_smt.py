"""Benchmarks of the z3 encodings and the exact LP-based efficiency/stability checks.

Targets are for a 2-core machine. For fixed tables the direct exact checks in
`verified.assignment.properties` are the fast path; the z3 rows show what the
existential (unknown-table) queries and the small fixed-table queries cost.
"""

from __future__ import annotations

from run import Case

from verified.assignment.domain import Domain
from verified.assignment.encodings import (
    SymbolicTable,
    check_nonwasteful_smt,
    check_strategyproof_smt,
    constraints,
)
from verified.assignment.lottery import decompose
from verified.assignment.mechanism import tabulate
from verified.assignment.mechanisms.random_priority import random_priority
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.assignment.properties.efficiency import check_ex_post_efficient, check_sd_efficient
from verified.assignment.properties.stability import check_ex_post_stable_assignment
from verified.results import digest


def _rp_table(n: int, objects: str):
    problem = Problem.make(n, objects)
    domain = Domain.full(problem)
    return tabulate(random_priority(problem), domain), domain


def _sp_query() -> str:
    table, domain = _rp_table(2, "abc")
    result = check_strategyproof_smt(table, domain)
    return f"{result.verdict}, candidates {result.evidence.get('candidates')}"


def _existential() -> str:
    problem = Problem.make(2, "ab")
    domain = Domain.full(problem)
    g = SymbolicTable.fresh(domain)
    given = constraints.valid(g) + constraints.individually_rational(g) + constraints.strategyproof(g)
    result = check_nonwasteful_smt(g, domain, given=given)
    return f"SP+IR but wasteful table exists: {result.verdict}"


def _ex_post() -> str:
    table, domain = _rp_table(3, "abc")
    result = check_ex_post_efficient(table, domain)
    return f"{result.verdict}, digest {result.evidence.get('certificates_digest', '')[:12]}"


def _sd() -> str:
    table, domain = _rp_table(3, "abc")
    result = check_sd_efficient(table, domain)
    return f"{result.verdict} over {len(domain)} profiles"


def _birkhoff() -> str:
    problem = Problem.make(6, "abcd", [2, 1, 1, 1])
    gamma = random_priority(problem)(problem.profile(["abcd", "abcd", "bacd", "cadb", "dcba", "ab"]))
    lottery = decompose(gamma)
    return f"{len(lottery.outcomes)} outcomes, digest {digest(lottery.to_json())[:12]}"


def _stable() -> str:
    problem = Problem.make(5, "abc", [2, 1, 1])
    priorities = Priorities.uniform(problem)
    gamma = random_priority(problem)(problem.profile(["abc", "abc", "bac", "cab", "acb"]))
    # Uniform priorities, capacity 2 for a: RP's serial dictatorships are stable matchings.
    result = check_ex_post_stable_assignment(
        gamma, problem.profile(["abc", "abc", "bac", "cab", "acb"]), priorities
    )
    return str(result.verdict)


def cases() -> list[Case]:
    return [
        Case("smt: SP violation query, RP table n=2 m=3 (256 profiles)", 30.0, _sp_query),
        Case("smt: exists SP+IR wasteful table, n=2 m=2 (unknown table)", 15.0, _existential),
        Case("efficiency: ex post, RP n=3 m=3 full domain (4096 LPs)", 30.0, _ex_post),
        Case("efficiency: SD, RP n=3 m=3 full domain (4096 LPs)", 120.0, _sd),
        Case("lottery: Birkhoff decomposition, RP n=6 m=4", 5.0, _birkhoff),
        Case("stability: ex post stable, RP n=5 m=3 uniform priorities", 10.0, _stable),
    ]
