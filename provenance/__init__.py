"""provenance: is this article a repost, where did this quote originate, what is in this corpus."""

from __future__ import annotations

import logging

from .config import Settings
from .errors import ProvenanceError
from .pipeline import CheckResult, IngestReport, check, ingest
from .store import Store

__all__ = ["CheckResult", "IngestReport", "ProvenanceError", "Settings", "Store", "check", "ingest"]
__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
