"""A statement as linear rows and clauses of linear atoms, each named by its *reason*.

Variables: ``"u|p|i|k"`` is unknown ``u``'s probability that agent ``i`` gets column ``k``
(an object, or ``m`` for the outside option) at the statement's profile number ``p``.

A row is ``sum coefficients * x  SENSE  rhs`` with SENSE ``>=``, ``>`` or ``==``. A reason is a
short JSON list that says which constraint the row is, and determines it: the certificate's
checker (`verified.recheck.prove`) re-derives every row it reads from its reason and the
statement, by its own code. Rows (always imposed):

* ``["nonneg", u, p, i, k]``  ``x >= 0``;  ``["sum", u, p, i]``  the row sums to 1;
* ``["capacity", u, p, k]``  ``-sum_i x_ik >= -q_k``;
* ``["ir", u, p, i, k]``  ``x = 0`` for an object ``k`` agent ``i`` did not list (``ir``,
  ``nonwasteful``, ``sd-efficient``, ``ex-post-efficient``, ``ex-post-stable``);
* ``["sp", u, p, q, i, s]``  at profile ``p`` agent ``i``'s cumulative share of the first ``s``
  entries of her true list (``s = len + 1``: the list and the outside option) is at least
  the one after lying, at profile ``q`` (which differs from ``p`` only in ``i``'s ranking);
* ``["ete", u, p, i, j, k]``  ``x_pik - x_pjk = 0`` when ``i`` and ``j`` rank alike (``ete`` or
  ``anonymous``);
* ``["anonymous", u, p, q, i, k]``  ``x_{q,sigma(i),k} - x_pik = 0``: profile ``q`` is profile
  ``p`` with the agents' reports permuted, ``sigma`` the permutation that sends the t-th agent
  reporting a ranking in ``p`` to the t-th agent reporting it in ``q`` (`rearrangement`).
  Only from the first profile of each class of rearranged profiles (in the statement's order)
  to the others: with the ``ete`` rows these imply f(sigma p)[sigma(i)] = f(p)[i] for every
  sigma and every two profiles present (any such sigma is the representative's map composed
  with a permutation of agents who rank alike), with at most one row per profile, agent and
  column. (So the statement restricted to some profiles may impose rows between two of them
  that the whole statement derives through a third: `verified.prove.minimal` stays sound.)
* ``["lottery-weight", u, p, family, cols]``, ``["lottery-sum", u, p, family]``,
  ``["lottery-share", u, p, family, i, k]``: ``ex-post-efficient`` (family ``efficient``) and
  ``ex-post-stable`` (``stable``), a lottery over deterministic assignments
  (`verified.prove.lotteries`);
* ``["fixed", u, p, i, k]``  ``x = value`` of the known mechanism;
* ``["weak", g, f, p, i, s]``  ``cum_g - cum_f >= 0`` (``dominates``, ``weakly-dominates``);
* ``["same-size", g, f, p]``  ``|g(p)| - |f(p)| = 0``;
* ``["size-at-least", g, f, p]``  ``|g(p)| - |f(p)| >= 0`` (``size-at-least``, ``size-larger``).

Clauses (at least one atom holds):

* ``["dominates", g, f]``: atoms ``["strict", g, f, p, i, s]``  ``cum_g - cum_f > 0``;
* ``["waste", u, p, j, y, z]``: agent ``j`` ranks object ``z`` above ``y`` (``y = m``: her
  outside option): atoms ``["unused", u, p, j, y]``  ``-x_pjy >= 0`` and ``["full", u, p, z]``
  ``sum_i x_piz >= q_z``;
* ``["share-differs", g, f]``: atoms ``["more", g, f, p, i]`` and ``["less", g, f, p, i]``,
  ``±(share_g - share_f) > 0`` with ``share`` the agent's total over the objects;
* ``["cycle", u, p, [x1, ..., xk]]`` (``sd-efficient``): one edge of the cycle of objects is
  absent; the atom for edge ``x -> y`` is the conjunction of ``["zero", u, p, i, y]``
  (``-x_piy >= 0``) over the agents ``i`` who list ``y`` below ``x``;
* ``["size-larger", g, f]``: atoms ``["size-more", g, f, p]``  ``|g(p)| - |f(p)| > 0``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verified.errors import InvalidInput
from verified.prove import lotteries
from verified.prove.statement import Statement

Reason = tuple[Any, ...]
#: Properties whose unknown gives no probability to an object the agent did not list.
IR_KINDS = frozenset({"ir", "nonwasteful", "sd-efficient", "ex-post-efficient", "ex-post-stable"})


@dataclass(frozen=True)
class Row:
    reason: Reason
    coefficients: dict[str, Fraction]
    sense: str  # ">=", ">" or "=="
    rhs: Fraction

    def holds_at(self, point: dict[str, Fraction]) -> bool:
        value = sum((c * point.get(v, Fraction(0)) for v, c in self.coefficients.items()), Fraction(0))
        if self.sense == ">=":
            return value >= self.rhs
        if self.sense == ">":
            return value > self.rhs
        return value == self.rhs


@dataclass(frozen=True)
class Clause:
    """At least one atom holds; an atom is a conjunction of rows (usually one)."""

    reason: Reason
    atoms: tuple[tuple[Row, ...], ...]

    def holds_at(self, point: dict[str, Fraction]) -> bool:
        return any(all(r.holds_at(point) for r in atom) for atom in self.atoms)


def var(u: str, p: int, i: int, k: int) -> str:
    return f"{u}|{p}|{i}|{k}"


class Rows:
    """The rows and clauses of one statement (built on demand, each from its reason)."""

    def __init__(self, statement: Statement) -> None:
        self.s = statement
        self.problem = p = statement.problem
        self.n, self.m = p.n, p.m
        self.index = {x: k for k, x in enumerate(p.objects)}
        self.unknowns = {u.name: u for u in statement.unknowns}
        self._fixed: dict[tuple[str, int], Any] = {}
        self._members: dict[tuple[str, int, str], list[tuple[int, ...]]] = {}

    # ----- shares ---------------------------------------------------------------------------
    def prefix_columns(self, p: int, i: int, s: int) -> list[int]:
        pref = self.s.profiles[p][i]
        cols = [self.index[x] for x in pref[: min(s, len(pref))]]
        return [*cols, self.m] if s == len(pref) + 1 else cols

    def cumulative(self, u: str, p: int, i: int, cols: list[int], sign: int = 1) -> dict[str, Fraction]:
        return {var(u, p, i, k): Fraction(sign) for k in cols}

    def prefix_lengths(self, p: int, i: int) -> range:
        return range(1, len(self.s.profiles[p][i]) + 2)

    # ----- rows by reason -------------------------------------------------------------------
    def row(self, reason: Reason) -> Row:
        kind, *a = reason
        one = Fraction(1)
        if kind == "nonneg":
            u, p, i, k = a
            return Row(tuple(reason), {var(u, p, i, k): one}, ">=", Fraction(0))
        if kind == "sum":
            u, p, i = a
            return Row(tuple(reason), {var(u, p, i, k): one for k in range(self.m + 1)}, "==", one)
        if kind == "capacity":
            u, p, k = a
            coeffs = {var(u, p, i, k): -one for i in range(self.n)}
            return Row(tuple(reason), coeffs, ">=", Fraction(-self.problem.capacities[k]))
        if kind in ("ir", "fixed"):
            u, p, i, k = a
            rhs = Fraction(0) if kind == "ir" else self.fixed_value(u, p, i, k)
            return Row(tuple(reason), {var(u, p, i, k): one}, "==", rhs)
        if kind == "sp":
            u, p, q, i, s = a
            cols = self.prefix_columns(p, i, s)
            coeffs = _add(self.cumulative(u, p, i, cols), self.cumulative(u, q, i, cols, -1))
            return Row(tuple(reason), coeffs, ">=", Fraction(0))
        if kind == "ete":
            u, p, i, j, k = a
            return Row(tuple(reason), {var(u, p, i, k): one, var(u, p, j, k): -one}, "==", Fraction(0))
        if kind in ("weak", "strict"):
            g, f, p, i, s = a
            cols = self.prefix_columns(p, i, s)
            coeffs = _add(self.cumulative(g, p, i, cols), self.cumulative(f, p, i, cols, -1))
            return Row(tuple(reason), coeffs, ">=" if kind == "weak" else ">", Fraction(0))
        if kind in ("same-size", "size-at-least", "size-more"):
            g, f, p = a
            coeffs: dict[str, Fraction] = {}
            for i in range(self.n):
                coeffs = _add(
                    coeffs,
                    _add(
                        self.cumulative(g, p, i, list(range(self.m))),
                        self.cumulative(f, p, i, list(range(self.m)), -1),
                    ),
                )
            sense = {"same-size": "==", "size-at-least": ">=", "size-more": ">"}[kind]
            return Row(tuple(reason), coeffs, sense, Fraction(0))
        if kind == "anonymous":
            u, p, q, i, k = a
            j = self.rearrangement(p, q)[i]
            return Row(tuple(reason), {var(u, q, j, k): one, var(u, p, i, k): -one}, "==", Fraction(0))
        if kind in lotteries.KINDS:
            u, p, family = a[:3]
            share = var(u, p, a[3], a[4]) if kind == "lottery-share" else ""
            coeffs, sense, rhs = lotteries.coefficients(tuple(reason), self.members(u, p, family), share)
            return Row(_frozen(reason), coeffs, sense, rhs)
        if kind in ("more", "less"):
            g, f, p, i = a
            sign = 1 if kind == "more" else -1
            objects = list(range(self.m))
            coeffs = _add(self.cumulative(g, p, i, objects, sign), self.cumulative(f, p, i, objects, -sign))
            return Row(tuple(reason), coeffs, ">", Fraction(0))
        if kind in ("unused", "zero"):
            u, p, j, y = a
            return Row(tuple(reason), {var(u, p, j, y): -one}, ">=", Fraction(0))
        if kind == "full":
            u, p, z = a
            coeffs = {var(u, p, i, z): one for i in range(self.n)}
            return Row(tuple(reason), coeffs, ">=", Fraction(self.problem.capacities[z]))
        raise InvalidInput(f"unknown row kind {kind!r}", "rows")

    def fixed_value(self, u: str, p: int, i: int, k: int) -> Fraction:
        """The known mechanism's share for unknown ``u`` (one with ``fixed``) at profile ``p``;
        the mechanism is called once per profile (its rows are kept)."""
        found = self._fixed.get((u, p))
        if found is None:
            mechanism = self.unknowns[u].fixed
            if mechanism is None:
                raise InvalidInput(f"unknown {u!r} has no known mechanism", "rows")
            found = self._fixed[(u, p)] = mechanism(self.s.profiles[p])
        return Fraction(found.matrix[i][k])

    def members(self, u: str, p: int, family: str) -> list[tuple[int, ...]]:
        """The deterministic assignments of ``family`` at profile ``p`` for unknown ``u`` (kept)."""
        found = self._members.get((u, p, family))
        if found is None:
            ranks = self.unknowns[u].ranks
            found = lotteries.members(self.problem, self.s.profiles[p], family, ranks)
            self._members[(u, p, family)] = found
        return found

    def rearrangement(self, p: int, q: int) -> list[int]:
        """sigma with profile q = profile p with agent i's report given to agent sigma(i): the
        t-th agent reporting a ranking in p goes to the t-th agent reporting it in q."""
        slots: dict[Any, list[int]] = {}
        for j, ranking in enumerate(self.s.profiles[q]):
            slots.setdefault(ranking, []).append(j)
        return [slots[ranking].pop(0) for ranking in self.s.profiles[p]]

    def rearranged(self) -> Iterator[tuple[int, int]]:
        """(p, q): p is the first profile of its class of rearranged profiles, q another one."""
        classes: dict[tuple, list[int]] = {}
        for p, profile in enumerate(self.s.profiles):
            classes.setdefault(tuple(sorted(profile)), []).append(p)
        for group in classes.values():
            for q in group[1:]:
                yield group[0], q

    # ----- what the statement imposes -------------------------------------------------------
    def reasons(self) -> Iterator[Reason]:
        """The reasons of every row the statement imposes."""
        s, n, m = self.s, self.n, self.m
        for u in s.unknowns:
            props = set(u.kinds)
            for p, profile in enumerate(s.profiles):
                for i in range(n):
                    yield ("sum", u.name, p, i)
                    for k in range(m + 1):
                        yield ("nonneg", u.name, p, i, k)
                        if u.fixed is not None:
                            yield ("fixed", u.name, p, i, k)
                    if props & IR_KINDS:
                        for k, x in enumerate(self.problem.objects):
                            if x not in profile[i]:
                                yield ("ir", u.name, p, i, k)
                    if props & {"ete", "anonymous"}:
                        for j in range(i + 1, n):
                            if profile[i] == profile[j]:
                                for k in range(m + 1):
                                    yield ("ete", u.name, p, i, j, k)
                for k in range(m):
                    yield ("capacity", u.name, p, k)
            if "sp" in props:
                for p, q, i in self.deviations():
                    for length in self.prefix_lengths(p, i):
                        yield ("sp", u.name, p, q, i, length)
            if "anonymous" in props:
                for p, q in self.rearranged():
                    for i in range(n):
                        for k in range(m + 1):
                            yield ("anonymous", u.name, p, q, i, k)
            for prop, family in lotteries.FAMILIES.items():
                if prop in props:
                    for p in range(len(s.profiles)):
                        yield from lotteries.reasons(u.name, p, family, self.members(u.name, p, family), n, m)
        for r in s.relations:
            for p in range(len(s.profiles)):
                if r.kind in ("dominates", "weakly-dominates"):
                    for i in range(n):
                        for length in self.prefix_lengths(p, i):
                            yield ("weak", r.left, r.right, p, i, length)
                elif r.kind == "same-size":
                    yield ("same-size", r.left, r.right, p)
                elif r.kind in ("size-at-least", "size-larger"):
                    yield ("size-at-least", r.left, r.right, p)

    def deviations(self) -> Iterator[tuple[int, int, int]]:
        """(p, q, i): profile q is profile p with agent i's ranking changed (both present)."""
        where: dict[tuple[int, tuple], list[int]] = {}
        for p, profile in enumerate(self.s.profiles):
            for i in range(self.n):
                where.setdefault((i, (*profile[:i], *profile[i + 1 :])), []).append(p)
        for (i, _), group in sorted(where.items(), key=lambda e: (e[1][0], e[0][0])):
            for p in group:
                for q in group:
                    if p != q:
                        yield p, q, i

    def clause_reasons(self) -> Iterator[Reason]:
        s = self.s
        for u in s.unknowns:
            props = set(u.kinds)
            if not props & {"nonwasteful", "sd-efficient"}:
                continue
            for p, profile in enumerate(s.profiles):
                for j in range(self.n):
                    pref = [self.index[x] for x in profile[j]]
                    for a, z in enumerate(pref):
                        for y in [*pref[a + 1 :], self.m]:
                            yield ("waste", u.name, p, j, y, z)
                if "sd-efficient" in props:
                    for cycle in self.cycles(p):
                        yield ("cycle", u.name, p, list(cycle))
        for r in s.relations:
            if r.kind in ("dominates", "share-differs", "size-larger"):
                yield (r.kind, r.left, r.right)

    def edge_agents(self, p: int, x: int, y: int) -> list[int]:
        """The agents who list y and rank x above it at profile p (who could trade y for x)."""
        out = []
        for i, pref in enumerate(self.s.profiles[p]):
            cols = [self.index[o] for o in pref]
            if y in cols and x in cols and cols.index(x) < cols.index(y):
                out.append(i)
        return out

    def cycles(self, p: int) -> Iterator[tuple[int, ...]]:
        """The simple cycles of objects (smallest object first) whose every edge some agent could
        realise at profile p (the others can never be cycles of the relation)."""
        import itertools

        for k in range(2, self.m + 1):
            for cycle in itertools.permutations(range(self.m), k):
                if cycle[0] != min(cycle):
                    continue
                if all(self.edge_agents(p, cycle[t], cycle[(t + 1) % k]) for t in range(k)):
                    yield cycle

    def clause(self, reason: Reason) -> Clause:
        kind, *a = reason
        if kind == "waste":
            u, p, j, y, z = a
            atoms = ((self.row(("unused", u, p, j, y)),), (self.row(("full", u, p, z)),))
        elif kind == "cycle":
            u, p, cycle = a
            k = len(cycle)
            atoms = tuple(
                tuple(
                    self.row(("zero", u, p, i, cycle[(t + 1) % k]))
                    for i in self.edge_agents(p, cycle[t], cycle[(t + 1) % k])
                )
                for t in range(k)
            )
        elif kind == "dominates":
            g, f = a
            atoms = tuple(
                (self.row(("strict", g, f, p, i, length)),)
                for p in range(len(self.s.profiles))
                for i in range(self.n)
                for length in self.prefix_lengths(p, i)
            )
        elif kind == "share-differs":
            g, f = a
            atoms = tuple(
                (self.row((sign, g, f, p, i)),)
                for p in range(len(self.s.profiles))
                for i in range(self.n)
                for sign in ("more", "less")
            )
        elif kind == "size-larger":
            g, f = a
            atoms = tuple((self.row(("size-more", g, f, p)),) for p in range(len(self.s.profiles)))
        else:
            raise InvalidInput(f"unknown clause kind {kind!r}", "clauses")
        return Clause(tuple(_frozen(reason)), atoms)

    def all_rows(self) -> list[Row]:
        return [self.row(r) for r in self.reasons()]

    def all_clauses(self) -> list[Clause]:
        return [self.clause(r) for r in self.clause_reasons()]


def reason_profiles(reason: Reason) -> tuple[int, ...]:
    """The profile numbers a row's or a one-profile clause's reason speaks about
    (`verified.prove.rows` lists the reasons)."""
    kind = reason[0]
    if kind in ("sp", "anonymous"):
        return (reason[2], reason[3])
    if kind in ("weak", "strict", "same-size", "more", "less", "size-at-least", "size-more"):
        return (reason[3],)
    # one unknown at one profile: nonneg, sum, capacity, ir, fixed, ete, unused, zero, full,
    # waste, cycle, lottery-weight, lottery-sum, lottery-share
    return (reason[2],)


def _frozen(reason: Any) -> Any:
    """A reason with its list arguments as tuples (hashable)."""
    return tuple(tuple(x) if isinstance(x, list) else x for x in reason)


def _add(a: dict[str, Fraction], b: dict[str, Fraction]) -> dict[str, Fraction]:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, Fraction(0)) + v
        if out[k] == 0:
            del out[k]
    return out
