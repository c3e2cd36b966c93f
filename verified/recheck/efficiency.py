"""Ex post efficiency, SD-efficiency and ex post stability certificates (stdlib only), per profile.

Every per-profile certificate states the ``profile`` (which must be the profile it
stands for) and gamma as ``assignment`` (which must be the table's row at that
profile); the other fields, all re-derived here:

* ``efficient_lottery`` / ``stable_lottery`` (Erdil, section 2 / 3): weights > 0 summing
  to 1 over deterministic assignments, each feasible and Pareto efficient (stable for the
  subject's priorities, which the certificate repeats as ``priorities``), whose
  expectation is exactly gamma.
* ``farkas`` (not ex post efficient / stable): ``prices`` y with ``assignment_price`` =
  y . gamma > 0, and ``family``: exactly the Pareto efficient (stable) deterministic
  assignments inside supp(gamma) within capacities, each with its stated price <= 0; the
  checker enumerates that family itself (at most `MAX_SUPPORT` of them), so no lottery
  over them has expectation gamma.
* ``lp_optimum`` (SD-efficient, Bogomolnaia-Moulin): the LP "maximise the sum of prefix
  cumulatives over IR assignments weakly dominating gamma" is rebuilt here from gamma and
  the profile and must equal the stated ``lp``; ``baseline`` is gamma's own value; the
  exact optimality ``certificate`` proves the optimum equals it, so nothing dominates
  gamma. ``trading_relation`` (x, y, agent: the agent ranks x above y and gets y) is
  re-derived, and ``topological_order`` must order the objects along it.
* ``dominating_assignment`` (not SD-efficient): a valid assignment that weakly dominates
  gamma at every prefix of every agent; ``strict_gains`` lists exactly the strict ones.

Pareto efficiency of a deterministic assignment is decided in polynomial time (no
enumeration of (m + 1)^n assignments): it is Pareto efficient iff it is individually
rational, no agent prefers an object with a free copy, and the "envies an object held
by" graph on agents has no cycle (an improvement moves a set of strictly better-off
agents into objects freed by each other: a cycle).
"""

from __future__ import annotations

from fractions import Fraction

from verified.recheck.assignment_evidence import number, same
from verified.recheck.core import ensure, exact_keys, fail, integer, rational, text, text_list
from verified.recheck.lp import Program, same_program
from verified.recheck.table import Table

#: Deterministic assignments inside one support the checker enumerates at most (as the library).
MAX_SUPPORT = 100_000

BASE = ("kind", "profile", "assignment")
ITEM_KEYS = {
    ("ex-post-efficient", "efficient_lottery"): (*BASE, "lottery"),
    ("ex-post-efficient", "farkas"): (*BASE, "prices", "assignment_price", "family"),
    ("sd-efficient", "lp_optimum"): (
        *BASE,
        "baseline",
        "lp",
        "certificate",
        "trading_relation",
        "topological_order",
    ),
    ("sd-efficient", "dominating_assignment"): (*BASE, "dominating", "strict_gains"),
    ("ex-post-stable", "stable_lottery"): (*BASE, "priorities", "lottery"),
    ("ex-post-stable", "farkas"): (*BASE, "priorities", "prices", "assignment_price", "family"),
}
HOLDING_KINDS = {"efficient_lottery", "lp_optimum", "stable_lottery"}


def _rank(t: Table, pref: tuple[str, ...], column: int) -> int:
    if column == t.m:
        return len(pref)
    x = t.objects[column]
    return pref.index(x) if x in pref else len(pref) + 1


def _load(t: Table, columns: tuple[int, ...]) -> list[int]:
    load = [0] * t.m
    for c in columns:
        if c < t.m:
            load[c] += 1
    return load


def pareto_efficient(t: Table, profile: list[tuple[str, ...]], columns: tuple[int, ...]) -> bool:
    """IR, no preferred object with a free copy, and no cycle of agents each preferring an
    object held by the next (see module docstring)."""
    load = _load(t, columns)
    ranks = [_rank(t, profile[i], c) for i, c in enumerate(columns)]
    if any(r > len(profile[i]) for i, r in enumerate(ranks)):
        return False  # an unacceptable object: the outside option is better
    envies: list[list[int]] = []
    for i, pref in enumerate(profile):
        better = [t.objects.index(x) for x in pref[: ranks[i]]]
        if any(load[k] < t.capacities[k] for k in better):
            return False
        envies.append([j for j, c in enumerate(columns) if c in better])
    state = [0] * t.n  # 0 new, 1 on the stack, 2 done
    for start in range(t.n):
        if state[start]:
            continue
        stack = [(start, iter(envies[start]))]
        state[start] = 1
        while stack:
            node, succ = stack[-1]
            nxt = next(succ, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state[nxt] == 1:
                return False
            elif state[nxt] == 0:
                state[nxt] = 1
                stack.append((nxt, iter(envies[nxt])))
    return True


def stable(t: Table, profile: list[tuple[str, ...]], columns: tuple[int, ...]) -> bool:
    """Erdil, section 3: individually rational, no waste (a preferred object with a free copy)
    and no priority violation (a preferred object held by someone of strictly lower priority)."""
    rank = t.rank
    assert rank is not None  # the subject carries priorities for ex post stability
    load = _load(t, columns)
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


def _good(prop: str):  # noqa: ANN202
    return stable if prop == "ex-post-stable" else pareto_efficient


def _gamma(t: Table, pi: int, stated: object, where: str) -> list[list[Fraction]]:
    """gamma at profile ``pi`` (the table's), which the stated assignment must equal."""
    gamma = [[Fraction(v, t.den) for v in row] for row in t.nums[pi]]
    rows = exact_keys(stated, t.agents, (), where)
    for i, a in enumerate(t.agents):
        row = exact_keys(rows[a], (), t.columns, f"{where}[{a!r}]")
        for k, x in enumerate(t.columns):
            value = rational(row.get(x, 0), f"{where}[{a!r}][{x!r}]")
            ensure(value == gamma[i][k], f"{where}[{a!r}][{x!r}]: stated {value}, table {gamma[i][k]}")
    return gamma


def _columns(t: Table, assignment: object, where: str) -> tuple[int, ...]:
    rows = exact_keys(assignment, t.agents, (), where)
    cols = tuple(t.column(rows[a], f"{where}[{a!r}]") for a in t.agents)
    ensure(
        all(q <= cap for q, cap in zip(_load(t, cols), t.capacities, strict=True)), f"{where}: over capacity"
    )
    return cols


def check_lottery(t: Table, prop: str, profile: list, gamma: list, ev: dict) -> None:
    good = _good(prop)
    items = ev["lottery"]
    ensure(isinstance(items, list) and bool(items), "evidence.lottery: expected a non-empty list")
    total = Fraction(0)
    mean = [[Fraction(0)] * (t.m + 1) for _ in range(t.n)]
    for k, raw in enumerate(items):  # type: ignore[arg-type]
        item = exact_keys(raw, ("weight", "assignment"), (), f"lottery[{k}]")
        w = rational(item["weight"], f"lottery[{k}].weight")
        ensure(w > 0, f"lottery[{k}]: weight must be positive")
        cols = _columns(t, item["assignment"], f"lottery[{k}].assignment")
        ensure(good(t, profile, cols), f"lottery[{k}] is not Pareto efficient / stable")
        total += w
        for i, c in enumerate(cols):
            mean[i][c] += w
    ensure(total == 1, f"lottery weights sum to {total}, not 1")
    ensure(mean == gamma, "the lottery's expectation is not the assignment")


def support_family(t: Table, prop: str, profile: list, gamma: list) -> list[tuple[int, ...]]:
    """Every admissible deterministic assignment inside supp(gamma) within capacities."""
    good = _good(prop)
    options = [[c for c in range(t.m + 1) if gamma[i][c] > 0] for i in range(t.n)]
    left = list(t.capacities)
    chosen: list[int] = []
    out: list[tuple[int, ...]] = []
    steps = 0

    def walk(i: int) -> None:
        nonlocal steps
        steps += 1
        ensure(steps <= 20 * MAX_SUPPORT, "the support is too large to re-check")
        if i == t.n:
            ensure(len(out) < MAX_SUPPORT, "the support is too large to re-check")
            cols = tuple(chosen)
            if good(t, profile, cols):
                out.append(cols)
            return
        for c in options[i]:
            if c < t.m and not left[c]:
                continue
            if c < t.m:
                left[c] -= 1
            chosen.append(c)
            walk(i + 1)
            chosen.pop()
            if c < t.m:
                left[c] += 1

    walk(0)
    return out


def check_farkas(t: Table, prop: str, profile: list, gamma: list, ev: dict) -> None:
    prices = exact_keys(ev["prices"], (), t.agents, "evidence.prices")
    y = [[Fraction(0)] * (t.m + 1) for _ in range(t.n)]
    for a, raw in prices.items():
        row = exact_keys(raw, (), t.columns, f"evidence.prices[{a!r}]")
        for x, q in row.items():
            y[t.agents.index(a)][t.columns.index(x)] = rational(q, f"evidence.prices[{a!r}][{x!r}]")
    value = sum((y[i][c] * gamma[i][c] for i in range(t.n) for c in range(t.m + 1)), Fraction(0))
    ensure(value > 0, "the assignment's price is not positive")
    number(ev["assignment_price"], value, "evidence.assignment_price")
    family = support_family(t, prop, profile, gamma)
    stated = ev["family"]
    ensure(isinstance(stated, list), "evidence.family: expected a list")
    seen = set()
    for k, raw in enumerate(stated):  # type: ignore[arg-type]
        item = exact_keys(raw, ("assignment", "price"), (), f"evidence.family[{k}]")
        cols = _columns(t, item["assignment"], f"evidence.family[{k}].assignment")
        ensure(cols not in seen, f"evidence.family[{k}]: listed twice")
        seen.add(cols)
        number(
            item["price"],
            sum((y[i][c] for i, c in enumerate(cols)), Fraction(0)),
            f"evidence.family[{k}].price",
        )
    ensure(seen == set(family), "evidence.family is not the admissible family inside the support")
    for cols in family:
        price = sum((y[i][c] for i, c in enumerate(cols)), Fraction(0))
        ensure(price <= 0, f"admissible assignment {cols} has positive price {price}")


def _prefix_columns(t: Table, pref: tuple[str, ...]) -> list[list[int]]:
    cols = [t.objects.index(x) for x in pref]
    return [cols[: k + 1] for k in range(len(cols))] + [[*cols, t.m]]


def sd_lp(t: Table, profile: list, gamma: list) -> tuple[dict, Fraction]:
    """The SD-efficiency LP in `verified.lp` JSON form, and gamma's objective value."""
    variables, objective, rows, baseline = [], {}, [], Fraction(0)
    for i, pref in enumerate(profile):
        allowed = [t.objects.index(x) for x in pref] + [t.m]
        cell = [f"g[{i}][{c}]" for c in allowed]
        variables.extend(cell)
        rows.append({"name": f"row[{i}]", "coefficients": dict.fromkeys(cell, 1), "sense": "==", "rhs": 1})
        for k, cols in enumerate(_prefix_columns(t, pref)):
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


def trading_relation(t: Table, profile: list, gamma: list) -> list[list[str]]:
    """Bogomolnaia-Moulin: (x, y, agent) when the agent ranks x above y and gets y > 0."""
    out = set()
    for i, pref in enumerate(profile):
        for b, y in enumerate(pref):
            if gamma[i][t.objects.index(y)] > 0:
                out.update((x, y, t.agents[i]) for x in pref[:b])
    return [list(e) for e in sorted(out)]


def check_sd_optimum(t: Table, prop: str, profile: list, gamma: list, ev: dict) -> None:
    lp, baseline = sd_lp(t, profile, gamma)
    number(ev["baseline"], baseline, "evidence.baseline")
    program = Program(lp)
    same_program(Program(ev["lp"], "evidence.lp"), program, "evidence.lp")
    value = program.check_certificate(ev["certificate"], "optimal", "evidence.certificate")
    ensure(value == baseline, f"the LP optimum {value} exceeds the assignment's own value {baseline}")
    edges = trading_relation(t, profile, gamma)
    same(ev["trading_relation"], edges, "evidence.trading_relation")
    order = text_list(ev["topological_order"], "evidence.topological_order")
    ensure(sorted(order) == sorted(t.objects), "evidence.topological_order: not an order of the objects")
    for x, y, _ in edges:
        ensure(order.index(x) < order.index(y), f"evidence.topological_order: {x!r} must come before {y!r}")


def check_dominating(t: Table, prop: str, profile: list, gamma: list, ev: dict) -> None:
    stated = exact_keys(ev["dominating"], t.agents, (), "evidence.dominating")
    rows = []
    for a in t.agents:
        row = exact_keys(stated[a], (), t.columns, f"evidence.dominating[{a!r}]")
        rows.append([rational(row.get(x, 0), f"evidence.dominating[{a!r}][{x!r}]") for x in t.columns])
    for i, row in enumerate(rows):
        ensure(all(v >= 0 for v in row) and sum(row) == 1, f"dominating row of {t.agents[i]!r} is invalid")
    for k in range(t.m):
        ensure(
            sum(r[k] for r in rows) <= t.capacities[k], f"dominating column {t.objects[k]!r} over capacity"
        )
    gains = []
    for i, pref in enumerate(profile):
        for cols in _prefix_columns(t, pref):
            new = sum((rows[i][c] for c in cols), Fraction(0))
            old = sum((gamma[i][c] for c in cols), Fraction(0))
            ensure(new >= old, f"the 'dominating' assignment is worse for {t.agents[i]!r}")
            if new > old:
                gains.append((t.agents[i], [t.columns[c] for c in cols], old, new))
    ensure(bool(gains), "the 'dominating' assignment is nowhere strictly better")
    listed = ev["strict_gains"]
    ensure(
        isinstance(listed, list) and len(listed) == len(gains),
        f"evidence.strict_gains: expected {len(gains)}",
    )
    for k, (agent, prefix, old, new) in enumerate(gains):
        where = f"evidence.strict_gains[{k}]"
        item = exact_keys(
            listed[k], ("agent", "prefix", "cumulative_assignment", "cumulative_dominating"), (), where
        )
        same(item["agent"], agent, f"{where}.agent")
        same(item["prefix"], prefix, f"{where}.prefix")
        number(item["cumulative_assignment"], old, f"{where}.cumulative_assignment")
        number(item["cumulative_dominating"], new, f"{where}.cumulative_dominating")


PER_KIND = {
    "efficient_lottery": check_lottery,
    "stable_lottery": check_lottery,
    "farkas": check_farkas,
    "lp_optimum": check_sd_optimum,
    "dominating_assignment": check_dominating,
}


def _one(t: Table, prop: str, raw: object, pi: int | None, where: str) -> str:
    ensure(isinstance(raw, dict), f"{where}: expected an object")
    kind = text(raw.get("kind"), f"{where}.kind")  # type: ignore[union-attr]
    keys = ITEM_KEYS.get((prop, kind))
    if keys is None:
        fail(f"{where}.kind: {kind!r} is not a {prop} certificate")
    ev = exact_keys(raw, keys, (), where)  # type: ignore[arg-type]
    index = t.index(ev["profile"], f"{where}.profile")
    ensure(pi is None or index == pi, f"{where}: about another profile than #{pi}")
    if "priorities" in ev:
        assert t.rank is not None
        same(ev["priorities"], t.encoding["priorities"], f"{where}.priorities")
    gamma = _gamma(t, index, ev["assignment"], f"{where}.assignment")
    PER_KIND[kind](t, prop, t.profile(index), gamma, ev)
    return kind


def recheck_efficiency(t: Table, prop: str, verdict: str, ev: dict) -> None:
    if verdict == "fails":
        ensure(
            _one(t, prop, ev, None, "evidence") not in HOLDING_KINDS,
            "a 'fails' verdict needs a counterexample",
        )
        return
    ev = exact_keys(ev, ("kind", "profiles", "certificates"), (), "evidence")
    ensure(ev["kind"] == "per_profile", "a 'holds' verdict needs one certificate per profile")
    stated = integer(ev["profiles"], "evidence.profiles", low=0)
    ensure(stated == t.count, f"evidence.profiles: stated {stated}, the domain has {t.count}")
    items = ev["certificates"]
    ensure(isinstance(items, list) and len(items) == t.count, f"expected {t.count} per-profile certificates")
    for pi, item in enumerate(items):  # type: ignore[arg-type]
        kind = _one(t, prop, item, pi, f"evidence.certificates[{pi}]")
        ensure(kind in HOLDING_KINDS, f"certificate #{pi} does not prove the property")
