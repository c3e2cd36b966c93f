"""Hypothesis strategies for both families, for users' own property tests.

- `verified.strategies.assignment` (re-exported here): problems, preferences, profiles, exact
  stochastic assignments, small domains and tabulated mechanisms (anonymous or not).
- `verified.strategies.trading`: exact vectors, directions, rays, polarized rays, cost domains,
  economies and menus (Valenzuela-Stookey).

Requires the ``hypothesis`` test dependency (``pip install 'verified[test]'``).
"""

from verified.errors import require_extra

require_extra("hypothesis", "test", "verified.strategies")

from verified.strategies.assignment import (  # noqa: E402 - after the check for hypothesis
    anonymous_tabulated_mechanisms,
    preferences,
    problems,
    profiles,
    random_assignment,
    random_deterministic,
    small_domains,
    stochastic_assignments,
    symmetrize,
    tabulated_mechanisms,
)

__all__ = [
    "anonymous_tabulated_mechanisms",
    "preferences",
    "problems",
    "profiles",
    "random_assignment",
    "random_deterministic",
    "small_domains",
    "stochastic_assignments",
    "symmetrize",
    "tabulated_mechanisms",
]
