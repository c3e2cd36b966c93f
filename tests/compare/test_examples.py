"""The README's examples: Erdil's g against RP at n = 4, m = 3 (g dominates RP at exactly the 8
profiles of Erdil, Proposition 3(i)), Boston against DA with the same priorities (incomparable,
and both of DA's properties regress), and a file compared with itself (equal)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from tests.certificates.helpers import EXAMPLES
from tests.compare.helpers import kind
from verified.assignment.mechanisms import boston, deferred_acceptance
from verified.compare import compare
from verified.io import load_subject
from verified.recheck import recheck
from verified.results import Verdict

RP, G = str(EXAMPLES / "rp_4x3.toml"), str(EXAMPLES / "erdil_g_4x3.toml")
DA, BOSTON = str(EXAMPLES / "da_priorities_3x3.toml"), str(EXAMPLES / "boston_priorities_3x3.toml")
OTHERS = (("c", "a"), ("c", "b"), ("c",))


@pytest.fixture(scope="module")
def g_against_rp():
    return compare(RP, G, ["sp"], require="dominates", certificates=True)


def test_g_dominates_rp_at_exactly_the_eight_profiles_of_proposition_3(g_against_rp):
    result = g_against_rp
    assert result.verdict is Verdict.HOLDS and result.exit_code == 0
    d = result.differences
    assert d.relation == "dominates"
    # counted here, from the two tables' numerators: the profiles where any entry differs
    rp, g = load_subject(RP).table, load_subject(G).table
    differ = np.flatnonzero((rp.numerators * g.denominator != g.numerators * rp.denominator).any(axis=(1, 2)))
    profiles = [rp.domain.profile(int(i)) for i in differ]
    assert len(profiles) == 8
    assert all(p[1:] == OTHERS and {"a", "b"} <= set(p[0]) for p in profiles)
    assert [c.profile for c in d.changed] == profiles and d.changed_count == 8
    assert d.by_category == {
        "same": 65536 * 4 - 8,
        "better": 8,
        "worse": 0,
        "incomparable": 0,
        "equivalent": 0,
    }
    for changed in d.changed:  # agent 1 only: 1/6 -> 1/4 of her second object, 1/12 -> 0 outside
        ((agent, old, new),) = changed.rows
        first = changed.profile[0]
        second = "b" if first.index("a") < first.index("b") else "a"
        k = "abc".index(second)
        assert agent == "1"
        assert (old[k], new[k], old[3], new[3]) == (Fraction(1, 6), Fraction(1, 4), Fraction(1, 12), 0)
    assert d.size.change == Fraction(8, 12) and dict(d.size.per_agent)["1"] == Fraction(2, 3)
    assert d.size.per_profile == Fraction(2, 3) / 65536
    (sp,) = result.properties
    assert sp.status == "kept"


def test_g_against_rp_certificates_recheck(g_against_rp):
    labels = [label for label, _ in g_against_rp.certificates]
    assert labels == ["dominates", "old.sp", "new.sp"]
    for _, doc in g_against_rp.certificates:
        assert doc["verdict"] == "holds"
        assert "re-verified" in recheck(doc)


def test_boston_against_da_is_incomparable_and_regresses():
    result = compare(DA, BOSTON, ["sp", "ex-post-stable"])
    assert result.requirement == "no-regression"
    assert result.verdict is Verdict.FAILS and result.exit_code == 1
    assert result.regressions == ["sp", "ex-post-stable"]
    d = result.differences
    assert d.relation == "incomparable"
    # both a better and a worse pair, each verified here with Boston and DA computed directly
    load = load_subject(DA)
    problem, priorities = load.problem, load.priorities
    da, ia = deferred_acceptance(problem, priorities), boston(problem, ["1", "2", "3"])
    for category in ("better", "worse"):
        pair = d.first[category]
        i = problem.agents.index(pair.agent)
        assert pair.old_row == da(pair.profile).matrix[i]
        assert pair.new_row == ia(pair.profile).matrix[i]
        assert kind(pair.old_row, pair.new_row, pair.profile[i], problem) == category
    assert d.by_category["better"] > 0 and d.by_category["worse"] > 0


def test_boston_against_da_fails_dominates_with_a_witness_that_rechecks():
    result = compare(DA, BOSTON, require="dominates", certificates=True)
    assert result.verdict is Verdict.FAILS
    assert result.witness is not None and result.witness.category == "worse"
    witness = dict(result.certificates)["dominates.witness"]
    assert witness["evidence"]["kind"] == "witness_pair"
    assert len(witness["subject"]["encoding"]["old"]["mechanism"]["numerators"]) == 1  # one profile
    assert "re-verified" in recheck(witness)
    assert "re-verified" in recheck(dict(result.certificates)["dominates"])


@pytest.mark.parametrize("require", ["equal", "weakly-dominates", "no-regression"])
def test_a_file_compared_with_itself_is_equal(require):
    result = compare(DA, DA, ["sp"] if require == "no-regression" else (), require=require)
    assert result.verdict is Verdict.HOLDS
    assert result.differences.relation == "equal" and result.differences.changed_count == 0
    assert result.differences.size.change == 0


def test_dominates_fails_for_an_unchanged_mechanism_but_weakly_dominates_holds():
    strict = compare(DA, DA, require="dominates")
    assert strict.verdict is Verdict.FAILS and strict.witness is None
    assert "strictly better for no agent" in strict.reason
    assert compare(DA, DA).requirement == "weakly-dominates"


def test_the_readme_example_prints_what_the_readme_shows(g_against_rp, capsys):
    """The README's console block is the command's output (its paths relative to the repository),
    rendered from the same comparison as the fixture."""
    from verified.compare import describe

    readme = (EXAMPLES.parent / "README.md").read_text()
    command = (
        "$ verified compare examples/rp_4x3.toml examples/erdil_g_4x3.toml "
        "--property sp --require dominates\n"
    )
    shown = readme.split(command)[1].split("```")[0].rstrip("\n")
    got = describe(g_against_rp).rstrip("\n").replace(str(EXAMPLES.parent) + "/", "")
    assert [line.rstrip() for line in got.splitlines()] == [line.rstrip() for line in shown.splitlines()]


H = str(EXAMPLES / "erdil_h_4x3.toml")


def test_erdils_h_dominates_rp_at_the_192_profiles_derived_by_hand():
    """Erdil's h (proof of Proposition 3(i)): g averaged over the 24 relabellings of the agents.
    By hand: at a profile where one agent i lists a and b and the other three report c a, c b
    and c in some order, exactly one relabelling (i first, the others in the order of g's
    special profile) meets g's change, so i gets 1/12 / 24 = 1/288 more of her second object
    of a and b and 1/288 less of her outside option; 4 agents x 8 rankings x 3! orders = 192
    such profiles, one better pair each; everywhere else h = RP (RP is anonymous). Total size
    change 192 / 288 = 2/3, as for g."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("erdil_g_example", EXAMPLES / "erdil_g.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = compare(RP, H, ["sp", "ex-post-efficient", "ete"], require="dominates")
    assert result.verdict is Verdict.HOLDS
    d = result.differences
    assert d.by_category["better"] == 192 and d.by_category["worse"] == 0 and d.changed_count == 192
    assert d.size.change == Fraction(2, 3)
    assert {c.name: c.new.verdict for c in result.properties} == dict.fromkeys(
        ("sp", "ex-post-efficient", "ete"), Verdict.HOLDS
    )
    # the fast h is the literal average at every profile it changes and at profiles around them
    subject = load_subject(H)
    rp = load_subject(RP).table
    for changed in d.changed[:40]:
        profile = changed.profile
        fast, literal = module.h(subject.problem, profile), module.h_literal(subject.problem, profile)
        assert fast == literal
        agent = next(i for i, r in enumerate(profile) if "a" in r and "b" in r and r not in OTHERS)
        second = "b" if profile[agent].index("a") < profile[agent].index("b") else "a"
        before = rp(profile).prob(subject.problem.agents[agent], second)
        assert fast[agent][second] == before + Fraction(1, 288)
