"""``eopr-robust`` certificates (Valenzuela-Stookey, sections 3 and 3.1), re-verified (stdlib only).

The EOPR allocation at a profile of chosen sets solves min sum_j pi_j . mu_j subject to
mu_j in T_j and sum_j mu_j = n. Its certificate (`eopr_certificate`) lists every
combination of convex pieces (a point set splits into its points), in product order:

* an ``optimal`` case carries prices p; per agent m_j = min over the piece of (pi_j - p) . x
  (recomputed, never -inf), and ``value`` = p . n + sum_j m_j, a lower bound on the
  case's cost (Lagrangian duality over market clearing);
* an ``infeasible`` case carries q; M_j = max over the piece of q . x (recomputed, finite)
  and ``margin`` = q . n - sum_j M_j > 0, so no clearing allocation exists in the case.

Kind ``eopr_optimal`` adds an allocation (in the chosen sets, clearing the market) whose
cost equals ``cost`` and the value of case ``best_case`` (the first least value): every
case's bound is >= ``cost``, so ``cost`` IS the EOPR cost. Kind ``eopr_infeasible`` has
only infeasible cases: no EOPR allocation exists.

* holds (``eopr_robust``): ``status_quo_cost`` = sum_j pi_j . sigma_j; ``profiles`` counts
  the menus' product; ``selections`` has one entry per profile, in product order, with an
  allocation in the chosen sets that clears the market and whose ``cost`` (recomputed) is
  at most the status quo cost, so the cost-minimising EOPR allocation's is too; ``digest``
  is the SHA-256 of the canonical selections; ``worst_cost`` is the largest selection cost
  and ``worst_profile`` the first profile attaining it; ``worst`` is that profile's
  ``eopr_optimal`` certificate with cost ``worst_cost`` and the same allocation (so
  ``worst_cost`` is exactly the largest EOPR cost over the profiles).
* fails (``eopr_not_robust``): at ``profile`` the EOPR certificate shows the cost exceeds
  ``status_quo_cost`` (recomputed), or that no clearing allocation exists.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from verified.recheck.core import dot, ensure, exact_keys, index, integer, sha256
from verified.recheck.trading import same, same_number, same_vector
from verified.recheck.trading_subject import Subject, TradingSet, bounded, vec

ZERO = Fraction(0)
OPTIMAL_KEYS = ("kind", "agents", "chosen_sets", "cases", "allocation", "cost", "best_case")


def _allocation(subject: Subject, chosen: list[TradingSet], stated: object, where: str) -> list:
    """One bundle per agent, each in its chosen set, clearing the market."""
    ensure(isinstance(stated, list) and len(stated) == len(subject.agents), f"{where}: one bundle per agent")
    mu = [vec(m, subject.n, f"{where}[{j}]") for j, m in enumerate(stated)]  # type: ignore[arg-type]
    for j, (t, m) in enumerate(zip(chosen, mu, strict=True)):
        ensure(t.contains(m), f"{where}[{j}]: agent {subject.agents[j].name!r}'s bundle is not in her set")
    ensure(subject.clears(mu), f"{where}: the allocation does not clear the market")
    return mu


def _cost(subject: Subject, mu: list) -> Fraction:
    return sum((dot(list(a.pi), list(m)) for a, m in zip(subject.agents, mu, strict=True)), ZERO)


def eopr_certificate(subject: Subject, profile: tuple[int, ...], ev: object, where: str) -> Fraction | None:
    """The exact EOPR cost at ``profile`` proved by ``ev`` (None: proved infeasible)."""
    ensure(isinstance(ev, dict), f"{where}: expected an object")
    optimal = ev.get("kind") == "eopr_optimal"  # type: ignore[union-attr]
    ensure(optimal or ev.get("kind") == "eopr_infeasible", f"{where}.kind: unknown EOPR certificate")  # type: ignore[union-attr]
    ev = exact_keys(ev, OPTIMAL_KEYS if optimal else OPTIMAL_KEYS[:4], (), where)
    chosen = [a.menu[k] for a, k in zip(subject.agents, profile, strict=True)]
    same(ev["agents"], subject.names, f"{where}.agents")
    same(ev["chosen_sets"], [t.describe() for t in chosen], f"{where}.chosen_sets")
    pieces = [t.pieces() for t in chosen]
    bounded(math.prod(len(p) for p in pieces), f"{where}: the combinations of pieces")
    combos = list(itertools.product(*(range(len(p)) for p in pieces)))
    cases = ev["cases"]
    ensure(isinstance(cases, list) and len(cases) == len(combos), f"{where}.cases: one per piece combination")
    values: list[Fraction | None] = []
    for c, (case, combo) in enumerate(zip(cases, combos, strict=True)):  # type: ignore[arg-type]
        at = f"{where}.cases[{c}]"
        parts = [pieces[j][k] for j, k in enumerate(combo)]
        status = case.get("status") if isinstance(case, dict) else None
        if status == "optimal":
            case = exact_keys(case, ("pieces", "status", "value", "prices", "agent_minima"), (), at)
            p = vec(case["prices"], subject.n, f"{at}.prices")
            minima = []
            for a, part in zip(subject.agents, parts, strict=True):
                m = part.extreme([x - y for x, y in zip(a.pi, p, strict=True)], lowest=True)
                ensure(m is not None, f"{at}.prices: leave agent {a.name!r}'s minimum unbounded")
                minima.append(m)
            same_vector(case["agent_minima"], minima, f"{at}.agent_minima")  # type: ignore[arg-type]
            value = dot(list(p), list(subject.supplies)) + sum(minima, ZERO)  # type: ignore[arg-type]
            same_number(case["value"], value, f"{at}.value")
            values.append(value)
        else:
            ensure(status == "infeasible", f"{at}.status: each case is 'optimal' or 'infeasible'")
            case = exact_keys(case, ("pieces", "status", "prices", "agent_maxima", "margin"), (), at)
            q = vec(case["prices"], subject.n, f"{at}.prices")
            maxima = [part.extreme(q, lowest=False) for part in parts]
            ensure(all(m is not None for m in maxima), f"{at}.prices: leave a maximum unbounded")
            same_vector(case["agent_maxima"], maxima, f"{at}.agent_maxima")  # type: ignore[arg-type]
            margin = dot(list(q), list(subject.supplies)) - sum(maxima, ZERO)  # type: ignore[arg-type]
            same_number(case["margin"], margin, f"{at}.margin")
            ensure(margin > 0, f"{at}: the prices do not prove infeasibility")
            values.append(None)
        same(case["pieces"], list(combo), f"{at}.pieces")
    feasible = [v for v in values if v is not None]
    if not optimal:
        ensure(not feasible, f"{where}: an infeasibility certificate with an optimal case")
        return None
    ensure(bool(feasible), f"{where}: an optimal certificate without an optimal case")
    mu = _allocation(subject, chosen, ev["allocation"], f"{where}.allocation")
    cost = _cost(subject, mu)
    same_number(ev["cost"], cost, f"{where}.cost")
    ensure(min(feasible) == cost, f"{where}: the allocation's cost {cost} is not the least case bound")  # type: ignore[type-var]
    best = index(ev["best_case"], len(values), f"{where}.best_case")
    ensure(values.index(cost) == best, f"{where}.best_case: expected the first case of value {cost}")
    return cost


def _profile(subject: Subject, stated: object, where: str) -> tuple[int, ...]:
    agents = subject.agents
    ensure(isinstance(stated, list) and len(stated) == len(agents), f"{where}: one choice per agent")
    return tuple(
        index(k, len(a.menu), f"{where}[{j}]") for j, (a, k) in enumerate(zip(agents, stated, strict=True))
    )  # type: ignore[arg-type]


ROBUST_KEYS = ("kind", "status_quo_cost", "profiles", "selections", "digest", "worst_profile", "worst_cost")


def check_robust(subject: Subject, ev: dict) -> None:
    ev = exact_keys(ev, ROBUST_KEYS + ("worst",), (), "evidence")
    sq = subject.status_quo_cost()
    same_number(ev["status_quo_cost"], sq, "evidence.status_quo_cost")
    profiles = subject.profiles()
    ensure(integer(ev["profiles"], "evidence.profiles") == len(profiles), "evidence.profiles: wrong count")
    selections = ev["selections"]
    ensure(
        isinstance(selections, list) and len(selections) == len(profiles),
        "evidence.selections: one per profile of the menus' product",
    )
    costs = []
    for s, (sel, profile) in enumerate(zip(selections, profiles, strict=True)):  # type: ignore[arg-type]
        at = f"evidence.selections[{s}]"
        sel = exact_keys(sel, ("profile", "allocation", "cost"), (), at)
        same(sel["profile"], list(profile), f"{at}.profile")
        chosen = [a.menu[k] for a, k in zip(subject.agents, profile, strict=True)]
        mu = _allocation(subject, chosen, sel["allocation"], f"{at}.allocation")
        cost = _cost(subject, mu)
        same_number(sel["cost"], cost, f"{at}.cost")
        ensure(cost <= sq, f"{at}: cost {cost} exceeds the status quo cost {sq}")
        costs.append(cost)
    same(ev["digest"], sha256(selections), "evidence.digest")
    worst = max(costs)
    same_number(ev["worst_cost"], worst, "evidence.worst_cost")
    at = costs.index(worst)
    same(ev["worst_profile"], list(profiles[at]), "evidence.worst_profile")
    proved = eopr_certificate(subject, profiles[at], ev["worst"], "evidence.worst")
    ensure(proved == worst, "evidence.worst: does not prove the worst EOPR cost")
    same(ev["worst"]["allocation"], selections[at]["allocation"], "evidence.worst.allocation")  # type: ignore[index]


def check_not_robust(subject: Subject, ev: dict) -> None:
    ev = exact_keys(ev, ("kind", "profile", "status_quo_cost", "eopr"), (), "evidence")
    sq = subject.status_quo_cost()
    same_number(ev["status_quo_cost"], sq, "evidence.status_quo_cost")
    profile = _profile(subject, ev["profile"], "evidence.profile")
    cost = eopr_certificate(subject, profile, ev["eopr"], "evidence.eopr")
    ensure(cost is None or cost > sq, f"evidence.eopr: the EOPR cost {cost} does not exceed {sq}")


def check_eopr_robust(subject: Subject, verdict: str, evidence: dict) -> None:
    if verdict == "holds":
        check_robust(subject, evidence)
    else:
        check_not_robust(subject, evidence)
