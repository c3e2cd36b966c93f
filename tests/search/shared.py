"""The n = 4, m = 3 full domain of Erdil's Propositions 3 and 4, shared by the search tests."""

from __future__ import annotations

from pathlib import Path

from verified.assignment.domain import Domain
from verified.assignment.model import Problem

P4 = Problem.make(4, "abc")
D4 = Domain.full(P4)
RP_SPEC = {"mechanism": "random_priority"}
ROOT = Path(__file__).resolve().parents[2]
