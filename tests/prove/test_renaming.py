"""Root cases proved by renaming an earlier case (`verified.prove.symmetry`, checked by
`verified.recheck.prove_renaming`).

Independent evidence: every renamed case's claim (the statement, without the clause split at
the root, plus the renamed atom, is infeasible) is decided by z3 on the statement's own rows
(`decide`, which builds no proof and knows no renaming); the renamings are re-applied to the
profiles and to the atoms by this file's own code (`_renamed_profile`, `_renamed_reason`); and
the checker must refuse every certificate whose renaming is not a symmetry of its subject, or
that uses a renaming where the argument does not apply (below the root, a known mechanism,
priorities, objects of different capacities, profiles not closed under the renaming), also when
the forger re-hashes the edited subject.
"""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.certificates.helpers import mutated, rehash
from tests.prove.test_prove import erdil_proposition_1
from verified.assignment.domain import Domain
from verified.assignment.mechanisms import random_priority, serial_dictatorship
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.prove import Relation, Statement, Unknown
from verified.prove.api import prove, statement_encoding
from verified.prove.rows import Clause, Rows
from verified.prove.search import decide
from verified.prove.statement import ex_post_stable
from verified.recheck import RecheckError, recheck

AB = Problem.make(2, "ab")
FULL_AB = tuple(Domain.full(AB))
CROSSED = Priorities.make(AB, {"a": ["1", "2"], "b": ["2", "1"]})
TIED = Priorities.make(AB, {"a": [["1", "2"]], "b": [["1", "2"]]})


# ----- this file's own renaming code (shares nothing with symmetry.py or prove_renaming.py) ---------
def _renamed_profile(profile: tuple, agents: list[int], objects: list[int], names: tuple) -> tuple:
    """Agent ``agents[i]`` reports agent ``i``'s ranking, object ``names[k]`` read as
    ``names[objects[k]]``."""
    out: dict[int, tuple] = {}
    for i, ranking in enumerate(profile):
        out[agents[i]] = tuple(names[objects[names.index(x)]] for x in ranking)
    return tuple(out[i] for i in range(len(profile)))


def _renamed_reason(
    reason: list, agents: list[int], objects: list[int], profiles: list, names: tuple
) -> list:
    """An atom's reason renamed (profile numbers through the renamed profiles, the outside
    option column ``m`` kept)."""
    m = len(names)

    def p(number: int) -> int:
        return profiles.index(_renamed_profile(profiles[number], agents, objects, names))

    def col(k: int) -> int:
        return k if k == m else objects[k]

    kind = reason[0]
    if kind == "strict":
        return [kind, reason[1], reason[2], p(reason[3]), agents[reason[4]], reason[5]]
    if kind in ("more", "less"):
        return [kind, reason[1], reason[2], p(reason[3]), agents[reason[4]]]
    if kind == "size-more":
        return [kind, reason[1], reason[2], p(reason[3])]
    if kind in ("unused", "zero"):
        return [kind, reason[1], p(reason[2]), agents[reason[3]], col(reason[4])]
    if kind == "full":
        return [kind, reason[1], p(reason[2]), col(reason[3])]
    raise AssertionError(f"no renaming for {kind!r}")


def _renamed_atom(atom: tuple, agents: list[int], objects: list[int], statement: Statement) -> list:
    profiles = list(statement.profiles)
    names = statement.problem.objects
    return sorted(_renamed_reason(list(r.reason), agents, objects, profiles, names) for r in atom)


def _atom(atom: tuple) -> list:
    return sorted(list(r.reason) for r in atom)


def _counts(tree: dict) -> tuple[int, int]:
    """(leaves, splits), a renamed case counting as neither (as the checker counts)."""
    if "leaf" in tree:
        return 1, 0
    if "same_as" in tree:
        return 0, 0
    leaves, splits = 0, 1
    for case in tree["cases"]:
        a, b = _counts(case)
        leaves, splits = leaves + a, splits + b
    return leaves, splits


def _renamed_anywhere(tree: dict) -> int:
    """Renamed cases anywhere in the tree."""
    if "leaf" in tree:
        return 0
    return sum(("same_as" in c) + (0 if "same_as" in c else _renamed_anywhere(c)) for c in tree["cases"])


def _with_proof(doc: dict, proof: dict) -> dict:
    """``doc`` with ``proof`` and its (correct) leaf and split counts."""
    out = copy.deepcopy(doc)
    out["evidence"]["proof"] = proof
    out["evidence"]["leaves"], out["evidence"]["splits"] = _counts(proof)
    return out


def _root(statement: Statement, proof: dict) -> tuple[Rows, Clause, list[Clause]]:
    """The statement's rows, the clause split at the root of ``proof``, the other clauses."""
    table = Rows(statement)
    reason = tuple(tuple(x) if isinstance(x, list) else x for x in proof["split"])
    root = table.clause(reason)
    others = [c for c in table.all_clauses() if c.reason != root.reason]
    assert len(others) == len(table.all_clauses()) - 1
    return table, root, others


def _renamed_cases(proof: dict) -> list[tuple[int, dict]]:
    return [(k, case) for k, case in enumerate(proof["cases"]) if "same_as" in case]


def _confirm_by_z3(statement: Statement, proof: dict, single: int = 0) -> None:
    """Every renamed case's claim, by z3: the statement's rows and its clauses other than the
    root's, plus the renamed atom, are infeasible (for all renamed cases at once: the
    disjunction of their atoms as one more clause; and ``single`` of them one by one)."""
    table, root, others = _root(statement, proof)
    rows = table.all_rows()
    renamed = _renamed_cases(proof)
    if not renamed:
        return
    either = Clause(("renamed cases",), tuple(root.atoms[k] for k, _ in renamed))
    assert decide(rows, [*others, either]).status == "unsat"
    step = max(1, len(renamed) // max(single, 1))
    for k, _ in renamed[::step][:single]:
        assert decide([*rows, *root.atoms[k]], others).status == "unsat", k


def _check_atom_mapping(statement: Statement, proof: dict) -> None:
    """Each renamed case's atom is the renamed atom of the case it names (own code)."""
    _, root, _ = _root(statement, proof)
    for k, case in _renamed_cases(proof):
        j = case["same_as"]
        assert 0 <= j < k
        assert _renamed_atom(root.atoms[j], case["agents"], case["objects"], statement) == _atom(
            root.atoms[k]
        )


# ----- 1. Erdil's Proposition 1, n = 2, m = 2 --------------------------------------------------------
@pytest.fixture(scope="module")
def erdil():
    statement = erdil_proposition_1(2, "ab")
    return statement, prove(statement)


def test_erdil_proposition_1_is_proved_with_renamed_root_cases(erdil):
    statement, outcome = erdil
    assert outcome.verdict == "holds"
    doc = outcome.certificate
    proof = doc["evidence"]["proof"]
    assert proof["split"] == ["dominates", "g", "f"]
    renamed = _renamed_cases(proof)
    assert len(renamed) == outcome.stats["renamed_cases"] > 0
    assert _renamed_anywhere(proof) == len(renamed)  # all of them at the root
    assert (doc["evidence"]["leaves"], doc["evidence"]["splits"]) == _counts(proof)
    assert recheck(doc).startswith("impossible: holds")
    # every renamed case names a case proved in full, and the renamings are symmetries
    for _, case in renamed:
        assert "same_as" not in proof["cases"][case["same_as"]]
        assert sorted(case["agents"]) == [0, 1] and sorted(case["objects"]) == [0, 1]


# ----- 2. soundness, independently of the prover -------------------------------------------------------
def test_every_renamed_case_of_erdil_s_proof_is_infeasible_by_z3(erdil):
    statement, outcome = erdil
    proof = outcome.certificate["evidence"]["proof"]
    _confirm_by_z3(statement, proof, single=4)
    # the claim is not empty: without the root clause (g strictly better somewhere) the
    # statement has a solution (g = f), so each renamed atom is what makes it infeasible
    table, _, others = _root(statement, proof)
    assert decide(table.all_rows(), others).status == "sat"


def test_the_renamings_map_the_profiles_and_the_atoms_by_this_file_s_own_code(erdil):
    statement, outcome = erdil
    proof = outcome.certificate["evidence"]["proof"]
    _check_atom_mapping(statement, proof)
    names = AB.objects
    used = {(tuple(c["agents"]), tuple(c["objects"])) for _, c in _renamed_cases(proof)}
    assert len(used) >= 2
    for agents, objects in used:
        image = {_renamed_profile(p, list(agents), list(objects), names) for p in FULL_AB}
        assert image == set(FULL_AB)
    # the own code does move profiles: the full domain minus one profile is not closed
    assert {_renamed_profile(p, [0, 1], [1, 0], names) for p in FULL_AB[:-1]} != set(FULL_AB[:-1])
    assert _renamed_profile((("a",), ("b", "a")), [1, 0], [1, 0], names) == (("a", "b"), ("b",))


# ----- 3. tampering ------------------------------------------------------------------------------------
def test_identity_agents_where_the_agents_were_swapped_are_rejected(erdil):
    statement, outcome = erdil
    doc = outcome.certificate
    proof = doc["evidence"]["proof"]
    _, root, _ = _root(statement, proof)
    tried = 0
    for k, case in _renamed_cases(proof):
        if case["agents"] == [0, 1]:
            continue
        # the identity on agents (objects kept) does not send atom same_as to atom k
        image = _renamed_atom(root.atoms[case["same_as"]], [0, 1], case["objects"], statement)
        assert image != _atom(root.atoms[k])
        edited = mutated(doc, ("evidence", "proof", "cases", k, "agents"), [0, 1])
        with pytest.raises(RecheckError, match="does not map atom"):
            recheck(edited)
        tried += 1
    assert tried > 0


def test_same_as_must_name_an_earlier_case(erdil):
    _, outcome = erdil
    doc = outcome.certificate
    proof = doc["evidence"]["proof"]
    k, case = _renamed_cases(proof)[0]
    for j in (k, k + 1, len(proof["cases"]) - 1, -1):
        with pytest.raises(RecheckError, match="earlier case"):
            recheck(mutated(doc, ("evidence", "proof", "cases", k, "same_as"), j))
    for j in (True, 0.0, "0", None):
        with pytest.raises(RecheckError, match=rf"proof case {k}\.same_as: expected an integer"):
            recheck(mutated(doc, ("evidence", "proof", "cases", k, "same_as"), j))


def test_two_cases_naming_each_other_are_rejected(erdil):
    """Case 1 is case 0 with the agents swapped, so case 0 is case 1 with the agents swapped:
    a circular proof of both, which proves nothing (the leaf and split counts are redone)."""
    statement, outcome = erdil
    doc = outcome.certificate
    proof = doc["evidence"]["proof"]
    assert proof["cases"][1] == {"same_as": 0, "agents": [1, 0], "objects": [0, 1]}
    _, root, _ = _root(statement, proof)
    assert _renamed_atom(root.atoms[1], [1, 0], [0, 1], statement) == _atom(root.atoms[0])
    circular = copy.deepcopy(proof)
    circular["cases"][0] = {"same_as": 1, "agents": [1, 0], "objects": [0, 1]}
    with pytest.raises(RecheckError, match="earlier case"):
        recheck(_with_proof(doc, circular))


@pytest.mark.parametrize("field", ["agents", "objects"])
@pytest.mark.parametrize(
    "value",
    [
        [0, 0],
        [1, 1],
        [0],
        [0, 1, 2],
        [],
        [1, -1],
        [-1, 0],
        [2, 0],
        ["1", "0"],
        [1.0, 0],
        [True, False],
        [False, True],
        [None, 0],
        "10",
        10,
        None,
        {"0": 1},
    ],
)
def test_a_renaming_that_is_not_a_permutation_is_rejected(erdil, field, value):
    _, outcome = erdil
    doc = outcome.certificate
    k, _ = _renamed_cases(doc["evidence"]["proof"])[0]
    with pytest.raises(RecheckError, match=rf"proof case {k}\.{field}"):
        recheck(mutated(doc, ("evidence", "proof", "cases", k, field), value))


def test_a_renamed_case_with_a_field_missing_or_added_is_rejected(erdil):
    _, outcome = erdil
    doc = outcome.certificate
    k, case = _renamed_cases(doc["evidence"]["proof"])[0]
    for key in case:
        less = {x: v for x, v in case.items() if x != key}
        with pytest.raises(RecheckError):
            recheck(mutated(doc, ("evidence", "proof", "cases", k), less))
    with pytest.raises(RecheckError, match="unknown field"):
        recheck(mutated(doc, ("evidence", "proof", "cases", k), {**case, "leaf": []}))


def test_a_renamed_case_inside_a_nested_split_is_rejected(erdil):
    statement, outcome = erdil
    doc = outcome.certificate
    proof = doc["evidence"]["proof"]
    nested = [k for k, case in enumerate(proof["cases"]) if "split" in case]
    assert nested
    for k in nested[:3]:
        forged = copy.deepcopy(proof)
        inner = forged["cases"][k]
        inner["cases"][-1] = {"same_as": 0, "agents": [1, 0], "objects": [0, 1]}
        with pytest.raises(RecheckError, match="missing 'split'"):
            recheck(_with_proof(doc, forged))


def _reshuffling(problem: Problem, profiles: tuple) -> Statement:
    """Erdil's Reshuffling Lemma on many profiles: gamma weakly dominates a non-wasteful omega
    and some agent's total share differs somewhere. Impossible profile by profile: a proof
    splits on share-differs at the root and uses, under the case of profile p, rows of p only."""
    return Statement(
        problem,
        profiles,
        (Unknown("omega", ("nonwasteful",)), Unknown("gamma")),
        (Relation("weakly-dominates", "gamma", "omega"), Relation("share-differs", "gamma", "omega")),
    )


@pytest.fixture(scope="module")
def reshuffling():
    """The Reshuffling Lemma on the full domain of 2 agents and a, b: its proof with renamed
    cases, and one proved without renaming (the prover's symmetries switched off)."""
    statement = _reshuffling(AB, FULL_AB)
    renamed = prove(statement)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("verified.prove.search.symmetries", lambda _statement: [])
        plain = prove(statement)
    assert renamed.verdict == plain.verdict == "holds"
    assert renamed.stats["renamed_cases"] > 0 and plain.stats["renamed_cases"] == 0
    assert renamed.certificate["evidence"]["proof"]["split"] == ["share-differs", "gamma", "omega"]
    assert plain.certificate["evidence"]["proof"]["split"] == ["share-differs", "gamma", "omega"]
    return statement, renamed, plain


def _one_level_down(statement: Statement, doc: dict) -> dict:
    """``doc``'s proof moved under a split on omega's first waste clause (twice: one copy per
    atom). Every leaf stays valid (one more chosen atom, unused), so without renamed cases
    this is a proof; with them, they are no longer at the root."""
    reason = next(r for r in Rows(statement).clause_reasons() if r[0] == "waste")
    proof = doc["evidence"]["proof"]
    return _with_proof(doc, {"split": list(reason), "cases": [proof, copy.deepcopy(proof)]})


def test_renamed_cases_moved_below_the_root_are_rejected(reshuffling):
    statement, renamed, plain = reshuffling
    assert recheck(_one_level_down(statement, plain.certificate)).startswith("impossible: holds")
    with pytest.raises(RecheckError, match="missing 'split'"):
        recheck(_one_level_down(statement, renamed.certificate))


def _fixed_table(statement: Statement, name: str, mechanism) -> list:
    """A known mechanism's rows at every profile, as a subject writes them."""
    unknowns = tuple(
        Unknown(u.name, u.properties, mechanism if u.name == name else None) for u in statement.unknowns
    )
    encoding = statement_encoding(
        Statement(statement.problem, statement.profiles, unknowns, statement.relations)
    )
    return next(u["fixed"] for u in encoding["unknowns"] if u["name"] == name)


@pytest.mark.parametrize("mechanism", [serial_dictatorship, random_priority])
def test_a_subject_with_a_known_mechanism_refuses_renamed_cases(erdil, mechanism):
    """f becomes a known mechanism, strategy-proof and non-wasteful either way (so no SP g
    dominates it, Erdil): the statement is still true and every leaf still valid, but a table
    names the agents and objects, so a renamed case proves nothing. Serial dictatorship (agent
    1 first) is not symmetric; RP is, yet the checker does not look at the table's values."""
    statement, outcome = erdil
    forged = copy.deepcopy(outcome.certificate)
    unknowns = forged["subject"]["encoding"]["unknowns"]
    assert unknowns[0]["name"] == "f"
    unknowns[0]["fixed"] = _fixed_table(statement, "f", mechanism(AB))
    with pytest.raises(RecheckError, match="known mechanism"):
        recheck(rehash(forged))


@pytest.mark.parametrize("priorities", [CROSSED, TIED])
@pytest.mark.parametrize("unknown", [0, 1])
def test_a_subject_with_priorities_refuses_renamed_cases(erdil, priorities, unknown):
    _, outcome = erdil
    forged = copy.deepcopy(outcome.certificate)
    forged["subject"]["encoding"]["unknowns"][unknown]["properties"].append(ex_post_stable(priorities))
    with pytest.raises(RecheckError, match="priorities"):
        recheck(rehash(forged))


@pytest.mark.parametrize("extra", ["anonymous", "ete", "ir"])
def test_a_subject_with_one_more_symmetric_property_still_rechecks(erdil, extra):
    """The control of the two tests above: more rows, still symmetric, every renaming valid."""
    _, outcome = erdil
    forged = copy.deepcopy(outcome.certificate)
    forged["subject"]["encoding"]["unknowns"][1]["properties"].append(extra)
    assert recheck(rehash(forged)).startswith("impossible: holds")


def test_a_renaming_that_swaps_objects_of_different_capacities_is_rejected():
    """Two copies of a, one of b: the prover renames agents only; a case forged as an earlier
    one with a and b swapped (which does map the atom and the full domain onto themselves) is
    rejected."""
    problem = Problem.make(2, "ab", [2, 1])
    statement = erdil_proposition_1(2, "ab")
    statement = Statement(problem, tuple(Domain.full(problem)), statement.unknowns, statement.relations)
    outcome = prove(statement)
    assert outcome.verdict == "holds"
    doc = outcome.certificate
    proof = doc["evidence"]["proof"]
    assert outcome.stats["renamed_cases"] > 0
    assert all(case["objects"] == [0, 1] for _, case in _renamed_cases(proof))
    _, root, _ = _root(statement, proof)
    forged_cases = 0
    for agents in ([0, 1], [1, 0]):
        found = next(
            (j, k)
            for k in range(1, len(root.atoms))
            for j in range(k)
            if _renamed_atom(root.atoms[j], agents, [1, 0], statement) == _atom(root.atoms[k])
        )
        j, k = found
        forged = copy.deepcopy(proof)
        forged["cases"][k] = {"same_as": j, "agents": agents, "objects": [1, 0]}
        with pytest.raises(RecheckError, match="capacity"):
            recheck(_with_proof(doc, forged))
        forged_cases += 1
    assert forged_cases == 2


def test_a_subject_with_a_profile_dropped_is_rejected(erdil):
    _, outcome = erdil
    forged = copy.deepcopy(outcome.certificate)
    forged["subject"]["encoding"]["profiles"].pop()
    with pytest.raises(RecheckError):
        recheck(rehash(forged))


def test_a_profile_set_not_closed_under_the_renaming_is_rejected(reshuffling):
    """Drop the last profile (b > a for both agents) and its four root cases: the proof made
    without renaming still proves the (true) lemma on the other 24 profiles, but a renaming
    that swaps a and b now leaves the profiles, so the proof with renamed cases is rejected."""
    statement, renamed, plain = reshuffling
    assert FULL_AB[-1] == (("b", "a"), ("b", "a"))
    per_profile = 2 * AB.n  # agents x (more, less)

    def dropped(doc: dict) -> dict:
        out = copy.deepcopy(doc)
        out["subject"]["encoding"]["profiles"].pop()
        proof = out["evidence"]["proof"]
        assert len(proof["cases"]) == len(FULL_AB) * per_profile
        proof["cases"] = proof["cases"][:-per_profile]
        return rehash(_with_proof(out, proof))

    assert recheck(dropped(plain.certificate)).startswith("impossible: holds")
    kept = dropped(renamed.certificate)["evidence"]["proof"]
    assert any(c["objects"] == [1, 0] for _, c in _renamed_cases(kept))
    with pytest.raises(RecheckError, match="leaves the statement's profiles"):
        recheck(dropped(renamed.certificate))


def test_the_reshuffling_proof_s_renamed_cases_are_infeasible_by_z3(reshuffling):
    statement, renamed, _ = reshuffling
    proof = renamed.certificate["evidence"]["proof"]
    _check_atom_mapping(statement, proof)
    _confirm_by_z3(statement, proof, single=2)
    table, _, others = _root(statement, proof)  # without share-differs: gamma = omega
    assert decide(table.all_rows(), others).status == "sat"


# ----- 4. statements where renaming must not be used -----------------------------------------------------
def _no_renamed_case(outcome) -> None:
    assert outcome.verdict == "holds"
    assert outcome.stats["renamed_cases"] == 0
    assert _renamed_anywhere(outcome.certificate["evidence"]["proof"]) == 0
    recheck(outcome.certificate)


def test_a_known_mechanism_is_never_renamed():
    """RP is strategy-proof and non-wasteful, so no SP g dominates it (Erdil, Proposition 1).
    RP is symmetric in truth, but its table names agents and objects: no renaming."""
    rp = Unknown("rp", ("sd-efficient",), random_priority(AB))
    statement = Statement(AB, FULL_AB, (rp, Unknown("g", ("sp",))), (Relation("dominates", "g", "rp"),))
    _no_renamed_case(prove(statement))


def test_ex_post_stability_for_priorities_is_never_renamed():
    """f strategy-proof, non-wasteful and ex post stable for crossed priorities (which a swap of
    both agents and objects keeps, yet the property names them): no SP g dominates f."""
    f = Unknown("f", ("sp", "nonwasteful", ex_post_stable(CROSSED)))
    statement = Statement(AB, FULL_AB, (f, Unknown("g", ("sp",))), (Relation("dominates", "g", "f"),))
    _no_renamed_case(prove(statement))


STRICT_AB = tuple(itertools.product([("a", "b"), ("b", "a")], repeat=2))


@pytest.mark.parametrize(
    ("profiles", "f_props", "kinds"),
    [
        (STRICT_AB, ("ir", "nonwasteful"), ("dominates", "share-differs")),
        (FULL_AB, ("nonwasteful",), ("dominates", "weakly-dominates", "share-differs")),
    ],
)
def test_the_statistics_count_the_renamed_cases_of_the_certificate(profiles, f_props, kinds):
    """Found by the random test below (in a fresh process: stats 3, none in the certificate, and
    53 against none). The split on a clause over every profile comes first (dominates); a case
    of it may be proved by share-differs alone, and that proof, built below the root and so
    without renaming, becomes the whole certificate, while the count keeps the renamed cases of
    the dropped split."""
    statement = Statement(
        AB, profiles, (Unknown("f", f_props), Unknown("g")), tuple(Relation(k, "g", "f") for k in kinds)
    )
    outcome = prove(statement)
    assert outcome.verdict == "holds"
    recheck(outcome.certificate)
    assert _renamed_anywhere(outcome.certificate["evidence"]["proof"]) == outcome.stats["renamed_cases"]


# ----- 5. random symmetric statements --------------------------------------------------------------------
THREE = Problem.make(3, "ab")
#: Per-agent ranking sets closed under swapping a and b. For three agents the full domain (125
#: profiles) takes 2 to 20 s a statement (measured); these products (8 or 27 profiles) are closed
#: under every renaming and take under 2 s.
SYMMETRIC_RANKINGS = (
    (("a", "b"), ("b", "a")),
    ((), ("a",), ("b",)),
    ((), ("a", "b"), ("b", "a")),
)


@st.composite
def symmetric_statements(draw) -> Statement:
    n = draw(st.sampled_from([2, 3]))
    if n == 2:
        problem, profiles = AB, FULL_AB
    else:
        rankings = draw(st.sampled_from(SYMMETRIC_RANKINGS))
        problem, profiles = THREE, tuple(itertools.product(rankings, repeat=3))
    props = st.lists(st.sampled_from(["sp", "ir", "nonwasteful", "ete"]), unique=True)
    kinds = draw(st.lists(st.sampled_from(["dominates", "weakly-dominates", "share-differs"]), unique=True))
    return Statement(
        problem,
        profiles,
        (Unknown("f", tuple(draw(props))), Unknown("g", tuple(draw(props)))),
        tuple(Relation(kind, "g", "f") for kind in kinds),
    )


@settings(max_examples=12, deadline=None)
@given(statement=symmetric_statements())
def test_random_symmetric_statements_recheck_and_their_renamed_cases_hold_by_z3(statement):
    outcome = prove(statement)
    assert outcome.verdict in ("holds", "fails")
    recheck(outcome.certificate)
    if outcome.certificate["evidence"]["kind"] != "case_split":
        return
    proof = outcome.certificate["evidence"]["proof"]
    if "cases" in proof:
        assert _renamed_anywhere(proof) == len(_renamed_cases(proof))  # at the root only
        _check_atom_mapping(statement, proof)
        _confirm_by_z3(statement, proof, single=1)
