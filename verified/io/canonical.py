"""The canonical encoding of what a certificate is about (its *subject*).

A subject is a plain JSON value (only dicts with string keys, lists, strings
and integers), so `verified.results.canonical_json` of it is a unique byte
string and its SHA-256 identifies it. The independent checker
(`verified.recheck`) recomputes that SHA-256 with the standard library alone.

An assignment table subject::

    {"family": "assignment", "kind": "table",
     "problem": {"agents": [...], "objects": [...], "capacities": [...]},
     "domain": {"full": true}  |  {"preferences": [[ranking, ...] per agent]},
     "mechanism": {"name": str, "denominator": int,
                   "numerators": [[[int per column] per agent] per profile]}}

Profiles are in the domain's order (mixed radix, agent 0 most significant;
the full domain lists rankings by length, then in `itertools.permutations`
order), columns are the objects then the outside option.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem


def problem_encoding(problem: Problem) -> dict[str, Any]:
    return {
        "agents": list(problem.agents),
        "objects": list(problem.objects),
        "capacities": list(problem.capacities),
    }


def domain_encoding(domain: Domain) -> dict[str, Any]:
    if domain.preferences == Domain.full(domain.problem).preferences:
        return {"full": True}
    return {"preferences": [[list(pref) for pref in prefs] for prefs in domain.preferences]}


def table_subject(table: TabulatedMechanism) -> dict[str, Any]:
    """The canonical subject of a tabulated assignment mechanism (see module docstring)."""
    return {
        "family": "assignment",
        "kind": "table",
        "problem": problem_encoding(table.problem),
        "domain": domain_encoding(table.domain),
        "mechanism": {
            "name": table.name,
            "denominator": int(table.denominator),
            "numerators": _int_lists(table.numerators),
        },
    }


def _int_lists(array: Any) -> list[Any]:
    """Nested lists of Python ints: ``tolist`` gives them directly for an integer array (and for an
    object array of Python ints, which is what the tables hold past int64)."""
    out = array.tolist()
    if getattr(array, "dtype", None) is not None and array.dtype.kind in "iu":
        return out
    return [[[int(v) for v in row] for row in block] for block in out]


def subject_sha256(subject: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``subject`` (sorted keys, no spaces, ASCII),
    i.e. `verified.results.digest` for a subject made of plain JSON types."""
    text = json.dumps(subject, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def orbit_subject(orbits: Any) -> dict[str, Any]:
    """The canonical subject of an `~verified.assignment.anonymous.OrbitTable`: problem, the
    symmetric domain's rankings, the colex multiset numbering, and the rows per
    (own ranking, others' multiset) as integers over one denominator."""
    return {
        "family": "assignment",
        "kind": "orbit_table",
        "problem": problem_encoding(orbits.problem),
        "rankings": [list(r) for r in orbits.rankings],
        "multiset_index": "colex",
        "mechanism": {
            "name": orbits.name,
            "anonymity": orbits.anonymity,
            "denominator": int(orbits.denominator),
            "numerators": _int_lists(orbits.numerators),
        },
    }
