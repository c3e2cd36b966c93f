"""A witness's unknowns as certificates of the existing kinds (issue 10: "a witness mechanism is
re-checked by the existing property checks and stored as a certificate of the existing kinds").

When the statement's profiles are, in order, a domain the library checks mechanisms on (the full
domain, or every combination of per-agent rankings: `Domain.restricted`), each unknown of a
witness is a table over that domain. Each of its properties that the library checks on a table
(`verified.registry`: ``sp``, ``ir``, ``ete``, ``anonymous``, ``nonwasteful``, ``sd-efficient``,
``ex-post-efficient``) is then checked by the library's own check, and the result is a
certificate of the usual kind about that table, which `verified.recheck` re-verifies. On other
profile sets (listed or grown) the properties are "between the profiles present" and have no
such kind: the statement's certificate is the evidence.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.prove.statement import Statement

#: The statement's properties the library checks on a table, by the same name.
TABLE_PROPERTIES = ("sp", "ir", "ete", "anonymous", "nonwasteful", "sd-efficient", "ex-post-efficient")


def statement_domain(statement: Statement) -> Domain | None:
    """The domain whose profiles, in its order, are the statement's; None if there is none."""
    per_agent: list[list] = [[] for _ in range(statement.problem.n)]
    for profile in statement.profiles:
        for i, ranking in enumerate(profile):
            if ranking not in per_agent[i]:
                per_agent[i].append(ranking)
    count = 1
    for rankings in per_agent:
        count *= len(rankings)
    if count != len(statement.profiles):
        return None
    domain = Domain.restricted(statement.problem, per_agent)
    return domain if tuple(domain) == statement.profiles else None


def witness_table(domain: Domain, rows: list, name: str) -> TabulatedMechanism | None:
    """A witness's rows (exact strings, ``[profile][agent][column]``) as a table over ``domain``
    (int64 numerators over their common denominator: every numerator is at most the denominator,
    so None when that is 2**62 or more)."""
    values = [[[Fraction(v) for v in row] for row in table] for table in rows]
    den = lcm(1, *(v.denominator for table in values for row in table for v in row))
    if den >= 2**62:
        return None
    nums = [[[int(v * den) for v in row] for row in table] for table in values]
    return TabulatedMechanism(domain, np.array(nums, dtype=np.int64), den, name)


def witness_certificates(statement: Statement, tables: dict[str, list]) -> list[tuple[str, dict[str, Any]]]:
    """``(unknown, certificate)`` for every table property of every unknown of the witness
    ``tables`` (see module docstring), each re-verified by `verified.recheck`; empty when the
    profiles are not a domain. ``anonymous`` has a certificate of the library's kind only when the
    domain gives every agent the same rankings (`Domain.same_rankings`): otherwise permuting the
    agents leaves the profiles, the library's anonymity is not defined there, and the statement's
    own certificate ("between the profiles present") is the evidence, as on other profile sets."""
    from verified.certificates import build_certificate
    from verified.io.canonical import table_subject
    from verified.recheck import recheck
    from verified.registry import spec

    domain = statement_domain(statement)
    if domain is None:
        return []
    out = []
    for unknown in statement.unknowns:
        table = witness_table(domain, tables[unknown.name], unknown.name)
        if table is None:
            continue
        for prop in unknown.properties:
            if prop not in TABLE_PROPERTIES or (prop == "anonymous" and not domain.same_rankings):
                continue
            result = spec(prop).resolve()(table, domain)
            doc = build_certificate(prop, result, table_subject(table))
            recheck(doc)
            out.append((unknown.name, doc))
    return out
