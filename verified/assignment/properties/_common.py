"""Shared plumbing of the ordinal property checks: prefixes, rows, domain and table digests,
and the exact integer subset sums that make the whole-domain checks vectorised.

Prefix convention (used by every check in this package). A preference lists the
acceptable objects, best first; the outside option comes right after them and the
ranking *below* the outside option is unspecified. The prefixes compared are
therefore: the top 1, top 2, ..., all acceptable objects, and then "all acceptable
objects + the outside option". Under individual rationality (no probability on
unacceptable objects) these are all the upper contour sets of Erdil's (FOSD); the
remaining ones (inside the unacceptable objects) are then automatic.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from typing import Any

import numpy as np

from verified.assignment import intbounds
from verified.assignment.compact import CompactTable
from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism, tabulate
from verified.assignment.model import Preference, Problem, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.numbers import fraction_text, to_fraction
from verified.results import CheckResult, digest, fails, holds, unknown

Row = tuple[Fraction, ...]


def prefixes(problem: Problem, pref: Preference) -> tuple[tuple[int, ...], ...]:
    """Column indices of each prefix of ``pref`` (see module docstring), best first."""
    cols = [problem.object_index(x) for x in pref]
    out = [tuple(cols[: k + 1]) for k in range(len(cols))]
    out.append((*cols, problem.m))
    return tuple(out)


def prefix_names(problem: Problem, columns: Sequence[int]) -> list[str]:
    """Column labels of a prefix (objects and possibly ``"outside"``)."""
    return [problem.columns[c] for c in columns]


def exact_row(problem: Problem, row: Sequence[object], where: str) -> Row:
    """A row over `Problem.columns` as Fractions (validated length, no floats)."""
    values = list(row)
    if len(values) != problem.m + 1:
        raise InvalidInput(f"{len(values)} entries, expected {problem.m + 1} (objects + outside)", where)
    return tuple(to_fraction(v, f"{where}[{x!r}]") for x, v in zip(problem.columns, values, strict=True))


def row_json(problem: Problem, row: Sequence[Fraction]) -> dict[str, str]:
    """``{column: "n/d"}`` over every column (zeros included)."""
    return {x: fraction_text(v) for x, v in zip(problem.columns, row, strict=True)}


def domain_description(domain: Domain) -> dict[str, Any]:
    """What an independent checker needs to re-enumerate the domain (profile order:
    mixed radix, agent 0 most significant, each agent's rankings in the listed order)."""
    p = domain.problem
    out: dict[str, Any] = {
        "agents": list(p.agents),
        "objects": list(p.objects),
        "capacities": list(p.capacities),
        "profiles": len(domain),
    }
    if domain.is_full:
        out["preferences"] = "full"
        out["ranking_order"] = "by length, then lexicographic in object positions (itertools.permutations)"
    else:
        out["preferences"] = [[list(r) for r in rankings] for rankings in domain.preferences]
    return out


def over_domain(
    prop: str,
    mechanism: Mechanism | TabulatedMechanism,
    domain: Domain,
    check: Callable[[StochasticAssignment, Profile], CheckResult],
    extra: dict[str, Any] | None = None,
    *,
    sink: Any = None,
) -> CheckResult:
    """``check(gamma, profile)`` at every profile of ``domain``. FAILS/UNKNOWN: the first
    profile's evidence plus ``mechanism``. HOLDS evidence ``exhaustive``: mechanism, domain,
    ``extra`` (if any), ``profiles_checked`` and ``certificates_digest`` =
    `verified.results.digest` of the per-profile HOLDS evidences in domain order. With a
    ``sink`` (a `violations_count.Tally`): every profile is checked, each one that does not
    hold goes to ``sink.add_result``, and the result is the same."""
    certificates = []
    for index, profile in enumerate(domain):
        gamma = mechanism.at_index(index) if isinstance(mechanism, TabulatedMechanism) else mechanism(profile)
        found = check(gamma, profile)
        if not found.holds:
            if sink is None:
                return _first_not_holding(prop, mechanism, profile, found)
            sink.add_result(index, profile, found)
            continue
        certificates.append(found.evidence)
    if sink is not None and sink.first is not None:
        index, found = sink.first
        return _first_not_holding(prop, mechanism, domain.profile(index), found)
    return holds(
        prop,
        {
            "kind": "exhaustive",
            "mechanism": mechanism.name,
            "domain": domain_description(domain),
            **(extra or {}),
            "profiles_checked": len(certificates),
            "certificates_digest": digest(certificates),
        },
    )


def _first_not_holding(prop: str, mechanism: Any, profile: Profile, found: CheckResult) -> CheckResult:
    """`over_domain`'s answer at the first profile that does not hold."""
    evidence = {**found.evidence, "mechanism": mechanism.name}
    if found.unknown:
        return unknown(prop, f"at profile {[list(r) for r in profile]}: {found.reason}", evidence)
    return fails(prop, evidence)


_DIGESTS: weakref.WeakKeyDictionary[TabulatedMechanism, str | Future[str]] = weakref.WeakKeyDictionary()
_HASHER: list[ThreadPoolExecutor] = []


def table_digest(mechanism: TabulatedMechanism) -> str:
    """`array_digest` of the table's numerators and denominator, computed once per table (a
    table's numerators are read-only and it is hashed by identity, so the digest cannot go
    stale; every property of one run states the same digest)."""
    found = _DIGESTS.get(mechanism)
    if found is None:
        found = _DIGESTS[mechanism] = array_digest(mechanism.numerators, mechanism.denominator)
    elif isinstance(found, Future):
        found = _DIGESTS[mechanism] = found.result()
    return found


def prefetch_table_digest(mechanism: TabulatedMechanism) -> None:
    """Start `table_digest` in a background thread: hashlib and numpy's casts release the GIL,
    so on a second core the digest (0.15 s for a million 5-agent profiles) is ready by the
    time a check's evidence asks for it."""
    if mechanism in _DIGESTS:
        return
    if not _HASHER:
        _HASHER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="verified-digest"))
    _DIGESTS[mechanism] = _HASHER[0].submit(array_digest, mechanism.numerators, mechanism.denominator)


def _forget_unfinished_digests() -> None:
    """In a forked child the hashing thread is gone: a digest it had not finished is recomputed
    there on demand (and the next prefetch starts a thread of the child's own)."""
    _HASHER.clear()
    for table, found in list(_DIGESTS.items()):
        if isinstance(found, Future):
            if found.done() and found.exception() is None:
                _DIGESTS[table] = found.result()
            else:
                del _DIGESTS[table]


os.register_at_fork(after_in_child=_forget_unfinished_digests)


def array_digest(nums: np.ndarray, denominator: int) -> str:
    """Fingerprint of an integer table: ``verified.results.digest`` of ``{"denominator": d,
    "shape": [P, n, m + 1], "encoding": ..., "numerators_sha256": h}`` where ``h`` is the
    SHA-256 of the numerators flattened in C order and encoded as

    * ``"int64-big-endian"`` (when the denominator is < 2**63): 8 bytes per entry,
      big-endian two's complement, i.e. ``b"".join(v.to_bytes(8, "big", signed=True))``;
    * ``"decimal-json"`` otherwise: the ASCII text ``"[v0,v1,...]"``.

    Both are reproducible with the standard library; the binary form keeps
    million-profile tables fast."""
    flat = nums.reshape(-1)
    sha = hashlib.sha256()
    chunk = 1 << 20
    if denominator < 2**63:
        encoding = "int64-big-endian"
        for start in range(0, flat.size, chunk):
            sha.update(np.asarray(flat[start : start + chunk]).astype(">i8").tobytes())
    else:
        encoding = "decimal-json"
        sha.update(b"[")
        for start in range(0, flat.size, chunk):
            part = ",".join(str(int(v)) for v in flat[start : start + chunk].tolist())
            sha.update((("," if start else "") + part).encode("ascii"))
        sha.update(b"]")
    return digest(
        {
            "denominator": int(denominator),
            "shape": [int(s) for s in nums.shape],
            "encoding": encoding,
            "numerators_sha256": sha.hexdigest(),
        }
    )


def work_dtype(denominator: int) -> Any:
    """Smallest exact dtype for sums of entries of one row (all such sums are <= denominator):
    `verified.assignment.intbounds.work_dtype` of the denominator."""
    return intbounds.work_dtype(denominator)


class SubsetSums:
    """Exact sums of chosen columns of one agent's rows over a whole table.

    ``block`` has shape (..., m + 1); ``get(cols)`` returns ``block[..., cols].sum(-1)``
    in `work_dtype` (cached, built from the sum of the shorter prefix). ``denominator``
    must bound every such sum (true of a validated table's rows: they sum to it)."""

    def __init__(self, block: np.ndarray, denominator: int) -> None:
        self._block = block
        self._dtype = work_dtype(denominator)
        self._cache: dict[tuple[int, ...], np.ndarray] = {}

    def column(self, c: int) -> np.ndarray:
        return self.get((c,))

    def get(self, cols: tuple[int, ...]) -> np.ndarray:
        key = tuple(sorted(cols))
        found = self._cache.get(key)
        if found is not None:
            return found
        if len(key) == 1:
            value = np.asarray(self._block[..., key[0]]).astype(self._dtype)
        else:
            value = self.get(key[:-1]) + self.get(key[-1:])
        self._cache[key] = value
        return value


def agent_block(mechanism: TabulatedMechanism, agent: int) -> np.ndarray:
    """Agent ``agent``'s rows as a view shaped (k_0, ..., k_{n-1}, m + 1)."""
    sizes = mechanism.domain.sizes
    return mechanism.numerators.reshape((*sizes, *mechanism.numerators.shape[1:]))[..., agent, :]


def as_table(mechanism: Mechanism | TabulatedMechanism, domain: Domain) -> TabulatedMechanism:
    """The table of ``mechanism`` over ``domain``: itself when it is one (a `CompactTable` is
    passed through too: only checks that widen before adding are given one, see
    `verified.assignment.compact`), else the mechanism tabulated."""
    if isinstance(mechanism, (TabulatedMechanism, CompactTable)):
        if mechanism.domain != domain:
            raise InvalidInput(f"table {mechanism.name!r} is over another domain", "mechanism")
        return mechanism
    return tabulate(mechanism, domain)


def profile_at(domain: Domain, agent: int, own: int, rest_index: int) -> tuple[int, Profile]:
    """Profile number and profile whose agent ``agent`` has ranking number ``own`` and whose
    other agents are given by ``rest_index`` (C order over the others' axes)."""
    sizes = domain.sizes
    rest_sizes = sizes[:agent] + sizes[agent + 1 :]
    rest = np.unravel_index(rest_index, rest_sizes) if rest_sizes else ()
    digits = [int(d) for d in rest]
    digits.insert(agent, own)
    index = 0
    for d, size in zip(digits, sizes, strict=True):
        index = index * size + d
    return index, domain.profile(index)
