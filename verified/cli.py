"""The ``verified`` command line: argument parsing and printing only.

    verified check FILE --property sp,ir   (or --all) [--certificate-dir DIR] [--json] [--timeout S]
    verified recheck CERT...
    verified explain CERT
    verified search FILE ...               (when the search module is installed)

Exit codes a CI can gate on: 0 every requested property holds (recheck: every
certificate verified), 1 some property fails (recheck: a certificate is
rejected), 2 bad input, 3 unknown (time-out or resource limit).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from verified.errors import InvalidInput, VerifiedError

EXIT_HOLDS, EXIT_FAILS, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 1, 2, 3


class Progress:
    """A status line on stderr for work that takes more than a second: tqdm when installed,
    else a plain line refreshed every second; nothing when stderr is not a terminal or quiet."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.monotonic()
        self._bar: Any = None
        self._shown = False
        self._seconds = 0

    def tick(self) -> None:
        """Called often; redraws at most once per elapsed second."""
        elapsed = time.monotonic() - self.start
        if not self.enabled or int(elapsed) <= self._seconds:
            return
        self._seconds = int(elapsed)
        if self._bar is None and not self._shown:
            try:
                from tqdm import tqdm

                self._bar = tqdm(
                    desc=self.label, unit="s", file=sys.stderr, leave=False, initial=self._seconds - 1
                )
            except ImportError:
                self._bar = None
        self._shown = True
        if self._bar is not None:
            self._bar.update(1)
        else:
            print(f"\r{self.label}: running for {elapsed:.0f} s", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._shown:
            print("\r" + " " * (len(self.label) + 30) + "\r", end="", file=sys.stderr, flush=True)


def _run_with_limit(label: str, work: Any, timeout: float | None, quiet: bool) -> tuple[bool, Any]:
    """Run ``work()`` in a worker thread: ``(True, value)``, or ``(False, None)`` past
    ``timeout`` seconds (the worker is abandoned; it is a daemon thread)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    started = time.monotonic()
    worker.start()
    progress = Progress(label, not quiet)
    try:
        while worker.is_alive():
            remaining = None if timeout is None else timeout - (time.monotonic() - started)
            if remaining is not None and remaining <= 0:
                return False, None
            worker.join(0.25 if remaining is None else min(0.25, remaining))
            progress.tick()
    finally:
        progress.close()
    if "error" in box:
        raise box["error"]
    return True, box["value"]


def _check(args: argparse.Namespace) -> int:
    from verified.certificates import build_certificate, certificate_name, write_certificate
    from verified.explain import explain
    from verified.io import TradingSubject, load_subject, subject_encoding
    from verified.registry import BY_NAME, available, run_check, spec, subject_for
    from verified.results import unknown

    subject = load_subject(args.file, allow_float=args.allow_float)
    family = "trading" if isinstance(subject, TradingSubject) else "assignment"
    if args.all:
        names = available(family)
        if getattr(subject, "priorities", True) is None:
            names = [n for n in names if n != "ex-post-stable"]
        names = [n for n in names if n != "sp-anonymous"]  # a faster route to "sp", for anonymous tables
        if family == "assignment" and not subject.domain.is_symmetric:  # anonymity needs one
            names = [n for n in names if n != "anonymous"]
    elif args.property:
        names = [p.strip() for p in args.property.split(",") if p.strip()]
        for name in names:
            spec(name)
    else:
        raise InvalidInput("say which properties: --property sp,ir,... or --all", "arguments")
    quiet = args.quiet or args.json

    def prepare() -> dict[str, Any] | None:
        needed = [n for n in names if n not in ("sp-anonymous", "ex-post-stable")]
        return subject_encoding(subject) if needed else None

    ready, encoding = _run_with_limit("tabulating", prepare, args.timeout, quiet)
    if not ready:
        reason = f"time-out after {args.timeout:g} s while tabulating the mechanism"
        if args.json:
            results = [{"property": n, "verdict": "unknown", "reason": reason} for n in names]
            print(json.dumps({"file": str(args.file), "results": results}, indent=1))
        else:
            print(f"{subject.name} ({args.file}): every property UNKNOWN ({reason}); no certificate written")
        return EXIT_UNKNOWN
    rows, docs = [], []
    for name in names:
        left = args.timeout
        done, result = _run_with_limit(
            f"checking {name}",
            lambda name=name, left=left: run_check(name, subject, timeout=left),
            left,
            quiet,
        )
        if not done:
            result = unknown(name, f"time-out after {args.timeout:g} s")
        own_subject = ("sp-anonymous", "ex-post-stable", "osp")  # certificates about more than the file
        about = encoding if name not in own_subject else subject_for(name, subject)
        doc = build_certificate(name, result, about)
        docs.append(doc)
        rows.append((name, result.verdict.value, BY_NAME[name].description))
        if args.certificate_dir:
            stem = Path(args.file).name.split(".")[0]
            write_certificate(doc, Path(args.certificate_dir) / certificate_name(stem, name))
    verdicts = [d["verdict"] for d in docs]
    if args.json:
        summary = [{k: d[k] for k in ("property", "verdict", "evidence") if k in d} for d in docs]
        print(json.dumps({"file": str(args.file), "mechanism": subject.name, "results": summary}, indent=1))
    else:
        size = f"{len(subject.domain)} profiles" if family == "assignment" else f"{len(subject.menus)} menus"
        print(f"{subject.name} on {size} ({args.file})")
        width = max(len(r[0]) for r in rows)
        for (name, verdict, text), doc in zip(rows, docs, strict=True):
            print(f"  {name.ljust(width)}  {verdict.upper():7}  {text}")
            if verdict != "holds":
                body = explain(doc).splitlines()[1:]
                for line in body[:-2] if "subject" in doc else body:
                    print(f"      {line}")
        if args.certificate_dir:
            print(f"certificates written to {args.certificate_dir}")
    if "fails" in verdicts:
        return EXIT_FAILS
    if "unknown" in verdicts:
        return EXIT_UNKNOWN
    return EXIT_HOLDS


def _recheck(args: argparse.Namespace) -> int:
    from verified.recheck import RecheckError, recheck_file

    status = EXIT_HOLDS
    for path in args.certificates:
        try:
            print(f"OK       {path}: {recheck_file(path)}")
        except RecheckError as exc:
            print(f"REJECTED {exc}")
            status = EXIT_FAILS
    return status


def _explain(args: argparse.Namespace) -> int:
    from verified.explain import explain
    from verified.recheck.core import RecheckError, read_certificate

    try:
        doc = read_certificate(args.certificate)
    except RecheckError as exc:
        raise InvalidInput(str(exc), "certificate") from None
    if not isinstance(doc, dict):
        raise InvalidInput("not a certificate (a JSON object)", str(args.certificate))
    print(explain(doc))
    return EXIT_HOLDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verified",
        description="Certify mechanism-design properties exactly; re-check certificates independently.",
        epilog="Exit codes: 0 all hold, 1 some property fails, 2 bad input, 3 unknown (time-out).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check properties of a mechanism file (.json/.toml)")
    check.add_argument("file", help="mechanism file (see docs/formats.md)")
    check.add_argument("--property", "-p", help="comma-separated property names (see --list)")
    check.add_argument("--all", action="store_true", help="every property available for the file")
    check.add_argument("--certificate-dir", "-c", help="write one certificate per verdict here")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument(
        "--timeout",
        type=float,
        help="seconds per property (and for tabulating); past it the verdict is unknown",
    )
    check.add_argument("--allow-float", action="store_true", help="read floats as the decimals they print as")
    check.add_argument("--quiet", "-q", action="store_true", help="no progress line on stderr")
    check.set_defaults(run=_check)
    recheck = sub.add_parser("recheck", help="re-verify certificates with the independent checker")
    recheck.add_argument("certificates", nargs="+", help="certificate files (.json or .json.gz)")
    recheck.set_defaults(run=_recheck)
    explain = sub.add_parser("explain", help="a certificate's evidence in words")
    explain.add_argument("certificate")
    explain.set_defaults(run=_explain)
    sub.add_parser("properties", help="list the property names").set_defaults(run=_list)
    try:
        from verified.search import cli as search_cli
    except ImportError:
        search_cli = None
    if search_cli is not None and hasattr(search_cli, "configure"):
        search = sub.add_parser("search", help="find a strategy-proof mechanism dominating a given one")
        search_cli.configure(search)
        search.set_defaults(run=search_cli.run)
    return parser


def _list(args: argparse.Namespace) -> int:
    from verified.registry import PROPERTIES

    for spec in PROPERTIES:
        state = "available" if spec.resolve() is not None else "not installed"
        print(f"{spec.name:18} {spec.family:11} {state:14} {spec.description}")
    return EXIT_HOLDS


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help, 2 for usage errors
        return int(exc.code or 0)
    try:
        return int(args.run(args))
    except VerifiedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
