"""`prove`: decide a statement about all mechanisms and return its certified verdict.

The verdict answers the statement's question: for ``impossible``, HOLDS means no choice of
the unknowns satisfies the statement (evidence: a case-split proof, `verified.prove.search`)
and FAILS gives a witness (every unknown's table); for ``exists`` it is the other way round.
Either way the certificate (`certificate`) is re-checked by `verified.recheck` before it is
returned, and a z3 answer alone is never a verdict: a time-out is UNKNOWN with the reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verified.numbers import fraction_text
from verified.prove.minimal import minimal_profiles
from verified.prove.rows import Rows, var
from verified.prove.search import ProofTimeout, Prover, renamed_cases, satisfies, tree_size
from verified.prove.statement import Statement
from verified.results import CheckResult, fails, holds, unknown


@dataclass(frozen=True)
class ProveResult:
    """The verdict (`CheckResult`, property = the question), the certificate document (None
    for UNKNOWN), and the statistics of the search."""

    result: CheckResult
    certificate: dict[str, Any] | None
    stats: dict[str, Any]

    @property
    def verdict(self) -> str:
        return self.result.verdict.value


def statement_encoding(statement: Statement, table: Rows | None = None) -> dict[str, Any]:
    """The certificate's subject: problem, profiles, unknowns (a fixed one with its rows as
    exact strings), relations. ``table``: the statement's `Rows` when already built (a fixed
    mechanism's rows are then not computed again)."""
    from verified.io.canonical import problem_encoding

    table = table or Rows(statement)
    unknowns = []
    for u in statement.unknowns:
        fixed = None
        if u.fixed is not None:
            fixed = [
                [
                    [fraction_text(table.fixed_value(u.name, p, i, k)) for k in range(table.m + 1)]
                    for i in range(table.n)
                ]
                for p in range(len(statement.profiles))
            ]
        unknowns.append({"name": u.name, "properties": list(u.properties), "fixed": fixed})
    return {
        "family": "statement",
        "problem": problem_encoding(statement.problem),
        "profiles": [[list(r) for r in profile] for profile in statement.profiles],
        "unknowns": unknowns,
        "relations": [{"kind": r.kind, "left": r.left, "right": r.right} for r in statement.relations],
    }


def statement_from_encoding(encoding: dict[str, Any]) -> Statement:
    """The statement a certificate's subject encodes (`statement_encoding` read back; a fixed
    unknown becomes a lookup of its rows). Bad input is `InvalidInput`."""
    from verified.assignment.model import Problem
    from verified.assignment.stochastic import StochasticAssignment
    from verified.errors import InvalidInput
    from verified.numbers import to_fraction
    from verified.prove.statement import Relation, Unknown

    try:
        spec = encoding["problem"]
        problem = Problem.make(spec["agents"], spec["objects"], list(spec["capacities"]))
        profiles = tuple(problem.profile(p) for p in encoding["profiles"])
        unknowns = []
        for u in encoding["unknowns"]:
            fixed = None
            if u["fixed"] is not None:
                rows = {
                    profile: StochasticAssignment(
                        problem, tuple(tuple(to_fraction(v, "fixed") for v in row) for row in table)
                    )
                    for profile, table in zip(profiles, u["fixed"], strict=True)
                }
                fixed = rows.__getitem__
            unknowns.append(Unknown(u["name"], tuple(u["properties"]), fixed))
        relations = tuple(Relation(r["kind"], r["left"], r["right"]) for r in encoding["relations"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"not a statement encoding ({type(exc).__name__})", "subject") from None
    return Statement(problem, profiles, tuple(unknowns), relations)


def witness_tables(statement: Statement, point: dict[str, Fraction]) -> dict[str, list]:
    """Each unknown's rows at every profile, as exact strings."""
    n, m = statement.problem.n, statement.problem.m
    return {
        u.name: [
            [
                [fraction_text(point.get(var(u.name, p, i, k), Fraction(0))) for k in range(m + 1)]
                for i in range(n)
            ]
            for p in range(len(statement.profiles))
        ]
        for u in statement.unknowns
    }


def prove(statement: Statement, *, timeout: float | None = None, minimize: bool = False) -> ProveResult:
    """Decide ``statement`` (see module docstring). With ``minimize``, an impossible monotone
    statement (`is_monotone`) is first shrunk to a minimal set of its profiles (`minimal_profiles`)
    and the proof (and the certificate's subject) is about that set: impossible there, hence
    everywhere. ``stats["minimal_profiles"]`` says how many were needed."""
    from verified.certificates import build_certificate
    from verified.recheck import recheck

    started = time.monotonic()
    deadline = None if timeout is None else started + timeout
    question = statement.question
    minimized: tuple[int, ...] | None = None
    if minimize:
        try:
            minimized = minimal_profiles(statement, deadline)
        except ProofTimeout as exc:
            return ProveResult(unknown(question, str(exc)), None, {"seconds": time.monotonic() - started})
        if minimized is not None:
            statement = statement.restricted(minimized)
    prover = Prover(statement, deadline)
    try:
        kind, data = prover.prove()
    except ProofTimeout as exc:
        stats = {
            "seconds": time.monotonic() - started,
            "z3_calls": prover.z3_calls,
            "lp_solves": prover.lp_solves,
        }
        return ProveResult(unknown(question, str(exc)), None, stats)
    stats: dict[str, Any] = {
        "seconds": time.monotonic() - started,
        "z3_calls": prover.z3_calls,
        "lp_solves": prover.lp_solves,
        "profiles": len(statement.profiles),
        "rows": len(prover.rows),
        "clauses": len(prover.clauses),
    }
    if minimized is not None:
        stats["minimal_profiles"] = len(minimized)
    if kind == "witness":
        if not satisfies(data, prover.rows, prover.clauses):  # z3's model, checked exactly
            return ProveResult(
                unknown(question, "the solver's model does not satisfy the statement exactly"), None, stats
            )
        evidence = {"kind": "witness", "tables": witness_tables(statement, data)}
        result = holds(question, evidence) if question == "exists" else fails(question, evidence)
    else:
        leaves, splits = tree_size(data)
        stats.update(leaves=leaves, splits=splits, renamed_cases=renamed_cases(data))
        evidence = {"kind": "case_split", "proof": data, "leaves": leaves, "splits": splits}
        result = holds(question, evidence) if question == "impossible" else fails(question, evidence)
    doc = build_certificate(question, result, statement_encoding(statement, prover.table))
    recheck(doc)  # never hand out a certificate the independent checker refuses
    return ProveResult(result, doc, stats)
