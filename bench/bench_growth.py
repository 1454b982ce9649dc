"""How ingest and check behave as the corpus grows, on SQLite and PostgreSQL.

One database is filled in stages by provenance.ingest.ingest (workers = CPU count) from
JSONL of synthetic articles of real sentences (bench/corpus.py, ~5% exact copies and ~5%
footer copies). At each milestone (--milestones, default 10,000, 100,000 and 1,000,000
articles) it prints the ingest rate of the last stage and the CPU it cost per article (the writer,
the workers and, on PostgreSQL, the local server: bench/cpu.py), then the latency of --queries checks
in-process (half footer copies of stored articles, half new articles: document_from_text,
prepare_document and check_prepared), whether the copies found their originals, and the database size;
on PostgreSQL also the server settings that decide how the index tables age (autovacuum, shared
buffers, WAL size), and how often the LSH tables were vacuumed.

    .venv/bin/python -m bench.bench_growth --db sqlite:////tmp/growth.sqlite --milestones 10000,100000
    .venv/bin/python -m bench.bench_growth --db postgresql+psycopg://postgres@127.0.0.1:5432/test --milestones 10000,100000
    .venv/bin/python -m bench.bench_growth --db sqlite:////tmp/small.sqlite --milestones 50 --queries 10   # the smoke test's

The database must be empty (or absent, for SQLite): the milestones count from zero. On
PostgreSQL it uses the schema of the URL's user (give a fresh database or schema). With
--existing (and the same milestones), it measures check again, at the last milestone, on a database an earlier run
filled (same seed): the articles are made again, not ingested. When the last stage was stopped
before its milestone, --stopped-at gives the articles the database holds (the first ones of that
stage, which is made at its full size: a stage's copies are drawn over all of it). With
--resume, it goes on filling a database an earlier run stopped at one of the milestones (same
seed and milestones): the articles of the milestones it holds are made again, not ingested or
measured.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.bench_ingest import (
    Progress,
    check_queries,
    log,
    peak_rss_mb,
    rate,
    run_queries,
    write_jsonl,
)
from bench.corpus import DEFAULT_CORPUS, ArticleFactory, Entry, load_pools, syndicated_stream
from bench.cpu import cpu_spent, cpu_times, per_article_ms
from provenance.config import Settings
from provenance.ingest import ingest
from provenance.store import Store


def database_bytes(store: Store, url: str) -> int:
    """Bytes on disk of the database (SQLite file with -wal, or PostgreSQL's pg_database_size)."""
    if store.dialect == "postgresql":
        with store.engine.connect() as connection:
            return int(
                connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            )
    path = Path(url.split("///", 1)[1])
    return sum(
        candidate.stat().st_size for candidate in (path, Path(f"{path}-wal")) if candidate.exists()
    )


SERVER_SETTINGS = (
    "autovacuum",
    "shared_buffers",
    "max_wal_size",
    "checkpoint_timeout",
    "wal_compression",
    "synchronous_commit",
)
"""PostgreSQL settings that decide how the index tables behave as they grow: printed with the
figures.
"""


def server_settings(store: Store) -> dict[str, str]:
    """The PostgreSQL server's settings of SERVER_SETTINGS (with their units), and how many times
    the LSH tables were vacuumed (by autovacuum or by hand); nothing on SQLite.
    """
    if store.dialect != "postgresql":
        return {}
    with store.engine.connect() as connection:
        found = {
            str(name): str(value)
            for name, value in connection.execute(
                text(
                    "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(:names)"
                ),
                {"names": list(SERVER_SETTINGS)},
            )
        }
        vacuums = connection.execute(
            text(
                "SELECT coalesce(sum(autovacuum_count + vacuum_count), 0) FROM pg_stat_user_tables WHERE relname IN ('lsh_buckets', 'anchor_buckets')"
            )
        ).scalar_one()
    return {**found, "vacuums_of_lsh_tables": str(vacuums)}


def stage(
    store: Store,
    factory: ArticleFactory,
    count: int,
    workdir: Path,
    settings: Settings,
    seen: list[Entry],
    existing: bool,
    stored: int | None = None,
) -> dict[str, Any]:
    """Ingest `count` more articles; the stage's rate. With `existing` (the database holds them),
    only make the same articles again (for the queries), the first `stored` of them when the stage
    was stopped.
    """
    if existing:
        made = stored if stored is not None else count
        seen.extend(islice(syndicated_stream(factory, count), made))
        return {"stage_records": made, "stage": "not ingested: the database holds them"}
    paths, entries = write_jsonl(
        syndicated_stream(factory, count),
        workdir,
        f"stage{len(seen)}",
        int(settings.max_file_bytes * 0.9),
    )
    seen.extend(entries)
    progress = Progress(count, "ingest")
    server = store.dialect == "postgresql"
    cpu_before = cpu_times(server)
    start = time.perf_counter()
    report = ingest(
        store,
        [str(path) for path in paths],
        settings,
        on_progress=progress,
        workers=os.cpu_count() or 1,
    )
    seconds = time.perf_counter() - start
    spent = cpu_spent(cpu_before, cpu_times(server))
    for path in paths:
        path.unlink()
    return {
        "stage_records": count,
        "stage_seconds": round(seconds, 1),
        "stage_records_per_s": rate(report.read, seconds),
        "stage_cpu_seconds": spent,
        "stage_cpu_ms_per_article": per_article_ms(spent, report.read),
        "links": dict(report.links),
        "failures": len(report.failures),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="database URL (an empty database)")
    parser.add_argument(
        "--milestones",
        default="10000,100000,1000000",
        help="corpus sizes to measure at (default %(default)s)",
    )
    parser.add_argument(
        "--queries", type=int, default=200, help="check queries per milestone (default %(default)s)"
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of the shared corpora"
    )
    parser.add_argument(
        "--seed", type=int, default=20240601, help="RNG seed of the synthetic articles"
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="the database was filled by an earlier run with the same seed and milestones: only measure check",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="the database holds the articles of the first milestones, from an earlier run with the same seed and milestones: go on from there",
    )
    parser.add_argument(
        "--stopped-at",
        type=int,
        help="with --existing: the last stage was stopped when the database held this many articles (measure check there)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON at the end")
    args = parser.parse_args(argv)
    settings = Settings()
    store = Store(args.db)
    stored = store.count_articles()
    milestones = [int(value) for value in args.milestones.split(",")]
    if stored and not (args.existing or args.resume):
        parser.error(
            f"{args.db} already holds {stored:,} articles; give an empty database, or --existing or --resume"
        )
    if args.resume and args.existing:
        parser.error("give --existing (measure again) or --resume (go on filling), not both")
    if args.resume and stored not in (0, *milestones):
        parser.error(
            f"--resume: {args.db} holds {stored:,} articles, which is not one of the milestones {args.milestones}"
        )
    factory = ArticleFactory(load_pools(args.corpus), args.seed)
    seen: list[Entry] = []
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for milestone in milestones:
            stopped = (
                args.stopped_at - len(seen)
                if args.stopped_at and milestone == milestones[-1]
                else None
            )
            made_again = args.existing or (args.resume and milestone <= stored)
            figures: dict[str, Any] = {
                "articles": args.stopped_at if stopped is not None else milestone,
                **stage(
                    store,
                    factory,
                    milestone - len(seen),
                    Path(folder),
                    settings,
                    seen,
                    made_again,
                    stopped,
                ),
            }
            if (args.existing and milestone != milestones[-1]) or (
                args.resume and milestone <= stored
            ):
                check_queries(
                    factory, seen, args.queries
                )  # the queries take from the same RNG as the articles: keep the sequence
                continue  # --existing measures at the last milestone only; --resume, past the milestones the earlier run measured
            log(f"{milestone:,}: {args.queries} check queries")
            checked = run_queries(store, check_queries(factory, seen, args.queries), settings)
            figures["check_all_ms"] = checked["latency_all"]
            figures["check_prepared_only_ms"] = checked["check_prepared_only"]
            figures["copies_matched_original_share"] = checked["copies_matched_original_share"]
            figures["new_flagged_share"] = checked["new_flagged_share"]
            figures["db_bytes_per_article"] = round(
                database_bytes(store, args.db) / max(store.count_articles(), 1)
            )
            figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
            figures["server"] = server_settings(store)
            results.append(figures)
            print(f"== {store.dialect}, {milestone:,} articles ==", flush=True)
            for name, value in figures.items():
                print(f"  {name:<32} {value}", flush=True)
    store.close()
    if args.json:
        print(json.dumps({"db": store.dialect, "milestones": results}, indent=2))


if __name__ == "__main__":
    main()
