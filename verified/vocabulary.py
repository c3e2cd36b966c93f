"""One vocabulary of property names: the names the CLI, certificates and `verified explain` use,
and every other spelling of them (the Python checks' result names, old names), in one table.

The rule: a property is named for the good thing (``nonwasteful``, ``sp``, ``ir``, ``ete``,
``no-improving-trade``, ...) and HOLDS means the good thing holds; FAILS comes with a
counterexample, HOLDS with a certificate that no counterexample exists.

Two kinds of alias:

* a *spelling* (``negated=False``): the same claim under another name, e.g. ``strategyproof``
  (the `CheckResult.property` of `verified.assignment.properties.check_strategyproof`) for
  ``sp``. `canonical` maps it to the registry name; the command line and `verified.registry`
  accept it and report under the registry name.
* an *old reading* (``negated=True``): a name whose claim is the NEGATION of a property's, kept
  so that old scripts and old certificates mean what they meant. ``improving-trade`` HOLDS
  when an improving bilateral trade exists, so ``improving-trade`` HOLDS exactly when
  ``no-improving-trade`` FAILS. It stays a property of its own (reported under its own name, its
  certificates re-checked with its own reading, left out of ``--all``); `reading` says what one
  of its verdicts means under the current name. It is never silently resolved to the new name:
  that would flip the exit code of an old CI gate.

Imports nothing from the rest of `verified`, so the independent checker's callers, the command
line and `verified.explain` can all read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Alias:
    """``name`` is another name of property ``canonical`` (``negated``: of its negation); ``where``
    says where the name is used, ``note`` what it is."""

    name: str
    canonical: str
    negated: bool
    where: str
    note: str


ALIASES: tuple[Alias, ...] = (
    Alias("valid_table", "valid", False, "Python result", "the registry's table check"),
    Alias(
        "individually_rational",
        "ir",
        False,
        "Python result",
        "check_individually_rational, check_individually_rational_assignment",
    ),
    Alias(
        "strategyproof",
        "sp",
        False,
        "Python result",
        "check_strategyproof(_at), check_strategyproof_anonymous",
    ),
    Alias("equal_treatment", "ete", False, "Python result", "check_equal_treatment(_assignment)"),
    Alias(
        "ex_post_efficient",
        "ex-post-efficient",
        False,
        "Python result",
        "check_ex_post_efficient(_assignment)",
    ),
    Alias("sd_efficient", "sd-efficient", False, "Python result", "check_sd_efficient(_assignment)"),
    Alias("ex_post_stable", "ex-post-stable", False, "Python result", "check_ex_post_stable(_assignment)"),
    Alias("polarized_rays", "polarized", False, "Python result", "check_polarized (one menu's rays)"),
    Alias("menu_osp", "menu-osp", False, "Python result", "check_menu_osp (one agent's menu)"),
    Alias("mechanism_osp", "osp", False, "Python result", "check_mechanism_osp"),
    Alias("eopr_robust", "eopr-robust", False, "Python result", "check_eopr_robust"),
    Alias(
        "one_improving_set",
        "one-improving-set",
        False,
        "Python result",
        "check_one_improving_set (one agent's menu; Claim 2)",
    ),
    Alias("no_improving_trade", "no-improving-trade", False, "Python result", "check_no_improving_trade"),
    Alias(
        "improving-trade",
        "no-improving-trade",
        True,
        "old CLI and certificate name",
        "HOLDS when an improving bilateral trade exists; certificates under this name still re-check",
    ),
    Alias(
        "bilateral_improvement",
        "no-improving-trade",
        True,
        "Python result",
        "check_bilateral_improvement: HOLDS when an improving bilateral trade exists",
    ),
)

#: Python functions kept under an older name: old name -> the name it is now documented under.
FUNCTION_ALIASES: dict[str, str] = {
    "verified.assignment.properties.check_wastefulness": (
        "verified.assignment.properties.check_nonwasteful_assignment"
    ),
}

_BY_NAME = {alias.name: alias for alias in ALIASES}
_FLIP = {"holds": "fails", "fails": "holds", "unknown": "unknown"}


def alias(name: str) -> Alias | None:
    """The alias entry of ``name``, or None when ``name`` is not an alias (a registry name or
    a name this table does not know)."""
    return _BY_NAME.get(name)


def canonical(name: str) -> str:
    """The registry name of a spelling alias; any other name (a registry name, an old reading
    such as ``improving-trade``, or an unknown name) is returned unchanged."""
    found = _BY_NAME.get(name)
    return found.canonical if found is not None and not found.negated else name


def negation_of(name: str) -> str | None:
    """The property whose negation ``name`` claims (``improving-trade`` -> ``no-improving-trade``),
    else None."""
    found = _BY_NAME.get(name)
    return found.canonical if found is not None and found.negated else None


def reading(name: str, verdict: str) -> tuple[str, str]:
    """What verdict ``verdict`` of property ``name`` says under the current vocabulary: the
    registry name and the verdict it has there (flipped for an old reading; ``unknown`` stays)."""
    negated = negation_of(name)
    if negated is not None:
        return negated, _FLIP.get(verdict, verdict)
    return canonical(name), verdict


def aliases_of(name: str) -> list[str]:
    """Every alias of registry property ``name`` (spellings first, then old readings), in table order."""
    same = [a.name for a in ALIASES if a.canonical == name and not a.negated]
    return same + [a.name for a in ALIASES if a.canonical == name and a.negated]
