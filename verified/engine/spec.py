"""Picklable mechanism specifications: what crosses a process boundary instead of a mechanism.

A worker process (process pool under fork, forkserver or spawn; a Dask worker on another
machine) cannot receive a closure around the user's function. It receives a
`MechanismSpec` instead -- the mechanism file's document (problem, domain, mechanism)
as canonical JSON plus the directory its ``module:function`` paths resolve against --
and rebuilds the subject with `verified.io.parse_subject`, exactly as the CLI does, once
per process (`rebuild` caches it).

Three constructors: `spec_from_file` (a mechanism file), `spec_from_callable` (a
``module:function`` reference) and `spec_from_builtin` (a built-in's name and parameters).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verified.errors import InvalidInput

FORMAT = "verified/assignment/1"


@dataclass(frozen=True)
class MechanismSpec:
    """A mechanism file's document (canonical JSON text), the directory its Python paths are
    relative to, and whether floats are read as decimals (``allow_float``)."""

    document: str
    base_dir: str
    allow_float: bool = False

    def parsed(self) -> dict[str, Any]:
        return json.loads(self.document)

    def identity(self) -> str:
        """SHA-256 of what determines the table: the document, plus the bytes of a Python
        source file it names (so a changed ``boston`` is a different subject for `merge`)."""
        sha = hashlib.sha256(self.document.encode("utf-8"))
        sha.update(b"\0allow_float=" + str(self.allow_float).encode())
        source = _python_file(self.parsed(), Path(self.base_dir))
        if source is not None:
            sha.update(b"\0source\0" + source.read_bytes())
        return sha.hexdigest()


def _python_file(doc: Mapping[str, Any], base: Path) -> Path | None:
    mechanism = doc.get("mechanism")
    ref = mechanism.get("python") if isinstance(mechanism, Mapping) else None
    if not isinstance(ref, str) or ":" not in ref:
        return None
    module = ref.rsplit(":", 1)[0].strip()
    if not (module.endswith(".py") or "/" in module):
        return None
    path = Path(module)
    path = path if path.is_absolute() else base / path
    return path if path.is_file() else None


def _canonical(doc: Mapping[str, Any]) -> str:
    try:
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"the mechanism document is not plain JSON data: {exc}", "mechanism") from None


def spec_from_file(path: str | Path, *, allow_float: bool = False) -> MechanismSpec:
    """The spec of a mechanism file (``.toml`` or ``.json``); paths resolve next to it."""
    from verified.io import load_document

    path = Path(path).resolve()
    return MechanismSpec(_canonical(load_document(path)), str(path.parent), allow_float)


def _problem_doc(problem: Any) -> dict[str, Any]:
    return {
        "agents": list(problem.agents),
        "objects": list(problem.objects),
        "capacities": [int(q) for q in problem.capacities],
    }


def _domain_doc(domain: Any) -> dict[str, Any]:
    if domain is None or domain.is_full:
        return {"kind": "full"}
    return {"kind": "restricted", "preferences": [[list(r) for r in rs] for rs in domain.preferences]}


def spec_from_callable(
    reference: str,
    problem: Any,
    domain: Any = None,
    *,
    name: str | None = None,
    base_dir: str | Path | None = None,
    allow_float: bool = False,
) -> MechanismSpec:
    """A ``module:function`` mechanism (see `verified.io.pyload`) on ``problem`` and ``domain``
    (full when omitted); ``base_dir`` (default: the current directory) resolves file paths."""
    mechanism: dict[str, Any] = {"python": reference}
    if name is not None:
        mechanism["name"] = name
    doc = {"format": FORMAT, "problem": _problem_doc(problem), "domain": _domain_doc(domain)}
    doc["mechanism"] = mechanism
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    return MechanismSpec(_canonical(doc), str(base.resolve()), allow_float)


def spec_from_builtin(
    builtin: str,
    problem: Any,
    domain: Any = None,
    *,
    name: str | None = None,
    order: Sequence[str] | None = None,
    priorities: Mapping[str, Any] | None = None,
) -> MechanismSpec:
    """A built-in mechanism (`verified.io.builtins`) with its parameters."""
    mechanism: dict[str, Any] = {"builtin": builtin}
    if name is not None:
        mechanism["name"] = name
    if order is not None:
        mechanism["order"] = list(order)
    if priorities is not None:
        mechanism["priorities"] = {str(k): v for k, v in priorities.items()}
    doc = {"format": FORMAT, "problem": _problem_doc(problem), "domain": _domain_doc(domain)}
    doc["mechanism"] = mechanism
    return MechanismSpec(_canonical(doc), str(Path.cwd()))


_CACHE: dict[MechanismSpec, Any] = {}


def rebuild(spec: MechanismSpec) -> Any:
    """The `~verified.io.AssignmentSubject` of ``spec`` (parsed once per process)."""
    found = _CACHE.get(spec)
    if found is None:
        from verified.io import parse_subject

        found = parse_subject(
            spec.parsed(),
            base_dir=Path(spec.base_dir),
            source=f"<spec in {spec.base_dir}>",
            allow_float=spec.allow_float,
        )
        if hasattr(found, "economy"):
            raise InvalidInput("the engine tabulates assignment mechanisms, not trading subjects", "format")
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[spec] = found
    return found
