"""z3 encodings of the assignment properties (Erdil, section 2).

* `table`: `SymbolicTable`, a mechanism's entries as fixed numerals or z3 unknowns;
* `constraints`: composable builders returning `verified.smt.Encoding`
  (valid, individually_rational, strategyproof, weakly_dominates, dominates,
  nonwasteful_at, nonwasteful, equal_treatment);
* `violations`: ``check_<property>_smt`` queries that ask z3 for a counterexample
  and decode it into profiles, agents, misreports and prefixes;
* `efficiency`: z3 twins of the LP-decided ex post efficiency, SD-efficiency and ex post
  stability of one assignment at one profile.
"""

from verified.assignment.encodings import constraints
from verified.assignment.encodings.efficiency import (
    check_ex_post_efficient_smt,
    check_ex_post_stable_smt,
    check_sd_efficient_smt,
)
from verified.assignment.encodings.table import SymbolicTable
from verified.assignment.encodings.violations import (
    check_assignment_dominance_smt,
    check_equal_treatment_smt,
    check_individually_rational_smt,
    check_nonwasteful_at_smt,
    check_nonwasteful_smt,
    check_strategyproof_smt,
)

__all__ = [
    "SymbolicTable",
    "check_assignment_dominance_smt",
    "check_equal_treatment_smt",
    "check_ex_post_efficient_smt",
    "check_ex_post_stable_smt",
    "check_individually_rational_smt",
    "check_nonwasteful_at_smt",
    "check_nonwasteful_smt",
    "check_sd_efficient_smt",
    "check_strategyproof_smt",
    "constraints",
]
