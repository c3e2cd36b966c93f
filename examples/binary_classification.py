"""Two-price binary-classification mechanisms (Baron et al. 2025; Valenzuela-Stookey, section 2.1).

Each agent may buy task A at p1 units of B each, or sell A for p2 units of B
each, or stay put. The paper says the menu is a polarized-ray menu (hence OSP,
Theorem 2) iff p1 <= p2. The library checks polarization exactly (a witness
combination, or a type that likes both rays) and checks obvious
strategy-proofness of the menu over strictly positive cost types.

    python examples/binary_classification.py
"""

from __future__ import annotations

from verified.trading.constructors import two_price_binary_classification
from verified.trading.eopr import eopr_allocation
from verified.trading.model import CostDomain, Economy
from verified.trading.osp import check_menu_osp


def show(values: list[object]) -> str:
    return "(" + ", ".join(str(v) for v in values) + ")"


def main() -> None:
    economy = Economy.make(
        tasks=["A", "B"],
        agents=["x", "y"],
        endowment=[[2, 2], [2, 2]],
        performance=[[1, 2], [2, 1]],
        cost_domains=CostDomain.positive_orthant(2),
    )
    for p1, p2 in [(1, 2), (2, 1)]:
        mechanism = two_price_binary_classification(economy, [p1, p2])
        menu = mechanism.menus[0]
        print(
            f"p1 = {p1}, p2 = {p2}: rays along {show(menu[1].describe()['direction'])} "
            f"and {show(menu[2].describe()['direction'])}"
        )
        polarized = mechanism.checks["polarized"][0]
        print("  polarized:", polarized.verdict)
        if polarized.holds:
            pair = polarized.evidence["pairs"][0]
            print(
                f"    witness: {pair['y_first']} * first + {pair['y_second']} * second = "
                f"{show(pair['combination'])} >= 0"
            )
        else:
            ev = polarized.evidence
            print(
                f"    the type c = {show(ev['cost'])} gains on both rays: "
                f"c . first = {ev['cost_dot_first']}, c . second = {ev['cost_dot_second']}"
            )
        # The direct (Fourier-Motzkin) method: its counterexample type is a deterministic function
        # of the menu, whereas z3's model (method "smt") is arbitrary and changes between versions.
        osp = check_menu_osp(menu, economy.cost_domains[0], method="direct")
        print("  obviously strategy-proof (menu level):", osp.verdict)
        if osp.fails:
            ev = osp.evidence
            print(f"    type c = {show(ev['cost'])} has no obviously dominant choice:")
            for row in ev["choices"]:
                print(
                    f"      choosing {row['choice']} may end at {show(row['worse_point'])} "
                    f"(cost {row['worse_cost']}), choosing {row['deviation']} may end at "
                    f"{show(row['better_point'])} (cost {row['better_cost']})"
                )
    print()
    mechanism = two_price_binary_classification(economy, [[1, 2], [1, 2]])
    chosen = [mechanism.menus[0][1], mechanism.menus[1][2]]  # x buys A at 1, y sells A for 2
    outcome = eopr_allocation(economy, chosen)
    print(
        "x buys A at price 1, y sells A at price 2; EOPR allocation:",
        " ".join(show(b) for b in outcome.evidence["allocation"]),
        "(no common trade clears)",
    )


if __name__ == "__main__":
    main()
