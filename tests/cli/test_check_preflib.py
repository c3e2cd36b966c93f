"""``verified check FILE.soc --mechanism NAME``: a built-in at a PrefLib profile, checked there.

Hand derivations (RP draws a uniform order of the agents; each takes her best remaining object):

three_voters.soc: agents 1, 2: Ann > Bob > Cy, agent 3: Bob > Ann > Cy. Over the 6 orders,
  123: 1 Ann, 2 Bob, 3 Cy   132: 1 Ann, 3 Bob, 2 Cy   213: 2 Ann, 1 Bob, 3 Cy
  231: 2 Ann, 3 Bob, 1 Cy   312: 3 Bob, 1 Ann, 2 Cy   321: 3 Bob, 2 Ann, 1 Cy
  so agents 1 and 2 get (Ann, Bob, Cy) = (1/2, 1/6, 1/3), agent 3 (0, 2/3, 1/3): every object
  fully assigned (no waste), complete lists (IR), equal rows for equal reports (ETE). SD-efficient:
  a dominating assignment must give 1 and 2 Ann >= 1/2 each (so exactly 1/2), Ann-or-Bob >= 2/3
  each and agent 3 Bob >= 2/3, using all of Bob: it is this assignment. RP is SD-strategy-proof.
erdil_remark2.soi (Erdil, Remark 2): 1: a > b, 2: c > b, 3: a, 4: c. Agent 1 gets nothing iff
  3 precedes her and 2 took b first, i.e. 4 < 2 < 1 and 3 < 1: then 1 is last and {2, 3, 4} in
  any of the 3 orders with 4 < 2 -> 3/24 = 1/8. Agent 1 gets b with 1/2 - 1/8 = 3/8, and by
  symmetry agent 2 too: b is assigned 3/4 < 1 while agent 1 gets outside 1/8 and prefers b: waste.
Boston at three_voters.soc (priority = agent order): round 1, Ann to agent 1, Bob to agent 3;
  agent 2 then gets Cy. Reporting Bob first, agent 2 beats agent 3 for Bob in round 1: a gain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verified.cli import main
from verified.io.preflib import read
from verified.recheck import recheck_file
from verified.run.at_profile import check_at_profile

ROOT = Path(__file__).resolve().parents[2]
THREE = str(ROOT / "examples" / "preflib" / "three_voters.soc")
REMARK2 = str(ROOT / "examples" / "preflib" / "erdil_remark2.soi")


def test_rp_at_three_voters_holds_everywhere_and_every_certificate_rechecks(tmp_path, capsys):
    code = main(["check", THREE, "--mechanism", "rp", "--all", "-c", str(tmp_path), "-q"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[0].startswith("random priority at the profile of 3 voters and 3 alternatives")
    for name in ("sp", "ir", "nonwasteful", "ete", "ex-post-efficient", "sd-efficient"):
        assert any(line.split()[:2] == [name, "HOLDS"] for line in out.splitlines()), name
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(
        [f"three_voters.agent-{a}.sp.cert.json" for a in "123"]
        + [
            f"three_voters.{n}.cert.json"
            for n in ("ir", "nonwasteful", "ete", "ex-post-efficient", "sd-efficient")
        ]
    )
    for path in tmp_path.iterdir():
        recheck_file(str(path))  # raises when rejected
    assert main(["recheck", *map(str, tmp_path.iterdir())]) == 0


def test_the_lottery_is_the_hand_derived_one():
    from fractions import Fraction as F

    from verified.assignment.mechanisms import random_priority

    data = read(THREE)
    gamma = random_priority(data.problem)(data.profile)
    assert [list(row) for row in gamma.matrix] == [
        [F(1, 2), F(1, 6), F(1, 3), 0],
        [F(1, 2), F(1, 6), F(1, 3), 0],
        [0, F(2, 3), F(1, 3), 0],
    ]


def test_rp_wastes_b_at_erdils_remark2_profile_with_the_witness(tmp_path, capsys):
    code = main(
        ["check", REMARK2, "--mechanism", "rp", "-p", "nonwasteful,ir", "-c", str(tmp_path), "--json"]
    )
    assert code == 1
    results = {r["property"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert results["ir"]["verdict"] == "holds"
    waste = results["nonwasteful"]
    assert waste["verdict"] == "fails"
    ev = waste["evidence"]
    assert (ev["agent"], ev["y"], ev["z"]) == ("1", "outside", "b")
    assert (ev["gamma_jy"], ev["z_column_sum"]) == ("1/8", "3/4")
    assert ev["profile"] == [["a", "b"], ["c", "b"], ["a"], ["c"]]
    summary = recheck_file(str(tmp_path / "erdil_remark2.nonwasteful.cert.json"))
    assert "fails" in summary


def test_boston_is_manipulable_at_three_voters_and_the_witness_is_certified(tmp_path):
    answers = check_at_profile(*_three(), "boston", ["sp"], certificates=True, source=THREE)
    (sp,) = answers
    assert sp.result.fails
    ev = sp.result.evidence
    assert ev["agent"] == "2" and ev["misreport"][0] == "Bob"
    assert ev["profile"] == [["Ann", "Bob", "Cy"], ["Ann", "Bob", "Cy"], ["Bob", "Ann", "Cy"]]
    assert ev["truthful_row"]["Cy"] == "1" and ev["misreport_row"]["Bob"] == "1"
    (certificate,) = sp.certificates
    path = tmp_path / "boston.sp.cert.json"
    path.write_text(json.dumps(certificate.document))
    assert "fails" in recheck_file(str(path))


def _three():
    data = read(THREE)
    return data.problem, data.profile


def test_sp_past_the_misreport_budget_is_unknown_with_the_count():
    (sp,) = check_at_profile(*_three(), "rp", ["sp"], misreport_budget=44)
    # 3 agents x 15 misreports (16 rankings of 3 objects, the truth excluded) = 45 evaluations
    assert sp.result.unknown and "45 evaluations" in sp.result.reason
    (ok,) = check_at_profile(*_three(), "rp", ["sp"], misreport_budget=45)
    assert ok.result.holds


def test_sp_holds_without_a_certificate_when_the_stronger_claim_fails():
    # Boston at (a, b, c): each agent gets her one acceptable object, her top, with probability 1,
    # so no lie gains here; but with agent 2 holding other rankings (a > b, say) Boston is
    # manipulable, so the per-agent certificate (a whole-domain sp claim) cannot be written.
    from verified.assignment.model import Problem

    problem = Problem.make(3, "abc")
    (sp,) = check_at_profile(problem, ["a", "b", "c"], "boston", ["sp"], certificates=True)
    assert sp.result.holds and sp.certificates == ()
    assert sp.lines[0].startswith("No certificate: sp holds at this profile (every lie compared exactly)")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--mechanism", "da", "-p", "ir"], "deferred_acceptance needs priorities"),
        (["--mechanism", "rda", "-p", "ir"], "random_deferred_acceptance needs priorities"),
        (["--mechanism", "nope", "-p", "ir"], "unknown mechanism 'nope'"),
        (["-p", "ir"], "say which one with --mechanism"),
        (["--mechanism", "rp", "-p", "anonymous"], "not a property of one profile"),
        (["--mechanism", "rp"], "say which properties"),
        (
            ["--mechanism", "rp", "-p", "ir", "--shard", "1/2", "-c", "x"],
            "--shard: applies to mechanism files",
        ),
    ],
)
def test_refusals_are_exit_2_with_our_message(argv, says, capsys):
    assert main(["check", THREE, *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and says in err and "Traceback" not in err


def test_mechanism_on_a_mechanism_file_and_ties_are_refused(tmp_path, capsys):
    toml = ROOT / "examples" / "rp_4x3.toml"
    assert main(["check", str(toml), "--mechanism", "rp", "-p", "ir"]) == 2
    assert "--mechanism: evaluates a built-in at a PrefLib file's profile" in capsys.readouterr().err
    tied = tmp_path / "tied.toc"
    tied.write_text("# DATA TYPE: toc\n# NUMBER ALTERNATIVES: 3\n1: 1,2,3\n2: 3,{1,2}\n")
    assert main(["check", str(tied), "--mechanism", "rp", "-p", "ir"]) == 2
    err = capsys.readouterr().err
    assert f"{tied}, line 4: the order ties alternatives {{1, 2}}" in err


def test_every_mechanism_without_parameters_runs_at_a_soi_profile(capsys):
    for name in ("rp", "ps", "boston", "random-boston", "ttc", "sd", "ra", "random_priority"):
        code = main(["check", REMARK2, "--mechanism", name, "-p", "ir,ete", "-q"])
        out = capsys.readouterr().out
        assert code in (0, 1) and " at the profile of 4 voters and 3 alternatives" in out, (name, out)
    # random assignment ignores preferences: it gives agent 3 a share of b, which she does not accept
    assert main(["check", REMARK2, "--mechanism", "ra", "-p", "ir", "--json"]) == 1
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["verdict"] == "fails" and result["evidence"]["agent"] in ("1", "2", "3", "4")


def _many_voters(tmp_path, voters, objects):
    import random

    from verified.assignment.model import Problem
    from verified.io.preflib import write

    rng = random.Random(1)
    problem = Problem.make(voters, objects)
    profile = [rng.sample(list(problem.objects), len(problem.objects)) for _ in range(voters)]
    return write(tmp_path / f"n{voters}", problem, profile)


def test_an_exact_lottery_out_of_reach_is_unknown_exit_3(tmp_path, capsys):
    path = _many_voters(tmp_path, 300, "abcdef")  # 300 agents in contention for 6 objects
    assert main(["check", str(path), "--mechanism", "rp", "-p", "ir,sp", "-q"]) == 3
    out = capsys.readouterr().out
    assert "No verdict: the exact lottery is out of reach: random priority: more than" in out
    assert "300 agents x 1,956 misreports = 586,800 evaluations" in out  # 16 + ... = 1,957 rankings of 6


def test_the_time_limit_leaves_the_unfinished_properties_unknown(tmp_path, capsys):
    path = _many_voters(tmp_path, 30, "abcd")  # sp: 30 x 64 evaluations of RP with 30 agents
    assert main(["check", str(path), "--mechanism", "rp", "-p", "sp", "-q", "--timeout", "0.5"]) == 3
    assert "No verdict: the time limit of 0.5 s was reached." in capsys.readouterr().out
