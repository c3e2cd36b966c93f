"""Memory of the independent checker on a large certificate (issue 9, item 8).

The random priority n = 5 agents, m = 3 objects ``sp`` certificate holds the whole table
(1,048,576 profiles x 5 rows x 4 numerators, about 69 MB of JSON). The cases write it with
``verified check`` and re-check it with ``python -m verified.recheck``, each in a subprocess
of its own, and report the subprocess's peak resident set size next to the time: the checker's
target is under 1 GiB, shown as the ratio peak / 1 GiB against ``<= 1`` (before the streaming
reader of issue 9 it took 3.79 GB and 140 s; the numbers of that run are in the notes as
``before``).

    python benchmarks/run.py recheck
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from run import Case

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.gettempdir()) / "verified-bench-recheck"
TARGET_BYTES = 1 << 30  # peak RSS of one recheck
BEFORE = {"json": "before: 3.79 GB, 140 s", "gz": "before: 3.78 GB, 140-245 s"}

_MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes on macOS, kB elsewhere
print(done.returncode, peak * scale)
sys.stdout.write(done.stdout[-2000:] + done.stderr[-2000:])
"""


def peak_rss(argv: list[str]) -> tuple[int, int, str]:
    """(exit code, peak RSS in bytes, output) of ``argv`` run alone in a fresh measuring process
    (so no earlier child of this process counts)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *argv], capture_output=True, text=True, cwd=ROOT, check=True
    )
    first, _, output = done.stdout.partition("\n")
    code, peak = map(int, first.split())
    return code, peak, output


def _certificate(suffix: str) -> Path:
    found = sorted(WORK.glob(f"rp_5x3.sp.cert.json{suffix}"))
    if not found:
        raise RuntimeError(f"no certificate in {WORK}: run the 'certify' case first")
    return found[0]


def _certify() -> str:
    WORK.mkdir(parents=True, exist_ok=True)
    for old in WORK.glob("rp_5x3.sp.cert.json*"):
        old.unlink()
    argv = [sys.executable, "-m", "verified", "check", "examples/rp_5x3.toml", "-p", "sp", "-c", str(WORK)]
    code, peak, output = peak_rss(argv)
    if code != 0:
        raise RuntimeError(f"verified check failed ({code}): {output}")
    written = sorted(WORK.glob("rp_5x3.sp.cert.json*"))
    if not written:
        raise RuntimeError(f"verified check wrote no certificate in {WORK}")
    path = written[0]
    # both spellings for the recheck cases, whichever the CLI wrote
    from verified.certificates import gzip_bytes

    if path.name.endswith(".gz"):
        import gzip

        (WORK / "rp_5x3.sp.cert.json").write_bytes(gzip.decompress(path.read_bytes()))
    else:
        (WORK / "rp_5x3.sp.cert.json.gz").write_bytes(gzip_bytes(path.read_bytes()))
    size = (WORK / "rp_5x3.sp.cert.json").stat().st_size
    packed = (WORK / "rp_5x3.sp.cert.json.gz").stat().st_size
    sizes = f"{size / 1e6:.0f} MB JSON, {packed / 1e6:.1f} MB gz"
    return f"wrote {path.name} ({sizes}); peak RSS of verified check {peak / 1e9:.2f} GB"


def _recheck(suffix: str):  # noqa: ANN202 - a Case.run returning (note, ratio)
    def run() -> str:
        path = _certificate(suffix)
        code, peak, output = peak_rss([sys.executable, "-m", "verified.recheck", str(path)])
        if code != 0 or "OK" not in output:
            raise RuntimeError(f"recheck failed ({code}): {output}")
        kind = "gz" if suffix else "json"
        note = f"peak RSS {peak / 1e6:.0f} MB (ratio: peak / 1 GiB); {BEFORE[kind]}"
        return note, peak / TARGET_BYTES

    return run


def cases() -> list[Case]:
    return [
        Case("certify RP sp, n=5 m=3 full table (verified check, subprocess)", None, _certify),
        Case("recheck RP sp, n=5 m=3, 69 MB .cert.json (subprocess)", 60.0, _recheck(""), "<= 1"),
        Case("recheck RP sp, n=5 m=3, .cert.json.gz (subprocess)", 60.0, _recheck(".gz"), "<= 1"),
    ]
