"""Re-checking assignment certificates from the embedded, re-validated table (stdlib only).

`recheck_assignment` first checks that (property, verdict, evidence kind) is a
combination it knows (`KINDS`), then re-validates the subject as a model
(`verified.recheck.assignment_subject`), then reads the evidence with exactly the
fields of that kind (any other field is refused) and re-derives each of them:

* HOLDS claims are re-derived by enumerating the whole domain; the stated domain
  description, table digest, mechanism name, denominator and work counts
  (``comparisons``, ``entries_checked``, ``pairs_checked``) must equal the checker's own;
* FAILS claims are confirmed by recomputing the counterexample at the place it names
  (profile, agents and objects by name, never by a position that could alias) and
  comparing every number and row it states.

Prefix convention (as in the checks): prefixes of the acceptable list, then
"acceptable + outside" (Erdil, FOSD).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from verified.recheck.assignment_evidence import (
    MANIPULATION,
    domain_description,
    number,
    profile_list,
    row_equals,
    same,
    table_digest,
)
from verified.recheck.core import ensure, exact_keys, fail, index, integer, text
from verified.recheck.table import Table

EXHAUSTIVE = ("kind", "domain", "table_digest")


def _profile(t: Table, ev: dict) -> int:
    return t.index(ev["profile"], "evidence.profile")


def _agent(t: Table, ev: dict) -> int:
    return t.agent(ev["agent"], "evidence.agent")


def _described(t: Table, ev: dict) -> None:
    """The stated domain description and table digest are the subject's."""
    same(ev["domain"], domain_description(t), "evidence.domain")
    ensure(
        text(ev["table_digest"], "evidence.table_digest") == table_digest(t), "evidence.table_digest differs"
    )


def _count(ev: dict, key: str, expected: int) -> None:
    stated = integer(ev[key], f"evidence.{key}", low=0)
    ensure(stated == expected, f"evidence.{key}: stated {stated}, re-derived {expected}")


# ----- validity --------------------------------------------------------------------------


def valid_holds(t: Table, ev: dict) -> None:
    """The table re-validated when it was read; the stated size and digest are its own."""
    _count(ev, "profiles", t.count)
    ensure(
        text(ev["table_digest"], "evidence.table_digest") == table_digest(t), "evidence.table_digest differs"
    )


# ----- individual rationality ------------------------------------------------------------


def ir_violation(t: Table) -> tuple | None:
    for pi in range(t.count):
        for i, pref in enumerate(t.profile(pi)):
            for k, x in enumerate(t.objects):
                if x not in pref and t.nums[pi][i][k]:
                    return (pi, i, k)
    return None


def ir_holds(t: Table, ev: dict) -> None:
    _described(t, ev)
    checked = sum((t.m - len(p)) * (t.count // t.sizes[i]) for i, ps in enumerate(t.preferences) for p in ps)
    _count(ev, "entries_checked", checked)
    found = ir_violation(t)
    ensure(found is None, f"not individually rational: {found}")


def ir_fails(t: Table, ev: dict) -> None:
    pi, i = _profile(t, ev), _agent(t, ev)
    k = t.column(ev["object"], "evidence.object")
    ensure(k < t.m and t.columns[k] not in t.profile(pi)[i], "the object named is acceptable to the agent")
    value = t.prob(pi, i, k)
    ensure(value > 0, "the unacceptable object has probability 0")
    number(ev["probability"], value, "evidence.probability")


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


def nonwasteful_holds(t: Table, ev: dict) -> None:
    _described(t, ev)
    _count(ev, "pairs_checked", t.count * t.n)
    found = waste_violation(t)
    ensure(found is None, f"wasteful at {found}")


def nonwasteful_fails(t: Table, ev: dict) -> None:
    """Erdil: z P_j y, gamma_jy > 0 and z not used up (z acceptable or the outside option)."""
    pi, j = _profile(t, ev), _agent(t, ev)
    pref = t.profile(pi)[j]
    same(ev["preference"], list(pref), "evidence.preference")
    y = t.column(ev["y"], "evidence.y")
    z = t.column(ev["z"], "evidence.z")
    rank = _ranked(t, pref)
    ensure(rank.index(z) <= len(pref), "z must be acceptable or the outside option")
    ensure(rank.index(z) < rank.index(y), "z is not preferred to y")
    used, capacity = _room(t, pi, j, z)
    ensure(t.nums[pi][j][y] > 0 and used < capacity, "no waste at the stated (profile, agent, y, z)")
    row_equals(t.columns, t.den, ev["row"], t.row(pi, j), "evidence.row")
    number(ev["gamma_jy"], t.prob(pi, j, y), "evidence.gamma_jy")
    number(ev["z_column_sum"], Fraction(used, t.den), "evidence.z_column_sum")
    number(ev["z_capacity"], Fraction(capacity, t.den), "evidence.z_capacity")


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


def sp_holds(t: Table, ev: dict) -> None:
    _described(t, ev)  # before the comparisons count, so a foreign table is named first
    same(ev["mechanism"], t.name, "evidence.mechanism")
    same(ev["denominator"], t.den, "evidence.denominator")
    _count(ev, "comparisons", sum(t.count * (s - 1) for s in t.sizes))
    found = sp_violation(t)
    ensure(found is None, f"a profitable misreport exists: {found}")


def prefixes(pref: tuple[str, ...]) -> list[list[str]]:
    return [list(pref[: k + 1]) for k in range(len(pref))] + [[*pref, "outside"]]


def sp_fails(t: Table, ev: dict) -> None:
    pi, i = _profile(t, ev), _agent(t, ev)
    truth_pref = t.profile(pi)[i]
    same(ev["true_preference"], list(truth_pref), "evidence.true_preference")
    report = tuple(t.ranking(ev["misreport"], "evidence.misreport"))
    r = t.position[i].get(report)
    ensure(r is not None, "the misreport is not in the agent's domain")
    ensure(report != truth_pref, "the misreport equals the true preference")
    lie_index = t.deviation_index(pi, i, r)  # type: ignore[arg-type]
    truth = t.cumulative(t.row(pi, i), truth_pref)
    lie = t.cumulative(t.row(lie_index, i), truth_pref)
    expected = prefixes(truth_pref)
    prefix = ev["prefix"]
    ensure(prefix in expected, f"{prefix!r} is not a prefix of the true preference {list(truth_pref)}")
    k = expected.index(prefix)  # type: ignore[arg-type]
    ensure(lie[k] > truth[k], f"misreporting does not raise the probability of {prefix}")
    number(ev["truthful_cumulative"], Fraction(truth[k], t.den), "evidence.truthful_cumulative")
    number(ev["misreport_cumulative"], Fraction(lie[k], t.den), "evidence.misreport_cumulative")
    row_equals(t.columns, t.den, ev["truthful_row"], t.row(pi, i), "evidence.truthful_row")
    row_equals(t.columns, t.den, ev["misreport_row"], t.row(lie_index, i), "evidence.misreport_row")


# ----- equal treatment of equals and anonymity ----------------------------------------------


def ete_violation(t: Table) -> tuple | None:
    """The first profile with two agents who report the same ranking and get different rows, as
    (profile, i, j) with (i, j) the lexicographically first such pair (i < j); None if there is none.

    Linear in the agents: the agents reporting one ranking form a group, and some pair of the
    group gets different rows iff some member's row differs from the row of its first member g;
    the first pair (i, j) of the group is then (g, the first member differing from g), since g is
    its smallest member. The pair reported is the smallest of these over the groups: the pair of
    the all-pairs loop ``for i: for j > i``."""
    for pi in range(t.count):
        rows = t.nums[pi]
        first: dict[tuple[str, ...], int] = {}
        differing: dict[int, int] = {}  # first member g of a group -> its first member with another row
        for i, pref in enumerate(t.profile(pi)):
            g = first.setdefault(pref, i)
            if g != i and g not in differing and rows[i] != rows[g]:
                differing[g] = i
        if differing:
            return (pi, *min(differing.items()))
    return None


def ete_comparisons(t: Table) -> int:
    """The number of (profile, i < j) with agents i and j reporting the same ranking: for each
    ranking p, the pairs of agents whose domains hold p, each pair in count / (s_i * s_j)
    profiles (s_i the size of agent i's domain). With w_i = count / s_i, a pair's share is
    w_i * w_j / count, and sum_{i < j} w_i * w_j = ((sum w_i)^2 - sum w_i^2) / 2: linear in the
    agents' domains instead of a loop over pairs of agents."""
    total: dict[tuple[str, ...], int] = {}
    squares: dict[tuple[str, ...], int] = {}
    for prefs, size in zip(t.preferences, t.sizes, strict=True):
        w = t.count // size
        for p in prefs:
            total[p] = total.get(p, 0) + w
            squares[p] = squares.get(p, 0) + w * w
    pairs = sum(total[p] ** 2 - squares[p] for p in total)
    return pairs // (2 * t.count)


def ete_holds(t: Table, ev: dict) -> None:
    _described(t, ev)
    _count(ev, "comparisons", ete_comparisons(t))
    found = ete_violation(t)
    ensure(found is None, f"equals treated unequally: {found}")


def ete_fails(t: Table, ev: dict) -> None:
    pi = _profile(t, ev)
    agents = ev["agents"]
    ensure(isinstance(agents, list) and len(agents) == 2, "evidence.agents must name two agents")
    i, j = (t.agent(a, f"evidence.agents[{k}]") for k, a in enumerate(agents))
    prof = t.profile(pi)
    ensure(i != j and prof[i] == prof[j], "the two agents do not report the same preference")
    same(ev["preference"], list(prof[i]), "evidence.preference")
    ensure(t.nums[pi][i] != t.nums[pi][j], "the two agents get the same row")
    rows = ev["rows"]
    ensure(isinstance(rows, list) and len(rows) == 2, "evidence.rows: expected the two agents' rows")
    for k, a in enumerate((i, j)):
        row_equals(t.columns, t.den, rows[k], t.row(pi, a), f"evidence.rows[{k}]")


def generators(n: int) -> list[list[int]]:
    """The transposition (0 1) and the cycle k -> k + 1 mod n (`anonymity_generators`): they
    generate every permutation, and the permutations under which f is invariant form a group."""
    gens: list[list[int]] = []
    if n >= 2:
        gens.append([1, 0, *range(2, n)])
        cycle = [(k + 1) % n for k in range(n)]
        if cycle not in gens:
            gens.append(cycle)
    return gens


def _moved(t: Table, pi: int, perm: list[int]) -> int:
    """Index of R o pi, where (R o pi)_k = R_pi(k)."""
    prof = t.profile(pi)
    return t.index([list(prof[perm[k]]) for k in range(t.n)], "permuted profile")


def anonymous_holds(t: Table, ev: dict) -> None:
    """f_i(R o pi) = f_pi(i)(R) for every profile R, agent i and generator pi."""
    common = set(t.preferences[0])  # the same rankings for every agent, in any order (`Table.index`)
    ensure(all(set(p) == common for p in t.preferences), "anonymity needs a symmetric domain")
    _described(t, ev)
    gens = generators(t.n)
    same(ev["generators"], gens, "evidence.generators")
    _count(ev, "comparisons", t.count * len(gens))
    for perm in gens:
        for pi in range(t.count):
            moved = _moved(t, pi, perm)
            for i in range(t.n):
                if t.nums[moved][i] != t.nums[pi][perm[i]]:
                    fail(f"not anonymous: profile {profile_list(t, pi)}, permutation {perm}, agent {i}")


def anonymous_fails(t: Table, ev: dict) -> None:
    """Profile R, permutation pi (the list pi(0), ..., pi(n-1)) and agent i with
    f_i(R o pi) != f_pi(i)(R)."""
    pi = _profile(t, ev)
    raw = ev["permutation"]
    ensure(isinstance(raw, list) and len(raw) == t.n, f"evidence.permutation: expected {t.n} positions")
    perm = [index(v, t.n, f"evidence.permutation[{k}]") for k, v in enumerate(raw)]  # type: ignore[arg-type]
    ensure(len(set(perm)) == t.n, "evidence.permutation: not a permutation")
    prof = t.profile(pi)
    permuted = [list(prof[perm[k]]) for k in range(t.n)]
    same(ev["permuted_profile"], permuted, "evidence.permuted_profile")
    moved = t.index(permuted, "permuted profile")
    i = _agent(t, ev)
    ensure(t.nums[moved][i] != t.nums[pi][perm[i]], "f_i(R o pi) = f_pi(i)(R) for the stated agent")
    row_equals(t.columns, t.den, ev["permuted_row"], t.row(moved, i), "evidence.permuted_row")
    row_equals(t.columns, t.den, ev["original_row"], t.row(pi, perm[i]), "evidence.original_row")


# ----- dispatch -----------------------------------------------------------------------------

Checker = Callable[[Table, dict], None]

#: (property, verdict) -> evidence kind -> (its exact fields, the checker)
KINDS: dict[tuple[str, str], dict[str, tuple[tuple[str, ...], Checker]]] = {
    ("valid", "holds"): {"table_valid": (("kind", "profiles", "table_digest"), valid_holds)},
    ("ir", "holds"): {"exhaustive": ((*EXHAUSTIVE, "entries_checked"), ir_holds)},
    ("ir", "fails"): {
        "unacceptable_share": (("kind", "profile", "agent", "object", "probability"), ir_fails)
    },
    ("nonwasteful", "holds"): {"exhaustive": ((*EXHAUSTIVE, "pairs_checked"), nonwasteful_holds)},
    ("nonwasteful", "fails"): {
        "waste": (
            (
                "kind",
                "profile",
                "agent",
                "preference",
                "y",
                "z",
                "gamma_jy",
                "z_column_sum",
                "z_capacity",
                "row",
            ),
            nonwasteful_fails,
        )
    },
    ("sp", "holds"): {"exhaustive": ((*EXHAUSTIVE, "mechanism", "denominator", "comparisons"), sp_holds)},
    ("sp", "fails"): {"manipulation": (MANIPULATION, sp_fails)},
    ("ete", "holds"): {"exhaustive": ((*EXHAUSTIVE, "comparisons"), ete_holds)},
    ("ete", "fails"): {"unequal_rows": (("kind", "profile", "agents", "preference", "rows"), ete_fails)},
    ("anonymous", "holds"): {"exhaustive": ((*EXHAUSTIVE, "generators", "comparisons"), anonymous_holds)},
    ("anonymous", "fails"): {
        "permutation_mismatch": (
            ("kind", "profile", "permutation", "permuted_profile", "agent", "permuted_row", "original_row"),
            anonymous_fails,
        )
    },
}
EFFICIENCY = {
    ("ex-post-efficient", "holds"): ("per_profile",),
    ("ex-post-efficient", "fails"): ("farkas",),
    ("sd-efficient", "holds"): ("per_profile",),
    ("sd-efficient", "fails"): ("dominating_assignment",),
    ("ex-post-stable", "holds"): ("per_profile",),
    ("ex-post-stable", "fails"): ("farkas",),
}
ORBIT = {("sp-anonymous", "holds"): ("exhaustive_orbits",), ("sp-anonymous", "fails"): ("manipulation",)}


def known_kinds(prop: str, verdict: str) -> tuple[str, ...]:
    """The evidence kinds the checker knows for (property, verdict); empty if none."""
    if (prop, verdict) in KINDS:
        return tuple(KINDS[(prop, verdict)])
    return EFFICIENCY.get((prop, verdict)) or ORBIT.get((prop, verdict)) or ()


def recheck_assignment(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    kinds = known_kinds(prop, verdict)
    ensure(bool(kinds), f"no independent checker for assignment property {prop!r} with verdict {verdict!r}")
    kind = evidence.get("kind")
    ensure(
        kind in kinds, f"evidence.kind: {kind!r} is not a {verdict} certificate of {prop!r} (known: {kinds})"
    )
    subject_kind = encoding.get("kind")
    if (prop, verdict) in ORBIT:
        ensure(subject_kind == "orbit_table", f"subject.kind: {prop!r} is certified on an orbit table")
        from verified.recheck.orbits import recheck_orbit_sp

        recheck_orbit_sp(verdict, evidence, encoding)
        return
    ensure(subject_kind == "table", f"subject.kind: expected 'table', got {subject_kind!r}")
    t = Table(encoding, priorities=prop == "ex-post-stable")
    if (prop, verdict) in EFFICIENCY:
        from verified.recheck.efficiency import recheck_efficiency

        recheck_efficiency(t, prop, verdict, evidence)
        return
    keys, checker = KINDS[(prop, verdict)][kind]  # type: ignore[index]
    checker(t, exact_keys(evidence, keys, (), "evidence"))
