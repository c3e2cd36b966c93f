"""Fuzzing the mechanism-file formats (issue 8, part 2): start from every example file,
mutate the parsed document (a node replaced by null, a number, a float, a string, a list,
a dict, a huge number, "1e999999999", deeper nesting; keys deleted; unknown keys added),
write it as JSON and as TOML and load it. Each load either succeeds or raises
`InvalidInput` whose message names the file; never another exception, never slowly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.io.mutate import (
    REPLACEMENTS,
    copy_python_files,
    has_null,
    mutate,
    paths,
    read,
    seed_files,
    to_json,
    to_toml,
)
from verified.errors import InvalidInput
from verified.io import load_subject

SEEDS = [(p, read(p)) for p in seed_files()]
SECONDS = 10.0  # per load; the loads here take milliseconds, a hang takes forever


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz")
    copy_python_files(path)
    return path


def _load_and_judge(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    try:
        load_subject(path)
    except InvalidInput as exc:
        assert str(path) in str(exc), f"the message does not name the file: {exc}"
    finally:
        elapsed = time.perf_counter() - start
    assert elapsed < SECONDS, f"loading took {elapsed:.1f} s"


def test_every_seed_loads(folder: Path) -> None:
    """The unmutated examples are the baseline: the format files load; the search input
    (examples/data, no `format`) is refused with the file named."""
    for path, doc in SEEDS:
        target = folder / f"seed{path.suffix}"
        if "format" in doc:
            target.write_text(to_json(doc) if path.suffix == ".json" else path.read_text("utf-8"))
            load_subject(target)
        else:
            target.write_text(to_json(doc))
            with pytest.raises(InvalidInput, match="unknown format") as info:
                load_subject(target)
            assert str(info.value).startswith(f"{target}: format: ")


@st.composite
def mutants(draw: st.DrawFn) -> object:
    path, doc = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        places = paths(doc)
        place = places[draw(st.integers(0, len(places) - 1))]
        op = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add", "deep"]))
        value = draw(st.sampled_from(REPLACEMENTS)) if op == "replace" else draw(st.sampled_from([1, 2, 70]))
        doc = mutate(doc, place, op, value)
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=mutants(), as_toml=st.booleans())
def test_mutated_files_load_or_raise_invalid_input(folder: Path, doc: object, as_toml: bool) -> None:
    if as_toml and isinstance(doc, dict) and not has_null(doc):
        _load_and_judge(folder / "mutant.toml", to_toml(doc))
    else:
        _load_and_judge(folder / "mutant.json", to_json(doc))


def test_a_number_too_long_to_print_in_a_bad_allocation_is_bad_input(tmp_path: Path) -> None:
    """Found by the fuzzer: a bundle outside its trading set, with a numerator of 5,001 digits
    (then within the reader's 10,000, past the 4,300 Python prints), made the error message itself
    raise ValueError instead of naming the place. The digit limit is now never above what Python
    prints (`verified.numbers.max_digits`): the number itself is refused, by line and column."""
    from verified.io import load_document

    doc = load_document(Path(__file__).resolve().parents[2] / "examples" / "bilateral_mechanism.toml")
    doc["selection"]["table"][0]["allocation"][0][0] = 10**5000
    path = tmp_path / "huge.json"
    path.write_text(to_json(doc))
    with pytest.raises(InvalidInput, match=r"huge\.json: line 1, column \d+: a number with 5,001 digits"):
        load_subject(path)


@pytest.mark.parametrize("builtin", ["deferred_acceptance", "random_deferred_acceptance"])
def test_a_builtin_without_its_required_priorities_is_bad_input(tmp_path, builtin) -> None:
    """Found by the fuzz above (a priority-based example with its [priorities] table removed):
    the factory's missing argument was an internal error; it is bad input naming what to add."""
    path = tmp_path / "no_priorities.toml"
    path.write_text(
        'format = "verified/assignment/1"\n[problem]\nagents = 3\nobjects = ["a", "b"]\n'
        f'[mechanism]\nbuiltin = "{builtin}"\n'
    )
    with pytest.raises(InvalidInput, match=r"needs priorities: add a \[priorities\] table") as caught:
        load_subject(path)
    assert "no_priorities.toml" in str(caught.value)
