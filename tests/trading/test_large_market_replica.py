"""Proposition 3 as an exact replica experiment (Valenzuela-Stookey, section 4.3, footnote 19, A.3).

Expected values come from hand derivations written next to the tests, or from a naive
enumeration over individual agents (`naive_cost`: every agent's option drawn on its own, the EOPR
program solved on the full replica economy, no aggregation, no scaling, no multinomials) and the
existing per-type enumeration `finite_eopr_cost` run on an explicitly replicated market.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction as F
from itertools import product
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from verified.errors import InvalidInput, MissingExtra
from verified.trading.bic import FiniteEconomy, FiniteTypes, bic_program, solve
from verified.trading.eopr import eopr_allocation
from verified.trading.large_market import (
    LargeMarket,
    assign_menus,
    plot_replicas,
    replica_cost,
    replica_experiment,
    solve_large_market,
)
from verified.trading.large_market.finite import finite_eopr_cost
from verified.trading.large_market.replica_bounds import bic_bound, bic_variables
from verified.trading.large_market.support import AgentMenu
from verified.trading.model import Economy
from verified.trading.sets import PointSet, Ray, RemedialSet

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ----------------------------------------------------------------------------- independent helpers


def own_set(menu: AgentMenu, option: int):
    """The chosen set, built here (not with `finite.chosen_set`)."""
    if option == 0:
        return PointSet([menu.eta])
    if menu.kind == "remedial":
        return RemedialSet(menu.eta)
    return Ray(menu.eta, menu.displacements[option - 1])


def own_menu_counts(weights, n):
    """The largest-remainder rule written out differently: hand one residual agent at a time to
    the menu with the largest remainder not yet served (lowest index among equals)."""
    counts = [int(mu * n) for mu in weights]  # mu * n >= 0, so int() is the floor
    served = set()
    for _ in range(n - sum(counts)):
        best = None
        for s, mu in enumerate(weights):
            if s in served:
                continue
            r = mu * n - int(mu * n)
            if best is None or r > best[0]:
                best = (r, s)
        served.add(best[1])
        counts[best[1]] += 1
    return tuple(counts)


def replicated_agents(mechanism, counts):
    """One (group, menu) per individual agent of the replica economy, group by group."""
    return [
        (j, menu)
        for j, agent in enumerate(mechanism)
        for (_, menu), k in zip(agent, counts[j], strict=True)
        for _ in range(k)
    ]


def naive_cost(market: LargeMarket, agents, n: int):
    """E[V_LM(N)], and the least realised cost, by enumerating every individual agent's option.
    Returns (expectation, least cost over option profiles of positive probability)."""
    e = market.economy
    economy = Economy.make(
        e.tasks,
        len(agents),
        [e.endowment[j] for j, _ in agents],
        [e.performance[j] for j, _ in agents],
    )
    assert economy.supplies == tuple(n * x for x in e.supplies)
    per_agent = []
    for j, menu in agents:
        q: dict[int, F] = {}
        for p, o in zip(market.distributions[j].probabilities, menu.choices, strict=True):
            q[o] = q.get(o, F(0)) + p
        per_agent.append(sorted(q.items()))
    total, least = F(0), None
    for combo in product(*per_agent):
        chance = F(1)
        for _, p in combo:
            chance *= p
        sets = [own_set(menu, o) for (_, menu), (o, _) in zip(agents, combo, strict=True)]
        outcome = eopr_allocation(economy, sets)
        assert outcome.status == "optimal"
        total += chance * outcome.cost
        least = outcome.cost if least is None else min(least, outcome.cost)
    return total, least


def per_type_cost(market: LargeMarket, agents) -> F:
    """E[V_LM(N)] with the existing `finite_eopr_cost` on the explicitly replicated market: one
    agent per copy, its own deterministic menu, every type profile enumerated."""
    e = market.economy
    economy = Economy.make(
        e.tasks,
        len(agents),
        [e.endowment[j] for j, _ in agents],
        [e.performance[j] for j, _ in agents],
    )
    replica = LargeMarket(economy, tuple(market.distributions[j] for j, _ in agents))
    return finite_eopr_cost(replica, [[(F(1), menu)] for _, menu in agents])


# ----------------------------------------------------------------------------- a tiny market by hand

TINY_ETA = (1, 1)


def tiny_market() -> LargeMarket:
    """eta_1 = eta_2 = (1, 1), pi_1 = (1, 3), pi_2 = (3, 1); agent 1's types (1,2), (2,1) and
    agent 2's (2,1), (1,2), each with probability 1/2."""
    economy = Economy.make(2, 2, [TINY_ETA, TINY_ETA], [[1, 3], [3, 1]])
    return LargeMarket.make(economy, [[(1, 2), (2, 1)], [(2, 1), (1, 2)]])


# Agent 1's ray d = (1, -1) (take task 1, give task 2): type (1,2) accepts (c . d = -1), type (2,1)
# refuses (c . d = 1). Agent 2's ray d = (-1, 1): type (2,1) accepts (-1), type (1,2) refuses (1).
RAY1 = AgentMenu("rays", (F(1), F(1)), ((F(1), F(-1)),), (1, 0), (F(3, 2), F(1, 2)))
RAY2 = AgentMenu("rays", (F(1), F(1)), ((F(-1), F(1)),), (1, 0), (F(1, 2), F(3, 2)))
STAY1 = AgentMenu("status_quo", (F(1), F(1)), (), (0, 0), (F(1), F(1)))


def test_tiny_market_deterministic_menus_by_hand():
    """Both groups get their ray. A group-1 acceptor sits at (1 + y, 1 - y), a group-2 acceptor at
    (1 - z, 1 + z) (0 <= y, z <= 1), everybody else at (1, 1). Clearing: sum y = sum z. Each unit
    moved saves (1 - 3) + (-3 + 1) = -4, so EOPR moves V = min(a, b) units (a, b the numbers of
    acceptors, each agent moving at most 1): cost 8N - 4 min(a, b), a, b ~ Binomial(N, 1/2).

    N = 1: min(a, b) = 1 with probability 1/4: 8 - 1 = 7.
    N = 2: E min(a, b) = P(a>=1)P(b>=1) + P(a>=2)P(b>=2) = 9/16 + 1/16 = 5/8: 16 - 5/2 = 27/2.
    N = 3: E min = (7/8)^2 + (1/2)^2 + (1/8)^2 = 66/64 = 33/32: 24 - 33/8 = 159/8.
    """
    market = tiny_market()
    solution = SimpleNamespace(mechanism=(((F(1), RAY1),), ((F(1), RAY2),)))
    for n, expected in [(1, F(7)), (2, F(27, 2)), (3, F(159, 8))]:
        r = replica_cost(market, solution, n)
        assert r.exact and r.value == expected, n
        assert r.per_replica == expected / n
        assert r.menu_counts == ((n,), (n,))
    assert replica_cost(market, solution, 1).low == 4 and replica_cost(market, solution, 1).high == 8


def test_tiny_market_randomised_menus_and_the_tie_rule_by_hand():
    """Group 1 gets the status-quo menu and the ray with weights 1/2, 1/2; group 2 the ray.

    N = 1: floors 0, 0; remainders 1/2, 1/2 tie, so the residual agent goes to the earlier menu,
    the status quo: nobody in group 1 trades, cost 8 (the other tie-break would give 7, above).
    N = 2: one agent per menu; a ~ Binomial(1, 1/2) acceptors in group 1, b ~ Binomial(2, 1/2):
    E min(a, b) = P(a = 1) P(b >= 1) = 1/2 x 3/4 = 3/8: 16 - 3/2 = 29/2.
    """
    market = tiny_market()
    solution = SimpleNamespace(mechanism=(((F(1, 2), STAY1), (F(1, 2), RAY1)), ((F(1), RAY2),)))
    one = replica_cost(market, solution, 1)
    assert one.menu_counts == ((1, 0), (1,)) and one.value == 8
    two = replica_cost(market, solution, 2)
    assert two.menu_counts == ((1, 1), (2,)) and two.value == F(29, 2)


def test_remedial_menus_scale_by_hand():
    """The remedial path (the box [0, eta] scaled to [0, k eta]). pi_1 = (3, 1), pi_2 = (1, 3),
    eta = (1, 1). Group 1: the remedial menu, taken by type (1,2) (choices (1, 0)); group 2: a
    monotone ray (1, 0) (outside what the program produces; here only to absorb task 1), taken by
    type (2,1). Task 2 cannot move (the ray keeps it at 1, the box caps it at 1), so each of the a
    group-1 box-takers gives its unit of task 1 (saving 3) to a ray-taker (costing 1) when b >= 1:
    cost 8N - 2a 1[b >= 1], a, b ~ Binomial(N, 1/2), E = 8N - N (1 - 2^-N):
    N = 1: 15/2; N = 2: 29/2; N = 3: 24 - 3 (7/8) = 171/8."""
    economy = Economy.make(2, 2, [TINY_ETA, TINY_ETA], [[3, 1], [1, 3]])
    market = LargeMarket.make(economy, [[(1, 2), (2, 1)], [(2, 1), (1, 2)]])
    box = AgentMenu("remedial", (F(1), F(1)), ((F(-1), F(0)),), (1, 0), (F(1, 2), F(1)))
    ray = AgentMenu("rays", (F(1), F(1)), ((F(1), F(0)),), (1, 0), (F(3, 2), F(1)))
    solution = SimpleNamespace(mechanism=(((F(1), box),), ((F(1), ray),)))
    for n, expected in [(1, F(15, 2)), (2, F(29, 2)), (3, F(171, 8))]:
        assert replica_cost(market, solution, n).value == expected
        agents = replicated_agents(solution.mechanism, ((n,), (n,)))
        assert naive_cost(market, agents, n)[0] == expected


def test_past_the_count_profile_limit_the_answer_is_unknown_not_an_exception():
    """N = 3 in the tiny market: 4 x 4 = 16 count profiles (a group-1 count of acceptors in 0..3,
    the same for group 2)."""
    market = tiny_market()
    solution = SimpleNamespace(mechanism=(((F(1), RAY1),), ((F(1), RAY2),)))
    r = replica_cost(market, solution, 3, max_count_profiles=15)
    assert r.status == "unknown" and r.value is None and r.per_replica is None
    assert "16 count profiles (> 15)" in (r.reason or "")
    assert replica_cost(market, solution, 3, max_count_profiles=16).count_profiles == 16


# ----------------------------------------------------------------------------- the residual rule


@pytest.mark.parametrize(
    ("weights", "n", "expected"),
    [
        # issue 12's weights: 7/8 N and 1/8 N; 11/12 N and 1/12 N
        ((F(7, 8), F(1, 8)), 1, (1, 0)),  # remainders 7/8, 1/8
        ((F(7, 8), F(1, 8)), 4, (4, 0)),  # 7/2, 1/2: floors 3, 0; tie 1/2, 1/2 -> earlier
        ((F(7, 8), F(1, 8)), 8, (7, 1)),  # exact
        ((F(11, 12), F(1, 12)), 2, (2, 0)),  # 11/6, 1/6: floors 1, 0; 5/6 > 1/6
        ((F(11, 12), F(1, 12)), 8, (7, 1)),  # 22/3, 2/3: floors 7, 0; 2/3 > 1/3
        ((F(1, 3), F(1, 3), F(1, 3)), 2, (1, 1, 0)),  # 2/3 each: ties to the earlier menus
        ((F(1, 3), F(1, 3), F(1, 3)), 4, (2, 1, 1)),  # 4/3 each: floors 1, residual 1 -> first
        # 5/2, 5/6, 5/3: floors 2, 0, 1, residual 2 to the remainders 5/6 and 2/3 (not 1/2)
        ((F(1, 2), F(1, 6), F(1, 3)), 5, (2, 1, 2)),
    ],
)
def test_residual_rule_by_hand(weights, n, expected):
    assert assign_menus(weights, n) == expected


@SETTINGS
@given(
    raw=st.lists(st.integers(1, 12), min_size=1, max_size=5),
    n=st.integers(1, 40),
)
def test_residual_rule_for_all_weights(raw, n):
    """Counts sum to N, each is floor or ceiling of mu N, and agree with the one-at-a-time rule."""
    weights = [F(x, sum(raw)) for x in raw]
    counts = assign_menus(weights, n)
    assert sum(counts) == n
    for mu, k in zip(weights, counts, strict=True):
        assert mu * n - 1 < k < mu * n + 1
    assert counts == own_menu_counts(weights, n)


# ----------------------------------------------------------------------------- aggregation = naive


@st.composite
def small_markets(draw):
    agents = draw(st.integers(2, 3))
    eta = [[draw(st.integers(0, 2)) for _ in range(2)] for _ in range(agents)]
    pi = [[draw(st.integers(0, 3)) for _ in range(2)] for _ in range(agents)]
    types = [
        draw(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=2, unique=True))
        for _ in range(agents)
    ]
    return LargeMarket.make(Economy.make(2, agents, eta, pi), types)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(market=small_markets())
def test_aggregation_agrees_with_naive_enumeration(market):
    """replica_cost (counts per (group, chosen set), one scaled LP per count profile) equals the
    per-agent enumeration and the per-type `finite_eopr_cost`, for N = 1, 2."""
    solution = solve_large_market(market)
    assume(solution.optimal)
    for n in (1, 2):
        r = replica_cost(market, solution, n)
        assert r.exact
        counts = tuple(own_menu_counts([mu for mu, _ in agent], n) for agent in solution.mechanism)
        assert r.menu_counts == counts
        agents = replicated_agents(solution.mechanism, counts)
        expected, least = naive_cost(market, agents, n)
        assert r.value == expected
        assert r.low == least
        assert r.value == per_type_cost(market, agents)


def test_aggregation_agrees_with_naive_enumeration_on_issue_12_at_n_8():
    """N = 8 on issue 12's instance: 16 agents, 2^9 option profiles enumerated one agent at a time
    (group 1's seven agents on the first menu all take its ray; the other nine have two options)."""
    market = issue12()
    solution = solve_large_market(market)
    r = replica_cost(market, solution, 8)
    agents = replicated_agents(solution.mechanism, ((7, 1), (7, 1)))
    expected, least = naive_cost(market, agents, 8)
    assert r.value == expected and r.low == least


# ----------------------------------------------------------------------------- the bracket


@SETTINGS
@given(market=small_markets())
def test_bracket_ordering(market):
    """V_LM(inf) <= E[V_LM(N)]/N, BIC(N)/N <= E[V_LM(N)]/N <= status quo (robustness of EOPR:
    every chosen set holds eta_j)."""
    solution = solve_large_market(market)
    assume(solution.optimal)
    report = replica_experiment(market, (1, 2), solution=solution)
    for row in report.rows:
        assert row.realised is not None and row.bic_bound is not None
        assert row.lm_bound == solution.value <= row.realised
        assert row.bic_bound <= row.realised <= row.status_quo
        assert row.lower == max(row.lm_bound, row.bic_bound) and row.gap >= 0


def test_identical_performance_closes_the_bracket_everywhere():
    """pi_1 = pi_2 = (1, 2): every clearing allocation of the N-replica costs (1, 2) . N n = 12 N;
    so V_LM(inf) = BIC(N)/N = E[V_LM(N)]/N = 12 and the bracket closes at every N."""
    economy = Economy.make(2, 2, [[2, 2], [2, 2]], [[1, 2], [1, 2]])
    market = LargeMarket.make(economy, [[(1, 1), (1, 2), (3, 1)], [(2, 1), (1, 3)]])
    report = replica_experiment(market, (1, 2, 3))
    assert [row.realised for row in report.rows] == [12, 12, 12]
    assert [row.bic_bound for row in report.rows] == [12, 12, 12]
    assert report.closes_at == (1, 2, 3)


def replica_bic(market: LargeMarket, n: int) -> F:
    """Program (1) on a replica economy built here (group by group, copies named j.k)."""
    e = market.economy
    groups = [j for j in range(e.n_agents) for _ in range(n)]
    fe = FiniteEconomy.make(
        2,
        [f"{j}.{k}" for j in range(e.n_agents) for k in range(n)],
        [e.endowment[j] for j in groups],
        [e.performance[j] for j in groups],
        [
            FiniteTypes.make(market.distributions[j].types, market.distributions[j].probabilities)
            for j in groups
        ],
    )
    result = solve(bic_program(fe))
    assert result.status == "optimal"
    return result.objective


def test_bic_bound_sizes_and_refusals():
    """Issue 12: 3^N 2^N profiles x 2N agents x 2 tasks variables: N = 3: 216 x 12 = 2592;
    N = 4: 1296 x 16 = 20736 > 20000 (refused with the reason)."""
    market = issue12()
    assert bic_variables(market, 3) == 2592
    assert bic_variables(market, 4) == 20736
    assert bic_variables(market, 100) is None
    b = bic_bound(market, 4)
    assert b.value is None and "20736 > 20000" in (b.reason or "")
    assert bic_bound(market, 1).value == replica_bic(market, 1)


# ----------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2", None, F(3, 2)])
def test_bad_n_is_refused_naming_it(bad):
    market = tiny_market()
    solution = SimpleNamespace(mechanism=(((F(1), RAY1),), ((F(1), RAY2),)))
    with pytest.raises(InvalidInput, match="N"):
        replica_cost(market, solution, bad)


@pytest.mark.parametrize(
    ("mechanism", "fragment"),
    [
        (None, "one list of menus per agent"),
        ((((F(1), RAY1),),), "one list of menus per agent"),
        (((), ((F(1), RAY2),)), "non-empty list"),
        ((((F(1, 2), RAY1),), ((F(1), RAY2),)), "sum to 1/2"),
        ((((0.5, RAY1), (0.5, STAY1)), ((F(1), RAY2),)), "exact positive weight"),
        ((((F(1), "menu"),), ((F(1), RAY2),)), "expected an AgentMenu"),
        (
            (
                ((F(1), AgentMenu("rays", (F(2), F(1)), ((F(1), F(-1)),), (1, 0), (F(2), F(1)))),),
                ((F(1), RAY2),),
            ),
            "endowment",
        ),
        (
            (
                ((F(1), AgentMenu("rays", (F(1), F(1)), ((F(1), F(-1)),), (1,), (F(1), F(1)))),),
                ((F(1), RAY2),),
            ),
            "one choice per type",
        ),
        (
            (
                ((F(1), AgentMenu("rays", (F(1), F(1)), ((F(1), F(-1)),), (2, 0), (F(1), F(1)))),),
                ((F(1), RAY2),),
            ),
            "not an option",
        ),
        ((((F(1), RAY1, 3),), ((F(1), RAY2),)), "pair"),
    ],
)
def test_bad_solutions_are_refused_naming_the_place(mechanism, fragment):
    with pytest.raises(InvalidInput) as info:
        replica_cost(tiny_market(), SimpleNamespace(mechanism=mechanism), 1)
    assert fragment in str(info.value)


@SETTINGS
@given(
    ns=st.one_of(
        st.none(),
        st.text(max_size=3),
        st.lists(
            st.one_of(st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=2), st.booleans()),
            max_size=3,
        ),
    )
)
def test_hostile_ns_give_invalid_input_or_a_report(ns):
    market = tiny_market()
    solution = SimpleNamespace(
        mechanism=(((F(1), RAY1),), ((F(1), RAY2),)), status="optimal", primal_value=F(7), dual_lower=F(7)
    )
    try:
        report = replica_experiment(market, ns, solution=solution, bic=False)  # type: ignore[arg-type]
    except InvalidInput:
        return
    assert all(isinstance(n, int) and n >= 1 for n in ns)
    assert len(report.rows) == len(ns)


def test_bad_experiment_arguments():
    market = tiny_market()
    with pytest.raises(InvalidInput, match="repeats"):
        replica_experiment(market, (1, 1))
    with pytest.raises(InvalidInput, match="LargeMarket"):
        replica_experiment("market", (1,))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="max_count_profiles"):
        replica_cost(
            market, SimpleNamespace(mechanism=(((F(1), RAY1),), ((F(1), RAY2),))), 1, max_count_profiles=0
        )


# ----------------------------------------------------------------------------- report, plot, example


def issue12() -> LargeMarket:
    economy = Economy.make(2, 2, [[2, 2], [2, 2]], [[1, 3], [3, 1]])
    return LargeMarket.make(
        economy, [[(1, 1), (1, 2), (3, 1)], [(2, 1), (1, 3)]], [[F(1, 3)] * 3, [F(1, 2)] * 2]
    )


def test_describe_is_json_with_exact_strings_and_unknown_rows():
    # the tiny market's large-market solution: agent 1's ray (1/2, -1), taken by both types, agent 2's
    # ray (-1, 2), taken by type (2,1): N = 1 has 1 x 2 count profiles, N = 3 has 1 x 4 > 2
    report = replica_experiment(tiny_market(), (1, 3), max_count_profiles=2, bic=False)
    data = json.loads(json.dumps(report.describe()))
    one, three = data["rows"]
    assert one["status"] == "exact" and three["status"] == "unknown"
    assert (
        three["realised_per_replica"] is None and three["gap"] is None and "count profiles" in three["reason"]
    )
    assert F(one["realised_per_replica"]) == report.rows[0].realised
    assert data["status_quo"] == "8" and one["bic_reason"] == "not computed (bic=False)"


def test_plot_on_agg(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    report = replica_experiment(tiny_market(), (1, 2, 3), max_count_profiles=3)
    ax = Figure().add_subplot()
    assert plot_replicas(report, ax) is ax
    labels = [line.get_label() for line in ax.get_lines()]
    assert "E[V_LM(N)] / N" in labels and "V_LM(inf)" in labels and "status quo" in labels
    assert any("unknown" in label for label in labels)  # N = 3 (4 count profiles) is past the limit of 3
    made = plot_replicas(report)
    made.figure.savefig(tmp_path / "r.png")
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
    import matplotlib.pyplot as plt

    plt.close(made.figure)
    with pytest.raises(InvalidInput):
        plot_replicas("report")


def test_missing_matplotlib_names_the_pip_line(monkeypatch):
    report = replica_experiment(tiny_market(), (1,), bic=False)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingExtra) as info:
        plot_replicas(report)
    assert "pip install 'verified[plot]'" in str(info.value)


def fraction_text(x: F) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def decimal4(x: F) -> str:
    """Exact rounding to 4 places, done here independently (x >= 0 here)."""
    scaled = x * 10_000
    q, r = divmod(scaled.numerator, scaled.denominator)
    if 2 * r > scaled.denominator or (2 * r == scaled.denominator and q % 2):
        q += 1
    return f"{q // 10_000}.{q % 10_000:04d}"


def test_example_script_prints_the_independent_numbers(tmp_path):
    """The table of examples/large_market_replicas.py, recomputed here.

    Menu counts by the residual rule (weights 7/8, 1/8 and 11/12, 1/12, by hand above):
    N = 1, 2, 4: everybody on the first menus; N = 8: (7, 1) and (7, 1).
    N = 1, 2, 4 by hand: group 1's first menu is the ray (2/3, -2), taken by every type; group 2's
    first is (-2, 4), taken by type (2,1). Clearing needs sum (2/3) y = sum 2 z (task 1) and
    sum 2 y = sum 4 z (task 2), i.e. sum y = 3 sum z = 2 sum z: no trade, cost 16 per replica.
    N = 8: the per-agent enumeration (512 option profiles). V_LM(inf) = 32/3 (test_large_market).
    BIC(N)/N: program (1) on a replica economy built here, N = 1, 2; refused for N = 4 (20736
    variables) and N = 8 (3^8 2^8 x 16 x 2 = 53747712).
    """
    market = issue12()
    solution = solve_large_market(market)
    assert solution.value == F(32, 3)
    counts = {1: ((1, 0), (1, 0)), 2: ((2, 0), (2, 0)), 4: ((4, 0), (4, 0)), 8: ((7, 1), (7, 1))}
    realised, least = {1: F(16), 2: F(16), 4: F(16)}, {}
    for n in (1, 2, 4):
        total, low = naive_cost(market, replicated_agents(solution.mechanism, counts[n]), n)
        assert total == 16 * n and low == 16 * n
    total, low = naive_cost(market, replicated_agents(solution.mechanism, counts[8]), 8)
    realised[8], least[8] = total / 8, low / 8
    bic = {1: replica_bic(market, 1) / 1, 2: replica_bic(market, 2) / 2, 4: None, 8: None}
    lm = F(32, 3)
    lines = [
        "Proposition 3 on issue 12's instance (I = 2, J = 2)",
        "large-market value V_LM(inf) = 32/3 (optimal), status quo 16",
        "agent 1: menu weights " + ", ".join(fraction_text(mu) for mu, _ in solution.mechanism[0]),
        "agent 2: menu weights " + ", ".join(fraction_text(mu) for mu, _ in solution.mechanism[1]),
        f"{'N':>3}  {'E[V_LM(N)]/N':>16}  {'decimal':>8}  {'V_LM(inf)':>9}  {'BIC(N)/N':>9}  "
        f"{'gap':>10}  {'status quo':>10}  menus per agent",
    ]
    for n in (1, 2, 4, 8):
        b = bic[n]
        gap = realised[n] - max(lm, b if b is not None else lm)
        menus = "; ".join(",".join(str(c) for c in group) for group in counts[n])
        lines.append(
            f"{n:>3}  {fraction_text(realised[n]):>16}  {decimal4(realised[n]):>8}  {'32/3':>9}  "
            f"{fraction_text(b) if b is not None else '-':>9}  {fraction_text(gap):>10}  {'16':>10}  {menus}"
        )
    lines += [
        "N = 4: no BIC bound: program (1) for N = 4 has 20736 > 20000 variables",
        "N = 8: no BIC bound: program (1) for N = 8 has 53747712 > 20000 variables",
    ]
    assert least[8] < lm  # one realisation below V_LM(inf): the bound is about expectations
    lines.append(
        f"N = 8: one realisation costs {fraction_text(least[8])} per replica, below V_LM(inf) = 32/3: "
        "the bound holds in expectation only"
    )
    lines.append("bracket max(V_LM(inf), BIC(N)/N) <= E[V*(N)]/N <= E[V_LM(N)]/N closes at: none of these N")
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "large_market_replicas.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "\n".join(lines) + "\n"
    # docs/large_market.md shows the same table
    section = (ROOT / "docs" / "large_market.md").read_text().split("## Proposition 3: replica economies")[1]
    shown = section.split("```text\n")[1].split("```")[0]
    assert shown == run.stdout


def test_example_script_plot_flag(tmp_path):
    """--plot FILE.png saves a PNG (or, without matplotlib, says how to install it)."""
    target = tmp_path / "replicas.png"
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "large_market_replicas.py"), "--plot", str(target)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "pip install 'verified[plot]'" in run.stdout
    else:
        assert target.read_bytes()[:4] == b"\x89PNG" and f"plot saved to {target}" in run.stdout


@pytest.mark.parametrize("target", ["missing-folder/x.png", "picture.not-a-format"])
def test_example_script_bad_plot_target_exits_2_with_a_message(tmp_path, target):
    pytest.importorskip("matplotlib")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "large_market_replicas.py"),
            "--plot",
            str(tmp_path / target),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 2
    assert "cannot save the picture" in run.stderr and "Traceback" not in run.stderr


def test_example_takes_other_replica_sizes_and_refuses_bad_ones():
    """--n 16: the realised cost per replica lies between the large-market bound 32/3 (a lower
    bound on the expectation, A.3) and the status quo 16 (EOPR never costs more, section 3.1)."""
    script = str(ROOT / "examples" / "large_market_replicas.py")
    out = subprocess.run([sys.executable, script, "--n", "16"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    row = next(line.split() for line in out.stdout.splitlines() if line.split()[:1] == ["16"])
    assert F(32, 3) <= F(row[1]) <= 16
    bad = subprocess.run([sys.executable, script, "--n", "0"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "positive integer" in bad.stderr and "Traceback" not in bad.stderr
