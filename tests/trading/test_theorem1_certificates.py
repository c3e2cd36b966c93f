"""``choice-improves-bic`` and ``choice-optimal-bic`` (Valenzuela-Stookey, Theorem 1 (iii), (iv)):
the registry properties on format /3 files, their certificates, the stdlib checker
`verified.recheck.trading_bic`, the CLI, forgeries and random small economies.

Independent computations (never the code under test): `feasible` / `cost` / `constant_feasible`
re-check a direct mechanism or a constant allocation against (IC), (SQ), (MC) with plain Fractions,
read straight from the certificate's subject JSON; `program_json` / `constant_json` write program
(1) and the constant program again from the paper's formulas, and the generic LP certificate
checker (`verified.recheck.lp.Program`, tested on its own) verifies the library's certificates
against them. The examples' values are derived by hand next to each test:

* theorem1_bic_improves: sigma = (1, 1) each, pi_A = (1, 2), pi_B = (2, 1), types (1, 2), (2, 1)
  uniform. Status quo 3 + 3 = 6. The best bilateral (OSP) trade gains 3/4 (tests/trading/
  test_theorem1.py, by hand), so program (1)'s optimum is <= 21/4 < 6. For constant mechanisms
  (SQ) at both types and (MC) force m_A . (1, 2) = m_A . (2, 1) = 3 (the two agents' SQ rows sum to
  equalities), so m_A = (1, 1): the status quo is the only constant mechanism.
* theorem1_bic_identical: pi_A = pi_B = (1, 2): every (MC) mechanism costs 1 * 2 + 2 * 2 = 6.
* theorem1_bic_all_constant: the improving example with the single type (1, 1) for both and
  beta = 2: one profile, so every mechanism is constant. No (MC) mechanism costs less than
  sum_i min_j pi_j(i) n^i = 2 + 2 = 4, and A: (2, 0), B: (0, 2) meets (SQ) ((1, 1) . (2, 0) = 2 <=
  2 * 2): optimum 4 < 6.
* ONE_TASK (in memory: the file schema asks for two tasks, the loader takes one): A's type 1 or 2,
  B's type 1, sigma = 1 each, pi = (1, 2), beta = (2, 1). B's report is fixed, so A's (IC)
  c m_A(t) <= c m_A(t') for both orders gives m_A(0) = m_A(1); (MC) gives m_B = 2 - m_A: every
  mechanism is constant, proven by 4 pinned LPs (profile 1, two agents, max and min). Cost
  4 - m_A >= 2, and m_A = 2 meets A's (SQ) at beta 2 (2 c <= 2 c) and B's (0 <= 1): optimum 2 < 3.
* theorem1_bic_optimal: the corners of [1, 2]^2 for both, beta = 1. (SQ) at the four corners of
  one agent plus (MC) leave only sigma among constant allocations (Corollary 1; for (1,1), (2,2)
  the two agents' rows sum to equalities, so m_A . (1, 1) = 2 and m_A . (2, 2) = 4, and (1, 2),
  (2, 1) likewise give m_A . (1, 2) = m_A . (2, 1) = 3, so m_A = (1, 1)): the constant optimum is 6.
* theorem1_bic_constant_optimal: the improving example with beta = 2: no (MC) mechanism costs less
  than 4 (as above), and the constant A: (2, 0), B: (0, 2) meets (SQ) at beta 2 (A: (1, 2) . (2, 0)
  = 2 and (2, 1) . (2, 0) = 4, both <= 2 * 3; B alike): a constant mechanism attains the optimum 4.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
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
from verified.io.trading import parse_trading
from verified.lp.result import LPResult
from verified.recheck import RecheckError, recheck
from verified.recheck.core import sha256
from verified.recheck.lp import Program
from verified.registry import run_check, subject_for
from verified.trading import theorem1, theorem1_certify

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
IMPROVES, OPTIMAL = "choice-improves-bic", "choice-optimal-bic"
CASES = {  # example file -> (property, verdict, evidence kind)
    "theorem1_bic_improves.toml": (IMPROVES, "holds", "bic_improvement"),
    "theorem1_bic_identical.toml": (IMPROVES, "fails", "bic_no_improvement"),
    "theorem1_bic_all_constant.toml": (IMPROVES, "fails", "bic_all_constant"),
    "theorem1_bic_optimal.toml": (OPTIMAL, "holds", "bic_choice_optimal"),
    "theorem1_bic_constant_optimal.toml": (OPTIMAL, "fails", "bic_constant_optimal"),
    "one_task": (IMPROVES, "fails", "bic_all_constant"),  # `ONE_TASK`, in memory
}
ONE_TASK = {
    "format": "verified/trading/3",
    "tasks": ["x"],
    "agents": [
        {"name": "A", "endowment": [1], "performance": [1], "types": [[1], [2]], "beta": 2},
        {"name": "B", "endowment": [1], "performance": [2], "types": [[1]], "beta": 1},
    ],
}


def subject_named(name: str) -> Any:
    return parse_trading(ONE_TASK, source="one_task") if name == "one_task" else load_subject(EXAMPLES / name)


def certificate_of(subject: Any, prop: str) -> dict:
    result = run_check(prop, subject)
    return json.loads(json.dumps(build_certificate(prop, result, subject_for(prop, subject))))


@pytest.fixture(scope="module")
def docs() -> dict[str, dict]:
    return {name: certificate_of(subject_named(name), prop) for name, (prop, _, _) in CASES.items()}


# --- independent computations from the subject JSON -------------------------------------------------


def q(x: Any) -> F:
    return F(x)


def profiles(enc: dict) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(len(a["types"])) for a in enc["agents"])))


def weight(enc: dict, prof: tuple[int, ...], skip: int | None = None) -> F:
    out = F(1)
    for j, t in enumerate(prof):
        if j != skip:
            out *= q(enc["agents"][j]["probabilities"][t])
    return out


def dot(a: Any, b: Any) -> F:
    return sum((q(x) * q(y) for x, y in zip(a, b, strict=True)), F(0))


def supplies(enc: dict) -> list[F]:
    return [sum((q(a["status_quo"][i]) for a in enc["agents"]), F(0)) for i in range(len(enc["tasks"]))]


def interim(enc: dict, mech: list, j: int, report: int, c: Any) -> F:
    """c . E_-j[m_j(. | report)]: the sum over profiles where j reports ``report``."""
    return sum(
        (
            weight(enc, prof, j) * dot(c, mech[p][j])
            for p, prof in enumerate(profiles(enc))
            if prof[j] == report
        ),
        F(0),
    )


def feasible(enc: dict, mech: list) -> bool:
    """(MC), m >= 0, (SQ) with beta_j and (IC), by summing over the profiles."""
    n = supplies(enc)
    if len(mech) != len(profiles(enc)):
        return False
    for alloc in mech:
        for i in range(len(n)):
            if any(q(m[i]) < 0 for m in alloc) or sum((q(m[i]) for m in alloc), F(0)) != n[i]:
                return False
    for j, a in enumerate(enc["agents"]):
        for t, c in enumerate(a["types"]):
            truthful = interim(enc, mech, j, t, c)
            if truthful > q(a["beta"]) * dot(c, a["status_quo"]):
                return False
            if any(truthful > interim(enc, mech, j, t2, c) for t2 in range(len(a["types"]))):
                return False
    return True


def cost(enc: dict, mech: list) -> F:
    return sum(
        (
            weight(enc, prof) * dot(a["performance"], mech[p][j])
            for p, prof in enumerate(profiles(enc))
            for j, a in enumerate(enc["agents"])
        ),
        F(0),
    )


def constant_feasible(enc: dict, alloc: list) -> bool:
    n = supplies(enc)
    if any(q(x) < 0 for m in alloc for x in m):
        return False
    if [sum((q(m[i]) for m in alloc), F(0)) for i in range(len(n))] != n:
        return False
    return all(
        dot(c, alloc[j]) <= q(a["beta"]) * dot(c, a["status_quo"])
        for j, a in enumerate(enc["agents"])
        for c in a["types"]
    )


def status_quo_cost(enc: dict) -> F:
    return sum((dot(a["performance"], a["status_quo"]) for a in enc["agents"]), F(0))


def program_json(enc: dict, objective: dict | None = None, sense: str = "min") -> Program:
    """Program (1) written again from the paper (names m[p][j][i], MC[p][i], SQ[j][t], IC[j][t][t'])."""
    profs = profiles(enc)
    agents, n = enc["agents"], len(enc["tasks"])
    names = [f"m[{p}][{j}][{i}]" for p in range(len(profs)) for j in range(len(agents)) for i in range(n)]
    rows = []
    for p in range(len(profs)):
        for i in range(n):
            rows.append(
                {
                    "name": f"MC[{p}][{i}]",
                    "coefficients": {f"m[{p}][{j}][{i}]": "1" for j in range(len(agents))},
                    "sense": "==",
                    "rhs": str(supplies(enc)[i]),
                }
            )

    def coefficients(j: int, report: int, c: Any) -> dict[str, F]:
        out: dict[str, F] = {}
        for p, prof in enumerate(profs):
            if prof[j] == report:
                for i in range(n):
                    key = f"m[{p}][{j}][{i}]"
                    out[key] = out.get(key, F(0)) + weight(enc, prof, j) * q(c[i])
        return out

    for j, a in enumerate(agents):
        for t, c in enumerate(a["types"]):
            own = coefficients(j, t, c)
            bound = q(a["beta"]) * dot(c, a["status_quo"])
            rows.append(
                {
                    "name": f"SQ[{j}][{t}]",
                    "coefficients": {k: str(v) for k, v in own.items()},
                    "sense": "<=",
                    "rhs": str(bound),
                }
            )
            for t2 in range(len(a["types"])):
                if t2 != t:
                    diff = dict(own)
                    for k, v in coefficients(j, t2, c).items():
                        diff[k] = diff.get(k, F(0)) - v
                    rows.append(
                        {
                            "name": f"IC[{j}][{t}][{t2}]",
                            "coefficients": {k: str(v) for k, v in diff.items()},
                            "sense": "<=",
                            "rhs": "0",
                        }
                    )
    if objective is None:
        objective = {
            f"m[{p}][{j}][{i}]": str(weight(enc, prof) * q(a["performance"][i]))
            for p, prof in enumerate(profs)
            for j, a in enumerate(agents)
            for i in range(n)
        }
    return Program({"variables": names, "constraints": rows, "objective": objective, "sense": sense})


def constant_json(enc: dict) -> Program:
    agents, n = enc["agents"], len(enc["tasks"])
    names = [f"m[{j}][{i}]" for j in range(len(agents)) for i in range(n)]
    rows = [
        {
            "name": f"MC[{i}]",
            "coefficients": {f"m[{j}][{i}]": "1" for j in range(len(agents))},
            "sense": "==",
            "rhs": str(supplies(enc)[i]),
        }
        for i in range(n)
    ]
    for j, a in enumerate(agents):
        for t, c in enumerate(a["types"]):
            rows.append(
                {
                    "name": f"SQ[{j}][{t}]",
                    "coefficients": {f"m[{j}][{i}]": str(c[i]) for i in range(n)},
                    "sense": "<=",
                    "rhs": str(q(a["beta"]) * dot(c, a["status_quo"])),
                }
            )
    objective = {f"m[{j}][{i}]": a["performance"][i] for j, a in enumerate(agents) for i in range(n)}
    return Program({"variables": names, "constraints": rows, "objective": objective, "sense": "min"})


def independently_sound(doc: dict) -> None:
    """Every claim of a certificate, re-derived with the functions above."""
    enc, ev = doc["subject"]["encoding"], doc["evidence"]
    assert ev["profiles"] == [list(p) for p in profiles(enc)]
    assert q(ev["status_quo_cost"]) == status_quo_cost(enc)
    optimum = program_json(enc).check_certificate(ev["lp"], "optimal")
    assert optimum == q(ev["optimum"])
    kind = ev["kind"]
    if kind in ("bic_improvement", "bic_choice_optimal"):
        mech = ev["mechanism"]
        assert feasible(enc, mech) and cost(enc, mech) == q(ev["cost"])
        assert any(alloc != mech[0] for alloc in mech)  # non-constant (also implied for (iv))
        if kind == "bic_improvement":
            assert cost(enc, mech) < status_quo_cost(enc)
        else:
            assert cost(enc, mech) == optimum
            assert constant_json(enc).check_certificate(ev["constant_lp"], "optimal") == q(
                ev["constant_optimum"]
            )
            assert q(ev["constant_optimum"]) > optimum
    elif kind == "bic_no_improvement":
        assert optimum >= status_quo_cost(enc)
    elif kind == "bic_all_constant":
        agents, n = len(enc["agents"]), len(enc["tasks"])
        wanted = [
            (p, j, i, s)
            for p in range(1, len(profiles(enc)))
            for j in range(agents)
            for i in range(n)
            for s in ("max", "min")
        ]
        assert [(c["profile"], c["agent"], c["task"], c["sense"]) for c in ev["certificates"]] == wanted
        for c in ev["certificates"]:
            p, j, i = c["profile"], c["agent"], c["task"]
            objective = {f"m[{p}][{j}][{i}]": "1", f"m[0][{j}][{i}]": "-1"}
            assert program_json(enc, objective, c["sense"]).check_certificate(c["lp"], "optimal") == 0
    else:
        assert kind == "bic_constant_optimal"
        alloc = ev["allocation"]
        assert constant_feasible(enc, alloc)
        value = sum((dot(a["performance"], alloc[j]) for j, a in enumerate(enc["agents"])), F(0))
        assert value == q(ev["cost"]) == optimum == q(ev["constant_optimum"])
        assert constant_json(enc).check_certificate(ev["constant_lp"], "optimal") == value


# --- the examples -----------------------------------------------------------------------------------


def test_every_example_gives_its_verdict_and_rechecks(docs: dict[str, dict]) -> None:
    for name, (prop, verdict, kind) in CASES.items():
        doc = docs[name]
        assert (doc["property"], doc["verdict"], doc["evidence"]["kind"]) == (prop, verdict, kind), name
        assert "re-verified" in recheck(doc)
        independently_sound(doc)
        assert len(json.dumps(doc)) < 300_000


def test_the_subject_holds_what_program_1_depends_on(docs: dict[str, dict]) -> None:
    enc = docs["theorem1_bic_improves.toml"]["subject"]["encoding"]
    agent = {
        "status_quo": ["1", "1"],
        "types": [["1", "2"], ["2", "1"]],
        "probabilities": ["1/2", "1/2"],
        "beta": "1",
    }
    assert enc == {
        "family": "trading",
        "kind": "bic_economy",
        "tasks": ["x", "y"],
        "agents": [
            {"name": "A", "performance": ["1", "2"], **agent},
            {"name": "B", "performance": ["2", "1"], **agent},
        ],
    }


def test_improvement_by_hand(docs: dict[str, dict]) -> None:
    ev = docs["theorem1_bic_improves.toml"]["evidence"]
    assert q(ev["status_quo_cost"]) == 6
    assert q(ev["optimum"]) <= F(21, 4)  # never above the best bilateral (OSP) mechanism: 6 - 3/4
    assert q(ev["cost"]) < 6


def test_identical_performance_by_hand(docs: dict[str, dict]) -> None:
    ev = docs["theorem1_bic_identical.toml"]["evidence"]
    assert q(ev["optimum"]) == 6 == q(ev["status_quo_cost"])


def test_degenerate_types_by_hand(docs: dict[str, dict]) -> None:
    ev = docs["theorem1_bic_all_constant.toml"]["evidence"]
    assert ev["profiles"] == [[0, 0]] and ev["certificates"] == []  # one profile: nothing to pin
    assert q(ev["optimum"]) == 4 and q(ev["status_quo_cost"]) == 6


def test_one_task_all_constant_by_hand(docs: dict[str, dict]) -> None:
    doc = docs["one_task"]
    ev, enc = doc["evidence"], doc["subject"]["encoding"]
    assert q(ev["optimum"]) == 2 and q(ev["status_quo_cost"]) == 3
    assert len(ev["certificates"]) == 4  # profile 1, agents A and B, one task, max and min
    # the hand argument: any m_A(0) != m_A(1) breaks A's (IC); a constant m_A is feasible iff B's (SQ)
    # 2 - m_A <= 1 and A's (SQ) m_A <= 2 (beta_A = 2) hold: m_A in [1, 2]
    for a0, a1 in itertools.product([F(k, 2) for k in range(5)], repeat=2):
        mech = [[[a0], [2 - a0]], [[a1], [2 - a1]]]
        assert feasible(enc, mech) == (a0 == a1 and 1 <= a0 <= 2)


def test_choice_optimal_by_hand(docs: dict[str, dict]) -> None:
    doc = docs["theorem1_bic_optimal.toml"]
    ev, enc = doc["evidence"], doc["subject"]["encoding"]
    assert q(ev["constant_optimum"]) == 6 == q(ev["status_quo_cost"])
    assert q(ev["optimum"]) < 6
    # Corollary 1 on a grid: the status quo is the only constant allocation meeting (SQ) and (MC)
    grid = [F(k, 4) for k in range(9)]
    found = [
        (x, y)
        for x, y in itertools.product(grid, repeat=2)
        if constant_feasible(enc, [[x, y], [2 - x, 2 - y]])
    ]
    assert found == [(1, 1)]


def test_constant_optimal_by_hand(docs: dict[str, dict]) -> None:
    doc = docs["theorem1_bic_constant_optimal.toml"]
    ev, enc = doc["evidence"], doc["subject"]["encoding"]
    assert ev["allocation"] == [["2", "0"], ["0", "2"]]
    assert q(ev["cost"]) == 4 == q(ev["optimum"]) == q(ev["constant_optimum"])
    assert q(ev["status_quo_cost"]) == 6
    # on a grid of constant allocations the cheapest feasible one costs 4 as well
    grid = [F(k, 4) for k in range(9)]
    costs = [
        x + 2 * y + 2 * (2 - x) + (2 - y)
        for x, y in itertools.product(grid, repeat=2)
        if constant_feasible(enc, [[x, y], [2 - x, 2 - y]])
    ]
    assert min(costs) == 4


def test_the_improving_example_also_has_choice_optimal() -> None:
    # the status quo is the only constant mechanism there (module docstring), so the constant optimum
    # is 6 > program (1)'s optimum <= 21/4: (iv) holds although Theorem 1 does not apply (dimension 1)
    doc = certificate_of(load_subject(EXAMPLES / "theorem1_bic_improves.toml"), OPTIMAL)
    assert doc["verdict"] == "holds" and q(doc["evidence"]["constant_optimum"]) == 6
    independently_sound(doc)
    recheck(doc)


def test_status_quo_other_than_the_endowment() -> None:
    # endowments (2, 0) and (0, 2) with status quo (1, 1) each: program (1) is the improving example's
    base = (EXAMPLES / "theorem1_bic_improves.toml").read_text()
    text = base.replace("endowment = [1, 1]\n", "endowment = [2, 0]\nstatus_quo = [1, 1]\n", 1)
    text = text.replace("endowment = [1, 1]\n", "endowment = [0, 2]\nstatus_quo = [1, 1]\n", 1)
    subject = parse_trading(__import__("tomllib").loads(text), source="moved.toml")
    original = load_subject(EXAMPLES / "theorem1_bic_improves.toml")
    assert subject_for(IMPROVES, subject) == subject_for(IMPROVES, original)
    # a status quo that does not clear the market is refused, naming the file and the place
    bad = text.replace("status_quo = [1, 1]", "status_quo = [2, 1]", 1)
    with pytest.raises(InvalidInput, match=r"moved\.toml: agents\[\*\]\.status_quo"):
        run_check(IMPROVES, parse_trading(__import__("tomllib").loads(bad), source="moved.toml"))
    negative = text.replace("status_quo = [1, 1]", "status_quo = [-1, 1]", 1).replace(
        "status_quo = [1, 1]", "status_quo = [3, 1]", 1
    )
    with pytest.raises(InvalidInput, match=r"agents\[0\]\.status_quo\[0\]"):
        run_check(OPTIMAL, parse_trading(__import__("tomllib").loads(negative), source="moved.toml"))


def test_the_python_api_takes_a_finite_economy(docs: dict[str, dict]) -> None:
    from verified.trading.bic import FiniteEconomy

    types = [(1, 2), (2, 1)]
    fe = FiniteEconomy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [2, 1]], [types, types])
    assert theorem1_certify.subject_of(fe) == docs["theorem1_bic_improves.toml"]["subject"]["encoding"]
    assert (
        theorem1_certify.check_choice_improves_bic(fe).evidence
        == docs["theorem1_bic_improves.toml"]["evidence"]
    )


def test_refused_without_types_or_past_the_size_limit() -> None:
    with pytest.raises(InvalidInput, match=r"agents\[0\]\.types"):
        run_check(IMPROVES, load_subject(EXAMPLES / "identical_performance.toml"))
    text = (EXAMPLES / "theorem1_bic_improves.toml").read_text()
    big = "[" + ", ".join(f"[{a}, {b}]" for a in range(1, 12) for b in range(1, 12)) + "]"
    subject = parse_trading(
        __import__("tomllib").loads(text.replace("[[1, 2], [2, 1]]", big)), source="big.toml"
    )
    for prop in (IMPROVES, OPTIMAL):
        with pytest.raises(InvalidInput, match=r"big\.toml: agents\[\*\]\.types: .*limits"):
            run_check(prop, subject)


def test_an_lp_without_a_verdict_gives_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def undecided(*args: Any, **kwargs: Any) -> LPResult:
        return LPResult("unknown", reason="time limit")

    monkeypatch.setattr(theorem1, "solve_exact", undecided)
    monkeypatch.setattr(theorem1_certify, "solve_exact", undecided)
    subject = load_subject(EXAMPLES / "theorem1_bic_improves.toml")
    for prop in (IMPROVES, OPTIMAL):
        result = run_check(prop, subject)
        assert result.unknown and "time limit" in (result.reason or "")


def test_an_all_constant_certificate_past_the_checker_bound_gives_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import verified.recheck.trading_bic as checker

    subject = subject_named("one_task")
    monkeypatch.setattr(checker, "MAX_WORK", 10)
    result = run_check(IMPROVES, subject)
    assert result.unknown and "work bound" in (result.reason or "")


def test_explain_puts_each_kind_into_words(docs: dict[str, dict]) -> None:
    words = {
        "theorem1_bic_improves.toml": "choice improves upon the status quo",
        "theorem1_bic_identical.toml": "choice cannot improve",
        "theorem1_bic_all_constant.toml": "there is a single type profile",
        "one_task": "4 exact LP(s) pin every",
        "theorem1_bic_optimal.toml": "the best constant mechanism costs 6 >",
        "theorem1_bic_constant_optimal.toml": "The constant allocation (2, 0); (0, 2)",
    }
    for name, phrase in words.items():
        text = explain(docs[name])
        assert text.startswith(f"{CASES[name][0]}: {CASES[name][1].upper()}") and phrase in text, text


# --- the command line -------------------------------------------------------------------------------


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "verified", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_cli_check_writes_certificates_that_recheck(tmp_path: Path) -> None:
    for name, (prop, verdict, _) in CASES.items():
        if name == "one_task":
            continue
        out = cli("check", str(EXAMPLES / name), "--property", prop, "--certificate-dir", str(tmp_path))
        assert out.returncode == (0 if verdict == "holds" else 1), out.stdout + out.stderr
    files = sorted(tmp_path.glob("*.cert.json"))
    assert len(files) == len(CASES) - 1
    again = cli("recheck", *map(str, files))
    assert again.returncode == 0, again.stdout + again.stderr
    for k, path in enumerate(files):  # forged: the verdict flipped
        doc = json.loads(path.read_text())
        doc["verdict"] = "fails" if doc["verdict"] == "holds" else "holds"
        forged = tmp_path / f"forged{k}.json"
        forged.write_text(json.dumps(doc))
        out = cli("recheck", str(forged))
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stdout + out.stderr


BAD_FILES = {  # name -> (edit of the improving example, the place the message must name)
    "missing.toml": (("types = [[1, 2], [2, 1]]\n\n[[agents]]", "\n[[agents]]"), "agents[0].types"),
    "beta.toml": (("performance = [2, 1]\n", 'performance = [2, 1]\nbeta = "1/2"\n'), "beta"),
    "float.toml": (("performance = [1, 2]", "performance = [1.5, 2]"), "agents[0].performance[0]"),
    "outside.toml": (
        (
            "performance = [2, 1]\n",
            'performance = [2, 1]\ncosts = { kind = "box", lo = [1, 1], hi = [2, 1] }\n',
        ),
        "agents[1].types[0]",
    ),
    "notypes.toml": (("types = [[1, 2], [2, 1]]\n", ""), "agents[0].types"),
    "clearing.toml": (("endowment = [1, 1]\n", "endowment = [1, 1]\nstatus_quo = [2, 1]\n"), "status_quo"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_cli_refuses_bad_files_naming_the_place(name: str, tmp_path: Path) -> None:
    (old, new), place = BAD_FILES[name]
    text = (EXAMPLES / "theorem1_bic_improves.toml").read_text()
    assert old in text
    if name == "beta.toml":  # beta for every agent, the second one below 1
        text = text.replace("performance = [1, 2]\n", "performance = [1, 2]\nbeta = 1\n")
    (tmp_path / name).write_text(text.replace(old, new))
    for prop in (IMPROVES, OPTIMAL):
        out = cli("check", name, "--property", prop, cwd=tmp_path)
        message = out.stdout + out.stderr
        assert out.returncode == 2 and "Traceback" not in message, message
        assert name in message and place in message, message


def test_cli_refuses_an_assignment_file() -> None:
    out = cli("check", str(EXAMPLES / "rp_4x3.toml"), "--property", IMPROVES)
    assert out.returncode == 2 and "Traceback" not in out.stderr


# --- forgeries --------------------------------------------------------------------------------------


def rehashed(doc: dict) -> dict:
    doc["subject"]["sha256"] = sha256(doc["subject"]["encoding"])
    return doc


def mutants(doc: dict) -> Iterator[tuple[str, dict]]:
    yield "verdict", replaced(doc, ("verdict",), "fails" if doc["verdict"] == "holds" else "holds")
    for prop in (IMPROVES, OPTIMAL, "large-market-improves", "status-quo-unique", "polarized"):
        if prop != doc["property"]:
            yield f"property={prop}", replaced(doc, ("property",), prop)
    for root in (("evidence",), ("subject", "encoding")):
        node: Any = doc
        for key in root:
            node = node[key]
        for path, value in walk(node, root):
            if path == ("subject", "encoding", "family"):
                continue
            for v in variants(value):
                m = replaced(doc, path, v)
                yield (
                    "/".join(map(str, path)) + f" -> {json.dumps(v)[:30]}",
                    rehashed(m) if root[0] == "subject" else m,
                )


SAMPLE = 1200  # mutants per certificate (seeded; the verdict flip always): every one when there are fewer


def file_document(enc: dict) -> dict:
    """The format /3 file whose subject is ``enc`` (the status quo written as the endowment)."""
    keys = ("name", "performance", "types", "probabilities", "beta")
    agents = [{"endowment": a["status_quo"], **{k: a[k] for k in keys}} for a in enc["agents"]]
    return {"format": "verified/trading/3", "tasks": enc["tasks"], "agents": agents}


def claim_is_true(doc: dict) -> bool:
    """The mutated subject is one the library builds (and encodes back exactly), and the library's
    check of the mutated property on it reaches the mutated verdict."""
    enc = doc["subject"]["encoding"]
    try:
        subject = parse_trading(file_document(enc))
        if subject_for(doc["property"], subject) != enc:
            return False
        return run_check(doc["property"], subject).verdict.value == doc["verdict"]
    except (InvalidInput, TypeError, ValueError, KeyError, AttributeError, IndexError):
        return False


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_accepted_mutant_has_a_true_claim(name: str, docs: dict[str, dict]) -> None:
    doc = docs[name]
    every = list(mutants(doc))
    chosen = every if len(every) <= SAMPLE else [every[0], *random.Random(name).sample(every[1:], SAMPLE)]
    count, accepted, wrong = 0, 0, []
    for label, mutant in chosen:
        count += 1
        try:
            recheck(mutant)
        except RecheckError:
            continue
        accepted += 1
        if not claim_is_true(mutant):
            wrong.append(label)
    assert count > 100
    assert not wrong, wrong[:10]


def test_targeted_forgeries_are_rejected(docs: dict[str, dict]) -> None:
    def rejected(doc: dict) -> bool:
        try:
            recheck(doc)
        except RecheckError:
            return True
        return False

    improves = docs["theorem1_bic_improves.toml"]
    # a constant mechanism (the status quo at every profile) as the witness: feasible, but constant
    sigma = [[["1", "1"], ["1", "1"]]] * 4
    assert rejected(replaced(improves, ("evidence", "mechanism"), sigma))
    # a witness moving a load between agents at one profile breaks (IC) or (SQ)
    mech = copy.deepcopy(improves["evidence"]["mechanism"])
    mech[0] = [["2", "0"], ["0", "2"]]
    if not feasible(improves["subject"]["encoding"], mech):
        assert rejected(replaced(improves, ("evidence", "mechanism"), mech))
    # a weaker program (beta raised) with its own valid certificate: the subject's hash catches the
    # edit, and re-hashed the certificate's dual no longer matches the re-derived program
    raised = replaced(improves, ("subject", "encoding", "agents", 0, "beta"), "2")
    assert rejected(raised)
    # the all-constant certificates: one dropped, two swapped, a sense renamed
    allc = docs["one_task"]
    certs = allc["evidence"]["certificates"]
    assert rejected(replaced(allc, ("evidence", "certificates"), certs[:-1]))
    assert rejected(replaced(allc, ("evidence", "certificates"), [certs[1], certs[0], *certs[2:]]))
    assert rejected(replaced(allc, ("evidence", "certificates", 0, "sense"), "min"))
    # (iv): the constant optimum lowered, the constant allocation made infeasible, the verdict flipped
    optimal = docs["theorem1_bic_optimal.toml"]
    assert rejected(replaced(optimal, ("evidence", "constant_optimum"), "4"))
    const = docs["theorem1_bic_constant_optimal.toml"]
    assert rejected(replaced(const, ("evidence", "allocation"), [["3", "0"], ["-1", "2"]]))
    assert rejected(replaced(const, ("evidence", "allocation"), [["1", "1"], ["1", "1"]]))  # sigma: costs 6
    assert rejected(replaced(const, ("verdict",), "holds"))
    # a choice-optimal-bic evidence under the other property, and vice versa
    assert rejected(replaced(optimal, ("property",), IMPROVES))
    assert rejected(replaced(improves, ("property",), OPTIMAL))


def test_a_hostile_subject_is_refused_before_any_work(docs: dict[str, dict]) -> None:
    # 1,000 types for each of two agents: a million profiles, far past the checker's limits; the
    # evidence is small, so only the bound stops the work
    doc = copy.deepcopy(docs["theorem1_bic_identical.toml"])
    for agent in doc["subject"]["encoding"]["agents"]:
        agent["types"] = [[str(k), "1"] for k in range(1000)]
        agent["probabilities"] = ["1/1000"] * 1000
    with pytest.raises(RecheckError, match="limit"):
        recheck(rehashed(doc))


# --- random small economies -------------------------------------------------------------------------


@st.composite
def economies(draw: st.DrawFn) -> dict:
    """A format /3 document: 1-2 tasks, 2 agents (sometimes 3 with one type each), 1-3 distinct
    types per agent with entries in 0..3, random positive probabilities, status quo 0..2,
    performance 0..3, beta in {1, 3/2, 2} (shared or per agent)."""
    n = draw(st.integers(1, 2))
    agents = []
    count = draw(st.integers(2, 3))
    for j in range(count):
        size = 1 if j == 2 else draw(st.integers(1, 3))
        cells = st.tuples(*[st.integers(0, 3)] * n)
        types = draw(st.lists(cells, min_size=size, max_size=size, unique=True))
        weights = [draw(st.integers(1, 3)) for _ in types]
        agents.append(
            {
                "name": f"a{j}",
                "endowment": [draw(st.integers(0, 2)) for _ in range(n)],
                "performance": [draw(st.integers(0, 3)) for _ in range(n)],
                "types": [list(t) for t in types],
                "probabilities": [str(F(w, sum(weights))) for w in weights],
                "beta": draw(st.sampled_from(["1", "3/2", "2"])),
            }
        )
    return {"format": "verified/trading/3", "tasks": [f"t{i}" for i in range(n)], "agents": agents}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(economies())
def test_random_economies_certificates_recheck(document: dict) -> None:
    subject = parse_trading(document)
    verdicts = {}
    for prop in (IMPROVES, OPTIMAL):
        doc = certificate_of(subject, prop)
        verdicts[prop] = doc["verdict"]
        if doc["verdict"] == "unknown":
            continue
        assert "re-verified" in recheck(doc)
        independently_sound(doc)
    # every optimum non-constant => an optimal mechanism is a non-constant improvement on sigma (a
    # feasible constant mechanism, so the constant optimum is <= its cost)
    if verdicts[OPTIMAL] == "holds":
        assert verdicts[IMPROVES] == "holds"
