"""Re-checking a comparison of two mechanisms (``verified compare``), standard library only.

The subject (family ``"comparison"``, kind ``"two_tables"``)::

    {"family": "comparison", "kind": "two_tables", "old": TABLE, "new": TABLE}

where each TABLE is exactly the subject of a single-table assignment certificate
(`verified.io.canonical.table_subject`), re-validated by the same rules
(`verified.recheck.table.Table`: problem, domain, size before enumeration, rows summing to 1,
capacities). The two must have the same problem and the same domain (equal encodings); the
mechanisms' names may differ.

The property is the relation claimed of NEW against OLD: ``"equal"`` (the same lottery for
every agent at every profile), ``"weakly-dominates"`` (every agent's NEW lottery weakly
SD-dominates her OLD one at every profile: Erdil, section 2, (FOSD)) or ``"dominates"``
(weakly, and strictly for some agent at some profile: Erdil's "g dominates f"). Prefixes: the
top 1, top 2, ... acceptable objects, then all of them and the outside option (as everywhere
in the checker). Each (profile, agent) pair is ``same`` (identical rows), ``better`` (NEW
weakly dominates, strictly at some prefix), ``worse`` (the reverse), ``incomparable`` (one
prefix up, another down) or ``equivalent`` (the rows differ, every prefix sum is equal).

Evidence:

* ``exhaustive_comparison`` (holds or fails): the domain description, both table digests, the
  number of pairs, the relation, the count of each kind, the first pair of each kind present
  (profile, agent and both rows; no entry for a kind absent), the number of profiles where some
  row differs and the first `CHANGED_LISTED` of them (profile and the agents whose rows differ),
  the size of the assignments (probability of being assigned, summed over the profiles: OLD's,
  NEW's, the change, the change per profile, the change per agent) and the SHA-256 of the kinds
  of all pairs as one ASCII letter each (s, b, w, i, e) in (profile, agent) order. The checker
  classifies every pair itself and rejects any difference; the verdict must be the relation's.
* ``witness_pair`` (fails only): one profile, one agent, the kind of the pair and both rows; for
  a ``worse`` or ``incomparable`` pair also the first prefix at which NEW's cumulative
  probability is below OLD's, with both. The subject is then the two tables restricted to (at
  least) that profile: the checker re-derives the kind from the subject's rows, never from the
  evidence. ``equal`` fails at any pair that is not ``same``; ``weakly-dominates`` and
  ``dominates`` fail at a ``worse`` or ``incomparable`` pair.
"""

from __future__ import annotations

import hashlib
import itertools
from fractions import Fraction

from verified.recheck.assignment_evidence import domain_description, number, row_equals, same, table_digest
from verified.recheck.core import canonical, ensure, exact_keys, integer, text
from verified.recheck.table import Table

#: At most this many changed profiles are listed in the evidence (the library lists as many).
CHANGED_LISTED = 20
PROPERTIES = ("equal", "weakly-dominates", "dominates")
CATEGORIES = ("same", "better", "worse", "incomparable", "equivalent")
LETTERS = "sbwie"
RELATIONS = ("equal", "equivalent", "dominates", "dominated", "incomparable")
EXHAUSTIVE = (
    "kind",
    "domain",
    "old_table_digest",
    "new_table_digest",
    "pairs",
    "relation",
    "counts",
    "first",
    "changed_profiles",
    "changed",
    "size",
    "classification_sha256",
)
WITNESS = ("kind", "profile", "agent", "category", "old_row", "new_row")
PREFIX = ("prefix", "old_cumulative", "new_cumulative")
SIZE = ("profiles", "old_total", "new_total", "change", "per_profile", "per_agent")


def relation_of(counts: list[int]) -> str:
    """The relation between the mechanisms from the counts of the kinds (in `CATEGORIES` order)."""
    _, better, worse, incomparable, equivalent = counts
    if incomparable or (better and worse):
        return "incomparable"
    if better:
        return "dominates"
    if worse:
        return "dominated"
    return "equivalent" if equivalent else "equal"


def holds_for(relation: str, prop: str) -> bool:
    if prop == "equal":
        return relation == "equal"
    if prop == "dominates":
        return relation == "dominates"
    return relation in ("equal", "equivalent", "dominates")


class Pairing:
    """The two re-validated tables, on one problem and one domain, over a common denominator."""

    def __init__(self, encoding: dict) -> None:
        enc = exact_keys(encoding, ("family", "kind", "old", "new"), (), "subject.encoding")
        ensure(enc["kind"] == "two_tables", f"subject.kind: expected 'two_tables', got {enc['kind']!r}")
        for side in ("old", "new"):
            table = enc[side]
            ensure(isinstance(table, dict), f"subject.{side}: expected an object")
            ensure(table.get("family") == "assignment", f"subject.{side}.family: expected 'assignment'")
            ensure(table.get("kind") == "table", f"subject.{side}.kind: expected 'table'")
        for key in ("problem", "domain"):
            ensure(
                canonical(enc["old"].get(key)) == canonical(enc["new"].get(key)),
                f"subject: OLD and NEW have different {key}s",
            )
        self.old, self.new = Table(enc["old"]), Table(enc["new"])
        den_old, den_new = self.old.den, self.new.den
        common = den_old * den_new // _gcd(den_old, den_new)
        self.scale_old, self.scale_new, self.den = common // den_old, common // den_new, common
        t = self.old
        self.orders = [
            [[*(t.objects.index(x) for x in pref), t.m] for pref in prefs] for prefs in t.preferences
        ]

    def classify(self, pi: int, i: int, position: int) -> tuple[int, int | None]:
        """(kind's index in `CATEGORIES`, the index of the first prefix where NEW's cumulative is
        below OLD's or None) of agent ``i`` at profile ``pi`` (her ranking: ``position``)."""
        a = [v * self.scale_old for v in self.old.nums[pi][i]]
        b = [v * self.scale_new for v in self.new.nums[pi][i]]
        if a == b:
            return 0, None
        gain, loss, first_loss = False, False, None
        sum_a = sum_b = 0
        for k, c in enumerate(self.orders[i][position]):
            sum_a += a[c]
            sum_b += b[c]
            if sum_b > sum_a:
                gain = True
            elif sum_b < sum_a:
                loss = True
                first_loss = k if first_loss is None else first_loss
        if gain and loss:
            return 3, first_loss
        return (1, None) if gain else ((2, first_loss) if loss else (4, None))


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _first_entry(p: Pairing, stated: object, pi: int, i: int, where: str) -> None:
    entry = exact_keys(stated, ("profile", "agent", "old_row", "new_row"), (), where)
    t = p.old
    ensure(p.old.index(entry["profile"], f"{where}.profile") == pi, f"{where}.profile: not the first pair")
    ensure(t.agent(entry["agent"], f"{where}.agent") == i, f"{where}.agent: not the first pair")
    row_equals(t.columns, p.old.den, entry["old_row"], p.old.row(pi, i), f"{where}.old_row")
    row_equals(t.columns, p.new.den, entry["new_row"], p.new.row(pi, i), f"{where}.new_row")


def exhaustive(p: Pairing, prop: str, verdict: str, ev: dict) -> None:
    """Classify every pair and compare every stated number with the re-derived one."""
    t, n, m = p.old, p.old.n, p.old.m
    same(ev["domain"], domain_description(t), "evidence.domain")
    ensure(
        text(ev["old_table_digest"], "evidence.old_table_digest") == table_digest(p.old), "old digest differs"
    )
    ensure(
        text(ev["new_table_digest"], "evidence.new_table_digest") == table_digest(p.new), "new digest differs"
    )
    pairs = integer(ev["pairs"], "evidence.pairs", low=0)
    ensure(pairs == t.count * n, f"evidence.pairs: stated {pairs}, re-derived {t.count * n}")
    letters = bytearray()
    counts = [0] * len(CATEGORIES)
    first: dict[int, tuple[int, int]] = {}
    changed: list[tuple[int, list[str]]] = []
    changed_count = 0
    outside_old, outside_new = [0] * n, [0] * n
    for pi, digits in enumerate(itertools.product(*(range(s) for s in t.sizes))):
        differ = []
        for i in range(n):
            outside_old[i] += p.old.nums[pi][i][m]
            outside_new[i] += p.new.nums[pi][i][m]
            kind, _ = p.classify(pi, i, digits[i])
            letters.append(ord(LETTERS[kind]))
            counts[kind] += 1
            first.setdefault(kind, (pi, i))
            if kind:
                differ.append(t.agents[i])
        if differ:
            changed_count += 1
            if len(changed) < CHANGED_LISTED:
                changed.append((pi, differ))
    stated_counts = exact_keys(ev["counts"], CATEGORIES, (), "evidence.counts")
    for k, name in enumerate(CATEGORIES):
        value = integer(stated_counts[name], f"evidence.counts.{name}", low=0)
        ensure(value == counts[k], f"evidence.counts.{name}: stated {value}, re-derived {counts[k]}")
    relation = relation_of(counts)
    ensure(
        ev["relation"] == relation, f"evidence.relation: stated {ev['relation']!r}, re-derived {relation!r}"
    )
    expected = "holds" if holds_for(relation, prop) else "fails"
    ensure(
        verdict == expected,
        f"NEW {prop} OLD {expected}: the relation is {relation!r}, the verdict says {verdict}",
    )
    present = [CATEGORIES[k] for k in sorted(first)]
    stated_first = exact_keys(ev["first"], present, (), "evidence.first")
    for k, (pi, i) in first.items():
        _first_entry(p, stated_first[CATEGORIES[k]], pi, i, f"evidence.first.{CATEGORIES[k]}")
    count = integer(ev["changed_profiles"], "evidence.changed_profiles", low=0)
    ensure(count == changed_count, f"evidence.changed_profiles: stated {count}, re-derived {changed_count}")
    listed = ev["changed"]
    ensure(
        isinstance(listed, list) and len(listed) == len(changed),
        f"evidence.changed: expected the first {len(changed)} changed profiles",
    )
    for k, (pi, agents) in enumerate(changed):
        entry = exact_keys(listed[k], ("profile", "agents"), (), f"evidence.changed[{k}]")
        ensure(
            t.index(entry["profile"], f"evidence.changed[{k}].profile") == pi,
            f"evidence.changed[{k}]: another profile",
        )
        same(entry["agents"], agents, f"evidence.changed[{k}].agents")
    _size(p, ev["size"], outside_old, outside_new)
    digest = hashlib.sha256(bytes(letters)).hexdigest()
    ensure(
        text(ev["classification_sha256"], "evidence.classification_sha256") == digest,
        "evidence.classification_sha256 differs from the kinds of the pairs",
    )


def _size(p: Pairing, stated: object, outside_old: list[int], outside_new: list[int]) -> None:
    """Probability of being assigned (one minus the outside option), summed over the profiles."""
    size = exact_keys(stated, SIZE, (), "evidence.size")
    t = p.old
    profiles = integer(size["profiles"], "evidence.size.profiles", low=0)
    ensure(profiles == t.count, f"evidence.size.profiles: stated {profiles}, re-derived {t.count}")
    old_total = Fraction(t.count * t.n * p.old.den - sum(outside_old), p.old.den)
    new_total = Fraction(t.count * t.n * p.new.den - sum(outside_new), p.new.den)
    number(size["old_total"], old_total, "evidence.size.old_total")
    number(size["new_total"], new_total, "evidence.size.new_total")
    number(size["change"], new_total - old_total, "evidence.size.change")
    number(size["per_profile"], (new_total - old_total) / t.count, "evidence.size.per_profile")
    per_agent = exact_keys(size["per_agent"], t.agents, (), "evidence.size.per_agent")
    for i, a in enumerate(t.agents):
        change = Fraction(outside_old[i], p.old.den) - Fraction(outside_new[i], p.new.den)
        number(per_agent[a], change, f"evidence.size.per_agent[{a!r}]")


def witness(p: Pairing, prop: str, verdict: str, ev: dict) -> None:
    """One pair at which NEW does not stand in the relation ``prop`` to OLD."""
    ensure(verdict == "fails", "a witness pair shows a FAILS verdict only")
    t = p.old
    pi = t.index(ev["profile"], "evidence.profile")
    i = t.agent(ev["agent"], "evidence.agent")
    position = t.digits(pi)[i]
    kind, first_loss = p.classify(pi, i, position)
    category = CATEGORIES[kind]
    ensure(
        ev["category"] == category, f"evidence.category: stated {ev['category']!r}, re-derived {category!r}"
    )
    allowed = CATEGORIES[1:] if prop == "equal" else ("worse", "incomparable")
    ensure(category in allowed, f"a {category!r} pair does not show that NEW does not {prop} OLD")
    row_equals(t.columns, p.old.den, ev["old_row"], p.old.row(pi, i), "evidence.old_row")
    row_equals(t.columns, p.new.den, ev["new_row"], p.new.row(pi, i), "evidence.new_row")
    if first_loss is None:
        ensure(not any(k in ev for k in PREFIX), f"evidence: no prefix is less likely under NEW ({category})")
        return
    order = p.orders[i][position][: first_loss + 1]
    same(ev.get("prefix"), [t.columns[c] for c in order], "evidence.prefix")
    number(
        ev.get("old_cumulative"),
        Fraction(sum(p.old.nums[pi][i][c] for c in order), p.old.den),
        "evidence.old_cumulative",
    )
    number(
        ev.get("new_cumulative"),
        Fraction(sum(p.new.nums[pi][i][c] for c in order), p.new.den),
        "evidence.new_cumulative",
    )


def recheck_comparison(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    """Re-verify a comparison certificate (see module docstring); `RecheckError` on any defect."""
    ensure(prop in PROPERTIES, f"certificate.property: a comparison claims one of {PROPERTIES}, not {prop!r}")
    ensure(verdict in ("holds", "fails"), f"verdict {verdict!r}")
    kind = evidence.get("kind")
    if kind == "exhaustive_comparison":
        ev = exact_keys(evidence, EXHAUSTIVE, (), "evidence")
        exhaustive(Pairing(encoding), prop, verdict, ev)
    elif kind == "witness_pair":
        ev = exact_keys(evidence, WITNESS, PREFIX, "evidence")
        witness(Pairing(encoding), prop, verdict, ev)
    else:
        ensure(
            False,
            f"evidence.kind: {kind!r} is not a comparison certificate (exhaustive_comparison, witness_pair)",
        )
