"""Ex post efficiency and SD-efficiency certificates (stdlib only), per profile of a table.

* ``efficient_lottery``: weights > 0 summing to 1 over deterministic assignments, each
  feasible and Pareto efficient (checked here by enumerating every deterministic
  assignment), whose expectation is exactly the table's assignment.
* ``farkas`` (not ex post efficient): prices y with sum y.gamma > 0 while every Pareto
  efficient deterministic assignment inside supp(gamma) (enumerated here) has price <= 0,
  so no lottery over them has expectation gamma.
* ``lp_optimum`` (SD-efficient): the LP "maximise the sum of prefix cumulatives over IR
  assignments weakly dominating gamma" is rebuilt here from gamma and the profile; its
  dual certificate proves the optimum equals gamma's own sum, so nothing dominates gamma.
* ``dominating_assignment`` (not SD-efficient): a valid assignment that weakly dominates
  gamma at every prefix of every agent, strictly at one.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from verified.recheck.core import ensure, fail, field, rational
from verified.recheck.lp import Program
from verified.recheck.table import Table


def _rank(t: Table, pref: tuple[str, ...], column: int) -> int:
    if column == t.m:
        return len(pref)
    x = t.objects[column]
    return pref.index(x) if x in pref else len(pref) + 1


def _deterministic(t: Table, columns: list[int] | tuple[int, ...]) -> bool:
    return all(sum(1 for c in columns if c == k) <= t.capacities[k] for k in range(t.m))


def pareto_efficient(t: Table, profile: list[tuple[str, ...]], columns: tuple[int, ...]) -> bool:
    """No feasible deterministic assignment is weakly better for all and strictly for one."""
    ranks = [_rank(t, profile[i], c) for i, c in enumerate(columns)]
    for other in itertools.product(range(t.m + 1), repeat=t.n):
        if other == columns or not _deterministic(t, other):
            continue
        new = [_rank(t, profile[i], c) for i, c in enumerate(other)]
        if all(a <= b for a, b in zip(new, ranks, strict=True)) and new != ranks:
            return False
    return True


def _columns(t: Table, assignment: object, where: str) -> tuple[int, ...]:
    ensure(isinstance(assignment, dict) and set(assignment) == set(t.agents), f"{where}: one entry per agent")
    cols = tuple(t.column(assignment[a], where) for a in t.agents)  # type: ignore[index]
    ensure(_deterministic(t, cols), f"{where}: over capacity")
    return cols


def _gamma(t: Table, pi: int, ev: dict) -> list[list[Fraction]]:
    gamma = [[Fraction(v, t.den) for v in row] for row in t.nums[pi]]
    stated = ev.get("assignment")
    if isinstance(stated, dict):
        for i, a in enumerate(t.agents):
            row = stated.get(a, {})
            ensure(set(row) <= set(t.columns), "evidence assignment: unknown column")
            for k, x in enumerate(t.columns):
                ensure(rational(row.get(x, 0), "assignment") == gamma[i][k], "evidence assignment != table")
    return gamma


def stable(t: Table, profile: list[tuple[str, ...]], columns: tuple[int, ...]) -> bool:
    """Erdil, section 3: individually rational, no waste (a preferred object with a free copy)
    and no priority violation (a preferred object held by someone of strictly lower priority).
    Priorities come from the subject: object -> tie classes, highest first."""
    classes = field(t.encoding, "priorities", "subject")
    rank = {}
    for x, order in classes.items():
        for c, tie in enumerate(order):
            for a in tie:
                rank[(x, a)] = c
    ensure(len(rank) == t.m * t.n, "priorities must rank every agent for every object")
    load = [sum(1 for c in columns if c == k) for k in range(t.m)]
    for i, pref in enumerate(profile):
        mine = columns[i]
        if mine < t.m and t.objects[mine] not in pref:
            return False
        better = pref if mine == t.m else pref[: pref.index(t.objects[mine])]
        for x in better:
            k = t.objects.index(x)
            if load[k] < t.capacities[k]:
                return False
            for j, c in enumerate(columns):
                if c == k and rank[(x, t.agents[i])] < rank[(x, t.agents[j])]:
                    return False
    return True


def check_stable_lottery(t: Table, profile: list, gamma: list, ev: dict) -> None:
    check_efficient_lottery(t, profile, gamma, ev, stable)


def check_stable_farkas(t: Table, profile: list, gamma: list, ev: dict) -> None:
    check_ex_post_farkas(t, profile, gamma, ev, stable)


def check_efficient_lottery(t: Table, profile: list, gamma: list, ev: dict, good=None) -> None:  # noqa: ANN001
    good = good or pareto_efficient
    total = Fraction(0)
    mean = [[Fraction(0)] * (t.m + 1) for _ in range(t.n)]
    for k, item in enumerate(field(ev, "lottery", "evidence")):
        w = rational(field(item, "weight", "lottery item"), f"lottery[{k}].weight")
        ensure(w > 0, f"lottery[{k}]: weight must be positive")
        cols = _columns(t, field(item, "assignment", "lottery item"), f"lottery[{k}]")
        ensure(good(t, profile, cols), f"lottery[{k}] is not Pareto efficient / stable")
        total += w
        for i, c in enumerate(cols):
            mean[i][c] += w
    ensure(total == 1, f"lottery weights sum to {total}, not 1")
    ensure(mean == gamma, "the lottery's expectation is not the assignment")


def check_ex_post_farkas(t: Table, profile: list, gamma: list, ev: dict, good=None) -> None:  # noqa: ANN001
    good = good or pareto_efficient
    prices = field(ev, "prices", "evidence")
    y = [[Fraction(0)] * (t.m + 1) for _ in range(t.n)]
    for a, row in prices.items():
        i = t.agent(a, "prices")
        for x, q in row.items():
            y[i][t.column(x, "prices")] = rational(q, f"prices[{a}][{x}]")
    value = sum((y[i][c] * gamma[i][c] for i in range(t.n) for c in range(t.m + 1)), Fraction(0))
    ensure(value > 0, "the assignment's price is not positive")
    support = [[c for c in range(t.m + 1) if gamma[i][c] > 0] for i in range(t.n)]
    for cols in itertools.product(*support):
        if _deterministic(t, cols) and good(t, profile, cols):
            price = sum((y[i][c] for i, c in enumerate(cols)), Fraction(0))
            ensure(price <= 0, f"efficient assignment {cols} has positive price {price}")


def sd_lp(t: Table, profile: list, gamma: list) -> tuple[dict, Fraction]:
    """The SD-efficiency LP in `verified.lp` JSON form, and gamma's objective value."""
    variables, objective, rows, baseline = [], {}, [], Fraction(0)
    for i, pref in enumerate(profile):
        allowed = [t.objects.index(x) for x in pref] + [t.m]
        cell = [f"g[{i}][{c}]" for c in allowed]
        variables.extend(cell)
        rows.append({"name": f"row[{i}]", "coefficients": dict.fromkeys(cell, 1), "sense": "==", "rhs": 1})
        prefixes = [allowed[: k + 1] for k in range(len(pref))] + [allowed]
        for k, cols in enumerate(prefixes):
            own = sum((gamma[i][c] for c in cols), Fraction(0))
            baseline += own
            names = [f"g[{i}][{c}]" for c in cols]
            rows.append(
                {
                    "name": f"prefix[{i}][{k}]",
                    "coefficients": dict.fromkeys(names, 1),
                    "sense": ">=",
                    "rhs": own,
                }
            )
            for v in names:
                objective[v] = objective.get(v, 0) + 1
    for k in range(t.m):
        names = [f"g[{i}][{k}]" for i, pref in enumerate(profile) if t.objects[k] in pref]
        rows.append(
            {
                "name": f"column[{k}]",
                "coefficients": dict.fromkeys(names, 1),
                "sense": "<=",
                "rhs": t.capacities[k],
            }
        )
    lp = {"variables": variables, "constraints": rows, "objective": objective, "sense": "max"}
    return lp, baseline


def check_sd_optimum(t: Table, profile: list, gamma: list, ev: dict) -> None:
    lp, baseline = sd_lp(t, profile, gamma)
    cert = field(ev, "certificate", "evidence")
    ensure(cert.get("status") == "optimal", "the LP certificate is not an optimality certificate")
    value = Program(lp).check_optimal({k: v for k, v in cert.items() if k != "primal"})
    ensure(value == baseline, f"the LP optimum {value} exceeds the assignment's own value {baseline}")


def check_dominating(t: Table, profile: list, gamma: list, ev: dict) -> None:
    stated = field(ev, "dominating", "evidence")
    rows = []
    for a in t.agents:
        row = stated.get(a, {})
        rows.append([rational(row.get(x, 0), f"dominating[{a}][{x}]") for x in t.columns])
    for i, row in enumerate(rows):
        ensure(all(v >= 0 for v in row) and sum(row) == 1, f"dominating row of {t.agents[i]!r} is invalid")
    for k in range(t.m):
        ensure(
            sum(r[k] for r in rows) <= t.capacities[k], f"dominating column {t.objects[k]!r} over capacity"
        )
    strict = False
    for i, pref in enumerate(profile):
        cols = [t.objects.index(x) for x in pref] + [t.m]
        for k in range(1, len(cols) + 1):
            new = sum(rows[i][c] for c in cols[:k])
            old = sum(gamma[i][c] for c in cols[:k])
            ensure(new >= old, f"the 'dominating' assignment is worse for {t.agents[i]!r}")
            strict = strict or new > old
    ensure(strict, "the 'dominating' assignment is nowhere strictly better")


PER_KIND = {
    ("ex-post-efficient", "efficient_lottery"): check_efficient_lottery,
    ("ex-post-efficient", "farkas"): check_ex_post_farkas,
    ("sd-efficient", "lp_optimum"): check_sd_optimum,
    ("sd-efficient", "dominating_assignment"): check_dominating,
    ("ex-post-stable", "stable_lottery"): check_stable_lottery,
    ("ex-post-stable", "farkas"): check_stable_farkas,
}
HOLDING_KINDS = {"efficient_lottery", "lp_optimum", "stable_lottery"}


def _one(t: Table, prop: str, ev: dict, pi: int | None = None) -> str:
    index = t.index(field(ev, "profile", "evidence"), "evidence.profile")
    ensure(pi is None or index == pi, f"certificate #{pi} is about another profile")
    checker = PER_KIND.get((prop, ev.get("kind")))
    if checker is None:
        fail(f"no checker for {prop} evidence of kind {ev.get('kind')!r}")
    checker(t, t.profile(index), _gamma(t, index, ev), ev)  # type: ignore[misc]
    return ev["kind"]


def recheck_efficiency(t: Table, prop: str, verdict: str, ev: dict) -> None:
    if verdict == "fails":
        ensure(_one(t, prop, ev) not in HOLDING_KINDS, "a 'fails' verdict needs a counterexample")
        return
    ensure(ev.get("kind") == "per_profile", "a 'holds' verdict needs one certificate per profile")
    items = field(ev, "certificates", "evidence")
    ensure(isinstance(items, list) and len(items) == t.count, f"expected {t.count} per-profile certificates")
    for pi, item in enumerate(items):
        ensure(_one(t, prop, item, pi) in HOLDING_KINDS, f"certificate #{pi} does not prove the property")
