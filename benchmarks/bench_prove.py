"""``verified prove`` (issue 10): statements about all mechanisms, decided with a certificate.

python benchmarks/run.py prove

Each case builds the statement, decides it (z3, then the case-split proof with exact LP leaves)
and re-checks the certificate with the standard-library checker (inside `prove`). The issue's
target is under 2 minutes for each Erdil statement and for Bogomolnaia-Moulin; the growth with
the number of profiles is shown by Propositions 1 and 2 on 25, 125 and 256 profiles and by the
Reshuffling Lemma at every profile of five domains (one statement per profile).
"""

from __future__ import annotations

from pathlib import Path

from run import Case

from verified.assignment.domain import Domain
from verified.assignment.mechanisms import random_priority
from verified.assignment.model import Problem
from verified.io.statement import load_statement
from verified.prove import Relation, Statement, Unknown
from verified.prove.api import prove

TARGET = 120.0
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "statements"


def _proposition(n: int, objects: str, same_size: bool) -> Case:
    def run() -> str:
        problem = Problem.make(n, objects)
        f = Unknown("f", ("sp", "ir") if same_size else ("sp", "nonwasteful"))
        relations = [Relation("dominates", "g", "f")]
        if same_size:
            relations.append(Relation("same-size", "g", "f"))
        statement = Statement(
            problem, tuple(Domain.full(problem)), (f, Unknown("g", ("sp",))), tuple(relations)
        )
        out = prove(statement, timeout=TARGET * 2)
        s = out.stats
        return (
            f"{out.verdict}; {s['profiles']} profiles, {s.get('leaves')} leaves, "
            f"{s.get('renamed_cases')} renamed cases, {s['z3_calls']} z3 calls"
        )

    name = "Proposition 2" if same_size else "Proposition 1"
    return Case(f"Erdil {name}, n={n} m={len(objects)} full domain", TARGET, run)


def _reshuffling(n: int, objects: str) -> Case:
    def run() -> str:
        problem = Problem.make(n, objects)
        leaves = 0
        for profile in Domain.full(problem):
            statement = Statement(
                problem,
                (profile,),
                (Unknown("omega", ("nonwasteful",)), Unknown("gamma")),
                (Relation("weakly-dominates", "gamma", "omega"), Relation("share-differs", "gamma", "omega")),
            )
            out = prove(statement)
            assert out.verdict == "holds"
            leaves = max(leaves, out.stats["leaves"])
        return f"holds at all {len(Domain.full(problem))} profiles (at most {leaves} leaves each)"

    return Case(f"Reshuffling Lemma, every profile of n={n} m={len(objects)}", TARGET, run)


def _bogomolnaia_moulin() -> Case:
    def run() -> str:
        out = prove(load_statement(EXAMPLES / "bogomolnaia_moulin_theorem_2.toml"), minimize=True)
        s = out.stats
        return f"{out.verdict}; minimal profiles {s.get('minimal_profiles')} of 81, {s.get('leaves')} leaves"

    return Case("Bogomolnaia-Moulin Thm 2, n=4 m=4, 81 profiles, --minimize", TARGET, run)


def _reshuffling_orbits(n: int, objects: str) -> Case:
    """One profile per orbit under renaming agents and objects: the lemma names neither, so the
    statement at a renamed profile is the renamed statement (`verified.prove.symmetry`)."""

    def run() -> str:
        from verified.prove.symmetry import renamed_profile, symmetries

        problem = Problem.make(n, objects)
        everything = Statement(
            problem, tuple(Domain.full(problem)), (Unknown("omega", ("nonwasteful",)), Unknown("gamma"))
        )
        renamings = symmetries(everything)
        seen: set = set()
        count = 0
        for profile in everything.profiles:
            if profile in seen:
                continue
            seen |= {profile, *(renamed_profile(everything, profile, r) for r in renamings)}
            count += 1
            statement = Statement(
                problem,
                (profile,),
                everything.unknowns,
                (Relation("weakly-dominates", "gamma", "omega"), Relation("share-differs", "gamma", "omega")),
            )
            assert prove(statement).verdict == "holds"
        return f"holds at {count} orbit representatives, covering all {len(seen)} profiles"

    return Case(f"Reshuffling Lemma, one profile per orbit, n={n} m={len(objects)}", TARGET, run)


def _rp_sd_efficient(n: int) -> Case:
    def run() -> str:
        problem = Problem.make(n, "abc")
        unknown = Unknown("rp", ("sd-efficient",), random_priority(problem))
        out = prove(Statement(problem, tuple(Domain.full(problem)), (unknown,), question="exists"))
        return f"{out.verdict}; {out.stats['profiles']} profiles, {out.stats['clauses']} clauses"

    return Case(f"RP is SD-efficient, n={n} m=3 full domain", TARGET, run)


def _minimized() -> Case:
    def run() -> str:
        out = prove(load_statement(EXAMPLES / "rp_wastes.toml"), minimize=True)
        return f"{out.verdict}; minimal profiles {out.stats.get('minimal_profiles')} of 61"

    return Case("RP is non-wasteful, 61 profiles, --minimize", TARGET, run)


def cases() -> list[Case]:
    return [
        _proposition(2, "ab", same_size=False),
        _proposition(2, "ab", same_size=True),
        _proposition(3, "ab", same_size=False),
        _proposition(3, "ab", same_size=True),
        _proposition(2, "abc", same_size=False),
        _proposition(2, "abc", same_size=True),
        _bogomolnaia_moulin(),
        _reshuffling(2, "ab"),
        _reshuffling(3, "ab"),
        _reshuffling(2, "abc"),
        _reshuffling(4, "ab"),
        _reshuffling(3, "abc"),
        _reshuffling_orbits(3, "abc"),
        _rp_sd_efficient(2),
        _rp_sd_efficient(3),
        _minimized(),
    ]
