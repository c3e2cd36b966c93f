"""The base of a search certificate over the whole domain, and stable matchings (stdlib only).

With a neighbourhood, the found g *is* the base f outside the changed profiles, so the claim
"g is SD-strategy-proof" rests on f being SD-strategy-proof on every pair of cells, and
"g is ex post stable" (subject field ``ex_post_stable``) on f being ex post stable at every
profile. The certificate says so in ``evidence.base_checked`` (the domain's numbers of profiles
and misreports and the properties); `check_base_everywhere` verifies those numbers and then
re-derives f from its definition (Erdil, section 3) at every profile and checks both properties:

* f is recomputed as its deterministic outcomes, one per draw: serial dictatorship (one order),
  random priority (serial dictatorship for every one of the n! orders), RDA (deferred acceptance
  after breaking the ties by every one of the n! orders); a table base is read at every cell of
  the domain (it must carry them all). Rows are integer counts over the number of draws.
* SD-strategy-proofness: at every profile R, every agent i and every report r in her domain,
  f_i(R) gives at least as much of every prefix of R_i as f_i(r, R_-i), in integers.
* Ex post stability: f(R) is the uniform lottery over its outcomes, so it is a lottery over
  stable matchings when every outcome is stable: individually rational, non-wasteful and
  without priority violation (``stable_matching``).

Symmetry (to do this once per orbit): two agents are *alike* when they have the same domain and
the base's definition cannot tell them apart -- random priority: always; RDA: the same tier for
every object; serial dictatorship and a table: never -- and, with ``ex_post_stable``, the same
tier for every object in those priorities too. Permuting alike agents maps the draws onto
themselves, so f(pi R) = pi f(R), and blocking pairs and misreports move along. Every profile is
therefore checked at its representative with the rankings of alike agents sorted, every agent
and every report at every representative: that covers every (profile, agent, report) triple.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from verified.recheck.core import ensure, exact_keys, fail, index, integer

OUT = "outside"
#: Most (context, own ranking) cells the checker recomputes the base at.
MAX_CELLS = 2_000_000

Outcome = tuple[str, ...]  # per agent: an object name or OUT


def parse_tiers(value: object, n: int, m: int, where: str) -> list[dict[int, int]]:
    """Per object, its tiers of agent indices (highest first) as {agent: tier}; every agent
    exactly once per object."""
    ensure(isinstance(value, list) and len(value) == m, f"{where}: one list of tiers per object")
    out = []
    for x, obj_tiers in enumerate(value):  # type: ignore[arg-type]
        at = f"{where}[{x}]"
        ensure(isinstance(obj_tiers, list), f"{at}: a list of tiers")
        tier_of: dict[int, int] = {}
        for t, tier in enumerate(obj_tiers):
            ensure(isinstance(tier, list) and tier, f"{at}[{t}]: a non-empty list of agent indices")
            for k, i in enumerate(tier):
                i = index(i, n, f"{at}[{t}][{k}]")
                ensure(i not in tier_of, f"{at}[{t}][{k}]: agent {i} appears twice")
                tier_of[i] = t
        ensure(len(tier_of) == n, f"{at}: every agent must be ranked")
        out.append(tier_of)
    return out


def is_stable(
    outcome: Outcome,
    objects: Sequence[str],
    caps: Sequence[int],
    profile: Sequence[tuple[str, ...]],
    tiers: list[dict[int, int]],
) -> bool:
    """Erdil, section 3: every agent holds an acceptable object or nothing, and no agent prefers
    an object x to what she holds while a copy of x is free (waste) or some holder of x has
    strictly lower priority for x (a priority violation)."""
    load = dict.fromkeys(objects, 0)
    for x in outcome:
        if x != OUT:
            load[x] += 1
    if any(load[x] > q for x, q in zip(objects, caps, strict=True)):
        return False
    position = {x: k for k, x in enumerate(objects)}
    for i, (pref, held) in enumerate(zip(profile, outcome, strict=True)):
        if held != OUT and held not in pref:
            return False
        better = pref if held == OUT else pref[: pref.index(held)]
        for x in better:
            k = position[x]
            if load[x] < caps[k]:
                return False
            mine = tiers[k][i]
            if any(y == x and tiers[k][j] > mine for j, y in enumerate(outcome)):
                return False
    return True


def stable_matchings(
    objects: Sequence[str],
    caps: Sequence[int],
    profile: Sequence[tuple[str, ...]],
    tiers: list[dict[int, int]],
) -> list[Outcome]:
    """Every stable matching at ``profile`` (enumerated), sorted."""
    return sorted(
        choice
        for choice in itertools.product(*[(*pref, OUT) for pref in profile])
        if is_stable(choice, objects, caps, profile, tiers)
    )


def _serial(caps: Sequence[int], prefs: Sequence[tuple[int, ...]], order: Sequence[int]) -> tuple[int, ...]:
    """Serial dictatorship in ``order``; rankings and the outcome as object indices (-1: outside)."""
    left = list(caps)
    got = [-1] * len(prefs)
    for i in order:
        for k in prefs[i]:
            if left[k] > 0:
                left[k] -= 1
                got[i] = k
                break
    return tuple(got)


def _deferred(
    caps: Sequence[int], prefs: Sequence[tuple[int, ...]], rank: list[list[int]]
) -> tuple[int, ...]:
    """Agent-proposing deferred acceptance; ``rank[k][i]``: agent i's strict rank for object k
    (lower first); rankings and the outcome as object indices (-1: outside)."""
    n = len(prefs)
    nxt = [0] * n
    held: list[list[int]] = [[] for _ in caps]
    free = list(range(n))
    while free:
        i = free.pop()
        pref = prefs[i]
        if nxt[i] >= len(pref):
            continue
        k = pref[nxt[i]]
        nxt[i] += 1
        holders = held[k]
        if len(holders) < caps[k]:
            holders.append(i)
            continue
        worst = max(holders, key=rank[k].__getitem__)
        if rank[k][i] < rank[k][worst]:
            holders.remove(worst)
            holders.append(i)
            free.append(worst)
        else:
            free.append(i)
    got = [-1] * n
    for k, holders in enumerate(held):
        for i in holders:
            got[i] = k
    return tuple(got)


class WholeDomainBase:
    """The subject's base as a function of a profile: its deterministic outcomes (one per draw),
    and the classes of alike agents (module docstring)."""

    def __init__(self, subj: Any, stable_tiers: list[dict[int, int]] | None) -> None:
        self.s = subj
        n = subj.n
        orders = list(itertools.permutations(range(n)))
        caps = subj.caps
        name = subj.base_name
        self.outcomes: Any = None
        alike: Any = lambda i, j: False  # noqa: E731
        if name == "serial_dictatorship":
            self.outcomes = lambda prof: [_serial(caps, prof, subj.sd_order)]
        elif name == "random_priority":
            self.outcomes = lambda prof: [_serial(caps, prof, o) for o in orders]
            alike = lambda i, j: True  # noqa: E731
        elif name == "random_deferred_acceptance":
            ranks = []
            for order in orders:
                pos = {i: r for r, i in enumerate(order)}
                ranks.append([[subj.tier_of[k][i] * n + pos[i] for i in range(n)] for k in range(subj.m)])
            self.outcomes = lambda prof: [_deferred(caps, prof, r) for r in ranks]
            alike = lambda i, j: all(t[i] == t[j] for t in subj.tier_of)  # noqa: E731
        classes: list[list[int]] = []
        for i in range(n):
            for cls in classes:
                j = cls[0]
                same = alike(i, j) and subj.prefs[i] == subj.prefs[j]
                if same and stable_tiers is not None:
                    same = all(t[i] == t[j] for t in stable_tiers)
                if same:
                    cls.append(i)
                    break
            else:
                classes.append([i])
        self.classes = classes

    def rows(self, prof: tuple[tuple[str, ...], ...]) -> tuple[list[list[Any]], list[Outcome]]:
        """Per agent, counts per object over the draws (a table: its probabilities); and the
        distinct outcomes."""
        s = self.s
        if self.outcomes is None:  # a table: every cell must be carried
            rows = []
            for i in range(s.n):
                row = s.base_row(("at", prof, i))
                rows.append([row[x] for x in s.objects])
            return rows, []
        position = {x: k for k, x in enumerate(s.objects)}
        outs = self.outcomes(tuple(tuple(position[x] for x in r) for r in prof))
        rows = [[0] * s.m for _ in range(s.n)]
        for out in outs:
            for i, k in enumerate(out):
                if k >= 0:
                    rows[i][k] += 1
        named = sorted({tuple(OUT if k < 0 else s.objects[k] for k in out) for out in outs})
        return rows, named


def _contexts(subj: Any, classes: list[list[int]], i: int) -> list[list[tuple[int, ...]]]:
    """The others' rankings around agent i, one per orbit: per class (i left out of hers), the
    members' ranking indices in non-decreasing order."""
    parts = []
    for cls in classes:
        members = [j for j in cls if j != i]
        k = len(subj.prefs[cls[0]])
        parts.append(list(itertools.combinations_with_replacement(range(k), len(members))))
    return [list(choice) for choice in itertools.product(*parts)]


def check_base_everywhere(subj: Any, claimed: object, stable_tiers: list[dict[int, int]] | None) -> None:
    """Verify ``evidence.base_checked`` (module docstring): the counts, then the base's
    SD-strategy-proofness at every misreport and, with ``stable_tiers``, its ex post stability
    at every profile of the domain."""
    where = "evidence.base_checked"
    claimed = exact_keys(claimed, ("profiles", "misreports", "properties"), (), where)
    profiles = 1
    for ps in subj.prefs:
        profiles *= len(ps)
    misreports = profiles * sum(len(ps) - 1 for ps in subj.prefs)
    ensure(integer(claimed["profiles"], f"{where}.profiles", 1) == profiles, f"{where}.profiles: {profiles}")
    got = integer(claimed["misreports"], f"{where}.misreports", 0)
    ensure(got == misreports, f"{where}.misreports: the domain has {misreports}")
    expected = ["sp", "ex-post-stable"] if stable_tiers is not None else ["sp"]
    ensure(claimed["properties"] == expected, f"{where}.properties: expected {expected}")
    base = WholeDomainBase(subj, stable_tiers)
    if base.outcomes is None:
        ensure(stable_tiers is None, "subject.ex_post_stable: needs a named base the checker can rebuild")
        complete = len(subj.table) == profiles * subj.n
        ensure(complete, "subject.base.rows: the table must carry every cell of the domain")
    count = 0
    for cls in base.classes:
        count += len(_contexts(subj, base.classes, cls[0])) * len(subj.prefs[cls[0]])
    ensure(count <= MAX_CELLS, f"subject: {count} cells to recompute the base at (limit {MAX_CELLS})")
    cache: dict[tuple[int, ...], list[list[Any]]] = {}
    position = {x: k for k, x in enumerate(subj.objects)}

    def rows_at(digits: tuple[int, ...]) -> list[list[Any]]:
        found = cache.get(digits)
        if found is None:
            prof = tuple(subj.prefs[j][d] for j, d in enumerate(digits))
            found, outs = base.rows(prof)
            cache[digits] = found
            for out in outs if stable_tiers is not None else ():
                if not is_stable(out, subj.objects, subj.caps, prof, stable_tiers):
                    shown = [list(r) for r in prof]
                    fail(f"the base is not ex post stable: its outcome {list(out)} at {shown} is not stable")
        return found

    for cls in base.classes:
        i = cls[0]  # alike agents are checked through her
        own = subj.prefs[i]
        ks = [[position[x] for x in r] for r in own]
        for context in _contexts(subj, base.classes, i):
            mine = []
            for d in range(len(own)):
                digits = [0] * subj.n
                for c, values in zip(base.classes, context, strict=True):
                    members = [j for j in c if j != i]
                    if c is cls:
                        values = sorted([*values, d])
                        members = c
                    for j, v in zip(members, values, strict=True):
                        digits[j] = v
                at = cls[sorted([*context[base.classes.index(cls)], d]).index(d)]
                mine.append(rows_at(tuple(digits))[at])
            for t, kt in enumerate(ks):
                truth = mine[t]
                cum, acc = [], 0
                for k in kt:
                    acc += truth[k]
                    cum.append(acc)
                for r, lie in enumerate(mine):
                    if r == t:
                        continue
                    acc = 0
                    for step, k in enumerate(kt):
                        acc += lie[k]
                        if acc > cum[step]:
                            fail(
                                f"the base is not SD-strategy-proof: agent {subj.agents[i]} with "
                                f"{list(own[t])} gains on her top {step + 1} by reporting {list(own[r])} "
                                f"(others' rankings, by class: {context})"
                            )
