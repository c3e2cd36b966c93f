"""File formats: reading problems and mechanisms (JSON, TOML, ``module:function``),
and the canonical encoding of a subject that a certificate's SHA-256 refers to.

See docs/formats.md for the formats and `verified/io/schemas/*.json` for their
JSON Schemas.
"""

from verified.io.canonical import subject_sha256, table_subject
from verified.io.reader import (
    FORMAT_ASSIGNMENT,
    AssignmentSubject,
    load_document,
    load_subject,
    parse_subject,
    subject_encoding,
)
from verified.io.trading import FORMAT_TRADING, TradingSubject, parse_trading, trading_subject

__all__ = [
    "FORMAT_TRADING",
    "TradingSubject",
    "parse_trading",
    "subject_encoding",
    "trading_subject",
    "FORMAT_ASSIGNMENT",
    "AssignmentSubject",
    "load_document",
    "load_subject",
    "parse_subject",
    "subject_sha256",
    "table_subject",
]
