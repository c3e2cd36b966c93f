"""Two mechanisms written by a user as plain Python, for ``python = "my_mechanism.py:..."``.

Each function gets the problem and a profile (one ranking per agent, a tuple of object
names, best first) and returns one row per agent: ``{object: probability}``
(probabilities as ints, Fractions or strings like "1/2"; the rest is the outside option).
"""

from fractions import Fraction


def serial_dictatorship(problem, profile):
    """Agents pick in name order, each her best acceptable object still available."""
    left = dict(zip(problem.objects, problem.capacities, strict=True))
    rows = []
    for ranking in profile:
        pick = next((x for x in ranking if left[x] > 0), None)
        if pick is None:
            rows.append({"outside": 1})
        else:
            left[pick] -= 1
            rows.append({pick: 1})
    return rows


def boston(problem, profile):
    """Immediate acceptance with priority order = agent order: in round k every agent still
    unassigned applies to her k-th choice and is accepted while copies remain. Manipulable."""
    left = dict(zip(problem.objects, problem.capacities, strict=True))
    got: list[str | None] = [None] * len(profile)
    for k in range(len(problem.objects)):
        for i, ranking in enumerate(profile):
            if got[i] is None and k < len(ranking) and left[ranking[k]] > 0:
                left[ranking[k]] -= 1
                got[i] = ranking[k]
    return [{x: Fraction(1)} if x else {"outside": 1} for x in got]
