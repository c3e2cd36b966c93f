"""Reading a statement file (``format = "verified/statement/1"``, TOML or JSON) for ``verified prove``.

A statement file::

    format = "verified/statement/1"
    question = "impossible"                 # or "exists"

    [problem]
    agents = 2
    objects = ["a", "b"]
    # priorities = { a = ["1", "2"], b = [["1", "2"]] }   # object -> tie classes, highest first

    [profiles]
    kind = "full"                           # or "list" (with list = [profile, ...]),
                                            # or "grown" (with seed = profile, depth = k),
                                            # or "product" (with rankings = [ranking, ...]:
                                            # every agent reports any of them)

    [[unknowns]]
    name = "f"
    properties = ["sp", "nonwasteful"]      # ir, sp, ete, nonwasteful, sd-efficient, anonymous,
                                            # ex-post-efficient, ex-post-stable
    # builtin = "random_priority"           # a known mechanism this unknown must equal

    [[unknowns]]
    name = "g"
    properties = ["sp"]

    [[relations]]
    kind = "dominates"                      # dominates, weakly-dominates, same-size, share-differs,
                                            # size-at-least, size-larger
    left = "g"
    right = "f"

A profile is one ranking per agent, each a list of object names (best first) or a string of
one-letter names (``"ab"``). Every problem is an `InvalidInput` naming the file and the field.

``priorities`` in ``[problem]`` (optional) are each object's priority order over the agents, in
the library's format for mechanism files (`verified.io.builtins.read_priorities`: a list of tie
classes, highest first; a bare agent name is a class of one; strict orders are the usual case).
Every ``ex-post-stable`` unknown is ex post stable for them (Erdil, section 3), and a built-in
deferred-acceptance unknown without its own ``priorities`` uses them (as in mechanism files).
``ex-post-stable`` without them is refused. In the statement (and its certificate) the property
is written with the priorities, ``ex-post-stable[[0,1],[1,0]]`` (`verified.prove.statement.
ex_post_stable`: per object, each agent's tie class); a file may use that form too.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from verified.assignment.domain import Domain
from verified.assignment.model import names_as_text
from verified.errors import InvalidInput
from verified.io.builtins import read_priorities
from verified.io.reader import located, read_problem
from verified.io.schema import fields, read_document
from verified.names import show
from verified.prove.statement import STABLE, Relation, Statement, Unknown, ex_post_stable, grown_profiles

FORMAT = "verified/statement/1"
#: Most profiles a statement may list or grow (each adds rows for every unknown).
MAX_PROFILES = 5_000


def load_statement(path: str | Path) -> Statement:
    """The statement in the file at ``path``."""
    path = Path(path)
    doc = read_document(path)
    try:
        return parse_statement(doc)
    except InvalidInput as exc:
        raise located(exc, str(path)) from None


def parse_statement(doc: Any) -> Statement:
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, Mapping) else doc
        raise InvalidInput(f"expected {FORMAT!r}, got {show(found)}", "format")
    spec = fields(doc, "statement", ("format", "problem", "profiles", "unknowns"), ("question", "relations"))
    given = spec["problem"]
    ordered = isinstance(given, Mapping) and "priorities" in given
    problem = read_problem({k: v for k, v in given.items() if k != "priorities"} if ordered else given)
    priorities = read_priorities(problem, given["priorities"], "problem.priorities") if ordered else None
    profiles = _profiles(problem, spec["profiles"])
    unknowns = spec["unknowns"]
    if not isinstance(unknowns, list) or not unknowns:
        raise InvalidInput("expected a non-empty list of unknowns", "unknowns")
    relations = spec.get("relations", [])
    if not isinstance(relations, list):
        raise InvalidInput("expected a list of relations", "relations")
    return Statement(
        problem,
        profiles,
        tuple(_unknown(problem, u, f"unknowns[{k}]", priorities) for k, u in enumerate(unknowns)),
        tuple(_relation(r, f"relations[{k}]") for k, r in enumerate(relations)),
        _text(spec.get("question", "impossible"), "question"),
    )


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"expected a string, got {show(value)}", where)
    return value


def _profiles(problem: Any, spec: Any) -> tuple:
    if not isinstance(spec, Mapping):
        raise InvalidInput(f"must be a table, got {show(spec)}", "profiles")
    kind = spec.get("kind", "full")
    if kind == "full":
        fields(spec, "profiles", (), ("kind",))
        domain = Domain.full(problem)
        if len(domain) > MAX_PROFILES:
            raise InvalidInput(
                f"the full domain has {len(domain):,} profiles, more than {MAX_PROFILES:,}", "profiles"
            )
        return tuple(domain)
    if kind == "list":
        fields(spec, "profiles", ("kind", "list"))
        items = spec["list"]
        if not isinstance(items, list) or not items or len(items) > MAX_PROFILES:
            raise InvalidInput(f"expected 1 to {MAX_PROFILES:,} profiles", "profiles.list")
        out = []
        for k, p in enumerate(items):
            try:
                out.append(problem.profile(names_as_text(p)))  # a file holds names
            except InvalidInput as exc:
                raise InvalidInput(str(exc), f"profiles.list[{k}]") from None
        return tuple(out)
    if kind == "grown":
        fields(spec, "profiles", ("kind", "seed", "depth"))
        depth = spec["depth"]
        if not isinstance(depth, int) or isinstance(depth, bool) or not 0 <= depth <= 3:
            raise InvalidInput(f"expected an integer from 0 to 3, got {show(depth)}", "profiles.depth")
        try:
            return grown_profiles(problem, names_as_text(spec["seed"]), depth, MAX_PROFILES)
        except InvalidInput as exc:
            raise InvalidInput(str(exc).split(": ", 1)[-1], "profiles") from None
    if kind == "product":
        fields(spec, "profiles", ("kind", "rankings"))
        return _product(problem, spec["rankings"])
    raise InvalidInput(
        f"unknown kind {show(kind)}; use 'full', 'list', 'grown' or 'product'", "profiles.kind"
    )


def _product(problem: Any, rankings: Any) -> tuple:
    """Every profile in which each agent reports one of ``rankings`` (the library's restricted
    domain, `Domain.restricted`, with the same list for every agent; its order)."""
    if not isinstance(rankings, list) or not rankings or len(rankings) > MAX_PROFILES:
        raise InvalidInput(f"expected 1 to {MAX_PROFILES:,} rankings", "profiles.rankings")
    count = 1
    for _ in range(problem.n):  # len(rankings) ** n, stopped as soon as it is too many
        count *= len(rankings)
        if count > MAX_PROFILES:
            raise InvalidInput(
                f"{len(rankings)} rankings for {problem.n} agents give more than {MAX_PROFILES:,} profiles",
                "profiles.rankings",
            )
    try:
        return tuple(Domain.restricted(problem, [rankings] * problem.n))
    except InvalidInput as exc:
        raise InvalidInput(str(exc).split(": ", 1)[-1], "profiles.rankings") from None


def _unknown(problem: Any, spec: Any, where: str, priorities: Any = None) -> Unknown:
    spec = fields(spec, where, ("name",), ("properties", "builtin", "order", "priorities"))
    props = spec.get("properties", [])
    if not isinstance(props, list) or not all(isinstance(p, str) for p in props):
        raise InvalidInput(f"expected a list of property names, got {show(props)}", f"{where}.properties")
    if STABLE in props:
        if priorities is None:
            raise InvalidInput(
                "ex-post-stable needs the priorities in [problem] (problem.priorities)", f"{where}.properties"
            )
        props = [ex_post_stable(priorities) if p == STABLE else p for p in props]
    fixed = None
    if "builtin" in spec:
        from verified.io.builtins import builtin_mechanism

        mechanism_spec = {k: spec[k] for k in ("builtin", "order", "priorities") if k in spec}
        builtin = spec["builtin"]
        if isinstance(builtin, str) and builtin.endswith("deferred_acceptance") and priorities is not None:
            mechanism_spec.setdefault("priorities", priorities.to_json())
        try:
            fixed = builtin_mechanism(problem, mechanism_spec)
        except InvalidInput as exc:
            raise InvalidInput(str(exc), where) from None
    try:
        return Unknown(_text(spec["name"], f"{where}.name"), tuple(props), fixed)
    except InvalidInput as exc:
        raise InvalidInput(str(exc).split(": ", 1)[-1], where) from None


def _relation(spec: Any, where: str) -> Relation:
    spec = fields(spec, where, ("kind", "left", "right"))
    try:
        return Relation(
            _text(spec["kind"], f"{where}.kind"),
            _text(spec["left"], f"{where}.left"),
            _text(spec["right"], f"{where}.right"),
        )
    except InvalidInput as exc:
        raise InvalidInput(str(exc).split(": ", 1)[-1], where) from None
