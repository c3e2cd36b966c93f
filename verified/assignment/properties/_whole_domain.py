"""Lottery decompositions at every profile of a tabulated mechanism, fast and with the same evidence.

Ex post efficiency (Erdil, section 2: gamma is a lottery over Pareto efficient deterministic
assignments) and ex post stability (Erdil, section 3: a lottery over stable matchings) are
decided at one profile by `_decomposition.lottery_or_farkas`: the exact LP over the admissible
deterministic assignments inside supp(gamma). Across a whole domain most of that work is shared
or vectorisable, and this module does it once:

* the deterministic assignments within capacity are enumerated once, in the order
  `_decomposition.support_assignments` lists them (lexicographic in columns), so the family of
  a profile is a sub-list of them: those inside supp(gamma) (a table lookup) and admissible at
  the profile (`_admissible`: per-ranking tables, vectorised over the profiles);
* the decomposition LPs of all profiles run together through `_phase_one`, an exact replica of
  the simplex `verified.lp.solve_exact` uses on them, so each lottery is the one the
  one-profile check returns;
* every lottery found is confirmed exactly (weights >= 0, expectation = gamma in every cell,
  integer arithmetic) before it is used as HOLDS evidence.

Anything else (an infeasible LP, i.e. a profile where the property may fail; a program too big
for the replica, whose size would make `solve_exact` choose HiGHS; a number past int64 range)
goes to the one-profile check itself, so verdicts and evidence are exactly the one-profile
check's at every profile.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TableRows, TabulatedMechanism
from verified.assignment.model import OUTSIDE, Problem, Profile
from verified.assignment.properties._common import domain_description, over_domain
from verified.assignment.properties._phase_one import FEASIBLE, SAFE, phase_one
from verified.assignment.stochastic import StochasticAssignment
from verified.lp.solve import AUTO_SIMPLEX_ENTRIES
from verified.numbers import fraction_text
from verified.results import CheckResult, PlainJSON, fails, holds, jsonable, unknown

#: Whole-domain path only when the problem has at most this many deterministic assignments.
MAX_DETERMINISTIC = 4_096
#: Profiles handled together (bounds the memory of the (profiles x assignments) arrays); the
#: first chunks are smaller, so a property that fails early is refuted early.
CHUNK = 8_192
FIRST_CHUNK = 64
#: At most this many (profile, assignment, agent) entries in one chunk's arrays.
CELLS = 1 << 24

Admissible = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(types (n, L) ranking numbers per agent, assignments (D, n) columns) -> (L, D) bool."""


def deterministic_assignments(problem: Problem, limit: int = MAX_DETERMINISTIC) -> np.ndarray | None:
    """Every deterministic assignment within capacities as columns (D, n), lexicographic; None
    when there are more than ``limit``."""
    out: list[tuple[int, ...]] = []
    left = list(problem.capacities)
    chosen: list[int] = []

    def walk(i: int) -> bool:
        if i == problem.n:
            out.append(tuple(chosen))
            return len(out) <= limit
        for c in range(problem.m + 1):
            if c < problem.m and left[c] == 0:
                continue
            if c < problem.m:
                left[c] -= 1
            chosen.append(c)
            ok = walk(i + 1)
            chosen.pop()
            if c < problem.m:
                left[c] += 1
            if not ok:
                return False
        return True

    if not walk(0):
        return None
    return np.array(out, dtype=np.int64).reshape(len(out), problem.n)


def fits(table: TabulatedMechanism) -> bool:
    """The vectorised paths need int64 numerators below `_phase_one.SAFE` and objects that fit
    in an int64 bitmask; other tables take the one-profile checks."""
    return table.denominator < SAFE and table.numerators.dtype.kind in "iu" and table.problem.m < 62


def profile_types(domain: Domain, start: int, stop: int) -> np.ndarray:
    """Ranking number of each agent (n, L) at profiles ``start..stop - 1`` (domain order)."""
    index = np.arange(start, stop, dtype=np.int64)
    out = np.empty((domain.problem.n, stop - start), dtype=np.int64)
    for i in reversed(range(domain.problem.n)):
        index, out[i] = np.divmod(index, domain.sizes[i])
    return out


class EvidenceText:
    """Cached JSON pieces of the per-profile evidence (the same values `to_json` gives)."""

    def __init__(self, table: TabulatedMechanism, assignments: np.ndarray) -> None:
        p = table.problem
        self.problem = p
        self.rankings = [[list(r) for r in prefs] for prefs in table.domain.preferences]
        self.den = table.denominator
        self._rows: dict[tuple[int, ...], dict[str, str]] = {}
        self._texts: dict[int, str] = {}
        names = [*p.objects, OUTSIDE]
        self.assignments = [
            {a: names[int(c)] for a, c in zip(p.agents, cols, strict=True)} for cols in assignments
        ]

    def _text(self, value: int) -> str:
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = fraction_text(Fraction(value, self.den))
        return found

    def row(self, values: tuple[int, ...]) -> dict[str, str]:
        found = self._rows.get(values)
        if found is None:
            cols = self.problem.columns
            found = self._rows[values] = {x: self._text(v) for x, v in zip(cols, values, strict=True) if v}
        return found

    def profiles(self, types: np.ndarray) -> list[list[list[str]]]:
        """``[list(r) for r in profile]`` at each profile of ``types`` (n, L)."""
        columns = [[self.rankings[i][t] for t in row] for i, row in enumerate(types.tolist())]
        return [list(r) for r in zip(*columns, strict=True)]

    def assignment(self, rows: list[list[int]]) -> dict[str, dict[str, str]]:
        """`StochasticAssignment.to_json` of the rows (numerators over the table's denominator)."""
        return {a: self.row(tuple(r)) for a, r in zip(self.problem.agents, rows, strict=True)}


def unique_rows(*arrays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``first`` (one row number per distinct row of the arrays side by side) and ``inverse``
    (for each row, the position of its distinct row in ``first``)."""
    count = len(arrays[0])
    parts = [np.ascontiguousarray(a).reshape(count, -1).view(np.uint8) for a in arrays]
    key = np.ascontiguousarray(np.concatenate(parts, axis=1))
    void = key.view(np.dtype((np.void, key.shape[1]))).ravel()
    _, first, inverse = np.unique(void, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def _lotteries(
    flat: np.ndarray, den: int, family: np.ndarray, cover: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The decomposition LP of every given profile (gamma's numerators ``flat`` (L, cells), the
    family as a mask (L, D)), through `_phase_one`.

    Returns ``ok`` (L,) (a confirmed lottery was found), ``index`` (L, F) (assignment numbers of
    the family, in order) and the weights ``num`` / ``den`` (L, F)."""
    count = len(flat)
    sizes = family.sum(axis=1)
    support = flat > 0
    rows_used = support.sum(axis=1)
    width = int(sizes.max(initial=0))
    index = np.argsort(~family, axis=1, kind="stable")[:, :width]
    ok = np.zeros(count, dtype=bool)
    wnum = np.zeros((count, width), dtype=np.int64)
    wden = np.ones((count, width), dtype=np.int64)
    small = (sizes + 1) * (rows_used + 1) <= AUTO_SIMPLEX_ENTRIES  # else solve_exact picks another method
    todo = np.nonzero(small & (sizes > 0))[0]
    bucket = np.ceil(np.log2(np.maximum(sizes[todo], 1))).astype(np.int64)
    for b in np.unique(bucket):
        group = todo[bucket == b]
        f = int(sizes[group].max())
        r = int(rows_used[group].max())
        cells = np.argsort(~support[group], axis=1, kind="stable")[:, :r]  # support cells, in order
        row_ok = np.arange(r)[None, :] < rows_used[group][:, None]
        col_ok = np.arange(f)[None, :] < sizes[group][:, None]
        members = index[group, :f]
        covered = cover[members[:, None, :], cells[:, :, None]] & row_ok[:, :, None] & col_ok[:, None, :]
        value = np.where(row_ok, np.take_along_axis(flat[group], cells, axis=1), 0)
        g = np.gcd(value, den)
        scale = np.where(row_ok, den // g, 0)
        status, num, wd = phase_one(covered * scale[:, :, None], np.where(row_ok, value // g, 0))
        ok[group] = _confirm(status, num, wd, members, cover, flat[group], den)
        wnum[group, :f] = num
        wden[group, :f] = wd
    return ok, index, wnum, wden


def _confirm(
    status: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    members: np.ndarray,
    cover: np.ndarray,
    flat: np.ndarray,
    table_den: int,
) -> np.ndarray:
    """Exactly: weights >= 0 and sum_D w_D [D covers cell] = gamma at every cell (so the weights
    sum to 1). Integer arithmetic over one common denominator per program; a program whose
    numbers would not fit is not confirmed (the caller re-solves it)."""
    good = status == FEASIBLE
    # `common` only has to be a positive common multiple of the row's denominators (checked
    # below), so an lcm that wrapped in int64 is either caught or still exact; the float `bound`
    # only decides whether the int64 products below are safe (2^60 leaves a margin of 8 over
    # any rounding); no verdict rests on it: an unconfirmed program is re-solved exactly.
    common = np.lcm.reduce(den, axis=1)
    bound = common.astype(np.float64) * float(table_den) * (den.shape[1] + 1)
    good &= (common > 0) & (bound < 2.0**60) & (num >= 0).all(axis=1) & (num <= den).all(axis=1)
    good &= ((common[:, None] % den) == 0).all(axis=1)
    scaled = np.where(good[:, None], num * (common[:, None] // den), 0)
    full = cover[members]  # (L, F, cells)
    expected = np.einsum("lf,lfc->lc", scaled, full.astype(np.int64))
    good &= (expected * table_den == flat * np.where(good, common, 0)[:, None]).all(axis=1)
    return good


def decompositions(
    table: TabulatedMechanism,
    admissible: Callable[[], Admissible],
    kind: str,
    extra: dict[str, Any],
    one_profile: Callable[[StochasticAssignment, Profile], CheckResult],
    sink: Any = None,
) -> list[dict[str, Any]] | tuple[int, CheckResult] | None:
    """Per-profile HOLDS evidence (``{"kind": kind, "profile", "assignment", **extra,
    "lottery"}``, as ``one_profile`` would give it) in domain order, or the first profile that
    does not hold (its number and ``one_profile``'s own result there), or None when the problem
    has too many deterministic assignments for this path.

    ``admissible`` builds the `Admissible` test (once per process). With the engine's
    ``n_jobs`` > 1 or an executor in force (`verified.engine.engine_options`), contiguous
    ranges of profiles run in other processes (``admissible`` and ``one_profile`` must then
    be picklable: module-level functions or `functools.partial` of them) and are folded in
    range order: the first range that does not hold gives the first such profile, so the
    result is the serial one (each profile's lottery depends only on its own program).

    With a ``sink`` (a `violations_count.Tally`) every profile is decided: each one that does
    not hold goes to ``sink.add_result`` (ranges tallied apart and merged in range order), and
    the first of them is returned as without a sink."""
    assignments = deterministic_assignments(table.problem) if fits(table) else None
    if assignments is None:
        return None
    from verified.engine.checks import parallel_ranges

    job = (admissible, kind, extra, one_profile, assignments)
    ranges = parallel_ranges(len(table.domain), smallest=PARALLEL_MIN)
    if ranges is None:
        found = decompose_range(table, *job, 0, len(table.domain), sink=sink)
        return found if sink is None or sink.first is None else sink.first
    from verified.engine.checks import run_check_ranges

    out: list[dict[str, Any]] = []
    if sink is not None:

        def counted_for(r: Any) -> tuple[Any, ...]:
            return (TableRange.of(table, r.start, r.stop), *job, sink.fresh())

        for part, tally in run_check_ranges(decompose_counted, counted_for, ranges, f"counting {kind}"):
            sink.merge(tally)
            out.extend(part)
        return out if sink.first is None else sink.first

    def arguments_for(r: Any) -> tuple[Any, ...]:
        return (TableRange.of(table, r.start, r.stop), *job)

    for found in run_check_ranges(decompose_range, arguments_for, ranges, f"checking {kind}"):
        if isinstance(found, tuple):
            return found
        out.extend(found)
    return out


#: Fewer profiles than this are decomposed in this process whatever ``n_jobs`` says (the
#: table's trip to a worker would cost more than the work).
PARALLEL_MIN = 4_096


@dataclass(frozen=True, eq=False)
class TableRange(TableRows):
    """The rows of profiles ``offset .. offset + len(numerators) - 1`` of a validated table: what
    a worker is sent to decompose its range (`decompose_range` reads profile numbers of the
    whole domain; ``numerators`` holds only this range's rows)."""

    domain: Domain
    numerators: np.ndarray
    denominator: int
    name: str
    offset: int

    @classmethod
    def of(cls, table: TabulatedMechanism, start: int, stop: int) -> TableRange:
        return cls(table.domain, table.numerators[start:stop], table.denominator, table.name, start)

    def at_index(self, profile_index: int) -> StochasticAssignment:
        """The stochastic assignment at profile number ``profile_index`` of the whole domain."""
        rows = self.numerators[profile_index - self.offset]
        return StochasticAssignment.from_numerators(self.problem, rows, self.denominator)


def _rows(table: TabulatedMechanism | TableRange, start: int, stop: int) -> np.ndarray:
    """Numerators of profiles ``start .. stop - 1`` (numbers in the whole domain)."""
    offset = getattr(table, "offset", 0)
    return np.asarray(table.numerators[start - offset : stop - offset], dtype=np.int64)


def decompose_range(
    table: TabulatedMechanism,
    admissible: Callable[[], Admissible],
    kind: str,
    extra: dict[str, Any],
    one_profile: Callable[[StochasticAssignment, Profile], CheckResult],
    assignments: np.ndarray,
    begin: int,
    end: int,
    sink: Any = None,
) -> list[dict[str, Any]] | tuple[int, CheckResult]:
    """`decompositions` of the profiles ``begin .. end - 1`` (a worker's range): their HOLDS
    evidence in order, or the first one that does not hold (with a ``sink``: the evidence of
    those that hold, the others tallied). ``assignments``: the problem's
    `deterministic_assignments`. Chunks grow from `FIRST_CHUNK`, so a property that fails
    early is refuted early."""
    test = admissible()
    text = EvidenceText(table, assignments)
    largest = max(FIRST_CHUNK, min(CHUNK, CELLS // (len(assignments) * table.problem.n)))
    out: list[dict[str, Any]] = []
    start, size = begin, FIRST_CHUNK
    while start < end:
        stop = min(end, start + size)
        found = _chunk(table, test, kind, extra, one_profile, assignments, text, start, stop, out, sink)
        if found is not None:
            return found
        start, size = stop, min(largest, 4 * size)
    return out


def _chunk(
    table: TabulatedMechanism,
    admissible: Admissible,
    kind: str,
    extra: dict[str, Any],
    one_profile: Callable[[StochasticAssignment, Profile], CheckResult],
    assignments: np.ndarray,
    text: EvidenceText,
    start: int,
    stop: int,
    out: list[dict[str, Any]],
    sink: Any = None,
) -> tuple[int, CheckResult] | None:
    p = table.problem
    nums = _rows(table, start, stop)
    count = stop - start
    flat = nums.reshape(count, -1)
    types = profile_types(table.domain, start, stop)
    inside = (nums > 0)[:, np.arange(p.n), assignments].all(axis=2)  # (L, D)
    family = inside & admissible(types, assignments)
    cover = np.zeros((len(assignments), flat.shape[1]), dtype=bool)  # D covers cell (i, c)
    cover[np.arange(len(assignments))[:, None], np.arange(p.n) * (p.m + 1) + assignments] = True
    first, inverse = unique_rows(np.packbits(family, axis=1), flat)  # equal rows: the same LP
    ok, index, wnum, wden = _lotteries(flat[first], table.denominator, family[first], cover)
    lotteries = _lottery_json(ok, index, wnum, wden, text)
    rows_first, rows_inverse = unique_rows(flat)
    gammas = [text.assignment(r) for r in nums[rows_first].tolist()]
    profiles = text.profiles(types)
    for k, (u, g, profile) in enumerate(zip(inverse.tolist(), rows_inverse.tolist(), profiles, strict=True)):
        lottery = lotteries[u]
        if lottery is None:
            found = one_profile(table.at_index(start + k), table.domain.profile(start + k))
            if not found.holds:
                if sink is None:
                    return start + k, found
                sink.add_result(start + k, table.domain.profile(start + k), found)
                continue
            out.append(found.evidence)
        else:
            out.append(
                {"kind": kind, "profile": profile, "assignment": gammas[g], **extra, "lottery": lottery}
            )
    return None


def decompose_counted(
    table: TabulatedMechanism,
    admissible: Callable[[], Admissible],
    kind: str,
    extra: dict[str, Any],
    one_profile: Callable[[StochasticAssignment, Profile], CheckResult],
    assignments: np.ndarray,
    sink: Any,
    begin: int,
    end: int,
) -> tuple[list[dict[str, Any]], Any]:
    """A worker's range of `decompositions` with a sink: the evidence of the profiles that hold
    and the range's own tally (``sink``, filled here and sent back)."""
    out = decompose_range(table, admissible, kind, extra, one_profile, assignments, begin, end, sink=sink)
    return out, sink  # type: ignore[return-value]  # with a sink, a list


def _lottery_json(
    ok: np.ndarray, index: np.ndarray, num: np.ndarray, den: np.ndarray, text: EvidenceText
) -> list[list[dict[str, Any]] | None]:
    """Per program: the lottery as `Lottery.to_json` writes it (positive weights, in family
    order), or None when no confirmed lottery was found."""
    out: list[list[dict[str, Any]] | None] = [[] if good else None for good in ok.tolist()]
    rows, cols = np.nonzero((num > 0) & ok[:, None])  # row-major: by program, then family order
    if rows.size == 0:
        return out
    pairs, which = np.unique(
        np.stack([num[rows, cols], den[rows, cols]], axis=1), axis=0, return_inverse=True
    )
    weights = [fraction_text(Fraction(a, b)) for a, b in pairs.tolist()]
    items: dict[tuple[int, int], dict[str, Any]] = {}
    for r, d, w in zip(rows.tolist(), index[rows, cols].tolist(), which.reshape(-1).tolist(), strict=True):
        item = items.get((d, w))
        if item is None:
            item = items[(d, w)] = {"weight": weights[w], "assignment": text.assignments[d]}
        out[r].append(item)  # type: ignore[union-attr]
    return out


def per_profile(
    prop: str,
    table: TabulatedMechanism,
    admissible: Callable[[], Admissible],
    kind: str,
    extra: dict[str, Any],
    one_profile: Callable[[StochasticAssignment, Profile], CheckResult],
    sink: Any = None,
) -> CheckResult:
    """Exactly what ``verified.registry._per_profile(prop, one_profile, table, table.domain)``
    returns (HOLDS ``per_profile`` with every profile's certificate, else the first failing
    profile's own result), computed through `decompositions` (with a ``sink``: every profile
    that does not hold tallied there, the same result)."""
    found = decompositions(table, admissible, kind, jsonable(extra), one_profile, sink)
    if found is None:
        certificates = []
        for index, profile in enumerate(table.domain):
            result = one_profile(table.at_index(index), profile)
            if not result.holds:
                if sink is None:
                    return result
                sink.add_result(index, profile, result)
                continue
            certificates.append(result.evidence)
        found = certificates if sink is None or sink.first is None else sink.first
    if isinstance(found, tuple):
        return found[1]
    return plain_holds(prop, {"kind": "per_profile", "profiles": len(table.domain), "certificates": found})


def exhaustive(
    prop: str,
    table: TabulatedMechanism,
    admissible: Callable[[], Admissible],
    kind: str,
    extra: dict[str, Any],
    one_profile: Callable[[StochasticAssignment, Profile], CheckResult],
    top: dict[str, Any] | None = None,
    sink: Any = None,
) -> CheckResult:
    """Exactly what ``_common.over_domain(prop, table, table.domain, one_profile, top)`` returns
    (HOLDS ``exhaustive`` with the digest of the per-profile certificates), through
    `decompositions` (with a ``sink``: every profile that does not hold tallied there)."""
    domain = table.domain
    found = decompositions(table, admissible, kind, jsonable(extra), one_profile, sink)
    if found is None:
        return over_domain(prop, table, domain, one_profile, top, sink=sink)
    if isinstance(found, tuple):
        index, result = found
        evidence = {**result.evidence, "mechanism": table.name}
        if result.unknown:
            profile = domain.profile(index)
            return unknown(prop, f"at profile {[list(r) for r in profile]}: {result.reason}", evidence)
        return fails(prop, evidence)
    return holds(
        prop,
        {
            "kind": "exhaustive",
            "mechanism": table.name,
            "domain": domain_description(domain),
            **(top or {}),
            "profiles_checked": len(found),
            "certificates_digest": plain_digest(found),
        },
    )


def plain_holds(prop: str, evidence: dict[str, Any]) -> CheckResult:
    """``verified.results.holds(prop, evidence)`` for evidence made of plain JSON values only
    (str, int, list, dict: what `verified.results.jsonable` returns unchanged, as every
    evidence built here is), marked `PlainJSON` so that no conversion walk runs (on 65,536
    per-profile certificates it costs more than the check). Parts of the evidence are shared
    between profiles (the same assignment, lottery item or ranking list): read it, do not
    mutate it."""
    return holds(prop, PlainJSON(evidence))


def plain_digest(value: Any) -> str:
    """``verified.results.digest(value)`` for plain JSON values (the same text: ``canonical_json``
    is ``json.dumps`` of ``jsonable(value)``, and ``jsonable`` leaves plain values unchanged)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()
