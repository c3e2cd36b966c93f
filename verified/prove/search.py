"""Deciding a statement: z3 first, then a case-split proof whose leaves are exact LP certificates.

1. **Decide** with z3 (exact rationals): every row asserted, each clause a disjunction. ``sat``
   gives a witness (the unknowns' tables, read back exactly and re-checked row by row in
   Fractions here, and by the library's own property checks in `verified.prove.api`). ``unsat``
   is only a hint: it is never reported as a proof.
2. **Prove** ``unsat`` by splitting cases. At a node, an exact LP (`verified.prove.leaf`) over
   the rows and the atoms chosen so far either shows them infeasible (a leaf: multipliers) or
   gives a point; a clause none of whose atoms holds at that point is split, one case per atom.
   A case whose proof does not use its own atom proves the node by itself, so its siblings are
   never built (the tree is pruned as it is made). If no clause is violated at a point, that
   point is a witness after all (z3 is not trusted either way).

The proof tree is plain data: ``{"leaf": [[reason, multiplier], ...]}`` or ``{"split": reason,
"cases": [tree, ...]}``, one case per atom of the clause, in the clause's order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import z3

from verified.numbers import fraction_text
from verified.prove.leaf import infeasibility
from verified.prove.rows import Clause, Row, Rows, reason_profiles
from verified.prove.statement import Statement
from verified.prove.symmetry import Renamer, Renaming, symmetries
from verified.smt.core import from_z3

#: Clauses that range over every profile (a relation's "somewhere"): a proof splits on them first.
SPANNING_CLAUSES = ("dominates", "share-differs", "size-larger")


class ProofTimeout(RuntimeError):
    """The time limit was reached before a verdict."""


@contextmanager
def z3_deadline(deadline: float | None, what: str) -> Iterator[None]:
    """z3 is interrupted at ``deadline`` (`time.monotonic`; None: never) while the block runs,
    and a deadline already past is `ProofTimeout` (``what`` says during what). Unlike the
    solver's ``timeout`` parameter, this leaves z3's own choices alone: measured on Bogomolnaia
    and Moulin's 81 profiles, setting ``timeout`` made z3 return other cores and the minimal
    profile set another one, whose proof had 1,087 leaves instead of 214 (52 s against 12 s).
    An interrupt that arrives after the check has ended does nothing."""
    if deadline is None:
        yield
        return
    left = deadline - time.monotonic()
    if left <= 0:
        raise ProofTimeout(f"the time limit was reached while {what}")
    timer = threading.Timer(left, z3.main_ctx().interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@dataclass(frozen=True)
class Decision:
    """``status``: ``"sat"`` (``point``: a value per variable), ``"unsat"``, or ``"unknown"``
    (``reason``)."""

    status: str
    point: dict[str, Fraction] | None = None
    reason: str = ""


@lru_cache(maxsize=4096)
def _real(value: Fraction) -> Any:
    return z3.RealVal(fraction_text(value))


def _term(row: Row, xs: dict[str, Any]) -> Any:
    """The row for z3 (a coefficient 1 or -1 is written as ``x`` or ``-x``: building the terms
    was a third of the time of proving Erdil's Reshuffling Lemma at one profile)."""
    parts = []
    for v, c in row.coefficients.items():
        x = xs[v]
        parts.append(x if c == 1 else (-x if c == -1 else _real(c) * x))
    total = (parts[0] if len(parts) == 1 else z3.Sum(parts)) if parts else _real(Fraction(0))
    rhs = _real(row.rhs)
    return total >= rhs if row.sense == ">=" else (total > rhs if row.sense == ">" else total == rhs)


def _variables(rows: list[Row], clauses: list[Clause]) -> dict[str, Any]:
    """A z3 real per variable of the rows and the clauses' atoms."""
    names = sorted(
        {v for r in rows for v in r.coefficients}
        | {v for c in clauses for a in c.atoms for r in a for v in r.coefficients}
    )
    return {v: z3.Real(v) for v in names}


def _either(clause: Clause, xs: dict[str, Any]) -> Any:
    """A clause for z3: one of its atoms (each a conjunction of rows) holds."""
    return z3.Or([z3.And([_term(r, xs) for r in atom]) for atom in clause.atoms])


def decide(rows: list[Row], clauses: list[Clause], timeout: float | None = None) -> Decision:
    """z3's verdict on ``rows`` and ``clauses`` (a hint for ``unsat``; ``sat`` is re-checked)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    xs = _variables(rows, clauses)
    solver = z3.Solver()
    for r in rows:
        solver.add(_term(r, xs))
    for c in clauses:
        solver.add(_either(c, xs))
    try:
        with z3_deadline(deadline, "deciding the statement"):
            answer = solver.check()
    except ProofTimeout as exc:
        return Decision("unknown", reason=str(exc))
    if answer == z3.sat:
        model = solver.model()
        point = {v: from_z3(model.eval(x, model_completion=True), v) for v, x in xs.items()}
        return Decision("sat", point)
    if answer == z3.unsat:
        return Decision("unsat")
    if deadline is not None and time.monotonic() >= deadline:
        return Decision("unknown", reason="the time limit was reached while deciding the statement")
    return Decision("unknown", reason=f"z3: {solver.reason_unknown()}")


def _check_assumptions(solver: z3.Solver, literals: list[z3.BoolRef]) -> z3.CheckSatResult:
    """``solver.check(*literals)`` without z3.py's per-literal casting and sort checks (the
    literals are Boolean constants made here): measured on Erdil's Proposition 1, n = 2, m = 2,
    the casting took 5.4 of the 6.3 s spent in `z3.Solver.check`."""
    array = (z3.Ast * len(literals))(*(b.as_ast() for b in literals))
    answer = z3.Z3_solver_check_assumptions(solver.ctx.ref(), solver.solver, len(literals), array)
    return z3.CheckSatResult(answer)


def satisfies(point: dict[str, Fraction], rows: list[Row], clauses: list[Clause]) -> bool:
    """Every row holds at ``point`` and every clause has an atom that holds (exact)."""
    return all(r.holds_at(point) for r in rows) and all(c.holds_at(point) for c in clauses)


def _reason_json(reason: tuple) -> list[Any]:
    return [list(x) if isinstance(x, tuple) else x for x in reason]


class Prover:
    """Builds the case-split proof of ``statement`` (see module docstring), guided by z3's
    unsatisfiable cores. Two z3 solvers share the variables:

    * the *case* solver holds every row as a plain assertion, and each clause and each chosen
      atom behind its own assumption literal: at a node it is asked for the clauses not yet
      split and the atoms chosen so far. Its core names a clause to split (the one with the
      most atoms: the relations' clauses over every profile first) or, with no clause in it,
      the chosen atoms that are infeasible with the rows alone;
    * the *leaf* solver holds every row behind its own literal and no clause (a linear
      system): asked for the rows and those atoms, its core names the few dozen rows the
      leaf's exact LP is built from.

    Measured on Erdil's Proposition 1 at n = 3, m = 2 (11,225 rows): a check of the case solver
    takes 5 ms with the rows asserted against 34 ms with the rows behind literals; only the
    leaves need to know which rows were used."""

    def __init__(self, statement: Statement, deadline: float | None = None) -> None:
        self.table = Rows(statement)
        self.rows = self.table.all_rows()
        self.clauses = self.table.all_clauses()
        self.deadline = deadline
        self.lp_solves = 0
        self.z3_calls = 0
        self.xs = _variables(self.rows, self.clauses)
        self.solver = z3.Solver()
        for r in self.rows:
            self.solver.add(_term(r, self.xs))
        self.clause_literals = []
        for k, c in enumerate(self.clauses):
            b = z3.Bool(f"clause{k}")
            self.solver.add(z3.Implies(b, _either(c, self.xs)))
            self.clause_literals.append(b)
        self._renamer: Renamer | None = None
        self._renamings: list[Renaming] = []
        self._leaf_solver: z3.Solver | None = None
        self._rows_at: dict[int, list[int]] = {}  # profile -> rows about it
        self.row_literals: list[z3.BoolRef] = []
        self.atom_literals: dict[tuple, Any] = {}  # reason -> (atom, case literal, leaf literal)
        self.by_literal = {b.get_id(): ("clause", k) for k, b in enumerate(self.clause_literals)}

    def _atom_literal(self, atom: Row) -> Any:
        found = self.atom_literals.get(atom.reason)
        if found is None:
            k = len(self.atom_literals)
            found = (atom, z3.Bool(f"atom{k}"), z3.Bool(f"leaf_atom{k}"))
            self.solver.add(z3.Implies(found[1], _term(atom, self.xs)))
            self.atom_literals[atom.reason] = found
            self.by_literal[found[1].get_id()] = ("atom", atom)
            self.by_literal[found[2].get_id()] = ("atom", atom)
            if self._leaf_solver is not None:
                self._leaf_solver.add(z3.Implies(found[2], _term(atom, self.xs)))
        return found[1]

    def _leaf_rows(self, atoms: list[Row]) -> list[Row]:
        """The rows and ``atoms`` in a core of the leaf solver: first asked with only the rows
        near the atoms' profiles (`_near`), then, if those are feasible, with every row (every
        row is returned if even that finds no core). Measured on Erdil's Proposition 1 at
        n = 2, m = 3: a leaf check with all 55,744 rows took 186 ms."""
        if self._leaf_solver is None:
            self._leaf_solver = z3.Solver()
            for k, r in enumerate(self.rows):
                b = z3.Bool(f"row{k}")
                self._leaf_solver.add(z3.Implies(b, _term(r, self.xs)))
                self.row_literals.append(b)
                self.by_literal[b.get_id()] = ("row", k)
                for p in reason_profiles(r.reason):
                    self._rows_at.setdefault(p, []).append(k)
            for atom, _, b in self.atom_literals.values():
                self._leaf_solver.add(z3.Implies(b, _term(atom, self.xs)))
        atom_literals = [self.atom_literals[a.reason][2] for a in atoms]
        for rows in (self._near(atoms), range(len(self.rows))):
            self.z3_calls += 1
            with z3_deadline(self.deadline, "building the proof"):
                answer = _check_assumptions(
                    self._leaf_solver, [*(self.row_literals[k] for k in rows), *atom_literals]
                )
            if answer == z3.unsat:
                core = [self.by_literal[b.get_id()] for b in self._leaf_solver.unsat_core()]
                return [self.rows[k] for kind, k in core if kind == "row"] + [
                    a for kind, a in core if kind == "atom"
                ]
            self._remaining()
        return [*self.rows, *atoms]

    def _near(self, atoms: list[Row]) -> list[int]:
        """The rows whose profiles are the atoms' or one row away from them (a misreport)."""
        seed = {p for a in atoms for p in reason_profiles(a.reason)}
        around = set(seed)
        for p in seed:
            for k in self._rows_at.get(p, ()):
                around.update(reason_profiles(self.rows[k].reason))
        return sorted(
            {
                k
                for p in around
                for k in self._rows_at.get(p, ())
                if set(reason_profiles(self.rows[k].reason)) <= around
            }
        )

    def prove(self) -> tuple[str, Any]:
        """``("proof", tree)`` or ``("witness", point)``. The library's own mechanisms are tried
        as witnesses first (`verified.prove.candidates`).

        A statement with a clause over every profile (`SPANNING_CLAUSES`) is split on it at once,
        with no z3 call at the root: deciding the whole statement is the hardest call of all
        (measured on Erdil's Proposition 1 at n = 2, m = 3: 37 s, while each case is a fraction
        of a second), and a case that has a solution gives the witness. Otherwise z3 first
        decides the plain formula (no assumption literals: measured 2 s against more than
        10 min for a witness of 81 profiles of four agents); only ``unsat`` goes on to the
        case split."""
        from verified.prove.candidates import classical_witness

        found_classical = classical_witness(self.table.s, self.rows, self.clauses)
        if found_classical is not None:
            return "witness", found_classical
        spanning = [k for k, c in enumerate(self.clauses) if c.reason[0] in SPANNING_CLAUSES]
        if spanning:
            found = self._split(max(spanning, key=lambda k: len(self.clauses[k].atoms)), [], frozenset())
            return (found[0], found[1])
        self.z3_calls += 1
        first = decide(self.rows, self.clauses, self._remaining())
        if first.status == "sat":
            return "witness", first.point
        if first.status != "unsat":
            raise ProofTimeout(first.reason)
        found = self._node([], frozenset())
        return (found[0], found[1])

    def _remaining(self) -> float | None:
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ProofTimeout("the time limit was reached while building the proof")
        return left

    def _node(self, chosen: list[Row], split: frozenset[int]) -> tuple[str, Any, set]:
        """The proof below a node where the atoms ``chosen`` hold (one per clause in ``split``,
        whose literals are then left out: the atom stands for its clause)."""
        clauses = [b for k, b in enumerate(self.clause_literals) if k not in split]
        literals = [*clauses, *(self._atom_literal(a) for a in chosen)]
        self.z3_calls += 1
        with z3_deadline(self.deadline, "building the proof"):
            answer = _check_assumptions(self.solver, literals)
        if answer == z3.sat:
            model = self.solver.model()
            point = {v: from_z3(model.eval(x, model_completion=True), v) for v, x in self.xs.items()}
            return "witness", point, set()
        if answer != z3.unsat:
            self._remaining()  # past the deadline: z3 was interrupted
            raise ProofTimeout(f"z3: {self.solver.reason_unknown()}")
        core = [self.by_literal[b.get_id()] for b in self.solver.unsat_core()]
        core_clauses = [k for kind, k in core if kind == "clause"]
        if not core_clauses:
            return self._leaf(self._leaf_rows([a for kind, a in core if kind == "atom"]), chosen)
        return self._split(max(core_clauses, key=lambda k: len(self.clauses[k].atoms)), chosen, split)

    def _split(self, index: int, chosen: list[Row], split: frozenset[int]) -> tuple[str, Any, set]:
        """The proof below a node where the atoms ``chosen`` hold, by cases on clause ``index``."""
        clause = self.clauses[index]
        renamings = self._symmetries() if not chosen else []
        renamed: dict[frozenset, tuple[int, Renaming]] = {}  # atom -> (proven case, renaming)
        cases, used_all = [], set()
        for k, atom in enumerate(clause.atoms):
            own = {r.reason for r in atom}
            found_renamed = renamed.get(frozenset(own))
            if found_renamed is not None:  # the case of a proven atom, renamed (at the root only)
                j, (agents, objects) = found_renamed
                cases.append({"same_as": j, "agents": list(agents), "objects": list(objects)})
                continue
            found = self._node([*chosen, *atom], split | {index})
            if found[0] == "witness":
                return found
            _, tree, used = found
            if not used & own:  # this case's proof needs no split here
                return "proof", tree, used
            cases.append(tree)
            used_all |= used - own
            for renaming in renamings:
                image = self._renamer.atom(tuple(r.reason for r in atom), renaming)
                if image is not None:
                    renamed.setdefault(image, (k, renaming))
        return "proof", {"split": _reason_json(clause.reason), "cases": cases}, used_all

    def _symmetries(self) -> list[Renaming]:
        """The statement's symmetries (`verified.prove.symmetry`), found once."""
        if self._renamer is None:
            self._renamer = Renamer(self.table.s)
            self._renamings = symmetries(self.table.s)
        return self._renamings

    def _leaf(self, rows: list[Row], chosen: list[Row]) -> tuple[str, Any, set]:
        """The exact LP certificate of a core (all rows and the chosen atoms if the core's rows
        turn out feasible, which z3's exact arithmetic should never allow)."""
        self.lp_solves += 1
        kind, data = infeasibility(rows, self._remaining())
        if kind != "multipliers":
            rows = self.rows + chosen
            self.lp_solves += 1
            kind, data = infeasibility(rows, self._remaining())
            if kind != "multipliers":
                raise ProofTimeout("z3's core is feasible for the exact LP: no proof")
        chosen_reasons = {a.reason for a in chosen}
        used = {rows[k].reason for k in data if rows[k].reason in chosen_reasons}
        leaf = [[_reason_json(rows[k].reason), fraction_text(w)] for k, w in sorted(data.items())]
        return "proof", {"leaf": leaf}, used


def renamed_cases(tree: dict) -> int:
    """How many cases of a proof tree are earlier cases renamed."""
    if "same_as" in tree:
        return 1
    return sum(renamed_cases(case) for case in tree.get("cases", ()))


def tree_size(tree: dict) -> tuple[int, int]:
    """(leaves, splits) of a proof tree (a case proved by renaming another counts as neither)."""
    if "leaf" in tree:
        return 1, 0
    if "same_as" in tree:
        return 0, 0
    leaves, splits = 0, 1
    for case in tree["cases"]:
        a, b = tree_size(case)
        leaves, splits = leaves + a, splits + b
    return leaves, splits
