"""Hypothesis strategies for the profiles of one problem, and the order in which a counterexample
is smaller.

Every strategy draws one ranking per agent. Hypothesis shrinks lists toward shorter ones and
integers toward 0, so a failing profile shrinks toward agents who find nothing acceptable,
short lists and the first objects: the order `profile_key` states. Four families of profiles
are mixed, because violations live in different places:

* ``independent``: every agent's ranking drawn on its own (any length, any order);
* ``sparse``: a handful of agents with a ranking, everybody else finding nothing acceptable
  (the shape of a minimal counterexample, and cheap for exact random-order lotteries);
* ``few types``: a small pool of rankings shared by all agents (school choice: many students
  with the same list; random-order lotteries then stay exact at 50 agents);
* ``correlated``: one popularity order perturbed per agent by a few adjacent swaps and cut
  short (contested objects, where Boston and its kin can be manipulated).

On a restricted domain each agent draws from her listed rankings (shortest first).
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from verified.assignment.model import Preference, Problem, Profile

#: The profile families, in the order `profiles` mixes them (hypothesis shrinks toward the first).
FAMILIES = ("sparse", "independent", "few types", "correlated")


def ranking_key(problem: Problem, ranking: Sequence[str]) -> tuple[int, tuple[int, ...]]:
    """Shorter first, then lexicographically by object position."""
    return (len(ranking), tuple(problem.object_index(x) for x in ranking))


def profile_key(problem: Problem, profile: Profile) -> tuple[int, int, tuple[tuple[int, ...], ...]]:
    """The order of counterexample size: fewer agents who find anything acceptable, then fewer
    listed objects in total, then lexicographically least, agent by agent: an agent with a list
    before one with none (so the active agents come first), then by object positions."""
    active = sum(1 for r in profile if r)
    total = sum(len(r) for r in profile)
    return (
        active,
        total,
        tuple((0, *(problem.object_index(x) for x in r)) if r else (1,) for r in profile),
    )


def _any_ranking(problem: Problem) -> st.SearchStrategy[Preference]:
    names = problem.objects
    return st.lists(st.integers(0, problem.m - 1), unique=True, max_size=problem.m).map(
        lambda picks: tuple(names[k] for k in picks)
    )


def _listed(problem: Problem, allowed: Sequence[Preference]) -> st.SearchStrategy[Preference]:
    return st.sampled_from(sorted(allowed, key=lambda r: ranking_key(problem, r)))


def agent_rankings(
    problem: Problem, rankings: Sequence[Sequence[Preference]] | None, agent: int
) -> st.SearchStrategy[Preference]:
    """What ``agent`` may report: any ranking, or one of her listed rankings."""
    if rankings is None:
        return _any_ranking(problem)
    return _listed(problem, rankings[agent])


def _independent(problem: Problem, rankings: Sequence[Sequence[Preference]] | None) -> st.SearchStrategy:
    return st.tuples(*(agent_rankings(problem, rankings, i) for i in range(problem.n)))


@st.composite
def _sparse(draw: st.DrawFn, problem: Problem, rankings: Sequence[Sequence[Preference]] | None) -> Profile:
    n = problem.n
    active = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=min(n, 6)))
    out: list[Preference] = []
    for i in range(n):
        if i in active:
            out.append(draw(agent_rankings(problem, rankings, i)))
        else:
            out.append(_smallest(problem, rankings, i))
    return tuple(out)


def _smallest(problem: Problem, rankings: Sequence[Sequence[Preference]] | None, agent: int) -> Preference:
    if rankings is None:
        return ()
    return min(rankings[agent], key=lambda r: ranking_key(problem, r))


@st.composite
def _few_types(draw: st.DrawFn, problem: Problem) -> Profile:
    pool = draw(st.lists(_any_ranking(problem), min_size=1, max_size=4))
    return tuple(draw(st.sampled_from(pool)) for _ in range(problem.n))


@st.composite
def _correlated(draw: st.DrawFn, problem: Problem) -> Profile:
    m = problem.m
    popular = draw(st.permutations(range(m)))
    out: list[Preference] = []
    for _ in range(problem.n):
        order = list(popular)
        for _swap in range(draw(st.integers(0, 3))):
            k = draw(st.integers(0, max(m - 2, 0)))
            if k + 1 < m:
                order[k], order[k + 1] = order[k + 1], order[k]
        length = draw(st.integers(0, m))
        out.append(tuple(problem.objects[x] for x in order[:length]))
    return tuple(out)


def profiles(
    problem: Problem, rankings: Sequence[Sequence[Preference]] | None = None
) -> st.SearchStrategy[Profile]:
    """Profiles of ``problem`` (every agent reports one of ``rankings[agent]``, or any ranking
    when ``rankings`` is None), mixing the families of the module docstring."""
    if rankings is not None:  # a restricted domain: only its rankings may be drawn
        return st.one_of(_sparse(problem, rankings), _independent(problem, rankings))
    return st.one_of(
        _sparse(problem, None), _independent(problem, None), _few_types(problem), _correlated(problem)
    )
