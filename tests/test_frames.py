"""pandas frames (`verified.frames`): row counts derived by hand, exact Fraction columns equal to
the objects' own entries, the float column only beside them, and the install line without pandas.

Row counts: an assignment of n agents and m objects has n * (m + 1) cells (the outside option is
a column), so 4 * (3 + 1) = 16 rows for RP at n = 4, m = 3. A table over a domain has
|domain| * n * (m + 1) rows: with m = 2 an agent has 1 + 2 + 2 = 5 rankings (the empty one, two
of length one, two of length two), so the full domain of 3 agents has 5^3 = 125 profiles and
125 * 3 * 3 = 1,125 rows; at n = 4, m = 3 it is 16 rankings (1 + 3 + 6 + 6), 16^4 = 65,536
profiles and 65,536 * 4 * 4 = 1,048,576 rows.
"""

from __future__ import annotations

import sys
from collections import namedtuple
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")

from verified.assignment.domain import Domain  # noqa: E402
from verified.assignment.lottery import Lottery, decompose  # noqa: E402
from verified.assignment.mechanism import tabulate  # noqa: E402
from verified.assignment.mechanisms import boston, random_priority  # noqa: E402
from verified.assignment.mechanisms.tables import tabulate_builtin  # noqa: E402
from verified.assignment.model import Problem  # noqa: E402
from verified.assignment.properties.strategyproofness import check_strategyproof  # noqa: E402
from verified.certificates import Certificate  # noqa: E402
from verified.display import profile_text, ranking_text  # noqa: E402
from verified.errors import InvalidInput, MissingExtra  # noqa: E402
from verified.frames import result_frame, table_frame, violations_frame  # noqa: E402
from verified.results import CheckResult, Verdict  # noqa: E402
from verified.strategies.assignment import problems, stochastic_assignments  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
P4 = Problem.make(4, "abc")
R4 = P4.profile(["ab", "cb", "a", "c"])
# RP at R4, derived by hand in tests/test_display.py's docstring (columns a, b, c, outside)
RP = [
    ["1/2", "3/8", "0", "1/8"],
    ["0", "3/8", "1/2", "1/8"],
    ["1/2", "0", "0", "1/2"],
    ["0", "0", "1/2", "1/2"],
]


def test_assignment_frame() -> None:
    df = random_priority(P4)(R4).to_pandas()
    assert list(df.columns) == ["agent", "object", "share", "share_float"]
    assert len(df) == 4 * (3 + 1)
    assert df.share.dtype == object and all(type(v) is Fraction for v in df.share)
    assert list(df.share) == [Fraction(v) for row in RP for v in row]
    assert list(df.agent) == [a for a in "1234" for _ in range(4)]
    assert list(df.object) == ["a", "b", "c", "outside"] * 4
    assert df.groupby("agent").share.sum().tolist() == [1, 1, 1, 1]  # exact sums, Fractions
    assert df.share_float.tolist() == [float(Fraction(v)) for row in RP for v in row]


@settings(max_examples=40)
@given(st.data())
def test_assignment_frame_equals_the_matrix(data: st.DataObject) -> None:
    problem = data.draw(problems())
    gamma = data.draw(stochastic_assignments(problem))
    df = gamma.to_pandas()
    assert len(df) == problem.n * (problem.m + 1)
    for (agent, column), share in zip(zip(df.agent, df.object, strict=True), df.share, strict=True):
        assert share == gamma.prob(agent, column) and type(share) is Fraction
    assert all(total == 1 for total in df.groupby("agent").share.sum())
    lottery = decompose(gamma)
    lf = lottery.to_pandas()
    assert len(lf) == len(lottery.outcomes) * problem.n
    assert sum(lf.drop_duplicates("outcome").weight) == 1


def test_lottery_frame() -> None:
    lottery = Lottery.make(P4, [("3/4", ["a", "c", None, None]), ("1/4", [None, "b", "a", "c"])])
    df = lottery.to_pandas()
    assert list(df.columns) == ["outcome", "weight", "weight_float", "agent", "object"]
    assert len(df) == 2 * 4
    assert list(df.weight) == [Fraction(3, 4)] * 4 + [Fraction(1, 4)] * 4
    assert list(df.object) == ["a", "c", None, None, None, "b", "a", "c"]


def test_table_frame_small() -> None:
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    table = tabulate(random_priority(problem), domain)
    df = table.to_pandas()
    assert list(df.columns) == [
        "profile_index",
        "profile",
        "agent",
        "ranking",
        "object",
        "share",
        "share_float",
    ]
    assert len(domain) == 5**3 and len(df) == 125 * 3 * 3
    for row in df.sample(200, random_state=1).itertuples():
        profile = domain.profile(row.profile_index)
        i = problem.agents.index(row.agent)
        k = problem.columns.index(row.object)
        assert row.share == table.entry(row.profile_index, i, k) and type(row.share) is Fraction
        assert row.profile == profile_text(profile) and row.ranking == ranking_text(profile[i])
    # every profile's rows add up to n (each agent's row sums to 1), exactly
    assert set(df.groupby("profile_index").share.sum()) == {3}


def test_table_frame_slice_and_bad_indices() -> None:
    problem = Problem.make(3, "ab")
    table = tabulate(boston(problem), Domain.full(problem))
    df = table.to_pandas([124, 0])
    assert len(df) == 2 * 3 * 3 and df.profile_index.tolist()[::9] == [124, 0]
    for bad in ([125], [-1], ["0"], [True], [1.0]):
        with pytest.raises(InvalidInput, match=r"profiles\[0\]"):
            table_frame(table, bad)


def test_table_frame_whole_rp_domain() -> None:
    table = tabulate_builtin("random_priority", Domain.full(P4))
    df = table.to_pandas()
    assert len(df) == 65_536 * 4 * 4
    index = table.domain.index(R4)
    at = df[df.profile_index == index]
    assert list(at.share) == [Fraction(v) for row in RP for v in row]
    assert at.profile.iloc[0] == "a > b > outside; c > b > outside; a > outside; c > outside"


def test_result_frame() -> None:
    problem = Problem.make(3, "ab")
    result = check_strategyproof(tabulate(boston(problem), Domain.full(problem)))
    df = result.to_pandas()
    assert df.to_dict("records") == [
        {"property": "strategyproof", "verdict": "fails", "reason": None, "evidence_kind": "manipulation"}
    ]
    unknown = CheckResult("sp", Verdict.UNKNOWN, {"kind": "timeout"}, reason="time limit")
    both = result_frame([result, unknown])
    assert both.verdict.tolist() == ["fails", "unknown"] and both.reason.tolist() == [None, "time limit"]


def test_certificate_frame() -> None:
    cert = Certificate.load(ROOT / "certificates" / "erdil_remark2.nonwasteful.cert.json")
    row = cert.to_pandas().to_dict("records")[0]
    assert row["property"] == "nonwasteful" and row["verdict"] == "fails"
    assert row["evidence_kind"] == "waste" and row["mechanism"] == "random priority"
    assert row["sha256"] == cert.document["subject"]["sha256"]


def manipulation_rows() -> list[dict]:
    problem = Problem.make(3, "ab")
    ev = dict(check_strategyproof(tabulate(boston(problem), Domain.full(problem))).evidence)
    other = dict(ev, agent="3", truthful_cumulative="1/3")
    del other["misreport_row"]
    return [ev, other]


def test_violations_frame_from_evidence_rows() -> None:
    rows = manipulation_rows()
    df = violations_frame(rows)
    assert len(df) == 2
    assert list(df.columns[:3]) == list(rows[0])[:3]  # first-seen order
    assert df.truthful_cumulative.tolist() == [Fraction(rows[0]["truthful_cumulative"]), Fraction(1, 3)]
    assert df.truthful_cumulative_float.tolist() == [float(Fraction(rows[0]["truthful_cumulative"])), 1 / 3]
    assert df.misreport_row.tolist()[1] is None  # missing key
    assert df.agent.tolist() == [rows[0]["agent"], "3"]  # names stay text, never numbers
    assert isinstance(df.profile.iloc[0], tuple)  # lists frozen: the frame can group by them
    assert len(df.groupby("profile")) >= 1


def test_violations_frame_other_row_types_and_bad_values() -> None:
    @dataclass(frozen=True)
    class Violation:
        agent: str
        share: Fraction

    Row = namedtuple("Row", "agent weight")
    df = violations_frame([Violation("1", Fraction(1, 2)), Row("2", "3/8")])
    assert df.agent.tolist() == ["1", "2"]
    assert df.share.tolist() == [Fraction(1, 2), None] and df.weight.tolist() == [None, Fraction(3, 8)]
    assert list(violations_frame([]).columns) == []
    with pytest.raises(InvalidInput, match=r"rows\[1\]\['share'\]"):
        violations_frame([{"share": "1/2"}, {"share": 0.5}])
    with pytest.raises(InvalidInput, match=r"rows\[0\]"):
        violations_frame([["not", "a", "row"]])
    exact = violations_frame([{"x": "2/4", "share": "zzz"}], fractions=["x"])
    assert exact.x.tolist() == [Fraction(1, 2)] and exact.share.tolist() == ["zzz"]


json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=6) | st.fractions() | st.floats()


@settings(max_examples=100)
@given(st.lists(st.dictionaries(st.sampled_from(["agent", "share", "a", "x_cumulative", "k"]), json_scalars)))
def test_violations_frame_hostile_rows(rows: list[dict]) -> None:
    try:
        df = violations_frame(rows)
    except InvalidInput as exc:
        assert "rows[" in str(exc)
        return
    assert len(df) == len(rows)
    for column in ("share", "a", "x_cumulative"):
        if column in df:
            assert all(v is None or type(v) is Fraction for v in df[column])


def test_missing_pandas_gives_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    gamma = random_priority(P4)(R4)
    for build in (gamma.to_pandas, lambda: violations_frame([{"agent": "1"}])):
        with pytest.raises(MissingExtra) as info:
            build()
        assert "pip install 'verified[pandas]'" in str(info.value)
        assert isinstance(info.value, ImportError)
