"""Lemma 1 and Corollary 1 (Valenzuela-Stookey, section 2.1): non-choice mechanisms under (SQ) and (MC).

A *non-choice* (constant) mechanism is one allocation m in Delta(Z), written as expected loads
m_j(i) >= 0. With slack parameters beta_j >= 1 it must satisfy

  (SQ)  sum_i c_j(i) m_j(i) <= beta_j sum_i c_j(i) sigma_j(i)   for every agent j and c_j in C_j,
  (MC)  sum_j m_j(i) = n^i                                         for every task i,

where sigma is the status quo (the economy's endowment). For a box C_j = prod_i [lo_j^i, hi_j^i]
the left-hand side of (SQ) minus the right is linear in c_j, so (SQ) holds iff it holds at the
worst vertex: c_j(i) = hi_j^i where d_j(i) = m_j(i) - beta_j sigma_j(i) > 0, lo_j^i otherwise.
For the orthants it holds iff d_j <= 0.

Lemma 1 (the C_j meet: c_hat^i <= min_j hi_j^i): with c_bar_j^i = hi_j^i and
c_hat^i = max_j lo_j^i, every m satisfying (SQ) and (MC) has

  sum_{i,j} (c_bar_j^i - c_hat^i) (m_j(i) - beta_j sigma_j(i))^+
      <=  sum_{i,j} c_hat^i (beta_j - 1) sigma_j(i).

Corollary 1: with beta = 1 and a common domain of dimension I (c_bar_j^i > c_hat^i for all i, j)
the status quo is the only such allocation.

`check_sq_mc` and `check_lemma1` check one allocation exactly. `largest_departure` solves, for
every agent j and task i, the exact LPs max m_j(i) and min m_j(i) over (SQ) and (MC) (written
with auxiliary variables t_j(i) >= lo_j^i d_j(i), t_j(i) >= hi_j^i d_j(i), sum_i t_j(i) <= 0 for
a box; d_j(i) <= 0 for an orthant), each with its exact dual certificate, and reports the
largest |m_j(i) - sigma_j(i)| and an allocation attaining it. `check_status_quo_unique` turns
it into a verdict (HOLDS: every LP is pinned at sigma, with the duals; FAILS: an allocation
m != sigma satisfying (SQ) and (MC)); `check_corollary1` compares it with the corollary's
prediction. `lemma1_subject` is the certificate subject the independent checker
(`verified.recheck.trading_lemma1`) re-derives every LP from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verified.errors import InvalidInput
from verified.lp import Constraint, LinearProgram, LPResult, solve_exact
from verified.numbers import to_fraction
from verified.results import CheckResult, fails, holds, unknown
from verified.trading.bilateral import extreme_type
from verified.trading.model import CostDomain, Economy, Vector, dot, vector

ZERO, ONE = Fraction(0), Fraction(1)
SQ_MC = "sq_mc"
LEMMA1 = "lemma1_bound"
UNIQUE = "status-quo-unique"
COROLLARY1 = "corollary1"


def slack_parameters(economy: Economy, beta: object = None) -> Vector:
    """beta_j per agent, exact and >= 1: None means 1 for all, one number is shared, else a
    sequence with one entry per agent."""
    if beta is None:
        return (ONE,) * economy.n_agents
    if isinstance(beta, (str, int, Fraction)) and not isinstance(beta, bool):
        values = (to_fraction(beta, "beta"),) * economy.n_agents
    else:
        values = vector(beta, "beta", economy.n_agents)  # type: ignore[arg-type]
    for j, b in enumerate(values):
        if b < 1:
            raise InvalidInput(
                f"a slack parameter must be >= 1, got {b}", f"beta of agent {economy.agents[j]!r}"
            )
    return values


def allocation_vectors(economy: Economy, allocation: Sequence[Sequence[object]]) -> tuple[Vector, ...]:
    """One exact load vector per agent (the shape is checked, the values are not)."""
    if isinstance(allocation, (str, bytes)) or not isinstance(allocation, Sequence):
        raise InvalidInput("expected one load vector per agent", "allocation")
    if len(allocation) != economy.n_agents:
        raise InvalidInput(f"expected {economy.n_agents} load vectors, got {len(allocation)}", "allocation")
    return tuple(
        vector(m, f"allocation of agent {a!r}", economy.n_tasks)
        for a, m in zip(economy.agents, allocation, strict=True)
    )


def _excess(economy: Economy, beta: Vector, m: Sequence[Vector], j: int) -> Vector:
    """d_j = m_j - beta_j sigma_j."""
    return tuple(x - beta[j] * s for x, s in zip(m[j], economy.endowment[j], strict=True))


def sq_violation(economy: Economy, beta: Vector, m: Sequence[Vector], j: int) -> dict[str, Any] | None:
    """None if agent j's (SQ) holds at m; else a type c in C_j with c . m_j > beta_j c . sigma_j."""
    d = _excess(economy, beta, m, j)
    value, c = extreme_type(economy.cost_domains[j], d, +1)
    if value is not None and value <= 0:
        return None
    return {
        "agent": economy.agents[j],
        "type": list(c),
        "load": dot(c, m[j]),
        "bound": beta[j] * dot(c, economy.endowment[j]),
    }


def check_sq_mc(economy: Economy, allocation: Sequence[Sequence[object]], beta: object = None) -> CheckResult:
    """Does the allocation (a non-choice mechanism) satisfy (SQ) with slack beta and (MC)?

    HOLDS evidence (kind ``"sq_mc"``): per agent the worst type of C_j and the slack
    beta_j c . sigma_j - c . m_j >= 0 there. FAILS (kind ``"sq_mc_violation"``): the negative or
    unbalanced tasks (MC) and, per violated agent, a type with c . m_j > beta_j c . sigma_j."""
    b = slack_parameters(economy, beta)
    m = allocation_vectors(economy, allocation)
    negative = [
        {"agent": economy.agents[j], "task": economy.tasks[i], "load": x}
        for j, mj in enumerate(m)
        for i, x in enumerate(mj)
        if x < 0
    ]
    unbalanced = [
        {"task": task, "assigned": sum((mj[i] for mj in m), ZERO), "supply": economy.supplies[i]}
        for i, task in enumerate(economy.tasks)
        if sum((mj[i] for mj in m), ZERO) != economy.supplies[i]
    ]
    violations = [v for j in range(economy.n_agents) if (v := sq_violation(economy, b, m, j)) is not None]
    if negative or unbalanced or violations:
        evidence = {
            "kind": "sq_mc_violation",
            "negative_loads": negative,
            "unbalanced_tasks": unbalanced,
            "sq_violations": violations,
        }
        return fails(SQ_MC, evidence)
    worst = []
    for j in range(economy.n_agents):
        value, c = extreme_type(economy.cost_domains[j], _excess(economy, b, m, j), +1)
        worst.append({"agent": economy.agents[j], "type": list(c), "slack": -(value or ZERO)})
    return holds(SQ_MC, {"kind": "sq_mc", "beta": list(b), "worst_types": worst})


# --- Lemma 1 ------------------------------------------------------------------------------------------


def _boxes(economy: Economy) -> tuple[CostDomain, ...]:
    for j, dom in enumerate(economy.cost_domains):
        if dom.kind != "box":
            raise InvalidInput(
                "Lemma 1 needs bounded cost domains (boxes)", f"cost domain of agent {economy.agents[j]!r}"
            )
    return economy.cost_domains


def common_floor(economy: Economy) -> Vector:
    """c_hat^i = max_j lo_j^i (boxes only)."""
    doms = _boxes(economy)
    return tuple(max(d.lo[i] for d in doms) for i in range(economy.n_tasks))  # type: ignore[index]


def common_domain(economy: Economy) -> tuple[Vector, Vector] | None:
    """The box intersection of the C_j as (lo, hi), or None when it is empty (boxes only)."""
    doms = _boxes(economy)
    lo = common_floor(economy)
    hi = tuple(min(d.hi[i] for d in doms) for i in range(economy.n_tasks))  # type: ignore[index]
    return None if any(a > b for a, b in zip(lo, hi, strict=True)) else (lo, hi)


def common_dimension(economy: Economy) -> int:
    """The dimension of the intersection of the boxes (-1 when it is empty)."""
    box = common_domain(economy)
    return -1 if box is None else sum(1 for a, b in zip(*box, strict=True) if a < b)


@dataclass(frozen=True, slots=True)
class Lemma1Terms:
    """Both sides of Lemma 1 at one allocation, and the type the proof evaluates (SQ) at."""

    lhs: Fraction
    rhs: Fraction
    c_hat: Vector
    proof_types: tuple[Vector, ...]


def lemma1_terms(economy: Economy, m: Sequence[Vector], beta: Vector) -> Lemma1Terms:
    """LHS = sum (c_bar_j^i - c_hat^i)(m_j(i) - beta_j sigma_j(i))^+, RHS = sum c_hat^i (beta_j - 1)
    sigma_j(i); the proof's type for agent j takes c_hat^i where m_j(i) < beta_j sigma_j(i) and
    c_bar_j^i elsewhere."""
    doms = _boxes(economy)
    c_hat = common_floor(economy)
    lhs = rhs = ZERO
    types = []
    for j, dom in enumerate(doms):
        d = _excess(economy, beta, m, j)
        assert dom.hi is not None
        lhs += sum(((h - ch) * max(x, ZERO) for h, ch, x in zip(dom.hi, c_hat, d, strict=True)), ZERO)
        rhs += sum((ch * (beta[j] - 1) * s for ch, s in zip(c_hat, economy.endowment[j], strict=True)), ZERO)
        types.append(tuple(ch if x < 0 else h for ch, h, x in zip(c_hat, dom.hi, d, strict=True)))
    return Lemma1Terms(lhs, rhs, c_hat, tuple(types))


def check_lemma1(
    economy: Economy, allocation: Sequence[Sequence[object]], beta: object = None
) -> CheckResult:
    """Lemma 1 at one allocation: if it satisfies (SQ) and (MC) (and the C_j meet), its bound holds.

    Evidence (kind ``"lemma1_bound"``): ``premise`` (the `check_sq_mc` result and whether the
    boxes meet), ``lhs``, ``rhs``, ``c_hat``, ``proof_types``. HOLDS when the premise fails
    (nothing is claimed then; ``applies`` is false) or the bound holds; FAILS only if an allocation
    satisfying the premise breaks the bound (a counterexample to the lemma)."""
    b = slack_parameters(economy, beta)
    m = allocation_vectors(economy, allocation)
    premise = check_sq_mc(economy, m, b)
    meets = common_domain(economy) is not None
    terms = lemma1_terms(economy, m, b)
    evidence = {
        "kind": "lemma1_bound",
        "beta": list(b),
        "allocation": [list(x) for x in m],
        "premise": premise.to_json(),
        "domains_meet": meets,
        "applies": premise.holds and meets,
        "lhs": terms.lhs,
        "rhs": terms.rhs,
        "c_hat": list(terms.c_hat),
        "proof_types": [list(c) for c in terms.proof_types],
    }
    broken = premise.holds and meets and terms.lhs > terms.rhs
    return fails(LEMMA1, evidence) if broken else holds(LEMMA1, evidence)


# --- the largest departure from the status quo: exact LPs --------------------------------------------


def _m(j: int, i: int) -> str:
    return f"m[{j}][{i}]"


def _t(j: int, i: int) -> str:
    return f"t[{j}][{i}]"


def sq_mc_program(
    economy: Economy, beta: Vector, objective: dict[str, Fraction], sense: str
) -> LinearProgram:
    """The polytope of allocations satisfying (SQ) and (MC), with the given objective (module
    docstring: rows ``MC[i]``, ``SQlo[j][i]``, ``SQhi[j][i]``, ``SQ[j]`` for boxes, ``SQsign[j][i]``
    for orthants; m >= 0, t free)."""
    n, agents = economy.n_tasks, economy.n_agents
    variables: list[str] = []
    lower: dict[str, Fraction | None] = {}
    rows: list[Constraint] = []
    for i in range(n):
        rows.append(Constraint({_m(j, i): ONE for j in range(agents)}, "==", economy.supplies[i], f"MC[{i}]"))
    for j, dom in enumerate(economy.cost_domains):
        sigma = economy.endowment[j]
        variables.extend(_m(j, i) for i in range(n))
        if dom.kind != "box":
            for i in range(n):
                rows.append(Constraint({_m(j, i): ONE}, "<=", beta[j] * sigma[i], f"SQsign[{j}][{i}]"))
            continue
        assert dom.lo is not None and dom.hi is not None
        for i in range(n):
            variables.append(_t(j, i))
            lower[_t(j, i)] = None
            for tag, c in (("lo", dom.lo[i]), ("hi", dom.hi[i])):
                # t >= c (m - beta sigma)  <=>  t - c m >= -c beta sigma
                rows.append(
                    Constraint(
                        {_t(j, i): ONE, _m(j, i): -c}, ">=", -c * beta[j] * sigma[i], f"SQ{tag}[{j}][{i}]"
                    )
                )
        rows.append(Constraint({_t(j, i): ONE for i in range(n)}, "<=", ZERO, f"SQ[{j}]"))
    return LinearProgram(tuple(variables), tuple(rows), objective, sense, lower)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Departure:
    """The exact extremes of every m_j(i) over (SQ) and (MC).

    ``bounds[(j, i)]`` = (max LP result, min LP result); ``departure`` = the largest
    |m_j(i) - sigma_j(i)| (0 iff the status quo is the only feasible allocation);
    ``allocation``: a feasible allocation attaining it (the status quo when it is 0)."""

    beta: Vector
    bounds: dict[tuple[int, int], tuple[LPResult, LPResult]]
    departure: Fraction
    where: tuple[int, int] | None
    allocation: tuple[Vector, ...]


def _allocation_of(economy: Economy, primal: dict[str, Fraction]) -> tuple[Vector, ...]:
    return tuple(
        tuple(primal.get(_m(j, i), ZERO) for i in range(economy.n_tasks)) for j in range(economy.n_agents)
    )


def largest_departure(
    economy: Economy, beta: object = None, *, time_limit: float | None = None
) -> Departure | str:
    """Solve the 2 I J exact LPs (module docstring). Returns the `Departure`, or the reason (a
    string) when an LP answered unknown; the status quo is always feasible, so every LP is
    feasible and bounded (0 <= m_j(i) <= n^i)."""
    b = slack_parameters(economy, beta)
    bounds: dict[tuple[int, int], tuple[LPResult, LPResult]] = {}
    best, where, alloc = ZERO, None, economy.endowment
    for j in range(economy.n_agents):
        for i in range(economy.n_tasks):
            pair = []
            for sense in ("max", "min"):
                lp = sq_mc_program(economy, b, {_m(j, i): ONE}, sense)
                result = solve_exact(lp, time_limit=time_limit)
                if result.status != "optimal":
                    where = f"m[{economy.agents[j]}][{economy.tasks[i]}]"
                    return f"LP {sense} {where}: {result.reason or result.status}"
                assert result.objective is not None
                gap = abs(result.objective - economy.endowment[j][i])
                if gap > best:
                    best, where, alloc = gap, (j, i), _allocation_of(economy, result.primal)
                pair.append(result)
            bounds[(j, i)] = (pair[0], pair[1])
    return Departure(b, bounds, best, where, alloc)


def departure_evidence(economy: Economy, dep: Departure) -> dict[str, Any]:
    """JSON-ready evidence (kind ``"sq_mc_departure"``): per (agent, task) the two LP
    certificates, the departure, where it is attained and the attaining allocation."""
    bounds = []
    for (j, i), (top, bottom) in dep.bounds.items():
        bounds.append(
            {
                "agent": economy.agents[j],
                "task": economy.tasks[i],
                "max": top.to_evidence(),
                "min": bottom.to_evidence(),
            }
        )
    return {
        "kind": "sq_mc_departure",
        "departure": dep.departure,
        "at": None if dep.where is None else [economy.agents[dep.where[0]], economy.tasks[dep.where[1]]],
        "allocation": [list(x) for x in dep.allocation],
        "bounds": bounds,
    }


def check_status_quo_unique(
    economy: Economy, beta: object = None, *, time_limit: float | None = None
) -> CheckResult:
    """Is the status quo the only non-choice mechanism satisfying (SQ) (slack beta) and (MC)?

    HOLDS (kind ``"sq_mc_departure"``, departure 0): for every agent and task the exact LP
    certificates that max m_j(i) = min m_j(i) = sigma_j(i). FAILS (kind ``"sq_mc_allocation"``):
    an allocation m != sigma satisfying (SQ) and (MC), with its departure and the
    `check_sq_mc` evidence; ``departure`` carries the full LP evidence."""
    dep = largest_departure(economy, beta, time_limit=time_limit)
    if isinstance(dep, str):
        return unknown(UNIQUE, dep)
    evidence = departure_evidence(economy, dep)
    if dep.departure == 0:
        return holds(UNIQUE, evidence)
    recheck = check_sq_mc(economy, dep.allocation, dep.beta)
    if not recheck.holds:
        raise AssertionError(f"internal error: the LP optimum violates (SQ)/(MC): {recheck.evidence}")
    return fails(
        UNIQUE,
        {
            "kind": "sq_mc_allocation",
            "allocation": [list(x) for x in dep.allocation],
            "departure": dep.departure,
            "at": evidence["at"],
            "sq_mc": dict(recheck.evidence),
        },
    )


def check_corollary1(
    economy: Economy, beta: object = None, *, time_limit: float | None = None
) -> CheckResult:
    """Corollary 1 on one economy: if beta = 1 and the boxes' intersection has dimension I, the
    status quo is the only allocation satisfying (SQ) and (MC). Both sides are computed.

    Evidence (kind ``"corollary1"``): ``beta_one``, ``common_dimension``, ``predicted``
    (the hypotheses hold), ``unique`` (the `check_status_quo_unique` verdict) and ``uniqueness``
    (its evidence). HOLDS unless the hypotheses hold and another allocation exists (a counterexample
    to the corollary); when the hypotheses fail the corollary is silent and the evidence shows
    whether uniqueness fails (a counterexample to dropping the hypothesis) or still holds."""
    b = slack_parameters(economy, beta)
    dim = common_dimension(economy)
    predicted = all(x == 1 for x in b) and dim == economy.n_tasks
    unique_result = check_status_quo_unique(economy, b, time_limit=time_limit)
    if unique_result.unknown:
        return unknown(COROLLARY1, unique_result.reason or "LP unknown")
    evidence = {
        "kind": "corollary1",
        "beta_one": all(x == 1 for x in b),
        "common_dimension": dim,
        "predicted": predicted,
        "unique": unique_result.holds,
        "uniqueness": dict(unique_result.evidence),
    }
    return (
        fails(COROLLARY1, evidence) if predicted and not unique_result.holds else holds(COROLLARY1, evidence)
    )


def lemma1_subject(economy: Economy, beta: object = None) -> dict[str, Any]:
    """The certificate subject of ``status-quo-unique``: tasks, and per agent its name, status
    quo, cost domain and slack parameter (all the LPs are re-derived from it)."""
    from verified.results import jsonable

    b = slack_parameters(economy, beta)
    agents = [
        {
            "name": a,
            "status_quo": list(economy.endowment[j]),
            "cost_domain": economy.cost_domains[j].describe(),
            "beta": b[j],
        }
        for j, a in enumerate(economy.agents)
    ]
    return jsonable(
        {"family": "trading", "kind": "sq_mc_economy", "tasks": list(economy.tasks), "agents": agents}
    )


def _file_economy(subject: Any) -> tuple[Economy, Vector | None]:
    """The economy of a loaded trading file with its status quo sigma as the endowment
    (`verified.io.TradingSubject.status_quo_economy`), and its slack parameters."""
    return subject.status_quo_economy, getattr(subject, "beta", None)


def check_file_status_quo_unique(subject: Any, timeout: float | None = None) -> CheckResult:
    """`check_status_quo_unique` on a trading file: beta from format /3's ``beta`` (default 1)."""
    economy, beta = _file_economy(subject)
    return check_status_quo_unique(economy, beta, time_limit=timeout)


def file_subject(subject: Any) -> dict[str, Any]:
    """`lemma1_subject` of a trading file (the registry's subject encoder)."""
    economy, beta = _file_economy(subject)
    return lemma1_subject(economy, beta)
