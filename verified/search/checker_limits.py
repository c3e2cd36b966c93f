"""The search asks only questions its independent checker can re-check.

A certificate is worth something only if ``verified recheck`` accepts it, and the checker
(`verified.recheck.search`) bounds its work before doing it: agents, objects, capacities, free
cells, orbits, the assignments it enumerates for ex post options and the runs of a named base
it re-derives. The search applies the *checker's own code* to the question (the certificate's
subject) before it solves anything, so a question the checker would refuse on size grounds is
refused here as bad input, naming the place -- never answered with a certificate the checker
then rejects. No bound is restated here: the rule and its numbers stay in the checker.
"""

from __future__ import annotations

import re
from math import factorial
from typing import Any

from verified.errors import InvalidInput
from verified.recheck.core import RecheckError
from verified.recheck.search import MAX_BASE_RUNS, Subject
from verified.recheck.search import base_cells as checker_base_cells

_LONG_NUMBER = re.compile(r"[0-9]{41,}")


def _short_numbers(text: str) -> str:
    """``text`` with every run of more than 40 digits shortened (a one-line message)."""
    return _LONG_NUMBER.sub(lambda m: f"{m[0][:12]}... ({len(m[0]):,} digits)", text)


def _place(message: str) -> tuple[str, str]:
    """The input field a checker message is about, and the rest of the message: the subject's
    ``subject.problem.capacities[0]`` is the problem file's ``capacities[0]``; a message about the
    whole subject is about the top level."""
    for prefix in ("subject.problem.", "subject."):
        if message.startswith(prefix):
            place, sep, detail = message[len(prefix) :].partition(": ")
            if sep:
                return place, detail
    if message.startswith("subject: "):
        return "(top level)", message[len("subject: ") :]
    return "(top level)", message


def refuse_beyond_checker(subject: dict[str, Any], profiles: int) -> None:
    """Raise `InvalidInput` unless the checker accepts ``subject`` (the certificate's subject, with
    ``{"mechanism": "table", "rows": []}`` standing for a base carried as a table) as a question it
    can re-check: its `Subject` re-validates it (sizes included), and for a named base re-derived
    with n! orderings its count of re-derivations is run too (skipped when ``profiles``, the size
    of the domain, times n! is within `MAX_BASE_RUNS`: that count cannot then exceed it)."""
    try:
        subj = Subject(subject)
        named = subj.table is None and subj.base_name != "serial_dictatorship"
        if named and profiles * factorial(subj.n) > MAX_BASE_RUNS:
            checker_base_cells(subj)
    except RecheckError as exc:
        place, detail = _place(str(exc))
        raise InvalidInput(
            f"{_short_numbers(detail)} -- beyond what the independent checker (verified recheck) "
            "re-checks, so no certificate could be verified",
            place,
        ) from None
