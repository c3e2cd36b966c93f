"""Equal treatment of equals and anonymity (Erdil, section 2).

* Equal treatment of equals: R_i = R_j implies f_i(R) = f_j(R).
* Anonymity of a table over a symmetric domain: f(R o pi) = f(R) o pi for every profile R
  and permutation pi of the agents, i.e. f_i(R o pi) = f_{pi(i)}(R) where
  (R o pi)_i = R_{pi(i)}. If this holds for pi and sigma at every R, it holds for
  pi o sigma (apply it at R o pi, then at R), so checking the generators of the
  symmetric group -- the transposition (0 1) and the cycle i -> i + 1 mod n -- at
  every profile certifies all n! permutations. The check is exhaustive over profiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import Mechanism, TabulatedMechanism
from verified.assignment.properties._common import as_table, domain_description, row_json, table_digest
from verified.assignment.stochastic import StochasticAssignment
from verified.errors import InvalidInput
from verified.results import CheckResult, fails, holds


def check_equal_treatment_assignment(
    assignment: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> CheckResult:
    """Do agents with equal rankings get equal rows at ``profile``?

    FAILS evidence ``unequal_rows``: both agents, their common ranking and both rows.
    HOLDS evidence ``equal_rows``: the groups of agents with equal rankings."""
    problem = assignment.problem
    prof = problem.profile(profile)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, pref in enumerate(prof):
        groups.setdefault(pref, []).append(i)
    for pref, members in groups.items():
        first = members[0]
        for j in members[1:]:
            if assignment.matrix[j] != assignment.matrix[first]:
                return fails(
                    "equal_treatment",
                    {
                        "kind": "unequal_rows",
                        "profile": [list(p) for p in prof],
                        "agents": [problem.agents[first], problem.agents[j]],
                        "preference": list(pref),
                        "rows": [
                            row_json(problem, assignment.matrix[first]),
                            row_json(problem, assignment.matrix[j]),
                        ],
                    },
                )
    return holds(
        "equal_treatment",
        {
            "kind": "equal_rows",
            "profile": [list(p) for p in prof],
            "groups": [[problem.agents[i] for i in g] for g in groups.values() if len(g) > 1],
        },
    )


def is_equal_treatment_assignment(
    assignment: StochasticAssignment, profile: Sequence[Sequence[str] | str]
) -> bool:
    return check_equal_treatment_assignment(assignment, profile).holds


def _digits(domain: Domain) -> np.ndarray:
    """(profiles, n) array of each profile's per-agent ranking positions."""
    return np.indices(domain.sizes).reshape(len(domain.sizes), -1).T


def check_equal_treatment(
    mechanism: Mechanism | TabulatedMechanism,
    domain: Domain,
    *,
    all_violations: bool = False,
    limit: int | None = None,
) -> CheckResult:
    """Equal treatment of equals at every profile of ``domain`` (vectorised over the table).

    FAILS evidence as `check_equal_treatment_assignment`; HOLDS evidence ``exhaustive``:
    domain, table digest and the number of (profile, pair of equal agents) comparisons. With
    ``all_violations=True``: the same result, and ``stats["violations"]`` counts every such
    comparison with unequal rows (`violations_count`)."""
    if all_violations:
        from verified.assignment.properties.violations_count import counted

        return counted("equal_treatment", check_equal_treatment, mechanism, domain, limit)
    table = as_table(mechanism, domain)
    problem = domain.problem
    digits = _digits(domain)
    nums = table.numerators
    compared = 0
    for i in range(problem.n):
        for j in range(i + 1, problem.n):
            for pref in domain.preferences[i]:
                if pref not in domain.preferences[j]:
                    continue
                mask = (digits[:, i] == domain.preference_index(i, pref)) & (
                    digits[:, j] == domain.preference_index(j, pref)
                )
                where = np.flatnonzero(mask)
                compared += where.size
                differ = (nums[where, i] != nums[where, j]).any(axis=1)
                if differ.any():
                    index = int(where[int(np.argmax(differ))])
                    return check_equal_treatment_assignment(table.at_index(index), domain.profile(index))
    return holds(
        "equal_treatment",
        {
            "kind": "exhaustive",
            "domain": domain_description(domain),
            "table_digest": table_digest(table),
            "comparisons": compared,
        },
    )


def is_equal_treatment(mechanism: Mechanism | TabulatedMechanism, domain: Domain) -> bool:
    return check_equal_treatment(mechanism, domain).holds


def profile_numbers(domain: Domain, positions: np.ndarray, owners: Sequence[int]) -> np.ndarray:
    """The number of each profile whose agent i reports the ranking at position ``positions[:, i]``
    of agent ``owners[i]``'s list. Mixed radix (agent 0 most significant) over agent i's *own*
    positions (`Domain.translation`), so it is right whatever order each agent lists the common
    rankings in; when the two lists are equal the positions are used as they are."""
    out = np.zeros(len(positions), dtype=np.int64)
    for i, size in enumerate(domain.sizes):
        column = positions[:, i]
        if domain.preferences[owners[i]] != domain.preferences[i]:
            column = np.asarray(domain.translation(owners[i], i), dtype=np.int64)[column]
        out = out * size + column
    return out


def anonymity_generators(n: int) -> list[tuple[int, ...]]:
    """The transposition (0 1) and the cycle i -> i + 1 mod n (deduplicated; none for n = 1)."""
    gens: list[tuple[int, ...]] = []
    if n >= 2:
        gens.append((1, 0, *range(2, n)))
        cycle = tuple((i + 1) % n for i in range(n))
        if cycle not in gens:
            gens.append(cycle)
    return gens


def check_anonymous(mechanism: Mechanism | TabulatedMechanism, domain: Domain | None = None) -> CheckResult:
    """Is the table anonymous: f_i(R o pi) = f_{pi(i)}(R) for every R and pi (module docstring)?

    Needs a symmetric domain: every agent the same set of rankings, in any order
    (`Domain.same_rankings`; R o pi is numbered by `profile_numbers`). FAILS evidence
    ``permutation_mismatch``: profile R, permutation pi (as the list pi(0), ..., pi(n-1)),
    agent i, and the rows f_i(R o pi) and f_{pi(i)}(R). HOLDS evidence ``exhaustive``:
    the generators checked at every profile, domain, table digest, comparisons."""
    if domain is None:
        if not isinstance(mechanism, TabulatedMechanism):
            raise InvalidInput("a domain is needed to check a mechanism that is not a table", "domain")
        domain = mechanism.domain
    if not domain.same_rankings:
        raise InvalidInput("anonymity needs a symmetric domain (the same rankings for every agent)", "domain")
    table = as_table(mechanism, domain)
    problem = domain.problem
    digits = _digits(domain)
    nums = table.numerators
    gens = anonymity_generators(problem.n)
    for pi in gens:
        moved = profile_numbers(domain, digits[:, list(pi)], pi)  # index of R o pi: (R o pi)_i = R_pi(i)
        lhs = nums[moved]  # f(R o pi), agent i at position i
        rhs = nums[:, list(pi)]  # f_{pi(i)}(R) at position i
        differ = (lhs != rhs).any(axis=2)
        if differ.any():
            index, i = (int(v) for v in np.argwhere(differ)[0])
            prof = domain.profile(index)
            evidence: dict[str, Any] = {
                "kind": "permutation_mismatch",
                "profile": [list(p) for p in prof],
                "permutation": list(pi),
                "permuted_profile": [list(prof[pi[k]]) for k in range(problem.n)],
                "agent": problem.agents[i],
                "permuted_row": row_json(problem, table.at_index(int(moved[index])).matrix[i]),
                "original_row": row_json(problem, table.at_index(index).matrix[pi[i]]),
            }
            return fails("anonymous", evidence)
    return holds(
        "anonymous",
        {
            "kind": "exhaustive",
            "generators": [list(g) for g in gens],
            "domain": domain_description(domain),
            "table_digest": table_digest(table),
            "comparisons": len(domain) * len(gens),
        },
    )


def is_anonymous(mechanism: Mechanism | TabulatedMechanism, domain: Domain | None = None) -> bool:
    return check_anonymous(mechanism, domain).holds
