"""Property names (as used by the CLI, certificates and `verified.testing`) -> check functions.

Each entry says which module and function implement the check and how to call
it on a subject; modules are imported lazily, so a property whose module is
not installed is reported as unavailable, never as a traceback. A check that
takes a time limit (``timeout_ms``, ``time_limit`` or ``timeout``) gets the
caller's.

Names follow `verified.vocabulary`: a property is named for the good thing and HOLDS when it
holds. `spec` and `run_check` also accept the vocabulary's spellings (``strategyproof`` for
``sp``, ...), and the results they return carry the registry name. ``improving-trade`` is the
old name whose claim is the negation of ``no-improving-trade``: it keeps its old reading (HOLDS
when an improving trade exists), is marked ``negates``, and is left out of `available` (``--all``).
"""

from __future__ import annotations

import copy
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike
from typing import Any

from verified.errors import InvalidInput
from verified.results import CheckResult, holds


@dataclass(frozen=True)
class PropertySpec:
    """A property the CLI can check: ``name`` (e.g. ``"sp"``), where its check lives, what it means."""

    name: str
    family: str
    module: str
    functions: tuple[str, ...]
    description: str
    requires: str | None = None
    negates: str | None = None  # an old name claiming the negation of this registry property
    subject: str | None = None  # "module:function" encoding a certificate's subject, when not the default
    needs: str | None = None  # a subject attribute that must be present (not None), e.g. "distributions"

    def resolve(self) -> Callable[..., CheckResult] | None:
        """The check function, or None when its module/function is not available."""
        try:
            module = importlib.import_module(self.module)
            if self.requires:
                importlib.import_module(self.requires)
        except ImportError:
            return None
        for name in self.functions:
            function = getattr(module, name, None)
            if callable(function):
                return function
        return None


def _check_valid(table: Any, domain: Any) -> CheckResult:
    """A `TabulatedMechanism` validates itself on construction (entries in [0, 1], rows sum
    to 1, columns within capacity): reaching here means the table is valid."""
    from verified.assignment.properties._common import table_digest

    return holds(
        "valid_table",
        {"kind": "table_valid", "profiles": len(domain), "table_digest": table_digest(table)},
    )


def _check_ex_post_efficient(table: Any, domain: Any, **counting: Any) -> CheckResult:
    """Ex post efficient at every profile (Erdil, section 2), one exact decomposition or Farkas
    certificate per profile, computed for the whole domain at once where it can be
    (`check_ex_post_efficient_per_profile`: the same evidence as one profile at a time)."""
    from verified.assignment.properties.efficiency import check_ex_post_efficient_per_profile

    return check_ex_post_efficient_per_profile(table, domain, **counting)


def _check_sd_efficient(table: Any, domain: Any, **counting: Any) -> CheckResult:
    """SD-efficient at every profile (Erdil, section 2; Bogomolnaia-Moulin 2001), one exact LP
    optimum or dominating assignment per profile (`check_sd_efficient_per_profile`)."""
    from verified.assignment.properties.efficiency import check_sd_efficient_per_profile

    return check_sd_efficient_per_profile(table, domain, **counting)


def _ms(timeout: float | None) -> dict[str, Any]:
    return {} if timeout is None else {"timeout_ms": max(1, int(timeout * 1000))}


def _per_agent(prop: str, subject: Any, check: Callable[[int], CheckResult]) -> CheckResult:
    """A per-agent trading check for every agent: the first failure (with the agent's name),
    else every agent's evidence."""
    items = []
    for j, name in enumerate(subject.economy.agents):
        found = check(j)
        if found.unknown:
            return found
        if found.fails:
            return CheckResult(prop, found.verdict, {**found.evidence, "agent": name})
        items.append({"agent": name, "evidence": found.evidence})
    return holds(prop, {"kind": "per_agent", "agents": items})


def _check_polarized(subject: Any, timeout: float | None = None) -> CheckResult:
    """Every agent's menu rays are polarized (Valenzuela-Stookey, definition; Lemma 5)."""
    from verified.trading.polarization import check_polarized
    from verified.trading.sets import Ray

    def one(j: int) -> CheckResult:
        return check_polarized([t for t in subject.menus[j] if isinstance(t, Ray)])

    return _per_agent("polarized", subject, one)


def _check_menu_osp(subject: Any, timeout: float | None = None) -> CheckResult:
    """Menu-level OSP for every agent (Valenzuela-Stookey, Theorem 2): every type in C_j has an
    obviously dominant choice whatever the selection inside the chosen set."""
    from verified.trading.osp import check_menu_osp

    def one(j: int) -> CheckResult:
        menu, domain = subject.menus[j], subject.economy.cost_domains[j]
        direct = check_menu_osp(menu, domain, method="direct")  # Motzkin certificates: re-checkable
        return direct if not direct.unknown else check_menu_osp(menu, domain, **_ms(timeout))

    return _per_agent("menu_osp", subject, one)


def _check_one_improving_set(subject: Any, timeout: float | None = None) -> CheckResult:
    """Claim 2's necessary condition for menu-level OSP for every agent (Valenzuela-Stookey,
    proof of Theorem 2): at every type in C_j at most one set of the menu offers a point
    strictly cheaper than eta_j (`verified.trading.claim2_certify`: one LP dual per pair)."""
    from verified.trading.claim2_certify import check_one_improving_set

    def one(j: int) -> CheckResult:
        eta, domain = subject.economy.endowment[j], subject.economy.cost_domains[j]
        return check_one_improving_set(subject.menus[j], eta, domain, time_limit=timeout)

    return _per_agent("one_improving_set", subject, one)


def _check_osp(subject: Any, timeout: float | None = None) -> CheckResult:
    """Mechanism-level OSP (Valenzuela-Stookey, section 1.1, Definition of OSP): every agent's
    strategy picks an obviously dominant action at every type, against the file's selection
    table. Exact Fourier-Motzkin with Motzkin certificates (re-checkable without z3); z3 only
    when the direct method hits its row limit."""
    from verified.trading.mechanism_osp import check_mechanism_osp

    direct = check_mechanism_osp(subject.mechanism, method="direct")
    return direct if not direct.unknown else check_mechanism_osp(subject.mechanism, **_ms(timeout))


def _check_no_improving_trade(subject: Any, timeout: float | None = None) -> CheckResult:
    """No bilateral trade improves on the status quo (Valenzuela-Stookey, Lemma 2): HOLDS with
    exact Motzkin certificates, FAILS with the improving trade."""
    from verified.trading.bilateral import check_no_improving_trade

    return check_no_improving_trade(subject.status_quo_economy, time_limit=timeout)


def _check_improving_trade(subject: Any, timeout: float | None = None) -> CheckResult:
    """The old reading: some bilateral trade improves on the status quo (HOLDS with the trade,
    FAILS with the Motzkin certificates); the negation of ``no-improving-trade``."""
    from verified.trading.bilateral import check_bilateral_improvement

    return check_bilateral_improvement(subject.status_quo_economy, time_limit=timeout)


def _check_eopr_robust(subject: Any, timeout: float | None = None) -> CheckResult:
    """EOPR never costs more than the status quo, at every profile of menu choices
    (Valenzuela-Stookey, section 3.1)."""
    from verified.trading.eopr import check_eopr_robust

    return check_eopr_robust(subject.economy, subject.menus, subject.status_quo, time_limit=timeout)


def orbit_table(subject: Any) -> Any:
    """The subject's mechanism on orbits (computed once): random priority through its type DP,
    any other table after certifying it anonymous (`OrbitTable.from_tabulated`)."""
    cached = subject.__dict__.get("_orbits")
    if cached is None:
        from verified.assignment.anonymous import OrbitTable, rp_orbit_table

        domain = subject.domain
        if not domain.same_rankings:
            raise InvalidInput("orbits need a symmetric domain (the same rankings for every agent)", "domain")
        if subject.description.get("builtin") == "random_priority" and len(subject.description) == 1:
            cached = rp_orbit_table(subject.problem, domain.preferences[0])
        else:
            cached = OrbitTable.from_tabulated(subject.table)
        object.__setattr__(subject, "_orbits", cached)
    return cached


def _check_sp_anonymous(subject: Any, timeout: float | None = None) -> CheckResult:
    """SD-strategy-proofness of an anonymous mechanism, on its orbits (Erdil, section 2)."""
    from verified.assignment.anonymous import check_strategyproof_anonymous

    return check_strategyproof_anonymous(orbit_table(subject))


def _check_ex_post_stable(subject: Any, timeout: float | None = None, **counting: Any) -> CheckResult:
    """Ex post stable for the file's priorities at every profile (Erdil, section 3), one exact
    decomposition over stable matchings or Farkas certificate per profile."""
    from verified.assignment.properties.stability import check_ex_post_stable_per_profile

    priorities = required_priorities(subject)
    return check_ex_post_stable_per_profile(subject.table, subject.domain, priorities, **counting)


def required_priorities(subject: Any) -> Any:
    """The file's priorities, which ex post stability reads; `InvalidInput` when it has none
    (before any work: the check, its certificate's subject and the hunt all ask here)."""
    if subject.priorities is None:
        raise InvalidInput(
            "ex post stability needs priorities: add a [priorities] table to the file", "priorities"
        )
    return subject.priorities


def subject_for(name: str, subject: Any) -> dict[str, Any]:
    """The canonical subject a certificate of property ``name`` is about: its entry's own encoder
    (`PropertySpec.subject`, e.g. the orbit table for ``sp-anonymous``), else the tabulated
    mechanism or the economy."""
    from verified.io import subject_encoding

    entry = spec(name)
    if entry.subject is not None:
        module, function = entry.subject.split(":")
        return getattr(importlib.import_module(module), function)(subject)
    return subject_encoding(subject)


def _orbit_subject(subject: Any) -> dict[str, Any]:
    """``sp-anonymous``: the orbit table, not the file's table."""
    from verified.io.canonical import orbit_subject

    return orbit_subject(orbit_table(subject))


def _priorities_subject(subject: Any) -> dict[str, Any]:
    """``ex-post-stable``: the table with the file's priorities."""
    from verified.io import subject_encoding

    priorities = required_priorities(subject)
    return {**subject_encoding(subject), "priorities": priorities.to_json()}


def _mechanism_subject(subject: Any) -> dict[str, Any]:
    """``osp``: the economy with the selection table and the strategies."""
    from verified.io.trading import trading_subject

    return trading_subject(subject, mechanism=True)


_PROPS = "verified.assignment.properties"
PROPERTIES: tuple[PropertySpec, ...] = (
    PropertySpec(
        "valid", "assignment", __name__, ("_check_valid",), "a valid stochastic assignment everywhere"
    ),
    PropertySpec(
        "ir",
        "assignment",
        f"{_PROPS}.individual_rationality",
        ("check_individually_rational",),
        "individually rational",
    ),
    PropertySpec(
        "nonwasteful",
        "assignment",
        f"{_PROPS}.wastefulness",
        ("check_nonwasteful",),
        "non-wasteful at every profile",
    ),
    PropertySpec(
        "sp", "assignment", f"{_PROPS}.strategyproofness", ("check_strategyproof",), "SD-strategy-proof"
    ),
    PropertySpec(
        "ete", "assignment", f"{_PROPS}.equal_treatment", ("check_equal_treatment",), "treats equals equally"
    ),
    PropertySpec(
        "anonymous",
        "assignment",
        f"{_PROPS}.equal_treatment",
        ("check_anonymous", "check_anonymity"),
        "anonymous",
    ),
    PropertySpec(
        "ex-post-efficient",
        "assignment",
        __name__,
        ("_check_ex_post_efficient",),
        "a lottery over Pareto-efficient deterministic assignments at every profile",
        "verified.assignment.properties.efficiency",
    ),
    PropertySpec(
        "sd-efficient",
        "assignment",
        __name__,
        ("_check_sd_efficient",),
        "ordinally (SD-) efficient at every profile",
        "verified.assignment.properties.efficiency",
    ),
)
_TRADING = "verified.trading"
PROPERTIES += (
    PropertySpec(
        "polarized", "trading", __name__, ("_check_polarized",), "every menu's rays are polarized", _TRADING
    ),
    PropertySpec(
        "menu-osp", "trading", __name__, ("_check_menu_osp",), "menu-level OSP (Theorem 2)", _TRADING
    ),
    PropertySpec(
        "osp",
        "trading",
        __name__,
        ("_check_osp",),
        "mechanism-level OSP: the strategies are obviously dominant against the selection table",
        _TRADING,
        subject="verified.registry:_mechanism_subject",
    ),
    PropertySpec(
        "no-improving-trade",
        "trading",
        __name__,
        ("_check_no_improving_trade",),
        "no bilateral trade improves on the status quo (Lemma 2)",
        _TRADING,
    ),
    PropertySpec(
        "improving-trade",
        "trading",
        __name__,
        ("_check_improving_trade",),
        "old name: an improving bilateral trade exists (the negation of no-improving-trade)",
        _TRADING,
        negates="no-improving-trade",
    ),
    PropertySpec(
        "eopr-robust",
        "trading",
        __name__,
        ("_check_eopr_robust",),
        "EOPR never costs more than the status quo (section 3.1)",
        _TRADING,
    ),
    PropertySpec(
        "large-market-improves",
        "trading",
        "verified.trading.large_market.certify",
        ("check_large_market_improves",),
        "the large-market program (section 4, eq. 5) beats the status quo (its optimum certified by the dual "
        "where the bracket closes)",
        _TRADING,
        subject="verified.trading.large_market.certify:subject_of",
        needs="distributions",
    ),
    PropertySpec(
        "choice-improves-bic",
        "trading",
        "verified.trading.theorem1_certify",
        ("check_choice_improves_bic",),
        "some non-constant mechanism satisfying (IC), (SQ) and (MC) costs less than the status quo "
        "(Theorem 1 (iii), program (1) at the file's beta)",
        _TRADING,
        subject="verified.trading.theorem1_certify:subject_of",
        needs="distributions",
    ),
    PropertySpec(
        "choice-optimal-bic",
        "trading",
        "verified.trading.theorem1_certify",
        ("check_choice_optimal_bic",),
        "every optimum of program (1) over BIC mechanisms is non-constant: the best constant mechanism "
        "costs strictly more (Theorem 1 (iv))",
        _TRADING,
        subject="verified.trading.theorem1_certify:subject_of",
        needs="distributions",
    ),
    PropertySpec(
        "one-improving-set",
        "trading",
        __name__,
        ("_check_one_improving_set",),
        "at every type in C_j at most one set of the menu offers a point strictly cheaper than eta_j "
        "(Claim 2 of Theorem 2's proof: necessary for menu-level OSP)",
        _TRADING,
    ),
    PropertySpec(
        "status-quo-unique",
        "trading",
        "verified.trading.lemma1",
        ("check_file_status_quo_unique",),
        "the status quo is the only non-choice mechanism satisfying (SQ) and (MC) (Lemma 1, Corollary 1)",
        _TRADING,
        subject="verified.trading.lemma1:file_subject",
    ),
)
PROPERTIES += (
    PropertySpec(
        "ex-post-stable",
        "assignment",
        __name__,
        ("_check_ex_post_stable",),
        "a lottery over stable matchings (for the file's priorities) at every profile",
        "verified.assignment.properties.stability",
        subject="verified.registry:_priorities_subject",
    ),
    PropertySpec(
        "sp-anonymous",
        "assignment",
        __name__,
        ("_check_sp_anonymous",),
        "SD-strategy-proof, checked on the orbits of an anonymous mechanism",
        "verified.assignment.anonymous",
        subject="verified.registry:_orbit_subject",
    ),
)
BY_NAME = {spec.name: spec for spec in PROPERTIES}


def available(family: str = "assignment") -> list[str]:
    """Names of the properties of ``family`` whose check is installed, in registry order (an
    old name claiming a negation, ``negates``, is left out: ``--all`` checks each claim once)."""
    return [
        s.name for s in PROPERTIES if s.family == family and s.negates is None and s.resolve() is not None
    ]


def spec(name: str) -> PropertySpec:
    """The registry entry of ``name`` or of one of its spellings (`verified.vocabulary.canonical`);
    an unknown name is `InvalidInput` listing the known ones."""
    from verified.vocabulary import canonical

    if not isinstance(name, str) or canonical(name) not in BY_NAME:
        raise InvalidInput(f"unknown property {name!r}; known: {', '.join(BY_NAME)}", "--property")
    return BY_NAME[canonical(name)]


def canonical_names(names: Any) -> list[str]:
    """``names`` (a list, or ``"sp,ir"``) as registry names, each checked (`spec`), in order,
    without repeats."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",")]
    return list(dict.fromkeys(spec(n).name for n in names if n))


def _time_arguments(function: Callable[..., Any], timeout: float | None) -> dict[str, Any]:
    if timeout is None:
        return {}
    try:
        params = inspect.signature(function).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return {}
    if "timeout_ms" in params:
        return {"timeout_ms": max(1, int(timeout * 1000))}
    for key in ("time_limit", "timeout"):
        if key in params:
            return {key: timeout}
    return {}


def run_check(
    name: str, subject: Any, *, timeout: float | None = None, max_memory: int | str | None = None
) -> CheckResult:
    """Check property ``name`` on a subject: an `~verified.io.AssignmentSubject` (on its table)
    or a `~verified.io.TradingSubject`.

    With a limit (``timeout`` seconds, ``max_memory`` bytes or ``"4G"``), the check (tabulating
    included) runs in a child process that is killed at the limit: past it the result is UNKNOWN
    with the reason, and nothing keeps computing. The child is forked (Linux), so it inherits the
    subject; where only ``spawn`` exists, the child re-loads the subject from its source file, and a
    subject with no source file (built in memory) is checked in this process, where only the z3
    checks honour ``timeout``. ``max_memory`` defaults (when a child is used) to half the machine's
    memory. Without a limit the check runs here.

    ``subject`` must be a loaded subject: anything else (a path, None) is a `TypeError` saying
    how to load one (`verified.io.load_subject`), raised before any work.
    """
    from verified.run.child import in_child

    name = spec(name).name
    _require_subject(subject)
    if (timeout is None and max_memory is None) or in_child():
        return check_here(name, subject, timeout=timeout)
    from verified.run.api import run_limited_check

    return run_limited_check(name, subject, timeout=timeout, max_memory=max_memory)


def _require_subject(subject: Any) -> None:
    """`run_check`'s argument rule: an `AssignmentSubject` or a `TradingSubject`, else `TypeError`."""
    from verified.io import AssignmentSubject, TradingSubject

    if not isinstance(subject, (AssignmentSubject, TradingSubject)):
        hint = " (a path: load it first)" if isinstance(subject, (str, PathLike)) else ""
        raise TypeError(
            f"run_check takes a loaded subject, verified.io.load_subject(path), not "
            f"{type(subject).__name__}{hint}; verified.testing.check_properties(path, ...) takes a file"
        )


def applicable(name: str, subject: Any) -> PropertySpec:
    """The registry entry of ``name``, refused (`InvalidInput`) when unknown or about the other
    family of mechanisms than ``subject``'s."""
    entry = spec(name)
    family = "trading" if hasattr(subject, "economy") else "assignment"
    if entry.family != family:
        raise InvalidInput(
            f"property {name!r} is about {entry.family} mechanisms, not {family}", "--property"
        )
    return entry


def check_here(
    name: str, subject: Any, *, timeout: float | None = None, count: int | None = None
) -> CheckResult:
    """`run_check` in this process: ``timeout`` reaches only the checks that take one (z3). The
    result carries the registry name (``sp``, not the Python check's ``strategyproof``).
    ``count`` (a limit): count every violation of a property that can, listing the first
    ``count`` (`verified.assignment.properties.violations_count`; the report is in the
    result's ``stats["violations"]``); a property that cannot count is checked as usual."""
    entry = applicable(name, subject)
    result = _check_entry(entry, subject, timeout, count)
    if result.property == entry.name:
        return result
    renamed = copy.copy(result)  # not `replace`: re-walking large evidence costs more than the check
    object.__setattr__(renamed, "property", entry.name)
    return renamed


def _check_entry(
    entry: PropertySpec, subject: Any, timeout: float | None, count: int | None = None
) -> CheckResult:
    name, family = entry.name, entry.family
    function = entry.resolve()
    if function is None:
        raise InvalidInput(f"property {name!r} is not available in this installation", "--property")
    counting: dict[str, Any] = {}
    if count is not None and family == "assignment":
        from verified.assignment.properties.violations_count import counting_arguments

        counting = counting_arguments(name, count)
    if family == "trading" or name in ("sp-anonymous", "ex-post-stable"):
        return function(subject, timeout=timeout, **counting)
    if name in COMPACT_PROPERTIES:
        table = subject.table_for_widening_checks()
        return function(table, subject.domain, **_time_arguments(function, timeout), **counting)
    return function(subject.table, subject.domain, **_time_arguments(function, timeout), **counting)


# Whole-domain checks that read a `verified.assignment.compact.CompactTable` (they widen before
# adding), so they run on domains whose int64 table would be past the cell limit.
COMPACT_PROPERTIES = ("sp", "ir")


def beyond_table_limit(subject: Any) -> bool:
    """True when ``subject``'s mechanism is not a table and a table over its domain has more
    cells than `verified.assignment.domain.max_table_cells` allows."""
    from verified.assignment.domain import max_table_cells
    from verified.assignment.mechanism import TabulatedMechanism

    if isinstance(subject.mechanism, TabulatedMechanism):
        return False
    return subject.domain.table_cells > max_table_cells()
