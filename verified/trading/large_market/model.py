"""Large-market economies: an economy with a finite type distribution F_j per agent
(Valenzuela-Stookey, section 4.1).

Each agent j has a finite distribution F_j over cost types c in Q^I: the *support* is a tuple
of distinct types, each strictly positive (the paper's model: c_j(i) > 0 for every task) and
inside the agent's cost domain C_j, and the *probabilities* are positive rationals summing to 1.
Under the paper's population reading, agent j is a unit mass of agents whose types are
distributed by F_j; the large-market constraint (LM-MC, eq. 3) asks markets to clear only in
expectation.

Everything is exact (`Fraction`); a float, a non-positive probability, a probability sum other
than 1, a repeated type, a type with a zero or negative cost, a type outside C_j, or a
distribution of the wrong dimension raises `InvalidInput` naming the agent and the place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from verified.errors import InvalidInput
from verified.numbers import to_fraction
from verified.trading.model import CostDomain, Economy, Vector, dot, vector

MAX_SUPPORT = 10
"""Support size (number of types of one agent) past which `support_function` answers UNKNOWN:
it solves one LP per non-empty set of types (2^m - 1 of them). Override per call."""


@dataclass(frozen=True, slots=True)
class TypeDistribution:
    """A finite distribution F_j over cost types: ``types[t]`` has probability ``probabilities[t]``."""

    types: tuple[Vector, ...]
    probabilities: tuple[Fraction, ...]

    @classmethod
    def make(
        cls,
        types: Sequence[Sequence[object]],
        probabilities: Sequence[object] | None = None,
        where: str = "type distribution",
        *,
        positive: bool = True,
    ) -> TypeDistribution:
        """Validate and build. ``probabilities`` defaults to uniform over the types. Costs must be
        > 0 (the paper's c_j(i) > 0), or only >= 0 with ``positive=False`` (`verified.trading.bic`,
        whose counterexamples need a task nobody minds)."""
        if isinstance(types, (str, bytes)) or not isinstance(types, Sequence) or not types:
            raise InvalidInput("expected a non-empty list of cost types", f"{where}.types")
        vecs = tuple(vector(c, f"{where}.types[{t}]") for t, c in enumerate(types))
        dim = len(vecs[0])
        if dim < 1:
            raise InvalidInput("a cost type needs at least one entry", f"{where}.types[0]")
        for t, c in enumerate(vecs):
            if len(c) != dim:
                raise InvalidInput(
                    f"expected {dim} entries like types[0], got {len(c)}", f"{where}.types[{t}]"
                )
            for i, x in enumerate(c):
                if x < 0 or (positive and x == 0):
                    bound = "strictly positive (the paper's c_j(i) > 0)" if positive else ">= 0"
                    raise InvalidInput(f"costs must be {bound}, got {x}", f"{where}.types[{t}][{i}]")
        seen: dict[Vector, int] = {}
        for t, c in enumerate(vecs):
            if c in seen:
                raise InvalidInput(
                    f"type repeats types[{seen[c]}]; merge their probabilities", f"{where}.types[{t}]"
                )
            seen[c] = t
        if probabilities is None:
            probs = tuple(Fraction(1, len(vecs)) for _ in vecs)
        else:
            if isinstance(probabilities, (str, bytes)) or not isinstance(probabilities, Sequence):
                raise InvalidInput("expected a list of probabilities", f"{where}.probabilities")
            if len(probabilities) != len(vecs):
                raise InvalidInput(
                    f"expected {len(vecs)} probabilities (one per type), got {len(probabilities)}",
                    f"{where}.probabilities",
                )
            probs = tuple(to_fraction(p, f"{where}.probabilities[{t}]") for t, p in enumerate(probabilities))
        for t, p in enumerate(probs):
            if p <= 0:
                raise InvalidInput(f"probabilities must be positive, got {p}", f"{where}.probabilities[{t}]")
        total = sum(probs, Fraction(0))
        if total != 1:
            raise InvalidInput(f"probabilities sum to {total}, not 1", f"{where}.probabilities")
        return cls(vecs, probs)

    @property
    def dimension(self) -> int:
        return len(self.types[0])

    @property
    def size(self) -> int:
        return len(self.types)

    def mean_cost(self) -> Vector:
        """E[c] exactly."""
        return tuple(
            sum((p * c[i] for p, c in zip(self.probabilities, self.types, strict=True)), Fraction(0))
            for i in range(self.dimension)
        )

    def bounding_box(self) -> CostDomain:
        """The smallest box holding the support."""
        n = self.dimension
        return CostDomain.box(
            [min(c[i] for c in self.types) for i in range(n)],
            [max(c[i] for c in self.types) for i in range(n)],
        )

    def describe(self) -> dict[str, object]:
        return {"types": [list(c) for c in self.types], "probabilities": list(self.probabilities)}


@dataclass(frozen=True, slots=True)
class LargeMarket:
    """An `Economy` (tasks, supplies n, endowments eta_j, performance pi_j, domains C_j) with one
    `TypeDistribution` per agent. The status quo is the endowment (eta = sigma)."""

    economy: Economy
    distributions: tuple[TypeDistribution, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.economy, Economy):
            raise InvalidInput(
                f"expected an Economy, got {type(self.economy).__name__}", "LargeMarket.economy"
            )
        dists = tuple(self.distributions)
        if len(dists) != self.economy.n_agents:
            raise InvalidInput(
                f"expected one type distribution per agent ({self.economy.n_agents}), got {len(dists)}",
                "LargeMarket.distributions",
            )
        for j, dist in enumerate(dists):
            agent = self.economy.agents[j]
            if not isinstance(dist, TypeDistribution):
                raise InvalidInput(
                    f"expected a TypeDistribution, got {type(dist).__name__}", f"agent {agent!r}"
                )
            if dist.dimension != self.economy.n_tasks:
                raise InvalidInput(
                    f"types have {dist.dimension} entries but there are {self.economy.n_tasks} tasks",
                    f"type distribution of agent {agent!r}",
                )
            domain = self.economy.cost_domains[j]
            for t, c in enumerate(dist.types):
                if not domain.contains(c):
                    raise InvalidInput(
                        f"type {[str(x) for x in c]} lies outside the agent's cost domain "
                        f"{domain.describe()}",
                        f"type distribution of agent {agent!r}, types[{t}]",
                    )
        object.__setattr__(self, "distributions", dists)

    @classmethod
    def make(
        cls,
        economy: Economy,
        types: Sequence[Sequence[Sequence[object]]],
        probabilities: Sequence[Sequence[object] | None] | None = None,
    ) -> LargeMarket:
        """Build from one list of types (and optionally probabilities; default uniform) per agent."""
        if isinstance(types, (str, bytes)) or not isinstance(types, Sequence):
            raise InvalidInput("expected one list of types per agent", "types")
        if len(types) != economy.n_agents:
            raise InvalidInput(f"expected {economy.n_agents} lists of types, got {len(types)}", "types")
        if probabilities is not None and len(probabilities) != economy.n_agents:
            raise InvalidInput(
                f"expected {economy.n_agents} lists of probabilities, got {len(probabilities)}",
                "probabilities",
            )
        dists = tuple(
            TypeDistribution.make(
                types[j],
                None if probabilities is None else probabilities[j],
                f"type distribution of agent {economy.agents[j]!r}",
            )
            for j in range(economy.n_agents)
        )
        return cls(economy, dists)

    def status_quo_cost(self) -> Fraction:
        """sum_j pi_j . eta_j: the designer's cost when nobody trades."""
        return self.economy.social_cost(self.economy.endowment)

    def describe(self) -> dict[str, object]:
        e = self.economy
        return {
            "tasks": list(e.tasks),
            "supplies": list(e.supplies),
            "agents": list(e.agents),
            "endowment": [list(v) for v in e.endowment],
            "performance": [list(v) for v in e.performance],
            "distributions": [d.describe() for d in self.distributions],
        }


def expected_cost(dist: TypeDistribution, point: Sequence[Fraction]) -> Fraction:
    """E_F[c] . x (a helper for reports)."""
    return dot(dist.mean_cost(), point)
