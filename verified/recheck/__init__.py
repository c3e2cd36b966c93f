"""The independent certificate checker: Python standard library only.

It imports nothing from the rest of `verified` (no z3, no numpy, no solver
code): it re-derives every claim from the certificate's embedded subject and
evidence with `fractions`, `json`, `hashlib` and `itertools`. A test enforces
the import rule. Use::

    from verified.recheck import recheck_file
    recheck_file("certificates/rp_4x3.sp.cert.json.gz")   # raises RecheckError on any defect

or ``verified recheck CERT...`` / ``python -m verified.recheck CERT...``.
"""

from verified.recheck.core import RecheckError, recheck, recheck_file

__all__ = ["RecheckError", "recheck", "recheck_file"]
