"""``python -m verified.recheck CERT...``: re-verify certificates (standard library only).

Each file is reported on its own line (OK or REJECTED); one bad file never stops the
others. Exit 0 when every certificate is verified, 1 when any is rejected, 2 with no files.
"""

import sys

from verified.recheck.core import RecheckError, recheck_file


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: python -m verified.recheck CERT...", file=sys.stderr)
        return 2
    status = 0
    for path in paths:
        try:
            print(f"OK       {path}: {recheck_file(path)}")
        except RecheckError as exc:
            print(f"REJECTED {exc}")
            status = 1
        except Exception as exc:  # noqa: BLE001 - a checker bug still rejects, never crashes the batch
            print(f"REJECTED {path}: internal error of the checker ({type(exc).__name__}: {exc})")
            status = 1
    return status


sys.exit(main(sys.argv[1:]))
