"""Search benchmarks (Erdil, Propositions 3-4).

python benchmarks/run.py search
VERIFIED_BENCH_N5=1 python benchmarks/run.py search   # also n = 5, m = 3 (minutes, GBs)
python benchmarks/bench_search.py --write-certificate # regenerate certificates/search_full_n4_m3.json
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from run import Case

from verified.assignment.domain import Domain
from verified.assignment.mechanisms.random_priority import tabulate_random_priority
from verified.assignment.model import Problem
from verified.search import find_dominating_mechanism

RP = {"mechanism": "random_priority"}
ROOT = Path(__file__).resolve().parents[1]


_RP4 = {}


def _rp4():  # noqa: ANN202 - the base table is input, built before timing
    if not _RP4:
        domain = Domain.full(Problem.make(4, "abc"))
        _RP4["domain"], _RP4["table"] = domain, tabulate_random_priority(domain)
    return _RP4["domain"], _RP4["table"]


def _neighbourhood() -> str:
    domain, table = _rp4()
    nbhd = [(r, "ca", "cb", "c") for r in domain.preferences[0]]
    out = find_dominating_mechanism(
        table, domain, neighbourhood=nbhd, objective="total-gain", base_spec=RP, check_base=False
    )
    ev = out.result.evidence
    return f"{out.result.verdict}, gain {ev['value']} - {ev['base_value']}, {out.result.stats['rows']} rows"


def full_optimum(n: int) -> tuple[str, dict]:
    problem = Problem.make(n, "abc")
    domain = Domain.full(problem)
    out = find_dominating_mechanism(
        tabulate_random_priority(domain), domain, objective="total-gain", base_spec=RP
    )
    ev = out.result.evidence
    if not out.result.holds:
        return f"{out.result.verdict}: {out.result.reason or ''}", out.result.to_json()
    gain = int(ev["value"]) - int(ev["base_value"]) if "/" not in ev["value"] + ev["base_value"] else None
    return (
        f"{out.result.verdict}, total gain {gain}, {out.result.stats['rows']} rows, "
        f"LP {out.result.stats['lp']}"
    ), out.result.to_json()


def cases() -> list[Case]:
    _rp4()
    out = [
        Case("search: Prop 3(i) neighbourhood optimum (113 vars)", 1.0, _neighbourhood),
        Case("search: full n=4 m=3 optimum over RP, anonymous, certified", 10.0, lambda: full_optimum(4)[0]),
    ]
    if os.environ.get("VERIFIED_BENCH_N5"):
        out.append(Case("search: full n=5 m=3 optimum over RP", 600.0, lambda: full_optimum(5)[0]))
    return out


if __name__ == "__main__":
    if "--write-certificate" in sys.argv:
        note, doc = full_optimum(4)
        path = ROOT / "certificates" / "search_full_n4_m3.json"
        path.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n")
        print(note)
