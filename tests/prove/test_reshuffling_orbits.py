"""Erdil's Reshuffling Lemma (Lemma 1) at every profile of n = 4, m = 2 and n = 3, m = 3 (issue 10).

The lemma's statement names no agent and no object, so at a profile obtained from R by renaming
agents and objects it is R's statement renamed: proving it at one profile of each orbit proves
it at every profile. The orbits are computed here by this file's own code; every representative
is proved with a certificate the independent checker accepts, and so is a random sample of the
other profiles (the benchmark, ``python benchmarks/run.py prove``, proves every profile of the
smaller domains one by one).
"""

from __future__ import annotations

import itertools
import random

import pytest

from verified.assignment.domain import Domain
from verified.assignment.model import Problem
from verified.prove import Relation, Statement, Unknown
from verified.prove.api import prove
from verified.recheck import recheck


def reshuffling(problem: Problem, profile) -> Statement:
    """gamma weakly dominates a non-wasteful omega and some agent's total share differs: none."""
    return Statement(
        problem,
        (profile,),
        (Unknown("omega", ("nonwasteful",)), Unknown("gamma")),
        (Relation("weakly-dominates", "gamma", "omega"), Relation("share-differs", "gamma", "omega")),
    )


def orbits(problem: Problem) -> list[list[tuple]]:
    """The profiles of the full domain grouped by renaming agents and objects."""
    objects = problem.objects
    seen: set = set()
    out = []
    for profile in Domain.full(problem):
        if profile in seen:
            continue
        orbit = set()
        for agents in itertools.permutations(range(problem.n)):
            for names in itertools.permutations(objects):
                rename = dict(zip(objects, names, strict=True))
                image: list = [None] * problem.n
                for i, ranking in enumerate(profile):
                    image[agents[i]] = tuple(rename[x] for x in ranking)
                orbit.add(tuple(image))
        seen |= orbit
        out.append(sorted(orbit))
    return out


@pytest.mark.parametrize(("n", "objects"), [(4, "ab"), (3, "abc")])
def test_the_reshuffling_lemma_holds_on_every_orbit_of_profiles(n, objects):
    problem = Problem.make(n, objects)
    groups = orbits(problem)
    everything = list(Domain.full(problem))
    assert sorted(p for g in groups for p in g) == sorted(everything)  # a partition of the domain
    assert len(groups) < len(everything) // 10
    for group in groups:
        outcome = prove(reshuffling(problem, group[0]))
        assert outcome.verdict == "holds", group[0]
        assert "re-verified" in recheck(outcome.certificate)
    for profile in random.Random(7).sample(everything, 15):
        assert prove(reshuffling(problem, profile)).verdict == "holds", profile
