"""The trading examples print exactly what examples/expected/<name>.txt says (abcvoting style)."""

from __future__ import annotations

import pytest

from tests.example_output import assert_example_prints_expected

EXAMPLES = ["bilateral_trade", "binary_classification", "eopr_allocation"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_output_matches(name: str) -> None:
    assert_example_prints_expected(name)
