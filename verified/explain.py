"""Evidence in words a market designer reads: which agent, which misreport, which prefix, the numbers.

`explain(doc)` takes a certificate document (or a `CheckResult.to_json()`) and
returns plain text: the property and verdict first (``sp: HOLDS``), with ``claim=True`` what the
property means (`meaning`: the registry's description; for an old name such as
``improving-trade``, also what the verdict reads as under the current name,
`verified.vocabulary`), then the evidence.
Unknown evidence kinds fall back to listing the fields.
"""

from __future__ import annotations

from typing import Any


def _ranking(pref: Any) -> str:
    return " > ".join([*map(str, pref), "outside"]) if isinstance(pref, list) else str(pref)


def _profile(profile: Any, agents: list[str] | None) -> str:
    if not isinstance(profile, list):
        return str(profile)
    names = agents or [str(k + 1) for k in range(len(profile))]
    return "; ".join(f"agent {a}: {_ranking(p)}" for a, p in zip(names, profile, strict=False))


def _row(row: Any) -> str:
    if isinstance(row, dict):
        return ", ".join(f"{k} {v}" for k, v in row.items() if v not in ("0", 0)) or "nothing"
    return str(row)


def _agents(doc: dict[str, Any]) -> list[str] | None:
    enc = doc.get("subject", {}).get("encoding", {})
    agents = enc.get("problem", {}).get("agents") if isinstance(enc, dict) else None
    return agents if isinstance(agents, list) else None


def _counterexample(ev: dict[str, Any], agents: list[str] | None) -> list[str]:
    lines = []
    if ev.get("kind") == "eopr_not_robust":
        eopr = ev.get("eopr", {})
        sq = ev.get("status_quo_cost")
        outcome = (
            f"costs {eopr.get('cost')}, more than the status quo cost {sq} (exact price bounds)"
            if "cost" in eopr
            else f"has no allocation at all: none in the chosen sets clears the market (Farkas prices; "
            f"the status quo costs {sq})"
        )
        return [
            f"When the agents choose the sets {ev.get('profile')} of their menus, the ex-post-optimal rule "
            f"{outcome}."
        ]
    if ev.get("kind") == "sq_mc_allocation":
        at = ev.get("at") or ["?", "?"]
        bundles = "; ".join(_tuple(x) for x in ev.get("allocation", []))
        return [
            f"The non-choice allocation {bundles} (one bundle per agent) clears the market (MC) and "
            f"satisfies (SQ) with slack {_tuple(ev.get('sq_mc', {}).get('beta', []))}, yet it is not the "
            f"status quo: agent {at[0]}'s load of task {at[1]} moves by {ev.get('departure')}."
        ]
    if "profile" in ev:
        lines.append(f"At the profile  {_profile(ev['profile'], agents)}")
    if "misreport" in ev:
        lines.append(
            f"agent {ev.get('agent')} gains by reporting {_ranking(ev['misreport'])} instead of the truth:"
        )
        if "prefix" in ev:
            truth = ev.get("truthful_cumulative", "?")
            lie = ev.get("misreport_cumulative", "?")
            lines.append(
                f"  the probability of getting one of {{{', '.join(ev['prefix'])}}} rises from {truth} "
                f"(truthful) to {lie} (misreport)."
            )
        for key, label in (("truthful_row", "truthful lottery"), ("misreport_row", "lottery after lying")):
            if key in ev:
                lines.append(f"  {label}: {_row(ev[key])}")
    elif "y" in ev and "z" in ev:
        lines.append(
            f"the assignment is wasteful: agent {ev.get('agent')} gets {ev['y']} with probability "
            f"{ev.get('gamma_jy', '> 0')} although she prefers {ev['z']}, which is not fully assigned "
            f"(assigned {ev.get('z_column_sum', '?')})."
        )
    elif "object" in ev and "probability" in ev:
        lines.append(
            f"agent {ev.get('agent')} gets {ev['object']}, which she finds unacceptable, "
            f"with probability {ev['probability']}."
        )
    elif "dominating" in ev:
        lines.append("another assignment is at least as good for every agent and better for some:")
        for gain in ev.get("strict_gains", []):
            lines.append(
                f"  agent {gain.get('agent')}: probability of {{{', '.join(gain.get('prefix', []))}}} rises "
                f"from {gain.get('cumulative_assignment')} to {gain.get('cumulative_dominating')}"
            )
        lines.append(f"  dominating assignment: {ev['dominating']}")
    elif ev.get("kind") == "farkas" and "prices" in ev:
        family = "stable matchings" if "priorities" in ev else "Pareto-efficient deterministic assignments"
        lines.append(
            f"no lottery over {family} gives this assignment: "
            f"prices {ev['prices']} value it at {ev.get('assignment_price')} > 0, "
            "every efficient one at <= 0."
        )
    elif ev.get("kind") == "separating_cost":
        first, second = ev.get("first_direction"), ev.get("second_direction")
        lines.append(
            f"agent {ev.get('agent')}: the rays {first} and {second} are not polarized: the cost type "
            f"{ev.get('cost')} loses along both ({ev.get('cost_dot_first')} and "
            f"{ev.get('cost_dot_second')} < 0), so no mix of them is >= 0."
        )
    elif ev.get("kind") == "monotone_direction":
        lines.append(f"agent {ev.get('agent')}: the ray direction {ev.get('direction')} is monotone.")
    elif ev.get("kind") == "menu_osp_counterexample":
        lines.append(
            f"agent {ev.get('agent')} with cost type {ev.get('cost')} has no obviously dominant choice:"
        )
        for r in ev.get("choices", []):
            worse, better = r.get("worse_point"), r.get("better_point")
            lines.append(
                f"  choosing set {r.get('choice')} can cost {r.get('worse_cost')} (at {worse}) "
                f"while set {r.get('deviation')} can cost only {r.get('better_cost')} (at {better})"
            )
    elif ev.get("kind") == "two_improving_sets":
        sets, points, costs = ev.get("sets") or [], ev.get("points") or [], ev.get("point_costs") or []
        offers = " and ".join(
            f"set {k} offers {_tuple(x)} at cost {v}" for k, x, v in zip(sets, points, costs, strict=False)
        )
        lines.append(
            f"agent {ev.get('agent')} with cost type {_tuple(ev.get('cost'))}: {offers}, both below her "
            f"endowment's cost {ev.get('eta_cost')}. Two sets improve on eta at one type (Claim 2 of "
            "Theorem 2's proof): "
            "when every set contains eta (Claim 1), no choice is obviously dominant there."
        )
    elif ev.get("kind") == "mechanism_osp_counterexample":
        lines.append(
            f"agent {ev.get('agent')} with cost type {ev.get('cost')} is told to choose set "
            f"{ev.get('chosen')}, which is not obviously dominant: if the others choose "
            f"{ev.get('worst_profile')} she gets {ev.get('worse_bundle')} at cost {ev.get('worse_cost')}, "
            f"while choosing set {ev.get('deviation')} gets her {ev.get('better_bundle')} at cost "
            f"{ev.get('better_cost')} when the others choose {ev.get('best_profile')}."
        )
    elif ev.get("kind") in ("no_bilateral_trade", "bilateral_trade"):
        lines.append(_trade(ev))
    elif "permutation" in ev:
        lines.append(f"renaming the agents by {ev['permutation']} does not rename the lotteries accordingly.")
    elif "agents" in ev:
        lines.append(
            f"agents {' and '.join(map(str, ev['agents']))} report the same ranking "
            "but get different lotteries."
        )
    return lines


def _trade(ev: dict[str, Any]) -> str:
    """An improving bilateral trade (``bilateral_trade``) or the proof that none exists
    (``no_bilateral_trade``), in words; which verdict that is depends on the property's name."""
    if ev.get("kind") == "bilateral_trade":
        return (
            f"an improving bilateral trade exists: agent {ev.get('agent_prime')} takes gamma = "
            f"{ev.get('gamma')} from agent {ev.get('agent_double_prime')}: feasible, lowers the "
            "designer's cost, and both agents have types that want it (Lemma 2 (i)-(iv))."
        )
    cases = sum(len(p.get("cases", [])) for p in ev.get("pairs", []))
    return (
        f"no bilateral trade improves on the status quo: {len(ev.get('pairs', []))} pair(s) of agents, "
        f"{cases} case(s), each refuted by exact Motzkin multipliers."
    )


def _tuple(v: Any) -> str:
    return "(" + ", ".join(str(x) for x in v) + ")" if isinstance(v, list) else str(v)


def _large_market(ev: dict[str, Any], verdict: str) -> list[str]:
    """The large-market program's certified optimum (`verified.trading.large_market.certify`)."""
    value, status_quo = ev.get("value"), ev.get("status_quo_cost")
    prices = ", ".join(str(x) for x in ev.get("prices", []))
    if ev.get("kind") == "large_market_mechanism":
        lines = [
            f"A mechanism of the large-market program costs {ev.get('mechanism_cost')}, below the "
            f"status-quo cost {status_quo}, so the program beats the status quo (its optimum, at most "
            "that, is not certified)."
        ]
    else:
        verdict_line = (
            f", below the status-quo cost {status_quo}."
            if verdict == "holds"
            else f": the status quo ({status_quo}) is optimal."
        )
        lines = [
            f"The large-market program's optimum is {value}{verdict_line}",
            f"The optimal mechanism attains it; the dual at prices ({prices}) proves nothing does better.",
        ]
    for item in ev.get("agents", []):
        menus = "; ".join(
            f"weight {m.get('weight')}: {m.get('kind')}"
            + (
                f", selections eta + {', '.join(_tuple(d) for d in m['displacements'])}"
                if m.get("displacements")
                else ""
            )
            for m in item.get("menus", [])
        )
        lines.append(
            f"  agent {item.get('agent')}: expected bundle {_tuple(item.get('allocation', []))}; {menus}"
        )
    return lines


_BIC_KINDS = (
    "bic_improvement",
    "bic_no_improvement",
    "bic_all_constant",
    "bic_choice_optimal",
    "bic_constant_optimal",
)


def _bic(ev: dict[str, Any]) -> list[str]:
    """Program (1) over BIC mechanisms (`verified.trading.theorem1_certify`, Theorem 1 (iii), (iv))."""
    kind, value, status_quo = ev.get("kind"), ev.get("optimum"), ev.get("status_quo_cost")
    head = (
        f"Program (1)'s optimum over BIC mechanisms is {value} (exact dual); "
        f"the status quo costs {status_quo}."
    )
    if kind == "bic_improvement":
        return [
            head,
            f"The witness mechanism depends on the reports, satisfies (IC), (SQ) and (MC), and costs "
            f"{ev.get('cost')} < {status_quo}: choice improves upon the status quo.",
        ]
    if kind == "bic_no_improvement":
        return [head, "No mechanism satisfying (IC), (SQ) and (MC) costs less: choice cannot improve on it."]
    if kind == "bic_all_constant":
        count = len(ev.get("certificates") or [])
        why = (
            f"{count} exact LP(s) pin every m_j(i|p) - m_j(i|p_0) at 0"
            if count
            else "there is a single type profile"
        )
        return [
            head,
            f"Yet every mechanism satisfying (IC), (SQ) and (MC) is constant in the profile: {why}, "
            "so no non-constant mechanism improves upon the status quo.",
        ]
    if kind == "bic_choice_optimal":
        return [
            head,
            f"An optimal mechanism depends on the reports; the best constant mechanism costs "
            f"{ev.get('constant_optimum')} > {value} (exact dual), so every optimum is non-constant: "
            "choice is optimal.",
        ]
    bundles = "; ".join(_tuple(x) for x in ev.get("allocation") or [])
    return [
        head,
        f"The constant allocation {bundles} (one bundle per agent) satisfies (SQ) and (MC) and costs "
        f"{ev.get('cost')}, the optimum: an optimal mechanism ignores the reports, so choice is not optimal.",
    ]


def meaning(prop: str, verdict: str) -> list[str]:
    """What ``prop`` claims (the registry's description), and for an old name claiming a
    negation (`verified.vocabulary`), what ``verdict`` reads as under the current name."""
    from verified.registry import BY_NAME
    from verified.vocabulary import canonical, negation_of, reading

    entry = BY_NAME.get(canonical(prop))  # a Python result's name (``strategyproof``) too
    if entry is None:
        return []
    lines = [f"The claim: {entry.description}."]
    if negation_of(prop) is not None and verdict in ("holds", "fails"):
        name, now = reading(prop, verdict)
        lines.append(f"Under the current name this certificate reads {name}: {now.upper()}.")
    return lines


def explain(doc: dict[str, Any], agents: list[str] | None = None, *, claim: bool = False) -> str:
    """Plain-language account of a certificate (or of ``CheckResult.to_json()``; then pass
    the problem's ``agents`` to name them). The first line is ``PROPERTY: VERDICT``; with
    ``claim`` (``verified explain``) the next say what the property claims (`meaning`), then
    the evidence follows (the lines after the first are what ``verified check`` prints under a
    verdict, so there ``claim`` is off: the table already gives the property's description)."""
    prop = doc.get("property", "?")
    verdict = doc.get("verdict", "?")
    ev = doc.get("evidence", {}) if isinstance(doc.get("evidence"), dict) else {}
    agents = agents or _agents(doc)
    name = doc.get("subject", {}).get("encoding", {}).get("mechanism", {}).get("name")
    head = f"{prop}: {verdict.upper()}" + (f" for mechanism {name!r}" if name else "")
    lines = [head, *(meaning(str(prop), str(verdict)) if claim else [])]
    encoding = doc.get("subject", {}).get("encoding", {})
    if isinstance(encoding, dict) and encoding.get("family") == "statement" and verdict != "unknown":
        from verified.prove.words import explain_statement

        return "\n".join([head, *explain_statement(doc)])
    if verdict == "unknown":
        lines.append(f"No verdict: {doc.get('reason', 'no reason given')}.")
    elif ev.get("kind") in ("large_market_optimum", "large_market_mechanism"):
        lines.extend(_large_market(ev, verdict))
    elif ev.get("kind") in _BIC_KINDS:
        lines.extend(_bic(ev))
    elif verdict == "fails":
        body = _counterexample(ev, agents)
        lines.extend(body or [f"counterexample ({ev.get('kind')}): {_fields(ev)}"])
    else:
        kind = ev.get("kind")
        if kind in ("bilateral_trade", "no_bilateral_trade"):
            lines.append(_trade(ev))
        elif kind == "eopr_robust":
            lines.append(
                f"At all {ev.get('profiles')} profiles of menu choices the ex-post-optimal rule costs "
                f"at most "
                f"the status quo cost {ev.get('status_quo_cost')} (worst: {ev.get('worst_cost')} at choices "
                f"{ev.get('worst_profile')}); each profile carries a feasible allocation that costs no more."
            )
        elif kind == "mechanism_osp_refutations":
            count = sum(len(item.get("refuted", [])) for item in ev.get("agents", []))
            lines.append(
                "Every agent's strategy is obviously dominant at every type (mechanism-level OSP): "
                f"{count} linear system(s) (type in the domain, in a piece of the region where the "
                "strategy picks k, and some outcome of k worse than some outcome of a deviation k') "
                "are each refuted by exact Motzkin multipliers."
            )
        elif kind == "per_agent" and all(
            isinstance(i, dict)
            and isinstance(i.get("evidence"), dict)
            and i["evidence"].get("kind") == "improving_set_programs"
            for i in ev.get("agents", [])
        ):
            count = sum(len(i["evidence"].get("pairs", [])) for i in ev.get("agents", []))
            lines.append(
                "For every agent, no cost type in her domain makes two different sets of her menu offer a "
                f"point cheaper than her endowment: {count} exact LP(s), one per pair of sets and pair of "
                "improving directions, each with a dual certificate that the best type's margin is <= 0."
            )
        elif kind == "per_agent":
            names = ", ".join(str(item.get("agent")) for item in ev.get("agents", []))
            kinds = sorted({str(item.get("evidence", {}).get("kind")) for item in ev.get("agents", [])})
            lines.append(f"Holds for every agent ({names}); certificates: {', '.join(kinds)}.")
        elif kind == "per_profile":
            kinds = sorted({str(c.get("kind")) for c in ev.get("certificates", [])})
            lines.append(
                f"Holds at all {ev.get('profiles')} profiles; one certificate each ({', '.join(kinds)})."
            )
        elif kind == "exhaustive":
            counted = next(
                (
                    f"{ev[k]} {k.replace('_', ' ')}"
                    for k in sorted(ev)
                    if k.endswith(("checked", "comparisons"))
                ),
                "",
            )
            size = ev.get("domain", {}).get("profiles") if isinstance(ev.get("domain"), dict) else None
            lines.append(
                "Checked exhaustively"
                + (f" over all {size} profiles" if size else "")
                + (f" ({counted})" if counted else "")
                + "; no violation exists."
            )
        else:
            lines.append(f"Certificate ({kind}): {_fields(ev)}")
    if "subject" in doc:
        lines.append(f"Subject SHA-256: {doc['subject'].get('sha256')}")
        lines.append("Re-check it independently with:  verified recheck <this file>")
    return "\n".join(lines)


def _fields(ev: dict[str, Any]) -> str:
    parts = []
    for key in sorted(ev):
        if key == "kind":
            continue
        text = str(ev[key])
        parts.append(f"{key}={text if len(text) <= 80 else text[:77] + '...'}")
    return ", ".join(parts)
