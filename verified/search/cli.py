"""``verified search FILE --dominate``: argument parsing and printing only.

FILE is JSON: ``{"agents": 4, "objects": "abc", "capacities": {...} (optional),
"base": {"mechanism": "random_priority" | "serial_dictatorship" (+ "order") |
"random_deferred_acceptance" (+ "priorities": per object, tiers of agent indices)},
"neighbourhood": [profiles] (optional), "nonwasteful_at": [profiles], "relaxed": false,
"equal_treatment": false, "ex_post_efficient": false}``; a profile is a list of rankings
such as ``["ab", "ca", "cb", "c"]``.
Exit codes: 0 found / optimum, 1 none exists, 2 bad input, 3 unknown.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from verified.assignment.domain import Domain
from verified.assignment.model import Problem
from verified.errors import InvalidInput, MissingExtra
from verified.search.bases import base_mechanism
from verified.search.dominate import OBJECTIVES, find_dominating_mechanism
from verified.search.report import describe, write_certificate


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="JSON problem file (see `verified.search.cli`)")
    parser.add_argument(
        "--dominate",
        action="store_true",
        required=True,
        help="search for an SP mechanism that dominates the base",
    )
    parser.add_argument("--objective", choices=OBJECTIVES, default="strict")
    parser.add_argument("--certificate", help="write the certificate JSON here")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per LP")


def load(path: str) -> tuple:
    data = json.loads(Path(path).read_text())
    problem = Problem.make(data["agents"], data["objects"], data.get("capacities"))
    domain = Domain.full(problem)
    spec = data.get("base", {"mechanism": "random_priority"})
    name = spec.get("mechanism")
    base = base_mechanism(domain, spec)
    options = {
        "neighbourhood": data.get("neighbourhood"),
        "nonwasteful_at": data.get("nonwasteful_at", []),
        "relaxed": bool(data.get("relaxed", False)),
        "equal_treatment": bool(data.get("equal_treatment", False)),
        "ex_post_efficient": bool(data.get("ex_post_efficient", False)),
        "check_base": name != "random_deferred_acceptance" or len(domain) <= 5000,
    }
    return base, domain, spec, options


def run(args: argparse.Namespace) -> int:
    try:
        base, domain, spec, options = load(args.file)
        out = find_dominating_mechanism(
            base, domain, objective=args.objective, base_spec=spec, time_limit=args.time_limit, **options
        )
    except (InvalidInput, KeyError, ValueError, OSError) as exc:
        print(f"error: {exc}")
        return 2
    except MissingExtra as exc:
        print(f"error: {exc}")
        return 2
    print(describe(out.result))
    if args.certificate:
        write_certificate(args.certificate, out.result)
        print(f"certificate written to {args.certificate}")
    if out.result.unknown:
        return 3
    return 0 if out.result.holds else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="verified search")
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
