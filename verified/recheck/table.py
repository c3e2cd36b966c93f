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
from verified.recheck.core import ensure, exact_keys, fail, integer, text_list

OUTSIDE = "outside"


def full_preferences(objects: list[str]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for k in range(len(objects) + 1):
        out.extend(itertools.permutations(objects, k))
    return out


def numerators(
    value: object, profiles_len: int, n: int, m: int, den: int, caps: list[int], where: str
) -> None:
    """`verified.recheck.assignment_subject.numerators` (shape, types, rows summing to ``den``,
    columns within capacity; the same rules, in the same order, with the same messages), for a
    table as JSON reads it (lists) or as `verified.recheck.reader.read_certificate` shares it
    (tuples, each distinct row and profile one object): a row or profile object already found
    valid is not checked again, so the work follows the distinct rows and profiles."""
    ensure(
        isinstance(value, list) and len(value) == profiles_len, f"{where}: expected {profiles_len} profiles"
    )
    limits = [q * den for q in caps]
    good_rows: set[int] = set()
    good_blocks: set[int] = set()  # ids of objects alive in ``value`` throughout: never reused here
    for pi, block in enumerate(value):  # type: ignore[arg-type]
        if id(block) in good_blocks:
            continue
        ensure(isinstance(block, (list, tuple)) and len(block) == n, f"{where}[{pi}]: expected {n} rows")
        for i, row in enumerate(block):
            if id(row) in good_rows:
                continue
            place = f"{where}[{pi}][{i}]"
            ensure(isinstance(row, (list, tuple)) and len(row) == m + 1, f"{place}: expected {m + 1} entries")
            if not all(type(v) is int and 0 <= v <= den for v in row):
                for k, v in enumerate(row):
                    integer(v, f"{place}[{k}]", low=0, high=den)
            ensure(sum(row) == den, f"{place}: the row does not sum to 1")
            good_rows.add(id(row))
        for k, used in enumerate(map(sum, zip(*block, strict=True))):
            if k < m and used > limits[k]:
                fail(f"{where}[{pi}]: column {k} is over its capacity")
        good_blocks.add(id(block))


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
        numerators(
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
