"""The audit as Parquet tables with typed columns: articles, links, clusters and passages, and the
attributions and quotes of the audited articles (what write_csv writes, and each passage's text).

The schemas are the constants below, documented in docs/json.md. The Spark engine writes its
articles, links, clusters and passages tables under the same column names (docs/spark.md).
Publication times are ISO 8601 text as in the audit's JSON (a date only, a time with no zone, or
an instant ending in ``Z``), and ``published_at`` is that instant as a UTC timestamp where one is
known (null for a date only or a time with no zone: it is not guessed).

This module imports pyarrow, so it is imported only where Parquet is written.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.audit.model import Audit
from provenance.errors import InputError
from provenance.store.reader import StoreReader
from provenance.store.store import Store

_ID = pa.int64()
_TEXT = pa.string()
_SCORE = pa.float64()
_INSTANT = pa.timestamp("us", tz="UTC")

ARTICLES_SCHEMA = pa.schema(
    [
        pa.field("article_id", _ID, nullable=False),
        pa.field("title", _TEXT),
        pa.field("url", _TEXT),
        pa.field("outlet", _TEXT),
        pa.field("domain", _TEXT),
        pa.field("published", _TEXT),
        pa.field("published_at", _INSTANT),
        pa.field("published_precision", _TEXT, nullable=False),
        pa.field("language", _TEXT),
        pa.field("cluster_id", _ID),
        pa.field("role", _TEXT, nullable=False),
        pa.field("sources", pa.list_(_TEXT), nullable=False),
    ]
)
"""articles.parquet: every audited article; ``cluster_id`` null when it has no copy."""

LINKS_SCHEMA = pa.schema(
    [
        pa.field("origin_id", _ID, nullable=False),
        pa.field("copy_id", _ID, nullable=False),
        pa.field("kind", _TEXT, nullable=False),
        pa.field("jaccard", _SCORE),
        pa.field("alignment_score", _SCORE),
        pa.field("containment", _SCORE, nullable=False),
        pa.field("reverse_containment", _SCORE, nullable=False),
        pa.field("direction", _TEXT, nullable=False),
        pa.field("direction_reason", _TEXT, nullable=False),
        pa.field("cluster_id", _ID),
    ]
)
"""links.parquet: the copy links of the clusters, then those of the relations between clusters
(``cluster_id`` null); a translation has an ``alignment_score`` and no ``jaccard``, the others the
reverse.
"""

CLUSTERS_SCHEMA = pa.schema(
    [
        pa.field("cluster_id", _ID, nullable=False),
        pa.field("size", _ID, nullable=False),
        pa.field("title", _TEXT),
        pa.field("origin_id", _ID),
        pa.field("origin_determined", pa.bool_(), nullable=False),
        pa.field("origin_reason", _TEXT, nullable=False),
        pa.field("members", pa.list_(_ID), nullable=False),
    ]
)
"""clusters.parquet: each cluster, largest first, its members' ids in time order; ``origin_id``
null when the origin is not determined.
"""

PASSAGES_SCHEMA = pa.schema(
    [
        pa.field("passage_id", _ID, nullable=False),
        pa.field("article_id", _ID, nullable=False),
        pa.field("start", _ID, nullable=False),
        pa.field("end", _ID, nullable=False),
        pa.field("outlet", _TEXT),
        pa.field("published", _TEXT),
        pa.field("published_at", _INSTANT),
        pa.field("first", pa.bool_(), nullable=False),
        pa.field("source", _TEXT),
        pa.field("words", _ID, nullable=False),
        pa.field("text", _TEXT, nullable=False),
    ]
)
"""passages.parquet: a row per witness of a reused passage, with its character offsets in the
article; ``first`` marks the earliest witness, ``text`` is the passage as the audit shortens it.
"""

ATTRIBUTIONS_SCHEMA = pa.schema(
    [
        pa.field("article_id", _ID, nullable=False),
        pa.field("source", _TEXT, nullable=False),
        pa.field("source_kind", _TEXT),
        pa.field("kind", _TEXT, nullable=False),
        pa.field("cue", _TEXT, nullable=False),
        pa.field("sentence", _TEXT, nullable=False),
        pa.field("start", _ID),
        pa.field("end", _ID),
        pa.field("location", _TEXT, nullable=False),
    ]
)
"""attributions.parquet: the sources the audited articles cite, as attributions.csv."""

QUOTES_SCHEMA = pa.schema(
    [
        pa.field("article_id", _ID, nullable=False),
        pa.field("text", _TEXT, nullable=False),
        pa.field("speaker", _TEXT),
        pa.field("source", _TEXT),
        pa.field("start", _ID, nullable=False),
        pa.field("end", _ID, nullable=False),
    ]
)
"""quotes.parquet: the audited articles' quotations, as quotes.csv."""

ARTICLES_AT_ONCE = 2000
"""Articles whose attributions and quotes are read from the store at a time (as write_csv)."""
ROWS_AT_ONCE = 10_000
"""Rows written to a file at a time: a table is never held in memory whole."""


def write_parquet(audit: Audit, store: Store, folder: Path) -> list[Path]:
    """articles.parquet, links.parquet, clusters.parquet, passages.parquet, attributions.parquet and
    quotes.parquet of an audit, in a folder (made if missing).

    Each file is written to a hidden temporary file in the folder and renamed over the old one, so
    a reader never sees half a table.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot write Parquet files to {folder}: {error.strerror}") from error
    ids = sorted({article.article_id for article in audit.articles})
    chunks = [
        ids[first : first + ARTICLES_AT_ONCE] for first in range(0, len(ids), ARTICLES_AT_ONCE)
    ]
    with store.reader() as reader:
        tables: list[tuple[str, pa.Schema, Iterable[dict[str, Any]]]] = [
            ("articles", ARTICLES_SCHEMA, _article_rows(audit)),
            ("links", LINKS_SCHEMA, _link_rows(audit)),
            ("clusters", CLUSTERS_SCHEMA, _cluster_rows(audit)),
            ("passages", PASSAGES_SCHEMA, _passage_rows(audit)),
            ("attributions", ATTRIBUTIONS_SCHEMA, _attribution_rows(reader, chunks)),
            ("quotes", QUOTES_SCHEMA, _quote_rows(reader, chunks)),
        ]
        return [
            _write_table(folder / f"{name}.parquet", schema, rows) for name, schema, rows in tables
        ]


def _instant(published: str | None) -> dt.datetime | None:
    """The UTC instant of an ISO 8601 publication time that ends in ``Z``; None for a date only or a
    time with no zone.
    """
    if published is None or not published.endswith("Z"):
        return None
    return dt.datetime.fromisoformat(published)


def _article_rows(audit: Audit) -> Iterator[dict[str, Any]]:
    """A row per audited article."""
    for article in audit.articles:
        yield {
            "article_id": article.article_id,
            "title": article.title,
            "url": article.url,
            "outlet": article.outlet,
            "domain": article.domain,
            "published": article.published,
            "published_at": _instant(article.published),
            "published_precision": article.published_precision,
            "language": article.language,
            "cluster_id": article.cluster_id,
            "role": article.role,
            "sources": list(article.sources),
        }


def _link_rows(audit: Audit) -> Iterator[dict[str, Any]]:
    """A row per copy link: the clusters' links with their cluster, then the relations' links."""
    grouped = [
        *((cluster.id, cluster.links) for cluster in audit.clusters),
        *((None, relation.links) for relation in audit.relations),
    ]
    for cluster_id, links in grouped:
        for link in links:
            yield {
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


def _cluster_rows(audit: Audit) -> Iterator[dict[str, Any]]:
    """A row per cluster, with its members' ids."""
    for cluster in audit.clusters:
        yield {
            "cluster_id": cluster.id,
            "size": cluster.size,
            "title": cluster.title,
            "origin_id": cluster.origin.article_id,
            "origin_determined": cluster.origin.determined,
            "origin_reason": cluster.origin.reason,
            "members": [member.article_id for member in cluster.members],
        }


def _passage_rows(audit: Audit) -> Iterator[dict[str, Any]]:
    """A row per witness of each reused passage."""
    for passage in audit.passages:
        for witness in passage.witnesses:
            yield {
                "passage_id": passage.id,
                "article_id": witness.article_id,
                "start": witness.start,
                "end": witness.end,
                "outlet": witness.outlet,
                "published": witness.published,
                "published_at": _instant(witness.published),
                "first": witness.article_id == passage.first.article_id,
                "source": passage.source,
                "words": passage.words,
                "text": passage.text,
            }


def _attribution_rows(reader: StoreReader, chunks: list[list[int]]) -> Iterator[dict[str, Any]]:
    """A row per attribution of the audited articles, read a chunk of articles at a time."""
    for chunk in chunks:
        for found in reader.attribution_records(chunk):
            yield {
                "article_id": found.article_id,
                "source": found.source_name,
                "source_kind": found.source_kind,
                "kind": found.kind,
                "cue": found.cue,
                "sentence": found.sentence,
                "start": found.start,
                "end": found.end,
                "location": found.location,
            }


def _quote_rows(reader: StoreReader, chunks: list[list[int]]) -> Iterator[dict[str, Any]]:
    """A row per quotation of the audited articles, read a chunk of articles at a time."""
    for chunk in chunks:
        for quote in reader.quote_records(chunk):
            yield {
                "article_id": quote.article_id,
                "text": quote.text,
                "speaker": quote.speaker,
                "source": quote.source_name,
                "start": quote.start,
                "end": quote.end,
            }


def _write_table(path: Path, schema: pa.Schema, rows: Iterable[dict[str, Any]]) -> Path:
    """A Parquet file of dict rows, written ROWS_AT_ONCE at a time to a temporary file that then
    replaces `path`.
    """
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    iterator = iter(rows)
    try:
        with pq.ParquetWriter(temporary, schema) as writer:
            while batch := list(islice(iterator, ROWS_AT_ONCE)):
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
        os.replace(temporary, path)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from error
    finally:
        temporary.unlink(missing_ok=True)
    return path
