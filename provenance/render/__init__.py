"""render: what check, trace, quotes, sources and ingest print, as text and as JSON."""

from provenance.render.check import check_json, check_text, ingest_summary
from provenance.render.trace import (
    quotes_json,
    quotes_text,
    sources_table,
    trace_json,
    trace_text,
)

__all__ = [
    "check_json",
    "check_text",
    "ingest_summary",
    "quotes_json",
    "quotes_text",
    "sources_table",
    "trace_json",
    "trace_text",
]
