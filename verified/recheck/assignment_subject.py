"""Re-validation of an assignment subject as a well-formed model (standard library only).

The checker believes nothing the subject says until it has checked, with the
same rules as the library, that it describes a model the library itself would
load (`verified.assignment.model.Problem`, `verified.assignment.domain.Domain`,
`verified.assignment.mechanism.TabulatedMechanism`, `verified.assignment.priorities.Priorities`,
`verified.assignment.anonymous.OrbitTable`; encoding of `verified.io.canonical`):

* problem: exactly ``agents``, ``objects``, ``capacities``; agent and object names are
  non-empty, distinct strings, at least one of each; no object is called ``"outside"``;
  one capacity per object, each a positive integer (not a boolean, not 1.5, not 0);
* domain: exactly ``{"full": true}`` or ``{"preferences": [...]}``, one non-empty list per
  agent of distinct rankings, each a list of distinct known objects;
* size first: the number of profiles the domain declares (a product of per-agent sizes;
  for the full domain sum_k m!/(m-k)! per agent, computed arithmetically with an early
  stop) must equal the length of the table *before* anything is enumerated, so a subject
  claiming 10^30 profiles with a tiny table is refused at once;
* table: the denominator is a positive integer; every numerator a non-negative integer
  (not a boolean); n rows of m + 1 entries per profile, each row summing to the
  denominator, each object column at most its capacity times the denominator;
* priorities (ex post stability, Erdil section 3): one weak order per object, exactly
  the problem's objects, each a list of non-empty tie classes (highest first) that
  partition the agents (every agent exactly once, no unknown agent).
"""

from __future__ import annotations

from math import comb

from verified.recheck.core import ensure, exact_keys, fail, integer, text, text_list

OUTSIDE = "outside"


def names(values: object, where: str) -> list[str]:
    """Agent or object names: distinct, non-empty strings, at least one (`verified.names`)."""
    out = text_list(values, where, unique=True)
    ensure(bool(out), f"{where}: the list is empty")
    for k, name in enumerate(out):
        ensure(bool(name), f"{where}[{k}]: empty name")
    return out


def problem(value: object, where: str = "subject.problem") -> tuple[list[str], list[str], list[int]]:
    """(agents, objects, capacities) of a problem encoding (rules of `Problem`)."""
    spec = exact_keys(value, ("agents", "objects", "capacities"), (), where)
    agents = names(spec["agents"], f"{where}.agents")
    objects = names(spec["objects"], f"{where}.objects")
    ensure(OUTSIDE not in objects, f"{where}.objects: {OUTSIDE!r} is reserved for the outside option")
    caps = spec["capacities"]
    ensure(
        isinstance(caps, list) and len(caps) == len(objects),
        f"{where}.capacities: expected one capacity per object ({len(objects)})",
    )
    capacities = [integer(q, f"{where}.capacities[{k}]", low=1) for k, q in enumerate(caps)]
    return agents, objects, capacities


def ranking(value: object, objects: list[str] | set[str], where: str) -> tuple[str, ...]:
    """A strict ranking of acceptable objects: distinct known objects, never ``"outside"``."""
    out = text_list(value, where, unique=True)
    for k, x in enumerate(out):
        ensure(x in objects, f"{where}[{k}]: unknown object {x!r}")
    return tuple(out)


def rankings(values: object, objects: list[str], where: str) -> list[tuple[str, ...]]:
    """A non-empty list of distinct rankings."""
    ensure(isinstance(values, list) and bool(values), f"{where}: expected a non-empty list of rankings")
    known = set(objects)
    out = [ranking(r, known, f"{where}[{k}]") for k, r in enumerate(values)]  # type: ignore[arg-type]
    ensure(len(set(out)) == len(out), f"{where}: a ranking is listed twice")
    return out


def full_size(m: int, limit: int) -> int | None:
    """sum_k m!/(m-k)! (rankings of every subset of m objects), or None once it exceeds ``limit``:
    never more than a few steps for a huge m."""
    total, term = 0, 1
    for k in range(m + 1):
        total += term
        if total > limit:
            return None
        term *= m - k
    return total


def bounded_product(sizes: list[int], limit: int) -> int | None:
    """The product of ``sizes`` (each >= 1), or None once it exceeds ``limit``."""
    out = 1
    for s in sizes:
        out *= s
        if out > limit:
            return None
    return out


def domain(
    value: object, agents: list[str], objects: list[str], profiles: int, where: str = "subject.domain"
) -> tuple[list[list[tuple[str, ...]]], bool]:
    """Per-agent rankings and whether the encoding says ``full``; the domain must have exactly
    ``profiles`` profiles (the table's length), checked before the full domain is enumerated."""
    ensure(isinstance(value, dict), f"{where}: expected an object")
    n = len(agents)
    if "full" in value:  # type: ignore[operator]
        spec = exact_keys(value, ("full",), (), where)
        ensure(spec["full"] is True, f"{where}.full: must be true")
        size = full_size(len(objects), profiles)
        count = None if size is None else bounded_product([size] * n, profiles)
        ensure(
            count == profiles,
            f"{where}: the full domain has {'more than ' + str(profiles) if count is None else count} "
            f"profiles, the table {profiles}",
        )
        from itertools import permutations

        full: list[tuple[str, ...]] = []
        for k in range(len(objects) + 1):
            full.extend(permutations(objects, k))
        return [full for _ in agents], True
    spec = exact_keys(value, ("preferences",), (), where)
    prefs = spec["preferences"]
    ensure(isinstance(prefs, list) and len(prefs) == n, f"{where}.preferences: one list per agent ({n})")
    per_agent = [rankings(ps, objects, f"{where}.preferences[{i}]") for i, ps in enumerate(prefs)]
    count = bounded_product([len(ps) for ps in per_agent], profiles)
    ensure(
        count == profiles,
        f"{where}: the domain has {'more than ' + str(profiles) if count is None else count} profiles, "
        f"the table {profiles}",
    )
    return per_agent, False


def numerators(
    value: object, profiles_len: int, n: int, m: int, den: int, caps: list[int], where: str
) -> None:
    """Shape, types and validity (rows sum to ``den``, columns within capacity) of a table."""
    ensure(
        isinstance(value, list) and len(value) == profiles_len, f"{where}: expected {profiles_len} profiles"
    )
    limits = [q * den for q in caps]
    for pi, block in enumerate(value):  # type: ignore[arg-type]
        ensure(isinstance(block, list) and len(block) == n, f"{where}[{pi}]: expected {n} rows")
        used = [0] * m
        for i, row in enumerate(block):
            place = f"{where}[{pi}][{i}]"
            ensure(isinstance(row, list) and len(row) == m + 1, f"{place}: expected {m + 1} entries")
            for k, v in enumerate(row):
                integer(v, f"{place}[{k}]", low=0, high=den)
            ensure(sum(row) == den, f"{place}: the row does not sum to 1")
            for k in range(m):
                used[k] += row[k]
        for k in range(m):
            if used[k] > limits[k]:
                fail(f"{where}[{pi}]: column {k} is over its capacity")


def priorities(
    value: object, agents: list[str], objects: list[str], where: str = "subject.priorities"
) -> dict:
    """``{(object, agent): tie-class index}`` of a priority structure (rules of `Priorities`)."""
    spec = exact_keys(value, objects, (), where)
    known = set(agents)
    rank: dict[tuple[str, str], int] = {}
    for x in objects:
        order = spec[x]
        ensure(isinstance(order, list), f"{where}[{x!r}]: expected a list of tie classes")
        seen: set[str] = set()
        for c, tie in enumerate(order):  # type: ignore[arg-type]
            members = text_list(tie, f"{where}[{x!r}][{c}]", unique=True)
            ensure(bool(members), f"{where}[{x!r}][{c}]: empty tie class")
            for a in members:
                ensure(a in known, f"{where}[{x!r}][{c}]: unknown agent {a!r}")
                ensure(a not in seen, f"{where}[{x!r}][{c}]: agent {a!r} is ranked twice")
                seen.add(a)
                rank[(x, a)] = c
        missing = [a for a in agents if a not in seen]
        ensure(not missing, f"{where}[{x!r}]: agents {missing} are not ranked")
    return rank


def mechanism_header(value: object, extra: tuple[str, ...], where: str = "subject.mechanism") -> dict:
    """The mechanism object: ``name`` (a string), ``denominator`` (positive integer), ``numerators``."""
    spec = exact_keys(value, ("name", "denominator", "numerators", *extra), (), where)
    text(spec["name"], f"{where}.name")
    integer(spec["denominator"], f"{where}.denominator", low=1)
    for key in extra:
        text(spec[key], f"{where}.{key}")
    return spec


def orbit_count(k: int, n: int) -> int:
    """Multisets of n - 1 reports out of k rankings: C(k + n - 2, n - 1)."""
    return comb(k + n - 2, n - 1)
