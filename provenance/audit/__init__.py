"""audit: the batch audit of a corpus (clusters of copies, origins, counts, outlets, sources) as
JSON, CSV, Parquet, text tables and one HTML page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.audit.build import build_audit, run_audit
    from provenance.audit.csv import write_csv
    from provenance.audit.html import cluster_svg, render_report, timeline_svg
    from provenance.audit.model import AUDIT_SCHEMA, Audit, audit_from_json, audit_json
    from provenance.audit.parquet import write_parquet
    from provenance.audit.text import audit_tables

__all__ = [
    "AUDIT_SCHEMA",
    "Audit",
    "audit_from_json",
    "audit_json",
    "audit_tables",
    "build_audit",
    "cluster_svg",
    "render_report",
    "run_audit",
    "timeline_svg",
    "write_csv",
    "write_parquet",
]

if not TYPE_CHECKING:  # mypy reads the imports above: an __getattr__ would let it accept any name
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "build": ("build_audit", "run_audit"),
            "csv": ("write_csv",),
            "html": ("cluster_svg", "render_report", "timeline_svg"),
            "model": ("AUDIT_SCHEMA", "Audit", "audit_from_json", "audit_json"),
            "parquet": ("write_parquet",),
            "text": ("audit_tables",),
        },
    )
