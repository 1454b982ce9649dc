"""provenance: is this article a repost, where did this quote originate, what is in this corpus.

The entry points a script needs are here; each stage's public API is its sub-package's
``__all__`` (``provenance.ingest.ingest``, ``provenance.store.StoreReader``, …). ``ingest`` is
not exported here: ``provenance.ingest`` is the sub-package.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports
from provenance.config import Settings
from provenance.errors import ProvenanceError

if TYPE_CHECKING:
    from provenance.audit.build import run_audit
    from provenance.ingest.verdicts import CheckResult, check
    from provenance.ingest.writer import IngestReport
    from provenance.store.store import Store

__all__ = [
    "CheckResult",
    "IngestReport",
    "ProvenanceError",
    "Settings",
    "Store",
    "check",
    "run_audit",
]
__version__ = "0.1.0"

if not TYPE_CHECKING:  # mypy reads the imports above
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "audit.build": ("run_audit",),
            "ingest.verdicts": ("CheckResult", "check"),
            "ingest.writer": ("IngestReport",),
            "store.store": ("Store",),
        },
    )

logging.getLogger(__name__).addHandler(logging.NullHandler())
