"""``verified prove STATEMENT`` (issue 10): exit codes, certificates, words, and hostile files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verified.cli import main
from verified.errors import InvalidInput
from verified.io.statement import parse_statement
from verified.recheck.core import recheck_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "statements"


def test_the_reshuffling_example_holds_and_its_certificate_is_explained(tmp_path, capsys):
    assert main(["prove", str(EXAMPLES / "reshuffling_lemma.toml"), "-c", str(tmp_path)]) == 0
    assert "impossible  HOLDS" in capsys.readouterr().out
    (written,) = tmp_path.iterdir()
    recheck_file(written)
    assert main(["explain", str(written)]) == 0
    words = capsys.readouterr().out
    assert "Profiles the proof uses:" in words and "split on:" in words and "the shares cancel: 0 >" in words


def test_the_control_fails_with_a_witness(tmp_path, capsys):
    code = main(["prove", str(EXAMPLES / "erdil_proposition_1_control.toml"), "--json"])
    assert code == 1
    out = json.loads(capsys.readouterr().out)
    assert (out["question"], out["verdict"], out["evidence"]["kind"]) == ("impossible", "fails", "witness")


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "statement.toml"
    path.write_text(text)
    return str(path)


HEADER = 'format = "verified/statement/1"\n[problem]\nagents = 2\nobjects = ["a", "b"]\n'


def test_exists_is_answered_with_a_witness(tmp_path):
    """An SP mechanism that dominates an SP one exists when f need only be IR (the control)."""
    text = 'question = "exists"\n' + HEADER
    text += '[profiles]\nkind = "grown"\nseed = ["ab", "a"]\ndepth = 1\n'
    text += (
        '[[unknowns]]\nname = "f"\nproperties = ["sp", "ir"]\n[[unknowns]]\nname = "g"\nproperties = ["sp"]\n'
    )
    text += '[[relations]]\nkind = "dominates"\nleft = "g"\nright = "f"\n'
    assert main(["prove", _write(tmp_path, text), "-q"]) == 0


def test_a_known_mechanism_can_be_one_of_the_unknowns(tmp_path, capsys):
    """Random priority (a built-in, fixed) is not dominated by any SP mechanism on the profiles
    grown from one seed of two agents (Erdil's Proposition 4 needs four agents)."""
    text = HEADER + '[profiles]\nkind = "grown"\nseed = ["ab", "ba"]\ndepth = 1\n'
    text += '[[unknowns]]\nname = "f"\nbuiltin = "random_priority"\n'
    text += '[[unknowns]]\nname = "g"\nproperties = ["sp"]\n'
    text += '[[relations]]\nkind = "dominates"\nleft = "g"\nright = "f"\n'
    assert main(["prove", _write(tmp_path, text), "-c", str(tmp_path / "c")]) == 0
    (written,) = (tmp_path / "c").iterdir()
    recheck_file(written)


def test_a_time_limit_gives_unknown(tmp_path, capsys):
    assert main(["prove", str(EXAMPLES / "erdil_proposition_1.toml"), "--timeout", "0.5"]) == 3
    assert "no verdict" in capsys.readouterr().out


BAD = [
    ('format = "verified/statement/2"\n', "format"),
    (HEADER + '[profiles]\nkind = "list"\nlist = [["ab"]]\n[[unknowns]]\nname = "f"\n', "profiles.list[0]"),
    (
        HEADER + '[profiles]\nkind = "grown"\nseed = ["ab", "a"]\ndepth = 9\n[[unknowns]]\nname = "f"\n',
        "depth",
    ),
    (HEADER + '[profiles]\nkind = "full"\n[[unknowns]]\nname = "f"\nproperties = ["fast"]\n', "unknowns[0]"),
    (
        HEADER + '[profiles]\nkind = "full"\n[[unknowns]]\nname = "f"\n'
        '[[relations]]\nkind = "dominates"\nleft = "g"\nright = "f"\n',
        "relations",
    ),
    (HEADER + '[profiles]\nkind = "full"\n[[unknowns]]\nname = "f"\nbuiltin = "nope"\n', "unknowns[0]"),
    (
        HEADER + '[profiles]\nkind = "product"\nrankings = ["ab", "ba", "ab"]\n[[unknowns]]\nname = "f"\n',
        "profiles.rankings",
    ),
    (
        HEADER.replace("agents = 2", "agents = 900")
        + '[profiles]\nkind = "product"\nrankings = ["ab", "ba"]\n[[unknowns]]\nname = "f"\n',
        "profiles.rankings",
    ),
    # growth is bounded as it goes: 15 objects (3.5e12 rankings), or depth 3 around 5 agents
    (
        HEADER.replace('["a", "b"]', '"abcdefghijklmno"')
        + '[profiles]\nkind = "grown"\nseed = ["a", "b"]\ndepth = 1\n[[unknowns]]\nname = "f"\n',
        "profiles",
    ),
    (
        HEADER.replace("agents = 2", "agents = 5").replace('["a", "b"]', '"abcd"')
        + '[profiles]\nkind = "grown"\nseed = ["a", "b", "c", "d", "a"]\ndepth = 3\n'
        + '[[unknowns]]\nname = "f"\n',
        "profiles",
    ),
]


@pytest.mark.parametrize(("text", "where"), BAD)
def test_bad_statement_files_are_bad_input_naming_the_file_and_the_field(tmp_path, capsys, text, where):
    path = _write(tmp_path, text)
    assert main(["prove", path]) == 2
    err = capsys.readouterr().err
    assert path in err and where in err


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 30)
    | st.text(max_size=4)
    | st.sampled_from(["ab", "full", "list", "product", "sp", "ex-post-stable", "anonymous"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "format",
                    "problem",
                    "profiles",
                    "unknowns",
                    "relations",
                    "question",
                    "kind",
                    "list",
                    "seed",
                    "depth",
                    "agents",
                    "objects",
                    "name",
                    "properties",
                    "builtin",
                    "left",
                    "right",
                    "priorities",
                    "rankings",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=json_values)
def test_any_document_is_read_or_refused_as_bad_input(doc):
    if isinstance(doc, dict):
        doc = {"format": "verified/statement/1", **doc}
    try:
        parse_statement(doc)
    except InvalidInput:
        pass


def test_minimize_refutes_random_priority_s_non_wastefulness_on_one_profile(tmp_path, capsys):
    """Erdil's Proposition 4 profile, grown by one deviation (61 profiles): RP wastes somewhere,
    and one profile suffices. The profile the certificate keeps is checked independently with
    the library's own wastefulness check on RP there."""
    from verified.assignment.mechanisms import random_priority
    from verified.assignment.model import Problem
    from verified.assignment.properties.wastefulness import is_wasteful

    path = EXAMPLES / "rp_wastes.toml"
    assert main(["prove", str(path), "--minimize", "-c", str(tmp_path)]) == 0
    assert "impossible already on 1 profile(s)" in capsys.readouterr().out
    (written,) = tmp_path.iterdir()
    doc = json.loads(written.read_text())
    recheck_file(written)
    (profile,) = doc["subject"]["encoding"]["profiles"]
    problem = Problem.make(4, "abc")
    assert is_wasteful(random_priority(problem)(problem.profile(profile)), profile)


def test_a_witness_on_a_domain_is_also_stored_as_certificates_of_the_usual_kinds(tmp_path):
    """The control of Proposition 1 (full domain): f is SP and IR, g is SP; each is checked by the
    library's own checks and written as an sp / ir certificate that the checker re-verifies."""
    from verified.recheck import recheck_file

    assert main(["prove", str(EXAMPLES / "erdil_proposition_1_control.toml"), "-c", str(tmp_path)]) == 1
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "erdil_proposition_1_control.f.ir.cert.json",
        "erdil_proposition_1_control.f.sp.cert.json",
        "erdil_proposition_1_control.g.sp.cert.json",
        "erdil_proposition_1_control.impossible.cert.json",
    ]
    for path in tmp_path.iterdir():
        assert "holds - re-verified" in recheck_file(path) or "fails - re-verified (witness)" in recheck_file(
            path
        )


def test_a_witness_on_grown_profiles_has_no_certificate_of_the_usual_kinds(tmp_path):
    """Grown profiles are not a domain: SP there is only between the profiles present."""
    text = HEADER + '[profiles]\nkind = "grown"\nseed = ["ab", "ba"]\ndepth = 1\n'
    text += '[[unknowns]]\nname = "f"\nproperties = ["sp", "ir"]\n'
    path = _write(tmp_path, text)
    out = tmp_path / "c"
    assert main(["prove", path, "-c", str(out)]) == 1
    assert [p.name.split(".", 1)[1] for p in out.iterdir()] == ["impossible.cert.json"]
