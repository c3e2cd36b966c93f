"""A tabulated assignment mechanism read from a certificate's subject (stdlib only).

Re-validates the subject (`verified.recheck.assignment_subject`), re-derives the
domain (the full domain lists every ranking of every subset, by length, then in
`itertools.permutations` order; profiles in mixed radix, agent 0 most significant)
and checks the table is a valid stochastic assignment at every profile: entries in
[0, d], rows sum to d, object columns at most q_x * d, where d is the common denominator.
Evidence names agents and objects by name only (never by a position that could alias).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from verified.recheck import assignment_subject as subject
from verified.recheck.core import ensure, exact_keys, text_list

OUTSIDE = "outside"


def full_preferences(objects: list[str]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for k in range(len(objects) + 1):
        out.extend(itertools.permutations(objects, k))
    return out


class Table:
    """Problem, domain and integer table of an assignment subject, re-validated on construction
    (`verified.recheck.assignment_subject`: the library's model rules, size before enumeration).
    ``priorities`` says whether the subject must carry a priority structure (ex post stability)
    or must not."""

    def __init__(self, encoding: dict, priorities: bool = False) -> None:
        optional = ("priorities",) if priorities else ()
        required = ("family", "kind", "problem", "domain", "mechanism", *optional)
        self.encoding = exact_keys(encoding, required, (), "subject.encoding")
        self.agents, self.objects, self.capacities = subject.problem(encoding["problem"])
        self.n, self.m = len(self.agents), len(self.objects)
        self.columns = [*self.objects, OUTSIDE]
        mech = subject.mechanism_header(encoding["mechanism"], ())
        self.name: str = mech["name"]
        self.den: int = mech["denominator"]
        self.nums = mech["numerators"]
        ensure(isinstance(self.nums, list), "subject.mechanism.numerators: expected a list of profiles")
        self.count = len(self.nums)
        self.preferences, self.full = subject.domain(
            encoding["domain"], self.agents, self.objects, self.count
        )
        self.sizes = [len(p) for p in self.preferences]
        self.position = [{p: k for k, p in enumerate(ps)} for ps in self.preferences]
        subject.numerators(
            self.nums, self.count, self.n, self.m, self.den, self.capacities, "subject.mechanism.numerators"
        )
        self.rank = (
            subject.priorities(encoding["priorities"], self.agents, self.objects) if priorities else None
        )

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
        for i, pref in enumerate(profile):  # type: ignore[arg-type]
            k = self.position[i].get(tuple(text_list(pref, f"{where}[{i}]")))
            ensure(k is not None, f"{where}: {pref} is not in agent {self.agents[i]!r}'s domain")
            idx = idx * self.sizes[i] + k
        return idx

    def ranking(self, value: object, where: str) -> tuple[str, ...]:
        """A strict ranking of known objects (a misreport, a preference stated in evidence)."""
        return subject.ranking(value, set(self.objects), where)

    def agent(self, name: object, where: str) -> int:
        ensure(isinstance(name, str) and name in self.agents, f"{where}: unknown agent {name!r}")
        return self.agents.index(name)  # type: ignore[arg-type]

    def column(self, name: object, where: str) -> int:
        ensure(isinstance(name, str) and name in self.columns, f"{where}: unknown object {name!r}")
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
