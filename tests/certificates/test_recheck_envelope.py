"""The checker's envelope and reader under attack: bounded input, strict JSON, exact keys.

Each test names the attack class from issue 8 it pins (corrupt gzip, nesting, exponent
numbers, duplicate keys, unverified fields, a schema or tool that is not ours, ...).
"""

from __future__ import annotations

import copy
import gzip
import json
import time
from pathlib import Path

import pytest

from verified.recheck.core import SCHEMA, RecheckError, recheck, recheck_file, sha256
from verified.recheck.reader import Limits, parse_certificate, read_certificate

ROOT = Path(__file__).resolve().parents[2]
STORED = ROOT / "certificates" / "erdil_remark2.nonwasteful.cert.json"


def _doc() -> dict:
    return json.loads(STORED.read_text())


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_stored_certificate_is_accepted_as_written():
    assert "re-verified" in recheck(_doc())


def test_corrupt_gzip_is_a_rejection_not_a_zlib_error(tmp_path):
    good = gzip.compress(STORED.read_bytes())
    corrupt = good[:20] + bytes(b ^ 0xFF for b in good[20:40]) + good[40:]
    with pytest.raises(RecheckError, match="gzip"):
        read_certificate(_write(tmp_path, "c.json.gz", corrupt))
    with pytest.raises(RecheckError, match="truncated|gzip"):
        read_certificate(_write(tmp_path, "t.json.gz", good[: len(good) // 2]))
    with pytest.raises(RecheckError, match="after the end"):
        read_certificate(_write(tmp_path, "x.json.gz", good + b"garbage"))


def test_a_gzip_bomb_stops_at_the_size_limit(tmp_path):
    bomb = gzip.compress(b"[" + b" " * (50 << 20) + b"]")  # 50 MB of spaces, ~50 kB compressed
    path = _write(tmp_path, "bomb.json.gz", bomb)
    with pytest.raises(RecheckError, match="limit"):
        read_certificate(path, Limits(max_bytes=1 << 20))


def test_deep_nesting_is_refused_without_recursion_error(tmp_path):
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(RecheckError, match="nested"):
        read_certificate(_write(tmp_path, "deep.json", deep))
    moderately = "[" * 70 + "]" * 70
    with pytest.raises(RecheckError, match="nested more than 64"):
        parse_certificate(moderately)


def test_exponent_numbers_are_refused_at_once():
    doc = _doc()
    doc["evidence"]["z_column_sum"] = "1e999999999"
    started = time.monotonic()
    with pytest.raises(RecheckError, match="not a rational"):
        recheck(doc)
    assert time.monotonic() - started < 5


def test_an_integer_with_too_many_digits_is_refused():
    with pytest.raises(RecheckError, match="digits"):
        parse_certificate('{"a": ' + "7" * 20_000 + "}")


def test_floats_nan_and_infinity_are_not_json_numbers_we_accept():
    for text in ('{"a": 0.5}', '{"a": NaN}', '{"a": Infinity}', '{"a": 1e3}'):
        with pytest.raises(RecheckError):
            parse_certificate(text)


def test_duplicate_keys_are_rejected_wherever_they_are():
    text = STORED.read_text()
    assert '"verdict":"fails"' in text
    twice = text.replace('"verdict":"fails"', '"verdict":"holds","verdict":"fails"', 1)
    with pytest.raises(RecheckError, match="duplicate key 'verdict'"):
        parse_certificate(twice)
    twice = text.replace('"property":', '"property":"sp","property":', 1)
    with pytest.raises(RecheckError, match="duplicate key 'property'"):
        parse_certificate(twice)


def test_not_utf8_and_not_json_are_rejections(tmp_path):
    with pytest.raises(RecheckError, match="UTF-8"):
        read_certificate(_write(tmp_path, "bin.json", b"\xff\xfe{}"))
    with pytest.raises(RecheckError, match="not JSON"):
        read_certificate(_write(tmp_path, "half.json", STORED.read_bytes()[:100]))
    with pytest.raises(RecheckError, match="cannot read"):
        read_certificate(tmp_path / "missing.json")


@pytest.mark.parametrize(
    "where",
    [(), ("tool",), ("subject",)],
)
def test_unknown_envelope_fields_are_refused(where):
    doc = _doc()
    node = doc
    for key in where:
        node = node[key]
    node["note"] = "trust me"
    with pytest.raises(RecheckError, match="unknown field"):
        recheck(doc)


def test_the_schema_version_the_tool_and_the_hash_are_bound():
    for path, value, message in (
        (("schema",), "verified-certificate/1", "unknown schema"),
        (("schema",), SCHEMA + " ", "unknown schema"),
        (("tool", "name"), "other", "tool.name"),
        (("subject", "sha256"), "0" * 64, "mismatch"),
        (("subject", "sha256"), "XYZ", "SHA-256"),
        (("verdict",), "maybe", "verdict"),
        (("verdict",), "holds", "."),
    ):
        doc = _doc()
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        with pytest.raises(RecheckError, match=message):
            recheck(doc)


def test_the_subject_hash_must_match_the_encoding():
    doc = _doc()
    doc["subject"]["encoding"]["mechanism"]["denominator"] *= 2
    with pytest.raises(RecheckError, match="mismatch"):
        recheck(doc)


def test_an_unknown_verdict_claims_nothing_and_carries_no_evidence():
    doc = _doc()
    doc["verdict"] = "unknown"
    with pytest.raises(RecheckError, match="reason"):
        recheck(doc)
    doc["reason"] = "time-out after 5 s"
    with pytest.raises(RecheckError, match="unknown field|unknown"):
        recheck(doc)  # the waste evidence would be printed by explain, unverified
    doc["evidence"] = {"kind": "unknown"}
    assert "nothing claimed" in recheck(doc)


def test_a_reason_on_a_verdict_that_claims_something_is_refused():
    doc = _doc()
    doc["reason"] = "the tool was sure"
    with pytest.raises(RecheckError, match="reason"):
        recheck(doc)


def test_the_subject_family_must_be_one_the_checker_knows():
    doc = _doc()
    doc["subject"]["encoding"]["family"] = "voting"
    doc["subject"]["sha256"] = sha256(doc["subject"]["encoding"])
    with pytest.raises(RecheckError, match="family"):
        recheck(doc)


@pytest.mark.parametrize("value", [None, 3, "x", [], True])
def test_any_json_value_is_a_rejection_never_an_exception(value):
    with pytest.raises(RecheckError):
        recheck(value)
    doc = _doc()
    for key in list(doc):
        broken = copy.deepcopy(doc)
        broken[key] = value
        with pytest.raises(RecheckError):
            recheck(broken)


def test_recheck_file_names_the_file(tmp_path):
    path = _write(tmp_path, "bad.json", b"[1, 2]")
    with pytest.raises(RecheckError) as info:
        recheck_file(path)
    assert str(path) in str(info.value)


def test_python_m_recheck_reports_every_file_and_goes_on(tmp_path):
    import subprocess
    import sys

    bad = _write(tmp_path, "bad.json.gz", b"not gzip at all")
    deep = _write(tmp_path, "deep.json", b"[" * 100_000)
    out = subprocess.run(
        [sys.executable, "-m", "verified.recheck", str(bad), str(STORED), str(deep)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["REJECTED", "OK", "REJECTED"]
    assert "Traceback" not in out.stdout + out.stderr
