"""``verified compare OLD NEW``: run the comparison in a child bounded by the limits, print it in
words or JSON, write its certificates, and return the exit code (0 the requirement holds, 1 it
fails, 3 unknown; bad input raises `InvalidInput`, which the command line reports as exit 2)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from verified.compare.api import Collector, options
from verified.compare.model import Comparison


def stem(path: str) -> str:
    return Path(path).name.split(".")[0]


def certificate_names(old: str, new: str, label: str) -> str:
    """``OLDSTEM-vs-NEWSTEM.LABEL.cert.json``: LABEL is the relation certified (``dominates``,
    ``dominates.witness``) or ``old.PROPERTY`` / ``new.PROPERTY``."""
    return f"{stem(old)}-vs-{stem(new)}.{label}.cert.json"


def write_certificates(comparison: Comparison, args: argparse.Namespace) -> list[Path]:
    from verified.certificates import save_document

    folder = Path(args.certificate_dir)
    return [
        save_document(doc, folder / certificate_names(args.old, args.new, label))
        for label, doc in comparison.certificates
    ]


def run(args: argparse.Namespace) -> int:
    from verified.cli import Progress
    from verified.compare.words import describe
    from verified.run.compare import compare_in_child
    from verified.run.limits import Limits, default_max_memory

    names, requirement = options(args.property or (), args.require, args.hunt, args.budget, args.seed)
    settings = {
        "names": names,
        "requirement": requirement,
        "hunt": args.hunt,
        "budget": args.budget,
        "seed": args.seed,
        "certificates": bool(args.certificate_dir),
        "allow_float": args.allow_float,
        "jobs": args.jobs,
        "timeout": args.timeout,
    }
    limits = Limits(args.timeout, None, args.max_memory or default_max_memory())
    progress = Progress("verified compare", not (args.quiet or args.json))

    def tick(collector: Collector) -> None:
        progress.label = collector.stage
        progress.tick(collector.progress)

    try:
        comparison = compare_in_child(str(args.old), str(args.new), settings, limits, on_tick=tick)
    finally:
        progress.close()
    written = write_certificates(comparison, args) if args.certificate_dir else []
    if args.json:
        out: dict[str, Any] = comparison.to_json()
        out["certificates"] = [str(p) for p in written]
        print(json.dumps(out, indent=1))
    else:
        print(describe(comparison))
        if written:
            print(f"certificates written to {args.certificate_dir}: {', '.join(p.name for p in written)}")
        elif args.certificate_dir:
            print("no certificate written (the run ended before any)")
    return comparison.exit_code
