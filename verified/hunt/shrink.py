"""Finishing the shrink: a greedy pass that makes a counterexample smaller in the order of
`verified.hunt.profiles.profile_key` until no single step does.

Hypothesis shrinks the choices it made, which is close to, but not the same as, our order (its
``one_of`` branch or a pool of rankings may keep an agent's list alive). The steps, tried agent
by agent and repeated while one succeeds:

* an agent finds nothing acceptable (her list emptied; on a restricted domain, her smallest
  listed ranking);
* every agent with the same list makes the same step (equal treatment needs two equal lists);
* one object left out of an agent's list, one object replaced by an earlier one she does not
  list, or two adjacent objects put in order (on a restricted domain, any smaller listed
  ranking);
* a list given to an earlier agent who has none;
* for a manipulation, one object left out of the lie, then any other domain-knowledge lie;
* for a manipulation, one look ahead: the lie becomes the truth (the profile the liar creates
  may itself be manipulable, and a smaller one, once shrunk), kept only when the greedy pass
  from there ends smaller.

Each step keeps the counterexample only when the property is still violated, re-decided
exactly; so the result is a counterexample that no single step makes smaller (a local minimum:
a smaller one elsewhere in the domain is not excluded). Stops at the deadline with the smallest
so far.
"""

from __future__ import annotations

from collections.abc import Iterator

from verified.assignment.model import Preference, Problem, Profile
from verified.hunt.detect import Violation
from verified.hunt.misreports import candidates, with_report
from verified.hunt.profiles import ranking_key
from verified.hunt.search import Search, _key, best_manipulation

#: At most this many other lies are tried when a step loses the manipulation's lie.
OTHER_LIES = 24


def _smaller_rankings(
    search: Search, agent: int, ranking: Preference, same_length: bool = True
) -> Iterator[Preference]:
    """Rankings of ``agent`` smaller than ``ranking``: on the full domain the empty list, one
    object left out, and (``same_length``) `_earlier_of_same_length`; on a restricted domain
    every smaller listed ranking."""
    subject = search.subject
    problem = subject.problem
    if subject.rankings is None:
        if ranking:
            yield ()
        for k in range(len(ranking)):
            yield ranking[:k] + ranking[k + 1 :]
        if same_length:
            yield from _earlier_sorted(problem, ranking)
        return
    mine = ranking_key(problem, ranking)
    smaller = [r for r in subject.rankings[agent] if ranking_key(problem, r) < mine]
    yield from sorted(smaller, key=lambda r: ranking_key(problem, r))


def _earlier_sorted(problem: Problem, ranking: Preference) -> list[Preference]:
    return sorted(_earlier_of_same_length(problem, ranking), key=lambda r: ranking_key(problem, r))


def _earlier_of_same_length(problem: Problem, ranking: Preference) -> Iterator[Preference]:
    """Rankings of the same length, lexicographically smaller by one step: an object replaced
    by an earlier object not listed, or two adjacent objects out of order swapped."""
    index = problem.object_index
    for k, x in enumerate(ranking):
        for y in problem.objects[: index(x)]:
            if y not in ranking:
                yield ranking[:k] + (y,) + ranking[k + 1 :]
        if k + 1 < len(ranking) and index(ranking[k + 1]) < index(x):
            yield ranking[:k] + (ranking[k + 1], x) + ranking[k + 2 :]


def _recheck(search: Search, v: Violation, profile: Profile, lie: Preference | None) -> Violation | None:
    """The violation of ``v``'s property at ``profile`` (for sp: by ``v``'s agent lying ``lie``,
    else by another of her domain-knowledge lies), or None."""
    if v.property != "sp":
        gamma = search.evaluate(profile)
        if gamma is None:
            return None
        return search.checks.violation_at(v.property, gamma, profile)
    agent = v.agent
    assert agent is not None
    if not profile[agent]:
        return None
    tries = [] if lie is None or lie == profile[agent] else [(v.kind or "shrunk", lie)]
    found = best_manipulation(search, profile, agent, tries) if tries else None
    if found is not None and found.size > 0:
        return found
    if lie is not None and lie != v.misreport:
        return None  # shrinking the lie itself: only that lie counts
    others = [
        (kind, r)
        for kind, r in candidates(search.subject.problem, profile, agent)
        if search.subject.allows(agent, r)
    ][:OTHER_LIES]
    found = best_manipulation(search, profile, agent, others)
    return found if found is not None and found.size > 0 else None


def shrink(search: Search, v: Violation, look_ahead: bool = True) -> Violation:
    """Greedy steps (module docstring) from ``v`` while one succeeds and time is left."""
    subject = search.subject
    improved = True
    while improved and not search.out_of_time():
        improved = False
        for agent in range(subject.problem.n):
            for ranking in _smaller_rankings(search, agent, v.profile[agent], same_length=False):
                if search.out_of_time():
                    return v
                profile = with_report(v.profile, agent, ranking)
                w = _recheck(search, v, profile, v.misreport)
                if w is not None and _key(subject, w) < _key(subject, v):
                    v, improved = w, True
                    break
        if not improved:
            together = _shrunk_together(search, v)
            if together is not None:
                v, improved = together, True
        if not improved and subject.rankings is None:
            moved = _moved_earlier(search, v)
            if moved is not None:
                v, improved = moved, True
        if v.property == "sp" and v.misreport is not None and v.agent is not None:
            for lie in _smaller_rankings(search, v.agent, v.misreport):
                if search.out_of_time():
                    return v
                w = _recheck(search, v, v.profile, lie)
                if w is not None and _key(subject, w) < _key(subject, v):
                    v, improved = w, True
                    break
        if not improved and subject.rankings is None:
            earlier = _lexicographic_pass(search, v)
            if earlier is not None:
                v, improved = earlier, True
        if not improved and look_ahead:
            ahead = _lie_as_truth(search, v)
            if ahead is not None:
                v, improved = ahead, True
    return v


def _lexicographic_pass(search: Search, v: Violation) -> Violation | None:
    """One pass over the agents, each list made lexicographically earlier at the same length
    (`_earlier_of_same_length`) while the property stays violated; the last violation kept, or
    None when no agent's list moved. (A separate pass, after the steps that make the
    counterexample smaller in size: tried on every step, these many candidates cost a full
    restart each.)"""
    subject = search.subject
    moved = None
    for agent in range(subject.problem.n):
        for ranking in _earlier_sorted(subject.problem, v.profile[agent]):
            if search.out_of_time():
                return moved
            w = _recheck(search, v, with_report(v.profile, agent, ranking), v.misreport)
            if w is not None and _key(subject, w) < _key(subject, v):
                v = moved = w
                break
    return moved


def _lie_as_truth(search: Search, v: Violation) -> Violation | None:
    """For a manipulation: the profile where the liar's lie is her truth, when it is itself
    manipulable and the greedy pass from it ends smaller than ``v``; else None."""
    if v.property != "sp" or v.agent is None or v.misreport is None or not v.misreport:
        return None
    if not search.subject.allows(v.agent, v.misreport):
        return None
    profile = with_report(v.profile, v.agent, v.misreport)
    w = _recheck(search, Violation(v.property, profile, v.agent, None, v.size, v.kind), profile, None)
    if w is None:
        return None
    w = shrink(search, w, look_ahead=False)
    return w if _key(search.subject, w) < _key(search.subject, v) else None


def _moved_earlier(search: Search, v: Violation) -> Violation | None:
    """``v`` with one agent's list given to an earlier agent who has none (and hers emptied),
    when the property is still violated there: the same counterexample on other agents, smaller
    in the lexicographic order (active agents first). Only on the full domain."""
    subject = search.subject
    profile = v.profile
    for j in range(subject.problem.n):
        if not profile[j]:
            continue
        for k in range(j):
            if profile[k] or search.out_of_time():
                continue
            moved = list(profile)
            moved[k], moved[j] = profile[j], ()
            agent = v.agent if v.agent != j else k
            w = _recheck(
                search,
                Violation(v.property, tuple(moved), agent, v.misreport, v.size, v.kind),
                tuple(moved),
                v.misreport,
            )
            if w is not None and _key(subject, w) < _key(subject, v):
                return w
    return None


def _shrunk_together(search: Search, v: Violation) -> Violation | None:
    """``v`` with every agent who reports one ranking moved together to a smaller one, when the
    property is still violated (equal treatment compares agents with equal lists)."""
    subject = search.subject
    profile = v.profile
    for ranking in dict.fromkeys(r for r in profile if r):
        holders = [i for i, r in enumerate(profile) if r == ranking]
        if len(holders) < 2:
            continue
        for smaller in _smaller_rankings(search, holders[0], ranking):
            if search.out_of_time():
                return None
            if not all(subject.allows(i, smaller) for i in holders):
                continue
            moved = tuple(smaller if r == ranking else r for r in profile)
            w = _recheck(search, v, moved, v.misreport)
            if w is not None and _key(subject, w) < _key(subject, v):
                return w
    return None
