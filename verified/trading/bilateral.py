"""Bilateral trades and the value of choice (Valenzuela-Stookey, Lemma 2, Proposition 1, Theorem 1).

A bilateral trade moves ``gamma`` in Q^I from agent j'' to agent j': j' may
switch from sigma_j' to sigma_j' + gamma, j'' from sigma_j'' to
sigma_j'' - gamma, and trade happens when both want it (j' iff
gamma . c_j' <= 0, j'' iff gamma . c_j'' >= 0). Lemma 2: the trade is
feasible and improves on the status quo sigma (the economy's endowment here; a trading file's
``status_quo`` is put in its place, `verified.io.TradingSubject.status_quo_economy`) iff

  (i)   sigma_j' + gamma >= 0 and sigma_j'' - gamma >= 0,
  (ii)  (pi_j' - pi_j'') . gamma < 0,
  (iii) some c in C_j' has gamma . c < 0   (min over C_j' of gamma . c < 0),
  (iv)  some c in C_j'' has gamma . c > 0  (max over C_j'' of gamma . c > 0).

(For the strictly positive orthant the min in (iii) is an infimum that need
not be attained; we read (iii) and (iv) as "some type exists", which is what
the proof of Lemma 2 uses.)

`check_bilateral_trade` checks the four conditions for a given trade and
says which fail. `check_bilateral_improvement` decides whether ANY improving
bilateral trade exists, exactly:

* Swapping j' and j'' and negating gamma maps (i)-(iv) onto themselves, so
  unordered pairs suffice (j' = the agent listed first).
* (ii)-(iv) are positively homogeneous in gamma and (i) is a box around 0, so
  a trade exists iff the cone "gamma_i >= 0 where sigma_j'(i) = 0,
  gamma_i <= 0 where sigma_j''(i) = 0, (ii)-(iv)" is non-empty (then scale).
* (iii)/(iv) are finite disjunctions of linear strict inequalities: a box
  attains its min/max at a vertex; the orthants contain a type with
  gamma . c < 0 iff some gamma_i < 0, i.e. iff gamma . e_i < 0. A *case* is a
  pair (g_low, g_high) with the strict system::

      g_low . gamma < 0,  g_high . gamma > 0,  delta . gamma < 0

  (delta = pi_j' - pi_j'') plus the sign constraints. When both domains are
  boxes the cases are indexed by the sign patterns s of gamma (s_i = + for
  gamma_i >= 0): g_low = the vertex of C_j' minimising (lo' where +, hi'
  where -), g_high = the vertex of C_j'' maximising (hi'' where +, lo''
  where -). Otherwise the cases are all pairs of generators (box vertices, or
  unit vectors for an orthant).
* Each case is one exact LP (`verified.lp`); a feasible one gives the trade,
  an infeasible one a Motzkin certificate: multipliers y_low, y_high, y_perf
  >= 0, not all 0, such that r = y_low g_low - y_high g_high + y_perf delta
  has r_i = 0 on unconstrained tasks, r_i >= 0 where gamma_i >= 0 is forced,
  r_i <= 0 where gamma_i <= 0 is forced (any sign where gamma_i = 0 is
  forced). Then any gamma of the case would give 0 <= r . gamma < 0.
  These certificates need nothing but exact arithmetic to re-check.

Theorem 1 (with a common bounded support and a full-support status quo):
choice improves on the status quo (among OSP trading mechanisms, and among
all BIC mechanisms) iff preferences are non-degenerate and performance is not
identical. `check_theorem1` checks this equivalence on an economy by
computing both sides; Proposition 1's sufficient condition is
`proposition1_pair`. We read "non-degenerate" as "the common support
contains two linearly independent cost vectors": a support such as
[1, 2] x {0} is not a point mass, yet every type in it ranks bundles alike
and no trade can improve (the literal reading would make Theorem 1 false).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product
from typing import Any

from verified.errors import InvalidInput
from verified.lp import Constraint, LinearProgram, solve_exact
from verified.results import CheckResult, fails, holds, unknown
from verified.trading.model import CostDomain, Economy, Vector, dot, vector
from verified.trading.sets import nullspace

ZERO = Fraction(0)
LEMMA2 = "improving_bilateral_trade"
IMPROVEMENT = "bilateral_improvement"
THEOREM1 = "theorem1_value_of_choice"


def _unit(i: int, n: int) -> Vector:
    return tuple(Fraction(int(k == i)) for k in range(n))


def _sub(a: Sequence[Fraction], b: Sequence[Fraction]) -> Vector:
    return tuple(x - y for x, y in zip(a, b, strict=True))


# --- condition (iii)/(iv): a type with gamma . c < 0 (sign -1) or > 0 (sign +1) ----------------------


def extreme_type(domain: CostDomain, gamma: Sequence[Fraction], sign: int) -> tuple[Fraction | None, Vector]:
    """The min (sign -1) or max (sign +1) of gamma . c over the domain, and a type.

    Box: the exact extremum and the vertex attaining it. Orthants: the value
    is None when it is infinite (-inf / +inf); then the type is a member c of
    the domain with sign(gamma . c) == sign. Otherwise the value is 0 (an
    infimum for the positive orthant) and the type is the all-ones vector.
    """
    n = domain.dimension
    if domain.kind == "box":
        assert domain.lo is not None and domain.hi is not None
        minimum = sign < 0  # the min takes lo where gamma_i >= 0, the max takes hi there
        c = tuple(
            (lo if g >= 0 else hi) if minimum else (hi if g >= 0 else lo)
            for g, lo, hi in zip(gamma, domain.lo, domain.hi, strict=True)
        )
        return dot(gamma, c), c
    k = next((i for i, g in enumerate(gamma) if g * sign > 0), None)
    if k is None:
        return ZERO, (Fraction(1),) * n
    if domain.kind == "orthant":
        return None, _unit(k, n)
    # positive orthant: c = e_k + eps * (others) with eps small enough to keep the sign
    rest = sum((abs(g) for i, g in enumerate(gamma) if i != k), ZERO)
    eps = Fraction(1) if rest == 0 else min(Fraction(1), abs(gamma[k]) / (2 * rest))
    return None, tuple(Fraction(1) if i == k else eps for i in range(n))


# --- Lemma 2 for a given trade --------------------------------------------------------------------------


def _lemma2_evidence(economy: Economy, a: int, b: int, gamma: Vector) -> dict[str, Any]:
    tasks = economy.tasks
    plus = tuple(s + g for s, g in zip(economy.endowment[a], gamma, strict=True))
    minus = tuple(s - g for s, g in zip(economy.endowment[b], gamma, strict=True))
    negative = [tasks[i] for i, x in enumerate(plus) if x < 0]
    negative2 = [tasks[i] for i, x in enumerate(minus) if x < 0]
    delta = _sub(economy.performance[a], economy.performance[b])
    change = dot(delta, gamma)
    low, low_type = extreme_type(economy.cost_domains[a], gamma, -1)
    high, high_type = extreme_type(economy.cost_domains[b], gamma, +1)
    ok_iii = low is None or low < 0
    ok_iv = high is None or high > 0
    conditions = {
        "i": {
            "holds": not negative and not negative2,
            "bundle_prime": list(plus),
            "bundle_double_prime": list(minus),
            "negative_tasks_prime": negative,
            "negative_tasks_double_prime": negative2,
        },
        "ii": {"holds": change < 0, "performance_difference": list(delta), "cost_change": change},
        "iii": {"holds": ok_iii, "min": "-inf" if low is None else low, "type": list(low_type)},
        "iv": {"holds": ok_iv, "max": "+inf" if high is None else high, "type": list(high_type)},
    }
    return {
        "kind": "lemma2_conditions",
        "agent_prime": economy.agents[a],
        "agent_double_prime": economy.agents[b],
        "gamma": list(gamma),
        "conditions": conditions,
        "failed": [name for name in ("i", "ii", "iii", "iv") if not conditions[name]["holds"]],
    }


def check_bilateral_trade(
    economy: Economy, agent_prime: str | int, agent_double_prime: str | int, gamma: Sequence[object]
) -> CheckResult:
    """Lemma 2 (Valenzuela-Stookey): does the bilateral trade gamma (to j', from j'')
    improve on the status quo? HOLDS iff (i)-(iv) all hold; FAILS lists the failed
    conditions with their exact numbers. Evidence kind ``"lemma2_conditions"``: per
    condition ``holds`` plus (i) both new bundles, (ii) ``cost_change`` =
    (pi_j' - pi_j'') . gamma, (iii) ``min`` over C_j' (or ``"-inf"``) and a type
    attaining it / witnessing it, (iv) likewise ``max`` over C_j''."""
    a, b = economy.agent_index(agent_prime), economy.agent_index(agent_double_prime)
    if a == b:
        raise InvalidInput("a bilateral trade needs two different agents", "agent_double_prime")
    g = vector(gamma, "gamma", economy.n_tasks)
    evidence = _lemma2_evidence(economy, a, b, g)
    return holds(LEMMA2, evidence) if not evidence["failed"] else fails(LEMMA2, evidence)


def is_improving_bilateral_trade(
    economy: Economy, agent_prime: str | int, agent_double_prime: str | int, gamma: Sequence[object]
) -> bool:
    return check_bilateral_trade(economy, agent_prime, agent_double_prime, gamma).holds


# --- existence of an improving trade: exact case split ---------------------------------------------------


@dataclass(frozen=True)
class TradeCase:
    """One case of the split: gamma . low < 0 and gamma . high > 0 (plus (ii) and signs)."""

    low: Vector
    high: Vector
    label: str


def _generators(domain: CostDomain) -> tuple[Vector, ...]:
    if domain.kind == "box":
        return domain.vertices()
    return tuple(_unit(i, domain.dimension) for i in range(domain.dimension))


def trade_cases(prime: CostDomain, double_prime: CostDomain) -> tuple[TradeCase, ...]:
    """The finite case split covering (iii) and (iv) (see the module docstring)."""
    n = prime.dimension
    cases: list[TradeCase] = []
    if prime.kind == "box" and double_prime.kind == "box":
        assert prime.lo and prime.hi and double_prime.lo and double_prime.hi
        for signs in product("+-", repeat=n):
            low = tuple(prime.lo[i] if s == "+" else prime.hi[i] for i, s in enumerate(signs))
            high = tuple(double_prime.hi[i] if s == "+" else double_prime.lo[i] for i, s in enumerate(signs))
            if all((c.low, c.high) != (low, high) for c in cases):
                cases.append(TradeCase(low, high, "sign pattern " + "".join(signs)))
        return tuple(cases)
    for k, low in enumerate(_generators(prime)):
        for m, high in enumerate(_generators(double_prime)):
            cases.append(TradeCase(low, high, f"generators {k},{m}"))
    return tuple(cases)


def sign_constraints(economy: Economy, a: int, b: int) -> tuple[list[int], list[int]]:
    """Tasks where (i) forces gamma_i >= 0 (sigma_j'(i) = 0) and gamma_i <= 0 (sigma_j''(i) = 0)."""
    nonneg = [i for i in range(economy.n_tasks) if economy.endowment[a][i] == 0]
    nonpos = [i for i in range(economy.n_tasks) if economy.endowment[b][i] == 0]
    return nonneg, nonpos


def _case_program(case: TradeCase, delta: Vector, nonneg: list[int], nonpos: list[int]) -> LinearProgram:
    names = tuple(f"gamma[{i}]" for i in range(len(delta)))

    def row(vec: Sequence[Fraction]) -> dict[str, Fraction]:
        return {names[i]: x for i, x in enumerate(vec)}

    rows = [
        Constraint(row(case.low), "<=", Fraction(-1), "low"),
        Constraint(row(case.high), ">=", Fraction(1), "high"),
        Constraint(row(delta), "<=", Fraction(-1), "performance"),
    ]
    for i in range(len(delta)):
        if i in nonneg and i in nonpos:
            rows.append(Constraint({names[i]: 1}, "==", ZERO, f"sign[{i}]"))
        elif i in nonneg:
            rows.append(Constraint({names[i]: 1}, ">=", ZERO, f"sign[{i}]"))
        elif i in nonpos:
            rows.append(Constraint({names[i]: 1}, "<=", ZERO, f"sign[{i}]"))
    return LinearProgram(names, tuple(rows), {}, "min", {v: None for v in names})


def motzkin_residual(
    case_low: Sequence[Fraction],
    case_high: Sequence[Fraction],
    delta: Sequence[Fraction],
    y_low: Fraction,
    y_high: Fraction,
    y_perf: Fraction,
) -> Vector:
    """r = y_low * low - y_high * high + y_perf * delta."""
    return tuple(
        y_low * lo - y_high * hi + y_perf * d for lo, hi, d in zip(case_low, case_high, delta, strict=True)
    )


def motzkin_certificate_ok(
    case: TradeCase,
    delta: Vector,
    nonneg: list[int],
    nonpos: list[int],
    y_low: Fraction,
    y_high: Fraction,
    y_perf: Fraction,
) -> bool:
    """Exact check of one case's infeasibility certificate (module docstring)."""
    if min(y_low, y_high, y_perf) < 0 or y_low + y_high + y_perf == 0:
        return False
    r = motzkin_residual(case.low, case.high, delta, y_low, y_high, y_perf)
    for i, x in enumerate(r):
        lower, upper = i in nonneg, i in nonpos
        if (lower and upper) or x == 0:
            continue
        if not ((lower and x > 0) or (upper and x < 0)):
            return False
    return True


def _scale_into_box(economy: Economy, a: int, b: int, gamma: Vector) -> Vector:
    """Shrink gamma (never grow it) until sigma_j' + gamma >= 0 and sigma_j'' - gamma >= 0."""
    t = Fraction(1)
    for i, g in enumerate(gamma):
        if g < 0:
            t = min(t, economy.endowment[a][i] / -g)
        elif g > 0:
            t = min(t, economy.endowment[b][i] / g)
    return tuple(t * g for g in gamma)


def _simple_swap(economy: Economy, a: int, b: int) -> Vector | None:
    """The first one-for-one swap gamma = t (e_p - e_q) (j' takes task p, gives task q; t <= 1 as
    large as (i) allows) that satisfies Lemma 2: readable trades first, LPs only when none works."""
    n = economy.n_tasks
    for p, q in product(range(n), repeat=2):
        if p != q:
            gamma = _scale_into_box(economy, a, b, _sub(_unit(p, n), _unit(q, n)))
            if any(gamma) and not _lemma2_evidence(economy, a, b, gamma)["failed"]:
                return gamma
    return None


def _pair_search(economy: Economy, a: int, b: int, time_limit: float | None) -> tuple[str, Any]:
    """("trade", gamma) | ("none", pair certificate) | ("unknown", reason)."""
    swap = _simple_swap(economy, a, b)
    if swap is not None:
        return "trade", swap
    delta = _sub(economy.performance[a], economy.performance[b])
    nonneg, nonpos = sign_constraints(economy, a, b)
    cases_out = []
    for case in trade_cases(economy.cost_domains[a], economy.cost_domains[b]):
        result = solve_exact(_case_program(case, delta, nonneg, nonpos), time_limit=time_limit)
        if result.status == "optimal":
            raw = tuple(result.primal.get(f"gamma[{i}]", ZERO) for i in range(economy.n_tasks))
            return "trade", _scale_into_box(economy, a, b, raw)
        if result.status != "infeasible" or result.farkas is None:
            return (
                "unknown",
                f"LP for agents {economy.agents[a]!r}, {economy.agents[b]!r}, {case.label}: "
                + (result.reason or result.status),
            )
        y_low, y_high = -result.farkas.get("low", ZERO), result.farkas.get("high", ZERO)
        y_perf = -result.farkas.get("performance", ZERO)
        if not motzkin_certificate_ok(case, delta, nonneg, nonpos, y_low, y_high, y_perf):
            raise AssertionError(
                f"internal error: LP Farkas vector does not give a Motzkin certificate ({case})"
            )
        cases_out.append(
            {
                "case": case.label,
                "low_type": list(case.low),
                "high_type": list(case.high),
                "y_low": y_low,
                "y_high": y_high,
                "y_performance": y_perf,
            }
        )
    tasks = economy.tasks
    return "none", {
        "agent_prime": economy.agents[a],
        "agent_double_prime": economy.agents[b],
        "performance_difference": list(delta),
        "gamma_nonnegative_tasks": [tasks[i] for i in nonneg],
        "gamma_nonpositive_tasks": [tasks[i] for i in nonpos],
        "case_split": "sign_patterns"
        if all(economy.cost_domains[k].kind == "box" for k in (a, b))
        else "generators",
        "cases": cases_out,
    }


def check_bilateral_improvement(economy: Economy, *, time_limit: float | None = None) -> CheckResult:
    """Does some bilateral trade satisfy Lemma 2 (i)-(iv)? (Valenzuela-Stookey, Lemma 2;
    the sufficient condition of Proposition 1; the engine of Theorem 1.)

    HOLDS: evidence kind ``"bilateral_trade"`` with ``agent_prime``,
    ``agent_double_prime``, ``gamma`` and ``lemma2`` (the `check_bilateral_trade`
    evidence). FAILS: kind ``"no_bilateral_trade"`` with ``pairs``: for every
    unordered pair (first agent = j'), ``performance_difference`` (delta),
    ``gamma_nonnegative_tasks`` / ``gamma_nonpositive_tasks`` (sign constraints
    from (i)), ``case_split`` (``"sign_patterns"`` when both domains are boxes,
    else ``"generators"``) and ``cases``: per case ``low_type``, ``high_type``
    and the Motzkin multipliers ``y_low``, ``y_high``, ``y_performance`` (see the
    module docstring for the exact conditions a re-checker verifies).
    """
    pairs = []
    for a, b in combinations(range(economy.n_agents), 2):
        status, payload = _pair_search(economy, a, b, time_limit)
        if status == "unknown":
            return unknown(IMPROVEMENT, payload)
        if status == "trade":
            lemma = _lemma2_evidence(economy, a, b, payload)
            if lemma["failed"]:
                raise AssertionError(f"internal error: trade {payload} fails Lemma 2 {lemma['failed']}")
            return holds(
                IMPROVEMENT,
                {
                    "kind": "bilateral_trade",
                    "agent_prime": economy.agents[a],
                    "agent_double_prime": economy.agents[b],
                    "gamma": list(payload),
                    "lemma2": lemma,
                },
            )
        pairs.append(payload)
    return fails(IMPROVEMENT, {"kind": "no_bilateral_trade", "pairs": pairs})


def is_bilaterally_improvable(economy: Economy) -> bool:
    return check_bilateral_improvement(economy).holds


NO_IMPROVEMENT = "no-improving-trade"


def check_no_improving_trade(economy: Economy, *, time_limit: float | None = None) -> CheckResult:
    """Is the status quo safe from every bilateral trade, i.e. does NO trade satisfy Lemma 2
    (i)-(iv)? The property the command line certifies as ``no-improving-trade``: the negation
    of `check_bilateral_improvement` (an existence question), with the same evidence.

    HOLDS: kind ``"no_bilateral_trade"`` (the Motzkin certificates, one per pair and case).
    FAILS: kind ``"bilateral_trade"``, the improving trade as the counterexample. UNKNOWN
    when the search is (time limit)."""
    found = check_bilateral_improvement(economy, time_limit=time_limit)
    if found.unknown:
        return unknown(NO_IMPROVEMENT, found.reason or "bilateral search unknown")
    if found.holds:
        return fails(NO_IMPROVEMENT, found.evidence)
    return holds(NO_IMPROVEMENT, found.evidence)


# --- Proposition 1 and Theorem 1 -------------------------------------------------------------------------


def _rank(vectors: Sequence[Vector], n: int) -> int:
    return n - len(nullspace(list(vectors), n)) if vectors else 0


def common_support_rank(first: CostDomain, second: CostDomain) -> int:
    """The largest number of linearly independent types in C_j' ∩ C_j'' (0 if empty)."""
    n = first.dimension
    boxes = [d for d in (first, second) if d.kind == "box"]
    if not boxes:
        return n
    lo = tuple(max(d.lo[i] for d in boxes) for i in range(n))  # type: ignore[index]
    hi = tuple(min(d.hi[i] for d in boxes) for i in range(n))  # type: ignore[index]
    if any(x > y for x, y in zip(lo, hi, strict=True)):
        return 0
    if any(d.kind == "positive_orthant" for d in (first, second)) and any(h == 0 for h in hi):
        return 0  # no strictly positive type in the box
    return _rank(CostDomain.box(lo, hi).vertices(), n)


def proposition1_pair(economy: Economy) -> tuple[str, str] | None:
    """The first pair (j', j'') meeting Proposition 1's hypotheses: pi_j' != pi_j'',
    C_j' ∩ C_j'' non-empty and non-degenerate (two linearly independent types), and
    sigma_j', sigma_j'' > 0 in every task. Proposition 1: then an improving
    bilateral trade exists."""
    for a, b in combinations(range(economy.n_agents), 2):
        if economy.performance[a] == economy.performance[b]:
            continue
        if common_support_rank(economy.cost_domains[a], economy.cost_domains[b]) < 2:
            continue
        if all(x > 0 for x in economy.endowment[a] + economy.endowment[b]):
            return economy.agents[a], economy.agents[b]
    return None


def check_theorem1(economy: Economy, *, time_limit: float | None = None) -> CheckResult:
    """Theorem 1 (Valenzuela-Stookey), i <=> ii, on one economy: with a common bounded
    support and a full-support status quo, choice improves on the status quo iff
    preferences are non-degenerate and performance is not identical.

    Both sides are computed: condition i directly, and "choice improves" through
    `check_bilateral_improvement` (i => Proposition 1 gives an improving bilateral
    trade, an OSP trading mechanism, so ii; when i fails no mechanism can improve,
    in particular no bilateral trade). HOLDS when they agree (evidence kind ``"theorem1"``:
    ``non_degenerate``, ``identical_performance``, ``condition_i``,
    ``choice_improves`` and ``bilateral``, the bilateral evidence); FAILS when
    they disagree. Raises `InvalidInput` when a hypothesis is missing.
    """
    first = economy.cost_domains[0]
    for j, dom in enumerate(economy.cost_domains):
        if dom.kind != "box" or dom != first:
            raise InvalidInput(
                "Theorem 1 needs one common bounded support (box)",
                f"cost domain of agent {economy.agents[j]!r}",
            )
        for i, x in enumerate(economy.endowment[j]):
            if x <= 0:
                raise InvalidInput(
                    "Theorem 1 needs a full-support status quo",
                    f"endowment of agent {economy.agents[j]!r}, task {economy.tasks[i]!r}",
                )
    non_degenerate = common_support_rank(first, first) >= 2
    identical = all(p == economy.performance[0] for p in economy.performance)
    condition_i = non_degenerate and not identical
    bilateral = check_bilateral_improvement(economy, time_limit=time_limit)
    if bilateral.unknown:
        return unknown(THEOREM1, bilateral.reason or "bilateral search unknown")
    evidence = {
        "kind": "theorem1",
        "non_degenerate": non_degenerate,
        "identical_performance": identical,
        "condition_i": condition_i,
        "choice_improves": bilateral.holds,
        "bilateral": dict(bilateral.evidence),
    }
    return holds(THEOREM1, evidence) if condition_i == bilateral.holds else fails(THEOREM1, evidence)


def is_theorem1_consistent(economy: Economy) -> bool:
    return check_theorem1(economy).holds
