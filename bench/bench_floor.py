"""What an ingest's writes cost by themselves: the rows an ingest stored, written again with nothing else to do.

An ingest's writer, for each batch, looks up LSH candidates, verifies them and writes. This
script measures the writes alone. It reads every row of a database an ingest filled (articles,
paragraphs, attributions, quotes, copy links, LSH and translation buckets) and writes them into
an empty database of the same schema through the Store's own bulk methods, as the writer calls
them: batches of --batch articles (the ingest's batch size by default), one transaction each,
with the writer's lock; paragraphs indexed for search per batch on SQLite (FTS5), by the GIN
index on PostgreSQL; COPY on PostgreSQL. No text is analysed, no candidate looked up, nothing
verified or signed.

For each target it prints the articles per second, the CPU per article of this process (with
SQLite inside it) and, on PostgreSQL, of the local server (bench/cpu.py), and the client's wall
time by kind of write. An ingest writes one batch at a time (one writer, and the writer's lock
between concurrent ingests), so the rate here is a ceiling on any ingest with this schema on
this machine, whatever the text analysis and the lookups cost. --without leaves kinds of rows
out, to show what each costs and what the barest schema would allow.

    /tmp/venv/bin/python bench/bench_ingest.py --parts ingest --workdir /tmp/bw    # keeps /tmp/bw/ingest.sqlite
    /tmp/venv/bin/python bench/bench_floor.py sqlite:////tmp/bw/ingest.sqlite \\
        --db sqlite:////tmp/floor.sqlite --db postgresql+psycopg://postgres@127.0.0.1:5432/floor

A target must be empty (or, for SQLite, absent). The source is only read (opened as every Store
is, which upgrades an older schema); all its rows are held in memory.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cpu import cpu_spent, cpu_times, per_article_ms  # noqa: E402

from provenance.ingest.run import BATCH_SIZE
from provenance.store.schema import AnchorBucket, Article, Attribution, Base, Bucket, CopyLink, Paragraph, Quote, Source
from provenance.store.store import Store, _table

TABLES = (Article, Paragraph, Attribution, Quote, CopyLink, Bucket, AnchorBucket)
"""The tables an ingest's writes fill (its sources table aside, which the targets get before the clock starts)."""
WITHOUT = ("paragraphs", "attributions", "quotes", "links", "anchors")
"""Kinds of rows --without can leave out: a paragraph's row with its search index, an attribution, a quote, a copy link, a translation bucket."""
WITHOUT_TABLES = {"paragraphs": "paragraphs", "attributions": "attributions", "quotes": "quotes", "links": "copy_links", "anchors": "anchor_buckets"}


@dataclass
class Batch:
    """The rows of a run of articles, ready for the Store's bulk methods (the articles' ids as the source has them)."""

    ids: list[int]
    articles: list[dict[str, Any]]
    paragraphs: list[dict[str, Any]] = field(default_factory=list)
    attributions: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    bucket_keys: list[int] = field(default_factory=list)
    bucket_ids: list[int] = field(default_factory=list)
    anchor_keys: list[int] = field(default_factory=list)
    anchor_ids: list[int] = field(default_factory=list)
    anchor_languages: list[str] = field(default_factory=list)


def _rows(store: Store, model: type[Base], order: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Every row of a model's table as a dict, in the given column order."""
    table = _table(model)
    with store.reading() as session:
        for row in session.execute(select(table).order_by(*(table.c[name] for name in order))).mappings():
            yield dict(row)


def _by_article(store: Store, model: type[Base], key: str = "article_id") -> dict[int, list[dict[str, Any]]]:
    """A child table's rows grouped by their article, each without its own id."""
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(store, model, (key, "id")):
        row.pop("id")
        grouped[row[key]].append(row)
    return grouped


def row_counts(store: Store) -> dict[str, int]:
    """Rows in each table the writes fill."""
    with store.reading() as session:
        return {_table(model).name: int(session.execute(select(func.count()).select_from(_table(model))).scalar_one()) for model in TABLES}


def read_batches(store: Store, size: int) -> tuple[list[dict[str, Any]], list[Batch]]:
    """The source's sources table, and its articles with all their rows in batches of `size`, in id order.

    A copy link goes with the batch of its later article, as the writer stores a link with the
    article that found it.
    """
    sources = list(_rows(store, Source, ("id",)))
    articles = list(_rows(store, Article, ("id",)))
    paragraphs, attributions, quotes = _by_article(store, Paragraph), _by_article(store, Attribution), _by_article(store, Quote)
    links: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for link in _rows(store, CopyLink, ("id",)):
        link.pop("id")
        links[max(link["origin_id"], link["copy_id"])].append(link)
    buckets = {article_id: [row["key"] for row in rows] for article_id, rows in groupby(_rows(store, Bucket, ("article_id", "key")), key=itemgetter("article_id"))}
    anchors = {article_id: list(rows) for article_id, rows in groupby(_rows(store, AnchorBucket, ("article_id", "key")), key=itemgetter("article_id"))}
    batches = []
    for start in range(0, len(articles), size):
        chunk = articles[start : start + size]
        batch = Batch([row.pop("id") for row in chunk], chunk)
        for article_id in batch.ids:
            batch.paragraphs += paragraphs.get(article_id, [])
            batch.attributions += attributions.get(article_id, [])
            batch.quotes += quotes.get(article_id, [])
            batch.links += links.get(article_id, [])
            keys = buckets.get(article_id, [])
            batch.bucket_keys += keys
            batch.bucket_ids += [article_id] * len(keys)
            for row in anchors.get(article_id, []):
                batch.anchor_keys.append(row["key"])
                batch.anchor_ids.append(article_id)
                batch.anchor_languages.append(row["language"])
        batches.append(batch)
    return sources, batches


def _renumbered(rows: list[dict[str, Any]], new_ids: dict[int, int], *columns: str) -> list[dict[str, Any]]:
    """The rows with these article-id columns changed to the target's ids."""
    return [{**row, **{column: new_ids[row[column]] for column in columns if row[column] is not None}} for row in rows]


def write_batch(store: Store, batch: Batch, new_ids: dict[int, int], phases: dict[str, float], without: frozenset[str] = frozenset()) -> None:
    """Write one batch in one transaction, as the ingest's writer does (but for the kinds of rows in `without`), adding each kind of write's wall time to `phases`."""

    def timed(phase: str, started: float) -> float:
        now = time.perf_counter()
        phases[phase] += now - started
        return now

    started = time.perf_counter()
    with store.transaction() as session:
        store.lock_for_writing(session)
        articles = _renumbered(batch.articles, new_ids, "previous_version_id")
        new_ids.update(zip(batch.ids, store.insert_articles(session, articles)))
        started = timed("articles", started)
        children = [[] if kind in without else _renumbered(rows, new_ids, "article_id") for kind, rows in (("paragraphs", batch.paragraphs), ("attributions", batch.attributions), ("quotes", batch.quotes))]
        store.insert_children(session, *children)
        started = timed("paragraphs_attributions_quotes", started)
        if "links" not in without:
            store.insert_links(session, _renumbered(batch.links, new_ids, "origin_id", "copy_id"))
        started = timed("links", started)
        store.insert_buckets(session, np.array(batch.bucket_keys, dtype=np.int64), np.array([new_ids[i] for i in batch.bucket_ids], dtype=np.int64))
        if "anchors" not in without:
            languages = np.array(batch.anchor_languages, dtype=object)
            store.insert_anchor_buckets(session, np.array(batch.anchor_keys, dtype=np.int64), np.array([new_ids[i] for i in batch.anchor_ids], dtype=np.int64), languages)
        started = timed("buckets", started)
    timed("commit", started)


def measure(url: str, sources: list[dict[str, Any]], batches: list[Batch], without: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Write every batch into the empty database at `url`: the rate, the CPU per article by side, the client's wall time by write, and the rows written."""
    store = Store(url)
    try:
        with store.transaction() as session:
            if sources:
                session.execute(insert(_table(Source)), sources)
        server = store.dialect == "postgresql"
        articles = sum(len(batch.ids) for batch in batches)
        phases: dict[str, float] = defaultdict(float)
        new_ids: dict[int, int] = {}
        before, started = cpu_times(server=server), time.perf_counter()
        for number, batch in enumerate(batches, start=1):
            write_batch(store, batch, new_ids, phases, without)
            print(f"  {store.dialect}: batch {number}/{len(batches)}", file=sys.stderr, flush=True)
        seconds = time.perf_counter() - started
        spent = cpu_spent(before, cpu_times(server=server))
        per_article = per_article_ms(spent, articles)
        stored = row_counts(store)
    finally:
        store.close()
    return {
        "db": store.dialect,
        "without": ",".join(sorted(without)) or "nothing",
        "articles": articles,
        "rows_written": stored,
        "seconds": round(seconds, 2),
        "articles_per_s": round(articles / seconds, 1),
        "cpu_seconds": spent,
        "cpu_ms_per_article": per_article,
        "client_wall_ms_per_article": {phase: round(1000 * value / articles, 3) for phase, value in phases.items()},
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="URL of a database an ingest filled (only read)")
    parser.add_argument("--db", action="append", required=True, help="URL of an empty target database; give it once per target")
    parser.add_argument("--batch", type=int, default=BATCH_SIZE, help="articles per transaction (default: the ingest's, %(default)s)")
    parser.add_argument("--without", default="", help=f"comma-separated kinds of rows not to write, of {','.join(WITHOUT)} (the articles and their copy LSH keys are always written)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    without = frozenset(kind for kind in args.without.split(",") if kind)
    if unknown := without - set(WITHOUT):
        parser.error(f"--without: unknown kinds {', '.join(sorted(unknown))}; choose from {','.join(WITHOUT)}")
    left_out = {WITHOUT_TABLES[kind] for kind in without}
    source_url = make_url(args.source)
    if source_url.get_backend_name() == "sqlite" and not Path(source_url.database or "").is_file():
        parser.error(f"no SQLite file at {source_url.database}")
    for url in args.db:
        target = Store(url)
        stored = sum(row_counts(target).values())
        target.close()
        if stored:
            parser.error(f"{url} is not empty: give an empty database (or a new SQLite file)")
    source = Store(args.source)
    try:
        started = time.perf_counter()
        in_source = row_counts(source)
        if not in_source["articles"]:
            parser.error(f"{args.source} holds no articles: give a database an ingest filled")
        sources, batches = read_batches(source, args.batch)
        print(f"read {sum(len(b.ids) for b in batches):,} articles in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    finally:
        source.close()
    results = []
    for url in args.db:
        figures = measure(url, sources, batches, without)
        figures["rows_as_in_source"] = figures["rows_written"] == {name: 0 if name in left_out else count for name, count in in_source.items()}
        results.append(figures)
        if not args.json:
            print(f"== {figures['db']} ==")
            for name, value in figures.items():
                print(f"  {name:<28} {value}")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
