"""Lower bounds on E[V*(N)] / N in the N-replica economy (Valenzuela-Stookey, section 4.3 and
appendix A.3), to bracket the optimum against the large-market mechanism's E[V_LM(N)] / N
(`verified.trading.large_market.replica`).

V*(N) is the social cost of an optimal OSP trading mechanism of the N-replica economy (the class
the large-market program relaxes), E[.] the expectation over the type profile. Both bounds below
are lower bounds on E[V*(N)] / N; the large-market mechanism run in the replica economy is itself
an OSP trading mechanism (every menu holds {eta_j}, its rays are polarized, choices are myopic and
the EOPR rule selects), so E[V*(N)] <= E[V_LM(N)]. Hence, exactly,

    max(lower bounds)  <=  E[V*(N)] / N  <=  E[V_LM(N)] / N,

and where the two ends meet the large-market mechanism is optimal at that N.

THE LARGE-MARKET BOUND, V_LM(inf) <= E[V*(N)] / N for every N (the paper, A.3, "a lower bound on
(1/N) V*(N) for any N"). The argument, checked here step by step:

1. Take any OSP trading mechanism M of the N-replica economy and an agent a of group j. By
   Theorem 2, from a's point of view M is (possibly a lottery, independent of a's type, over)
   a menu of polarized rays from eta_j or the remedial menu, a's choice is myopic, and the
   designer's selection from the chosen set depends on the others' choices. Conditional on a's
   menu and option k, the selection averaged over the others' types and the randomisation is a
   point of the chosen set T^k (T^k is convex). So a's expected bundle E[x_a] is a mixture of
   expected bundles E_j[P_j(s_j(c_j))] of menus the support function S_j ranges over: it lies in
   conv F_j, the set program (5) optimises over once menus are randomised (program (4); the column
   generation's master mixes menus, and S_j is the support function of conv F_j anyway).
2. All group-j agents share eta_j, F_j, pi_j, so x_j := (1/N) sum_{a in group j} E[x_a] is in
   conv F_j too.
3. M clears the market at every profile: sum_a x_a = N n. Taking expectations,
   sum_j x_j = n, which is (LM-MC).
4. The cost is linear: E[V_M(N)] = sum_a pi_a . E[x_a] = N sum_j pi_j . x_j >= N V_LM(inf).
   Minimising over M: E[V*(N)] / N >= V_LM(inf).

Two remarks. (a) The bound is on the expectation. A single realisation can fall below it: on
issue 12's instance at N = 8 the large-market mechanism itself realises 248/3 = 8 x 31/3 at one
count profile, below 8 x 32/3 (`ReplicaCost.low`). The paper's wording ("a lower bound on
(1/N) V*(N)", a random variable) must be read in expectation. (b) Step 1 is the paper's
Theorem 2 (that every OSP trading mechanism is, to each agent, effectively such a menu); it is
used here, not re-proved. When the large-market solution is UNKNOWN, its certified
``dual_lower`` (weak duality: below the large-market optimum) replaces V_LM(inf).

THE BIC BOUND, BIC(N) <= E[V*(N)], where BIC(N) is the optimum of program (1)
(`verified.trading.bic`) on the N-replica economy with SQ at beta = 1 and sigma = eta: every
OSP trading mechanism M in which each menu holds {eta_a} gives a feasible point of (1) with the
same objective. Let m(p) be M's expected allocation at the type profile p (over M's own
randomisation).

* (IC) OSP implies dominant strategies: at every profile of the others, a's own strategy is at
  least as good as the strategy of any other type. So m is DSIC, and in particular satisfies the
  interim constraints (IC) of (1).
* (SQ) A type that takes a set T over {eta_a} obviously dominantly has max_{x in T} c . x <=
  c . eta_a (the worst case of T is no worse than the sure eta_a); a type that stays gets eta_a.
  Every realised bundle costs at most c . eta_a, so does the interim expectation: (SQ) with
  beta = 1, sigma = eta.
* (MC) M clears at every profile and m(p) is an average of clearing allocations in R^I_+.

So BIC(N) <= E[V_M(N)] for every such M, hence BIC(N) <= E[V*(N)]. (If V*(N) were taken over all
BIC mechanisms, BIC(N) would be E[V*(N)] itself; the large-market bound needs the OSP reading.)
Program (1) has prod_j m_j^N profiles x N J x I variables; it is solved only within
`bic.MAX_VARIABLES` (issue 12's instance: N <= 3), otherwise the bound is None with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from verified.errors import InvalidInput
from verified.trading.bic import MAX_VARIABLES, FiniteEconomy, FiniteTypes, bic_program, solve
from verified.trading.large_market.model import LargeMarket
from verified.trading.large_market.replica import positive_integer


@dataclass(frozen=True)
class Bound:
    """A lower bound on E[V*(N)] (the whole economy's cost): ``value``, or None with ``reason``."""

    value: Fraction | None
    reason: str | None = None


def large_market_bound(solution: object) -> Bound:
    """V_LM(inf) (per replica) from a `LargeMarketSolution`: the certified optimum, or the certified
    dual lower bound when the solution is UNKNOWN (module docstring)."""
    status = getattr(solution, "status", None)
    if status == "optimal":
        return Bound(solution.primal_value)  # type: ignore[attr-defined]
    lower = getattr(solution, "dual_lower", None)
    if isinstance(lower, Fraction):
        return Bound(lower, "the large-market solution is UNKNOWN: its certified dual lower bound")
    return Bound(None, f"the large-market solution is {status}: {getattr(solution, 'reason', None)}")


def bic_variables(market: LargeMarket, n: int) -> int | None:
    """The number of variables of program (1) on the ``n``-replica economy, or None when it is
    certainly above `bic.MAX_VARIABLES` (computed without building huge numbers)."""
    e = market.economy
    agents = n * e.n_agents
    if agents * e.n_tasks > MAX_VARIABLES:
        return None
    base = 1
    for d in market.distributions:
        base *= d.size
    if base > 1 and n > MAX_VARIABLES.bit_length():
        return None  # base^n >= 2^n > MAX_VARIABLES
    return base**n * agents * e.n_tasks


def replica_finite_economy(market: LargeMarket, n: int) -> FiniteEconomy:
    """The N-replica economy as a `FiniteEconomy` for program (1): agents "<agent>.<copy>" in group
    order, status quo eta_j, performance pi_j, types F_j."""
    e = market.economy
    names = [f"{agent}.{copy}" for agent in e.agents for copy in range(1, n + 1)]
    groups = [j for j in range(e.n_agents) for _ in range(n)]
    types = [
        FiniteTypes.make(market.distributions[j].types, market.distributions[j].probabilities) for j in groups
    ]
    return FiniteEconomy.make(
        list(e.tasks),
        names,
        [e.endowment[j] for j in groups],
        [e.performance[j] for j in groups],
        types,
    )


def bic_bound(market: LargeMarket, n: int, *, time_limit: float | None = None) -> Bound:
    """BIC(N), the exact optimum of program (1) on the ``n``-replica economy (beta = 1, sigma = eta),
    or None with the reason past `bic.MAX_VARIABLES` or when the exact LP does not finish."""
    if not isinstance(market, LargeMarket):
        raise InvalidInput(f"expected a LargeMarket, got {type(market).__name__}", "market")
    n = positive_integer(n, "N")
    count = bic_variables(market, n)
    if count is None or count > MAX_VARIABLES:
        size = "more than" if count is None else f"{count} >"
        return Bound(None, f"program (1) for N = {n} has {size} {MAX_VARIABLES} variables")
    result = solve(bic_program(replica_finite_economy(market, n)), time_limit=time_limit)
    if result.status != "optimal" or result.objective is None:
        return Bound(None, f"program (1) for N = {n} ended {result.status}: {result.reason}")
    return Bound(result.objective)
