"""Whole-domain exact tables of every built-in mechanism (`tabulate_builtin`, issue 9).

python benchmarks/run.py builtin_tables

Full domain of m = 3 objects (16 rankings per agent, outside option included), unit
capacities, n = 4 agents (65,536 profiles, target 1 s) and n = 5 agents (1,048,576
profiles, target 15 s). Deferred acceptance uses strict priorities, RDA weak priorities
(tie classes of several agents: the draws are all n! tie-breaking orders). The note is the
common denominator and the SHA-256 of the int64 numerators (C order), so a change of any
entry shows.
"""

from __future__ import annotations

import hashlib

import numpy as np
from run import Case

from verified.assignment.domain import Domain
from verified.assignment.mechanisms import tabulate_builtin
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.io.builtins import BUILTIN_NAMES

TARGETS = {4: 1.0, 5: 15.0}


def weak_priorities(problem: Problem) -> Priorities:
    """a: {1, 2} above everyone else (tied); b: agents 3.. (tied) above {1, 2}; c: the last
    agent alone first, then all the others tied."""
    agents = list(problem.agents)
    return Priorities.make(
        problem,
        {
            "a": [agents[:2], agents[2:]],
            "b": [agents[2:], agents[:2]],
            "c": [agents[-1:], agents[:-1]],
        },
    )


def parameters(name: str, problem: Problem) -> dict:
    if name == "deferred_acceptance":
        return {"priorities": Priorities.from_order(problem, list(reversed(problem.agents)))}
    if name == "random_deferred_acceptance":
        return {"priorities": weak_priorities(problem)}
    return {}


def numerators_digest(numerators: np.ndarray) -> str:
    if numerators.dtype == object:
        data = repr(numerators.tolist()).encode()
    else:
        data = np.ascontiguousarray(numerators, dtype=np.int64).tobytes()
    return hashlib.sha256(data).hexdigest()[:16]


def _table(name: str, n: int) -> str:
    problem = Problem.make(n, "abc")
    domain = Domain.full(problem)
    table = tabulate_builtin(name, domain, **parameters(name, problem))
    digest = numerators_digest(table.numerators)
    return f"{len(domain):,} profiles, denominator {table.denominator}, sha256 {digest}"


def cases() -> list[Case]:
    out = []
    for n, target in TARGETS.items():
        for name in BUILTIN_NAMES:
            label = f"{name} n = {n}, m = 3" + (" (weak priorities)" if "random_deferred" in name else "")
            out.append(Case(label, target, lambda name=name, n=n: _table(name, n)))
    return out
