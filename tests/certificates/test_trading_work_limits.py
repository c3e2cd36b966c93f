"""Bounded work of the trading checker on tiny hostile certificates (red-team reproducers).

1. ``derived_atoms`` (menu-osp 'holds') formed every corner-minus-corner difference of the menu's
   sets before comparing any evidence: two remedial sets with n positive entries give ~2 * 4^n
   vectors, de-duplicated by a quadratic list scan (n = 8 did not finish in 300 s). It now counts
   them first and refuses above `MAX_ATOM_ENTRIES`; its mismatch message no longer prints the list.
2. The subject check "the menu holds {eta}" enumerated all 2^k corners of every remedial set
   (k = 20: ~4.5 s and 245 MB per set). It is now decided from the set's definition.

Every reproducer is rejected (or accepted) exactly as before, with the same reason where the old
run finished (their time is in `python benchmarks/run.py hostile`, not asserted).
Expected values are derived by hand in comments.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.certificates.helpers import holds_document
from verified.recheck import RecheckError, recheck
from verified.recheck.trading import (
    MAX_ATOM_ENTRIES,
    TREE_STATEMENT,
    atom_entry_count,
    atom_vector_count,
    derived_atoms,
)
from verified.recheck.trading_subject import TradingSet, parse_subject


def _doc(prop: str, menu: list[dict], n: int, evidence: dict, eta: list[str] | None = None) -> dict:
    """A one-agent trading certificate over n tasks (endowment ``eta``, all ones by default)."""
    eta = eta if eta is not None else ["1"] * n
    enc = {
        "family": "trading",
        "kind": "economy",
        "tasks": [f"t{i}" for i in range(n)],
        "agents": [
            {
                "name": "1",
                "endowment": eta,
                "performance": ["1"] * n,
                "costs": {"kind": "orthant"},
                "menu": menu,
            }
        ],
    }
    return holds_document(prop, evidence, enc)


def atoms_hang(n: int) -> dict:
    """/tmp/h9/a1/mk_atoms_hang.py: menu {eta}, remedial(eta), remedial(eta), eta = 1^n, atoms []."""
    eta = ["1"] * n
    menu = [
        {"type": "points", "points": [eta]},
        {"type": "remedial", "eta": eta},
        {"type": "remedial", "eta": eta},
    ]
    sets = [
        {"shape": "points", "points": [eta]},
        {"shape": "remedial", "eta": eta},
        {"shape": "remedial", "eta": eta},
    ]
    tree = {
        "kind": "refutation_tree",
        "statement": TREE_STATEMENT,
        "sets": sets,
        "domain": {"kind": "orthant", "dimension": n},
        "domain_rows": [],
        "atoms": [],
        "refuted": [],
    }
    return _doc("menu-osp", menu, n, {"kind": "per_agent", "agents": [{"agent": "1", "evidence": tree}]})


def remedial_dos(k: int, agents: list | None = None) -> dict:
    """/tmp/h9/a1/mk_remedial_dos.py: k remedial sets with 20 positive entries, then {eta};
    polarized 'holds' with ``agents`` as the per-agent evidence (none by default)."""
    n = 20
    eta = ["1"] * n
    menu = [{"type": "remedial", "eta": eta} for _ in range(k)] + [{"type": "points", "points": [eta]}]
    return _doc("polarized", menu, n, {"kind": "per_agent", "agents": agents or []})


def _rejected(doc: dict) -> str:
    with pytest.raises(RecheckError) as info:
        recheck(doc)
    return str(info.value)


# --- 1. derived_atoms -------------------------------------------------------------------------


@pytest.mark.parametrize("n", [8, 14])
def test_atoms_hang_is_refused_before_forming_the_atoms(n: int) -> None:
    # Corners: 1 + 2^n + 2^n. Vectors: choice 0 forms 1 * 2^n twice; each remedial choice forms
    # 2^n * 1 + 2^n * 2^n. Total 2^(n+2) + 2 * 4^n (n = 8: 1024 + 131072 = 132096), far above the
    # limit once multiplied by n entries each. It was rejected before too (its atoms [] are wrong).
    vectors = 2 ** (n + 2) + 2 * 4**n
    message = _rejected(atoms_hang(n))
    assert message.startswith("evidence.agents[0].evidence.atoms: ")
    assert f"{vectors} atom vectors in {n} tasks" in message
    assert f"{(1 + 2 * 2**n + vectors) * n} rationals" in message
    assert len(message) < 300


def test_atoms_hang_small_is_still_a_mismatch_with_a_short_message() -> None:
    # n = 5 is under the limit: (1 + 64 + 2^7 + 2 * 4^5) * 5 = (65 + 2176) * 5 = 11205 rationals.
    # Choice 0 ({1^5}): 1^5 - w, w in {0,1}^5, is every 0/1 vector except 0: 31 atoms. A remedial
    # choice: v - w with v in {0,1}^5, w in {0,1}^5 (and 1^5): every {-1,0,1}^5 vector but 0: 242.
    # Before, the message printed all 515 atoms (14.8 KB); now only these counts.
    message = _rejected(atoms_hang(5))
    assert message == (
        "evidence.agents[0].evidence.atoms: differs from the [31, 242, 242] atoms per choice "
        "re-derived from the subject's sets"
    )


def _set(kind: str, *vectors: list[int], **named: list[int]) -> TradingSet:
    """A TradingSet from small integer vectors (``pts`` positionally, or origin / direction / eta)."""
    vecs = {key: tuple(Fraction(x) for x in v) for key, v in named.items()}
    return TradingSet(kind, pts=tuple(tuple(Fraction(x) for x in v) for v in vectors), **vecs)


def test_derived_atoms_keep_first_occurrences_in_order() -> None:
    # Menu A = {(0,0)}, B = {(1,0), (2,0)}, C = {(1,0)} (points sets, 2 tasks).
    # A: (0,0)-(1,0), (0,0)-(2,0), (0,0)-(1,0) -> (-1,0), (-2,0) (the repeat dropped).
    # B: (1,0)-(0,0), (2,0)-(0,0), (1,0)-(1,0)=0, (2,0)-(1,0) -> (1,0), (2,0) (zero and repeat dropped).
    # C: (1,0)-(0,0), (1,0)-(1,0)=0, (1,0)-(2,0) -> (1,0), (-1,0).
    menu = (_set("points", [0, 0]), _set("points", [1, 0], [2, 0]), _set("points", [1, 0]))
    assert atom_vector_count(menu) == 3 + 4 + 3  # |A||B| + |A||C|, |B||A| + |B||C|, |C||A| + |C||B|
    assert (
        atom_entry_count(menu, 2, atom_vector_count(menu)) == (4 + 10) * 2
    )  # (4 corners + 10 vectors) * 2 tasks
    got = [[[int(x) for x in a] for a in per_k] for per_k in derived_atoms(menu, 2, "m")]
    assert got == [[[-1, 0], [-2, 0]], [[1, 0], [2, 0]], [[1, 0], [-1, 0]]]


def test_atom_count_of_an_unbounded_ray() -> None:
    # [ray (0,0) + y (1,1), {(1,1)}]: choice 0 forms its direction and origin - (1,1); choice 1
    # forms the negated direction and (1,1) - origin: 4 vectors, 2 corners (origin, the point).
    menu = (_set("ray", origin=[0, 0], direction=[1, 1]), _set("points", [1, 1]))
    assert atom_vector_count(menu) == 4
    assert atom_entry_count(menu, 2, atom_vector_count(menu)) == (2 + 4) * 2
    got = [[[int(x) for x in a] for a in per_k] for per_k in derived_atoms(menu, 2, "m")]
    assert got == [[[1, 1], [-1, -1]], [[-1, -1], [1, 1]]]


def test_the_limit_is_checked_before_any_corner_is_formed() -> None:
    # A remedial set with 40 positive entries has 2^40 corners: counted, never formed.
    menu = (_set("points", [1] * 40), _set("remedial", eta=[1] * 40))
    with pytest.raises(RecheckError, match="more than the checker's limit"):
        derived_atoms(menu, 40, "m")
    assert MAX_ATOM_ENTRIES < atom_entry_count(menu, 40, atom_vector_count(menu))


def _texts(value: object) -> object:
    """Nested lists of ints as the encoding's rational texts."""
    return [_texts(x) for x in value] if isinstance(value, list) else str(value)


# --- 2. the menu holds {eta} -------------------------------------------------------------------


def test_remedial_dos_is_rejected_as_before_but_fast() -> None:
    # Ten remedial sets with 2^20 corners each; the last set is {eta}, so every remedial set is
    # asked "are you {eta}?" first. Before: 45 s, then rejected for the empty evidence list.
    message = _rejected(remedial_dos(10))
    assert message == "evidence.agents: one item per agent"


def test_remedial_dos_with_right_evidence_is_accepted_fast() -> None:
    # The menu has no rays, so polarization holds with no directions and no pairs.
    doc = remedial_dos(
        3, [{"agent": "1", "evidence": {"kind": "polarization_witnesses", "directions": [], "pairs": []}}]
    )
    assert recheck(doc).startswith("polarized: holds - re-verified")


@pytest.mark.parametrize(
    ("spec", "eta", "expected"),
    [
        # points / polytope: {eta} iff every listed point is eta.
        ({"type": "points", "points": [[1, 2]]}, [1, 2], True),
        ({"type": "points", "points": [[1, 2], [0, 0]]}, [1, 2], False),
        ({"type": "points", "points": [[2, 1]]}, [1, 2], False),
        ({"type": "polytope", "vertices": [[1, 2]]}, [1, 2], True),
        ({"type": "polytope", "vertices": [[1, 2], [1, 3]]}, [1, 2], False),
        # remedial(e) = {x : 0 <= x <= e}: a single point iff e = 0, and then it is {0}.
        ({"type": "remedial", "eta": [0, 0]}, [0, 0], True),
        ({"type": "remedial", "eta": [0, 0]}, [0, 1], False),
        ({"type": "remedial", "eta": [1, 2]}, [1, 2], False),  # [0,1] x [0,2] is not {(1,2)}
        ({"type": "remedial", "eta": [0, 2]}, [0, 2], False),  # {0} x [0,2]
        ({"type": "remedial", "eta": [0, 2]}, [0, 0], False),
        # ray {o + y d : y >= 0} in R^2_+: o = (1,0), d = (1,-1) leaves R_+ at once: {(1,0)}.
        ({"type": "ray", "origin": [1, 0], "direction": [1, -1]}, [1, 0], True),
        ({"type": "ray", "origin": [1, 0], "direction": [1, -1]}, [0, 0], False),
        ({"type": "ray", "origin": [1, 1], "direction": [1, -1]}, [1, 1], False),  # to (2,0)
        ({"type": "ray", "origin": [1, 1], "direction": [1, 1]}, [1, 1], False),  # unbounded
    ],
)
def test_the_menu_holds_eta_alone(spec: dict, eta: list[int], expected: bool) -> None:
    # The menu is this one set, so the subject is valid exactly when the set is {eta}.
    menu = [{key: value if key == "type" else _texts(value) for key, value in spec.items()}]
    enc = _doc("polarized", menu, 2, {}, _texts(eta))["subject"]["encoding"]
    if expected:
        parse_subject(enc, mechanism=False)
    else:
        with pytest.raises(RecheckError, match="the menu must contain the endowment alone"):
            parse_subject(enc, mechanism=False)


def test_remedial_membership_of_eta_is_decided_without_its_corners() -> None:
    # remedial(0^40) is {0^40}; remedial(1^40) has 2^40 corners and is not {1^40}. Both at once.
    zero, one = [Fraction(0)] * 40, [Fraction(1)] * 40
    assert _set("remedial", eta=zero).is_singleton(tuple(zero))
    assert not _set("remedial", eta=one).is_singleton(tuple(one))


def test_lemma1_boxes_are_counted_before_any_vertex_is_listed():
    # 17 agents with 16-task boxes: 17 * 2^16 = 1,114,112 vertices, past the 2^20 limit; 16 such
    # agents (exactly 2^20) are within it (parsed, not checked: no vertex is listed by parsing).
    from verified.recheck.core import RecheckError as CoreRecheckError
    from verified.recheck.trading_lemma1 import parse

    def encoding(agents: int) -> dict:
        box = {"dimension": 16, "kind": "box", "lo": ["1"] * 16, "hi": ["2"] * 16}
        specs = [
            {"beta": "1", "cost_domain": box, "name": str(j), "status_quo": ["1"] * 16} for j in range(agents)
        ]
        return {
            "agents": specs,
            "family": "trading",
            "kind": "sq_mc_economy",
            "tasks": [f"t{i}" for i in range(16)],
        }

    assert len(parse(encoding(16))[1]) == 16
    with pytest.raises(CoreRecheckError, match="1114112 vertices|more than the checker's limit"):
        parse(encoding(17))
