"""Every example in the documentation site (docs/*.md and the pages below it) runs and shows what it says.

Per page, in document order, in a fresh working folder where the repository's folders (``docs``,
``examples``, ``certificates``, ...) are links (so relative paths read as in the docs, and what a
command writes -- ``certs/`` -- lands in the temporary folder):

- a ```` ```python ```` block is executed; the blocks of a page share one namespace;
- a ```` ```pycon ```` block, or a ```` ```python ```` block written with ``>>>`` prompts, is a
  doctest: its shown output is compared (``...`` matches anything, doctest's ELLIPSIS);
- a ```` ```console ```` block is a list of ``$ command`` lines, each followed by the output it
  shows; a command starting ``verified`` runs (through ``python -m verified``, in bash, so ``;``,
  ``echo "exit $?"`` and globs work) and its output must equal what is shown, up to
  durations (``12.40 s``), which differ from run to run, and the counts of a hunt's ``tried ...``
  line, which depend on hypothesis' version (the rule tests/hunt/test_hunt_cli.py applies to the
  README's copy of that example). A console block of commands without output is a synopsis and
  is not run. The hunt example (13 s) is the README's, which tests/hunt runs: `checked_elsewhere`.

A block whose info string carries ``skip`` (```` ```python skip ````) is not run: only for what
needs a cluster or the network. `SKIP_REASONS` lists the allowed reasons; a skip without one of
them fails the test.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)
SKIP_REASONS = ("cluster", "network")
README_CHECKED = [  # README examples (console blocks) that a test runs already: see `checked_elsewhere`
    "$ verified hunt examples/hunt/planted_20.toml --property sp --seed 1\n",
]

FENCE = re.compile(
    r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,})(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ ]*$",
    re.M | re.S,
)


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language, the rest of its info string, its text and line."""

    language: str
    options: str
    text: str
    line: int


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a Markdown page, in order."""
    source = page.read_text()
    found = []
    for match in FENCE.finditer(source):
        info = match.group("info").strip().split(None, 1)
        language = info[0] if info else ""
        options = info[1] if len(info) > 1 else ""
        line = source.count("\n", 0, match.start()) + 1
        found.append(Block(language, options, match.group("body"), line))
    return found


def runnable(block: Block) -> bool:
    """Python and pycon blocks; console blocks of ``verified`` commands that show some output (a
    block of commands alone is a synopsis, like ``verified check FILE --property sp,ir``)."""
    if block.language in ("python", "pycon"):
        return True
    if block.language != "console" or not block.text.lstrip().startswith("$ verified"):
        return False
    return any(shown.strip() for _, shown in commands(block.text))


def doctest_style(block: Block) -> bool:
    """A block to run as a doctest: ``pycon``, or ``python`` written with ``>>>`` prompts."""
    return block.language == "pycon" or block.text.lstrip().startswith(">>> ")


def checked_elsewhere(block: Block) -> bool:
    """Whether a console block is a verbatim copy of a README example that a test already runs.

    Only the hunt example (13 s, the slowest in the docs): the README shows the same block and
    tests/hunt/test_hunt_cli.py compares its output with the README's, with the same tolerances."""
    if block.language != "console" or not block.text.startswith(tuple(README_CHECKED)):
        return False
    test = (ROOT / "tests" / "hunt" / "test_hunt_cli.py").read_text()
    assert "def test_the_readme_example_prints_what_the_readme_shows" in test
    assert "```console\n" + block.text + "```" in (ROOT / "README.md").read_text()
    return True


def skipped(block: Block) -> bool:
    """Whether the block is marked ``skip``; the mark must name an allowed reason."""
    if not re.match(r"skip\b", block.options):
        return False
    assert any(reason in block.options for reason in SKIP_REASONS), (
        f"line {block.line}: a docs example may be skipped only when it needs a cluster or the "
        f"network; say which in its info string (```{block.language} skip: needs a Dask cluster)"
    )
    return True


def commands(text: str) -> list[tuple[str, str]]:
    """``(command, shown output)`` for each ``$ `` line of a console block."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        else:
            assert out, f"console output before any command: {line!r}"
            out[-1][1].append(line)
    return [(command, "\n".join(lines)) for command, lines in out]


def normalised(text: str) -> list[str]:
    """Lines with trailing blanks removed, durations as ``T s``, a hunt's ``tried`` counts as N."""
    lines = []
    for line in text.rstrip("\n").splitlines():
        line = re.sub(r"[0-9.]+ s\b", "T s", line.rstrip())
        if line.lstrip().startswith("tried "):
            line = re.sub(r"[0-9,]+", "N", line)
        lines.append(line)
    return lines


def run_console(command: str, shown: str, cwd: Path) -> None:
    if not command.startswith("verified"):
        pytest.fail(f"a console block runs only `verified ...` commands, not {command!r}")
    env = dict(os.environ, PYTHON=sys.executable)
    script = 'verified() { "$PYTHON" -m verified "$@"; }\n' + command
    run = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    printed = f"--- printed (exit {run.returncode}) ---\n{run.stdout}{run.stderr}"
    assert normalised(run.stdout) == normalised(shown), f"$ {command}\n--- shown ---\n{shown}\n{printed}"


def run_pycon(block: Block, namespace: dict, name: str) -> None:
    test = doctest.DocTestParser().get_doctest(block.text, namespace, name, name, block.line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    runner.run(test, out=report.append, clear_globs=False)
    namespace.update(test.globs)  # the parser works on a copy; later blocks see these names
    assert runner.failures == 0, "".join(report)


def workspace(tmp_path: Path) -> Path:
    """A working folder where the repository's folders (``docs``, ``examples``, ``certificates``, ...)
    are links: the paths of the docs read as in the repository, and new files stay here."""
    for path in ROOT.iterdir():
        if path.is_dir() and not path.name.startswith((".", "_")) and not path.name.endswith(".egg-info"):
            (tmp_path / path.name).symlink_to(path, target_is_directory=True)
    return tmp_path


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_every_example_on_the_page_runs_and_shows_what_it_says(page, tmp_path, monkeypatch):
    cwd = workspace(tmp_path)
    monkeypatch.chdir(cwd)
    monkeypatch.syspath_prepend(str(cwd))
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for block in blocks(page):
        if not runnable(block) or skipped(block):
            continue
        where = f"{page.relative_to(ROOT)}:{block.line}"
        if doctest_style(block):
            run_pycon(block, namespace, where)
        elif block.language == "python":
            exec(compile(block.text, where, "exec"), namespace)
        elif not checked_elsewhere(block):
            for command, shown in commands(block.text):
                run_console(command, shown, cwd)


# The collector itself, on pages written here (independent of the real docs).


def test_blocks_are_found_with_their_language_options_and_line(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n```python\nx = 1\n```\n\ntext\n\n```python skip: needs a Dask cluster\nconnect()\n```\n"
        "````console\n$ verified properties\n```\nnested\n```\n````\n"
    )
    found = blocks(page)
    assert [(b.language, b.options, b.line) for b in found] == [
        ("python", "", 3),
        ("python", "skip: needs a Dask cluster", 9),
        ("console", "", 12),
    ]
    assert found[2].text == "$ verified properties\n```\nnested\n```\n"
    assert skipped(found[1]) and not skipped(found[0])


def test_a_skip_without_an_allowed_reason_is_refused():
    with pytest.raises(AssertionError, match="cluster or the"):
        skipped(Block("python", "skip because it is slow", "", 1))


def test_console_blocks_split_into_commands_and_their_output():
    text = "$ verified check a.toml\nline 1\n  line 2\n$ verified recheck c.json\nOK\n"
    assert commands(text) == [
        ("verified check a.toml", "line 1\n  line 2"),
        ("verified recheck c.json", "OK"),
    ]
    with pytest.raises(AssertionError, match="before any command"):
        commands("output\n$ verified x\n")


def test_only_durations_and_hunt_counts_are_forgiven():
    shown = "first after 2.61 s; 12.40 s in all\n  tried 1,185 profiles in 12.4 s, seed 1\nsp HOLDS 1/2"
    same = "first after 0.3 s; 9 s in all   \n  tried 1,200 profiles in 3.0 s, seed 1\nsp HOLDS 1/2\n"
    assert normalised(shown) == normalised(same)
    assert normalised("sp HOLDS 1/2") != normalised("sp HOLDS 1/3")
    assert normalised("profile 12 of 4,096") != normalised("profile 13 of 4,096")


def test_a_console_example_that_prints_something_else_fails(tmp_path):
    cwd = workspace(tmp_path)
    start = time.monotonic()
    run_console("verified properties | head -1", _first_line_of_properties(), cwd)
    with pytest.raises(AssertionError, match="--- shown ---"):
        run_console("verified properties | head -1", "something else", cwd)
    with pytest.raises(pytest.fail.Exception, match="only `verified"):
        run_console("rm -rf /", "", cwd)
    assert time.monotonic() - start < 60


def _first_line_of_properties() -> str:
    run = subprocess.run(
        [sys.executable, "-m", "verified", "properties"], capture_output=True, text=True, check=True
    )
    return run.stdout.splitlines()[0]


def test_a_doctest_with_a_wrong_output_fails():
    good = Block("pycon", "", ">>> 1 + 1\n2\n", 1)
    run_pycon(good, {}, "good")
    with pytest.raises(AssertionError, match="Expected"):
        run_pycon(Block("pycon", "", ">>> 1 + 1\n3\n", 1), {}, "bad")


# The site's structure: every page and every schema reachable (the build itself is not run here:
# Sphinx is the [docs] extra, not a test dependency).


def _conf():
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_conf", DOCS / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def test_every_page_is_in_a_toctree_of_the_index():
    conf = _conf()
    index = conf.complete_index((DOCS / "index.md").read_text())
    listed = conf._toctree_entries(index)
    assert set(conf.pages()) - {"index"} <= listed
    assert all((DOCS / f"{name}.md").exists() for name in listed), "a toctree names a missing page"
    api = conf._toctree_entries((DOCS / "api" / "index.md").read_text())
    assert {p.stem for p in (DOCS / "api").glob("*.md")} - {"index"} == api


def test_the_index_drops_missing_optional_pages_and_lists_unlisted_ones(tmp_path, monkeypatch):
    conf = _conf()
    (tmp_path / "index.md").write_text("")
    (tmp_path / "new_page.md").write_text("# New\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "x.md").write_text("# X\n")
    monkeypatch.setattr(conf, "HERE", tmp_path)
    text = "```{toctree}\n:maxdepth: 1\n\ntutorial\npreflib\n```\n"
    done = conf.complete_index(text)
    assert conf._toctree_entries(done) == {"tutorial", "new_page"}  # preflib.md does not exist here
    assert ":caption: More" in done


def test_every_schema_file_is_shown_on_the_schemas_page():
    page = (DOCS / "schemas.md").read_text()
    shown = set(re.findall(r"literalinclude\} \.\./verified/io/schemas/(\S+)", page))
    assert shown == {p.name for p in (ROOT / "verified" / "io" / "schemas").glob("*.json")}


def test_every_public_module_listed_in_the_api_pages_exists():
    import importlib

    modules = set()
    for page in (DOCS / "api").glob("*.md"):
        modules |= set(re.findall(r"^\.\. automodule:: (\S+)$", page.read_text(), re.M))
    assert {"verified.assignment.model", "verified.results", "verified.errors", "verified.testing"} <= modules
    for name in sorted(modules):
        importlib.import_module(name)


def test_only_output_showing_console_blocks_and_prompted_python_are_special():
    assert not runnable(Block("console", "", "$ verified check FILE --property sp,ir\n", 1))
    assert runnable(Block("console", "", "$ verified properties\nvalid  assignment\n", 1))
    assert not runnable(Block("console", "", "$ ls\nfile\n", 1))
    assert doctest_style(Block("python", "", ">>> 1 + 1\n2\n", 1))
    assert not doctest_style(Block("python", "", "x = 1\n", 1))


def test_the_hunt_example_is_the_readme_copy_that_tests_hunt_checks():
    hunt = [b for b in blocks(DOCS / "hunt.md") if b.language == "console"]
    assert hunt and all(checked_elsewhere(b) for b in hunt)
    with pytest.raises(AssertionError):  # a copy that drifted from the README's is an error, not a skip
        checked_elsewhere(Block("console", "", README_CHECKED[0] + "something else\n", 1))
    assert not checked_elsewhere(Block("console", "", "$ verified properties\nvalid\n", 1))
