"""``one-improving-set`` (Claim 2 of Theorem 2's proof, Valenzuela-Stookey): the registry property,
its certificate, the stdlib checker `verified.recheck.trading_claim2`, the CLI, and forgeries.

Expected values come from hand derivations written next to each test, and from a brute-force
grid over types (`improving_sets`, plain Fractions; it minimises c . x over each set from its
vertices / ray ends written out here, never with the code under test).

The two example files (two-price binary classification, section 2.1): eta = (1, 1), the menu is
{eta}, the ray from eta along (1, -p1) (clipped at x_B = 0) and the ray along (-1, p2) (clipped at
x_A = 0), types in the box [1, 3]^2.

* polarized (p1 = 1, p2 = 2): set 1 improves iff c . (1, -1) < 0 iff c1 < c2; set 2 iff
  c . (-1, 2) < 0 iff c1 > 2 c2. Both: c2 > c1 > 2 c2, impossible for c2 > 0. The LP
  max s, c1 - c2 + s <= 0, -c1 + 2 c2 + s <= 0 has 2 s <= -c2 <= -1 (add the rows): optimum
  -1/2 at c = (3/2, 1), dual (1/2, 1/2) on the two rows (and -1/2 on c2 >= 1).
* crossed (p1 = 2, p2 = 1): set 1 improves iff c1 < 2 c2, set 2 iff c2 < c1: c = (2, 3/2) does
  both (2 < 3, 3/2 < 2): the property FAILS for agent 1 (the first agent).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.certificates.mutations import replaced, variants, walk
from verified.certificates import build_certificate
from verified.errors import InvalidInput
from verified.explain import explain
from verified.io import load_subject
from verified.io.trading import TradingSubject, trading_subject
from verified.lp.result import LPResult
from verified.recheck import RecheckError, recheck
from verified.recheck.core import sha256
from verified.registry import run_check, subject_for
from verified.strategies.trading import general_menus, menus
from verified.trading import claim2_certify
from verified.trading.claim2_certify import check_one_improving_set
from verified.trading.model import CostDomain, Economy
from verified.trading.osp import check_menu_osp
from verified.trading.sets import PointSet, Ray

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PROP = "one-improving-set"
POLARIZED = EXAMPLES / "binary_classification_polarized.toml"
CROSSED = EXAMPLES / "binary_classification_crossed.toml"


def certificate(path: Path) -> dict:
    subject = load_subject(path)
    doc = build_certificate(PROP, run_check(PROP, subject), subject_for(PROP, subject))
    return json.loads(json.dumps(doc))


@pytest.fixture(scope="module")
def holds_doc() -> dict:
    return certificate(POLARIZED)


@pytest.fixture(scope="module")
def fails_doc() -> dict:
    return certificate(CROSSED)


# --- an independent computation: which sets offer a point below c . eta ----------------------------


def dot(a: Any, b: Any) -> F:
    return sum((F(x) * F(y) for x, y in zip(a, b, strict=True)), F(0))


def set_minimum(spec: dict, c: list[F]) -> F | None:
    """min of c . x over one encoded set (subject JSON), None when -inf; written from the
    definitions: a finite set or polytope attains its min at a listed point, the remedial set
    [0, eta] at the corner with eta_i where c_i < 0, a ray at its origin or its far end."""
    kind = spec["type"]
    if kind in ("points", "polytope"):
        pts = spec["points"] if kind == "points" else spec["vertices"]
        return min(dot(c, p) for p in pts)
    if kind == "remedial":
        return sum((min(F(0), ci * F(e)) for ci, e in zip(c, spec["eta"], strict=True)), F(0))
    o, d = [F(x) for x in spec["origin"]], [F(x) for x in spec["direction"]]
    slope = dot(c, d)
    if slope >= 0:
        return dot(c, o)
    ends = [o_i / -d_i for o_i, d_i in zip(o, d, strict=True) if d_i < 0]
    if not ends:
        return None
    y = min(ends)
    return dot(c, [a + y * b for a, b in zip(o, d, strict=True)])


def improving_sets(agent: dict, c: list[F]) -> list[int]:
    """Indices of the sets of an encoded agent's menu with a point strictly below c . eta."""
    level = dot(c, agent["endowment"])
    out = []
    for k, spec in enumerate(agent["menu"]):
        low = set_minimum(spec, c)
        if low is None or low < level:
            out.append(k)
    return out


def grid(lo: list[int], hi: list[int], steps: int = 8) -> Iterator[list[F]]:
    """Types on a grid of the box [lo, hi] (2 tasks)."""
    for a in range(steps + 1):
        for b in range(steps + 1):
            yield [F(lo[0]) + F(hi[0] - lo[0], steps) * a, F(lo[1]) + F(hi[1] - lo[1], steps) * b]


# --- the examples -----------------------------------------------------------------------------


def test_polarized_classification_holds_with_the_hand_dual(holds_doc: dict) -> None:
    assert holds_doc["verdict"] == "holds" and holds_doc["evidence"]["kind"] == "per_agent"
    for item in holds_doc["evidence"]["agents"]:
        ev = item["evidence"]
        assert ev["kind"] == "improving_set_programs"
        assert ev["directions"] == [[], [["1", "-1"]], [["-1", "2"]]]
        (pair,) = ev["pairs"]  # {eta} has no improving direction; one pair of rays
        assert pair["sets"] == [1, 2]
        cert = pair["certificate"]
        assert F(cert["objective"]) == F(-1, 2)
        assert F(cert["dual"]["first"]) == F(1, 2) and F(cert["dual"]["second"]) == F(1, 2)
    recheck(holds_doc)
    # the grid agrees: no type in [1, 3]^2 finds both rays cheaper than eta
    for agent in holds_doc["subject"]["encoding"]["agents"]:
        assert all(len(improving_sets(agent, c)) <= 1 for c in grid([1, 1], [3, 3]))


def test_crossed_classification_fails_with_a_checked_witness(fails_doc: dict) -> None:
    ev = fails_doc["evidence"]
    assert fails_doc["verdict"] == "fails" and ev["kind"] == "two_improving_sets"
    assert ev["agent"] == "1" and ev["sets"] == [1, 2]
    c = [F(x) for x in ev["cost"]]
    assert all(1 <= x <= 3 for x in c)
    level = c[0] + c[1]  # c . eta, eta = (1, 1)
    assert F(ev["eta_cost"]) == level
    # set 1 = {(1 + y, 1 - 2y) : 0 <= y <= 1/2}, set 2 = {(1 - y, 1 + y) : 0 <= y <= 1}
    (a, b), (a2, b2) = ([F(x) for x in p] for p in ev["points"])
    y1, y2 = a - 1, 1 - a2
    assert 0 <= y1 <= F(1, 2) and b == 1 - 2 * y1
    assert 0 <= y2 <= 1 and b2 == 1 + y2
    assert [F(x) for x in ev["point_costs"]] == [c[0] * a + c[1] * b, c[0] * a2 + c[1] * b2]
    assert all(F(x) < level for x in ev["point_costs"])
    recheck(fails_doc)
    # the grid finds such types independently, e.g. (2, 3/2) (module docstring)
    agent = fails_doc["subject"]["encoding"]["agents"][0]
    found = [c for c in grid([1, 1], [3, 3]) if len(improving_sets(agent, c)) >= 2]
    assert [F(2), F(3, 2)] in found
    assert improving_sets(agent, c) == [1, 2]


def test_claim1_is_not_needed_for_the_property() -> None:
    # T1 = {(0, 0)} lacks eta = (1, 1). At c = (1, 1) (c . eta = 2) T1 costs 0 and T2 offers (1, 0)
    # at cost 1: two improving sets. (check_claim2_menu refuses this menu: it needs Claim 1.)
    eta = (F(1), F(1))
    menu = [PointSet([eta]), PointSet([(0, 0)]), PointSet([(1, 0), (1, 1)])]
    result = check_one_improving_set(menu, eta, CostDomain.orthant(2))
    assert result.fails
    ev = result.evidence
    c = [F(x) for x in ev["cost"]]
    assert all(x >= 0 for x in c) and ev["sets"] == [1, 2]
    assert dot(c, ev["points"][0]) < dot(c, eta) and dot(c, ev["points"][1]) < dot(c, eta)
    assert [[F(x) for x in p] for p in ev["points"]] == [[0, 0], [1, 0]]


def test_swap_menu_holds_on_every_domain_kind() -> None:
    # (-1, 1) and (1, -1) sum to 0: no c makes both negative; the pair's dual is (1/2, 1/2)
    eta = (F(1), F(1))
    menu = [PointSet([eta]), Ray(eta, [-1, 1]), Ray(eta, [1, -1])]
    for domain in (CostDomain.positive_orthant(2), CostDomain.orthant(2), CostDomain.box([1, 1], [3, 2])):
        result = check_one_improving_set(menu, eta, domain)
        assert result.holds
        (pair,) = result.evidence["pairs"]
        assert {k: F(v) for k, v in pair["certificate"]["dual"].items()} == {
            "first": F(1, 2),
            "second": F(1, 2),
        }
        assert F(pair["certificate"]["objective"]) <= 0


def test_an_lp_without_a_verdict_gives_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        claim2_certify, "solve_exact", lambda *a, **k: LPResult("unknown", reason="time limit")
    )
    subject = load_subject(CROSSED)
    result = run_check(PROP, subject)
    assert result.unknown and "time limit" in (result.reason or "")


def test_bad_input_names_the_place() -> None:
    eta = (F(1), F(1))
    with pytest.raises(InvalidInput):
        check_one_improving_set([], eta, CostDomain.orthant(2))
    with pytest.raises(InvalidInput):
        check_one_improving_set([PointSet([(1, 1, 1)])], eta, CostDomain.orthant(2))
    with pytest.raises(InvalidInput):
        check_one_improving_set([PointSet([eta])], (1, 1, 1), CostDomain.orthant(2))


def test_explain_puts_the_witness_into_words(holds_doc: dict, fails_doc: dict) -> None:
    text = explain(fails_doc)
    ev = fails_doc["evidence"]
    assert "one-improving-set: FAILS" in text and f"cost {ev['eta_cost']}" in text
    assert "set 1 offers" in text and "set 2 offers" in text
    assert "2 exact LP(s)" in explain(holds_doc)


# --- the command line -----------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "verified", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_cli_check_writes_certificates_that_recheck(tmp_path: Path) -> None:
    ok = cli("check", str(POLARIZED), "--property", PROP, "--certificate-dir", str(tmp_path))
    assert ok.returncode == 0, ok.stderr
    bad = cli("check", str(CROSSED), "--property", PROP, "--certificate-dir", str(tmp_path))
    assert bad.returncode == 1, bad.stderr
    assert "set 1 offers" in bad.stdout and "set 2 offers" in bad.stdout
    files = sorted(tmp_path.glob("*.one-improving-set.cert.json"))
    assert len(files) == 2
    again = cli("recheck", *map(str, files))
    assert again.returncode == 0, again.stdout + again.stderr
    for k, path in enumerate(files):  # forged: a type outside [1, 3]^2, or one LP dropped
        doc = json.loads(path.read_text())
        if doc["verdict"] == "fails":
            doc["evidence"]["cost"] = ["4", "9/4"]
        else:
            doc["evidence"]["agents"][1]["evidence"]["pairs"] = []
        forged = tmp_path / f"forged{k}.json"
        forged.write_text(json.dumps(doc))
        out = cli("recheck", str(forged))
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stdout + out.stderr


def test_cli_refuses_bad_input(tmp_path: Path) -> None:
    hostile = tmp_path / "bad.toml"
    hostile.write_text(POLARIZED.read_text().replace("hi = [3, 3]", 'hi = [3, "x"]', 1))
    out = cli("check", str(hostile), "--property", PROP)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "bad.toml" in out.stderr + out.stdout
    out = cli("check", str(EXAMPLES / "rp_4x3.toml"), "--property", PROP)
    assert out.returncode == 2 and "Traceback" not in out.stderr


# --- forgeries ------------------------------------------------------------------------------------


def rehashed(doc: dict) -> dict:
    out = copy.deepcopy(doc)
    out["subject"]["sha256"] = sha256(out["subject"]["encoding"])
    return out


def mutants(doc: dict) -> Iterator[tuple[str, dict]]:
    yield "verdict", replaced(doc, ("verdict",), "fails" if doc["verdict"] == "holds" else "holds")
    yield "property", replaced(doc, ("property",), "menu-osp")
    for root in (("evidence",), ("subject", "encoding")):
        node: Any = doc
        for key in root:
            node = node[key]
        for path, value in walk(node, root):
            if path[-1:] in (("family",), ("kind",)) and root != ("evidence",):
                continue
            for v in variants(value):
                m = replaced(doc, path, v)
                yield (
                    "/".join(map(str, path)) + f" -> {json.dumps(v)[:30]}",
                    (rehashed(m) if root[0] == "subject" else m),
                )


def claim_is_true(doc: dict) -> bool:
    """The mutated subject is one the library builds (and encodes back exactly), and the grid
    (for a FAILS claim: an independent witness) or the library's own check agrees."""
    from tests.certificates.test_trading_subject_validation import library_subject

    enc = doc["subject"]["encoding"]
    try:
        subject = library_subject(enc)
        if trading_subject(subject) != enc:
            return False
        verdict = run_check(PROP, subject).verdict.value
    except (InvalidInput, TypeError, ValueError, KeyError, AttributeError, IndexError):
        return False
    return verdict == doc["verdict"]


@pytest.mark.parametrize("which", ["holds", "fails"])
def test_every_accepted_mutant_has_a_true_claim(which: str, holds_doc: dict, fails_doc: dict) -> None:
    doc = holds_doc if which == "holds" else fails_doc
    recheck(doc)
    count, wrong = 0, []
    for name, mutant in mutants(doc):
        count += 1
        try:
            recheck(mutant)
        except RecheckError:
            continue
        if not claim_is_true(mutant):
            wrong.append(name)
    assert count > (400 if which == "holds" else 60)
    assert not wrong, wrong[:10]


def test_targeted_forgeries_are_rejected(holds_doc: dict, fails_doc: dict) -> None:
    def rejected(doc: dict) -> bool:
        try:
            recheck(doc)
        except RecheckError:
            return True
        return False

    pair = ("evidence", "agents", 0, "evidence", "pairs", 0)
    # a weaker LP (the cap row dropped, or the second row's coefficients zeroed) with its own
    # correct certificate: the checker writes the LP itself and refuses the stated one
    lp = holds_doc["evidence"]["agents"][0]["evidence"]["pairs"][0]["lp"]
    weaker = copy.deepcopy(lp)
    weaker["constraints"][1]["coefficients"] = {"s": "1"}
    assert rejected(replaced(holds_doc, (*pair, "lp"), weaker))
    # a certificate claiming a positive optimum is no HOLDS certificate
    cert = copy.deepcopy(holds_doc["evidence"]["agents"][0]["evidence"]["pairs"][0]["certificate"])
    cert["objective"] = "1/2"
    assert rejected(replaced(holds_doc, (*pair, "certificate"), cert))
    # the pair list dropped or reordered
    assert rejected(replaced(holds_doc, ("evidence", "agents", 0, "evidence", "pairs"), []))
    # a type outside the box, the same set twice, a point outside its set
    assert rejected(replaced(fails_doc, ("evidence", "cost"), ["4", "9/4"]))
    assert rejected(replaced(fails_doc, ("evidence", "sets"), [1, 1]))
    assert rejected(replaced(fails_doc, ("evidence", "sets"), [2, 1]))
    assert rejected(replaced(fails_doc, ("evidence", "points", 0), ["1", "1"]))
    # the verdict flipped, the property renamed to one the evidence does not prove
    assert rejected(replaced(fails_doc, ("verdict",), "holds"))
    assert rejected(replaced(holds_doc, ("property",), "menu-osp"))
    # the subject changed to the crossed menu (re-hashed): the derived directions differ
    crossed = replaced(holds_doc, ("subject", "encoding"), fails_doc["subject"]["encoding"])
    assert rejected(rehashed(crossed))


def test_a_hostile_subject_is_refused_before_any_work(holds_doc: dict) -> None:
    # two point sets of 1,100 points each: 1,210,000 pairs of directions, above the checker's
    # limit of 2^20 items; the evidence is tiny, so only the bound stops the enumeration
    points = [[str(i), "0"] for i in range(2, 1102)]
    doc = copy.deepcopy(holds_doc)
    menu = doc["subject"]["encoding"]["agents"][0]["menu"]
    menu[1] = {"type": "points", "points": points}
    menu[2] = {"type": "points", "points": [[y, x] for x, y in points]}
    with pytest.raises(RecheckError, match="limit"):
        recheck(rehashed(doc))


# --- random small menus ------------------------------------------------------------------------


def one_agent_subject(menu: list, eta: Any, domain: CostDomain) -> TradingSubject:
    n = len(eta)
    economy = Economy.make(n, 1, [list(eta)], [[1] * n], [domain])
    return TradingSubject(economy, (tuple(menu),))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(menus())
def test_random_menus_certificates_recheck(menu_domain: tuple) -> None:
    menu, domain = menu_domain
    eta = menu[0].points[0]
    subject = one_agent_subject(menu, eta, domain)
    result = run_check(PROP, subject)
    doc = json.loads(json.dumps(build_certificate(PROP, result, subject_for(PROP, subject))))
    recheck(doc)
    if result.fails:  # the witness, against the independent minima
        ev = doc["evidence"]
        agent = doc["subject"]["encoding"]["agents"][0]
        c = [F(x) for x in ev["cost"]]
        assert set(ev["sets"]) <= set(improving_sets(agent, c))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(general_menus(), st.sampled_from(["orthant", "positive_orthant"]))
def test_random_menus_with_claim1_fail_osp_whenever_two_sets_improve(menu_eta: tuple, kind: str) -> None:
    # Claim 2: with eta in every set, two improving sets at one type leave no obviously dominant
    # choice there, so menu-level OSP fails too (and OSP menus pass)
    menu, eta = menu_eta
    domain = CostDomain(kind, len(eta))
    subject = one_agent_subject(menu, eta, domain)
    result = run_check(PROP, subject)
    doc = json.loads(json.dumps(build_certificate(PROP, result, subject_for(PROP, subject))))
    recheck(doc)
    osp = check_menu_osp(menu, domain, method="direct")
    if osp.holds:
        assert result.holds
    if result.fails:
        assert not osp.holds
