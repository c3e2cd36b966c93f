"""The large-market mechanism in the N-replica economy, exactly (Valenzuela-Stookey, section 4.3,
Proposition 3 and footnote 19; the proof in appendix A.3, eq. 7).

The N-replica economy. Every agent j of the market becomes "group j": N agents with j's
endowment eta_j, performance pi_j and cost domain, each drawing a type from F_j independently of
everybody else; the supplies are N n. A solution m* of the large-market program
(`solve_large_market`: per agent j, menus s with randomisation weights mu_{j,s}) is implemented as
in footnote 19:

* **menu assignment** (`assign_menus`): floor(mu_{j,s} N) of the group-j agents get menu s; the
  R = N - sum_s floor(mu_{j,s} N) residual agents (footnote 19 lets them go to any menu in the
  support) go one each to the R menus with the largest remainders mu_{j,s} N - floor(mu_{j,s} N),
  ties to the earlier menu (the largest-remainder rule: deterministic, and each menu's count is
  floor or ceiling of mu_{j,s} N). Since the remainders are < 1 and sum to R, exactly R menus
  have a positive remainder at least as large as the R-th, so every residual agent lands on a
  menu with a positive remainder. Which group-j agent gets which menu does not matter (they are
  exchangeable).
* **choices**: every agent takes the option `AgentMenu.choices` names for its type (myopic, ties
  to the designer as in the program);
* **allocation**: the designer applies the EOPR rule (`verified.trading.eopr`) to the chosen
  trading sets (`finite.chosen_set`: {eta_j}, the ray {eta_j + y d : y >= 0} ∩ R^I_+, or the
  remedial box). V_LM(N) is the resulting social cost, a random variable of the type profile.

`replica_cost(market, solution, N)` returns E[V_LM(N)] EXACTLY, without enumerating the
prod_j m_j^N type profiles one agent at a time.

AGGREGATION (why counts suffice). Call two agents *alike* when they are in the same group, were
given the same menu and chose the same option: they have the same chosen set T (a convex set: a
point, a ray clipped to the orthant, or a box) and the same performance pi_j. Let class c hold
k_c alike agents with set T_c. The EOPR program at a profile is

    (P)  min sum_a pi_a . mu_a  s.t.  mu_a in T_a for every agent a,  sum_a mu_a = N n,

and its value equals that of the aggregated program

    (A)  min sum_c k_c pi_c . x_c  s.t.  x_c in T_c for every class c,  sum_c k_c x_c = N n.

Proof. (P) >= (A): from a feasible (mu_a) put x_c = (1/k_c) sum_{a in c} mu_a, the average over the
class. x_c is in T_c (T_c is convex), sum_c k_c x_c = sum_a mu_a = N n, and the cost is the same
(pi_a = pi_c inside the class; the cost is linear). (P) <= (A): from a feasible (x_c) give every
agent of class c the bundle x_c. Both directions also carry feasibility, so the two programs are
feasible together (always, here: every chosen set contains eta_j and sum_a eta_a = N n) and have
the same optimum. Hence V_LM(N) is a function of the class counts (k_c) only: of the counts per
(group, chosen set), which are sums of the counts per (group, menu, option). (A) is solved as an
EOPR program on an *aggregated economy* with one agent per class, endowment k_c eta_j,
performance pi_j and chosen set k_c T_c (for x in T_c, k_c x runs over k_c T_c: the point
{k_c eta_j}, the ray from k_c eta_j with the same direction clipped to the orthant, or the box
[0, k_c eta_j]); its supplies sum_c k_c eta_j = N n.

Distribution of the counts. The menu assignment is deterministic. Among the N_{j,s} agents of
group j with menu s, the numbers choosing each option are multinomial(N_{j,s}; q_{j,s,o}) with
q_{j,s,o} = sum of p_t over the types t of F_j whose choice in menu s is o (types are i.i.d.),
independently over (j, s). So

    E[V_LM(N)] = sum over count profiles of prod_{j,s} multinomial pmf  x  value of (A),

an exact sum over prod_{j,s} C(N_{j,s} + K_{j,s} - 1, K_{j,s} - 1) count profiles (K_{j,s}: the
options some type takes), with one exact LP per distinct (group, chosen set) -> count map
(cached). Past `MAX_COUNT_PROFILES` count profiles the answer is UNKNOWN with that reason (no
exception); an EOPR LP ending UNKNOWN gives UNKNOWN too. Measured on issue 12's instance
(examples/large_market_replicas.py, 2-core machine): N = 8 needs 32 count profiles and 32 LPs
(0.06 s), N = 32 600 (1.3 s).

The aggregation also shows that the paper's V~_LM(N) (A.3, eq. 7: the designer gives one
allocation to all agents of a (group, trading set) class) equals the EOPR cost V_LM(N). The lower
bounds this is compared with live in `verified.trading.large_market.replica_bounds`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from verified.errors import InvalidInput
from verified.trading.eopr import eopr_allocation
from verified.trading.large_market.finite import chosen_set
from verified.trading.large_market.model import LargeMarket
from verified.trading.large_market.support import AgentMenu
from verified.trading.model import Economy
from verified.trading.sets import PointSet, Ray, RemedialSet, TradingSet

ZERO, ONE = Fraction(0), Fraction(1)
EXACT, UNKNOWN = "exact", "unknown"
MAX_COUNT_PROFILES = 20_000
"""Count profiles (joint option counts over every (group, menu)) past which `replica_cost`
answers UNKNOWN; override per call with ``max_count_profiles``."""

Mechanism = Sequence[Sequence[tuple[Fraction, AgentMenu]]]
ClassKey = tuple[tuple[int, TradingSet, int], ...]
"""A count profile up to what the EOPR value depends on: sorted (group, chosen set, count > 0)."""


@dataclass(frozen=True)
class ReplicaCost:
    """E[V_LM(N)] for one N.

    ``status`` ``"exact"``: ``value`` = E[V_LM(N)] (the whole economy's cost, not per replica),
    ``low``/``high`` the least and largest realised cost over count profiles of positive
    probability. ``"unknown"``: ``value`` None and ``reason``. ``menu_counts[j][s]`` = N_{j,s}, the
    group-j agents given menu s of ``solution.mechanism[j]``; ``count_profiles`` and ``lps`` count
    the work done (or that would have been needed).
    """

    status: str
    n: int
    value: Fraction | None
    menu_counts: tuple[tuple[int, ...], ...]
    count_profiles: int
    lps: int = 0
    low: Fraction | None = None
    high: Fraction | None = None
    reason: str | None = None

    @property
    def exact(self) -> bool:
        return self.status == EXACT

    @property
    def per_replica(self) -> Fraction | None:
        """E[V_LM(N)] / N."""
        return None if self.value is None else self.value / self.n


def positive_integer(n: object, where: str) -> int:
    """``n`` as an int >= 1 (a bool, a float or a string is refused naming ``where``)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidInput(f"expected a positive integer, got {type(n).__name__} {n!r}", where)
    if n < 1:
        raise InvalidInput(f"expected a positive integer, got {n}", where)
    return n


def assign_menus(weights: Sequence[Fraction], n: int) -> tuple[int, ...]:
    """N_s: floor(mu_s N) agents per menu, the residual ones to the largest remainders, ties to the
    earlier menu (module docstring). The counts sum to N."""
    n = positive_integer(n, "N")
    floors = [math.floor(mu * n) for mu in weights]
    remainders = [mu * n - f for mu, f in zip(weights, floors, strict=True)]
    residual = n - sum(floors)
    order = sorted(range(len(weights)), key=lambda s: (-remainders[s], s))
    counts = list(floors)
    for s in order[:residual]:
        counts[s] += 1
    return tuple(counts)


def option_probabilities(market: LargeMarket, j: int, menu: AgentMenu) -> tuple[tuple[int, Fraction], ...]:
    """(option, q) for every option some type of F_j takes in ``menu``, in option order."""
    q: dict[int, Fraction] = {}
    for p, o in zip(market.distributions[j].probabilities, menu.choices, strict=True):
        q[o] = q.get(o, ZERO) + p
    return tuple(sorted(q.items()))


def validated_mechanism(
    market: LargeMarket, solution: object
) -> tuple[tuple[tuple[Fraction, AgentMenu], ...], ...]:
    """The ``mechanism`` of a `LargeMarketSolution` for ``market``, checked: one list of
    (weight, `AgentMenu`) per agent, weights > 0 summing to 1, menus at the agent's endowment with
    one valid option per type."""
    if not isinstance(market, LargeMarket):
        raise InvalidInput(f"expected a LargeMarket, got {type(market).__name__}", "market")
    mechanism = getattr(solution, "mechanism", None)
    e = market.economy
    if not isinstance(mechanism, Sequence) or len(mechanism) != e.n_agents:
        raise InvalidInput(
            f"expected a large-market solution with one list of menus per agent ({e.n_agents})", "solution"
        )
    out = []
    for j, agent in enumerate(mechanism):
        where = f"solution.mechanism[{j}] (agent {e.agents[j]!r})"
        if not isinstance(agent, Sequence) or not agent:
            raise InvalidInput("expected a non-empty list of (weight, menu) pairs", where)
        total = ZERO
        for s, pair in enumerate(agent):
            if not isinstance(pair, Sequence) or len(pair) != 2:
                raise InvalidInput("expected a (weight, menu) pair", f"{where}[{s}]")
            mu, menu = pair
            if isinstance(mu, bool) or not isinstance(mu, (int, Fraction)) or mu <= 0:
                raise InvalidInput(f"expected an exact positive weight, got {mu!r}", f"{where}[{s}]")
            if not isinstance(menu, AgentMenu):
                raise InvalidInput(f"expected an AgentMenu, got {type(menu).__name__}", f"{where}[{s}]")
            if tuple(menu.eta) != e.endowment[j]:
                raise InvalidInput("the menu's eta is not the agent's endowment", f"{where}[{s}]")
            if len(menu.choices) != market.distributions[j].size:
                raise InvalidInput(
                    f"expected one choice per type ({market.distributions[j].size}), got {len(menu.choices)}",
                    f"{where}[{s}]",
                )
            top = len(menu.displacements) if menu.kind != "status_quo" else 0
            for t, o in enumerate(menu.choices):
                if isinstance(o, bool) or not isinstance(o, int) or not 0 <= o <= top:
                    raise InvalidInput(
                        f"choice {o!r} is not an option of the menu", f"{where}[{s}].choices[{t}]"
                    )
            total += Fraction(mu)
        if total != 1:
            raise InvalidInput(f"the weights sum to {total}, not 1", where)
        out.append(tuple((Fraction(mu), menu) for mu, menu in agent))
    return tuple(out)


def scaled(t: TradingSet, k: int) -> TradingSet:
    """k T for a chosen set T ({eta}, a ray from eta, or the remedial box below eta)."""
    if isinstance(t, PointSet):
        return PointSet([tuple(k * x for x in t.points[0])])
    if isinstance(t, Ray):
        return Ray(tuple(k * x for x in t.origin), t.direction)
    if isinstance(t, RemedialSet):
        return RemedialSet(tuple(k * x for x in t.eta))
    raise InvalidInput(f"unsupported chosen set {type(t).__name__}", "scaled")


def aggregated_economy(market: LargeMarket, key: ClassKey) -> tuple[Economy, list[TradingSet]]:
    """The economy of program (A): one agent per class (endowment k eta_j, performance pi_j) and
    its chosen set k T (module docstring)."""
    e = market.economy
    endowment = [tuple(k * x for x in e.endowment[j]) for j, _, k in key]
    performance = [e.performance[j] for j, _, _ in key]
    economy = Economy.make(e.tasks, len(key), endowment, performance)
    return economy, [scaled(t, k) for _, t, k in key]


def count_profile_number(blocks: Sequence[tuple[int, int]]) -> int:
    """prod C(n + K - 1, K - 1) over blocks (n agents, K options)."""
    out = 1
    for n, k in blocks:
        out *= math.comb(n + k - 1, k - 1)
    return out


def compositions(n: int, k: int):
    """Every k-tuple of integers >= 0 summing to n (lexicographic)."""
    if k == 1:
        yield (n,)
        return
    for first in range(n, -1, -1):
        for rest in compositions(n - first, k - 1):
            yield (first, *rest)


def multinomial(n: int, counts: Sequence[int], probs: Sequence[Fraction]) -> Fraction:
    """n! / prod counts! x prod probs^counts, exactly (the coefficient as a product of binomials, so
    that a block of many agents with one option costs nothing)."""
    coefficient, left = 1, n
    chance = ONE
    for c, p in zip(counts, probs, strict=True):
        coefficient *= math.comb(left, c)
        left -= c
        chance *= p**c
    return coefficient * chance


def _sort_key(item: tuple[int, TradingSet, int]) -> tuple[int, str]:
    j, t, _ = item
    return (j, repr(t))


def replica_cost(
    market: LargeMarket,
    solution: object,
    n: int,
    *,
    max_count_profiles: int = MAX_COUNT_PROFILES,
) -> ReplicaCost:
    """E[V_LM(N)]: the exact expected EOPR social cost of the large-market mechanism ``solution``
    in the ``n``-replica economy (module docstring). UNKNOWN past ``max_count_profiles``."""
    mechanism = validated_mechanism(market, solution)
    n = positive_integer(n, "N")
    max_count_profiles = positive_integer(max_count_profiles, "max_count_profiles")
    menu_counts = tuple(assign_menus([mu for mu, _ in agent], n) for agent in mechanism)
    blocks = []  # (group, chosen sets per option, N_{j,s}, option probabilities)
    for j, agent in enumerate(mechanism):
        for (_, menu), count in zip(agent, menu_counts[j], strict=True):
            if count:
                options = option_probabilities(market, j, menu)
                sets = tuple(chosen_set(menu, o) for o, _ in options)
                blocks.append((j, sets, count, tuple(q for _, q in options)))
    profiles = count_profile_number([(count, len(q)) for _, _, count, q in blocks])
    if profiles > max_count_profiles:
        return ReplicaCost(
            UNKNOWN,
            n,
            None,
            menu_counts,
            profiles,
            reason=f"{profiles} count profiles (> {max_count_profiles}) for N = {n}",
        )
    weights: dict[ClassKey, Fraction] = {}
    per_block = [
        [(counts, multinomial(count, counts, q)) for counts in compositions(count, len(q))]
        for _, _, count, q in blocks
    ]
    for combination in product(*per_block):
        chance = ONE
        classes: dict[tuple[int, TradingSet], int] = {}
        for (j, sets, _, _), (counts, pmf) in zip(blocks, combination, strict=True):
            chance *= pmf
            for t, k in zip(sets, counts, strict=True):
                if k:
                    classes[(j, t)] = classes.get((j, t), 0) + k
        key = tuple(sorted(((j, t, k) for (j, t), k in classes.items()), key=_sort_key))
        weights[key] = weights.get(key, ZERO) + chance
    total, low, high = ZERO, None, None
    for key, chance in weights.items():
        economy, sets = aggregated_economy(market, key)
        outcome = eopr_allocation(economy, sets)
        if outcome.status != "optimal" or outcome.cost is None:
            return ReplicaCost(
                UNKNOWN,
                n,
                None,
                menu_counts,
                profiles,
                len(weights),
                reason=f"an EOPR program ended {outcome.status}: {outcome.reason}",
            )
        total += chance * outcome.cost
        low = outcome.cost if low is None else min(low, outcome.cost)
        high = outcome.cost if high is None else max(high, outcome.cost)
    if sum(weights.values(), ZERO) != 1:  # the multinomials are distributions; kept honest
        raise AssertionError("internal error: the count-profile probabilities do not sum to 1")
    return ReplicaCost(EXACT, n, total, menu_counts, profiles, len(weights), low, high)
