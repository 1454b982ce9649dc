"""The audit as CSV files: articles, links, clusters, attributions and quotes, with inert cells."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from provenance.audit.model import Audit, to_json
from provenance.errors import InputError
from provenance.store.store import Store

# ---- CSV -----------------------------------------------------------------------------


CSV_CHUNK = 2000
"""Articles whose attributions and quotes write_csv reads at a time.

Reading them all at once held every row of the 100,000-article audit of bench/bench_audit.py in
memory (the attributions file alone is 200 MB).
"""


def write_csv(audit: Audit, store: Store, folder: Path) -> list[Path]:
    """articles.csv, links.csv, clusters.csv, attributions.csv and quotes.csv of an audit, in a folder.

    The attributions and quotes are read and written CSV_CHUNK articles at a time.
    """
    try:
        folder.mkdir(exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot write CSV files to {folder}: {error.strerror}") from error
    ids = sorted({article.article_id for article in audit.articles})
    chunks = [ids[first : first + CSV_CHUNK] for first in range(0, len(ids), CSV_CHUNK)]
    with store.reader() as reader:
        tables: dict[str, Iterable[dict[str, Any]]] = {
            "articles.csv": (
                {
                    k: (";".join(v) if isinstance(v, list) else v)
                    for k, v in to_json(article).items()
                }
                for article in audit.articles
            ),
            "links.csv": (
                {
                    k: v
                    for k, v in to_json(link).items()
                    if k not in ("shared_passages", "changed_passages")
                }
                | {"cluster_id": cluster_id}
                for cluster_id, links in [
                    *((c.id, c.links) for c in audit.clusters),
                    *((None, r.links) for r in audit.relations),
                ]
                for link in links
            ),
            "clusters.csv": (
                {
                    "cluster_id": c.id,
                    "size": c.size,
                    "title": c.title,
                    "origin_id": c.origin.article_id,
                    "origin": c.origin.reason,
                }
                for c in audit.clusters
            ),
            "attributions.csv": (
                {
                    "article_id": a.article_id,
                    "source": a.source_name,
                    "source_kind": a.source_kind,
                    "kind": a.kind,
                    "cue": a.cue,
                    "sentence": a.sentence,
                    "start": a.start,
                    "end": a.end,
                    "location": a.location,
                }
                for chunk in chunks
                for a in reader.attribution_records(chunk)
            ),
            "passages.csv": (
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
                }
                for p in audit.passages
                for w in p.witnesses
            ),
            "quotes.csv": (
                {
                    "article_id": q.article_id,
                    "text": q.text,
                    "speaker": q.speaker,
                    "source": q.source_name,
                    "start": q.start,
                    "end": q.end,
                }
                for chunk in chunks
                for q in reader.quote_records(chunk)
            ),
        }
        return [_write_table(folder / name, rows) for name, rows in tables.items()]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(row: dict[str, Any]) -> dict[str, Any]:
    """A row whose text cells cannot run as spreadsheet formulas: a cell starting ``= + - @`` (or a
    tab) gets a leading ``'``, as OWASP advises.
    """
    return {
        key: f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value
        for key, value in row.items()
    }


def _write_table(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """A CSV file of dict rows, its header the first row's keys (``article_id`` alone when there is
    none).
    """
    iterator = iter(rows)
    first = next(iterator, None)
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(first) if first else ["article_id"])
            writer.writeheader()
            if first is not None:
                writer.writerow(_inert(first))
                writer.writerows(map(_inert, iterator))
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror}") from error
    return path
