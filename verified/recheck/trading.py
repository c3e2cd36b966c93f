"""Trading certificates (Valenzuela-Stookey), re-verified from the subject (stdlib only).

* ``polarized`` holds (``per_agent``): for each agent, the directions are her menu's rays
  (in order), each non-monotone, and every pair k' < k'' has y', y'' >= 0, not both 0, with
  y' kappa' + y'' kappa'' >= 0 (recomputed). Fails: the agent's ray is monotone
  (``monotone_direction``), or a cost c >= 0 has c.kappa' < 0 and c.kappa'' < 0
  (``separating_cost``), which no non-negative combination survives.
* ``menu-osp`` fails (``menu_osp_counterexample``): a type c in C_j and, for every choice k,
  a deviation k' with points x in T^k and x' in T^k' and c.x > c.x' (so no choice is
  obviously dominant for c). Point membership is checked exactly (finite sets, rays clipped
  to the orthant, polytope vertices, the remedial box).
* ``improving-trade`` holds (``bilateral_trade``): agents j', j'' and gamma satisfy Lemma 2
  (i)-(iv), with the extrema of gamma.c over each cost domain computed here. Fails
  (``no_bilateral_trade``): the case split of (iii)-(iv) is re-derived here and every case of
  every pair carries Motzkin multipliers (see `check_no_trade`).
* ``eopr-robust`` holds (``eopr_robust``): for every profile of the menu product, the stated
  allocation lies in the chosen sets, clears the market and costs at most the status quo
  (so the cost-minimising EOPR allocation does too).
* ``osp`` (mechanism level, the subject carries the selection table and the strategies):
  see `verified.recheck.trading_osp`.
* ``menu-osp`` holds (``refutation_tree``): the atoms are re-derived from the sets, the
  domain rows are checked to hold on the cost domain, every full choice of atoms has a
  refuted prefix, and each refutation's Motzkin multipliers are verified.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from verified.recheck.core import dot as _dot
from verified.recheck.core import ensure, fail, field, rational
from verified.recheck.core import rational_vector as _vec


class Agent:
    def __init__(self, spec: dict, n: int) -> None:
        self.name = field(spec, "name", "agent")
        self.eta = _vec(field(spec, "endowment", "agent"), "endowment")
        self.pi = _vec(field(spec, "performance", "agent"), "performance")
        costs = field(spec, "costs", "agent")
        self.kind = field(costs, "kind", "costs")
        ensure(self.kind in ("box", "orthant", "positive_orthant"), f"unknown cost domain {self.kind!r}")
        if self.kind == "box":
            self.lo, self.hi = _vec(costs["lo"], "lo"), _vec(costs["hi"], "hi")
            ensure(all(0 <= a <= b for a, b in zip(self.lo, self.hi, strict=True)), "box needs 0 <= lo <= hi")
        self.menu = field(spec, "menu", "agent")
        self.sigma = _vec(spec["status_quo"], "status_quo") if "status_quo" in spec else self.eta
        ensure(len(self.eta) == n and len(self.pi) == n, "vectors must have one entry per task")

    def contains_cost(self, c: list[Fraction]) -> bool:
        if self.kind == "box":
            return all(a <= x <= b for a, x, b in zip(self.lo, c, self.hi, strict=True))
        if self.kind == "orthant":
            return all(x >= 0 for x in c)
        return all(x > 0 for x in c)

    def extreme(self, g: list[Fraction], lowest: bool) -> Fraction | None:
        """min (or max) of g.c over the cost domain; None when unbounded / not attained."""
        if self.kind == "box":
            pick = min if lowest else max
            return sum(
                (pick(gi * a, gi * b) for gi, a, b in zip(g, self.lo, self.hi, strict=True)), Fraction(0)
            )
        if lowest:
            return None if any(x < 0 for x in g) else Fraction(0)
        return None if any(x > 0 for x in g) else Fraction(0)

    def rays(self) -> list[list[Fraction]]:
        return [_vec(t["direction"], "ray") for t in self.menu if t.get("type") == "ray"]


def in_set(t: dict, x: list[Fraction]) -> bool:
    kind = t.get("type")
    if kind == "points":
        return any(_vec(p, "point") == x for p in t["points"])
    if kind == "polytope":
        return any(_vec(p, "vertex") == x for p in t["vertices"])
    if kind == "remedial":
        return all(0 <= a <= b for a, b in zip(x, _vec(t["eta"], "eta"), strict=True))
    if kind == "ray":
        origin, d = _vec(t["origin"], "origin"), _vec(t["direction"], "direction")
        if any(v < 0 for v in x):
            return False
        ys = {(a - o) / di for a, o, di in zip(x, origin, d, strict=True) if di != 0}
        fixed = all(a == o for a, o, di in zip(x, origin, d, strict=True) if di == 0)
        return fixed and len(ys) <= 1 and all(y >= 0 for y in ys)
    fail(f"unknown trading set type {kind!r}")
    return False


def _non_monotone(k: list[Fraction]) -> bool:
    return any(x > 0 for x in k) and any(x < 0 for x in k)


def check_polarized_agent(agent: Agent, verdict: str, ev: dict) -> None:
    kappas = agent.rays()
    if verdict == "fails":
        kind = ev.get("kind")
        if kind == "monotone_direction":
            k = field(ev, "index", "evidence")
            ensure(0 <= k < len(kappas) and not _non_monotone(kappas[k]), "that ray is not monotone")
            return
        ensure(kind == "separating_cost", f"unknown counterexample kind {kind!r}")
        a, b = kappas[field(ev, "first", "evidence")], kappas[field(ev, "second", "evidence")]
        c = _vec(field(ev, "cost", "evidence"), "cost")
        ensure(all(x >= 0 for x in c), "the separating cost must be >= 0")
        ensure(_dot(c, a) < 0 and _dot(c, b) < 0, "the cost does not make both directions negative")
        return
    ensure(all(_non_monotone(k) for k in kappas), "a ray is monotone, so not polarized")
    stated = {(p["first"], p["second"]): p for p in ev.get("pairs", [])}
    for k1 in range(len(kappas)):
        for k2 in range(k1 + 1, len(kappas)):
            p = stated.get((k1, k2))
            ensure(p is not None, f"no witness for rays {k1} and {k2}")
            y1, y2 = rational(p["y_first"], "y_first"), rational(p["y_second"], "y_second")
            ensure(y1 >= 0 and y2 >= 0 and (y1 or y2), "witness scalars must be >= 0, not both 0")
            combo = [y1 * a + y2 * b for a, b in zip(kappas[k1], kappas[k2], strict=True)]
            ensure(all(x >= 0 for x in combo), f"rays {k1}, {k2}: the combination is not >= 0")


def check_menu_osp_counterexample(agent: Agent, ev: dict) -> None:
    ensure(ev.get("kind") == "menu_osp_counterexample", "a 'fails' verdict needs a counterexample")
    c = _vec(field(ev, "cost", "evidence"), "cost")
    ensure(agent.contains_cost(c), "the type is outside the agent's cost domain")
    rows = {r["choice"]: r for r in field(ev, "choices", "evidence")}
    for k, chosen in enumerate(agent.menu):
        r = rows.get(k)
        ensure(r is not None, f"choice {k} has no deviation")
        k2 = r["deviation"]
        ensure(k2 != k and 0 <= k2 < len(agent.menu), f"choice {k}: bad deviation {k2}")
        x, x2 = _vec(r["worse_point"], "worse_point"), _vec(r["better_point"], "better_point")
        ensure(in_set(chosen, x), f"choice {k}: worse_point is not in the set")
        ensure(in_set(agent.menu[k2], x2), f"choice {k}: better_point is not in the deviation's set")
        ensure(_dot(c, x) > _dot(c, x2), f"choice {k}: the points do not cross")


def _shape(t: dict) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """(points, recession directions) whose hull + cone is the set (a superset of its vertices)."""
    kind = t.get("type")
    if kind == "points":
        return [_vec(p, "point") for p in t["points"]], []
    if kind == "polytope":
        return [_vec(p, "vertex") for p in t["vertices"]], []
    if kind == "remedial":
        eta = _vec(t["eta"], "eta")
        corners: list[list[Fraction]] = [[]]
        for e in eta:
            corners = [c + [v] for c in corners for v in ((Fraction(0), e) if e else (Fraction(0),))]
        return corners, []
    ensure(kind == "ray", f"unknown trading set type {kind!r}")
    origin, d = _vec(t["origin"], "origin"), _vec(t["direction"], "direction")
    if all(x >= 0 for x in d):
        return [origin], [d]
    length = min(-o / x for o, x in zip(origin, d, strict=True) if x < 0)
    return [origin, [o + length * x for o, x in zip(origin, d, strict=True)]], []


def derived_atoms(menu: list[dict]) -> list[list[list[Fraction]]]:
    """Atoms a of each choice k: a . c > 0 iff k's worst case beats some other choice's best."""
    shapes = [_shape(t) for t in menu]
    out = []
    for k, (points, directions) in enumerate(shapes):
        atoms = list(directions)
        for k2, (other_points, other_directions) in enumerate(shapes):
            if k2 != k:
                atoms.extend([[-x for x in d] for d in other_directions])
                atoms.extend(
                    [[a - b for a, b in zip(v, w, strict=True)] for v in points for w in other_points]
                )
        out.append([a for a in atoms if any(a)])
    return out


def _valid_row(agent: Agent, coeffs: list[Fraction], rhs: Fraction, strict: bool) -> bool:
    """Does coeffs . c (<|<=) rhs hold for every c in the agent's cost domain?"""
    if agent.kind == "box":
        top = sum(
            (max(a * lo, a * hi) for a, lo, hi in zip(coeffs, agent.lo, agent.hi, strict=True)), Fraction(0)
        )
        return top < rhs if strict else top <= rhs
    if any(a > 0 for a in coeffs):
        return False
    if not strict or rhs > 0:
        return rhs >= 0
    return agent.kind == "positive_orthant" and rhs == 0 and any(coeffs)


def check_refutation_tree(agent: Agent, ev: dict) -> None:
    ensure(ev.get("kind") == "refutation_tree", "menu-level OSP 'holds' needs a refutation tree")
    atoms = [[_vec(a, "atom") for a in per_k] for per_k in field(ev, "atoms", "evidence")]
    mine = derived_atoms(agent.menu)
    ensure(len(atoms) == len(mine), "one atom list per choice")
    for k, per_k in enumerate(mine):
        for a in per_k:
            ensure(a in atoms[k], f"choice {k}: the tree omits the atom {a}")
    rows = []
    for r in field(ev, "domain_rows", "evidence"):
        coeffs, rhs, strict = _vec(r["coeffs"], "row"), rational(r["rhs"], "rhs"), r["strict"] is True
        ensure(_valid_row(agent, coeffs, rhs, strict), f"domain row {r} does not hold on the cost domain")
        rows.append((coeffs, rhs, strict))
    refuted = {tuple(item["choice"]): item["multipliers"] for item in field(ev, "refuted", "evidence")}
    for prefix, multipliers in refuted.items():
        system = rows + [([-x for x in atoms[k][i]], Fraction(0), True) for k, i in enumerate(prefix)]
        y = [rational(v, "multiplier") for v in multipliers]
        ensure(len(y) == len(system) and all(v >= 0 for v in y), f"bad multipliers at {list(prefix)}")
        dim = len(agent.eta)
        combo = [
            sum((v * row[0][i] for v, row in zip(y, system, strict=True)), Fraction(0)) for i in range(dim)
        ]
        ensure(all(x == 0 for x in combo), f"multipliers at {list(prefix)} do not cancel")
        b = sum((v * row[1] for v, row in zip(y, system, strict=True)), Fraction(0))
        strict_used = any(v > 0 and row[2] for v, row in zip(y, system, strict=True))
        ensure(b < 0 or (b == 0 and strict_used), f"multipliers at {list(prefix)} prove nothing")
    stack: list[tuple[int, ...]] = [()]
    while stack:  # every full choice of atoms has a refuted prefix
        prefix = stack.pop()
        if prefix in refuted:
            continue
        ensure(len(prefix) < len(atoms), f"the atom choice {list(prefix)} is not refuted")
        stack.extend(prefix + (i,) for i in range(len(atoms[len(prefix)])))


def check_bilateral_trade(agents: list[Agent], ev: dict) -> None:
    ensure(ev.get("kind") == "bilateral_trade", "an improving trade claim needs the trade")
    names = [a.name for a in agents]
    a = agents[names.index(field(ev, "agent_prime", "evidence"))]
    b = agents[names.index(field(ev, "agent_double_prime", "evidence"))]
    ensure(a is not b, "a bilateral trade needs two agents")
    g = _vec(field(ev, "gamma", "evidence"), "gamma")
    ensure(all(x + y >= 0 for x, y in zip(a.eta, g, strict=True)), "(i) sigma_j' + gamma is not >= 0")
    ensure(all(x - y >= 0 for x, y in zip(b.eta, g, strict=True)), "(i) sigma_j'' - gamma is not >= 0")
    ensure(
        _dot([x - y for x, y in zip(a.pi, b.pi, strict=True)], g) < 0,
        "(ii) (pi_j' - pi_j'').gamma is not < 0",
    )
    low = a.extreme(g, lowest=True)
    ensure(low is None or low < 0, "(iii) min over C_j' of gamma.c is not < 0")
    high = b.extreme(g, lowest=False)
    ensure(high is None or high > 0, "(iv) max over C_j'' of gamma.c is not > 0")


def _generators(agent: Agent, n: int) -> list[list[Fraction]]:
    """Box vertices, or unit vectors for an orthant: some c in C has g . c < 0 iff some generator does."""
    if agent.kind == "box":
        out: list[list[Fraction]] = [[]]
        for lo, hi in zip(agent.lo, agent.hi, strict=True):
            out = [v + [x] for v in out for x in ((lo,) if lo == hi else (lo, hi))]
        return out
    return [[Fraction(int(i == k)) for i in range(n)] for k in range(n)]


def trade_cases(a: Agent, b: Agent, n: int) -> list[tuple[list[Fraction], list[Fraction]]]:
    """(low, high) pairs covering Lemma 2 (iii)-(iv): for boxes, the minimising vertex of C_j'
    and maximising vertex of C_j'' of each sign pattern of gamma; else all generator pairs."""
    cases: list[tuple[list[Fraction], list[Fraction]]] = []
    if a.kind == "box" and b.kind == "box":
        for signs in itertools.product((1, -1), repeat=n):
            low = [a.lo[i] if s > 0 else a.hi[i] for i, s in enumerate(signs)]
            high = [b.hi[i] if s > 0 else b.lo[i] for i, s in enumerate(signs)]
            if (low, high) not in cases:
                cases.append((low, high))
        return cases
    return [(g, h) for g in _generators(a, n) for h in _generators(b, n)]


def check_no_trade(agents: list[Agent], ev: dict, n: int) -> None:
    """For every pair and every case, Motzkin multipliers y >= 0 (not all 0) whose residual
    r = y_low low - y_high high + y_perf delta has r_i >= 0 / <= 0 / = 0 where gamma_i is
    forced >= 0 / <= 0 / free: then every gamma of the case has 0 <= r . gamma < 0."""
    ensure(ev.get("kind") == "no_bilateral_trade", "a 'fails' verdict needs the per-pair certificates")
    pairs = {(p["agent_prime"], p["agent_double_prime"]): p for p in field(ev, "pairs", "evidence")}
    for ia, ib in itertools.combinations(range(len(agents)), 2):
        a, b = agents[ia], agents[ib]
        pair = pairs.get((a.name, b.name))
        ensure(pair is not None, f"no certificate for agents {a.name!r}, {b.name!r}")
        delta = [x - y for x, y in zip(a.pi, b.pi, strict=True)]
        nonneg = {i for i in range(n) if a.eta[i] == 0}
        nonpos = {i for i in range(n) if b.eta[i] == 0}
        stated = {}
        for c in pair["cases"]:
            stated[(tuple(_vec(c["low_type"], "low")), tuple(_vec(c["high_type"], "high")))] = c
        for low, high in trade_cases(a, b, n):
            c = stated.get((tuple(low), tuple(high)))
            ensure(c is not None, f"agents {a.name!r}, {b.name!r}: case {low}, {high} is not refuted")
            ys = [rational(c[k], k) for k in ("y_low", "y_high", "y_performance")]
            ensure(min(ys) >= 0 and sum(ys) > 0, "Motzkin multipliers must be >= 0, not all 0")
            r = [ys[0] * lo - ys[1] * hi + ys[2] * d for lo, hi, d in zip(low, high, delta, strict=True)]
            for i, x in enumerate(r):
                ok = (
                    x == 0
                    or (i in nonneg and i in nonpos)
                    or (i in nonneg and x > 0)
                    or (i in nonpos and x < 0)
                )
                ensure(ok, f"agents {a.name!r}, {b.name!r}: residual has the wrong sign in task {i}")


def check_eopr_robust(agents: list[Agent], ev: dict, n: int) -> None:
    """Every profile of the menu product has a stated allocation that lies in the chosen sets,
    clears the market and costs at most the status quo: EOPR minimises cost, so its cost
    there is no higher (Valenzuela-Stookey, section 3.1)."""
    ensure(ev.get("kind") == "eopr_robust", "robustness 'holds' needs one selection per profile")
    supplies = [sum((a.eta[i] for a in agents), Fraction(0)) for i in range(n)]
    sq = sum((_dot(a.pi, a.sigma) for a in agents), Fraction(0))
    ensure(
        rational(field(ev, "status_quo_cost", "evidence"), "status_quo_cost") == sq, "status quo cost differs"
    )
    stated = {tuple(s["profile"]): s for s in field(ev, "selections", "evidence")}
    for profile in itertools.product(*(range(len(a.menu)) for a in agents)):
        s = stated.get(profile)
        ensure(s is not None, f"profile {list(profile)} has no selection")
        mu = [_vec(m, "allocation") for m in s["allocation"]]
        ensure(len(mu) == len(agents), "one bundle per agent")
        for j, (a, k) in enumerate(zip(agents, profile, strict=True)):
            ensure(
                in_set(a.menu[k], mu[j]),
                f"profile {list(profile)}: agent {a.name!r}'s bundle is not in her set",
            )
        total = [sum((m[i] for m in mu), Fraction(0)) for i in range(n)]
        ensure(total == supplies, f"profile {list(profile)}: the allocation does not clear the market")
        cost = sum((_dot(a.pi, m) for a, m in zip(agents, mu, strict=True)), Fraction(0))
        ensure(cost <= sq, f"profile {list(profile)}: cost {cost} exceeds the status quo cost {sq}")


def _pieces(t: dict) -> list[dict]:
    """Convex pieces of a trading set: a finite point set splits into its points."""
    if t.get("type") == "points":
        return [{"type": "points", "points": [p]} for p in t["points"]]
    return [t]


def piece_min(t: dict, g: list[Fraction]) -> Fraction | None:
    """min over the piece of g . x, or None when it is -infinity."""
    points, directions = _shape(t)
    if any(_dot(g, d) < 0 for d in directions):
        return None
    if t.get("type") == "remedial":
        return sum(
            (min(Fraction(0), a * e) for a, e in zip(g, _vec(t["eta"], "eta"), strict=True)), Fraction(0)
        )
    return min(_dot(g, p) for p in points)


def check_eopr_not_robust(agents: list[Agent], ev: dict, n: int) -> None:
    """At the stated profile of choices, every combination of convex pieces either has a
    Lagrangian lower bound p . n + sum_j min_{piece_j} (pi_j - p) . x above the status quo cost,
    or is infeasible by prices q with q . n > sum_j max_{piece_j} q . x: so the EOPR allocation
    costs more than the status quo, or does not exist."""
    ensure(ev.get("kind") == "eopr_not_robust", "a 'fails' verdict needs the EOPR certificate")
    supplies = [sum((a.eta[i] for a in agents), Fraction(0)) for i in range(n)]
    sq = sum((_dot(a.pi, a.sigma) for a in agents), Fraction(0))
    profile = field(ev, "profile", "evidence")
    ensure(len(profile) == len(agents), "one choice per agent")
    chosen = [a.menu[k] for a, k in zip(agents, profile, strict=True)]
    cases = {tuple(c["pieces"]): c for c in field(field(ev, "eopr", "evidence"), "cases", "eopr")}
    pieces = [_pieces(t) for t in chosen]
    for combo in itertools.product(*(range(len(p)) for p in pieces)):
        case = cases.get(combo)
        ensure(case is not None, f"piece combination {list(combo)} has no certificate")
        parts = [pieces[j][k] for j, k in enumerate(combo)]
        prices = _vec(case["prices"], "prices")
        if case.get("status") == "optimal":
            bound = _dot(prices, supplies)
            for a, part in zip(agents, parts, strict=True):
                m = piece_min(part, [x - y for x, y in zip(a.pi, prices, strict=True)])
                ensure(m is not None, "the prices leave a minimum unbounded")
                bound += m
            ensure(
                bound > sq, f"pieces {list(combo)}: lower bound {bound} is not above the status quo cost {sq}"
            )
        else:
            ensure(case.get("status") == "infeasible", "each case is optimal or infeasible")
            top = Fraction(0)
            for part in parts:
                m = piece_min(part, [-x for x in prices])
                ensure(m is not None, "the Farkas prices leave a maximum unbounded")
                top -= m
            ensure(
                _dot(prices, supplies) > top, f"pieces {list(combo)}: the prices do not prove infeasibility"
            )


def recheck_trading(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    ensure(encoding.get("kind") == "economy", "unknown trading subject kind")
    n = len(field(encoding, "tasks", "subject"))
    agents = [Agent(spec, n) for spec in field(encoding, "agents", "subject")]
    names = [a.name for a in agents]
    total = [sum((a.eta[i] for a in agents), Fraction(0)) for i in range(n)]
    ensure(all(x >= 0 for a in agents for x in a.eta) and all(t >= 0 for t in total), "negative endowment")
    if prop in ("polarized", "menu-osp") and verdict == "holds":
        items = field(evidence, "agents", "evidence")
        ensure([item["agent"] for item in items] == names, "one certificate per agent, in order")
        for agent, item in zip(agents, items, strict=True):
            if prop == "menu-osp":
                check_refutation_tree(agent, item["evidence"])
            else:
                check_polarized_agent(agent, "holds", item["evidence"])
    elif prop in ("polarized", "menu-osp") and verdict == "fails":
        ensure(field(evidence, "agent", "evidence") in names, "unknown agent")
        agent = agents[names.index(evidence["agent"])]
        if prop == "polarized":
            check_polarized_agent(agent, "fails", evidence)
        else:
            check_menu_osp_counterexample(agent, evidence)
    elif prop == "improving-trade" and verdict == "holds":
        check_bilateral_trade(agents, evidence)
    elif prop == "eopr-robust" and verdict == "holds":
        check_eopr_robust(agents, evidence, n)
    elif prop == "eopr-robust" and verdict == "fails":
        check_eopr_not_robust(agents, evidence, n)
    elif prop == "improving-trade" and verdict == "fails":
        check_no_trade(agents, evidence, n)
    elif prop == "osp":
        from verified.recheck.trading_osp import recheck_osp

        recheck_osp(agents, verdict, evidence, encoding, n)
    else:
        fail(f"no independent checker for trading property {prop!r} with verdict {verdict!r}")
