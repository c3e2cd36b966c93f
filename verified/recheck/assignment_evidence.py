"""Shared readers of assignment evidence (stdlib only): every stated field is compared with
what the checker re-derives from the validated subject.

* `domain_description`: the library's description of the domain
  (`verified.assignment.properties._common.domain_description`), rebuilt here;
* `table_digest`: the table fingerprint (`_common.array_digest`), rebuilt here;
* `row_equals`: a stated row ``{column: "n/d"}`` must name every column exactly once and
  equal the table's row;
* `same`: equality of canonical JSON (so ``true`` never passes for ``1``).
"""

from __future__ import annotations

import hashlib
import itertools
import sys
from array import array
from collections.abc import Iterable
from fractions import Fraction

from verified.recheck.assignment_subject import full_size
from verified.recheck.core import canonical, ensure, exact_keys, rational, sha256
from verified.recheck.table import Table, full_preferences

MANIPULATION = (
    "kind",
    "profile",
    "agent",
    "true_preference",
    "misreport",
    "prefix",
    "truthful_cumulative",
    "misreport_cumulative",
    "truthful_row",
    "misreport_row",
)
DIGEST_CHUNK = 1 << 16  # numerators hashed at a time
RANKING_ORDER = "by length, then lexicographic in object positions (itertools.permutations)"


def same(value: object, expected: object, where: str) -> None:
    ensure(canonical(value) == canonical(expected), f"{where}: stated {value!r}, re-derived {expected!r}")


def is_full(t: Table) -> bool:
    """Every agent may report every ranking (as sets: `Domain.is_full`)."""
    if t.full:
        return True
    size = full_size(t.m, t.count)
    if size is None or any(len(ps) != size for ps in t.preferences):
        return False
    full = set(full_preferences(t.objects))  # at most t.count rankings: bounded by the table
    return all(set(ps) == full for ps in t.preferences)


def domain_description(t: Table) -> dict:
    out: dict = {
        "agents": list(t.agents),
        "objects": list(t.objects),
        "capacities": list(t.capacities),
        "profiles": t.count,
    }
    if is_full(t):
        out["preferences"] = "full"
        out["ranking_order"] = RANKING_ORDER
    else:
        out["preferences"] = [[list(r) for r in ps] for ps in t.preferences]
    return out


def table_digest(t: Table) -> str:
    """SHA-256 of canonical {"denominator", "shape", "encoding", "numerators_sha256"}: the
    numerators (flattened, C order) as 8-byte big-endian signed integers
    ("int64-big-endian", denominator < 2**63) or as the ASCII text "[v0,v1,...]"."""
    flat = itertools.chain.from_iterable(itertools.chain.from_iterable(t.nums))
    return digest_of(flat, t.den, [t.count, t.n, t.m + 1])


def digest_of(flat: Iterable[int], den: int, shape: list[int]) -> str:
    """The digest of the numerators ``flat`` (any iterable of integers, hashed in chunks of
    `DIGEST_CHUNK` values: never a second copy of the table, nor one bytes object per entry)."""
    values = iter(flat)
    numerators = hashlib.sha256()
    if den < 2**63:
        encoding = "int64-big-endian"
        while chunk := array("q", itertools.islice(values, DIGEST_CHUNK)):
            if sys.byteorder == "little":
                chunk.byteswap()
            numerators.update(chunk)
    else:
        encoding = "decimal-json"
        separator = b"["
        while chunk := list(itertools.islice(values, DIGEST_CHUNK)):
            numerators.update(separator + ",".join(map(str, chunk)).encode("ascii"))
            separator = b","
        numerators.update(b"[]" if separator == b"[" else b"]")
    return sha256(
        {
            "denominator": den,
            "shape": shape,
            "encoding": encoding,
            "numerators_sha256": numerators.hexdigest(),
        }
    )


def row_equals(columns: list[str], den: int, stated: object, actual: list[int], where: str) -> None:
    """A stated row names every column once and equals ``actual / den``."""
    row = exact_keys(stated, columns, (), where)
    for k, x in enumerate(columns):
        value = rational(row[x], f"{where}[{x!r}]")
        ensure(value == Fraction(actual[k], den), f"{where}[{x!r}]: stated {value}, table {actual[k]}/{den}")


def number(stated: object, expected: Fraction, where: str) -> None:
    value = rational(stated, where)
    ensure(value == expected, f"{where}: stated {value}, re-derived {expected}")


def profile_list(t: Table, index: int) -> list[list[str]]:
    return [list(p) for p in t.profile(index)]
