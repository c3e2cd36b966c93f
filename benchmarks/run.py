"""Run every benchmark and print one table.

    python benchmarks/run.py            # all
    python benchmarks/run.py assignment # only benchmarks/bench_assignment.py

Each ``benchmarks/bench_*.py`` module exposes ``cases()``: a list of
`Case` objects. A case runs once (exact computation, no repetition games),
reports its wall time next to its target and, where given, a baseline.
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
    run: Callable[[], str]  # returns a short note (e.g. the verdict and certificate digest)


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
            note = case.run()
            seconds = time.perf_counter() - start
            target = "" if case.target_seconds is None else f"< {case.target_seconds:g} s"
            ok = "" if case.target_seconds is None else ("ok" if seconds < case.target_seconds else "SLOW")
            rows.append((case.name, f"{seconds:.3f} s", target, ok, note))
            print(f"  done: {case.name} ({seconds:.2f} s)", file=sys.stderr, flush=True)
    header = ("benchmark", "time", "target", "", "result")
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(5)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 1 if any(r[3] == "SLOW" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
