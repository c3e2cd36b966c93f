"""Recheck of equal treatment, anonymity and efficiency certificates; the fast RP tabulation."""

from __future__ import annotations

from fractions import Fraction
from itertools import permutations

import pytest

from tests.certificates.helpers import certificate, example, mutated
from verified.assignment.domain import Domain
from verified.assignment.mechanism import tabulate
from verified.assignment.mechanisms.random_priority import random_priority
from verified.assignment.model import Problem
from verified.io import AssignmentSubject
from verified.io.builtins import fast_table
from verified.recheck import RecheckError, recheck


@pytest.fixture(scope="module")
def boston():
    return example("boston_3x2.json")


@pytest.fixture(scope="module")
def remark2():
    return example("erdil_remark2.toml")


@pytest.fixture(scope="module")
def bm():
    return example("bogomolnaia_moulin.toml")


def test_fast_rp_table_equals_the_function_tabulated():
    domain = Domain.full(Problem.make(3, "abc"))
    fast = fast_table("random_priority", domain)
    slow = tabulate(random_priority(domain.problem), domain)
    assert (fast.numerators * slow.denominator == slow.numerators * fast.denominator).all()


def test_unequal_treatment_certificate(boston):
    doc = certificate(boston, "ete")
    assert doc["verdict"] == "fails"
    ev = doc["evidence"]
    i, j = (boston.problem.agent_index(a) for a in ev["agents"])
    index = boston.domain.index(tuple(tuple(p) for p in ev["profile"]))
    assert ev["profile"][i] == ev["profile"][j]
    assert boston.table.at_index(index).matrix[i] != boston.table.at_index(index).matrix[j]
    recheck(doc)
    other = [a for a in boston.problem.agents if a not in ev["agents"]][0]
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("evidence", "agents"), [ev["agents"][0], other]))


def test_anonymity_certificate(boston):
    doc = certificate(boston, "anonymous")
    assert doc["verdict"] == "fails"
    recheck(doc)
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("evidence", "permutation"), list(range(3))))
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("verdict",), "holds"))


def test_rp_is_anonymous_and_treats_equals_equally():
    domain = Domain.full(Problem.make(3, "ab"))
    subject = AssignmentSubject(domain.problem, domain, fast_table("random_priority", domain))
    for prop in ("ete", "anonymous"):
        doc = certificate(subject, prop)
        assert doc["verdict"] == "holds"
        recheck(doc)
        with pytest.raises(RecheckError):  # forged: the same evidence claimed for Boston's table
            recheck(mutated(doc, ("subject",), certificate(example("boston_3x2.json"), prop)["subject"]))


def _serial_dictatorship_lottery(profile, objects):
    """RP by enumerating the 4! orders (independent of the library), as exact Fractions."""
    n = len(profile)
    rows = [dict.fromkeys([*objects, "outside"], Fraction(0)) for _ in range(n)]
    orders = list(permutations(range(n)))
    for order in orders:
        left = set(objects)
        for i in order:
            pick = next((x for x in profile[i] if x in left), None)
            if pick:
                left.discard(pick)
            rows[i][pick or "outside"] += Fraction(1, len(orders))
    return rows


def test_remark2_waste_and_ex_post_efficiency(remark2):
    profile = [("a", "b"), ("c", "b"), ("a",), ("c",)]
    rows = _serial_dictatorship_lottery(profile, "abc")
    # agent 1 ends with nothing iff agent 3 precedes her (a gone) and 4 < 2 < 1 (b gone): 3/24
    assert rows[0]["outside"] == Fraction(1, 8)
    assert rows[0]["b"] + rows[1]["b"] == Fraction(3, 4)  # b is not fully assigned
    waste = certificate(remark2, "nonwasteful")
    assert waste["verdict"] == "fails"
    recheck(waste)
    efficient = certificate(remark2, "ex-post-efficient")
    assert efficient["verdict"] == "holds"
    recheck(efficient)
    lottery = efficient["evidence"]["certificates"][0]["lottery"]
    with pytest.raises(RecheckError):  # weights no longer sum to 1
        recheck(mutated(efficient, ("evidence", "certificates", 0, "lottery"), lottery[1:]))


def test_bogomolnaia_moulin_rp_is_dominated(bm):
    rows = _serial_dictatorship_lottery([tuple("abcd"), tuple("abcd"), tuple("badc"), tuple("badc")], "abcd")
    # hand check (Bogomolnaia-Moulin): agents 1, 2 get a 5/12, b 1/12, c 5/12, d 1/12 under RP
    assert [rows[0][x] for x in "abcd"] == [
        Fraction(5, 12),
        Fraction(1, 12),
        Fraction(5, 12),
        Fraction(1, 12),
    ]
    doc = certificate(bm, "sd-efficient")
    assert doc["verdict"] == "fails"
    recheck(doc)
    dominating = doc["evidence"]["dominating"]
    worse = {**dominating, "1": {"b": "1"}, "2": {"a": "1"}}
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("evidence", "dominating"), worse))


def test_sd_efficiency_holds_certificate_and_tampered_dual():
    subject = example("my_mechanism.toml")  # serial dictatorship: deterministic and Pareto efficient
    doc = certificate(subject, "sd-efficient")
    assert doc["verdict"] == "holds"
    recheck(doc)
    cert = next(c for c in doc["evidence"]["certificates"] if c["certificate"].get("dual"))
    k = doc["evidence"]["certificates"].index(cert)
    name = sorted(cert["certificate"]["dual"])[0]
    bad_dual = {**cert["certificate"]["dual"], name: str(Fraction(cert["certificate"]["dual"][name]) + 1)}
    with pytest.raises(RecheckError):
        recheck(mutated(doc, ("evidence", "certificates", k, "certificate", "dual"), bad_dual))


def _orbit_cert(name: str) -> dict:
    from verified.certificates import build_certificate
    from verified.registry import run_check, subject_for

    subject = example(name)
    return build_certificate(
        "sp-anonymous", run_check("sp-anonymous", subject), subject_for("sp-anonymous", subject)
    )


def test_orbit_certificates_recheck_and_agree_with_the_full_table():
    rp = _orbit_cert("rp_4x3.toml")
    assert rp["verdict"] == "holds" and rp["subject"]["encoding"]["kind"] == "orbit_table"
    # 16 rankings x C(16 + 3 - 1, 3) = 16 x 816 multisets of the other three agents
    assert len(rp["subject"]["encoding"]["mechanism"]["numerators"][0]) == 816
    recheck(rp)
    boston = _orbit_cert("random_boston_3x3.toml")
    assert boston["verdict"] == "fails"
    recheck(boston)
    full = certificate(example("random_boston_3x3.toml"), "sp")
    assert full["verdict"] == "fails"  # the full-table check agrees


def test_tampered_orbit_certificates_are_rejected():
    rp = _orbit_cert("rp_4x3.toml")
    rows = rp["subject"]["encoding"]["mechanism"]["numerators"]
    # an agent reporting "a" while the others report nothing gets a (24/24); move 1/24 to outside:
    # then reporting "a > b" (still a for sure) beats the truth for an agent whose ranking is "a"
    assert rows[1][0] == [24, 0, 0, 0]
    edited = mutated(rp, ("subject", "encoding", "mechanism", "numerators", 1, 0), [23, 0, 0, 1])
    with pytest.raises(RecheckError):  # subject hash
        recheck(edited)
    from tests.certificates.helpers import rehash

    with pytest.raises(RecheckError):  # digest in the evidence
        recheck(rehash(edited))
    bare = rehash(edited)
    del bare["evidence"]["orbit_table_digest"]
    with pytest.raises(RecheckError):  # and the SP / feasibility sweep itself
        recheck(bare)
    boston = _orbit_cert("random_boston_3x3.toml")
    with pytest.raises(RecheckError):
        recheck(mutated(boston, ("evidence", "misreport"), boston["evidence"]["true_preference"]))


def test_ex_post_stability_certificates():
    rda = example("rda_3x2.toml")
    from verified.certificates import build_certificate
    from verified.registry import run_check, subject_for

    def cert(subject):
        return build_certificate(
            "ex-post-stable", run_check("ex-post-stable", subject), subject_for("ex-post-stable", subject)
        )

    holds = cert(rda)
    assert holds["verdict"] == "holds" and "priorities" in holds["subject"]["encoding"]
    recheck(holds)
    fails = cert(example("rp_priorities_3x2.toml"))
    assert fails["verdict"] == "fails"
    # by hand: agent 1 reports nothing, agents 2 and 3 want only a, and 2 has priority for a over 3;
    # RP gives 3 the object a with probability 1/2 (when 3 precedes 2): an unstable matching
    if fails["evidence"]["profile"] == [[], ["a"], ["a"]]:
        assert fails["evidence"]["assignment"]["3"]["a"] == "1/2"
    recheck(fails)
    from tests.certificates.helpers import rehash

    swapped = {"a": [["3"], ["1", "2"]], "b": [["3"], ["1", "2"]]}  # now 3 has priority for a
    with pytest.raises(RecheckError):
        recheck(rehash(mutated(fails, ("subject", "encoding", "priorities"), swapped)))


class Recording(dict):
    """A JSON object that records which of its keys the checker read."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.read: set = set()

    def __getitem__(self, key):  # noqa: ANN001, ANN204
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):  # noqa: ANN001, ANN201
        self.read.add(key)
        return super().get(key, default)

    def items(self):  # noqa: ANN201 - json.dumps of a dict subclass reads through items()
        self.read.update(self.keys())
        return super().items()

    def values(self):  # noqa: ANN201
        self.read.update(self.keys())
        return super().values()


def _recording(value):  # noqa: ANN001, ANN202
    if isinstance(value, dict):
        return Recording({k: _recording(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_recording(v) for v in value]
    return value


def _unread(value, path="evidence"):  # noqa: ANN001, ANN202
    if isinstance(value, Recording):
        missing = [f"{path}.{k}" for k in dict.keys(value) if k not in value.read]
        for k in dict.keys(value):
            missing += _unread(dict.__getitem__(value, k), f"{path}.{k}")
        return missing
    if isinstance(value, list):
        return [m for k, v in enumerate(value) for m in _unread(v, f"{path}[{k}]")]
    return []


def _every_kind():  # noqa: ANN202
    from tests.certificates.test_assignment_tampering import FRESH, _fresh, _not_ir, _random_boston_3x2

    docs = [_fresh(name, prop) for name, props in FRESH for prop in props]
    return [*docs, _not_ir(), _random_boston_3x2()]


@pytest.fixture(scope="module")
def every_kind():
    docs = _every_kind()
    kinds = {(d["property"], d["verdict"], d["evidence"]["kind"]) for d in docs}
    assert len(kinds) == 19  # every (property, verdict, kind) the assignment checker knows
    return docs


def test_every_evidence_field_is_read_by_the_checker(every_kind):
    for doc in every_kind:
        watched = {**doc, "evidence": _recording(doc["evidence"])}
        recheck(watched)
        assert _unread(watched["evidence"]) == [], (doc["property"], doc["verdict"])


def test_every_top_level_evidence_field_matters(every_kind):
    """Replacing any one field by a foreign value, or dropping it, is a rejection."""
    for doc in every_kind:
        for key in doc["evidence"]:
            for value in (None, {"foreign": 1}):
                with pytest.raises(RecheckError):
                    recheck(mutated(doc, ("evidence", key), value))
            dropped = mutated(doc, ("evidence",), {k: v for k, v in doc["evidence"].items() if k != key})
            with pytest.raises(RecheckError):
                recheck(dropped)
