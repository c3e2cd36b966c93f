"""Random Boston: Boston under a uniformly random priority order, exactly, by lazy revealing.

Definition: draw a linear order sigma of the n agents uniformly among the n! orders and run
Boston (`verified.assignment.mechanisms.boston.boston_outcome`) with sigma as every object's
priority. The lottery at one profile is computed without enumerating the orders
(`random_boston_counts`):

* Boston runs round by round; sigma matters only in a *contest*: an object x with
  ``left[x] > 0`` copies and more applicants than that, which admits the first ``left[x]``
  applicants in sigma. Other applicants are all accepted (or, with no copy left, all
  rejected) whatever sigma is, and nothing about sigma is learnt.
* The state keeps what has been revealed about sigma as disjoint *chains*: each chain is the
  exact relative order of some agents, and nothing is known between chains. A contest
  merges the chains holding its applicants, and its unrevealed applicants as chains of one,
  into one chain (a refinement: it reveals the whole order of those agents, more than who
  wins). Given chains of sizes L_1 .. L_k, sigma is uniform among the n! / prod L_j! orders
  with those restrictions, so two chains of sizes P and Q interleave uniformly: each of the
  C(P + Q, P) interleavings is equally likely.
* An agent who leaves (assigned, or with no object with a copy left in the rest of her
  ranking) stays in her chain as a *forgotten* element (-1). Dropping her would be wrong: if
  a beats b and c (a < b < c revealed) and leaves, a newcomer w comes before b with
  probability 2/4 (in the slots before a or between a and b), not 1/3. A chain with nobody in
  play is dropped (sigma on the agents in play is independent of it), and a last chain is
  stripped of its forgotten elements when every agent in play is in it (nothing is merged
  into it any more). A chain of one agent in play is the same as an unrevealed agent.
* Boston treats agents with the same ranking alike, and sigma is exchangeable, so a state
  records *types* (distinct rankings) instead of agents: per type, the number of agents in
  play not yet revealed, and chains of type numbers (-1: forgotten). Assignments are counted
  per type and shared equally among the type's agents at the end (so agents with the same
  ranking get the same row by construction).
* States (remaining copies, unrevealed agents per type, chains) are merged between steps,
  with integer weights: the number of the n! orders consistent with the history (summed
  over merged histories). The first state weighs n!. With chains of sizes L_j and u
  unrevealed agents in play, S = sum L_j + u, a weight is divisible by the multinomial
  S! / prod L_j!: true at the start (S = u = n), and kept by merging two chains (the weight
  of each interleaving is the weight divided by C(P + Q, P), and the multinomial is divided
  by exactly that), by forgetting an agent (S and L_j unchanged), and by dropping an
  unrevealed agent or a chain (the new multinomial divides the old one). Every division is
  therefore exact.
* A contest of every agent in play, none revealed (everyone applies to one object), reveals
  nothing but who wins: the winners per type follow the multivariate hypergeometric law and
  the losers stay unrevealed (`_everyone_contests`), instead of revealing their whole order.
* Every accepted agent adds the weight of her state to her type's column; the outside column
  is the rest. The denominator is n! times the size of the type, reduced by `from_counts`.

The recursion is exact for any number of agents, but its states multiply with the number of
agents meeting in contests (computing random serial dictatorship probabilities is already
#P-hard: Aziz, Brandt and Brill 2013). Past `MAX_BOSTON_STATES` created states it raises
`OutOfReach`.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb, factorial, lcm

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms._common import IndexPreference, by_components, from_counts, index_profile
from verified.assignment.model import Problem, Profile
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import OutOfReach

#: States the random Boston recursion may create at one profile before raising `OutOfReach`
#: (giving up takes about 0.3 s at 50 agents, 10 objects).
MAX_BOSTON_STATES = 100_000

Chain = tuple[int, ...]  # type numbers in sigma order; -1 for a forgotten agent
State = tuple[tuple[int, ...], tuple[int, ...], tuple[Chain, ...]]  # copies left, unrevealed, chains


class _Budget:
    """Counts created states; raises `OutOfReach` past ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used, self.contended = limit, 0, 0

    def spend(self, states: int) -> None:
        self.used += states
        if self.used > self.limit:
            raise OutOfReach(
                f"random boston: more than {self.limit:,} states of the exact recursion at this profile "
                f"(up to {self.contended} agents in contention for one object)"
            )


def _interleavings(
    x: Chain, y: Chain, memo: dict[tuple[Chain, Chain], dict[Chain, int]], budget: _Budget
) -> dict[Chain, int]:
    """The interleavings of two chains, as merged chain -> how many of the C(|x| + |y|, |x|)
    interleavings give it (equal elements make several coincide). Every partial result counts
    against the budget."""
    if not x or not y:
        return {x + y: 1}
    found = memo.get((x, y))
    if found is None:
        found = {}
        for head, rest in (
            (x[0], _interleavings(x[1:], y, memo, budget)),
            (y[0], _interleavings(x, y[1:], memo, budget)),
        ):
            for tail, count in rest.items():
                key = (head, *tail)
                found[key] = found.get(key, 0) + count
        budget.spend(len(found))
        memo[x, y] = found
    return found


def _settle(left: tuple[int, ...], unrevealed: list[int], chains: list[Chain]) -> State:
    """Canonical state: chains without an agent in play dropped, chains of one agent in play
    returned to the unrevealed, a last chain holding every agent in play stripped of its
    forgotten elements, chains sorted."""
    kept: list[Chain] = []
    for chain in chains:
        if len(chain) == 1 and chain[0] >= 0:
            unrevealed[chain[0]] += 1
        elif any(t >= 0 for t in chain):
            kept.append(chain)
    if len(kept) == 1 and not any(unrevealed):
        stripped = tuple(t for t in kept[0] if t >= 0)
        kept = [] if len(stripped) == 1 else [stripped]
        if len(stripped) == 1:
            unrevealed[stripped[0]] += 1
    return left, tuple(unrevealed), tuple(sorted(kept))


def _contest(
    layer: dict[State, int],
    x: int,
    applying: frozenset[int],
    counts: list[list[int]],
    budget: _Budget,
) -> dict[State, int]:
    """One step of a round: the agents in play of the types in ``applying`` apply to object x."""
    out: dict[State, int] = {}
    memo: dict[tuple[Chain, Chain], dict[Chain, int]] = {}
    for state, weight in layer.items():
        left, unrevealed, chains = state
        q = left[x]
        k = sum(unrevealed[t] for t in applying) + sum(1 for c in chains for t in c if t in applying)
        if not k or not q:
            out[state] = out.get(state, 0) + weight
            continue
        new_unrevealed = [0 if t in applying else u for t, u in enumerate(unrevealed)]
        touched = [c for c in chains if any(t in applying for t in c)]
        others = [c for c in chains if not any(t in applying for t in c)]
        if k <= q:  # everyone is accepted
            for t in applying:
                counts[t][x] += weight * unrevealed[t]
            for c in touched:
                for t in c:
                    if t in applying:
                        counts[t][x] += weight
            forgotten = [tuple(-1 if t in applying else t for t in c) for c in touched]
            key = _settle(left[:x] + (q - k,) + left[x + 1 :], new_unrevealed, others + forgotten)
            out[key] = out.get(key, 0) + weight
            continue
        budget.contended = max(budget.contended, k)
        if not chains and all(u == 0 or t in applying for t, u in enumerate(unrevealed)):
            _everyone_contests(out, state, weight, x, applying, counts, budget)
            continue
        parts = touched + [(t,) for t in sorted(applying) for _ in range(unrevealed[t])]
        merged: dict[Chain, int] = {parts[0]: weight}
        for part in parts[1:]:
            grown: dict[Chain, int] = {}
            for chain, w in merged.items():
                share = w // comb(len(chain) + len(part), len(part))  # exact: see the module docstring
                for result, times in _interleavings(chain, part, memo, budget).items():
                    grown[result] = grown.get(result, 0) + share * times
            budget.spend(len(grown))
            merged = grown
        new_left = left[:x] + (0,) + left[x + 1 :]
        for chain, w in merged.items():
            winners, result = 0, []
            for t in chain:
                if winners < q and t in applying:
                    counts[t][x] += w
                    winners += 1
                    result.append(-1)
                else:
                    result.append(t)
            key = _settle(new_left, list(new_unrevealed), [*others, tuple(result)])
            out[key] = out.get(key, 0) + w
    return out


def _everyone_contests(
    out: dict[State, int],
    state: State,
    weight: int,
    x: int,
    applying: frozenset[int],
    counts: list[list[int]],
    budget: _Budget,
) -> None:
    """A contest of every agent in play, none of them revealed: the q winners are a uniformly
    random q-subset of the k applicants, so w_t winners of type t with probability
    prod_t C(u_t, w_t) / C(k, q) (multivariate hypergeometric), and the losers, the only agents
    left in play, are again unrevealed: the history says only that they come after the winners,
    who leave play, so sigma on them is still uniform. The weight (divisible by k!, as S = k and
    there are no chains) times prod_t C(u_t, w_t) / C(k, q) is an integer divisible by (k - q)!,
    the new S!: the division is exact and the invariant of the module docstring is kept."""
    left, unrevealed, _ = state
    q = left[x]
    types = sorted(applying)
    k = sum(unrevealed[t] for t in types)
    share, rest = divmod(weight, comb(k, q))
    if rest:  # impossible by the invariant above; never round silently
        raise AssertionError(f"random boston: weight {weight} not divisible by C({k}, {q})")
    new_left = left[:x] + (0,) + left[x + 1 :]

    def split(index: int, remaining: int, ways: int, won: list[int]) -> None:
        if index == len(types):
            if remaining:
                return
            w = share * ways
            losers = list(unrevealed)
            for t, n_won in zip(types, won, strict=True):
                counts[t][x] += w * n_won
                losers[t] -= n_won
            key = _settle(new_left, losers, [])
            out[key] = out.get(key, 0) + w
            budget.spend(1)
            return
        t = types[index]
        for n_won in range(min(unrevealed[t], remaining) + 1):
            split(index + 1, remaining - n_won, ways * comb(unrevealed[t], n_won), [*won, n_won])

    split(0, q, 1, [])


def _round_end(layer: dict[State, int], alive: list[int], budget: _Budget) -> dict[State, int]:
    """Agents of types with no copy left of any object in the rest of their ranking leave play
    (``alive[x]``: bit mask of the types ranking x in a later round)."""
    out: dict[State, int] = {}
    for (left, unrevealed, chains), weight in layer.items():
        playing = 0
        for x, q in enumerate(left):
            if q:
                playing |= alive[x]
        new_unrevealed = [u if playing >> t & 1 else 0 for t, u in enumerate(unrevealed)]
        new_chains = [tuple(t if t < 0 or playing >> t & 1 else -1 for t in c) for c in chains]
        key = _settle(left, new_unrevealed, new_chains)
        if any(key[1]) or key[2]:
            out[key] = out.get(key, 0) + weight
    budget.spend(len(out))
    return out


def random_boston_counts(
    capacities: Sequence[int], preferences: Sequence[IndexPreference], max_states: int = MAX_BOSTON_STATES
) -> tuple[list[list[int]], int]:
    """Random Boston in index form: integer numerators per agent (objects, then outside) over
    one denominator, by the lazy-reveal recursion of the module docstring on each group of
    agents whose lists connect them (`by_components`: the others never meet them). Raises
    `OutOfReach` once more than ``max_states`` states were created in a group."""
    return by_components(
        preferences,
        len(capacities),
        lambda group: _connected_counts(capacities, [preferences[i] for i in group], max_states),
    )


def _connected_counts(
    capacities: Sequence[int], preferences: Sequence[IndexPreference], max_states: int
) -> tuple[list[list[int]], int]:
    """`random_boston_counts` by one recursion over all of ``preferences``."""
    n, m = len(preferences), len(capacities)
    types = sorted({pref for pref in preferences if pref})
    number = {pref: t for t, pref in enumerate(types)}
    size = [0] * len(types)
    for pref in preferences:
        if pref:
            size[number[pref]] += 1
    total = factorial(n)
    counts = [[0] * m for _ in types]
    budget = _Budget(max_states)
    layer: dict[State, int] = {(tuple(capacities), tuple(size), ()): total}
    for r in range(max((len(pref) for pref in types), default=0)):
        for x in range(m):
            applying = frozenset(t for t, pref in enumerate(types) if len(pref) > r and pref[r] == x)
            if applying:
                layer = _contest(layer, x, applying, counts, budget)
        alive = [0] * m
        for t, pref in enumerate(types):
            for y in pref[r + 1 :]:
                alive[y] |= 1 << t
        layer = _round_end(layer, alive, budget)
    scale = lcm(*size) if size else 1
    rows = []
    for pref in preferences:
        if not pref:
            rows.append([0] * m + [total * scale])
            continue
        t = number[pref]
        row = [c * (scale // size[t]) for c in counts[t]]
        rows.append([*row, total * scale - sum(row)])
    return rows, total * scale


def random_boston(problem: Problem, max_states: int = MAX_BOSTON_STATES) -> FunctionMechanism:
    """Boston with a uniformly random priority order used by every object: the exact average of
    `verified.assignment.mechanisms.boston.boston` over the n! orders, computed by the
    lazy-reveal recursion of this module's docstring (only the orders of agents who meet in a
    contest are looked at, and agents with the same ranking are not told apart). Any number of
    agents; evaluating raises `OutOfReach` at a profile where the recursion would create more
    than ``max_states`` states. Anonymous and equal-treatment-of-equals by construction; a
    classic manipulable mechanism."""

    def run(profile: Profile) -> StochasticAssignment:
        counts, total = random_boston_counts(problem.capacities, index_profile(problem, profile), max_states)
        return from_counts(problem, counts, total)

    return FunctionMechanism(problem, "random boston", run)
