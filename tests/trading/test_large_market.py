"""The large-market OSP program (Valenzuela-Stookey, section 4): model, S_j, outer program, dual.

Expected values come from hand derivations written next to the tests or from the independent
brute forces in `tests/trading/large_market_check.py` (plain Fractions).
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trading.exact import dot
from tests.trading.large_market_check import (
    brute_support_grid,
    brute_support_two_tasks,
    myopic_value,
    polarized_pair,
    recheck_menu,
    recheck_support,
)
from verified.errors import InvalidInput
from verified.trading.large_market import (
    LargeMarket,
    TypeDistribution,
    dual_value,
    solve_large_market,
    support_function,
)
from verified.trading.model import CostDomain, Economy

T1 = [(1, 1), (1, 2), (3, 1)]  # agent 1's types, 1/3 each
T2 = [(2, 1), (1, 3)]  # agent 2's types, 1/2 each
P1 = [F(1, 3)] * 3
P2 = [F(1, 2)] * 2
ETA = (2, 2)


def worked_instance() -> LargeMarket:
    """eta_1 = eta_2 = (2, 2), n = (4, 4), pi_1 = (1, 3), pi_2 = (3, 1) (issue 12)."""
    economy = Economy.make(2, 2, [[2, 2], [2, 2]], [[1, 3], [3, 1]])
    return LargeMarket.make(economy, [T1, T2], [P1, P2])


# ----------------------------------------------------------------------------- the model


def test_distribution_defaults_to_uniform_and_keeps_exact_numbers():
    d = TypeDistribution.make([(1, 2), ("3/2", 1)])
    assert d.probabilities == (F(1, 2), F(1, 2))
    assert d.types[1] == (F(3, 2), F(1))
    assert d.mean_cost() == (F(5, 4), F(3, 2))


@pytest.mark.parametrize(
    ("types", "probs", "fragment"),
    [
        ([(1, 1), (1, 2)], [F(1, 2), F(1, 3)], "sum to 5/6"),
        ([(1, 1), (1, 2)], [1, 0], "positive"),
        ([(1, 1), (1, 2)], [F(3, 2), F(-1, 2)], "positive"),
        ([(1, 0)], None, "strictly positive"),
        ([(1, -1)], None, "strictly positive"),
        ([(1, 1), (1, 1)], None, "repeats"),
        ([(1, 1), (1, 2, 3)], None, "expected 2 entries"),
        ([(0.5, 1)], None, "float"),
        ([(1, 1)], [0.5, 0.5], "expected 1 probabilities"),
        ([(1, 1)], [1.0], "float"),
        ([], None, "non-empty"),
        ("ab", None, "non-empty list"),
    ],
)
def test_bad_distributions_are_refused_naming_the_place(types, probs, fragment):
    with pytest.raises(InvalidInput) as info:
        TypeDistribution.make(types, probs, "agent 'A'")
    assert fragment in str(info.value)
    assert "agent 'A'" in str(info.value)


def test_large_market_checks_dimension_count_and_domain():
    economy = Economy.make(2, 2, [[2, 2], [2, 2]], [[1, 3], [3, 1]], CostDomain.box([1, 1], [3, 3]))
    with pytest.raises(InvalidInput, match="outside the agent's cost domain"):
        LargeMarket.make(economy, [[(1, 1)], [(4, 1)]])
    with pytest.raises(InvalidInput, match="3 entries but there are 2 tasks"):
        LargeMarket.make(economy, [[(1, 1, 1)], [(1, 1, 1)]])
    with pytest.raises(InvalidInput, match="expected 2 lists of types"):
        LargeMarket.make(economy, [[(1, 1)]])
    with pytest.raises(InvalidInput, match="one type distribution per agent"):
        LargeMarket(economy, (TypeDistribution.make([(1, 1)]),))
    ok = LargeMarket.make(economy, [[(1, 1)], [(3, 3)]])
    assert ok.status_quo_cost() == 16


def test_support_function_refuses_bad_arguments():
    d = TypeDistribution.make(T1)
    with pytest.raises(InvalidInput):
        support_function(d, (2, 2, 2), (1, 1))
    with pytest.raises(InvalidInput):
        support_function(d, (2, -1), (1, 1))
    with pytest.raises(InvalidInput):
        support_function(d, (2, 2), (0.5, 1))
    with pytest.raises(InvalidInput):
        support_function("not a distribution", (2, 2), (1, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        solve_large_market("not a market")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- S_j by hand


def test_support_agent1_at_lambda_3_1_by_hand():
    """S_1(w), w = lambda - pi_1 = (3, 1) - (1, 3) = (2, -2), eta = (2, 2).

    Hand derivation. Agent 1's types c = (1,1), (1,2), (3,1) accept a ray d = (a, -2) (take a of
    task 1, give all of task 2) iff a c_1 <= 2 c_2, i.e. a <= 2 c_2 / c_1 in {2, 4, 2/3}. With
    probability Q accepting, w . E = w . eta + Q (2a + 4) = Q (2a + 4): a = 2/3 (all accept):
    16/3; a = 2 (two accept): (2/3) 8 = 16/3; a = 4 (one accepts): (1/3) 12 = 4. A ray the other
    way gives w . d < 0 to the types that take it. The remedial corner (2, 0) gives 4. Upper bound:
    every ray displacement has d_2 >= -2 and 3 d_1 + d_2 <= 0 for the types taking it ... the
    subset LPs (checked by `recheck_support`) bound everything by 16/3. So S_1((2, -2)) = 16/3.
    """
    d = TypeDistribution.make(T1, P1)
    r = support_function(d, ETA, (2, -2))
    assert r.exact and r.value == F(16, 3)
    assert recheck_support(T1, P1, ETA, (2, -2), r) == (F(16, 3), F(16, 3))
    assert r.remedial_value == 4


def test_support_is_zero_for_nonpositive_w_and_for_w_zero():
    """w <= 0: the remedial point x = 0 gives 0 and E >= 0 gives w . E <= 0, so S(w) = 0."""
    d = TypeDistribution.make(T2, P2)
    for w in [(0, 0), (-1, -3), (0, -1), (-5, 0)]:
        r = support_function(d, ETA, w)
        assert r.exact and r.value == 0
        recheck_support(T2, P2, ETA, w, r)


def test_support_positive_w_takes_everything_the_types_accept():
    """w = (1, 1) > 0: the designer wants more of both; no type accepts more of everything
    (c > 0), rays trade one task for another at a rate the types accept. For agent 2 with types
    (2,1), (1,3) and eta = (2,2): ray (-2, b) is accepted iff b c_2 <= 2 c_1, b <= 4 (type (2,1))
    or b <= 2/3; value Q (b - 2): (1/2)(4 - 2) = 1 or (2/3 - 2) < 0. Ray (a, -2): a <= 2 c_2/c_1 in
    {1, 6}: (1/2)(6 - 2) = 2 or (1 - 2) < 0. Both together: (-2,4), (6,-2) polarized (t = 1/2 gives
    (2, 1) >= 0), each type on its own ray: 1 + 2 = 3. Remedial: 0 gain. S = w . eta + 3 = 7."""
    d = TypeDistribution.make(T2, P2)
    r = support_function(d, ETA, (1, 1))
    assert r.exact and r.value == 7
    recheck_support(T2, P2, ETA, (1, 1), r)
    assert len(r.realizer.displacements) == 2


def test_past_the_support_limit_the_answer_is_unknown_with_the_reason():
    d = TypeDistribution.make([(1, k) for k in range(1, 5)])
    r = support_function(d, ETA, (1, -1), max_support=3)
    assert r.status == "unknown" and "4 types (> 3)" in (r.reason or "")
    assert r.upper is None and r.lower == 2  # the remedial corner (2, 0) is still reported


# ----------------------------------------------------------------------------- Remark 1 (two tasks)


def test_remark1_two_task_support_function_on_a_worked_example():
    """Remark 1 (Baron et al.): with two tasks the optimal OSP menus are two rays at threshold
    prices, and S has a closed form by enumeration of thresholds at the types' indifference
    ratios; ours agrees at a spread of directions w."""
    types = [(1, 3), (1, 1), (2, 1), (4, 1)]
    probs = [F(1, 4), F(1, 4), F(1, 4), F(1, 4)]
    eta = (3, 2)
    d = TypeDistribution.make(types, probs)
    for w in [(1, -1), (-1, 1), (2, -1), (1, 1), (3, -5), (-2, 1), (1, 0), (0, 1), (-1, -1)]:
        r = support_function(d, eta, w)
        assert r.exact, (w, r.reason)
        assert r.value == brute_support_two_tasks(types, probs, eta, w), w
        recheck_support(types, probs, eta, w, r)


two_task_types = st.lists(
    st.tuples(st.integers(1, 4), st.integers(1, 4)), min_size=1, max_size=3, unique=True
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    types=two_task_types,
    weights=st.lists(st.integers(1, 3), min_size=3, max_size=3),
    eta=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    w=st.tuples(st.integers(-3, 3), st.integers(-3, 3)),
)
def test_two_task_support_matches_brute_force(types, weights, eta, w):
    """For I = 2 the relaxation's bound always closes (docstring of `support`); the value agrees
    with the independent threshold enumeration, and the certificate re-checks."""
    probs = [F(x, sum(weights[: len(types)])) for x in weights[: len(types)]]
    r = support_function(TypeDistribution.make(types, probs), eta, w)
    assert r.exact, r.reason
    assert r.value == brute_support_two_tasks(types, probs, eta, w)
    recheck_support(types, probs, eta, w, r)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    types=st.lists(st.tuples(*[st.integers(1, 3)] * 3), min_size=1, max_size=3, unique=True),
    eta=st.tuples(*[st.integers(0, 2)] * 3),
    w=st.tuples(*[st.integers(-2, 2)] * 3),
)
def test_three_task_bounds_bracket_a_brute_force(types, eta, w):
    """I = 3: the reported bracket contains every value a grid of polarized menus achieves
    (upper bound sound), and the realised menu is genuine (lower bound sound)."""
    probs = [F(1, len(types))] * len(types)
    r = support_function(TypeDistribution.make(types, probs), eta, w)
    lower, upper = recheck_support(types, probs, eta, w, r)
    assert brute_support_grid(types, probs, eta, w) <= upper
    assert lower <= upper


# ----------------------------------------------------------------------------- the outer program


def test_worked_instance_confirms_32_3_against_status_quo_16():
    """Hand derivation (issue 12's instance). Status quo: (1,3).(2,2) + (3,1).(2,2) = 8 + 8 = 16.

    Dual at lambda = (3, 1): lambda . n = 12 + 4 = 16; w_1 = (2, -2) with S_1 = 16/3 (above);
    w_2 = (0, 0) with S_2 = 0. D = 16 - 16/3 = 32/3, a lower bound on the value (weak duality).

    Primal attaining it: half of agent 1's population gets ray (2/3, -2) (every type accepts; (3,1)
    is indifferent: 3 * 2/3 = 2 * 1; E = (8/3, 0)), half gets ray (2, -2) (types (1,1) -- indifferent
    -- and (1,2) accept, E = (10/3, 2/3)): x_1 = (3, 1/3). Indifferent types take the ray: the
    program maximises over myopic strategies s_j, so ties go the designer's way.
    Agent 2 gets ray (-2, 10/3) (only type (2,1) accepts: 10/3 <= 2 * 2 / 1; type (1,3) refuses),
    E = (2, 2) + (1/2)(-2, 10/3) = (1, 11/3) = x_2. Clearing: (3 + 1, 1/3 + 11/3) = (4, 4).
    Cost: (1,3).(3,1/3) + (3,1).(1,11/3) = 4 + 20/3 = 32/3. Equal bounds: the value is 32/3.
    """
    market = worked_instance()
    # the hand primal, re-evaluated with the test's own myopic sort
    # (ties to the designer: type (3,1) is indifferent on the first ray, type (1,1) on the second)
    _, e1a, _ = myopic_value(T1, P1, ETA, [(F(2, 3), -2)], (2, -2))
    _, e1b, _ = myopic_value(T1, P1, ETA, [(2, -2)], (2, -2))
    _, e2, _ = myopic_value(T2, P2, ETA, [(-2, F(10, 3))], (0, 0))
    x1 = [(a + b) / 2 for a, b in zip(e1a, e1b, strict=True)]
    assert x1 == [3, F(1, 3)] and e2 == [1, F(11, 3)]
    assert [a + b for a, b in zip(x1, e2, strict=True)] == [4, 4]
    assert dot((1, 3), x1) + dot((3, 1), e2) == F(32, 3)

    solution = solve_large_market(market)
    assert solution.optimal
    assert solution.value == F(32, 3)
    assert solution.status_quo_cost == 16
    at_3_1 = dual_value(market, (3, 1))
    assert at_3_1.value == F(32, 3)  # the prototype's lambda* = (3, 1) is a dual optimum
    recheck_solution(market, solution)


def recheck_solution(market: LargeMarket, solution) -> None:
    """Independent re-check: every menu genuine, weights a distribution, x_j recomputed, market
    clearing, primal cost, each S_j certificate at lambda*, the dual value, primal == dual, and
    Proposition 2: each x_j attains S_j(lambda* - pi_j)."""
    e = market.economy
    lam = solution.prices
    total_dual = dot(lam, e.supplies)
    xs = []
    for j, agent in enumerate(solution.mechanism):
        dist = market.distributions[j]
        assert sum(mu for mu, _ in agent) == 1 and all(mu > 0 for mu, _ in agent)
        x = [F(0)] * e.n_tasks
        for mu, menu in agent:
            ej = recheck_menu(dist.types, dist.probabilities, e.endowment[j], menu)
            x = [a + mu * b for a, b in zip(x, ej, strict=True)]
        assert list(solution.allocation[j]) == x
        xs.append(x)
        w = [a - b for a, b in zip(lam, e.performance[j], strict=True)]
        s = solution.dual.supports[j]
        lower, upper = recheck_support(dist.types, dist.probabilities, e.endowment[j], w, s)
        assert lower == upper
        assert dot(w, x) == upper  # Proposition 2: x_j in argmax (lambda* - pi_j) . y
        total_dual -= upper
    assert [sum(x[i] for x in xs) for i in range(e.n_tasks)] == list(e.supplies)
    primal = sum((dot(p, x) for p, x in zip(e.performance, xs, strict=True)), F(0))
    assert primal == solution.primal_value == total_dual
    assert primal <= solution.status_quo_cost


@st.composite
def tiny_markets(draw, tasks=2):
    agents = draw(st.integers(2, 3))
    eta = [[draw(st.integers(0, 2)) for _ in range(tasks)] for _ in range(agents)]
    pi = [[draw(st.integers(0, 3)) for _ in range(tasks)] for _ in range(agents)]
    types = [
        draw(st.lists(st.tuples(*[st.integers(1, 3)] * tasks), min_size=1, max_size=3, unique=True))
        for _ in range(agents)
    ]
    return LargeMarket.make(Economy.make(tasks, agents, eta, pi), types)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(market=tiny_markets())
def test_two_task_outer_program_is_certified_and_its_dual_agrees_with_brute_force(market):
    """On random two-task markets: optimal, the certificate re-checks, the value is at most the
    status quo, and the dual value at lambda* recomputed with the brute-force S equals the primal."""
    solution = solve_large_market(market)
    assert solution.optimal, solution.reason
    recheck_solution(market, solution)
    e = market.economy
    brute = dot(solution.prices, e.supplies) - sum(
        (
            brute_support_two_tasks(
                d.types,
                d.probabilities,
                e.endowment[j],
                [a - b for a, b in zip(solution.prices, e.performance[j], strict=True)],
            )
            for j, d in enumerate(market.distributions)
        ),
        F(0),
    )
    assert brute == solution.value


def test_identical_performance_gives_no_gain():
    """pi_1 = pi_2: every allocation clearing the market costs pi . n, so the value is the status quo."""
    economy = Economy.make(2, 2, [[2, 2], [2, 2]], [[1, 2], [1, 2]])
    market = LargeMarket.make(economy, [T1, T2])
    solution = solve_large_market(market)
    assert solution.optimal and solution.value == solution.status_quo_cost == 12
    recheck_solution(market, solution)


def test_polarized_pair_helper_agrees_with_hand_cases():
    assert polarized_pair((-2, 4), (6, -2))  # t = 1/2: (2, 1)
    assert not polarized_pair((-1, 1, 0), (0, -1, 1))
    assert not polarized_pair((-2, 1), (1, -2))  # t (-2,1) + (1-t)(1,-2) >= 0 needs t <= 1/3 and t >= 2/3


def test_three_task_example_is_certified():
    """The I = 3 example of examples/large_market.py: the value (9, status quo 13) is whatever the
    independent re-check confirms: primal recomputed from the menus == dual recomputed from the
    re-verified S_j certificates."""
    economy = Economy.make(3, 2, [[2, 2, 1], [1, 2, 1]], [[1, 1, 3], [3, 1, 1]])
    market = LargeMarket.make(economy, [[(2, 2, 3), (2, 1, 3)], [(1, 2, 2), (2, 1, 2)]])
    solution = solve_large_market(market)
    assert solution.optimal
    recheck_solution(market, solution)
    assert solution.status_quo_cost == dot((1, 1, 3), (2, 2, 1)) + dot((3, 1, 1), (1, 2, 1)) == 13


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(market=tiny_markets(tasks=3))
def test_three_task_outer_program_certified_or_bracketed(market):
    """I = 3: either optimal with a certificate that re-checks, or UNKNOWN with a sound bracket."""
    solution = solve_large_market(market)
    if solution.optimal:
        recheck_solution(market, solution)
    else:
        assert solution.reason
        assert solution.dual_lower is None or solution.dual_lower <= solution.primal_value
        assert solution.primal_value <= solution.status_quo_cost


def test_finite_economy_comparison_by_hand():
    """N = 1 with the EOPR rule. Large-market mechanism: agent 1's rays trade task 2 for task 1 at
    rates 3:1 ((2/3, -2)) or 1:1 ((2, -2)); agent 2's ray (-2, 4) trades task 1 for task 2 at 1:2,
    and its other ray (6, -2) goes the same way as agent 1's. Exact clearing between two agents
    needs opposite displacements, so no trade ever clears: expected cost 16 (the status quo).
    Best candidate: agent 1 ray (2, -2), agent 2 ray (-2, 2) (bilateral trade gamma = (2, -2)):
    agent 1 takes it when c_1 <= c_2 (types (1,1), (1,2): 2/3), agent 2 when c_2 <= c_1 (type
    (2,1): 1/2); both with probability 1/3, saving (1,3).(2,-2) + (3,1).(-2,2) = -4 - 4 = -8:
    16 - 8/3 = 40/3. Both lie between the large-market bound 32/3 and the status quo 16."""
    from verified.trading.large_market.finite import compare_with_status_quo

    market = worked_instance()
    cmp = compare_with_status_quo(market, solve_large_market(market))
    assert cmp.status_quo == 16 and cmp.bound == F(32, 3)
    assert cmp.large_market_eopr == 16
    assert cmp.best_candidate_eopr == F(40, 3)


def test_example_script_prints_expected():
    from tests.example_output import assert_example_prints_expected

    assert_example_prints_expected("large_market")
