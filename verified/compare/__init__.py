"""What a design change did: two versions of a mechanism, compared exactly (``verified compare``).

    from verified.compare import compare
    result = compare("examples/rp_4x3.toml", "examples/erdil_g_4x3.toml", ["sp"], require="dominates")
    result.verdict, result.differences.relation, result.differences.by_category

For every profile and agent: does NEW's lottery weakly SD-dominate OLD's (Erdil, section 2,
(FOSD)), is it dominated, the same, or incomparable; the first pair of each kind with both
lotteries; the change in the size of the assignments; the requested properties on both sides
and their regressions; a verdict for the requirement (``dominates``, ``weakly-dominates``,
``equal``, ``no-regression``) and certificates that `verified.recheck` re-verifies. Modules:
`model` (the results), `pairs` (exact classification of two tables), `subjects` (same problem
and domain, or a precise refusal), `hunt` (sampled profiles for large domains), `certificate`,
`api` (`compare`, `decide`), `words` (the report in words), `options` and `cli` (the command).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Comparison", "compare", "decide", "describe"]


def __getattr__(name: str) -> Any:  # light import: the command line's parser imports `options`
    if name in ("compare", "decide"):
        from verified.compare import api

        return getattr(api, name)
    if name == "Comparison":
        from verified.compare.model import Comparison

        return Comparison
    if name == "describe":
        from verified.compare.words import describe

        return describe
    raise AttributeError(f"module 'verified.compare' has no attribute {name!r}")
