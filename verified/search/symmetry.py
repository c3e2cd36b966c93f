"""Anonymity: certify it for the base mechanism, index its orbits, lift back.

f is anonymous when permuting the agents permutes the rows:
f_{pi(i)}(R o pi^-1) = f_i(R). Then agent i's row depends only on her own
ranking and the multiset of the others' rankings. If f is anonymous and the
domain symmetric, any SP g that dominates f can be averaged over the agent
permutations (h = (1/n!) sum_pi g^pi, as in Erdil's proof of Proposition
3(i)); h is again valid, SP, dominates f, and has the same total gain. So the
search may look for g among anonymous mechanisms: one unknown row per
(own ranking, multiset of the others' rankings).
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from math import factorial

import numpy as np

from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.errors import InvalidInput
from verified.results import CheckResult, fails, holds

OrbitCell = tuple[int, tuple[int, ...]]  # (own ranking index, sorted indices of the others' rankings)


def orbit_cells(domain: Domain) -> list[OrbitCell]:
    """Every (own ranking, multiset of the others' rankings) of a symmetric domain."""
    k = len(domain.preferences[0])
    n = domain.problem.n
    return [
        (r, others) for others in itertools.combinations_with_replacement(range(k), n - 1) for r in range(k)
    ]


def arrangements(others: tuple[int, ...]) -> int:
    """Number of ways to seat the multiset ``others`` on n - 1 distinct agents."""
    out = factorial(len(others))
    for c in Counter(others).values():
        out //= factorial(c)
    return out


def representative(cell: OrbitCell) -> tuple[tuple[int, ...], int]:
    """A profile (as ranking indices) and agent realising ``cell``: agent 0 holds the own ranking."""
    r, others = cell
    return (r, *others), 0


def check_anonymous(table: TabulatedMechanism) -> CheckResult:
    """Exhaustive check that ``table`` is anonymous: at every profile, agent i's row equals
    the row of agent 0 at the profile (``R_i``, sorted ``R_-i``). Evidence: digest of the
    canonical rows checked, or the first profile and agent that break it."""
    domain = table.domain
    if not domain.is_symmetric:
        return fails("anonymous", {"kind": "asymmetric_domain"})
    n = domain.problem.n
    k = len(domain.preferences[0])
    digits = np.indices(domain.sizes).reshape(n, -1).T
    nums = table.numerators
    weights = np.array([k ** (n - 1 - a) for a in range(n)], dtype=np.int64)
    for i in range(n):
        others = np.sort(np.delete(digits, i, axis=1), axis=1)
        canon = np.concatenate([digits[:, i : i + 1], others], axis=1)
        canon_index = canon @ weights
        bad = np.nonzero(np.any(nums[:, i, :] != nums[canon_index, 0, :], axis=1))[0]
        if len(bad):
            p = int(bad[0])
            return fails(
                "anonymous",
                {
                    "kind": "counterexample",
                    "profile": [list(x) for x in domain.profile(p)],
                    "agent": domain.problem.agents[i],
                    "permuted_profile": [list(x) for x in domain.profile(int(canon_index[p]))],
                },
            )
    data = nums.tobytes() if nums.dtype != object else repr(nums.tolist()).encode()
    table_digest = hashlib.sha256(
        np.ascontiguousarray(nums).tobytes() if nums.dtype != object else data
    ).hexdigest()
    return holds(
        "anonymous",
        {
            "kind": "exhaustive",
            "profiles": len(domain),
            "denominator": table.denominator,
            "table_sha256": table_digest,
        },
    )


def lift(domain: Domain, rows: dict[OrbitCell, tuple]) -> dict[int, dict[int, tuple]]:
    """Spread orbit rows back to every (profile index, agent) of the full domain."""
    n = domain.problem.n
    out: dict[int, dict[int, tuple]] = {}
    for (r, others), row in rows.items():
        for seats in set(itertools.permutations(others)):
            for i in range(n):
                digits = (*seats[:i], r, *seats[i:])
                p = 0
                for a in range(n):
                    p = p * domain.sizes[a] + digits[a]
                out.setdefault(p, {})[i] = row
    return out


def symmetrise(table: TabulatedMechanism) -> TabulatedMechanism:
    """Erdil's h = (1/n!) sum over agent permutations pi of g^pi, where g^pi gives agent
    pi(i) at the permuted profile what g gives agent i (proof of Proposition 3(i)).
    Needs a symmetric domain; exact (numerators over n! times g's denominator)."""
    domain = table.domain
    if not domain.is_symmetric:
        raise InvalidInput("symmetrising needs every agent to have the same rankings", "domain")
    n = domain.problem.n
    k = len(domain.preferences[0])
    digits = np.indices(domain.sizes).reshape(n, -1).T
    weights = np.array([k ** (n - 1 - a) for a in range(n)], dtype=np.int64)
    nums = table.numerators.astype(object if table.denominator * factorial(n) >= 2**60 else np.int64)
    out = np.zeros_like(nums)
    for perm in itertools.permutations(range(n)):
        moved = np.empty_like(digits)
        moved[:, list(perm)] = digits  # agent i's ranking now belongs to agent perm[i]
        target = moved @ weights
        out[target[:, None], np.array(perm)[None, :], :] += nums
    return TabulatedMechanism(domain, out, table.denominator * factorial(n), name=f"symmetrised {table.name}")
