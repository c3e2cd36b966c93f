"""The built-in mechanisms at one profile of 50 agents: exact lottery, or `OutOfReach`.

    python benchmarks/run.py lotteries

Every built-in (random priority, probabilistic serial, RDA with all agents tied and with
coarse priorities of 2 and 3 tie classes, random Boston, Boston, DA, TTC from a random
endowment) is evaluated at the same 5 seeded random profiles of 50 agents and 10 objects with
5 copies each, every agent listing 1 to 4 objects. The note gives the median time per profile,
how many profiles were answered exactly, and the first `OutOfReach` reason where a budget was
hit; the time is counted either way (giving up is a wait too). The floor is the target of one
second per profile: the ratio is median / 1 s, and "well under a second" is ``<= 0.5``.
Random priority's memo is cleared before every profile (a cold call, as in a fresh process).

The same for the random mechanisms at profiles of the shapes `verified hunt` draws: 3 distinct
lists among the 50 agents, and 10 agents with a list among 50.

The last case is random priority at n = m = 10, complete rankings, seed 0, cold (the profile of
``bench_mechanisms.py``), against its time before the rewrite: 0.13 s.
"""

from __future__ import annotations

import random
import statistics
import time
from itertools import pairwise

from run import Case

from verified.assignment.mechanisms import (
    boston,
    clear_rp_cache,
    deferred_acceptance,
    probabilistic_serial,
    random_boston,
    random_deferred_acceptance,
    random_priority,
    top_trading_cycles,
)
from verified.assignment.model import Problem
from verified.assignment.priorities import Priorities
from verified.errors import OutOfReach

PROBLEM = Problem.make(50, "abcdefghij", [5] * 10)
SEEDS = range(5)
FLOOR_SECONDS = 1.0  # target per profile at 50 agents
RP_BEFORE_SECONDS = 0.13  # random priority, n = m = 10, before the rewrite


def _profile(seed: int, shape: str = "random") -> tuple[tuple[str, ...], ...]:
    """``random``: every agent lists 1 to 4 distinct objects, uniformly. ``3 types``: every agent
    reports one of 3 such lists (the shape `verified hunt` draws for equal treatment and for
    its *few types* family). ``10 active``: 10 agents list 1 to 4 objects, 40 list nothing (its
    *sparse* family)."""
    rng = random.Random(seed)

    def ranking() -> tuple[str, ...]:
        return tuple(rng.sample(PROBLEM.objects, rng.randint(1, 4)))

    if shape == "3 types":
        types = [ranking() for _ in range(3)]
        return tuple(rng.choice(types) for _ in range(PROBLEM.n))
    if shape == "10 active":
        active = set(rng.sample(range(PROBLEM.n), 10))
        return tuple(ranking() if i in active else () for i in range(PROBLEM.n))
    return tuple(ranking() for _ in range(PROBLEM.n))


def _coarse(seed: int, classes: int) -> Priorities:
    """Every object its own random weak order of ``classes`` tie classes."""
    rng = random.Random(seed)
    orders = {}
    for x in PROBLEM.objects:
        agents = list(PROBLEM.agents)
        rng.shuffle(agents)
        cuts = [0, *sorted(rng.sample(range(1, PROBLEM.n), classes - 1)), PROBLEM.n]
        orders[x] = [agents[lo:hi] for lo, hi in pairwise(cuts)]
    return Priorities.make(PROBLEM, orders)


def _per_profile(make, cold: bool = False, shape: str = "random"):  # noqa: ANN202 - (note, ratio)
    def run() -> tuple[str, float]:
        mechanism = make()
        times, exact, reason = [], 0, ""
        for seed in SEEDS:
            profile = _profile(seed, shape)
            if cold:
                clear_rp_cache()
            start = time.perf_counter()
            try:
                mechanism(profile)
                exact += 1
            except OutOfReach as exc:
                reason = reason or str(exc)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        note = f"median {median:.3f} s/profile, {exact}/{len(times)} exact"
        if reason:
            note += f"; OutOfReach: {reason}"
        return note, median / FLOOR_SECONDS

    return run


def _rp_ten() -> tuple[str, float]:
    problem = Problem.make(10, 10)
    rng = random.Random(0)
    profile = tuple(tuple(rng.sample(problem.objects, problem.m)) for _ in range(problem.n))
    clear_rp_cache()
    start = time.perf_counter()
    result = random_priority(problem)(profile)
    seconds = time.perf_counter() - start
    return f"{seconds:.3f} s, size {result.size()} (ratio: time / {RP_BEFORE_SECONDS} s before)", (
        seconds / RP_BEFORE_SECONDS
    )


def cases() -> list[Case]:
    at = "n=50 m=10 caps 5, lists of 1-4"
    tied, strict = Priorities.uniform(PROBLEM), Priorities.from_order(PROBLEM)
    workloads = [
        ("RP", lambda: random_priority(PROBLEM), True),
        ("PS", lambda: probabilistic_serial(PROBLEM), False),
        ("RDA all tied (= RP)", lambda: random_deferred_acceptance(PROBLEM, tied), True),
        ("RDA 2 tie classes", lambda: random_deferred_acceptance(PROBLEM, _coarse(1, 2)), False),
        ("RDA 3 tie classes", lambda: random_deferred_acceptance(PROBLEM, _coarse(1, 3)), False),
        ("random Boston", lambda: random_boston(PROBLEM), False),
        ("Boston (agent order)", lambda: boston(PROBLEM), False),
        ("DA (strict common order)", lambda: deferred_acceptance(PROBLEM, strict), False),
        ("TTC random endowment", lambda: top_trading_cycles(PROBLEM), False),
    ]
    out = [
        Case(f"{name}, {at} (ratio: median / 1 s)", None, _per_profile(make, cold), "<= 0.5")
        for name, make, cold in workloads
    ]
    for shape in ("3 types", "10 active"):
        for name, make, cold in workloads:
            if name in ("RP", "RDA 2 tie classes", "random Boston", "TTC random endowment"):
                label = f"{name}, n=50 m=10 caps 5, {shape} (ratio: median / 1 s)"
                out.append(Case(label, None, _per_profile(make, cold, shape), "<= 0.5"))
    out.append(Case("RP n=m=10 complete rankings, cold", None, _rp_ten, "<= 1"))
    return out
