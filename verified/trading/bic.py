"""Direct BIC mechanisms for finite type distributions: the designer's program (1), exactly.

Valenzuela-Stookey, section 2, program (1): with independent finite type distributions F_j
(types c_j^t >= 0 with probabilities p_j^t > 0), a direct mechanism gives every profile
p = (t_1, ..., t_J) an expected allocation m(p) = (m_j(i|p)). Writing
E_-j[m_j(i | t)] = sum over profiles with t_j = t of prod_{k != j} p_k^{t_k} m_j(i|p):

  minimise  E[sum_{i,j} pi_j(i) m_j(i|c)]
  (SQ)  c_j^t . E_-j[m_j(.|t)]  <=  beta_j c_j^t . sigma_j                      for all j, t
  (IC)  c_j^t . E_-j[m_j(.|t)]  <=  c_j^t . E_-j[m_j(.|t')]                   for all j, t != t'
  (MC)  sum_j m_j(i|p) = n^i,   m >= 0                                        for all i, p

(the type set C_j is the support of F_j). `bic_program` writes it as an exact
`verified.lp.LinearProgram` (variables ``m[p][j][i]`` with p the profile's position in
`profiles` order; rows ``MC[p][i]``, ``SQ[j][t]``, ``IC[j][t][t']``); `constant_program` is the
same program over constant mechanisms m(p) = m (variables ``m[j][i]``; IC is then automatic).
`solve` returns the verified `LPResult` (HiGHS proposes, the exact check confirms).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from verified.errors import InvalidInput
from verified.lp import Constraint, LinearProgram, LPResult, solve_exact
from verified.trading.large_market.model import TypeDistribution
from verified.trading.model import Economy, Vector, dot

ZERO, ONE = Fraction(0), Fraction(1)
MAX_VARIABLES = 20_000
"""Programs with more variables than this (profiles x agents x tasks) are refused as UNKNOWN."""


class FiniteTypes(TypeDistribution):
    """A finite type distribution as in `verified.trading.large_market.model.TypeDistribution`
    (distinct types of one dimension, probabilities > 0 summing to 1, uniform when omitted), but
    costs need only be >= 0: Theorem 1's counterexamples need a task nobody minds."""

    __slots__ = ()

    @classmethod
    def make(
        cls,
        types: Sequence[Sequence[object]],
        probabilities: Sequence[object] | None = None,
        where: str = "types",
        *,
        positive: bool = False,
    ) -> FiniteTypes:
        return super().make(types, probabilities, where, positive=positive)


@dataclass(frozen=True, slots=True)
class FiniteEconomy:
    """An `Economy` (tasks, supplies, status quo sigma = endowment, performance) with one finite
    type distribution per agent (the economy's cost domains are the supports' bounding boxes)."""

    economy: Economy
    types: tuple[FiniteTypes, ...]

    @classmethod
    def make(
        cls,
        tasks: Sequence[object] | int,
        agents: Sequence[object] | int,
        status_quo: Sequence[Sequence[object]],
        performance: Sequence[Sequence[object]],
        types: Sequence[FiniteTypes | Sequence[Sequence[object]]],
    ) -> FiniteEconomy:
        dists = tuple(
            t if isinstance(t, FiniteTypes) else FiniteTypes.make(t, where=f"types[{j}]")
            for j, t in enumerate(types)
        )
        economy = Economy.make(tasks, agents, status_quo, performance, [d.bounding_box() for d in dists])
        if len(dists) != economy.n_agents:
            raise InvalidInput(f"expected {economy.n_agents} type distributions, got {len(dists)}", "types")
        for j, d in enumerate(dists):
            if len(d.types[0]) != economy.n_tasks:
                raise InvalidInput(
                    f"types need {economy.n_tasks} entries", f"types of agent {economy.agents[j]!r}"
                )
        return cls(economy, dists)

    @property
    def profiles(self) -> tuple[tuple[int, ...], ...]:
        """Every type profile (one type index per agent), in product order."""
        return tuple(product(*(range(d.size) for d in self.types)))

    def probability(self, profile: Sequence[int], skip: int | None = None) -> Fraction:
        """prod_j p_j^{t_j} (leaving out agent ``skip``)."""
        out = ONE
        for j, t in enumerate(profile):
            if j != skip:
                out *= self.types[j].probabilities[t]
        return out

    def status_quo_cost(self) -> Fraction:
        """sum_j pi_j . sigma_j."""
        return self.economy.social_cost(self.economy.endowment)


def slack(fe: FiniteEconomy, beta: object) -> Vector:
    """beta_j >= 1 per agent (None: all 1; one number: shared)."""
    from verified.trading.lemma1 import slack_parameters

    return slack_parameters(fe.economy, beta)


def _m(p: int, j: int, i: int) -> str:
    return f"m[{p}][{j}][{i}]"


def bic_program(fe: FiniteEconomy, beta: object = None) -> LinearProgram:
    """Program (1) over direct mechanisms (module docstring)."""
    econ, b = fe.economy, slack(fe, beta)
    n, agents, profiles = econ.n_tasks, econ.n_agents, fe.profiles
    if len(profiles) * agents * n > MAX_VARIABLES:
        raise InvalidInput(
            f"{len(profiles) * agents * n} variables exceed the limit {MAX_VARIABLES}", "economy"
        )
    variables = tuple(_m(p, j, i) for p in range(len(profiles)) for j in range(agents) for i in range(n))
    rows: list[Constraint] = []
    for p in range(len(profiles)):
        for i in range(n):
            rows.append(
                Constraint({_m(p, j, i): ONE for j in range(agents)}, "==", econ.supplies[i], f"MC[{p}][{i}]")
            )

    def interim(j: int, t: int, c: Vector) -> dict[str, Fraction]:
        """c . E_-j[m_j(. | t)] as coefficients."""
        out: dict[str, Fraction] = {}
        for p, prof in enumerate(profiles):
            if prof[j] == t:
                w = fe.probability(prof, skip=j)
                for i in range(n):
                    if c[i]:
                        out[_m(p, j, i)] = out.get(_m(p, j, i), ZERO) + w * c[i]
        return out

    for j, dist in enumerate(fe.types):
        sigma = econ.endowment[j]
        for t, c in enumerate(dist.types):
            truthful = interim(j, t, c)
            rows.append(Constraint(truthful, "<=", b[j] * dot(c, sigma), f"SQ[{j}][{t}]"))
            for t2 in range(dist.size):
                if t2 != t:
                    lie = interim(j, t2, c)
                    coeffs = dict(truthful)
                    for v, a in lie.items():
                        coeffs[v] = coeffs.get(v, ZERO) - a
                    rows.append(Constraint(coeffs, "<=", ZERO, f"IC[{j}][{t}][{t2}]"))
    objective: dict[str, Fraction] = {}
    for p, prof in enumerate(profiles):
        w = fe.probability(prof)
        for j in range(agents):
            for i in range(n):
                if econ.performance[j][i]:
                    objective[_m(p, j, i)] = w * econ.performance[j][i]
    return LinearProgram(variables, tuple(rows), objective, "min")


def constant_program(fe: FiniteEconomy, beta: object = None) -> LinearProgram:
    """Program (1) over constant mechanisms m(p) = m: (SQ) at every support type and (MC)."""
    econ, b = fe.economy, slack(fe, beta)
    n, agents = econ.n_tasks, econ.n_agents
    variables = tuple(f"m[{j}][{i}]" for j in range(agents) for i in range(n))
    rows = [
        Constraint({f"m[{j}][{i}]": ONE for j in range(agents)}, "==", econ.supplies[i], f"MC[{i}]")
        for i in range(n)
    ]
    for j, dist in enumerate(fe.types):
        for t, c in enumerate(dist.types):
            coeffs = {f"m[{j}][{i}]": c[i] for i in range(n)}
            rows.append(Constraint(coeffs, "<=", b[j] * dot(c, econ.endowment[j]), f"SQ[{j}][{t}]"))
    objective = {f"m[{j}][{i}]": econ.performance[j][i] for j in range(agents) for i in range(n)}
    return LinearProgram(variables, tuple(rows), objective, "min")


def solve(lp: LinearProgram, time_limit: float | None = None) -> LPResult:
    """`solve_exact` (the status quo is feasible, so the answer is optimal or unknown)."""
    return solve_exact(lp, time_limit=time_limit)


def mechanism_of(fe: FiniteEconomy, primal: dict[str, Fraction]) -> tuple[tuple[Vector, ...], ...]:
    """The direct mechanism of a `bic_program` point: per profile, per agent, the load vector."""
    econ = fe.economy
    return tuple(
        tuple(tuple(primal.get(_m(p, j, i), ZERO) for i in range(econ.n_tasks)) for j in range(econ.n_agents))
        for p in range(len(fe.profiles))
    )


def is_constant(mechanism: Sequence[Sequence[Vector]]) -> bool:
    return all(m == mechanism[0] for m in mechanism)


def as_primal(mechanism: Sequence[Sequence[Vector]]) -> dict[str, Fraction]:
    return {
        _m(p, j, i): x
        for p, alloc in enumerate(mechanism)
        for j, load in enumerate(alloc)
        for i, x in enumerate(load)
        if x
    }
