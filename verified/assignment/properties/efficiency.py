"""Ex post efficiency and ordinal (SD-) efficiency (Erdil, section 2; Bogomolnaia and
Moulin 2001).

* A deterministic assignment is Pareto efficient at R when no deterministic assignment
  makes every agent weakly better and one strictly. For an individually rational D this
  fails iff (a) some agent prefers an object with a free copy to D(i) (waste), or (b)
  there is a cycle i_1 -> i_2 -> ... -> i_1 where each agent prefers the next one's
  object to her own (swap along it). Proof sketch: in a Pareto improvement D' the agents
  who move are strictly better off; if some object gains holders it had a free copy
  (a); otherwise every mover i can point to a leaver of D'(i), who moves too, so the
  pointers close a cycle (b). A non-IR D is improved by sending the agent out.
* gamma is ex post efficient when it is a lottery over Pareto efficient deterministic
  assignments (Erdil, section 2). Decided exactly by LP over the efficient deterministic
  assignments inside supp(gamma) (`_decomposition`): HOLDS with the lottery, FAILS with
  Farkas prices.
* gamma is SD-efficient (ordinally efficient) when no stochastic assignment dominates it
  (Erdil, section 2; Bogomolnaia-Moulin's ordinal efficiency). Decided exactly by the LP
  "maximise the sum over agents and prefixes of cumulative probability, subject to
  weakly dominating gamma": gamma is efficient iff the optimum equals gamma's own sum.
  HOLDS carries the LP with its exact primal/dual certificate and, as a second witness,
  the Bogomolnaia-Moulin trading relation (x -> y when an agent prefers x to y and gets
  y with positive probability), which is acyclic on a non-wasteful efficient gamma
  (Bogomolnaia-Moulin 2001, Lemma 3); FAILS carries a dominating assignment.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import partial
from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.lottery import DeterministicAssignment
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.model import Preference, Problem, Profile
from verified.assignment.properties._admissible import efficient
from verified.assignment.properties._common import as_table, domain_description, over_domain, prefixes
from verified.assignment.properties._decomposition import DEFAULT_MAX_ASSIGNMENTS, lottery_or_farkas
from verified.assignment.properties._sd_scan import sd_scan
from verified.assignment.properties._whole_domain import exhaustive, per_profile, plain_digest, plain_holds
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import VerifiedError
from verified.lp import Constraint, LinearProgram, solve_exact
from verified.numbers import fraction_text
from verified.results import CheckResult, fails, holds, unknown


def _rank(problem: Problem, pref: Preference, column: int) -> int:
    """0 for the top object, len(pref) for the outside option, len(pref) + 1 if unacceptable."""
    if column == problem.m:
        return len(pref)
    x = problem.objects[column]
    return pref.index(x) if x in pref else len(pref) + 1


def pareto_improvement(d: DeterministicAssignment, profile: Profile) -> dict[str, Any] | None:
    """None if ``d`` is Pareto efficient at ``profile``; else how to improve it (see module docstring)."""
    p = d.problem
    cols = [d.column(i) for i in range(p.n)]
    ranks = [_rank(p, profile[i], cols[i]) for i in range(p.n)]
    for i in range(p.n):
        if ranks[i] > len(profile[i]):
            return {"improvement": "unacceptable", "agent": p.agents[i], "object": p.columns[cols[i]]}
    counts = [sum(1 for c in cols if c == k) for k in range(p.m)]
    for i in range(p.n):
        for x in profile[i]:
            k = p.object_index(x)
            if _rank(p, profile[i], k) < ranks[i] and counts[k] < p.capacities[k]:
                return {"improvement": "free_copy", "agent": p.agents[i], "object": x}
    # i -> j when j holds an object that i ranks above her own.
    edges = [
        [j for j in range(p.n) if j != i and cols[j] < p.m and _rank(p, profile[i], cols[j]) < ranks[i]]
        for i in range(p.n)
    ]
    cycle = _find_cycle(edges)
    if cycle is not None:
        return {
            "improvement": "trading_cycle",
            "agents": [p.agents[i] for i in cycle],
            "objects": [p.columns[cols[i]] for i in cycle],
        }
    return None


def _find_cycle(edges: Sequence[Sequence[int]]) -> list[int] | None:
    """A directed cycle (list of nodes, each pointing to the next, the last to the first), or None."""
    state = [0] * len(edges)  # 0 new, 1 on stack, 2 done
    stack: list[int] = []

    def visit(u: int) -> list[int] | None:
        state[u] = 1
        stack.append(u)
        for v in edges[u]:
            if state[v] == 1:
                return stack[stack.index(v) :]
            if state[v] == 0:
                found = visit(v)
                if found is not None:
                    return found
        stack.pop()
        state[u] = 2
        return None

    for u in range(len(edges)):
        if state[u] == 0:
            found = visit(u)
            if found is not None:
                return found
    return None


def is_pareto_efficient_deterministic(d: DeterministicAssignment, profile: Profile) -> bool:
    return pareto_improvement(d, profile) is None


def check_ex_post_efficient_assignment(
    gamma: StochasticAssignment,
    profile: Sequence[Sequence[str] | str],
    *,
    max_assignments: int = DEFAULT_MAX_ASSIGNMENTS,
) -> CheckResult:
    """Is gamma a lottery over Pareto efficient deterministic assignments at ``profile``
    (Erdil, section 2, "ex post efficient")?

    HOLDS evidence ``efficient_lottery``: ``lottery`` (weights and deterministic
    assignments, each Pareto efficient, summing exactly to gamma). FAILS evidence
    ``farkas``: ``prices`` y (agent -> column -> y), ``assignment_price`` = sum y gamma
    > 0, and ``family``: every Pareto efficient deterministic assignment inside supp(gamma)
    with its price sum_i y_{i,D(i)} <= 0. UNKNOWN if the support holds more than
    ``max_assignments`` deterministic assignments or the LP gives up."""
    prop = "ex_post_efficient"
    p = gamma.problem
    prof = p.profile(profile)
    base = {"profile": [list(r) for r in prof], "assignment": gamma.to_json()}

    def efficient(d: DeterministicAssignment) -> bool:
        return pareto_improvement(d, prof) is None

    return lottery_or_farkas(prop, "efficient_lottery", gamma, efficient, max_assignments, base)


def is_ex_post_efficient_assignment(
    gamma: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> bool:
    return check_ex_post_efficient_assignment(gamma, profile).holds


def _cell(i: int, c: int) -> str:
    return f"g[{i}][{c}]"


def _sd_lp(gamma: StochasticAssignment, prof: Profile) -> tuple[LinearProgram, Fraction]:
    """Max sum over agents and prefixes of cumulative probability, over IR assignments that
    weakly dominate gamma; returns the LP and gamma's own value of the objective."""
    p = gamma.problem
    variables: list[str] = []
    objective: dict[str, Fraction] = {}
    constraints: list[Constraint] = []
    baseline = Fraction(0)
    for i, pref in enumerate(prof):
        allowed = [p.object_index(x) for x in pref] + [p.m]
        variables.extend(_cell(i, c) for c in allowed)
        constraints.append(Constraint({_cell(i, c): 1 for c in allowed}, "==", 1, f"row[{i}]"))
        for k, cols in enumerate(prefixes(p, pref)):
            own = sum((gamma.matrix[i][c] for c in cols), Fraction(0))
            baseline += own
            constraints.append(Constraint({_cell(i, c): 1 for c in cols}, ">=", own, f"prefix[{i}][{k}]"))
            for c in cols:
                objective[_cell(i, c)] = objective.get(_cell(i, c), Fraction(0)) + 1
    for k in range(p.m):
        coefficients = {_cell(i, k): 1 for i, pref in enumerate(prof) if p.objects[k] in pref}
        constraints.append(Constraint(coefficients, "<=", p.capacities[k], f"column[{k}]"))
    return LinearProgram(tuple(variables), tuple(constraints), objective, "max"), baseline


def trading_relation(gamma: StochasticAssignment, prof: Profile) -> list[tuple[str, str, str]]:
    """Bogomolnaia-Moulin's relation: (x, y, agent) when the agent ranks x above y and gets y > 0."""
    p = gamma.problem
    out = []
    for i, pref in enumerate(prof):
        for b, y in enumerate(pref):
            if gamma.matrix[i][p.object_index(y)] > 0:
                out.extend((x, y, p.agents[i]) for x in pref[:b])
    return sorted(set(out))


def _topological_order(objects: Sequence[str], edges: list[tuple[str, str, str]]) -> list[str] | None:
    index = {x: k for k, x in enumerate(objects)}
    succ = [sorted({index[y] for x, y, _ in edges if x == obj}) for obj in objects]
    if _find_cycle(succ) is not None:
        return None
    indegree = [0] * len(objects)
    for s in succ:
        for v in s:
            indegree[v] += 1
    ready = [k for k in range(len(objects)) if indegree[k] == 0]
    order: list[str] = []
    while ready:
        u = ready.pop(0)
        order.append(objects[u])
        for v in succ[u]:
            indegree[v] -= 1
            if indegree[v] == 0:
                ready.append(v)
    return order


def _dominance_gains(
    better: Sequence[Sequence[Fraction]], gamma: StochasticAssignment, prof: Profile
) -> list[dict[str, Any]] | None:
    """Strict gains of ``better`` over gamma, or None if ``better`` fails weak dominance somewhere."""
    p = gamma.problem
    gains = []
    for i, pref in enumerate(prof):
        for cols in prefixes(p, pref):
            new = sum((better[i][c] for c in cols), Fraction(0))
            old = sum((gamma.matrix[i][c] for c in cols), Fraction(0))
            if new < old:
                return None
            if new > old:
                gains.append(
                    {
                        "agent": p.agents[i],
                        "prefix": [p.columns[c] for c in cols],
                        "cumulative_assignment": fraction_text(old),
                        "cumulative_dominating": fraction_text(new),
                    }
                )
    return gains


def check_sd_efficient_assignment(
    gamma: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> CheckResult:
    """Is gamma SD-efficient (ordinally efficient) at ``profile``: dominated by no stochastic
    assignment (Erdil, section 2; Bogomolnaia-Moulin 2001)?

    HOLDS evidence ``lp_optimum``: ``baseline`` (gamma's sum of prefix cumulatives), the
    ``lp`` (as `LinearProgram.to_evidence`) and its exact ``certificate`` (primal/dual with
    objective = baseline), plus ``trading_relation`` ([x, y, agent] edges) and an acyclic
    ``topological_order`` of the objects. FAILS evidence ``dominating_assignment``:
    ``dominating`` (rows of an assignment that weakly dominates gamma for everyone) and
    ``strict_gains`` (agent, prefix, both cumulatives)."""
    prop = "sd_efficient"
    p = gamma.problem
    prof = p.profile(profile)
    base = {"profile": [list(r) for r in prof], "assignment": gamma.to_json()}
    lp, baseline = _sd_lp(gamma, prof)
    result = solve_exact(lp)
    if not result.optimal or result.objective is None:
        return unknown(prop, f"exact LP: {result.reason or result.status}")
    edges = trading_relation(gamma, prof)
    order = _topological_order(p.objects, edges)
    if result.objective == baseline:
        if order is None:  # pragma: no cover - contradicts Bogomolnaia-Moulin, Lemma 3
            raise VerifiedError("internal error: efficient by LP but the trading relation has a cycle")
        return holds(
            prop,
            {
                "kind": "lp_optimum",
                **base,
                "baseline": baseline,
                "lp": lp.to_evidence(),
                "certificate": result.to_evidence(),
                "trading_relation": [list(e) for e in edges],
                "topological_order": order,
            },
        )
    rows = [[result.primal.get(_cell(i, c), Fraction(0)) for c in range(p.m + 1)] for i in range(p.n)]
    dominating = StochasticAssignment(p, tuple(tuple(r) for r in rows))
    gains = _dominance_gains(dominating.matrix, gamma, prof)
    if not gains:  # pragma: no cover - bug guard: the LP optimum must dominate strictly
        raise VerifiedError("internal error: the LP optimum does not dominate gamma")
    return fails(
        prop,
        {
            "kind": "dominating_assignment",
            **base,
            "dominating": {
                a: {x: fraction_text(v) for x, v in zip(p.columns, r, strict=True)}
                for a, r in zip(p.agents, rows, strict=True)
            },
            "strict_gains": gains,
        },
    )


def is_sd_efficient_assignment(gamma: StochasticAssignment, profile: Sequence[Sequence[str] | str]) -> bool:
    return check_sd_efficient_assignment(gamma, profile).holds


def check_ex_post_efficient(
    mechanism: Mechanism | TabulatedMechanism,
    domain: Domain,
    *,
    all_violations: bool = False,
    limit: int | None = None,
) -> CheckResult:
    """`check_ex_post_efficient_assignment` at every profile of ``domain``. FAILS/UNKNOWN: the
    first profile's evidence (plus ``mechanism``). HOLDS evidence ``exhaustive``: domain,
    number of profiles and ``certificates_digest`` = `verified.results.digest` of the list of
    per-profile HOLDS evidences in domain order. A table over ``domain`` goes through
    `_whole_domain` (the same evidence, computed for all profiles at once). With
    ``all_violations=True``: every profile is decided, the same result, and
    ``stats["violations"]`` counts the profiles where it fails (`violations_count`)."""
    tally = _tally("ex_post_efficient", domain, limit) if all_violations else None
    if isinstance(mechanism, TabulatedMechanism) and mechanism.domain == domain:
        result = exhaustive(
            "ex_post_efficient",
            mechanism,
            partial(efficient, domain),
            "efficient_lottery",
            {},
            check_ex_post_efficient_assignment,
            sink=tally,
        )
    else:
        result = over_domain(
            "ex_post_efficient", mechanism, domain, check_ex_post_efficient_assignment, sink=tally
        )
    return _reported(result, tally)


def _tally(prop: str, domain: Domain, limit: int | None) -> Any:
    """A `violations_count.Tally` of the profiles where ``prop`` fails."""
    from verified.assignment.properties.violations_count import per_profile_tally

    return per_profile_tally(prop, domain, limit)


def _reported(result: CheckResult, tally: Any) -> CheckResult:
    """``result`` with the tally's report in its stats (unchanged without a tally)."""
    if tally is None:
        return result
    from verified.assignment.properties.violations_count import with_report

    return with_report(result, tally)


def check_ex_post_efficient_per_profile(
    table: TabulatedMechanism, domain: Domain, *, all_violations: bool = False, limit: int | None = None
) -> CheckResult:
    """Ex post efficiency at every profile with every profile's certificate kept: exactly
    the one-profile loop ``_per_profile("ex_post_efficient", check_ex_post_efficient_assignment,
    table, domain)`` (HOLDS ``per_profile`` with the list of per-profile evidences; else the
    first failing profile's own result), computed by `_whole_domain` for all profiles at once
    (``all_violations``: as for `check_ex_post_efficient`)."""
    table = as_table(table, domain)
    tally = _tally("ex_post_efficient", domain, limit) if all_violations else None
    result = per_profile(
        "ex_post_efficient",
        table,
        partial(efficient, domain),
        "efficient_lottery",
        {},
        check_ex_post_efficient_assignment,
        sink=tally,
    )
    return _reported(result, tally)


def is_ex_post_efficient(mechanism: Mechanism | TabulatedMechanism, domain: Domain) -> bool:
    return check_ex_post_efficient(mechanism, domain).holds


def check_sd_efficient(
    mechanism: Mechanism | TabulatedMechanism,
    domain: Domain,
    *,
    all_violations: bool = False,
    limit: int | None = None,
) -> CheckResult:
    """`check_sd_efficient_assignment` at every profile of ``domain`` (evidence as for
    `check_ex_post_efficient`). On a table over ``domain``, profiles that `_sd_scan` proves
    efficient are not solved while the first failing profile is looked for (if there is none,
    every profile's LP certificate is computed for the digest, as before). With
    ``all_violations=True``: every profile is decided, the same result, and
    ``stats["violations"]`` counts the profiles where it fails (`violations_count`)."""
    tally = _tally("sd_efficient", domain, limit) if all_violations else None
    return _reported(_check_sd_efficient(mechanism, domain, tally), tally)


def _check_sd_efficient(mechanism: Mechanism | TabulatedMechanism, domain: Domain, sink: Any) -> CheckResult:
    """`check_sd_efficient`, every failing profile tallied in ``sink`` when there is one."""
    if isinstance(mechanism, TabulatedMechanism) and mechanism.domain == domain:
        found = _sd_everywhere(mechanism, sink)
        if isinstance(found, tuple):
            index, result = found
            evidence = {**result.evidence, "mechanism": mechanism.name}
            if result.unknown:
                where = [list(r) for r in domain.profile(index)]
                return unknown("sd_efficient", f"at profile {where}: {result.reason}", evidence)
            return fails("sd_efficient", evidence)
        return holds(
            "sd_efficient",
            {
                "kind": "exhaustive",
                "mechanism": mechanism.name,
                "domain": domain_description(domain),
                "profiles_checked": len(found),
                "certificates_digest": plain_digest(found),
            },
        )
    return over_domain("sd_efficient", mechanism, domain, check_sd_efficient_assignment, sink=sink)


def check_sd_efficient_per_profile(
    table: TabulatedMechanism, domain: Domain, *, all_violations: bool = False, limit: int | None = None
) -> CheckResult:
    """SD-efficiency at every profile with every profile's certificate kept: exactly
    the one-profile loop ``_per_profile("sd_efficient", check_sd_efficient_assignment, table,
    domain)``; profiles that `_sd_scan` proves efficient are solved only when every profile
    holds (their LP certificates are then needed). ``all_violations``: as for
    `check_sd_efficient`."""
    table = as_table(table, domain)
    tally = _tally("sd_efficient", domain, limit) if all_violations else None
    found = _sd_everywhere(table, tally)
    if isinstance(found, tuple):
        return _reported(found[1], tally)
    evidence = {"kind": "per_profile", "profiles": len(domain), "certificates": found}
    return _reported(plain_holds("sd_efficient", evidence), tally)


def _sd_everywhere(
    table: TabulatedMechanism, sink: Any = None
) -> list[dict[str, Any]] | tuple[int, CheckResult]:
    """Every profile's HOLDS evidence, or the first profile that does not hold (its number and
    result). The profiles `_sd_scan` cannot prove efficient are checked first, in domain order;
    when all hold, every profile's LP certificate is computed, over ranges of profiles in other
    processes when the engine's settings ask for them (`verified.engine.checks`)."""
    from verified.assignment.properties._whole_domain import PARALLEL_MIN, TableRange
    from verified.engine.checks import parallel_ranges, run_check_ranges

    domain = table.domain
    sure = sd_scan(table)
    known: dict[int, dict[str, Any]] = {}
    for index in np.nonzero(~sure)[0].tolist():
        found = check_sd_efficient_assignment(table.at_index(index), domain.profile(index))
        if not found.holds:
            if sink is None:
                return index, found
            sink.add_result(index, domain.profile(index), found)  # every one, in domain order
            continue
        known[index] = found.evidence
    if sink is not None and sink.first is not None:
        return sink.first
    ranges = parallel_ranges(len(domain), smallest=PARALLEL_MIN)
    if ranges is None:
        return sd_certificates(table, known, 0, len(domain))
    out: list[dict[str, Any]] = []

    def arguments_for(r: Any) -> tuple[Any, ...]:  # its rows, and the certificates already known
        own = {i: e for i, e in known.items() if r.start <= i < r.stop}
        return (TableRange.of(table, r.start, r.stop), own)

    for found in run_check_ranges(sd_certificates, arguments_for, ranges, "checking sd-efficient"):
        if isinstance(found, tuple):  # pragma: no cover - _sd_scan proved it efficient
            return found
        out.extend(found)
    return out


def sd_certificates(
    table: Any, known: dict[int, dict[str, Any]], start: int, stop: int
) -> list[dict[str, Any]] | tuple[int, CheckResult]:
    """The SD-efficiency evidence of profiles ``start .. stop - 1`` of ``table`` (a table or a
    `_whole_domain.TableRange`), ``known`` ones reused; or the first that does not hold."""
    out = []
    for index in range(start, stop):
        evidence = known.get(index)
        if evidence is None:
            found = check_sd_efficient_assignment(table.at_index(index), table.domain.profile(index))
            if not found.holds:  # pragma: no cover - _sd_scan proved it efficient; only a solver failure
                return index, found
            evidence = found.evidence
        out.append(evidence)
    return out


def is_sd_efficient(mechanism: Mechanism | TabulatedMechanism, domain: Domain) -> bool:
    return check_sd_efficient(mechanism, domain).holds


__all__ = [
    "check_ex_post_efficient",
    "check_ex_post_efficient_assignment",
    "check_ex_post_efficient_per_profile",
    "check_sd_efficient",
    "check_sd_efficient_assignment",
    "check_sd_efficient_per_profile",
    "is_ex_post_efficient",
    "is_ex_post_efficient_assignment",
    "is_pareto_efficient_deterministic",
    "is_sd_efficient",
    "is_sd_efficient_assignment",
    "pareto_improvement",
    "trading_relation",
]
