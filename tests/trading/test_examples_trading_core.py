"""examples/trading_three_task_menu.py prints exactly examples/expected/trading_three_task_menu.txt."""

from __future__ import annotations

from tests.example_output import assert_example_prints_expected, expected_output


def test_three_task_menu_example_output() -> None:
    # Hand check of the printed counterexample: eta = (1,1,1), c = (3,2,1): c.eta = 6; the end of
    # ray (-1,1,0) is (0,2,1), cost 4 + 1 = 5; the end of ray (0,-1,1) is (1,0,2), cost 3 + 2 = 5.
    assert_example_prints_expected("trading_three_task_menu")
    expected = expected_output("trading_three_task_menu")
    assert (
        "counterexample type c = (3 per unit of cleaning, 2 per unit of cooking, 1 per unit of shopping)"
        in expected
    )
