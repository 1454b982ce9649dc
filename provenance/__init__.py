"""provenance: is this article a repost, where did this quote originate, what is in this corpus."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from provenance.config import Settings
from provenance.errors import ProvenanceError

if TYPE_CHECKING:
    from provenance.ingest.check import CheckResult, check
    from provenance.ingest.run import ingest
    from provenance.ingest.writer import IngestReport
    from provenance.store.store import Store

__all__ = ["CheckResult", "IngestReport", "ProvenanceError", "Settings", "Store", "check", "ingest"]
__version__ = "0.1.0"

_LAZY = {"CheckResult": "pipeline", "IngestReport": "pipeline", "check": "pipeline", "ingest": "pipeline", "Store": "store"}
"""Names imported on first use: the pipeline loads numba, datasketch (with scipy), SQLAlchemy and
compiles the anchor patterns, 2.7 s on a 2-core machine, which ``provenance --help`` need not wait for."""


def __getattr__(name: str) -> Any:
    """The pipeline's and the store's public names, imported when first asked for."""
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


logging.getLogger(__name__).addHandler(logging.NullHandler())
