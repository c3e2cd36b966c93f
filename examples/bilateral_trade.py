"""A bilateral trade that improves on the status quo (Valenzuela-Stookey, Lemma 2, Proposition 1).

Two teachers share three kinds of tasks. The designer knows who performs
better at what (pi) but not how much each teacher dislikes each task: only a
box of possible cost types per teacher. The library finds an exact trade
gamma that both may accept and that lowers the social cost, or proves that
none exists.

    python examples/bilateral_trade.py
"""

from __future__ import annotations

from verified.trading.bilateral import check_bilateral_improvement, check_bilateral_trade, proposition1_pair
from verified.trading.model import CostDomain, Economy


def show(values: list[str]) -> str:
    return "(" + ", ".join(values) + ")"


def main() -> None:
    economy = Economy.make(
        tasks=["grading", "teaching", "admin"],
        agents=["Ana", "Ben"],
        endowment=[[2, 2, 2], [2, 2, 2]],
        performance=[[1, 3, 2], [2, 1, 2]],  # Ana grades better, Ben teaches better
        cost_domains=[CostDomain.box([1, 1, 1], [3, 3, 2]), CostDomain.box([1, 1, 1], [2, 4, 3])],
    )
    print("Proposition 1 applies to:", proposition1_pair(economy))
    result = check_bilateral_improvement(economy)
    print("An improving bilateral trade exists:", result.verdict)
    ev = result.evidence
    print(f"  {ev['agent_prime']} receives gamma = {show(ev['gamma'])} from {ev['agent_double_prime']}")
    cond = ev["lemma2"]["conditions"]
    print(
        f"  (i)   new bundles {show(cond['i']['bundle_prime'])} and {show(cond['i']['bundle_double_prime'])}"
    )
    print(f"  (ii)  change of the social cost (pi' - pi'') . gamma = {cond['ii']['cost_change']}")
    print(
        f"  (iii) lowest gamma . c over Ana's box = {cond['iii']['min']} at c = {show(cond['iii']['type'])}"
    )
    print(f"  (iv)  highest gamma . c over Ben's box = {cond['iv']['max']} at c = {show(cond['iv']['type'])}")

    print()
    print("A trade that raises the social cost instead:")
    bad = check_bilateral_trade(economy, "Ana", "Ben", [0, 1, -1])
    print(f"  gamma = (0, 1, -1): {bad.verdict}, failed conditions {bad.evidence['failed']}")

    print()
    same = Economy.make(
        tasks=["grading", "teaching", "admin"],
        agents=["Ana", "Ben"],
        endowment=[[2, 2, 2], [2, 2, 2]],
        performance=[[1, 1, 1], [1, 1, 1]],
        cost_domains=CostDomain.box([1, 1, 1], [3, 3, 3]),
    )
    none = check_bilateral_improvement(same)
    pair = none.evidence["pairs"][0]
    print("With identical performance:", none.verdict)
    print(f"  {len(pair['cases'])} cases ({pair['case_split']}), each refuted by Motzkin multipliers, e.g.")
    first = pair["cases"][0]
    print(
        f"  {first['case']}: y_low = {first['y_low']}, y_high = {first['y_high']}, "
        f"y_performance = {first['y_performance']}"
    )


if __name__ == "__main__":
    main()
