"""Packaging promises (issue 13): a light ``import verified``, the lazy top-level names, the
``py.typed`` marker, one version, core run-time dependencies, and the install line a missing
extra prints. Import *time* is a speed target and lives in ``benchmarks/bench_import.py``."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import verified

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "z3", "highspy", "hypothesis", "matplotlib", "pandas", "dask", "distributed")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_import_verified_loads_nothing_heavy() -> None:
    loaded = _modules_after("import verified")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert not any(m.startswith("verified.") for m in loaded)


def test_the_model_alone_does_not_load_z3_or_highs() -> None:
    loaded = _modules_after("import verified; verified.Problem.make(3, 'abc')")
    assert "verified.assignment.model" in loaded
    assert not loaded & {"z3", "highspy", "hypothesis", "matplotlib", "pandas"}


@pytest.mark.parametrize("name", verified._LAZY)
def test_every_lazy_name_resolves_to_its_module(name: str) -> None:
    value = getattr(verified, name)
    assert getattr(value, "__name__", name) == name
    assert name in dir(verified)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        verified.nonsense  # noqa: B018


def test_py_typed_marker_is_shipped() -> None:
    assert (Path(verified.__file__).parent / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["verified"]


def test_one_version() -> None:
    assert verified.__version__ == importlib.metadata.version("verified")


def test_solvers_are_core_dependencies() -> None:
    """HiGHS is core: without it every large LP would fall back to the pure-Python simplex."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    core = {d.split(">")[0].split("=")[0].strip() for d in config["project"]["dependencies"]}
    assert {"z3-solver", "numpy", "highspy"} <= core


def test_strategies_without_hypothesis_print_the_install_line() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import verified.strategies\n"
        "except ImportError as exc:\n    print(type(exc).__name__, exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("MissingExtra")
    assert "pip install 'verified[test]'" in out


def test_all_lists_exactly_the_lazy_names() -> None:
    assert set(verified.__all__) == {"__version__", *verified._LAZY}
