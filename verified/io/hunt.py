"""Reading a mechanism file for `verified hunt`: the problem, the mechanism and the rankings each
agent may report, without enumerating (or even counting into memory) the domain.

A full domain of 10 objects has 9,864,101 rankings per agent, so `verified check` refuses it
(one agent's table alone is past the cell limit); hunting only ever draws single profiles from
it, so here a full domain is kept as "every ranking" (``rankings is None``) and a restricted one
as its validated lists. A mechanism given as a table needs a domain it covers, so it is read as
`verified check` reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.model import Preference, Problem
from verified.errors import InvalidInput
from verified.io.reader import (
    AssignmentSubject,
    assignment_header,
    located,
    parse_mechanism,
    read_domain,
    read_problem,
)
from verified.io.schema import read_document
from verified.names import show


@dataclass(frozen=True, eq=False)
class HuntSubject:
    """A problem, its mechanism, and the rankings each agent may report (None: every ranking of
    every subset of the objects)."""

    problem: Problem
    mechanism: Mechanism | TabulatedMechanism
    rankings: tuple[tuple[Preference, ...], ...] | None = None
    priorities: Any = None
    source: str = "<memory>"
    description: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.mechanism.name

    def allows(self, agent: int, ranking: Preference) -> bool:
        """True when ``agent`` may report ``ranking``."""
        return self.rankings is None or ranking in self.rankings[agent]

    def local_subject(self, domain: Domain, table: TabulatedMechanism) -> AssignmentSubject:
        """The `AssignmentSubject` of the mechanism's ``table`` over a small ``domain`` of this
        problem (what a counterexample's certificate is about)."""
        return AssignmentSubject(
            self.problem, domain, table, self.source, dict(self.description), self.priorities
        )


def hunt_subject(subject: Any) -> HuntSubject:
    """A `HuntSubject` from an `AssignmentSubject` (its domain's rankings) or a `HuntSubject`."""
    if isinstance(subject, HuntSubject):
        return subject
    if isinstance(subject, AssignmentSubject):
        domain = subject.domain
        rankings = None if domain.is_full else domain.preferences
        return HuntSubject(
            subject.problem,
            subject.mechanism,
            rankings,
            subject.priorities,
            subject.source,
            dict(subject.description),
        )
    raise InvalidInput(
        f"expected a mechanism file's path or subject, got {type(subject).__name__}", "subject"
    )


def load_hunt_subject(path: str | Path, *, allow_float: bool = False) -> HuntSubject:
    """Read an assignment mechanism file for hunting (see the module docstring). Raises only
    `InvalidInput`, naming the file and the field."""
    path = Path(path)
    doc = read_document(path)
    try:
        return _parse(doc, path, allow_float)
    except InvalidInput as exc:
        raise located(exc, str(path)) from None


def _parse(doc: Any, path: Path, allow_float: bool) -> HuntSubject:
    if not isinstance(doc, Mapping):
        raise InvalidInput(f"the document must be an object/table, got {show(doc)}", "document")
    if doc.get("format") != "verified/assignment/1":
        raise InvalidInput(
            f"hunting reads assignment mechanisms (format 'verified/assignment/1'), got "
            f"{show(doc.get('format'))}",
            "format",
        )
    allow_float = assignment_header(doc, allow_float)
    problem = read_problem(doc["problem"])
    spec = doc.get("domain", {"kind": "full"})
    if not isinstance(spec, Mapping):
        raise InvalidInput(f"must be an object/table, got {show(spec)}", "domain")
    mechanism = doc["mechanism"]
    tables = isinstance(mechanism, Mapping) and any(k in mechanism for k in ("table", "numerators"))
    full = spec.get("kind", "full") == "full"
    domain = read_domain(problem, spec) if (tables or not full) else None
    parts = parse_mechanism(doc, problem, domain, base_dir=path.parent, allow_float=allow_float)
    rankings = None if domain is None or domain.is_full else domain.preferences
    return HuntSubject(problem, parts.mechanism, rankings, parts.priorities, str(path), parts.description)
