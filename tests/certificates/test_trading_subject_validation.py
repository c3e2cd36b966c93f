"""The trading checker re-validates the subject by itself (Valenzuela-Stookey, sections 1.1 and 2).

Every rule the library enforces when it builds an economy, a menu, a selection table or a
strategy is enforced by `verified.recheck.trading_subject` too: a forger who edits the subject
and re-hashes it gets a rejection. Each test below also shows that the LIBRARY refuses the
same subject (`library_subject`, built with the model's own constructors), so the rule is one
the model has, not one the checker invented.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.certificates.helpers import EXAMPLES, rehash
from verified.certificates import build_certificate
from verified.errors import InvalidInput
from verified.io import load_subject
from verified.recheck import RecheckError, recheck
from verified.registry import run_check, subject_for


def fresh(name: str, prop: str) -> dict[str, Any]:
    """A certificate written now by the library for an example file."""
    subject = load_subject(EXAMPLES / name)
    return build_certificate(prop, run_check(prop, subject), subject_for(prop, subject))


def library_subject(enc: dict[str, Any]) -> Any:
    """Build the subject encoded in ``enc`` with the library's model constructors (Economy,
    trading sets, menus, selection table, strategies); raises `InvalidInput` (or a
    TypeError/ValueError on a wrong JSON type) when the library refuses it."""
    from verified.io.trading import TradingSubject
    from verified.trading.model import CostDomain, Economy, LinearDescription
    from verified.trading.protocol import FixedStrategy, MyopicStrategy, RegionStrategy
    from verified.trading.sets import PointSet, Polytope, Ray, RemedialSet, validate_menu

    if (
        set(enc) - {"family", "kind", "tasks", "agents", "selection", "strategies"}
        or enc["kind"] != "economy"
    ):
        raise InvalidInput("unknown subject fields", "subject")
    agents = enc["agents"]
    n = len(enc["tasks"])
    domains = []
    for a in agents:
        if set(a) - {"name", "endowment", "performance", "costs", "menu", "status_quo"}:
            raise InvalidInput("unknown agent fields", "agent")
        costs = a["costs"]
        if costs["kind"] == "box":
            if set(costs) != {"kind", "lo", "hi"}:
                raise InvalidInput("box fields", "costs")
            domains.append(CostDomain.box(costs["lo"], costs["hi"]))
        else:
            if set(costs) - {"kind", "lo", "hi"}:
                raise InvalidInput("orthant fields", "costs")
            bounds = [tuple(map(_frac, costs[k])) for k in ("lo", "hi") if k in costs]
            domains.append(CostDomain(costs["kind"], n, *bounds))
    economy = Economy.make(
        enc["tasks"],
        [a["name"] for a in agents],
        [a["endowment"] for a in agents],
        [a["performance"] for a in agents],
        domains,
    )
    make = {
        "points": lambda t: PointSet(t["points"]),
        "polytope": lambda t: Polytope(t["vertices"]),
        "ray": lambda t: Ray(t["origin"], t["direction"]),
        "remedial": lambda t: RemedialSet(t["eta"]),
    }
    menus = []
    for j, a in enumerate(agents):
        for t in a["menu"]:
            keys = {"points": {"points"}, "polytope": {"vertices"}, "ray": {"origin", "direction"}}
            if set(t) - {"type"} != keys.get(t["type"], {"eta"}):
                raise InvalidInput("set fields", "menu")
        menus.append(validate_menu(tuple(make[t["type"]](t) for t in a["menu"]), economy.endowment[j]))
    with_sq = ["status_quo" in a for a in agents]
    if any(with_sq) and not all(with_sq):
        raise InvalidInput("status quo for every agent or none", "agents")
    sq = tuple(tuple(a["status_quo"]) for a in agents) if all(with_sq) else None
    selection: Any = "eopr"
    strategies = None
    if "selection" in enc or "strategies" in enc:
        rows = enc["selection"]["table"]
        selection = {}
        for row in rows:
            key = tuple(row["profile"])
            if key in selection or any(isinstance(k, bool) or not isinstance(k, int) for k in key):
                raise InvalidInput("bad or repeated profile", "selection")
            selection[key] = row["allocation"]
        strategies = []
        for s in enc["strategies"]:
            if s["kind"] == "fixed" and set(s) == {"kind", "action"}:
                strategies.append(FixedStrategy(s["action"]))
            elif s["kind"] == "myopic" and set(s) == {"kind", "priority"}:
                strategies.append(MyopicStrategy(tuple(s["priority"])))
            elif s["kind"] == "regions" and set(s) == {"kind", "regions", "default"}:
                regions = []
                for r in s["regions"]:
                    if set(r) != {"rows", "rhs", "strict", "action"}:
                        raise InvalidInput("region fields", "strategy")
                    rows_ = tuple(tuple(map(_frac, row)) for row in r["rows"])
                    rhs = tuple(map(_frac, r["rhs"]))
                    if not all(isinstance(x, bool) for x in r["strict"]):
                        raise InvalidInput("strict flags", "strategy")
                    regions.append((LinearDescription(n, rows_, rhs, tuple(r["strict"])), r["action"]))
                strategies.append(RegionStrategy(tuple(regions), s["default"]))
            else:
                raise InvalidInput("unknown strategy", "strategy")
    subject = TradingSubject(economy, tuple(menus), "<test>", sq, selection, strategies)
    if strategies is not None:
        subject.mechanism  # noqa: B018 - validates the table and the strategies
    return subject


def _frac(x: object) -> Any:
    from verified.numbers import to_fraction

    return to_fraction(x, "number")


def library_refuses(enc: dict[str, Any]) -> bool:
    try:
        library_subject(enc)
    except (InvalidInput, TypeError, ValueError, KeyError, AttributeError):
        return True
    return False


def forged(doc: dict[str, Any], change) -> dict[str, Any]:
    """``doc`` with ``change`` applied to its subject encoding, re-hashed."""
    out = copy.deepcopy(doc)
    change(out["subject"]["encoding"])
    return rehash(out)


def assert_refused(doc: dict[str, Any], change, words: str) -> None:
    bad = forged(doc, change)
    assert library_refuses(bad["subject"]["encoding"]), "the library accepts this subject"
    with pytest.raises(RecheckError, match=words):
        recheck(bad)


@pytest.fixture(scope="module")
def polarized() -> dict[str, Any]:
    return fresh("binary_classification_polarized.toml", "polarized")


@pytest.fixture(scope="module")
def osp() -> dict[str, Any]:
    return fresh("bilateral_mechanism.toml", "osp")


def test_library_round_trip_of_fresh_subjects(polarized, osp) -> None:
    """The helper builds exactly the encoded subject (it re-encodes to the same JSON)."""
    from verified.io.trading import trading_subject

    for doc, mechanism in ((polarized, False), (osp, True)):
        recheck(doc)
        enc = doc["subject"]["encoding"]
        assert trading_subject(library_subject(enc), mechanism=mechanism) == enc


ECONOMY_RULES = [
    ("duplicate task", lambda e: e.update(tasks=["A", "A"]), "duplicate task"),
    ("empty task", lambda e: e.update(tasks=["A", ""]), "empty name"),
    ("no tasks", lambda e: e.update(tasks=[]), "non-empty"),
    ("duplicate agent", lambda e: e["agents"][1].update(name="1"), "duplicate"),
    ("empty agent name", lambda e: e["agents"][1].update(name=""), "empty name"),
    ("no agents", lambda e: e.update(agents=[]), "non-empty"),
    ("negative endowment", lambda e: e["agents"][0].update(endowment=["-1", "1"]), r">= 0"),
    ("short endowment", lambda e: e["agents"][0].update(endowment=["1"]), "expected 2 entries"),
    ("long performance", lambda e: e["agents"][0].update(performance=["1", "2", "3"]), "expected 2 entries"),
    ("float number", lambda e: e["agents"][0].update(performance=[1.5, "2"]), "integer or a string"),
    ("exponent number", lambda e: e["agents"][0].update(performance=["1e9", "2"]), "not a rational"),
    ("unknown agent field", lambda e: e["agents"][0].update(colour="red"), "unknown field"),
    ("unknown subject field", lambda e: e.update(note="x"), "unknown field"),
    ("box lo > hi", lambda e: e["agents"][0]["costs"].update(lo=["4", "1"]), "exceeds"),
    ("box lo < 0", lambda e: e["agents"][0]["costs"].update(lo=["-1", "1"]), r">= 0"),
    ("box without hi", lambda e: e["agents"][0]["costs"].pop("hi"), "missing"),
    (
        "orthant with lo",
        lambda e: e["agents"][0].update(costs={"kind": "orthant", "lo": ["0", "0"]}),
        "unknown",
    ),
    ("unknown cost domain", lambda e: e["agents"][0].update(costs={"kind": "ball"}), "unknown cost domain"),
    ("one status quo only", lambda e: e["agents"][0].update(status_quo=["1", "1"]), "status_quo"),
]

MENU_RULES = [
    (
        "negative point",
        lambda e: e["agents"][0]["menu"].append({"type": "points", "points": [["-1", "3"]]}),
        ">= 0",
    ),
    (
        "negative vertex",
        lambda e: e["agents"][0]["menu"].append({"type": "polytope", "vertices": [["3", "-1"]]}),
        ">= 0",
    ),
    (
        "point of wrong dimension",
        lambda e: e["agents"][0]["menu"].append({"type": "points", "points": [["1"]]}),
        "entries",
    ),
    (
        "empty point set",
        lambda e: e["agents"][0]["menu"].append({"type": "points", "points": []}),
        "non-empty",
    ),
    (
        "zero ray direction",
        lambda e: e["agents"][0]["menu"][1].update(direction=["0", "0"]),
        "must not be zero",
    ),
    ("negative ray origin", lambda e: e["agents"][0]["menu"][1].update(origin=["-1", "1"]), ">= 0"),
    (
        "negative remedial eta",
        lambda e: e["agents"][0]["menu"].append({"type": "remedial", "eta": ["-1", "1"]}),
        ">= 0",
    ),
    (
        "unknown set type",
        lambda e: e["agents"][0]["menu"].append({"type": "ball", "centre": ["1", "1"]}),
        "unknown trading set",
    ),
    ("unknown set field", lambda e: e["agents"][0]["menu"][1].update(length="2"), "unknown field"),
    ("empty menu", lambda e: e["agents"][0].update(menu=[]), "non-empty"),
    ("endowment not on the menu", lambda e: e["agents"][0]["menu"].pop(0), "endowment alone"),
]


@pytest.mark.parametrize(
    ("name", "change", "words"), ECONOMY_RULES + MENU_RULES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_economy_and_menu_rules(polarized, name, change, words) -> None:
    assert_refused(polarized, change, words)


def _set_profile(e: dict, row: int, profile: list) -> None:
    e["selection"]["table"][row]["profile"] = profile


MECHANISM_RULES = [
    ("negative profile index", lambda e: _set_profile(e, 3, [1, -1]), "below 0"),
    ("profile index out of range", lambda e: _set_profile(e, 3, [1, 2]), "above 1"),
    ("repeated profile", lambda e: _set_profile(e, 3, [1, 0]), "expected \\[1, 1\\]"),
    ("missing row", lambda e: e["selection"]["table"].pop(), "rows"),
    (
        "bundle outside the set",
        lambda e: e["selection"]["table"][3].update(allocation=[["3/2", "1/2"], ["1/2", "3/2"]]),
        "not in",
    ),
    (
        "market not cleared",
        lambda e: e["selection"]["table"][3].update(allocation=[["2", "0"], ["1", "1"]]),
        "clear",
    ),
    (
        "strategy action out of range",
        lambda e: e["strategies"].__setitem__(1, {"kind": "fixed", "action": 2}),
        "above",
    ),
    (
        "myopic priority not a permutation",
        lambda e: e["strategies"].__setitem__(1, {"kind": "myopic", "priority": [0, 0]}),
        "order the indices",
    ),
    (
        "region rhs of wrong length",
        lambda e: e["strategies"][0]["regions"][0].update(rhs=["0", "1"]),
        "entries",
    ),
    ("region strict not boolean", lambda e: e["strategies"][0]["regions"][0].update(strict=[1]), "booleans"),
    (
        "region row of wrong dimension",
        lambda e: e["strategies"][0]["regions"][0].update(rows=[["1"]]),
        "entries",
    ),
    ("region action negative", lambda e: e["strategies"][0]["regions"][0].update(action=-1), "below 0"),
    ("unknown strategy kind", lambda e: e["strategies"].__setitem__(1, {"kind": "lazy"}), "unknown strategy"),
    ("one strategy missing", lambda e: e["strategies"].pop(), "one strategy per agent"),
    ("no strategies", lambda e: e.pop("strategies"), "missing"),
]


@pytest.mark.parametrize(
    ("name", "change", "words"), MECHANISM_RULES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_mechanism_rules(osp, name, change, words) -> None:
    assert_refused(osp, change, words)


def test_a_mechanism_subject_only_for_the_osp_property(polarized, osp) -> None:
    """The menu-level properties are about the economy alone (`subject_for`): a selection
    table they never look at is a field they do not verify."""
    doc = copy.deepcopy(polarized)
    extra = {"selection": osp["subject"]["encoding"]["selection"], "strategies": []}
    with pytest.raises(RecheckError, match="unknown field"):
        recheck(forged(doc, lambda e: e.update(extra)))


def test_polarized_fails_needs_two_distinct_rays() -> None:
    """Issue 8, class 3: one ray as both members of the separating pair (or a negative index
    aliasing it) proves nothing: a single non-monotone ray is always polarized with itself."""
    doc = fresh("binary_classification_crossed.toml", "polarized")
    assert doc["verdict"] == "fails" and doc["evidence"]["kind"] == "separating_cost"
    recheck(doc)
    ev = doc["evidence"]
    rays = [t["direction"] for t in doc["subject"]["encoding"]["agents"][0]["menu"] if t["type"] == "ray"]
    for first, second in ((0, 0), (1, 1), (0, -1), (-2, 1), (1, 0)):
        bad = copy.deepcopy(doc)
        bad["evidence"].update(first=first, second=second)
        bad["evidence"]["first_direction"] = rays[first]
        bad["evidence"]["second_direction"] = rays[second]
        with pytest.raises(RecheckError):
            recheck(bad)
    # (0, 0) with c = (3, 2) and kappa_0 = (1, -2): c . kappa_0 = -1 < 0 twice -- the old hole
    same = copy.deepcopy(doc)
    same["evidence"].update(second=0, second_direction=rays[0], cost_dot_second=ev["cost_dot_first"])
    with pytest.raises(RecheckError, match="distinct"):
        recheck(same)


def test_non_canonical_names_are_refused(polarized) -> None:
    """A task named by the number 2: the library reads it as "2" and would encode "2", so the
    certificate would not be about the subject the library builds."""
    from verified.io.trading import trading_subject

    bad = forged(polarized, lambda e: e.update(tasks=["A", 2]))
    assert trading_subject(library_subject(bad["subject"]["encoding"]))["tasks"] == ["A", "2"]
    with pytest.raises(RecheckError, match="expected a string"):
        recheck(bad)


def _quickly_refused(doc: dict[str, Any], words: str) -> None:
    import time

    start = time.perf_counter()
    with pytest.raises(RecheckError, match=words):
        recheck(doc)
    assert time.perf_counter() - start < 5


def test_huge_menu_products_are_refused_before_enumeration() -> None:
    """Bounded work (issue 8): 2 agents with 1,100 copies of {eta} each make 1.21 million
    profiles; the checker refuses to enumerate them instead of running out of time."""
    doc = fresh("binary_classification_polarized.toml", "eopr-robust")
    recheck(doc)

    def grow(e: dict) -> None:
        for agent in e["agents"]:
            agent["menu"].extend([copy.deepcopy(agent["menu"][0]) for _ in range(1097)])

    _quickly_refused(forged(doc, grow), "limit")


def test_huge_region_strategies_are_refused_before_enumeration(osp) -> None:
    """30 regions of 2 rows: the default action's pieces number 2^30."""

    def regions(e: dict) -> None:
        region = {"rows": [["1", "-1"], ["-1", "1"]], "rhs": ["0", "0"], "strict": [True, True], "action": 1}
        e["strategies"][0] = {"kind": "regions", "regions": [region] * 30, "default": 0}

    _quickly_refused(forged(osp, regions), "limit|systems to refute")
