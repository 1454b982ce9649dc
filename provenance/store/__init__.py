"""store: the database: its schema and migrations, the Store that opens it, and the typed records
its queries answer with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.store.engine import create_db_engine, head_revision, migrate
    from provenance.store.reader import ANCHOR_MEMBERS, BUCKET_MEMBERS, StoreReader
    from provenance.store.records import (
        ArticleRecord,
        ArticleSummary,
        AttributionRecord,
        AttributionSummary,
        HopRecord,
        LinkRecord,
        NewArticle,
        NewLink,
        QuoteRecord,
        StoredText,
    )
    from provenance.store.store import BULK_LOAD, Store
    from provenance.store.writer import BatchWriter

__all__ = [
    "ANCHOR_MEMBERS",
    "BUCKET_MEMBERS",
    "BULK_LOAD",
    "ArticleRecord",
    "ArticleSummary",
    "AttributionRecord",
    "AttributionSummary",
    "BatchWriter",
    "HopRecord",
    "LinkRecord",
    "NewArticle",
    "NewLink",
    "QuoteRecord",
    "Store",
    "StoreReader",
    "StoredText",
    "create_db_engine",
    "head_revision",
    "migrate",
]

if not TYPE_CHECKING:  # mypy reads the imports above: an __getattr__ would let it accept any name
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "engine": ("create_db_engine", "head_revision", "migrate"),
            "reader": ("ANCHOR_MEMBERS", "BUCKET_MEMBERS", "StoreReader"),
            "records": (
                "ArticleRecord",
                "ArticleSummary",
                "AttributionRecord",
                "AttributionSummary",
                "HopRecord",
                "LinkRecord",
                "NewArticle",
                "NewLink",
                "QuoteRecord",
                "StoredText",
            ),
            "store": ("BULK_LOAD", "Store"),
            "writer": ("BatchWriter",),
        },
    )
