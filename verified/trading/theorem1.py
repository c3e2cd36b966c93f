"""Theorem 1 (iii) and (iv) (Valenzuela-Stookey): the value of choice among all BIC mechanisms.

For finite type distributions (`verified.trading.bic.FiniteEconomy`) everything is an exact LP:

* (iii) *choice improves upon the status quo among BIC mechanisms*: some mechanism satisfying
  (IC), (SQ), (MC) is not constant in the profile and costs strictly less than sigma
  (`check_choice_improves_bic`). The feasible set P is a polytope and {m in P : cost < cost(sigma)}
  is relatively open in P, so such a mechanism exists iff the optimum of program (1) is below
  cost(sigma) and P holds some non-constant mechanism: an optimal m* that is non-constant is the
  witness; if m* is constant, the LPs max / min m_j(i|p) - m_j(i|p_0) look for a non-constant
  m' and (1 - t) m* + t m' (t small) is the witness; if every such LP is pinned at 0, P holds only
  constant mechanisms (their duals are the certificate).
* the best *bilateral trading mechanism* (an OSP trading mechanism, section 2.1) on the same
  economy (`best_bilateral`): agents j', j'' and a trade gamma; j' trades iff gamma . c <= 0,
  j'' iff gamma . c >= 0. For each pair of non-empty sets of accepting types (A', A'') one exact
  LP maximises -(pi_j' - pi_j'') . gamma subject to gamma . c <= 0 on A', >= 0 on A'' and
  sigma_j' + gamma >= 0, sigma_j'' - gamma >= 0; the expected gain is P(A') P(A'') times it. At
  the LP optimum the accepting sets can only grow, so the maximum over the finitely many patterns
  is the best gain, attained. Its direct mechanism is feasible in program (1), so the BIC optimum
  is never above it.
* (iv) *choice is optimal* (among BIC mechanisms): every optimum of program (1) is non-constant,
  i.e. the optimum over constant mechanisms (`verified.trading.bic.constant_program`) is strictly
  larger than the BIC optimum.

`check_theorem1_bic` computes condition i, ii (a bilateral improvement), iii and, when beta = 1
and the support has dimension I, iv, and reports whether the equivalences of Theorem 1 hold on
the economy (the hypotheses: one common support, a full-support status quo).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain, combinations
from typing import Any

from verified.errors import InvalidInput
from verified.lp import Constraint, LinearProgram, LPResult, solve_exact
from verified.results import CheckResult, fails, holds, unknown
from verified.trading.bic import (
    FiniteEconomy,
    as_primal,
    bic_program,
    constant_program,
    is_constant,
    mechanism_of,
    slack,
)
from verified.trading.model import Vector, dot
from verified.trading.sets import nullspace

ZERO, ONE = Fraction(0), Fraction(1)
IMPROVES = "choice_improves_bic"
THEOREM1 = "theorem1_bic"
MAX_SEARCH_LPS = 400
"""The most LPs the search for a non-constant feasible mechanism solves before answering UNKNOWN."""
MAX_PATTERNS = 1024
"""The most accepting-type patterns (one small LP each) `best_bilateral` solves; beyond, UNKNOWN."""

Mechanism = tuple[tuple[Vector, ...], ...]


def mechanism_cost(fe: FiniteEconomy, mechanism: Sequence[Sequence[Vector]]) -> Fraction:
    """E[sum_j pi_j . m_j(p)] exactly."""
    econ = fe.economy
    return sum(
        (
            fe.probability(prof) * econ.social_cost(alloc)
            for prof, alloc in zip(fe.profiles, mechanism, strict=True)
        ),
        ZERO,
    )


def _optimal(lp: LinearProgram, what: str, time_limit: float | None) -> LPResult | str:
    result = solve_exact(lp, time_limit=time_limit)
    if result.status != "optimal" or result.objective is None:
        return f"{what}: {result.reason or result.status}"
    return result


def _difference_program(base: LinearProgram, p: int, j: int, i: int, sense: str) -> LinearProgram:
    objective = {f"m[{p}][{j}][{i}]": ONE, f"m[0][{j}][{i}]": -ONE}
    return LinearProgram(base.variables, base.constraints, objective, sense)  # type: ignore[arg-type]


def _nonconstant(fe: FiniteEconomy, base: LinearProgram, time_limit: float | None) -> tuple[str, Any]:
    """("found", mechanism) | ("none", certificates) | ("unknown", reason)."""
    econ = fe.economy
    certificates = []
    count = 0
    for p in range(1, len(fe.profiles)):
        for j in range(econ.n_agents):
            for i in range(econ.n_tasks):
                for sense in ("max", "min"):
                    count += 1
                    if count > MAX_SEARCH_LPS:
                        return "unknown", f"more than {MAX_SEARCH_LPS} LPs to decide whether P is constant"
                    result = _optimal(_difference_program(base, p, j, i, sense), "difference LP", time_limit)
                    if isinstance(result, str):
                        return "unknown", result
                    if result.objective != 0:
                        return "found", mechanism_of(fe, result.primal)
                    certificates.append(
                        {"profile": p, "agent": j, "task": i, "sense": sense, "lp": result.to_evidence()}
                    )
    return "none", certificates


def check_choice_improves_bic(
    fe: FiniteEconomy, beta: object = None, *, time_limit: float | None = None
) -> CheckResult:
    """(iii) on one economy (module docstring).

    HOLDS (kind ``"bic_improvement"``): ``status_quo_cost``, ``optimum`` (program (1), with its
    LP certificate ``lp``), and ``mechanism``: a non-constant feasible direct mechanism (per
    profile, per agent, the loads) with ``cost`` < ``status_quo_cost``. FAILS: kind
    ``"bic_no_improvement"`` (the optimum is not below the status-quo cost: the dual proves it)
    or ``"bic_all_constant"`` (only constant mechanisms are feasible: ``certificates``)."""
    b = slack(fe, beta)
    base = bic_program(fe, b)
    v_sq = fe.status_quo_cost()
    result = _optimal(base, "program (1)", time_limit)
    if isinstance(result, str):
        return unknown(IMPROVES, result)
    assert result.objective is not None
    evidence: dict[str, Any] = {
        "status_quo_cost": v_sq,
        "optimum": result.objective,
        "profiles": [list(p) for p in fe.profiles],
        "lp": result.to_evidence(),
    }
    if result.objective >= v_sq:
        return fails(IMPROVES, {"kind": "bic_no_improvement", **evidence})
    best = mechanism_of(fe, result.primal)
    if not is_constant(best):
        witness = best
    else:
        status, payload = _nonconstant(fe, base, time_limit)
        if status == "unknown":
            return unknown(IMPROVES, payload)
        if status == "none":
            return fails(IMPROVES, {"kind": "bic_all_constant", **evidence, "certificates": payload})
        other: Mechanism = payload
        spread = abs(mechanism_cost(fe, other) - result.objective)
        t = Fraction(1, 2) if spread == 0 else min(Fraction(1, 2), (v_sq - result.objective) / (2 * spread))
        witness = tuple(
            tuple(
                tuple((1 - t) * a + t * x for a, x in zip(la, lx, strict=True))
                for la, lx in zip(alloc_a, alloc_x, strict=True)
            )
            for alloc_a, alloc_x in zip(best, other, strict=True)
        )
    cost = mechanism_cost(fe, witness)
    assert cost < v_sq and not is_constant(witness)
    from verified.lp.certificates import CertificateError, check_primal_feasible

    try:
        check_primal_feasible(base, as_primal(witness), "witness")
    except CertificateError as exc:  # pragma: no cover - a bug, never an answer
        raise AssertionError(f"internal error: the BIC witness is infeasible: {exc}") from None
    evidence.update(
        {"kind": "bic_improvement", "mechanism": [[list(m) for m in a] for a in witness], "cost": cost}
    )
    return holds(IMPROVES, evidence)


# --- the best bilateral trading mechanism -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BilateralBest:
    """The best bilateral trade: agents (prime, double_prime) (indices), trade ``gamma`` (to
    prime, from double_prime), the types that accept, and the exact expected ``gain`` (0 and no
    trade when nothing improves)."""

    gain: Fraction
    prime: int | None = None
    double_prime: int | None = None
    gamma: Vector = ()
    accept_prime: tuple[int, ...] = ()
    accept_double_prime: tuple[int, ...] = ()
    patterns: int = 0


def _subsets(n: int) -> list[tuple[int, ...]]:
    return [s for s in chain.from_iterable(combinations(range(n), r) for r in range(1, n + 1))]


def _pattern_program(
    fe: FiniteEconomy, a: int, b: int, acc_a: tuple[int, ...], acc_b: tuple[int, ...]
) -> LinearProgram:
    econ = fe.economy
    n = econ.n_tasks
    names = tuple(f"gamma[{i}]" for i in range(n))
    delta = tuple(x - y for x, y in zip(econ.performance[a], econ.performance[b], strict=True))
    rows = []
    for t in acc_a:
        c = fe.types[a].types[t]
        rows.append(Constraint({names[i]: c[i] for i in range(n)}, "<=", ZERO, f"accept_prime[{t}]"))
    for t in acc_b:
        c = fe.types[b].types[t]
        rows.append(Constraint({names[i]: c[i] for i in range(n)}, ">=", ZERO, f"accept_double_prime[{t}]"))
    for i in range(n):
        rows.append(Constraint({names[i]: ONE}, ">=", -econ.endowment[a][i], f"bundle_prime[{i}]"))
        rows.append(Constraint({names[i]: ONE}, "<=", econ.endowment[b][i], f"bundle_double_prime[{i}]"))
    objective = {names[i]: -delta[i] for i in range(n)}
    return LinearProgram(names, tuple(rows), objective, "max", {v: None for v in names})


def accepting(fe: FiniteEconomy, a: int, b: int, gamma: Vector) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The types of j' with gamma . c <= 0 and of j'' with gamma . c >= 0."""
    acc_a = tuple(t for t, c in enumerate(fe.types[a].types) if dot(gamma, c) <= 0)
    acc_b = tuple(t for t, c in enumerate(fe.types[b].types) if dot(gamma, c) >= 0)
    return acc_a, acc_b


def bilateral_gain(fe: FiniteEconomy, a: int, b: int, gamma: Vector) -> Fraction:
    """P(j' accepts) P(j'' accepts) (pi_j'' - pi_j') . gamma, exactly."""
    acc_a, acc_b = accepting(fe, a, b, gamma)
    pa = sum((fe.types[a].probabilities[t] for t in acc_a), ZERO)
    pb = sum((fe.types[b].probabilities[t] for t in acc_b), ZERO)
    delta = tuple(x - y for x, y in zip(fe.economy.performance[a], fe.economy.performance[b], strict=True))
    return -pa * pb * dot(delta, gamma)


def best_bilateral(
    fe: FiniteEconomy, *, time_limit: float | None = None, max_patterns: int = MAX_PATTERNS
) -> BilateralBest | str:
    """The best bilateral trading mechanism (module docstring), or the reason it is unknown
    (sum over pairs of agents of (2^|S_j'| - 1)(2^|S_j''| - 1) patterns, at most ``max_patterns``)."""
    total = sum(
        (2 ** fe.types[a].size - 1) * (2 ** fe.types[b].size - 1)
        for a, b in combinations(range(fe.economy.n_agents), 2)
    )
    if total > max_patterns:
        return f"{total} accepting-type patterns exceed the limit {max_patterns}"
    best = BilateralBest(ZERO)
    patterns = 0
    for a, b in combinations(range(fe.economy.n_agents), 2):
        for acc_a in _subsets(fe.types[a].size):
            for acc_b in _subsets(fe.types[b].size):
                patterns += 1
                result = _optimal(_pattern_program(fe, a, b, acc_a, acc_b), "bilateral LP", time_limit)
                if isinstance(result, str):
                    return result
                assert result.objective is not None
                pa = sum((fe.types[a].probabilities[t] for t in acc_a), ZERO)
                pb = sum((fe.types[b].probabilities[t] for t in acc_b), ZERO)
                if pa * pb * result.objective > best.gain:
                    gamma = tuple(result.primal.get(f"gamma[{i}]", ZERO) for i in range(fe.economy.n_tasks))
                    gain = bilateral_gain(fe, a, b, gamma)
                    assert gain >= pa * pb * result.objective
                    best = BilateralBest(gain, a, b, gamma, *accepting(fe, a, b, gamma))
    return BilateralBest(
        best.gain,
        best.prime,
        best.double_prime,
        best.gamma,
        best.accept_prime,
        best.accept_double_prime,
        patterns,
    )


def bilateral_mechanism(fe: FiniteEconomy, best: BilateralBest) -> Mechanism:
    """The direct mechanism of a bilateral trade: sigma, except that at profiles where both accept,
    j' gets sigma_j' + gamma and j'' gets sigma_j'' - gamma."""
    econ = fe.economy
    out = []
    for prof in fe.profiles:
        alloc = list(econ.endowment)
        if best.prime is not None and best.double_prime is not None:
            if prof[best.prime] in best.accept_prime and prof[best.double_prime] in best.accept_double_prime:
                a, b = best.prime, best.double_prime
                alloc[a] = tuple(x + g for x, g in zip(alloc[a], best.gamma, strict=True))
                alloc[b] = tuple(x - g for x, g in zip(alloc[b], best.gamma, strict=True))
        out.append(tuple(alloc))
    return tuple(out)


# --- (ii): a bilateral trade satisfying Lemma 2 on the finite supports ----------------------------------


def _lemma2_program(fe: FiniteEconomy, a: int, b: int, low: Vector, high: Vector) -> LinearProgram:
    """low . gamma <= -1, high . gamma >= 1, delta . gamma <= -1, gamma_i >= 0 where sigma_j'(i) = 0,
    gamma_i <= 0 where sigma_j''(i) = 0 (all homogeneous: a solution scales into Lemma 2 (i))."""
    econ = fe.economy
    n = econ.n_tasks
    names = tuple(f"gamma[{i}]" for i in range(n))
    delta = tuple(x - y for x, y in zip(econ.performance[a], econ.performance[b], strict=True))

    def row(v: Vector) -> dict[str, Fraction]:
        return {names[i]: v[i] for i in range(n)}

    rows = [
        Constraint(row(low), "<=", -ONE, "low"),
        Constraint(row(high), ">=", ONE, "high"),
        Constraint(row(delta), "<=", -ONE, "performance"),
    ]
    for i in range(n):
        if econ.endowment[a][i] == 0:
            rows.append(Constraint({names[i]: ONE}, ">=", ZERO, f"sign_prime[{i}]"))
        if econ.endowment[b][i] == 0:
            rows.append(Constraint({names[i]: ONE}, "<=", ZERO, f"sign_double_prime[{i}]"))
    return LinearProgram(names, tuple(rows), {}, "min", {v: None for v in names})


def lemma2_trade(fe: FiniteEconomy, *, time_limit: float | None = None) -> tuple[str, Any]:
    """Lemma 2 with the supports as type sets: ("trade", (j', j'', gamma)) with gamma inside
    Lemma 2 (i), some type of j' strictly gaining (gamma . c < 0), some type of j'' strictly gaining
    (gamma . c > 0) and (pi_j' - pi_j'') . gamma < 0; or ("none", Farkas certificates, one per
    pair of agents and pair of types); or ("unknown", reason)."""
    econ = fe.economy
    certificates = []
    for a, b in combinations(range(econ.n_agents), 2):
        for t1, low in enumerate(fe.types[a].types):
            for t2, high in enumerate(fe.types[b].types):
                result = solve_exact(_lemma2_program(fe, a, b, low, high), time_limit=time_limit)
                if result.status == "optimal":
                    raw = tuple(result.primal.get(f"gamma[{i}]", ZERO) for i in range(econ.n_tasks))
                    scale = ONE
                    for i, g in enumerate(raw):
                        if g < 0:
                            scale = min(scale, econ.endowment[a][i] / -g)
                        elif g > 0:
                            scale = min(scale, econ.endowment[b][i] / g)
                    return "trade", (a, b, tuple(scale * g for g in raw))
                if result.status != "infeasible" or result.farkas is None:
                    return "unknown", f"Lemma 2 LP: {result.reason or result.status}"
                certificates.append({"agents": [a, b], "types": [t1, t2], "lp": result.to_evidence()})
    return "none", certificates


# --- Theorem 1 iii / iv on one economy ----------------------------------------------------------------


def _rank(vectors: Sequence[Vector], n: int) -> int:
    return n - len(nullspace([list(v) for v in vectors], n)) if vectors else 0


def support_shape(fe: FiniteEconomy) -> dict[str, Any]:
    """Common support (same type set for every agent), its size, rank (linear span), affine
    dimension, whether it is the corner set of a box (the finite analogue of the paper's "bounded
    hypercube"), and whether the status quo has full support."""
    econ = fe.economy
    first = set(fe.types[0].types)
    common = all(set(d.types) == first for d in fe.types)
    pts = list(fe.types[0].types)
    n = econ.n_tasks
    corners = set(fe.types[0].bounding_box().vertices())
    return {
        "common_support": common,
        "support_size": len(first),
        "support_rank": _rank(pts, n),
        "support_dimension": _rank(
            [tuple(x - y for x, y in zip(c, pts[0], strict=True)) for c in pts[1:]], n
        ),
        "box_support": first == corners,
        "full_support_status_quo": all(x > 0 for eta in econ.endowment for x in eta),
    }


def check_theorem1_bic(
    fe: FiniteEconomy, beta: object = None, *, time_limit: float | None = None
) -> CheckResult:
    """Theorem 1 (i) <=> (ii) <=> (iii), and (iv) when beta = 1 and the support has dimension I.

    Needs one common support and a full-support status quo (`InvalidInput` otherwise); reports
    whether the support is a box's corner set (the paper's hypercube). Condition i: performance
    is not identical and the support holds two linearly independent types (``condition_i``; as
    in `verified.trading.bilateral`); ``condition_i_literal`` (two distinct types) is reported
    too. (ii): a bilateral trade satisfying Lemma 2 on the supports (`lemma2_trade`). (iii):
    `check_choice_improves_bic`. (iv): the constant optimum exceeds the BIC optimum.

    Evidence (kind ``"theorem1_bic"``): the shape, the three conditions, ``best_bilateral`` (the
    best bilateral mechanism's gain, trade and accepting types: an OSP mechanism, so
    ``bic_optimum`` <= ``bilateral_cost``), ``iii`` (the full result) and, when it applies,
    ``iv``. HOLDS when every applicable equivalence holds; FAILS lists the broken ones."""
    shape = support_shape(fe)
    econ = fe.economy
    if not shape["common_support"]:
        raise InvalidInput("Theorem 1 needs one common support (the same types for every agent)", "types")
    if not shape["full_support_status_quo"]:
        raise InvalidInput("Theorem 1 needs a full-support status quo (sigma_j(i) > 0)", "status quo")
    b = slack(fe, beta)
    identical = all(p == econ.performance[0] for p in econ.performance)
    condition_i = shape["support_rank"] >= 2 and not identical
    status, trade = lemma2_trade(fe, time_limit=time_limit)
    if status == "unknown":
        return unknown(THEOREM1, trade)
    bil = best_bilateral(fe, time_limit=time_limit)
    iii = check_choice_improves_bic(fe, None, time_limit=time_limit)  # "for any beta" = at beta = 1
    at_beta = iii if all(x == 1 for x in b) else check_choice_improves_bic(fe, b, time_limit=time_limit)
    if iii.unknown or at_beta.unknown:
        return unknown(THEOREM1, iii.reason or at_beta.reason or "program (1) unknown")
    v_sq = fe.status_quo_cost()
    bic_value = Fraction(str(at_beta.evidence["optimum"]))
    evidence: dict[str, Any] = {
        "kind": "theorem1_bic",
        **shape,
        "beta": list(b),
        "identical_performance": identical,
        "condition_i": condition_i,
        "condition_i_literal": shape["support_size"] >= 2 and not identical,
        "ii": status == "trade",
        "lemma2": (
            {"agents": [econ.agents[trade[0]], econ.agents[trade[1]]], "gamma": list(trade[2])}
            if status == "trade"
            else {"certificates": trade}
        ),
        "iii": iii.holds,
        "choice_improves_bic": iii.to_json(),
        "iii_at_beta": at_beta.holds,
        "choice_improves_bic_at_beta": at_beta.to_json(),
        "status_quo_cost": v_sq,
        "bic_optimum": bic_value,
    }
    broken = []
    if isinstance(bil, str):
        evidence["best_bilateral"] = {"unknown": bil}
    else:
        evidence["best_bilateral"] = {
            "gain": bil.gain,
            "agents": None if bil.prime is None else [econ.agents[bil.prime], econ.agents[bil.double_prime]],  # type: ignore[index]
            "gamma": list(bil.gamma),
            "accept_prime": list(bil.accept_prime),
            "accept_double_prime": list(bil.accept_double_prime),
            "patterns": bil.patterns,
        }
        evidence["bilateral_cost"] = v_sq - bil.gain
        if bic_value > v_sq - bil.gain:
            broken.append("bic_optimum > bilateral_cost")
    if iii.holds and not at_beta.holds:
        broken.append("iii at beta = 1 but not at beta")
    if not condition_i == evidence["ii"] == iii.holds:
        broken.append("i, ii, iii disagree")
    if all(x == 1 for x in b) and shape["support_dimension"] == econ.n_tasks:
        const = _optimal(constant_program(fe, b), "constant program", time_limit)
        if isinstance(const, str):
            return unknown(THEOREM1, const)
        assert const.objective is not None
        iv = const.objective > bic_value
        evidence["iv"] = {
            "choice_optimal": iv,
            "constant_optimum": const.objective,
            "lp": const.to_evidence(),
        }
        if iv != iii.holds:
            broken.append("iv disagrees with iii")
    evidence["broken"] = broken
    return fails(THEOREM1, evidence) if broken else holds(THEOREM1, evidence)
