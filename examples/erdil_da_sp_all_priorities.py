"""Erdil, section 3: deferred acceptance is strategy-proof for EVERY strict priority structure,
and RDA for EVERY weak one (issue 12).

Student-proposing deferred acceptance (DA) with strict priorities is strategy-proof for the
agents (Dubins and Freedman 1981; Roth 1982). RDA breaks the ties of weak priorities by one
uniformly random order of the agents and runs DA: a lottery over strategy-proof mechanisms, so
SD-strategy-proof. Here both are checked exactly, one priority structure at a time, on the
full domain (every agent may report any ranking of any subset of the objects):

* n = 3 agents, m = 2 objects: EVERY strict structure (each object a strict order of the 3
  agents: 3!^2 = 36) for DA, and EVERY weak structure (each object a weak order of the 3
  agents, 13 of them, the Fubini number: 13^2 = 169) for RDA; 5^3 = 125 profiles each.
* n = 4, m = 3: a seeded random sample of strict structures (of 4!^3 = 13,824) for DA and of
  weak structures with at least one tie (of 75^3 = 421,875) for RDA; 16^4 = 65,536 profiles
  each.

Every verdict is certified (`build_certificate`) and re-verified by the independent checker
(`recheck`, standard library only). A certificate is about the tabulated mechanism; that the
table is DA (RDA) for the structure is the job of `tabulate_builtin`, tested entry for entry
against the per-profile procedures in tests/assignment/test_builtin_tables.py.

Control (the sweep can fail): Boston / immediate acceptance with the same 36 strict
structures, each object admitting applicants by its own priority order, is manipulable.

The weak orders are generated here (no library): a weak order of a set of agents is a map
from the agents onto the tie classes 0..k-1 (every class used), and their number is checked
against the Fubini number computed two ways.

Run: python examples/erdil_da_sp_all_priorities.py [--strict K] [--weak K] [--time]
(defaults: 4 strict and 2 weak structures at n = 4, m = 3, about 1.3 s each with its re-check,
so that the test comparing the output stays short; a smaller sample is the start of a larger one;
--time adds a column of seconds)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator, Sequence
from itertools import permutations, product
from math import comb, factorial

from verified.assignment.domain import Domain
from verified.assignment.mechanism import FunctionMechanism, tabulate
from verified.assignment.mechanisms.tables import tabulate_builtin
from verified.assignment.model import Problem, describe_preference
from verified.assignment.priorities import Priorities
from verified.assignment.stochastic import StochasticAssignment
from verified.certificates import build_certificate
from verified.io import AssignmentSubject
from verified.recheck import recheck
from verified.registry import run_check, subject_for

SEED = 12  # issue 12
WeakOrder = tuple[tuple[str, ...], ...]  # tie classes, highest priority first


# --- priority structures, without the library -------------------------------------------------


def strict_orders(agents: Sequence[str]) -> list[WeakOrder]:
    """Every strict order of ``agents``, as tie classes of one agent each."""
    return [tuple((a,) for a in order) for order in permutations(agents)]


def weak_orders(agents: Sequence[str]) -> list[WeakOrder]:
    """Every weak order of ``agents``: each map of the agents ONTO the classes 0..k-1 (some k),
    read as tie classes, class 0 highest."""
    n = len(agents)
    out = []
    for rank in product(range(n), repeat=n):
        k = max(rank) + 1
        if set(rank) == set(range(k)):
            out.append(tuple(tuple(a for a, r in zip(agents, rank, strict=True) if r == c) for c in range(k)))
    return out


def fubini_by_stirling(n: int) -> int:
    """sum_k k! S(n, k): choose the k tie classes as a set partition (Stirling numbers of the
    second kind, S(i, k) = k S(i-1, k) + S(i-1, k-1)), then order them."""
    stirling = [1] + [0] * n  # row i = 0
    for _ in range(n):
        stirling = [0] + [k * stirling[k] + stirling[k - 1] for k in range(1, n + 1)]
    return sum(factorial(k) * stirling[k] for k in range(n + 1))


def fubini_by_top_class(n: int) -> int:
    """a(n) = sum_{k=1..n} C(n, k) a(n - k), a(0) = 1: choose the top tie class (k agents),
    then weakly order the rest."""
    a = [1]
    for size in range(1, n + 1):
        a.append(sum(comb(size, k) * a[size - k] for k in range(1, size + 1)))
    return a[n]


def is_strict(structure: Sequence[WeakOrder]) -> bool:
    return all(len(c) == 1 for order in structure for c in order)


def show_order(order: WeakOrder) -> str:
    """``1 > (2 3)``: tie classes, highest first, a tie in parentheses."""
    return " > ".join(c[0] if len(c) == 1 else "(" + " ".join(c) + ")" for c in order)


def show_structure(objects: Sequence[str], structure: Sequence[WeakOrder]) -> str:
    return ", ".join(f"{x}: {show_order(o)}" for x, o in zip(objects, structure, strict=True))


def boston_with_priorities(problem: Problem, structure: Sequence[WeakOrder]) -> FunctionMechanism:
    """Boston / immediate acceptance, each object admitting by its OWN strict priority order:
    in round r every unassigned agent applies to her r-th choice, and an object accepts its
    applicants, highest priority first, while copies are left, for good."""
    position = [{c[0]: p for p, c in enumerate(order)} for order in structure]

    def run(profile: Sequence[Sequence[str]]) -> StochasticAssignment:
        left = dict(zip(problem.objects, problem.capacities, strict=True))
        held: dict[str, str] = {}
        waiting = list(problem.agents)
        for r in range(problem.m):
            applicants: dict[str, list[str]] = {}
            for i, agent in enumerate(problem.agents):
                if agent in waiting and r < len(profile[i]):
                    applicants.setdefault(profile[i][r], []).append(agent)
            for x, group in applicants.items():
                group.sort(key=position[problem.objects.index(x)].__getitem__)
                for agent in group[: left[x]]:
                    held[agent] = x
                    waiting.remove(agent)
                left[x] -= min(left[x], len(group))
        rows = [{held[a]: 1} if a in held else {} for a in problem.agents]
        return StochasticAssignment.from_rows(problem, rows, fill_outside=True)

    return FunctionMechanism(problem, "boston (object priorities)", run)


# --- checking one structure ---------------------------------------------------------------------


def check_sp(name: str, domain: Domain, structure: Sequence[WeakOrder]) -> tuple[bool, int]:
    """Tabulate built-in ``name`` with the structure's priorities, check sp, certify the
    verdict and re-check the certificate: (holds and re-verified, comparisons)."""
    problem = domain.problem
    priorities = Priorities.make(problem, [[list(c) for c in order] for order in structure])
    subject = AssignmentSubject(problem, domain, tabulate_builtin(name, domain, priorities=priorities))
    result = run_check("sp", subject)
    doc = build_certificate("sp", result, subject_for("sp", subject))
    ok = result.holds and recheck(doc).startswith("sp: holds - re-verified")
    return ok, int(result.evidence["comparisons"]) if result.holds else 0


class Row:
    def __init__(self, mechanism: str, problem: Problem, which: str, structures: int, profiles: int):
        self.cells = [mechanism, f"{problem.n} x {problem.m}", which, structures, 0, profiles, 0]
        self.start = time.perf_counter()
        self.seconds = 0.0

    def add(self, ok: bool, comparisons: int) -> None:
        self.cells[4] += ok
        self.cells[6] += comparisons
        self.seconds = time.perf_counter() - self.start

    @property
    def all_hold(self) -> bool:
        return self.cells[3] == self.cells[4]


def sweep(name: str, domain: Domain, structures: Sequence[Sequence[WeakOrder]], row: Row) -> Row:
    for structure in structures:
        ok, comparisons = check_sp(name, domain, structure)
        row.add(ok, comparisons)
        if not ok:
            print(f"  NOT re-verified: {name} with {show_structure(domain.problem.objects, structure)}")
    return row


def sample_structures(
    rng: random.Random, orders: Sequence[WeakOrder], m: int, k: int, with_tie: bool
) -> Iterator[tuple[WeakOrder, ...]]:
    """``k`` distinct structures, each object's order drawn uniformly from ``orders``
    (``with_tie``: structures with no tie are drawn again)."""
    seen: set[tuple[WeakOrder, ...]] = set()
    while len(seen) < k:
        structure = tuple(rng.choice(orders) for _ in range(m))
        if structure in seen or (with_tie and is_strict(structure)):
            continue
        seen.add(structure)
        yield structure


def main(n_strict: int, n_weak: int, show_time: bool) -> int:
    small = Problem.make(3, "ab")
    agents3 = small.agents
    weak3 = weak_orders(agents3)
    fubini = (fubini_by_stirling(3), fubini_by_top_class(3))
    assert len(weak3) == fubini[0] == fubini[1] == 13, (len(weak3), fubini)
    assert len(set(weak3)) == len(weak3)
    strict3 = strict_orders(agents3)
    assert len(strict3) == factorial(3) == sum(1 for o in weak3 if len(o) == 3)
    strict_structures = list(product(strict3, repeat=small.m))
    weak_structures = list(product(weak3, repeat=small.m))
    print(
        f"n = 3, m = 2: {len(strict3)} strict orders, {len(weak3)} weak orders (Fubini number: "
        f"{fubini[0]} by Stirling numbers, {fubini[1]} by the top class)"
    )
    print(f"  {len(strict_structures)} strict and {len(weak_structures)} weak priority structures")

    rows = []
    domain3 = Domain.full(small)
    rows.append(
        sweep(
            "deferred_acceptance",
            domain3,
            strict_structures,
            Row("DA", small, "all strict", len(strict_structures), len(domain3)),
        )
    )
    rows.append(
        sweep(
            "random_deferred_acceptance",
            domain3,
            weak_structures,
            Row("RDA", small, "all weak", len(weak_structures), len(domain3)),
        )
    )

    big = Problem.make(4, "abc")
    weak4 = weak_orders(big.agents)
    strict4 = strict_orders(big.agents)
    assert len(weak4) == fubini_by_stirling(4) == fubini_by_top_class(4) == 75
    # one random stream per kind: a smaller sample is the start of a larger one
    sample_strict = list(sample_structures(random.Random(SEED), strict4, big.m, n_strict, with_tie=False))
    sample_weak = list(sample_structures(random.Random(SEED + 1), weak4, big.m, n_weak, with_tie=True))
    print(
        f"n = 4, m = 3 (seeds {SEED}, {SEED + 1}): {len(sample_strict)} of {len(strict4) ** big.m} "
        f"strict structures, {len(sample_weak)} of {len(weak4) ** big.m} weak ones (each with a tie):"
    )
    for structure in sample_strict + sample_weak:
        print(f"  {show_structure(big.objects, structure)}")
    domain4 = Domain.full(big)
    rows.append(
        sweep(
            "deferred_acceptance",
            domain4,
            sample_strict,
            Row("DA", big, "sampled strict", len(sample_strict), len(domain4)),
        )
    )
    rows.append(
        sweep(
            "random_deferred_acceptance",
            domain4,
            sample_weak,
            Row("RDA", big, "sampled weak", len(sample_weak), len(domain4)),
        )
    )

    print()
    head = ["mechanism", "n x m", "priorities", "structures", "sp holds (re-checked)", "profiles each"]
    head += ["comparisons"] + (["seconds"] if show_time else [])
    table = [head]
    for row in rows:
        cells = [str(c) for c in row.cells] + ([f"{row.seconds:.1f}"] if show_time else [])
        table.append(cells)
    widths = [max(len(r[k]) for r in table) for k in range(len(head))]
    for r in table:
        cells = (c.ljust(w) if k < 3 else c.rjust(w) for k, (c, w) in enumerate(zip(r, widths, strict=True)))
        print("  ".join(cells).rstrip())
    everything = all(row.all_hold for row in rows)
    print(f"every verdict SD-strategy-proof and re-verified: {'yes' if everything else 'NO'}")

    print()
    manipulable = []
    for structure in strict_structures:
        boston = tabulate(boston_with_priorities(small, structure), domain3)
        result = run_check("sp", AssignmentSubject(small, domain3, boston))
        if result.fails:
            manipulable.append((structure, result.evidence))
    print(
        f"Control: Boston with the same {len(strict_structures)} strict structures is manipulable "
        f"for {len(manipulable)} of them"
    )
    if manipulable:
        structure, w = manipulable[0]
        profile = "; ".join(
            f"{a}: {describe_preference(tuple(p))}" for a, p in zip(agents3, w["profile"], strict=True)
        )
        print(f"  first: {show_structure(small.objects, structure)}; at the profile {profile}:")
        print(
            f"  agent {w['agent']} (true ranking {describe_preference(tuple(w['true_preference']))}) "
            f"reports {describe_preference(tuple(w['misreport']))}; her probability of "
            f"{{{', '.join(w['prefix'])}}} rises from {w['truthful_cumulative']} "
            f"to {w['misreport_cumulative']}"
        )
    return 0 if everything and manipulable else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", type=int, default=4, help="strict structures sampled at n = 4, m = 3")
    parser.add_argument("--weak", type=int, default=2, help="weak structures sampled at n = 4, m = 3")
    parser.add_argument("--time", action="store_true", help="add a column of seconds to the summary")
    args = parser.parse_args()
    sys.exit(main(args.strict, args.weak, args.time))
