"""pandas DataFrames of assignments, lotteries, tables, check results, certificates and violations.

pandas is optional (``pip install 'verified[pandas]'``) and imported only when a frame is built;
without it every builder raises `verified.errors.MissingExtra` with that install line.

Exactness: a probability column (``share``, ``weight``, or any column named in
``violations_frame(fractions=...)``) holds `fractions.Fraction` objects (dtype ``object``): that
column is the exact one, and the one to compute with (``df.share.sum()`` is a Fraction). Next to
it, and only as a convenience for plotting and sorting, a ``*_float`` column holds the nearest
floats; nothing in `verified` ever reads it back.

Layouts (``object`` names a column of an assignment row: an object, or ``"outside"`` for the
outside option, so an assignment of n agents and m objects gives n * (m + 1) rows):

* `assignment_frame`: agent, object, share, share_float;
* `lottery_frame`: outcome, weight, weight_float, agent, object (None: the outside option);
* `table_frame`: profile_index, profile (its text, `verified.display.profile_text`), agent,
  ranking, object, share, share_float -- ``|domain| * n * (m + 1)`` rows, or fewer with ``profiles``;
* `result_frame`: one row per result: property, verdict, reason, evidence_kind;
* `certificate_frame`: as `result_frame`, plus mechanism, sha256 and file;
* `violations_frame`: one row per violation (any iterable of mappings, dataclasses or named
  tuples, e.g. the evidence rows of a check's ``all_violations``), columns in first-seen order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from verified.display import ranking_text
from verified.errors import InvalidInput, require_extra
from verified.numbers import to_fraction

FEATURE = "to_pandas()"
#: Columns `violations_frame` reads as exact Fractions unless told otherwise (``fractions=``):
#: the evidence's probabilities and cumulative sums.
EXACT_SUFFIXES = ("_cumulative", "probability", "share", "weight", "gamma_jy", "z_column_sum")


def _pandas() -> Any:
    return require_extra("pandas", "pandas", FEATURE)


def _floats(values: list[Fraction]) -> np.ndarray:
    # float ok: the convenience column beside the exact one, never read back
    return np.array([float(v) for v in values], dtype=float)


def assignment_frame(gamma: Any) -> Any:
    """One row per agent and column of ``gamma`` (a `StochasticAssignment`), agent order, then
    column order (objects, then ``"outside"``)."""
    pd = _pandas()
    p = gamma.problem
    shares = [v for row in gamma.matrix for v in row]
    return pd.DataFrame(
        {
            "agent": [a for a in p.agents for _ in p.columns],
            "object": [x for _ in p.agents for x in p.columns],
            "share": pd.Series(shares, dtype=object),
            "share_float": _floats(shares),
        }
    )


def lottery_frame(lottery: Any) -> Any:
    """One row per outcome and agent of ``lottery``; ``object`` None is the outside option."""
    pd = _pandas()
    p = lottery.problem
    rows = [
        (k, w, a, x)
        for k, (w, d) in enumerate(lottery.outcomes)
        for a, x in zip(p.agents, d.assigned, strict=True)
    ]
    weights = [w for _, w, _, _ in rows]
    return pd.DataFrame(
        {
            "outcome": [k for k, _, _, _ in rows],
            "weight": pd.Series(weights, dtype=object),
            "weight_float": _floats(weights),
            "agent": [a for _, _, a, _ in rows],
            "object": pd.Series([x for _, _, _, x in rows], dtype=object),
        }
    )


def _profile_indices(table: Any, profiles: Iterable[int] | None) -> np.ndarray:
    size = len(table.domain)
    if profiles is None:
        return np.arange(size, dtype=np.int64)
    out = []
    for k, index in enumerate(profiles):
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < size:
            raise InvalidInput(f"expected a profile index in 0..{size - 1}, got {index!r}", f"profiles[{k}]")
        out.append(int(index))
    return np.array(out, dtype=np.int64)


def _ranking_texts(domain: Any, chosen: np.ndarray) -> np.ndarray:
    """Agent i's ranking text at each chosen profile, shape (profiles, agents): the mixed-radix
    digits of the indices (agent 0 most significant, as `Domain.index`) pick from each agent's
    list of texts, each text made once."""
    rest = chosen.copy()
    out = np.empty((len(chosen), domain.problem.n), dtype=object)
    for i in reversed(range(domain.problem.n)):
        size = domain.sizes[i]
        texts = np.array([ranking_text(pref) for pref in domain.preferences[i]], dtype=object)
        out[:, i] = texts[rest % size]
        rest //= size
    return out


def table_frame(table: Any, profiles: Iterable[int] | None = None) -> Any:
    """One row per profile, agent and column of ``table`` (a `TabulatedMechanism` or any table
    with ``domain``, ``numerators`` and ``denominator``), for every profile or the indices in
    ``profiles``. Each distinct numerator becomes one shared `Fraction` (a table has few)."""
    pd = _pandas()
    p = table.problem
    chosen = _profile_indices(table, profiles)
    columns = len(p.columns)
    block = p.n * columns
    nums = np.asarray(table.numerators)[chosen].reshape(-1)
    den = int(table.denominator)
    distinct, position = np.unique(nums, return_inverse=True)
    exact = [Fraction(int(v), den) for v in distinct]
    shares = [exact[k] for k in position.reshape(-1).tolist()]
    rankings = _ranking_texts(table.domain, chosen)  # (profiles, agents)
    texts = np.array(["; ".join(row) for row in rankings.tolist()], dtype=object)
    return pd.DataFrame(
        {
            "profile_index": np.repeat(chosen, block),
            "profile": np.repeat(texts, block),
            "agent": np.tile(np.repeat(np.array(p.agents, dtype=object), columns), len(chosen)),
            "ranking": np.repeat(rankings.reshape(-1), columns),
            "object": np.tile(np.array(p.columns, dtype=object), p.n * len(chosen)),
            "share": pd.Series(shares, dtype=object),
            # float ok: the convenience column beside the exact one, never read back
            "share_float": nums.astype(float) / den if nums.dtype != object else _floats(shares),
        }
    )


def _records(pd: Any, rows: list[dict[str, Any]], columns: list[str]) -> Any:
    """A frame of text columns kept as Python objects, so a missing value is None (pandas 3
    would otherwise store text as its string dtype, with NaN for None)."""
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns}, columns=columns)


def result_frame(results: Iterable[Any]) -> Any:
    """One row per `CheckResult`: property, verdict (``"holds"``/``"fails"``/``"unknown"``),
    reason (None when there is none) and the evidence's kind."""
    pd = _pandas()
    rows = [
        {
            "property": r.property,
            "verdict": r.verdict.value,
            "reason": r.reason,
            "evidence_kind": r.evidence.get("kind"),
        }
        for r in results
    ]
    return _records(pd, rows, ["property", "verdict", "reason", "evidence_kind"])


def certificate_frame(certificates: Iterable[Any]) -> Any:
    """One row per `verified.certificates.Certificate` (as written, not re-checked)."""
    pd = _pandas()
    rows = []
    for c in certificates:
        evidence = c.evidence
        rows.append(
            {
                "property": c.property,
                "verdict": c.verdict,
                "reason": c.reason,
                "evidence_kind": evidence.get("kind") if isinstance(evidence, Mapping) else None,
                "mechanism": c.mechanism_name,
                "sha256": c.sha256,
                "file": c.path,
            }
        )
    columns = ["property", "verdict", "reason", "evidence_kind", "mechanism", "sha256", "file"]
    return _records(pd, rows, columns)


def _as_mapping(row: Any, k: int) -> Mapping[str, Any]:
    if isinstance(row, Mapping):
        return row
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    if hasattr(row, "_asdict"):
        return row._asdict()
    what = type(row).__name__
    raise InvalidInput(
        f"a violation row must be a mapping, a dataclass or a named tuple, got {what}", f"rows[{k}]"
    )


def _is_exact_column(name: str) -> bool:
    return name.endswith(EXACT_SUFFIXES) or name in ("a", "b")


def violations_frame(rows: Iterable[Any], *, fractions: Iterable[str] | None = None) -> Any:
    """One row per violation. ``rows``: mappings (e.g. evidence dicts), dataclasses or named
    tuples; columns are the union of their keys in first-seen order (a missing key is None).

    The columns named in ``fractions`` (default: those ending in `EXACT_SUFFIXES`, and ``a`` /
    ``b`` of an FOSD violation) are read as exact Fractions (a ``Fraction``, an int, or text like
    ``"3/8"``; anything else, a float included, is `InvalidInput` naming the row and the column),
    and each gets a ``<name>_float`` column beside it. Lists (profiles, rankings, prefixes) become
    tuples, so the frame can be grouped by them."""
    pd = _pandas()
    records = [_as_mapping(row, k) for k, row in enumerate(rows)]
    names = list(dict.fromkeys(str(key) for r in records for key in r))
    exact = set(fractions) if fractions is not None else {n for n in names if _is_exact_column(n)}
    data: dict[str, Any] = {}
    for name in names:
        values = [_freeze(r.get(name)) for r in records]
        if name in exact:
            values = [
                None if v is None else to_fraction(v, f"rows[{k}][{name!r}]") for k, v in enumerate(values)
            ]
            data[name] = pd.Series(values, dtype=object)
            # float ok: the convenience column beside the exact one, never read back
            data[f"{name}_float"] = [None if v is None else float(v) for v in values]
        else:
            data[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=list(data), index=pd.RangeIndex(len(records)))


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value
