"""Counterexamples where the domain is far too large to enumerate (`verified hunt`).

`hunt` searches with hypothesis (strategies for profiles and misreports, a targeted phase, its
shrinker), re-verifies every counterexample exactly and certifies it like `verified check`'s
FAILS; a property with no counterexample found is UNKNOWN with what was tried.
"""

from verified.hunt.api import DEFAULT_BUDGET, Hunted, HuntReport, hunt
from verified.hunt.detect import HUNTABLE, Violation

__all__ = ["DEFAULT_BUDGET", "HUNTABLE", "HuntReport", "Hunted", "Violation", "hunt"]
