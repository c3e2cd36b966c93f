"""The search's answer in words, and its certificate file.

`describe` reads the certificate document (not the search's internals): the base rows it
prints are recomputed from the subject by the independent checker's own code
(`verified.recheck.search.Subject`), and every number it prints is one the checker verifies.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from math import factorial
from pathlib import Path
from typing import Any

from verified.certificates import write_certificate as _write
from verified.recheck.search import OUT, Subject


def _pref(r: tuple[str, ...]) -> str:
    return " > ".join([*r, OUT])


def _cell(subj: Subject, key: tuple) -> str:
    if key[0] == "at":
        prof = "; ".join(f"{k + 1}: {' '.join(r) or '-'}" for k, r in enumerate(key[1]))
        return f"agent {subj.agents[key[2]]} at profile ({prof})"
    others = ", ".join(" ".join(r) or "-" for r in key[2])
    seats = factorial(len(key[2]))
    for count in Counter(key[2]).values():
        seats //= factorial(count)
    pairs = (len(key[2]) + 1) * seats
    return f"an agent ranking {_pref(key[1])} while the others rank [{others}] ({pairs} profile-agent pairs)"


def describe(doc: dict[str, Any], limit: int = 20) -> str:
    """Plain text summary of a search certificate document (`SearchOutcome.certificate`)."""
    ev = doc["evidence"]
    if doc["verdict"] == "unknown":
        return f"unknown: {doc.get('reason')}"
    if ev["kind"] == "no_sp_dominator":
        kinds = sorted({c["certificate"] for c in ev["cases"]})
        return (
            "none exists: no strategy-proof mechanism with the requested options dominates the base "
            f"({len(ev['cases'])} case(s), certified by {' and '.join(kinds)} multipliers)"
        )
    subj = Subject(doc["subject"]["encoding"])
    lines = ["found: a strategy-proof mechanism that dominates the base"]
    if "dual" in ev:
        gain = Fraction(ev["value"]) - Fraction(ev["base_value"])
        lines.append(
            f"optimal {subj.objective}: {gain} over the base (objective {ev['value']}), dual certificate"
        )
    changed = []
    for k, (cell_j, row_j) in enumerate(ev["g"]):
        key = subj.cell(cell_j, f"evidence.g[{k}]")
        g, f = subj.row(row_j, key, f"evidence.g[{k}]"), subj.base_row(key)
        moves = [f"{x} {f[x]} -> {g[x]}" for x in [*subj.objects, OUT] if f[x] != g[x]]
        if moves:
            changed.append(f"  {_cell(subj, key)}: {', '.join(moves)}")
    lines.append(f"{len(changed)} row(s) change; strictly better: {len(ev['strict'])} row(s)")
    lines.extend(changed[:limit])
    if len(changed) > limit:
        lines.append(f"  ... and {len(changed) - limit} more")
    if "lotteries" in ev:
        kinds = [
            w for w, on in (("Pareto-efficient", subj.ex_post_efficient), ("stable", subj.stable_tiers)) if on
        ]
        lines.append(
            f"at each of the {len(ev['lotteries'])} changed profiles: a lottery over "
            f"{' and '.join(kinds)} deterministic matchings (listed in the certificate)"
        )
    if "base_checked" in ev:
        checked = ev["base_checked"]
        what = " and ex post stable" if "ex-post-stable" in checked["properties"] else ""
        lines.append(
            f"g is the base elsewhere; the base is SD-strategy-proof{what} on all {checked['profiles']:,} "
            f"profiles ({checked['misreports']:,} misreports compared)"
        )
    return "\n".join(lines)


def write_certificate(path: str | Path, doc: dict[str, Any]) -> Path:
    """Store a search certificate document canonically (`verified.certificates.write_certificate`)."""
    return _write(doc, path)
