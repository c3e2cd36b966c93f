"""The streaming reader (issue 9, item 8): large assignment tables read compactly, same verdicts.

`verified.recheck.reader.read_certificate` reads an assignment table's numerators into shared
tuples instead of one list per row. These tests pin that nothing else changed: on the stored
certificates and on fresh ones it builds the same JSON value as the previous reader (a copy of
it is kept here as the reference) and the checker accepts exactly the same certificates; deep
inside a large table a changed numerator, a truncated file, a duplicated key, a ``true``, a
string or a too long integer is still a rejection; other spellings of the same table (spaces,
new lines) read the same. Memory is measured in ``benchmarks/bench_recheck.py``, not here.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tests.certificates.helpers import certificate, example, stored_certificates
from verified.certificates import GZIP_ABOVE, certificate_bytes, gzip_bytes, save_certificate
from verified.recheck.assignment_subject import numerators as subject_numerators
from verified.recheck.core import RecheckError, canonical, recheck, recheck_file, sha256
from verified.recheck.reader import Limits, parse_certificate, read_certificate
from verified.recheck.table import numerators as table_numerators

ROOT = Path(__file__).resolve().parents[2]
STORED = stored_certificates()
LARGE = ROOT / "certificates" / "rp_4x3.sp.cert.json.gz"  # 65,536 profiles, 3 MB of JSON


def _old_parse(text: str, limits: Limits | None = None) -> object:
    """The reader before streaming (json.loads with the same hooks, then the nesting check)."""
    limits = limits or Limits()

    def no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, value in pairs:
            if key in out:
                raise RecheckError(f"duplicate key {key!r} in one JSON object")
            out[key] = value
        return out

    def bounded_int(digits: str) -> int:
        if len(digits) > limits.max_digits + 1:
            raise RecheckError(f"an integer with more than {limits.max_digits} digits")
        return int(digits)

    def refuse(value: str) -> None:
        raise RecheckError(f"{value[:40]} refused")

    try:
        value = json.loads(
            text,
            object_pairs_hook=no_duplicates,
            parse_float=refuse,
            parse_int=bounded_int,
            parse_constant=refuse,
        )
    except RecursionError:
        raise RecheckError("nested") from None
    except ValueError as exc:
        raise RecheckError(f"not JSON ({exc})") from None
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limits.max_depth:
            raise RecheckError("nested")
        stack.extend((child, depth + 1) for child in children)
    return value


def _text(path: Path) -> str:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if path.name.endswith(".gz") else raw).decode("utf-8")


def _outcome(doc: object) -> str:
    try:
        return recheck(doc)
    except RecheckError:
        return "rejected"


def _numerators(doc: Any) -> Any:
    return doc["subject"]["encoding"]["mechanism"]["numerators"]


@pytest.fixture(scope="module")
def large_text() -> str:
    return _text(LARGE)


def _table_doc(numerators_text: str) -> str:
    return (
        '{"subject":{"encoding":{"family":"assignment","kind":"table","mechanism":'
        '{"denominator":2,"name":"x","numerators":' + numerators_text + "}}}}"
    )


# ----- the same value, the same verdict ---------------------------------------------------


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_stored_certificates_read_to_the_same_value_and_verdict(path, tmp_path):
    text = _text(path)
    old = _old_parse(text)
    new = read_certificate(path)
    assert canonical(new) == canonical(old)
    assert parse_certificate(text) == old  # without compaction: the very same lists
    outcome = _outcome(old)
    assert outcome != "rejected"
    assert recheck_file(path) == outcome  # the streaming reader's value (`read_certificate`)


def test_a_stored_table_comes_compact_and_shared():
    doc = read_certificate(LARGE)
    nums = _numerators(doc)
    assert isinstance(nums, list) and len(nums) == 65536
    assert all(isinstance(block, tuple) for block in nums)
    assert len({id(block) for block in nums}) < len(nums)  # equal profiles are one object
    rows = {id(row) for block in nums for row in block}
    assert len(rows) < 2000  # equal rows are one object
    assert sha256(doc["subject"]["encoding"]) == doc["subject"]["sha256"]


@pytest.mark.parametrize(
    ("name", "props"),
    [
        ("rp_4x3.toml", ("sp", "valid")),  # 65,536 profiles: the large-table reader
        ("erdil_remark2.toml", ("nonwasteful", "sp", "ex-post-efficient")),
        ("boston_3x2.json", ("sp", "ir", "ete", "anonymous")),
        ("rda_3x2.toml", ("sp", "nonwasteful")),
    ],
)
def test_fresh_certificates_read_and_recheck_alike(name, props, tmp_path):
    subject = example(name)
    for prop in props:
        doc = certificate(subject, prop)
        path = save_certificate(doc, tmp_path, Path(name).stem)
        text = _text(path)
        old = _old_parse(text)
        new = read_certificate(path)
        assert canonical(new) == canonical(old) == canonical(doc)
        assert _outcome(new) == _outcome(old) == _outcome(doc), (name, prop)


@pytest.mark.parametrize(
    "spelling",
    [
        lambda doc: json.dumps(doc, indent=1),
        lambda doc: json.dumps(doc, separators=(", ", ": ")),
        lambda doc: "\n " + json.dumps(doc).replace("[[[", "[ [ [").replace("]]]", "] ]\n]") + " \r\n",
    ],
    ids=["indented", "spaced", "odd"],
)
def test_other_spellings_of_a_large_table_read_the_same(spelling, large_text):
    old = _old_parse(large_text)
    text = spelling(old)
    new = parse_certificate(text, compact=True)
    assert canonical(new) == canonical(old)
    assert isinstance(_numerators(new)[0], tuple)  # still compact
    assert "re-verified" in recheck(new)


@pytest.mark.parametrize(
    "numerators",
    [
        "[]",
        "[[]]",
        "[[[]]]",
        "[[[1,1]],[]]",
        "[[[1,-0],[2,0]]]",
        "[[[1,true],[2,0]]]",
        '[[[1,"1"],[2,0]]]',
        "[[[1,null]]]",
        "[[[1,[1]],[2,0]]]",
        "[[1,2],[2,0]]",
        "[[[1,1]],[[1,1]],[[2,0]],[[1,1]]]",
        "[[[1,1]],[[1,1]],{}]",
        '[[[1,1]],[[1,1]],{"a":[[1]]}]',
        '[[[1,1]],"ab"]',
        "[[[1,1]],5]",
        "[[[1,1],[0,2]],[[1,1],[0,2]]]",
        "[ [[1,1], [0,2]] ,[[1,1],[0,2]] ]",
    ],
)
def test_the_compact_table_is_always_the_json_value(numerators):
    text = _table_doc(numerators)
    old = _old_parse(text)
    new = parse_certificate(text, compact=True)
    assert canonical(new) == canonical(old)
    assert json.loads(json.dumps(_numerators(new))) == _numerators(old)  # true stays true, "1" stays "1"


def test_only_an_assignment_table_is_compacted():
    for family, kind in (("assignment", "orbit_table"), ("search", "table"), ("lp", "table")):
        text = _table_doc("[[[1,1]]]").replace('"assignment","kind":"table"', f'"{family}","kind":"{kind}"')
        assert _numerators(parse_certificate(text, compact=True)) == [[[1, 1]]]
    assert _numerators(parse_certificate(_table_doc("[[[1,1]]]"), compact=True)) == [((1, 1),)]
    assert _numerators(parse_certificate(_table_doc("[[[1,1]]]"))) == [[[1, 1]]]


# ----- rejections deep inside a large table ---------------------------------------------------


def _deep(text: str) -> int:
    """A position about 90% of the way through the numerators, at the start of a row."""
    start = text.index('"numerators":')
    return text.index("],[", start + (len(text) - start) * 9 // 10) + 3


def _rehashed(text: str) -> str:
    doc = _old_parse(text)
    doc["subject"]["sha256"] = sha256(doc["subject"]["encoding"])  # type: ignore[index]
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def test_a_changed_numerator_deep_in_the_table_is_rejected(large_text, tmp_path):
    at = _deep(large_text)
    end = large_text.index("]", at)
    row = [int(v) for v in large_text[at:end].split(",")]
    k = next(k for k, v in enumerate(row) if v > 0)
    moved = [*row]
    moved[k] -= 1
    moved[(k + 1) % len(row)] += 1  # the row still sums to the denominator
    for new_row in (moved, [v + 1 if j == k else v for j, v in enumerate(row)]):
        text = large_text[:at] + ",".join(map(str, new_row)) + large_text[end:]
        for candidate in (text, _rehashed(text)):
            path = tmp_path / "changed.cert.json.gz"
            path.write_bytes(gzip_bytes(candidate.encode("ascii")))
            with pytest.raises(RecheckError):
                recheck_file(path)
            assert _outcome(_old_parse(candidate)) == "rejected"


def test_a_truncated_large_certificate_is_rejected(large_text, tmp_path):
    data = large_text.encode("ascii")
    for cut in (_deep(large_text), len(data) // 2, len(data) - 2):
        plain = tmp_path / "cut.cert.json"
        plain.write_bytes(data[:cut])
        with pytest.raises(RecheckError, match="not JSON"):
            read_certificate(plain)
        packed = tmp_path / "cut.cert.json.gz"
        packed.write_bytes(gzip_bytes(data)[: cut // 20])
        with pytest.raises(RecheckError, match="truncated|gzip"):
            read_certificate(packed)


@pytest.mark.parametrize("where", ["mechanism", "problem", "domain", "evidence", "in the table"])
def test_a_duplicate_key_deep_inside_a_large_certificate_is_rejected(where, large_text):
    if where == "mechanism":
        text = large_text.replace('"denominator":24,"name"', '"denominator":24,"denominator":24,"name"')
    elif where == "problem":
        text = large_text.replace('"objects":["a","b","c"]}}', '"objects":["a","b","c"],"agents":[]}}')
        assert text.rindex('"agents":[]') > large_text.index('"numerators"')
    elif where == "domain":
        text = large_text.replace('"domain":{"full":true}', '"domain":{"full":true,"full":true}')
    elif where == "evidence":
        text = large_text.replace('"ranking_order"', '"profiles":1,"ranking_order"', 1)
    else:
        at = _deep(large_text)
        end = large_text.index("]", at)
        text = large_text[: at - 1] + '{"a":1,"a":2}' + large_text[end + 1 :]
    assert text != large_text
    for reader in (lambda t: parse_certificate(t, compact=True), parse_certificate, _old_parse):
        with pytest.raises(RecheckError, match="duplicate"):
            reader(text)


@pytest.mark.parametrize(
    "replacement",
    ["true", '"1"', "1.0", "1e0", "NaN", "01", "+1", "1" * 10_002, "-" + "1" * 10_001, "[1]", "{}"],
)
def test_a_foreign_entry_deep_in_a_large_table_is_rejected(replacement, large_text):
    at = _deep(large_text)
    comma = large_text.index(",", at)
    text = large_text[:at] + replacement + large_text[comma:]
    try:
        old: object = canonical(_old_parse(text))
    except RecheckError:
        old = "rejected"
    try:
        new = parse_certificate(text, compact=True)
    except RecheckError:
        assert old == "rejected"
        return
    assert canonical(new) == old
    assert _outcome(new) == "rejected"


def test_the_digit_bound_of_the_environment_applies_inside_the_table(large_text):
    limits = Limits(max_digits=1)
    with pytest.raises(RecheckError, match="more than 1 digits"):
        parse_certificate(large_text, limits, compact=True)
    with pytest.raises(RecheckError, match="more than 1 digits"):
        _old_parse(large_text, limits)
    tight = Limits(max_depth=6)  # the table's rows are at level 7
    with pytest.raises(RecheckError, match="nested"):
        parse_certificate(large_text, tight, compact=True)


# ----- the table's validation: the subject's rules and messages --------------------------------


@pytest.mark.parametrize(
    "table",
    [
        [[[1, 1], [0, 2]]],
        [[[1, 1], [1, 1]]],  # column 0 over capacity 1 (2 halves of... 2/2)
        [[[1, 2], [0, 2]]],  # a row summing to 3/2
        [[[True, 1], [0, 2]]],
        [[[-1, 3], [0, 2]]],
        [[[1, 1, 0], [0, 2]]],
        [[[1, 1]]],
        [[[1, 1], [0, 2]], [[2, 0], [2, 0]]],
        [[[1, 1], [0, 2]], "x"],
        [[[1, 1], "ab"]],
        [[[1, 1], [0, 2]], [[1, 1], [0, 2]]],
    ],
)
def test_the_table_validation_keeps_the_subjects_rules_and_messages(table):
    def message(check: Any, value: Any) -> str:
        try:
            check(value, len(value), 2, 1, 2, [1], "t")
        except RecheckError as exc:
            return str(exc)
        return "valid"

    shared = [tuple(tuple(row) if isinstance(row, list) else row for row in b) for b in table]
    expected = message(subject_numerators, table)
    assert message(table_numerators, table) == expected
    assert message(table_numerators, shared) == expected


# ----- the writer -----------------------------------------------------------------------


def test_a_large_certificate_is_written_compressed_and_rechecks(tmp_path):
    doc = read_certificate(LARGE)
    assert len(certificate_bytes(doc)) > GZIP_ABOVE  # type: ignore[arg-type]
    path = save_certificate(doc, tmp_path, "rp_4x3")  # type: ignore[arg-type]
    assert path.name == "rp_4x3.sp.cert.json.gz"
    assert gzip.decompress(path.read_bytes()) == certificate_bytes(doc)  # type: ignore[arg-type]
    assert "re-verified" in recheck_file(path)
    first = path.read_bytes()
    assert first[4:8] == b"\0\0\0\0" and first[3] & 0x08 == 0  # mtime 0, no file name
    again = save_certificate(doc, tmp_path / "other", "rp_4x3")  # type: ignore[arg-type]
    assert again.read_bytes() == first  # deterministic: serial and parallel runs agree


def test_a_small_certificate_stays_plain_and_replaces_an_older_spelling(tmp_path):
    doc = certificate(example("boston_3x2.json"), "sp")
    (tmp_path / "boston_3x2.sp.cert.json.gz").write_bytes(b"an older run")
    path = save_certificate(doc, tmp_path, "boston_3x2")
    assert path.name == "boston_3x2.sp.cert.json"
    assert path.read_bytes() == certificate_bytes(doc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["boston_3x2.sp.cert.json"]
    assert "re-verified" in recheck_file(path)
    large = read_certificate(LARGE)
    (tmp_path / "rp_4x3.sp.cert.json").write_bytes(b"an older run")
    save_certificate(large, tmp_path, "rp_4x3")  # type: ignore[arg-type]
    assert not (tmp_path / "rp_4x3.sp.cert.json").exists()


def test_gzip_bytes_are_the_standard_librarys_and_deterministic():
    data = certificate_bytes(certificate(example("boston_3x2.json"), "sp"))
    assert gzip_bytes(data) == gzip_bytes(data)
    assert gzip.decompress(gzip_bytes(data)) == data
    assert gzip_bytes(data)[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"


def test_gzip_is_read_in_bounded_steps_over_many_reads(tmp_path):
    import os

    text = json.dumps({"a": os.urandom(3 << 20).hex()}, separators=(",", ":")).encode("ascii")
    packed = gzip_bytes(text)
    assert len(packed) > 2 << 20  # several reads of the file, several outputs of the inflater
    path = tmp_path / "big.json.gz"
    path.write_bytes(packed)
    assert read_certificate(path) == json.loads(text)
    path.write_bytes(packed + b"\0")
    with pytest.raises(RecheckError, match="after the end"):
        read_certificate(path)
    path.write_bytes(packed + gzip_bytes(b"{}"))
    with pytest.raises(RecheckError, match="after the end"):
        read_certificate(path)
    path.write_bytes(packed[: (3 << 20) // 2])
    with pytest.raises(RecheckError, match="truncated"):
        read_certificate(path)
    path.write_bytes(packed)
    with pytest.raises(RecheckError, match="limit"):
        read_certificate(path, Limits(max_bytes=len(text) - 1))
