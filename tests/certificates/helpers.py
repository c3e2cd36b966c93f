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
# Stored certificates that take half a minute or more each to re-check. Each has its own test file
# (test_stored_search_full.py, test_stored_erdil_h.py); the tests that run over every stored
# certificate (re-check, streaming reader, tampering, the stdlib-only run, regeneration) leave them
# out: their evidence kinds are covered there by smaller certificates.
HEAVY = frozenset({"search_full_n4_m3.json", "erdil_h_4x3.ex-post-efficient.cert.json.gz"})


def stored_certificates() -> list[Path]:
    """The stored certificates, heavy ones left out (`HEAVY`), in name order."""
    return sorted(
        p
        for p in (ROOT / "certificates").iterdir()
        if p.name.endswith((".json", ".json.gz")) and p.name not in HEAVY
    )


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


def holds_document(prop: str, evidence: dict[str, Any], encoding: dict[str, Any]) -> dict[str, Any]:
    """A HOLDS certificate of ``prop`` on the subject ``encoding`` (hashed here), as a hand-built
    or hostile file would be: only the checker decides whether its evidence proves anything."""
    from verified.recheck.core import sha256

    return {
        "schema": "verified-certificate/2",
        "tool": {"name": "verified", "version": "0.1.0"},
        "property": prop,
        "verdict": "holds",
        "evidence": evidence,
        "subject": {"sha256": sha256(encoding), "encoding": encoding},
    }
