"""One engine for any work over a domain: contiguous ranges of profile numbers, run serially, on a
process pool, on any `concurrent.futures.Executor` (a Dask cluster), or as shards on separate
machines, and folded in profile order -- so every way of running gives the same bytes.

    from verified.engine import tabulate, spec_from_file, engine_options
    table = tabulate("examples/my_mechanism.toml", n_jobs=-1)

See docs/engine.md.
"""

from verified.engine.options import EngineOptions, current_options, engine_options
from verified.engine.spec import MechanismSpec, spec_from_builtin, spec_from_callable, spec_from_file
from verified.engine.tabulate import CompactTable, tabulate, tabulate_compact

__all__ = [
    "CompactTable",
    "EngineOptions",
    "MechanismSpec",
    "current_options",
    "engine_options",
    "spec_from_builtin",
    "spec_from_callable",
    "spec_from_file",
    "tabulate",
    "tabulate_compact",
]
