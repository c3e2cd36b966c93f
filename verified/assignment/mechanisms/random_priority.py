"""Random priority (random serial dictatorship), exact, by dynamic programming over types.

RP(R) is the uniform lottery over the n! serial dictatorships (Erdil, section 2;
Abdulkadiroglu and Sonmez 1998). Instead of enumerating the orders, the
recursion conditions on who picks first. For a state -- the multiset of
preferences of the agents who have not picked yet (their *types*) and the
remaining capacities -- let C[t][x] be, for one fixed agent A of type t, the
number of the k! orders of the k remaining agents in which A ends up with
column x. Then

    C[t][x] = (k-1)! [x = A's best available object]
              + sum over types s of (c_s - [s = t]) * C'_s[t][x],

where c_s agents have type s and C'_s is the state after one agent of type s
took her best available object. States are normalised before memoisation:
objects with no copy left are deleted from every ranking, an agent with
nothing acceptable left is dropped (she gets the outside option in every
order, and dropping her leaves the others' order uniform), and a capacity is
capped at the number of remaining agents who accept the object. All counts are
Python integers; the denominator is n!.

`rp_type_rows` (the whole-domain sweep) uses a second recursion: an agent A's
lottery is fixed by which objects are left when her turn comes, and the law of
that set depends only on the *other* agents (A's position is uniform among the
n). So one memoised table per (n - 1)-agent sub-profile (`_availability`)
serves every ranking of A and every profile containing that sub-profile. Both
recursions are tested equal to each other and to the enumeration of the n!
orders.

`rp_orbit_weights` (the orbit table of `verified.assignment.anonymous.rp_orbit_table`)
runs the availability recursion bottom-up and vectorised over every multiset of the
others at once: one integer array per number of remaining others, indexed by (multiset,
remaining capacities, set of objects left for A), in the narrowest dtype holding the
counts. It is tested equal to `rp_type_rows` called once per multiset profile.

The recursions only ever see a multiset of rankings, never agent names, so RP
computed this way is anonymous and treats equals equally *by construction*:
two agents with the same ranking get the same row.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from math import factorial

import numpy as np

from verified.assignment.domain import Domain, all_preferences
from verified.assignment.mechanism import FunctionMechanism, TabulatedMechanism
from verified.assignment.mechanisms._common import IndexPreference, by_components, from_counts, index_profile
from verified.assignment.model import Preference, Problem, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput, OutOfReach

Caps = tuple[int, ...]
State = tuple[int, ...]  # sorted ids of the remaining agents' (non-empty, reduced) rankings
Rows = dict[int, int]  # ranking id -> packed counts (objects, then outside) of one such agent

#: Memoised sub-states kept at most (least recently used are evicted).
CACHE_SIZE = 1 << 18

#: Work budget of the per-profile recursion (`random_priority_counts`): row updates, d * d for
#: a state with d distinct rankings. Past it, evaluating one profile raises `OutOfReach`. Sized
#: so that giving up takes well under a second (measured: about 0.35 s at 50 agents, 10 objects);
#: 10 agents with complete rankings of 10 objects need about 100,000.
MAX_RP_STEPS = 300_000

# Rankings are interned as small integers so that states are short tuples of ints.
_ID: dict[IndexPreference, int] = {}
_RANKING: list[IndexPreference] = []
_WITHOUT: dict[tuple[int, int], int] = {}  # (ranking id, object) -> id of the ranking without it, -1 if empty


# objects -> ranking by names -> ranking by indices
_NAMES: dict[tuple[str, ...], dict[Preference, IndexPreference]] = {}


def _intern(pref: IndexPreference) -> int:
    found = _ID.get(pref)
    if found is None:
        found = _ID[pref] = len(_RANKING)
        _RANKING.append(pref)
    return found


def _without(ranking: int, obj: int) -> int:
    key = (ranking, obj)
    found = _WITHOUT.get(key)
    if found is None:
        reduced = tuple(x for x in _RANKING[ranking] if x != obj)
        found = _WITHOUT[key] = _intern(reduced) if reduced else -1
    return found


def _cap_at_demand(caps: list[int], state: State) -> Caps:
    """Copies beyond the number of remaining agents who accept an object never matter."""
    demand = [0] * len(caps)
    for r in state:
        for x in _RANKING[r]:
            demand[x] += 1
    return tuple(min(q, d) for q, d in zip(caps, demand, strict=True))


def _expand(width: int, caps: Caps, state: State) -> Rows:
    """C for a state (see the module docstring), each row *packed* into one integer: column x
    sits in bits [x * width, (x + 1) * width). Every entry is at most k! < 2**width, so adding
    and scaling packed rows never carries between columns, and a whole row costs one big-integer
    operation. Rows sum to k! for k = len(state)."""
    global _steps_left
    m = len(caps)
    k = len(state)
    ranking = _RANKING
    if k == 1:
        return {state[0]: 1 << (width * ranking[state[0]][0])}
    first = factorial(k - 1)
    distinct = sorted(set(state))
    _steps_left -= len(distinct) * len(distinct)
    if _steps_left < 0:
        raise _Exhausted
    counts = [state.count(r) for r in distinct]
    rows = [0] * len(distinct)
    outside_shift = width * m
    without = _WITHOUT
    for s, count_s in enumerate(counts):
        rank_s = distinct[s]
        taken = ranking[rank_s][0]
        rows[s] += first << (width * taken)  # the fixed agent herself picks first
        rest = list(state)
        rest.remove(rank_s)
        sub_caps = list(caps)
        sub_caps[taken] -= 1
        if sub_caps[taken]:
            reduced = distinct
            sub_state = tuple(rest)
        else:  # `taken` ran out: delete it from every ranking (only it can run out)
            reduced = []
            for r in distinct:
                found = without.get((r, taken))
                reduced.append(_without(r, taken) if found is None else found)
            lookup = dict(zip(distinct, reduced, strict=True))
            sub_state = tuple(sorted([lookup[r] for r in rest if lookup[r] >= 0]))
        if sub_state:
            capped = _cap_at_demand(sub_caps, sub_state) if max(sub_caps) > 1 else tuple(sub_caps)
            sub_rows = _counts(width, capped, sub_state)
            scale = first // factorial(len(sub_state))
        for t in range(len(rows)):
            others_of_s = count_s - 1 if s == t else count_s
            if not others_of_s:
                continue
            r = reduced[t]
            if r < 0:
                rows[t] += (others_of_s * first) << outside_shift
            else:
                rows[t] += others_of_s * scale * sub_rows[r]
    return dict(zip(distinct, rows, strict=True))


_counts = lru_cache(maxsize=CACHE_SIZE)(_expand)


class _Exhausted(Exception):
    """The per-profile recursion ran past its budget (turned into `OutOfReach` by `_type_rows`)."""


# Row updates the current `_type_rows` call may still make (set by it; one process, one thread
# at a time: the recursion is not re-entrant).
_steps_left = 0


def clear_rp_cache() -> None:
    """Forget the memoised sub-states (they are shared by every call)."""
    _counts.cache_clear()
    _AVAILABLE.clear()


def _type_rows(
    capacities: Sequence[int], prefs: Sequence[IndexPreference], m: int, max_steps: int = MAX_RP_STEPS
) -> tuple[dict[IndexPreference, tuple[int, ...]], int]:
    """Row of counts (denominator n!) of one agent for each distinct ranking in ``prefs``.
    Raises `OutOfReach` when the recursion would make more than ``max_steps`` row updates
    (a state with d distinct rankings costs d * d; memoised states cost nothing)."""
    global _steps_left
    total = factorial(len(prefs))
    outside = tuple([0] * m + [total])
    ids = {pref: _intern(pref) for pref in prefs if pref}
    state = tuple(sorted([ids[pref] for pref in prefs if pref]))
    out: dict[IndexPreference, tuple[int, ...]] = {pref: outside for pref in prefs if not pref}
    if state:
        width = -(-(total.bit_length() + 1) // 32) * 32
        caps = _cap_at_demand(list(capacities), state) if max(capacities) > 1 else tuple(capacities)
        _steps_left = max_steps
        try:
            rows = _expand(width, caps, state)  # the top state is rarely seen twice: not memoised
        except _Exhausted:
            raise OutOfReach(
                f"random priority: more than {max_steps:,} steps of the exact recursion at this profile "
                f"({len(set(state))} distinct rankings among {len(state)} agents in contention)"
            ) from None
        scale = total // factorial(len(state))
        mask = (1 << width) - 1
        for pref, r in ids.items():
            packed = rows[r] * scale
            out[pref] = tuple((packed >> (width * x)) & mask for x in range(m + 1))
    return out, total


def _availability(caps: Caps, others: State) -> dict[int, int]:
    """Where a fixed extra agent A finds the objects when her turn comes.

    ``others`` are the other agents' (reduced, non-empty) rankings. Over the (k+1)! orders
    of the k others and A, count the orders by the set of objects with a copy left when A
    moves (a bitmask). A moves first in k! of them; otherwise some agent of ranking s moves
    first, takes her best object, and the rest is the same question one agent smaller. A's
    own ranking never enters: this is what lets one table serve every ranking of A.
    """
    k = len(others)
    mask = 0
    for x, q in enumerate(caps):
        if q > 0:
            mask |= 1 << x
    if k == 0:
        return {mask: 1}
    out = {mask: factorial(k)}
    ranking = _RANKING
    without = _WITHOUT
    distinct = sorted(set(others))
    for s in distinct:
        count_s = others.count(s)
        taken = ranking[s][0]
        rest = list(others)
        rest.remove(s)
        sub_caps = list(caps)
        sub_caps[taken] -= 1
        if not sub_caps[taken]:
            reduced = []
            for r in rest:
                found = without.get((r, taken))
                found = _without(r, taken) if found is None else found
                if found >= 0:
                    reduced.append(found)
            rest = sorted(reduced)
        if max(sub_caps) > 1:  # beyond demand + 1 a copy is left for A whatever happens
            demand = [1] * len(sub_caps)
            for r in rest:
                for x in ranking[r]:
                    demand[x] += 1
            sub_caps = [min(q, d) for q, d in zip(sub_caps, demand, strict=True)]
        sub = _available(tuple(sub_caps), tuple(rest))
        # Agents left with nothing acceptable never change what is available: the dropped
        # ones multiply the count by k! / (k - dropped)! (= (k)!/len(rest)! over len(rest)+1).
        scale = count_s * (factorial(k) // factorial(len(rest) + 1))
        for key, value in sub.items():
            out[key] = out.get(key, 0) + scale * value
    return out


_AVAILABLE: dict[tuple[Caps, State], dict[int, int]] = {}


def _available(caps: Caps, others: State) -> dict[int, int]:
    """Memoised `_availability` (a plain dict: lookups are on the hot path of domain sweeps;
    it is emptied when it exceeds `CACHE_SIZE` entries)."""
    key = (caps, others)
    found = _AVAILABLE.get(key)
    if found is None:
        if len(_AVAILABLE) >= CACHE_SIZE:
            _AVAILABLE.clear()
        found = _AVAILABLE[key] = _availability(caps, others)
    return found


_BEST_TABLE_MAX_OBJECTS = 12  # tables have 2**m entries
_BEST: dict[tuple[int, int], list[int]] = {}  # (ranking id, m) -> mask -> best object, m if none


def _best_table(ranking_id: int, m: int) -> list[int]:
    """For every availability mask over m objects: the ranking's best available object (m: none)."""
    table = _BEST.get((ranking_id, m))
    if table is None:
        pref = _RANKING[ranking_id]
        table = _BEST[ranking_id, m] = [next((x for x in pref if mask >> x & 1), m) for mask in range(1 << m)]
    return table


def _type_rows_by_availability(
    capacities: Sequence[int], prefs: Sequence[IndexPreference], m: int
) -> tuple[dict[IndexPreference, tuple[int, ...]], int]:
    """Same answer as `_type_rows`, computed per distinct ranking r from the availability table
    of the others (the profile minus one agent of ranking r). Fast when many profiles share
    their sub-profiles, as when sweeping a whole domain."""
    total = factorial(len(prefs))
    ids = {pref: _intern(pref) for pref in prefs if pref}
    state = tuple(sorted([ids[pref] for pref in prefs if pref]))
    out: dict[IndexPreference, tuple[int, ...]] = {}
    if max(capacities) > 1:
        demand = [1] * m
        for r in state:
            for x in _RANKING[r]:
                demand[x] += 1
        caps_key = tuple(min(q, d) for q, d in zip(capacities, demand, strict=True))
    else:
        caps_key = tuple(capacities)
    # The n - len(state) agents with nothing acceptable never change availability.
    scale = total // factorial(len(state))
    tables = _AVAILABLE
    for pref, r in ids.items():
        row = [0] * (m + 1)
        i = state.index(r)
        key = (caps_key, state[:i] + state[i + 1 :])
        available = tables.get(key)
        if available is None:
            available = _available(*key)
        if m <= _BEST_TABLE_MAX_OBJECTS:
            best = _BEST.get((r, m)) or _best_table(r, m)
            for mask, count in available.items():
                row[best[mask]] += count
        else:
            pref_r = _RANKING[r]
            for mask, count in available.items():
                row[next((x for x in pref_r if mask >> x & 1), m)] += count
        out[pref] = tuple(v * scale for v in row) if scale != 1 else tuple(row)
    if not all(prefs):  # agents with nothing acceptable
        out[()] = tuple([0] * m + [total])
    return out, total


def rp_type_rows(
    problem: Problem, multiset: tuple[Preference, ...]
) -> tuple[dict[Preference, tuple[int, ...]], int]:
    """RP at a profile given up to agent names.

    ``multiset`` holds n rankings (object names, best first), e.g. sorted. Returns,
    for each distinct ranking in it, the integer numerators (length m + 1: objects,
    then outside) of ONE agent holding it, and the common denominator n!.
    Computed from the memoised availability tables of the (n - 1)-agent sub-profiles
    (`_availability`), which are shared across calls, so sweeping a whole domain is fast.
    """
    if len(multiset) != problem.n:
        raise InvalidInput(f"{len(multiset)} preferences for {problem.n} agents", "multiset")
    names = _NAMES.get(problem.objects)
    if names is None:
        names = _NAMES[problem.objects] = {}
    multiset = tuple(tuple(pref) for pref in multiset)
    index_prefs = []
    for pref in multiset:
        found = names.get(pref)
        if found is None:
            found = names[pref] = index_profile(problem, (problem.preference(pref, "multiset"),))[0]
        index_prefs.append(found)
    rows, den = _type_rows_by_availability(problem.capacities, index_prefs, problem.m)
    return {pref: rows[names[pref]] for pref in multiset}, den


def _rp_states(
    capacities: Sequence[int], rankings: Sequence[IndexPreference], steps: int
) -> tuple[list[Caps], list[int], np.ndarray]:
    """Remaining-capacity vectors reachable from ``capacities`` when at most ``steps`` agents
    with rankings in ``rankings`` have picked, in the order found (so the states reachable in
    s steps are a prefix of the list); how many are reachable in s = 0 .. steps steps; and
    ``after[state, t]``, the state once an agent of ranking t has taken her best object left
    (the same state when nothing she accepts is left)."""
    states: list[Caps] = [tuple(capacities)]
    index = {states[0]: 0}
    reachable = [1]
    after_rows: list[list[int]] = []
    done = 0
    for _ in range(steps + 1):
        frontier = len(states)
        for state in states[done:frontier]:
            row = []
            for pref in rankings:
                best = next((x for x in pref if state[x] > 0), None)
                nxt = state if best is None else state[:best] + (state[best] - 1,) + state[best + 1 :]
                if nxt not in index:
                    index[nxt] = len(states)
                    states.append(nxt)
                row.append(index[nxt])
            after_rows.append(row)
        done = frontier
        reachable.append(len(states))
    return states, reachable[: steps + 1], np.array(after_rows, dtype=np.int64)


def rp_orbit_weights(problem: Problem, rankings: Sequence[Preference]) -> tuple[np.ndarray, np.ndarray, int]:
    """Random priority on orbits as factors (`verified.assignment.anonymous.OrbitFactors`):
    ``(weights, best, n!)``. ``weights[M, w]`` counts the n! orders in which the w-th set of
    objects (among those that can be left) is what is left when a fixed agent moves while the
    others report the multiset number M (`verified.assignment.anonymous.multiset_rank`), in the
    narrowest integer dtype holding n!; ``best[t, w]`` is the column ranking t then takes (m:
    outside). So an agent reporting ``rankings[t]`` gets column c in the sum of ``weights[M, w]``
    over the w with ``best[t, w] == c`` of the n! orders.

    The availability recursion of `_availability`, vectorised over all multisets of one size at
    once: with r others left and remaining capacities S (capped at n: more copies never run
    out), ``A_r[M, S, mask]`` counts the (r + 1)! orders of the r others and the fixed agent by
    the set ``mask`` of objects left when the fixed agent moves:

        A_r[M, S] = r! [mask(S)] + sum over the r positions j of A_{r-1}[M - M_j, S after M_j]

    (an agent of ranking M_j moves first; summing over positions counts each ranking with its
    multiplicity). ``drop`` of `~verified.assignment.anonymous.iter_multiset_levels` gives the rank of
    M - M_j, and level r only needs the states reachable after n - 1 - r picks. Every count is
    at most (r + 1)!, stored in the narrowest dtype holding it. The weights are the top level
    (r = n - 1, S = the capacities)."""
    from verified.assignment.anonymous import compact_dtype, iter_multiset_levels, multiset_count

    n, m = problem.n, problem.m
    prefs = [tuple(problem.object_index(x) for x in r) for r in rankings]
    k = len(prefs)
    states, reachable, after = _rp_states([min(q, n) for q in problem.capacities], prefs, n - 1)
    masks = [sum(1 << x for x in range(m) if state[x] > 0) for state in states]
    distinct = sorted(set(masks))
    mask_of = np.array([distinct.index(mask) for mask in masks], dtype=np.int64)
    levels = iter_multiset_levels(k, n - 1)
    next(levels)  # level 0: the empty multiset
    width = len(distinct)
    # level 0 (no others): the fixed agent moves at once, in the one order
    table = np.zeros((1, reachable[n - 1], width), dtype=compact_dtype(1))
    table[0, np.arange(reachable[n - 1]), mask_of[: reachable[n - 1]]] = 1
    for r in range(1, n):
        rows, drop = next(levels)
        count, live = multiset_count(k, r), reachable[n - 1 - r]
        here = np.arange(live)
        nxt = np.zeros((count, live, width), dtype=compact_dtype(factorial(r + 1)))
        nxt[:, here, mask_of[:live]] = factorial(r)
        step = max(1, (1 << 22) // (live * width))
        for start in range(0, count, step):
            part = slice(start, min(start + step, count))
            out = nxt[part]
            for j in range(r):
                out += table[drop[part, j].astype(np.int64)[:, None], after[:live][:, rows[part, j]].T]
        table = nxt
        del nxt, rows, drop
    top = np.ascontiguousarray(table[:, 0, :])  # the full capacities
    del table, levels  # only the top level is left: one row of mask counts per multiset
    best = np.array(
        [[next((x for x in pref if mask >> x & 1), m) for mask in distinct] for pref in prefs], dtype=np.int64
    )
    return top, best, factorial(n)


def random_priority_counts(
    problem: Problem, profile: Profile, max_steps: int = MAX_RP_STEPS
) -> tuple[tuple[tuple[int, ...], ...], int]:
    """RP(profile) as integer numerators per agent over the denominator n!, computed separately
    on each group of agents whose lists connect them (`by_components`). Raises `OutOfReach`
    when the recursion would make more than ``max_steps`` row updates (`MAX_RP_STEPS`) in a
    group."""
    prefs = index_profile(problem, profile)

    def solve(group: list[int]) -> tuple[list[tuple[int, ...]], int]:
        sub = [prefs[i] for i in group]
        rows, den = _type_rows(problem.capacities, sub, problem.m, max_steps)
        return [rows[pref] for pref in sub], den

    counts, den = by_components(prefs, problem.m, solve)  # agents who never meet: apart
    total = factorial(problem.n)
    scale = total // den
    return tuple(tuple(c * scale for c in row) for row in counts), total


def tabulate_random_priority(domain: Domain) -> TabulatedMechanism:
    """RP at every profile of ``domain`` as one table (numerators over n!), without one
    mechanism call per profile: the fast way the library tabulates RP (search bases, mechanism
    files, examples).

    On a symmetric domain (every agent may report the same rankings) the rows come from the
    orbit table `verified.assignment.anonymous.rp_orbit_table` (one `rp_type_rows` call per
    class of multiset profiles under object renamings), expanded to all k^n profiles. On any
    other domain, `rp_type_rows` is called once per distinct multiset of rankings. Equal, entry
    for entry, to enumerating the n! serial dictatorships at each profile (tested)."""
    from verified.assignment.anonymous import rp_orbit_table

    problem = domain.problem
    first = domain.preferences[0]
    if all(prefs == first for prefs in domain.preferences):
        return rp_orbit_table(problem, first).to_tabulated()
    position = {pref: k for k, pref in enumerate(all_preferences(problem.objects))}
    total = factorial(problem.n)
    dtype: type = np.int64 if total * (problem.m + 1) < 2**62 else object  # overflow guard
    rows = np.empty((len(domain), problem.n, problem.m + 1), dtype=dtype)
    seen: dict[tuple[Preference, ...], dict[Preference, tuple[int, ...]]] = {}
    for index, profile in enumerate(domain):
        multiset = tuple(sorted(profile, key=position.__getitem__))
        found = seen.get(multiset)
        if found is None:
            found = seen[multiset] = rp_type_rows(problem, multiset)[0]
        rows[index] = [found[pref] for pref in profile]
    return TabulatedMechanism(domain, rows, total, "random priority")


def random_priority(problem: Problem) -> FunctionMechanism:
    """Random priority (random serial dictatorship): the uniform lottery over the n! serial
    dictatorships (Erdil, section 2; Abdulkadiroglu-Sonmez 1998), computed exactly by a
    dynamic programme over (multiset of remaining agents' rankings, remaining capacities)
    with integer counts of orders over n!. Never enumerates the orders.

    Anonymous and equal-treatment-of-equals by construction: the programme sees only the
    multiset of rankings, so agents with the same ranking get the same row.
    Strategy-proof, ex post efficient, individually rational; wasteful in general (Erdil,
    Remark 2).
    """

    def run(profile: Profile) -> StochasticAssignment:
        counts, den = random_priority_counts(problem, profile)
        return from_counts(problem, counts, den)

    return FunctionMechanism(problem, "random priority", run)
