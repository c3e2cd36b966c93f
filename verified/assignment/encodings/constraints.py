"""Composable z3 constraint builders over a `SymbolicTable` (Erdil, section 2).

Each builder returns an `Encoding` (constraints + decode map) so that a search
can conjoin them, e.g. ``valid(g) + individually_rational(g) +
strategyproof(g) + dominates(g, f)``. Prefixes follow the library's
convention (`verified.assignment.properties._common.prefixes`): top 1, top 2,
..., all acceptable objects, then all acceptable objects + the outside option.
"""

from __future__ import annotations

from collections.abc import Sequence

import z3

from verified.assignment.encodings.table import SymbolicTable
from verified.assignment.model import Preference, Problem
from verified.smt.core import Encoding, linear_sum


def prefix_columns(problem: Problem, pref: Preference) -> list[tuple[int, ...]]:
    """Column indices of each compared prefix of ``pref``, best first."""
    cols = [problem.object_index(x) for x in pref]
    out = [tuple(cols[: k + 1]) for k in range(len(cols))]
    out.append((*cols, problem.m))
    return out


def _keep(items: Sequence[z3.BoolRef]) -> list[z3.BoolRef]:
    """Drop constraints that simplify to True (fixed entries); keep everything else."""
    out = []
    for c in items:
        s = z3.simplify(c)
        if z3.is_true(s):
            continue
        out.append(s)
    return out


def valid(table: SymbolicTable) -> Encoding:
    """Valid stochastic assignment at every profile: entries >= 0, rows sum to 1, columns <= q_x."""
    p = table.problem
    cs: list[z3.BoolRef] = []
    for pi in range(len(table.domain)):
        for i in range(p.n):
            row = table.row(pi, i)
            cs.extend(v >= 0 for v in row)
            cs.append(linear_sum(row) == 1)
        for k in range(p.m):
            cs.append(table.column_sum(pi, k) <= p.capacities[k])
    return Encoding(_keep(cs), table.decode_map())


def individually_rational(table: SymbolicTable) -> Encoding:
    """gamma_ix = 0 for every object x the agent did not list as acceptable."""
    p = table.problem
    cs = []
    for pi, profile in enumerate(table.domain):
        for i, pref in enumerate(profile):
            cs.extend(table.entry(pi, i, k) == 0 for k, x in enumerate(p.objects) if x not in pref)
    return Encoding(_keep(cs), table.decode_map())


def fosd(
    row_a: Sequence[z3.ArithRef], row_b: Sequence[z3.ArithRef], pref: Preference, problem: Problem
) -> list[z3.BoolRef]:
    """row_a weakly FOSD-dominates row_b under ``pref`` (Erdil, condition (FOSD))."""
    return [
        linear_sum(row_a[c] for c in cols) >= linear_sum(row_b[c] for c in cols)
        for cols in prefix_columns(problem, pref)
    ]


def strictly_better(
    row_a: Sequence[z3.ArithRef], row_b: Sequence[z3.ArithRef], pref: Preference, problem: Problem
) -> z3.BoolRef:
    """Some prefix where row_a has strictly more cumulative probability (strict FOSD given weak)."""
    return z3.Or(
        *[
            linear_sum(row_a[c] for c in cols) > linear_sum(row_b[c] for c in cols)
            for cols in prefix_columns(problem, pref)
        ]
    )


def strategyproof(table: SymbolicTable) -> Encoding:
    """SD-strategy-proofness: f_i(R) R~_i f_i(R'_i, R_-i) for every R, i and R'_i in the domain."""
    domain, p = table.domain, table.problem
    cs: list[z3.BoolRef] = []
    for pi, profile in enumerate(domain):
        for i in range(p.n):
            truthful = table.row(pi, i)
            for lie in domain.preferences[i]:
                if lie == profile[i]:
                    continue
                qi = domain.index((*profile[:i], lie, *profile[i + 1 :]))
                cs.extend(fosd(truthful, table.row(qi, i), profile[i], p))
    return Encoding(_keep(cs), table.decode_map())


def weakly_dominates(table: SymbolicTable, base: SymbolicTable) -> Encoding:
    """table(R) weakly dominates base(R) at every profile: every agent weakly FOSD-prefers it."""
    p = table.problem
    cs: list[z3.BoolRef] = []
    for pi, profile in enumerate(table.domain):
        for i in range(p.n):
            cs.extend(fosd(table.row(pi, i), base.row(pi, i), profile[i], p))
    return Encoding(_keep(cs), {**table.decode_map(), **base.decode_map()})


def strictly_better_somewhere(table: SymbolicTable, base: SymbolicTable) -> Encoding:
    """Some profile and agent where table's row has strictly more on some prefix than base's."""
    p = table.problem
    options = [
        strictly_better(table.row(pi, i), base.row(pi, i), profile[i], p)
        for pi, profile in enumerate(table.domain)
        for i in range(p.n)
    ]
    return Encoding(_keep([z3.Or(*options)]), {**table.decode_map(), **base.decode_map()})


def dominates(table: SymbolicTable, base: SymbolicTable) -> Encoding:
    """Mechanism dominance (Erdil, section 2): weakly at every profile, strictly somewhere."""
    return weakly_dominates(table, base) + strictly_better_somewhere(table, base)


def waste_pairs(problem: Problem, pref: Preference) -> list[tuple[int, int]]:
    """(y, z) column pairs with z P_j y: z, y in acceptable + outside with z above y, and every
    unacceptable object y below the outside option (the order below the outside option is
    unspecified, and z = outside already covers those y)."""
    cols = [problem.object_index(x) for x in pref] + [problem.m]
    pairs = [(cols[b], cols[a]) for a in range(len(cols)) for b in range(a + 1, len(cols))]
    pairs += [(k, problem.m) for k, x in enumerate(problem.objects) if x not in pref]
    return pairs


def column_full(table: SymbolicTable, profile_index: int, agent: int, column: int) -> z3.BoolRef:
    """Column z is exhausted: sum_i gamma_iz = q_z (the outside option of ``agent``: gamma = 1)."""
    p = table.problem
    if column == p.m:
        return table.entry(profile_index, agent, p.m) == 1
    return table.column_sum(profile_index, column) == p.capacities[column]


def nonwasteful_at(table: SymbolicTable, profile_index: int) -> Encoding:
    """Non-wasteful at one profile: for every j and z P_j y, gamma_jy = 0 or column z is full."""
    profile = table.domain.profile(profile_index)
    cs = []
    for j, pref in enumerate(profile):
        for y, z in waste_pairs(table.problem, pref):
            cs.append(z3.Or(table.entry(profile_index, j, y) == 0, column_full(table, profile_index, j, z)))
    return Encoding(_keep(cs), table.decode_map())


def nonwasteful(table: SymbolicTable) -> Encoding:
    """Non-wasteful at every profile of the domain."""
    return Encoding.combine(nonwasteful_at(table, pi) for pi in range(len(table.domain)))


def equal_treatment(table: SymbolicTable) -> Encoding:
    """Equal treatment of equals: R_i = R_j implies f_i(R) = f_j(R)."""
    p = table.problem
    cs = []
    for pi, profile in enumerate(table.domain):
        for i in range(p.n):
            for j in range(i + 1, p.n):
                if profile[i] == profile[j]:
                    cs.extend(a == b for a, b in zip(table.row(pi, i), table.row(pi, j), strict=True))
    return Encoding(_keep(cs), table.decode_map())
