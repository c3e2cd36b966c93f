"""Theorem 1 (iii), (iv) (Valenzuela-Stookey) on finite type distributions: program (1) over direct
BIC mechanisms, the best bilateral (OSP) trading mechanism, and the equivalences on random small
economies.

Independent checks: `brute_feasible` re-checks (IC), (SQ), (MC) of a direct mechanism with plain
Fractions; `bic_json` writes program (1) out again from the paper's formulas, and the
standard-library LP checker verifies the library's optimal certificate against it; the
bilateral values of the hand example are derived in the comments.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.errors import InvalidInput
from verified.recheck.lp import Program
from verified.trading.bic import FiniteEconomy, FiniteTypes, bic_program
from verified.trading.theorem1 import (
    best_bilateral,
    bilateral_mechanism,
    check_choice_improves_bic,
    check_theorem1_bic,
    lemma2_trade,
    mechanism_cost,
)

F = Fraction
ONE = F(1)


def profiles(types: list[list[tuple]]) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(len(t)) for t in types)))


def prob(probs: list[list[Fraction]], prof: tuple[int, ...], skip: int | None = None) -> Fraction:
    out = F(1)
    for j, t in enumerate(prof):
        if j != skip:
            out *= probs[j][t]
    return out


def interim(types, probs, mech, j: int, report: int, c) -> Fraction:  # noqa: ANN001
    """c . E_-j[m_j(. | report)] by summing over the profiles."""
    total = F(0)
    for p, prof in enumerate(profiles(types)):
        if prof[j] == report:
            total += prob(probs, prof, j) * sum(
                (F(a) * F(x) for a, x in zip(c, mech[p][j], strict=True)), F(0)
            )
    return total


def brute_feasible(fe: FiniteEconomy, mech, beta: Fraction = ONE) -> bool:  # noqa: ANN001
    econ = fe.economy
    types = [list(d.types) for d in fe.types]
    probs = [list(d.probabilities) for d in fe.types]
    for p in range(len(profiles(types))):
        for i in range(econ.n_tasks):
            if sum((F(mech[p][j][i]) for j in range(econ.n_agents)), F(0)) != econ.supplies[i]:
                return False
            if any(F(mech[p][j][i]) < 0 for j in range(econ.n_agents)):
                return False
    for j in range(econ.n_agents):
        sigma = econ.endowment[j]
        for t, c in enumerate(types[j]):
            truthful = interim(types, probs, mech, j, t, c)
            if truthful > beta * sum((a * s for a, s in zip(c, sigma, strict=True)), F(0)):
                return False
            if any(truthful > interim(types, probs, mech, j, t2, c) for t2 in range(len(types[j]))):
                return False
    return True


def brute_cost(fe: FiniteEconomy, mech) -> Fraction:  # noqa: ANN001
    econ = fe.economy
    types = [list(d.types) for d in fe.types]
    probs = [list(d.probabilities) for d in fe.types]
    return sum(
        (
            prob(probs, prof)
            * sum((pi * F(x) for pi, x in zip(econ.performance[j], mech[p][j], strict=True)), F(0))
            for p, prof in enumerate(profiles(types))
            for j in range(econ.n_agents)
        ),
        F(0),
    )


def bic_json(
    fe: FiniteEconomy, beta: Fraction = ONE, objective: dict | None = None, sense: str = "min"
) -> Program:
    """Program (1) written again from the paper: min E[pi . m] s.t. MC, SQ, IC (names m[p][j][i])."""
    econ = fe.economy
    types = [list(d.types) for d in fe.types]
    probs = [list(d.probabilities) for d in fe.types]
    profs = profiles(types)
    n, agents = econ.n_tasks, econ.n_agents
    names = [f"m[{p}][{j}][{i}]" for p in range(len(profs)) for j in range(agents) for i in range(n)]
    rows = []
    for p in range(len(profs)):
        for i in range(n):
            coeffs = {f"m[{p}][{j}][{i}]": "1" for j in range(agents)}
            rows.append(
                {"name": f"MC[{p}][{i}]", "coefficients": coeffs, "sense": "==", "rhs": str(econ.supplies[i])}
            )

    def coefficients(j: int, report: int, c) -> dict:  # noqa: ANN001
        out: dict[str, Fraction] = {}
        for p, prof in enumerate(profs):
            if prof[j] == report:
                for i in range(n):
                    key = f"m[{p}][{j}][{i}]"
                    out[key] = out.get(key, F(0)) + prob(probs, prof, j) * c[i]
        return out

    for j in range(agents):
        for t, c in enumerate(types[j]):
            own = coefficients(j, t, c)
            bound = beta * sum((a * s for a, s in zip(c, econ.endowment[j], strict=True)), F(0))
            rows.append(
                {
                    "name": f"SQ[{j}][{t}]",
                    "coefficients": {k: str(v) for k, v in own.items()},
                    "sense": "<=",
                    "rhs": str(bound),
                }
            )
            for t2 in range(len(types[j])):
                if t2 != t:
                    diff = dict(own)
                    for k, v in coefficients(j, t2, c).items():
                        diff[k] = diff.get(k, F(0)) - v
                    rows.append(
                        {
                            "name": f"IC[{j}][{t}][{t2}]",
                            "coefficients": {k: str(v) for k, v in diff.items()},
                            "sense": "<=",
                            "rhs": "0",
                        }
                    )
    if objective is None:
        objective = {
            f"m[{p}][{j}][{i}]": str(prob(probs, prof) * econ.performance[j][i])
            for p, prof in enumerate(profs)
            for j in range(agents)
            for i in range(n)
        }
    return Program({"variables": names, "constraints": rows, "objective": objective, "sense": sense})


# The hand example: support {(1,2), (2,1)} uniform for both agents, sigma = (1,1) each, supplies
# (2,2), pi_A = (1,2), pi_B = (2,1) (A is better at x). Status-quo cost 3 + 3 = 6.
S = [(1, 2), (2, 1)]
HAND = FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [2, 1]], [S, S])


def test_best_bilateral_by_hand() -> None:
    # gamma goes to A from B; gain = -(pi_A - pi_B) . gamma = gamma_x - gamma_y, box -1 <= gamma <= 1.
    # Patterns (A accepts iff gamma . c <= 0, B iff >= 0):
    #   A {(1,2)}, B {(2,1)}: gamma = (1, -1), gain 2, probability 1/4 -> 1/2;
    #   A all, B {(2,1)}: gamma . (2,1) = 0, gamma = s (1, -2), s <= 1/2: gain 3/2, probability 1/2 -> 3/4;
    #   A {(1,2)}, B all: symmetric, gamma = (1, -1/2): 3/4; every other pattern gives <= 3/8.
    # So the best expected gain is 3/4 and the bilateral mechanism costs 6 - 3/4 = 21/4.
    best = best_bilateral(HAND)
    assert not isinstance(best, str)
    assert best.gain == F(3, 4)
    mech = bilateral_mechanism(HAND, best)
    assert brute_feasible(HAND, mech) and brute_cost(HAND, mech) == F(21, 4)


def test_lemma2_trade_exists_by_hand() -> None:
    # gamma = (1, -1): A of type (1,2) gains (-1 < 0), B of type (2,1) gains (1 > 0), delta . gamma = -2 < 0.
    status, (a, b, gamma) = lemma2_trade(HAND)
    assert status == "trade"
    types = [S, S]
    delta = [
        F(x) - F(y) for x, y in zip(HAND.economy.performance[a], HAND.economy.performance[b], strict=True)
    ]
    assert sum((d * g for d, g in zip(delta, gamma, strict=True)), F(0)) < 0
    assert any(sum((F(c) * g for c, g in zip(t, gamma, strict=True)), F(0)) < 0 for t in types[a])
    assert any(sum((F(c) * g for c, g in zip(t, gamma, strict=True)), F(0)) > 0 for t in types[b])
    assert all(F(s) + g >= 0 for s, g in zip(HAND.economy.endowment[a], gamma, strict=True))
    assert all(F(s) - g >= 0 for s, g in zip(HAND.economy.endowment[b], gamma, strict=True))


def test_bic_optimum_certified_independently() -> None:
    result = check_choice_improves_bic(HAND)
    assert result.holds
    ev = result.evidence
    value = bic_json(HAND).check_certificate(ev["lp"], "optimal")
    assert value == F(ev["optimum"]) and value <= F(21, 4)  # never above the bilateral (OSP) mechanism
    mech = [[[F(x) for x in load] for load in alloc] for alloc in ev["mechanism"]]
    assert brute_feasible(HAND, mech) and brute_cost(HAND, mech) == F(ev["cost"]) < 6
    assert any(alloc != mech[0] for alloc in mech)  # non-constant


def test_theorem1_holds_on_the_hand_example() -> None:
    result = check_theorem1_bic(HAND)
    assert result.holds
    ev = result.evidence
    assert ev["condition_i"] and ev["ii"] and ev["iii"]
    # beta = 1 and the support {(1,2), (2,1)} has affine dimension 1 < I = 2: (iv) does not apply
    assert ev["support_dimension"] == 1 and "iv" not in ev


def test_identical_performance_cannot_improve() -> None:
    # Every (MC) mechanism costs sum_i pi(i) n^i = 6 when performance is identical: (iii) fails,
    # the dual of program (1) proves the optimum 6.
    fe = FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [1, 2]], [S, S])
    result = check_choice_improves_bic(fe)
    assert result.fails and result.evidence["kind"] == "bic_no_improvement"
    assert bic_json(fe).check_certificate(result.evidence["lp"], "optimal") == 6
    theorem = check_theorem1_bic(fe)
    assert theorem.holds and not theorem.evidence["condition_i"]


def test_choice_is_optimal_on_a_full_box_support() -> None:
    # support = the 4 corners of [1,2]^2 (dimension 2 = I), beta = 1: by Corollary 1 sigma is the
    # only constant mechanism, so the constant optimum is 6 and choice is optimal iff (iii).
    box = [(1, 1), (1, 2), (2, 1), (2, 2)]
    fe = FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [2, 1]], [box, box])
    result = check_theorem1_bic(fe)
    assert result.holds and result.evidence["box_support"]
    iv = result.evidence["iv"]
    assert iv["choice_optimal"] and F(iv["constant_optimum"]) == 6 and F(result.evidence["bic_optimum"]) < 6


def test_single_type_means_no_choice() -> None:
    fe = FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [2, 1]], [[(1, 1)], [(1, 1)]])
    # one profile: every mechanism is constant; beta = 2 lets the constant optimum beat sigma,
    # yet no NON-constant mechanism exists, so choice does not improve.
    result = check_choice_improves_bic(fe, 2)
    assert result.fails and result.evidence["kind"] == "bic_all_constant"
    assert F(result.evidence["optimum"]) < 6


# --- outside the hypotheses: where the equivalences break ------------------------------------------------


def test_proportional_support_breaks_ii_iii() -> None:
    # Support {(1,1), (2,2)} (not a box's corners): every type ranks bundles alike, so no bilateral
    # trade makes one type gain strictly and another lose (ii fails, and i fails: rank 1), yet the
    # swap d_A = (e, -e), d_B = (-e, e) costs every type nothing and lowers the cost by 2e; made to
    # depend on A's report it is a non-constant BIC improvement (iii holds).
    prop = [(1, 1), (2, 2)]
    fe = FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [2, 1]], [prop, prop])
    result = check_theorem1_bic(fe)
    assert result.fails and not result.evidence["box_support"]
    assert (result.evidence["condition_i"], result.evidence["ii"], result.evidence["iii"]) == (
        False,
        False,
        True,
    )
    witness = result.evidence["choice_improves_bic"]["evidence"]["mechanism"]
    mech = [[[F(x) for x in load] for load in alloc] for alloc in witness]
    assert brute_feasible(fe, mech) and brute_cost(fe, mech) < 6 and any(a != mech[0] for a in mech)


def test_zero_cost_task_breaks_the_rank_reading() -> None:
    # The corners of [1,2] x {0}: task y costs nothing, types are proportional (rank 1), so i (as
    # bilateral.py reads it) and ii fail, but moving y to B (pi_B(y) = 1 < 2) improves (iii).
    zero = [(1, 0), (2, 0)]
    fe = FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [2, 1]], [zero, zero])
    result = check_theorem1_bic(fe)
    assert result.fails and result.evidence["box_support"]
    assert (result.evidence["condition_i"], result.evidence["iii"]) == (False, True)
    assert result.evidence["condition_i_literal"]


def test_one_task_needs_the_any_beta_reading() -> None:
    # I = 1: SQ per type gives E[m_j] <= sigma_j, (MC) makes it equal, so at beta = 1 the cost is
    # fixed: (iii) "for any beta" fails, as i (rank 1) says. With beta = 2, A (pi = 1) can take B's
    # task (2 <= 2 * 1): choice improves AT beta = 2 -- the theorem's "for any beta" is needed.
    one = [(1,), (2,)]
    fe = FiniteEconomy.make(["x"], ["A", "B"], [[1], [1]], [[1], [2]], [one, one])
    result = check_theorem1_bic(fe, 2)
    assert result.holds
    assert (result.evidence["iii"], result.evidence["iii_at_beta"]) == (False, True)
    assert result.evidence["condition_i_literal"] and not result.evidence["condition_i"]


# --- random small economies ---------------------------------------------------------------------------


@st.composite
def box_economies(draw: st.DrawFn) -> tuple[FiniteEconomy, Fraction]:
    """I = 2, J = 2 or 3, a common support = the corners of a box with integer corners in 1..3
    (sometimes flat), random positive probabilities, sigma in 1..2, performance in 0..3, beta."""
    agents = draw(st.integers(2, 3))
    lo = [draw(st.integers(1, 2)) for _ in range(2)]
    hi = [x + draw(st.integers(0, 1)) for x in lo]
    corners = sorted(set(itertools.product(*zip(lo, hi, strict=True))))
    dists = []
    for _ in range(agents):
        weights = [draw(st.integers(1, 3)) for _ in corners]
        dists.append(FiniteTypes.make(corners, [F(w, sum(weights)) for w in weights]))
    endow = [[draw(st.integers(1, 2)) for _ in range(2)] for _ in range(agents)]
    perf = [[draw(st.integers(0, 3)) for _ in range(2)] for _ in range(agents)]
    beta = draw(st.sampled_from([F(1), F(3, 2)]))
    return FiniteEconomy.make(2, agents, endow, perf, dists), beta


@settings(max_examples=25, deadline=None)
@given(box_economies())
def test_equivalences_on_random_box_supports(case: tuple[FiniteEconomy, Fraction]) -> None:
    fe, beta = case
    result = check_theorem1_bic(fe, beta)
    assert result.holds, result.evidence["broken"]
    ev = result.evidence
    if ev["iii"]:
        witness = ev["choice_improves_bic"]["evidence"]
        mech = [[[F(x) for x in load] for load in alloc] for alloc in witness["mechanism"]]
        assert brute_feasible(fe, mech) and brute_cost(fe, mech) < F(ev["status_quo_cost"])
        assert any(a != mech[0] for a in mech)
    else:
        iii = ev["choice_improves_bic"]["evidence"]
        if iii["kind"] == "bic_no_improvement":
            assert bic_json(fe).check_certificate(iii["lp"], "optimal") >= fe.status_quo_cost()
        else:  # only constant mechanisms: every max / min of m_j(i|p) - m_j(i|p_0) is 0
            assert iii["kind"] == "bic_all_constant"
            expected = [
                (p, j, i, sense)
                for p in range(1, len(fe.profiles))
                for j in range(fe.economy.n_agents)
                for i in range(fe.economy.n_tasks)
                for sense in ("max", "min")
            ]
            assert [
                (c["profile"], c["agent"], c["task"], c["sense"]) for c in iii["certificates"]
            ] == expected
            for c in iii["certificates"]:
                objective = {
                    f"m[{c['profile']}][{c['agent']}][{c['task']}]": "1",
                    f"m[0][{c['agent']}][{c['task']}]": "-1",
                }
                assert (
                    bic_json(fe, objective=objective, sense=c["sense"]).check_certificate(c["lp"], "optimal")
                    == 0
                )


@st.composite
def general_economies(draw: st.DrawFn) -> FiniteEconomy:
    """I = 2, J = 2, each agent 1-3 distinct types in 0..3 (no common support required)."""
    dists = []
    for _ in range(2):
        types = draw(
            st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=3, unique=True)
        )
        dists.append(FiniteTypes.make(types))
    endow = [[draw(st.integers(0, 2)) for _ in range(2)] for _ in range(2)]
    perf = [[draw(st.integers(0, 3)) for _ in range(2)] for _ in range(2)]
    return FiniteEconomy.make(2, 2, endow, perf, dists)


@settings(max_examples=25, deadline=None)
@given(general_economies())
def test_osp_bilateral_is_bic_and_never_beats_program_1(fe: FiniteEconomy) -> None:
    best = best_bilateral(fe)
    assert not isinstance(best, str)
    mech = bilateral_mechanism(fe, best)
    assert brute_feasible(fe, mech)
    assert brute_cost(fe, mech) == fe.status_quo_cost() - best.gain == mechanism_cost(fe, mech)
    result = check_choice_improves_bic(fe)
    assert F(result.evidence["optimum"]) <= brute_cost(fe, mech)
    status, _ = lemma2_trade(fe)
    if status == "trade" and fe.types[0].types == fe.types[1].types and best.gain > 0:
        assert result.holds  # a Lemma 2 trade on a common support is a non-constant improvement


# --- refused input -----------------------------------------------------------------------------------


def test_hypotheses_are_enforced() -> None:
    other = FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [2, 1]], [S, [(1, 1)]])
    with pytest.raises(InvalidInput, match="common support"):
        check_theorem1_bic(other)
    empty = FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 0], [1, 2]], [[1, 2], [2, 1]], [S, S])
    with pytest.raises(InvalidInput, match="full-support"):
        check_theorem1_bic(empty)


@pytest.mark.parametrize(
    ("types", "probabilities"),
    [
        ([], None),
        ([(1, 1), (1, 1)], None),
        ([(1, -1)], None),
        ([(1, 1), (1,)], None),
        ([(1, 1)], [F(1, 2)]),
        ([(1, 1), (2, 2)], [1, 0]),
        ([(1, 1)], [1.0]),
        ([(0.5, 1)], None),
        ("ab", None),
    ],
)
def test_bad_type_distributions(types: object, probabilities: object) -> None:
    with pytest.raises(InvalidInput):
        FiniteTypes.make(types, probabilities)  # type: ignore[arg-type]


def test_bad_economies() -> None:
    with pytest.raises(InvalidInput):
        FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [2, 1]], [S])
    with pytest.raises(InvalidInput):
        FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [2, 1]], [S, [(1, 1, 1)]])
    with pytest.raises(InvalidInput):
        check_choice_improves_bic(HAND, "1/2")
    big = [tuple(c) for c in itertools.product(range(1, 6), range(1, 6))]
    fe = FiniteEconomy.make(["x", "y"], ["A", "B", "C", "D"], [[1, 1]] * 4, [[1, 2]] * 4, [big] * 4)
    with pytest.raises(InvalidInput, match="variables"):
        bic_program(fe)
