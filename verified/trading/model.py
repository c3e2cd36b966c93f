"""Economies with tasks, supplies, endowments and cost types (Valenzuela-Stookey, section 2).

Tasks i = 1..I with supplies n^i; agents j = 1..J; each agent's endowment
eta_j in Q^I_+ (the status quo, as expected assignments; the endowments sum to
the supplies: market clearing); each agent's performance weights pi_j in Q^I
(the designer's social cost is sum_j pi_j . mu_j); each agent's cost-type
domain C_j: a box prod_i [lo_i, hi_i] with 0 <= lo <= hi, the non-negative
orthant, or the strictly positive orthant (the paper's "strictly monotone"
preferences). Agent j with type c_j dislikes the workload c_j . mu_j (lower is
better).

Every number goes through `verified.numbers.to_fraction`; vectors are tuples
of Fractions (`Vector`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from verified.errors import InvalidInput
from verified.names import validated_names
from verified.numbers import to_fraction

Vector = tuple[Fraction, ...]

COST_DOMAIN_KINDS = ("box", "orthant", "positive_orthant")


def vector(values: Sequence[object], where: str, dimension: int | None = None) -> Vector:
    """Exact vector from ints, Fractions or ``"n/d"`` strings (floats are rejected).

    ``dimension``, when given, is enforced (the error names ``where``).
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InvalidInput(f"expected a sequence of numbers, got {values!r}", where)
    out = tuple(to_fraction(v, f"{where}[{k}]") for k, v in enumerate(values))
    if dimension is not None and len(out) != dimension:
        raise InvalidInput(f"expected {dimension} entries, got {len(out)}", where)
    return out


def dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    """Exact inner product."""
    return sum((Fraction(x) * Fraction(y) for x, y in zip(a, b, strict=True)), Fraction(0))


def is_nonnegative(v: Sequence[Fraction]) -> bool:
    return all(x >= 0 for x in v)


@dataclass(frozen=True, slots=True)
class LinearDescription:
    """The set {x : rows[r] . x <= rhs[r] (or < when strict[r])} in R^dimension, exact."""

    dimension: int
    rows: tuple[Vector, ...]
    rhs: Vector
    strict: tuple[bool, ...]

    def __post_init__(self) -> None:
        if not (len(self.rows) == len(self.rhs) == len(self.strict)):
            raise InvalidInput("rows, rhs and strict must have the same length", "LinearDescription")
        for r, row in enumerate(self.rows):
            if len(row) != self.dimension:
                raise InvalidInput(f"row has {len(row)} entries, expected {self.dimension}", f"rows[{r}]")

    @classmethod
    def make(
        cls,
        dimension: int,
        constraints: Sequence[tuple[Vector, Fraction]],
        strict: Sequence[bool] | None = None,
    ) -> LinearDescription:
        rows = tuple(tuple(Fraction(a) for a in row) for row, _ in constraints)
        rhs = tuple(Fraction(b) for _, b in constraints)
        flags = tuple(strict) if strict is not None else (False,) * len(rows)
        return cls(dimension, rows, rhs, flags)

    def contains(self, x: Sequence[Fraction]) -> bool:
        for row, b, s in zip(self.rows, self.rhs, self.strict, strict=True):
            value = dot(row, x)
            if value > b or (s and value == b):
                return False
        return True


@dataclass(frozen=True, slots=True)
class CostDomain:
    """An agent's set of cost types C_j in R^I_+.

    ``kind``: ``"box"`` (prod_i [lo_i, hi_i], 0 <= lo <= hi), ``"orthant"``
    (c >= 0) or ``"positive_orthant"`` (c > 0, strictly monotone preferences).
    """

    kind: str
    dimension: int
    lo: Vector | None = None
    hi: Vector | None = None

    def __post_init__(self) -> None:
        if self.kind not in COST_DOMAIN_KINDS:
            raise InvalidInput(
                f"unknown kind {self.kind!r}; expected one of {COST_DOMAIN_KINDS}", "CostDomain"
            )
        if isinstance(self.dimension, bool) or not isinstance(self.dimension, int) or self.dimension < 1:
            raise InvalidInput(f"dimension must be a positive int, got {self.dimension!r}", "CostDomain")
        if self.kind == "box":
            if self.lo is None or self.hi is None:
                raise InvalidInput("a box needs lo and hi", "CostDomain")
            if len(self.lo) != self.dimension or len(self.hi) != self.dimension:
                raise InvalidInput(f"lo and hi need {self.dimension} entries", "CostDomain")
            for i, (a, b) in enumerate(zip(self.lo, self.hi, strict=True)):
                if a < 0:
                    raise InvalidInput(f"lo must be >= 0, got {a}", f"CostDomain.lo[{i}]")
                if a > b:
                    raise InvalidInput(f"lo {a} exceeds hi {b}", f"CostDomain[{i}]")
        elif self.lo is not None or self.hi is not None:
            raise InvalidInput(f"a {self.kind} has no lo/hi", "CostDomain")

    @classmethod
    def box(cls, lo: Sequence[object], hi: Sequence[object], where: str = "cost domain") -> CostDomain:
        lo_v = vector(lo, f"{where}.lo")
        hi_v = vector(hi, f"{where}.hi", len(lo_v))
        if not lo_v:
            raise InvalidInput("a box needs at least one task", where)
        for i, (a, b) in enumerate(zip(lo_v, hi_v, strict=True)):
            if a < 0:
                raise InvalidInput(f"lower bound must be >= 0, got {a}", f"{where}.lo[{i}]")
            if a > b:
                raise InvalidInput(f"lower bound {a} exceeds upper bound {b}", f"{where}[{i}]")
        return cls("box", len(lo_v), lo_v, hi_v)

    @classmethod
    def orthant(cls, dimension: int) -> CostDomain:
        return cls("orthant", dimension)

    @classmethod
    def positive_orthant(cls, dimension: int) -> CostDomain:
        return cls("positive_orthant", dimension)

    @property
    def is_bounded(self) -> bool:
        return self.kind == "box"

    def contains(self, c: Sequence[object]) -> bool:
        c = vector(c, "cost type")
        if len(c) != self.dimension:
            return False
        if self.kind == "box":
            assert self.lo is not None and self.hi is not None
            return all(a <= x <= b for a, x, b in zip(self.lo, c, self.hi, strict=True))
        if self.kind == "orthant":
            return all(x >= 0 for x in c)
        return all(x > 0 for x in c)

    def vertices(self) -> tuple[Vector, ...]:
        """The corners of a box, lexicographic in (lo/hi per task), without repeats."""
        if self.kind != "box":
            raise InvalidInput(f"a {self.kind} has no vertices (it is unbounded)", "CostDomain.vertices")
        assert self.lo is not None and self.hi is not None
        choices = [(a,) if a == b else (a, b) for a, b in zip(self.lo, self.hi, strict=True)]
        return tuple(tuple(p) for p in product(*choices))

    def linear_description(self) -> LinearDescription:
        """C_j as linear constraints on c (strict rows for the positive orthant)."""
        n = self.dimension
        unit = [tuple(Fraction(int(i == k)) for i in range(n)) for k in range(n)]
        neg = [tuple(-x for x in u) for u in unit]
        if self.kind == "box":
            assert self.lo is not None and self.hi is not None
            cons = [(neg[k], -self.lo[k]) for k in range(n)] + [(unit[k], self.hi[k]) for k in range(n)]
            return LinearDescription.make(n, cons)
        cons = [(neg[k], Fraction(0)) for k in range(n)]
        return LinearDescription.make(n, cons, [self.kind == "positive_orthant"] * n)

    def describe(self) -> dict[str, object]:
        """JSON-ready description (for evidence)."""
        out: dict[str, object] = {"kind": self.kind, "dimension": self.dimension}
        if self.kind == "box":
            out["lo"] = list(self.lo or ())
            out["hi"] = list(self.hi or ())
        return out


@dataclass(frozen=True, slots=True)
class Economy:
    """Tasks, supplies, agents, endowments, performance weights and cost domains.

    Valenzuela-Stookey, section 2: supplies n in Q^I_+, endowment eta_j in
    Q^I_+ with sum_j eta_j = n (market clearing), designer's weights pi_j in
    Q^I, cost-type domain C_j. Build one with `Economy.make`.
    """

    tasks: tuple[str, ...]
    supplies: Vector
    agents: tuple[str, ...]
    endowment: tuple[Vector, ...]
    performance: tuple[Vector, ...]
    cost_domains: tuple[CostDomain, ...]

    def __post_init__(self) -> None:
        n_tasks, n_agents = len(self.tasks), len(self.agents)
        if n_tasks < 1 or n_agents < 1:
            raise InvalidInput("need at least one task and one agent", "Economy")
        if len(self.supplies) != n_tasks:
            raise InvalidInput(f"expected {n_tasks} supplies, got {len(self.supplies)}", "supplies")
        for i, s in enumerate(self.supplies):
            if s < 0:
                raise InvalidInput(f"supply must be >= 0, got {s}", f"supplies[{i}] (task {self.tasks[i]!r})")
        for field_name in ("endowment", "performance", "cost_domains"):
            if len(getattr(self, field_name)) != n_agents:
                raise InvalidInput(
                    f"expected one entry per agent ({n_agents}), got {len(getattr(self, field_name))}",
                    field_name,
                )
        for j, agent in enumerate(self.agents):
            eta, pi, dom = self.endowment[j], self.performance[j], self.cost_domains[j]
            if len(eta) != n_tasks:
                raise InvalidInput(f"expected {n_tasks} entries", f"endowment of agent {agent!r}")
            for i, x in enumerate(eta):
                if x < 0:
                    raise InvalidInput(
                        f"must be >= 0, got {x}", f"endowment of agent {agent!r}, task {self.tasks[i]!r}"
                    )
            if len(pi) != n_tasks:
                raise InvalidInput(f"expected {n_tasks} entries", f"performance of agent {agent!r}")
            if not isinstance(dom, CostDomain) or dom.dimension != n_tasks:
                raise InvalidInput(
                    f"expected a CostDomain of dimension {n_tasks}", f"cost domain of agent {agent!r}"
                )
        for i, task in enumerate(self.tasks):
            total = sum((eta[i] for eta in self.endowment), Fraction(0))
            if total != self.supplies[i]:
                raise InvalidInput(
                    f"endowments sum to {total} but the supply is {self.supplies[i]} (market clearing)",
                    f"task {task!r}",
                )

    @classmethod
    def make(
        cls,
        tasks: Sequence[object] | int,
        agents: Sequence[object] | int,
        endowment: Sequence[Sequence[object]],
        performance: Sequence[Sequence[object]] | None = None,
        cost_domains: Sequence[CostDomain] | CostDomain | None = None,
        supplies: Sequence[object] | None = None,
    ) -> Economy:
        """Build and validate an economy.

        ``tasks``/``agents``: a count (names "1", "2", ...) or names.
        ``endowment``: one vector per agent. ``supplies`` defaults to the sum
        of the endowments (and is checked against it when given).
        ``performance`` defaults to zero weights; ``cost_domains`` to the
        non-negative orthant for every agent (one domain is shared by all).
        """
        task_names = validated_names(tasks, "tasks")
        agent_names = validated_names(agents, "agents")
        n_tasks = len(task_names)
        if len(endowment) != len(agent_names):
            raise InvalidInput(f"expected {len(agent_names)} endowments, got {len(endowment)}", "endowment")
        eta = tuple(
            vector(e, f"endowment of agent {a!r}", n_tasks)
            for a, e in zip(agent_names, endowment, strict=True)
        )
        if performance is None:
            pis = tuple((Fraction(0),) * n_tasks for _ in agent_names)
        else:
            if len(performance) != len(agent_names):
                raise InvalidInput(
                    f"expected {len(agent_names)} vectors, got {len(performance)}", "performance"
                )
            pis = tuple(
                vector(p, f"performance of agent {a!r}", n_tasks)
                for a, p in zip(agent_names, performance, strict=True)
            )
        if cost_domains is None:
            doms = tuple(CostDomain.orthant(n_tasks) for _ in agent_names)
        elif isinstance(cost_domains, CostDomain):
            doms = tuple(cost_domains for _ in agent_names)
        else:
            doms = tuple(cost_domains)
        if supplies is None:
            sup = tuple(sum((e[i] for e in eta), Fraction(0)) for i in range(n_tasks))
        else:
            sup = vector(supplies, "supplies", n_tasks)
        return cls(task_names, sup, agent_names, eta, pis, doms)

    @property
    def n_tasks(self) -> int:
        return len(self.tasks)

    @property
    def n_agents(self) -> int:
        return len(self.agents)

    def agent_index(self, agent: str | int) -> int:
        """Index of an agent given by name (or already an index)."""
        if isinstance(agent, int) and not isinstance(agent, bool):
            if 0 <= agent < len(self.agents):
                return agent
            raise InvalidInput(f"no agent with index {agent}", "agent")
        if agent in self.agents:
            return self.agents.index(agent)
        raise InvalidInput(f"unknown agent {agent!r}; agents are {list(self.agents)}", "agent")

    def social_cost(self, allocation: Sequence[Sequence[Fraction]]) -> Fraction:
        """The designer's cost sum_j pi_j . mu_j."""
        return sum((dot(p, m) for p, m in zip(self.performance, allocation, strict=True)), Fraction(0))

    def clears_market(self, allocation: Sequence[Sequence[Fraction]]) -> bool:
        """sum_j mu_j = n and every mu_j >= 0."""
        if len(allocation) != self.n_agents:
            return False
        if any(len(m) != self.n_tasks or not is_nonnegative(m) for m in allocation):
            return False
        return all(
            sum((m[i] for m in allocation), Fraction(0)) == self.supplies[i] for i in range(self.n_tasks)
        )
