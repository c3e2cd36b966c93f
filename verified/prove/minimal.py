"""A minimal set of profiles on which a statement is still impossible (issue 10: minimal proofs).

Only for *monotone* statements (`is_monotone`): every row and clause speaks about one profile, or
two for a strategy-proofness row between a profile and a misreport, so the statement restricted
to a subset S of its profiles is exactly its rows and clauses whose profiles all lie in S. A
solution on all profiles is then a solution on S, and "impossible on S" implies "impossible".

The search is the standard one for minimal unsatisfiable subsets (Liffiton and Sakallah 2008;
Brandl, Brandt, Eberl and Geist 2018 used it for their 47 profiles): one z3 solver holds every
row and clause behind the literals of its profiles; a check under the literals of S decides S,
and an unsatisfiable answer comes with a core, a subset of S that is impossible on its own.
Deletion: each profile of the current set is dropped in turn and stays out when the rest is
still impossible (the set then shrinks to that check's core). The result is minimal: dropping
any one of its profiles makes the statement possible (each such check was made, or implied by
a later superset check that was possible).
"""

from __future__ import annotations

import time

import z3

from verified.prove.rows import Reason, Rows, reason_profiles
from verified.prove.search import ProofTimeout, _either, _term, _variables, z3_deadline
from verified.prove.statement import Statement

#: Relations whose one clause ranges over every profile (the statement is then not monotone).
GLOBAL_RELATIONS = ("dominates", "share-differs", "size-larger")


def is_monotone(statement: Statement) -> bool:
    """True when every clause of ``statement`` speaks about one profile (no ``dominates`` or
    ``share-differs`` relation, whose clauses range over all profiles)."""
    return not any(r.kind in GLOBAL_RELATIONS for r in statement.relations)


def minimal_profiles(statement: Statement, deadline: float | None = None) -> tuple[int, ...] | None:
    """A minimal set of the statement's profile numbers (increasing) on which it is still
    impossible, or None when it is not impossible or not `is_monotone`. Past ``deadline``
    (`time.monotonic`) or when z3 gives up: `ProofTimeout`."""
    if not is_monotone(statement):
        return None
    table = Rows(statement)
    rows, clauses = table.all_rows(), table.all_clauses()
    xs = _variables(rows, clauses)
    literals = [z3.Bool(f"profile{p}") for p in range(len(statement.profiles))]
    solver = z3.Solver()

    def guarded(reason: Reason, formula: z3.BoolRef) -> None:
        solver.add(z3.Implies(z3.And([literals[p] for p in reason_profiles(reason)]), formula))

    for r in rows:
        guarded(r.reason, _term(r, xs))
    for c in clauses:
        guarded(c.reason, _either(c, xs))
    number = {str(b): p for p, b in enumerate(literals)}

    def core_of(keep: list[int]) -> list[int] | None:
        """A core of ``keep`` (impossible there), or None when ``keep`` has a solution."""
        with z3_deadline(deadline, "minimising the profiles"):
            answer = solver.check([literals[p] for p in keep])
        if answer == z3.sat:
            return None
        if answer != z3.unsat:
            if deadline is not None and time.monotonic() >= deadline:
                raise ProofTimeout("the time limit was reached while minimising the profiles")
            raise ProofTimeout(f"z3 while minimising the profiles: {solver.reason_unknown()}")
        return sorted(number[str(b)] for b in solver.unsat_core())

    keep = core_of(list(range(len(literals))))
    if keep is None:
        return None
    for p in list(keep):
        if p not in keep or len(keep) == 1:
            continue
        core = core_of([k for k in keep if k != p])
        if core is not None:
            keep = core
    return tuple(keep)
