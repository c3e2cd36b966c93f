"""Rich display (`verified.display`): HTML and Markdown for notebooks, and constructor-like reprs.

Expected values are derived by hand next to the tests. Random priority at the profile
R = (1: a > b, 2: c > b, 3: a, 4: c) over the 24 agent orders: agent 1 gets a iff she comes
before agent 3 (1/2); otherwise (3 before 1, probability 1/2) she gets b unless agent 2 took it
first, which happens iff 4 < 2 < 1 (then c is gone when 2 picks): with 3 < 1 that makes 1 the
last of four and leaves 3 orders of {3, 4, 2} with 4 < 2, so 3/24 = 1/8. Hence agent 1:
a 1/2, b 1/2 - 1/8 = 3/8, outside 1/8; agent 2 symmetrically c 1/2, b 3/8, outside 1/8;
agent 3: a 1/2, outside 1/2; agent 4: c 1/2, outside 1/2.
"""

from __future__ import annotations

import gzip
import json
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified import display
from verified.assignment.domain import Domain
from verified.assignment.lottery import Lottery, decompose
from verified.assignment.mechanism import tabulate
from verified.assignment.mechanisms import boston, random_priority
from verified.assignment.mechanisms.tables import tabulate_builtin
from verified.assignment.model import Problem
from verified.assignment.properties.equal_treatment import check_equal_treatment_assignment
from verified.assignment.properties.fosd import check_fosd
from verified.assignment.properties.individual_rationality import check_individually_rational_assignment
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.assignment.properties.wastefulness import check_nonwasteful_assignment
from verified.assignment.stochastic import StochasticAssignment
from verified.certificates import Certificate
from verified.errors import InvalidInput
from verified.results import CheckResult, Verdict, holds
from verified.strategies.assignment import problems, stochastic_assignments

ROOT = Path(__file__).resolve().parent.parent
P4 = Problem.make(4, "abc")
R4 = P4.profile(["ab", "cb", "a", "c"])
RP_ROWS = [  # the hand derivation in the module docstring, columns a, b, c, outside
    ["1/2", "3/8", "0", "1/8"],
    ["0", "3/8", "1/2", "1/8"],
    ["1/2", "0", "0", "1/2"],
    ["0", "0", "1/2", "1/2"],
]
NAMES = {"StochasticAssignment": StochasticAssignment, "Problem": Problem, "Lottery": Lottery}
NAMES |= {"CheckResult": CheckResult, "Verdict": Verdict}


class Page(HTMLParser):
    """A strict reading of our HTML: every tag closed in order, and the table cells collected."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[list[list[tuple[str, dict[str, str | None]]]]] = []
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()
        assert not self.stack, f"unclosed tags {self.stack}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
            self._attrs = dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag in ("td", "th"):
            self.tables[-1][-1].append(("".join(self._cell or []), self._attrs))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def texts(self, table: int) -> list[list[str]]:
        return [[text for text, _ in row] for row in self.tables[table]]

    def marked(self, table: int) -> set[tuple[str, str]]:
        """(row label, column header) of every cell flagged data-violated."""
        head = [text for text, _ in self.tables[table][0]]
        return {
            (row[0][0], head[k])
            for row in self.tables[table][1:]
            for k, (_, attrs) in enumerate(row)
            if attrs.get("data-violated") == "true"
        }


def self_contained(text: str) -> None:
    page = Page(text)
    for tag, attrs in page.tags:
        assert tag not in ("script", "style", "link", "iframe", "img", "object"), tag
        for name in attrs:
            assert not name.startswith("on") and name not in ("src", "href", "class"), name
    assert "<script" not in text.lower()


def md_rows(text: str) -> list[list[str]]:
    """The cells of the Markdown table lines (split on unescaped pipes)."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|"):
            cells, cur, k = [], "", 1
            while k < len(line):
                if line[k] == "\\":
                    cur += line[k : k + 2]
                    k += 2
                    continue
                if line[k] == "|":
                    cells.append(cur.strip())
                    cur = ""
                else:
                    cur += line[k]
                k += 1
            rows.append(cells)
    return rows


def rp_assignment() -> StochasticAssignment:
    return random_priority(P4)(R4)


# ---------------------------------------------------------------- assignments


def test_assignment_html_is_exact_and_self_contained() -> None:
    text = rp_assignment()._repr_html_()
    self_contained(text)
    page = Page(text)
    rows = page.texts(0)
    assert rows[0] == ["agent", "a", "b", "c", "outside"]
    assert [r[1:] for r in rows[1:]] == RP_ROWS
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    assert "0.375" not in text and "0.5" not in text
    assert "size 11/4" in text  # objects only, agent by agent: 7/8 + 7/8 + 1/2 + 1/2


def test_assignment_markdown_table_shape() -> None:
    rows = md_rows(rp_assignment()._repr_markdown_())
    assert rows[0] == ["agent", "a", "b", "c", "outside"]
    assert rows[1] == [":---", "---:", "---:", "---:", "---:"]
    assert [r[1:] for r in rows[2:]] == RP_ROWS
    assert len(rows) == 2 + P4.n


def test_str_is_unchanged() -> None:
    assert str(rp_assignment()).splitlines()[1] == "1            1/2     3/8       .     1/8"


@settings(max_examples=40)
@given(st.data())
def test_assignment_repr_round_trips(data: st.DataObject) -> None:
    problem = data.draw(problems())
    gamma = data.draw(stochastic_assignments(problem))
    text = repr(gamma)
    assert text.startswith("StochasticAssignment.from_rows(Problem.make(")
    assert eval(text, dict(NAMES)) == gamma  # noqa: S307 - the claim under test
    lottery = decompose(gamma)
    assert eval(repr(lottery), dict(NAMES)) == lottery  # noqa: S307


name_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s.strip() != "" and s != "outside"
)


@settings(max_examples=60)
@given(
    st.lists(name_text, min_size=1, max_size=3, unique=True),
    st.lists(name_text, min_size=1, max_size=3, unique=True),
)
def test_any_names_are_escaped_and_round_trip(agents: list[str], objects: list[str]) -> None:
    problem = Problem.make(agents, objects)
    gamma = StochasticAssignment.from_rows(problem, [{"outside": 1} for _ in agents])
    assert eval(repr(gamma), dict(NAMES)) == gamma  # noqa: S307
    text = gamma._repr_html_()
    self_contained(text)
    rows = Page(text).texts(0)
    assert rows[0] == ["agent", *objects, "outside"]  # the parser unescapes: the names come back
    assert [r[0] for r in rows[1:]] == agents
    md_table = md_rows(gamma._repr_markdown_())
    assert all(len(r) == len(objects) + 2 for r in md_table)  # no name adds or removes a column
    assert "<" not in gamma._repr_markdown_()


def test_hostile_names() -> None:
    problem = Problem.make(["<script>alert(1)</script>", "a&b"], ["<b>", "|", '"x"'])
    gamma = StochasticAssignment.from_rows(problem, [{"<b>": "1/3", "outside": "2/3"}, {"|": 1}])
    for text in (gamma._repr_html_(), gamma._repr_markdown_(), decompose(gamma)._repr_html_()):
        assert "<script" not in text and "<b>" not in text
    self_contained(gamma._repr_html_())
    assert Page(gamma._repr_html_()).texts(0)[1] == ["<script>alert(1)</script>", "1/3", "0", "0", "2/3"]
    assert "&lt;script&gt;" in gamma._repr_markdown_() and "\\|" in gamma._repr_markdown_()


def test_large_assignment_is_summarised() -> None:
    problem = Problem.make(700, "ab")
    gamma = StochasticAssignment.from_rows(problem, [{"outside": 1} for _ in range(700)])
    page = Page(gamma._repr_html_())
    rows = page.texts(0)
    assert len(rows) == 1 + display.MAX_ROWS + 1
    assert rows[-1] == [f"\u2026 {700 - display.MAX_ROWS} more agents (700 in all)"]
    assert repr(gamma).startswith("<StochasticAssignment of Problem.make(700, 'ab'): 700 rows")
    assert len(repr(gamma)) < 1000


# ---------------------------------------------------------------- lotteries and tables


def test_lottery_display() -> None:
    lottery = Lottery.make(P4, [("3/4", ["a", "c", None, None]), ("1/4", [None, "b", "a", "c"])])
    rows = Page(lottery._repr_html_()).texts(0)
    assert rows == [
        ["weight", "agent 1", "agent 2", "agent 3", "agent 4"],
        ["3/4", "a", "c", "outside", "outside"],
        ["1/4", "outside", "b", "a", "c"],
    ]
    assert md_rows(lottery._repr_markdown_())[2:] == rows[1:]
    assert eval(repr(lottery), dict(NAMES)) == lottery  # noqa: S307


def test_large_table_is_summarised() -> None:
    table = tabulate_builtin("random_priority", Domain.full(P4))
    text = table._repr_html_()
    self_contained(text)
    rows = Page(text).texts(0)
    # the header, MAX_PROFILES profiles of 4 agents each, then the count of the rest
    assert len(Domain.full(P4)) == 16**4  # 16 rankings of 3 objects: 1 + 3 + 6 + 6
    assert len(rows) == 1 + display.MAX_PROFILES * 4 + 1
    assert rows[-1] == [f"\u2026 {16**4 - display.MAX_PROFILES:,} more profiles (65,536 in all)"]
    assert repr(table) == (
        "TabulatedMechanism(domain=Domain.full(Problem.make(4, 'abc')), numerators=<65,536 x 4 x 4 "
        "integers>, denominator=24, name='random priority')"
    )
    md = md_rows(table._repr_markdown_())
    assert len(md) == 2 + display.MAX_PROFILES * 4
    assert len(text) < 40_000


def test_table_rows_show_the_profile_and_exact_shares() -> None:
    problem = Problem.make(2, "ab")
    domain = Domain.restricted(problem, [["ab"], ["a", "ba"]])
    table = tabulate(random_priority(problem), domain)
    rows = Page(table._repr_html_()).texts(0)
    # profile 0: both want a first, agent 2 accepts only a: a is shared 1/2 - 1/2, agent 1
    # takes b when she loses a; agent 2 then stays out.
    assert rows[1] == ["0", "1", "a > b > outside", "1/2", "1/2", "0"]
    assert rows[2] == ["2", "a > outside", "1/2", "0", "1/2"]  # rowspan: no profile cell
    # profile 1: agent 2 ranks b first: no conflict, 1 gets a and 2 gets b.
    assert rows[3] == ["1", "1", "a > b > outside", "1", "0", "0"]
    assert "Domain.restricted(Problem.make(2, 'ab'), [['ab'], ['a', 'ba']])" in repr(table)


# ---------------------------------------------------------------- results: the violated part


def boston_manipulation() -> CheckResult:
    problem = Problem.make(3, "ab")
    return check_strategyproof(tabulate(boston(problem), Domain.full(problem)))


def test_manipulation_marks_exactly_the_prefix() -> None:
    result = boston_manipulation()
    assert result.fails
    ev = result.evidence
    text = result._repr_html_()
    self_contained(text)
    page = Page(text)
    expected = {(label, x) for label in ("truthful", "misreport") for x in ev["prefix"]}
    assert page.marked(0) == expected
    # the marked cells hold the rows' own entries, and the sums are the evidence's
    rows = {r[0]: r for r in page.texts(0)[1:]}
    head = page.texts(0)[0]
    assert head[1 : 1 + len(ev["true_preference"])] == ev["true_preference"]
    for label, key in (("truthful", "truthful_row"), ("misreport", "misreport_row")):
        for x in ev["prefix"]:
            assert rows[label][head.index(x)] == ev[key][x]
    assert rows["truthful"][-1] == ev["truthful_cumulative"]
    assert rows["misreport"][-1] == ev["misreport_cumulative"]
    assert Fraction(ev["truthful_cumulative"]) < Fraction(ev["misreport_cumulative"])
    md = md_rows(result._repr_markdown_())
    bold = {(r[0], md[0][k]) for r in md[2:] for k, c in enumerate(r) if c.startswith("**")}
    assert bold == expected


def test_fosd_violation_marks_the_prefix() -> None:
    # a = (a 1/2, b 1/4, outside 1/4), b = (a 1/2, b 1/2) for a > b: top-1 sums 1/2 = 1/2,
    # top-2 sums 3/4 < 1: the first violated prefix is {a, b}.
    problem = Problem.make(2, "abc")
    result = check_fosd(["1/2", "1/4", "0", "1/4"], ["1/2", "1/2", 0, 0], "ab", problem)
    assert result.evidence["prefix"] == ["a", "b"]
    page = Page(result._repr_html_())
    assert page.marked(0) == {("a", "a"), ("a", "b"), ("b", "a"), ("b", "b")}
    rows = {r[0]: r[-1] for r in page.texts(0)[1:]}
    assert rows == {"a": "3/4", "b": "1"}


def test_waste_marks_y_and_z() -> None:
    # RP at R4 (module docstring): agent 1 gets outside 1/8 while b is assigned 3/8 + 3/8 = 3/4 < 1.
    result = check_nonwasteful_assignment(rp_assignment(), R4)
    assert result.fails and (result.evidence["y"], result.evidence["z"]) == ("outside", "b")
    page = Page(result._repr_html_())
    assert page.marked(0) == {("row", "outside"), ("row", "b")}
    profile = page.texts(1)
    assert profile[1:] == [
        ["1", "a > b > outside"],
        ["2", "c > b > outside"],
        ["3", "a > outside"],
        ["4", "c > outside"],
    ]


def test_unacceptable_share_and_unequal_rows() -> None:
    problem = Problem.make(2, "ab")
    gamma = StochasticAssignment.from_rows(problem, [{"b": "1/3", "outside": "2/3"}, {"a": 1}])
    ir = check_individually_rational_assignment(gamma, ["a", "a"])  # agent 1 gets b, unacceptable
    assert ir.fails and ir.evidence["object"] == "b"
    assert display.violated_columns(ir.evidence) == ("b",)
    ete = check_equal_treatment_assignment(gamma, ["a", "a"])  # equal rankings, rows differ in a, b, outside
    assert ete.fails
    page = Page(ete._repr_html_())
    assert page.marked(0) == {(f"agent {k}", x) for k in ("1", "2") for x in ("a", "b", "outside")}


def test_holds_and_unknown_mark_nothing() -> None:
    problem = Problem.make(2, "abc")
    ok = check_fosd(["1/2", "1/2", "0", "0"], ["1/2", "1/4", "0", "1/4"], "ab", problem)
    assert ok.holds
    assert "data-violated" not in ok._repr_html_() and "**" not in ok._repr_markdown_().split("\n", 1)[1]
    assert 'data-verdict="holds"' in ok._repr_html_()
    unknown = CheckResult("sp", Verdict.UNKNOWN, {"kind": "timeout"}, reason="<ran out> of time")
    text = unknown._repr_html_()
    self_contained(text)
    assert "&lt;ran out&gt;" in text and 'data-verdict="unknown"' in text


def test_result_repr_round_trips_and_summarises() -> None:
    for result in (boston_manipulation(), check_nonwasteful_assignment(rp_assignment(), R4)):
        assert eval(repr(result), dict(NAMES)) == result  # noqa: S307
    big = holds("sp", {"kind": "exhaustive", "checked": list(range(5000))})
    text = repr(big)
    assert "too large" in text and len(text) < 300
    shown = Page(big._repr_html_()).texts(0)[1][1]
    assert shown.startswith("0, 1, 2, ") and shown.endswith("\u2026 (5,000 entries)") and len(shown) < 400


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=25,
)
evidence_keys = st.sampled_from(
    [
        "kind",
        "prefix",
        "profile",
        "row",
        "truthful_row",
        "rows",
        "agents",
        "y",
        "z",
        "object",
        "agent",
        "preference",
    ]
)


@settings(max_examples=150)
@given(
    st.dictionaries(evidence_keys | st.text(max_size=6), json_values, max_size=8),
    st.sampled_from(["fails", "holds"]),
)
def test_any_evidence_renders(evidence: dict, verdict: str) -> None:
    evidence["kind"] = evidence.get("kind") if isinstance(evidence.get("kind"), str) else "violated_prefix"
    result = CheckResult("p<q>", Verdict(verdict), evidence)
    self_contained(result._repr_html_())
    md_rows(result._repr_markdown_())
    assert "<" not in result._repr_markdown_()
    cert = Certificate({"property": "<x>", "verdict": verdict, "evidence": evidence, "subject": evidence})
    self_contained(cert._repr_html_())
    assert "<" not in cert._repr_markdown_()


# ---------------------------------------------------------------- certificates


def test_stored_certificate_view() -> None:
    cert = Certificate.load(ROOT / "certificates" / "erdil_remark2.nonwasteful.cert.json")
    assert (cert.property, cert.verdict, cert.mechanism_name) == ("nonwasteful", "fails", "random priority")
    text = cert._repr_html_()
    self_contained(text)
    page = Page(text)
    assert page.marked(0) == {("row", cert.evidence["y"]), ("row", cert.evidence["z"])}
    about = dict((r[0], r[1]) for r in page.texts(len(page.tables) - 1)[1:])
    assert about["subject SHA-256"] == cert.document["subject"]["sha256"]
    assert about["agents"] == "1, 2, 3, 4"
    assert repr(cert).startswith("Certificate.load(")
    assert "nonwasteful" in cert._repr_markdown_() and "FAILS" in cert._repr_markdown_()
    assert isinstance(cert.recheck(), str) and cert.recheck()


def test_compressed_certificate_and_bad_files(tmp_path: Path) -> None:
    gz = next((ROOT / "certificates").glob("*.cert.json.gz"))
    cert = Certificate.load(gz)
    assert cert.verdict in ("holds", "fails")
    assert len(cert._repr_html_()) < 100_000  # summarised: the subject holds 65,536 profiles
    bad = tmp_path / "bad.cert.json"
    bad.write_text("[1, 2]\n")
    with pytest.raises(InvalidInput, match="bad.cert.json"):
        Certificate.load(bad)
    bad.write_text('{"a": 1.5}')
    with pytest.raises(InvalidInput, match="bad.cert.json"):
        Certificate.load(bad)
    bad.write_bytes(gzip.compress(b"{not json"))
    with pytest.raises(InvalidInput, match="bad.cert.json"):
        Certificate.load(bad)
    with pytest.raises(InvalidInput, match="missing.json"):
        Certificate.load(tmp_path / "missing.json")


@settings(max_examples=60)
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_load_fuzz(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """Any bytes: a certificate view or `InvalidInput` naming the file, never anything else."""
    path = tmp_path_factory.mktemp("fuzz") / "x.cert.json"
    path.write_bytes(data)
    try:
        cert = Certificate.load(path)
    except InvalidInput as exc:
        assert str(path) in str(exc)
        return
    self_contained(cert._repr_html_())
    assert "<" not in cert._repr_markdown_()
    if _has_pandas():
        assert len(cert.to_pandas()) == 1


def test_views_of_documents_that_are_not_objects() -> None:
    for document in ([1, 2], "text", None, {"subject": [], "evidence": [1], "tool": 3}):
        cert = Certificate(document)  # type: ignore[arg-type]
        self_contained(cert._repr_html_())
        assert cert.agents is None and cert.mechanism_name is None


def _has_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True
