"""A built-in mechanism evaluated at one profile (a PrefLib file's), and the per-profile
properties checked there: ``verified check FILE.soc --mechanism rp``.

The pieces are `verified hunt`'s (`verified.hunt`), which already decides properties at single
profiles and certifies what it finds on a small table:

* ``ir``, ``nonwasteful``, ``ete``, ``ex-post-efficient``, ``sd-efficient`` speak about the one
  lottery at the profile. The mechanism is tabulated on the restricted domain holding only that
  profile (each agent has her one ranking) and the registry's whole-domain check runs on that
  one-row table, exactly as `verified check` on a file with that domain: the verdict, its
  evidence and its certificate (subject: the table, hashed) are that check's, for HOLDS and
  FAILS alike, and `verified recheck` re-derives them.
* ``sp`` at the profile: no agent gains (first-order stochastic dominance under her true
  ranking, Erdil section 2) by any misreport, i.e. every strict ranking of every subset of the
  objects. That is ``n x (K - 1)`` evaluations, K = sum_k m!/(m-k)! rankings (16 for m = 3, 65
  for m = 4, 1,957 for m = 6); past ``misreport_budget`` (`MISREPORT_BUDGET`) the answer is
  UNKNOWN with the count. Each lie is compared exactly (`verified.hunt.misreports`). A
  manipulation is certified as the hunt certifies one (`verified.hunt.certify`): the table over
  the two profiles it needs (the truth and the lie), an ordinary ``sp`` FAILS certificate. No
  existing certificate kind says "sp at exactly this profile": an ``sp`` HOLDS certificate is
  about a whole (product) domain. So a HOLDS verdict is certified, agent by agent, by the
  stronger claim on the domain where agent i may hold *any* ranking and the others keep theirs
  (the K profiles of her unilateral deviations): every pair (true ranking, misreport) there is
  compared, which includes the truth at this profile against every lie. When that stronger
  claim fails for some agent (a mechanism that is manipulable at a neighbouring profile), the
  HOLDS verdict at this profile stands on the exact comparison and no certificate is written;
  the report says so.

Deferred acceptance and its random version need priorities, which a PrefLib file does not hold:
they are refused, pointing to a mechanism file. The work runs in a child process under the same
limits as `verified check` (``--timeout``, ``--max-memory``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from verified.assignment.model import Problem, Profile
from verified.errors import InvalidInput, OutOfReach

#: Short names accepted by ``--mechanism`` -> the built-in (`verified.io.builtins.BUILTIN_NAMES`).
MECHANISMS = {
    "rp": "random_priority",
    "ps": "probabilistic_serial",
    "boston": "boston",
    "random-boston": "random_boston",
    "ttc": "top_trading_cycles",
    "sd": "serial_dictatorship",
    "ra": "random_assignment",
}
#: Built-ins that need priorities over agents, which a profile alone does not give.
NEEDS_PRIORITIES = ("deferred_acceptance", "random_deferred_acceptance")
_ALIASES = {"da": "deferred_acceptance", "rda": "random_deferred_acceptance"}
#: The properties that speak about one profile, in the order they are checked by default.
PROPERTIES = ("sp", "ir", "nonwasteful", "ete", "ex-post-efficient", "sd-efficient")
#: What each property says at one profile, as printed.
WORDS = {
    "sp": "no agent gains by any misreport at this profile",
    "ir": "individually rational",
    "nonwasteful": "non-wasteful",
    "ete": "treats equals equally",
    "ex-post-efficient": "a lottery over Pareto-efficient deterministic assignments",
    "sd-efficient": "ordinally (SD-) efficient",
}
#: Most mechanism evaluations spent on ``sp`` at a profile (n agents x (K - 1) misreports).
MISREPORT_BUDGET = 20_000


def builtin_name(text: str) -> str:
    """The built-in named by ``text`` (a short name such as ``rp`` or a built-in's name, with
    ``-`` or ``_``); `InvalidInput` for an unknown one or one that needs priorities."""
    from verified.io.builtins import BUILTIN_NAMES

    key = str(text).strip().lower()
    name = MECHANISMS.get(key) or _ALIASES.get(key) or key.replace("-", "_")
    if name in NEEDS_PRIORITIES:
        raise InvalidInput(
            f"{name} needs priorities (each object's ranking of the agents), which a PrefLib file "
            "does not hold: write a mechanism file with a [priorities] table (docs/formats.md)",
            "--mechanism",
        )
    if name not in BUILTIN_NAMES:
        known = ", ".join(f"{k} ({v})" for k, v in MECHANISMS.items())
        raise InvalidInput(f"unknown mechanism {str(text)[:40]!r}; known: {known}", "--mechanism")
    return name


def property_names(requested: Sequence[str] | None) -> list[str]:
    """The requested properties as registry names (default: `PROPERTIES`); a property that is
    not about one profile is `InvalidInput`."""
    from verified.registry import spec

    if requested is None:
        return list(PROPERTIES)
    out: list[str] = []
    for text in requested:
        name = spec(text).name
        if name not in PROPERTIES:
            raise InvalidInput(
                f"{name!r} is not a property of one profile; at a PrefLib profile: {', '.join(PROPERTIES)}",
                "--property",
            )
        if name not in out:
            out.append(name)
    return out


@dataclass(frozen=True)
class Certified:
    """A certificate document and the file stem suffix it is written under (``""``, or
    ``".agent-2"`` for one agent's ``sp`` certificate)."""

    suffix: str
    document: dict[str, Any]


@dataclass(frozen=True)
class AtProfile:
    """One property at the profile: the result, the lines that explain it, its certificates."""

    name: str
    result: Any  # verified.results.CheckResult
    lines: tuple[str, ...] = ()
    certificates: tuple[Certified, ...] = ()


@dataclass
class _Run:
    problem: Problem
    profile: Profile
    builtin: str
    source: str
    certify: bool
    mechanism: Any = None
    evaluator: Any = None

    def __post_init__(self) -> None:
        from verified.hunt.detect import Evaluator
        from verified.io.builtins import builtin_mechanism

        self.mechanism = builtin_mechanism(self.problem, {"builtin": self.builtin})
        self.evaluator = Evaluator(self.mechanism, capacity=8)

    def subject(self, per_agent: list[list[tuple[str, ...]]], lotteries: Callable[[Profile], Any]) -> Any:
        """The `AssignmentSubject` of the mechanism's table over the product domain ``per_agent``
        (``lotteries`` gives the mechanism's lottery at each of its profiles)."""
        from verified.assignment.domain import Domain
        from verified.assignment.mechanism import TabulatedMechanism
        from verified.io.reader import AssignmentSubject

        domain = Domain.restricted(self.problem, per_agent)
        table = TabulatedMechanism.from_assignments(
            domain, (lotteries(p) for p in domain), name=self.mechanism.name
        )
        return AssignmentSubject(self.problem, domain, table, self.source, {"builtin": self.builtin})


def _explained(doc: dict[str, Any], agents: Sequence[str]) -> tuple[str, ...]:
    from verified.explain import explain

    if doc["verdict"] == "holds":
        return ()
    body = explain(doc, list(agents)).splitlines()[1:]
    return tuple(body[:-2] if "subject" in doc else body)


def _out_of_reach(run: _Run, name: str) -> AtProfile:
    """UNKNOWN: the mechanism's exact lottery at a profile it needs is out of reach."""
    from verified.results import unknown

    reason = (run.evaluator.first_skip or "no reason given").split(" (profile [")[0]  # not the profile
    why = f"the exact lottery is out of reach: {reason}"
    return AtProfile(name, unknown(name, why), (f"No verdict: {why}.",))


def _one_lottery(run: _Run, name: str) -> AtProfile:
    """A property of the one lottery: the registry's check on the one-profile table."""
    from verified.certificates import build_certificate
    from verified.registry import check_here, subject_for

    gamma = run.evaluator(run.profile)
    if gamma is None:
        return _out_of_reach(run, name)
    subject = run.subject([[r] for r in run.profile], lambda _: gamma)
    result = check_here(name, subject)
    doc = build_certificate(name, result, subject_for(name, subject))
    lines = _explained(doc, run.problem.agents)
    return AtProfile(name, result, lines, (Certified("", doc),) if run.certify else ())


def _sp(run: _Run, budget: int) -> AtProfile:
    """SD-strategy-proofness at the profile (see the module docstring)."""
    from verified.assignment.domain import all_preferences, count_rankings
    from verified.hunt.certify import certify
    from verified.hunt.detect import Violation
    from verified.hunt.misreports import manipulation_gap, with_report
    from verified.io.hunt import HuntSubject
    from verified.results import holds, unknown

    problem, profile = run.problem, run.profile
    k = count_rankings(problem.m, budget + 1)
    needed = problem.n * (k - 1)
    if needed > budget:
        why = (
            f"sp at this profile compares every misreport of every agent: {problem.n:,} agents x "
            f"{k - 1:,} misreports = {needed:,} evaluations of the mechanism, more than the budget of "
            f"{budget:,} (misreport_budget)"
        )
        return AtProfile("sp", unknown("sp", why), (f"No verdict: {why}.",))
    truthful = run.evaluator(profile)
    if truthful is None:
        return _out_of_reach(run, "sp")
    rankings = all_preferences(problem.objects)
    held: dict[int, dict[tuple[str, ...], Any]] = {}
    for i in range(problem.n):
        rows = {profile[i]: truthful}
        for lie in rankings:
            if lie == profile[i]:
                continue
            gamma = run.evaluator(with_report(profile, i, lie))
            if gamma is None:
                return _out_of_reach(run, "sp")
            rows[lie] = gamma
            if manipulation_gap(problem, truthful.matrix[i], gamma.matrix[i], profile[i]) > 0:
                hunt = HuntSubject(problem, run.mechanism, None, None, run.source, {"builtin": run.builtin})
                found = certify(hunt, Violation("sp", profile, i, lie))
                if found is None:  # the exact table check must agree with the exact comparison
                    raise RuntimeError(f"sp: the manipulation by agent {problem.agents[i]} was not confirmed")
                result, doc = found
                certificates = (Certified("", doc),) if run.certify else ()
                return AtProfile("sp", result, _explained(doc, problem.agents), certificates)
        if run.certify:
            held[i] = rows
    evidence = {
        "kind": "at_profile_exhaustive",
        "profile": [list(r) for r in profile],
        "agents": problem.n,
        "misreports_per_agent": k - 1,
        "evaluations": needed,
    }
    result = holds("sp", evidence)
    if not run.certify:
        return AtProfile("sp", result)
    return _certify_sp_holds(run, result, held, rankings)


def _certify_sp_holds(
    run: _Run, result: Any, held: dict[int, dict[tuple[str, ...], Any]], rankings: Any
) -> AtProfile:
    """One ``sp`` certificate per agent, on her unilateral-deviation domain, when every one holds."""
    from verified.certificates import build_certificate
    from verified.registry import check_here, subject_for

    certificates = []
    for i, rows in held.items():
        per_agent = [[r] for r in run.profile]
        per_agent[i] = list(rankings)
        subject = run.subject(per_agent, lambda p, i=i, rows=rows: rows[p[i]])
        stronger = check_here("sp", subject)
        if not stronger.holds:
            doc = build_certificate("sp", stronger, subject_for("sp", subject))
            where = " ".join(_explained(doc, run.problem.agents))
            note = (
                f"No certificate: sp holds at this profile (every lie compared exactly), but the sp "
                f"certificate kind covers a whole domain, and on agent {run.problem.agents[i]}'s "
                f"unilateral deviations it fails elsewhere: {where}"
            )
            return AtProfile("sp", result, (note,))
        agent = run.problem.agents[i]
        certificates.append(
            Certified(f".agent-{agent}", build_certificate("sp", stronger, subject_for("sp", subject)))
        )
    note = (
        f"Certified per agent ({len(certificates)} certificates): sp holds on each agent's "
        "unilateral deviations from this profile, which includes every lie at it."
    )
    return AtProfile("sp", result, (note,), tuple(certificates))


def check_at_profile(
    problem: Problem,
    profile: Sequence[Sequence[object] | str],
    mechanism: str,
    properties: Sequence[str] | None = None,
    *,
    misreport_budget: int = MISREPORT_BUDGET,
    certificates: bool = False,
    source: str = "<memory>",
    on_result: Callable[[AtProfile], None] | None = None,
) -> list[AtProfile]:
    """Evaluate the built-in ``mechanism`` (``"rp"``, ``"ps"``, ``"boston"``, ...: `MECHANISMS`)
    at ``profile`` and check ``properties`` there (default `PROPERTIES`), in this process.
    With ``certificates``, each result carries the certificates `verified recheck` verifies
    (see the module docstring for ``sp``). ``on_result`` is called as each one is decided."""
    from verified.names import validated_count

    builtin = builtin_name(mechanism)
    names = property_names(properties)
    budget = validated_count(misreport_budget, "misreport_budget", low=0, high=10**9)
    run = _Run(problem, problem.profile(profile), builtin, source, certificates)
    out = []
    for name in names:
        try:
            answer = _sp(run, budget) if name == "sp" else _one_lottery(run, name)
        except OutOfReach as exc:
            from verified.results import unknown

            answer = AtProfile(name, unknown(name, str(exc)), (f"No verdict: {exc}.",))
        out.append(answer)
        if on_result is not None:
            on_result(answer)
    return out


@dataclass
class ProfileReport:
    """What the parent learnt from the child: the mechanism's name, each property's answer."""

    mechanism: str | None = None
    size: str = ""
    answers: dict[str, AtProfile] = field(default_factory=dict)


def _worker(send: Any, path: str, mechanism: str, names: list[str] | None, certificates: bool) -> None:
    from verified.io.preflib import read

    data = read(path)
    builtin = builtin_name(mechanism)
    size = f"the profile of {data.problem.n:,} voters and {data.problem.m:,} alternatives"
    send(("header", builtin.replace("_", " "), size))
    check_at_profile(
        data.problem,
        data.profile,
        builtin,
        names,
        certificates=certificates,
        source=path,
        on_result=lambda answer: send(("answer", answer)),
    )


def check_preflib_file(
    path: str,
    mechanism: str,
    requested: Sequence[str] | None,
    *,
    timeout: float | None,
    max_memory: int | None,
    certificates: bool,
) -> ProfileReport:
    """`check_at_profile` on a PrefLib file, in a child process killed at ``timeout`` seconds or
    ``max_memory`` bytes (the unfinished properties are then UNKNOWN with the reason). Bad input
    is raised here as `InvalidInput` before any work (the file is read once in this process)."""
    from verified.io.preflib import read
    from verified.results import unknown
    from verified.run.check import raise_failure
    from verified.run.child import run_in_child

    builtin_name(mechanism)
    names = property_names(requested)
    read(path)  # bad input is reported here, with the file and line
    report = ProfileReport()

    def receive(message: tuple[Any, ...]) -> None:
        if message[0] == "header":
            report.mechanism, report.size = message[1], message[2]
        elif message[0] == "answer":
            report.answers[message[1].name] = message[1]

    outcome = run_in_child(
        _worker,
        (path, mechanism, names, certificates),
        timeout=timeout,
        max_memory=max_memory,
        on_message=receive,
    )
    limited = outcome.status in ("timeout", "memory") or (
        outcome.status == "error" and outcome.kind == "memory"
    )
    if outcome.status != "done" and not limited:
        raise_failure(outcome, None, path)
    if len(report.answers) < len(names):
        if outcome.status == "timeout":
            reason = f"the time limit of {timeout:g} s was reached"
        else:
            reason = outcome.message or "the memory limit was reached"
        for name in names:
            if name not in report.answers:
                report.answers[name] = AtProfile(name, unknown(name, reason), (f"No verdict: {reason}.",))
    report.answers = {name: report.answers[name] for name in names}
    return report


def run_cli(args: Any) -> int:
    """``verified check FILE.soc --mechanism NAME``: print each verdict (as ``check`` does), write
    the certificates, and return the exit code (0 holds, 1 fails, 3 unknown)."""
    import json
    from pathlib import Path

    from verified.certificates import save_certificate
    from verified.run.limits import default_max_memory

    mechanism = getattr(args, "mechanism", None)
    if not mechanism:
        raise InvalidInput(
            "a PrefLib file holds a profile, not a mechanism: say which one with --mechanism "
            f"({', '.join(MECHANISMS)})",
            "--mechanism",
        )
    for option in ("shard", "scheduler", "count"):
        if getattr(args, option, None):
            raise InvalidInput("applies to mechanism files, not to one PrefLib profile", f"--{option}")
    if args.all:
        requested = None
    elif args.property:
        requested = [p.strip() for p in args.property.split(",") if p.strip()]
        if not requested:
            raise InvalidInput("name at least one property, e.g. --property sp,ir", "--property")
    else:
        raise InvalidInput(
            f"say which properties: --property sp,ir,... or --all ({', '.join(PROPERTIES)})", "arguments"
        )
    report = check_preflib_file(
        str(args.file),
        mechanism,
        requested,
        timeout=args.timeout,
        max_memory=args.max_memory or default_max_memory(),
        certificates=bool(args.certificate_dir),
    )
    answers = list(report.answers.values())
    if args.certificate_dir:
        stem = Path(args.file).name.split(".")[0]
        for answer in answers:
            for certified in answer.certificates:
                save_certificate(certified.document, args.certificate_dir, stem + certified.suffix)
    if args.json:
        results = [{**a.result.to_json(), "property": a.name, "lines": list(a.lines)} for a in answers]
        out = {"file": str(args.file), "mechanism": report.mechanism, "at": report.size, "results": results}
        print(json.dumps(out, indent=1, default=str))
    else:
        print(
            f"{report.mechanism or builtin_name(mechanism)} at {report.size or 'the profile'} ({args.file})"
        )
        width = max(len(a.name) for a in answers)
        for answer in answers:
            verdict = answer.result.verdict.value
            print(f"  {answer.name.ljust(width)}  {verdict.upper():7}  {WORDS[answer.name]}")
            for line in answer.lines:
                print(f"      {line}")
        if args.certificate_dir:
            print(f"certificates written to {args.certificate_dir}")
    verdicts = [a.result.verdict.value for a in answers]
    if "fails" in verdicts:
        return 1
    return 3 if "unknown" in verdicts else 0
