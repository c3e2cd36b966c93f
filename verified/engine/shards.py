"""Shards: one contiguous range of the domain per machine, then ``verified merge`` (issue 9).

    verified check mine.toml -p sp,ir --shard 2/4 -c parts/   # machine 2 of 4 (CI matrix, SLURM array)
    verified merge parts/mine.shard-*-of-4.part.json* -c certs/

The expensive part of certifying a user's mechanism is calling it once per profile; a shard does
that for the profiles ``split(total, N)[i - 1]`` (`verified.engine.ranges`) and writes a *part*:
the slice of the exact table with its range, count and digest. ``merge`` re-verifies every part
with the independent checker (`verified.recheck.shard`), refuses parts with gaps, overlaps,
another subject (the SHA-256 of the mechanism file and of the Python file it names), other
properties or another tool version -- naming the part -- and then checks the properties on the
assembled table exactly as a single run would: the merged certificates are the same bytes as
those of ``verified check`` without ``--shard``, and a failing property carries the same witness,
the first in profile order, whichever shard held it.

A part (schema ``verified-shard/1``, canonical JSON, gzip-compressed past 1 MB) has exactly the
keys ``schema``, ``tool``, ``source`` (``file`` stem, ``sha256`` of the spec), ``properties``,
``problem``, ``domain`` (certificate encodings), ``name`` (the mechanism's), ``shard`` ``[i, N]``,
``profiles`` (the domain's size), ``range`` ``[start, stop]``, ``denominator``, ``numerators``
(one block per profile of the range) and ``digest`` (SHA-256 of the canonical JSON of
``{"range", "denominator", "numerators"}``).
"""

from __future__ import annotations

import json
from math import lcm
from pathlib import Path
from typing import Any

from verified.errors import InvalidInput

PART_SCHEMA = "verified-shard/1"
SHARDABLE_NOT = ("sp-anonymous", "ex-post-stable", "osp")  # their subject is more than the table


def unshardable(name: str) -> str | None:
    """Why ``check --shard`` would not write a part labelled with property ``name`` (None: it
    would). The rule both ``check --shard`` and ``merge`` apply: a part's label is a registry name
    as ``check`` writes it (no alias), of an assignment property whose certificate is about the
    table alone (not one of `SHARDABLE_NOT`)."""
    from verified.registry import BY_NAME, spec

    if name in SHARDABLE_NOT:
        return f"{name} cannot be sharded (its certificate is about more than the table)"
    if name not in BY_NAME:
        try:
            written = spec(name).name  # an alias: check --shard writes the registry name
        except InvalidInput:
            return f"unknown property {name!r}"
        return f"{name!r} is not how check --shard writes a property (it writes {written!r})"
    if BY_NAME[name].family != "assignment":
        return f"{name} is about {BY_NAME[name].family} mechanisms; a part holds an assignment table"
    return None


def part_name(stem: str, shard: tuple[int, int]) -> str:
    i, n = shard
    return f"{stem}.shard-{i}-of-{n}.part.json"


def write_part(part: dict[str, Any], directory: Path, stem: str, shard: tuple[int, int]) -> Path:
    """Write ``part`` canonically as ``directory/STEM.shard-i-of-N.part.json``, gzip-compressed
    (``.json.gz``, deterministic) past 1 MB, like a certificate."""
    from verified.certificates import save_document

    return save_document(part, directory / part_name(stem, shard))


def digest_of(start: int, stop: int, denominator: int, numerators: list[Any]) -> str:
    """The digest a part states: SHA-256 of the canonical JSON of its slice."""
    from verified.io.canonical import subject_sha256

    return subject_sha256({"range": [start, stop], "denominator": denominator, "numerators": numerators})


def build_part(
    path: str, subject: Any, names: list[str], shard: tuple[int, int], spec: Any
) -> dict[str, Any]:
    """Tabulate shard ``i/N`` of ``subject`` (through the engine, with the settings in force) and
    return its part document."""
    from verified.certificates import tool_version
    from verified.engine.blocks import Block, as_dtype, concatenate
    from verified.engine.ranges import shard_range
    from verified.engine.tabulate import Source, tabulate_blocks
    from verified.io.canonical import domain_encoding, problem_encoding

    refused = [reason for reason in map(unshardable, names) if reason]
    if refused:
        raise InvalidInput(f"{'; '.join(refused)}; check it without --shard", "--shard")
    domain, p = subject.domain, subject.problem
    domain.require_table()  # first: it refuses (with what to do) a domain past any machine integer
    part = shard_range(domain.profile_count, shard)
    if "python" in subject.description:
        blocks = tabulate_blocks(Source(subject, spec, subject.mechanism), part)
    else:  # a built-in (fast table) or a table: slice the whole table
        table = subject.table
        nums = table.numerators[part.start : part.stop]
        blocks = [Block(part.start, part.stop, table.denominator, as_dtype(nums, table.denominator))]
    numerators, den = concatenate(blocks, (p.n, p.m + 1))
    rows = numerators.tolist()
    return {
        "schema": PART_SCHEMA,
        "tool": {"name": "verified", "version": tool_version()},
        "source": {"file": Path(path).name.split(".")[0], "sha256": spec.identity()},
        "properties": list(names),
        "problem": problem_encoding(p),
        "domain": domain_encoding(domain),
        "name": subject.mechanism.name,
        "shard": [shard[0], shard[1]],
        "profiles": domain.profile_count,
        "range": [part.start, part.stop],
        "denominator": int(den),
        "numerators": rows,
        "digest": digest_of(part.start, part.stop, int(den), rows),
    }


_SAME = ("tool", "source", "properties", "problem", "domain", "name", "profiles")


def merge_parts(paths: list[str]) -> tuple[dict[str, Any], str, list[str]]:
    """Verify and assemble parts: the mechanism document of the whole table (numerators), the
    original file's stem and the property names. Raises `InvalidInput` naming the part."""
    from verified.recheck.core import RecheckError, read_certificate
    from verified.recheck.shard import recheck_part

    if not paths:
        raise InvalidInput("name the parts to merge", "merge")
    parts: list[tuple[str, dict[str, Any]]] = []
    for path in paths:
        try:
            doc = read_certificate(path)
            recheck_part(doc)
        except RecheckError as exc:
            raise InvalidInput(f"not a valid part: {exc}", str(path)) from None
        except OSError as exc:
            raise InvalidInput(f"cannot read it: {exc.strerror or exc}", str(path)) from None
        _require_shardable(doc["properties"], str(path))
        parts.append((str(path), doc))
    first_path, first = parts[0]
    for path, doc in parts[1:]:
        for key in _SAME:
            if doc[key] != first[key]:
                what = {
                    "tool": "tool version",
                    "source": "subject (mechanism file)",
                    "properties": "list of properties",
                }.get(key, key)
                raise InvalidInput(f"its {what} differs from that of {first_path}", path)
        if doc["shard"][1] != first["shard"][1]:
            raise InvalidInput(
                f"it is a shard of {doc['shard'][1]}, {first_path} a shard of {first['shard'][1]}", path
            )
    parts.sort(key=lambda item: (item[1]["range"][0], item[1]["range"][1]))
    at, seen = 0, {}
    for path, doc in parts:
        i = doc["shard"][0]
        if i in seen:
            raise InvalidInput(f"shard {i}/{doc['shard'][1]} is also given by {seen[i]}", path)
        seen[i] = path
        start, stop = doc["range"]
        if start > at:
            raise InvalidInput(f"profiles {at}..{start - 1} are in no part (a gap before this one)", path)
        if start < at:
            raise InvalidInput(f"its profiles {start}..{min(stop, at) - 1} are also in another part", path)
        at = stop
    if at != first["profiles"]:
        raise InvalidInput(
            f"profiles {at}..{first['profiles'] - 1} are in no part (shards given: {sorted(seen)} "
            f"of {first['shard'][1]})",
            "merge",
        )
    den = 1
    for path, doc in parts:
        den = _common_denominator(den, doc["denominator"], path)
    numerators: list[Any] = []
    for _, doc in parts:
        factor = den // doc["denominator"]
        if factor == 1:
            numerators.extend(doc["numerators"])
        else:
            numerators.extend([[v * factor for v in row] for row in block] for block in doc["numerators"])
    document = {
        "format": "verified/assignment/1",
        "problem": _problem_doc(first["problem"]),
        "domain": _domain_doc(first["domain"]),
        "mechanism": {"name": first["name"], "denominator": den, "numerators": numerators},
    }
    return document, first["source"]["file"], list(first["properties"])


def _common_denominator(den: int, more: int, path: str) -> int:
    """``lcm(den, more)`` within the digit limit (`verified.numbers.bounded_int`: the merged table
    and its certificates write it), else `InvalidInput` naming the part that took it past."""
    from verified.numbers import bounded_int

    common = lcm(den, more)
    try:
        return bounded_int(common, "")
    except InvalidInput as exc:
        raise InvalidInput(
            f"with the parts before it (in profile order), the table's common denominator: {exc}",
            f"{path}: denominator",
        ) from None


def _require_shardable(names: list[str], path: str) -> None:
    """A (re-checked) part's ``properties`` labels: each one ``check --shard`` would write
    (`unshardable`), else `InvalidInput` naming the part and ``properties[k]``."""
    for k, name in enumerate(names):
        reason = unshardable(name)
        if reason:
            raise InvalidInput(
                f"{reason}; check --shard never writes this label, so the part is not merged",
                f"{path}: properties[{k}]",
            )


def _problem_doc(encoding: dict[str, Any]) -> dict[str, Any]:
    """The mechanism-file form of a certificate's problem encoding."""
    caps = dict(zip(encoding["objects"], encoding["capacities"], strict=True))
    return {"agents": encoding["agents"], "objects": encoding["objects"], "capacities": caps}


def _domain_doc(encoding: dict[str, Any]) -> dict[str, Any]:
    if encoding.get("full") is True:
        return {"kind": "full"}
    return {"kind": "restricted", "preferences": encoding["preferences"]}


def write_merged(document: dict[str, Any], folder: Path, stem: str) -> Path:
    """The assembled table as a mechanism file ``folder/STEM.json`` (the certificates' names
    then match those of a single run)."""
    path = folder / f"{stem}.json"
    path.write_text(json.dumps(document, separators=(",", ":")))
    return path
