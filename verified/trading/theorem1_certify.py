"""The properties ``choice-improves-bic`` and ``choice-optimal-bic`` with their certificates
(Valenzuela-Stookey, section 2, program (1) and Theorem 1 (iii), (iv)), on trading files.

A trading file in format ``verified/trading/3`` with ``types`` (and optionally
``probabilities`` and ``beta``) for every agent defines program (1) over direct BIC mechanisms
exactly (`verified.trading.bic`): the status quo sigma_j (the file's ``status_quo``, else the
endowment), the supplies n = sum_j sigma_j, performance pi_j, the type distributions F_j and the
slack parameters beta_j. Both properties are about that program at the file's beta:

* ``choice-improves-bic`` (Theorem 1 (iii), "choice improves upon the status quo among BIC
  mechanisms"): some mechanism feasible in (1) ((IC), (SQ), (MC), m >= 0) is not constant in the
  profile and costs strictly less than sigma. HOLDS (evidence ``bic_improvement``) with such a
  witness; FAILS with ``bic_no_improvement`` (the certified optimum of (1) is not below the
  status-quo cost) or ``bic_all_constant`` (for every profile p >= 1, agent j and task i the
  LPs max and min of m_j(i|p) - m_j(i|p_0) over (1) are pinned at 0: only constant mechanisms are
  feasible). `verified.trading.theorem1.check_choice_improves_bic` decides it.
* ``choice-optimal-bic`` (Theorem 1 (iv), "choice is optimal"): every optimum of (1) is
  non-constant, i.e. the optimum over constant mechanisms (`verified.trading.bic.constant_program`)
  is strictly above (1)'s. HOLDS (``bic_choice_optimal``): an optimal mechanism of (1) with its
  cost C and the constant program's certified optimum > C. FAILS (``bic_constant_optimal``): an
  optimal constant allocation (cost C) and (1)'s certified optimum, equal to C.

Every evidence kind carries ``status_quo_cost`` sum_j pi_j . sigma_j, ``profiles`` (the type
profiles in product order: the index p of ``m[p][j][i]``), ``optimum`` and ``lp`` (program (1)'s
exact optimal certificate: primal, dual, reduced costs). The subject (``{"family": "trading",
"kind": "bic_economy"}``, `bic_subject`) holds exactly what program (1) depends on: tasks and, per
agent, name, status quo, performance, types, probabilities and beta. The independent checker
(`verified.recheck.trading_bic`) re-derives every LP from it.

Limits (documented choice): a program past `verified.trading.bic.MAX_VARIABLES` variables or
`verified.recheck.trading_bic.MAX_NONZEROS` constraint coefficients is refused as bad input
(`InvalidInput` naming the file and the agents' ``types``, exit 2), as `bic.bic_program` does;
an LP without a verdict within the time limit, more than `theorem1.MAX_SEARCH_LPS` LPs in the
search for a non-constant mechanism, or an all-constant certificate past the checker's work
bound give UNKNOWN with the reason (no certificate claims anything then).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verified.errors import InvalidInput
from verified.lp import LPResult, solve_exact
from verified.results import CheckResult, fails, holds, jsonable, unknown
from verified.trading.bic import MAX_VARIABLES, FiniteEconomy, bic_program, constant_program, mechanism_of

IMPROVES = "choice-improves-bic"
OPTIMAL = "choice-optimal-bic"
SUBJECT_KIND = "bic_economy"
ONE = Fraction(1)


def _source(subject: Any) -> str:
    return str(getattr(subject, "source", "<memory>"))


def bic_economy_of(subject: Any) -> tuple[FiniteEconomy, tuple[Fraction, ...]]:
    """The `FiniteEconomy` of program (1) (its endowment is the status quo sigma) and the slack
    parameters of a format /3 trading file; `InvalidInput` naming the file and the place when the
    file has no types or the program is past the size limits (module docstring)."""
    from verified.recheck.trading_bic import MAX_NONZEROS, program_size

    source = _source(subject)
    if isinstance(subject, FiniteEconomy):  # the Python API: beta = 1, sigma = the endowment
        fe, beta = subject, None
    else:
        distributions = getattr(subject, "distributions", None)
        if distributions is None:
            raise InvalidInput(
                "program (1) over BIC mechanisms needs a type distribution per agent: use format "
                "verified/trading/3 and give every agent `types` (and optionally `probabilities`, `beta`)",
                f"{source}: agents[0].types",
            )
        with_sigma = subject.status_quo_economy  # sigma validated when the file was read
        fe, beta = FiniteEconomy(with_sigma, tuple(distributions)), getattr(subject, "beta", None)
    _, variables, nonzeros = program_size([d.size for d in fe.types], fe.economy.n_tasks)
    if variables > MAX_VARIABLES or nonzeros > MAX_NONZEROS:
        raise InvalidInput(
            f"program (1) has {variables:,} variables (profiles x agents x tasks) and up to {nonzeros:,} "
            f"constraint coefficients; the limits are {MAX_VARIABLES:,} and {MAX_NONZEROS:,}: "
            "use fewer types",
            f"{source}: agents[*].types",
        )
    return fe, (tuple(beta) if beta is not None else (ONE,) * fe.economy.n_agents)


def bic_subject(fe: FiniteEconomy, beta: tuple[Fraction, ...]) -> dict[str, Any]:
    """The certificate subject: tasks and, per agent, name, status quo, performance, types,
    probabilities and beta (exact strings)."""
    e = fe.economy
    agents = [
        {
            "name": name,
            "status_quo": list(e.endowment[j]),
            "performance": list(e.performance[j]),
            "types": [list(c) for c in fe.types[j].types],
            "probabilities": list(fe.types[j].probabilities),
            "beta": beta[j],
        }
        for j, name in enumerate(e.agents)
    ]
    return jsonable({"family": "trading", "kind": SUBJECT_KIND, "tasks": list(e.tasks), "agents": agents})


def subject_of(subject: Any) -> dict[str, Any]:
    """`bic_subject` of a loaded file (the registry's subject encoder for both properties)."""
    return bic_subject(*bic_economy_of(subject))


def _rename(prop: str, result: CheckResult) -> CheckResult:
    return CheckResult(prop, result.verdict, result.evidence, result.reason)


def check_choice_improves_bic(subject: Any, timeout: float | None = None) -> CheckResult:
    """Theorem 1 (iii) on a trading file (module docstring); ``timeout`` bounds each LP."""
    from verified.recheck.trading_bic import MAX_WORK, constant_certificate_work
    from verified.trading import theorem1

    fe, beta = bic_economy_of(subject)
    result = theorem1.check_choice_improves_bic(fe, beta, time_limit=timeout)
    if result.fails and result.evidence.get("kind") == "bic_all_constant":
        work = constant_certificate_work([d.size for d in fe.types], fe.economy.n_tasks)
        if work > MAX_WORK:
            return unknown(
                IMPROVES,
                f"only constant mechanisms are feasible, but the {len(result.evidence['certificates'])} LP "
                f"certificates proving it exceed the independent checker's work bound ({work} > {MAX_WORK})",
            )
    return _rename(IMPROVES, result)


def _optimal(result: LPResult, what: str) -> str | None:
    if result.status != "optimal" or result.objective is None:
        return f"{what}: {result.reason or result.status}"
    return None


def check_choice_optimal_bic(subject: Any, timeout: float | None = None) -> CheckResult:
    """Theorem 1 (iv) on a trading file (module docstring): compare the certified optima of
    program (1) and of the constant program; ``timeout`` bounds each LP."""
    from verified.trading.theorem1 import mechanism_cost

    fe, beta = bic_economy_of(subject)
    econ = fe.economy
    base = solve_exact(bic_program(fe, beta), time_limit=timeout)
    if (reason := _optimal(base, "program (1)")) is not None:
        return unknown(OPTIMAL, reason)
    const = solve_exact(constant_program(fe, beta), time_limit=timeout)
    if (reason := _optimal(const, "the constant program")) is not None:
        return unknown(OPTIMAL, reason)
    assert base.objective is not None and const.objective is not None
    if const.objective < base.objective:  # pragma: no cover - a constant mechanism is feasible in (1)
        raise AssertionError("internal error: the constant optimum is below program (1)'s")
    evidence: dict[str, Any] = {
        "status_quo_cost": fe.status_quo_cost(),
        "profiles": [list(p) for p in fe.profiles],
        "optimum": base.objective,
        "lp": base.to_evidence(),
        "constant_optimum": const.objective,
        "constant_lp": const.to_evidence(),
    }
    if const.objective > base.objective:
        mechanism = mechanism_of(fe, base.primal)
        cost = mechanism_cost(fe, mechanism)
        assert cost == base.objective
        evidence.update(
            {
                "kind": "bic_choice_optimal",
                "mechanism": [[list(load) for load in alloc] for alloc in mechanism],
                "cost": cost,
            }
        )
        return holds(OPTIMAL, evidence)
    allocation = [
        [const.primal.get(f"m[{j}][{i}]", Fraction(0)) for i in range(econ.n_tasks)]
        for j in range(econ.n_agents)
    ]
    evidence.update(
        {"kind": "bic_constant_optimal", "allocation": allocation, "cost": econ.social_cost(allocation)}
    )
    return fails(OPTIMAL, evidence)
