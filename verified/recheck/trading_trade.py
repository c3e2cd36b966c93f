"""``no-improving-trade`` certificates (Valenzuela-Stookey, Lemma 2), re-verified (stdlib only).

Below, "holds" and "fails" are the verdicts of the existence claim (the old name
``improving-trade``); ``no-improving-trade`` claims the negation, so its fails is the first
case and its holds the second (`verified.recheck.trading.recheck_trading` maps the verdict).

* holds (``bilateral_trade``): two distinct agents j', j'' and gamma satisfy Lemma 2:
  (i) sigma_j' + gamma >= 0 and sigma_j'' - gamma >= 0 (sigma: the status quo, the endowment
  eta when the subject gives none), (ii) (pi_j' - pi_j'') . gamma < 0,
  (iii) min over C_j' of gamma . c < 0, (iv) max over C_j'' of gamma . c > 0 (extrema over
  boxes and orthants computed here). ``lemma2`` repeats the trade with every condition's
  numbers: the bundles, the negative tasks (none), delta and the cost change, the min / max
  (or "-inf" / "+inf") and a type of the domain attaining (box) or witnessing (orthant) it;
  each is recomputed and compared, and ``failed`` must be empty.
* fails (``no_bilateral_trade``): one entry per unordered pair (j' before j'' in the
  subject's order), with delta, the tasks where (i) forces gamma_i >= 0 / <= 0 and the case
  split (``sign_patterns`` for two boxes, else ``generators``) recomputed; every case, in
  the library's order and with its label, carries Motzkin multipliers y >= 0, not all 0,
  whose residual r = y_low low - y_high high + y_perf delta has r_i >= 0 / <= 0 / = 0 where
  gamma_i is forced >= 0 / <= 0 / free: then every gamma of the case has 0 <= r . gamma < 0.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from verified.recheck.core import dot, ensure, exact_keys, rational
from verified.recheck.trading import same, same_number, same_vector
from verified.recheck.trading_subject import Agent, Subject, bounded, texts, vec

ZERO = Fraction(0)
LEMMA_KEYS = ("kind", "agent_prime", "agent_double_prime", "gamma", "conditions", "failed")


def _extreme_type(agent: Agent, gamma: tuple[Fraction, ...], stated: object, sense: str, where: str) -> None:
    """(iii) / (iv): the stated ``min`` / ``max`` of gamma . c over C_j and its ``type``."""
    lowest = sense == "min"
    stated = exact_keys(stated, ("holds", sense, "type"), (), where)
    value = agent.extreme(gamma, lowest)
    c = vec(stated["type"], len(gamma), f"{where}.type")
    ensure(agent.contains_cost(c), f"{where}.type: not in the cost domain")
    gc = dot(list(gamma), list(c))
    if value is None:
        same(stated[sense], "-inf" if lowest else "+inf", f"{where}.{sense}")
        ensure(gc < 0 if lowest else gc > 0, f"{where}.type: does not witness the unbounded {sense}")
    else:
        same_number(stated[sense], value, f"{where}.{sense}")
        ensure(agent.kind != "box" or gc == value, f"{where}.type: does not attain the {sense}")
        ensure(value < 0 if lowest else value > 0, f"{where}: the condition fails")
    same(stated["holds"], True, f"{where}.holds")


def check_bilateral_trade(subject: Subject, ev: dict) -> None:
    ev = exact_keys(ev, ("kind", "agent_prime", "agent_double_prime", "gamma", "lemma2"), (), "evidence")
    ia = subject.agent(ev["agent_prime"], "evidence.agent_prime")
    ib = subject.agent(ev["agent_double_prime"], "evidence.agent_double_prime")
    ensure(ia != ib, "evidence: a bilateral trade needs two different agents")
    a, b = subject.agents[ia], subject.agents[ib]
    g = vec(ev["gamma"], subject.n, "evidence.gamma")
    plus = [x + y for x, y in zip(a.sigma, g, strict=True)]
    minus = [x - y for x, y in zip(b.sigma, g, strict=True)]
    ensure(all(x >= 0 for x in plus), "(i) sigma_j' + gamma is not >= 0")
    ensure(all(x >= 0 for x in minus), "(i) sigma_j'' - gamma is not >= 0")
    delta = [x - y for x, y in zip(a.pi, b.pi, strict=True)]
    change = dot(delta, list(g))
    ensure(change < 0, "(ii) (pi_j' - pi_j'') . gamma is not < 0")
    lemma = exact_keys(ev["lemma2"], LEMMA_KEYS, (), "evidence.lemma2")
    same(lemma["kind"], "lemma2_conditions", "evidence.lemma2.kind")
    same(lemma["agent_prime"], a.name, "evidence.lemma2.agent_prime")
    same(lemma["agent_double_prime"], b.name, "evidence.lemma2.agent_double_prime")
    same_vector(lemma["gamma"], g, "evidence.lemma2.gamma")
    same(lemma["failed"], [], "evidence.lemma2.failed")
    cond = exact_keys(lemma["conditions"], ("i", "ii", "iii", "iv"), (), "evidence.lemma2.conditions")
    at = "evidence.lemma2.conditions"
    one = exact_keys(
        cond["i"],
        (
            "holds",
            "bundle_prime",
            "bundle_double_prime",
            "negative_tasks_prime",
            "negative_tasks_double_prime",
        ),
        (),
        f"{at}.i",
    )
    same(one["holds"], True, f"{at}.i.holds")
    same_vector(one["bundle_prime"], plus, f"{at}.i.bundle_prime")
    same_vector(one["bundle_double_prime"], minus, f"{at}.i.bundle_double_prime")
    same(one["negative_tasks_prime"], [], f"{at}.i.negative_tasks_prime")
    same(one["negative_tasks_double_prime"], [], f"{at}.i.negative_tasks_double_prime")
    two = exact_keys(cond["ii"], ("holds", "performance_difference", "cost_change"), (), f"{at}.ii")
    same(two["holds"], True, f"{at}.ii.holds")
    same_vector(two["performance_difference"], delta, f"{at}.ii.performance_difference")
    same_number(two["cost_change"], change, f"{at}.ii.cost_change")
    _extreme_type(a, g, cond["iii"], "min", f"{at}.iii")
    _extreme_type(b, g, cond["iv"], "max", f"{at}.iv")


def _generators(agent: Agent, n: int) -> list[tuple[Fraction, ...]]:
    """Box vertices (lexicographic, lo before hi, repeats skipped), or the unit vectors."""
    if agent.kind == "box":
        choices = [(lo,) if lo == hi else (lo, hi) for lo, hi in zip(agent.lo, agent.hi, strict=True)]
        bounded(2 ** sum(len(c) - 1 for c in choices), "the vertices of a cost box")
        return list(itertools.product(*choices))
    return [tuple(Fraction(int(i == k)) for i in range(n)) for k in range(n)]


def trade_cases(a: Agent, b: Agent, n: int) -> list[tuple[tuple[Fraction, ...], tuple[Fraction, ...], str]]:
    """(low, high, label) covering Lemma 2 (iii)-(iv): for two boxes, the minimising vertex of
    C_j' and maximising vertex of C_j'' of each sign pattern of gamma; else all generator pairs."""
    cases: list[tuple[tuple[Fraction, ...], tuple[Fraction, ...], str]] = []
    if a.kind == "box" and b.kind == "box":
        bounded(2**n, "the sign patterns of gamma")
        for signs in itertools.product("+-", repeat=n):
            low = tuple(a.lo[i] if s == "+" else a.hi[i] for i, s in enumerate(signs))
            high = tuple(b.hi[i] if s == "+" else b.lo[i] for i, s in enumerate(signs))
            if all((c[0], c[1]) != (low, high) for c in cases):
                cases.append((low, high, "sign pattern " + "".join(signs)))
        return cases
    lows, highs = _generators(a, n), _generators(b, n)
    bounded(len(lows) * len(highs), "the pairs of generators")
    for k, low in enumerate(lows):
        for m, high in enumerate(highs):
            cases.append((low, high, f"generators {k},{m}"))
    return cases


PAIR_KEYS = (
    "agent_prime",
    "agent_double_prime",
    "performance_difference",
    "gamma_nonnegative_tasks",
    "gamma_nonpositive_tasks",
    "case_split",
    "cases",
)


def check_no_trade(subject: Subject, ev: dict) -> None:
    ev = exact_keys(ev, ("kind", "pairs"), (), "evidence")
    n = subject.n
    count = bounded(len(subject.agents) * (len(subject.agents) - 1) // 2, "the pairs of agents")
    wanted = itertools.islice(itertools.combinations(range(len(subject.agents)), 2), count)
    pairs = ev["pairs"]
    ensure(isinstance(pairs, list) and len(pairs) == count, "evidence.pairs: one entry per pair of agents")
    for p, (pair, (ia, ib)) in enumerate(zip(pairs, wanted, strict=True)):  # type: ignore[arg-type]
        where = f"evidence.pairs[{p}]"
        pair = exact_keys(pair, PAIR_KEYS, (), where)
        a, b = subject.agents[ia], subject.agents[ib]
        same(pair["agent_prime"], a.name, f"{where}.agent_prime")
        same(pair["agent_double_prime"], b.name, f"{where}.agent_double_prime")
        delta = [x - y for x, y in zip(a.pi, b.pi, strict=True)]
        same_vector(pair["performance_difference"], delta, f"{where}.performance_difference")
        nonneg = {i for i in range(n) if a.sigma[i] == 0}
        nonpos = {i for i in range(n) if b.sigma[i] == 0}
        same(pair["gamma_nonnegative_tasks"], [subject.tasks[i] for i in sorted(nonneg)], f"{where}.nonneg")
        same(pair["gamma_nonpositive_tasks"], [subject.tasks[i] for i in sorted(nonpos)], f"{where}.nonpos")
        split = "sign_patterns" if a.kind == b.kind == "box" else "generators"
        same(pair["case_split"], split, f"{where}.case_split")
        cases = trade_cases(a, b, n)
        stated = pair["cases"]
        ensure(isinstance(stated, list) and len(stated) == len(cases), f"{where}.cases: one entry per case")
        for c, (case, (low, high, label)) in enumerate(zip(stated, cases, strict=True)):  # type: ignore[arg-type]
            at = f"{where}.cases[{c}]"
            case = exact_keys(
                case, ("case", "low_type", "high_type", "y_low", "y_high", "y_performance"), (), at
            )
            same(case["case"], label, f"{at}.case")
            same(case["low_type"], texts(low), f"{at}.low_type")
            same(case["high_type"], texts(high), f"{at}.high_type")
            ys = [rational(case[k], f"{at}.{k}") for k in ("y_low", "y_high", "y_performance")]
            ensure(min(ys) >= 0 and sum(ys) > 0, f"{at}: Motzkin multipliers must be >= 0, not all 0")
            r = [ys[0] * lo - ys[1] * hi + ys[2] * d for lo, hi, d in zip(low, high, delta, strict=True)]
            for i, x in enumerate(r):
                ok = (
                    x == 0
                    or (i in nonneg and i in nonpos)
                    or (i in nonneg and x > 0)
                    or (i in nonpos and x < 0)
                )
                ensure(ok, f"{at}: the residual has the wrong sign in task {subject.tasks[i]!r}")


def check_improving_trade(subject: Subject, verdict: str, evidence: dict) -> None:
    """``verdict`` is the existence claim's: "holds" = a trade exists (the old ``improving-trade``)."""
    if verdict == "holds":
        check_bilateral_trade(subject, evidence)
    else:
        check_no_trade(subject, evidence)
