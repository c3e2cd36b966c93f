"""Random assignment (RA): a uniformly random seat for every agent, whatever she reports.

Erdil (section 3, and Remark 1: "The RP dominates the RA") defines RA for n agents and n
objects: the uniform lottery over the n! bijections, so every agent gets every object with
probability 1/n. It ignores preferences: strategy-proof and equal-treatment-of-equals, but NOT
individually rational (an agent gets a share of objects she finds unacceptable). It is the
only built-in that is not individually rational.

Generalised here to any numbers and capacities. The *seats* are the q_x copies of each object
x plus max(0, n - Q) null seats (the outside option), Q = sum of the capacities; RA is a
uniformly random injective map from the agents to the seats (a bijection when Q <= n). A fixed
agent's seat is uniform over the max(n, Q) seats, so she gets x with probability
q_x / max(n, Q) and the outside option with probability max(0, n - Q) / max(n, Q), at every
profile. Column x sums to n q_x / max(n, Q) <= q_x. With n = Q and one copy of each object
this is Erdil's RA.
"""

from __future__ import annotations

from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms._common import from_counts
from verified.assignment.model import Problem, Profile
from verified.assignment.stochastic import StochasticAssignment


def random_assignment_counts(problem: Problem) -> tuple[tuple[int, ...], int]:
    """One agent's RA row as integer numerators (objects, then outside) over max(n, Q), the
    number of seats: ``(q_1, ..., q_m, max(0, n - Q))``. The same for every agent at every
    profile."""
    total = sum(problem.capacities)
    seats = max(problem.n, total)
    return (*problem.capacities, seats - total), seats


def random_assignment(problem: Problem) -> FunctionMechanism:
    """Random assignment (Erdil, section 3; Remark 1: random priority weakly dominates it): a
    uniformly random injective map from the agents to the seats, which are the q_x copies of
    each object x plus max(0, n - Q) null seats (the outside option), Q the total number of
    copies. Erdil states it for n agents and n single objects (each agent gets each object
    with probability 1/n); in general every agent gets x with probability q_x / max(n, Q) and
    the outside option with max(0, n - Q) / max(n, Q), whatever the profile.

    Ignores the reports: strategy-proof, anonymous, equal treatment of equals; NOT
    individually rational (an agent gets a share of every object, acceptable or not)."""
    counts, seats = random_assignment_counts(problem)
    outcome = from_counts(problem, [counts] * problem.n, seats)

    def run(profile: Profile) -> StochasticAssignment:
        return outcome

    return FunctionMechanism(problem, "random assignment", run)
