"""The random built-in mechanisms at one profile: exact against brute force, valid at scale.

* Up to 6 agents, every lottery (random-order Boston, RDA with weak priorities, random
  priority, TTC from a random endowment) equals, entry by entry, an independent brute force
  written here: its own Boston round loop, simultaneous-proposal deferred acceptance, serial
  dictatorship and top trading cycles, averaged with Fractions over all n! orders (or all n!
  bijections agents <-> seats) by `itertools.permutations`. None of the library's outcome
  functions is used.
* At 50 agents and 10 objects every built-in either returns a valid exact assignment or raises
  `OutOfReach` with a message naming its budget, never anything else.
* A tiny budget raises `OutOfReach`, and the mechanism still gives the brute-force answer
  afterwards (no global state of the recursions is left corrupted).
* Hand-derived lotteries, derivations in the comments.

No assertion is about time (speed lives in ``benchmarks/bench_lotteries.py``).
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.mechanisms import (
    boston,
    deferred_acceptance,
    probabilistic_serial,
    random_deferred_acceptance,
    random_priority,
    serial_dictatorship,
    top_trading_cycles,
)
from verified.assignment.mechanisms.random_order_boston import (
    MAX_BOSTON_STATES,
    random_boston,
    random_boston_counts,
)
from verified.assignment.mechanisms.random_priority import MAX_RP_STEPS, random_priority_counts
from verified.assignment.mechanisms.top_trading_cycles import MAX_TTC_ENDOWMENTS
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.errors import OutOfReach

F = Fraction

# --------------------------------------------------------------------------------------------
# Independent brute force (index form: a ranking is a tuple of object indices, best first; an
# outcome gives each agent an object index or -1 for the outside option).
# --------------------------------------------------------------------------------------------


def bf_serial_dictatorship(caps, prefs, order):
    """Agents in ``order`` each take their best listed object with a copy left."""
    left = list(caps)
    out = [-1] * len(prefs)
    for i in order:
        for x in prefs[i]:
            if left[x]:
                left[x] -= 1
                out[i] = x
                break
    return out


def bf_boston(caps, prefs, order):
    """Immediate acceptance: in round r the unassigned agents apply to their r-th choice; each
    object admits its applicants in ``order`` while copies are left, for good."""
    left = list(caps)
    out = [-1] * len(prefs)
    for r in range(max((len(p) for p in prefs), default=0)):
        applicants = {}
        for i in order:
            if out[i] < 0 and r < len(prefs[i]):
                applicants.setdefault(prefs[i][r], []).append(i)
        for x, group in applicants.items():
            for i in group[: left[x]]:
                out[i] = x
            left[x] -= min(left[x], len(group))
    return out


def bf_deferred_acceptance(caps, prefs, key):
    """Student-proposing DA in simultaneous rounds: every free agent proposes to her next
    choice; each object keeps its ``caps[x]`` best holders by ``key(x, i)`` (smaller first)."""
    n = len(prefs)
    tried = [0] * n
    held = [[] for _ in caps]
    free = [i for i in range(n) if prefs[i]]
    while free:
        for i in free:
            held[prefs[i][tried[i]]].append(i)
            tried[i] += 1
        free = []
        for x, group in enumerate(held):
            group.sort(key=lambda i, x=x: key(x, i))
            free.extend(group[caps[x] :])
            del group[caps[x] :]
        free = [i for i in free if tried[i] < len(prefs[i])]
    out = [-1] * n
    for x, group in enumerate(held):
        for i in group:
            out[i] = x
    return out


def bf_top_trading_cycles(prefs, seat, label):
    """TTC as `verified.assignment.mechanisms.top_trading_cycles` defines it (``seat[i]``: an
    object or -1, a null seat; ``label[i]``: the label of agent i's seat): every remaining agent
    points to the remaining holder with the smallest label of her favourite listed object among
    those still held, to herself if she holds it or if nothing she lists is held; agents on a
    cycle take the seat they point to (a self-pointer keeps hers only if she lists it) and
    leave."""
    n = len(prefs)
    active = list(range(n))
    out = [-1] * n
    while active:
        holders = {}
        for i in active:
            if seat[i] >= 0:
                holders.setdefault(seat[i], []).append(i)
        point = {}
        for i in active:
            favourite = next((x for x in prefs[i] if x in holders), None)
            if favourite is None or seat[i] == favourite:
                point[i] = i
            else:
                point[i] = min(holders[favourite], key=lambda j: label[j])
        cycle = set()
        for i in active:
            j = point[i]
            for _ in range(len(active)):
                if j == i:
                    cycle.add(i)
                    break
                j = point[j]
        for i in cycle:
            got = seat[point[i]]
            out[i] = got if got in prefs[i] else -1
        active = [i for i in active if i not in cycle]
    return out


def average(n, m, outcomes):
    """Rows of Fractions (objects, then outside) of the uniform lottery over ``outcomes``."""
    counts = [[0] * (m + 1) for _ in range(n)]
    total = 0
    for out in outcomes:
        total += 1
        for i, x in enumerate(out):
            counts[i][x if x >= 0 else m] += 1
    return tuple(tuple(F(c, total) for c in row) for row in counts)


def bf_random_priority(caps, prefs):
    n = len(prefs)
    orders = itertools.permutations(range(n))
    return average(n, len(caps), (bf_serial_dictatorship(caps, prefs, o) for o in orders))


def bf_random_boston(caps, prefs):
    n = len(prefs)
    orders = itertools.permutations(range(n))
    return average(n, len(caps), (bf_boston(caps, prefs, o) for o in orders))


def bf_rda(caps, prefs, classes):
    """``classes[x][i]``: agent i's tie class at object x (0 highest). For every order sigma,
    ties are broken by sigma (earlier first) and DA is run."""
    n = len(prefs)

    def run(sigma):
        position = {i: k for k, i in enumerate(sigma)}
        return bf_deferred_acceptance(caps, prefs, lambda x, i: (classes[x][i], position[i]))

    return average(n, len(caps), (run(o) for o in itertools.permutations(range(n))))


def bf_ttc(caps, prefs):
    """Uniform over all n! bijections agents <-> seats (copies and null seats labelled apart,
    which weighs every distinct endowment equally)."""
    n = len(prefs)
    seats = [x for x, q in enumerate(caps) for _ in range(q)] + [-1] * (n - sum(caps))
    dealt = itertools.permutations(range(n))  # agent i gets the seat labelled label[i]
    return average(
        n, len(caps), (bf_top_trading_cycles(prefs, [seats[k] for k in label], label) for label in dealt)
    )


# --------------------------------------------------------------------------------------------
# Generated cases
# --------------------------------------------------------------------------------------------


def names(problem, prefs):
    return tuple(tuple(problem.objects[x] for x in p) for p in prefs)


@st.composite
def cases(draw, min_agents=1, max_agents=6, max_objects=4, ttc=False, min_listed=0):
    """(capacities, index profile): half the time a few distinct rankings shared by many agents
    (random Boston merges agents by type), empty rankings allowed; with ``ttc`` the total
    capacity is at most n."""
    n = draw(st.integers(min_agents, max_agents))
    m = draw(st.integers(1, max_objects))
    if ttc:
        m = min(m, n)
        caps = draw(st.lists(st.integers(1, 3), min_size=m, max_size=m).filter(lambda c: sum(c) <= n))
    else:
        caps = draw(st.lists(st.integers(1, 3), min_size=m, max_size=m))
    ranking = st.lists(st.integers(0, m - 1), unique=True, min_size=min(min_listed, m), max_size=m).map(tuple)
    if draw(st.booleans()):  # each agent her own ranking
        prefs = tuple(draw(ranking) for _ in range(n))
    else:  # a few types, many agents per type
        k = draw(st.integers(1, 3))
        pool = draw(st.lists(ranking, min_size=k, max_size=k))
        prefs = tuple(pool[draw(st.integers(0, k - 1))] for _ in range(n))
    return tuple(caps), prefs


@st.composite
def weak_order(draw, n, kind):
    """Tie classes (lists of agent indices, highest first) of one object."""
    order = draw(st.permutations(range(n)))
    if kind == "tied":
        cuts = [False] * (n - 1)
    elif kind == "strict":
        cuts = [True] * (n - 1)
    else:
        cuts = draw(st.lists(st.booleans(), min_size=n - 1, max_size=n - 1))
    classes = [[order[0]]]
    for agent, cut in zip(order[1:], cuts, strict=True):
        if cut:
            classes.append([agent])
        else:
            classes[-1].append(agent)
    return classes


@st.composite
def weak_priorities(draw, n, m):
    """Per object tie classes: all tied (RDA = RP), all strict, one common mixed order, or each
    object its own kind."""
    style = draw(st.sampled_from(["uniform", "strict", "common", "each"]))
    if style == "uniform":
        return [[list(range(n))] for _ in range(m)]
    if style == "strict":
        return [draw(weak_order(n, "strict")) for _ in range(m)]
    if style == "common":
        common = draw(weak_order(n, "mixed"))
        return [common for _ in range(m)]
    return [draw(weak_order(n, draw(st.sampled_from(["tied", "strict", "mixed"])))) for _ in range(m)]


def class_table(n, orders):
    table = []
    for order in orders:
        row = [0] * n
        for c, group in enumerate(order):
            for i in group:
                row[i] = c
        table.append(row)
    return table


def priorities_of(problem, orders):
    return Priorities.make(problem, [[[problem.agents[i] for i in group] for group in o] for o in orders])


@settings(max_examples=300, deadline=None)
@given(cases())
def test_random_boston_equals_brute_force(case):
    caps, prefs = case
    problem = Problem.make(len(prefs), len(caps), list(caps))
    assert random_boston(problem)(names(problem, prefs)).matrix == bf_random_boston(caps, prefs)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_random_boston_counts_equal_brute_force(case):
    caps, prefs = case
    rows, den = random_boston_counts(caps, prefs, MAX_BOSTON_STATES)
    expected = bf_random_boston(caps, prefs)
    assert tuple(tuple(F(v, den) for v in row) for row in rows) == expected


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_deferred_acceptance_equals_brute_force(data):
    caps, prefs = data.draw(cases())
    n, m = len(prefs), len(caps)
    orders = data.draw(weak_priorities(n, m))
    problem = Problem.make(n, m, list(caps))
    mechanism = random_deferred_acceptance(problem, priorities_of(problem, orders))
    assert mechanism(names(problem, prefs)).matrix == bf_rda(caps, prefs, class_table(n, orders))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_random_lotteries_at_five_or_six_agents_equal_brute_force(data):
    # the larger sizes, everybody listing something: the most contests
    caps, prefs = data.draw(cases(min_agents=5, min_listed=1))
    n, m = len(prefs), len(caps)
    problem = Problem.make(n, m, list(caps))
    profile = names(problem, prefs)
    assert random_boston(problem)(profile).matrix == bf_random_boston(caps, prefs)
    assert random_priority(problem)(profile).matrix == bf_random_priority(caps, prefs)
    orders = data.draw(weak_priorities(n, m))
    mechanism = random_deferred_acceptance(problem, priorities_of(problem, orders))
    assert mechanism(profile).matrix == bf_rda(caps, prefs, class_table(n, orders))


@settings(max_examples=200, deadline=None)
@given(cases())
def test_random_priority_equals_brute_force(case):
    caps, prefs = case
    problem = Problem.make(len(prefs), len(caps), list(caps))
    expected = bf_random_priority(caps, prefs)
    assert random_priority(problem)(names(problem, prefs)).matrix == expected
    # RDA with every agent tied at every object is random priority (Erdil)
    rda = random_deferred_acceptance(problem, Priorities.uniform(problem))
    assert rda(names(problem, prefs)).matrix == expected


@settings(max_examples=200, deadline=None)
@given(cases(ttc=True))
def test_top_trading_cycles_equals_brute_force(case):
    caps, prefs = case
    problem = Problem.make(len(prefs), len(caps), list(caps))
    assert top_trading_cycles(problem)(names(problem, prefs)).matrix == bf_ttc(caps, prefs)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_deterministic_builtins_equal_brute_force(data):
    caps, prefs = data.draw(cases())
    n, m = len(prefs), len(caps)
    problem = Problem.make(n, m, list(caps))
    order = data.draw(st.permutations(range(n)))
    order_names = [problem.agents[i] for i in order]
    position = {i: k for k, i in enumerate(order)}
    strict = [data.draw(st.permutations(range(n))) for _ in range(m)]
    ranks = [{i: k for k, i in enumerate(o)} for o in strict]
    profile = names(problem, prefs)
    cases_ = [
        (boston(problem, order_names), bf_boston(caps, prefs, order)),
        (serial_dictatorship(problem, order_names), bf_serial_dictatorship(caps, prefs, order)),
        (
            deferred_acceptance(problem, priorities_of(problem, [[[i] for i in o] for o in strict])),
            bf_deferred_acceptance(caps, prefs, lambda x, i: ranks[x][i]),
        ),
        (
            deferred_acceptance(problem, Priorities.from_order(problem, order_names)),
            bf_deferred_acceptance(caps, prefs, lambda x, i: position[i]),
        ),
    ]
    for mechanism, outcome in cases_:
        assert mechanism(profile).matrix == average(n, m, [outcome])


# --------------------------------------------------------------------------------------------
# Hand-derived lotteries
# --------------------------------------------------------------------------------------------


def rows_by_agent(assignment):
    return {a: assignment.row(a) for a in assignment.problem.agents}


def test_random_boston_two_camps_by_hand():
    # 9 agents, a and b one copy each; agents 1..5 rank a > b, agents 6..9 rank b > a.
    # Round 1: the five a-camp agents apply to a, which admits the first of them in sigma:
    # each wins a with probability 1/5 (exchangeability). The four b-camp agents apply to b:
    # each wins b with probability 1/4. Round 2: every loser applies to her second choice,
    # which is already full. So a-camp: a 1/5, outside 4/5; b-camp: b 1/4, outside 3/4.
    problem = Problem.make(9, "ab")
    profile = ["ab"] * 5 + ["ba"] * 4
    rows = rows_by_agent(random_boston(problem)(profile))
    for agent in "12345":
        assert rows[agent] == (F(1, 5), F(0), F(4, 5))
    for agent in "6789":
        assert rows[agent] == (F(0), F(1, 4), F(3, 4))


def test_random_boston_forgotten_winner_by_hand():
    # Objects x, y, z, one copy each. Agents 1, 2, 3 (A, B, C) rank x > y; agent 4 (W) ranks
    # z > y; agent 5 (V) ranks z only.
    # Round 1: x admits the first of A, B, C in sigma (each 1/3); z admits the first of V, W
    # (each 1/2). Round 2: y receives the two losers of x and, if V came before W, W; it admits
    # the first of them in sigma.
    # W gets y iff V is before W and W is before both losers of x, i.e. W's rank among the four
    # agents {A, B, C, W} is 1 or 2 (probability 1/4 each). Given that rank k, V falls in one of
    # the 5 slots around those four uniformly, k of them before W: P = 1/4 (1/5 + 2/5) = 3/20.
    # (Dropping the winner of x from the revealed order would give the wrong 1/2 * 1/3 = 1/6.)
    # So W: z 1/2, y 3/20, outside 7/20. V: z 1/2, outside 1/2. y goes to A, B or C with the
    # remaining 17/20, 17/60 each by symmetry: A, B, C: x 1/3, y 17/60, outside 23/60.
    problem = Problem.make(5, "xyz")
    profile = ["xy", "xy", "xy", "zy", "z"]
    rows = rows_by_agent(random_boston(problem)(profile))
    for agent in "123":
        assert rows[agent] == (F(1, 3), F(17, 60), F(0), F(23, 60))
    assert rows["4"] == (F(0), F(3, 20), F(1, 2), F(7, 20))
    assert rows["5"] == (F(0), F(0), F(1, 2), F(1, 2))


def test_fifty_identical_agents_by_hand():
    # 50 agents all rank a > b > c; 10 objects with 5 copies each. Whatever the order, the
    # copies of a, then b, then c go to 15 distinct agents, and by symmetry each agent gets
    # each of a, b, c with probability 5/50 = 1/10 (outside 7/10). That is RP, random Boston
    # (rounds 1, 2, 3 each admit 5 of the remaining applicants), RDA with all ties (= RP) and
    # PS (the 50 eaters finish a at t = 1/10, b at 2/10, c at 3/10, then stop).
    problem = Problem.make(50, "abcdefghij", [5] * 10)
    profile = ["abc"] * 50
    expected = (F(1, 10), F(1, 10), F(1, 10), *[F(0)] * 7, F(7, 10))
    mechanisms = [
        random_priority(problem),
        random_boston(problem),
        random_deferred_acceptance(problem, Priorities.uniform(problem)),
        probabilistic_serial(problem),
    ]
    for mechanism in mechanisms:
        assert set(mechanism(profile).matrix) == {expected}, mechanism.name


def test_fifty_agents_two_types_probabilistic_serial_by_hand():
    # 30 agents rank a only, 20 rank a > b; a and b 5 copies each. PS: the 50 eaters finish a
    # at t = 5/50 = 1/10; then the 20 (a, b) agents finish b after another 5/20 = 1/4.
    # So (a): a 1/10, outside 9/10; (a, b): a 1/10, b 1/4, outside 13/20.
    problem = Problem.make(50, "ab", [5, 5])
    result = probabilistic_serial(problem)(["a"] * 30 + ["ab"] * 20)
    assert result.matrix == ((F(1, 10), F(0), F(9, 10)),) * 30 + ((F(1, 10), F(1, 4), F(13, 20)),) * 20


def test_random_boston_two_types_by_hand():
    # 9 agents rank a only, 6 rank a > b; a and b 5 copies each (n = 15).
    # Round 1: all 15 apply to a, which admits the first 5 in sigma: each gets a with
    # probability 5/15 = 1/3. The number W of (a, b) agents among those 5 is hypergeometric;
    # the L = 6 - W losers of type (a, b) apply to b in round 2 and get its 5 copies, all of
    # them unless L = 6, i.e. W = 0, which has probability C(9, 5) / C(15, 5) = 126/3003 = 6/143.
    # E[L] = 6 * 10/15 = 4 and E[min(L, 5)] = 4 - 6/143, shared by the 6 (a, b) agents:
    # b with probability (4 - 6/143) / 6 = 283/429, outside 1 - 1/3 - 283/429 = 3/429 = 1/143.
    problem = Problem.make(15, "ab", [5, 5])
    result = random_boston(problem)(["a"] * 9 + ["ab"] * 6)
    assert result.matrix == ((F(1, 3), F(0), F(2, 3)),) * 9 + ((F(1, 3), F(283, 429), F(1, 143)),) * 6


def test_random_boston_fifty_agents_two_types_by_hand():
    # 30 agents rank a only, 20 rank a > b; a and b 5 copies each.
    # Round 1: all 50 apply to a, which admits the first 5 in sigma: a with probability 1/10
    # each. Round 2: at least 15 of the 20 (a, b) agents lost a and apply to b, which admits 5
    # of them: the 5 copies of b go to the 20 (a, b) agents, symmetric: b with probability 1/4.
    problem = Problem.make(50, "ab", [5, 5])
    result = random_boston(problem)(["a"] * 30 + ["ab"] * 20)
    assert result.matrix == ((F(1, 10), F(0), F(9, 10)),) * 30 + ((F(1, 10), F(1, 4), F(13, 20)),) * 20


def test_rda_two_classes_single_object_by_hand():
    # 12 agents all rank a only; a has 3 copies; every object ranks agents 1..4 above 5..12 (2
    # tie classes). DA: a keeps its 3 best proposers, all from the top class {1..4}, chosen by
    # the tie-break: each of 1..4 gets a with probability 3/4, each of 5..12 never.
    problem = Problem.make(12, "ab", [3, 1])
    top, bottom = list(problem.agents[:4]), list(problem.agents[4:])
    priorities = Priorities.make(problem, {"a": [top, bottom], "b": [top, bottom]})
    result = random_deferred_acceptance(problem, priorities)(["a"] * 12)
    for i in range(4):
        assert result.matrix[i] == (F(3, 4), F(0), F(1, 4))
    for i in range(4, 12):
        assert result.matrix[i] == (F(0), F(0), F(1))


def test_ttc_by_hand():
    # 2 agents, one object a (one copy): seats {a, null}, two endowments, each 1/2.
    # Both rank a: the holder of a points to herself and keeps it; the other points to her, who
    # is already on her own cycle and leaves; then nothing is held: the other leaves with nothing.
    # So each gets a with probability 1/2.
    problem = Problem.make(2, "a")
    assert top_trading_cycles(problem)(["a", "a"]).matrix == ((F(1, 2), F(1, 2)),) * 2
    # Only agent 1 ranks a. If 2 holds a: 1 points to 2 (the holder of her favourite), 2 lists
    # nothing and points to herself, so she leaves with the outside option and a is discarded;
    # then nothing is held and 1 leaves with nothing. So 1 gets a only when endowed with it:
    # 1/2 (with null seats, TTC from a random endowment wastes).
    assert top_trading_cycles(problem)(["a", ""]).matrix == ((F(1, 2), F(1, 2)), (F(0), F(1)))
    # 3 agents, a and b one copy each, one null seat: 3! = 6 distinct endowments, each 1/6.
    # Agents 1 and 2 rank a > b, 3 ranks b > a. Endowment of (1, 2, 3), then the outcome:
    #  (a, b, -): 1 points to herself, 2 -> 1 (a), 3 -> 2 (b); cycle {1}: 1 keeps a. Then b is
    #             2's best left: she keeps it; 3 finds nothing held.             -> 1:a 2:b 3:-
    #  (a, -, b): 1 keeps a; 3 keeps b; 2 gets nothing.                             -> 1:a 2:- 3:b
    #  (b, a, -): 1 -> 2 (a), 2 -> 2 (keeps a), 3 -> 1 (b); cycle {2}: 2 gets a. Then 1 holds b,
    #             3 points to 1, 1 points to herself (b is her best left): 1 keeps b. -> 1:b 2:a 3:-
    #  (-, a, b): 2 keeps a, 3 keeps b; 1 gets nothing.                             -> 1:- 2:a 3:b
    #  (b, -, a): 1 -> 3 (a), 3 -> 1 (b): cycle, 1 gets a, 3 gets b; 2 nothing.     -> 1:a 2:- 3:b
    #  (-, b, a): 2 -> 3 (a), 3 -> 2 (b): cycle, 2 gets a, 3 gets b; 1 nothing.     -> 1:- 2:a 3:b
    # Agent 1: a 3/6, b 1/6, outside 2/6; agent 2: a 3/6, b 1/6, outside 2/6; agent 3: b 4/6.
    problem = Problem.make(3, "ab")
    result = top_trading_cycles(problem)(["ab", "ab", "ba"])
    assert result.matrix == (
        (F(1, 2), F(1, 6), F(1, 3)),
        (F(1, 2), F(1, 6), F(1, 3)),
        (F(0), F(2, 3), F(1, 3)),
    )


def test_ttc_equal_rankings_get_equal_rows():
    # The random endowment is symmetric in the agents, so agents with equal rankings must get
    # equal rows. (The module once pointed to the first holder of a copy in agent order and said
    # that this "does not change the lottery": it does, as this case shows.)
    # 3 agents; a 1 copy, b 2 copies (no null seat); 1 and 2 rank a only, 3 ranks b only.
    # The 3 distinct endowments (who holds a), each 1/3:
    #  1 holds a: 1 keeps a.                               2 holds a: 2 keeps a.
    #  3 holds a: 1 and 2 hold b and point to 3; 3 points to a holder of b, and trades a for
    #             that holder's b: whichever of 1, 2 she points to gets a.
    # So a always goes to 1 or 2, and with equal rows each gets it with probability 1/2
    # (outside 1/2); 3 always gets b. (Pointing to the first holder in agent order, 3 always
    # trades with 1: 1 gets a with probability 2/3 and 2 with 1/3.)
    problem = Problem.make(3, "ab", [1, 2])
    result = top_trading_cycles(problem)(["a", "a", "b"])
    assert result.row("1") == result.row("2")
    assert result.matrix == ((F(1, 2), F(0), F(1, 2)), (F(1, 2), F(0), F(1, 2)), (F(0), F(1), F(0)))


# --------------------------------------------------------------------------------------------
# Budgets: a tiny one raises, and the mechanism is intact afterwards
# --------------------------------------------------------------------------------------------

CONTESTED = (("a", "b", "c"), ("a", "c", "b"), ("b", "a", "c"), ("a", "b"), ("c", "a"), ("a",))


def contested_problem():
    return Problem.make(6, "abc")


def index_form(problem, profile):
    return tuple(tuple(problem.objects.index(x) for x in p) for p in profile)


def test_tiny_budget_random_boston():
    problem = contested_problem()
    caps, prefs = problem.capacities, index_form(problem, CONTESTED)
    with pytest.raises(OutOfReach, match=r"more than 5 states"):
        random_boston(problem, max_states=5)(CONTESTED)
    with pytest.raises(OutOfReach, match=r"more than 5 states"):
        random_boston_counts(caps, prefs, 5)
    assert random_boston(problem)(CONTESTED).matrix == bf_random_boston(caps, prefs)


def test_tiny_budget_random_deferred_acceptance():
    problem = contested_problem()
    caps, prefs = problem.capacities, index_form(problem, CONTESTED)
    # a and b tie everyone, c ranks strictly: not all-tied, so the tie-breaking search runs
    orders = [[list(range(6))], [[0, 1, 2], [3, 4, 5]], [[i] for i in (5, 4, 3, 2, 1, 0)]]
    priorities = priorities_of(problem, orders)
    with pytest.raises(OutOfReach, match=r"more than 5 branches"):
        random_deferred_acceptance(problem, priorities, max_branches=5)(CONTESTED)
    expected = bf_rda(caps, prefs, class_table(6, orders))
    assert random_deferred_acceptance(problem, priorities)(CONTESTED).matrix == expected


def test_tiny_budget_random_priority():
    problem = contested_problem()
    caps, prefs = problem.capacities, index_form(problem, CONTESTED)
    expected = bf_random_priority(caps, prefs)
    for _ in range(2):  # also once the sub-states of a completed run are memoised
        with pytest.raises(OutOfReach, match=r"more than 5 steps"):
            random_priority_counts(problem, CONTESTED, max_steps=5)
        assert random_priority(problem)(CONTESTED).matrix == expected
        rows, den = random_priority_counts(problem, CONTESTED)
        assert tuple(tuple(F(v, den) for v in row) for row in rows) == expected


def test_tiny_budget_top_trading_cycles():
    problem = contested_problem()  # 3 labelled copies and 3 null seats: 6! / 3! = 120 dealings
    caps, prefs = problem.capacities, index_form(problem, CONTESTED)
    with pytest.raises(OutOfReach, match=r"120 dealings.*more than 5\b"):
        top_trading_cycles(problem, max_endowments=5)(CONTESTED)
    assert top_trading_cycles(problem)(CONTESTED).matrix == bf_ttc(caps, prefs)


# --------------------------------------------------------------------------------------------
# 50 agents, 10 objects: exact and valid, or OutOfReach naming the budget
# --------------------------------------------------------------------------------------------

BIG = Problem.make(50, "abcdefghij", [5] * 10)


def random_profile(seed, shortest=1, longest=4, types=None):
    rng = random.Random(seed)
    draw = lambda: tuple(rng.sample(BIG.objects, rng.randint(shortest, longest)))  # noqa: E731
    if types is None:
        return tuple(draw() for _ in range(BIG.n))
    pool = [draw() for _ in range(types)]
    return tuple(rng.choice(pool) for _ in range(BIG.n))


def coarse_priorities(seed, classes):
    """Every object its own random weak order with ``classes`` tie classes."""
    rng = random.Random(seed)
    orders = {}
    for x in BIG.objects:
        agents = list(BIG.agents)
        rng.shuffle(agents)
        cuts = [0, *sorted(rng.sample(range(1, BIG.n), classes - 1)), BIG.n]
        orders[x] = [agents[lo:hi] for lo, hi in itertools.pairwise(cuts)]
    return Priorities.make(BIG, orders)


def check_valid(problem, profile, result, anonymous):
    """Rows are exact lotteries, unlisted objects get 0, columns respect the capacities, and
    (anonymous mechanisms) agents with equal rankings get equal rows."""
    m = problem.m
    for pref, row in zip(profile, result.matrix, strict=True):
        assert len(row) == m + 1
        assert all(isinstance(v, Fraction) and 0 <= v <= 1 for v in row)
        assert sum(row) == 1
        for k, x in enumerate(problem.objects):
            if x not in pref:
                assert row[k] == 0
    for k, q in enumerate(problem.capacities):
        assert sum(row[k] for row in result.matrix) <= q
    if anonymous:
        first = {}
        for pref, row in zip(profile, result.matrix, strict=True):
            assert first.setdefault(pref, row) == row


def exact_or_budget(mechanism, profile, budget, anonymous):
    """The assignment, checked valid; or None after an `OutOfReach` that names ``budget`` (a
    number, or the words naming a budget that depends on the size of a group of agents)."""
    try:
        result = mechanism(profile)
    except OutOfReach as exc:
        assert (f"{budget:,}" if isinstance(budget, int) else budget) in str(exc), str(exc)
        return None
    check_valid(mechanism.problem, profile, result, anonymous)
    return result


RDA_BUDGET = "branches of the exact tie-breaking search"  # MAX_RDA_WORK // (agents + objects + 1)

SCALE_PROFILES = {
    "lists 1-4": random_profile(0),
    "lists 1-2": random_profile(1, longest=2),
    "4 types": random_profile(2, shortest=2, types=4),
}


@pytest.mark.parametrize("label", sorted(SCALE_PROFILES))
def test_random_builtins_at_fifty_agents(label):
    profile = SCALE_PROFILES[label]
    mechanisms = [
        (random_priority(BIG), MAX_RP_STEPS, True),
        (random_deferred_acceptance(BIG, coarse_priorities(3, 2)), RDA_BUDGET, False),
        (random_deferred_acceptance(BIG, coarse_priorities(4, 3)), RDA_BUDGET, False),
        (random_boston(BIG), MAX_BOSTON_STATES, True),
        (top_trading_cycles(BIG), MAX_TTC_ENDOWMENTS, True),
    ]
    if label != "lists 1-2":  # all ties: the dynamic programme of RP again (a few seconds)
        mechanisms.append((random_deferred_acceptance(BIG, Priorities.uniform(BIG)), MAX_RP_STEPS, True))
    for mechanism, budget, anonymous in mechanisms:
        exact_or_budget(mechanism, profile, budget, anonymous)
    # probabilistic serial has no budget: always exact
    check_valid(BIG, profile, probabilistic_serial(BIG)(profile), True)


def test_single_object_lists_at_fifty_agents():
    # Everyone lists one object. Under RP, random Boston, RDA with all ties and PS, the d_x
    # agents listing x share its q_x copies equally: each gets x with probability
    # min(1, q_x / d_x). Under RDA with strict priorities (a common order) the first q_x of
    # them in that order get x. Checked wherever the mechanism answers within its budget.
    rng = random.Random(5)
    profile = tuple((rng.choice("abcdefghij"[:6]),) for _ in range(BIG.n))
    demand = {x: sum(1 for p in profile if p == (x,)) for x in BIG.objects}
    mechanisms = [
        (random_priority(BIG), MAX_RP_STEPS),
        (random_boston(BIG), MAX_BOSTON_STATES),
        (random_deferred_acceptance(BIG, Priorities.uniform(BIG)), MAX_RP_STEPS),
        (probabilistic_serial(BIG), None),
    ]
    for mechanism, budget in mechanisms:
        result = exact_or_budget(mechanism, profile, budget, True) if budget else mechanism(profile)
        if result is None:
            continue
        for (x,), row in zip(profile, result.matrix, strict=True):
            k = BIG.objects.index(x)
            share = min(F(1), F(5, demand[x]))
            assert row[k] == share and row[-1] == 1 - share, mechanism.name
    strict = random_deferred_acceptance(BIG, Priorities.from_order(BIG))
    result = strict(profile)
    seen = dict.fromkeys(BIG.objects, 0)
    for (x,), row in zip(profile, result.matrix, strict=True):
        seen[x] += 1
        k = BIG.objects.index(x)
        assert row[k] == (1 if seen[x] <= 5 else 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deterministic_builtins_at_fifty_agents(seed):
    profile = random_profile(10 + seed)
    prefs = index_form(BIG, profile)
    rng = random.Random(seed)
    order = list(range(BIG.n))
    rng.shuffle(order)
    order_names = [BIG.agents[i] for i in order]
    position = {i: k for k, i in enumerate(order)}
    caps = BIG.capacities
    expected = [
        (boston(BIG, order_names), bf_boston(caps, prefs, order)),
        (serial_dictatorship(BIG, order_names), bf_serial_dictatorship(caps, prefs, order)),
        (
            deferred_acceptance(BIG, Priorities.from_order(BIG, order_names)),
            bf_deferred_acceptance(caps, prefs, lambda x, i: position[i]),
        ),
    ]
    for mechanism, outcome in expected:
        result = mechanism(profile)
        check_valid(BIG, profile, result, False)
        assert result.matrix == average(BIG.n, BIG.m, [outcome]), mechanism.name


def test_strict_rda_at_fifty_agents_is_one_deferred_acceptance():
    # With strict priorities nothing is random: RDA is DA (no tie is ever broken).
    profile = random_profile(20)
    prefs = index_form(BIG, profile)
    rng = random.Random(20)
    orders = []
    for _ in BIG.objects:
        order = list(range(BIG.n))
        rng.shuffle(order)
        orders.append([[i] for i in order])
    ranks = [{group[0]: k for k, group in enumerate(o)} for o in orders]
    result = random_deferred_acceptance(BIG, priorities_of(BIG, orders))(profile)
    outcome = bf_deferred_acceptance(BIG.capacities, prefs, lambda x, i: ranks[x][i])
    assert result.matrix == average(BIG.n, BIG.m, [outcome])


def test_brute_force_sanity():
    # The brute force itself, on cases small enough to see: two agents, one copy of a, both
    # want it: every random rule gives 1/2 each.
    caps, prefs = (1,), ((0,), (0,))
    half = ((F(1, 2), F(1, 2)),) * 2
    assert bf_random_priority(caps, prefs) == half
    assert bf_random_boston(caps, prefs) == half
    assert bf_rda(caps, prefs, [[0, 0]]) == half
    assert bf_ttc(caps, prefs) == half
    # DA vs Boston differ (the classic example): 1, 2 rank a > b, 3 ranks b; order 1, 2, 3.
    caps, prefs = (1, 1), ((0, 1), (0, 1), (1,))
    assert bf_boston(caps, prefs, (0, 1, 2)) == [0, -1, 1]
    assert bf_deferred_acceptance(caps, prefs, lambda x, i: i) == [0, 1, -1]


def test_ttc_treats_equals_equally_on_a_whole_domain():
    """Equal treatment of equals over every profile of 3 agents with a (1 copy) and b (2
    copies), through the whole-domain table (`tabulate_builtin`) and the registry's check; the
    old first-holder rule failed it (test_ttc_equal_rankings_get_equal_rows)."""
    from verified.assignment.domain import Domain
    from verified.assignment.mechanisms.tables import tabulate_builtin
    from verified.io import AssignmentSubject
    from verified.registry import run_check

    problem = Problem.make(3, "ab", [1, 2])
    domain = Domain.full(problem)
    table = tabulate_builtin("top_trading_cycles", domain)
    subject = AssignmentSubject(problem, domain, table, "<ttc>")
    assert run_check("ete", subject).holds
    assert run_check("ir", subject).holds
    for profile in domain:  # the table is the per-profile definition, checked against brute force
        prefs = tuple(tuple(problem.objects.index(x) for x in r) for r in profile)
        assert table(profile).matrix == bf_ttc(problem.capacities, prefs)
