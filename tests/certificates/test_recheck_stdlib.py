"""verified.recheck uses the Python standard library only (no z3, numpy, sympy, solver code)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.certificates.helpers import ROOT, certificate, example, stored_certificates

RECHECK = ROOT / "verified" / "recheck"


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports (verified.recheck....)"
            names.append(node.module or "")
    return names


def test_every_import_is_standard_library_or_recheck_itself():
    files = sorted(RECHECK.glob("*.py"))
    assert files
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            ok = (
                top in sys.stdlib_module_names
                or name == "verified.recheck"
                or name.startswith("verified.recheck.")
            )
            assert ok, f"{path.name} imports {name!r}"
            assert top not in {"numpy", "z3", "sympy", "highspy"}


BLOCKER = """
import sys, importlib.abc
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in {"numpy", "z3", "sympy", "highspy", "scipy"}:
            raise ImportError("blocked: " + name)
        if name.startswith("verified.") and not name.startswith("verified.recheck"):
            raise ImportError("blocked: " + name)
        return None
sys.meta_path.insert(0, Block())
from verified.recheck import recheck_file
for path in sys.argv[1:]:
    print(recheck_file(path))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"numpy", "z3", "sympy", "highspy"})
assert not loaded, loaded
"""


def test_recheck_runs_with_solvers_and_numpy_blocked(tmp_path):
    for name, prop in (
        ("boston_3x2.json", "sp"),
        ("my_mechanism.toml", "sp"),
        ("my_mechanism.toml", "nonwasteful"),
    ):
        path = tmp_path / f"{prop}.json"
        path.write_text(json.dumps(certificate(example(name), prop)))
        run = subprocess.run(
            [sys.executable, "-c", BLOCKER, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        assert run.returncode == 0, run.stderr
        assert "re-verified" in run.stdout


def test_every_stored_certificate_kind_rechecks_with_solvers_and_numpy_blocked():
    stored = [str(p) for p in stored_certificates()]  # the heavy ones have their own tests
    run = subprocess.run(
        [sys.executable, "-c", BLOCKER, *stored], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("re-verified") == len(stored)
