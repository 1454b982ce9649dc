"""batch: a whole corpus loaded at once: candidates from its LSH keys in memory, verification in
worker processes, the index written once in key order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.batch.engine import BULK_STEP, ingest_bulk, load_prepared, undo_unfinished_load
    from provenance.batch.index import CorpusIndex

__all__ = ["BULK_STEP", "CorpusIndex", "ingest_bulk", "load_prepared", "undo_unfinished_load"]

if not TYPE_CHECKING:  # mypy reads the imports above
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "engine": ("BULK_STEP", "ingest_bulk", "load_prepared", "undo_unfinished_load"),
            "index": ("CorpusIndex",),
        },
    )
