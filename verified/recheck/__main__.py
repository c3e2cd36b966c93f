"""``python -m verified.recheck CERT...``: re-verify certificates (standard library only)."""

import sys

from verified.recheck.core import RecheckError, recheck_file


def main(paths: list[str]) -> int:
    status = 0
    for path in paths:
        try:
            print(f"OK       {path}: {recheck_file(path)}")
        except RecheckError as exc:
            print(f"REJECTED {exc}")
            status = 1
    return status


sys.exit(main(sys.argv[1:]))
