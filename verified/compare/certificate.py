"""Certificates of a comparison, re-verified by `verified.recheck.compare` (standard library only).

The subject holds both tables, each in the encoding of a single-table certificate
(`verified.io.canonical.table_subject`), so the checker re-validates each as it does for
``verified check``'s certificates::

    {"family": "comparison", "kind": "two_tables", "old": TABLE, "new": TABLE}

The property is the relation claimed of NEW against OLD (``equal``, ``weakly-dominates``,
``dominates``); the evidence is ``exhaustive_comparison`` (every number of the comparison, over
the whole domain) or ``witness_pair`` (one agent at one profile that refutes the relation, the
subject then being the two tables restricted to that one profile, as `verified.io.local` does
for local FAILS certificates). See `verified.recheck.compare` for exactly what is re-derived.
"""

from __future__ import annotations

from typing import Any

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.properties._common import domain_description, row_json, table_digest
from verified.assignment.stochastic import StochasticAssignment
from verified.certificates import build_certificate
from verified.compare.model import Differences, Pair, satisfies
from verified.compare.pairs import first_loss
from verified.io.canonical import table_subject
from verified.results import CheckResult, Verdict


def comparison_subject(old: TabulatedMechanism, new: TabulatedMechanism) -> dict[str, Any]:
    """The canonical subject of a comparison: both tables (see module docstring)."""
    return {
        "family": "comparison",
        "kind": "two_tables",
        "old": table_subject(old),
        "new": table_subject(new),
    }


def exhaustive_certificate(
    prop: str, differences: Differences, old: TabulatedMechanism, new: TabulatedMechanism
) -> dict[str, Any]:
    """The certificate that NEW ``prop`` OLD holds or fails, with every number of ``differences``."""
    problem = old.domain.problem
    verdict = Verdict.HOLDS if satisfies(differences.relation, prop) else Verdict.FAILS
    first = {
        kind: {
            "profile": [list(r) for r in pair.profile],
            "agent": pair.agent,
            "old_row": row_json(problem, pair.old_row),
            "new_row": row_json(problem, pair.new_row),
        }
        for kind, pair in differences.first.items()
    }
    evidence = {
        "kind": "exhaustive_comparison",
        "domain": domain_description(old.domain),
        "old_table_digest": table_digest(old),
        "new_table_digest": table_digest(new),
        "pairs": differences.profiles * differences.agents,
        "relation": differences.relation,
        "counts": differences.by_category,
        "first": first,
        "changed_profiles": differences.changed_count,
        "changed": [
            {"profile": [list(r) for r in c.profile], "agents": [a for a, _, _ in c.rows]}
            for c in differences.changed
        ],
        "size": differences.size.to_json(),
        "classification_sha256": differences.digest,
    }
    return build_certificate(prop, CheckResult(prop, verdict, evidence), comparison_subject(old, new))


def _one_profile(assignment: StochasticAssignment, domain: Domain, name: str) -> TabulatedMechanism:
    return TabulatedMechanism.from_assignments(domain, [assignment], name)


def witness_certificate(
    prop: str,
    pair: Pair,
    old: tuple[str, StochasticAssignment],
    new: tuple[str, StochasticAssignment],
) -> dict[str, Any]:
    """The certificate that NEW ``prop`` OLD fails at ``pair``; ``old`` and ``new`` are each
    mechanism's name and its assignment at the pair's profile (the subject: one-profile tables)."""
    problem = old[1].problem
    domain = Domain.restricted(problem, [[r] for r in pair.profile])
    evidence: dict[str, Any] = {
        "kind": "witness_pair",
        "profile": [list(r) for r in pair.profile],
        "agent": pair.agent,
        "category": pair.category,
        "old_row": row_json(problem, pair.old_row),
        "new_row": row_json(problem, pair.new_row),
    }
    if pair.category in ("worse", "incomparable"):
        found = first_loss(pair.old_row, pair.new_row, pair.preference, problem)
        assert found is not None  # a worse or incomparable pair has a prefix less likely under NEW
        evidence.update(prefix=found[0], old_cumulative=found[1], new_cumulative=found[2])
    subject = comparison_subject(_one_profile(old[1], domain, old[0]), _one_profile(new[1], domain, new[0]))
    return build_certificate(prop, CheckResult(prop, Verdict.FAILS, evidence), subject)
