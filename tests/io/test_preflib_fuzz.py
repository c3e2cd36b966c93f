"""Fuzzed PrefLib files: every mutation of a valid file reads to a result or to `InvalidInput`
naming the file, and ``verified check`` answers it with an exit code of the contract (exit 2
with our one-line message for bad input), never a traceback."""

from __future__ import annotations

import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verified.cli import main
from verified.errors import InvalidInput
from verified.io.preflib import PrefLibData, read

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [
    (ROOT / "examples" / "preflib" / name).read_bytes() for name in ("three_voters.soc", "erdil_remark2.soi")
]
PIECES = [
    b"{",
    b"}",
    b",",
    b":",
    b"#",
    b"\n",
    b"\r",
    b"\x00",
    b"\xff\xfe",
    b"\xc3",
    b"-1",
    b"0",
    b"4",
    b"99999999999999999999",
    b"9" * 5000,
    b"100001",
    b"{1,2}",
    b"# NUMBER VOTERS: 7",
    b"# DATA TYPE: toc",
    b"# ALTERNATIVE NAME 9: z",
    b"# NUMBER ALTERNATIVES: 0",
    "\u2028".encode(),
    b"outside",
    b" ",
]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "replace", "delete", "duplicate", "swap"]))
        at = draw(st.integers(0, len(data)))
        if op == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(PIECES), st.binary(max_size=8)))
        elif op == "replace":
            data[at : at + draw(st.integers(1, 6))] = draw(st.sampled_from(PIECES))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 30))]
        else:
            lines = bytes(data).split(b"\n")
            k = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "duplicate":
                lines.insert(j, lines[k])
            else:
                lines[k], lines[j] = lines[j], lines[k]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_every_mutated_file_reads_or_is_invalid_input(data):
    try:
        out = read(data)
    except InvalidInput as exc:
        assert str(exc).startswith("<bytes>")
        return
    assert isinstance(out, PrefLibData)
    assert len(out.profile) == out.problem.n and all(len(r) == len(set(r)) for r in out.profile)


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=mutated(), suffix=st.sampled_from([".soc", ".soi", ".toc", ".toi"]))
def test_the_cli_answers_every_mutated_file_within_the_contract(tmp_path, capfd, data, suffix):
    path = tmp_path / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    code = main(["check", str(path), "--mechanism", "rp", "-p", "ir,ete", "-q"])
    out, err = capfd.readouterr()
    assert code in (0, 1, 2, 3), (code, err)
    assert "Traceback" not in out + err and "internal error" not in err
    if code == 2:
        assert err.startswith(f"error: {path}"), err
