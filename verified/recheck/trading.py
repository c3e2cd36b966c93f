"""Trading certificates (Valenzuela-Stookey), re-verified from the subject (stdlib only).

`recheck_trading` first re-validates the subject by itself (`verified.recheck.trading_subject`),
then accepts only the (property, verdict, evidence kind) combinations of `KINDS`, and reads
every evidence field through `exact_keys`: each is re-derived and compared, or refused.

* ``polarized`` holds (``per_agent`` of ``polarization_witnesses``): per agent, in order,
  ``directions`` are her menu's rays (in order), each non-monotone, and ``pairs`` lists every
  pair k' < k'' once, in order, with y', y'' >= 0, not both 0 and ``combination`` =
  y' kappa' + y'' kappa'' >= 0 (recomputed). Fails: ``monotone_direction`` (``index`` of a
  monotone ray, its ``direction``) or ``separating_cost`` (two DISTINCT rays, indices
  0 <= first < second, their directions, c >= 0 with c . kappa' < 0 and c . kappa'' < 0,
  both values recomputed): no non-negative combination survives (Farkas).
* ``menu-osp`` holds (``per_agent`` of ``refutation_tree``): ``sets`` and ``domain`` are the
  subject's, ``atoms`` are exactly those re-derived from the sets, every domain row holds on
  the cost domain, ``refuted`` is sorted without repeats, each refutation's Motzkin
  multipliers are verified, and every full choice of atoms has a refuted prefix. Fails
  (``menu_osp_counterexample``): c in C_j; for every choice k (in order) a deviation
  k' != k, points x in T^k and x' in T^k' with c . x > c . x' (costs recomputed), and the
  stated sup over T^k / inf over T^k' (value, attaining point, or the unbounded direction).
* ``no-improving-trade``, ``eopr-robust``: `verified.recheck.trading_trade`,
  `verified.recheck.trading_eopr`; ``osp`` (mechanism level): `verified.recheck.trading_osp`.
  ``one-improving-set`` (Claim 2 of Theorem 2's proof): `verified.recheck.trading_claim2`.
  ``improving-trade`` (the old name, claiming the negation: HOLDS when a trade exists) is
  re-derived by the same code with the verdict read the other way: holds needs the trade,
  fails the Motzkin certificates.
"""

from __future__ import annotations

from fractions import Fraction

from verified.recheck.core import canonical, ensure, exact_keys, fail, index, integer, rational
from verified.recheck.core import dot as _dot
from verified.recheck.trading_subject import Agent, Subject, TradingSet, bounded, parse_subject, texts, vec

ZERO = Fraction(0)

KINDS = {
    ("polarized", "holds"): ("per_agent",),
    ("polarized", "fails"): ("separating_cost", "monotone_direction"),
    ("menu-osp", "holds"): ("per_agent",),
    ("menu-osp", "fails"): ("menu_osp_counterexample",),
    ("eopr-robust", "holds"): ("eopr_robust",),
    ("eopr-robust", "fails"): ("eopr_not_robust",),
    ("no-improving-trade", "holds"): ("no_bilateral_trade",),
    ("no-improving-trade", "fails"): ("bilateral_trade",),
    ("improving-trade", "holds"): ("bilateral_trade",),
    ("improving-trade", "fails"): ("no_bilateral_trade",),
    ("osp", "holds"): ("mechanism_osp_refutations",),
    ("osp", "fails"): ("mechanism_osp_counterexample",),
    ("one-improving-set", "holds"): ("per_agent",),
    ("one-improving-set", "fails"): ("two_improving_sets",),
}
TREE_STATEMENT = (
    "every way of picking one atom a_k per choice k (a_k . c > 0) is infeasible together "
    "with the domain rows; each refuted prefix has Motzkin multipliers over "
    "domain rows then the prefix's atoms written as -a . c < 0"
)


def same(stated: object, expected: object, where: str) -> None:
    """The stated JSON equals the re-derived one exactly (canonical text, so 1 != true)."""
    ensure(canonical(stated) == canonical(expected), f"{where}: differs from the subject's {expected}")


def same_vector(stated: object, expected: list[Fraction] | tuple[Fraction, ...], where: str) -> None:
    got = vec(stated, len(expected), where)
    ensure(list(got) == list(expected), f"{where}: stated {texts(got)}, recomputed {texts(list(expected))}")


def same_number(stated: object, expected: Fraction, where: str) -> None:
    got = rational(stated, where)
    ensure(got == expected, f"{where}: stated {got}, recomputed {expected}")


def _non_monotone(k: tuple[Fraction, ...] | list[Fraction]) -> bool:
    return any(x > 0 for x in k) and any(x < 0 for x in k)


def check_polarized_holds(agent: Agent, ev: object, where: str) -> None:
    ev = exact_keys(ev, ("kind", "directions", "pairs"), (), where)
    ensure(ev["kind"] == "polarization_witnesses", f"{where}.kind: expected 'polarization_witnesses'")
    kappas = agent.rays()
    same(ev["directions"], [texts(k) for k in kappas], f"{where}.directions")
    for k, kappa in enumerate(kappas):
        ensure(_non_monotone(kappa), f"{where}: ray {k} is monotone, so the menu is not polarized")
    pairs = ev["pairs"]
    bounded(len(kappas) * (len(kappas) - 1) // 2, f"{where}: the pairs of rays")
    wanted = [(k1, k2) for k1 in range(len(kappas)) for k2 in range(k1 + 1, len(kappas))]
    ensure(
        isinstance(pairs, list) and len(pairs) == len(wanted), f"{where}.pairs: one witness per pair of rays"
    )
    for p, (pair, (k1, k2)) in enumerate(zip(pairs, wanted, strict=True)):  # type: ignore[arg-type]
        at = f"{where}.pairs[{p}]"
        pair = exact_keys(pair, ("first", "second", "y_first", "y_second", "combination"), (), at)
        ensure(integer(pair["first"], f"{at}.first") == k1, f"{at}.first: expected {k1}")
        ensure(integer(pair["second"], f"{at}.second") == k2, f"{at}.second: expected {k2}")
        y1, y2 = rational(pair["y_first"], f"{at}.y_first"), rational(pair["y_second"], f"{at}.y_second")
        ensure(y1 >= 0 and y2 >= 0 and (y1 or y2), f"{at}: witness scalars must be >= 0, not both 0")
        combo = [y1 * a + y2 * b for a, b in zip(kappas[k1], kappas[k2], strict=True)]
        same_vector(pair["combination"], combo, f"{at}.combination")
        ensure(all(x >= 0 for x in combo), f"{at}: the combination of rays {k1}, {k2} is not >= 0")


def check_polarized_fails(subject: Subject, ev: dict) -> None:
    agent = subject.agents[subject.agent(ev.get("agent"), "evidence.agent")]
    kappas = agent.rays()
    if ev["kind"] == "monotone_direction":
        ev = exact_keys(ev, ("kind", "agent", "index", "direction"), (), "evidence")
        k = index(ev["index"], len(kappas), "evidence.index")
        same(ev["direction"], texts(kappas[k]), "evidence.direction")
        ensure(not _non_monotone(kappas[k]), f"evidence.index: ray {k} is not monotone")
        return
    keys = ("kind", "agent", "first", "second", "first_direction", "second_direction", "cost")
    ev = exact_keys(ev, keys + ("cost_dot_first", "cost_dot_second"), (), "evidence")
    first = index(ev["first"], len(kappas), "evidence.first")
    second = index(ev["second"], len(kappas), "evidence.second")
    ensure(first < second, "evidence: the separating pair must be two distinct rays, first < second")
    a, b = kappas[first], kappas[second]
    same(ev["first_direction"], texts(a), "evidence.first_direction")
    same(ev["second_direction"], texts(b), "evidence.second_direction")
    c = vec(ev["cost"], subject.n, "evidence.cost", nonnegative=True)
    ca, cb = _dot(list(c), list(a)), _dot(list(c), list(b))
    same_number(ev["cost_dot_first"], ca, "evidence.cost_dot_first")
    same_number(ev["cost_dot_second"], cb, "evidence.cost_dot_second")
    ensure(ca < 0 and cb < 0, "evidence.cost: does not make both directions negative")


def check_extremum(t: TradingSet, c: tuple[Fraction, ...], sense: str, stated: object, where: str) -> None:
    """The stated min / max of c . x over t: ``value`` (recomputed) and an attaining ``point``
    of t; when unbounded, ``value`` "-inf" / "+inf", a ``point`` of t and the ray's
    ``direction``."""
    value = t.extreme(c, lowest=sense == "min")
    if value is None:
        stated = exact_keys(stated, ("sense", "value", "point", "direction"), (), where)
        same(stated["value"], "-inf" if sense == "min" else "+inf", f"{where}.value")
        same(stated["direction"], texts(t.direction), f"{where}.direction")
    else:
        stated = exact_keys(stated, ("sense", "value", "point"), (), where)
        same_number(stated["value"], value, f"{where}.value")
    same(stated["sense"], sense, f"{where}.sense")
    point = vec(stated["point"], len(c), f"{where}.point")
    ensure(t.contains(point), f"{where}.point: not in the set")
    if value is not None:
        ensure(_dot(list(c), list(point)) == value, f"{where}.point: does not attain the {sense}")


def check_menu_osp_counterexample(subject: Subject, ev: dict) -> None:
    keys = ("kind", "agent", "cost", "domain", "sets", "choices")
    ev = exact_keys(ev, keys, (), "evidence")
    agent = subject.agents[subject.agent(ev["agent"], "evidence.agent")]
    c = vec(ev["cost"], subject.n, "evidence.cost")
    ensure(agent.contains_cost(c), "evidence.cost: the type is outside the agent's cost domain")
    same(ev["domain"], agent.describe_domain(), "evidence.domain")
    same(ev["sets"], [t.describe() for t in agent.menu], "evidence.sets")
    rows = ev["choices"]
    size = len(agent.menu)
    ensure(isinstance(rows, list) and len(rows) == size, "evidence.choices: one row per choice, in order")
    for k, row in enumerate(rows):  # type: ignore[arg-type]
        at = f"evidence.choices[{k}]"
        row = exact_keys(
            row,
            ("choice", "deviation", "worse_point", "worse_cost", "better_point", "better_cost")
            + ("sup_choice", "inf_deviation"),
            (),
            at,
        )
        ensure(integer(row["choice"], f"{at}.choice") == k, f"{at}.choice: expected {k}")
        k2 = index(row["deviation"], size, f"{at}.deviation")
        ensure(k2 != k, f"{at}.deviation: must differ from the choice")
        x = vec(row["worse_point"], subject.n, f"{at}.worse_point")
        x2 = vec(row["better_point"], subject.n, f"{at}.better_point")
        ensure(agent.menu[k].contains(x), f"{at}.worse_point: not in the chosen set")
        ensure(agent.menu[k2].contains(x2), f"{at}.better_point: not in the deviation's set")
        same_number(row["worse_cost"], _dot(list(c), list(x)), f"{at}.worse_cost")
        same_number(row["better_cost"], _dot(list(c), list(x2)), f"{at}.better_cost")
        ensure(_dot(list(c), list(x)) > _dot(list(c), list(x2)), f"{at}: the points do not cross")
        check_extremum(agent.menu[k], c, "max", row["sup_choice"], f"{at}.sup_choice")
        check_extremum(agent.menu[k2], c, "min", row["inf_deviation"], f"{at}.inf_deviation")


# The most rationals `derived_atoms` forms for one menu: the sets' corners plus the atom vectors
# (every corner-minus-corner difference and every ray, before zeros and repeats are dropped), times
# the number of tasks, all counted before any is formed. The stored certificates and the existing
# tests' menus form at most 42 (3 sets in 2 tasks: 5 corners + 16 vectors, times 2), and forming
# 2^18 takes well under a second, so a menu beyond this is refused, not enumerated.
MAX_ATOM_ENTRIES = 1 << 18


def atom_vector_count(menu: tuple[TradingSet, ...]) -> int:
    """How many vectors `derived_atoms` forms for ``menu``, before zeros and repeats are dropped:
    per choice k, its own rays, then per other choice k2 the negated rays of k2 and the
    |points_k| * |points_k2| differences (an unbounded ray contributes its origin and its direction;
    a bounded set its vertices, counted by `TradingSet.vertex_count` without forming them)."""
    sizes = [(t.vertex_count(), 0) if t.bounded else (1, 1) for t in menu]
    total = 0
    for k, (points, directions) in enumerate(sizes):
        total += directions + sum(d2 + points * p2 for k2, (p2, d2) in enumerate(sizes) if k2 != k)
    return total


def atom_entry_count(menu: tuple[TradingSet, ...], n: int, vectors: int) -> int:
    """How many rationals `derived_atoms` forms: the sets' corners and the ``vectors`` atom
    vectors (`atom_vector_count`), ``n`` each."""
    corners = sum(t.vertex_count() if t.bounded else 1 for t in menu)
    return (corners + vectors) * n


def derived_atoms(menu: tuple[TradingSet, ...], n: int, where: str) -> list[list[tuple[Fraction, ...]]]:
    """Atoms a of each choice k (a . c > 0 iff k's worst case beats some other choice's best),
    in the library's order, zero atoms and repeats dropped. Refused, before any corner or atom
    is formed, when that would form more than `MAX_ATOM_ENTRIES` rationals (``n`` per vector)."""
    vectors = atom_vector_count(menu)
    entries = atom_entry_count(menu, n, vectors)
    ensure(
        entries <= MAX_ATOM_ENTRIES,
        f"{where}: the menu's {vectors} atom vectors in {n} tasks mean {entries} "
        f"rationals to form, more than the checker's limit {MAX_ATOM_ENTRIES}",
    )
    shapes = [t.shape() for t in menu]
    out = []
    for k, (points, directions) in enumerate(shapes):
        atoms = list(directions)
        for k2, (other_points, other_directions) in enumerate(shapes):
            if k2 != k:
                atoms.extend(tuple(-x for x in d) for d in other_directions)
                atoms.extend(
                    tuple(a - b for a, b in zip(v, w, strict=True)) for v in points for w in other_points
                )
        out.append(list(dict.fromkeys(a for a in atoms if any(a))))  # first occurrences, in order
    return out


def valid_row(agent: Agent, coeffs: list[Fraction], rhs: Fraction, strict: bool) -> bool:
    """Does coeffs . c (<|<=) rhs hold for every c in the agent's cost domain?"""
    if agent.kind == "box":
        top = sum((max(a * lo, a * hi) for a, lo, hi in zip(coeffs, agent.lo, agent.hi, strict=True)), ZERO)
        return top < rhs if strict else top <= rhs
    if any(a > 0 for a in coeffs):
        return False
    if not strict or rhs > 0:
        return rhs >= 0
    return agent.kind == "positive_orthant" and rhs == 0 and any(coeffs)


Row = tuple[list[Fraction], Fraction, bool]


def domain_rows(agent: Agent, rows: object, n: int, where: str) -> list[Row]:
    """Rows {coeffs, rhs, strict}, each checked to hold on the agent's cost domain."""
    ensure(isinstance(rows, list), f"{where}: expected a list")
    out = []
    for r, row in enumerate(rows):  # type: ignore[arg-type]
        at = f"{where}[{r}]"
        row = exact_keys(row, ("coeffs", "rhs", "strict"), (), at)
        ensure(isinstance(row["strict"], bool), f"{at}.strict: expected a boolean")
        parsed = (
            list(vec(row["coeffs"], n, f"{at}.coeffs")),
            rational(row["rhs"], f"{at}.rhs"),
            row["strict"],
        )
        ensure(valid_row(agent, *parsed), f"{at}: does not hold on the agent's cost domain")
        out.append(parsed)
    return out


def motzkin(system: list[Row], multipliers: object, n: int, where: str) -> None:
    """y >= 0 over the rows (a . c <= / < b), y A = 0 and y . b < 0, or = 0 with a strict row
    of positive weight: the system has no solution c (Motzkin's transposition theorem)."""
    ensure(isinstance(multipliers, list), f"{where}: expected a list of multipliers")
    y = [rational(v, f"{where}[{i}]") for i, v in enumerate(multipliers)]  # type: ignore[arg-type]
    ensure(len(y) == len(system) and all(v >= 0 for v in y), f"{where}: bad multipliers")
    combo = [sum((v * row[0][i] for v, row in zip(y, system, strict=True)), ZERO) for i in range(n)]
    ensure(all(x == 0 for x in combo), f"{where}: the multipliers do not cancel")
    b = sum((v * row[1] for v, row in zip(y, system, strict=True)), ZERO)
    strict_used = any(v > 0 and row[2] for v, row in zip(y, system, strict=True))
    ensure(b < 0 or (b == 0 and strict_used), f"{where}: the multipliers prove nothing")


def check_refutation_tree(agent: Agent, ev: object, n: int, where: str) -> None:
    keys = ("kind", "statement", "sets", "domain", "domain_rows", "atoms", "refuted")
    ev = exact_keys(ev, keys, (), where)
    ensure(ev["kind"] == "refutation_tree", f"{where}.kind: menu-level OSP 'holds' needs a refutation tree")
    same(ev["statement"], TREE_STATEMENT, f"{where}.statement")
    same(ev["sets"], [t.describe() for t in agent.menu], f"{where}.sets")
    same(ev["domain"], agent.describe_domain(), f"{where}.domain")
    atoms = derived_atoms(agent.menu, n, f"{where}.atoms")
    expected = [[texts(a) for a in per_k] for per_k in atoms]
    ensure(  # not `same`: the re-derived list can be long, so the message shows only its sizes
        canonical(ev["atoms"]) == canonical(expected),
        f"{where}.atoms: differs from the {[len(per_k) for per_k in atoms]} atoms per choice "
        f"re-derived from the subject's sets",
    )
    rows = domain_rows(agent, ev["domain_rows"], n, f"{where}.domain_rows")
    refuted = ev["refuted"]
    ensure(isinstance(refuted, list), f"{where}.refuted: expected a list")
    seen: list[tuple[int, ...]] = []
    for e, item in enumerate(refuted):  # type: ignore[arg-type]
        at = f"{where}.refuted[{e}]"
        item = exact_keys(item, ("choice", "multipliers"), (), at)
        choice = item["choice"]
        ensure(isinstance(choice, list) and len(choice) <= len(atoms), f"{at}.choice: expected a prefix")
        prefix = tuple(index(i, len(atoms[k]), f"{at}.choice[{k}]") for k, i in enumerate(choice))  # type: ignore[arg-type]
        ensure(not seen or seen[-1] < prefix, f"{at}.choice: the prefixes must be sorted, without repeats")
        seen.append(prefix)
        system = rows + [([-x for x in atoms[k][i]], ZERO, True) for k, i in enumerate(prefix)]
        motzkin(system, item["multipliers"], n, f"{at}.multipliers")
    refuted_set = set(seen)
    stack: list[tuple[int, ...]] = [()]
    while stack:  # every full choice of atoms has a refuted prefix
        prefix = stack.pop()
        if prefix in refuted_set:
            continue
        ensure(len(prefix) < len(atoms), f"{where}: the atom choice {list(prefix)} is not refuted")
        stack.extend(prefix + (i,) for i in range(len(atoms[len(prefix)])))


def check_per_agent(subject: Subject, prop: str, evidence: dict) -> None:
    evidence = exact_keys(evidence, ("kind", "agents"), (), "evidence")
    items = evidence["agents"]
    ensure(
        isinstance(items, list) and len(items) == len(subject.agents), "evidence.agents: one item per agent"
    )
    for j, (agent, item) in enumerate(zip(subject.agents, items, strict=True)):  # type: ignore[arg-type]
        at = f"evidence.agents[{j}]"
        item = exact_keys(item, ("agent", "evidence"), (), at)
        same(item["agent"], agent.name, f"{at}.agent")
        if prop == "one-improving-set":
            from verified.recheck.trading_claim2 import check_programs

            check_programs(agent, item["evidence"], f"{at}.evidence")
        elif prop == "menu-osp":
            check_refutation_tree(agent, item["evidence"], subject.n, f"{at}.evidence")
        else:
            check_polarized_holds(agent, item["evidence"], f"{at}.evidence")


def recheck_trading(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    """Re-verify a trading certificate (see the module docstring); raise `RecheckError`."""
    if encoding.get("kind") == "sq_mc_economy":  # Lemma 1 / Corollary 1: `verified.recheck.trading_lemma1`
        from verified.recheck.trading_lemma1 import recheck_lemma1

        return recheck_lemma1(prop, verdict, evidence, encoding)
    if encoding.get("kind") == "large_market":  # section 4: `verified.recheck.trading_large_market`
        from verified.recheck.trading_large_market import recheck_large_market

        return recheck_large_market(prop, verdict, evidence, encoding)
    if encoding.get("kind") == "bic_economy":  # Theorem 1 (iii), (iv): `verified.recheck.trading_bic`
        from verified.recheck.trading_bic import recheck_bic

        return recheck_bic(prop, verdict, evidence, encoding)
    kind = evidence.get("kind")
    allowed = KINDS.get((prop, verdict))
    if allowed is None:
        fail(f"no independent checker for trading property {prop!r} with verdict {verdict!r}")
    ensure(kind in allowed, f"evidence.kind: {prop} {verdict} needs one of {list(allowed)}, got {kind!r}")  # type: ignore[operator]
    subject = parse_subject(encoding, mechanism=prop == "osp")
    if prop in ("polarized", "menu-osp") and verdict == "holds":
        check_per_agent(subject, prop, evidence)
    elif prop == "polarized":
        check_polarized_fails(subject, evidence)
    elif prop == "menu-osp":
        check_menu_osp_counterexample(subject, evidence)
    elif prop in ("improving-trade", "no-improving-trade"):
        from verified.recheck.trading_trade import check_improving_trade

        exists = verdict == "holds" if prop == "improving-trade" else verdict == "fails"
        check_improving_trade(subject, "holds" if exists else "fails", evidence)
    elif prop == "one-improving-set":  # Claim 2: `verified.recheck.trading_claim2`
        from verified.recheck.trading_claim2 import recheck_claim2

        recheck_claim2(subject, verdict, evidence)
    elif prop == "eopr-robust":
        from verified.recheck.trading_eopr import check_eopr_robust

        check_eopr_robust(subject, verdict, evidence)
    else:
        from verified.recheck.trading_osp import recheck_osp

        recheck_osp(subject, verdict, evidence)
