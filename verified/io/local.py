"""Certificates of a FAILS verdict that carry only the profiles the counterexample needs.

A certificate's subject is the table of the mechanism it speaks about. On a domain past the
int64 table's cell limit (`verified.registry.beyond_table_limit`; 16,777,216 profiles of six
agents, say) the whole table cannot be written, and the standard-library checker could not
re-check it in a working day. A counterexample needs only a few rows, so a FAILS verdict of a
check on such a domain is certified on the mechanism's table over a *restricted* product
domain around the counterexample:

* SD-strategy-proofness (``sp``, evidence ``manipulation``): every other agent keeps her one
  ranking of the profile; the manipulating agent has two rankings, the truth and the
  misreport. Two profiles: the truthful one and the one after lying.
* individual rationality (``ir``, evidence ``unacceptable_share``): the one profile.

The restricted domain is a subset of the checked domain and its rows are the mechanism's rows
there, so a violation on it is a violation of the property on the whole domain (both
properties quantify over the profiles present). The independent checker re-derives the
violation from the restricted table with no change to its rules: the certificate claims
exactly what it shows, and its subject (hashed) says which profiles it covers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TableRows, TabulatedMechanism
from verified.results import CheckResult

#: The (property, evidence kind) pairs certified locally (see module docstring).
LOCAL_KINDS = {("sp", "manipulation"), ("ir", "unacceptable_share")}


def local_domain(domain: Domain, name: str, evidence: dict[str, Any]) -> Domain:
    """The restricted domain around the counterexample ``evidence`` of property ``name``."""
    problem = domain.problem
    profile = problem.profile(evidence["profile"])
    per_agent: list[list[tuple[str, ...]]] = [[ranking] for ranking in profile]
    if name == "sp":
        i = problem.agent_index(evidence["agent"])
        report = problem.preference(evidence["misreport"], "evidence.misreport")
        # in the checked domain's order of the agent's rankings (refused if not one of them)
        per_agent[i] = sorted({profile[i], report}, key=lambda r: domain.preference_index(i, r))
    return Domain.restricted(problem, per_agent)


def local_table(table: TableRows, name: str, evidence: dict[str, Any]) -> TabulatedMechanism:
    """``table``'s rows on `local_domain`, over the same denominator, in int64."""
    domain = table.domain
    restricted = local_domain(domain, name, evidence)
    rows = [np.asarray(table.numerators[domain.index(p)], dtype=np.int64) for p in restricted]
    return TabulatedMechanism(restricted, np.stack(rows), int(table.denominator), _name(table))


def _name(table: TableRows) -> str:
    return str(getattr(table, "name", "mechanism"))


def local_subject(table: TableRows, name: str, result: CheckResult) -> dict[str, Any] | None:
    """The subject encoding of ``result``'s certificate on a restricted table, or None when the
    verdict is not a FAILS of `LOCAL_KINDS` (a HOLDS needs every profile)."""
    from verified.io.canonical import table_subject

    evidence = result.evidence
    if result.verdict.value != "fails" or (name, evidence.get("kind")) not in LOCAL_KINDS:
        return None
    return table_subject(local_table(table, name, evidence))
