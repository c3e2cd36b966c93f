"""Certificates: building and independently re-checking the stored paper results."""

from __future__ import annotations

from pathlib import Path

from run import Case

ROOT = Path(__file__).resolve().parents[1]


def _recheck(name: str):  # noqa: ANN202
    def run() -> str:
        from verified.recheck import recheck_file

        return recheck_file(ROOT / "certificates" / name)

    return run


def _check(example: str, prop: str):  # noqa: ANN202
    def run() -> str:
        from verified.certificates import build_certificate
        from verified.io import load_subject
        from verified.registry import run_check, subject_for

        subject = load_subject(ROOT / "examples" / example)
        result = run_check(prop, subject)
        doc = build_certificate(prop, result, subject_for(prop, subject))
        return f"{result.verdict.value}, subject {doc['subject']['sha256'][:12]}"

    return run


def cases() -> list[Case]:
    return [
        Case("check+certify RP sp, n=4 m=3 full table", 10.0, _check("rp_4x3.toml", "sp")),
        Case("check+certify RP sp on orbits, n=5 m=3", 10.0, _check("rp_5x3.toml", "sp-anonymous")),
        Case("recheck RP sp, n=4 m=3 full table (stdlib)", 10.0, _recheck("rp_4x3.sp.cert.json.gz")),
        Case("recheck RP sp on orbits, n=4 m=3 (stdlib)", 2.0, _recheck("rp_4x3.sp-anonymous.cert.json")),
        Case("recheck RP sp on orbits, n=5 m=3 (stdlib)", 10.0, _recheck("rp_5x3.sp-anonymous.cert.json.gz")),
    ]
