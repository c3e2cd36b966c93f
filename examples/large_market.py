"""Valenzuela-Stookey, section 4: the large-market OSP program solved exactly (issue 12's instance).

Two tasks, two agents: eta_1 = eta_2 = (2, 2), supplies (4, 4), pi_1 = (1, 3), pi_2 = (3, 1);
agent 1's types (1,1), (1,2), (3,1) with probability 1/3 each, agent 2's (2,1), (1,3) with 1/2.
Prints the outer program's value (eq. 5) against its dual (eq. 6), the mechanism it describes,
the dual at lambda = (3, 1), and the comparison with the status quo and with EOPR mechanisms in
the finite economy; then a three-task example.
"""

from fractions import Fraction

from verified.trading.large_market import LargeMarket, dual_value, solve_large_market
from verified.trading.large_market.finite import compare_with_status_quo
from verified.trading.model import Economy


def show(v) -> str:
    return "(" + ", ".join(str(Fraction(x)) for x in v) + ")"


def report(market: LargeMarket) -> None:
    solution = solve_large_market(market)
    print(f"  status: {solution.status}; status-quo cost {solution.status_quo_cost}")
    print(
        f"  outer program (5): {solution.primal_value}   dual (6) at lambda* = {show(solution.prices)}: "
        f"{solution.dual.value}"
    )
    for j, agent in enumerate(solution.mechanism):
        print(
            f"  agent {market.economy.agents[j]}: x = {show(solution.allocation[j])}, "
            f"S_j(lambda* - pi_j) = {solution.dual.supports[j].value}"
        )
        for mu, menu in agent:
            rays = ", ".join(show(d) for d in menu.displacements) or "none"
            print(
                f"    weight {mu}: {menu.kind} menu, selections eta + {rays}; "
                f"choices by type {list(menu.choices)}; E = {show(menu.expected)}"
            )
    return solution


print("Issue 12's instance (I = 2, J = 2)")
economy = Economy.make(2, 2, [[2, 2], [2, 2]], [[1, 3], [3, 1]])
market = LargeMarket.make(economy, [[(1, 1), (1, 2), (3, 1)], [(2, 1), (1, 3)]], [["1/3"] * 3, ["1/2"] * 2])
solution = report(market)
print(f"  dual (6) at lambda = (3, 1): {dual_value(market, (3, 1)).value}")
cmp = compare_with_status_quo(market, solution)
print(
    f"  finite economy (N = 1), expected cost: status quo {cmp.status_quo}, large-market mechanism "
    f"under EOPR {cmp.large_market_eopr}, best candidate EOPR {cmp.best_candidate_eopr} "
    f"(rays {[show(d) for m in cmp.best_menus for d in m.displacements]}), large-market bound {cmp.bound}"
)

print("A three-task example (I = 3, J = 2)")
economy3 = Economy.make(3, 2, [[2, 2, 1], [1, 2, 1]], [[1, 1, 3], [3, 1, 1]])
market3 = LargeMarket.make(economy3, [[(2, 2, 3), (2, 1, 3)], [(1, 2, 2), (2, 1, 2)]])
report(market3)
