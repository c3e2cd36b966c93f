"""First-order stochastic dominance (Erdil, section 2, condition (FOSD)).

gamma_i R~_i omega_i iff for every y in X_i: sum_{x R_i y} gamma_ix >= sum_{x R_i y} omega_ix;
strict (gamma_i P~_i omega_i) when in addition one inequality is strict.

Prefix convention: the upper contour sets compared are the prefixes of the
acceptable list (top 1, top 2, ..., all acceptable objects) and then "all acceptable
objects + the outside option". The ranking below the outside option is unspecified,
so nothing finer is compared there; for individually rational rows (no probability on
unacceptable objects) the remaining upper contour sets are automatic, so the check is
exactly Erdil's (FOSD).

Three levels: one agent's two lotteries (`check_fosd`, `check_strict_fosd`), two
stochastic assignments at a profile (`check_assignment_dominance`: every agent weakly
FOSD-prefers gamma; the evidence lists who strictly gains), and two mechanisms over a
domain (`check_mechanism_dominance`: weakly at every profile, strictly somewhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.model import Preference, Problem
from verified.assignment.properties._common import (
    SubsetSums,
    agent_block,
    as_table,
    domain_description,
    exact_row,
    prefix_names,
    prefixes,
    profile_at,
    row_json,
    table_digest,
)
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.results import CheckResult, fails, holds

Comparison = tuple[tuple[int, ...], Fraction, Fraction]


def prefix_comparisons(
    row_a: Sequence[Fraction], row_b: Sequence[Fraction], pref: Preference, problem: Problem
) -> list[Comparison]:
    """(prefix columns, cumulative of a, cumulative of b) for every prefix of ``pref``."""
    out = []
    for cols in prefixes(problem, pref):
        out.append(
            (cols, sum((row_a[c] for c in cols), Fraction(0)), sum((row_b[c] for c in cols), Fraction(0)))
        )
    return out


def _prefix_json(problem: Problem, comp: Comparison, a: str, b: str) -> dict[str, Any]:
    cols, sa, sb = comp
    return {"prefix": prefix_names(problem, cols), a: sa, b: sb}


def _one_agent(
    row_a: Sequence[object],
    row_b: Sequence[object],
    pref: Sequence[str] | str,
    problem: Problem,
    strict: bool,
) -> CheckResult:
    name = "strict_fosd" if strict else "fosd"
    pref = problem.preference(pref)
    a = exact_row(problem, row_a, "row_a")
    b = exact_row(problem, row_b, "row_b")
    comps = prefix_comparisons(a, b, pref, problem)
    base = {"preference": list(pref), "row_a": row_json(problem, a), "row_b": row_json(problem, b)}
    for comp in comps:
        if comp[1] < comp[2]:
            return fails(name, {"kind": "violated_prefix", **base, **_prefix_json(problem, comp, "a", "b")})
    strict_comp = next((c for c in comps if c[1] > c[2]), None)
    if strict and strict_comp is None:
        return fails(name, {"kind": "no_strict_prefix", **base})
    evidence: dict[str, Any] = {
        "kind": "prefix_sums",
        **base,
        "prefixes": [_prefix_json(problem, c, "a", "b") for c in comps],
    }
    if strict_comp is not None:
        evidence["strict_prefix"] = prefix_names(problem, strict_comp[0])
    return holds(name, evidence)


def check_fosd(
    row_a: Sequence[object], row_b: Sequence[object], pref: Sequence[str] | str, problem: Problem
) -> CheckResult:
    """Does lottery ``row_a`` weakly FOSD ``row_b`` for an agent with ranking ``pref``?
    (Erdil, (FOSD).) Rows are over `Problem.columns` (objects, then outside).

    FAILS evidence ``violated_prefix``: the first prefix whose cumulative ``a`` < ``b``.
    HOLDS evidence ``prefix_sums``: every prefix with both sums (and ``strict_prefix``,
    the first strict one, if any)."""
    return _one_agent(row_a, row_b, pref, problem, strict=False)


def check_strict_fosd(
    row_a: Sequence[object], row_b: Sequence[object], pref: Sequence[str] | str, problem: Problem
) -> CheckResult:
    """Strict FOSD (Erdil: gamma_i P~_i omega_i): weak FOSD plus one strict prefix.
    FAILS with ``violated_prefix`` or ``no_strict_prefix`` (all prefix sums equal)."""
    return _one_agent(row_a, row_b, pref, problem, strict=True)


def is_fosd(
    row_a: Sequence[object], row_b: Sequence[object], pref: Sequence[str] | str, problem: Problem
) -> bool:
    return check_fosd(row_a, row_b, pref, problem).holds


def is_strict_fosd(
    row_a: Sequence[object], row_b: Sequence[object], pref: Sequence[str] | str, problem: Problem
) -> bool:
    return check_strict_fosd(row_a, row_b, pref, problem).holds


def _same_problem(gamma: StochasticAssignment, omega: StochasticAssignment) -> Problem:
    if gamma.problem != omega.problem:
        raise InvalidInput("the two assignments belong to different problems", "assignment dominance")
    return gamma.problem


def check_assignment_dominance(
    gamma: StochasticAssignment, omega: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> CheckResult:
    """Does ``gamma`` weakly dominate ``omega`` at ``profile``: gamma_i R~_i omega_i for
    every agent i (Erdil, section 2)?

    HOLDS evidence ``weak_dominance``: ``strict_gains`` lists, for each agent who strictly
    gains, her first strict prefix with both cumulative sums (empty: the rows are
    FOSD-equivalent for everyone); ``dominates`` says whether that list is non-empty.
    FAILS evidence ``violated_prefix``: agent, preference, prefix, both sums, both rows."""
    problem = _same_problem(gamma, omega)
    prof = problem.profile(profile)
    gains = []
    for i, pref in enumerate(prof):
        comps = prefix_comparisons(gamma.matrix[i], omega.matrix[i], pref, problem)
        for comp in comps:
            if comp[1] < comp[2]:
                return fails(
                    "assignment_dominance",
                    {
                        "kind": "violated_prefix",
                        "profile": [list(p) for p in prof],
                        "agent": problem.agents[i],
                        "preference": list(pref),
                        **_prefix_json(problem, comp, "gamma_cumulative", "omega_cumulative"),
                        "gamma_row": row_json(problem, gamma.matrix[i]),
                        "omega_row": row_json(problem, omega.matrix[i]),
                    },
                )
        strict = next((c for c in comps if c[1] > c[2]), None)
        if strict is not None:
            gains.append(
                {
                    "agent": problem.agents[i],
                    **_prefix_json(problem, strict, "gamma_cumulative", "omega_cumulative"),
                }
            )
    return holds(
        "assignment_dominance",
        {
            "kind": "weak_dominance",
            "profile": [list(p) for p in prof],
            "strict_gains": gains,
            "dominates": bool(gains),
        },
    )


def is_assignment_dominance(
    gamma: StochasticAssignment, omega: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> bool:
    return check_assignment_dominance(gamma, omega, profile).holds


def check_strict_assignment_dominance(
    gamma: StochasticAssignment, omega: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> CheckResult:
    """``gamma`` dominates ``omega``: weakly for all agents, strictly for one (Erdil, section 2).
    FAILS with ``violated_prefix`` or ``no_strict_gain`` (every prefix sum is equal)."""
    weak = check_assignment_dominance(gamma, omega, profile)
    if weak.fails:
        return fails("strict_assignment_dominance", weak.evidence)
    if not weak.evidence["dominates"]:
        return fails(
            "strict_assignment_dominance", {"kind": "no_strict_gain", "profile": weak.evidence["profile"]}
        )
    return holds("strict_assignment_dominance", weak.evidence)


def is_strict_assignment_dominance(
    gamma: StochasticAssignment, omega: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> bool:
    return check_strict_assignment_dominance(gamma, omega, profile).holds


def check_mechanism_dominance(
    g: Mechanism | TabulatedMechanism, f: Mechanism | TabulatedMechanism, domain: Domain
) -> CheckResult:
    """Does mechanism ``g`` dominate ``f`` on ``domain`` (Erdil, section 2): g(R) weakly
    dominates f(R) at every profile R, and strictly for some agent at some profile?

    Exact and vectorised over the tables (integer prefix sums cross-multiplied by the
    other table's denominator). FAILS evidence: ``violated_prefix`` (profile, agent,
    prefix, both cumulative sums, both rows) or ``never_strict`` (g and f are
    FOSD-equivalent everywhere). HOLDS evidence ``mechanism_dominance``: the domain,
    both table digests, the number of (profile, agent) pairs compared and one strict
    witness."""
    tg, tf = as_table(g, domain), as_table(f, domain)
    problem = domain.problem
    dg, df = tg.denominator, tf.denominator
    digests = {"g_table_digest": table_digest(tg), "f_table_digest": table_digest(tf)}
    strict_witness: dict[str, Any] | None = None
    for i in range(problem.n):
        sg = SubsetSums(agent_block(tg, i), dg * df)
        sf = SubsetSums(agent_block(tf, i), dg * df)
        for t, pref in enumerate(domain.preferences[i]):
            for cols in prefixes(problem, pref):
                a = np.asarray(sg.get(cols).take(t, axis=i)).reshape(-1) * df
                b = np.asarray(sf.get(cols).take(t, axis=i)).reshape(-1) * dg
                worse = a < b
                if worse.any():
                    r = int(np.argmax(worse))
                    index, prof = profile_at(domain, i, t, r)
                    return fails(
                        "mechanism_dominance",
                        {
                            "kind": "violated_prefix",
                            "profile": [list(p) for p in prof],
                            "agent": problem.agents[i],
                            "preference": list(pref),
                            "prefix": prefix_names(problem, cols),
                            "g_cumulative": Fraction(int(a[r]), dg * df),
                            "f_cumulative": Fraction(int(b[r]), dg * df),
                            "g_row": row_json(problem, tg.at_index(index).matrix[i]),
                            "f_row": row_json(problem, tf.at_index(index).matrix[i]),
                            **digests,
                        },
                    )
                if strict_witness is None:
                    better = a > b
                    if better.any():
                        r = int(np.argmax(better))
                        _, prof = profile_at(domain, i, t, r)
                        strict_witness = {
                            "profile": [list(p) for p in prof],
                            "agent": problem.agents[i],
                            "prefix": prefix_names(problem, cols),
                            "g_cumulative": Fraction(int(a[r]), dg * df),
                            "f_cumulative": Fraction(int(b[r]), dg * df),
                        }
    base = {"domain": domain_description(domain), "pairs_compared": len(domain) * problem.n, **digests}
    if strict_witness is None:
        return fails("mechanism_dominance", {"kind": "never_strict", **base})
    return holds(
        "mechanism_dominance", {"kind": "mechanism_dominance", **base, "strict_witness": strict_witness}
    )


def is_mechanism_dominance(
    g: Mechanism | TabulatedMechanism, f: Mechanism | TabulatedMechanism, domain: Domain
) -> bool:
    return check_mechanism_dominance(g, f, domain).holds
