"""Mechanism-level OSP by exact Fourier-Motzkin, with re-checkable Motzkin certificates
(Valenzuela-Stookey, section 1.1, Definition of obviously dominant actions and of OSP).

With a finite selection table, agent j's strategy s_j is not OSP iff some type c in C_j with
s_j(c) = k, some deviation k' != k and two profiles a, b of the others' choices give

    c . P_j(k, a)  >  c . P_j(k', b).

The set {c : s_j(c) = k} is a finite union of convex *pieces* (below), so OSP fails iff one
of the finitely many linear systems

    c in C_j,  c in piece,  (P_j(k, a) - P_j(k', b)) . c > 0

is feasible. Each system is decided by exact Fourier-Motzkin: a feasible point is a
counterexample (re-verified); an infeasible one has Motzkin multipliers y >= 0 over its rows
(domain rows, then the piece's rows, then the atom written -(x - x') . c < 0), which a
standard-library checker verifies (`verified.recheck.trading_osp`).

Pieces of {c : s_j(c) = k}, in this order (rows are ``coeffs . c (<|<=) rhs``):

- ``{"type": "fixed"}``: s_j = k everywhere (no rows).
- ``{"type": "region", "region": r, "negated": [i_0, ..., i_{r-1}]}``: region r (action k)
  contains c and every earlier region q misses it through its row i_q: region r's rows,
  then for each q the negation of row i_q (a . c < b becomes -a . c <= -b; a . c <= b
  becomes -a . c < -b).
- ``{"type": "default", "negated": [i_0, ...]}``: no region contains c (one negated row each).
- ``{"type": "myopic", "minimizer_profile": p}`` (Lemma 4's myopic strategy, priority order
  o): with x = P_j(p) (p_j = k), s_j(c) = k iff some such x has (x - y) . c < 0 for every
  bundle y of T~_j^q with q before k in o, and (x - y) . c <= 0 for q after k. Rows: for q
  in o (skipping k), for the distinct bundles y of T~_j^q in the order they first appear in
  the table: (x - y) . c (<|<=) 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from itertools import product

from verified.results import CheckResult, fails, holds, unknown
from verified.trading.fourier_motzkin import Inequality, solve_system
from verified.trading.protocol import FixedStrategy, MyopicStrategy, RegionStrategy, TradingProtocol

ZERO = Fraction(0)
PROPERTY = "mechanism_osp"
Piece = tuple[dict[str, object], list[Inequality]]


def _negate(q: Inequality) -> Inequality:
    return Inequality(tuple(-a for a in q.coeffs), -q.rhs, not q.strict)


def _rows(description) -> list[Inequality]:  # a LinearDescription
    return [
        Inequality(r, b, s)
        for r, b, s in zip(description.rows, description.rhs, description.strict, strict=True)
    ]


def _region_pieces(strategy: RegionStrategy, k: int) -> Iterator[Piece]:
    regions = [_rows(d) for d, _ in strategy.regions]
    for r, (_, action) in enumerate(strategy.regions):
        if action != k:
            continue
        for negs in product(*(range(len(regions[q])) for q in range(r))):
            rows = regions[r] + [_negate(regions[q][i]) for q, i in enumerate(negs)]
            yield {"type": "region", "region": r, "negated": list(negs)}, rows
    if strategy.default == k:
        for negs in product(*(range(len(rows)) for rows in regions)):
            yield (
                {"type": "default", "negated": list(negs)},
                [_negate(regions[q][i]) for q, i in enumerate(negs)],
            )


def _myopic_pieces(protocol: TradingProtocol, j: int, strategy: MyopicStrategy, k: int) -> Iterator[Piece]:
    order = list(strategy.priority or range(len(protocol.menus[j])))
    position = order.index(k)
    for x, profile in protocol.outcomes(j, k):
        rows = []
        for pos, q in enumerate(order):
            if q == k:
                continue
            for y, _ in protocol.outcomes(j, q):
                diff = tuple(a - b for a, b in zip(x, y, strict=True))
                rows.append(Inequality(diff, ZERO, pos < position))
        yield {"type": "myopic", "minimizer_profile": list(profile)}, rows


def strategy_pieces(protocol: TradingProtocol, j: int, strategy, k: int) -> list[Piece]:
    """The convex pieces whose union is {c : s_j(c) = k} (see the module docstring)."""
    if isinstance(strategy, FixedStrategy):
        return [({"type": "fixed"}, [])] if strategy.action == k else []
    if isinstance(strategy, RegionStrategy):
        return list(_region_pieces(strategy, k))
    assert isinstance(strategy, MyopicStrategy)
    return list(_myopic_pieces(protocol, j, strategy, k))


def _row_json(q: Inequality) -> dict[str, object]:
    return {"coeffs": list(q.coeffs), "rhs": q.rhs, "strict": q.strict}


def check_mechanism_osp_direct(mechanism, *, max_rows: int = 20000) -> CheckResult:
    """OSP of a trading mechanism (protocol with a finite selection table + strategies), decided
    exactly without z3 (Valenzuela-Stookey, section 1.1, Definitions of obviously dominant
    actions and OSP; deviations k' != k).

    HOLDS evidence (kind ``"mechanism_osp_refutations"``): ``agents``, one item per agent in
    order with ``agent``, ``domain_rows`` (rows valid on C_j) and ``refuted``: for every
    choice k, piece of {s_j = k}, deviation k' and pair of distinct-bundle profiles, an entry
    ``{"choice", "piece", "deviation", "worse_profile", "better_profile", "multipliers"}``
    (Motzkin multipliers over the domain rows, the piece rows, then the atom row).
    FAILS evidence: kind ``"mechanism_osp_counterexample"`` as in `check_mechanism_osp`.
    """
    from verified.trading.mechanism_osp import osp_counterexample

    protocol = mechanism.protocol
    n = protocol.economy.n_tasks
    agents = []
    systems = 0
    for j, strategy in enumerate(mechanism.strategies):
        base = _rows(protocol.economy.cost_domains[j].linear_description())
        refuted = []
        size = len(protocol.menus[j])
        for k in range(size):
            for descriptor, piece_rows in strategy_pieces(protocol, j, strategy, k):
                for k2 in range(size):
                    if k2 == k:
                        continue
                    for x, worse in protocol.outcomes(j, k):
                        for x2, better in protocol.outcomes(j, k2):
                            atom = Inequality(tuple(b - a for a, b in zip(x, x2, strict=True)), ZERO, True)
                            found = solve_system(base + piece_rows + [atom], n, max_rows)
                            systems += 1
                            if found is None:
                                return unknown(
                                    PROPERTY,
                                    f"Fourier-Motzkin row limit {max_rows} exceeded "
                                    f"(agent {protocol.economy.agents[j]!r})",
                                    {"kind": "resource_limit"},
                                )
                            if found.feasible:
                                assert found.point is not None
                                return fails(
                                    PROPERTY, osp_counterexample(mechanism, j, found.point), method="direct"
                                )
                            assert found.multipliers is not None
                            refuted.append(
                                {
                                    "choice": k,
                                    "piece": descriptor,
                                    "deviation": k2,
                                    "worse_profile": list(worse),
                                    "better_profile": list(better),
                                    "multipliers": list(found.multipliers),
                                }
                            )
        agents.append(
            {
                "agent": protocol.economy.agents[j],
                "domain_rows": [_row_json(q) for q in base],
                "refuted": refuted,
            }
        )
    evidence = {
        "kind": "mechanism_osp_refutations",
        "statement": (
            "for every agent j, choice k, convex piece of {c : s_j(c) = k}, deviation k' != k and "
            "bundles x = P_j(k, a), x' = P_j(k', b), the system c in C_j, c in piece, (x - x') . c > 0 "
            "is infeasible: Motzkin multipliers over the domain rows, the piece rows, then -(x - x') . c < 0"
        ),
        "agents": agents,
    }
    return holds(PROPERTY, evidence, method="direct", systems=systems)
