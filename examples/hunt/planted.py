"""A user's mechanism with a manipulation planted in one small region, for `verified hunt`.

Serial dictatorship in agent order (strategy-proof), except for a "fast lane" bug: agent 7,
when her report starts with c and then a, is served first and as if she had reported a before
c. So agent 7 gains by reporting c > a when she wants a and an earlier agent would otherwise
take the last copy of a; and she gains by *not* reporting c > a when it is her truth, since
then she gets a although she prefers c.

The smallest manipulation, by hand (in the order of `verified.hunt.profiles.profile_key`: fewer
agents with a list, then fewer listed objects, then lexicographically least): agent 7 alone
truly ranks c > a, everybody else finds nothing acceptable; truthfully she is served as a > c
and gets a, reporting c alone she gets c. Nothing smaller is manipulable: with no list nobody
gets anything; one agent listing one object gets it truthfully (alone, she takes it, and the
fast lane needs two listed objects); one agent other than 7 alone gets her first choice; and
agent 7 alone with two listed objects is only moved by the fast lane when her truth is c > a.
The smallest lie: no report gets nothing, a alone gets a (no gain), c alone gets c.
An earlier version of this docstring named a two-agent manipulation (agent 1 reports a, agent
7 truly wants a alone and reports c > a) as the smallest: it is a local minimum only.
"""


def fast_lane(problem, profile):
    left = dict(zip(problem.objects, problem.capacities, strict=True))
    order = list(range(len(profile)))
    served = [list(ranking) for ranking in profile]
    lucky = 6  # agent "7"
    if len(served[lucky]) >= 2 and served[lucky][:2] == ["c", "a"]:
        order.remove(lucky)
        order.insert(0, lucky)
        served[lucky][0], served[lucky][1] = "a", "c"
    rows = [{"outside": 1} for _ in profile]
    for i in order:
        pick = next((x for x in served[i] if left[x] > 0), None)
        if pick is not None:
            left[pick] -= 1
            rows[i] = {pick: 1}
    return rows


def serial_dictatorship(problem, profile):
    """The same mechanism without the bug: strategy-proof."""
    left = dict(zip(problem.objects, problem.capacities, strict=True))
    rows = []
    for ranking in profile:
        pick = next((x for x in ranking if left[x] > 0), None)
        if pick is not None:
            left[pick] -= 1
        rows.append({pick: 1} if pick else {"outside": 1})
    return rows
