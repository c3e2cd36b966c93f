"""A hunt's answers in words, and as plain JSON (what the command line prints)."""

from __future__ import annotations

from typing import Any

from verified.assignment.model import Problem, Profile
from verified.hunt.api import Hunted, HuntReport

_SKIPPED_FROM_EXPLAIN = ("At the profile", "Subject SHA-256", "Re-check it")


def active_profile(problem: Problem, profile: Profile) -> str:
    """The agents who find something acceptable, with their rankings; the rest counted."""
    shown = [f"{problem.agents[i]}: {' > '.join(r)}" for i, r in enumerate(profile) if r]
    idle = problem.n - len(shown)
    rest = f" (the other {idle} agents find nothing acceptable)" if idle and shown else ""
    return ("; ".join(shown) or "every agent finds nothing acceptable") + rest


def answer_lines(report: HuntReport, answer: Hunted) -> list[str]:
    """The lines under one property's verdict."""
    from verified.explain import explain

    if answer.violation is None or answer.certificate is None:
        return [answer.result.reason or ""]
    problem = report.subject.problem
    lines = [f"profile: {active_profile(problem, answer.violation.profile)}"]
    text = explain(answer.certificate, list(problem.agents)).splitlines()[1:]
    lines += [line.rstrip() for line in text if line.strip() and not line.startswith(_SKIPPED_FROM_EXPLAIN)]
    first = (
        "" if answer.first_seconds is None else f"first counterexample after {answer.first_seconds:.2f} s; "
    )
    lines.append(f"{first}shrunk and re-verified exactly; {answer.seconds:.2f} s for this property")
    return lines


def summary_line(report: HuntReport) -> str:
    skipped = f", {report.skipped:,} profiles skipped (exact lottery out of reach)" if report.skipped else ""
    return (
        f"tried {report.profiles:,} profiles and {report.misreports:,} misreports "
        f"({report.evaluations:,} evaluations{skipped}) in {report.seconds:.1f} s, seed {report.seed}"
    )


def report_json(report: HuntReport) -> dict[str, Any]:
    """The hunt as plain JSON: per property the verdict, evidence or reason, and the counts."""
    results = []
    for answer in report.answers:
        entry: dict[str, Any] = answer.result.to_json()
        entry["seconds"] = round(answer.seconds, 3)
        if answer.first_seconds is not None:
            entry["first_counterexample_seconds"] = round(answer.first_seconds, 3)
        results.append(entry)
    return {
        "mechanism": report.subject.name,
        "seed": report.seed,
        "profiles": report.profiles,
        "misreports": report.misreports,
        "evaluations": report.evaluations,
        "skipped": report.skipped,
        "skip_reason": report.skip_reason,
        "seconds": round(report.seconds, 3),
        "strategies": list(report.strategies),
        "results": results,
    }
