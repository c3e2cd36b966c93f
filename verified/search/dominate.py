"""Find a strategy-proof mechanism that dominates a given one, or prove none exists.

Erdil, Propositions 1-4: g dominates f when g_i(R) weakly FOSD-dominates f_i(R)
for every agent at every profile, strictly for some agent at some profile; g must
be individually rational and SD-strategy-proof. The search solves a linear
program over the free cells (see `formulation`); HiGHS proposes, exact rational
arithmetic confirms (see `exact_lp`). Verdicts:

* HOLDS (f is dominated): evidence kind ``"sp_dominator"`` with g's rows at the free
  cells, the cells where g is strictly better, and, for the objectives
  ``"total-gain"``/``"max-min"``, the dual multipliers proving the optimum;
* FAILS (no SP dominator under the options): kind ``"no_sp_dominator"`` with, for each
  case of the non-wastefulness split, dual multipliers y >= 0 with A^T y >= c and
  b.y <= c.f (no prefix can rise), or Farkas multipliers (the case is infeasible);
* UNKNOWN on time-outs or when no exact certificate could be rebuilt.
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism, tabulate
from verified.assignment.model import Profile
from verified.errors import InvalidInput
from verified.numbers import fraction_text
from verified.recheck.search import MAX_CASES
from verified.results import CheckResult, fails, holds, unknown
from verified.search.anonymous_lp import build_anonymous
from verified.search.checker_limits import refuse_beyond_checker
from verified.search.encode import cell_json, group_json, multipliers_json, profile_json
from verified.search.exact_lp import solve
from verified.search.formulation import Formulation, build
from verified.search.options import OBJECTIVES
from verified.search.spaces import anonymous_space, explicit_space
from verified.search.symmetry import check_anonymous

#: The property a search certificate claims (`verified.recheck.search`): an SD-strategy-proof
#: mechanism dominating the base exists (holds) or none exists (fails).
PROPERTY = "sp-dominator"
#: Largest number of (profile, agent, report) triples the explicit (unreduced) formulation takes on.
EXPLICIT_LIMIT = 2_000_000
#: Most cells a base without a name may have when the certificate must carry all of them.
TABLE_CELLS = 50_000


@dataclass(frozen=True)
class SearchOutcome:
    """The verdict (with its certificate) and, when found, g tabulated over the domain
    (``mechanism``, built on first access)."""

    result: CheckResult
    _tabulate: Callable[[], TabulatedMechanism | None] | None = field(default=None, repr=False)
    subject: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def certificate(self) -> dict[str, Any]:
        """The certificate document (`verified.certificates` envelope, family "search")."""
        from verified.certificates import build_certificate

        if self.subject is None:
            raise ValueError("this outcome has no subject to certify")
        return build_certificate(PROPERTY, self.result, self.subject)

    @cached_property
    def mechanism(self) -> TabulatedMechanism | None:
        return self._tabulate() if self._tabulate is not None else None

    @property
    def found(self) -> bool:
        return self.result.holds


def _problem_json(domain: Domain) -> dict[str, Any]:
    p = domain.problem
    out: dict[str, Any] = {
        "agents": list(p.agents),
        "objects": list(p.objects),
        "capacities": list(p.capacities),
    }
    return out


def _domain_json(domain: Domain) -> dict[str, Any]:
    if domain.is_full:
        return {"full": True}
    return {"preferences": [[list(r) for r in ps] for ps in domain.preferences]}


def _base_table(base: Mechanism | TabulatedMechanism, domain: Domain) -> TabulatedMechanism:
    if isinstance(base, TabulatedMechanism):
        if base.domain.problem != domain.problem or base.domain.preferences != domain.preferences:
            raise InvalidInput("the base table is over another domain", "base")
        return base
    return tabulate(base, domain)


def _sp_violation(table: TabulatedMechanism) -> dict[str, Any] | None:
    """First SD-manipulation of a table (exact integer comparison), or None."""
    domain = table.domain
    p = domain.problem
    shape = (*domain.sizes, p.n, p.m + 1)
    nums = table.numerators.reshape(shape)
    for i in range(p.n):
        for t, truth in enumerate(domain.preferences[i]):
            ks = [p.object_index(x) for x in truth]
            idx_t = [slice(None)] * p.n
            idx_t[i] = t
            true_rows = np.cumsum(nums[tuple(idx_t)][..., i, :][..., ks], axis=-1) if ks else None
            if true_rows is None:
                continue
            for s, lie in enumerate(domain.preferences[i]):
                if s == t:
                    continue
                idx_s = [slice(None)] * p.n
                idx_s[i] = s
                mask = np.array([x in lie for x in truth])
                lie_rows = np.cumsum(nums[tuple(idx_s)][..., i, :][..., ks] * mask, axis=-1)
                bad = np.argwhere(lie_rows > true_rows)
                if len(bad):
                    where = tuple(int(v) for v in bad[0][:-1])
                    digits = list(where[:i]) + [t] + list(where[i:])
                    prof = tuple(domain.preferences[a][d] for a, d in enumerate(digits))
                    return {
                        "profile": [list(r) for r in prof],
                        "agent": p.agents[i],
                        "misreport": list(lie),
                        "prefix": list(truth[: int(bad[0][-1]) + 1]),
                    }
    return None


def _decode(form: Formulation, x: list[Fraction]) -> dict[tuple, tuple[Fraction, ...]]:
    space = form.space
    problem = space.problem
    rows = {}
    for cell in form.free:
        row = [Fraction(0)] * (problem.m + 1)
        for obj in space.pref(cell):
            row[problem.object_index(obj)] = x[form.var_of[(cell, obj)]]
        row[-1] = 1 - sum(row[:-1], Fraction(0))
        rows[cell] = tuple(row)
    return rows


def _strict_cells(form: Formulation, rows: Mapping[tuple, tuple[Fraction, ...]]) -> list[tuple[tuple, int]]:
    space = form.space
    problem = space.problem
    out = []
    for cell in form.free:
        pref = space.pref(cell)
        f = space.base_row(cell)
        g = rows[cell]
        acc_f = acc_g = Fraction(0)
        for k, obj in enumerate(pref, start=1):
            acc_f += f[problem.object_index(obj)]
            acc_g += g[problem.object_index(obj)]
            if acc_g > acc_f:
                out.append((cell, k))
                break
    return out


def _row_json(problem, row: tuple[Fraction, ...]) -> dict[str, str]:  # noqa: ANN001
    return {c: fraction_text(v) for c, v in zip(problem.columns, row, strict=True) if v}


def _touched(space, free: Sequence[tuple]) -> list[tuple]:  # noqa: ANN001
    """The free cells, every cell a misreport from them reaches, and their profiles' cells."""
    seen: dict[tuple, None] = {}
    for cell in free:
        seen.setdefault(cell, None)
        for r in space.lies(cell):
            seen.setdefault(space.lie(cell, r), None)
    for _, members in space.groups:
        for cell, _ in members:
            seen.setdefault(cell, None)
    return list(seen)


def find_dominating_mechanism(
    base: Mechanism | TabulatedMechanism,
    domain: Domain,
    *,
    objective: str = "strict",
    neighbourhood: Sequence[Profile] | None = None,
    equal_treatment: bool = False,
    nonwasteful_at: Sequence[Profile] = (),
    relaxed: bool = False,
    ex_post_efficient: bool = False,
    ex_post_stable: Any = None,
    base_spec: Mapping[str, Any] | None = None,
    check_base: bool = True,
    time_limit: float = 600.0,
    solver: str = "auto",
) -> SearchOutcome:
    """Search for an SD-strategy-proof, individually rational g that dominates ``base``.

    ``objective``: ``"strict"`` (any g strictly better somewhere), ``"total-gain"``
    (maximise the extra probability of objects summed over profiles and agents) or
    ``"max-min"`` (maximise the least such sum over agents). ``neighbourhood``: only
    these profiles may change (g = f elsewhere). ``equal_treatment``: agents with equal
    rankings get equal rows at the changed profiles. ``nonwasteful_at``: g must not be
    wasteful at these profiles (Erdil, Proposition 4). ``relaxed`` (with a neighbourhood):
    let *every* profile change but keep only the constraints among the neighbourhood's
    profiles; "none exists" is then answered only when the relaxation is infeasible (those
    constraints are necessary on the whole domain), while a candidate found for it, or an
    optimum without gain (a dominator could gain outside the neighbourhood), proves nothing
    (UNKNOWN). ``ex_post_efficient`` (with a
    neighbourhood): at every changed profile g must be a lottery over Pareto-efficient
    deterministic assignments (the certificate lists the lottery). ``ex_post_stable`` (with a
    neighbourhood and a named ``base_spec``): weak priorities (`Priorities`, or per object its
    tiers of agent indices); at every changed profile g must be a lottery over matchings stable
    for them (and Pareto-efficient too with ``ex_post_efficient``), and the base must be ex post
    stable at every profile, since g is the base elsewhere (`verified.search.stability`).
    Without a neighbourhood, on a
    symmetric domain with an anonymous base (certified exhaustively), the search runs
    over anonymity orbits (Erdil's symmetrisation h in the proof of Proposition 3(i)),
    which also gives equal treatment of equals. ``base_spec`` names the base for the
    independent re-checker (e.g. ``{"mechanism": "random_priority"}``). ``check_base``:
    verify exhaustively that the base is SD-strategy-proof (and ex post stable when asked),
    and refuse it with the manipulation otherwise (needed because g equals f outside the
    changed cells); a found g's certificate records the check (``base_checked``) and the
    checker repeats it on the base it re-derives, whatever ``check_base`` says. ``solver``:
    "auto" (HiGHS proposes and exact integer arithmetic confirms, when highspy is installed;
    else z3), "highs" or "z3" (exact throughout, for small problems). ``time_limit``: seconds
    per LP; beyond it the answer is UNKNOWN. A question the independent checker would refuse
    on size grounds (agents, capacities, cells, re-derivations of the base) is `InvalidInput`
    naming the place, before any LP (`verified.search.checker_limits`).
    """
    if objective not in OBJECTIVES:
        raise InvalidInput(f"objective must be one of {list(OBJECTIVES)}, got {objective!r}", "objective")
    problem = domain.problem
    started = time.perf_counter()
    nbhd = None
    if neighbourhood is not None:
        nbhd = sorted({domain.index(problem.profile(r)) for r in neighbourhood})
        if not nbhd:
            raise InvalidInput("the neighbourhood is empty", "neighbourhood")
    nonwaste = sorted({domain.index(problem.profile(r)) for r in nonwasteful_at})
    _count_nonwaste_cases(problem.m, len(nonwaste))  # before any work
    stable_pr = None
    if ex_post_stable is not None:
        from verified.search.stability import read_priorities

        stable_pr = read_priorities(problem, ex_post_stable)
        if nbhd is None:
            raise InvalidInput(
                "ex post stability is supported with a neighbourhood of profiles", "ex_post_stable"
            )
        if not base_spec:
            raise InvalidInput(
                "ex post stability needs a base the checker can rebuild: give base_spec naming a built-in",
                "base_spec",
            )
    table = None
    if check_base or (nbhd is None and not nonwaste):
        table = _base_table(base, domain)
    if check_base and table is not None:
        from verified.search.stability import check_base as check_the_base

        check_the_base(table, stable_pr)
    base_checked = None
    if nbhd is not None:  # g is the base elsewhere: the certificate says so and the checker checks it
        from verified.search.stability import base_checked_json

        base_checked = base_checked_json(domain, stable_pr is not None)
    anonymous = False
    if nbhd is None and not nonwaste and domain.is_symmetric and table is not None:
        # the orbit LP packs f into int64 arrays: only when every product with a capacity fits
        small = int(table.denominator) * max(problem.capacities) * problem.n < 2**62
        anonymous = small and check_anonymous(table).holds
    base_at = table if table is not None else base
    if ex_post_efficient and nbhd is None:
        raise InvalidInput(
            "ex post efficiency is supported with a neighbourhood of profiles", "ex_post_efficient"
        )
    options = {
        "neighbourhood": None if nbhd is None else [profile_json(domain, p) for p in nbhd],
        "nonwasteful_at": [profile_json(domain, p) for p in nonwaste],
        "relaxed": bool(relaxed),
        "equal_treatment": bool(equal_treatment),
        "ex_post_efficient": bool(ex_post_efficient),
    }
    if stable_pr is not None:  # only when asked: earlier certificates keep their bytes
        from verified.search.stability import priorities_json

        options["ex_post_stable"] = priorities_json(stable_pr)
    mode = "anonymous" if anonymous else "explicit"
    probe = dict(base_spec) if base_spec else {"mechanism": "table", "rows": []}
    refuse_beyond_checker(_subject(domain, probe, mode, objective, options), domain.profile_count)
    if anonymous:
        space = anonymous_space(domain, lambda digits: _row0(table, _index(domain, digits)))
        free = [c for c in _orbit_free(domain, space)]
        ett: list = []
    else:
        profiles = nbhd if nbhd is not None else list(range(len(domain)))
        profiles = sorted(set(profiles) | set(nonwaste))
        pairs = len(profiles) * sum(len(ps) for ps in domain.preferences)
        if pairs > EXPLICIT_LIMIT:
            reason = (
                f"the explicit formulation would compare about {pairs:,} (profile, agent, report) pairs "
                f"(limit {EXPLICIT_LIMIT:,}); give a neighbourhood or an anonymous base (symmetric domain)"
            )
            base_json = dict(base_spec) if base_spec else {"mechanism": "table", "rows": []}
            subject = _subject(domain, base_json, mode, objective, options)
            return SearchOutcome(unknown(PROPERTY, reason, {"kind": "unknown"}), None, subject)
        space = explicit_space(domain, base_at, profiles)
        free = [(p, i) for p in profiles for i in range(problem.n) if domain.profile(p)[i]]
        ett = []
        if equal_treatment:
            for p in profiles:
                prof = domain.profile(p)
                for i, j in itertools.permutations(range(problem.n), 2):
                    if prof[i] == prof[j] and prof[i]:
                        ett.append(((p, i), (p, j)))
    cases = _nonwaste_cases(domain, space, nonwaste)
    lotteries = []
    if ex_post_efficient or stable_pr is not None:
        from verified.search.stability import admissible_assignments

        for group, members in space.groups:
            prof = domain.profile(group[1])
            mix = admissible_assignments(problem, prof, efficient=ex_post_efficient, priorities=stable_pr)
            lotteries.append((group, members, mix))
    base_json = dict(base_spec) if base_spec else None
    if base_json is None:  # no name the checker can rebuild: the base is carried in full
        cells = _touched(space, free)
        if nbhd is not None:  # g is the base elsewhere: its SP is checked on every cell of the domain
            if len(domain) * problem.n > TABLE_CELLS:
                reason = (
                    f"a base without a name is carried in the certificate at every cell of the domain "
                    f"({len(domain) * problem.n:,} cells, limit {TABLE_CELLS:,}); "
                    "give base_spec naming a built-in"
                )
                subject = _subject(domain, {"mechanism": "table", "rows": []}, mode, objective, options)
                return SearchOutcome(unknown(PROPERTY, reason, {"kind": "unknown"}), None, subject)
            cells = [(p, i) for p in range(len(domain)) for i in range(problem.n)]
        rows = [[cell_json(domain, mode, c), _row_json(problem, space.base_row(c))] for c in cells]
        base_json = {"mechanism": "table", "rows": rows}
    subject = _subject(domain, base_json, mode, objective, options)

    def outcome(result: CheckResult, make: Callable | None = None) -> SearchOutcome:
        return SearchOutcome(result, make, subject)

    stats: dict[str, Any] = {"mode": mode, "cases": len(cases)}
    goal = objective
    if mode == "anonymous" and objective == "max-min":
        # anonymous g: every agent gains total / n; symmetrising never lowers the minimum
        goal = "total-gain"
    case_certs = []
    for exhausted in cases:
        form = _build(space, free, goal, ett, exhausted, relaxed, mode, domain, table, lotteries)
        stats["rows"], stats["vars"] = form.lp.num_rows, form.lp.num_vars
        sol = solve(form.lp, time_limit=time_limit, method=solver)
        stats.setdefault("lp", []).append(sol.stats)
        if sol.status == "unknown":
            return outcome(unknown(PROPERTY, sol.reason, {"kind": "unknown"}))
        case_json = {"exhausted": _case_json(domain, exhausted)}
        if sol.status == "infeasible":
            case_certs.append(
                {
                    **case_json,
                    "certificate": "farkas",
                    "multipliers": multipliers_json(domain, mode, form.lp, sol.dual),
                }
            )
            continue
        rows = _decode(form, sol.primal)
        strict = _strict_cells(form, rows)
        if not strict:
            if goal != "strict":  # optimum without gain: decide existence with the strict objective
                form = _build(space, free, "strict", ett, exhausted, relaxed, mode, domain, table, lotteries)
                sol = solve(form.lp, time_limit=time_limit, method=solver)
                if sol.status != "optimal":
                    return outcome(unknown(PROPERTY, sol.reason or sol.status, {"kind": "unknown"}))
                rows = _decode(form, sol.primal)
                strict = _strict_cells(form, rows)
            if not strict:
                if relaxed:  # the bound covers the neighbourhood's cells only; g may gain elsewhere
                    reason = (
                        "the relaxation's best candidate gains nothing on the neighbourhood, but a "
                        "dominator could still gain outside it; only an infeasible relaxation proves "
                        "that none exists on the whole domain"
                    )
                    return outcome(unknown(PROPERTY, reason, {"kind": "unknown"}))
                case_certs.append(
                    {
                        **case_json,
                        "certificate": "bound",
                        "multipliers": multipliers_json(domain, mode, form.lp, sol.dual),
                    }
                )
                continue
            goal_used = "strict"
        else:
            goal_used = goal
        if relaxed:
            reason = (
                "the relaxation admits a strictly better candidate; it proves nothing about the whole domain"
            )
            return outcome(unknown(PROPERTY, reason, {"kind": "unknown"}))
        value, base_value = _objective_values(space, form.free, rows, objective)
        evidence = {
            "kind": "sp_dominator",
            "g": [[cell_json(domain, mode, c), _row_json(problem, rows[c])] for c in form.free],
            "strict": [[cell_json(domain, mode, c), k] for c, k in strict],
            "value": fraction_text(value),
            "base_value": fraction_text(base_value),
        }
        if lotteries:
            evidence["lotteries"] = _lotteries_json(domain, form, sol.primal)
        if goal_used != "strict" and not nonwaste:  # an optimum within one non-waste case proves nothing
            evidence["dual"] = multipliers_json(domain, mode, form.lp, sol.dual)
        if base_checked is not None:  # g is the base outside the neighbourhood
            evidence["base_checked"] = base_checked
        stats["seconds"] = round(time.perf_counter() - started, 3)
        make = functools.partial(_g_table, domain, table, mode, rows) if table is not None else None
        return outcome(holds(PROPERTY, evidence, **stats), make)
    evidence = {"kind": "no_sp_dominator", "cases": case_certs}
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return outcome(fails(PROPERTY, evidence, **stats))


def _subject(
    domain: Domain, base: dict[str, Any], mode: str, objective: str, options: dict
) -> dict[str, Any]:
    """The question as the certificate's subject (family "search"; see `verified.recheck.search`)."""
    return {
        "family": "search",
        "problem": _problem_json(domain),
        "domain": _domain_json(domain),
        "base": base,
        "mode": mode,
        "objective": objective,
        **options,
    }


def _objective_values(space, free: Sequence[tuple], rows: Mapping[tuple, tuple], objective: str) -> tuple:  # noqa: ANN001
    """The requested objective at g (``rows`` at the free cells) and at f, exactly: "strict" sums
    every prefix probability, "total-gain" the weighted probability of an acceptable object,
    "max-min" the least gain of an agent (and 0 at f)."""
    problem = space.problem

    def acceptable(row: tuple, cell: tuple) -> Fraction:
        return sum((row[problem.object_index(x)] for x in space.pref(cell)), Fraction(0))

    if objective == "max-min":
        gains = [Fraction(0)] * problem.n
        for cell in free:
            gain = acceptable(rows[cell], cell) - acceptable(space.base_row(cell), cell)
            for i, wt in space.agents_of(cell):
                gains[i] += wt * gain
        return min(gains), Fraction(0)
    values = []
    for row_of in (lambda c: rows[c], space.base_row):
        total = Fraction(0)
        for cell in free:
            row, pref = row_of(cell), space.pref(cell)
            for k, x in enumerate(pref):
                w = len(pref) - k if objective == "strict" else space.weight(cell)
                total += w * row[problem.object_index(x)]
        values.append(total)
    return values[0], values[1]


def check_dominated_by_strategyproof(
    base: Mechanism | TabulatedMechanism, domain: Domain, **options: Any
) -> CheckResult:
    """HOLDS when an SD-strategy-proof mechanism dominates ``base`` (Erdil, Propositions 2-4);
    see `find_dominating_mechanism` for the options and the evidence."""
    return find_dominating_mechanism(base, domain, **options).result


def is_dominated_by_strategyproof(
    base: Mechanism | TabulatedMechanism, domain: Domain, **options: Any
) -> bool:
    return check_dominated_by_strategyproof(base, domain, **options).holds


def _build(space, free, goal, ett, exhausted, relaxed, mode, domain, table, lotteries) -> Formulation:  # noqa: ANN001
    if mode == "anonymous" and goal in ("strict", "total-gain"):
        return build_anonymous(space, domain, table, goal)
    return build(
        space, free, goal, equal_treatment=ett, nonwaste_case=exhausted, relaxed=relaxed, ex_post=lotteries
    )


def _lotteries_json(domain: Domain, form: Formulation, x: list[Fraction]) -> list:
    """Per changed profile: the lottery over efficient deterministic assignments."""
    per: dict[tuple, list] = {}
    for v in range(form.lp.num_vars):
        name = form.lp.var_name(v)
        if name[0] == "lottery" and x[v]:
            per.setdefault(name[1], []).append([list(name[2]), fraction_text(x[v])])
    return [[group_json(domain, g), items] for g, items in per.items()]


def _row0(table: TabulatedMechanism, profile_index: int) -> tuple[Fraction, ...]:
    return tuple(Fraction(int(v), table.denominator) for v in table.numerators[profile_index, 0])


def _index(domain: Domain, digits: Sequence[int]) -> int:
    p = 0
    for a, d in enumerate(digits):
        p = p * domain.sizes[a] + d
    return p


def _orbit_free(domain: Domain, space) -> list[tuple]:  # noqa: ANN001
    prefs = domain.preferences[0]
    return [cell for _, members in space.groups for cell, _ in members if prefs[cell[0]]]


#: Cases of the non-wastefulness split, one LP each: the checker's limit (`verified.recheck.search`).
MAX_NONWASTE_CASES = MAX_CASES


def _count_nonwaste_cases(m: int, profiles: int) -> None:
    """Refuse a split into more than `MAX_NONWASTE_CASES` cases (which objects each of the
    ``profiles`` exhausts: (2^m)^profiles) before any of them is listed."""
    if m * profiles > MAX_NONWASTE_CASES.bit_length() or (1 << (m * profiles)) > MAX_NONWASTE_CASES:
        raise InvalidInput(  # 2^(m * profiles) is never built past the limit, nor printed
            f"{profiles} profiles with {m} objects split into 2^{m * profiles:,} cases "
            f"(at most {MAX_NONWASTE_CASES}: one LP each)",
            "nonwasteful_at",
        )


def _nonwaste_cases(domain: Domain, space, nonwaste: list[int]) -> list[list]:  # noqa: ANN001
    if not nonwaste:
        return [[]]
    problem = domain.problem  # the count was checked before any work (`_count_nonwaste_cases`)
    groups = {g: members for g, members in space.groups}
    subsets = [frozenset(s) for k in range(problem.m + 1) for s in itertools.combinations(problem.objects, k)]
    cases = []
    for choice in itertools.product(subsets, repeat=len(nonwaste)):
        cases.append(
            [(("profile", p), groups[("profile", p)], s) for p, s in zip(nonwaste, choice, strict=True)]
        )
    return cases


def _case_json(domain: Domain, case: list) -> list:
    return [[group_json(domain, g), sorted(s)] for g, _, s in case]


def _g_table(
    domain: Domain, table: TabulatedMechanism, mode: str, rows: Mapping[tuple, tuple]
) -> TabulatedMechanism:
    """g over the whole domain: f's table with the free cells overwritten (exact integers)."""
    from math import lcm

    den = table.denominator
    for row in rows.values():
        for v in row:
            den = lcm(den, v.denominator)
    scale = den // table.denominator
    big = den * max(1, domain.problem.n) >= 2**62
    nums = table.numerators.astype(object if big else np.int64) * scale

    def ints(row: tuple) -> list[int]:
        return [v.numerator * (den // v.denominator) for v in row]

    if mode == "explicit":
        for (p, i), row in rows.items():
            nums[p, i, :] = ints(row)
    else:
        n = domain.problem.n
        digits = np.indices(domain.sizes).reshape(n, -1).T
        for i in range(n):
            others = np.sort(np.delete(digits, i, axis=1), axis=1)
            keys = [(int(r), tuple(o)) for r, o in zip(digits[:, i].tolist(), others.tolist(), strict=True)]
            for p, key in enumerate(keys):
                row = rows.get(key)
                if row is not None:
                    nums[p, i, :] = ints(row)
    return TabulatedMechanism(domain, nums, den, name="dominating mechanism")
