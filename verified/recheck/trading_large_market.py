"""``large-market-improves`` certificates (Valenzuela-Stookey, section 4), re-verified (stdlib only).

Subject (``{"family": "trading", "kind": "large_market"}``): ``tasks`` (distinct names) and
``agents``, each ``{"name", "endowment", "performance", "types", "probabilities"}``: eta_j >= 0
(also the status quo; the supplies are n = sum_j eta_j), pi_j, distinct types c > 0 (every
entry), probabilities > 0 summing to 1.

Evidence (``large_market_optimum``): ``value`` V, ``status_quo_cost``, ``prices`` lambda and per
agent (in subject order) ``allocation``, ``menus`` and ``support``. The checker re-derives:

1. Primal: every menu is one of the menus the program ranges over, from eta_j: ``status_quo``
   (no displacement, every type at option 0), ``remedial`` (one displacement d <= 0, d != 0,
   eta + d >= 0) or ``rays`` (1 to I displacements, each non-monotone with eta + d >= 0, every
   pair polarized: some t in [0, 1] has t d + (1 - t) d' >= 0); each type's option has the least
   cost c . d among 0 and the displacements (a myopic choice); ``expected`` E = eta + sum_t p_t
   d_(choice t); weights > 0 summing to 1; ``allocation`` x_j = sum mu E. Then sum_j x_j = n and
   sum_j pi_j . x_j = V.
2. Dual: w_j = lambda - pi_j. With the unit costs e_1..e_I added as virtual types when I >= 3,
   ``support.sets`` lists every set A of types holding at least one real type, in the order
   (real part 1, 2, ... as a bit mask; virtual part 0, 1, ... for each), with multipliers y
   (>= 0 for members, <= 0 for the others) and reduced costs r = w - sum_t y_t c_t <= 0; then
   every d with c_t . d <= 0 (t in A), c_t . d >= 0 (t not in A) and d >= -eta has
   w . d <= -r . eta = ``bound``. The checker computes, by its own dynamic programme, the best sum
   of Q(A) bound(A) over at most I disjoint sets (Q(A): the probability of A's real types) and
   U_j = max(w . eta + that sum, sum_i max(w_i, 0) eta_i) = ``support.value`` (the relaxation
   argument of `verified.trading.large_market.support`: S_j(w) <= U_j). Weak duality gives
   every feasible cost >= lambda . n - sum_j U_j, which must equal V.
3. The verdict: ``status_quo_cost`` = sum_j pi_j . eta_j; holds iff V < it, fails iff V equals it.

Evidence ``large_market_mechanism`` (holds only: the optimum is not certified, yet a feasible
mechanism gains): ``mechanism_cost``, ``status_quo_cost`` and per agent ``allocation`` and
``menus``, re-derived as in 1.; the mechanism clears the market and costs less than the status quo.
"""

from __future__ import annotations

from fractions import Fraction

from verified.recheck.core import ensure, exact_keys, integer, rational, text
from verified.recheck.trading_subject import texts, vec

ZERO, ONE = Fraction(0), Fraction(1)
MAX_MEMBERS = 13  # real plus virtual types per agent: at most 3^13 steps in the packing programme
MAX_TASKS = 8
KINDS = ("status_quo", "rays", "remedial")
KIND_KEYS = {
    "large_market_optimum": ("kind", "value", "status_quo_cost", "prices", "agents"),
    "large_market_mechanism": ("kind", "mechanism_cost", "status_quo_cost", "agents"),
}
Vec = tuple[Fraction, ...]


def _dot(a: Vec, b: Vec) -> Fraction:
    return sum((x * y for x, y in zip(a, b, strict=True)), ZERO)


class Agent:
    def __init__(self, spec: object, n: int, where: str) -> None:
        spec = exact_keys(spec, ("name", "endowment", "performance", "types", "probabilities"), (), where)
        self.name = text(spec["name"], f"{where}.name")
        ensure(self.name != "", f"{where}.name: empty")
        self.eta = vec(spec["endowment"], n, f"{where}.endowment", nonnegative=True)
        self.pi = vec(spec["performance"], n, f"{where}.performance")
        types = spec["types"]
        ensure(isinstance(types, list) and len(types) > 0, f"{where}.types: expected a non-empty list")
        self.types = tuple(vec(c, n, f"{where}.types[{t}]") for t, c in enumerate(types))  # type: ignore[arg-type]
        for t, c in enumerate(self.types):
            ensure(all(x > 0 for x in c), f"{where}.types[{t}]: every cost must be > 0")
        ensure(len(set(self.types)) == len(self.types), f"{where}.types: a type appears twice")
        probs = spec["probabilities"]
        ensure(
            isinstance(probs, list) and len(probs) == len(self.types),
            f"{where}.probabilities: one per type",
        )
        self.p = tuple(rational(x, f"{where}.probabilities[{t}]") for t, x in enumerate(probs))  # type: ignore[arg-type]
        ensure(all(x > 0 for x in self.p), f"{where}.probabilities: must be > 0")
        ensure(sum(self.p, ZERO) == 1, f"{where}.probabilities: must sum to 1")


def parse_large_market(encoding: dict) -> tuple[list[str], list[Agent]]:
    encoding = exact_keys(encoding, ("family", "kind", "tasks", "agents"), (), "subject.encoding")
    tasks = encoding["tasks"]
    ensure(isinstance(tasks, list) and 1 <= len(tasks) <= MAX_TASKS, f"subject.tasks: 1 to {MAX_TASKS} tasks")
    names = [text(t, f"subject.tasks[{i}]") for i, t in enumerate(tasks)]
    ensure(len(set(names)) == len(names) and all(names), "subject.tasks: distinct non-empty names")
    raw = encoding["agents"]
    ensure(isinstance(raw, list) and len(raw) > 0, "subject.agents: expected a non-empty list")
    agents = [Agent(a, len(names), f"subject.agents[{j}]") for j, a in enumerate(raw)]  # type: ignore[arg-type]
    ensure(len({a.name for a in agents}) == len(agents), "subject.agents: a name appears twice")
    return names, agents


def _polarized_pair(a: Vec, b: Vec) -> bool:
    """Some t in [0, 1] has t a + (1 - t) b >= 0 (coordinate i: b_i + t (a_i - b_i) >= 0)."""
    lo, hi = ZERO, ONE
    for x, y in zip(a, b, strict=True):
        slope = x - y
        if slope > 0:
            lo = max(lo, -y / slope)
        elif slope < 0:
            hi = min(hi, -y / slope)
        elif y < 0:
            return False
    return lo <= hi


def _menu(agent: Agent, spec: object, n: int, where: str) -> tuple[Fraction, Vec]:
    """The menu's weight and expected bundle, every claim about it re-derived."""
    spec = exact_keys(spec, ("weight", "kind", "displacements", "choices", "expected"), (), where)
    weight = rational(spec["weight"], f"{where}.weight")
    ensure(weight > 0, f"{where}.weight: must be > 0")
    kind = spec["kind"]
    ensure(kind in KINDS, f"{where}.kind: one of {list(KINDS)}, got {kind!r}")
    raw = spec["displacements"]
    ensure(isinstance(raw, list) and len(raw) <= n, f"{where}.displacements: at most {n} (Corollary 2)")
    ds = [vec(d, n, f"{where}.displacements[{k}]") for k, d in enumerate(raw)]  # type: ignore[arg-type]
    for k, d in enumerate(ds):
        ensure(
            all(e + x >= 0 for e, x in zip(agent.eta, d, strict=True)),
            f"{where}.displacements[{k}]: the selection eta + d leaves R^I_+",
        )
    if kind == "status_quo":
        ensure(not ds, f"{where}: the status-quo menu has no displacement")
    elif kind == "remedial":
        ensure(len(ds) == 1, f"{where}: the remedial menu has one selection in its box")
        ensure(
            all(x <= 0 for x in ds[0]) and any(ds[0]), f"{where}: a remedial selection needs d <= 0, d != 0"
        )
    else:
        ensure(len(ds) >= 1, f"{where}: a ray menu needs a ray")
        for k, d in enumerate(ds):
            ensure(
                any(x > 0 for x in d) and any(x < 0 for x in d),
                f"{where}.displacements[{k}]: not non-monotone",
            )
        for k1 in range(len(ds)):
            for k2 in range(k1 + 1, len(ds)):
                ensure(_polarized_pair(ds[k1], ds[k2]), f"{where}: rays {k1} and {k2} are not polarized")
    options = [tuple(ZERO for _ in range(n))] + ds
    choices = spec["choices"]
    ensure(isinstance(choices, list) and len(choices) == len(agent.types), f"{where}.choices: one per type")
    expected = list(agent.eta)
    for t, (c, p) in enumerate(zip(agent.types, agent.p, strict=True)):
        k = integer(choices[t], f"{where}.choices[{t}]", 0, len(options) - 1)  # type: ignore[index]
        least = min(_dot(c, d) for d in options)
        ensure(_dot(c, options[k]) == least, f"{where}.choices[{t}]: option {k} is not a least-cost choice")
        expected = [e + p * x for e, x in zip(expected, options[k], strict=True)]
    got = vec(spec["expected"], n, f"{where}.expected")
    ensure(list(got) == expected, f"{where}.expected: stated {texts(got)}, recomputed {texts(expected)}")
    return weight, tuple(expected)


def _best_packing(values: dict[int, Fraction], members: int, most: int) -> Fraction:
    """max of sum values(A) over at most ``most`` disjoint sets A (bit masks over ``members``)."""
    full = (1 << members) - 1
    # table[s] = best over at most r sets inside s, built for r = 0, 1, ..., most
    table = [ZERO] * (full + 1)
    for _ in range(most):
        nxt = [ZERO] * (full + 1)
        for s in range(1, full + 1):
            low = s & -s
            best = nxt[s ^ low]  # the lowest member in no set
            rest = s ^ low
            sub = rest
            while True:  # the lowest member in the set low | sub
                v = values.get(low | sub)
                if v is not None and v > 0 and v + table[rest ^ sub] > best:
                    best = v + table[rest ^ sub]
                if sub == 0:
                    break
                sub = (sub - 1) & rest
            nxt[s] = best
        table = nxt
    return table[full]


def _support_bound(agent: Agent, w: Vec, spec: object, n: int, where: str) -> Fraction:
    spec = exact_keys(spec, ("value", "sets"), (), where)
    m = len(agent.types)
    virtual = [tuple(ONE if i == k else ZERO for i in range(n)) for k in range(n)] if n >= 3 else []
    costs = list(agent.types) + virtual
    ensure(len(costs) <= MAX_MEMBERS, f"{where}: {len(costs)} types, more than the checker's {MAX_MEMBERS}")
    sets = spec["sets"]
    wanted = [real | extra << m for real in range(1, 1 << m) for extra in range(1 << len(virtual))]
    ensure(isinstance(sets, list) and len(sets) == len(wanted), f"{where}.sets: one per set ({len(wanted)})")
    values: dict[int, Fraction] = {}
    for k, (item, mask) in enumerate(zip(sets, wanted, strict=True)):  # type: ignore[arg-type]
        at = f"{where}.sets[{k}]"
        item = exact_keys(item, ("members", "multipliers", "bound"), (), at)
        inside = [t for t in range(len(costs)) if mask >> t & 1]
        members = item["members"]
        ensure(
            isinstance(members, list) and [integer(x, f"{at}.members") for x in members] == inside,
            f"{at}.members: expected {inside}",
        )
        y = item["multipliers"]
        ensure(isinstance(y, list) and len(y) == len(costs), f"{at}.multipliers: one per type")
        ys = [rational(v, f"{at}.multipliers[{t}]") for t, v in enumerate(y)]  # type: ignore[arg-type]
        for t, v in enumerate(ys):
            ensure(v >= 0 if mask >> t & 1 else v <= 0, f"{at}.multipliers[{t}]: wrong sign")
        reduced = [w[i] - sum((ys[t] * costs[t][i] for t in range(len(costs))), ZERO) for i in range(n)]
        ensure(all(r <= 0 for r in reduced), f"{at}: a reduced cost is positive, so no bound follows")
        bound = -sum((r * e for r, e in zip(reduced, agent.eta, strict=True)), ZERO)
        stated = rational(item["bound"], f"{at}.bound")
        ensure(stated == bound, f"{at}.bound: stated {stated}, recomputed {bound}")
        values[mask] = sum((agent.p[t] for t in inside if t < m), ZERO) * bound
    rays = _dot(w, agent.eta) + _best_packing(values, len(costs), n)
    remedial = sum((max(x, ZERO) * e for x, e in zip(w, agent.eta, strict=True)), ZERO)
    upper = max(rays, remedial)
    stated = rational(spec["value"], f"{where}.value")
    ensure(stated == upper, f"{where}.value: stated {stated}, recomputed {upper}")
    return upper


def _allocation(agent: Agent, item: dict, n: int, at: str) -> list[Fraction]:
    """x_j = sum mu E over the agent's menus, each re-derived (`_menu`); ``allocation`` must equal it."""
    ensure(item["agent"] == agent.name, f"{at}.agent: expected {agent.name!r}")
    menus = item["menus"]
    ensure(isinstance(menus, list) and len(menus) > 0, f"{at}.menus: expected a non-empty list")
    x, weights = [ZERO] * n, ZERO
    for s, menu in enumerate(menus):
        mu, e = _menu(agent, menu, n, f"{at}.menus[{s}]")
        weights += mu
        x = [a + mu * b for a, b in zip(x, e, strict=True)]
    ensure(weights == 1, f"{at}.menus: the weights sum to {weights}, not 1")
    got = vec(item["allocation"], n, f"{at}.allocation")
    ensure(list(got) == x, f"{at}.allocation: stated {texts(got)}, recomputed {texts(x)}")
    return x


def recheck_large_market(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    """Re-verify a ``large-market-improves`` certificate (module docstring); raise `RecheckError`."""
    ensure(prop == "large-market-improves", f"no independent checker for {prop!r} on a large-market subject")
    ensure(verdict in ("holds", "fails"), f"verdict: {verdict!r}")
    tasks, agents = parse_large_market(encoding)
    n = len(tasks)
    kind = evidence.get("kind") if isinstance(evidence, dict) else None
    ensure(kind in KIND_KEYS, f"evidence.kind: expected one of {sorted(KIND_KEYS)}, got {kind!r}")
    ev = exact_keys(evidence, KIND_KEYS[kind], (), "evidence")
    ensure(kind == "large_market_optimum" or verdict == "holds", "evidence.kind: fails needs the optimum")
    items = ev["agents"]
    ensure(isinstance(items, list) and len(items) == len(agents), "evidence.agents: one item per agent")
    supplies = [sum((a.eta[i] for a in agents), ZERO) for i in range(n)]
    lam = vec(ev["prices"], n, "evidence.prices") if kind == "large_market_optimum" else None
    total = [ZERO] * n
    primal = dual = ZERO
    for j, (agent, item) in enumerate(zip(agents, items, strict=True)):  # type: ignore[arg-type]
        at = f"evidence.agents[{j}]"
        keys = ("agent", "allocation", "menus") + (("support",) if lam is not None else ())
        item = exact_keys(item, keys, (), at)
        x = _allocation(agent, item, n, at)
        total = [a + b for a, b in zip(total, x, strict=True)]
        primal += _dot(agent.pi, tuple(x))
        if lam is not None:
            w = tuple(a - b for a, b in zip(lam, agent.pi, strict=True))
            dual -= _support_bound(agent, w, item["support"], n, f"{at}.support")
    ensure(
        total == supplies,
        f"evidence: the allocations sum to {texts(total)}, not the supplies {texts(supplies)}",
    )
    status_quo = sum((_dot(a.pi, a.eta) for a in agents), ZERO)
    stated = rational(ev["status_quo_cost"], "evidence.status_quo_cost")
    ensure(stated == status_quo, f"evidence.status_quo_cost: stated {stated}, recomputed {status_quo}")
    if lam is None:  # a gain shown by a feasible mechanism alone
        cost = rational(ev["mechanism_cost"], "evidence.mechanism_cost")
        ensure(cost == primal, f"evidence.mechanism_cost: stated {cost}, the mechanism costs {primal}")
        ensure(cost < status_quo, f"verdict: holds needs a cost below {status_quo}, got {cost}")
        return
    dual += _dot(lam, tuple(supplies))
    value = rational(ev["value"], "evidence.value")
    ensure(value == primal, f"evidence.value: stated {value}, the mechanism costs {primal}")
    ensure(
        value == dual, f"evidence.value: stated {value}, the dual bound is {dual}: optimality is not shown"
    )
    if verdict == "holds":
        ensure(value < status_quo, f"verdict: holds needs V < {status_quo}, got V = {value}")
    else:
        ensure(value == status_quo, f"verdict: fails needs V = {status_quo}, got V = {value}")
