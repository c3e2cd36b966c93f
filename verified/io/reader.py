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

from collections.abc import Mapping
from dataclasses import dataclass, field
from math import lcm
from pathlib import Path
from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism, tabulate
from verified.assignment.model import Problem, names_as_text
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.io.builtins import builtin_mechanism, subject_fast_table
from verified.io.pyload import load_callable, python_mechanism
from verified.io.schema import fields, read_document
from verified.io.trading import TRADING_FORMATS, TradingSubject, parse_trading
from verified.names import show
from verified.numbers import bounded_int, integer_digits, max_digits

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
    allow_float: bool = False  # floats were read as decimals (the engine's workers read them so too)
    # the user's function as imported for a ``python`` mechanism: the engine calls it directly
    python_function: Any = field(default=None, repr=False)

    @property
    def table(self) -> TabulatedMechanism:
        """The mechanism tabulated over the domain (computed once). Not a functools.cached_property:
        on Python 3.11 that holds a class-wide lock, so one abandoned (timed-out) tabulation
        would block every other subject."""
        cached = self.__dict__.get("_table")
        if cached is None:
            try:
                cached = self._tabulate()
            except InvalidInput as exc:
                raise located(exc, self.source) from None
            object.__setattr__(self, "_table", cached)
        return cached

    def _tabulate(self) -> TabulatedMechanism:
        if isinstance(self.mechanism, TabulatedMechanism):
            return self.mechanism
        self.domain.require_table()  # refuses an oversized table before allocating it
        fast = subject_fast_table(self)
        if fast is not None:
            return fast
        if "python" in self.description:  # the user's code: through the engine (`verified.engine`)
            from verified.engine.tabulate import tabulate as tabulate_over_ranges

            return tabulate_over_ranges(self)
        return tabulate(self.mechanism, self.domain)

    @property
    def compact_table(self) -> Any:
        """The mechanism's `~verified.assignment.compact.CompactTable` (computed once): for the
        checks that read one on a domain past the int64 table's cell limit."""
        cached = self.__dict__.get("_compact")
        if cached is None:
            from verified.engine.tabulate import tabulate_compact

            try:
                cached = tabulate_compact(self)
            except InvalidInput as exc:
                raise located(exc, self.source) from None
            object.__setattr__(self, "_compact", cached)
        return cached

    def table_for_widening_checks(self) -> Any:
        """The table a check in `verified.registry.COMPACT_PROPERTIES` reads: the int64 table
        when it is built, else the `compact_table` when that is built or the domain is past the
        int64 table's cell limit, else the int64 table."""
        if "_table" in self.__dict__:
            return self.__dict__["_table"]
        from verified.registry import beyond_table_limit

        if "_compact" in self.__dict__ or beyond_table_limit(self):
            return self.compact_table
        return self.table

    @property
    def name(self) -> str:
        return self.mechanism.name


def load_document(path: str | Path) -> dict[str, Any]:
    """Parse a ``.json`` or ``.toml`` file into a dict (format chosen by suffix); every
    problem is an `InvalidInput` naming the file (`verified.io.schema.read_document`)."""
    return read_document(path)


def load_subject(path: str | Path, *, allow_float: bool = False) -> Any:
    """Read a mechanism file: an `AssignmentSubject` (``module:function`` references resolve
    next to the file) or, for the trading format, a `TradingSubject`. Raises only
    `InvalidInput`, whose message starts with the file's path and names the field."""
    path = Path(path)
    doc = read_document(path)
    try:
        return parse_subject(doc, base_dir=path.parent, source=str(path), allow_float=allow_float)
    except InvalidInput as exc:
        raise located(exc, str(path)) from None


def located(exc: InvalidInput, source: str) -> InvalidInput:
    """``exc`` with ``source`` (the file) in front of its message, same class when possible."""
    if source == "<memory>" or str(exc).startswith(f"{source}: "):
        return exc
    try:
        out = type(exc)(str(exc), source)
    except TypeError:  # a subclass with another constructor
        out = InvalidInput(str(exc), source)
    return out if str(out).startswith(source) else InvalidInput(str(exc), source)


_TOP = ("format", "problem", "mechanism")
_TOP_OPTIONAL = ("allow_float", "domain", "priorities")
_MECHANISM_FIELDS = {
    "builtin": ("builtin", "name", "order", "priorities"),
    "python": ("python", "name"),
    "table": ("table", "name"),
    "numerators": ("numerators", "denominator", "name"),
}


def parse_subject(
    doc: Mapping[str, Any],
    *,
    base_dir: Path | None = None,
    source: str = "<memory>",
    allow_float: bool = False,
) -> Any:
    """Build the subject of a parsed document (see module docstring): an
    `AssignmentSubject`, or a `TradingSubject` for the trading formats. Every field is
    validated before use; unknown fields are refused by name."""
    if not isinstance(doc, Mapping):
        raise InvalidInput(f"the document must be an object/table, got {show(doc)}", "document")
    fmt = doc.get("format")
    if not isinstance(fmt, str) or fmt not in KNOWN_FORMATS:
        raise InvalidInput(f"unknown format {show(fmt)}; expected one of {list(KNOWN_FORMATS)}", "format")
    if fmt in TRADING_FORMATS:
        return parse_trading(doc, source=source, allow_float=allow_float)
    allow_float = assignment_header(doc, allow_float)
    problem = read_problem(doc["problem"])
    domain = read_domain(problem, doc.get("domain", {"kind": "full"}))
    parts = parse_mechanism(doc, problem, domain, base_dir=base_dir, allow_float=allow_float)
    return AssignmentSubject(
        problem,
        domain,
        parts.mechanism,
        source,
        parts.description,
        parts.priorities,
        allow_float,
        parts.function,
    )


def assignment_header(doc: Mapping[str, Any], allow_float: bool) -> bool:
    """Check an assignment document's top-level fields; return whether floats are read."""
    fields(doc, "document", _TOP, _TOP_OPTIONAL)
    flag = doc.get("allow_float", False)
    if not isinstance(flag, bool):
        raise InvalidInput(f"must be true or false, got {show(flag)}", "allow_float")
    return allow_float or flag


@dataclass(frozen=True, eq=False)
class MechanismParts:
    """What an assignment document's ``[mechanism]`` (and ``[priorities]``) read into."""

    mechanism: Mechanism | TabulatedMechanism
    description: dict[str, Any]
    priorities: Any
    function: Any  # the user's function for a ``python`` mechanism, else None


def parse_mechanism(
    doc: Mapping[str, Any],
    problem: Problem,
    domain: Domain | None,
    *,
    base_dir: Path | None = None,
    allow_float: bool = False,
) -> MechanismParts:
    """The mechanism of an assignment document (``doc`` already read by `parse_subject`'s field
    checks). ``domain`` may be None when no table over it is needed (`verified hunt` on a problem
    too large to enumerate); a mechanism given as a table then needs one and is refused."""
    allow_float = allow_float or doc.get("allow_float", False) is True
    spec = doc["mechanism"]
    if not isinstance(spec, Mapping):
        raise InvalidInput(f"must be an object/table, got {show(spec)}", "mechanism")
    given = [k for k in _MECHANISM_FIELDS if k in spec]
    if len(given) != 1:
        raise InvalidInput(
            f"give exactly one of 'builtin', 'python', 'table' or 'numerators', got {given}", "mechanism"
        )
    kind = given[0]
    fields(
        spec, "mechanism", (kind, "denominator") if kind == "numerators" else (kind,), _MECHANISM_FIELDS[kind]
    )
    priorities = None
    if "priorities" in doc:
        from verified.io.builtins import read_priorities

        priorities = read_priorities(problem, doc["priorities"], "priorities")
        builtin = spec.get("builtin")
        if isinstance(builtin, str) and builtin.endswith("deferred_acceptance") and "priorities" not in spec:
            spec = {**spec, "priorities": doc["priorities"]}
    name = spec.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 1000):
        raise InvalidInput(f"must be a non-empty string, got {show(name)}", "mechanism.name")
    mechanism: Mechanism | TabulatedMechanism
    if kind == "builtin":
        mechanism = builtin_mechanism(problem, spec)
        description: dict[str, Any] = {"builtin": spec["builtin"]}
    elif kind == "python":
        ref = spec["python"]
        if not isinstance(ref, str):
            raise InvalidInput(f"must be 'module:function', got {show(ref)}", "mechanism.python")
        function = load_callable(ref, base_dir, "mechanism.python")
        mechanism = python_mechanism(problem, function, name or ref, allow_float=allow_float)
        description = {"python": ref}
    elif domain is None:
        raise InvalidInput(
            "a mechanism given as a table needs a domain small enough to tabulate", f"mechanism.{kind}"
        )
    elif kind == "table":
        mechanism = _table_from_entries(domain, spec["table"], name or "table", allow_float)
        description = {"table": "entries"}
    else:
        mechanism = _table_from_numerators(domain, spec, name or "table")
        description = {"table": "numerators"}
    if name and not isinstance(mechanism, TabulatedMechanism):
        mechanism = _renamed(mechanism, name)
    user = function if kind == "python" else None
    return MechanismParts(mechanism, description, priorities, user)


def _renamed(mechanism: Mechanism, name: str) -> Mechanism:
    from verified.assignment.mechanism import FunctionMechanism

    return FunctionMechanism(mechanism.problem, name, mechanism.__call__)


def read_problem(spec: Any) -> Problem:
    spec = fields(spec, "problem", ("agents", "objects"), ("capacities",))
    for key in ("agents", "objects"):
        value = spec[key]
        if not isinstance(value, (int, str, list)):
            raise InvalidInput(f"expected a count or a list of names, got {show(value)}", f"problem.{key}")
    caps = spec.get("capacities")
    if caps is not None and not isinstance(caps, (Mapping, list)):
        raise InvalidInput(
            f"must be a list or a mapping object -> integer, got {show(caps)}", "problem.capacities"
        )
    try:
        return Problem.make(
            spec["agents"], spec["objects"], dict(caps) if isinstance(caps, Mapping) else caps
        )
    except InvalidInput as exc:
        raise InvalidInput(str(exc), "problem") from None


def read_domain(problem: Problem, spec: Any) -> Domain:
    if not isinstance(spec, Mapping):
        raise InvalidInput(f"must be an object/table, got {show(spec)}", "domain")
    kind = spec.get("kind", "full")
    if kind == "full":
        fields(spec, "domain", (), ("kind",))
        return Domain.full(problem)
    if kind == "restricted":
        fields(spec, "domain", ("kind", "preferences"))
        prefs = spec["preferences"]
        if not isinstance(prefs, list):
            raise InvalidInput("must be a list (one list of rankings per agent)", "domain.preferences")
        try:
            return Domain.restricted(problem, names_as_text(prefs))
        except InvalidInput as exc:
            raise InvalidInput(str(exc), "domain.preferences") from None
    raise InvalidInput(f"unknown domain kind {show(kind)}; use 'full' or 'restricted'", "domain.kind")


def _rows(problem: Problem, rows: Any, where: str) -> list[Any]:
    """One row per agent: a mapping by agent name, or a list in agent order; each row a
    mapping ``{column: rational}`` or a list over the objects then outside."""
    if isinstance(rows, Mapping):
        extra = [str(a) for a in rows if a not in problem.agents]
        if extra:
            raise InvalidInput(f"unknown agents {extra}; agents are {list(problem.agents)}", where)
        rows = [rows.get(a, {}) for a in problem.agents]
    elif not isinstance(rows, list):
        raise InvalidInput(f"expected rows by agent (an object or a list), got {show(rows)}", where)
    elif len(rows) != problem.n:
        raise InvalidInput(f"{len(rows)} rows for {problem.n} agents", where)
    for i, row in enumerate(rows):
        at = f"{where}[{problem.agents[i]!r}]"
        if isinstance(row, Mapping):
            unknown = [str(c) for c in row if c not in problem.columns]
            if unknown:
                raise InvalidInput(f"unknown columns {unknown}; columns are {list(problem.columns)}", at)
        elif not isinstance(row, list):
            raise InvalidInput(f"expected a row (an object or a list), got {show(row)}", at)
        elif len(row) != problem.m + 1:
            raise InvalidInput(f"{len(row)} entries, expected {problem.m + 1} (objects, then outside)", at)
    return rows


def _table_from_entries(domain: Domain, entries: Any, name: str, allow_float: bool) -> TabulatedMechanism:
    problem = domain.problem
    if not isinstance(entries, list):
        raise InvalidInput("must be a list of {profile, assignment} entries", "mechanism.table")
    if len(entries) != len(domain):
        domain.require_table()
    by_index: dict[int, StochasticAssignment] = {}
    common = 1
    cap = max_digits()
    for k, entry in enumerate(entries):
        where = f"mechanism.table[{k}]"
        entry = fields(entry, where, ("profile", "assignment"))
        try:
            profile = problem.profile(names_as_text(entry["profile"]))  # a file holds names
        except InvalidInput as exc:
            raise InvalidInput(str(exc), f"{where}.profile") from None
        if profile not in domain:
            raise InvalidInput(
                f"profile {[list(p) for p in profile]} is not in the domain", f"{where}.profile"
            )
        idx = domain.index(profile)
        if idx in by_index:
            raise InvalidInput(f"profile {[list(p) for p in profile]} is listed twice", f"{where}.profile")
        rows = _rows(problem, entry["assignment"], f"{where}.assignment")
        try:
            by_index[idx] = StochasticAssignment.from_rows(problem, rows, allow_float=allow_float)
        except InvalidInput as exc:
            raise InvalidInput(str(exc), f"{where}.assignment") from None
        for row in by_index[idx].matrix:
            for v in row:
                common = lcm(common, v.denominator)
        if integer_digits(common) > cap:
            raise InvalidInput(
                f"the table's common denominator exceeds {cap:,} digits (VERIFIED_MAX_DIGITS)", where
            )
    if len(by_index) != len(domain):
        missing = next(i for i in range(len(domain)) if i not in by_index)
        first = [list(p) for p in domain.profile(missing)]
        raise InvalidInput(
            f"{len(domain) - len(by_index)} profiles of the domain have no entry, e.g. {first}",
            "mechanism.table",
        )
    domain.require_table()
    return TabulatedMechanism.from_assignments(domain, (by_index[i] for i in range(len(domain))), name)


def _table_from_numerators(domain: Domain, spec: Mapping[str, Any], name: str) -> TabulatedMechanism:
    den = spec["denominator"]
    if isinstance(den, bool) or not isinstance(den, int) or den < 1:
        raise InvalidInput(f"must be a positive integer, got {show(den)}", "mechanism.denominator")
    bounded_int(den, "mechanism.denominator")
    nums = spec["numerators"]
    p = domain.problem
    if not isinstance(nums, list) or len(nums) != len(domain):
        got = len(nums) if isinstance(nums, list) else type(nums).__name__
        raise InvalidInput(f"expected {_count(len(domain))} profiles, got {got}", "mechanism.numerators")
    domain.require_table()
    raw = np.empty((len(domain), p.n, p.m + 1), dtype=object)
    for pi, block in enumerate(nums):
        if not isinstance(block, list) or len(block) != p.n:
            raise InvalidInput(f"expected {p.n} rows (one per agent)", f"mechanism.numerators[{pi}]")
        for i, row in enumerate(block):
            where = f"mechanism.numerators[{pi}][{i}] (agent {p.agents[i]!r})"
            if not isinstance(row, list) or len(row) != p.m + 1:
                raise InvalidInput(f"expected {p.m + 1} integers (objects, then outside)", where)
            for k, v in enumerate(row):
                if isinstance(v, bool) or not isinstance(v, int):
                    raise InvalidInput(f"numerator {show(v)} is not an integer", f"{where}[{k}]")
                if not 0 <= v <= den:
                    raise InvalidInput(
                        f"numerator {v} is outside 0..{den} (the denominator)", f"{where}[{k}]"
                    )
                raw[pi, i, k] = v
    biggest = max((abs(int(v)) for v in raw.flat), default=0)
    array = raw.astype(np.int64) if biggest * (p.m + 1) * max(p.n, 1) < 2**62 and den < 2**62 else raw
    return TabulatedMechanism(domain, array, den, name)


def _count(number: int) -> str:
    return f"{number:,}" if number < 10**15 else f"about 10^{len(str(number)) - 1}"


def subject_encoding(subject: AssignmentSubject | TradingSubject) -> dict[str, Any]:
    """The canonical encoding of either kind of subject (what a certificate's hash covers)."""
    from verified.io.canonical import table_subject
    from verified.io.trading import trading_subject

    if isinstance(subject, TradingSubject):
        return trading_subject(subject)
    return table_subject(subject.table)
