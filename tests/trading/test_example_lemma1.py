"""examples/lemma1_corollary1.py prints exactly its stored output (examples/expected/)."""

from tests.example_output import assert_example_prints_expected


def test_lemma1_corollary1_example_prints_its_expected_output() -> None:
    assert_example_prints_expected("lemma1_corollary1")
