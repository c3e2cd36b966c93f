"""``verified prove STATEMENT``: decide a statement file in a child process bounded by the limits.

The child reads the file (`verified.io.statement.load_statement`), runs `verified.prove.api.prove`
and sends the certificate document and the statistics back; the parent prints the verdict,
writes the certificate and chooses the exit code. Past ``--timeout`` or ``--max-memory`` the
child is killed and the verdict is UNKNOWN with the reason: nothing keeps computing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verified.errors import InvalidInput
from verified.run.child import ChildFailed, run_in_child
from verified.run.limits import Limits


@dataclass
class ProveReport:
    """What the child sent: the certificate (None when UNKNOWN), the verdict, the reason of an
    UNKNOWN, the statistics."""

    verdict: str = "unknown"
    question: str = ""
    certificate: dict[str, Any] | None = None
    reason: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    #: (unknown, certificate) of the existing kinds for a witness (`verified.prove.witness`)
    witness_certificates: list = field(default_factory=list)


def prove_worker(
    send: Any, path: str, timeout: float | None, minimize: bool = False, certificates: bool = False
) -> None:
    from verified.io.statement import load_statement
    from verified.prove.api import prove
    from verified.prove.witness import witness_certificates

    statement = load_statement(path)
    send(("question", statement.question))
    outcome = prove(statement, timeout=timeout, minimize=minimize)
    send(("proved", outcome.verdict, outcome.certificate, outcome.result.reason or "", outcome.stats))
    evidence = outcome.certificate["evidence"] if outcome.certificate is not None else {}
    if certificates and evidence.get("kind") == "witness":
        send(("witness", witness_certificates(statement, evidence["tables"])))


def prove_file(path: str, limits: Limits, minimize: bool = False, certificates: bool = False) -> ProveReport:
    """Run the child; `InvalidInput` for bad input (its message names the file ``path``),
    `ChildFailed` for a bug."""
    report = ProveReport()

    def receive(message: tuple[Any, ...]) -> None:
        if message[0] == "question":
            report.question = message[1]
        elif message[0] == "proved":
            _, report.verdict, report.certificate, report.reason, report.stats = message
        elif message[0] == "witness":
            report.witness_certificates = message[1]

    outcome = run_in_child(
        prove_worker,
        (path, limits.timeout, minimize, certificates),
        timeout=limits.timeout,
        max_memory=limits.max_memory,
        on_message=receive,
    )
    if outcome.status == "done":
        return report
    if outcome.status == "timeout":
        report.reason = f"time-out: the run's limit of {limits.timeout:g} s was reached"
        return report
    if outcome.status == "memory" or outcome.kind == "memory":
        report.reason = outcome.message or "out of memory"
        return report
    if outcome.status == "error" and outcome.kind == "bad_input":  # named after the file, once
        message = outcome.message or "bad input"
        raise InvalidInput(message if message.startswith(f"{path}:") else f"{path}: {message}")
    raise ChildFailed(outcome.message or f"the prover's process ended unexpectedly ({outcome.status})")
