"""Regenerate the stored certificates of the paper results the library reproduces.

    python scripts/regenerate_certificates.py          # (re)write certificates/
    python scripts/regenerate_certificates.py --check  # exit 1 if regeneration would change a file

Each entry below names the mechanism file, the property, and the claim it backs. The
certificates are canonical JSON (gzip-compressed for the large ones, compared after
decompression). ``certificates/search_*.json`` are written by the search module
(``python examples/erdil_prop3.py`` etc., see certificates/README.md) and only re-checked.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "certificates"


@dataclass(frozen=True)
class Entry:
    file: str  # certificate file name in certificates/
    source: str  # mechanism file, relative to the repository root
    prop: str  # registry property name; for a comparison, the relation and evidence ("dominates.witness")
    claim: str  # what it reproduces
    new: str = ""  # a comparison (`verified compare OLD NEW`): NEW's mechanism file; ``source`` is OLD


ENTRIES = (
    Entry(
        "rp_4x3.sp.cert.json.gz",
        "examples/rp_4x3.toml",
        "sp",
        "Erdil, section 3: random priority is SD-strategy-proof (n = 4, m = 3, full domain, 65,536 profiles)",
    ),
    Entry(
        "rp_4x3.sp-anonymous.cert.json",
        "examples/rp_4x3.toml",
        "sp-anonymous",
        "the same on RP's 13,056 orbits (own ranking x others' multiset), anonymous by construction",
    ),
    Entry(
        "rp_5x3.sp-anonymous.cert.json.gz",
        "examples/rp_5x3.toml",
        "sp-anonymous",
        "Erdil: random priority is SD-strategy-proof, n = 5, m = 3 (1,048,576 profiles, 62,016 orbits)",
    ),
    Entry(
        "random_boston_3x3.sp.cert.json",
        "examples/random_boston_3x3.toml",
        "sp",
        "random-order Boston is manipulable (n = 3, m = 3, full domain)",
    ),
    Entry(
        "boston_3x2.sp.cert.json",
        "examples/boston_3x2.json",
        "sp",
        "Boston with a fixed priority order, written in Python (module:function), is manipulable",
    ),
    Entry(
        "serial_dictatorship_3x2.sp.cert.json",
        "examples/my_mechanism.toml",
        "sp",
        "serial dictatorship, written in Python, is strategy-proof",
    ),
    Entry(
        "serial_dictatorship_3x2.nonwasteful.cert.json",
        "examples/my_mechanism.toml",
        "nonwasteful",
        "serial dictatorship is non-wasteful (so, by Erdil Proposition 1, undominated among SP mechanisms)",
    ),
    Entry(
        "erdil_remark2.nonwasteful.cert.json",
        "examples/erdil_remark2.toml",
        "nonwasteful",
        "Erdil, Remark 2: random priority is wasteful at R1 = ab, R2 = cb, R3 = a, R4 = c",
    ),
    Entry(
        "erdil_remark2.ex-post-efficient.cert.json",
        "examples/erdil_remark2.toml",
        "ex-post-efficient",
        "... although it is ex post efficient there (a lottery over Pareto-efficient matchings)",
    ),
    Entry(
        "bogomolnaia_moulin.sd-efficient.cert.json",
        "examples/bogomolnaia_moulin.toml",
        "sd-efficient",
        "Bogomolnaia-Moulin (2001): random priority is not ordinally efficient (a dominating assignment)",
    ),
    Entry(
        "rda_3x2.ex-post-stable.cert.json",
        "examples/rda_3x2.toml",
        "ex-post-stable",
        "Erdil, section 3: random deferred acceptance is ex post stable for weak priorities",
    ),
    Entry(
        "rp_priorities_3x2.ex-post-stable.cert.json",
        "examples/rp_priorities_3x2.toml",
        "ex-post-stable",
        "random priority, which ignores the priorities, is not (a Farkas certificate)",
    ),
    Entry(
        "binary_classification_polarized.polarized.cert.json",
        "examples/binary_classification_polarized.toml",
        "polarized",
        "Valenzuela-Stookey, section 2.1: two-price classification rays are polarized when p1 <= p2",
    ),
    Entry(
        "binary_classification_polarized.menu-osp.cert.json",
        "examples/binary_classification_polarized.toml",
        "menu-osp",
        "... so the menu is OSP whatever the selection (Theorem 2): a Motzkin refutation tree",
    ),
    Entry(
        "binary_classification_crossed.polarized.cert.json",
        "examples/binary_classification_crossed.toml",
        "polarized",
        "with p1 > p2 the rays are not polarized (a separating cost type, Lemma 5)",
    ),
    Entry(
        "binary_classification_crossed.menu-osp.cert.json",
        "examples/binary_classification_crossed.toml",
        "menu-osp",
        "... and some type has no obviously dominant choice (menu-level OSP fails)",
    ),
    Entry(
        "binary_classification_polarized.eopr-robust.cert.json",
        "examples/binary_classification_polarized.toml",
        "eopr-robust",
        "Valenzuela-Stookey, section 3.1: with eta = sigma, EOPR never costs more than the status quo",
    ),
    Entry(
        "eopr_low_status_quo.eopr-robust.cert.json",
        "examples/eopr_low_status_quo.toml",
        "eopr-robust",
        "... but not when the status quo is not selectable (exact Lagrangian price bounds)",
    ),
    Entry(
        "bilateral_mechanism.osp.cert.json",
        "examples/bilateral_mechanism.toml",
        "osp",
        "Valenzuela-Stookey, section 1.1: the bilateral trading mechanism with its natural strategies is "
        "OSP (one Motzkin certificate per strategy piece, deviation and pair of outcomes)",
    ),
    Entry(
        "pseudo_market.osp.cert.json",
        "examples/pseudo_market.toml",
        "osp",
        "... the fixed-price pseudo-market with myopic strategies is not (a type, its choice, a deviation "
        "and the others' choices realising both costs)",
    ),
    Entry(
        "bilateral_trade.improving-trade.cert.json",
        "examples/binary_classification_polarized.toml",
        "improving-trade",
        "Valenzuela-Stookey, Lemma 2: different performance weights give an improving bilateral trade",
    ),
    Entry(
        "identical_performance.improving-trade.cert.json",
        "examples/identical_performance.toml",
        "improving-trade",
        "identical performance: no bilateral trade improves (exact Motzkin certificates; Theorem 1)",
    ),
    Entry(
        "erdil_g_vs_rp_4x3.dominates.cert.json.gz",
        "examples/rp_4x3.toml",
        "dominates",
        "Erdil, Proposition 3(i): g (RP without one waste) dominates RP, n = 4, m = 3 (every pair compared; "
        "strictly at 8 profiles)",
        new="examples/erdil_g_4x3.toml",
    ),
    Entry(
        "ra_vs_rp_4x3.dominates.cert.json.gz",
        "examples/ra_4x3.toml",
        "dominates",
        "Erdil, Remark 1: random priority dominates random assignment, n = 4, m = 3 (every pair compared; "
        "the same row only in the 24 pairs where all four agents report one complete ranking)",
        new="examples/rp_4x3.toml",
    ),
    Entry(
        "ra_4x3.ir.cert.json.gz",
        "examples/ra_4x3.toml",
        "ir",
        "Erdil, section 3: random assignment is not individually rational (agent 1 lists nothing, "
        "gets a 1/4)",
    ),
    Entry(
        "rda_3x2.sp.cert.json",
        "examples/rda_3x2.toml",
        "sp",
        "Erdil, section 3: RDA with weak priorities is SD-strategy-proof (n = 3, m = 2, full domain)",
    ),
    Entry(
        "da_vs_boston_3x3.weakly-dominates.cert.json",
        "examples/da_priorities_3x3.toml",
        "weakly-dominates",
        "Boston and DA with the same priorities are incomparable (n = 3, m = 3, every pair compared)",
        new="examples/boston_priorities_3x3.toml",
    ),
    Entry(
        "da_vs_boston_3x3.weakly-dominates.witness.cert.json",
        "examples/da_priorities_3x3.toml",
        "weakly-dominates.witness",
        "... refuted at one profile: agent 2 (a > b) gets b under DA and nothing under Boston",
        new="examples/boston_priorities_3x3.toml",
    ),
    Entry(
        "da_cyclic_3x3.sp.cert.json",
        "examples/da_cyclic_3x3.toml",
        "sp",
        "Erdil, section 3: DA with strict priorities is SD-strategy-proof (cyclic priorities, n = 3, m = 3, "
        "full domain; every strict structure on n = 3, m = 2: `examples/erdil_da_sp_all_priorities.py`)",
    ),
    Entry(
        "erdil_h_4x3.ex-post-efficient.cert.json.gz",
        "examples/erdil_h_4x3.toml",
        "ex-post-efficient",
        "Erdil, Proposition 3(i): h (g symmetrised over the 24 renamings of the agents) is ex post "
        "efficient, n = 4, m = 3 (a lottery over Pareto-efficient matchings at each of 65,536 profiles)",
    ),
    Entry(
        "large_market.large-market-improves.cert.json",
        "examples/large_market.toml",
        "large-market-improves",
        "Valenzuela-Stookey, section 4: the large-market program's optimum on issue 12's instance is 32/3 "
        "against a status quo of 16 (primal menus and the dual at lambda* = (3, 1), Proposition 2)",
    ),
    Entry(
        "large_market_3tasks.large-market-improves.cert.json",
        "examples/large_market_3tasks.toml",
        "large-market-improves",
        "... with three tasks (the unit costs as virtual types): optimum 9 against 13",
    ),
    Entry(
        "large_market_bracket.large-market-improves.cert.json",
        "examples/large_market_bracket.toml",
        "large-market-improves",
        "... with three tasks where the optimum is only bracketed ([3443/85, 1379/34]): the mechanism found "
        "already costs less than the status quo (46), so the program beats it",
    ),
    Entry(
        "large_market_identical.large-market-improves.cert.json",
        "examples/large_market_identical.toml",
        "large-market-improves",
        "... and with identical performance no large-market mechanism beats the status quo (12)",
    ),
    Entry(
        "corollary1_unique.status-quo-unique.cert.json",
        "examples/corollary1_unique.toml",
        "status-quo-unique",
        "Valenzuela-Stookey, Corollary 1: beta = 1 and a full-dimensional common cost domain leave only "
        "the status quo (every load pinned by an exact LP pair)",
    ),
    Entry(
        "lemma1_slack.status-quo-unique.cert.json",
        "examples/lemma1_slack.toml",
        "status-quo-unique",
        "... with beta = 2 another non-choice allocation satisfies (SQ) and (MC) (Lemma 1's slack)",
    ),
    Entry(
        "binary_classification_polarized.one-improving-set.cert.json",
        "examples/binary_classification_polarized.toml",
        "one-improving-set",
        "Valenzuela-Stookey, Claim 2 (proof of Theorem 2): with p1 = 1 <= p2 = 2 no type in [1, 3]^2 finds "
        "both rays cheaper than eta (one LP per agent, optimum -1/2 with dual (1/2, 1/2))",
    ),
    Entry(
        "binary_classification_crossed.one-improving-set.cert.json",
        "examples/binary_classification_crossed.toml",
        "one-improving-set",
        "... with p1 = 2 > p2 = 1 the type c = (3, 9/4) finds both rays cheaper than eta (Claim 2 fails)",
    ),
    Entry(
        "theorem1_bic_improves.choice-improves-bic.cert.json",
        "examples/theorem1_bic_improves.toml",
        "choice-improves-bic",
        "Valenzuela-Stookey, Theorem 1 (iii): with types (1, 2), (2, 1) and pi_A = (1, 2), pi_B = (2, 1) a "
        "report-dependent BIC mechanism costs 24/5 < 6, the status quo's cost (program (1)'s exact dual)",
    ),
    Entry(
        "theorem1_bic_identical.choice-improves-bic.cert.json",
        "examples/theorem1_bic_identical.toml",
        "choice-improves-bic",
        "... with identical performance program (1)'s optimum is the status quo's cost 6: no improvement",
    ),
    Entry(
        "theorem1_bic_all_constant.choice-improves-bic.cert.json",
        "examples/theorem1_bic_all_constant.toml",
        "choice-improves-bic",
        "... with one type per agent every mechanism is constant: choice cannot improve, although at "
        "beta = 2 the constant optimum 4 beats the status quo's 6",
    ),
    Entry(
        "theorem1_bic_optimal.choice-optimal-bic.cert.json",
        "examples/theorem1_bic_optimal.toml",
        "choice-optimal-bic",
        "Valenzuela-Stookey, Theorem 1 (iv): on the corners of [1, 2]^2 with beta = 1 every optimum of "
        "program (1) (113/24) is non-constant: the best constant mechanism (the status quo) costs 6",
    ),
    Entry(
        "theorem1_bic_constant_optimal.choice-optimal-bic.cert.json",
        "examples/theorem1_bic_constant_optimal.toml",
        "choice-optimal-bic",
        "... with beta = 2 on the (iii) example the constant allocation A: (2, 0), B: (0, 2) attains "
        "program (1)'s optimum 4: choice is not optimal",
    ),
)


def build(entry: Entry) -> bytes:
    """The canonical bytes of one certificate (uncompressed)."""
    from verified.certificates import build_certificate, certificate_bytes

    if entry.new:
        from verified.compare import compare

        relation = entry.prop.removesuffix(".witness")
        found = compare(ROOT / entry.source, ROOT / entry.new, require=relation, certificates=True)
        (document,) = (doc for part, doc in found.certificates if part == entry.prop)
        return certificate_bytes(document)
    from verified.io import load_subject
    from verified.registry import run_check, subject_for

    subject = load_subject(ROOT / entry.source)
    result = run_check(entry.prop, subject)
    return certificate_bytes(build_certificate(entry.prop, result, subject_for(entry.prop, subject)))


def stored(path: Path) -> bytes | None:
    if not path.is_file():
        return None
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def write(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0) if path.name.endswith(".gz") else data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 on a change")
    parser.add_argument("names", nargs="*", help="only these certificate files")
    args = parser.parse_args(argv)
    changed = []
    for entry in ENTRIES:
        if args.names and entry.file not in args.names:
            continue
        path = OUT / entry.file
        data = build(entry)
        if stored(path) == data:
            print(f"unchanged  {entry.file}")
            continue
        changed.append(entry.file)
        if args.check:
            print(f"WOULD CHANGE  {entry.file}")
        else:
            OUT.mkdir(exist_ok=True)
            write(path, data)
            print(f"written    {entry.file}")
    if args.check and changed:
        print(f"{len(changed)} stored certificate(s) differ from a fresh regeneration", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
