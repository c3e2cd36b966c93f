"""``--hunt``: two mechanisms on 7 agents and 4 objects (65^7, about 4.9 x 10^12 profiles: never
tabulated, never enumerated) that differ in one region are told apart by sampling, with a
one-profile certificate; equal ones give UNKNOWN with the count and the seed; a mechanism that is
out of reach at a profile makes it skipped; one that raises is bad input naming the profile."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from verified.assignment.domain import Domain
from verified.assignment.mechanism import FunctionMechanism
from verified.assignment.mechanisms import serial_dictatorship
from verified.assignment.model import Problem
from verified.cli import main
from verified.compare import compare
from verified.errors import OutOfReach
from verified.io import AssignmentSubject
from verified.recheck import recheck
from verified.results import Verdict

CODE = '''
def _serial(profile, order):
    taken, got = set(), {}
    for i in order:
        got[i] = next((x for x in profile[i] if x not in taken), None)
        taken.add(got[i])
    return [{got[i] or "outside": 1} for i in range(len(profile))]


def serial(profile):
    return _serial(profile, range(len(profile)))


def same_serial(profile):
    return _serial(profile, range(len(profile)))


def swapped_when_both_want_a(profile):
    """Agents 2 and 1 choose in that order when both rank a first (about 6% of profiles)."""
    order = list(range(len(profile)))
    if profile[0][:1] == ("a",) and profile[1][:1] == ("a",):
        order[0], order[1] = 1, 0
    return _serial(profile, order)


def raises_on_long_lists(profile):
    if len(profile[0]) == 4:
        raise ValueError("four is too many")
    return serial(profile)
'''


def _files(folder) -> dict[str, str]:
    (folder / "serials.py").write_text(CODE)
    out = {}
    for function in ("serial", "same_serial", "swapped_when_both_want_a", "raises_on_long_lists"):
        path = folder / f"{function}.json"
        doc = {
            "format": "verified/assignment/1",
            "problem": {"agents": 7, "objects": ["a", "b", "c", "d"]},
            "mechanism": {"python": f"serials.py:{function}"},
        }
        path.write_text(json.dumps(doc))
        out[function] = str(path)
    return out


def test_hunt_finds_the_region_where_two_large_mechanisms_differ(tmp_path, capsys):
    files = _files(tmp_path)
    folder = tmp_path / "certs"
    args = ["compare", files["serial"], files["swapped_when_both_want_a"], "--hunt", "--budget", "300"]
    assert main([*args, "--seed", "1", "-c", str(folder), "-q"]) == 1
    out = capsys.readouterr().out
    # 65 rankings of a b c d per agent (1 + 4 + 12 + 24 + 24), 65^7 profiles
    assert "on the 300 sampled profiles (of 4,902,227,890,625)" in out
    assert "requirement weakly-dominates: FAILS" in out and "the first pair worse under NEW:" in out
    (written,) = sorted(folder.iterdir())
    assert written.name == "serial-vs-swapped_when_both_want_a.weakly-dominates.witness.cert.json"
    assert main(["recheck", str(written)]) == 0
    doc = json.loads(written.read_text())
    assert doc["evidence"]["category"] == "worse" and doc["evidence"]["agent"] == "1"
    assert doc["evidence"]["profile"][0][0] == doc["evidence"]["profile"][1][0] == "a"
    assert len(doc["subject"]["encoding"]["new"]["mechanism"]["numerators"]) == 1


def test_hunt_is_reproducible_by_its_seed(tmp_path):
    files = _files(tmp_path)
    runs = [
        compare(files["serial"], files["swapped_when_both_want_a"], hunt=True, budget=200, seed=seed)
        for seed in (7, 7, 8)
    ]
    assert runs[0].to_json() == runs[1].to_json()
    assert runs[0].to_json() != runs[2].to_json()
    d = runs[0].differences
    assert d.mode == "sampled" and d.relation == "incomparable"  # agent 1 worse, agent 2 better
    assert d.changed_count > 0 and all(c.profile[0][0] == c.profile[1][0] == "a" for c in d.changed)


def test_hunt_says_unknown_when_nothing_differs(tmp_path, capsys):
    files = _files(tmp_path)
    args = ["compare", files["serial"], files["same_serial"], "--hunt", "--budget", "150", "--seed", "3"]
    assert main([*args, "--require", "equal", "-q"]) == 3
    out = capsys.readouterr().out
    assert "requirement equal: UNKNOWN -- no difference found in 150 sampled profiles, seed 3" in out
    assert main([*args, "--require", "dominates", "-q"]) == 3
    assert "no agent worse off under NEW found in 150 sampled profiles, seed 3" in capsys.readouterr().out


def test_hunt_reports_a_raising_user_mechanism_as_bad_input_naming_the_profile(tmp_path, capsys):
    files = _files(tmp_path)
    assert main(["compare", files["serial"], files["raises_on_long_lists"], "--hunt", "-q"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "four is too many" in err and "profile [[" in err
    assert files["raises_on_long_lists"] in err


def test_a_profile_out_of_reach_is_skipped_and_counted():
    problem = Problem.make(7, "abcd")
    domain = Domain.full(problem)
    sd = serial_dictatorship(problem)

    def picky(profile):
        if len(profile[0]) == 0:
            raise OutOfReach("this profile is too hard (a test)")
        return sd(profile)

    old = AssignmentSubject(problem, domain, sd)
    new = AssignmentSubject(problem, domain, FunctionMechanism(problem, "picky", picky))
    result = compare(old, new, require="equal", hunt=True, budget=400, seed=0)
    assert result.verdict is Verdict.UNKNOWN
    s = result.sampling
    assert s.skipped > 0 and "too hard" in s.skip_reason and s.evaluated + s.skipped <= s.drawn
    assert f"{s.skipped:,} skipped" in result.reason


def test_hunt_on_a_small_domain_agrees_with_the_exhaustive_comparison():
    from tests.certificates.helpers import EXAMPLES

    da, boston = str(EXAMPLES / "da_priorities_3x3.toml"), str(EXAMPLES / "boston_priorities_3x3.toml")
    full = compare(da, boston, require="dominates")
    sampled = compare(da, boston, require="dominates", hunt=True, budget=2000, seed=0, certificates=True)
    assert sampled.verdict is Verdict.FAILS
    assert sampled.witness.category in ("worse", "incomparable")
    for kind, pair in sampled.differences.first.items():  # each sampled kind is one the full run found
        assert full.differences.by_category[kind] > 0
        assert pair.category == kind
    ((label, doc),) = sampled.certificates
    assert label == "dominates.witness" and "re-verified" in recheck(doc)


def test_hunt_on_a_domain_past_every_machine_integer(capsys):
    """30 agents and 6 objects: 1,957^30 (about 10^98) profiles, far past sys.maxsize; the
    sampler draws indices in it and the words give its order of magnitude."""
    path = str(Path(__file__).resolve().parents[2] / "examples" / "hunt" / "boston_30x6.toml")
    assert 1957**30 > sys.maxsize
    assert main(["compare", path, path, "--hunt", "--budget", "4", "-q"]) == 3
    out = capsys.readouterr().out
    assert f"of about 10^{len(str(1957**30)) - 1}" in out and "ARE EQUAL" in out
