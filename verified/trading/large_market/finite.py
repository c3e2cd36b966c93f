"""The large-market mechanism back in the finite economy, with the EOPR rule (Valenzuela-Stookey,
sections 3.1 and 4.3), and the comparison with the status quo.

In the finite economy (one agent per population, N = 1) each agent draws one of its menus with the
randomisation weights, its type from F_j, and takes the option its `AgentMenu.choices` names (a
myopic choice); the designer then applies the ex-post-optimal rule (`verified.trading.eopr`) to
the chosen trading sets: {eta_j}, the whole ray {eta_j + y d_k : y >= 0} ∩ R^I_+, or the remedial
box. Every set holds eta_j, so the EOPR cost is at most the status quo's at every profile (3.1).
The expected cost is exact: a sum over every menu draw and type profile with product weights.

`best_eopr_over_candidates` searches deterministic menu profiles (one menu per agent, no
randomisation) and returns the least expected EOPR cost: the best EOPR mechanism *in that
candidate family*, not over all polarized ray mechanisms. `candidate_menus` builds the family:
every menu the column generation produced, plus, for every ray direction d any of them uses, the
one-ray menus {eta_j, ray d} and {eta_j, ray -d} for every agent (so that a bilateral trade at the
rate d, which a finite economy needs to clear exactly, is in the family).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from verified.errors import InvalidInput
from verified.trading.eopr import eopr_allocation
from verified.trading.large_market.model import LargeMarket
from verified.trading.large_market.support import RAYS, REMEDIAL, AgentMenu, realize
from verified.trading.sets import PointSet, Ray, RemedialSet, TradingSet

ZERO = Fraction(0)
MAX_PROFILES = 100_000
"""Menu draws times type profiles past which `finite_eopr_cost` refuses (InvalidInput: too large)."""


@dataclass(frozen=True)
class FiniteComparison:
    """Expected social costs in the finite economy: ``status_quo``, the large-market ``bound``
    (the outer program's value: no mechanism does better), the LM mechanism under EOPR
    (``large_market_eopr``) and the best deterministic candidate profile under EOPR
    (``best_candidate_eopr``, with its ``best_menus``)."""

    status_quo: Fraction
    bound: Fraction | None
    large_market_eopr: Fraction
    best_candidate_eopr: Fraction
    best_menus: tuple[AgentMenu, ...]


def chosen_set(menu: AgentMenu, option: int) -> TradingSet:
    """The trading set behind an option of an `AgentMenu`."""
    if option == 0:
        return PointSet([menu.eta])
    if menu.kind == RAYS:
        return Ray(menu.eta, menu.displacements[option - 1])
    if menu.kind == REMEDIAL:
        return RemedialSet(menu.eta)
    raise InvalidInput(f"option {option} of a {menu.kind} menu", "chosen_set")


def finite_eopr_cost(
    market: LargeMarket, mechanism: Sequence[Sequence[tuple[Fraction, AgentMenu]]]
) -> Fraction:
    """E[EOPR cost] in the finite economy when agent j draws menu M with weight mu (module docstring)."""
    e = market.economy
    if len(mechanism) != e.n_agents:
        raise InvalidInput(f"expected one list of menus per agent ({e.n_agents})", "mechanism")
    count = 1
    for j, agent in enumerate(mechanism):
        count *= len(agent) * market.distributions[j].size
    if count > MAX_PROFILES:
        raise InvalidInput(f"{count} menu draws and type profiles (> {MAX_PROFILES})", "mechanism")
    total = ZERO
    cache: dict[tuple, Fraction] = {}
    for draw in product(*mechanism):
        weight = Fraction(1)
        for mu, _ in draw:
            weight *= mu
        for profile in product(*(range(d.size) for d in market.distributions)):
            chance = weight
            key = []
            for j, t in enumerate(profile):
                chance *= market.distributions[j].probabilities[t]
                menu = draw[j][1]
                key.append((menu.kind, menu.eta, menu.displacements, menu.choices[t]))
            k = tuple(key)
            if k not in cache:
                sets = [chosen_set(draw[j][1], draw[j][1].choices[t]) for j, t in enumerate(profile)]
                outcome = eopr_allocation(e, sets)
                if outcome.status != "optimal" or outcome.cost is None:
                    raise InvalidInput(
                        f"the EOPR allocation ended {outcome.status}: {outcome.reason}", "profile"
                    )
                cache[k] = outcome.cost
            total += chance * cache[k]
    return total


def best_eopr_over_candidates(
    market: LargeMarket, candidates: Sequence[Sequence[AgentMenu]]
) -> tuple[Fraction, tuple[AgentMenu, ...]]:
    """The least expected EOPR cost over one candidate menu per agent (deterministic)."""
    best: tuple[Fraction, tuple[AgentMenu, ...]] | None = None
    for menus in product(*candidates):
        cost = finite_eopr_cost(market, [[(Fraction(1), m)] for m in menus])
        if best is None or cost < best[0]:
            best = (cost, tuple(menus))
    if best is None:
        raise InvalidInput("no candidate menus", "candidates")
    return best


def candidate_menus(market: LargeMarket, solution) -> tuple[tuple[AgentMenu, ...], ...]:  # noqa: ANN001
    """The candidate family of the module docstring (menus sorted by the agents' myopic choices)."""
    e = market.economy
    directions: list[tuple[Fraction, ...]] = []
    for agent in solution.candidates:
        for menu in agent:
            if menu.kind == RAYS:
                for d in menu.displacements:
                    for v in (d, tuple(-x for x in d)):
                        if v not in directions:
                            directions.append(v)
    out = []
    for j in range(e.n_agents):
        eta = e.endowment[j]
        menus = list(solution.candidates[j])
        for d in directions:
            if not any(x < 0 and y == 0 for x, y in zip(d, eta, strict=True)):
                menu = realize(market.distributions[j], eta, [d], tuple(-x for x in e.performance[j]), RAYS)
                if all(m.displacements != menu.displacements for m in menus):
                    menus.append(menu)
        out.append(tuple(menus))
    return tuple(out)


def compare_with_status_quo(market: LargeMarket, solution) -> FiniteComparison:  # noqa: ANN001
    """Status quo, the large-market bound, the LM mechanism under EOPR, the best candidate under EOPR."""
    lm = finite_eopr_cost(market, solution.mechanism)
    best, menus = best_eopr_over_candidates(market, candidate_menus(market, solution))
    return FiniteComparison(market.status_quo_cost(), solution.value, lm, best, menus)
