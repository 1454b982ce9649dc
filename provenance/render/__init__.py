"""render: what check, trace, quotes, sources, list, show, forget and ingest print, as text and as JSON."""

from provenance.render.articles import (
    article_json,
    article_text,
    articles_json,
    articles_text,
    forget_json,
    forget_text,
)
from provenance.render.check import check_json, check_text, ingest_summary
from provenance.render.trace import (
    quotes_json,
    quotes_text,
    sources_json,
    sources_table,
    trace_json,
    trace_text,
)

__all__ = [
    "article_json",
    "article_text",
    "articles_json",
    "articles_text",
    "check_json",
    "check_text",
    "forget_json",
    "forget_text",
    "ingest_summary",
    "quotes_json",
    "quotes_text",
    "sources_json",
    "sources_table",
    "trace_json",
    "trace_text",
]
