"""PrefLib's ordinal files (``.soc``, ``.soi``, ``.toc``, ``.toi``; the 2022+ format): a lenient
reader and a spec-strict writer, standard library only.

A PrefLib file is a header of ``# KEY: value`` lines (``# DATA TYPE: soi``, ``# NUMBER
ALTERNATIVES: 4``, ``# ALTERNATIVE NAME 1: Ann``, ...) and a body of ``count: order`` lines,
``order`` a comma-separated list of 1-based alternative numbers, best first, ``{2, 3}`` a tie.
The mapping onto the assignment model (`verified.assignment.model`):

* alternatives are the objects, one copy each (``capacities=`` gives others), in number order,
  named by their ``# ALTERNATIVE NAME`` lines when every alternative has one and the names are
  valid object names (non-empty, distinct, not ``outside``), else by their numbers ``"1".."m"``
  (`PrefLibData.notes` says why);
* voters are the agents ``"1".."n"``: each body line's count is expanded into that many agents,
  in file order (line 1's voters first), so agent k is the k-th voter of the file;
* an order lists the agent's acceptable objects, best first; alternatives it leaves out (a
  ``.soi``/``.toi`` file) are unacceptable, which is exactly the model's preference;
* a tie (``{2, 3}``) is refused: the model needs strict rankings (a tie class of one is read as
  that alternative).

Leniency: blank lines, ``\\r\\n``, a UTF-8 byte-order mark, spaces anywhere, header keys in any
case, missing optional headers and a missing ``NUMBER ALTERNATIVES`` (then the largest
alternative number named anywhere) are accepted; a repeated order is read as more voters.
Everything else that is wrong raises `InvalidInput` naming the file and the line: bytes that are
not UTF-8 or a NUL byte, a malformed line, a count that is not a positive integer, an
alternative out of range or listed twice, a ``NUMBER VOTERS``/``NUMBER UNIQUE ORDERS``/``DATA
TYPE`` that disagrees with the body, more than `MAX_VOTERS` voters in all (the expanded profile
is bounded before it is built) or a file over `MAX_BYTES`.

The writer (`write`, `dumps`) follows the specification strictly: every required header, the
most restrictive data type (``soc`` when every ranking is complete, else ``soi``), one line per
distinct order with its count, sorted by count (largest first; ties by first appearance).
PrefLib keeps neither voter names nor voter order, so write-then-read gives the same objects and
the same rankings with agents ``"1".."n"`` in the file's order (`file_order`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from verified.assignment.model import OUTSIDE, Problem, Profile
from verified.errors import InvalidInput
from verified.io.schema import read_file_bytes
from verified.names import MAX_COUNT, MAX_NAME_LENGTH

#: Most voters read from one file (the expanded profile has one agent per voter).
MAX_VOTERS = MAX_COUNT
#: Most alternatives read from one file.
MAX_ALTERNATIVES = MAX_COUNT
#: Largest file read, in bytes.
MAX_BYTES = 64 * 2**20
#: The file suffixes (and ``# DATA TYPE`` values) of PrefLib's ordinal formats.
SUFFIXES = (".soc", ".soi", ".toc", ".toi")
#: The headers the specification requires of an ordinal file, in its order.
REQUIRED = (
    "FILE NAME",
    "TITLE",
    "DESCRIPTION",
    "DATA TYPE",
    "MODIFICATION TYPE",
    "RELATES TO",
    "RELATED FILES",
    "PUBLICATION DATE",
    "MODIFICATION DATE",
    "NUMBER ALTERNATIVES",
    "NUMBER VOTERS",
    "NUMBER UNIQUE ORDERS",
)
MODIFICATION_TYPES = ("original", "induced", "imbued", "synthetic")

_ITEM = r"(?:\d+|\{[^{}]*\})"
_ORDER = re.compile(rf"\s*(?:{_ITEM}(?:\s*,\s*{_ITEM})*)?\s*")
_ITEMS = re.compile(_ITEM)
_NAME_KEY = re.compile(r"ALTERNATIVE NAME\s+(\d{1,18})")
_DIGITS = 18  # counts and numbers beyond 18 digits are out of range before int() is called


@dataclass(frozen=True)
class PrefLibData:
    """A PrefLib file read into the model: the problem (voters as agents ``"1".."n"``,
    alternatives as objects), the profile (one strict ranking per agent, in the file's voter
    order), the distinct orders as written (``(count, alternative numbers)``, 1-based), the
    ``# ALTERNATIVE NAME`` of each alternative (``None`` where absent), every header
    (``metadata``, keys upper-case with single spaces), the data type and how names were chosen."""

    problem: Problem
    profile: Profile
    orders: tuple[tuple[int, tuple[int, ...]], ...]
    alternative_names: tuple[str | None, ...]
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    data_type: str = "soi"
    source: str = "<text>"
    notes: tuple[str, ...] = ()


def _fail(source: str, line: int | None, message: str) -> InvalidInput:
    return InvalidInput(message, f"{source}, line {line}" if line is not None else source)


def _text(source: str | Path | bytes) -> tuple[str, str]:
    """(text, where): a path's contents, or ``source`` itself when it is text (it has a line
    break or starts with ``#``) or bytes."""
    if isinstance(source, (bytes, bytearray)):
        return _decode(bytes(source), "<bytes>"), "<bytes>"
    if isinstance(source, str) and ("\n" in source or source.lstrip("\ufeff \t").startswith("#")):
        if len(source) > MAX_BYTES:
            raise _fail("<text>", None, f"more than {MAX_BYTES:,} characters")
        return source, "<text>"
    if not isinstance(source, (str, Path)):
        raise InvalidInput(f"expected a path or the text of a PrefLib file, got {type(source).__name__}")
    path = Path(source)
    data = read_file_bytes(path, str(path), MAX_BYTES)  # a regular file, at most MAX_BYTES
    return _decode(data, str(path)), str(path)


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _fail(where, line, f"not UTF-8 text (byte {exc.start}: 0x{data[exc.start]:02x})") from None


def _number(text: str, source: str, line: int, what: str, low: int = 1) -> int:
    value = text.strip()
    if not (value.isascii() and value.isdigit()):
        raise _fail(source, line, f"{what} must be a non-negative integer, got {value[:40]!r}")
    if len(value.lstrip("0")) > _DIGITS:
        raise _fail(source, line, f"{what} has {len(value):,} digits: far too large")
    number = int(value)
    if number < low:
        raise _fail(source, line, f"{what} must be at least {low}, got {number}")
    return number


@dataclass
class _Parsed:
    metadata: dict[str, str] = field(default_factory=dict)
    header_lines: dict[str, int] = field(default_factory=dict)
    names: dict[int, tuple[str, int]] = field(default_factory=dict)
    orders: list[tuple[int, tuple[tuple[int, ...], ...], int]] = field(default_factory=list)


def _header(parsed: _Parsed, body: str, source: str, line: int) -> None:
    """One ``# KEY: value`` line (a ``#`` line without a colon is a comment)."""
    if ":" not in body:
        return
    key, value = body.split(":", 1)
    key, value = " ".join(key.split()).upper(), value.strip()
    match = _NAME_KEY.fullmatch(key)
    if match:
        k = int(match.group(1))
        if k < 1:
            raise _fail(source, line, "alternatives are numbered from 1")
        if k in parsed.names and parsed.names[k][0] != value:
            raise _fail(source, line, f"alternative {k} is named twice (line {parsed.names[k][1]})")
        parsed.names[k] = (value, line)
        return
    if key in parsed.metadata and parsed.metadata[key] != value:
        raise _fail(
            source,
            line,
            f"header {key!r} given twice with different values (line {parsed.header_lines[key]})",
        )
    parsed.metadata[key] = value
    parsed.header_lines[key] = line


def _order_line(parsed: _Parsed, text: str, source: str, line: int) -> None:
    """One ``count: order`` line."""
    if ":" not in text:
        hint = ""
        if line <= 2 and text.strip().isdigit():
            hint = " (this looks like PrefLib's pre-2022 format; convert it with preflibtools first)"
        raise _fail(
            source, line, f"expected 'count: order' or a '# KEY: value' header, got {text[:60]!r}{hint}"
        )
    count_text, order_text = text.split(":", 1)
    count = _number(count_text, source, line, "the count of voters")
    if _ORDER.fullmatch(order_text) is None:
        raise _fail(
            source,
            line,
            f"malformed order {order_text.strip()[:60]!r}: expected alternative numbers separated by "
            "commas, ties in braces ({2, 3})",
        )
    classes: list[tuple[int, ...]] = []
    for item in _ITEMS.findall(order_text):
        inner = item[1:-1] if item.startswith("{") else item
        parts = [p.strip() for p in inner.split(",")]
        if any(not p for p in parts):
            raise _fail(source, line, f"empty entry in {item!r}")
        classes.append(tuple(_number(p, source, line, "an alternative number") for p in parts))
    parsed.orders.append((count, tuple(classes), line))


def _parse(text: str, source: str) -> _Parsed:
    parsed = _Parsed()
    text = text.removeprefix("\ufeff")
    for line, raw in enumerate(text.split("\n"), start=1):
        if "\x00" in raw:
            raise _fail(source, line, "binary data (a NUL byte): not a PrefLib text file")
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            _header(parsed, stripped[1:], source, line)
        else:
            _order_line(parsed, stripped, source, line)
    return parsed


def _data_type(parsed: _Parsed, suffix: str | None, source: str) -> str | None:
    """The declared data type: the ``# DATA TYPE`` header and the file's suffix must agree."""
    declared = parsed.metadata.get("DATA TYPE", "").strip().lower() or None
    where = parsed.header_lines.get("DATA TYPE")
    if declared is not None and f".{declared}" not in SUFFIXES:
        raise _fail(source, where, f"unknown data type {declared!r}; ordinal files are soc, soi, toc, toi")
    if declared is not None and suffix is not None and declared != suffix:
        raise _fail(source, where, f"the header says data type {declared!r} but the file is named .{suffix}")
    return declared or suffix


def _alternatives(parsed: _Parsed, source: str) -> int:
    """The number of alternatives: the header's, else the largest number named anywhere."""
    named = [a for _, classes, _ in parsed.orders for c in classes for a in c]
    if "NUMBER ALTERNATIVES" in parsed.metadata:
        line = parsed.header_lines["NUMBER ALTERNATIVES"]
        m = _number(parsed.metadata["NUMBER ALTERNATIVES"], source, line, "NUMBER ALTERNATIVES")
    else:
        m = max([*named, *parsed.names, 0])
        if m == 0:
            raise _fail(source, None, "no alternatives: no NUMBER ALTERNATIVES header and no orders")
    if m > MAX_ALTERNATIVES:
        raise _fail(
            source,
            parsed.header_lines.get("NUMBER ALTERNATIVES"),
            f"more than {MAX_ALTERNATIVES:,} alternatives",
        )
    for k, (_, line) in parsed.names.items():
        if k > m:
            raise _fail(source, line, f"a name for alternative {k}, but there are {m} alternatives")
    return m


def _check_orders(
    parsed: _Parsed, m: int, data_type: str | None, source: str
) -> list[tuple[int, tuple[int, ...]]]:
    """Each order as strict 1-based numbers; ties, repeats, out-of-range and incomplete orders
    (in a complete data type) refused; the voters counted against `MAX_VOTERS` as they come."""
    out: list[tuple[int, tuple[int, ...]]] = []
    voters = 0
    for count, classes, line in parsed.orders:
        voters += count
        if voters > MAX_VOTERS:
            raise _fail(source, line, f"more than {MAX_VOTERS:,} voters in all (each voter is an agent)")
        seen: set[int] = set()
        for c in classes:
            for a in c:
                if a < 1 or a > m:
                    raise _fail(source, line, f"alternative {a} is out of range 1..{m}")
                if a in seen:
                    raise _fail(source, line, f"alternative {a} is listed twice in one order")
                seen.add(a)
            if len(c) > 1:
                tie = "{" + ", ".join(map(str, c)) + "}"
                raise _fail(
                    source,
                    line,
                    f"the order ties alternatives {tie}; the assignment model needs strict rankings "
                    "(break the tie, or drop the tied alternatives to leave them unacceptable)",
                )
        order = tuple(c[0] for c in classes)
        if data_type in ("soc", "toc") and len(order) != m:
            raise _fail(
                source,
                line,
                f"a {data_type} order must rank all {m} alternatives, this one ranks {len(order)}",
            )
        out.append((count, order))
    return out


def _counts_agree(parsed: _Parsed, orders: list[tuple[int, tuple[int, ...]]], source: str) -> None:
    for key, actual in (
        ("NUMBER VOTERS", sum(c for c, _ in orders)),
        ("NUMBER UNIQUE ORDERS", len({o for _, o in orders})),
    ):
        if key in parsed.metadata:
            line = parsed.header_lines[key]
            stated = _number(parsed.metadata[key], source, line, key, low=0)
            if stated != actual:
                raise _fail(source, line, f"{key} says {stated}, but the orders have {actual}")


def _object_names(parsed: _Parsed, m: int) -> tuple[tuple[str, ...], str | None]:
    """The alternatives' names when every one has a valid, distinct name, else their numbers
    (with the reason)."""
    numbers = tuple(str(k) for k in range(1, m + 1))
    if not parsed.names:
        return numbers, None
    if len(parsed.names) != m:
        return (
            numbers,
            f"{m - len(parsed.names)} of {m} alternatives have no name: objects are named by number",
        )
    names = tuple(parsed.names[k][0] for k in range(1, m + 1))
    bad = [n for n in names if not n or len(n) > MAX_NAME_LENGTH or n == OUTSIDE]
    if bad:
        return (
            numbers,
            f"alternative name {bad[0][:40]!r} is not a valid object name: objects are named by number",
        )
    if len(set(names)) != m:
        return numbers, "two alternatives share a name: objects are named by number"
    return names, None


def read(
    source: str | Path | bytes,
    *,
    capacities: Sequence[int] | Mapping[str, int] | None = None,
) -> PrefLibData:
    """Read a PrefLib ordinal file: a path, or its text (a string with a line break or starting
    with ``#``), or its bytes. See the module docstring for the mapping and what is refused;
    every refusal is `InvalidInput` naming the file and the line. ``capacities``: copies of
    each object (default one), as for `Problem.make`."""
    text, where = _text(source)
    suffix = None
    if where not in ("<text>", "<bytes>"):
        ext = Path(where).suffix.lower()
        suffix = ext[1:] if ext in SUFFIXES else None
    parsed = _parse(text, where)
    data_type = _data_type(parsed, suffix, where)
    m = _alternatives(parsed, where)
    orders = _check_orders(parsed, m, data_type, where)
    if not orders:
        raise _fail(where, None, "no voters: the file has no 'count: order' lines")
    _counts_agree(parsed, orders, where)
    objects, note = _object_names(parsed, m)
    voters = sum(c for c, _ in orders)
    try:
        problem = Problem.make(voters, objects, capacities)
    except InvalidInput as exc:
        raise InvalidInput(str(exc), where) from None
    profile = tuple(tuple(objects[a - 1] for a in order) for count, order in orders for _ in range(count))
    inferred = "soc" if all(len(o) == m for _, o in orders) else "soi"
    return PrefLibData(
        problem=problem,
        profile=profile,
        orders=tuple(orders),
        alternative_names=tuple(parsed.names[k][0] if k in parsed.names else None for k in range(1, m + 1)),
        metadata=MappingProxyType(dict(parsed.metadata)),
        data_type=data_type or inferred,
        source=where,
        notes=(note,) if note else (),
    )


def file_order(profile: Sequence[Sequence[str]]) -> tuple[tuple[tuple[str, ...], int], ...]:
    """The distinct rankings of ``profile`` with their counts, in the order the writer puts them:
    by count, largest first; equal counts by first appearance."""
    counts: dict[tuple[str, ...], int] = {}
    for ranking in profile:
        key = tuple(ranking)
        counts[key] = counts.get(key, 0) + 1
    return tuple(sorted(counts.items(), key=lambda item: -item[1]))  # sorted() is stable


def _one_line(value: object, what: str) -> str:
    text = str(value)
    if len(text.splitlines()) > 1 or "\n" in text or "\r" in text:
        raise InvalidInput(f"must be one line of text, got {text[:40]!r}", what)
    return text.strip()


def dumps(
    problem: Problem,
    profile: Sequence[Sequence[object] | str],
    *,
    file_name: str = "",
    title: str = "",
    description: str = "",
    modification_type: str = "synthetic",
    relates_to: str = "",
    related_files: str = "",
    publication_date: str = "",
    modification_date: str = "",
) -> str:
    """The PrefLib text of ``profile`` (validated by ``problem.profile``; see the module
    docstring). Refused: capacities other than 1 (PrefLib has none), object names that are not
    one line, and header values that are not one line."""
    prof = problem.profile(
        profile if isinstance(profile, (list, tuple)) or hasattr(profile, "dtype") else list(profile)
    )
    if any(q != 1 for q in problem.capacities):
        raise InvalidInput(
            "PrefLib files have one copy of each alternative; this problem has capacities", "capacities"
        )
    if modification_type not in MODIFICATION_TYPES:
        raise InvalidInput(
            f"must be one of {list(MODIFICATION_TYPES)}, got {modification_type!r}", "modification_type"
        )
    names = [_one_line(x, f"objects[{k}]") for k, x in enumerate(problem.objects)]
    number = {x: k + 1 for k, x in enumerate(problem.objects)}
    orders = file_order(prof)
    data_type = "soc" if all(len(r) == problem.m for r in prof) else "soi"
    values = {
        "FILE NAME": file_name,
        "TITLE": title,
        "DESCRIPTION": description,
        "DATA TYPE": data_type,
        "MODIFICATION TYPE": modification_type,
        "RELATES TO": relates_to,
        "RELATED FILES": related_files,
        "PUBLICATION DATE": publication_date,
        "MODIFICATION DATE": modification_date,
        "NUMBER ALTERNATIVES": problem.m,
        "NUMBER VOTERS": problem.n,
        "NUMBER UNIQUE ORDERS": len(orders),
    }
    lines = [f"# {key}: {_one_line(values[key], key.lower())}".rstrip() for key in REQUIRED]
    lines += [f"# ALTERNATIVE NAME {k + 1}: {name}" for k, name in enumerate(names)]
    lines += [f"{count}: {','.join(str(number[x]) for x in ranking)}".rstrip() for ranking, count in orders]
    return "\n".join(lines) + "\n"


def write(
    path: str | Path, problem: Problem, profile: Sequence[Sequence[object] | str], **headers: str
) -> Path:
    """Write ``profile`` as a PrefLib file at ``path`` (`dumps`; ``headers``: its keyword
    arguments, ``file_name`` defaulting to the path's name). Without a suffix the data type is
    added; a suffix other than the data type's is refused. Returns the path written."""
    path = Path(path)
    prof = problem.profile(
        profile if isinstance(profile, (list, tuple)) or hasattr(profile, "dtype") else list(profile)
    )
    data_type = "soc" if all(len(r) == problem.m for r in prof) else "soi"
    if not path.suffix:
        path = path.with_name(f"{path.name}.{data_type}")
    elif path.suffix.lower() != f".{data_type}":
        raise InvalidInput(
            f"the profile is {data_type} ({'complete' if data_type == 'soc' else 'incomplete'} strict "
            f"rankings), but the file is named {path.suffix}",
            str(path),
        )
    headers.setdefault("file_name", path.name)
    text = dumps(problem, prof, **headers)
    path.write_text(text, encoding="utf-8")
    return path
