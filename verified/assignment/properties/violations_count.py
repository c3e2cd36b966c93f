"""Every violation of a whole-domain property, counted: what ``check_*(..., all_violations=True)``
and ``verified check --count`` report next to the verdict (issue 13).

A check stops at its first counterexample; a user who computes violation *rates* (as with
pref_voting) needs how many of the examined units violate the property. The unit depends on
the property (docs/violations.md):

========================  ==================================  =====================================
property                  a violation is                      examined
========================  ==================================  =====================================
sp                        a (profile, agent, misreport)       every agent, every profile, every
                          triple: the truthful row does not   report of hers other than the truth
                          SD-dominate the lie's row at her    (sum_i |domain| x (k_i - 1))
                          TRUE ranking
ir                        a (profile, agent) pair: some       |domain| x n
                          unacceptable object has
                          positive probability
nonwasteful               a (profile, agent) pair with a      |domain| x n
                          waste witness (y, z)
ete                       a (profile, pair of agents with     every (profile, pair of agents with
                          equal rankings) with unequal rows   equal rankings)
ex-post-efficient,        a profile at which the property     |domain|
sd-efficient,             fails
ex-post-stable
========================  ==================================  =====================================

Counts are Python ints, rates `Fraction` s; no float decides or reports anything (the percent
is rounded from the Fraction with integers). The list keeps the first ``limit`` violations in
the property's order (below) and counts the rest, so memory stays bounded on any domain; the
verdict and the evidence are exactly those of the check without ``all_violations`` (its first
counterexample, so certificates and the independent checker are untouched), and the report is
in the result's ``stats["violations"]`` (not part of any certificate).

Orders of the list: sp -- agent, her true ranking (in her domain's order), profile number,
misreport; ir, nonwasteful -- agent, profile number; ete -- pair (i < j), profile number;
the per-profile properties -- profile number. `iter_violations` streams the same items, all of
them, lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import islice
from typing import Any

from verified.errors import InvalidInput, VerifiedError
from verified.results import CheckResult

#: Violations listed when no ``limit`` is given (all of them are counted).
DEFAULT_LIMIT = 1_000

#: The unit of a violation, per property (as the check functions name them).
UNITS = {
    "strategyproof": "(profile, agent, misreport) triple",
    "individually_rational": "(profile, agent) pair",
    "nonwasteful": "(profile, agent) pair",
    "equal_treatment": "(profile, pair of equal agents) comparison",
    "ex_post_efficient": "profile",
    "sd_efficient": "profile",
    "ex_post_stable": "profile",
}

#: CLI property names that can be counted -> the check's own property name.
COUNTABLE = {
    "sp": "strategyproof",
    "ir": "individually_rational",
    "nonwasteful": "nonwasteful",
    "ete": "equal_treatment",
    "ex-post-efficient": "ex_post_efficient",
    "sd-efficient": "sd_efficient",
    "ex-post-stable": "ex_post_stable",
}


def resolve_limit(limit: int | None) -> int:
    """``limit`` (None: `DEFAULT_LIMIT`) checked to be a non-negative int; `InvalidInput` otherwise."""
    if limit is None:
        return DEFAULT_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidInput(f"limit must be a non-negative integer, got {limit!r}", "limit")
    return limit


def percent_text(rate: Fraction, digits: int = 2) -> str:
    """``rate`` as a percent rounded half up to ``digits`` decimals, with integers only: 1/3 -> "33.33%"."""
    scale = 10**digits
    whole = (rate.numerator * 100 * scale * 2 + rate.denominator) // (2 * rate.denominator)
    head, tail = divmod(whole, scale)
    return f"{head}.{tail:0{digits}d}%" if digits else f"{head}%"


@dataclass(frozen=True)
class ViolationReport:
    """How often a property is violated over a domain.

    ``count`` violations (in units of ``unit``) among ``examined`` units; ``violations`` lists the
    first ``limit`` of them (small JSON dicts, in the property's order, see the module docstring);
    ``undecided`` units had no verdict (an UNKNOWN per-profile check: then ``count`` is a lower
    bound). ``rate`` = count / examined exactly; ``truncated``: some counted violations are not
    listed."""

    property: str
    unit: str
    count: int
    examined: int
    violations: tuple[dict[str, Any], ...]
    limit: int
    undecided: int = 0

    @property
    def rate(self) -> Fraction:
        """count / examined (0 when nothing was examined)."""
        return Fraction(self.count, self.examined) if self.examined else Fraction(0)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.violations)

    @property
    def percent(self) -> str:
        """The rate as a percent rounded to two decimals, for reading only."""
        return percent_text(self.rate)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: the rate as the exact string ``"n/d"``, the percent as text."""
        from verified.numbers import fraction_text

        return {
            "property": self.property,
            "unit": self.unit,
            "count": self.count,
            "examined": self.examined,
            "rate": fraction_text(self.rate),
            "percent": self.percent,
            "undecided": self.undecided,
            "limit": self.limit,
            "truncated": self.truncated,
            "violations": [dict(v) for v in self.violations],
        }


class Tally:
    """The running count of one property's violations: every violation is counted, the first
    ``limit`` are kept. Per-profile checks also keep their first non-holding profile and result
    (`first`: the check's own answer). Plain data, so a worker process can send it back;
    `merge` folds the tallies of consecutive ranges in order."""

    def __init__(self, prop: str, limit: int | None, agents: Sequence[str]) -> None:
        self.property = prop
        self.limit = resolve_limit(limit)
        self.agents = tuple(agents)
        self.count = 0
        self.examined = 0
        self.undecided = 0
        self.items: list[dict[str, Any]] = []
        self.first: tuple[int, CheckResult] | None = None

    @property
    def room(self) -> int:
        return self.limit - len(self.items)

    def add(self, count: int, items: Callable[[], Iterable[dict[str, Any]]]) -> None:
        """``count`` more violations; ``items()`` lists them in order (called only while there
        is room, and read only as far as the room)."""
        self.count += int(count)
        if count and self.room > 0:
            self.items.extend(islice(items(), self.room))

    def add_result(self, index: int, profile: Sequence[Sequence[str]], result: CheckResult) -> None:
        """A per-profile check that did not hold at profile number ``index``: FAILS is a
        violation, UNKNOWN an undecided profile; the first of either is kept as `first`."""
        if self.first is None:
            self.first = (index, result)
        if result.unknown:
            self.undecided += 1
            return
        self.count += 1
        if self.room > 0:
            self.items.append(
                {
                    "profile_index": index,
                    "profile": profile_text(self.agents, profile),
                    "evidence": str(result.evidence.get("kind")),
                }
            )

    def fresh(self) -> Tally:
        """An empty tally like this one (a worker's range gets its own, then `merge`)."""
        return Tally(self.property, self.limit, self.agents)

    def merge(self, later: Tally) -> None:
        """Fold in the tally of the range right after this one's."""
        self.count += later.count
        self.undecided += later.undecided
        self.items.extend(later.items[: max(0, self.room)])
        if self.first is None:
            self.first = later.first

    def report(self) -> ViolationReport:
        return ViolationReport(
            self.property,
            UNITS.get(self.property, "unit"),
            self.count,
            self.examined,
            tuple(self.items),
            self.limit,
            self.undecided,
        )


def ranking_text(pref: Sequence[str]) -> str:
    return " > ".join([*pref, "outside"])


def profile_text(agents: Sequence[str], profile: Sequence[Sequence[str]]) -> str:
    """``agent 1: a > b > outside; agent 2: ...`` (as `verified.explain` writes a profile)."""
    return "; ".join(f"agent {a}: {ranking_text(p)}" for a, p in zip(agents, profile, strict=True))


def with_report(result: CheckResult, tally: Tally) -> CheckResult:
    """``result`` (unchanged: verdict, evidence, reason) with the tally's report in its stats.
    Refuses (a bug) a verdict that disagrees with the count: FAILS iff count > 0, unless some
    unit was undecided."""
    report = tally.report()
    if not tally.undecided and result.fails != (report.count > 0):
        raise VerifiedError(
            f"internal error: {result.property} is {result.verdict.value} but {report.count} violations "
            "were counted"
        )
    return replace(result, stats={**result.stats, "violations": report})


def counted(
    prop: str,
    check: Callable[..., CheckResult],
    mechanism: Any,
    domain: Any,
    limit: int | None,
) -> CheckResult:
    """``check(table, domain)`` (the default path: its verdict and first counterexample) with
    every violation of ``prop`` counted by the vectorised scan of `_violation_scans` (a second
    pass over the table, as fast as the check's own: used for ir, nonwasteful and ete)."""
    from verified.assignment.properties._common import as_table
    from verified.assignment.properties._violation_scans import examined, scan

    table = as_table(mechanism, domain)
    tally = Tally(prop, limit, table.problem.agents)
    result = check(table, domain)
    tally.examined = examined(prop, table)
    for batch in scan(prop, table):
        tally.add(batch.count, batch.items)
    return with_report(result, tally)


def count_manipulations(table: Any, agent: int, tally: Tally) -> tuple[int, tuple[int, ...], int, int] | None:
    """Count ``agent``'s violating (profile, misreport) pairs of SD-strategy-proofness into
    ``tally`` in one vectorised pass (`_violation_scans.manipulation_batches`), and return what
    `strategyproofness.find_manipulation` returns for her (the first manipulation), or None."""
    from verified.assignment.properties._violation_scans import manipulation_batches

    first = None
    for batch in manipulation_batches(table, agent):
        tally.add(batch.count, batch.items)
        if first is None:
            first = batch.first
    return first


def per_profile_tally(prop: str, domain: Any, limit: int | None) -> Tally:
    """A tally for a per-profile property over ``domain`` (every profile examined)."""
    tally = Tally(prop, limit, domain.problem.agents)
    tally.examined = len(domain)
    return tally


def iter_violations(mechanism: Any, domain: Any = None, prop: str = "sp", **options: Any) -> Iterator[dict]:
    """Every violation of ``prop`` (a CLI name such as ``"sp"`` or a check's name such as
    ``"strategyproof"``), in the order of the module docstring, streamed: nothing is kept
    but the current chunk. ``mechanism`` is a table (``domain`` may then be omitted) or any
    mechanism with a ``domain``. The per-profile properties run their one-profile check at every
    profile (``priorities=`` for ex-post-stable); an UNKNOWN profile is skipped (not a
    violation)."""
    from verified.assignment.properties._common import as_table
    from verified.assignment.properties._violation_scans import scan

    name = COUNTABLE.get(prop, prop)
    if name not in UNITS:
        raise InvalidInput(f"cannot count violations of {prop!r}; countable: {', '.join(COUNTABLE)}", "prop")
    if domain is None:
        domain = getattr(mechanism, "domain", None)
        if domain is None:
            raise InvalidInput("a domain is needed to count the violations of a mechanism", "domain")
    table = as_table(mechanism, domain)
    if UNITS[name] != "profile":
        for batch in scan(name, table):
            if batch.count:
                yield from batch.items()
        return
    one = _one_profile(name, options)
    for index, profile in enumerate(domain):
        found = one(table.at_index(index), profile)
        if found.fails:
            tally = Tally(name, 1, domain.problem.agents)
            tally.add_result(index, profile, found)
            yield tally.items[0]


def _one_profile(name: str, options: dict[str, Any]) -> Callable[..., CheckResult]:
    from verified.assignment.properties import efficiency, stability

    if name == "ex_post_efficient":
        return efficiency.check_ex_post_efficient_assignment
    if name == "sd_efficient":
        return efficiency.check_sd_efficient_assignment
    priorities = options.get("priorities")
    if priorities is None:
        raise InvalidInput("ex post stability needs priorities=", "priorities")

    def stable(gamma: Any, profile: Any) -> CheckResult:
        return stability.check_ex_post_stable_assignment(gamma, profile, priorities)

    return stable


def count_document(name: str, result: CheckResult) -> dict[str, Any]:
    """What ``verified check --count`` reports for property ``name``: the report's JSON, or
    ``{"countable": False, "reason": ...}`` for a property that cannot count (not an error)."""
    report = result.stats.get("violations") if result.stats else None
    if isinstance(report, ViolationReport):
        return {"countable": True, **report.to_json(), "property": name}
    if name not in COUNTABLE:
        why = f"{name} has no count of violations (countable: {', '.join(COUNTABLE)})"
    else:
        why = "no count: the check ended without one"
    return {"countable": False, "property": name, "reason": why}


def count_lines(doc: dict[str, Any] | None) -> list[str]:
    """What ``verified check --count`` prints under a property (a `count_document`): the count,
    the examined total, the exact rate with a rounded percent, and the listed violations."""
    if not doc:
        return []
    if not doc.get("countable"):
        return [f"not counted: {doc.get('reason')}"]
    count, examined, unit = doc["count"], doc["examined"], doc["unit"]
    plural = "" if examined == 1 else "s"  # every unit is a noun: triple, pair, comparison, profile
    lines = [
        f"violations: {count:,} of {examined:,} {unit}{plural} examined, "
        f"rate {doc['rate']} ({doc['percent']})"
    ]
    if doc.get("undecided"):
        lines.append(f"undecided: {doc['undecided']:,} (no verdict there; the count is a lower bound)")
    listed = doc.get("violations") or []
    if listed:
        more = f" (first {len(listed):,}; --limit K lists more)" if doc.get("truncated") else ""
        lines.append(f"listed{more}:")
        lines.extend(f"  {k}. {_item_text(v)}" for k, v in enumerate(listed, start=1))
    return lines


def _item_text(item: dict[str, Any]) -> str:
    """One listed violation in a line: profile number and text, then what is violated there."""
    head = f"profile #{item.get('profile_index')} ({item.get('profile')})"
    if "misreport" in item:
        tail = (
            f"agent {item['agent']} gains by reporting {ranking_text(item['misreport'])}"
            f" instead of {ranking_text(item['true_preference'])}"
        )
        if "prefix" in item:
            prefix = ", ".join(item["prefix"])
            tail += f" ({{{prefix}}}: {item['misreport_cumulative']} > {item['truthful_cumulative']})"
        return f"{head}: {tail}"
    if "unacceptable" in item:
        shares = ", ".join(f"{x} {v}" for x, v in item["unacceptable"].items())
        return f"{head}: agent {item['agent']} gets unacceptable {shares}"
    if "z" in item:
        agent, y, z = item["agent"], item["y"], item["z"]
        return f"{head}: agent {agent} gets {y} ({item['gamma_jy']}) while {z}, which she prefers, has room"
    if "agents" in item:
        return f"{head}: agents {' and '.join(item['agents'])} report the same ranking, get different rows"
    why = {
        "farkas": "no such lottery (Farkas prices)",
        "dominating_assignment": "another assignment dominates it",
    }.get(str(item.get("evidence")), f"fails ({item.get('evidence')})")
    return f"{head}: {why}"


def counting_arguments(name: str, limit: int | None) -> dict[str, Any]:
    """Keyword arguments that make the registry's check of ``name`` count its violations (none
    for a property that cannot count, or when ``limit`` is None: no counting asked)."""
    if limit is None or name not in COUNTABLE:
        return {}
    return {"all_violations": True, "limit": resolve_limit(limit)}


__all__ = [
    "COUNTABLE",
    "DEFAULT_LIMIT",
    "Tally",
    "ViolationReport",
    "count_document",
    "count_lines",
    "count_manipulations",
    "counted",
    "counting_arguments",
    "iter_violations",
    "percent_text",
    "per_profile_tally",
    "resolve_limit",
    "with_report",
]
