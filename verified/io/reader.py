"""Reading mechanism files (JSON or TOML) into subjects the checks understand.

An assignment file (format ``"verified/assignment/1"``, see docs/formats.md)::

    format = "verified/assignment/1"
    [problem]
    agents = 4                     # a count or a list of names
    objects = ["a", "b", "c"]      # a list of names (or a string "abc")
    capacities = {a = 1}           # optional, default 1 per object
    [domain]
    kind = "full"                  # or "restricted" with preferences = [[ranking...] per agent]
    [mechanism]
    builtin = "random_priority"    # or python = "file.py:function", or a table

Rational numbers are integers or strings ("3/8"); a float is rejected unless
the document sets ``allow_float = true`` (or the caller passes
``allow_float=True``), which reads it as the decimal it prints as.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism, tabulate
from verified.assignment.model import Problem
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.io.builtins import builtin_mechanism, fast_table
from verified.io.pyload import load_callable, python_mechanism
from verified.io.trading import TRADING_FORMATS, TradingSubject, parse_trading

FORMAT_ASSIGNMENT = "verified/assignment/1"
KNOWN_FORMATS = (FORMAT_ASSIGNMENT, *TRADING_FORMATS)


@dataclass(frozen=True, eq=False)
class AssignmentSubject:
    """A problem, a domain and a mechanism read from a file; `table` tabulates once."""

    problem: Problem
    domain: Domain
    mechanism: Mechanism | TabulatedMechanism
    source: str = "<memory>"
    description: Mapping[str, Any] = field(default_factory=dict)
    priorities: Any = None  # verified.assignment.priorities.Priorities, for ex post stability

    @property
    def table(self) -> TabulatedMechanism:
        """The mechanism tabulated over the domain (computed once). Not a functools.cached_property:
        on Python 3.11 that holds a class-wide lock, so one abandoned (timed-out) tabulation
        would block every other subject."""
        cached = self.__dict__.get("_table")
        if cached is None:
            cached = self._tabulate()
            object.__setattr__(self, "_table", cached)
        return cached

    def _tabulate(self) -> TabulatedMechanism:
        if isinstance(self.mechanism, TabulatedMechanism):
            return self.mechanism
        builtin = self.description.get("builtin")
        fast = fast_table(builtin, self.domain) if builtin and len(self.description) == 1 else None
        if fast is not None and fast.name == self.mechanism.name:
            return fast
        return tabulate(self.mechanism, self.domain)

    @property
    def name(self) -> str:
        return self.mechanism.name


def load_document(path: str | Path) -> dict[str, Any]:
    """Parse a ``.json`` or ``.toml`` file into a dict (format chosen by suffix)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such file {str(path)!r}", "file")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".toml":
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"not valid TOML: {exc}", str(path)) from None
    elif path.suffix.lower() == ".json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"not valid JSON: {exc}", str(path)) from None
    else:
        raise InvalidInput(f"unknown file type {path.suffix!r}; use .json or .toml", str(path))
    if not isinstance(doc, dict):
        raise InvalidInput("the document must be an object/table at top level", str(path))
    return doc


def load_subject(path: str | Path, *, allow_float: bool = False) -> Any:
    """Read a mechanism file: an `AssignmentSubject` (``module:function`` references resolve
    next to the file) or, for the trading format, a `TradingSubject`."""
    path = Path(path)
    return parse_subject(load_document(path), base_dir=path.parent, source=str(path), allow_float=allow_float)


def _require(doc: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise InvalidInput(f"missing field {key!r}", where)
    return doc[key]


def parse_subject(
    doc: Mapping[str, Any],
    *,
    base_dir: Path | None = None,
    source: str = "<memory>",
    allow_float: bool = False,
) -> Any:
    """Build the subject of a parsed document (see module docstring): an
    `AssignmentSubject`, or a `TradingSubject` for format ``verified/trading/1``."""
    fmt = doc.get("format")
    if fmt not in KNOWN_FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; expected one of {list(KNOWN_FORMATS)}", "format")
    if fmt in TRADING_FORMATS:
        return parse_trading(doc, source=source, allow_float=allow_float)
    flag = doc.get("allow_float", False)
    if not isinstance(flag, bool):
        raise InvalidInput(f"must be true or false, got {flag!r}", "allow_float")
    allow_float = allow_float or flag
    problem = _problem(_require(doc, "problem", "document"))
    domain = _domain(problem, doc.get("domain", {"kind": "full"}))
    spec = _require(doc, "mechanism", "document")
    if not isinstance(spec, Mapping):
        raise InvalidInput("must be an object/table", "mechanism")
    priorities = None
    if "priorities" in doc:
        from verified.io.builtins import read_priorities

        priorities = read_priorities(problem, doc["priorities"], "priorities")
        builtin = spec.get("builtin")
        if isinstance(builtin, str) and builtin.endswith("deferred_acceptance") and "priorities" not in spec:
            spec = {**spec, "priorities": doc["priorities"]}
    given = [k for k in ("builtin", "python", "table", "numerators") if k in spec]
    if len(given) != 1:
        raise InvalidInput(
            f"give exactly one of 'builtin', 'python', 'table' or 'numerators', got {given}", "mechanism"
        )
    kind = given[0]
    name = spec.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidInput(f"must be a string, got {name!r}", "mechanism.name")
    mechanism: Mechanism | TabulatedMechanism
    if kind == "builtin":
        mechanism = builtin_mechanism(problem, spec)
        description: dict[str, Any] = {"builtin": spec["builtin"]}
    elif kind == "python":
        ref = spec["python"]
        if not isinstance(ref, str):
            raise InvalidInput(f"must be 'module:function', got {ref!r}", "mechanism.python")
        function = load_callable(ref, base_dir, "mechanism.python")
        mechanism = python_mechanism(problem, function, name or ref, allow_float=allow_float)
        description = {"python": ref}
    elif kind == "table":
        mechanism = _table_from_entries(domain, spec["table"], name or "table", allow_float)
        description = {"table": "entries"}
    else:
        mechanism = _table_from_numerators(domain, spec, name or "table")
        description = {"table": "numerators"}
    if name and not isinstance(mechanism, TabulatedMechanism):
        mechanism = _renamed(mechanism, name)
    return AssignmentSubject(problem, domain, mechanism, source, description, priorities)


def _renamed(mechanism: Mechanism, name: str) -> Mechanism:
    from verified.assignment.mechanism import FunctionMechanism

    return FunctionMechanism(mechanism.problem, name, mechanism.__call__)


def _problem(spec: Any) -> Problem:
    if not isinstance(spec, Mapping):
        raise InvalidInput("must be an object/table", "problem")
    agents = _require(spec, "agents", "problem")
    objects = _require(spec, "objects", "problem")
    caps = spec.get("capacities")
    if caps is not None and not isinstance(caps, (Mapping, list)):
        raise InvalidInput(
            f"must be a list or a mapping object -> integer, got {caps!r}", "problem.capacities"
        )
    if isinstance(caps, Mapping):
        caps = dict(caps)
    return Problem.make(agents, objects, caps)


def _domain(problem: Problem, spec: Any) -> Domain:
    if not isinstance(spec, Mapping):
        raise InvalidInput("must be an object/table", "domain")
    kind = spec.get("kind", "full")
    if kind == "full":
        return Domain.full(problem)
    if kind == "restricted":
        prefs = _require(spec, "preferences", "domain")
        if not isinstance(prefs, list):
            raise InvalidInput("must be a list (one list of rankings per agent)", "domain.preferences")
        return Domain.restricted(problem, prefs)
    raise InvalidInput(f"unknown domain kind {kind!r}; use 'full' or 'restricted'", "domain.kind")


def _table_from_entries(domain: Domain, entries: Any, name: str, allow_float: bool) -> TabulatedMechanism:
    problem = domain.problem
    if not isinstance(entries, list):
        raise InvalidInput("must be a list of {profile, assignment} entries", "mechanism.table")
    by_index: dict[int, StochasticAssignment] = {}
    for k, entry in enumerate(entries):
        where = f"mechanism.table[{k}]"
        if not isinstance(entry, Mapping):
            raise InvalidInput("must be an object with 'profile' and 'assignment'", where)
        try:
            profile = problem.profile(_require(entry, "profile", where))
        except InvalidInput as exc:
            raise InvalidInput(str(exc), where) from None
        if profile not in domain:
            raise InvalidInput(f"profile {[list(p) for p in profile]} is not in the domain", where)
        idx = domain.index(profile)
        if idx in by_index:
            raise InvalidInput(f"profile {[list(p) for p in profile]} is listed twice", where)
        rows = _require(entry, "assignment", where)
        if isinstance(rows, Mapping):
            extra = sorted(set(map(str, rows)) - set(problem.agents))
            if extra:
                raise InvalidInput(f"unknown agents {extra}", f"{where}.assignment")
            rows = [rows.get(a, {}) for a in problem.agents]
        try:
            by_index[idx] = StochasticAssignment.from_rows(problem, rows, allow_float=allow_float)
        except InvalidInput as exc:
            raise InvalidInput(str(exc), where) from None
    missing = [i for i in range(len(domain)) if i not in by_index]
    if missing:
        first = [list(p) for p in domain.profile(missing[0])]
        raise InvalidInput(
            f"{len(missing)} profiles of the domain have no entry, e.g. {first}", "mechanism.table"
        )
    return TabulatedMechanism.from_assignments(domain, (by_index[i] for i in range(len(domain))), name)


def _table_from_numerators(domain: Domain, spec: Mapping[str, Any], name: str) -> TabulatedMechanism:
    den = _require(spec, "denominator", "mechanism")
    if isinstance(den, bool) or not isinstance(den, int) or den < 1:
        raise InvalidInput(f"must be a positive integer, got {den!r}", "mechanism.denominator")
    nums = spec["numerators"]
    p = domain.problem
    if not isinstance(nums, list) or len(nums) != len(domain):
        got = len(nums) if isinstance(nums, list) else type(nums).__name__
        raise InvalidInput(f"expected {len(domain)} profiles, got {got}", "mechanism.numerators")
    raw = np.empty((len(domain), p.n, p.m + 1), dtype=object)
    for pi, block in enumerate(nums):
        if not isinstance(block, list) or len(block) != p.n:
            raise InvalidInput(f"expected {p.n} rows", f"mechanism.numerators[{pi}]")
        for i, row in enumerate(block):
            where = f"mechanism.numerators[{pi}][{i}] (agent {p.agents[i]!r})"
            if not isinstance(row, list) or len(row) != p.m + 1:
                raise InvalidInput(f"expected {p.m + 1} integers (objects, then outside)", where)
            for k, v in enumerate(row):
                if isinstance(v, bool) or not isinstance(v, int):
                    raise InvalidInput(f"numerator {v!r} is not an integer", f"{where}[{k}]")
                raw[pi, i, k] = v
    biggest = max((abs(int(v)) for v in raw.flat), default=0)
    array = raw.astype(np.int64) if biggest * (p.m + 1) * max(p.n, 1) < 2**62 and den < 2**62 else raw
    return TabulatedMechanism(domain, array, den, name)


def subject_encoding(subject: AssignmentSubject | TradingSubject) -> dict[str, Any]:
    """The canonical encoding of either kind of subject (what a certificate's hash covers)."""
    from verified.io.canonical import table_subject
    from verified.io.trading import trading_subject

    if isinstance(subject, TradingSubject):
        return trading_subject(subject)
    return table_subject(subject.table)
