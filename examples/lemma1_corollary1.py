"""Lemma 1 and Corollary 1 (Valenzuela-Stookey, section 2.1): how far can a non-choice mechanism
move away from the status quo under the status-quo constraint (SQ) and market clearing (MC)?

Two teachers, two tasks, one expected task of each per teacher. With no slack (beta = 1) and a
full-dimensional common cost box, Corollary 1 says the status quo is the only allocation that
(SQ) and (MC) allow: the library proves it with one exact LP per teacher and task. With slack
(beta = 2), or with cost boxes that meet in a single point, other allocations appear; the
library finds the largest departure and checks Lemma 1's bound on it. Each verdict is written as
a certificate and re-verified by the independent checker.

    python examples/lemma1_corollary1.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from verified.certificates import build_certificate, write_certificate
from verified.recheck import recheck_file
from verified.trading.lemma1 import check_corollary1, check_lemma1, check_status_quo_unique, lemma1_subject
from verified.trading.model import CostDomain, Economy


def economy(domains: object) -> Economy:
    return Economy.make(
        tasks=["grading", "teaching"],
        agents=["Ana", "Ben"],
        endowment=[[1, 1], [1, 1]],
        performance=[[1, 2], [2, 1]],  # Ana grades better, Ben teaches better
        cost_domains=domains,  # type: ignore[arg-type]
    )


def show(rows: list[list[str]]) -> str:
    return "; ".join(f"{name} ({', '.join(row)})" for name, row in zip(["Ana", "Ben"], rows, strict=True))


def report(title: str, econ: Economy, beta: object, folder: Path) -> None:
    print(title)
    corollary = check_corollary1(econ, beta)
    ev = corollary.evidence
    print(f"  Corollary 1's hypotheses hold: {ev['predicted']} (common dimension {ev['common_dimension']})")
    unique = check_status_quo_unique(econ, beta)
    print(f"  the status quo is the only (SQ)+(MC) allocation: {unique.verdict}")
    if unique.fails:
        alloc = unique.evidence["allocation"]
        print(f"  largest departure {unique.evidence['departure']} at {unique.evidence['at']}: {show(alloc)}")
        lemma = check_lemma1(econ, alloc, beta).evidence
        scope = "applies" if lemma["applies"] else "silent"
        print(f"  Lemma 1 at it: {lemma['lhs']} <= {lemma['rhs']} ({scope})")
    path = write_certificate(
        build_certificate("status-quo-unique", unique, lemma1_subject(econ, beta)),
        folder / "unique.cert.json",
    )
    print(f"  certificate: {recheck_file(path).split(' - ')[1]}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        square = CostDomain.box([1, 1], [2, 2])
        report("Common box [1,2]^2, beta = 1", economy(square), None, folder)
        report("Common box [1,2]^2, beta = 2", economy(square), 2, folder)
        corner = [CostDomain.box([1, 2], [2, 3]), CostDomain.box([2, 1], [3, 2])]
        report("Boxes meeting in the point (2, 2), beta = 1", economy(corner), None, folder)


if __name__ == "__main__":
    main()
