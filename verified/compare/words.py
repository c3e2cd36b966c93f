"""A comparison in words: the headline relation, the counts, the first pair of each kind with both
lotteries, the change in size, the changed profiles, the properties with regressions marked, and
the verdict of the requirement (the wording of profiles and lotteries is `verified.explain`'s)."""

from __future__ import annotations

from fractions import Fraction

from verified.assignment.domain import count_text
from verified.assignment.model import Problem
from verified.assignment.properties.fosd import prefix_comparisons
from verified.compare.model import ChangedProfile, Comparison, Differences, Pair, PropertyChange
from verified.explain import _profile, _row, explain
from verified.numbers import fraction_text

HEADLINES = {
    "equal": "OLD AND NEW ARE EQUAL: every agent gets the same lottery at every profile",
    "equivalent": (
        "OLD AND NEW ARE EQUIVALENT: their lotteries differ only on objects the agents find unacceptable "
        "(every prefix has the same probability)"
    ),
    "dominates": (
        "NEW DOMINATES OLD: at every profile every agent's NEW lottery weakly SD-dominates her OLD one "
        "(NEW weakly dominates OLD), strictly for {better:,} (profile, agent) pairs"
    ),
    "dominated": (
        "OLD DOMINATES NEW: at every profile every agent's OLD lottery weakly SD-dominates her NEW one, "
        "strictly for {worse:,} (profile, agent) pairs"
    ),
    "incomparable": (
        "NEW AND OLD ARE INCOMPARABLE: neither weakly dominates the other "
        "({better:,} pairs better under NEW, {worse:,} worse, {incomparable:,} incomparable)"
    ),
}
KIND_WORDS = {
    "better": "better under NEW",
    "worse": "worse under NEW",
    "incomparable": "incomparable",
    "equivalent": "equivalent (different rows, equal prefix probabilities)",
}


def _signed(value: Fraction) -> str:
    return ("+" if value > 0 else "") + fraction_text(value)


def _lottery(problem: Problem, row: tuple[Fraction, ...]) -> str:
    return _row({x: fraction_text(v) for x, v in zip(problem.columns, row, strict=True)})


def _short_profile(problem: Problem, profile: tuple[tuple[str, ...], ...]) -> str:
    return (
        "("
        + "; ".join(f"{a}: {' '.join(r) or '-'}" for a, r in zip(problem.agents, profile, strict=True))
        + ")"
    )


def _prefix_moves(problem: Problem, pair: Pair) -> list[str]:
    """The first prefix that is more likely under NEW, and the first that is less likely."""
    out = []
    comps = prefix_comparisons(pair.new_row, pair.old_row, pair.preference, problem)
    for wanted, verb in ((1, "rises"), (-1, "falls")):
        for cols, new, old in comps:
            if (new > old) - (new < old) == wanted:
                names = ", ".join(problem.columns[c] for c in cols)
                out.append(
                    f"the probability of {{{names}}} {verb} from {fraction_text(old)} to {fraction_text(new)}"
                )
                break
    return out


def pair_lines(problem: Problem, pair: Pair, indent: str = "    ") -> list[str]:
    """One pair in words: the profile, the agent's two lotteries, what moved."""
    lines = [
        f"{indent}at the profile  {_profile([list(r) for r in pair.profile], list(problem.agents))}",
        f"{indent}agent {pair.agent}  OLD: {_lottery(problem, pair.old_row)}",
        f"{indent}{' ' * len(pair.agent)}        NEW: {_lottery(problem, pair.new_row)}",
    ]
    moves = _prefix_moves(problem, pair)
    if moves:
        lines.append(f"{indent}{'; '.join(moves)}")
    return lines


def _changed_line(problem: Problem, changed: ChangedProfile) -> str:
    parts = []
    for agent, old, new in changed.rows:
        moves = [
            f"{x} {fraction_text(o)} -> {fraction_text(n)}"
            for x, o, n in zip(problem.columns, old, new, strict=True)
            if o != n
        ]
        parts.append(f"agent {agent}: {', '.join(moves)}")
    return f"    {_short_profile(problem, changed.profile)}  " + "; ".join(parts)


def difference_lines(problem: Problem, d: Differences, domain_size: int) -> list[str]:
    """The headline, counts, first pairs, size change and changed profiles."""
    counts = d.by_category
    lines = []
    if d.mode == "exhaustive":
        lines.append(HEADLINES[d.relation].format(**counts) + ".")
    else:
        lines.append(
            f"on the {d.profiles:,} sampled profiles (of {count_text(domain_size)}), "
            + HEADLINES[d.relation].format(**counts)
            + " -- on these profiles only."
        )
    shown = [
        f"{counts['same']:,} same",
        *(f"{counts[k]:,} {KIND_WORDS[k]}" for k in ("better", "worse", "incomparable")),
    ]
    if counts["equivalent"]:
        shown.append(f"{counts['equivalent']:,} {KIND_WORDS['equivalent']}")
    lines.append(f"  {d.profiles * d.agents:,} (profile, agent) pairs: {', '.join(shown)}")
    for kind in ("better", "worse", "incomparable", "equivalent"):
        if kind in d.first:
            lines.append(f"  the first pair {KIND_WORDS[kind]}:")
            lines.extend(pair_lines(problem, d.first[kind]))
    size = d.size
    over = "summed over the" + (" sampled" if d.mode == "sampled" else "")
    lines.append(
        f"  size (probability of being assigned, {over} {size.profiles:,} profiles): "
        f"OLD {fraction_text(size.old_total)}, NEW {fraction_text(size.new_total)}, "
        f"change {_signed(size.change)} ({_signed(size.per_profile)} per profile on average)"
    )
    lines.append("    per agent: " + ", ".join(f"{a} {_signed(v)}" for a, v in size.per_agent))
    if d.changed_count:
        lines.append(
            f"  {d.changed_count:,} profile(s) changed{' (sampled)' if d.mode == 'sampled' else ''}:"
        )
        lines.extend(_changed_line(problem, c) for c in d.changed)
        if d.changed_count > len(d.changed):
            lines.append(f"    ... and {d.changed_count - len(d.changed):,} more")
    else:
        lines.append("  no profile changed")
    return lines


def property_lines(problem: Problem | None, properties: tuple[PropertyChange, ...]) -> list[str]:
    """The properties on both sides; a regression is marked and NEW's counterexample given."""
    if not properties:
        return []
    width = max(len("property"), *(len(p.name) for p in properties))
    lines = [f"  {'property':{width}}  OLD      NEW"]
    agents = list(problem.agents) if problem is not None else None
    for p in properties:
        mark = "REGRESSION" if p.status == "regression" else p.status
        lines.append(
            f"  {p.name:{width}}  {p.old.verdict.value.upper():7}  {p.new.verdict.value.upper():7}  {mark}"
        )
        if p.status == "regression":
            body = explain(p.new.to_json(), agents).splitlines()[1:]
            lines.extend(
                f"      NEW: {line}" if k == 0 else f"           {line}" for k, line in enumerate(body)
            )
    return lines


def describe(c: Comparison) -> str:
    """The whole report of ``verified compare`` (without the certificates written)."""
    lines = [f"OLD  {c.old.name}  ({c.old.source})", f"NEW  {c.new.name}  ({c.new.source})"]
    if c.problem is not None:
        p = c.problem
        how = "sampled (--hunt)" if c.sampling is not None else "every (profile, agent) pair compared exactly"
        lines.append(
            f"on {count_text(c.domain_size)} profiles of agents {', '.join(p.agents)} and objects "
            f"{', '.join(p.objects)}: {how}"
        )
    if c.sampling is not None:
        s = c.sampling
        skipped = f", {s.skipped:,} skipped ({s.skip_reason})" if s.skipped else ""
        lines.append(
            f"  {s.drawn:,} of {s.budget:,} draws with seed {s.seed}: "
            f"{s.evaluated:,} distinct profiles evaluated{skipped}"
        )
    if c.differences is not None and c.problem is not None:
        lines.extend(difference_lines(c.problem, c.differences, c.domain_size))
    lines.extend(property_lines(c.problem, c.properties))
    lines.append(f"requirement {c.requirement}: {c.verdict.value.upper()} -- {c.reason}")
    return "\n".join(lines)
