"""Sphinx configuration for the documentation site (MyST Markdown, furo theme).

Build (``pip install -e '.[docs]'``; no network needed)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The pages are the Markdown files in this folder; the API reference (``api/*.md``) is autodoc over
the installed package. Examples in the pages run under pytest: ``tests/test_docs_examples.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import verified

HERE = Path(__file__).resolve().parent

project = "verified"
author = "the verified developers"
copyright = "the verified developers"  # noqa: A001 - Sphinx's name for it
release = verified.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # numpydoc-style sections (Parameters, Returns, ...) in docstrings
    "sphinx.ext.viewcode",
]
# sphinx.ext.intersphinx is off on purpose: the build needs no network.

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# MyST: ``{eval-rst}`` blocks for autodoc, ``$...$`` maths, ``:::`` fences, definition lists;
# headings up to level 3 get anchors, so ``[text](page.md#a-heading)`` links are checked.
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3

# Docstrings: `name` is a cross-reference (a link when the name is documented here, plain
# code otherwise); numpy-style sections only; type hints are shown in the signature.
default_role = "py:obj"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
# Optional extras (pandas, matplotlib, dask, tqdm) are imported lazily by the library, so every
# documented module imports without them; hypothesis (verified.strategies, verified.hunt) is in
# the [docs] extra.

html_theme = "furo"
html_title = f"verified {release}"
html_static_path: list[str] = []

# The site builds (warning-free) whatever pages exist: an optional page named in index.md but not
# written (yet) is dropped from its toctree, and a page that no toctree names is listed under
# "More" at the end of index.md (Sphinx warns about a page in no toctree).
OPTIONAL_PAGES = ("cli", "preflib", "notebooks", "violations", "large_market", "search")
TOCTREE = re.compile(r"^```\{toctree\}\n(.*?)^```", re.M | re.S)


def _toctree_entries(text: str) -> set[str]:
    """The documents the toctrees of a page name (option lines and blank lines skipped)."""
    entries = set()
    for body in TOCTREE.findall(text):
        entries |= {line.strip() for line in body.splitlines() if line.strip() and not line.startswith(":")}
    return entries


def pages() -> list[str]:
    """Every page of the site, as a docname (``howto/ci``), the API pages excepted."""
    found = []
    for path in sorted(HERE.rglob("*.md")):
        name = path.relative_to(HERE).with_suffix("").as_posix()
        if not name.startswith(("_build/", "api/")):
            found.append(name)
    return found


def complete_index(text: str) -> str:
    """index.md without the missing optional pages, and with every unlisted page under "More"."""
    missing = {name for name in OPTIONAL_PAGES if not (HERE / f"{name}.md").exists()}
    text = "".join(line for line in text.splitlines(keepends=True) if line.strip() not in missing)
    listed = _toctree_entries(text) | {root_doc, "api/index"}
    extra = [name for name in pages() if name not in listed]
    if extra:
        text += "\n```{toctree}\n:caption: More\n:maxdepth: 1\n\n" + "\n".join(extra) + "\n```\n"
    return text


def _complete_index(app, docname: str, source: list[str]) -> None:
    if docname == root_doc:
        source[0] = complete_index(source[0])


def setup(app):
    app.connect("source-read", _complete_index)
    return {"parallel_read_safe": True}
