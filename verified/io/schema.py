"""The JSON Schemas shipped with the package (``verified/io/schemas/*.json``)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCHEMAS = ("assignment", "certificate", "trading")


def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``name`` (one of `SCHEMAS`) as a dict."""
    if name not in SCHEMAS:
        raise KeyError(f"unknown schema {name!r}; known: {list(SCHEMAS)}")
    text = resources.files("verified.io").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)
