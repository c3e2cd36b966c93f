"""The arguments of ``verified compare``. Imports nothing heavy: every ``verified`` command builds
the whole parser, this subcommand's included."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

REQUIRE_CHOICES = ("dominates", "weakly-dominates", "equal", "no-regression")
EPILOG = """what exit 0 means (--require):
  dominates         NEW dominates OLD: at every profile every agent's NEW lottery weakly
                    SD-dominates her OLD one, strictly for some agent at some profile (Erdil)
  weakly-dominates  the same, "strictly somewhere" left out (default without --property)
  equal             every agent gets the same lottery at every profile
  no-regression     no requested property holds for OLD and fails for NEW (default with --property)
  A regression fails every requirement. With --hunt the verdict is FAILS (a refuting profile)
  or UNKNOWN: sampling never proves a relation.

exit codes:
  0  the requirement holds
  1  it fails (NEW does not dominate / differs / a property regressed), with the profile
  2  bad input: a malformed file or argument, OLD and NEW on different problems or domains
     (the difference is named), a user's mechanism that raises (the profile is named)
  3  unknown: a limit ended the run first, or --hunt found nothing
  4  internal error: a bug in verified; please report it"""


def _count(where: str, low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    return parse


def configure(parser: argparse.ArgumentParser, seconds: Any, memory: Any, jobs: Any) -> None:
    """The arguments of ``verified compare`` (``seconds``, ``memory``, ``jobs``: the argparse types
    ``verified check`` uses)."""
    parser.add_argument("old", help="the mechanism before the change (.json/.toml, see docs/formats.md)")
    parser.add_argument("new", help="the mechanism after it, on the same problem and domain")
    parser.add_argument("--property", "-p", help="comma-separated properties checked on both (regressions)")
    parser.add_argument(
        "--require",
        choices=REQUIRE_CHOICES,
        help="what exit 0 means (see below; default: no-regression with --property, else weakly-dominates)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--certificate-dir", "-c", help="write the comparison's certificates here")
    parser.add_argument(
        "--jobs",
        "-j",
        type=jobs,
        default=1,
        help="worker processes for tabulating (default 1; -1: every core)",
    )
    parser.add_argument(
        "--hunt",
        action="store_true",
        help="sample profiles instead of tabulating (domains too large to tabulate)",
    )
    parser.add_argument("--budget", type=_count("--budget", 1), default=1000, help="profiles drawn by --hunt")
    parser.add_argument(
        "--seed", type=_count("--seed", 0), default=0, help="seed of --hunt's draws (default 0)"
    )
    parser.add_argument(
        "--timeout",
        type=seconds("--timeout"),
        help="seconds for the whole run; past it, what is unfinished is UNKNOWN",
    )
    parser.add_argument(
        "--max-memory", type=memory, help="memory for the run, e.g. 4G (default: half the machine's)"
    )
    parser.add_argument(
        "--allow-float", action="store_true", help="read floats as the decimals they print as"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress line on stderr")
