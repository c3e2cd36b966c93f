"""Ex post efficiency, ex post stability, anonymity and size inequalities in statements (issue 10).

Independent evidence: witnesses are checked by the library's own per-assignment checks
(`is_ex_post_efficient_assignment`, `is_ex_post_stable_assignment`, `check_anonymous`, which
share no code with `verified.prove`), small impossibilities are derived by hand next to each
test, and every certificate is re-derived by `verified.recheck.prove`, which must reject it
once edited.
"""

from __future__ import annotations

import copy
import re
from fractions import Fraction
from math import lcm

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.certificates.helpers import mutated, rehash
from tests.prove.test_sd_efficiency import assignments
from verified.assignment.domain import Domain
from verified.assignment.mechanism import FunctionMechanism, TabulatedMechanism
from verified.assignment.mechanisms import deferred_acceptance, random_priority, serial_dictatorship
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.assignment.properties.efficiency import is_ex_post_efficient_assignment
from verified.assignment.properties.equal_treatment import check_anonymous
from verified.assignment.properties.stability import is_ex_post_stable_assignment
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.prove import Relation, Statement, Unknown
from verified.prove.api import prove
from verified.prove.minimal import is_monotone
from verified.prove.statement import MAX_ASSIGNMENTS, ex_post_stable
from verified.prove.words import explain_statement
from verified.recheck import RecheckError, recheck

AB = Problem.make(2, "ab")
A2 = Problem.make(2, "a")
#: object a: agent 1 before agent 2; object b: agent 2 before agent 1
CROSSED = Priorities.make(AB, {"a": ["1", "2"], "b": ["2", "1"]})


def _fixed(problem: Problem, rows_by_profile: dict) -> object:
    """A known mechanism given by hand: profile -> rows (objects, then outside)."""

    def mechanism(profile):
        rows = rows_by_profile[profile]
        return StochasticAssignment(problem, tuple(tuple(Fraction(v) for v in r) for r in rows))

    return mechanism


def _table(doc: dict, name: str, domain: Domain) -> TabulatedMechanism:
    """Unknown ``name``'s witness as the library's table over ``domain`` (the statement's order)."""
    values = [[[Fraction(v) for v in row] for row in t] for t in doc["evidence"]["tables"][name]]
    den = lcm(*(v.denominator for t in values for row in t for v in row))
    nums = np.array([[[int(v * den) for v in row] for row in t] for t in values], dtype=np.int64)
    return TabulatedMechanism(domain, nums, den, name)


def _reasons(tree: dict) -> list:
    if "leaf" in tree:
        return [reason for reason, _ in tree["leaf"]]
    return [r for case in tree["cases"] for r in _reasons(case)]


# ----- ex-post-efficient ---------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(case=assignments())
def test_the_efficient_lottery_rows_agree_with_the_library_s_decomposition(case):
    problem, profile, gamma = case
    unknown = Unknown("gamma", ("ex-post-efficient",), lambda _p: gamma)
    outcome = prove(Statement(problem, (profile,), (unknown,), question="exists"))
    assert (outcome.verdict == "holds") == is_ex_post_efficient_assignment(gamma, profile)


def test_a_witness_that_is_ex_post_efficient_and_strategy_proof_passes_the_library_s_check():
    domain = Domain.full(AB)
    statement = Statement(
        AB, tuple(domain), (Unknown("f", ("ex-post-efficient", "sp", "ete")),), question="exists"
    )
    outcome = prove(statement)
    assert outcome.verdict == "holds"
    table = _table(outcome.certificate, "f", domain)
    for profile in domain:
        assert is_ex_post_efficient_assignment(table(profile), profile), profile


def test_random_priority_is_ex_post_efficient_and_giving_nothing_is_not():
    """RP is a lottery over serial dictatorships, each Pareto efficient (Erdil, section 2). The
    mechanism that sends everyone out is not: at (a ; a ; nothing listed) each efficient
    deterministic assignment gives a to agent 1 or to agent 2 (leaving a unassigned is improved
    by giving it to either), so every efficient lottery assigns a with probability 1, not 0."""
    problem = Problem.make(3, "ab")
    domain = tuple(Domain.full(problem))
    rp = Unknown("rp", ("ex-post-efficient",), random_priority(problem))
    assert prove(Statement(problem, domain, (rp,), question="exists")).verdict == "holds"
    profile = (("a",), ("a",), ())
    nothing = Unknown("z", ("ex-post-efficient",), _fixed(problem, {profile: [[0, 0, 1]] * 3}))
    outcome = prove(Statement(problem, (profile,), (nothing,), question="exists"))
    assert outcome.verdict == "fails"
    assert outcome.certificate["evidence"]["kind"] == "case_split"


def test_ex_post_efficiency_leaves_no_room_for_a_larger_mechanism_by_hand():
    """Two agents who both list only a. The efficient deterministic assignments are (a, out)
    and (out, a) (giving a to nobody is improved by giving it to either), so an ex post efficient
    f assigns a with total probability w1 + w2 = 1; an IR g assigns at most its one copy, so
    |g| > |f| = 1 is impossible. Without ex post efficiency, f = nobody gets a and g = agent 1
    gets a is a witness."""
    profile = (("a",), ("a",))
    statement = Statement(
        A2,
        (profile,),
        (Unknown("f", ("ex-post-efficient",)), Unknown("g", ("ir",))),
        (Relation("size-larger", "g", "f"),),
    )
    assert not is_monotone(statement)
    outcome = prove(statement)
    assert outcome.verdict == "holds"
    recheck(outcome.certificate)
    used = {r[0] for r in _reasons(outcome.certificate["evidence"]["proof"])}
    assert {"lottery-sum", "lottery-share", "capacity"} <= used
    loose = Statement(A2, (profile,), (Unknown("f", ("ir",)), Unknown("g", ("ir",))), statement.relations)
    witness = prove(loose)
    assert witness.verdict == "fails"
    tables = witness.certificate["evidence"]["tables"]
    size = {u: sum(Fraction(row[0]) for row in tables[u][0]) for u in ("f", "g")}
    assert size["g"] > size["f"]


# ----- ex-post-stable --------------------------------------------------------------------------------
@st.composite
def stable_cases(draw):
    problem, profile, gamma = draw(assignments())
    orders = {x: list(draw(st.permutations(problem.agents))) for x in problem.objects}
    return problem, profile, gamma, Priorities.make(problem, orders)


@settings(max_examples=40, deadline=None)
@given(case=stable_cases())
def test_the_stable_lottery_rows_agree_with_the_library_s_decomposition(case):
    problem, profile, gamma, priorities = case
    unknown = Unknown("gamma", (ex_post_stable(priorities),), lambda _p: gamma)
    outcome = prove(Statement(problem, (profile,), (unknown,), question="exists"))
    assert (outcome.verdict == "holds") == is_ex_post_stable_assignment(gamma, profile, priorities)


def test_deferred_acceptance_is_ex_post_stable_for_its_priorities():
    """DA gives the student-optimal stable matching (Gale and Shapley): a lottery of one."""
    problem = Problem.make(3, "ab")
    priorities = Priorities.make(problem, {"a": ["1", "2", "3"], "b": ["3", "1", "2"]})
    da = Unknown("da", (ex_post_stable(priorities),), deferred_acceptance(problem, priorities))
    outcome = prove(Statement(problem, tuple(Domain.full(problem)), (da,), question="exists"))
    assert outcome.verdict == "holds"


def test_random_priority_is_not_ex_post_stable_at_a_profile_derived_by_hand():
    """Both agents list only a, and a ranks agent 1 first. The only stable matching gives a to
    agent 1 (agent 2 holding a would be envied with priority; nobody holding a wastes it), so
    in every stable lottery agent 1 gets a and agent 2 her outside option with probability 1;
    RP gives each 1/2. The proof compares one of these four shares with RP's."""
    profile = (("a",), ("a",))
    assert not is_ex_post_stable_assignment(random_priority(AB)(profile), profile, CROSSED)
    rp = Unknown("rp", (ex_post_stable(CROSSED),), random_priority(AB))
    outcome = prove(Statement(AB, (profile,), (rp,), question="exists"))
    assert outcome.verdict == "fails"
    doc = outcome.certificate
    leaf = doc["evidence"]["proof"]["leaf"]
    shares = [r for r, _ in leaf if r[0] == "lottery-share"]
    assert shares and all(r[:4] == ["lottery-share", "rp", 0, "stable"] for r in shares)
    assert all((r[4], r[5]) in ((0, 0), (0, 2), (1, 0), (1, 2)) for r in shares)  # a or outside
    words = "\n".join(explain_statement(doc))
    assert "the weight of the stable assignments that give it to her" in words
    # the property's name carries the priorities: per object, each agent's tie class
    assert ex_post_stable(CROSSED) == "ex-post-stable[[0,1],[1,0]]"
    weak = Priorities.make(AB, {"a": [["1", "2"]], "b": ["2", "1"]})
    assert ex_post_stable(weak) == "ex-post-stable[[0,0],[1,0]]"


def test_minimize_finds_one_profile_where_random_priority_is_not_ex_post_stable():
    rp = Unknown("rp", (ex_post_stable(CROSSED),), random_priority(AB))
    statement = Statement(AB, tuple(Domain.full(AB)), (rp,))
    outcome = prove(statement, minimize=True)
    assert outcome.verdict == "holds" and outcome.stats["minimal_profiles"] == 1
    (kept,) = outcome.certificate["subject"]["encoding"]["profiles"]
    profile = AB.profile(kept)
    assert not is_ex_post_stable_assignment(random_priority(AB)(profile), profile, CROSSED)


def test_ex_post_stable_needs_priorities_that_fit_the_problem():
    with pytest.raises(InvalidInput, match="needs its priorities"):
        Unknown("f", ("ex-post-stable",))
    with pytest.raises(InvalidInput, match="not ex-post-stable"):
        Unknown("f", ("ex-post-stable[[0, 1],[1,0]]",))  # not the canonical form
    with pytest.raises(InvalidInput, match="not ex-post-stable"):
        Unknown("f", ("ex-post-stable[[0,2],[1,0]]",))  # a gap in the tie classes
    with pytest.raises(InvalidInput, match="tie class per agent"):
        Statement(AB, ((("a",), ("b",)),), (Unknown("f", ("ex-post-stable[[0,1,2],[0,0,0]]",)),))


def test_the_number_of_deterministic_assignments_is_bounded_in_the_prover_and_the_checker():
    problem = Problem.make(7, "abc")  # 4 ** 7 = 16,384 assignments at a profile of full lists
    full = tuple(["abc"] * 7)
    assert 4**7 > MAX_ASSIGNMENTS >= 4**5
    with pytest.raises(InvalidInput, match="at most"):
        Statement(problem, (full,), (Unknown("f", ("ex-post-efficient",)),))
    small = Problem.make(2, "abc")
    doc = prove(
        Statement(small, ((("a",), ("b",)),), (Unknown("f", ("ex-post-efficient",)),), question="exists")
    ).certificate
    doc["subject"]["encoding"]["problem"] = {
        "agents": [str(k) for k in range(1, 8)],
        "objects": list("abc"),
        "capacities": [1, 1, 1],
    }
    doc["subject"]["encoding"]["profiles"] = [[list("abc")] * 7]
    with pytest.raises(RecheckError, match="assignments"):
        recheck(rehash(doc))


# ----- anonymous -------------------------------------------------------------------------------------
def test_random_priority_is_anonymous_and_serial_dictatorship_is_not():
    """SD with order 1, 2 at p = (a ; a, b): agent 1 gets a, agent 2 gets b. At q = (a, b ; a)
    the reports are swapped, so anonymity asks agent 2 to get a there (and agent 1 to get b);
    SD gives a to agent 1. The proof must use a row between p and q (the agents rank
    differently: no ete row applies)."""
    problem = Problem.make(3, "ab")
    domain = tuple(Domain.full(problem))
    rp = Unknown("rp", ("anonymous",), random_priority(problem))
    assert prove(Statement(problem, domain, (rp,), question="exists")).verdict == "holds"
    p, q = (("a",), ("a", "b")), (("a", "b"), ("a",))
    sd = Unknown("sd", ("anonymous",), serial_dictatorship(AB))
    outcome = prove(Statement(AB, (p, q), (sd,), question="exists"))
    assert outcome.verdict == "fails"
    assert {r[0] for r in _reasons(outcome.certificate["evidence"]["proof"])} >= {"anonymous", "fixed"}
    words = "\n".join(explain_statement(outcome.certificate))
    assert re.search(
        r"sd is anonymous: agent [12] at R1 gets as much (a|b|outside) as agent [12] at R0", words
    )


@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_anonymity_rows_agree_with_the_library_s_check(data):
    """RP on the 64 profiles where each of 3 agents reports one of 4 rankings, with two agents'
    rows swapped at one profile: anonymous exactly when the library's check (over every
    permutation of the agents) says so, i.e. when the two rows were equal."""
    problem = Problem.make(3, "ab")
    domain = Domain.restricted(problem, [[(), ("a",), ("a", "b"), ("b", "a")]] * 3)
    base = random_priority(problem)
    k = data.draw(st.integers(0, len(domain) - 1))
    i, j = data.draw(st.sampled_from([(0, 1), (0, 2), (1, 2)]))
    spoiled = domain.profile(k)

    def mechanism(profile):
        gamma = base(profile)
        if profile != spoiled:
            return gamma
        rows = list(gamma.matrix)
        rows[i], rows[j] = rows[j], rows[i]
        return StochasticAssignment(problem, tuple(rows))

    statement = Statement(
        problem, tuple(domain), (Unknown("f", ("anonymous",), mechanism),), question="exists"
    )
    expected = check_anonymous(FunctionMechanism(problem, "f", mechanism), domain).holds
    assert (prove(statement).verdict == "holds") == expected


def test_an_anonymous_witness_passes_the_library_s_check():
    domain = Domain.full(AB)
    unknowns = (Unknown("f", ("anonymous", "sp", "nonwasteful")),)
    outcome = prove(Statement(AB, tuple(domain), unknowns, question="exists"))
    assert outcome.verdict == "holds"
    assert check_anonymous(_table(outcome.certificate, "f", domain)).holds


# ----- size inequalities ---------------------------------------------------------------------------
def test_size_at_least_by_hand():
    """Two agents who list only a: serial dictatorship assigns a (size 1), the mechanism that
    sends everyone out assigns nothing (size 0). So SD is at least as large (and larger), and
    the empty mechanism is not at least as large as SD."""
    profile = (("a",), ("a",))
    sd = Unknown("sd", (), serial_dictatorship(A2))
    empty = Unknown("empty", (), _fixed(A2, {profile: [[0, 1], [0, 1]]}))
    for kind, left, right, verdict in [
        ("size-at-least", "sd", "empty", "holds"),
        ("size-larger", "sd", "empty", "holds"),
        ("size-at-least", "empty", "sd", "fails"),
        ("size-larger", "empty", "sd", "fails"),
    ]:
        statement = Statement(A2, (profile,), (sd, empty), (Relation(kind, left, right),), question="exists")
        outcome = prove(statement)
        assert outcome.verdict == verdict, (kind, left, right)
        recheck(outcome.certificate)


def test_size_larger_needs_one_strict_profile():
    """Size-at-least everywhere is not enough: the same mechanism is never larger than itself,
    but a non-wasteful g can be larger than an IR f at one profile and as large at the other."""
    profiles = ((("a",), ()), ((), ()))
    f = Unknown("f", ("ir",))
    outcome = prove(
        Statement(
            A2,
            profiles,
            (f, Unknown("g", ("nonwasteful",))),
            (Relation("size-larger", "g", "f"),),
            question="exists",
        )
    )
    assert outcome.verdict == "holds"
    tables = outcome.certificate["evidence"]["tables"]
    sizes = [[sum(Fraction(r[0]) for r in tables[u][p]) for p in range(2)] for u in ("g", "f")]
    assert all(a >= b for a, b in zip(*sizes, strict=True)) and any(
        a > b for a, b in zip(*sizes, strict=True)
    )
    same = Unknown("h", (), _fixed(A2, {profiles[0]: [[1, 0], [0, 1]], profiles[1]: [[0, 1], [0, 1]]}))
    twin = Unknown("k", (), same.fixed)
    assert (
        prove(
            Statement(A2, profiles, (same, twin), (Relation("size-larger", "h", "k"),), question="exists")
        ).verdict
        == "fails"
    )


# ----- certificates ----------------------------------------------------------------------------------
def test_edited_lottery_and_anonymity_certificates_are_rejected():
    profile = (("a",), ("a",))
    rp = Unknown("rp", (ex_post_stable(CROSSED),), random_priority(AB))
    doc = prove(Statement(AB, (profile,), (rp,))).certificate  # impossible: holds
    recheck(doc)
    leaf = doc["evidence"]["proof"]["leaf"]
    k = next(n for n, (r, _) in enumerate(leaf) if r[0] == "lottery-share")
    reason, w = leaf[k]
    edits = [
        mutated(doc, ("verdict",), "fails"),
        mutated(doc, ("evidence", "proof", "leaf", k), [reason, str(Fraction(w) * 2)]),
        mutated(doc, ("evidence", "proof", "leaf", k), [[*reason[:3], "efficient", *reason[4:]], w]),
        mutated(doc, ("evidence", "proof", "leaf", k), [[*reason[:4], 1 - reason[4], reason[5]], w]),
        mutated(
            doc, ("evidence", "proof", "leaf"), [*leaf, [["lottery-weight", "rp", 0, "stable", [1, 0]], "1"]]
        ),
    ]
    for edited in edits:
        with pytest.raises(RecheckError):
            recheck(edited)
    # the subject's priorities reversed for a (agent 2 first): RP's 1/2 is no longer refuted
    forged = copy.deepcopy(doc)
    forged["subject"]["encoding"]["unknowns"][0]["properties"] = ["ex-post-stable[[1,0],[1,0]]"]
    with pytest.raises(RecheckError):
        recheck(rehash(forged))
    forged["subject"]["encoding"]["unknowns"][0]["properties"] = ["ex-post-stable[[0, 1],[1,0]]"]
    with pytest.raises(RecheckError, match="not canonical"):
        recheck(rehash(forged))

    p, q = (("a",), ("a", "b")), (("a", "b"), ("a",))
    sd = Unknown("sd", ("anonymous",), serial_dictatorship(AB))
    doc = prove(Statement(AB, (p, q), (sd,))).certificate
    recheck(doc)
    tree = doc["evidence"]["proof"]
    k = next(n for n, (r, _) in enumerate(tree["leaf"]) if r[0] == "anonymous")
    reason, w = tree["leaf"][k]
    for other in (
        [*reason[:3], 1 - reason[3], reason[4]],
        [reason[0], reason[1], reason[2], reason[2], *reason[3:5]],
    ):
        with pytest.raises(RecheckError):
            recheck(mutated(doc, ("evidence", "proof", "leaf", k), [other, w]))


def test_a_witness_that_is_not_a_lottery_over_efficient_assignments_is_rejected():
    """Giving nothing away satisfies every linear row of ex-post-efficient except the lottery,
    which has no weights in a witness: the checker decides it on its own."""
    profile = (("a",), ("a",))
    nothing = Unknown("z", ("ir",), _fixed(A2, {profile: [[0, 1], [0, 1]]}))
    doc = prove(Statement(A2, (profile,), (nothing,), question="exists")).certificate
    recheck(doc)
    forged = copy.deepcopy(doc)
    forged["subject"]["encoding"]["unknowns"][0]["properties"] = ["ex-post-efficient"]
    with pytest.raises(RecheckError, match="not a lottery over efficient"):
        recheck(rehash(forged))
    half = prove(
        Statement(
            A2,
            (profile,),
            (Unknown("h", ("ex-post-efficient",), _fixed(A2, {profile: [["1/2", "1/2"]] * 2})),),
            question="exists",
        )
    ).certificate
    recheck(half)
    with pytest.raises(RecheckError):
        recheck(mutated(half, ("evidence", "tables", "h", 0, 0), ["1/3", "2/3"]))


# ----- statement files -------------------------------------------------------------------------------
STABLE_FILE = """format = "verified/statement/1"
question = "exists"
[problem]
agents = 2
objects = ["a", "b"]
priorities = { a = ["1", "2"], b = ["2", "1"] }
[profiles]
kind = "full"
[[unknowns]]
name = "da"
builtin = "deferred_acceptance"
properties = ["ex-post-stable", "anonymous"]
"""


def test_a_statement_file_gives_the_priorities_to_ex_post_stable_and_to_deferred_acceptance(tmp_path, capsys):
    """DA for the file's priorities is ex post stable for them (a witness: DA itself) but not
    anonymous: at (a ; a) agent 1 gets a by priority, and the reports are the same (hand)."""
    from verified.cli import main
    from verified.io.statement import load_statement

    path = tmp_path / "da.toml"
    path.write_text(STABLE_FILE.replace(', "anonymous"', ""))
    statement = load_statement(path)
    assert statement.unknowns[0].properties == ("ex-post-stable[[0,1],[1,0]]",)
    assert main(["prove", str(path), "-q"]) == 0
    path.write_text(STABLE_FILE)
    assert main(["prove", str(path), "-c", str(tmp_path / "c")]) == 1
    (written,) = (tmp_path / "c").iterdir()
    capsys.readouterr()
    assert main(["explain", str(written)]) == 0
    words = capsys.readouterr().out  # which rows the proof combines depends on z3's core
    assert "treats agents 1 and 2 equally" in words or "da is anonymous: agent" in words


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (
            lambda t: t.replace('priorities = { a = ["1", "2"], b = ["2", "1"] }\n', ""),
            "unknowns[0].properties",
        ),
        (lambda t: t.replace('b = ["2", "1"]', 'b = ["2", "3"]'), "problem.priorities"),
        (lambda t: t.replace('"anonymous"', '"anonymity"'), "unknowns[0]"),
    ],
)
def test_bad_priorities_or_properties_in_a_file_are_bad_input(tmp_path, capsys, edit, where):
    from verified.cli import main

    path = tmp_path / "bad.toml"
    path.write_text(edit(STABLE_FILE))
    assert main(["prove", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and where in err


def test_a_forged_anonymous_or_size_larger_witness_is_rejected():
    """Serial dictatorship (order 1, 2) and a copy of it: a witness that both exist. Claiming
    that SD is anonymous, or that the copy is larger than SD, is false at (a ; a, b) and
    (a, b ; a) (see `test_random_priority_is_anonymous_and_serial_dictatorship_is_not`; a copy
    is never larger): the checker re-derives the rows and refuses the forged subject."""
    p, q = (("a",), ("a", "b")), (("a", "b"), ("a",))
    sd = serial_dictatorship(AB)
    doc = prove(
        Statement(AB, (p, q), (Unknown("sd", (), sd), Unknown("copy", (), sd)), question="exists")
    ).certificate
    recheck(doc)
    anonymous = copy.deepcopy(doc)
    anonymous["subject"]["encoding"]["unknowns"][0]["properties"] = ["anonymous"]
    with pytest.raises(RecheckError, match="anonymous"):
        recheck(rehash(anonymous))
    larger = copy.deepcopy(doc)
    larger["subject"]["encoding"]["relations"] = [{"kind": "size-larger", "left": "copy", "right": "sd"}]
    with pytest.raises(RecheckError, match="size-larger"):
        recheck(rehash(larger))
    larger["subject"]["encoding"]["relations"][0]["kind"] = "size-at-least"
    recheck(rehash(larger))  # true: the copy is as large
