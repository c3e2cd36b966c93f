"""Mechanism-level OSP decided without z3 (Valenzuela-Stookey, section 1.1, Definitions of
obviously dominant actions and OSP): Motzkin certificates re-verified here by hand and by the
standard-library checker, tampering rejected, and agreement with the z3 method on random
small mechanisms."""

from __future__ import annotations

import copy
from fractions import Fraction
from itertools import product

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.certificates.helpers import EXAMPLES, rehash
from tests.trading.exact import dot
from verified.certificates import build_certificate
from verified.errors import InvalidInput
from verified.io import load_subject
from verified.io.trading import TradingSubject, trading_subject
from verified.recheck import RecheckError, recheck
from verified.trading.mechanism_osp import TradingMechanism, check_mechanism_osp, is_mechanism_osp
from verified.trading.model import CostDomain, Economy, LinearDescription
from verified.trading.protocol import FixedStrategy, MyopicStrategy, RegionStrategy, TradingProtocol
from verified.trading.sets import PointSet

F = Fraction


def certificate_of(subject: TradingSubject, result) -> dict:
    return build_certificate("osp", result, trading_subject(subject, mechanism=True))


def test_bilateral_mechanism_holds_with_hand_checked_motzkin_certificates() -> None:
    subject = load_subject(EXAMPLES / "bilateral_mechanism.toml")
    result = check_mechanism_osp(subject.mechanism, method="direct")
    assert result.holds and is_mechanism_osp(subject.mechanism, method="direct")
    ev = result.evidence
    assert ev["kind"] == "mechanism_osp_refutations" and [a["agent"] for a in ev["agents"]] == ["x", "y"]
    # Hand derivation for agent x (gamma = (1, -1), C = R^2_++): rows of the positive orthant
    # -c_A < 0, -c_B < 0; piece "region 0" (s = 1): c_A - c_B <= 0; piece "default" (s = 0): the
    # negated row -(c_A - c_B) < 0. Outcomes: T~^0 = {(1,1)}, T~^1 = {(2,0), (1,1)}.
    domain = [((-1, 0), 0, True), ((0, -1), 0, True)]
    pieces = {"region": [((1, -1), 0, False)], "default": [((-1, 1), 0, True)]}
    table = {(0, 0): (1, 1), (0, 1): (1, 1), (1, 0): (1, 1), (1, 1): (2, 0)}  # x's bundle per profile
    entries = ev["agents"][0]["refuted"]
    # s = 1 piece vs deviation 0: x in {(2,0),(1,1)}, x' = (1,1): 2 systems; s = 0 piece vs
    # deviation 1: x = (1,1), x' in {(2,0),(1,1)}: 2 systems.
    assert len(entries) == 4
    for e in entries:
        x, x2 = table[tuple(e["worse_profile"])], table[tuple(e["better_profile"])]
        atom = (tuple(b - a for a, b in zip(x, x2, strict=True)), 0, True)  # -(x - x') . c < 0
        system = domain + pieces[e["piece"]["type"]] + [atom]
        y = [F(v) for v in e["multipliers"]]
        assert len(y) == len(system) and min(y) >= 0
        assert all(sum(yi * row[0][i] for yi, row in zip(y, system, strict=True)) == 0 for i in range(2))
        rhs = sum(yi * row[1] for yi, row in zip(y, system, strict=True))
        assert rhs < 0 or (rhs == 0 and any(yi > 0 and row[2] for yi, row in zip(y, system, strict=True)))
    assert "re-verified" in recheck(certificate_of(subject, result))


def test_pseudo_market_fails_with_a_replayed_counterexample() -> None:
    subject = load_subject(EXAMPLES / "pseudo_market.toml")
    mechanism = subject.mechanism
    result = check_mechanism_osp(mechanism, method="direct")
    assert result.fails
    ev = result.evidence
    j = subject.economy.agents.index(ev["agent"])
    c = [F(v) for v in ev["cost"]]
    assert all(v > 0 for v in c)  # positive orthant
    # Myopic choice recomputed from the table: min over the bundles each menu index can end at.
    protocol = mechanism.protocol
    minima = [min(dot(c, alloc[j]) for p, alloc in protocol.table if p[j] == k) for k in range(5)]
    assert ev["chosen"] == minima.index(min(minima))
    worse = protocol.selection(ev["worst_profile"])[j]
    better = protocol.selection(ev["best_profile"])[j]
    assert ev["worst_profile"][j] == ev["chosen"] and ev["best_profile"][j] == ev["deviation"]
    assert dot(c, worse) > dot(c, better)
    assert check_mechanism_osp(mechanism).fails  # z3 agrees
    assert "re-verified" in recheck(certificate_of(subject, result))


@pytest.fixture(scope="module")
def bilateral_certificate() -> dict:
    subject = load_subject(EXAMPLES / "bilateral_mechanism.toml")
    return certificate_of(subject, check_mechanism_osp(subject.mechanism, method="direct"))


def _tampered(doc: dict, change) -> dict:
    out = copy.deepcopy(doc)
    change(out)
    return rehash(out)


TAMPERING = {
    "multiplier": lambda d: d["evidence"]["agents"][0]["refuted"][0]["multipliers"].__setitem__(0, "7"),
    "negative multiplier": lambda d: d["evidence"]["agents"][0]["refuted"][0]["multipliers"].__setitem__(
        0, "-1"
    ),
    "dropped entry": lambda d: d["evidence"]["agents"][1]["refuted"].pop(),
    "invalid domain row": lambda d: d["evidence"]["agents"][0]["domain_rows"][0].__setitem__("rhs", "-1"),
    "other strategy": lambda d: d["subject"]["encoding"]["strategies"][0].__setitem__("default", 1),
    "action outside the menu": lambda d: d["subject"]["encoding"]["strategies"][0]["regions"][0].__setitem__(
        "action", 2
    ),
    "flipped verdict": lambda d: d.__setitem__("verdict", "fails"),
    "z3 digest": lambda d: d.__setitem__("evidence", {"kind": "exhaustive_smt", "agents": []}),
    "table not clearing": lambda d: d["subject"]["encoding"]["selection"]["table"][3]["allocation"][
        0
    ].__setitem__(0, "3"),
    "profile missing": lambda d: d["subject"]["encoding"]["selection"]["table"].pop(0),
}


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_tampered_holds_certificates_are_rejected(bilateral_certificate, name) -> None:
    assert "re-verified" in recheck(bilateral_certificate)
    with pytest.raises(RecheckError):
        recheck(_tampered(bilateral_certificate, TAMPERING[name]))


def test_tampered_counterexamples_are_rejected() -> None:
    subject = load_subject(EXAMPLES / "pseudo_market.toml")
    doc = certificate_of(subject, check_mechanism_osp(subject.mechanism, method="direct"))
    assert "re-verified" in recheck(doc)
    for change in (
        lambda d: d["evidence"].__setitem__("cost", ["2", "1"]),  # the strategy chooses otherwise there
        lambda d: d["evidence"].__setitem__("better_bundle", ["0", "2"]),
        lambda d: d["evidence"].__setitem__("deviation", d["evidence"]["chosen"]),
        lambda d: d["evidence"].__setitem__("cost", ["0", "1"]),  # outside the positive orthant
    ):
        with pytest.raises(RecheckError):
            recheck(_tampered(doc, change))


def test_resource_limit_and_bad_method() -> None:
    subject = load_subject(EXAMPLES / "bilateral_mechanism.toml")
    limited = check_mechanism_osp(subject.mechanism, method="direct", max_rows=0)
    assert limited.unknown and "row limit" in limited.reason
    with pytest.raises(InvalidInput):
        check_mechanism_osp(subject.mechanism, method="simplex")


# ---------------------------------------------------------------- random small mechanisms

small = st.integers(-2, 2)


@st.composite
def mechanisms(draw: st.DrawFn) -> TradingSubject:
    """2-3 agents, 2 tasks; menu index 0 is {eta_j}; at each profile where two agents a, b ask
    for trades, a random gamma moves a to eta_a + gamma and b to eta_b - gamma (if >= 0); the
    trading sets are the bundles the table uses. Strategies: fixed, myopic or regions."""
    n_agents = draw(st.integers(2, 3))
    etas = [tuple(F(draw(st.integers(0, 2))) for _ in range(2)) for _ in range(n_agents)]
    sizes = [draw(st.integers(1, 3)) for _ in range(n_agents)]
    table = {}
    used: list[list[set]] = [[{eta} for _ in range(m)] for eta, m in zip(etas, sizes, strict=True)]
    for profile in product(*(range(m) for m in sizes)):
        alloc = list(etas)
        asking = [j for j in range(n_agents) if profile[j] != 0]
        if len(asking) >= 2:
            a, b = draw(st.sampled_from([(p, q) for p in asking for q in asking if p < q]))
            g = (F(draw(small)), F(draw(small)))
            plus = tuple(x + y for x, y in zip(etas[a], g, strict=True))
            minus = tuple(x - y for x, y in zip(etas[b], g, strict=True))
            if min(plus + minus) >= 0:
                alloc[a], alloc[b] = plus, minus
        table[profile] = tuple(alloc)
        for j in range(n_agents):
            used[j][profile[j]].add(alloc[j])
    menus = [tuple(PointSet(sorted(s)) for s in per) for per in used]
    kinds = ["box", "orthant", "positive_orthant"]
    domains = []
    for _ in range(n_agents):
        kind = draw(st.sampled_from(kinds))
        if kind == "box":
            lo = [draw(st.integers(0, 2)) for _ in range(2)]
            domains.append(CostDomain.box(lo, [x + draw(st.integers(0, 2)) for x in lo]))
        else:
            domains.append(getattr(CostDomain, kind)(2))
    economy = Economy.make(["A", "B"], [f"a{j}" for j in range(n_agents)], etas, [[1, 1]] * n_agents, domains)
    strategies = []
    for m in sizes:
        kind = draw(st.sampled_from(["fixed", "myopic", "regions"]))
        if kind == "fixed":
            strategies.append(FixedStrategy(draw(st.integers(0, m - 1))))
        elif kind == "myopic":
            strategies.append(MyopicStrategy(tuple(draw(st.permutations(range(m))))))
        else:
            regions = []
            for _ in range(draw(st.integers(1, 2))):
                rows = [
                    (tuple(F(draw(small)) for _ in range(2)), F(draw(small)))
                    for _ in range(draw(st.integers(1, 2)))
                ]
                strict = [draw(st.booleans()) for _ in rows]
                regions.append((LinearDescription.make(2, rows, strict), draw(st.integers(0, m - 1))))
            strategies.append(RegionStrategy(tuple(regions), draw(st.integers(0, m - 1))))
    return TradingSubject(economy, tuple(menus), selection=table, strategies=tuple(strategies))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mechanisms())
def test_direct_and_z3_methods_agree_and_certificates_recheck(subject: TradingSubject) -> None:
    mechanism = subject.mechanism
    assert isinstance(mechanism, TradingMechanism) and isinstance(mechanism.protocol, TradingProtocol)
    direct = check_mechanism_osp(mechanism, method="direct")
    smt = check_mechanism_osp(mechanism, method="smt")
    assume(not direct.unknown and not smt.unknown)
    assert direct.verdict == smt.verdict
    for result in (direct, smt) if direct.fails else (direct,):
        assert "re-verified" in recheck(certificate_of(subject, result))
