"""Re-checking a shard's part (schema ``verified-shard/1``, written by ``verified check --shard``).

A part claims: *these are the rows, at profiles ``start .. stop - 1``, of a valid table of a
mechanism on this problem and domain, and that range is shard i of N of the domain*. The checker
(standard library only) proves exactly that, trusting nothing in the file:

* the keys are exactly those of `verified.engine.shards` (an unknown or duplicated key is refused);
* problem and domain are well-formed (the rules of `verified.recheck.assignment_subject`) and the
  domain has ``profiles`` profiles, computed before anything is enumerated;
* ``[i, N]`` has ``1 <= i <= N`` and ``range`` is ``split(profiles, N)[i - 1]``: the first
  ``profiles % N`` shards have one profile more than the others;
* ``numerators`` has one block per profile of the range, each valid (n rows of m + 1 integers
  in 0..denominator summing to the denominator, no object column over its capacity);
* ``digest`` is the SHA-256 of the canonical JSON of ``{"range", "denominator", "numerators"}``.

``tool``, ``source``, ``properties`` and ``name`` are labels, not claims: the checker checks
their form, and ``verified merge`` refuses to assemble parts whose labels differ.

It does not prove that the rows are what the user's function returns (no certificate does: a
certificate is about the tabulated mechanism it carries), nor anything about a property: the
verdicts are decided on the merged table, whose certificates are ordinary ones.
"""

from __future__ import annotations

from verified.recheck import assignment_subject as subject_rules
from verified.recheck.core import ensure, exact_keys, integer, sha256, text, text_list

SCHEMA = "verified-shard/1"
KEYS = (
    "schema",
    "tool",
    "source",
    "properties",
    "problem",
    "domain",
    "name",
    "shard",
    "profiles",
    "range",
    "denominator",
    "numerators",
    "digest",
)


def _pair(value: object, where: str) -> tuple[int, int]:
    ensure(isinstance(value, (list, tuple)) and len(value) == 2, f"{where}: expected two integers")
    return integer(value[0], f"{where}[0]"), integer(value[1], f"{where}[1]")  # type: ignore[index]


def _split(total: int, parts: int, i: int) -> tuple[int, int]:
    """Range of shard ``i`` (1-based) of ``parts`` over ``range(total)``."""
    size, extra = divmod(total, parts)
    start = (i - 1) * size + min(i - 1, extra)
    return start, start + size + (1 if i <= extra else 0)


def recheck_part(doc: object) -> str:
    """Verify a part (see the module docstring); a one-line summary, or `RecheckError`."""
    part = exact_keys(doc, KEYS, (), "part")
    ensure(part["schema"] == SCHEMA, f"part.schema: expected {SCHEMA!r}, got {part['schema']!r}")
    tool = exact_keys(part["tool"], ("name", "version"), (), "part.tool")
    ensure(tool["name"] == "verified", "part.tool.name: expected 'verified'")
    text(tool["version"], "part.tool.version")
    source = exact_keys(part["source"], ("file", "sha256"), (), "part.source")
    text(source["file"], "part.source.file")
    text(source["sha256"], "part.source.sha256")
    ensure(len(source["sha256"]) == 64, "part.source.sha256: not a SHA-256 in hex")
    names = text_list(part["properties"], "part.properties", unique=True)
    ensure(bool(names), "part.properties: the list is empty")
    text(part["name"], "part.name")
    agents, objects, capacities = subject_rules.problem(part["problem"], "part.problem")
    total = integer(part["profiles"], "part.profiles", low=1)
    subject_rules.domain(part["domain"], agents, objects, total, "part.domain")
    i, n_shards = _pair(part["shard"], "part.shard")
    ensure(1 <= i <= n_shards, f"part.shard: expected 1 <= i <= N, got {i}/{n_shards}")
    start, stop = _pair(part["range"], "part.range")
    expected = _split(total, n_shards, i)
    ensure(
        (start, stop) == expected,
        f"part.range: shard {i}/{n_shards} of {total} profiles is {list(expected)}, not {[start, stop]}",
    )
    den = integer(part["denominator"], "part.denominator", low=1)
    subject_rules.numerators(
        part["numerators"], stop - start, len(agents), len(objects), den, capacities, "part.numerators"
    )
    claimed = text(part["digest"], "part.digest")
    actual = sha256({"range": [start, stop], "denominator": den, "numerators": part["numerators"]})
    ensure(claimed == actual, f"part.digest: stated {claimed}, the slice hashes to {actual}")
    return f"shard {i}/{n_shards}: profiles {start}..{stop - 1} of {total}, {stop - start} rows verified"
