"""The work of ``verified hunt``, in a child process killed at the time limit.

The hunt's own clock stops the search at ``--time``; a user's function that does not return
(one evaluation longer than the whole limit) is stopped by killing the child a grace period
later. The child streams each property's answer as it is found, so answers given before a kill
keep their verdicts; the others are UNKNOWN with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verified.run.check import raise_failure
from verified.run.child import run_in_child


def grace(seconds: float) -> float:
    """Seconds past ``--time`` before the child is killed (shrinking and certifying finish in
    them): half the time limit, between 3 and 30 s."""
    return min(30.0, max(3.0, seconds / 2))


@dataclass
class HuntOutcome:
    """What the child sent: the mechanism's name, each property's JSON and lines, the
    certificates of FAILS verdicts, the summary (None when the child was killed)."""

    name: str | None = None
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    lines: dict[str, list[str]] = field(default_factory=dict)
    certificates: dict[str, dict[str, Any]] = field(default_factory=dict)
    summary: dict[str, Any] | None = None
    summary_line: str | None = None
    python: str | None = None


def _worker(
    send: Any, path: str, names: list[str], budget: int | None, seconds: float | None, seed: int
) -> None:
    from verified.hunt.api import hunt
    from verified.hunt.words import answer_lines, report_json, summary_line
    from verified.io.hunt import load_hunt_subject

    subject = load_hunt_subject(path)
    if "python" in subject.description:
        send(("python", subject.description["python"]))
    send(("name", subject.name))

    def answered(report: Any, answer: Any) -> None:
        entry = report_json(report)["results"][-1]
        send(("answer", answer.property, entry, answer_lines(report, answer), answer.certificate))

    report = hunt(subject, names, budget=budget, time_limit=seconds, seed=seed, on_answer=answered)
    send(("summary", report_json(report), summary_line(report)))


def hunt_file(
    path: str,
    names: list[str],
    *,
    budget: int | None,
    seconds: float | None,
    seed: int,
    max_memory: int | None,
) -> HuntOutcome:
    """Run the hunt of ``path`` in a child (see the module docstring). Bad input (including a
    user's function that raises, with the profile) is raised as `InvalidInput`."""
    out = HuntOutcome()

    def receive(message: tuple[Any, ...]) -> None:
        if message[0] == "python":
            out.python = message[1]
        elif message[0] == "name":
            out.name = message[1]
        elif message[0] == "answer":
            _, name, entry, lines, certificate = message
            out.answers[name], out.lines[name] = entry, lines
            if certificate is not None:
                out.certificates[name] = certificate
        elif message[0] == "summary":
            out.summary, out.summary_line = message[1], message[2]

    timeout = None if seconds is None else seconds + grace(seconds)
    outcome = run_in_child(
        _worker,
        (path, names, budget, seconds, seed),
        timeout=timeout,
        max_memory=max_memory,
        on_message=receive,
    )
    if out.summary is None:
        if outcome.status == "timeout":
            reason = (
                f"the hunt was stopped {grace(seconds or 0):g} s after its time limit of {seconds:g} s, "
                "while evaluating the mechanism"
            )
        elif outcome.status == "memory" or outcome.kind == "memory":
            reason = outcome.message or "the memory limit was reached"
        else:
            raise_failure(outcome, out.python, path)
            reason = f"the hunting process ended with {outcome.status}"
        for name in names:
            if name not in out.answers:
                out.answers[name] = {
                    "property": name,
                    "verdict": "unknown",
                    "evidence": {"kind": "unknown"},
                    "reason": reason,
                }
                out.lines[name] = [reason]
    return out
