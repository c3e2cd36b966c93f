"""The ``verified`` command line: argument parsing and printing only.

    verified check FILE --property sp,ir   (or --all) [--certificate-dir DIR] [--json] [--timeout S]
    verified merge PART...                 assemble `check --shard` parts, then check
    verified recheck CERT... [--json]      re-verify certificates (independent checker)
    verified explain CERT [--json]         a verified certificate's evidence in words
    verified properties [--json]           the property names and their aliases
    verified prove STATEMENT               decide a statement about all mechanisms
    verified hunt FILE --property sp,...   hunt counterexamples without enumerating
    verified search FILE --dominate        a strategy-proof mechanism dominating a given one
    verified compare OLD NEW [--require R]  what a design change did (dominance, regressions)

Every subcommand's ``--help`` ends with what its exit codes mean (`verified.cli_reports`); the
whole reference, JSON shapes included, is docs/cli.md.

Exit codes a CI can gate on: 0 every requested property holds (recheck: every
certificate verified), 1 some property fails (recheck: a certificate is
rejected or unreadable), 2 bad input, 3 unknown (time or memory limit), 4 an
internal error (a bug: reported in one line, never a traceback).

``check`` runs in a child process (`verified.run`) killed at ``--timeout`` (the
total for the run), ``--property-timeout`` (each property) or ``--max-memory``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from verified.cli_reports import (
    CHECK_EPILOG,
    EXPLAIN_EPILOG,
    HUNT_EPILOG,
    MERGE_EPILOG,
    PROPERTIES_EPILOG,
    PROVE_EPILOG,
    RECHECK_EPILOG,
    SEARCH_EPILOG,
)
from verified.errors import InvalidInput, OutOfReach, VerifiedError

EXIT_HOLDS, EXIT_FAILS, EXIT_BAD_INPUT, EXIT_UNKNOWN, EXIT_INTERNAL = 0, 1, 2, 3, 4
ISSUES = "the project's issue tracker, with the command line and the input files"
EPILOG = """exit codes (each subcommand's --help says what they mean for it):
  0  holds: every requested property holds (recheck: every certificate verified)
  1  fails: some property fails, with its counterexample (recheck: some certificate
     rejected or unreadable; explain: the certificate is rejected, so it is not explained)
  2  bad input: a malformed file or argument, or a user's mechanism that raises, exits,
     has the wrong signature or fails to import (the message names the file and place)
  3  unknown: a time or memory limit ended the run before every verdict
     (check --timeout is the total for the run; finished properties keep their verdicts)
  4  internal error: a bug in verified; please report it

reference: docs/cli.md (every subcommand, option, exit code and JSON shape)"""


class Progress:
    """A status line on stderr for work that takes more than a second: tqdm when installed,
    else a plain line; nothing when stderr is not a terminal or quiet. While the engine reports
    counts (``tick(counts=(done, total, label))``) it shows profiles done out of the total, the
    rate and the time left; otherwise the stage and the seconds it has run."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.monotonic()
        self._bar: Any = None
        self._shown = False
        self._seconds = 0
        self._counted: Any = None  # the tqdm bar of the current counted work
        self._counted_key: tuple[int, str] | None = None
        self._counted_start = 0.0
        self._drawn = 0.0

    def tick(self, counts: tuple[int, int, str] | None = None) -> None:
        """Called often; redraws at most a few times per second."""
        if not self.enabled:
            return
        if counts is not None:
            self._count(*counts)
            return
        elapsed = time.monotonic() - self.start
        if int(elapsed) <= self._seconds:
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
            self._line(f"{self.label}: running for {elapsed:.0f} s")

    def _count(self, done: int, total: int, label: str) -> None:
        now = time.monotonic()
        if self._counted_key != (total, label):
            self._close_counted()
            self._counted_key, self._counted_start = (total, label), now
            try:
                from tqdm import tqdm

                self._counted = tqdm(
                    total=total, desc=label, unit=" profiles", unit_scale=True, file=sys.stderr, leave=False
                )
            except ImportError:
                self._counted = None
        if self._counted is not None:
            self._counted.update(done - self._counted.n)
            return
        if now - self._drawn < 0.5 and done < total:
            return
        self._drawn = now
        rate = done / max(now - self._counted_start, 1e-9)
        left = f", {(total - done) / rate:.0f} s left" if rate > 0 else ""
        self._line(f"{label}: {done:,} / {total:,} profiles, {rate:,.0f}/s{left}")

    def _line(self, text: str) -> None:
        self._shown = True
        print("\r" + text.ljust(70), end="", file=sys.stderr, flush=True)

    def _close_counted(self) -> None:
        if self._counted is not None:
            self._counted.close()
            self._counted = None

    def close(self) -> None:
        self._close_counted()
        if self._bar is not None:
            self._bar.close()
        elif self._shown:
            print("\r" + " " * 72 + "\r", end="", file=sys.stderr, flush=True)


def _seconds(where: str) -> Any:
    """An argparse type: positive finite seconds (``nan``, ``inf``, ``0``, ``-1`` are usage errors)."""

    def parse(text: str) -> float:
        from verified.run.limits import parse_seconds

        try:
            return parse_seconds(text, where)
        except InvalidInput as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _jobs(text: str) -> int:
    """An argparse type: a positive number of processes, or -1 for every core."""
    from verified.engine.executors import resolve_jobs

    try:
        jobs = int(text.strip())
        resolve_jobs(jobs)
    except (ValueError, InvalidInput):
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or -1 (all cores), got {text!r}"
        ) from None
    return jobs


def _shard(text: str) -> tuple[int, int]:
    """An argparse type: ``i/N`` with 1 <= i <= N."""
    from verified.engine.ranges import parse_shard

    try:
        return parse_shard(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--shard: ")) from None


def _memory(text: str) -> int:
    from verified.run.limits import parse_memory

    try:
        return parse_memory(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _check(args: argparse.Namespace) -> int:
    from verified.certificates import UncheckableCertificate, save_certificate
    from verified.registry import BY_NAME, spec
    from verified.run.check import check_file
    from verified.run.limits import Limits, default_max_memory

    if Path(str(args.file)).suffix.lower() in (".soc", ".soi", ".toc", ".toi"):  # a PrefLib profile
        from verified.run.at_profile import run_cli

        return run_cli(args)
    if getattr(args, "mechanism", None):
        raise InvalidInput(
            "evaluates a built-in at a PrefLib file's profile (.soc, .soi, .toc, .toi); "
            "a mechanism file names its own mechanism",
            "--mechanism",
        )
    if args.all:
        requested = None
    elif args.property:
        requested = list(dict.fromkeys(p.strip() for p in args.property.split(",") if p.strip()))
        if not requested:
            raise InvalidInput("name at least one property, e.g. --property sp,ir", "--property")
        requested = list(dict.fromkeys(spec(name).name for name in requested))  # aliases: docs/cli.md
    else:
        raise InvalidInput("say which properties: --property sp,ir,... or --all", "arguments")
    scheduler = getattr(args, "scheduler", None)
    if scheduler is not None and not scheduler.strip():
        raise InvalidInput("expected a Dask scheduler address such as tcp://10.0.0.1:8786", "--scheduler")
    shard = getattr(args, "shard", None)
    if shard is not None and not args.certificate_dir:
        raise InvalidInput("--shard writes a part: say where with --certificate-dir", "--shard")
    count = _count_limit(args, shard)
    quiet = args.quiet or args.json
    limits = Limits(args.timeout, args.property_timeout, args.max_memory or default_max_memory())
    progress = Progress("verified check", not quiet)

    def tick(report: Any) -> None:
        progress.label = report.stage
        progress.tick(report.progress)

    try:
        report = check_file(
            str(args.file),
            requested,
            limits,
            allow_float=args.allow_float,
            certificates=bool(args.certificate_dir),
            on_tick=tick,
            jobs=getattr(args, "jobs", 1),
            scheduler=getattr(args, "scheduler", None),
            shard=shard,
            count=count,
        )
    finally:
        progress.close()
    if shard is not None:
        return _report_shard(args, report, shard)
    names = report.names or []
    docs = [report.docs[n] for n in names if n in report.docs]
    if args.certificate_dir:
        stem = Path(args.file).name.split(".")[0]
        for doc in docs:
            if "encoding" in doc.get("subject", {}):
                try:
                    save_certificate(doc, args.certificate_dir, stem)  # .json.gz past 1 MB
                except UncheckableCertificate as exc:  # the verdict stands; only its file is not written
                    print(f"{doc['property']}: {exc}", file=sys.stderr)
    verdicts = [d["verdict"] for d in docs]
    shown = str(getattr(args, "shown", args.file))  # merge: "merged from N parts", not its temporary file
    if args.json:
        keys = ("property", "verdict", "evidence", "reason")
        summary = [{k: d[k] for k in keys if k in d} for d in docs]
        unfinished = {"countable": False, "reason": "no count: the check did not finish"}
        for item in summary if count is not None else []:  # --count: docs/violations.md
            item["violations"] = report.counts.get(item["property"], unfinished)
        name = report.header["name"] if report.header else None
        print(json.dumps({"file": shown, "mechanism": name, "results": summary}, indent=1))
    elif report.header is None:
        reason = docs[0].get("reason", "no verdict") if docs else "no verdict"
        print(f"{shown}: every property UNKNOWN ({reason}); no certificate written")
        return EXIT_UNKNOWN
    else:
        print(f"{report.header['name']} on {report.header['size']} ({shown})")
        width = max((len(n) for n in names), default=0)
        for doc in docs:
            name, verdict = doc["property"], doc["verdict"]
            print(f"  {name.ljust(width)}  {verdict.upper():7}  {BY_NAME[name].description}")
            for line in report.lines.get(name, []):
                print(f"      {line}")
            if count is not None:
                from verified.assignment.properties.violations_count import count_lines

                for line in count_lines(report.counts.get(name)):
                    print(f"      {line}")
        if args.certificate_dir:
            print(f"certificates written to {args.certificate_dir}")
    if "fails" in verdicts:
        return EXIT_FAILS
    if "unknown" in verdicts or not docs:
        return EXIT_UNKNOWN
    return EXIT_HOLDS


def _count_limit(args: argparse.Namespace, shard: tuple[int, int] | None) -> int | None:
    """``check --count [--limit K]``: how many violations to list per property (None: no count)."""
    limit = getattr(args, "limit", None)
    if not getattr(args, "count", False):
        if limit is not None:
            raise InvalidInput("--limit says how many violations --count lists: add --count", "--limit")
        return None
    if shard is not None:
        raise InvalidInput(
            "a shard only tabulates its range and checks nothing, so it has no violations to count: "
            "pass --count to `verified merge`, which checks the whole table",
            "--count",
        )
    from verified.assignment.properties.violations_count import DEFAULT_LIMIT

    return DEFAULT_LIMIT if limit is None else limit


def _report_shard(args: argparse.Namespace, report: Any, shard: tuple[int, int]) -> int:
    """The end of ``check --shard``: the part written (exit 0), or why not (exit 3)."""
    from verified.engine.shards import write_part

    if report.part is None:
        reasons = [d.get("reason") for d in report.docs.values() if d.get("reason")]
        print(f"{args.file}: shard {shard[0]}/{shard[1]} UNKNOWN ({reasons[0] if reasons else 'no part'})")
        return EXIT_UNKNOWN
    part = report.part
    stem = Path(args.file).name.split(".")[0]
    path = write_part(part, Path(args.certificate_dir), stem, shard)
    start, stop = part["range"]
    if args.json:
        print(
            json.dumps(
                {"file": str(args.file), "shard": list(shard), "range": [start, stop], "part": str(path)}
            )
        )
    else:
        total = part["profiles"]
        span = f"profiles {start:,}..{stop - 1:,} of {total:,} tabulated"
        if stop == start:
            span = f"empty (the domain has {total:,} profiles, fewer than {shard[1]} shards)"
        print(f"{report.header['name']}: shard {shard[0]}/{shard[1]}, {span}; part written to {path}")
        print(
            f"when every part is there: verified merge {Path(args.certificate_dir) / stem}.shard-*-of-"
            f"{shard[1]}.part.json* --certificate-dir DIR"
        )
    return EXIT_HOLDS


def _merge(args: argparse.Namespace) -> int:
    """Verify and assemble the parts, then check their properties on the whole table as one run.
    The assembled table is a temporary file: a message about it names the parts, never its path."""
    import tempfile

    from verified.engine.shards import merge_parts, write_merged

    document, stem, names = merge_parts([str(p) for p in args.parts])
    shown = f"merged from {len(args.parts)} parts"
    with tempfile.TemporaryDirectory(prefix="verified-merge-") as folder:
        merged = write_merged(document, Path(folder), stem)
        run = argparse.Namespace(
            file=merged,
            shown=shown,
            all=False,
            property=",".join(names),
            certificate_dir=args.certificate_dir,
            json=args.json,
            timeout=args.timeout,
            property_timeout=None,
            max_memory=args.max_memory,
            allow_float=False,
            quiet=args.quiet,
            count=getattr(args, "count", False),
            limit=getattr(args, "limit", None),
        )
        try:
            return _check(run)
        except VerifiedError as exc:
            exc.args = (str(exc).replace(str(merged), f"the table {shown}"),)
            raise


def _recheck(args: argparse.Namespace) -> int:
    """Each certificate on its own: OK, REJECTED (the checker refused it) or UNREADABLE (no such
    file, unreadable); any exception while checking one file is that file's rejection, and the
    batch goes on (`verified.cli_reports.recheck_report`)."""
    from verified.cli_reports import recheck_report

    return recheck_report([str(p) for p in args.certificates], getattr(args, "json", False))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _explain(args: argparse.Namespace) -> int:
    """Re-check, then explain (`verified.cli_reports.explain_report`): 0 explained, 1 rejected."""
    from verified.cli_reports import explain_report

    return explain_report(str(args.certificate), getattr(args, "json", False))


def _count_arguments(parser: argparse.ArgumentParser) -> None:
    """``--count`` and ``--limit K`` (docs/violations.md)."""
    parser.add_argument(
        "--count",
        action="store_true",
        help="count every violation of each property that can (sp, ir, nonwasteful, ete, "
        "ex-post-efficient, sd-efficient, ex-post-stable): the count, the number examined, the exact "
        "rate and the first violations (docs/violations.md); the exit code is unchanged",
    )
    parser.add_argument(
        "--limit",
        type=_count("--limit", zero=True),
        metavar="K",
        help="with --count: list at most K violations per property (default 1000; all are counted)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verified",
        description="Certify mechanism-design properties exactly; re-check certificates independently.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser(
        "check",
        help="check properties of a mechanism file (.json/.toml)",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "file", help="mechanism file (see docs/formats.md), or a PrefLib profile with --mechanism"
    )
    check.add_argument(
        "--property", "-p", help="comma-separated property names (`verified properties` lists them)"
    )
    check.add_argument("--all", action="store_true", help="every property available for the file")
    check.add_argument("--certificate-dir", "-c", help="write one certificate per verdict here")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument(
        "--timeout",
        type=_seconds("--timeout"),
        help="seconds for the whole run (loading, tabulating, every property); the properties not "
        "finished by then are UNKNOWN (exit 3), the finished ones keep their verdicts",
    )
    check.add_argument(
        "--property-timeout",
        type=_seconds("--property-timeout"),
        help="seconds for each property; past it that property is UNKNOWN and the run goes on",
    )
    check.add_argument(
        "--max-memory",
        type=_memory,
        help="memory for the run, e.g. 4G or 512M (default: half of the machine's memory); "
        "past it the unfinished properties are UNKNOWN",
    )
    check.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        help="worker processes for tabulating the mechanism (default 1; -1: every core)",
    )
    check.add_argument(
        "--shard",
        type=_shard,
        metavar="i/N",
        help="tabulate only shard i of N (contiguous profiles) and write a part to --certificate-dir; "
        "`verified merge` assembles the parts and checks the properties",
    )
    check.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the work on a Dask cluster (e.g. tcp://10.0.0.1:8786; pip install 'verified[dask]')",
    )
    check.add_argument("--allow-float", action="store_true", help="read floats as the decimals they print as")
    check.add_argument(
        "--mechanism",
        metavar="NAME",
        help="for a PrefLib file (.soc, .soi, .toc, .toi): the built-in to evaluate at its profile "
        "(rp, ps, boston, random-boston, ttc, sd, ra), checked there (docs/preflib.md)",
    )
    _count_arguments(check)
    check.add_argument("--quiet", "-q", action="store_true", help="no progress line on stderr")
    check.set_defaults(run=_check)
    recheck = sub.add_parser(
        "recheck",
        help="re-verify certificates with the independent checker",
        epilog=RECHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    recheck.add_argument("certificates", nargs="+", help="certificate files (.json or .json.gz)")
    recheck.add_argument("--json", action="store_true", help="machine-readable output")
    recheck.set_defaults(run=_recheck)
    merge = sub.add_parser(
        "merge",
        help="assemble the parts of `check --shard` runs and check their properties",
        epilog=MERGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    merge.add_argument("parts", nargs="+", help="every part (PATH.shard-i-of-N.part.json[.gz])")
    merge.add_argument("--certificate-dir", "-c", help="write one certificate per verdict here")
    merge.add_argument("--json", action="store_true", help="machine-readable output")
    merge.add_argument("--timeout", type=_seconds("--timeout"), help="seconds for checking the whole table")
    merge.add_argument("--max-memory", type=_memory, help="memory for the run, e.g. 4G")
    merge.add_argument("--quiet", "-q", action="store_true", help="no progress line on stderr")
    _count_arguments(merge)
    merge.set_defaults(run=_merge)
    explain = sub.add_parser(
        "explain",
        help="a certificate's evidence in words, after re-checking it",
        epilog=EXPLAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    explain.add_argument("certificate", help="a certificate file (.json or .json.gz)")
    explain.add_argument("--json", action="store_true", help="machine-readable output")
    explain.set_defaults(run=_explain)
    listing = sub.add_parser(
        "properties",
        help="list the property names and their aliases",
        epilog=PROPERTIES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(run=_list)
    prove = sub.add_parser(
        "prove",
        help="decide a statement about all mechanisms (docs/prove.md)",
        epilog=PROVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    prove.add_argument("statement", help="statement file (format verified/statement/1)")
    prove.add_argument("--certificate-dir", "-c", help="write the certificate here")
    prove.add_argument("--json", action="store_true", help="machine-readable output")
    prove.add_argument("--timeout", type=_seconds("--timeout"), help="seconds for the whole run")
    prove.add_argument("--max-memory", type=_memory, help="memory for the run, e.g. 4G")
    prove.add_argument(
        "--minimize",
        action="store_true",
        help="first shrink the profiles to a minimal set on which the statement is still impossible "
        "(statements whose clauses each speak about one profile)",
    )
    prove.add_argument("--quiet", "-q", action="store_true", help="(no progress line is shown)")
    prove.set_defaults(run=_prove)
    hunt = sub.add_parser(
        "hunt",
        help="hunt counterexamples on problems too large to enumerate (docs/hunt.md)",
        epilog=HUNT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    hunt.add_argument("file", help="mechanism file (.json/.toml); the domain is never enumerated")
    hunt.add_argument(
        "--property",
        "-p",
        required=True,
        help="comma-separated, among sp,ir,nonwasteful,ete,ex-post-efficient,sd-efficient,ex-post-stable",
    )
    hunt.add_argument("--budget", type=_count("--budget"), help="profiles drawn per property (default 300)")
    hunt.add_argument("--time", type=_seconds("--time"), help="seconds for the whole hunt")
    hunt.add_argument(
        "--seed", type=_count("--seed", zero=True), default=0, help="the search's seed (default 0)"
    )
    hunt.add_argument("--certificate-dir", "-c", help="write a certificate per counterexample here")
    hunt.add_argument("--json", action="store_true", help="machine-readable output")
    hunt.add_argument("--max-memory", type=_memory, help="memory for the run, e.g. 4G")
    hunt.set_defaults(run=_hunt)
    from verified.search.options import configure as configure_search

    search = sub.add_parser(
        "search",
        help="find a strategy-proof mechanism dominating a given one",
        epilog=SEARCH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    configure_search(search)
    search.set_defaults(run=_search)
    from verified.compare.options import EPILOG as COMPARE_EPILOG
    from verified.compare.options import configure as configure_compare

    compare = sub.add_parser(
        "compare",
        help="what a design change did: does NEW dominate OLD, where do they differ, regressions",
        epilog=COMPARE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    configure_compare(compare, _seconds, _memory, _jobs)
    compare.set_defaults(run=_compare)
    return parser


def _prove(args: argparse.Namespace) -> int:
    """Exit 0: the statement holds (a proof for ``impossible``, a witness for ``exists``); 1: it
    fails (the other); 3: unknown."""
    from verified.certificates import save_certificate
    from verified.run.limits import Limits, default_max_memory
    from verified.run.prove import prove_file

    limits = Limits(args.timeout, None, args.max_memory or default_max_memory())
    report = prove_file(
        str(args.statement), limits, minimize=args.minimize, certificates=bool(args.certificate_dir)
    )
    question = report.question or "statement"
    if args.json:
        evidence = report.certificate["evidence"] if report.certificate else {"kind": "unknown"}
        summary = {
            "kind": evidence["kind"],
            **{k: evidence[k] for k in ("leaves", "splits") if k in evidence},
        }
        out = {
            "file": str(args.statement),
            "question": question,
            "verdict": report.verdict,
            "evidence": summary,
        }
        if report.reason:
            out["reason"] = report.reason
        print(json.dumps({**out, "stats": report.stats}, indent=1, default=str))
    else:
        print(f"{args.statement}: {question}  {report.verdict.upper()}")
        if report.certificate is not None:
            evidence = report.certificate["evidence"]
            if evidence["kind"] == "case_split":
                print(
                    f"  no mechanisms satisfy the statement: a case split with {evidence['leaves']} leaves "
                    f"(exact LP certificates) and {evidence['splits']} splits"
                )
            else:
                print(
                    f"  a witness: every unknown's table, checked exactly ({', '.join(evidence['tables'])})"
                )
            seconds = report.stats.get("seconds")
            if seconds is not None:
                print(f"  {report.stats.get('profiles')} profiles, {seconds:.1f} s")
            if "minimal_profiles" in report.stats:
                print(f"  impossible already on {report.stats['minimal_profiles']} profile(s), a minimal set")
        else:
            print(f"  no verdict: {report.reason}")
    if args.certificate_dir and report.certificate is not None:
        stem = Path(args.statement).name.split(".")[0]
        written = save_certificate(report.certificate, args.certificate_dir, stem)
        if not args.json:
            print(f"certificate written to {written}")
        for unknown, doc in report.witness_certificates:  # the witness, as the usual kinds
            written = save_certificate(doc, args.certificate_dir, f"{stem}.{unknown}")
            if not args.json:
                print(f"  {unknown} is {doc['property']} ({doc['verdict']}): {written}")
    if report.verdict == "holds":
        return EXIT_HOLDS
    return EXIT_FAILS if report.verdict == "fails" else EXIT_UNKNOWN


def _count(where: str, zero: bool = False) -> Any:
    """An argparse type: a positive integer (or >= 0 with ``zero``) of at most 18 digits."""

    def parse(text: str) -> int:
        value = text.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 18) or (int(value) == 0 and not zero):
            raise argparse.ArgumentTypeError(
                f"{where}: expected a {'non-negative' if zero else 'positive'} integer, got {text!r}"
            )
        return int(value)

    return parse


def _hunt(args: argparse.Namespace) -> int:
    """Exit 1: a counterexample to some property (re-verified, certified); 3: none found (hunting
    never proves a property, so it never exits 0); 2: bad input."""
    from verified.certificates import save_certificate
    from verified.hunt.api import property_names
    from verified.run.hunt import hunt_file
    from verified.run.limits import default_max_memory
    from verified.vocabulary import canonical

    names = list(property_names([canonical(p.strip()) for p in args.property.split(",") if p.strip()]))
    out = hunt_file(
        str(args.file),
        names,
        budget=args.budget,
        seconds=args.time,
        seed=args.seed,
        max_memory=args.max_memory or default_max_memory(),
    )
    verdicts = [out.answers[n]["verdict"] for n in names]
    written = {}
    if args.certificate_dir:
        stem = Path(args.file).name.split(".")[0]
        for name, doc in out.certificates.items():
            written[name] = save_certificate(doc, args.certificate_dir, f"{stem}.hunt")
    if args.json:
        summary = dict(out.summary or {})
        summary["results"] = [out.answers[n] for n in names]
        print(json.dumps({"file": str(args.file), **summary}, indent=1))
    else:
        print(f"{out.name or args.file}: hunting {', '.join(names)} ({args.file})")
        width = max(len(n) for n in names)
        for name in names:
            print(f"  {name.ljust(width)}  {out.answers[name]['verdict'].upper()}")
            for line in out.lines.get(name, []):
                print(f"      {line}")
            if name in written:
                print(f"      certificate: {written[name]}")
        if out.summary_line:
            print(f"  {out.summary_line}")
    return EXIT_FAILS if "fails" in verdicts else EXIT_UNKNOWN


def _compare(args: argparse.Namespace) -> int:
    """Exit 0: the ``--require`` requirement holds; 1: it fails; 3: unknown (docs/compare.md)."""
    from verified.compare.cli import run
    from verified.vocabulary import canonical

    if args.property:  # the vocabulary's spellings (docs/cli.md), as registry names
        args.property = ",".join(canonical(p.strip()) for p in args.property.split(","))
    return run(args)


def _search(args: argparse.Namespace) -> int:
    from verified.search.cli import run

    return run(args)


def _list(args: argparse.Namespace) -> int:
    from verified.cli_reports import properties_report

    return properties_report(getattr(args, "json", False))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code (see `EPILOG`). Bad input is 2;
    any other exception is a bug: exit 4 with a one-line message, never a traceback."""
    for stream in (sys.stdout, sys.stderr):  # a name or path the terminal cannot encode is escaped
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):  # not a text stream we may reconfigure
            pass
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    for position, argument in enumerate(given, start=1):
        if isinstance(argument, str) and "\x00" in argument:  # no file name or option holds one
            print(f"error: argument {position} contains a NUL character", file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help, 2 for usage errors
        return exc.code if isinstance(exc.code, int) and exc.code in (0, EXIT_BAD_INPUT) else EXIT_BAD_INPUT
    try:
        return int(args.run(args))
    except OutOfReach as exc:  # an exact computation past its work budget: no verdict
        print(f"unknown: {_one_line(exc)}", file=sys.stderr)
        return EXIT_UNKNOWN
    except VerifiedError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # an input or output file: missing, unreadable, a directory, ...
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"error: {where}{exc.strerror or _one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BaseException as exc:  # noqa: BLE001 - the contract: a bug is exit 4, never a traceback
        from verified.run.child import ChildFailed, Terminated

        if isinstance(exc, Terminated):  # SIGTERM / SIGHUP: the child was killed first
            print(f"interrupted: {exc}", file=sys.stderr)
            return 128 + exc.signum

        what = _one_line(exc) if isinstance(exc, ChildFailed) else f"{type(exc).__name__}: {_one_line(exc)}"
        print(
            f"internal error: {what} -- this is a bug in verified; please report it on {ISSUES}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
