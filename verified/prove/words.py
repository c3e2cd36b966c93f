"""A statement certificate in words (`verified explain`): the profiles the proof uses, every case
split, and at each leaf the constraints that combine, with their multipliers, into ``0 >= c > 0``
(or ``0 > 0``). A witness is shown as each unknown's lotteries at the first profiles."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

MAX_LEAVES = 12  # leaves written out in full; the rest are counted
MAX_WITNESS_PROFILES = 4


def _profile_text(profile: list) -> str:
    return "; ".join(f"agent {i + 1}: {' > '.join([*r, 'outside'])}" for i, r in enumerate(profile))


class Words:
    """Sentences for the rows and clauses of one statement (`verified.prove.rows` reasons)."""

    def __init__(self, encoding: dict) -> None:
        from verified.recheck.prove import Statement

        self.statement = Statement(encoding)  # the checker's reading: atoms and bounds
        self.objects = encoding["problem"]["objects"]
        self.agents = encoding["problem"]["agents"]
        self.profiles = encoding["profiles"]
        self.used: set[int] = set()

    def column(self, k: int) -> str:
        return self.objects[k] if k < len(self.objects) else "outside"

    def prefix(self, p: int, i: int, s: int) -> str:
        pref = list(self.profiles[p][i])
        items = pref[:s] if s <= len(pref) else [*pref, "outside"]
        return "{" + ", ".join(items) + "}"

    def row(self, reason: list) -> str:
        kind, a = reason[0], reason[1:]
        for value, is_profile in zip(a, _profile_positions(kind, len(a)), strict=False):
            if is_profile and isinstance(value, int):
                self.used.add(value)
        agent = self.agents
        if kind == "nonneg":
            return f"{a[0]} gives agent {agent[a[2]]} a share >= 0 of {self.column(a[3])} at R{a[1]}"
        if kind == "sum":
            return f"agent {agent[a[2]]}'s lottery under {a[0]} at R{a[1]} sums to 1"
        if kind == "capacity":
            return f"{a[0]} assigns at most the copies of {self.column(a[2])} at R{a[1]}"
        if kind == "ir":
            return f"{a[0]} gives agent {agent[a[2]]} none of {self.column(a[3])} (not listed) at R{a[1]}"
        if kind == "fixed":
            value = self.statement.fixed[a[0]][a[1]][a[2]][a[3]]
            return f"{a[0]} gives agent {agent[a[2]]} {value} of {self.column(a[3])} at R{a[1]} (known)"
        if kind == "sp":
            return (
                f"{a[0]} is strategy-proof: agent {agent[a[3]]} at R{a[1]} gets at least as much of "
                f"{self.prefix(a[1], a[3], a[4])} as by reporting as in R{a[2]}"
            )
        if kind == "ete":
            who = f"agents {agent[a[2]]} and {agent[a[3]]}"
            return f"{a[0]} treats {who} equally at R{a[1]} ({self.column(a[4])})"
        if kind in ("weak", "strict"):
            how = "at least as much" if kind == "weak" else "strictly more"
            what = self.prefix(a[2], a[3], a[4])
            return f"{a[0]} gives agent {agent[a[3]]} {how} of {what} as {a[1]} at R{a[2]}"
        if kind == "same-size":
            return f"{a[0]} and {a[1]} assign as many objects at R{a[2]}"
        if kind in ("size-at-least", "size-more"):
            how = "at least as many objects as" if kind == "size-at-least" else "more objects than"
            return f"{a[0]} assigns {how} {a[1]} at R{a[2]}"
        if kind == "anonymous":
            j = self.statement.rearrangement(a[1], a[2])[a[3]]
            return (
                f"{a[0]} is anonymous: agent {agent[j]} at R{a[2]} gets as much {self.column(a[4])} as "
                f"agent {agent[a[3]]} at R{a[1]} (the same report)"
            )
        if kind == "lottery-weight":
            held = ", ".join(f"{agent[i]}: {self.column(c)}" for i, c in enumerate(a[3]))
            return f"{a[0]}'s lottery at R{a[1]} puts a weight >= 0 on the {a[2]} assignment ({held})"
        if kind == "lottery-sum":
            return f"{a[0]}'s weights on the {a[2]} assignments at R{a[1]} sum to 1 (ex post {a[2]})"
        if kind == "lottery-share":
            return (
                f"{a[0]} gives agent {agent[a[3]]} as much {self.column(a[4])} at R{a[1]} as the weight "
                f"of the {a[2]} assignments that give it to her"
            )
        if kind in ("more", "less"):
            how = "more" if kind == "more" else "less"
            return f"agent {agent[a[3]]}'s total share is {how} under {a[0]} than under {a[1]} at R{a[2]}"
        if kind in ("unused", "zero"):
            return f"{a[0]} gives agent {agent[a[2]]} none of {self.column(a[3])} at R{a[1]}"
        if kind == "full":
            return f"{a[0]} assigns every copy of {self.column(a[2])} at R{a[1]}"
        return str(reason)

    def clause(self, reason: list) -> str:
        kind, a = reason[0], reason[1:]
        if kind == "waste":
            self.used.add(a[1])
            return (
                f"{a[0]} is not wasteful for agent {self.agents[a[2]]} at R{a[1]}: she gets no "
                f"{self.column(a[3])}, or {self.column(a[4])} (which she prefers) is all assigned"
            )
        if kind == "dominates":
            return f"{a[0]} dominates {a[1]}: strictly better for some agent, prefix and profile"
        if kind == "size-larger":
            return f"{a[0]} assigns more objects than {a[1]} at some profile"
        if kind == "cycle":
            self.used.add(a[1])
            loop = " -> ".join(self.column(k) for k in [*a[2], a[2][0]])
            why = "(Bogomolnaia-Moulin, Lemma 3)"
            return f"{a[0]} is SD-efficient at R{a[1]}: the cycle {loop} misses an edge {why}"
        return f"some agent's total share differs between {a[0]} and {a[1]}"


def _profile_positions(kind: str, count: int) -> list[bool]:
    """Which arguments of a reason are profile numbers."""
    positions = {
        "nonneg": [1],
        "sum": [1],
        "capacity": [1],
        "ir": [1],
        "fixed": [1],
        "sp": [1, 2],
        "ete": [1],
        "weak": [2],
        "strict": [2],
        "same-size": [2],
        "size-at-least": [2],
        "size-more": [2],
        "anonymous": [1, 2],
        "lottery-weight": [1],
        "lottery-sum": [1],
        "lottery-share": [1],
        "more": [2],
        "less": [2],
        "unused": [1],
        "full": [1],
    }.get(kind, [])
    return [k in positions for k in range(count)]


def explain_statement(doc: dict[str, Any]) -> list[str]:
    """The lines after the heading (see module docstring)."""
    encoding = doc["subject"]["encoding"]
    evidence = doc["evidence"]
    words = Words(encoding)
    if evidence.get("kind") == "witness":
        return _witness(words, evidence["tables"])
    body: list[str] = []
    counter = [0]
    _tree(words, evidence["proof"], 0, body, counter)
    size = f"{evidence['leaves']} leaves, {evidence['splits']} splits"
    head = [
        f"No choice of the unknowns satisfies the statement ({size}).",
        "Profiles the proof uses:",
        *[f"  R{p} = {_profile_text(words.profiles[p])}" for p in sorted(words.used)],
    ]
    return head + body


def _tree(words: Words, node: dict, depth: int, out: list[str], counter: list[int]) -> None:
    pad = "  " * depth
    if "leaf" in node:
        counter[0] += 1
        if counter[0] > MAX_LEAVES:
            if counter[0] == MAX_LEAVES + 1:
                out.append(f"{pad}(further leaves not written out; `verified recheck` verifies all of them)")
            for reason, _ in node["leaf"]:
                words.row(reason)
            return
        out.append(f"{pad}contradiction: add up")
        bound, strict = Fraction(0), False
        for reason, w in node["leaf"]:
            out.append(f"{pad}  {w} x [{words.row(reason)}]")
            _, sense, rhs = words.statement.row(reason)
            bound += Fraction(w) * rhs
            strict = strict or (sense == ">" and Fraction(w) > 0)
        out.append(f"{pad}  the shares cancel: 0 {'>' if strict else '>='} {bound}")
        return
    out.append(f"{pad}split on: {words.clause(node['split'])}")
    atoms = words.statement.clause(node["split"])
    for k, (atom, case) in enumerate(zip(atoms, node["cases"], strict=True)):
        out.append(f"{pad}- case {k + 1}: {' and '.join(words.row(r) for r in atom)}")
        if "same_as" in case:
            out.append(f"{pad}  as case {case['same_as'] + 1}, renamed: {_renaming_text(words, case)}")
            continue
        _tree(words, case, depth + 1, out, counter)


def _renaming_text(words: Words, case: dict) -> str:
    """``agent 1 -> 2, ...; object a -> b, ...`` (only what moves)."""
    agents = [f"{words.agents[i]} -> {words.agents[j]}" for i, j in enumerate(case["agents"]) if i != j]
    objects = [f"{words.column(x)} -> {words.column(y)}" for x, y in enumerate(case["objects"]) if x != y]
    parts = [f"agents {', '.join(agents)}"] * bool(agents) + [f"objects {', '.join(objects)}"] * bool(objects)
    return "; ".join(parts) + " (the statement is the same after renaming)"


def _witness(words: Words, tables: dict) -> list[str]:
    lines = ["A choice of the unknowns that satisfies the statement (every row checked exactly):"]
    for p in range(min(len(words.profiles), MAX_WITNESS_PROFILES)):
        lines.append(f"  at R{p} = {_profile_text(words.profiles[p])}")
        for name, rows in tables.items():
            parts = []
            for i, row in enumerate(rows[p]):
                lottery = ", ".join(f"{words.column(k)} {v}" for k, v in enumerate(row) if Fraction(v) != 0)
                parts.append(f"agent {words.agents[i]}: {lottery}")
            lines.append(f"    {name}: " + "; ".join(parts))
    if len(words.profiles) > MAX_WITNESS_PROFILES:
        lines.append(
            f"  ... and {len(words.profiles) - MAX_WITNESS_PROFILES} more profiles in the certificate"
        )
    return lines
