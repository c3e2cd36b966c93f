"""``status-quo-unique`` certificates (Valenzuela-Stookey, Lemma 1 / Corollary 1), re-verified (stdlib only).

Subject (``{"family": "trading", "kind": "sq_mc_economy"}``): ``tasks`` (distinct non-empty
names) and ``agents``, each ``{"name", "status_quo", "cost_domain", "beta"}``: sigma_j >= 0 with
one entry per task, a cost domain (``box`` with 0 <= lo <= hi, ``orthant``, ``positive_orthant``,
its ``dimension`` the number of tasks) and a slack parameter beta_j >= 1. The supplies are
n^i = sum_j sigma_j(i).

The claim is about the polytope P of allocations m >= 0 with (MC) sum_j m_j(i) = n^i and (SQ)
c . m_j <= beta_j c . sigma_j for every c in C_j. The checker re-derives, for every agent j and
task i, the two LPs max m_j(i) and min m_j(i) over P in the library's written form (variables
``m[j][i]`` >= 0 and, for a box, free ``t[j][i]``; rows ``MC[i]``; for a box ``SQlo[j][i]`` /
``SQhi[j][i]``: t - lo m >= -lo beta sigma, t - hi m >= -hi beta sigma, and ``SQ[j]``:
sum_i t <= 0, which together say max over the box of (m_j - beta_j sigma_j) . c <= 0; for an
orthant ``SQsign[j][i]``: m <= beta sigma) and verifies each stated optimal certificate (dual
signs, reduced costs, equal primal and dual values) with `verified.recheck.lp.Program`.

* holds (``sq_mc_departure``): ``bounds`` lists every (agent, task) once, in subject order
  (agent-major), with its ``max`` and ``min`` certificates; each optimum equals sigma_j(i), so
  every feasible m equals sigma; ``departure`` is 0, ``at`` null, ``allocation`` sigma.
* fails (``sq_mc_allocation``): ``allocation`` m is checked directly: m >= 0, (MC) task by task,
  (SQ) at every vertex of a box (for an orthant: m_j <= beta_j sigma_j), and m != sigma;
  ``at`` = [agent, task] with ``departure`` = |m_j(i) - sigma_j(i)| > 0; ``sq_mc`` repeats
  beta and, per agent, the worst type (a box vertex maximising (m_j - beta_j sigma_j) . c, or the
  all-ones type with slack 0 for an orthant) and its slack, all recomputed.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from verified.recheck.core import canonical, ensure, exact_keys, fail, rational, text
from verified.recheck.lp import Program

ZERO, ONE = Fraction(0), Fraction(1)
MAX_TASKS = 16  # vertex enumeration of a box: at most 2^16 vertices per agent
MAX_BOX_VERTICES = 1 << 20  # and at most this many over all agents (each listed a few times)
KINDS = {"holds": "sq_mc_departure", "fails": "sq_mc_allocation"}


class Agent:
    def __init__(self, spec: object, n: int, where: str) -> None:
        spec = exact_keys(spec, ("name", "status_quo", "cost_domain", "beta"), (), where)
        self.name = text(spec["name"], f"{where}.name")
        ensure(self.name != "", f"{where}.name: empty")
        self.sigma = _vector(spec["status_quo"], n, f"{where}.status_quo", nonnegative=True)
        self.beta = rational(spec["beta"], f"{where}.beta")
        ensure(self.beta >= 1, f"{where}.beta: must be >= 1, got {self.beta}")
        dom = spec["cost_domain"]
        ensure(isinstance(dom, dict), f"{where}.cost_domain: expected an object")
        self.kind = dom.get("kind")  # type: ignore[union-attr]
        ensure(
            self.kind in ("box", "orthant", "positive_orthant"), f"{where}.cost_domain.kind: {self.kind!r}"
        )
        keys = ("kind", "dimension", "lo", "hi") if self.kind == "box" else ("kind", "dimension")
        dom = exact_keys(dom, keys, (), f"{where}.cost_domain")
        ensure(canonical(dom["dimension"]) == canonical(n), f"{where}.cost_domain.dimension: expected {n}")
        if self.kind == "box":
            self.lo = _vector(dom["lo"], n, f"{where}.cost_domain.lo", nonnegative=True)
            self.hi = _vector(dom["hi"], n, f"{where}.cost_domain.hi")
            for i, (a, b) in enumerate(zip(self.lo, self.hi, strict=True)):
                ensure(a <= b, f"{where}.cost_domain: lo[{i}] = {a} exceeds hi[{i}] = {b}")

    def vertices(self) -> list[tuple[Fraction, ...]]:
        return [
            tuple(v)
            for v in itertools.product(
                *[(a, b) if a != b else (a,) for a, b in zip(self.lo, self.hi, strict=True)]
            )
        ]


def _vector(values: object, n: int, where: str, nonnegative: bool = False) -> tuple[Fraction, ...]:
    ensure(isinstance(values, list) and len(values) == n, f"{where}: expected a list of {n} rationals")
    out = tuple(rational(v, f"{where}[{i}]") for i, v in enumerate(values))  # type: ignore[arg-type]
    if nonnegative:
        ensure(all(x >= 0 for x in out), f"{where}: entries must be >= 0")
    return out


def parse(encoding: dict) -> tuple[list[str], list[Agent]]:
    encoding = exact_keys(encoding, ("family", "kind", "tasks", "agents"), (), "subject")
    tasks = encoding["tasks"]
    ensure(isinstance(tasks, list) and 0 < len(tasks) <= MAX_TASKS, f"subject.tasks: 1 to {MAX_TASKS} names")
    names = [text(t, f"subject.tasks[{i}]") for i, t in enumerate(tasks)]  # type: ignore[arg-type]
    ensure(
        all(names) and len(set(names)) == len(names), "subject.tasks: names must be distinct and non-empty"
    )
    specs = encoding["agents"]
    ensure(isinstance(specs, list) and len(specs) > 0, "subject.agents: expected a non-empty list")
    agents = [Agent(s, len(names), f"subject.agents[{j}]") for j, s in enumerate(specs)]  # type: ignore[arg-type]
    ensure(len({a.name for a in agents}) == len(agents), "subject.agents: names must be distinct")
    boxes = sum(1 for a in agents if a.kind == "box")  # each box's 2^n vertices are listed per check
    ensure(
        boxes * 2 ** len(names) <= MAX_BOX_VERTICES,
        f"subject.agents: {boxes} boxes of {2 ** len(names)} vertices, more than the checker's limit "
        f"of {MAX_BOX_VERTICES} vertices in all",
    )
    return names, agents


def program(tasks: list[str], agents: list[Agent], j0: int, i0: int, sense: str) -> Program:
    """The LP max / min m[j0][i0] over (SQ) and (MC), in the library's names (module docstring)."""
    n = len(tasks)
    variables: list[str] = []
    lower: dict[str, object] = {}
    rows: list[dict] = []
    supply = [sum((a.sigma[i] for a in agents), ZERO) for i in range(n)]
    for i in range(n):
        coeffs = {f"m[{j}][{i}]": "1" for j in range(len(agents))}
        rows.append({"name": f"MC[{i}]", "coefficients": coeffs, "sense": "==", "rhs": str(supply[i])})
    for j, a in enumerate(agents):
        for i in range(n):
            variables.append(f"m[{j}][{i}]")
        if a.kind != "box":
            for i in range(n):
                bound = a.beta * a.sigma[i]
                rows.append(
                    {
                        "name": f"SQsign[{j}][{i}]",
                        "coefficients": {f"m[{j}][{i}]": "1"},
                        "sense": "<=",
                        "rhs": str(bound),
                    }
                )
            continue
        for i in range(n):
            variables.append(f"t[{j}][{i}]")
            lower[f"t[{j}][{i}]"] = None
            for tag, c in (("lo", a.lo[i]), ("hi", a.hi[i])):
                rows.append(
                    {
                        "name": f"SQ{tag}[{j}][{i}]",
                        "coefficients": {f"t[{j}][{i}]": "1", f"m[{j}][{i}]": str(-c)},
                        "sense": ">=",
                        "rhs": str(-c * a.beta * a.sigma[i]),
                    }
                )
        rows.append(
            {
                "name": f"SQ[{j}]",
                "coefficients": {f"t[{j}][{i}]": "1" for i in range(n)},
                "sense": "<=",
                "rhs": "0",
            }
        )
    spec = {
        "variables": variables,
        "constraints": rows,
        "objective": {f"m[{j0}][{i0}]": "1"},
        "sense": sense,
        "lower": lower,
    }
    return Program(spec, f"LP {sense} m[{j0}][{i0}]")


def _worst(a: Agent, m: tuple[Fraction, ...]) -> tuple[tuple[Fraction, ...], Fraction]:
    """A type of C_j maximising (m - beta sigma) . c and the slack -max (orthants: ones, 0)."""
    d = [x - a.beta * s for x, s in zip(m, a.sigma, strict=True)]
    if a.kind != "box":
        ensure(all(x <= 0 for x in d), f"agent {a.name!r}: (SQ) fails (some m_j(i) > beta_j sigma_j(i))")
        return tuple(ONE for _ in m), ZERO
    best = max(a.vertices(), key=lambda c: sum((x * y for x, y in zip(d, c, strict=True)), ZERO))
    value = sum((x * y for x, y in zip(d, best, strict=True)), ZERO)
    ensure(value <= 0, f"agent {a.name!r}: (SQ) fails at the type {[str(x) for x in best]}")
    return best, -value


def _check_allocation(tasks: list[str], agents: list[Agent], ev: dict) -> None:
    n = len(tasks)
    raw = ev["allocation"]
    ensure(isinstance(raw, list) and len(raw) == len(agents), "evidence.allocation: one vector per agent")
    m = [_vector(x, n, f"evidence.allocation[{j}]", nonnegative=True) for j, x in enumerate(raw)]  # type: ignore[arg-type]
    for i in range(n):
        ensure(
            sum((mj[i] for mj in m), ZERO) == sum((a.sigma[i] for a in agents), ZERO),
            f"evidence.allocation: (MC) fails for task {tasks[i]!r}",
        )
    ensure(
        any(mj != a.sigma for mj, a in zip(m, agents, strict=True)), "evidence.allocation: is the status quo"
    )
    at = ev["at"]
    ensure(isinstance(at, list) and len(at) == 2, "evidence.at: expected [agent, task]")
    names = [a.name for a in agents]
    ensure(at[0] in names and at[1] in tasks, "evidence.at: unknown agent or task")  # type: ignore[index]
    j, i = names.index(at[0]), tasks.index(at[1])  # type: ignore[index, arg-type]
    gap = abs(m[j][i] - agents[j].sigma[i])
    ensure(
        gap > 0 and rational(ev["departure"], "evidence.departure") == gap,
        "evidence.departure: not |m - sigma| at 'at'",
    )
    sq = exact_keys(ev["sq_mc"], ("kind", "beta", "worst_types"), (), "evidence.sq_mc")
    ensure(sq["kind"] == "sq_mc", "evidence.sq_mc.kind: expected 'sq_mc'")
    ensure(
        [rational(b, "evidence.sq_mc.beta") for b in sq["beta"]] == [a.beta for a in agents],
        "evidence.sq_mc.beta: not the subject's",
    )  # type: ignore[union-attr]
    worst = sq["worst_types"]
    ensure(isinstance(worst, list) and len(worst) == len(agents), "evidence.sq_mc.worst_types: one per agent")
    for j, (a, item) in enumerate(zip(agents, worst, strict=True)):  # type: ignore[arg-type]
        at_j = f"evidence.sq_mc.worst_types[{j}]"
        item = exact_keys(item, ("agent", "type", "slack"), (), at_j)
        ensure(item["agent"] == a.name, f"{at_j}.agent: expected {a.name!r}")
        c, slack = _worst(a, m[j])
        stated = _vector(item["type"], n, f"{at_j}.type")
        if a.kind == "box":
            value = sum(((x - a.beta * s) * y for x, s, y in zip(m[j], a.sigma, stated, strict=True)), ZERO)
            ensure(stated in a.vertices() and -value == slack, f"{at_j}.type: not a worst vertex")
        else:
            ensure(stated == c, f"{at_j}.type: expected the all-ones type")
        ensure(rational(item["slack"], f"{at_j}.slack") == slack, f"{at_j}.slack: recomputed {slack}")


def _check_bounds(tasks: list[str], agents: list[Agent], ev: dict) -> None:
    bounds = ev["bounds"]
    pairs = [(j, i) for j in range(len(agents)) for i in range(len(tasks))]
    ensure(
        isinstance(bounds, list) and len(bounds) == len(pairs), "evidence.bounds: one entry per (agent, task)"
    )
    for (j, i), item in zip(pairs, bounds, strict=True):  # type: ignore[arg-type]
        where = f"evidence.bounds[{j * len(tasks) + i}]"
        item = exact_keys(item, ("agent", "task", "max", "min"), (), where)
        ensure(item["agent"] == agents[j].name and item["task"] == tasks[i], f"{where}: wrong agent or task")
        for sense in ("max", "min"):
            value = program(tasks, agents, j, i, sense).check_certificate(
                item[sense], "optimal", f"{where}.{sense}"
            )
            ensure(
                value == agents[j].sigma[i],
                f"{where}.{sense}: optimum {value} is not sigma = {agents[j].sigma[i]}",
            )
    ensure(rational(ev["departure"], "evidence.departure") == 0, "evidence.departure: must be 0")
    ensure(ev["at"] is None, "evidence.at: must be null")
    stated = ev["allocation"]
    ensure(
        isinstance(stated, list) and len(stated) == len(agents), "evidence.allocation: one vector per agent"
    )
    for j, a in enumerate(agents):
        ensure(
            _vector(stated[j], len(tasks), f"evidence.allocation[{j}]") == a.sigma,
            "evidence.allocation: not sigma",
        )  # type: ignore[index]


def recheck_lemma1(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    """Re-verify a ``status-quo-unique`` certificate (module docstring); raise `RecheckError`."""
    if prop != "status-quo-unique" or verdict not in KINDS:
        fail(f"no independent checker for {prop!r} {verdict!r} on an sq_mc_economy subject")
    ensure(evidence.get("kind") == KINDS[verdict], f"evidence.kind: {verdict} needs {KINDS[verdict]!r}")
    tasks, agents = parse(encoding)
    if verdict == "holds":
        ev = exact_keys(evidence, ("kind", "departure", "at", "allocation", "bounds"), (), "evidence")
        _check_bounds(tasks, agents, ev)
    else:
        ev = exact_keys(evidence, ("kind", "allocation", "departure", "at", "sq_mc"), (), "evidence")
        _check_allocation(tasks, agents, ev)
