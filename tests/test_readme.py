"""The README's commands and Python snippets run, and say what the README claims."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SNIPPETS = [b for b in re.findall(r"```python\n(.*?)```", README, re.S) if "def test_" not in b]


def test_readme_starts_with_exactly_the_two_setup_commands():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert len(first_block) == 2
    assert first_block[1] == "python -m pip install -e '.[test]' && python -m pytest"
    # CI runs exactly the README's test command: .ci/run reads it from README.md.
    ci = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--print-command"], capture_output=True, text=True, timeout=60
    )
    assert ci.returncode == 0, ci.stderr
    assert ci.stdout == first_block[1] + "\n"


def test_the_lowest_versions_pin_every_declared_lower_bound():
    # constraints/lowest.txt (CI's second run) pins each dependency of the runtime and of the
    # [test] extra at exactly its declared lower bound; a bound with no release of its own
    # (none exists on the index) would be a bound nothing tests, so equality is required.
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    requirements = project["dependencies"] + extras["test"]
    for requirement in list(requirements):  # the test extra includes others: verified[dask]
        own = re.fullmatch(r"verified\[([a-z,]+)\]", requirement)
        if own:
            requirements.remove(requirement)
            requirements += [r for extra in own.group(1).split(",") for r in extras[extra]]
    declared = {}
    for requirement in requirements:
        name, bound = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement).groups()
        declared[name.lower()] = bound
    pins = {}
    for line in (ROOT / "constraints" / "lowest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    assert set(pins) == set(declared)
    for name, bound in declared.items():
        assert _release(pins[name]) == _release(bound), (name, pins[name], bound)


def _release(version: str) -> list[int]:
    """Release numbers padded to four parts: 4.12 and 4.12.0.0 are the same release."""
    parts = [int(x) for x in version.split(".")]
    return parts + [0] * (4 - len(parts))


def test_the_main_command_runs_and_its_certificates_recheck(tmp_path):
    main = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()[0]
    steps = [s.strip() for s in main.split("&&")]
    assert steps[0].startswith("python -m pip install")
    certs = tmp_path / "my-certs"
    check = shlex.split(steps[1].replace("my-certs", str(certs)))
    recheck = shlex.split(steps[2].replace("my-certs/*.json*", ""))
    cli = [sys.executable, "-m", "verified"]
    out = subprocess.run(cli + check[1:], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "sp   HOLDS" in out.stdout
    files = sorted(str(p) for p in certs.iterdir())
    assert len(files) == 3
    out = subprocess.run(cli + recheck[1:] + files, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("OK") == 3


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_python_snippets_run(index, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    exec(compile(SNIPPETS[index], f"README snippet {index}", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out
    # Each snippet's comments claim a result; the first printed lines must show it.
    expected = {
        0: ["1            1/2     3/8       .     1/8", "'z': 'b'", "strategyproof: holds"],
        1: ["polarized_rays: fails"],
        2: ["["],
    }[index]
    for text in expected:
        assert text in printed
