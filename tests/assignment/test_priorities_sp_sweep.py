"""DA is SD-strategy-proof for EVERY strict priority structure on 3 agents and 2 objects, RDA for
EVERY weak one (Erdil, section 3; issue 12), certified and re-checked; a random sample at 4
agents and 3 objects; Boston with the same strict structures as a control that must fail; and
examples/erdil_da_sp_all_priorities.py prints exactly its stored output.

The priority structures are enumerated here independently of the example script: a weak order
of the agents is a complete and transitive relation, found among all 2^(n^2) relations; the
strict ones are the antisymmetric ones. At 3 agents and 2 objects every structure is also
checked without the library (a hand-rolled DA, RDA as its average over the 3! tie-breaking
orders, SD-strategy-proofness by brute force), and the library's tables are compared with it
entry for entry.
"""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Sequence
from fractions import Fraction
from itertools import permutations, product

from tests.example_output import ROOT, assert_example_prints_expected, expected_output
from verified.assignment.domain import Domain
from verified.assignment.mechanism import FunctionMechanism, tabulate
from verified.assignment.mechanisms.deferred_acceptance import deferred_acceptance
from verified.assignment.mechanisms.tables import tabulate_builtin
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.assignment.stochastic import StochasticAssignment
from verified.certificates import build_certificate
from verified.io import AssignmentSubject
from verified.recheck import recheck
from verified.registry import run_check, subject_for

WeakOrder = tuple[tuple[str, ...], ...]
PROBLEM = Problem.make(3, "ab")
DOMAIN = Domain.full(PROBLEM)


def orders_by_relations(agents: Sequence[str]) -> tuple[list[WeakOrder], list[WeakOrder]]:
    """(weak orders, strict orders) of ``agents``: every relation R on them (a set of pairs,
    (i, j) in R meaning i has at least j's priority) that is complete and transitive; strict
    when also antisymmetric. Tie classes, highest first."""
    pairs = [(i, j) for i in agents for j in agents]
    weak, strict = [], []
    for bits in product((False, True), repeat=len(pairs)):
        rel = {p for p, b in zip(pairs, bits, strict=True) if b}
        if not all((i, j) in rel or (j, i) in rel for i in agents for j in agents):
            continue  # not complete (i = j: reflexive)
        if not all((i, k) in rel for (i, j) in rel for (j2, k) in rel if j == j2):
            continue  # not transitive
        above = {i: sum((i, j) in rel for j in agents) for i in agents}  # agents i weakly beats
        levels = sorted(set(above.values()), reverse=True)
        order = tuple(tuple(a for a in agents if above[a] == v) for v in levels)
        weak.append(order)
        if all(not ((i, j) in rel and (j, i) in rel) for i in agents for j in agents if i != j):
            strict.append(order)
    return weak, strict


WEAK, STRICT = orders_by_relations(PROBLEM.agents)
STRICT_STRUCTURES = list(product(STRICT, repeat=PROBLEM.m))
WEAK_STRUCTURES = list(product(WEAK, repeat=PROBLEM.m))


def priorities(problem: Problem, structure: Sequence[WeakOrder]) -> Priorities:
    return Priorities.make(problem, [[list(c) for c in order] for order in structure])


def certified_sp(name: str, domain: Domain, structure: Sequence[WeakOrder]) -> tuple[bool, str]:
    """sp of built-in ``name`` with the structure's priorities: (holds, recheck's summary)."""
    pr = priorities(domain.problem, structure)
    subject = AssignmentSubject(domain.problem, domain, tabulate_builtin(name, domain, priorities=pr))
    result = run_check("sp", subject)
    return result.holds, recheck(build_certificate("sp", result, subject_for("sp", subject)))


def test_counts_of_structures():
    # 13 weak orders of 3 agents: 3! strict + 3 * 2 (a pair tied, above or below the third)
    # + 1 (all tied) = 6 + 6 + 1; the strict ones are the 3! permutations
    assert (len(WEAK), len(STRICT)) == (13, 6) == (6 + 3 * 2 + 1, 3 * 2 * 1)
    assert len(set(WEAK)) == 13 and set(STRICT) <= set(WEAK)
    assert len(STRICT_STRUCTURES) == 6**2 == 36 and len(set(STRICT_STRUCTURES)) == 36
    assert len(WEAK_STRUCTURES) == 13**2 == 169 and len(set(WEAK_STRUCTURES)) == 169
    # every one is a valid priority structure of the library
    for structure in WEAK_STRUCTURES:
        assert priorities(PROBLEM, structure).is_strict() == (structure in STRICT_STRUCTURES)


def test_the_example_enumerates_the_same_structures():
    spec = importlib.util.spec_from_file_location(
        "sweep", ROOT / "examples" / "erdil_da_sp_all_priorities.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert set(script.weak_orders(PROBLEM.agents)) == set(WEAK)
    assert set(script.strict_orders(PROBLEM.agents)) == set(STRICT)
    assert script.fubini_by_stirling(3) == script.fubini_by_top_class(3) == 13
    four = Problem.make(4, "abc").agents
    assert len(script.weak_orders(four)) == len(orders_by_relations(four)[0]) == 75


def test_da_is_strategy_proof_for_every_strict_structure():
    for structure in STRICT_STRUCTURES:
        holds, summary = certified_sp("deferred_acceptance", DOMAIN, structure)
        assert holds, structure
        assert summary == "sp: holds - re-verified (exhaustive)"


def test_rda_is_strategy_proof_for_every_weak_structure():
    for structure in WEAK_STRUCTURES:
        holds, summary = certified_sp("random_deferred_acceptance", DOMAIN, structure)
        assert holds, structure
        assert summary == "sp: holds - re-verified (exhaustive)"


RANKINGS = [(), ("a",), ("b",), ("a", "b"), ("b", "a")]  # 3 agents, 2 objects: 5^3 profiles


def plain_da(
    profile: Sequence[Sequence[str]], structure: Sequence[WeakOrder], tiebreak: Sequence[str]
) -> list:
    """Library-free DA (one copy per object); ties of ``structure`` broken by ``tiebreak``."""
    agents = PROBLEM.agents
    rank = {
        x: {a: (c, tiebreak.index(a)) for c, cls in enumerate(order) for a in cls}
        for x, order in zip(PROBLEM.objects, structure, strict=True)
    }
    nxt, held, free = dict.fromkeys(agents, 0), {}, list(agents)
    while free:
        i = free.pop()
        pref = profile[agents.index(i)]
        if nxt[i] >= len(pref):
            continue
        x = pref[nxt[i]]
        nxt[i] += 1
        if x not in held:
            held[x] = i
        elif rank[x][i] < rank[x][held[x]]:
            free.append(held[x])
            held[x] = i
        else:
            free.append(i)
    got = {i: x for x, i in held.items()}
    return [got.get(a, "outside") for a in agents]


def plain_lotteries(structure: Sequence[WeakOrder]) -> dict:
    """RDA at every profile, library-free: DA averaged over the 3! tie-breaking orders."""
    out = {}
    for profile in product(RANKINGS, repeat=3):
        draws = [plain_da(profile, structure, order) for order in permutations(PROBLEM.agents)]
        out[profile] = [
            {x: Fraction(sum(d[k] == x for d in draws), len(draws)) for x in ("a", "b", "outside")}
            for k in range(3)
        ]
    return out


def plain_sd_strategy_proof(lottery: dict) -> bool:
    """For every profile, agent and misreport: the truthful lottery FOSD-dominates the other for
    the true ranking (every prefix of it, outside and unlisted objects at the end)."""
    for profile, rows in lottery.items():
        for k in range(3):
            true = profile[k]
            for lie in RANKINGS:
                other = lottery[(*profile[:k], lie, *profile[k + 1 :])][k]
                for t in range(1, len(true) + 1):
                    if sum(other[x] for x in true[:t]) > sum(rows[k][x] for x in true[:t]):
                        return False
    return True


def test_plain_brute_force_agrees_on_every_structure():
    """Without the library: DA (strict) and RDA (weak) by hand-rolled DA, SD-strategy-proof on
    every structure; and the library's tables are exactly these lotteries."""
    assert len(RANKINGS) == len(DOMAIN.preferences[0]) and set(RANKINGS) == set(DOMAIN.preferences[0])
    for structure in WEAK_STRUCTURES:
        lottery = plain_lotteries(structure)
        assert plain_sd_strategy_proof(lottery), structure
        name = "deferred_acceptance" if structure in STRICT_STRUCTURES else "random_deferred_acceptance"
        table = tabulate_builtin(name, DOMAIN, priorities=priorities(PROBLEM, structure))
        for profile, rows in lottery.items():
            got = table(profile)
            assert [{x: got.prob(a, x) for x in row} for a, row in zip("123", rows, strict=True)] == rows


def test_the_brute_force_sees_manipulation():
    # the FOSD test above is not vacuous: Boston-like lotteries fail it (agent 2 at 1: a;
    # 2: a b; 3: b gets nothing, and b for sure by reporting b alone)
    lottery = {p: [{"a": 0, "b": 0, "outside": 1}] * 3 for p in product(RANKINGS, repeat=3)}
    lottery[(("a",), ("b",), ("b",))] = [
        {"a": 1, "b": 0, "outside": 0},
        {"a": 0, "b": 1, "outside": 0},
        {"a": 0, "b": 0, "outside": 1},
    ]
    assert not plain_sd_strategy_proof(lottery)


def test_the_da_table_is_deferred_acceptance_for_its_structure():
    # a: 3 > 1 > 2, b: 1 > 2 > 3; everyone ranks a > b. By hand: all propose to a, which keeps 3
    # and rejects 1 and 2; both propose to b, which keeps 1 and rejects 2, who has nothing left.
    structure = ((("3",), ("1",), ("2",)), (("1",), ("2",), ("3",)))
    assert structure in STRICT_STRUCTURES
    pr = priorities(PROBLEM, structure)
    profile = (("a", "b"),) * 3
    for table in (
        tabulate_builtin("deferred_acceptance", DOMAIN, priorities=pr),
        tabulate(deferred_acceptance(PROBLEM, pr), DOMAIN),
    ):
        got = table(profile)
        assert (got.prob("1", "b"), got.prob("2", "outside"), got.prob("3", "a")) == (1, 1, 1)
    # the priorities matter: with 1 > 2 > 3 for both objects, 1 gets a and 2 gets b
    common = tabulate_builtin("deferred_acceptance", DOMAIN, priorities=Priorities.from_order(PROBLEM))
    assert (common(profile).prob("1", "a"), common(profile).prob("2", "b")) == (1, 1)


def test_the_rda_table_breaks_ties_uniformly():
    # a: (1 2) > 3, b: 3 > (1 2); everyone ranks a > b. a rejects 3 (lower class), who takes b
    # for good (top priority there); a keeps whichever of 1, 2 the random order puts first
    # (probability 1/2 each), and the other is rejected by b (3 is above her): outside.
    structure = ((("1", "2"), ("3",)), (("3",), ("1", "2")))
    pr = priorities(PROBLEM, structure)
    got = tabulate_builtin("random_deferred_acceptance", DOMAIN, priorities=pr)((("a", "b"),) * 3)
    half = Fraction(1, 2)
    assert [got.prob(i, "a") for i in "123"] == [half, half, 0]
    assert [got.prob(i, "outside") for i in "123"] == [half, half, 0]
    assert got.prob("3", "b") == 1


def boston(problem: Problem, structure: Sequence[WeakOrder]) -> FunctionMechanism:
    """Immediate acceptance, each object admitting applicants by its own strict order (one
    copy of each object, as in PROBLEM)."""
    assert set(problem.capacities) == {1}
    rank = [{c[0]: r for r, c in enumerate(order)} for order in structure]

    def run(profile):
        free, held, taken = set(problem.agents), {}, set()
        for r in range(problem.m):
            for k, x in enumerate(problem.objects):
                applying = [
                    a
                    for i, a in enumerate(problem.agents)
                    if a in free and len(profile[i]) > r and profile[i][r] == x
                ]
                if applying and x not in taken:
                    winner = min(applying, key=rank[k].__getitem__)
                    held[winner] = x
                    free.discard(winner)
                    taken.add(x)
        return StochasticAssignment.from_rows(
            problem, [{held[a]: 1} if a in held else {} for a in problem.agents], fill_outside=True
        )

    return FunctionMechanism(problem, "boston", run)


def test_control_boston_is_manipulable_for_every_strict_structure():
    # Why every one: let j be a's top agent and k the other agent with the higher priority for b.
    # At (j: a; k: a b; third: b) k loses a to j in round 1 while third takes b; reporting "b"
    # alone, k beats third for b in round 1: outside -> b.
    for structure in STRICT_STRUCTURES:
        table = tabulate(boston(PROBLEM, structure), DOMAIN)
        result = run_check("sp", AssignmentSubject(PROBLEM, DOMAIN, table))
        assert result.fails, structure
        j = structure[0][0][0]
        k = next(c[0] for c in structure[1] if c[0] != j)
        (third,) = set(PROBLEM.agents) - {j, k}
        at = {j: ("a",), k: ("a", "b"), third: ("b",)}
        truthful = tuple(at[a] for a in PROBLEM.agents)
        lie = tuple(("b",) if a == k else at[a] for a in PROBLEM.agents)
        assert table(truthful).prob(k, "outside") == 1 and table(lie).prob(k, "b") == 1


def test_control_witness_checked_by_hand():
    structure = ((("1",), ("2",), ("3",)),) * 2  # both objects 1 > 2 > 3 (the example's first)
    assert structure in STRICT_STRUCTURES
    table = tabulate(boston(PROBLEM, structure), DOMAIN)
    result = run_check("sp", AssignmentSubject(PROBLEM, DOMAIN, table))
    doc = build_certificate("sp", result, subject_for("sp", AssignmentSubject(PROBLEM, DOMAIN, table)))
    assert recheck(doc).startswith("sp: fails")
    w = result.evidence
    # 1: a; 2: a b; 3: b. Round 1: 1 beats 2 for a, 3 alone at b; 2 is left with nothing.
    # Reporting "b": 2 beats 3 for b in round 1. Her chance of {a, b} rises from 0 to 1.
    assert [list(p) for p in w["profile"]] == [["a"], ["a", "b"], ["b"]]
    assert (w["agent"], list(w["true_preference"]), list(w["misreport"])) == ("2", ["a", "b"], ["b"])
    truthful, lie = table((("a",), ("a", "b"), ("b",))), table((("a",), ("b",), ("b",)))
    cumulative = [sum(row.prob("2", x) for x in ("a", "b")[:t]) for row in (truthful, lie) for t in (1, 2)]
    assert cumulative == [0, 0, 0, 1]  # FOSD for a > b: P(a) 0 <= 0, P({a, b}) 0 < 1
    assert (Fraction(w["truthful_cumulative"]), Fraction(w["misreport_cumulative"])) == (0, 1)


def test_sampled_structures_at_four_agents_three_objects():
    """A small sample only (each structure: 65,536 profiles, about 1.5 s with its re-check);
    the example script checks 4 strict and 2 weak ones (more with --strict, --weak)."""
    problem = Problem.make(4, "abc")
    domain = Domain.full(problem)
    rng = random.Random(2026)
    strict = tuple(tuple((a,) for a in rng.sample(problem.agents, 4)) for _ in problem.objects)
    while True:  # a weak structure with at least one tie: random maps onto tie classes
        ranks = [[rng.randrange(4) for _ in problem.agents] for _ in problem.objects]
        weak = tuple(
            tuple(
                tuple(a for a, r in zip(problem.agents, row, strict=True) if r == v) for v in sorted(set(row))
            )
            for row in ranks
        )
        if any(len(c) > 1 for order in weak for c in order):
            break
    for name, structure in (("deferred_acceptance", strict), ("random_deferred_acceptance", weak)):
        holds, summary = certified_sp(name, domain, structure)
        assert holds and summary == "sp: holds - re-verified (exhaustive)", (name, structure)


def test_example_prints_its_expected_output():
    assert_example_prints_expected("erdil_da_sp_all_priorities")


def test_example_numbers_rederived():
    lines = expected_output("erdil_da_sp_all_priorities").splitlines()
    rows = [line.split() for line in lines if line.startswith(("DA ", "RDA "))]
    # mechanism, n, x, m, priorities (two words), structures, holds, profiles, comparisons
    expected = [("DA", 3, 2, 36), ("RDA", 3, 2, 169), ("DA", 4, 3, 4), ("RDA", 4, 3, 2)]
    rankings = {2: 1 + 2 + 2, 3: 1 + 3 + 6 + 6}  # subsets of the objects, each in every order
    assert len(rows) == 4
    for row, (name, n, m, count) in zip(rows, expected, strict=True):
        profiles = rankings[m] ** n
        assert row[0] == name and (int(row[1]), int(row[3])) == (n, m)
        assert [int(v) for v in row[6:]] == [count, count, profiles, count * profiles * n * (rankings[m] - 1)]
    assert "every verdict SD-strategy-proof and re-verified: yes" in lines
    assert "Control: Boston with the same 36 strict structures is manipulable for 36 of them" in lines
    assert any("4 of 13824 strict structures, 2 of 421875 weak ones" in line for line in lines)
