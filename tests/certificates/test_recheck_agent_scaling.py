"""The checker's work grows linearly with the number of agents (red team: quadratic before).

Equal treatment of equals compared every pair of agents (twice: the ``comparisons`` count and the
search for a violation), so one profile of 4,000 agents took 26 s; the orbit-table checks
(feasibility, SD-strategy-proofness) built and ranked an n-tuple for each of the multisets, so
14,000 agents took 211 s. These tests re-check such files (their time is in
`python benchmarks/run.py recheck`, not asserted here), find violations
planted among thousands of agents (the expected witness derived by hand next to each test), and
compare the new code with the all-pairs / tuple-by-tuple definitions on small random tables.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from math import comb
from typing import Any

import pytest

from tests.certificates.helpers import holds_document
from verified.recheck import RecheckError, recheck
from verified.recheck.assignment import ete_comparisons, ete_violation
from verified.recheck.assignment_evidence import domain_description, table_digest
from verified.recheck.orbits import (
    MULTISET_INDEX,
    Orbits,
    expand,
    multisets,
    rank_of_runs,
    ranks_without_one,
)
from verified.recheck.table import Table


def _outcome(doc: dict[str, Any]) -> tuple[str | None, str | None]:
    """(summary, rejection message) of re-checking ``doc``: exactly one is None."""
    try:
        return recheck(doc), None
    except RecheckError as exc:
        return None, str(exc)


# ----- equal treatment of equals -------------------------------------------------------------


def ete_doc(prefs: list[list[str]], objects: list[str], rows: list[list[int]], comparisons: int) -> dict:
    """An ete HOLDS certificate on one profile: agent i has the single ranking ``prefs[i]``."""
    n = len(prefs)
    enc = {
        "family": "assignment",
        "kind": "table",
        "problem": {
            "agents": [f"x{i}" for i in range(n)],
            "objects": objects,
            "capacities": [n] * len(objects),
        },
        "domain": {"preferences": [[p] for p in prefs]},
        "mechanism": {"name": "planted", "denominator": 1, "numerators": [rows]},
    }
    t = Table(json.loads(json.dumps(enc)))
    ev = {"kind": "exhaustive", "domain": domain_description(t), "table_digest": table_digest(t)}
    return holds_document("ete", {**ev, "comparisons": comparisons}, enc)


def test_ete_on_4000_equal_agents_is_rechecked():
    # the red team's file (mk_ete.py 4000): one profile, every agent reports [a] and gets a;
    # every pair of agents reports the same ranking, so comparisons = C(4000, 2) = 7,998,000
    n = 4000
    doc = ete_doc([["a"]] * n, ["a"], [[1, 0]] * n, n * (n - 1) // 2)
    summary, message = _outcome(doc)
    assert message is None and summary is not None and "ete: holds" in summary


def test_ete_rejects_a_wrong_comparison_count_on_4000_agents():
    n = 4000
    summary, message = _outcome(ete_doc([["a"]] * n, ["a"], [[1, 0]] * n, n * (n - 1) // 2 - 1))
    assert summary is None and message is not None
    assert "evidence.comparisons: stated 7997999, re-derived 7998000" in message


def test_ete_finds_the_first_pair_of_a_planted_violation_among_3000_agents():
    # agents 100, 200, 2000 report [b], every other agent [a]; each gets its first choice, except
    # agents 2000 (a [b]) and 2900 (an [a]), who get outside. Group [b]: pairs (100, 2000) and
    # (200, 2000) differ; group [a] (first member 0): every (i, 2900) differs. The all-pairs loop
    # (i ascending, then j) meets (0, 2900) first, although a scan over the agents meets agent
    # 2000's difference before agent 2900's.
    n = 3000
    prefs = [["a"]] * n
    rows = [[1, 0, 0]] * n
    for i in (100, 200, 2000):
        prefs[i], rows[i] = ["b"], [0, 1, 0]
    rows[2000] = [0, 0, 1]
    rows[2900] = [0, 0, 1]
    groups = (n - 3, 3)  # |[a]|, |[b]|: pairs of equal agents C(2997, 2) + C(3, 2)
    comparisons = sum(g * (g - 1) // 2 for g in groups)
    summary, message = _outcome(ete_doc(prefs, ["a", "b"], rows, comparisons))
    assert summary is None and message is not None
    assert message.endswith("equals treated unequally: (0, 0, 2900)")


def test_ete_a_violation_only_in_a_later_group():
    # group [a] all equal; group [b] = {7, 8, 9}: 9 gets outside -> the first pair is (7, 9)
    n = 2000
    prefs = [["a"]] * n
    rows = [[1, 0, 0]] * n
    for i in (7, 8, 9):
        prefs[i], rows[i] = ["b"], [0, 1, 0]
    rows[9] = [0, 0, 1]
    comparisons = (n - 3) * (n - 4) // 2 + 3
    _, message = _outcome(ete_doc(prefs, ["a", "b"], rows, comparisons))
    assert message is not None and message.endswith("equals treated unequally: (0, 7, 9)")


def _all_pairs(t: Table) -> tuple[tuple[int, int, int] | None, int]:
    """The definitions, by brute force over profiles and pairs: the first violating (profile, i, j)
    and the number of (profile, i < j) with equal reports."""
    first, pairs = None, 0
    for pi in range(t.count):
        prof = t.profile(pi)
        for i, j in itertools.combinations(range(t.n), 2):
            if prof[i] == prof[j]:
                pairs += 1
                if first is None and t.nums[pi][i] != t.nums[pi][j]:
                    first = (pi, i, j)
    return first, pairs


def test_ete_agrees_with_the_all_pairs_definition_on_small_random_tables():
    rng = random.Random(20240607)
    objects = ["a", "b"]
    rankings = [list(p) for k in range(3) for p in itertools.permutations(objects, k)]
    rows = [[2, 0, 0], [0, 2, 0], [0, 0, 2], [1, 0, 1]]
    found = 0
    for _ in range(400):
        n = rng.randint(1, 5)
        prefs = [rng.sample(rankings, rng.randint(1, 3)) for _ in range(n)]
        count = 1
        for p in prefs:
            count *= len(p)
        nums = [
            [rng.choice(rows) if rng.random() < 0.15 else [0, 0, 2] for _ in range(n)] for _ in range(count)
        ]
        enc = {
            "family": "assignment",
            "kind": "table",
            "problem": {"agents": [f"x{i}" for i in range(n)], "objects": objects, "capacities": [n, n]},
            "domain": {"preferences": prefs},
            "mechanism": {"name": "random", "denominator": 2, "numerators": nums},
        }
        t = Table(enc)
        first, pairs = _all_pairs(t)
        assert ete_violation(t) == first
        assert ete_comparisons(t) == pairs
        found += first is not None
    assert 50 < found < 350  # both verdicts are exercised


@pytest.mark.parametrize("n", [1, 2, 3])
def test_ete_comparisons_on_the_full_domain(n):
    # 2 objects: 5 rankings, 5^n profiles; a pair reports the same ranking in 5^(n-1) of them
    enc = {
        "family": "assignment",
        "kind": "table",
        "problem": {"agents": [f"x{i}" for i in range(n)], "objects": ["a", "b"], "capacities": [n, n]},
        "domain": {"full": True},
        "mechanism": {"name": "none", "denominator": 1, "numerators": [[[0, 0, 1]] * n] * 5**n},
    }
    assert ete_comparisons(Table(enc)) == comb(n, 2) * 5 ** (n - 1)


# ----- orbit tables ------------------------------------------------------------------------------
# Rankings 0 = [] and 1 = [a], one object. The others' multiset with z zeros and w = n - 1 - z
# ones has colex rank sum_j C(a_j + j, j + 1) = 0 * z + sum over the w ones of C(1 + j, j + 1) = w:
# row w of each block is the agent's row when w of the others report [a].


def orbit_doc(n: int, capacity: int, give_a: list[bool]) -> dict:
    """An sp-anonymous HOLDS certificate: a [] reporter gets outside; an [a] reporter whose
    others hold w copies of [a] gets a iff ``give_a[w]``."""
    agents = [f"x{i}" for i in range(n)]
    nums = [[[0, 1]] * n, [[1, 0] if g else [0, 1] for g in give_a]]
    enc = {
        "family": "assignment",
        "kind": "orbit_table",
        "problem": {"agents": agents, "objects": ["a"], "capacities": [capacity]},
        "rankings": [[], ["a"]],
        "multiset_index": "colex",
        "mechanism": {
            "name": "planted",
            "anonymity": "by construction",
            "denominator": 1,
            "numerators": nums,
        },
    }
    o = Orbits(json.loads(json.dumps(enc)))
    ev = {
        "kind": "exhaustive_orbits",
        "mechanism": "planted",
        "anonymity": "by construction",
        "agents": agents,
        "objects": ["a"],
        "capacities": [capacity],
        "rankings": [[], ["a"]],
        "multiset_index": MULTISET_INDEX,
        "denominator": 1,
        "orbit_table_digest": o.digest(),
        "orbits": 2 * n,  # k * C(k + n - 2, n - 1) = 2 * C(n, n - 1)
        "comparisons": 2 * n,  # k (k - 1) * C(n, n - 1)
        "profiles_covered": 2**n,
    }
    return holds_document("sp-anonymous", ev, enc)


def test_an_orbit_table_of_10000_agents_is_rechecked():
    # the red team's file (mk_orbit.py): [a] reporters always get a, capacity n
    n = 10_000
    summary, message = _outcome(orbit_doc(n, n, [True] * n))
    assert message is None and summary is not None and "sp-anonymous: holds" in summary


def test_a_planted_manipulation_among_10000_agents_is_found():
    # [a] reporters get a and [] reporters outside, except where w = 4999 or w = 9899 of the
    # others report [a]: there the [] row is (1, 0) (gets a) and the [a] row (0, 1) (outside).
    # A truthful [] reporter (t = 0) only counts outside: 0 truthfully, 1 by reporting [a]
    # (row index 1 of the rows at that multiset): a gain, met before t = 1 in the loop.
    # Multisets go in combinations_with_replacement order, most zeros first: w = 4999
    # (z = 5000 zeros) comes before w = 9899; the witness is (0, 5000 zeros then 4999 ones, 1).
    n = 10_000
    doc = orbit_doc(n, n, [True] * n)
    for w in (4999, 9899):
        doc["subject"]["encoding"]["mechanism"]["numerators"][0][w] = [1, 0]
        doc["subject"]["encoding"]["mechanism"]["numerators"][1][w] = [0, 1]
    doc = json.loads(json.dumps(doc))
    enc = doc["subject"]["encoding"]
    doc["evidence"]["orbit_table_digest"] = Orbits(enc).digest()
    canon = json.dumps(enc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    doc["subject"]["sha256"] = hashlib.sha256(canon.encode()).hexdigest()
    summary, message = _outcome(doc)
    assert summary is None and message is not None
    witness = (0, (0,) * 5000 + (1,) * 4999, 1)
    assert message.endswith(f"a profitable misreport exists: {witness}")


def test_a_planted_over_capacity_profile_among_10000_agents_is_found():
    # capacity C = 5000; an [a] reporter gets a iff w < C, so at a profile with q reporters of [a]
    # each sees w = q - 1 and a is used q times if q <= C, else 0 times: feasible. Planted: also
    # at w = C and w = C + 5, i.e. the profiles q = C + 1 and q = C + 6, both over capacity.
    # Profiles go most [] first: q = C + 1 is named, with n - C - 1 = 4999 [] and 5001 [a].
    n, cap = 10_000, 5000
    give = [w < cap or w in (cap, cap + 5) for w in range(n)]
    summary, message = _outcome(orbit_doc(n, cap, give))
    assert summary is None and message is not None
    listed = [[]] * 4999 + [["a"]] * 5001
    assert message.endswith(f"multiset profile {listed}: a column over capacity")


def test_multisets_runs_and_ranks_follow_the_definitions():
    for k in range(1, 6):
        for size in range(7):
            want = list(itertools.combinations_with_replacement(range(k), size))
            runs = list(multisets(k, size))
            assert [expand(r) for r in runs] == want
            for r, w in zip(runs, want, strict=True):
                assert rank_of_runs(r) == sum(comb(a + j, j + 1) for j, a in enumerate(w))
                without = []
                for t, _ in r:
                    rest = list(w)
                    rest.remove(t)
                    without.append(sum(comb(a + j, j + 1) for j, a in enumerate(rest)))
                assert ranks_without_one(r) == without
            # the colex ranks number the multisets 0 .. C(k + size - 1, size) - 1
            assert sorted(rank_of_runs(r) for r in runs) == list(range(comb(k + size - 1, size)))


def _reference(o: Orbits) -> tuple[str | None, tuple | None]:
    """The former tuple-by-tuple feasibility and SD-strategy-proofness checks (quadratic in n)."""

    def rank(sorted_positions: tuple[int, ...]) -> int:
        return sum(comb(a + j, j + 1) for j, a in enumerate(sorted_positions))

    over = None
    for profile in itertools.combinations_with_replacement(range(o.k), o.n):
        used = [0] * o.m
        for t in sorted(set(profile)):
            others = list(profile)
            others.remove(t)
            row = o.nums[t][rank(tuple(others))]
            used = [u + profile.count(t) * row[c] for c, u in enumerate(used)]
        if any(u > q * o.den for u, q in zip(used, o.capacities, strict=True)):
            over = f"multiset profile {[list(o.rankings[t]) for t in profile]}: a column over capacity"
            break
    for others in itertools.combinations_with_replacement(range(o.k), o.n - 1):
        rows = [tuple(o.nums[t][rank(others)]) for t in range(o.k)]
        for t in range(o.k):
            truth = o.cumulative(list(rows[t]), t)
            for row in set(rows):
                if any(b > a for a, b in zip(truth, o.cumulative(list(row), t), strict=True)):
                    return over, (t, others, rows.index(row))
    return over, None


def test_orbit_checks_agree_with_the_former_checks_on_small_random_tables():
    rng = random.Random(7)
    all_rankings = [list(p) for k in range(3) for p in itertools.permutations(["a", "b"], k)]
    rows = [[2, 0, 0], [0, 2, 0], [0, 0, 2], [1, 1, 0], [1, 0, 1]]
    verdicts = set()
    for _ in range(300):
        n, k = rng.randint(1, 4), rng.randint(1, 4)
        rankings = rng.sample(all_rankings, k)
        count = comb(k + n - 2, n - 1)
        enc = {
            "family": "assignment",
            "kind": "orbit_table",
            "problem": {"agents": [f"x{i}" for i in range(n)], "objects": ["a", "b"], "capacities": [1, 2]},
            "rankings": rankings,
            "multiset_index": "colex",
            "mechanism": {
                "name": "random",
                "anonymity": "none",
                "denominator": 2,
                "numerators": [[rng.choice(rows) for _ in range(count)] for _ in range(k)],
            },
        }
        o = Orbits(enc)
        over, manipulation = _reference(o)
        try:
            o.feasible()
            message = None
        except RecheckError as exc:
            message = str(exc)
        assert message == over
        assert o.sp_violation() == manipulation
        verdicts.add((over is None, manipulation is None))
    assert len(verdicts) == 4


def test_the_hand_derived_rank_of_the_two_ranking_table():
    # the comment above orbit_doc: the multiset with z zeros and w ones has rank w
    for z, w in ((3, 0), (0, 3), (5000, 4999), (1, 9998)):
        runs = tuple(r for r in ((0, z), (1, w)) if r[1])
        assert rank_of_runs(runs) == w
