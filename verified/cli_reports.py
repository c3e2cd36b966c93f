"""What ``verified recheck``, ``explain``, ``properties`` and ``search`` print, in words or as JSON
(``--json``), and every subcommand's exit-code epilog: the printing half of `verified.cli`.

The JSON follows the shape ``verified check --json`` set: one object per run, with the input
``file`` and, per claim, ``property`` and ``verdict`` (the certificate's, never rewritten),
``evidence`` (a summary where the full evidence is large) and ``reason`` (unknown only).
Nothing here decides a verdict: the independent checker (`verified.recheck`) does, and the
exit code is the command's, the same with or without ``--json``. Every document is listed in
docs/cli.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXIT_HOLDS, EXIT_FAILS, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 1, 2, 3
_BAD = "  2  bad input: a malformed file or argument (the message names the file and place)"
_BUG = "  4  internal error: a bug in verified; please report it"


def exit_codes(*lines: str) -> str:
    """An epilog ``exit codes:`` block: the command's own lines, then 2 (unless given) and 4."""
    own = list(lines)
    if not any(line.lstrip().startswith("2 ") for line in own):
        own.append(_BAD)
    return "\n".join(["exit codes:", *own, _BUG])


CHECK_EPILOG = (
    exit_codes(
        "  0  every requested property holds",
        "  1  some property fails (its counterexample is printed, in words)",
        "  2  bad input: a malformed file or argument, or a user's mechanism that raises, exits,",
        "     has the wrong signature or fails to import (the message names the file and place)",
        "  3  unknown: a time or memory limit ended the run before every verdict",
        "     (--timeout is the total for the run; finished properties keep their verdicts)",
    )
    + "\n\nproperty names: `verified properties` lists them, with their aliases (docs/cli.md)."
)
MERGE_EPILOG = exit_codes(
    "  0  every property of the parts holds on the whole table",
    "  1  some property fails (its counterexample is printed)",
    "  2  bad input: a missing, altered or mismatched part, or one labelled with a property",
    "     `check --shard` does not shard (the message names the part)",
    "  3  unknown: a time or memory limit ended the run before every verdict",
)
RECHECK_EPILOG = (
    "Each file is reported (OK, REJECTED or UNREADABLE); the batch goes on past a bad file.\n\n"
    + exit_codes(
        "  0  every certificate verified",
        "  1  some certificate rejected (or unreadable)",
        "  2  bad arguments (no file named)",
    )
)
EXPLAIN_EPILOG = (
    "The certificate is re-checked by the independent checker first; only verified evidence\n"
    "is put into words.\n\n"
    + exit_codes(
        "  0  re-verified and explained",
        "  1  the checker rejects the certificate, so it is not explained",
        "  2  bad input: no such file, or not a certificate (not JSON, not an object, no",
        "     certificate schema: an input file, a command's --json output, a shard's part)",
    )
)
PROPERTIES_EPILOG = (
    "Every property is named for the good thing: HOLDS means it holds (a certificate), FAILS\n"
    "comes with a counterexample. Aliases (other spellings, and old names such as\n"
    "improving-trade, whose claim is the negation of no-improving-trade) follow the list.\n\n"
    + exit_codes("  0  listed", "  2  bad arguments")
)
PROVE_EPILOG = exit_codes(
    "  0  the statement holds (a proof for `impossible`, a witness for `exists`)",
    "  1  it fails (a witness for `impossible`, a proof for `exists`)",
    "  3  unknown: a limit ended the run first",
)
HUNT_EPILOG = exit_codes(
    "  1  a counterexample to some property (re-verified; certified with -c)",
    "  3  none found: hunting samples profiles, so it never proves a property (never exit 0)",
)
SEARCH_EPILOG = (
    "FILE is JSON: agents, objects, optional capacities, the base mechanism, optional\n"
    "neighbourhood and nonwasteful_at profiles, flags relaxed, equal_treatment,\n"
    "ex_post_efficient (docs/cli.md, section search).\n\n"
    + exit_codes(
        "  0  found: a strategy-proof mechanism dominating the base (the optimum, with --objective)",
        "  1  none exists (a Farkas certificate)",
        "  3  unknown: an LP hit --time-limit",
    )
)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _current(prop: Any, verdict: Any) -> dict[str, str] | None:
    """For an old name claiming a negation (`verified.vocabulary`), the claim under the current
    name; None otherwise."""
    from verified.vocabulary import negation_of, reading

    if not isinstance(prop, str) or negation_of(prop) is None or verdict not in ("holds", "fails"):
        return None
    name, now = reading(prop, verdict)
    return {"property": name, "verdict": now}


def _recheck_one(path: str) -> dict[str, Any]:
    """One file's entry: ``status`` ok / rejected / unreadable, the ``message`` recheck printed,
    and for a verified certificate its ``property`` and ``verdict``."""
    from verified.recheck.core import RecheckError, read_certificate, recheck

    entry: dict[str, Any] = {"file": path}
    if not Path(path).is_file():
        why = "not a file" if Path(path).exists() else "no such file"
        return {**entry, "status": "unreadable", "message": why}
    try:
        doc = read_certificate(path)
        summary = recheck(doc)
    except RecheckError as exc:
        message = _one_line(exc)
        return {**entry, "status": "rejected", "message": message.removeprefix(f"{path}: ")}
    except OSError as exc:
        return {**entry, "status": "unreadable", "message": str(exc.strerror or exc)}
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a hostile file must not stop the batch
        message = f"the checker could not read it ({type(exc).__name__}: {_one_line(exc)})"
        return {**entry, "status": "rejected", "message": message}
    out = {**entry, "status": "ok", "message": summary}
    # a shard's part (verified merge) has no property of its own: only certificates carry these
    for key in ("property", "verdict"):
        if isinstance(doc.get(key), str):
            out[key] = doc[key]
    current = _current(doc.get("property"), doc.get("verdict"))
    if current is not None:
        out["current"] = current
    return out


def recheck_report(paths: list[str], as_json: bool) -> int:
    """``verified recheck``: each file OK / REJECTED / UNREADABLE; exit 0 when all verified, else 1.
    JSON: ``{"results": [{file, status, message, property?, verdict?, current?}], "verified",
    "rejected", "unreadable"}`` (counts)."""
    labels = {"ok": "OK        ", "rejected": "REJECTED  ", "unreadable": "UNREADABLE"}
    results = []
    for path in paths:
        entry = _recheck_one(str(path))
        results.append(entry)
        if not as_json:
            print(f"{labels[entry['status']]} {path}: {entry['message']}")
    if as_json:
        counts = {k: sum(1 for r in results if r["status"] == s) for k, s in _COUNTS}
        print(json.dumps({"results": results, **counts}, indent=1))
    return EXIT_HOLDS if all(r["status"] == "ok" for r in results) else EXIT_FAILS


_COUNTS = (("verified", "ok"), ("rejected", "rejected"), ("unreadable", "unreadable"))


def require_certificate(doc: object, path: str) -> None:
    """``explain`` explains certificates only: a JSON object whose ``schema`` is a certificate's
    (``verified-certificate/...``; which version, and everything else, the checker then judges).
    Anything else is `InvalidInput` naming the file and ``schema``, and saying what the file
    looks like: a shard's part (merge the parts first), an input file or a command's output."""
    from verified.errors import InvalidInput
    from verified.names import show
    from verified.recheck.core import SCHEMA
    from verified.recheck.shard import SCHEMA as PART

    if not isinstance(doc, dict):
        kind = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(
            type(doc), "a number"
        )
        raise InvalidInput(f"not a certificate (a JSON object), but {kind}", path)
    schema = doc.get("schema")
    if isinstance(schema, str) and schema.startswith(SCHEMA.split("/")[0] + "/"):
        return
    if schema == PART:
        raise InvalidInput(
            f"a shard's part ({PART}), not a certificate: it holds rows of the table and no verdict; "
            "merge every part first (verified merge PART... -c DIR), then explain the certificates "
            "it writes (verified recheck verifies a part)",
            f"{path}: schema",
        )
    found = "no 'schema'" if schema is None else f"the schema {show(schema)}"
    raise InvalidInput(
        f"not a certificate (whose schema is {SCHEMA!r}): it has {found}{_looks_like(doc)}",
        f"{path}: schema",
    )


def _looks_like(doc: dict[str, Any]) -> str:
    """What a JSON object that is no certificate looks like, as a hint (empty when unclear)."""
    fmt = doc.get("format")
    if isinstance(fmt, str) and fmt.startswith("verified/statement/"):
        return "; it looks like a statement file, which verified prove reads"
    if isinstance(fmt, str) and fmt.startswith("verified/"):
        return f"; it looks like a mechanism file ({fmt}), which verified check reads"
    if {"agents", "objects", "base"} <= set(doc):
        return "; it looks like a search file, which verified search reads"
    if "results" in doc or "status" in doc or "file" in doc:
        return "; it looks like the --json output of a verified command"
    return ""


def explain_report(path: str, as_json: bool) -> int:
    """``verified explain``: re-check, then the evidence in words (exit 0); a rejected certificate
    is not explained (exit 1); an unreadable file or a non-certificate is bad input (exit 2,
    raised as `InvalidInput`). JSON: ``{file, status: "explained", property, verdict, claim,
    current?, recheck, explanation: [lines]}`` or ``{file, status: "rejected", message}``."""
    from verified.errors import InvalidInput
    from verified.explain import explain, meaning
    from verified.recheck.core import RecheckError, read_certificate, recheck

    try:
        doc = read_certificate(path)
    except RecheckError as exc:
        reason = _one_line(exc).removeprefix(f"{path}: ")
        raise InvalidInput(f"not readable as a certificate: {reason}", str(path)) from None
    require_certificate(doc, str(path))
    # Only verified evidence is put into words: a certificate the independent checker rejects
    # is reported as such and not explained (an edited field would otherwise be printed as fact).
    try:
        summary = recheck(doc)
    except RecheckError as exc:
        if as_json:
            print(json.dumps({"file": str(path), "status": "rejected", "message": _one_line(exc)}, indent=1))
        else:
            print(f"REJECTED   {path}: {_one_line(exc)}")
            print("not explained: its evidence does not verify")
        return EXIT_FAILS
    words = explain(doc, claim=True)
    if not as_json:
        print(f"re-verified by the independent checker: {summary}")
        print(words)
        return EXIT_HOLDS
    claim = meaning(doc["property"], doc["verdict"])
    out: dict[str, Any] = {
        "file": str(path),
        "status": "explained",
        "property": doc["property"],
        "verdict": doc["verdict"],
        "claim": claim[0].removeprefix("The claim: ").rstrip(".") if claim else None,
    }
    current = _current(doc["property"], doc["verdict"])
    if current is not None:
        out["current"] = current
    if "reason" in doc:
        out["reason"] = doc["reason"]
    out["recheck"] = summary
    out["explanation"] = words.splitlines()
    print(json.dumps(out, indent=1))
    return EXIT_HOLDS


def properties_report(as_json: bool) -> int:
    """``verified properties``: every registry property (name, family, installed, meaning), then
    the alias table (`verified.vocabulary`). JSON: ``{"properties": [{name, family, available,
    description, aliases, negates}], "aliases": [{name, canonical, negated, where, note}]}``."""
    from verified.registry import PROPERTIES
    from verified.vocabulary import ALIASES, aliases_of

    rows = [
        {
            "name": spec.name,
            "family": spec.family,
            "available": spec.resolve() is not None,
            "description": spec.description,
            "aliases": aliases_of(spec.name),
            "negates": spec.negates,
        }
        for spec in PROPERTIES
    ]
    if as_json:
        table = [
            {"name": a.name, "canonical": a.canonical, "negated": a.negated, "where": a.where, "note": a.note}
            for a in ALIASES
        ]
        print(json.dumps({"properties": rows, "aliases": table}, indent=1))
        return EXIT_HOLDS
    for row in rows:
        state = "available" if row["available"] else "not installed"
        print(f"{row['name']:18} {row['family']:11} {state:14} {row['description']}")
    print()
    print("aliases (accepted by --property; results are reported under the name on the right):")
    for a in ALIASES:
        if not a.negated:
            print(f"  {a.name:22} = {a.canonical:18} ({a.where}: {a.note})")
    print("old names claiming the negation (kept with their old reading, left out of --all):")
    for a in ALIASES:
        if a.negated:
            print(f"  {a.name:22} = not {a.canonical:14} ({a.where}: {a.note})")
    return EXIT_HOLDS


def search_json(file: str, doc: dict[str, Any], certificate: str | None) -> dict[str, Any]:
    """``verified search --json``: ``{file, property: "sp-dominator", verdict, evidence: a summary
    (kind, and the counts: rows / strict / value / base_value when found, cases / certificates
    when none exists), reason (unknown only), certificate: the path written or null}``."""
    ev = doc["evidence"]
    summary: dict[str, Any] = {"kind": ev["kind"]}
    if ev["kind"] == "sp_dominator":
        summary["rows"] = len(ev["g"])
        summary["strict"] = len(ev["strict"])
        summary.update({k: ev[k] for k in ("value", "base_value") if k in ev})
    elif ev["kind"] == "no_sp_dominator":
        summary["cases"] = len(ev["cases"])
        summary["certificates"] = sorted({c["certificate"] for c in ev["cases"]})
    out: dict[str, Any] = {
        "file": file,
        "property": doc["property"],
        "verdict": doc["verdict"],
        "evidence": summary,
    }
    if "reason" in doc:
        out["reason"] = doc["reason"]
    out["certificate"] = certificate
    return out
