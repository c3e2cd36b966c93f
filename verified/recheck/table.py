"""A tabulated assignment mechanism read from a certificate's subject (stdlib only).

Re-derives the domain (the full domain lists every ranking of every subset,
by length, then in `itertools.permutations` order; profiles in mixed radix,
agent 0 most significant) and checks the table is a valid stochastic
assignment at every profile: entries in [0, d], rows sum to d, object
columns at most q_x * d, where d is the common denominator.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from verified.recheck.core import ensure, fail, field

OUTSIDE = "outside"


def full_preferences(objects: list[str]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for k in range(len(objects) + 1):
        out.extend(itertools.permutations(objects, k))
    return out


class Table:
    """Problem, domain and integer table of an assignment subject, validated on construction."""

    def __init__(self, encoding: dict) -> None:
        self.encoding = encoding
        problem = field(encoding, "problem", "subject")
        self.agents: list[str] = list(field(problem, "agents", "problem"))
        self.objects: list[str] = list(field(problem, "objects", "problem"))
        self.capacities: list[int] = list(field(problem, "capacities", "problem"))
        self.n, self.m = len(self.agents), len(self.objects)
        self.columns = [*self.objects, OUTSIDE]
        ensure(self.n >= 1 and self.m >= 1, "problem needs agents and objects")
        ensure(len(set(self.agents)) == self.n and len(set(self.objects)) == self.m, "duplicate names")
        ensure(OUTSIDE not in self.objects, "an object is named 'outside'")
        ensure(len(self.capacities) == self.m, "one capacity per object")
        for q in self.capacities:
            ensure(type(q) is int and q >= 1, f"capacity {q!r} is not a positive integer")
        domain = field(encoding, "domain", "subject")
        if domain.get("full") is True:
            full = full_preferences(self.objects)
            self.preferences = [full for _ in self.agents]
        else:
            prefs = field(domain, "preferences", "domain")
            ensure(isinstance(prefs, list) and len(prefs) == self.n, "domain: one list of rankings per agent")
            self.preferences = []
            for i, ps in enumerate(prefs):
                ensure(isinstance(ps, list) and ps, f"domain of agent {self.agents[i]!r} is empty")
                ranks = [tuple(p) for p in ps]
                for r in ranks:
                    ensure(all(x in self.objects for x in r) and len(set(r)) == len(r), f"bad ranking {r}")
                ensure(
                    len(set(ranks)) == len(ranks), f"a ranking repeats in agent {self.agents[i]!r}'s domain"
                )
                self.preferences.append(ranks)
        self.sizes = [len(p) for p in self.preferences]
        self.position = [{p: k for k, p in enumerate(ps)} for ps in self.preferences]
        mech = field(encoding, "mechanism", "subject")
        self.name = mech.get("name", "table")
        self.den = field(mech, "denominator", "mechanism")
        ensure(type(self.den) is int and self.den >= 1, "denominator must be a positive integer")
        self.nums = field(mech, "numerators", "mechanism")
        count = 1
        for s in self.sizes:
            count *= s
        self.count = count
        ensure(isinstance(self.nums, list) and len(self.nums) == count, f"table must have {count} profiles")
        self._validate()

    def _validate(self) -> None:
        d, n, m = self.den, self.n, self.m
        caps = [q * d for q in self.capacities]
        for pi, block in enumerate(self.nums):
            if not (isinstance(block, list) and len(block) == n):
                fail(f"profile #{pi}: expected {n} rows")
            for i, row in enumerate(block):
                if not (isinstance(row, list) and len(row) == m + 1):
                    fail(f"profile #{pi}, agent {i}: expected {m + 1} entries")
                if sum(row) != d or not all(type(v) is int and 0 <= v <= d for v in row):
                    fail(
                        f"profile {self.profile(pi)}, agent {self.agents[i]!r}: "
                        "entries not in [0, 1] or sum != 1"
                    )
            for k in range(m):
                if sum(r[k] for r in block) > caps[k]:
                    fail(f"profile {self.profile(pi)}: column {self.objects[k]!r} over capacity")

    def digits(self, index: int) -> list[int]:
        out = []
        for size in reversed(self.sizes):
            index, d = divmod(index, size)
            out.append(d)
        return out[::-1]

    def profile(self, index: int) -> list[tuple[str, ...]]:
        return [self.preferences[i][d] for i, d in enumerate(self.digits(index))]

    def index(self, profile: object, where: str) -> int:
        ensure(isinstance(profile, list) and len(profile) == self.n, f"{where}: expected {self.n} rankings")
        idx = 0
        for i, pref in enumerate(profile):
            ensure(isinstance(pref, list), f"{where}: ranking {pref!r} is not a list of objects")
            k = self.position[i].get(tuple(pref))
            ensure(k is not None, f"{where}: {pref} is not in agent {self.agents[i]!r}'s domain")
            idx = idx * self.sizes[i] + k
        return idx

    def agent(self, name: object, where: str) -> int:
        if type(name) is int and 0 <= name < self.n:
            return name
        ensure(name in self.agents, f"{where}: unknown agent {name!r}")
        return self.agents.index(name)  # type: ignore[arg-type]

    def column(self, name: object, where: str) -> int:
        ensure(name in self.columns, f"{where}: unknown object {name!r}")
        return self.columns.index(name)  # type: ignore[arg-type]

    def row(self, profile_index: int, agent: int) -> list[int]:
        return self.nums[profile_index][agent]

    def prob(self, profile_index: int, agent: int, column: int) -> Fraction:
        return Fraction(self.nums[profile_index][agent][column], self.den)

    def cumulative(self, row: list[int], pref: tuple[str, ...]) -> list[int]:
        """Numerators of the cumulative probabilities of the prefixes of ``pref``, then with outside."""
        out, total = [], 0
        for x in pref:
            total += row[self.objects.index(x)]
            out.append(total)
        out.append(total + row[self.m])
        return out

    def deviation_index(self, profile_index: int, agent: int, report_position: int) -> int:
        digits = self.digits(profile_index)
        digits[agent] = report_position
        idx = 0
        for i, d in enumerate(digits):
            idx = idx * self.sizes[i] + d
        return idx
