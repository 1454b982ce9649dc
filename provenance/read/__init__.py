"""read: pages, files, JSONL records, Parquet rows, WARCs and URLs into Documents, with their
publication dates and language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.read.dates import (
        DAY,
        MINUTE,
        PRECISIONS,
        Order,
        Published,
        find_date_in_text,
        parse_published,
        publication_order,
        published_in_html,
        sort_key,
    )
    from provenance.read.document import (
        Document,
        Failure,
        PageFacts,
        decode_bytes,
        document_from_text,
        domain_of,
    )
    from provenance.read.fetch import Fetched, fetch_url
    from provenance.read.html import document_from_html
    from provenance.read.inputs import documents_from_bytes, is_url, iter_documents
    from provenance.read.language import LANGUAGE_SAMPLE_CHARS, detect_language
    from provenance.read.parquet import documents_from_parquet
    from provenance.read.records import document_from_record, documents_from_jsonl
    from provenance.read.warc import documents_from_warc

__all__ = [
    "DAY",
    "LANGUAGE_SAMPLE_CHARS",
    "MINUTE",
    "PRECISIONS",
    "Document",
    "Failure",
    "Fetched",
    "Order",
    "PageFacts",
    "Published",
    "decode_bytes",
    "detect_language",
    "document_from_html",
    "document_from_record",
    "document_from_text",
    "documents_from_bytes",
    "documents_from_jsonl",
    "documents_from_parquet",
    "documents_from_warc",
    "domain_of",
    "fetch_url",
    "find_date_in_text",
    "is_url",
    "iter_documents",
    "parse_published",
    "publication_order",
    "published_in_html",
    "sort_key",
]

if not TYPE_CHECKING:  # mypy reads the imports above: an __getattr__ would let it accept any name
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "dates": (
                "DAY",
                "MINUTE",
                "PRECISIONS",
                "Order",
                "Published",
                "find_date_in_text",
                "parse_published",
                "publication_order",
                "published_in_html",
                "sort_key",
            ),
            "document": (
                "Document",
                "Failure",
                "PageFacts",
                "decode_bytes",
                "document_from_text",
                "domain_of",
            ),
            "fetch": ("Fetched", "fetch_url"),
            "html": ("document_from_html",),
            "inputs": ("documents_from_bytes", "is_url", "iter_documents"),
            "language": ("LANGUAGE_SAMPLE_CHARS", "detect_language"),
            "parquet": ("documents_from_parquet",),
            "records": ("document_from_record", "documents_from_jsonl"),
            "warc": ("documents_from_warc",),
        },
    )
