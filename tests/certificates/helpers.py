"""Shared builders for the certificate tests: small subjects, certificates, mutations."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from verified.certificates import build_certificate
from verified.io import AssignmentSubject, load_subject, table_subject
from verified.registry import run_check

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def certificate(subject: AssignmentSubject, prop: str) -> dict[str, Any]:
    """Check ``prop`` on ``subject`` and return its certificate document."""
    return build_certificate(prop, run_check(prop, subject), table_subject(subject.table))


def example(name: str) -> AssignmentSubject:
    return load_subject(EXAMPLES / name)


def mutated(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``doc`` with the entry at ``path`` replaced by ``value``."""
    out = copy.deepcopy(doc)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def rehash(doc: dict[str, Any]) -> dict[str, Any]:
    """Recompute the subject SHA-256 (a forger who changed the subject would do this)."""
    from verified.io import subject_sha256

    out = copy.deepcopy(doc)
    out["subject"]["sha256"] = subject_sha256(out["subject"]["encoding"])
    return out
