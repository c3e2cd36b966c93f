"""Probabilistic serial: the eating algorithm (Bogomolnaia and Moulin 2001), exact."""

from __future__ import annotations

from fractions import Fraction

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms._common import IndexPreference, index_profile
from verified.assignment.model import Problem, Profile
from verified.assignment.stochastic import StochasticAssignment


def eating(
    capacities: tuple[int, ...], preferences: tuple[IndexPreference, ...]
) -> tuple[tuple[Fraction, ...], ...]:
    """Simultaneous eating at unit speed during [0, 1]; rows over objects then outside.

    At each moment every agent eats her best acceptable object with supply left; an
    agent with none left stops (the rest of her unit goes to the outside option). The
    next breakpoint is the first time an eaten object runs out (or time 1), computed
    exactly: min over eaten x of supply_x / (number of its eaters).
    """
    m = len(capacities)
    supply = [Fraction(q) for q in capacities]
    shares = [[Fraction(0)] * (m + 1) for _ in preferences]
    time = Fraction(0)
    while time < 1:
        eating_now = [next((x for x in pref if supply[x] > 0), -1) for pref in preferences]
        eaters = [0] * m
        for x in eating_now:
            if x >= 0:
                eaters[x] += 1
        if not any(eaters):
            break
        step = min([1 - time, *(supply[x] / eaters[x] for x in range(m) if eaters[x])])
        for i, x in enumerate(eating_now):
            if x >= 0:
                shares[i][x] += step
        for x in range(m):
            if eaters[x]:
                supply[x] -= eaters[x] * step
        time += step
    for row in shares:
        row[m] = 1 - sum(row[:m], Fraction(0))
    return tuple(tuple(row) for row in shares)


def probabilistic_serial(problem: Problem) -> FunctionMechanism:
    """Probabilistic serial (Bogomolnaia-Moulin 2001; with capacities q_x as supplies): all
    agents eat their best acceptable object with supply left, simultaneously at unit speed,
    for one unit of time; an agent stops when none of her acceptable objects is left.
    Breakpoints are exact rationals. Ordinally efficient, equal treatment of equals,
    individually rational; not strategy-proof in general."""

    def run(profile: Profile) -> StochasticAssignment:
        return StochasticAssignment(problem, eating(problem.capacities, index_profile(problem, profile)))

    return FunctionMechanism(problem, "probabilistic serial", run)
