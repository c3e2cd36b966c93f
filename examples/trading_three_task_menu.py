"""A three-task trading menu that is not polarized, and the type that shows it is not OSP.

Valenzuela-Stookey, Theorem 2: with strictly monotone preferences a menu of rays
from the endowment is obviously strategy-proof only if its rays are polarized.
Here one ray swaps cleaning for cooking and another swaps cooking for shopping:
both rays move the same task (cooking) in opposite directions, and a type that
finds cleaning the worst and shopping the least bad wants to use both.
"""

from __future__ import annotations

from fractions import Fraction

from verified.numbers import fraction_text
from verified.trading.model import CostDomain
from verified.trading.osp import check_menu_osp
from verified.trading.polarization import check_polarized
from verified.trading.sets import PointSet, Ray
from verified.trading.theorem2 import check_polarized_ray_menu

TASKS = ("cleaning", "cooking", "shopping")
ETA = (1, 1, 1)


def bundle(values: list[str]) -> str:
    return ", ".join(f"{fraction_text(Fraction(v))} {t}" for v, t in zip(values, TASKS, strict=True))


def main() -> None:
    menu = [
        PointSet([ETA]),  # choice 0: keep the status quo
        Ray(ETA, [-1, 1, 0]),  # choice 1: give away cleaning, take cooking one for one
        Ray(ETA, [0, -1, 1]),  # choice 2: give away cooking, take shopping one for one
    ]
    names = ["keep the status quo", "trade cleaning for cooking", "trade cooking for shopping"]
    print("Endowment:", bundle([str(x) for x in ETA]))
    for k, name in enumerate(names):
        print(f"Choice {k}: {name}")

    polar = check_polarized([menu[1], menu[2]])
    print()
    print("Polarized rays?", polar.verdict)
    ev = polar.evidence
    print(
        "  the type c = ("
        + ", ".join(ev["cost"])
        + f") >= 0 gains on both rays: c . kappa1 = {ev['cost_dot_first']},"
        + f" c . kappa2 = {ev['cost_dot_second']}"
    )

    # the direct (pure Python, Fourier-Motzkin) method: its output does not depend on the z3 version
    result = check_menu_osp(menu, CostDomain.positive_orthant(3), method="direct")
    print()
    print("Obviously strategy-proof for strictly monotone costs?", result.verdict)
    ev = result.evidence
    print(
        "  counterexample type c = ("
        + ", ".join(f"{c} per unit of {t}" for c, t in zip(ev["cost"], TASKS, strict=True))
        + ")"
    )
    for row in ev["choices"]:
        print(
            f"  choosing {row['choice']} ({names[row['choice']]}) can end at {bundle(row['worse_point'])}"
            f" costing {row['worse_cost']},"
        )
        print(
            f"    but choice {row['deviation']} can end at {bundle(row['better_point'])}"
            f" costing only {row['better_cost']}"
        )
    print("  so no choice is obviously dominant for this type.")

    structure = check_polarized_ray_menu(menu, ETA)
    print()
    print("Theorem 2 structure:", structure.verdict, "by", structure.evidence["claim"])

    fixed = [PointSet([ETA]), Ray(ETA, [-1, 1, 0]), Ray(ETA, [1, -1, 0])]
    print()
    print("Replacing choice 2 by 'trade cooking for cleaning' polarizes the menu:")
    print("  polarized:", check_polarized([fixed[1], fixed[2]]).verdict)
    print("  OSP:", check_menu_osp(fixed, CostDomain.positive_orthant(3), method="direct").verdict)


if __name__ == "__main__":
    main()
