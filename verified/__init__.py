"""verified: certify mechanism-design properties exactly.

``import verified`` loads nothing heavy (no numpy, z3 or HiGHS): the names below are imported
the first time they are used (PEP 562 module ``__getattr__``), so a script that needs only the
model pays only for the model. The families live in their own packages:

- `verified.assignment` -- ordinal random assignment (Erdil): `Problem`, `Domain`,
  `StochasticAssignment`, the built-in mechanisms and the ``check_*`` properties;
- `verified.trading` -- multi-dimensional trading (Valenzuela-Stookey);
- `verified.search`, `verified.prove`, `verified.hunt`, `verified.compare` -- search for
  dominating mechanisms, statements about all mechanisms, counterexample hunts, comparisons;
- `verified.testing` -- ``assert_holds`` / ``assert_fails`` for a user's own test suite;
- `verified.recheck` -- the independent checker (standard library only).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it (imported on first use).
_LAZY = {
    "Problem": "verified.assignment.model",
    "Domain": "verified.assignment.domain",
    "StochasticAssignment": "verified.assignment.stochastic",
    "TabulatedMechanism": "verified.assignment.mechanism",
    "CheckResult": "verified.results",
    "Verdict": "verified.results",
    "InvalidInput": "verified.errors",
    "MissingExtra": "verified.errors",
    "OutOfReach": "verified.errors",
    "assert_holds": "verified.testing",
    "assert_fails": "verified.testing",
    "check_properties": "verified.testing",
    "load_subject": "verified.io",
}

__all__ = [  # the same names as _LAZY, written out so tools can read them
    "__version__",
    "Problem",
    "Domain",
    "StochasticAssignment",
    "TabulatedMechanism",
    "CheckResult",
    "Verdict",
    "InvalidInput",
    "MissingExtra",
    "OutOfReach",
    "assert_holds",
    "assert_fails",
    "check_properties",
    "load_subject",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from verified.assignment.domain import Domain
    from verified.assignment.mechanism import TabulatedMechanism
    from verified.assignment.model import Problem
    from verified.assignment.stochastic import StochasticAssignment
    from verified.errors import InvalidInput, MissingExtra, OutOfReach
    from verified.io import load_subject
    from verified.results import CheckResult, Verdict
    from verified.testing import assert_fails, assert_holds, check_properties


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'verified' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
