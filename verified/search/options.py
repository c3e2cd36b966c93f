"""What ``verified search`` accepts: the objectives and the command line's arguments.

Kept apart from the search itself (`verified.search.dominate`, which needs z3 and the LP
solvers) so that building the command line imports nothing heavy: every ``verified check``
builds the whole parser, the ``search`` subcommand included.
"""

from __future__ import annotations

import argparse

#: What a dominating mechanism maximises (`verified.search.dominate.find_dominating_mechanism`).
OBJECTIVES = ("strict", "total-gain", "max-min")


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``verified search``."""
    parser.add_argument("file", help="JSON problem file (format below and in docs/cli.md)")
    parser.add_argument(
        "--dominate",
        action="store_true",
        required=True,
        help="search for an SP mechanism that dominates the base",
    )
    parser.add_argument(
        "--objective",
        choices=OBJECTIVES,
        default="strict",
        help="strict: any dominating mechanism (default); total-gain / max-min: the optimum of the "
        "total / the smallest gain over the base, with a dual certificate",
    )
    parser.add_argument("--certificate", help="write the certificate JSON here")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per LP (default 600)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
