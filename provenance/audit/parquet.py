"""The audit as Parquet tables: articles, links, clusters and passages, with typed columns."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from provenance.audit.model import Audit
from provenance.errors import InputError

TABLES = ("articles", "links", "clusters", "passages")


def _schemas() -> dict[str, Any]:
    """The four tables' pyarrow schemas (pyarrow is imported only when Parquet is written)."""
    import pyarrow as pa

    text, number, whole = pa.string(), pa.float64(), pa.int64()
    return {
        "articles": pa.schema(
            [
                ("article_id", whole),
                ("title", text),
                ("url", text),
                ("outlet", text),
                ("domain", text),
                ("published", text),
                ("published_precision", text),
                ("language", text),
                ("cluster_id", whole),
                ("role", text),
                ("sources", pa.list_(text)),
            ]
        ),
        "links": pa.schema(
            [
                ("origin_id", whole),
                ("copy_id", whole),
                ("kind", text),
                ("jaccard", number),
                ("alignment_score", number),
                ("containment", number),
                ("reverse_containment", number),
                ("direction", text),
                ("direction_reason", text),
                ("cluster_id", whole),
            ]
        ),
        "clusters": pa.schema(
            [
                ("cluster_id", whole),
                ("size", whole),
                ("title", text),
                ("origin_id", whole),
                ("origin_determined", pa.bool_()),
                ("origin_reason", text),
                ("members", pa.list_(whole)),
            ]
        ),
        "passages": pa.schema(
            [
                ("passage_id", whole),
                ("article_id", whole),
                ("start", whole),
                ("end", whole),
                ("outlet", text),
                ("published", text),
                ("first", pa.bool_()),
                ("source", text),
                ("words", whole),
                ("text", text),
            ]
        ),
    }


def audit_rows(audit: Audit) -> dict[str, list[dict[str, Any]]]:
    """The rows of each table: what the CSV files hold, one link per row with its cluster (None
    for a link between clusters), one passage witness per row.
    """
    return {
        "articles": [
            {
                "article_id": a.article_id,
                "title": a.title,
                "url": a.url,
                "outlet": a.outlet,
                "domain": a.domain,
                "published": a.published,
                "published_precision": a.published_precision,
                "language": a.language,
                "cluster_id": a.cluster_id,
                "role": a.role,
                "sources": list(a.sources),
            }
            for a in audit.articles
        ],
        "links": [
            {
                "origin_id": link.origin_id,
                "copy_id": link.copy_id,
                "kind": link.kind,
                "jaccard": link.jaccard,
                "alignment_score": link.alignment_score,
                "containment": link.containment,
                "reverse_containment": link.reverse_containment,
                "direction": link.direction,
                "direction_reason": link.direction_reason,
                "cluster_id": cluster_id,
            }
            for cluster_id, links in [
                *((c.id, c.links) for c in audit.clusters),
                *((None, r.links) for r in audit.relations),
            ]
            for link in links
        ],
        "clusters": [
            {
                "cluster_id": c.id,
                "size": c.size,
                "title": c.title,
                "origin_id": c.origin.article_id,
                "origin_determined": c.origin.determined,
                "origin_reason": c.origin.reason,
                "members": [member.article_id for member in c.members],
            }
            for c in audit.clusters
        ],
        "passages": [
            {
                "passage_id": p.id,
                "article_id": w.article_id,
                "start": w.start,
                "end": w.end,
                "outlet": w.outlet,
                "published": w.published,
                "first": w.article_id == p.first.article_id,
                "source": p.source,
                "words": p.words,
                "text": p.text,
            }
            for p in audit.passages
            for w in p.witnesses
        ],
    }


def write_parquet(audit: Audit, folder: Path) -> list[Path]:
    """articles.parquet, links.parquet, clusters.parquet and passages.parquet of an audit, each
    written to a temporary file in the folder and then renamed over the old one.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot write Parquet files to {folder}: {error.strerror}") from error
    schemas = _schemas()
    written = []
    for name, rows in audit_rows(audit).items():
        path = folder / f"{name}.parquet"
        table = pa.Table.from_pylist(rows, schema=schemas[name])
        try:
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        except OSError as error:
            raise InputError(f"cannot write Parquet files to {folder}: {error.strerror}") from error
        os.close(handle)
        try:
            pq.write_table(table, temporary)
            os.replace(temporary, path)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise InputError(f"cannot write {path}: {error.strerror}") from error
        written.append(path)
    return written
