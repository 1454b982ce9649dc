"""What an ingest's writes cost by themselves: the rows an ingest stored, written again with nothing else to do.

An ingest's writer, for each batch, looks up LSH candidates, verifies them and writes. This
script measures the writes alone. It reads every row of a database an ingest filled (articles,
paragraphs, attributions, quotes, copy links, LSH and translation buckets) and writes them into
an empty database of the same schema through the store's BatchWriter (``Store.writer()``), as
the ingest's writer calls it: batches of --batch articles (the ingest's batch size by default),
one transaction each, with the writer's lock; paragraphs indexed for search per batch on SQLite
(FTS5), by the GIN index on PostgreSQL; COPY on PostgreSQL. No text is analysed, no candidate
looked up, nothing verified or signed.

For each target it prints the articles per second, the CPU per article of this process (with
SQLite inside it) and, on PostgreSQL, of the local server (bench/cpu.py), and the client's wall
time by kind of write. An ingest writes one batch at a time (one writer, and the writer's lock
between concurrent ingests), so the rate here is a ceiling on any ingest with this schema on
this machine, whatever the text analysis and the lookups cost. --without leaves kinds of rows
out, to show what each costs and what the barest schema would allow.

    .venv/bin/python -m bench.bench_ingest --parts ingest --workdir /tmp/bw    # keeps /tmp/bw/ingest.sqlite
    .venv/bin/python -m bench.bench_floor sqlite:////tmp/bw/ingest.sqlite \\
        --db sqlite:////tmp/floor.sqlite --db postgresql+psycopg://postgres@127.0.0.1:5432/floor

(--size 50 in the first command makes a source small enough for a quick run.)

A target must be empty (or, for SQLite, absent). The source is only read (opened as every Store
is, which upgrades an older schema); all its rows are held in memory.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import JSON, column, insert, select, table, text
from sqlalchemy.engine import make_url

from bench.cpu import cpu_spent, cpu_times, per_article_ms
from provenance.ingest import BATCH_SIZE
from provenance.store import AttributionRecord, NewArticle, NewLink, QuoteRecord, Store

TABLES = (
    "articles",
    "paragraphs",
    "attributions",
    "quotes",
    "copy_links",
    "lsh_buckets",
    "anchor_buckets",
)
"""The tables an ingest's writes fill (its sources table aside, which the targets get before the
clock starts).
"""
WITHOUT = ("paragraphs", "attributions", "quotes", "links", "anchors")
"""Kinds of rows --without can leave out: a paragraph's row with its search index, an attribution, a
quote, a copy link, a translation bucket.
"""
WITHOUT_TABLES = {
    "paragraphs": "paragraphs",
    "attributions": "attributions",
    "quotes": "quotes",
    "links": "copy_links",
    "anchors": "anchor_buckets",
}
SOURCES = table(
    "sources",
    column("id"),
    column("name"),
    column("kind"),
    column("country"),
    column("domains", JSON),
)
"""The sources table, copied with its ids (the attributions name them) by SQL: the writer's
source_ids numbers new sources itself.
"""


@dataclass
class Batch:
    """The rows of a run of articles, ready for the writer's bulk methods (the articles' ids as the
    source has them).
    """

    ids: list[int]
    articles: list[NewArticle]
    paragraphs: list[tuple[int, int, str]] = field(default_factory=list)
    attributions: list[AttributionRecord] = field(default_factory=list)
    quotes: list[QuoteRecord] = field(default_factory=list)
    links: list[NewLink] = field(default_factory=list)
    bucket_keys: list[int] = field(default_factory=list)
    bucket_ids: list[int] = field(default_factory=list)
    anchor_keys: list[int] = field(default_factory=list)
    anchor_ids: list[int] = field(default_factory=list)
    anchor_languages: list[str] = field(default_factory=list)


def row_counts(store: Store) -> dict[str, int]:
    """Rows in each table the writes fill."""
    with store.reader() as reader:
        counts = reader.row_counts()
    return {name: counts[name] for name in TABLES}


def _index_rows(store: Store, name: str, columns: str) -> dict[int, list[tuple[Any, ...]]]:
    """An LSH bucket table's rows (without their article id) by article, in key order: SQL on the
    table, which no reader query lists whole.
    """
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    with store.engine.connect() as connection:
        for article_id, *rest in connection.execute(
            text(f"SELECT article_id, {columns} FROM {name} ORDER BY article_id, key")
        ):
            grouped[int(article_id)].append(tuple(rest))
    return grouped


def read_batches(store: Store, size: int) -> tuple[list[dict[str, Any]], list[Batch]]:
    """The source's sources table, and its articles with all their rows in batches of `size`, in id order.

    Articles, attributions, quotes and links come from the store's reader; paragraphs are the
    bodies' lines, as the writer stores them; the LSH keys and the sources table, from SQL.
    A copy link goes with the batch of its later article, as the writer stores a link with the
    article that found it.
    """
    with store.engine.connect() as connection:
        sources = [
            dict(row)
            for row in connection.execute(select(SOURCES).order_by(SOURCES.c.id)).mappings()
        ]
        sketches = {
            int(i): (int(count), bytes(signature))
            for i, count, signature in connection.execute(
                text("SELECT id, shingle_count, signature FROM articles")
            )
        }
    with store.reader() as reader:
        stored = reader.all_articles()
        ids = [article.id for article in stored]
        attributions: dict[int, list[AttributionRecord]] = defaultdict(list)
        for attribution in reader.attribution_records(ids):
            attributions[attribution.article_id].append(attribution)
        quotes: dict[int, list[QuoteRecord]] = defaultdict(list)
        for quote in reader.quote_records(ids):
            quotes[quote.article_id].append(quote)
        links: dict[int, list[NewLink]] = defaultdict(list)
        for link in reader.all_links():
            new = NewLink(
                link.origin_id,
                link.copy_id,
                link.kind,
                link.jaccard,
                link.containment,
                link.reverse_containment,
                link.direction,
                link.direction_reason,
                link.evidence,
            )
            links[max(link.origin_id, link.copy_id)].append(new)
    buckets = _index_rows(store, "lsh_buckets", "key")
    anchors = _index_rows(store, "anchor_buckets", "key, language")
    articles = [
        NewArticle(
            a.identity_key,
            a.content_hash,
            a.url,
            a.canonical_url,
            a.domain,
            a.outlet,
            a.title,
            a.author,
            a.publication,
            a.seen_at,
            a.language,
            a.body,
            a.furniture,
            a.origin,
            a.format,
            a.version,
            a.previous_version_id,
            *sketches[a.id],
        )
        for a in stored
    ]
    del stored
    batches = []
    for start in range(0, len(articles), size):
        batch = Batch(ids[start : start + size], articles[start : start + size])
        for article_id, article in zip(batch.ids, batch.articles):
            batch.paragraphs += [
                (article_id, position, line)
                for position, line in enumerate(article.body.split("\n"))
            ]
            batch.attributions += attributions.get(article_id, [])
            batch.quotes += quotes.get(article_id, [])
            batch.links += links.get(article_id, [])
            keys = [key for (key,) in buckets.get(article_id, [])]
            batch.bucket_keys += keys
            batch.bucket_ids += [article_id] * len(keys)
            for key, language in anchors.get(article_id, []):
                batch.anchor_keys.append(key)
                batch.anchor_ids.append(article_id)
                batch.anchor_languages.append(language)
        batches.append(batch)
    return sources, batches


def write_batch(
    store: Store,
    batch: Batch,
    new_ids: dict[int, int],
    phases: dict[str, float],
    without: frozenset[str] = frozenset(),
) -> None:
    """Write one batch in one transaction, as the ingest's writer does (but for the kinds of rows in
    `without`), adding each kind of write's wall time to `phases`.
    """

    def timed(phase: str, started: float) -> float:
        now = time.perf_counter()
        phases[phase] += now - started
        return now

    started = time.perf_counter()
    with store.writer() as writer:
        writer.lock_for_writing()
        articles = [
            article
            if article.previous_version_id is None
            else replace(article, previous_version_id=new_ids[article.previous_version_id])
            for article in batch.articles
        ]
        new_ids.update(zip(batch.ids, writer.insert_articles(articles)))
        started = timed("articles", started)
        paragraphs = (
            []
            if "paragraphs" in without
            else [
                (new_ids[article_id], position, line)
                for article_id, position, line in batch.paragraphs
            ]
        )
        attributions = (
            []
            if "attributions" in without
            else [
                replace(found, article_id=new_ids[found.article_id]) for found in batch.attributions
            ]
        )
        quotes = (
            []
            if "quotes" in without
            else [replace(quote, article_id=new_ids[quote.article_id]) for quote in batch.quotes]
        )
        writer.insert_children(paragraphs, attributions, quotes)
        started = timed("paragraphs_attributions_quotes", started)
        if "links" not in without:
            writer.insert_links(
                [
                    replace(link, origin_id=new_ids[link.origin_id], copy_id=new_ids[link.copy_id])
                    for link in batch.links
                ]
            )
        started = timed("links", started)
        writer.insert_buckets(
            np.array(batch.bucket_keys, dtype=np.int64),
            np.array([new_ids[i] for i in batch.bucket_ids], dtype=np.int64),
        )
        if "anchors" not in without:
            languages = np.array(batch.anchor_languages, dtype=object)
            writer.insert_anchor_buckets(
                np.array(batch.anchor_keys, dtype=np.int64),
                np.array([new_ids[i] for i in batch.anchor_ids], dtype=np.int64),
                languages,
            )
        started = timed("buckets", started)
    timed("commit", started)


def measure(
    url: str,
    sources: list[dict[str, Any]],
    batches: list[Batch],
    without: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Write every batch into the empty database at `url`: the rate, the CPU per article by side,
    the client's wall time by write, and the rows written.
    """
    store = Store(url)
    try:
        if sources:
            with store.engine.begin() as connection:
                connection.execute(insert(SOURCES), sources)
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
        "client_wall_ms_per_article": {
            phase: round(1000 * value / articles, 3) for phase, value in phases.items()
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", help="URL of a database an ingest filled (only read)")
    parser.add_argument(
        "--db",
        action="append",
        required=True,
        help="URL of an empty target database; give it once per target",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=BATCH_SIZE,
        help="articles per transaction (default: the ingest's, %(default)s)",
    )
    parser.add_argument(
        "--without",
        default="",
        help=f"comma-separated kinds of rows not to write, of {','.join(WITHOUT)} (the articles and their copy LSH keys are always written)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    without = frozenset(kind for kind in args.without.split(",") if kind)
    if unknown := without - set(WITHOUT):
        parser.error(
            f"--without: unknown kinds {', '.join(sorted(unknown))}; choose from {','.join(WITHOUT)}"
        )
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
        print(
            f"read {sum(len(b.ids) for b in batches):,} articles in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    finally:
        source.close()
    results = []
    for url in args.db:
        figures = measure(url, sources, batches, without)
        figures["rows_as_in_source"] = figures["rows_written"] == {
            name: 0 if name in left_out else count for name, count in in_source.items()
        }
        results.append(figures)
        if not args.json:
            print(f"== {figures['db']} ==")
            for name, value in figures.items():
                print(f"  {name:<28} {value}")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
