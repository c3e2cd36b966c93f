"""Comparison certificates under attack: every edit of the evidence is rejected (the checker
re-derives every number of it), and an edit of the claim is rejected unless the claim is true
of the two tables (decided here by a Fraction loop independent of the library)."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.compare.helpers import reference, related_tables, subject
from verified.assignment.domain import Domain
from verified.assignment.model import Problem
from verified.compare import compare
from verified.recheck.core import RecheckError, recheck, sha256

RELATIONS = ("equal", "weakly-dominates", "dominates")
HOLDS_FOR = {  # relation of NEW to OLD (tests/compare/helpers.reference) -> claims that hold
    "equal": {"equal", "weakly-dominates"},
    "equivalent": {"weakly-dominates"},
    "dominates": {"weakly-dominates", "dominates"},
    "dominated": set(),
    "incomparable": set(),
}


def _certificates(mode: str, seed: int) -> tuple[dict[str, dict[str, Any]], str]:
    """The comparison's certificates for each relation (by file-name part), and the relation of
    the two tables by the reference loop."""
    domain = Domain.full(Problem.make(2, "ab"))
    old, new = related_tables(domain, random.Random(seed), mode)
    out: dict[str, dict[str, Any]] = {}
    for relation in RELATIONS:
        found = compare(subject(old), subject(new), require=relation, certificates=True)
        out.update(found.certificates)
    return out, reference(old, new)["relation"]


def _leaves(node: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [p for k in sorted(node) for p in _leaves(node[k], (*path, k))]
    if isinstance(node, list):
        return [p for k, v in enumerate(node) for p in _leaves(v, (*path, k))] or [path]
    return [path]


def _edited(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        if value.lstrip("-").replace("/", "").isdigit():
            return value + "1" if "/" in value else str(int(value) + 1)
        return value[:-1] + ("x" if value[-1:] != "x" else "y") if value else "x"
    if isinstance(value, list):
        return [*value, value[0]] if value else [0]
    return None


def _set(doc: Any, path: tuple, value: Any) -> None:
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


def _get(doc: Any, path: tuple) -> Any:
    for k in path:
        doc = doc[k]
    return doc


@pytest.mark.parametrize("mode", ["same", "new_better", "new_worse", "mixed"])
def test_every_edit_of_the_evidence_is_rejected(mode: str) -> None:
    certificates, _ = _certificates(mode, seed=7)
    rng = random.Random(mode)
    for part, doc in certificates.items():
        assert recheck(doc)
        leaves = [p for p in _leaves(doc["evidence"]) if p]
        for path in rng.sample(leaves, min(len(leaves), 60)):
            mutant = copy.deepcopy(doc)
            _set(mutant["evidence"], path, _edited(_get(doc["evidence"], path)))
            if mutant == doc:
                continue
            with pytest.raises(RecheckError):
                recheck(mutant)
                pytest.fail(f"{part}: accepted evidence edited at {path}")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=st.sampled_from(["same", "new_better", "new_worse", "mixed"]), seed=st.integers(0, 10**6))
def test_a_changed_claim_is_rejected_unless_true(mode: str, seed: int) -> None:
    certificates, relation = _certificates(mode, seed)
    true_claims = HOLDS_FOR[relation]
    for doc in certificates.values():
        for claim in RELATIONS:
            for verdict in ("holds", "fails"):
                mutant = {**copy.deepcopy(doc), "property": claim, "verdict": verdict}
                try:
                    recheck(mutant)
                except RecheckError:
                    continue
                assert (claim in true_claims) == (verdict == "holds"), (claim, verdict, relation)


def test_a_table_edited_and_rehashed_is_rejected_unless_the_claim_stays_true() -> None:
    certificates, _ = _certificates("new_better", seed=3)
    doc = certificates["weakly-dominates"]
    assert doc["verdict"] == "holds"
    nums = doc["subject"]["encoding"]["new"]["mechanism"]["numerators"]
    rejected = 0
    for p in range(len(nums)):
        for i in range(len(nums[p])):
            mutant = copy.deepcopy(doc)
            row = mutant["subject"]["encoding"]["new"]["mechanism"]["numerators"][p][i]
            k = max(range(len(row)), key=row.__getitem__)  # move NEW's largest share outside
            if k == len(row) - 1 or row[k] == 0:
                continue
            row[k], row[-1] = row[k] - 1, row[-1] + 1
            mutant["subject"]["sha256"] = sha256(mutant["subject"]["encoding"])
            with pytest.raises(RecheckError):
                recheck(mutant)
            rejected += 1
    assert rejected > 0
