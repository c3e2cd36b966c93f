"""Run every benchmark and print one table.

    python benchmarks/run.py            # all
    python benchmarks/run.py assignment # only benchmarks/bench_assignment.py

Each ``benchmarks/bench_*.py`` module exposes ``cases()``: a list of
`Case` objects. A case runs once (exact computation, no repetition games),
reports its wall time next to its target and, where given, a baseline.
A case measured against a floor (the user's own code, one process) returns
``(note, ratio)`` and names its ``ratio_target`` (``"<= 1.5"``, ``">= 1.7"``):
the table shows the ratio and whether it meets the target.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Case:
    name: str
    target_seconds: float | None
    run: Callable[[], str | tuple[str, float]]  # a short note (verdict, digest), or (note, ratio)
    ratio_target: str | None = None  # "<= 1.5" or ">= 1.7": the ratio the run returns, against its floor


def _meets(ratio: float, target: str) -> bool:
    op, bound = target.split()
    return ratio <= float(bound) if op == "<=" else ratio >= float(bound)


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    wanted = set(argv)
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        if wanted and path.stem.removeprefix("bench_") not in wanted:
            continue
        for case in _load(path).cases():
            start = time.perf_counter()
            out = case.run()
            seconds = time.perf_counter() - start
            note, ratio = out if isinstance(out, tuple) else (out, None)
            target = "" if case.target_seconds is None else f"< {case.target_seconds:g} s"
            ok = "" if case.target_seconds is None else ("ok" if seconds < case.target_seconds else "SLOW")
            shown_ratio, ratio_target = "", case.ratio_target or ""
            if ratio is not None:
                shown_ratio = f"{ratio:.2f}"
                if case.ratio_target and not _meets(ratio, case.ratio_target):
                    ok = "SLOW"
                elif case.ratio_target and not ok:
                    ok = "ok"
            rows.append((case.name, f"{seconds:.3f} s", target, shown_ratio, ratio_target, ok, note))
            print(f"  done: {case.name} ({seconds:.2f} s)", file=sys.stderr, flush=True)
    header = ("benchmark", "time", "target", "ratio", "ratio target", "", "result")
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 1 if any(r[5] == "SLOW" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
