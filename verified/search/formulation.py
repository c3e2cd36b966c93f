"""The linear program behind the search (Erdil, Propositions 1-4).

Unknowns: the probabilities g_i(R)_x of a candidate mechanism g at the *free
cells*; every other cell keeps the base mechanism's row f_i(R). A cell is one
agent's row at one profile; after the anonymity reduction (see `symmetry`) it
is one (own preference, multiset of the others' preferences) pair. Only
acceptable objects get variables (individual rationality); the outside option
takes the rest of the row.

Every constraint is written ``sum coef * x <= rhs`` and named in domain words,
so a certificate can cite it and an independent checker can rebuild it:

* ``["row", cell]``: the row's objects sum to at most 1 (the outside option is >= 0);
* ``["col", group, x]``: object x's column at one profile (or multiset) is at most q_x;
* ``["dom", cell, k]``: g's first k acceptable objects carry at least f's (weak FOSD dominance);
* ``["sp", cell, lie, k]``: truthful reporting gives at least as much of the first k
  objects of the true ranking as reporting ``lie`` (SD-strategy-proofness);
* ``["ett", cell_i, cell_j, x]``: g_ix - g_jx <= 0 (equal treatment of equals, both directions listed);
* ``["full", group, x]`` / ``["upto", cell, z]``: one case of non-wastefulness (x exhausted;
  the agent's row is spent on objects she ranks at least as high as z).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from verified.assignment.model import Preference, Problem
from verified.search.sparse import SparseLP, from_rows

Cell = tuple  # JSON-ready key of a cell (see `CellSpace`)


@dataclass(frozen=True)
class CellSpace:
    """What the formulation needs to know about the (possibly reduced) domain.

    ``pref(cell)``: the cell's (true) ranking; ``lie(cell, r)``: the cell reached when the
    agent reports ``r`` instead; ``lies(cell)``: the rankings she may report; ``groups``:
    the feasibility groups (one per profile or multiset), each a list of (cell, multiplicity);
    ``base_row(cell)``: f's row over `Problem.columns`; ``weight(cell)``: how many
    (profile, agent) pairs of the original domain the cell stands for; ``agents_of(cell)``:
    (agent index, weight) pairs for per-agent objectives.
    """

    problem: Problem
    pref: Callable[[Cell], Preference]
    lie: Callable[[Cell, Preference], Cell]
    lies: Callable[[Cell], Sequence[Preference]]
    groups: Sequence[tuple[Hashable, Sequence[tuple[Cell, int]]]]
    base_row: Callable[[Cell], tuple[Fraction, ...]]
    weight: Callable[[Cell], int]
    agents_of: Callable[[Cell], Sequence[tuple[int, Fraction]]]


@dataclass
class LinearProgram:
    """maximise c.x + c0 subject to A x <= b, x >= 0 (sparse rows, exact data)."""

    var_names: list[tuple] = field(default_factory=list)
    objective: list[int] = field(default_factory=list)
    row_names: list[tuple] = field(default_factory=list)
    row_vars: list[list[int]] = field(default_factory=list)
    row_coefs: list[list[int]] = field(default_factory=list)
    rhs: list[Fraction] = field(default_factory=list)

    def add_var(self, name: tuple, cost: int = 0) -> int:
        self.var_names.append(name)
        self.objective.append(int(cost))
        return len(self.var_names) - 1

    def add_row(self, name: tuple, terms: dict[int, int], rhs: Fraction) -> None:
        items = sorted((v, c) for v, c in terms.items() if c)
        self.row_names.append(name)
        self.row_vars.append([v for v, _ in items])
        self.row_coefs.append([c for _, c in items])
        self.rhs.append(Fraction(rhs))

    def to_sparse(self) -> SparseLP:
        return from_rows(
            self.row_vars, self.row_coefs, self.rhs, self.objective, self.row_names, self.var_names
        )


@dataclass
class Formulation:
    """The LP plus the maps that decode a solution into rows of g."""

    space: CellSpace
    free: list[Cell]
    lp: SparseLP
    var_of: dict[tuple[Cell, str], int]
    objective_name: str
    base_value: Fraction = Fraction(0)

    def row_terms(self, cell: Cell, objects: Sequence[str]) -> tuple[dict[int, int], Fraction]:
        """Linear form of sum_{x in objects} g[cell, x]: variable terms and a constant."""
        terms: dict[int, int] = {}
        const = Fraction(0)
        if cell in self.free_set:
            acceptable = set(self.space.pref(cell))
            for x in objects:
                if x in acceptable:
                    v = self.var_of[(cell, x)]
                    terms[v] = terms.get(v, 0) + 1
        else:
            row = self.space.base_row(cell)
            for x in objects:
                const += row[self.space.problem.object_index(x)]
        return terms, const

    @property
    def free_set(self) -> set:
        cached = getattr(self, "_free_set", None)
        if cached is None:
            cached = set(self.free)
            self._free_set = cached
        return cached


def _sub(a: dict[int, int], b: dict[int, int]) -> dict[int, int]:
    out = dict(a)
    for v, c in b.items():
        out[v] = out.get(v, 0) - c
    return out


def build(
    space: CellSpace,
    free: Sequence[Cell],
    objective: str,
    *,
    equal_treatment: Sequence[tuple[Cell, Cell]] = (),
    nonwaste_case: Sequence[tuple[Hashable, Sequence[tuple[Cell, int]], frozenset[str]]] = (),
    relaxed: bool = False,
    ex_post: Sequence[tuple[Hashable, Sequence[tuple[Cell, int]], Sequence[tuple[str, ...]]]] = (),
) -> Formulation:
    """Build the LP. ``objective``: ``"strict"`` (maximise the sum of all prefix surpluses
    of the free cells: positive iff some agent is strictly better off somewhere),
    ``"total-gain"`` (extra probability of objects, weighted back to the original domain)
    or ``"max-min"`` (the least total gain of an agent). ``nonwaste_case`` lists, per
    profile group, the set S of objects that must be exhausted there; every other object
    z then bounds each agent's row from below (nothing below z). ``relaxed``: keep only the
    strategy-proofness constraints between two free cells (a relaxation of the problem in
    which every cell may change: its infeasibility proves that no g exists at all).
    ``ex_post`` lists, per profile group, its members (cells in agent order) and its
    Pareto-efficient deterministic assignments: g there must be a lottery over them
    (variables ``["lottery", group, assignment]``, rows ``["expost", cell, x, +1/-1]``
    for g_ix = sum of the lottery weights giving x to the cell's agent, and
    ``["expost_total", group, +1/-1]`` for weights summing to 1)."""
    problem = space.problem
    lp = LinearProgram()
    var_of: dict[tuple[Cell, str], int] = {}
    form = Formulation(space, list(free), None, var_of, objective)  # lp packed at the end
    for cell in free:
        pref = space.pref(cell)
        w = space.weight(cell)
        for k, x in enumerate(pref):
            if objective == "strict":
                cost = len(pref) - k  # x is in the last len(pref) - k prefixes
            elif objective == "total-gain":
                cost = w
            else:
                cost = 0
            var_of[(cell, x)] = lp.add_var(("g", cell, x), cost)
    base_value = Fraction(0)
    for cell in free:
        row = space.base_row(cell)
        pref = space.pref(cell)
        for x in pref:
            p = row[problem.object_index(x)]
            base_value += lp.objective[var_of[(cell, x)]] * p
    form.base_value = base_value
    if objective == "max-min":
        t = lp.add_var(("t",), 1)
        per_agent_scale: dict[int, list[tuple[Cell, Fraction]]] = {}
        for cell in free:
            for i, wt in space.agents_of(cell):
                per_agent_scale.setdefault(i, []).append((cell, wt))
        for i in range(problem.n):
            # t - sum wt * (|g| - |f|) <= 0, scaled to integer coefficients
            items = per_agent_scale.get(i, [])
            den = 1
            for _, wt in items:
                den = den * wt.denominator // _gcd(den, wt.denominator)
            terms: dict[int, int] = {t: den}
            rhs = Fraction(0)
            for cell, wt in items:
                coef = int(wt * den)
                for x in space.pref(cell):
                    v = var_of[(cell, x)]
                    terms[v] = terms.get(v, 0) - coef
                    rhs -= coef * space.base_row(cell)[problem.object_index(x)]
            lp.add_row(("minagent", i, den), terms, rhs)
        form.base_value = Fraction(0)
    # validity: rows and columns
    for cell in free:
        terms, _ = form.row_terms(cell, space.pref(cell))
        lp.add_row(("row", cell), terms, Fraction(1))
    free_set = form.free_set
    for group, members in space.groups:
        if not any(c in free_set for c, _ in members):
            continue
        for kx, x in enumerate(problem.objects):
            terms: dict[int, int] = {}
            const = Fraction(0)
            for cell, mult in members:
                t_, c_ = form.row_terms(cell, (x,))
                for v, c in t_.items():
                    terms[v] = terms.get(v, 0) + mult * c
                const += mult * c_
            if terms:
                lp.add_row(("col", group, x), terms, problem.capacities[kx] - const)
    # weak dominance of f
    for cell in free:
        pref = space.pref(cell)
        row = space.base_row(cell)
        for k in range(1, len(pref) + 1):
            terms, _ = form.row_terms(cell, pref[:k])
            fk = sum((row[problem.object_index(x)] for x in pref[:k]), Fraction(0))
            lp.add_row(("dom", cell, k), {v: -c for v, c in terms.items()}, -fk)
    # strategy-proofness: every (truth, lie) pair that touches a free cell
    seen: set[tuple[Cell, Preference]] = set()
    pairs: list[tuple[Cell, Preference]] = []
    free_set = form.free_set
    for cell in free:
        truth = space.pref(cell)
        for r in space.lies(cell):
            if r == truth:
                continue
            other = space.lie(cell, r)
            if relaxed and other not in free_set:
                continue
            for pair in ((cell, r), (other, truth)):
                if pair not in seen:
                    seen.add(pair)
                    pairs.append(pair)
    for cell, r in pairs:
        pref = space.pref(cell)
        other = space.lie(cell, r)
        for k in range(1, len(pref) + 1):
            truth_t, truth_c = form.row_terms(cell, pref[:k])
            lie_t, lie_c = form.row_terms(other, tuple(x for x in pref[:k] if x in r))
            terms = _sub(lie_t, truth_t)
            rhs = truth_c - lie_c
            if any(terms.values()):
                lp.add_row(("sp", cell, r, k), terms, rhs)
    for ci, cj in equal_treatment:
        for x in space.pref(ci):
            ti, ki = form.row_terms(ci, (x,))
            tj, kj = form.row_terms(cj, (x,))
            lp.add_row(("ett", ci, cj, x), _sub(ti, tj), kj - ki)
    for group, members, assignments in ex_post:
        weights = [lp.add_var(("lottery", group, a), 0) for a in assignments]
        lp.add_row(("expost_total", group, 1), dict.fromkeys(weights, 1), Fraction(1))
        lp.add_row(("expost_total", group, -1), dict.fromkeys(weights, -1), Fraction(-1))
        for agent, (cell, _) in enumerate(members):
            for x in space.pref(cell):
                terms, const = form.row_terms(cell, (x,))
                gets = [w for w, a in zip(weights, assignments, strict=True) if a[agent] == x]
                for sign in (1, -1):
                    row = {v: sign * c for v, c in terms.items()}
                    for w in gets:
                        row[w] = row.get(w, 0) - sign
                    lp.add_row(("expost", cell, x, sign), row, -sign * const)
    for group, members, exhausted in nonwaste_case:
        for kx, x in enumerate(problem.objects):
            if x not in exhausted:
                continue
            terms = {}
            const = Fraction(0)
            for cell, mult in members:
                t_, c_ = form.row_terms(cell, (x,))
                for v, c in t_.items():
                    terms[v] = terms.get(v, 0) - mult * c
                const += mult * c_
            lp.add_row(("full", group, x), terms, const - problem.capacities[kx])
        for cell, _ in members:
            pref = space.pref(cell)
            for k, z in enumerate(pref):
                if z in exhausted:
                    continue
                terms, const = form.row_terms(cell, pref[: k + 1])
                lp.add_row(("upto", cell, z), {v: -c for v, c in terms.items()}, const - 1)
                break  # the highest non-exhausted acceptable object is the binding one
    form.lp = lp.to_sparse()
    return form


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a
