"""``choice-improves-bic`` and ``choice-optimal-bic`` certificates (Valenzuela-Stookey, section 2,
program (1), Theorem 1 (iii) and (iv)), re-verified (stdlib only).

Subject (``{"family": "trading", "kind": "bic_economy"}``): ``tasks`` (distinct non-empty names)
and ``agents`` (distinct non-empty names), each exactly ``{"name", "status_quo", "performance",
"types", "probabilities", "beta"}``: sigma_j >= 0 (one entry per task), pi_j, a non-empty list of
distinct types c >= 0, probabilities > 0 (one per type) summing to 1, beta_j >= 1. The supplies
are n^i = sum_j sigma_j(i).

The checker writes program (1) itself, in the library's names (`verified.trading.bic`): profiles
p = 0, 1, ... in product order over the agents' type indices (the last agent's index moving
fastest); w(p) = prod_j p_j(t_j) and w_-j(p) the same product without agent j; variables
``m[p][j][i]`` >= 0; rows ``MC[p][i]``: sum_j m[p][j][i] = n^i; ``SQ[j][t]``: c . E_-j[m_j(.|t)]
<= beta_j c . sigma_j with c = type t of j and E_-j[m_j(i|t)] = sum over profiles p with t_j = t of
w_-j(p) m[p][j][i]; ``IC[j][t][t']``: c . E_-j[m_j(.|t)] - c . E_-j[m_j(.|t')] <= 0; objective
min sum_p w(p) sum_{j,i} pi_j(i) m[p][j][i]. The constant program: variables ``m[j][i]`` >= 0,
rows ``MC[i]`` and ``SQ[j][t]`` (c . m_j <= beta_j c . sigma_j), objective sum pi_j . m_j. Every LP
certificate in the evidence is verified against these programs (`verified.recheck.lp.Program`:
dual signs, reduced costs, equal primal and dual values), never against an LP the evidence states.

Every evidence kind has ``status_quo_cost`` (= sum_j pi_j . sigma_j, recomputed), ``profiles``
(= the product order, recomputed), ``optimum`` and ``lp`` (program (1)'s optimal certificate
proving that optimum). Then:

* ``choice-improves-bic`` holds (``bic_improvement``): ``mechanism`` (per profile, per agent, the
  loads) satisfies every row of program (1) and m >= 0, is not constant in the profile, and its
  ``cost`` (recomputed) is strictly below ``status_quo_cost``.
* it fails with ``bic_no_improvement``: ``optimum`` >= ``status_quo_cost`` (no feasible mechanism
  costs less than sigma); or with ``bic_all_constant``: ``certificates`` lists, for every profile
  p >= 1, agent j, task i and sense (max, then min), in that order, exactly once, the optimal
  certificate of max / min m[p][j][i] - m[0][j][i] over program (1), each proving the optimum 0:
  every feasible mechanism is constant.
* ``choice-optimal-bic`` holds (``bic_choice_optimal``): ``constant_lp`` proves the constant
  program's optimum ``constant_optimum``; ``mechanism`` is feasible in program (1) with ``cost`` =
  ``optimum`` < ``constant_optimum``: every optimum of (1) costs less than every constant
  mechanism, so none is constant.
* it fails (``bic_constant_optimal``): ``allocation`` (one load vector per agent) is feasible in
  the constant program with ``cost`` = ``constant_optimum`` = ``optimum``: a constant mechanism
  is optimal in (1).

Work is bounded before any is done: program (1) has at most `MAX_VARIABLES` variables and
`MAX_NONZEROS` constraint coefficients (`program_size`), and an all-constant certificate at most
`MAX_WORK` coefficient visits (`constant_certificate_work`).
"""

from __future__ import annotations

import copy
import itertools
from fractions import Fraction

from verified.recheck.core import RecheckError, canonical, ensure, exact_keys, fail, integer, rational, text
from verified.recheck.lp import Program
from verified.recheck.trading_subject import vec

ZERO, ONE = Fraction(0), Fraction(1)
Vec = tuple[Fraction, ...]
MAX_VARIABLES = 20_000  # as the library's `verified.trading.bic.MAX_VARIABLES`
MAX_NONZEROS = 1 << 19  # about 10 s of exact arithmetic for one pass over program (1)
MAX_WORK = 1 << 21
COMMON = ("kind", "status_quo_cost", "profiles", "optimum", "lp")
FIELDS = {
    ("choice-improves-bic", "holds", "bic_improvement"): COMMON + ("mechanism", "cost"),
    ("choice-improves-bic", "fails", "bic_no_improvement"): COMMON,
    ("choice-improves-bic", "fails", "bic_all_constant"): COMMON + ("certificates",),
    ("choice-optimal-bic", "holds", "bic_choice_optimal"): COMMON
    + ("constant_optimum", "constant_lp", "mechanism", "cost"),
    ("choice-optimal-bic", "fails", "bic_constant_optimal"): COMMON
    + ("constant_optimum", "constant_lp", "allocation", "cost"),
}


def program_size(type_counts: list[int], n: int) -> tuple[int, int, int]:
    """(profiles, variables, constraint coefficients) of program (1) with these numbers of types
    per agent and ``n`` tasks: P = prod T_j, P J n variables, and P n (2 J + 2 sum_j (T_j - 1))
    coefficients at most (MC: P n J; SQ: P n per agent; IC: 2 P n per agent and pair of types
    divided by T_j). The product stops growing past the limits (the answer is then past them)."""
    profiles = 1
    for t in type_counts:
        profiles *= t
        if profiles > MAX_NONZEROS:
            break
    agents = len(type_counts)
    coefficients = profiles * n * (2 * agents + 2 * sum(t - 1 for t in type_counts))
    return profiles, profiles * agents * n, coefficients


def constant_certificate_work(type_counts: list[int], n: int) -> int:
    """Coefficient visits to check a ``bic_all_constant`` certificate: one pass over program (1)
    per LP (2 (P - 1) J n difference LPs, plus program (1) itself)."""
    profiles, _, coefficients = program_size(type_counts, n)
    return (2 * (profiles - 1) * len(type_counts) * n + 1) * coefficients


class Agent:
    def __init__(self, spec: object, n: int, where: str) -> None:
        keys = ("name", "status_quo", "performance", "types", "probabilities", "beta")
        spec = exact_keys(spec, keys, (), where)
        self.name = text(spec["name"], f"{where}.name")
        ensure(self.name != "", f"{where}.name: empty")
        self.sigma = vec(spec["status_quo"], n, f"{where}.status_quo", nonnegative=True)
        self.pi = vec(spec["performance"], n, f"{where}.performance")
        types = spec["types"]
        ensure(isinstance(types, list) and len(types) > 0, f"{where}.types: expected a non-empty list")
        ensure(len(types) <= MAX_NONZEROS, f"{where}.types: more types than the checker's limit")  # type: ignore[arg-type]
        self.types = tuple(
            vec(c, n, f"{where}.types[{t}]", nonnegative=True)
            for t, c in enumerate(types)  # type: ignore[arg-type]
        )
        ensure(len(set(self.types)) == len(self.types), f"{where}.types: a type appears twice")
        probs = spec["probabilities"]
        ensure(
            isinstance(probs, list) and len(probs) == len(self.types), f"{where}.probabilities: one per type"
        )
        self.p = tuple(rational(x, f"{where}.probabilities[{t}]") for t, x in enumerate(probs))  # type: ignore[arg-type]
        ensure(all(x > 0 for x in self.p), f"{where}.probabilities: must be > 0")
        ensure(sum(self.p, ZERO) == 1, f"{where}.probabilities: must sum to 1")
        self.beta = rational(spec["beta"], f"{where}.beta")
        ensure(self.beta >= 1, f"{where}.beta: must be >= 1, got {self.beta}")


def _dot(a: Vec, b: Vec) -> Fraction:
    return sum((x * y for x, y in zip(a, b, strict=True)), ZERO)


def _m(p: int, j: int, i: int) -> str:
    return f"m[{p}][{j}][{i}]"


class BicEconomy:
    """The validated subject and the programs it defines (module docstring)."""

    def __init__(self, encoding: dict) -> None:
        encoding = exact_keys(encoding, ("family", "kind", "tasks", "agents"), (), "subject.encoding")
        tasks = encoding["tasks"]
        ensure(isinstance(tasks, list) and len(tasks) > 0, "subject.tasks: expected a non-empty list")
        ensure(len(tasks) <= MAX_NONZEROS, "subject.tasks: more tasks than the checker's limit")
        self.tasks = [text(t, f"subject.tasks[{i}]") for i, t in enumerate(tasks)]
        ensure(
            all(self.tasks) and len(set(self.tasks)) == len(self.tasks),
            "subject.tasks: names must be distinct and non-empty",
        )
        raw = encoding["agents"]
        ensure(isinstance(raw, list) and len(raw) > 0, "subject.agents: expected a non-empty list")
        ensure(len(raw) <= MAX_NONZEROS, "subject.agents: more agents than the checker's limit")
        n = self.n = len(self.tasks)
        self.agents = [Agent(a, n, f"subject.agents[{j}]") for j, a in enumerate(raw)]
        ensure(
            len({a.name for a in self.agents}) == len(self.agents), "subject.agents: names must be distinct"
        )
        self.counts = [len(a.types) for a in self.agents]
        profiles, variables, coefficients = program_size(self.counts, n)
        ensure(
            variables <= MAX_VARIABLES and coefficients <= MAX_NONZEROS,
            f"subject: program (1) has {variables} variables and {coefficients} coefficients, more than "
            f"the checker's limit ({MAX_VARIABLES} variables, {MAX_NONZEROS} coefficients)",
        )
        self.profiles = list(itertools.product(*(range(c) for c in self.counts)))
        assert len(self.profiles) == profiles
        self.supply = tuple(sum((a.sigma[i] for a in self.agents), ZERO) for i in range(n))
        self.status_quo_cost = sum((_dot(a.pi, a.sigma) for a in self.agents), ZERO)

    def weight(self, profile: tuple[int, ...], skip: int | None = None) -> Fraction:
        """prod_j p_j(t_j), leaving out agent ``skip``."""
        out = ONE
        for j, t in enumerate(profile):
            if j != skip:
                out *= self.agents[j].p[t]
        return out

    def program(self) -> Program:
        """Program (1) (module docstring)."""
        n, agents, profiles = self.n, len(self.agents), self.profiles
        variables = [_m(p, j, i) for p in range(len(profiles)) for j in range(agents) for i in range(n)]
        rows: list[dict] = []
        for p in range(len(profiles)):
            for i in range(n):
                coeffs = {_m(p, j, i): ONE for j in range(agents)}
                rows.append(
                    {"name": f"MC[{p}][{i}]", "coefficients": coeffs, "sense": "==", "rhs": self.supply[i]}
                )

        # the profiles where agent j reports t, with w_-j: one pass, so the rows cost their size only
        groups: list[list[list[tuple[int, Fraction]]]] = [[[] for _ in a.types] for a in self.agents]
        for p, prof in enumerate(profiles):
            for j, t in enumerate(prof):
                groups[j][t].append((p, self.weight(prof, skip=j)))

        def interim(j: int, t: int, c: Vec) -> dict[str, Fraction]:
            """c . E_-j[m_j(. | t)] as coefficients."""
            out: dict[str, Fraction] = {}
            for p, w in groups[j][t]:
                for i in range(n):
                    if c[i]:
                        out[_m(p, j, i)] = out.get(_m(p, j, i), ZERO) + w * c[i]
            return out

        for j, a in enumerate(self.agents):
            for t, c in enumerate(a.types):
                own = interim(j, t, c)
                rows.append(
                    {
                        "name": f"SQ[{j}][{t}]",
                        "coefficients": own,
                        "sense": "<=",
                        "rhs": a.beta * _dot(c, a.sigma),
                    }
                )
                for t2 in range(len(a.types)):
                    if t2 != t:
                        diff = dict(own)
                        for v, x in interim(j, t2, c).items():
                            diff[v] = diff.get(v, ZERO) - x
                        rows.append(
                            {"name": f"IC[{j}][{t}][{t2}]", "coefficients": diff, "sense": "<=", "rhs": ZERO}
                        )
        objective: dict[str, Fraction] = {}
        for p, prof in enumerate(profiles):
            w = self.weight(prof)
            for j, a in enumerate(self.agents):
                for i in range(n):
                    if a.pi[i]:
                        objective[_m(p, j, i)] = w * a.pi[i]
        spec = {"variables": variables, "constraints": rows, "objective": objective, "sense": "min"}
        return Program(spec, "program (1)")

    def constant_program(self) -> Program:
        """Program (1) over constant mechanisms (module docstring)."""
        n, agents = self.n, len(self.agents)
        variables = [f"m[{j}][{i}]" for j in range(agents) for i in range(n)]
        rows: list[dict] = [
            {
                "name": f"MC[{i}]",
                "coefficients": {f"m[{j}][{i}]": ONE for j in range(agents)},
                "sense": "==",
                "rhs": self.supply[i],
            }
            for i in range(n)
        ]
        for j, a in enumerate(self.agents):
            for t, c in enumerate(a.types):
                coeffs = {f"m[{j}][{i}]": c[i] for i in range(n) if c[i]}
                rows.append(
                    {
                        "name": f"SQ[{j}][{t}]",
                        "coefficients": coeffs,
                        "sense": "<=",
                        "rhs": a.beta * _dot(c, a.sigma),
                    }
                )
        objective = {f"m[{j}][{i}]": a.pi[i] for j, a in enumerate(self.agents) for i in range(n) if a.pi[i]}
        spec = {"variables": variables, "constraints": rows, "objective": objective, "sense": "min"}
        return Program(spec, "the constant program")


def _cost(program: Program, x: dict[str, Fraction]) -> Fraction:
    return sum((c * x.get(v, ZERO) for v, c in program.objective.items()), ZERO)


def _mechanism(econ: BicEconomy, program: Program, raw: object) -> tuple[list[list[Vec]], dict]:
    """A stated direct mechanism: per profile, per agent, the loads (>= 0); feasible in program (1)."""
    where = "evidence.mechanism"
    ensure(isinstance(raw, list) and len(raw) == len(econ.profiles), f"{where}: one allocation per profile")
    mech = []
    for p, alloc in enumerate(raw):  # type: ignore[arg-type]
        ensure(
            isinstance(alloc, list) and len(alloc) == len(econ.agents), f"{where}[{p}]: one load per agent"
        )
        mech.append([vec(m, econ.n, f"{where}[{p}][{j}]", nonnegative=True) for j, m in enumerate(alloc)])
    x = {_m(p, j, i): v for p, alloc in enumerate(mech) for j, m in enumerate(alloc) for i, v in enumerate(m)}
    try:
        program.feasible(x)
    except RecheckError as exc:
        fail(f"{where}: not feasible in program (1): {exc}")
    return mech, x


def _same_number(stated: object, expected: Fraction, where: str) -> Fraction:
    got = rational(stated, where)
    ensure(got == expected, f"{where}: stated {got}, recomputed {expected}")
    return got


def _all_constant(econ: BicEconomy, base: Program, raw: object) -> None:
    """Every max / min of m[p][j][i] - m[0][j][i] over program (1) is certified to be 0."""
    work = constant_certificate_work(econ.counts, econ.n)
    ensure(
        work <= MAX_WORK,
        f"evidence.certificates: {work} coefficient visits, more than the checker's limit {MAX_WORK}",
    )
    wanted = [
        (p, j, i, sense)
        for p in range(1, len(econ.profiles))
        for j in range(len(econ.agents))
        for i in range(econ.n)
        for sense in ("max", "min")
    ]
    ensure(
        isinstance(raw, list) and len(raw) == len(wanted),
        f"evidence.certificates: expected {len(wanted)} LPs",
    )
    for k, (item, (p, j, i, sense)) in enumerate(zip(raw, wanted, strict=True)):  # type: ignore[arg-type]
        where = f"evidence.certificates[{k}]"
        item = exact_keys(item, ("profile", "agent", "task", "sense", "lp"), (), where)
        for key, value in (("profile", p), ("agent", j), ("task", i)):
            ensure(integer(item[key], f"{where}.{key}") == value, f"{where}.{key}: expected {value}")
        ensure(item["sense"] == sense, f"{where}.sense: expected {sense!r}")
        lp = copy.copy(base)
        lp.objective = {_m(p, j, i): ONE, _m(0, j, i): -ONE}
        lp.sense = sense
        value = lp.check_certificate(item["lp"], "optimal", f"{where}.lp")
        ensure(value == 0, f"{where}: the {sense} of m[{p}][{j}][{i}] - m[0][{j}][{i}] is {value}, not 0")


def recheck_bic(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    """Re-verify a ``choice-improves-bic`` / ``choice-optimal-bic`` certificate (module docstring);
    raise `RecheckError`."""
    kind = evidence.get("kind")
    keys = FIELDS.get((prop, verdict, kind))  # type: ignore[arg-type]
    if keys is None:
        known = sorted({k for (p, v, k) in FIELDS if (p, v) == (prop, verdict)})
        fail(
            f"no independent checker for {prop!r} {verdict!r} with evidence {kind!r} on a bic_economy subject"
            + (f" (expected one of {known})" if known else "")
        )
    econ = BicEconomy(encoding)
    ev = exact_keys(evidence, keys, (), "evidence")
    _same_number(ev["status_quo_cost"], econ.status_quo_cost, "evidence.status_quo_cost")
    ensure(
        canonical(ev["profiles"]) == canonical([list(p) for p in econ.profiles]),
        "evidence.profiles: not the profiles in product order",
    )
    base = econ.program()
    optimum = base.check_certificate(ev["lp"], "optimal", "evidence.lp")
    assert optimum is not None
    _same_number(ev["optimum"], optimum, "evidence.optimum")
    if kind == "bic_no_improvement":
        ensure(
            optimum >= econ.status_quo_cost, "evidence.optimum: below the status-quo cost, so (iii) may hold"
        )
    elif kind == "bic_all_constant":
        _all_constant(econ, base, ev["certificates"])
    elif kind in ("bic_improvement", "bic_choice_optimal"):
        mech, x = _mechanism(econ, base, ev["mechanism"])
        cost = _same_number(ev["cost"], _cost(base, x), "evidence.cost")
        if kind == "bic_improvement":
            ensure(any(alloc != mech[0] for alloc in mech), "evidence.mechanism: constant in the profile")
            ensure(cost < econ.status_quo_cost, "evidence.cost: not below the status-quo cost")
        else:
            ensure(cost == optimum, "evidence.cost: the mechanism is not optimal in program (1)")
            constant = econ.constant_program().check_certificate(
                ev["constant_lp"], "optimal", "evidence.constant_lp"
            )
            assert constant is not None
            _same_number(ev["constant_optimum"], constant, "evidence.constant_optimum")
            ensure(constant > cost, "evidence.constant_optimum: not above program (1)'s optimum")
    else:  # bic_constant_optimal
        program = econ.constant_program()
        constant = program.check_certificate(ev["constant_lp"], "optimal", "evidence.constant_lp")
        assert constant is not None
        _same_number(ev["constant_optimum"], constant, "evidence.constant_optimum")
        raw = ev["allocation"]
        ensure(
            isinstance(raw, list) and len(raw) == len(econ.agents), "evidence.allocation: one load per agent"
        )
        alloc = [vec(m, econ.n, f"evidence.allocation[{j}]", nonnegative=True) for j, m in enumerate(raw)]
        x = {f"m[{j}][{i}]": v for j, m in enumerate(alloc) for i, v in enumerate(m)}
        try:
            program.feasible(x)
        except RecheckError as exc:
            fail(f"evidence.allocation: not feasible in the constant program: {exc}")
        cost = _same_number(ev["cost"], _cost(program, x), "evidence.cost")
        ensure(cost == constant == optimum, "evidence: the constant allocation is not optimal in program (1)")
