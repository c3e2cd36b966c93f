"""Violation queries: ask z3 for a counterexample and decode it into domain words.

Each ``check_<property>_smt`` states "some (profile, agent, ...) violates the
property" as a z3 disjunction with one named selector per candidate, solves
it (with any extra constraints on a partly unknown table), and decodes:

* sat -> FAILS with the first selected candidate in candidate order, its
  profile, agent, misreport / prefix / objects and the exact rows (unknown
  entries read from the model), re-verified in Fractions before reporting;
* unsat -> HOLDS with evidence kind ``"smt_unsat"`` naming the query, the
  domain and (for a fixed table) the table digest;
* unknown (time-out, resource limit) -> UNKNOWN with z3's reason.

For a fixed table over a big domain the direct exact checks in
`verified.assignment.properties` are the ones to use; these queries are for
small tables and for existential questions with unknown entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from verified.assignment.domain import Domain
from verified.assignment.encodings.constraints import column_full, prefix_columns, waste_pairs
from verified.assignment.encodings.table import SymbolicTable
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.model import Profile
from verified.errors import VerifiedError
from verified.numbers import fraction_text
from verified.results import CheckResult, fails, holds, unknown
from verified.smt.core import Encoding, SmtOutcome, solve

Subject = Mechanism | TabulatedMechanism | SymbolicTable


@dataclass(frozen=True)
class _Candidate:
    condition: z3.BoolRef
    describe: Callable[[SymbolicTable, SmtOutcome], dict[str, Any]]
    recheck: Callable[[SymbolicTable, SmtOutcome], bool]


def _as_symbolic(subject: Subject, domain: Domain) -> SymbolicTable:
    if isinstance(subject, SymbolicTable):
        return subject
    return SymbolicTable.from_mechanism(subject, domain)


def _subject_json(table: SymbolicTable) -> dict[str, Any]:
    p = table.problem
    out: dict[str, Any] = {
        "agents": list(p.agents),
        "objects": list(p.objects),
        "capacities": list(p.capacities),
        "profiles": len(table.domain),
    }
    if table.is_fixed():
        # The same fingerprint as the direct checks' evidence (one definition in the library).
        from verified.assignment.properties._common import table_digest

        out["table_digest"] = table_digest(table.source if table.source is not None else table.read())
    else:
        out["unknown_entries"] = len(table.unknowns)
    return out


def _row(table: SymbolicTable, outcome: SmtOutcome, pi: int, i: int) -> list[Fraction]:
    return [table.value(outcome, (pi, i, k)) for k in range(table.problem.m + 1)]


def _row_json(table: SymbolicTable, row: list[Fraction]) -> dict[str, str]:
    return {x: fraction_text(v) for x, v in zip(table.problem.columns, row, strict=True)}


def _cumulative(row: list[Fraction], cols: tuple[int, ...]) -> Fraction:
    return sum((row[c] for c in cols), Fraction(0))


def _possible(cond: z3.BoolRef) -> bool:
    """False when z3 already simplifies ``cond`` to false: no candidate worth asking about."""
    return not z3.is_false(z3.simplify(cond))


_QUERIES = {
    "strategyproof": "exists profile, agent, misreport, prefix: truthful cumulative < misreport cumulative",
    "individually_rational": "exists profile, agent, unacceptable object with positive probability",
    "nonwasteful": "exists profile, agent j, z P_j y: gamma_jy > 0 and column z not full",
    "equal_treatment": "exists profile, agents i != j with R_i = R_j and a column where their rows differ",
    "assignment_dominance": "exists agent, prefix: cumulative of gamma < cumulative of omega",
}


def _run(
    prop: str,
    table: SymbolicTable,
    candidates: list[_Candidate],
    given: Encoding | None,
    timeout_ms: int | None,
    rlimit: int | None = None,
) -> CheckResult:
    query = _QUERIES[prop]
    selectors = [z3.Bool(f"violation[{k}]") for k in range(len(candidates))]
    constraints = [z3.Implies(s, c.condition) for s, c in zip(selectors, candidates, strict=True)]
    constraints.append(z3.Or(*selectors) if selectors else z3.BoolVal(False))
    encoding = Encoding(constraints, {f"violation[{k}]": s for k, s in enumerate(selectors)})
    encoding = encoding + Encoding((), table.decode_map())
    if given is not None:
        encoding = given + encoding
    outcome = solve(encoding, timeout_ms=timeout_ms, rlimit=rlimit)
    evidence_subject = _subject_json(table)
    if outcome.unknown:
        return unknown(prop, f"z3: {outcome.reason_unknown}", {"kind": "smt_unknown", "query": query})
    if outcome.unsat:
        return holds(
            prop,
            {
                "kind": "smt_unsat",
                "query": query,
                "candidates": len(candidates),
                "subject": evidence_subject,
                "given_constraints": 0 if given is None else len(given.constraints),
            },
            solver="z3",
        )
    for k, cand in enumerate(candidates):
        if outcome.value(f"violation[{k}]") is True:
            if not cand.recheck(table, outcome):  # pragma: no cover - a bug guard
                raise VerifiedError(
                    f"internal error: z3 counterexample {k} of {prop} fails the exact recheck"
                )
            evidence = {"kind": "counterexample", **cand.describe(table, outcome), "solver": "z3"}
            if not table.is_fixed():
                evidence["table"] = {
                    name: fraction_text(table.value(outcome, key))
                    for name, key in sorted(table.unknowns.items())
                }
            return fails(prop, evidence)
    raise VerifiedError(f"internal error: sat model of {prop} selects no candidate")  # pragma: no cover


def check_strategyproof_smt(
    subject: Subject,
    domain: Domain,
    *,
    given: Encoding | None = None,
    timeout_ms: int | None = None,
    rlimit: int | None = None,
) -> CheckResult:
    """SD-strategy-proofness (Erdil, section 2) via z3: is there a profile R, an agent i, a
    misreport R'_i and a prefix of R_i where f_i(R'_i, R_-i) has strictly more cumulative
    probability than f_i(R)? FAILS evidence: profile, agent, true_preference, misreport,
    misreport_profile, prefix, truthful_row, misreport_row and both cumulatives."""
    table = _as_symbolic(subject, domain)
    p = table.problem
    candidates = []
    for pi, profile in enumerate(domain):
        for i in range(p.n):
            for lie in domain.preferences[i]:
                if lie == profile[i]:
                    continue
                qi = domain.index((*profile[:i], lie, *profile[i + 1 :]))
                for cols in prefix_columns(p, profile[i]):
                    cond = table.cumulative(pi, i, cols) < table.cumulative(qi, i, cols)
                    if _possible(cond):
                        candidates.append(_sp_candidate(cond, pi, qi, i, cols, profile))
    return _run("strategyproof", table, candidates, given, timeout_ms, rlimit)


def _sp_candidate(
    cond: z3.BoolRef, pi: int, qi: int, i: int, cols: tuple[int, ...], profile: Profile
) -> _Candidate:
    def sums(
        table: SymbolicTable, outcome: SmtOutcome
    ) -> tuple[list[Fraction], list[Fraction], Fraction, Fraction]:
        truth, lie = _row(table, outcome, pi, i), _row(table, outcome, qi, i)
        return truth, lie, _cumulative(truth, cols), _cumulative(lie, cols)

    def describe(table: SymbolicTable, outcome: SmtOutcome) -> dict[str, Any]:
        truth, lie, st, sl = sums(table, outcome)
        p = table.problem
        return {
            "profile": [list(r) for r in profile],
            "agent": p.agents[i],
            "true_preference": list(profile[i]),
            "misreport": list(table.domain.profile(qi)[i]),
            "misreport_profile": [list(r) for r in table.domain.profile(qi)],
            "prefix": [p.columns[c] for c in cols],
            "truthful_row": _row_json(table, truth),
            "misreport_row": _row_json(table, lie),
            "truthful_cumulative": fraction_text(st),
            "misreport_cumulative": fraction_text(sl),
        }

    def recheck(table: SymbolicTable, outcome: SmtOutcome) -> bool:
        _, _, st, sl = sums(table, outcome)
        return st < sl

    return _Candidate(cond, describe, recheck)


def check_individually_rational_smt(
    subject: Subject,
    domain: Domain,
    *,
    given: Encoding | None = None,
    timeout_ms: int | None = None,
    rlimit: int | None = None,
) -> CheckResult:
    """Individual rationality via z3: is there a profile, agent and object she did not list
    with positive probability? FAILS evidence: profile, agent, preference, object, probability."""
    table = _as_symbolic(subject, domain)
    p = table.problem
    candidates = []
    for pi, profile in enumerate(domain):
        for i, pref in enumerate(profile):
            for k, x in enumerate(p.objects):
                if x in pref:
                    continue
                cond = table.entry(pi, i, k) > 0
                if _possible(cond):
                    candidates.append(_ir_candidate(cond, pi, i, k, profile))
    return _run("individually_rational", table, candidates, given, timeout_ms, rlimit)


def _ir_candidate(cond: z3.BoolRef, pi: int, i: int, k: int, profile: Profile) -> _Candidate:
    def describe(table: SymbolicTable, outcome: SmtOutcome) -> dict[str, Any]:
        p = table.problem
        return {
            "profile": [list(r) for r in profile],
            "agent": p.agents[i],
            "preference": list(profile[i]),
            "object": p.objects[k],
            "probability": fraction_text(table.value(outcome, (pi, i, k))),
        }

    return _Candidate(cond, describe, lambda table, outcome: table.value(outcome, (pi, i, k)) > 0)


def waste_candidates(table: SymbolicTable, pi: int, profile: Profile) -> list[_Candidate]:
    """Candidates (j, y, z) with z P_j y, gamma_jy > 0 and column z not full (Erdil, section 2)."""
    p = table.problem
    out = []
    for j, pref in enumerate(profile):
        for y, z in waste_pairs(p, pref):
            cond = z3.And(table.entry(pi, j, y) > 0, z3.Not(column_full(table, pi, j, z)))
            if _possible(cond):
                out.append(_waste_candidate(cond, pi, j, y, z, profile))
    return out


def _waste_candidate(cond: z3.BoolRef, pi: int, j: int, y: int, z: int, profile: Profile) -> _Candidate:
    def column(table: SymbolicTable, outcome: SmtOutcome) -> tuple[Fraction, int]:
        p = table.problem
        if z == p.m:
            return table.value(outcome, (pi, j, z)), 1
        return sum((table.value(outcome, (pi, i, z)) for i in range(p.n)), Fraction(0)), p.capacities[z]

    def describe(table: SymbolicTable, outcome: SmtOutcome) -> dict[str, Any]:
        p = table.problem
        total, cap = column(table, outcome)
        return {
            "profile": [list(r) for r in profile],
            "agent": p.agents[j],
            "preference": list(profile[j]),
            "worse": p.columns[y],
            "better": p.columns[z],
            "probability_worse": fraction_text(table.value(outcome, (pi, j, y))),
            "column_sum_better": fraction_text(total),
            "capacity_better": cap,
        }

    def recheck(table: SymbolicTable, outcome: SmtOutcome) -> bool:
        total, cap = column(table, outcome)
        return table.value(outcome, (pi, j, y)) > 0 and total < cap

    return _Candidate(cond, describe, recheck)


def check_nonwasteful_smt(
    subject: Subject,
    domain: Domain,
    *,
    given: Encoding | None = None,
    timeout_ms: int | None = None,
    rlimit: int | None = None,
) -> CheckResult:
    """Non-wastefulness at every profile via z3 (Erdil, section 2). FAILS evidence: profile,
    agent, preference, worse (y), better (z), probability_worse, column_sum_better, capacity_better."""
    table = _as_symbolic(subject, domain)
    candidates = [c for pi, profile in enumerate(domain) for c in waste_candidates(table, pi, profile)]
    return _run("nonwasteful", table, candidates, given, timeout_ms, rlimit)


def check_equal_treatment_smt(
    subject: Subject,
    domain: Domain,
    *,
    given: Encoding | None = None,
    timeout_ms: int | None = None,
    rlimit: int | None = None,
) -> CheckResult:
    """Equal treatment of equals via z3: R_i = R_j and f_i(R) != f_j(R) somewhere. FAILS
    evidence: profile, agents (two names), preference, column, the two probabilities."""
    table = _as_symbolic(subject, domain)
    p = table.problem
    candidates = []
    for pi, profile in enumerate(domain):
        for i in range(p.n):
            for j in range(i + 1, p.n):
                if profile[i] != profile[j]:
                    continue
                for k in range(p.m + 1):
                    cond = table.entry(pi, i, k) != table.entry(pi, j, k)
                    if _possible(cond):
                        candidates.append(_ete_candidate(cond, pi, i, j, k, profile))
    return _run("equal_treatment", table, candidates, given, timeout_ms, rlimit)


def _ete_candidate(cond: z3.BoolRef, pi: int, i: int, j: int, k: int, profile: Profile) -> _Candidate:
    def describe(table: SymbolicTable, outcome: SmtOutcome) -> dict[str, Any]:
        p = table.problem
        return {
            "profile": [list(r) for r in profile],
            "agents": [p.agents[i], p.agents[j]],
            "preference": list(profile[i]),
            "column": p.columns[k],
            "probabilities": [
                fraction_text(table.value(outcome, (pi, i, k))),
                fraction_text(table.value(outcome, (pi, j, k))),
            ],
        }

    def recheck(table: SymbolicTable, outcome: SmtOutcome) -> bool:
        return table.value(outcome, (pi, i, k)) != table.value(outcome, (pi, j, k))

    return _Candidate(cond, describe, recheck)


def _single_profile(assignments: list[Any], profile: Profile) -> tuple[Domain, list[TabulatedMechanism]]:
    problem = assignments[0].problem
    profile = problem.profile(profile)
    domain = Domain.restricted(problem, [[pref] for pref in profile])
    return domain, [TabulatedMechanism.from_assignments(domain, [a]) for a in assignments]


def check_nonwasteful_at_smt(
    assignment: Any, profile: Profile, *, timeout_ms: int | None = None
) -> CheckResult:
    """Non-wastefulness of one stochastic assignment at one profile, via z3 (same evidence as
    `check_nonwasteful_smt`)."""
    domain, (table,) = _single_profile([assignment], profile)
    return check_nonwasteful_smt(table, domain, timeout_ms=timeout_ms)


def check_assignment_dominance_smt(
    gamma: Any, omega: Any, profile: Profile, *, timeout_ms: int | None = None
) -> CheckResult:
    """gamma weakly dominates omega at ``profile`` (every agent weakly FOSD-prefers gamma), via
    z3. FAILS evidence: profile, agent, preference, prefix, row_gamma, row_omega, both cumulatives."""
    domain, (g, o) = _single_profile([gamma, omega], profile)
    tg, to = SymbolicTable.from_mechanism(g, domain), SymbolicTable.from_mechanism(o, domain)
    p = domain.problem
    prof = domain.profile(0)
    candidates = []
    for i, pref in enumerate(prof):
        for cols in prefix_columns(p, pref):
            cond = tg.cumulative(0, i, cols) < to.cumulative(0, i, cols)
            if _possible(cond):
                candidates.append(_dominance_candidate(cond, to, i, cols, prof))
    return _run("assignment_dominance", tg, candidates, None, timeout_ms)


def _dominance_candidate(
    cond: z3.BoolRef, other: SymbolicTable, i: int, cols: tuple[int, ...], profile: Profile
) -> _Candidate:
    def rows(table: SymbolicTable, outcome: SmtOutcome) -> tuple[list[Fraction], list[Fraction]]:
        return _row(table, outcome, 0, i), _row(other, outcome, 0, i)

    def describe(table: SymbolicTable, outcome: SmtOutcome) -> dict[str, Any]:
        a, b = rows(table, outcome)
        p = table.problem
        return {
            "profile": [list(r) for r in profile],
            "agent": p.agents[i],
            "preference": list(profile[i]),
            "prefix": [p.columns[c] for c in cols],
            "row_gamma": _row_json(table, a),
            "row_omega": _row_json(table, b),
            "cumulative_gamma": fraction_text(_cumulative(a, cols)),
            "cumulative_omega": fraction_text(_cumulative(b, cols)),
        }

    def recheck(table: SymbolicTable, outcome: SmtOutcome) -> bool:
        a, b = rows(table, outcome)
        return _cumulative(a, cols) < _cumulative(b, cols)

    return _Candidate(cond, describe, recheck)
