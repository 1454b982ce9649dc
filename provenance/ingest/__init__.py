"""ingest: ingest() and check() in named stages (prepare, candidates, verify, write, link),
reindex(), and lookups of stored articles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.ingest.links import Match
    from provenance.ingest.lookup import article_quotes, chain_for
    from provenance.ingest.preparation import (
        Fingerprinter,
        Prepared,
        ProgressCallback,
        outlet_of_document,
    )
    from provenance.ingest.preparation import prepare as prepare_document
    from provenance.ingest.rebuild import REINDEX_CHUNK, reindex
    from provenance.ingest.run import (
        BATCH_SIZE,
        fewer_collections,
        ingest,
        prepared_stream,
        store_checked,
        store_prepared,
    )
    from provenance.ingest.verdicts import (
        COPIED_BY,
        COPY,
        ORIGINAL,
        SAME_TEXT,
        STORED,
        VERDICTS,
        CheckResult,
        check,
        check_prepared,
        relation_of,
    )
    from provenance.ingest.writer import IngestReport

__all__ = [
    "BATCH_SIZE",
    "COPIED_BY",
    "COPY",
    "ORIGINAL",
    "SAME_TEXT",
    "STORED",
    "VERDICTS",
    "CheckResult",
    "Fingerprinter",
    "IngestReport",
    "Match",
    "Prepared",
    "ProgressCallback",
    "article_quotes",
    "chain_for",
    "REINDEX_CHUNK",
    "check",
    "check_prepared",
    "fewer_collections",
    "ingest",
    "outlet_of_document",
    "prepare_document",
    "prepared_stream",
    "reindex",
    "relation_of",
    "store_checked",
    "store_prepared",
]

if not TYPE_CHECKING:  # mypy reads the imports above: an __getattr__ would let it accept any name
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "verdicts": (
                "check",
                "COPIED_BY",
                "COPY",
                "ORIGINAL",
                "SAME_TEXT",
                "STORED",
                "VERDICTS",
                "CheckResult",
                "check_prepared",
                "relation_of",
            ),
            "links": ("Match",),
            "lookup": ("article_quotes", "chain_for"),
            "rebuild": ("REINDEX_CHUNK", "reindex"),
            "preparation": (
                "Fingerprinter",
                "Prepared",
                "ProgressCallback",
                "outlet_of_document",
                ("prepare_document", "prepare"),
            ),
            "run": (
                "BATCH_SIZE",
                "fewer_collections",
                "ingest",
                "prepared_stream",
                "store_checked",
                "store_prepared",
            ),
            "writer": ("IngestReport",),
        },
    )
