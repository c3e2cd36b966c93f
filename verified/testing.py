"""Gate a mechanism in your own pytest suite.

    from verified.testing import assert_holds, assert_fails

    def test_my_mechanism_is_strategyproof():
        assert_holds("mechanisms/mine.toml", "sp", "ir")      # a mechanism file ...

    def test_with_objects():
        assert_holds((mechanism, domain), "sp")               # ... or a mechanism and its domain

A failing property raises AssertionError whose message is the counterexample in
words (agent, misreport, prefix, the numbers). Every verdict is re-verified by the
independent checker (`verified.recheck`) before the assertion passes, unless
``recheck=False``; ``certificate_dir`` also writes the certificates.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from verified.results import CheckResult


def _subject(target: Any) -> Any:
    from verified.assignment.domain import Domain
    from verified.assignment.mechanism import TabulatedMechanism
    from verified.io import AssignmentSubject, load_subject

    if isinstance(target, AssignmentSubject):
        return target
    if isinstance(target, (str, Path)):
        return load_subject(target)
    if isinstance(target, TabulatedMechanism):
        return AssignmentSubject(target.problem, target.domain, target)
    if isinstance(target, tuple) and len(target) == 2 and isinstance(target[1], Domain):
        mechanism, domain = target
        return AssignmentSubject(domain.problem, domain, mechanism)
    raise TypeError(
        "expected a mechanism file path, a TabulatedMechanism, a (mechanism, domain) pair "
        f"or an AssignmentSubject, got {type(target).__name__}"
    )


def check_properties(
    target: Any,
    *properties: str,
    recheck: bool = True,
    certificate_dir: str | Path | None = None,
    timeout: float | None = None,
) -> dict[str, CheckResult]:
    """Check each property (registry names, e.g. ``"sp"``); certificates re-verified if ``recheck``."""
    from verified.certificates import build_certificate, write_certificate
    from verified.recheck import recheck as independent_recheck
    from verified.registry import run_check, subject_for

    if not properties:
        raise ValueError("name at least one property, e.g. assert_holds(target, 'sp')")
    subject = _subject(target)
    out: dict[str, CheckResult] = {}
    for name in properties:
        result = run_check(name, subject, timeout=timeout)
        if recheck or certificate_dir is not None:
            doc = build_certificate(name, result, subject_for(name, subject))
            if recheck:
                independent_recheck(doc)
            if certificate_dir is not None:
                write_certificate(doc, Path(certificate_dir) / f"{subject.name}.{name}.cert.json")
        out[name] = result
    return out


def _message(name: str, result: CheckResult, agents: list[str]) -> str:
    from verified.explain import explain

    return explain({**result.to_json(), "property": name}, agents)


def _assert_every(
    target: Any, properties: tuple[str, ...], options: dict[str, Any], wanted: Callable[[CheckResult], bool]
) -> dict[str, CheckResult]:
    """Check ``properties``; raise AssertionError explaining each result that is not ``wanted``."""
    subject = _subject(target)
    results = check_properties(subject, *properties, **options)
    bad = [(n, r) for n, r in results.items() if not wanted(r)]
    if bad:
        raise AssertionError("\n\n".join(_message(n, r, list(subject.problem.agents)) for n, r in bad))
    return results


def assert_holds(target: Any, *properties: str, **options: Any) -> dict[str, CheckResult]:
    """Assert every property holds; the message of a failure is its counterexample in words."""
    return _assert_every(target, properties, options, lambda r: r.holds)


def assert_fails(target: Any, *properties: str, **options: Any) -> dict[str, CheckResult]:
    """Assert every property fails (e.g. a known manipulable mechanism stays manipulable)."""
    return _assert_every(target, properties, options, lambda r: r.fails)
