"""Fixtures of the search tests."""

from __future__ import annotations

import pytest

from tests.search.shared import D4
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.mechanisms.random_priority import tabulate_random_priority


@pytest.fixture(scope="session")
def rp_table() -> TabulatedMechanism:
    """Random priority over the full n = 4, m = 3 domain (built once per session)."""
    return tabulate_random_priority(D4)
