"""The search's answer in words: which profiles, which agents, which probabilities move."""

from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction
from math import factorial
from pathlib import Path

from verified.results import CheckResult


def _pref(r: list[str]) -> str:
    return " > ".join([*r, "outside"])


def _cell(cell: list) -> str:
    if cell[0] == "at":
        prof = "; ".join(f"{k + 1}: {' '.join(r) or '-'}" for k, r in enumerate(cell[1]))
        return f"agent {cell[2]} at profile ({prof})"
    others = ", ".join(" ".join(r) or "-" for r in cell[2])
    seats = factorial(len(cell[2]))
    for count in Counter(tuple(r) for r in cell[2]).values():
        seats //= factorial(count)
    n = len(cell[2]) + 1
    pairs = n * seats
    return f"an agent ranking {_pref(cell[1])} while the others rank [{others}] ({pairs} profile-agent pairs)"


def describe(result: CheckResult, limit: int = 20) -> str:
    """Plain text summary of a search result."""
    ev = result.evidence
    if result.unknown:
        return f"unknown: {result.reason}"
    if ev["kind"] == "no_sp_dominator":
        n = len(ev["cases"])
        kinds = sorted({c["certificate"] for c in ev["cases"]})
        return (
            "none exists: no strategy-proof mechanism with the requested options dominates the base "
            f"({n} case(s), certified by {' and '.join(kinds)} multipliers)"
        )
    base = {
        tuple(map(str, [c[0], repr(c[1]), c[2] if len(c) > 2 else ""])): row for c, row in ev["base_rows"]
    }
    g = {tuple(map(str, [c[0], repr(c[1]), c[2] if len(c) > 2 else ""])): (c, row) for c, row in ev["g"]}
    lines = ["found: a strategy-proof mechanism that dominates the base"]
    if "dual" in ev:
        gain = Fraction(ev["value"]) - Fraction(ev["base_value"])
        lines.append(
            f"optimal {ev['objective']}: {gain} over the base (objective {ev['value']}), dual certificate"
        )
    changed = []
    for key, (cell, row) in g.items():
        f = base[key]
        moves = [
            f"{x} {f.get(x, '0')} -> {row.get(x, '0')}"
            for x in sorted(set(f) | set(row))
            if Fraction(f.get(x, "0")) != Fraction(row.get(x, "0"))
        ]
        if moves:
            changed.append(f"  {_cell(cell)}: {', '.join(moves)}")
    lines.append(f"{len(changed)} row(s) change; strictly better: {len(ev['strict'])} row(s)")
    lines.extend(changed[:limit])
    if len(changed) > limit:
        lines.append(f"  ... and {len(changed) - limit} more")
    return "\n".join(lines)


def write_certificate(path: str | Path, result: CheckResult) -> None:
    """Store ``result`` as the search's certificate file (sorted keys, one-space indent)."""
    Path(path).write_text(json.dumps(result.to_json(), sort_keys=True, indent=1) + "\n")
