"""How results, assignments, lotteries, tables and certificates look in a notebook and at a prompt.

Jupyter shows an object by calling its ``_repr_html_`` (or ``_repr_markdown_``); the model classes
delegate those, and ``__repr__``, to the functions here, so the model modules stay small.

Rules every function here keeps:

* **exact**: a probability is written as its fraction text (``"3/8"``, never ``0.375``);
* **safe**: every name, key and value is escaped -- ``html.escape`` in HTML; in Markdown the same
  escaping (notebooks render HTML inside Markdown) plus a backslash before the characters Markdown
  gives a meaning (``| * _ [ ] ` \\ #``) -- and the HTML is self-contained: inline styles only, no
  scripts, no stylesheet;
* **bounded**: a large object is summarised: the first `MAX_ROWS` agents or outcomes, the first
  `MAX_PROFILES` profiles of a table, evidence values cut at `MAX_TEXT` characters, each time with
  the count of what is left out;
* **the violation shows**: for a FAILS result the cells of the evidence's lottery rows that lie in
  the violated columns (`violated_columns`: the prefix of an FOSD or strategy-proofness
  violation, the wasted object and the worse outcome of a waste, the unacceptable object of an
  individual-rationality violation, the differing columns of unequal treatment) carry
  ``data-violated="true"`` and a red background in HTML and are bold in Markdown; nothing else does.

``__repr__`` text reads like a constructor: for assignments, lotteries and (small) check results,
``eval`` of it, with the class names in scope, gives back an equal object; a table's or a large
object's repr shows its size in ``<...>`` instead of its contents and does not claim to evaluate.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from verified.numbers import fraction_text

#: Rows (agents, outcomes) shown of a large assignment or lottery; the rest are counted.
MAX_ROWS = 12
#: Profiles shown of a tabulated mechanism; the rest are counted.
MAX_PROFILES = 8
#: Characters shown of one evidence value; longer ones are cut and their length given.
MAX_TEXT = 300
#: Entries (assignment cells, lottery outcomes x agents, evidence scalars) up to which a repr is complete.
REPR_BUDGET = 2_000

_TABLE = "border-collapse:collapse;font-family:monospace;font-size:12px;margin:4px 0"
_CELL = "border:1px solid #bbb;padding:2px 6px;text-align:right"
_HEAD = _CELL + ";background:#f0f0f0"
_LEFT = "border:1px solid #bbb;padding:2px 6px;text-align:left"
_ZERO = ";color:#999"
_MARK = ";background:#ffc9c9;color:#8b0000;font-weight:bold"
_NOTE = "font-family:sans-serif;font-size:12px;color:#555;margin:2px 0"
_BADGE = {
    "holds": "background:#d8f5dd;color:#135c22",
    "fails": "background:#ffd6d6;color:#8b0000",
    "unknown": "background:#eeeeee;color:#444",
}
#: Lottery rows an evidence may carry: key -> (label, key of its cumulative sum over the prefix).
ROW_KEYS = {
    "row": ("row", None),
    "row_a": ("a", "a"),
    "row_b": ("b", "b"),
    "truthful_row": ("truthful", "truthful_cumulative"),
    "misreport_row": ("misreport", "misreport_cumulative"),
    "gamma_row": ("gamma", "gamma_cumulative"),
    "omega_row": ("omega", "omega_cumulative"),
    "g_row": ("g", "g_cumulative"),
    "f_row": ("f", "f_cumulative"),
}


class _TooLarge(Exception):
    """A value has more entries than the budget allows."""


# ---------------------------------------------------------------- text pieces


def esc(value: object) -> str:
    """HTML-escaped text of ``value`` (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def md(value: object) -> str:
    """Markdown-safe text: HTML-escaped, Markdown's special characters backslashed, one line."""
    text = html.escape(" ".join(str(value).split()), quote=False)
    for ch in "\\|*_[]`#":
        text = text.replace(ch, "\\" + ch)
    return text


def exact(value: object) -> str:
    """A probability as exact text: Fractions and ints through `fraction_text`, text as it is."""
    if isinstance(value, (Fraction, int)) and not isinstance(value, bool):
        return fraction_text(value)
    return str(value)


def _is_zero(text: str) -> bool:
    return text in ("0", "0/1")


def ranking_text(pref: Sequence[str]) -> str:
    """``"a > b > outside"``: a ranking of acceptable objects, best first, then the outside option."""
    return " > ".join([*map(str, pref), "outside"])


def profile_text(profile: Sequence[Sequence[str]]) -> str:
    """``"a > b > outside; c > outside"``: one ranking per agent, in agent order."""
    return "; ".join(ranking_text(p) for p in profile)


def _cut(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    return f"{text[: MAX_TEXT - 1]}\u2026 ({len(text):,} characters)"


def value_text(value: object) -> str:
    """Short text of an evidence value: scalars as they are, a list of scalars comma-separated,
    anything else as compact JSON, cut at `MAX_TEXT` characters."""
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int)) for v in value[:MAX_TEXT]):
        text = ", ".join(str(v) for v in value[:MAX_TEXT])
        if len(text) <= MAX_TEXT and len(value) <= MAX_TEXT:
            return text
        return f"{text[: MAX_TEXT - 1]}\u2026 ({len(value):,} entries)"
    if isinstance(value, (Mapping, list, tuple)):
        try:
            text = json.dumps(_bounded(value, MAX_TEXT), separators=(",", ":"), default=str)
        except _TooLarge:
            return f"<{type(value).__name__} of {len(value):,} entries>"
        except (TypeError, ValueError):  # keys JSON cannot write: not from a file, from code
            text = repr(value)
        return _cut(text)
    return _cut(str(value))


def _bounded(value: Any, budget: int) -> Any:
    """``value`` unchanged if it has at most ``budget`` scalars and containers, else `_TooLarge`."""
    left = [budget]

    def walk(v: Any) -> None:
        left[0] -= 1
        if left[0] < 0:
            raise _TooLarge
        if isinstance(v, Mapping):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(value)
    return value


# ---------------------------------------------------------------- HTML and Markdown tables


def _cell(text: str, marked: bool = False) -> str:
    style = _CELL + (_MARK if marked else _ZERO if _is_zero(text) else "")
    flag = ' data-violated="true"' if marked else ""
    return f'<td style="{style}"{flag}>{esc(text)}</td>'


def _html_table(head: Sequence[str], rows: Sequence[str], caption: str = "", more: str = "") -> str:
    """One table: ``rows`` are ready ``<tr>`` bodies (cells written by `_cell` / `_label`)."""
    out = [f'<table style="{_TABLE}">']
    if caption:
        out.append(f'<caption style="{_NOTE};text-align:left">{esc(caption)}</caption>')
    out.append("<thead><tr>" + "".join(f'<th style="{_HEAD}">{esc(h)}</th>' for h in head) + "</tr></thead>")
    out.append("<tbody>" + "".join(f"<tr>{r}</tr>" for r in rows))
    if more:
        out.append(f'<tr><td style="{_LEFT}" colspan="{len(head)}">{esc(more)}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _label(text: str, bold: bool = False) -> str:
    return f'<td style="{_LEFT}{";font-weight:bold" if bold else ""}">{esc(text)}</td>'


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A Markdown table; the first ``left`` columns are left-aligned, the others right-aligned.
    Cells are given already Markdown-safe (through `md`)."""
    lines = ["| " + " | ".join(md(h) for h in head) + " |"]
    lines.append("|" + "|".join(":---" if k < left else "---:" for k in range(len(head))) + "|")
    lines.extend("| " + " | ".join(r) + " |" for r in rows)
    return "\n".join(lines)


def _more(shown: int, total: int, what: str) -> str:
    return f"\u2026 {total - shown:,} more {what} ({total:,} in all)" if total > shown else ""


# ---------------------------------------------------------------- problems and assignments


def problem_repr(problem: Any) -> str:
    """The shortest ``Problem.make(...)`` call that builds ``problem``."""
    n = len(problem.agents)
    agents = (
        str(n) if problem.agents == tuple(str(k) for k in range(1, n + 1)) else repr(list(problem.agents))
    )
    objs = problem.objects
    compact = all(len(x) == 1 and x not in (" ", ",") for x in objs)
    objects = repr("".join(objs)) if compact else repr(list(objs))
    caps = "" if all(q == 1 for q in problem.capacities) else f", {list(problem.capacities)!r}"
    return f"Problem.make({agents}, {objects}{caps})"


def problem_caption(problem: Any) -> str:
    caps = ", ".join(f"{x}: {q}" for x, q in zip(problem.objects, problem.capacities, strict=True) if q != 1)
    return f"{len(problem.agents)} agents, {len(problem.objects)} objects" + (
        f" (capacities {caps}; others 1)" if caps else ""
    )


def assignment_repr(gamma: Any) -> str:
    """``StochasticAssignment.from_rows(Problem.make(...), [["1/2", "3/8", "0", "1/8"], ...])``;
    over `REPR_BUDGET` cells, a summary in ``<...>`` with the first rows."""
    rows = [[fraction_text(v) for v in row] for row in gamma.matrix]
    if len(rows) * (len(gamma.problem.objects) + 1) <= REPR_BUDGET:
        return f"StochasticAssignment.from_rows({problem_repr(gamma.problem)}, {rows!r})"
    return (
        f"<StochasticAssignment of {problem_repr(gamma.problem)}: {len(rows):,} rows, "
        f"first {MAX_ROWS}: {rows[:MAX_ROWS]!r}>"
    )


def assignment_html(gamma: Any, caption: str | None = None) -> str:
    """An agent x column table of exact shares (objects, then outside), first `MAX_ROWS` agents."""
    p = gamma.problem
    rows = [
        _label(a) + "".join(_cell(fraction_text(v)) for v in row)
        for a, row in zip(p.agents[:MAX_ROWS], gamma.matrix[:MAX_ROWS], strict=False)
    ]
    caption = caption or f"stochastic assignment: {problem_caption(p)}; size {fraction_text(gamma.size())}"
    return _html_table(["agent", *p.columns], rows, caption, _more(len(rows), p.n, "agents"))


def assignment_markdown(gamma: Any) -> str:
    p = gamma.problem
    rows = [
        [md(a), *(md(fraction_text(v)) for v in row)]
        for a, row in zip(p.agents[:MAX_ROWS], gamma.matrix[:MAX_ROWS], strict=False)
    ]
    more = _more(len(rows), p.n, "agents")
    table = _md_table(["agent", *p.columns], rows)
    return f"{md('Stochastic assignment: ' + problem_caption(p))}\n\n{table}" + (
        f"\n\n{md(more)}" if more else ""
    )


# ---------------------------------------------------------------- lotteries


def lottery_repr(lottery: Any) -> str:
    """``Lottery.make(Problem.make(...), [("1/2", ("a", None)), ...])`` (None: the outside option)."""
    items = [(fraction_text(w), tuple(d.assigned)) for w, d in lottery.outcomes]
    if len(items) * max(1, len(lottery.problem.agents)) <= REPR_BUDGET:
        return f"Lottery.make({problem_repr(lottery.problem)}, {items!r})"
    return (
        f"<Lottery of {problem_repr(lottery.problem)}: {len(items):,} outcomes, "
        f"first {MAX_ROWS}: {items[:MAX_ROWS]!r}>"
    )


def _outcome_cells(assigned: Sequence[str | None]) -> str:
    return "".join(
        f'<td style="{_CELL}{_ZERO if x is None else ""}">{esc("outside" if x is None else x)}</td>'
        for x in assigned
    )


def lottery_html(lottery: Any) -> str:
    """One row per outcome: its exact weight and each agent's object."""
    p = lottery.problem
    rows = [_cell(fraction_text(w)) + _outcome_cells(d.assigned) for w, d in lottery.outcomes[:MAX_ROWS]]
    caption = f"lottery over {len(lottery.outcomes):,} deterministic assignments: {problem_caption(p)}"
    more = _more(len(rows), len(lottery.outcomes), "outcomes")
    return _html_table(["weight", *(f"agent {a}" for a in p.agents)], rows, caption, more)


def lottery_markdown(lottery: Any) -> str:
    p = lottery.problem
    rows = [
        [md(fraction_text(w)), *(md("outside" if x is None else x) for x in d.assigned)]
        for w, d in lottery.outcomes[:MAX_ROWS]
    ]
    more = _more(len(rows), len(lottery.outcomes), "outcomes")
    table = _md_table(["weight", *(f"agent {a}" for a in p.agents)], rows, left=0)
    head = md(f"Lottery over {len(lottery.outcomes):,} deterministic assignments: {problem_caption(p)}")
    return f"{head}\n\n{table}" + (f"\n\n{md(more)}" if more else "")


# ---------------------------------------------------------------- tabulated mechanisms


def domain_repr(domain: Any) -> str:
    """``Domain.full(Problem.make(...))``, or ``Domain.restricted(...)`` (sizes only when long)."""
    from verified.assignment.domain import all_preferences

    problem = problem_repr(domain.problem)
    if all(prefs == all_preferences(domain.problem.objects) for prefs in domain.preferences):
        return f"Domain.full({problem})"
    prefs = [
        ["".join(p) if all(len(x) == 1 for x in p) else list(p) for p in agent]
        for agent in domain.preferences
    ]
    text = repr(prefs)
    if len(text) <= MAX_TEXT:
        return f"Domain.restricted({problem}, {text})"
    return f"Domain.restricted({problem}, <{' x '.join(str(s) for s in domain.sizes)} rankings>)"


def table_repr(table: Any) -> str:
    shape = " x ".join(f"{s:,}" for s in table.numerators.shape)
    return (
        f"TabulatedMechanism(domain={domain_repr(table.domain)}, numerators=<{shape} integers>, "
        f"denominator={table.denominator!r}, name={table.name!r})"
    )


def _table_caption(table: Any) -> str:
    kind = "full domain" if table.domain.is_full else "restricted domain"
    return (
        f"tabulated mechanism {table.name!r}: {len(table.domain):,} profiles ({kind}), "
        f"{problem_caption(table.problem)}; exact entries over the denominator {table.denominator}"
    )


def table_html(table: Any) -> str:
    """The first `MAX_PROFILES` profiles: one row per agent with her ranking and exact shares."""
    p = table.problem
    shown = min(len(table.domain), MAX_PROFILES)
    rows = []
    for index in range(shown):
        profile = table.domain.profile(index)
        gamma = table.at_index(index)
        for i, (a, row) in enumerate(zip(p.agents, gamma.matrix, strict=True)):
            first = f'<td style="{_LEFT}" rowspan="{p.n}">{index}</td>' if i == 0 else ""
            cells = "".join(_cell(fraction_text(v)) for v in row)
            rows.append(first + _label(a) + _label(ranking_text(profile[i])) + cells)
    more = _more(shown, len(table.domain), "profiles")
    return _html_table(["profile", "agent", "ranking", *p.columns], rows, _table_caption(table), more)


def table_markdown(table: Any) -> str:
    p = table.problem
    shown = min(len(table.domain), MAX_PROFILES)
    rows = []
    for index in range(shown):
        profile = table.domain.profile(index)
        gamma = table.at_index(index)
        for i, (a, row) in enumerate(zip(p.agents, gamma.matrix, strict=True)):
            rows.append(
                [str(index), md(a), md(ranking_text(profile[i])), *(md(fraction_text(v)) for v in row)]
            )
    more = _more(shown, len(table.domain), "profiles")
    table_md = _md_table(["profile", "agent", "ranking", *p.columns], rows, left=3)
    return f"{md(_table_caption(table))}\n\n{table_md}" + (f"\n\n{md(more)}" if more else "")


# ---------------------------------------------------------------- evidence and verdicts


def violated_columns(evidence: Mapping[str, Any]) -> tuple[str, ...]:
    """The columns (objects or ``"outside"``) of a FAILS evidence's lottery rows that make the
    violation: the ``prefix`` of an FOSD / strategy-proofness / dominance violation (the upper
    contour set whose cumulative probability falls short), ``y`` and ``z`` of a waste (the agent
    gets ``y`` although she prefers ``z``, which is not fully assigned), the ``object`` of an
    unacceptable share, and the columns where two unequally treated agents' ``rows`` differ.
    Empty for any other evidence. Malformed evidence gives what can be read, never an error."""
    if not isinstance(evidence, Mapping):
        return ()
    kind = evidence.get("kind")
    if isinstance(evidence.get("prefix"), (list, tuple)) and kind in ("violated_prefix", "manipulation"):
        return tuple(str(x) for x in evidence["prefix"])
    if kind == "waste":
        return tuple(str(evidence[k]) for k in ("y", "z") if isinstance(evidence.get(k), str))
    if kind == "unacceptable_share" and isinstance(evidence.get("object"), str):
        return (evidence["object"],)
    rows = evidence.get("rows")
    if (
        kind == "unequal_rows"
        and isinstance(rows, list)
        and len(rows) == 2
        and all(isinstance(r, Mapping) for r in rows)
    ):
        keys = list(dict.fromkeys([*rows[0], *rows[1]]))
        return tuple(str(k) for k in keys if str(rows[0].get(k, "0")) != str(rows[1].get(k, "0")))
    return ()


def _evidence_rows(evidence: Mapping[str, Any]) -> list[tuple[str, str | None, Mapping[str, Any]]]:
    """(label, key of the cumulative sum or None, row) for every lottery row in the evidence."""
    found = [
        (label, cum, evidence[key])
        for key, (label, cum) in ROW_KEYS.items()
        if isinstance(evidence.get(key), Mapping)
    ]
    rows = evidence.get("rows")
    if isinstance(rows, list) and all(isinstance(r, Mapping) for r in rows[:MAX_ROWS]):
        agents = evidence.get("agents") if isinstance(evidence.get("agents"), list) else []
        for k, row in enumerate(rows[:MAX_ROWS]):
            name = agents[k] if k < len(agents) else k + 1
            found.append((f"agent {name}", None, row))
    return found


def _row_columns(evidence: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Columns in the agent's order: her ranking, the outside option, then any other column."""
    pref = evidence.get("true_preference", evidence.get("preference"))
    first = [str(x) for x in pref] if isinstance(pref, (list, tuple)) else []
    keys = [str(k) for r in rows for k in r]
    present = set(keys)
    return [c for c in dict.fromkeys([*first, "outside", *keys]) if c in present]


def _used_keys(evidence: Mapping[str, Any]) -> set[str]:
    used = {"kind", "rows"} | {k for k in ROW_KEYS if isinstance(evidence.get(k), Mapping)}
    used |= {cum for k, (_, cum) in ROW_KEYS.items() if cum and k in used and cum in evidence}
    if isinstance(evidence.get("profile"), (list, tuple)):
        used.add("profile")
    if used & set(ROW_KEYS) and isinstance(evidence.get("prefix"), (list, tuple)):
        used.add("prefix")  # the caption of the rows' table
    return used


def _profile_agents(profile: list[Any], agents: Sequence[str] | None) -> list[str]:
    return [str(agents[k]) if agents and k < len(agents) else str(k + 1) for k in range(len(profile))]


def evidence_html(evidence: Mapping[str, Any], failed: bool, agents: Sequence[str] | None = None) -> str:
    """The evidence: its lottery rows (violated cells marked when ``failed``), the profile, and
    every other field (summarised). ``agents`` names the profile's agents (else 1, 2, ...)."""
    if not isinstance(evidence, Mapping):
        return f'<p style="{_NOTE}">evidence: {esc(value_text(evidence))}</p>'
    parts = [f'<p style="{_NOTE}">evidence: {esc(evidence.get("kind", "?"))}</p>']
    marked = set(violated_columns(evidence)) if failed else set()
    rows = _evidence_rows(evidence)
    if rows:
        columns = _row_columns(evidence, [r for _, _, r in rows])
        prefix = evidence.get("prefix") if isinstance(evidence.get("prefix"), (list, tuple)) else None
        head = ["lottery", *columns] + (["sum over the prefix"] if prefix else [])
        body = []
        for label, cum, row in rows:
            cells = "".join(_cell(exact(row.get(c, "0")), c in marked) for c in columns)
            if prefix:
                cells += _cell(exact(evidence.get(cum, "")) if cum else "")
            body.append(_label(label) + cells)
        caption = f"prefix {{{', '.join(map(str, prefix))}}}" if prefix else ""
        parts.append(_html_table(head, body, caption))
    profile = evidence.get("profile")
    if isinstance(profile, (list, tuple)):
        names = _profile_agents(profile, agents)
        who = str(evidence.get("agent", ""))
        body = [
            _label(a, bold=a == who)
            + _label(ranking_text(p) if isinstance(p, (list, tuple)) else value_text(p))
            for a, p in zip(names[:MAX_ROWS], profile[:MAX_ROWS], strict=True)
        ]
        parts.append(
            _html_table(["agent", "ranking"], body, "profile", _more(len(body), len(profile), "agents"))
        )
    used = _used_keys(evidence)
    rest = [k for k in evidence if str(k) not in used]
    if rest:
        body = [_label(k) + _label(value_text(evidence[k])) for k in rest[: MAX_ROWS * 4]]
        parts.append(_html_table(["field", "value"], body, "", _more(len(body), len(rest), "fields")))
    return "".join(parts)


def evidence_markdown(evidence: Mapping[str, Any], failed: bool, agents: Sequence[str] | None = None) -> str:
    if not isinstance(evidence, Mapping):
        return md(f"evidence: {value_text(evidence)}")
    parts = [md(f"evidence: {evidence.get('kind', '?')}")]
    marked = set(violated_columns(evidence)) if failed else set()
    rows = _evidence_rows(evidence)
    if rows:
        columns = _row_columns(evidence, [r for _, _, r in rows])
        prefix = evidence.get("prefix") if isinstance(evidence.get("prefix"), (list, tuple)) else None
        body = []
        for label, cum, row in rows:
            cells = [md(exact(row.get(c, "0"))) for c in columns]
            cells = [f"**{t}**" if c in marked else t for t, c in zip(cells, columns, strict=True)]
            extra = [md(exact(evidence.get(cum, "")) if cum else "")] if prefix else []
            body.append([md(label), *cells, *extra])
        head = ["lottery", *columns] + (["sum over the prefix"] if prefix else [])
        if prefix:
            parts.append(md(f"prefix {{{', '.join(map(str, prefix))}}}"))
        parts.append(_md_table(head, body))
    profile = evidence.get("profile")
    if isinstance(profile, (list, tuple)):
        names = _profile_agents(profile, agents)
        lines = [
            f"- agent {md(a)}: {md(ranking_text(p) if isinstance(p, (list, tuple)) else value_text(p))}"
            for a, p in zip(names[:MAX_ROWS], profile[:MAX_ROWS], strict=True)
        ]
        more = _more(len(lines), len(profile), "agents")
        parts.append(md("profile:") + "\n\n" + "\n".join(lines + ([f"- {md(more)}"] if more else [])))
    used = _used_keys(evidence)
    rest = [k for k in evidence if str(k) not in used]
    if rest:
        shown = rest[: MAX_ROWS * 4]
        lines = [f"- {md(k)}: {md(value_text(evidence[k]))}" for k in shown]
        more = _more(len(shown), len(rest), "fields")
        parts.append("\n".join(lines + ([f"- {md(more)}"] if more else [])))
    return "\n\n".join(parts)


def verdict_badge(verdict: str) -> str:
    style = _BADGE.get(verdict, _BADGE["unknown"])
    return (
        f'<span style="{style};padding:1px 6px;border-radius:3px;font-weight:bold" '
        f'data-verdict="{esc(verdict)}">{esc(verdict.upper())}</span>'
    )


def result_html(result: Any, agents: Sequence[str] | None = None, title: str = "") -> str:
    verdict = result.verdict.value
    reason = f" \u2014 {esc(result.reason)}" if result.reason else ""
    head = (
        f'<div style="font-family:sans-serif;font-size:13px"><b>{esc(title or result.property)}</b> '
        f"{verdict_badge(verdict)}{reason}</div>"
    )
    body = evidence_html(result.evidence, verdict == "fails", agents)
    return f'<div style="margin:4px 0">{head}{body}</div>'


def result_markdown(result: Any, agents: Sequence[str] | None = None) -> str:
    reason = f" \u2014 {md(result.reason)}" if result.reason else ""
    head = f"**{md(result.property)}**: {result.verdict.value.upper()}{reason}"
    return f"{head}\n\n{evidence_markdown(result.evidence, result.verdict.value == 'fails', agents)}"


def result_repr(result: Any) -> str:
    """``CheckResult(property=..., verdict=Verdict.FAILS, evidence={...}, reason=...)``; evidence
    of more than `REPR_BUDGET` entries is summarised in ``<...>``."""
    try:
        evidence = repr(dict(_bounded(result.evidence, REPR_BUDGET)))
    except _TooLarge:
        evidence = f"<{result.evidence.get('kind', '?')!r} evidence, too large to show>"
    reason = f", reason={result.reason!r}" if result.reason else ""
    return (
        f"CheckResult(property={result.property!r}, verdict=Verdict.{result.verdict.name}, "
        f"evidence={evidence}{reason})"
    )


# ---------------------------------------------------------------- certificates


def _subject_lines(cert: Any) -> list[tuple[str, str]]:
    lines = [("file", str(cert.path))] if cert.path else []
    lines.append(("subject SHA-256", str(cert.sha256)))
    enc = cert.encoding
    if isinstance(enc, Mapping):
        lines.append(("subject", " ".join(str(enc.get(k, "")) for k in ("family", "kind")).strip() or "?"))
        if cert.mechanism_name is not None:
            lines.append(("mechanism", str(cert.mechanism_name)))
        problem = enc.get("problem")
        if isinstance(problem, Mapping):
            for key in ("agents", "objects"):
                if isinstance(problem.get(key), list):
                    lines.append((key, value_text(problem[key])))
        mech = enc.get("mechanism")
        if isinstance(mech, Mapping) and isinstance(mech.get("numerators"), (list, tuple)):
            lines.append(
                ("table", f"{len(mech['numerators']):,} profiles, denominator {mech.get('denominator')}")
            )
    doc = cert.document if isinstance(cert.document, Mapping) else {}
    tool = doc.get("tool")
    if isinstance(tool, Mapping):
        lines.append(("written by", f"{tool.get('name')} {tool.get('version')}"))
    lines.append(("schema", str(doc.get("schema"))))
    return lines


def certificate_html(cert: Any) -> str:
    """The verdict, the evidence (marked as for a result) and what the certificate is about."""
    verdict = str(cert.verdict)
    reason = f" \u2014 {esc(cert.reason)}" if cert.reason else ""
    head = (
        f'<div style="font-family:sans-serif;font-size:13px">certificate: <b>{esc(cert.property)}</b> '
        f"{verdict_badge(verdict)}{reason}</div>"
        f'<p style="{_NOTE}">a view of the file, not a check: <code>verified recheck</code> verifies it</p>'
    )
    body = evidence_html(cert.evidence, verdict == "fails", cert.agents)
    about = _html_table(["about", ""], [_label(k) + _label(v) for k, v in _subject_lines(cert)])
    return f'<div style="margin:4px 0">{head}{body}{about}</div>'


def certificate_markdown(cert: Any) -> str:
    verdict = str(cert.verdict)
    reason = f" \u2014 {md(cert.reason)}" if cert.reason else ""
    head = f"certificate: **{md(cert.property)}**: {md(verdict.upper())}{reason}"
    about = "\n".join(f"- {md(k)}: {md(v)}" for k, v in _subject_lines(cert))
    return f"{head}\n\n{evidence_markdown(cert.evidence, verdict == 'fails', cert.agents)}\n\n{about}"
