"""A first-choice lottery, written by a user as plain Python.

Every object goes, uniformly at random, to one of the agents who rank it first (all of them get
it when there are enough copies); an agent who does not get her first choice gets nothing.
"""

from fractions import Fraction


def first_choice_lottery(problem, profile):
    """``profile`` holds one ranking per agent (a tuple of object names, best first); the answer
    is one row per agent, ``{object: probability}``, summing to 1 with the ``"outside"`` option."""
    rows = [{"outside": 1} for _ in profile]
    for x, copies in zip(problem.objects, problem.capacities, strict=True):
        fans = [i for i, ranking in enumerate(profile) if ranking and ranking[0] == x]
        for i in fans:
            share = min(Fraction(1), Fraction(copies, len(fans)))
            rows[i] = {x: share, "outside": 1 - share}
    return rows
