"""Re-checking assignment certificates from the embedded table (stdlib only).

HOLDS claims are re-derived by enumerating the whole domain; FAILS claims
are confirmed by recomputing the counterexample at the place it names and
comparing every number it states. Prefix convention (as in the checks):
prefixes of the acceptable list, then "acceptable + outside".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from fractions import Fraction

from verified.recheck.core import ensure, fail, field, rational, sha256
from verified.recheck.table import Table, full_preferences


def table_digest(t: Table) -> str:
    """The checks' table fingerprint: SHA-256 of canonical {"denominator", "shape",
    "encoding", "numerators_sha256"}, where the numerators (flattened, C order) are hashed
    as 8-byte big-endian signed integers ("int64-big-endian", denominator < 2**63) or as
    the ASCII text "[v0,v1,...]" ("decimal-json")."""
    flat = [v for block in t.nums for row in block for v in row]
    if t.den < 2**63:
        encoding = "int64-big-endian"
        data = b"".join(v.to_bytes(8, "big", signed=True) for v in flat)
    else:
        encoding = "decimal-json"
        data = ("[" + ",".join(map(str, flat)) + "]").encode("ascii")
    return sha256(
        {
            "denominator": t.den,
            "shape": [t.count, t.n, t.m + 1],
            "encoding": encoding,
            "numerators_sha256": hashlib.sha256(data).hexdigest(),
        }
    )


def _same_domain(t: Table, evidence: dict) -> None:
    dom = evidence.get("domain")
    if not isinstance(dom, dict):
        return
    for key, value in (("agents", t.agents), ("objects", t.objects), ("capacities", t.capacities)):
        if key in dom:
            ensure(dom[key] == value, f"evidence domain {key} differ from the subject")
    if "profiles" in dom:
        ensure(dom["profiles"] == t.count, "evidence domain size differs from the subject")
    prefs = dom.get("preferences")
    if prefs == "full":
        full = set(full_preferences(t.objects))  # as a set: the subject fixes the order
        ensure(all(set(ps) == full for ps in t.preferences), "evidence says full domain")
    elif prefs is not None:
        ensure(prefs == [[list(p) for p in ps] for ps in t.preferences], "evidence domain differs")


def _same_table(t: Table, evidence: dict) -> None:
    _same_domain(t, evidence)
    if "table_digest" in evidence:
        ensure(
            evidence["table_digest"] == table_digest(t), "evidence table_digest does not match the subject"
        )


def _profile(t: Table, evidence: dict) -> int:
    return t.index(field(evidence, "profile", "evidence"), "evidence.profile")


def _agent(t: Table, evidence: dict) -> int:
    return t.agent(field(evidence, "agent", "evidence"), "evidence.agent")


def _none_found(t: Table, evidence: dict, violation: Callable[[Table], object], message: str) -> None:
    """A HOLDS claim: the evidence describes this table, and re-enumerating the whole domain
    finds no violation (``message`` formats the one found)."""
    _same_table(t, evidence)
    found = violation(t)
    ensure(found is None, message.format(found))


def _row_equals(t: Table, stated: object, actual: list[int], where: str) -> None:
    """A stated row ({column: "n/d"} or a list over columns) equals the table's row."""
    if isinstance(stated, dict):
        for k, x in enumerate(t.columns):
            value = rational(stated.get(x, 0), f"{where}[{x}]")
            ensure(
                value == Fraction(actual[k], t.den),
                f"{where}: {x} is {value}, table says {actual[k]}/{t.den}",
            )
        ensure(set(stated) <= set(t.columns), f"{where}: unknown columns")
    else:
        ensure(isinstance(stated, list) and len(stated) == len(actual), f"{where}: bad row")
        for k, v in enumerate(stated):  # type: ignore[arg-type]
            ensure(rational(v, f"{where}[{k}]") == Fraction(actual[k], t.den), f"{where}: entry {k} differs")


# ----- individual rationality -------------------------------------------------------------


def ir_violation(t: Table) -> tuple | None:
    for pi in range(t.count):
        for i, pref in enumerate(t.profile(pi)):
            for k, x in enumerate(t.objects):
                if x not in pref and t.nums[pi][i][k]:
                    return (pi, i, k)
    return None


def recheck_ir(t: Table, verdict: str, ev: dict) -> None:
    if verdict == "holds":
        _none_found(t, ev, ir_violation, "not individually rational: {}")
        return
    pi, i = _profile(t, ev), _agent(t, ev)
    k = t.column(field(ev, "object", "evidence"), "evidence.object")
    ensure(k < t.m and t.columns[k] not in t.profile(pi)[i], "the object named is acceptable to the agent")
    value = t.prob(pi, i, k)
    ensure(value > 0, "the unacceptable object has probability 0")
    ensure(
        rational(field(ev, "probability", "evidence"), "probability") == value, "stated probability differs"
    )


# ----- wastefulness ----------------------------------------------------------------------


def _ranked(t: Table, pref: tuple[str, ...]) -> list[int]:
    """Columns of X_j best first: acceptable objects, the outside option, then the
    unacceptable objects (their order below the outside option never matters here)."""
    listed = [t.objects.index(x) for x in pref]
    return [*listed, t.m, *(k for k in range(t.m) if k not in listed)]


def _room(t: Table, pi: int, j: int, z: int) -> tuple[int, int]:
    """(used, capacity) numerators of z: an object's column, or j's own outside option (capacity 1)."""
    if z == t.m:
        return t.nums[pi][j][z], t.den
    return sum(t.nums[pi][i][z] for i in range(t.n)), t.capacities[z] * t.den


def waste_at(t: Table, pi: int, j: int, y: int, z: int) -> bool:
    """Erdil: z P_j y, gamma_jy > 0 and z not used up (y may be the outside option, or an
    unacceptable object when z is the outside option)."""
    rank = _ranked(t, t.profile(pi)[j])
    ensure(rank.index(z) < rank.index(y), "z is not preferred to y")
    ensure(rank.index(z) <= len(t.profile(pi)[j]), "z must be acceptable or the outside option")
    used, capacity = _room(t, pi, j, z)
    return t.nums[pi][j][y] > 0 and used < capacity


def waste_violation(t: Table) -> tuple | None:
    for pi in range(t.count):
        for j, pref in enumerate(t.profile(pi)):
            rank = _ranked(t, pref)
            for a, z in enumerate(rank[: len(pref) + 1]):
                used, capacity = _room(t, pi, j, z)
                if used < capacity:
                    for y in rank[a + 1 :]:
                        if t.nums[pi][j][y] > 0:
                            return (pi, j, y, z)
    return None


def recheck_nonwasteful(t: Table, verdict: str, ev: dict) -> None:
    if verdict == "holds":
        _none_found(t, ev, waste_violation, "wasteful at {}")
        return
    pi, j = _profile(t, ev), _agent(t, ev)
    y = t.column(field(ev, "y", "evidence"), "evidence.y")
    z = t.column(field(ev, "z", "evidence"), "evidence.z")
    ensure(waste_at(t, pi, j, y, z), "no waste at the stated (profile, agent, y, z)")
    if "row" in ev:
        _row_equals(t, ev["row"], t.row(pi, j), "row")
    for key, value in (
        ("gamma_jy", t.prob(pi, j, y)),
        ("z_column_sum", Fraction(_room(t, pi, j, z)[0], t.den)),
        ("z_capacity", Fraction(_room(t, pi, j, z)[1], t.den)),
    ):
        if key in ev:
            ensure(rational(ev[key], key) == value, f"stated {key} differs from the table")


# ----- strategy-proofness ---------------------------------------------------------------


def _cumulative(row: tuple[int, ...], order: list[int]) -> tuple[int, ...]:
    total, out = 0, []
    for c in order:
        total += row[c]
        out.append(total)
    return tuple(out)


def _first_gain(rows: list[tuple[int, ...]], orders: list[list[int]]) -> tuple[int, int, int] | None:
    """(true ranking, report, prefix) where reporting beats the truth for one agent whose
    reports give ``rows`` (the others fixed), or None."""
    for tr, order in enumerate(orders):
        truth = _cumulative(rows[tr], order)
        for r, row in enumerate(rows):
            if row != rows[tr]:
                lie = _cumulative(row, order)
                for k, (a, b) in enumerate(zip(truth, lie, strict=True)):
                    if b > a:
                        return tr, r, k
    return None


def sp_violation(t: Table) -> tuple | None:
    """First (profile, agent, report position, prefix number) with a profitable misreport, or
    None. Every (profile, agent, misreport) is compared; for each agent, the others' reports
    that give her the same rows (as a tuple over her reports) are compared only once."""
    for i in range(t.n):
        stride = 1
        for s in t.sizes[i + 1 :]:
            stride *= s
        size = t.sizes[i]
        orders = [[t.objects.index(x) for x in pref] + [t.m] for pref in t.preferences[i]]
        seen: set[tuple[tuple[int, ...], ...]] = set()
        for base in range(t.count):
            if (base // stride) % size:
                continue
            rows = tuple(tuple(t.nums[base + r * stride][i]) for r in range(size))
            if rows in seen:
                continue
            seen.add(rows)
            found = _first_gain(list(rows), orders)
            if found is not None:
                tr, r, k = found
                return (base + tr * stride, i, r, k)
    return None


def recheck_sp(t: Table, verdict: str, ev: dict) -> None:
    if verdict == "holds":
        _same_table(t, ev)  # before the comparisons count, so a foreign table is named first
        if "comparisons" in ev:
            expected = sum(t.count * (s - 1) for s in t.sizes)
            ensure(ev["comparisons"] == expected, f"comparisons {ev['comparisons']} != {expected}")
        found = sp_violation(t)
        ensure(found is None, f"a profitable misreport exists: {found}")
        return
    pi, i = _profile(t, ev), _agent(t, ev)
    report = field(ev, "misreport", "evidence")
    ensure(isinstance(report, list), "misreport must be a list of objects")
    r = t.position[i].get(tuple(report))
    ensure(r is not None, "the misreport is not in the agent's domain")
    truth_pref = t.profile(pi)[i]
    if "true_preference" in ev:
        ensure(ev["true_preference"] == list(truth_pref), "true_preference is not the agent's report")
    ensure(tuple(report) != truth_pref, "the misreport equals the true preference")
    lie_index = t.deviation_index(pi, i, r)
    truth = t.cumulative(t.row(pi, i), truth_pref)
    lie = t.cumulative(t.row(lie_index, i), truth_pref)
    prefix = field(ev, "prefix", "evidence")
    ensure(isinstance(prefix, list) and prefix, "prefix must be a non-empty list")
    expected = [list(truth_pref[: k + 1]) for k in range(len(truth_pref))] + [[*truth_pref, "outside"]]
    ensure(prefix in expected, f"{prefix} is not a prefix of the true preference {list(truth_pref)}")
    k = expected.index(prefix)
    ensure(lie[k] > truth[k], f"misreporting does not raise the probability of {prefix}")
    for key, value in (("truthful_cumulative", truth[k]), ("misreport_cumulative", lie[k])):
        if key in ev:
            ensure(rational(ev[key], key) == Fraction(value, t.den), f"stated {key} differs from the table")
    for key, idx in (("truthful_row", pi), ("misreport_row", lie_index)):
        if key in ev:
            _row_equals(t, ev[key], t.row(idx, i), key)


# ----- equal treatment of equals and anonymity ----------------------------------------------


def ete_violation(t: Table) -> tuple | None:
    for pi in range(t.count):
        prof = t.profile(pi)
        for i in range(t.n):
            for j in range(i + 1, t.n):
                if prof[i] == prof[j] and t.nums[pi][i] != t.nums[pi][j]:
                    return (pi, i, j)
    return None


def recheck_ete(t: Table, verdict: str, ev: dict) -> None:
    if verdict == "holds":
        _none_found(t, ev, ete_violation, "equals treated unequally: {}")
        return
    pi = _profile(t, ev)
    agents = field(ev, "agents", "evidence")
    ensure(isinstance(agents, list) and len(agents) == 2, "evidence.agents must name two agents")
    i, j = (t.agent(a, "evidence.agents") for a in agents)
    prof = t.profile(pi)
    ensure(i != j and prof[i] == prof[j], "the two agents do not report the same preference")
    ensure(t.nums[pi][i] != t.nums[pi][j], "the two agents get the same row")


def _permuted_index(t: Table, pi: int, perm: list[int]) -> int:
    """Index of the profile where agent perm[i] reports what agent i reports at pi."""
    prof = t.profile(pi)
    moved: list = [None] * t.n
    for i, target in enumerate(perm):
        moved[target] = list(prof[i])
    return t.index(moved, "permuted profile")


def anonymity_violation(t: Table) -> tuple | None:
    ensure(all(p == t.preferences[0] for p in t.preferences), "anonymity needs a symmetric domain")
    for a in range(t.n - 1):  # adjacent transpositions generate every permutation
        perm = list(range(t.n))
        perm[a], perm[a + 1] = a + 1, a
        for pi in range(t.count):
            qi = _permuted_index(t, pi, perm)
            for i in range(t.n):
                if t.nums[qi][perm[i]] != t.nums[pi][i]:
                    return (pi, perm, i)
    return None


def recheck_anonymous(t: Table, verdict: str, ev: dict) -> None:
    """FAILS evidence: profile R, permutation pi (list of agent positions pi(0), ..., pi(n-1)),
    agent i with f_i(R o pi) != f_pi(i)(R), where (R o pi)_k = R_pi(k)."""
    if verdict == "holds":
        _none_found(t, ev, anonymity_violation, "not anonymous: {}")
        return
    pi = _profile(t, ev)
    perm = field(ev, "permutation", "evidence")
    ensure(isinstance(perm, list) and sorted(perm) == list(range(t.n)), "not a permutation of 0..n-1")
    prof = t.profile(pi)
    moved = t.index([list(prof[perm[k]]) for k in range(t.n)], "permuted profile")
    if "permuted_profile" in ev:
        ensure(
            ev["permuted_profile"] == [list(prof[perm[k]]) for k in range(t.n)], "permuted_profile differs"
        )
    i = _agent(t, ev)
    ensure(t.nums[moved][i] != t.nums[pi][perm[i]], "f_i(R o pi) = f_pi(i)(R) for the stated agent")
    for key, idx, agent in (("permuted_row", moved, i), ("original_row", pi, perm[i])):
        if key in ev:
            _row_equals(t, ev[key], t.row(idx, agent), key)


# ----- dispatch -----------------------------------------------------------------------------


def recheck_valid(t: Table, verdict: str, ev: dict) -> None:
    ensure(verdict == "holds", "a table that loads is valid; 'fails' cannot be certified here")
    _same_table(t, ev)


def _efficiency(prop: str):  # noqa: ANN202 - returns a checker
    def checker(t: Table, verdict: str, ev: dict) -> None:
        from verified.recheck.efficiency import recheck_efficiency

        recheck_efficiency(t, prop, verdict, ev)

    return checker


CHECKERS = {
    "ex-post-efficient": _efficiency("ex-post-efficient"),
    "sd-efficient": _efficiency("sd-efficient"),
    "ex-post-stable": _efficiency("ex-post-stable"),
    "valid": recheck_valid,
    "ir": recheck_ir,
    "nonwasteful": recheck_nonwasteful,
    "sp": recheck_sp,
    "ete": recheck_ete,
    "anonymous": recheck_anonymous,
}


def recheck_assignment(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    kind = field(encoding, "kind", "subject.encoding")
    if kind == "orbit_table":
        from verified.recheck.orbits import recheck_orbit_sp

        ensure(prop == "sp-anonymous", f"no independent checker for {prop!r} on an orbit table")
        recheck_orbit_sp(verdict, evidence, encoding)
        return
    if kind != "table":
        fail(f"unknown assignment subject kind {kind!r}")
    checker = CHECKERS.get(prop)
    if checker is None:
        fail(f"no independent checker for assignment property {prop!r}")
    checker(Table(encoding), verdict, evidence)  # type: ignore[misc]
