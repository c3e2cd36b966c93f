"""z3 encodings of the LP-decided properties: ex post efficiency, SD-efficiency and ex post
stability of one stochastic assignment at one profile (Erdil, sections 2 and 3;
Bogomolnaia and Moulin 2001).

These are the second path next to the exact LPs of
`verified.assignment.properties.efficiency` / `.stability`; tests make the two agree.

* ex post efficiency / ex post stability: z3 reals lambda_D >= 0, one per admissible
  deterministic assignment D inside supp(gamma) (Pareto efficient, resp. stable; the
  family comes from `_decomposition.support_assignments`, the admissibility tests from
  `efficiency.pareto_improvement` and `priorities.blocking_pairs`), with
  sum_D lambda_D [D(i) = c] = gamma_ic for every cell. sat -> HOLDS with the decoded
  lottery (exact Fractions, re-verified to sum back to gamma exactly); unsat -> FAILS
  (kind ``smt_unsat``, naming the query and listing the family); unknown -> UNKNOWN.
* SD-efficiency: is there a valid, individually rational gamma' that weakly
  FOSD-dominates gamma for every agent and strictly on some (agent, prefix) (an Or)?
  sat -> FAILS with gamma' decoded exactly and re-verified with the direct dominance
  check; unsat -> HOLDS (kind ``smt_unsat``); unknown -> UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import z3

from verified.assignment.domain import Domain
from verified.assignment.encodings.constraints import (
    individually_rational,
    prefix_columns,
    strictly_better_somewhere,
    valid,
    weakly_dominates,
)
from verified.assignment.encodings.table import SymbolicTable
from verified.assignment.lottery import DeterministicAssignment, Lottery
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Profile
from verified.assignment.priorities import Priorities, blocking_pairs
from verified.assignment.properties._decomposition import (
    DEFAULT_MAX_ASSIGNMENTS,
    TooManyAssignments,
    require_limit,
    support_assignments,
)
from verified.assignment.properties.efficiency import _dominance_gains, pareto_improvement
from verified.assignment.properties.fosd import check_strict_assignment_dominance
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput, VerifiedError
from verified.numbers import fraction_text
from verified.results import CheckResult, fails, holds, unknown
from verified.smt.core import Encoding, from_z3, linear_sum, solve, to_z3

_DECOMPOSITION_QUERY = (
    "exists lambda_D >= 0 for each {family} deterministic assignment D inside supp(gamma): "
    "sum_D lambda_D [D(i) = c] = gamma_ic for every agent i and column c"
)
_SD_QUERY = (
    "exists a valid individually rational gamma' with every agent's cumulative >= gamma's on "
    "every prefix and > on some (agent, prefix)"
)


def _base(gamma: StochasticAssignment, prof: Profile) -> dict[str, Any]:
    return {"profile": [list(r) for r in prof], "assignment": gamma.to_json()}


def _lexicographic_minimum(
    constraints: Sequence[z3.BoolRef], terms: Sequence[z3.ArithRef], timeout_ms: int | None
) -> list[Fraction] | None:
    """The lexicographically smallest values of ``terms`` over the (non-strict, feasible, bounded)
    linear ``constraints``: minimise the first term, fix it, minimise the next, ... Each optimum
    value is unique, so the point is a function of the query alone (z3's own models are not:
    repeated identical queries in one process return different vertices). None if z3 gives up."""
    opt = z3.Optimize()
    if timeout_ms is not None:
        opt.set("timeout", int(timeout_ms))
    opt.add(*constraints)
    values: list[Fraction] = []
    for term in terms:
        opt.push()
        opt.minimize(term)
        answer = opt.check()
        if answer != z3.sat:
            return None
        value = from_z3(opt.model().eval(term, model_completion=True), "lexicographic minimum")
        opt.pop()
        opt.add(term == to_z3(value))
        values.append(value)
    return values


def _lottery_smt(
    prop: str,
    kind: str,
    family_name: str,
    gamma: StochasticAssignment,
    admissible: Callable[[DeterministicAssignment], bool],
    base: dict[str, Any],
    timeout_ms: int | None,
    max_assignments: int,
) -> CheckResult:
    """Decide "gamma is a lottery over the admissible assignments in its support" with z3."""
    p = gamma.problem
    query = _DECOMPOSITION_QUERY.format(family=family_name)
    try:
        family = [
            d
            for d in (
                DeterministicAssignment.from_columns(p, cols)
                for cols in support_assignments(gamma, require_limit(max_assignments))
            )
            if admissible(d)
        ]
    except TooManyAssignments as exc:
        return unknown(prop, str(exc), {"kind": "smt_unknown", "query": query})
    weights = [z3.Real(f"lambda[{k}]") for k in range(len(family))]
    constraints: list[z3.BoolRef] = [w >= 0 for w in weights]
    for i in range(p.n):
        for c in range(p.m + 1):
            terms = [w for w, d in zip(weights, family, strict=True) if d.column(i) == c]
            constraints.append(linear_sum(terms) == to_z3(gamma.matrix[i][c]))
    decode = {f"lambda[{k}]": w for k, w in enumerate(weights)}
    outcome = solve(Encoding(constraints, decode), timeout_ms=timeout_ms)
    if outcome.unknown:
        return unknown(prop, f"z3: {outcome.reason_unknown}", {"kind": "smt_unknown", "query": query})
    if outcome.unsat:
        return fails(
            prop,
            {
                "kind": "smt_unsat",
                "query": query,
                **base,
                "family": [d.to_json() for d in family],
            },
            solver="z3",
        )
    # sat decides the verdict; the reported weights are the lexicographic minimum (deterministic).
    canonical = _lexicographic_minimum(constraints, weights, timeout_ms)
    values = (
        canonical if canonical is not None else [outcome.value(f"lambda[{k}]") for k in range(len(family))]
    )
    outcomes = []
    for k, (v, d) in enumerate(zip(values, family, strict=True)):
        if not isinstance(v, Fraction):  # pragma: no cover - decode of a real is a Fraction
            raise VerifiedError(f"internal error: lambda[{k}] decoded to {v!r}")
        if v > 0:
            outcomes.append((v, d))
    lottery = Lottery(p, tuple(outcomes))
    if lottery.expected() != gamma:  # pragma: no cover - bug guard: z3's model must sum back
        raise VerifiedError("internal error: the z3 lottery does not sum back to gamma")
    return holds(prop, {"kind": kind, **base, "lottery": lottery.to_json()}, solver="z3")


def check_ex_post_efficient_smt(
    gamma: StochasticAssignment,
    profile: Sequence[Sequence[str] | str],
    *,
    timeout_ms: int | None = None,
    max_assignments: int = DEFAULT_MAX_ASSIGNMENTS,
) -> CheckResult:
    """Is gamma a lottery over Pareto efficient deterministic assignments at ``profile``
    (Erdil, section 2, "ex post efficient")? The z3 twin of
    `verified.assignment.properties.efficiency.check_ex_post_efficient_assignment`.

    HOLDS evidence ``efficient_lottery`` (profile, assignment, lottery of weights and
    Pareto efficient assignments summing exactly to gamma). FAILS evidence ``smt_unsat``:
    query, profile, assignment and ``family`` (every Pareto efficient deterministic
    assignment inside supp(gamma)). UNKNOWN on a z3 time-out or a too large support."""
    p = gamma.problem
    prof = p.profile(profile)

    def efficient(d: DeterministicAssignment) -> bool:
        return pareto_improvement(d, prof) is None

    return _lottery_smt(
        "ex_post_efficient",
        "efficient_lottery",
        "Pareto efficient",
        gamma,
        efficient,
        _base(gamma, prof),
        timeout_ms,
        max_assignments,
    )


def is_ex_post_efficient_smt(gamma: StochasticAssignment, profile: Sequence[Sequence[str] | str]) -> bool:
    return check_ex_post_efficient_smt(gamma, profile).holds


def check_ex_post_stable_smt(
    gamma: StochasticAssignment,
    profile: Sequence[Sequence[str] | str],
    priorities: Priorities,
    *,
    timeout_ms: int | None = None,
    max_assignments: int = DEFAULT_MAX_ASSIGNMENTS,
) -> CheckResult:
    """Is gamma a lottery over matchings stable at ``profile`` for ``priorities`` (Erdil,
    section 3, "ex post stable")? The z3 twin of
    `verified.assignment.properties.stability.check_ex_post_stable_assignment`.

    HOLDS evidence ``stable_lottery`` (profile, assignment, priorities, lottery). FAILS
    evidence ``smt_unsat``: query, profile, assignment, priorities and ``family`` (every
    stable matching inside supp(gamma)). UNKNOWN on a z3 time-out or a too large support."""
    p = gamma.problem
    if priorities.problem != p:
        raise InvalidInput("the priorities belong to another problem", "priorities")
    prof = p.profile(profile)

    def stable(d: DeterministicAssignment) -> bool:
        return not blocking_pairs(d.assigned, prof, priorities)

    base = {**_base(gamma, prof), "priorities": priorities.to_json()}
    return _lottery_smt(
        "ex_post_stable", "stable_lottery", "stable", gamma, stable, base, timeout_ms, max_assignments
    )


def is_ex_post_stable_smt(
    gamma: StochasticAssignment, profile: Sequence[Sequence[str] | str], priorities: Priorities
) -> bool:
    return check_ex_post_stable_smt(gamma, profile, priorities).holds


def check_sd_efficient_smt(
    gamma: StochasticAssignment,
    profile: Sequence[Sequence[str] | str],
    *,
    timeout_ms: int | None = None,
) -> CheckResult:
    """Is gamma SD-efficient (ordinally efficient) at ``profile``: no valid, individually
    rational stochastic assignment dominates it (Erdil, section 2; Bogomolnaia-Moulin 2001)?
    The z3 twin of `verified.assignment.properties.efficiency.check_sd_efficient_assignment`.

    FAILS evidence ``dominating_assignment`` (as the direct check): profile, assignment,
    ``dominating`` (agent -> column -> "n/d") and ``strict_gains`` (agent, prefix,
    ``cumulative_assignment``, ``cumulative_dominating``). HOLDS evidence ``smt_unsat``:
    query, profile, assignment. UNKNOWN on a z3 time-out."""
    prop = "sd_efficient"
    p = gamma.problem
    prof = p.profile(profile)
    base = _base(gamma, prof)
    domain = Domain.restricted(p, [[pref] for pref in prof])
    fixed = SymbolicTable.from_mechanism(TabulatedMechanism.from_assignments(domain, [gamma]), domain)
    better = SymbolicTable.fresh(domain, "d")
    encoding = (
        valid(better)
        + individually_rational(better)
        + weakly_dominates(better, fixed)
        + strictly_better_somewhere(better, fixed)
    )
    outcome = solve(encoding, timeout_ms=timeout_ms)
    if outcome.unknown:
        return unknown(prop, f"z3: {outcome.reason_unknown}", {"kind": "smt_unknown", "query": _SD_QUERY})
    if outcome.unsat:
        return holds(prop, {"kind": "smt_unsat", "query": _SD_QUERY, **base}, solver="z3")
    dominating = _canonical_dominating(gamma, prof, better, fixed, timeout_ms)
    if dominating is None:  # z3 gave up on the canonical point: report its own model
        dominating = better.read(outcome, "dominating")(prof)
    gains = _dominance_gains(dominating.matrix, gamma, prof)
    recheck = check_strict_assignment_dominance(dominating, gamma, prof)
    if not gains or not recheck.holds:  # pragma: no cover - bug guard: z3's model must dominate
        raise VerifiedError("internal error: the z3 assignment does not dominate gamma")
    return fails(
        prop,
        {
            "kind": "dominating_assignment",
            **base,
            "dominating": {
                a: {x: fraction_text(v) for x, v in zip(p.columns, row, strict=True)}
                for a, row in zip(p.agents, dominating.matrix, strict=True)
            },
            "strict_gains": gains,
        },
        solver="z3",
    )


def _canonical_dominating(
    gamma: StochasticAssignment,
    prof: Profile,
    better: SymbolicTable,
    fixed: SymbolicTable,
    timeout_ms: int | None,
) -> StochasticAssignment | None:
    """A dominating assignment that depends on the query only: the first (agent, prefix), in
    agent then prefix order, on which a strict gain is possible; there the largest cumulative
    probability; then the lexicographically smallest entries (agent by agent, column by
    column). All steps are non-strict LPs, so every optimum is attained and unique."""
    p = gamma.problem
    weak_encoding = valid(better) + individually_rational(better) + weakly_dominates(better, fixed)
    weak = list(weak_encoding.constraints)
    for i, pref in enumerate(prof):
        for cols in prefix_columns(p, pref):
            gain = better.cumulative(0, i, cols)
            strict = gain > fixed.cumulative(0, i, cols)
            found = solve(Encoding((*weak, strict), weak_encoding.decode), timeout_ms=timeout_ms)
            if found.unknown:
                return None
            if found.unsat:
                continue
            terms = [-gain] + [better.entry(0, j, c) for j in range(p.n) for c in range(p.m + 1)]
            values = _lexicographic_minimum(weak, terms, timeout_ms)
            if values is None:
                return None
            rows = [values[1 + j * (p.m + 1) : 1 + (j + 1) * (p.m + 1)] for j in range(p.n)]
            return StochasticAssignment(p, tuple(tuple(r) for r in rows))
    return None  # pragma: no cover - the Or query was sat, so some candidate is


def is_sd_efficient_smt(gamma: StochasticAssignment, profile: Sequence[Sequence[str] | str]) -> bool:
    return check_sd_efficient_smt(gamma, profile).holds


__all__ = [
    "check_ex_post_efficient_smt",
    "check_ex_post_stable_smt",
    "check_sd_efficient_smt",
    "is_ex_post_efficient_smt",
    "is_ex_post_stable_smt",
    "is_sd_efficient_smt",
]
