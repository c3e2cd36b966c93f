"""``--hunt``: comparing two mechanisms on sampled profiles, for domains too large to tabulate.

Profiles are drawn uniformly from the domain with ``random.Random(seed)``: a profile number
``rng.randrange(len(domain))``, i.e. each agent's ranking uniformly and independently from her
rankings (for a full domain: every ranking of every subset of the objects, which is the list
`Domain.full` keeps per agent); the product of the agents' rankings is never enumerated. A
profile drawn twice is evaluated once. Both mechanisms are evaluated at each profile
(``subject.mechanism(profile)``) and each agent's pair of rows is classified exactly
(`verified.compare.pairs.classify_rows`).

A mechanism that raises `verified.errors.OutOfReach` at a profile (an exact computation past its
work budget) makes that profile *skipped*: counted, the first reason kept. Anything else it
raises is bad input naming the file and the profile (a user's function that raises: see
`verified.io.pyload`).

Sampling never proves a relation: it finds a pair that refutes one, or says how many profiles
it looked at (`verified.compare.api.decide`).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from verified.compare.model import (
    CATEGORIES,
    CHANGED_LISTED,
    ChangedProfile,
    Differences,
    Pair,
    Sampling,
    SizeChange,
)
from verified.compare.pairs import classify_rows
from verified.errors import InvalidInput, OutOfReach

#: How often (seconds) a snapshot is reported while sampling (`verified.compare.api`).
REPORT_EVERY = 0.5


def _evaluate(subject: Any, profile: Any) -> Any:
    from verified.io.reader import located

    try:
        return subject.mechanism(profile)
    except OutOfReach:
        raise
    except InvalidInput as exc:
        raise located(exc, subject.source) from None


class Hunt:
    """The state of one sampling run: `step` draws one profile, `snapshot` gives what has been
    found so far."""

    def __init__(self, old: Any, new: Any, budget: int, seed: int) -> None:
        self.old, self.new = old, new
        self.problem, self.domain = old.problem, old.domain
        self.budget, self.seed = budget, seed
        self.rng = random.Random(seed)
        self.seen: set[int] = set()
        self.drawn = self.evaluated = self.skipped = 0
        self.skip_reason: str | None = None
        self.counts = [0] * len(CATEGORIES)
        self.first: dict[str, Pair] = {}
        #: both mechanisms' assignments at the profile of the first pair of each kind
        self.assignments: dict[str, tuple[Any, Any]] = {}
        self.changed: list[ChangedProfile] = []
        self.changed_count = 0
        self.old_size = self.new_size = Fraction(0)
        self.per_agent = [Fraction(0)] * self.problem.n

    def step(self) -> None:
        """Draw one profile; evaluate and classify it unless it was drawn before."""
        self.drawn += 1
        index = self.rng.randrange(self.domain.profile_count)
        if index in self.seen:
            return
        self.seen.add(index)
        profile = self.domain.profile(index)
        try:
            old = _evaluate(self.old, profile)
            new = _evaluate(self.new, profile)
        except OutOfReach as exc:
            self.skipped += 1
            if self.skip_reason is None:
                self.skip_reason = f"at the profile {[list(r) for r in profile]}: {exc}"
            return
        rows = []
        for i, pref in enumerate(profile):
            old_row, new_row = old.matrix[i], new.matrix[i]
            kind = classify_rows(old_row, new_row, pref, self.problem)
            self.counts[CATEGORIES.index(kind)] += 1
            if kind not in self.first:
                rank = self.evaluated * self.problem.n + i
                agent = self.problem.agents[i]
                self.first[kind] = Pair(rank, index, profile, agent, i, old_row, new_row, kind)
                self.assignments[kind] = (old, new)
            if kind != "same":
                rows.append((self.problem.agents[i], old_row, new_row))
            self.per_agent[i] += sum(new_row[:-1], Fraction(0)) - sum(old_row[:-1], Fraction(0))
        self.old_size += old.size()
        self.new_size += new.size()
        if rows:
            self.changed_count += 1
            if len(self.changed) < CHANGED_LISTED:
                self.changed.append(ChangedProfile(index, profile, tuple(rows)))
        self.evaluated += 1

    def snapshot(self) -> tuple[Differences, Sampling]:
        size = SizeChange(
            self.evaluated,
            self.old_size,
            self.new_size,
            tuple(zip(self.problem.agents, self.per_agent, strict=True)),
        )
        differences = Differences(
            "sampled",
            self.evaluated,
            self.problem.n,
            tuple(self.counts),
            dict(self.first),
            self.changed_count,
            tuple(self.changed),
            size,
        )
        sampling = Sampling(
            self.seed, self.budget, self.drawn, self.evaluated, self.skipped, self.skip_reason
        )
        return differences, sampling
