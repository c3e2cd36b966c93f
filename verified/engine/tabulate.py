"""Tabulation over ranges: a mechanism's exact table, on one core, every core, or a Dask cluster.

`tabulate` returns the library's `~verified.assignment.mechanism.TabulatedMechanism` with
the SAME numerators and denominator as `verified.assignment.mechanism.tabulate` (so the
certificates are byte-identical); `tabulate_compact` returns a `CompactTable` (numerators
in the smallest safe dtype, see `blocks`), which is what the engine's own checks use on
domains too large for an int64 table (16,777,216 profiles x 6 agents x 4 columns is 3.2 GB
in int64, 0.4 GB in int8).
"""

from __future__ import annotations

import pickle
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from verified.assignment.compact import COMPACT_FACTOR, CompactTable
from verified.assignment.domain import Domain, max_table_cells
from verified.assignment.mechanism import TabulatedMechanism
from verified.engine import tasks
from verified.engine.blocks import Block, as_dtype, concatenate
from verified.engine.executors import resolve_jobs, run_ranges
from verified.engine.options import EngineOptions, current_options
from verified.engine.progress import ProgressBar
from verified.engine.ranges import Range, chunks
from verified.engine.spec import MechanismSpec, rebuild, spec_from_file
from verified.errors import InvalidInput
from verified.io.builtins import subject_fast_table


@dataclass(frozen=True)
class Source:
    """What to tabulate: the subject (problem, domain, mechanism, description) and, when the
    work may leave this process, the picklable spec (or a picklable mechanism object)."""

    subject: Any
    spec: MechanismSpec | None
    portable: Any = None

    @property
    def domain(self) -> Domain:
        return self.subject.domain


def resolve(mechanism_or_spec: Any, domain: Domain | None = None) -> Source:
    """A `Source` from a `MechanismSpec`, a mechanism file path, an `AssignmentSubject` read from
    a file, or a mechanism object with ``domain``."""
    target = mechanism_or_spec
    if isinstance(target, (str, Path)):
        target = spec_from_file(target)
    if isinstance(target, MechanismSpec):
        subject = rebuild(target)
        _same_domain(subject.domain, domain)
        return Source(subject, target)
    if hasattr(target, "description") and hasattr(target, "domain") and hasattr(target, "mechanism"):
        _same_domain(target.domain, domain)
        source = Path(str(getattr(target, "source", "")))
        spec = None
        if source.suffix in (".toml", ".json") and source.is_file():
            spec = spec_from_file(source, allow_float=bool(getattr(target, "allow_float", False)))
        return Source(target, spec, target.mechanism)
    if isinstance(target, TabulatedMechanism):
        _same_domain(target.domain, domain)
        domain = target.domain
    if domain is None:
        raise InvalidInput("a domain is needed to tabulate a mechanism object", "domain")
    if getattr(target, "problem", None) != domain.problem:
        raise InvalidInput("the mechanism and the domain have different problems", "tabulate")
    subject = SimpleNamespace(problem=domain.problem, domain=domain, mechanism=target, description={})
    return Source(subject, None, target)


def _same_domain(own: Domain, given: Domain | None) -> None:
    if given is not None and given != own:
        raise InvalidInput("the given domain is not the mechanism file's domain", "domain")


def settle(
    n_jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    deadline: float | None = None,
) -> EngineOptions:
    """The given settings over those in force (`verified.engine.options.current_options`)."""
    options = current_options()
    return EngineOptions(
        n_jobs=options.n_jobs if n_jobs is None else n_jobs,
        executor=options.executor if executor is None else executor,
        progress=options.progress if progress is None else progress,
        on_progress=options.on_progress,
        deadline=options.deadline if deadline is None else deadline,
    )


def tabulate_blocks(
    source: Source, part: Range | None = None, options: EngineOptions | None = None
) -> list[Block]:
    """The validated blocks of ``part`` (default: the whole domain), in order."""
    options = options or settle()
    jobs = resolve_jobs(options.n_jobs)
    executor = options.executor
    domain = source.domain
    part = part or Range(0, len(domain))
    ranges = chunks(part, jobs if executor is None else max(jobs, 2))
    parallel = executor is not None or jobs > 1
    if not parallel:  # this process: the caller's own subject, no second import of the user's module
        task, arguments = tasks.read_with, (tasks.reader_of(source.subject),)
    elif source.spec is not None:
        task, arguments = tasks.tabulate_range, (source.spec,)
    else:
        try:
            pickle.dumps(source.portable)
        except Exception:  # noqa: BLE001 - any pickling failure means "not portable"
            raise InvalidInput(
                "this mechanism cannot be sent to worker processes (it is not picklable); pass a "
                "mechanism file or a MechanismSpec (spec_from_file, spec_from_callable, "
                "spec_from_builtin), or use n_jobs=1",
                "tabulate",
            ) from None
        task, arguments = tasks.tabulate_range_of, (source.portable, domain)
    bar = ProgressBar(len(part), "tabulating", enabled=options.progress, on_update=options.on_progress)
    with bar:
        return run_ranges(
            task, arguments, ranges, jobs=jobs, executor=executor, progress=bar, deadline=options.deadline
        )


def tabulate_compact(
    mechanism_or_spec: Any,
    domain: Domain | None = None,
    *,
    n_jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    deadline: float | None = None,
) -> CompactTable:
    """The whole table as a `CompactTable` (see `tabulate` for the arguments). Allowed up to
    `COMPACT_FACTOR` times the cell limit of an int64 table (`Domain.require_table`)."""
    source = resolve(mechanism_or_spec, domain)
    source.domain.require_table(COMPACT_FACTOR * max_table_cells())
    return CompactTable(*_numerators(source, settle(n_jobs, executor, progress, deadline)))


def _numerators(source: Source, options: EngineOptions) -> tuple[Domain, np.ndarray, int, str]:
    """The domain, the validated numerators (`blocks.smallest_dtype`), denominator and name."""
    fast = subject_fast_table(source.subject)
    if fast is not None:
        return fast.domain, as_dtype(fast.numerators, fast.denominator), fast.denominator, fast.name
    blocks = tabulate_blocks(source, options=options)
    p = source.subject.problem
    numerators, den = concatenate(blocks, (p.n, p.m + 1))
    return source.domain, numerators, den, source.subject.mechanism.name


def tabulate(
    mechanism_or_spec: Any,
    domain: Domain | None = None,
    *,
    n_jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    deadline: float | None = None,
) -> TabulatedMechanism:
    """The exact table of a mechanism over its domain, computed over ranges of profiles.

    ``mechanism_or_spec``: a `MechanismSpec`, a mechanism file path, an `AssignmentSubject`,
    or a mechanism object (with ``domain``; parallel runs need it picklable). ``n_jobs``:
    processes (-1: every core); ``executor``: any `concurrent.futures.Executor` (e.g. Dask's
    ``Client.get_executor()``) instead of our own pool; ``progress``: a bar on stderr;
    ``deadline``: a `time.monotonic` value past which `EngineTimeout` is raised. Settings not
    given come from `verified.engine.engine_options` (default: one process, no bar).

    Same numerators and denominator as `verified.assignment.mechanism.tabulate`."""
    source = resolve(mechanism_or_spec, domain)
    source.domain.require_table()  # refuse an oversized table before any work
    return TabulatedMechanism(*_numerators(source, settle(n_jobs, executor, progress, deadline)))
