"""Random assignment (RA; Erdil, section 3) and Erdil's Remark 1: random priority weakly dominates RA.

RA gives every agent a uniformly random seat, whatever she reports; the seats are the q_x copies
of each object x and max(0, n - Q) null seats (Q = total copies; Erdil: n agents, n objects).
So every agent's row is q_x / max(n, Q) for x and max(0, n - Q) / max(n, Q) for the outside
option, at every profile (`verified.assignment.mechanisms.random_assignment`).

Remark 1 in the generalised setting (any n, any capacities), by hand. Fix an agent, a profile,
and the set S of her top k acceptable objects, q(S) copies in all. Under RP her position t in the
uniform order is uniform on 1..n; the t - 1 agents before her take at most t - 1 copies, so when
t <= q(S) a copy in S is left and she takes one: P_RP(S) >= min(q(S), n) / n. Under RA,
P_RA(S) = q(S) / max(n, Q), and q(S) / max(n, Q) <= min(q(S), n) / n in every case (q(S) <= n:
max(n, Q) >= n; q(S) > n: the left side is at most 1). The last prefix, "acceptable objects or
outside", has probability 1 under RP (individually rational) and at most 1 under RA. So RP
weakly dominates RA at every profile, for any n and capacities: Remark 1 survives n != m. (With
RP individually rational, the library's prefix convention (`verified.assignment.properties.fosd`)
is exactly Erdil's (FOSD): every upper contour set below the outside option has RP-probability 1.)
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from fractions import Fraction
from math import factorial

import pytest

from tests.assignment.reference_mechanisms import serial_dictatorship as reference_sd
from tests.certificates.helpers import EXAMPLES
from verified.assignment.domain import Domain
from verified.assignment.mechanism import tabulate
from verified.assignment.mechanisms import random_assignment, tabulate_builtin
from verified.assignment.model import Problem
from verified.certificates import build_certificate
from verified.cli import main
from verified.compare import compare
from verified.io import load_subject
from verified.io.reader import parse_subject
from verified.recheck import recheck, recheck_file
from verified.registry import run_check, subject_for
from verified.results import Verdict

F = Fraction
RA4, RP4 = EXAMPLES / "ra_4x3.toml", EXAMPLES / "rp_4x3.toml"


def ra_row(problem):
    """RA's row by the definition (the same for every agent at every profile)."""
    total = sum(problem.capacities)
    seats = max(problem.n, total)
    return tuple(F(q, seats) for q in problem.capacities) + (F(max(0, problem.n - total), seats),)


# ---- (a) rows by hand -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "objects", "capacities", "expected"),
    [
        # n = Q = 3 (Erdil's case): 3 seats a, b, c; each agent's seat uniform: 1/3 each, never out.
        (3, "abc", None, (F(1, 3), F(1, 3), F(1, 3), 0)),
        # n = 4 > Q = 3: seats a, b, c and one null seat; uniform over 4 seats: 1/4 each, 1/4 out.
        (4, "abc", None, (F(1, 4), F(1, 4), F(1, 4), F(1, 4))),
        # n = 2 < Q = 3: a random injective map 2 agents -> 3 seats; one agent's seat is uniform
        # over the 3 seats (3 * 2 = 6 maps, each seat hers in 2): 1/3 each, outside 0.
        (2, "abc", None, (F(1, 3), F(1, 3), F(1, 3), 0)),
        # n = 2 < Q = 3 with copies a, a, b: a in 2 of 3 seats: 2/3, b 1/3.
        (2, "ab", [2, 1], (F(2, 3), F(1, 3), 0)),
        # n = 2 < Q = 4 (a capacity above n): seats a, a, a, b: a 3/4, b 1/4.
        (2, "ab", [3, 1], (F(3, 4), F(1, 4), 0)),
        # n = 5 > Q = 3, copies a, a, b: seats a, a, b, null, null: a 2/5, b 1/5, outside 2/5.
        (5, "ab", [2, 1], (F(2, 5), F(1, 5), F(2, 5))),
    ],
)
def test_rows_by_hand(n, objects, capacities, expected):
    problem = Problem.make(n, objects, capacities)
    mechanism = random_assignment(problem)
    assert mechanism.name == "random assignment"
    assert ra_row(problem) == expected
    everyone_lists_nothing = [()] * n
    everyone_complete = [tuple(objects)] * n
    mixed = [tuple(objects[:1])] + [tuple(reversed(objects))] * (n - 1)
    for profile in (everyone_lists_nothing, everyone_complete, mixed):
        assert mechanism(profile).matrix == (expected,) * n


def test_the_fast_table_is_the_constant_row():
    domain = Domain.full(Problem.make(4, "abc"))
    table = tabulate_builtin("random_assignment", domain)
    assert table.name == "random assignment" and table.denominator == 4
    assert (table.numerators == 1).all() and table.numerators.shape == (65536, 4, 4)
    small = Domain.full(Problem.make(2, "ab", [2, 2]))  # 2/4 = 1/2: the denominator is reduced
    fast, slow = (
        tabulate_builtin("random_assignment", small),
        tabulate(random_assignment(small.problem), small),
    )
    assert fast.denominator == slow.denominator == 2
    assert (fast.numerators == slow.numerators).all()


# ---- (b) properties, with certificates rechecked ---------------------------------------------------


def _document(n, objects="abc", mechanism="random_assignment"):
    return {
        "format": "verified/assignment/1",
        "problem": {"agents": n, "objects": list(objects)},
        "domain": {"kind": "full"},
        "mechanism": {"builtin": mechanism},
    }


def _subject(n, mechanism="random_assignment"):
    if n == 4:
        return load_subject(RA4 if mechanism == "random_assignment" else RP4)
    return parse_subject(_document(n, mechanism=mechanism))


@pytest.mark.parametrize("n", [2, 3, 4])
def test_sp_anonymous_ete_hold_and_ir_fails(n):
    subject = _subject(n)
    assert subject.table.name == "random assignment"
    for prop in ("sp", "anonymous", "ete"):
        result = run_check(prop, subject)
        assert result.verdict is Verdict.HOLDS, (prop, result.evidence)
        if n < 4:  # n = 4: verdicts only (65,536 profiles); the IR certificate is rechecked at every n
            assert "re-verified" in recheck(build_certificate(prop, result, subject_for(prop, subject)))
    result = run_check("ir", subject)
    assert result.verdict is Verdict.FAILS
    witness = result.evidence
    # the witness, checked here: the agent does not list the object at that profile, and RA
    # gives it to her with the probability claimed (q_x / max(n, Q) = 1 / max(n, 3))
    profile = subject.problem.profile(witness["profile"])
    agent = subject.problem.agent_index(witness["agent"])
    assert witness["object"] not in profile[agent]
    assert F(witness["probability"]) == F(1, max(n, 3)) > 0
    assert (witness["profile"], witness["agent"], witness["object"]) == ([[]] * n, "1", "a")
    assert "re-verified" in recheck(build_certificate("ir", result, subject_for("ir", subject)))


# ---- (c) Remark 1: RP weakly dominates RA ---------------------------------------------------------


def rp_rows_by_enumeration(problem, multiset):
    """RP at a profile given as a sorted multiset of rankings: for each ranking in it, the integer
    counts (objects, then outside) over n! of ONE agent holding it, by running the n! serial
    dictatorships (`tests.assignment.reference_mechanisms.serial_dictatorship`). The uniform
    order is invariant under relabelling the agents, so agents with equal rankings get equal rows
    and a profile's rows are those of its multiset."""
    rows = {}
    for order in itertools.permutations(range(problem.n)):
        for i, column in enumerate(reference_sd(problem, multiset, order)):
            rows.setdefault(i, [0] * (problem.m + 1))[column] += 1
    return {multiset[i]: tuple(row) for i, row in rows.items()}


def fosd_letter(pref, new, old, problem):
    """The kind of the pair (NEW row ``new``, OLD row ``old``, Fractions) for an agent reporting
    ``pref``, as `verified.compare` letters it: s same, b NEW better, w worse, i incomparable,
    e equivalent (different rows, equal cumulatives). Prefixes: her top 1, top 2, ... acceptable
    objects, then all acceptable objects and the outside option."""
    if new == old:
        return "s"
    columns = [problem.object_index(x) for x in pref]
    prefixes = [columns[:k] for k in range(1, len(columns) + 1)] + [[*columns, problem.m]]
    gains = [sum(new[c] for c in cols) - sum(old[c] for c in cols) for cols in prefixes]
    if all(g >= 0 for g in gains):
        return "b" if any(g > 0 for g in gains) else "e"
    return "w" if all(g <= 0 for g in gains) else "i"


@functools.cache
def remark_1_pairs(n):
    """The letters of every (profile, agent) pair, NEW = RP, OLD = RA, in (profile, agent) order,
    and the profiles (with the agent) of the pairs that are the same."""
    problem = Problem.make(n, "abc")
    domain = Domain.full(problem)
    ra = ra_row(problem)
    total = factorial(n)
    multisets = {}
    letters = {}
    out, same = [], []
    for profile in domain:
        key = tuple(sorted(profile))
        rows = multisets.get(key)
        if rows is None:
            rows = multisets[key] = rp_rows_by_enumeration(problem, key)
        for i, pref in enumerate(profile):
            letter = letters.get((pref, rows[pref]))
            if letter is None:
                rp = tuple(F(c, total) for c in rows[pref])
                letter = letters[pref, rows[pref]] = fosd_letter(pref, rp, ra, problem)
            out.append(letter)
            if letter == "s":
                same.append((profile, i))
    return "".join(out), same


def expected_same(n):
    """The pairs where RP and RA give the same row, by hand. RP is individually rational and RA
    puts q_x / max(n, 3) on every object, so the agent must list all three objects, say x > y > z.
      n = 2: RA gives x 1/3, RP gives x at least 1/2 (she picks first half the time): never.
      n = 3: RA gives 1/3 each. RP gives x 1/3 only if x is gone whenever she is not first: both
        others rank x first. Picking second she then always gets y; picking third she gets y
        unless the other agent picking second took it, so RP gives y 1/3 only if both others rank
        y second; then she gets z when third: 1/3. Others: (x, y) or (x, y, z) each. Per agent
        6 rankings x 2 x 2 = 24 profiles, 72 pairs.
      n = 4: RA gives 1/4 each and outside 1/4. As for n = 3, all three others rank x first and y
        second, and picking third she gets z. Picking fourth she gets z unless the other agent
        picking third took it, so RP gives z 1/4 only if every other ranks z third: all three
        others report exactly x > y > z (and she gets the outside option when fourth, 1/4).
        Every agent has the same complete ranking: 6 profiles, 24 pairs."""
    objects = "abc"
    complete = list(itertools.permutations(objects))
    out = []
    for i in range(n):
        for pref in complete:
            if n == 3:
                tails = [pref[:2], pref]
                others = itertools.product(tails, repeat=2)
            elif n == 4:
                others = [(pref,) * 3]
            else:
                others = []
            for rest in others:
                profile = list(rest)
                profile.insert(i, pref)
                out.append((tuple(profile), i))
    domain = Domain.full(Problem.make(n, objects))
    return sorted(out, key=lambda pair: (domain.index(domain.problem.profile(pair[0])), pair[1]))


@pytest.mark.parametrize("n", [2, 3, 4])
def test_remark_1_rp_weakly_dominates_ra_by_an_independent_loop(n):
    letters, same = remark_1_pairs(n)
    assert len(letters) == 16**n * n
    assert set(letters) <= {"s", "b"}  # never worse, never incomparable (nor equivalent)
    assert same == expected_same(n)
    assert letters.count("s") == {2: 0, 3: 72, 4: 24}[n]
    assert "b" in letters  # strictly better somewhere: RP dominates RA


@pytest.mark.parametrize("n", [2, 3, 4])
def test_remark_1_by_compare(n):
    result = compare(_subject(n), _subject(n, "random_priority"), require="weakly-dominates")
    assert result.verdict is Verdict.HOLDS and result.exit_code == 0
    d = result.differences
    assert d.relation == "dominates"  # strictly somewhere
    letters, _ = remark_1_pairs(n)
    assert d.by_category == {
        "same": letters.count("s"),
        "better": letters.count("b"),
        "worse": 0,
        "incomparable": 0,
        "equivalent": 0,
    }
    # pair for pair: the library's classification equals the loop's
    assert d.digest == hashlib.sha256(letters.encode()).hexdigest()


def test_the_obvious_profile_of_remark_1():
    # Erdil: "one agent's top choice is bottom ranked by everyone else".
    # n = m = 3, R1 = a > b > c, R2 = R3 = b > c > a. Whatever the order, 2 and 3 take b and c
    # (the earlier of them b, the later c) and a is left for 1: RP gives 1 a with probability 1,
    # 2 and 3 b 1/2, c 1/2. RA gives everyone 1/3 of each. Agent 1's top-1 prefix: 1 > 1/3;
    # agents 2 and 3: top-1 (b) 1/2 > 1/3, top-2 1 > 2/3. All three strictly better.
    rp = tabulate_builtin("random_priority", Domain.full(Problem.make(3, "abc")))
    profile = [("a", "b", "c"), ("b", "c", "a"), ("b", "c", "a")]
    assert rp(profile).matrix == ((1, 0, 0, 0), (0, F(1, 2), F(1, 2), 0), (0, F(1, 2), F(1, 2), 0))
    problem = rp.problem
    ra = ra_row(problem)
    assert [fosd_letter(p, r, ra, problem) for p, r in zip(profile, rp(profile).matrix, strict=True)] == [
        "b"
    ] * 3
    # n = 4 > Q = 3, R1 = a > b > c, others b > c > a. The others take b, c, then a in the order
    # they come; 1 gets a unless she picks last (1/4), when b, c, a are gone: a 3/4, outside 1/4.
    # An other agent is first / second / third among the others with probability 1/3 each: b,
    # c, and a only if 1 comes after all three (1/4): a 1/3 * 1/4 = 1/12, outside 1/3 - 1/12.
    # RA: 1/4 each. Agent 1: top-1 3/4 > 1/4 (top-3 3/4 = 3/4: equal there). Others: top-1
    # 1/3 > 1/4, top-2 2/3 > 1/2, top-3 3/4 = 3/4.
    rp = load_subject(RP4).table
    profile = [("a", "b", "c")] + [("b", "c", "a")] * 3
    other = (F(1, 12), F(1, 3), F(1, 3), F(1, 4))
    assert rp(profile).matrix == ((F(3, 4), 0, 0, F(1, 4)), other, other, other)
    ra = ra_row(rp.problem)
    letters = [fosd_letter(p, r, ra, rp.problem) for p, r in zip(profile, rp(profile).matrix, strict=True)]
    assert letters == ["b"] * 4


# ---- the command line -------------------------------------------------------------------------------


def test_verified_compare_ra_rp_exit_code_and_certificate(tmp_path):
    folder = tmp_path / "certs"
    args = ["compare", str(RA4), str(RP4), "--require", "dominates", "-c", str(folder), "-q"]
    assert main(args) == 0
    (path,) = sorted(folder.iterdir())
    assert path.name == "ra_4x3-vs-rp_4x3.dominates.cert.json.gz"
    assert "dominates: holds - re-verified" in recheck_file(path)  # `recheck` of the file read back
    # the other way round nothing dominates: RA is worse for someone (exit 1)
    assert main(["compare", str(RP4), str(RA4), "--require", "weakly-dominates", "-q"]) == 1
