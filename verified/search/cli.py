"""``verified search FILE --dominate``: reading the problem file, printing, exit codes.

FILE is JSON: ``{"agents": 4, "objects": "abc", "capacities": [1, 1, 1] (optional),
"base": {"mechanism": "random_priority" | "serial_dictatorship" (+ "order") |
"random_deferred_acceptance" (+ "priorities": per object, tiers of agent indices)},
"neighbourhood": [profiles] (optional), "nonwasteful_at": [profiles], "relaxed": false,
"equal_treatment": false, "ex_post_efficient": false, "ex_post_stable": null | per object, tiers
of agent indices (highest first)}``; a profile is a list of rankings such as
``["ab", "ca", "cb", "c"]``. ``ex_post_stable`` (with a neighbourhood): g must be a lottery over
stable matchings for these priorities at every changed profile, and the base ex post stable
everywhere (`verified.search.stability`); the base's strategy-proofness is always checked on
the whole domain, and a manipulable base is refused with the manipulation (exit 2). Every
field is validated before use: bad input raises `InvalidInput` naming the file and the field
(exit 2), never a traceback; so does every refusal of the search itself (an option the question
does not support, a manipulable base, a size the independent checker would refuse:
`verified.search.checker_limits`).
Exit codes: 0 found / optimum, 1 none exists, 2 bad input, 3 unknown. ``--json`` prints
`verified.cli_reports.search_json` (docs/cli.md) instead of the words, with the same exit code.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from verified.assignment.domain import Domain, count_text
from verified.assignment.model import Problem, Profile
from verified.errors import InvalidInput, OutOfReach, VerifiedError
from verified.io.schema import parse_text, read_file_bytes
from verified.numbers import require_int
from verified.recheck.search_base import MAX_CELLS as CHECKER_BASE_CELLS
from verified.search.bases import BASE_NAMES, base_mechanism
from verified.search.dominate import SearchOutcome, find_dominating_mechanism
from verified.search.options import configure
from verified.search.report import describe, write_certificate

FIELDS = ("agents", "objects", "capacities", "base", "neighbourhood", "nonwasteful_at", "ex_post_stable")
FLAGS = ("relaxed", "equal_treatment", "ex_post_efficient")
BASE_FIELDS = {
    "random_priority": ("mechanism",),
    "serial_dictatorship": ("mechanism", "order"),
    "random_deferred_acceptance": ("mechanism", "priorities"),
}
#: Largest domain (profiles x agents) whose base the CLI tabulates: the checker's bound on the
#: cells where it re-derives a base (`verified.recheck.search_base.MAX_CELLS`; it does so on the
#: whole domain when g is the base outside a neighbourhood, and never at more cells than these).
MAX_PAIRS = CHECKER_BASE_CELLS
#: What an empty problem file should hold (it has no ``format`` field, unlike a mechanism file).
EXAMPLE = '{"agents": 3, "objects": "abc", "base": {"mechanism": "random_priority"}}'


@dataclass(frozen=True)
class SearchSpec:
    """A validated problem file: the base, its domain, its spec and the search options."""

    base: Any
    domain: Domain
    spec: dict[str, Any]
    options: dict[str, Any]


def _names(value: object, where: str) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, str, list)):
        raise InvalidInput(
            f"expected a count, a string or a list of names, got {type(value).__name__}", where
        )
    if isinstance(value, int):
        require_int(value, where, low=1, high=26)
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        raise InvalidInput("every name must be a string", where)
    return value


def _problem(data: Mapping[str, Any]) -> Problem:
    for key in ("agents", "objects"):
        if key not in data:
            raise InvalidInput("missing field", key)
    caps = data.get("capacities")
    if caps is not None:
        ok = isinstance(caps, list) and all(isinstance(q, int) and not isinstance(q, bool) for q in caps)
        ok = ok or (
            isinstance(caps, dict)
            and all(isinstance(q, int) and not isinstance(q, bool) for q in caps.values())
        )
        if not ok:
            raise InvalidInput("expected a list of integers or {object: integer}", "capacities")
    return Problem.make(_names(data["agents"], "agents"), _names(data["objects"], "objects"), caps)


def _profiles(problem: Problem, value: object, where: str) -> list[Profile]:
    if not isinstance(value, list):
        raise InvalidInput(f"expected a list of profiles, got {type(value).__name__}", where)
    out = []
    for k, prof in enumerate(value):
        here = f"{where}[{k}]"
        if not isinstance(prof, list) or not all(
            isinstance(r, str) or (isinstance(r, list) and all(isinstance(x, str) for x in r)) for r in prof
        ):
            raise InvalidInput("a profile is a list of rankings (strings or lists of object names)", here)
        try:
            out.append(problem.profile(prof))
        except InvalidInput as exc:
            raise InvalidInput(str(exc), here) from None
    return out


def _base_spec(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f'expected an object {{"mechanism": ...}}, got {type(value).__name__}', "base")
    name = value.get("mechanism")
    if name not in BASE_NAMES:
        raise InvalidInput(
            f"unknown base mechanism {name!r}; known: {', '.join(BASE_NAMES)}", "base.mechanism"
        )
    unknown = sorted(set(value) - set(BASE_FIELDS[name]))
    if unknown:
        raise InvalidInput(f"unknown field(s) {unknown} for {name}", "base")
    return dict(value)


def read_spec(data: object) -> SearchSpec:
    """Validate a parsed problem file (every field, before any use)."""
    if not isinstance(data, dict):
        raise InvalidInput(f"the file must hold a JSON object, got {type(data).__name__}", "(top level)")
    unknown = sorted(set(data) - set(FIELDS) - set(FLAGS))
    if unknown:
        raise InvalidInput(f"unknown field(s) {unknown}; known: {list(FIELDS + FLAGS)}", "(top level)")
    for flag in FLAGS:
        if not isinstance(data.get(flag, False), bool):
            raise InvalidInput(f"expected true or false, got {data[flag]!r}", flag)
    problem = _problem(data)
    domain = Domain.full(problem)
    if domain.profile_count * problem.n > MAX_PAIRS:  # `len` stops at sys.maxsize
        raise InvalidInput(
            f"the full domain has {count_text(domain.profile_count)} profiles x {problem.n} agents, "
            f"more than {MAX_PAIRS:,}",
            "agents",
        )
    spec = _base_spec(data.get("base", {"mechanism": "random_priority"}))
    nbhd = data.get("neighbourhood")
    if nbhd == []:
        raise InvalidInput(
            "the neighbourhood is empty (leave it out to search the whole domain)", "neighbourhood"
        )
    options = {
        "neighbourhood": None if nbhd is None else _profiles(problem, nbhd, "neighbourhood"),
        "nonwasteful_at": _profiles(problem, data.get("nonwasteful_at", []), "nonwasteful_at"),
        **{flag: data.get(flag, False) for flag in FLAGS},
    }
    if data.get("ex_post_stable") is not None:
        from verified.search.stability import read_priorities

        options["ex_post_stable"] = read_priorities(problem, data["ex_post_stable"], "ex_post_stable")
    return SearchSpec(base_mechanism(domain, spec), domain, spec, options)


@contextmanager
def _in_file(path: str) -> Iterator[None]:
    """Every `InvalidInput` raised inside names the file ``path`` first (once)."""
    try:
        yield
    except InvalidInput as exc:
        message = str(exc)
        raise InvalidInput(message if message.startswith(f"{path}:") else f"{path}: {message}") from None


def load(path: str) -> SearchSpec:
    """Read and validate the problem file; `InvalidInput` names the file and the field."""
    with _in_file(path):
        try:
            text = read_file_bytes(path).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"not UTF-8 text (byte {exc.start})", path) from None
        if not text.strip():
            raise InvalidInput(f"the file is empty; expected a JSON object such as {EXAMPLE}", path)
        return read_spec(parse_text(text, ".json", path))


def search(path: str, args: argparse.Namespace) -> SearchOutcome:
    """Load the problem file ``path`` and run the search with the command line's options; every
    `InvalidInput`, from the file or from the search (a manipulable base, an option the file's
    question does not support, a size the checker refuses), names the file."""
    spec = load(path)
    with _in_file(path):
        return find_dominating_mechanism(
            spec.base,
            spec.domain,
            objective=args.objective,
            base_spec=spec.spec,
            time_limit=args.time_limit,
            **spec.options,
        )


def run(args: argparse.Namespace) -> int:
    try:
        if not (math.isfinite(args.time_limit) and args.time_limit > 0):
            raise InvalidInput(f"must be a positive number of seconds, got {args.time_limit}", "--time-limit")
        out = search(args.file, args)
    except OutOfReach as exc:  # a work budget: no verdict, as in every other subcommand
        print(f"unknown: {exc}", file=sys.stderr)
        return 3
    except VerifiedError as exc:  # stdout holds the report (or the JSON) only
        print(f"error: {exc}", file=sys.stderr)
        return 2
    doc = out.certificate
    if getattr(args, "json", False):
        from verified.cli_reports import search_json

        if args.certificate:
            write_certificate(args.certificate, doc)
        print(json.dumps(search_json(args.file, doc, args.certificate or None), indent=1))
    else:
        print(describe(doc))
        if args.certificate:
            write_certificate(args.certificate, doc)
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
