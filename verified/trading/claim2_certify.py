"""The property ``one-improving-set``: Claim 2's necessary condition for menu-level OSP, certified.

Valenzuela-Stookey, proof of Theorem 2, Claim 2: in an OSP mechanism no set other than the
chosen one has a point x with c_j . x < c_j . eta_j. With eta_j in every set (Claim 1), a type
c in C_j at which two different sets each offer such a point has no obviously dominant choice.
The property, for one agent: *at every type c in C_j at most one set of the menu offers a point
strictly cheaper than the endowment eta_j*. It is a statement about the menu alone (it does not
need Claim 1; with Claim 1 it is necessary for menu-level OSP, ``menu-osp``).

A set offers a point below c . eta iff c . u < 0 for one of its improving directions u
(`verified.trading.claim2.improving_directions`). For each pair of sets k' < k'' and each pair
of directions (u, w) one exact LP (`verified.trading.claim2`, module docstring)

    max s  subject to  c . u + s <= 0,  c . w + s <= 0,  s <= 1,  c in C_j (scaled for orthants)

has optimum > 0 iff some type makes both directions negative.

Evidence (the independent checker is `verified.recheck.trading_claim2`):

* HOLDS, per agent (``per_agent`` items, kind ``improving_set_programs``): ``eta``, the menu's
  ``sets``, the cost ``domain``, ``directions`` (per set, in menu order) and ``pairs``: for every
  pair of sets and directions, in order, the ``lp`` itself and its optimal ``certificate``
  (primal, dual, reduced costs) with optimum <= 0.
* FAILS (kind ``two_improving_sets``): the ``agent``, the type ``cost`` in C_j, ``eta_cost``
  = c . eta, the two set indices ``sets`` (k' < k''), their ``points`` and ``point_costs``
  (c . x' and c . x'', both < c . eta).
* UNKNOWN when an LP hits the time limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations, product

from verified.lp import solve_exact
from verified.results import CheckResult, fails, holds, unknown
from verified.trading.claim2 import _check_menu, _pair_program, improving_directions, point_below
from verified.trading.model import CostDomain, dot, vector
from verified.trading.sets import TradingSet, describe_set

ONE_IMPROVING_SET = "one_improving_set"  # the Python result name (registry: ``one-improving-set``)
HOLDS_KIND = "improving_set_programs"
FAILS_KIND = "two_improving_sets"


def check_one_improving_set(
    menu: Sequence[TradingSet], eta: Sequence[object], domain: CostDomain, *, time_limit: float | None = None
) -> CheckResult:
    """At every type in ``domain`` at most one set of ``menu`` has a point x with c . x < c . eta
    (module docstring: the evidence of each verdict). Exact: one LP per pair of sets and pair of
    improving directions, each solved with a verified certificate."""
    e = vector(eta, "eta", domain.dimension)
    _check_menu(menu, e)
    dirs = [improving_directions(t, e) for t in menu]
    pairs = []
    for k1, k2 in combinations(range(len(menu)), 2):
        for u, w in product(dirs[k1], dirs[k2]):
            program = _pair_program(u, w, domain)
            result = solve_exact(program, time_limit=time_limit)
            if result.status != "optimal" or result.objective is None:
                reason = result.reason or result.status
                return unknown(ONE_IMPROVING_SET, f"the LP for sets {k1}, {k2}: {reason}")
            if result.objective > 0:
                c = tuple(result.primal.get(f"c[{i}]", Fraction(0)) for i in range(len(e)))
                x1, x2 = point_below(menu[k1], e, c), point_below(menu[k2], e, c)
                if x1 is None or x2 is None:  # pragma: no cover - the LP's s > 0 says both improve
                    raise AssertionError(f"the LP type {c} does not improve in sets {k1} and {k2}")
                evidence = {
                    "kind": FAILS_KIND,
                    "cost": list(c),
                    "eta_cost": dot(c, e),
                    "sets": [k1, k2],
                    "points": [list(x1), list(x2)],
                    "point_costs": [dot(c, x1), dot(c, x2)],
                }
                return fails(ONE_IMPROVING_SET, evidence)
            pairs.append(
                {
                    "sets": [k1, k2],
                    "directions": [list(u), list(w)],
                    "lp": program.to_evidence(),
                    "certificate": result.to_evidence(),
                }
            )
    evidence = {
        "kind": HOLDS_KIND,
        "eta": list(e),
        "sets": [describe_set(t) for t in menu],
        "domain": domain.describe(),
        "directions": [[list(u) for u in d] for d in dirs],
        "pairs": pairs,
    }
    return holds(ONE_IMPROVING_SET, evidence)
