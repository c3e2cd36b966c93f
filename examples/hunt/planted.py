"""A user's mechanism with a manipulation planted in one small region, for `verified hunt`.

Serial dictatorship in agent order (strategy-proof), except for a "fast lane" bug: agent 7,
when her report starts with c and then a, is served first and as if she had reported a before
c. So agent 7, who truly wants a, gains by reporting c > a exactly when an earlier agent would
otherwise take the last copy of a.

The smallest manipulation, by hand: agent 1 reports a (and takes a truthfully before agent 7),
agent 7's truth is a alone, everybody else finds nothing acceptable; truthfully agent 7 gets
nothing, reporting c > a she gets a. Two agents with a list, two listed objects: no
manipulation has fewer (agent 7 must want a, someone must take a before her).
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
