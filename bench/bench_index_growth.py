"""How the LSH index's cost per ingested article grows with the corpus, up to the size it has at 1,000,000 articles.

At 100,000 articles most of the writer's time goes to the LSH index: reading the members of a
batch's band keys, inserting the keys, and the commit that writes the pages they touched. Band
keys are hashes, so a batch's keys land on pages all over the table, and a batch of 2,000
articles (about 260,000 keys) touches most pages of a table of 13 million rows. This measures
that growth term alone, at index sizes a full ingest of a million articles takes hours to reach:

1. For each size in --sizes (articles), a fresh database made by ``provenance.store.Store`` (the
   real schema and settings), whose ``lsh_buckets`` table is filled, in key order, with
   size x --keys-per-article rows of random 64-bit keys. The default, 130, is what the
   100,000-article ``bench_audit.py`` corpus stores per article since schema 0006: 65 copy keys
   in ``lsh_buckets`` and 64 translation keys in ``anchor_buckets`` (196, all in ``lsh_buckets``,
   before it); here they all go to ``lsh_buckets``. The rows name article ids that are not
   stored (the bucket tables hold no foreign key since schema 0009). The fill is raw SQL on the
   table (COPY on PostgreSQL) through ``Store.engine``: it only sets the scene.
2. Then --batches batches of --batch new articles, each as the writer does it in one transaction
   (``Store.writer()``): minimal articles (``insert_articles``, not timed), ``bucket_members`` for
   the batch's keys, ``insert_buckets``, commit. The three are timed apart and reported per
   article (mean over the batches).

What it leaves out, so the figures are a floor for the index's share, not an ingest rate: keys
that hit (random keys almost all miss; at 100,000 real articles a lookup returns about 6 copy and
350 translation-anchor members per article), and the article, paragraph and search tables, which
stay small here, so the index's pages compete with nothing else for the page cache.

    .venv/bin/python -m bench.bench_index_growth --db sqlite:////tmp/index-growth.sqlite
    .venv/bin/python -m bench.bench_index_growth --db postgresql+psycopg://postgres@127.0.0.1:5432/test --sizes 10000,100000 --json
    .venv/bin/python -m bench.bench_index_growth --db sqlite:////tmp/small.sqlite --sizes 50 --batch 20 --batches 2   # the smoke test's
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text

from provenance.ingest import BATCH_SIZE
from provenance.store import NewArticle, Store

FILL_CHUNK = 2_000_000


def log(message: str) -> None:
    """Progress to stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_sizes(value: str) -> list[int]:
    """Comma-separated article counts."""
    return [int(part) for part in value.split(",") if part.strip()]


def fresh_store(url: str) -> Store:
    """An empty store at `url`: the SQLite file removed first, or PostgreSQL's tables emptied."""
    if url.startswith("sqlite:///"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Store(url)
    store = Store(url)
    with store.engine.begin() as connection:
        connection.execute(text("TRUNCATE articles, lsh_buckets RESTART IDENTITY CASCADE"))
    return store


def sorted_random_keys(count: int, seed: int) -> Iterator[np.ndarray]:
    """`count` random signed 64-bit keys in ascending order, in chunks (made and sorted at once,
    then cut).
    """
    keys = np.sort(
        np.random.default_rng(seed).integers(
            np.iinfo(np.int64).min, np.iinfo(np.int64).max, size=count, dtype=np.int64
        )
    )
    for start in range(0, count, FILL_CHUNK):
        yield keys[start : start + FILL_CHUNK]


def fill_index(store: Store, rows: int, articles: int, seed: int) -> float:
    """Fill lsh_buckets with `rows` rows in key order, naming article ids 1..articles; seconds
    taken.
    """
    start = time.perf_counter()
    rng = np.random.default_rng(seed + 1)
    done = 0
    with store.engine.begin() as connection:
        driver: Any = (
            connection.connection.driver_connection
        )  # the DBAPI connection, for COPY and executemany without SQLAlchemy
        for keys in sorted_random_keys(rows, seed):
            ids = rng.integers(1, articles + 1, size=len(keys), dtype=np.int64)
            if store.dialect == "postgresql":
                with (
                    driver.cursor() as cursor,
                    cursor.copy("COPY lsh_buckets (key, article_id) FROM STDIN") as copy,
                ):
                    copy.write("".join(map("{}\t{}\n".format, keys.tolist(), ids.tolist())))
            else:
                driver.executemany(
                    "INSERT OR IGNORE INTO lsh_buckets (key, article_id) VALUES (?, ?)",
                    zip(keys.tolist(), ids.tolist()),
                )
            done += len(keys)
            log(f"  fill: {done:,}/{rows:,} rows")
    if store.dialect == "postgresql":
        with store.engine.begin() as connection:
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('articles', 'id'), :last)"),
                {"last": articles},
            )
            connection.execute(text("ANALYZE lsh_buckets"))
    return time.perf_counter() - start


def new_articles(first: int, count: int) -> list[NewArticle]:
    """Minimal new articles, numbered from `first` in their keys and origins."""
    return [
        NewArticle(
            identity_key=f"index-growth-{number}",
            content_hash=f"{number:064x}",
            url=None,
            canonical_url=None,
            domain=None,
            outlet=None,
            title=None,
            author=None,
            publication=None,
            seen_at=None,
            language=None,
            body="",
            furniture=[],
            origin="bench_index_growth",
            format="text",
            version=1,
            previous_version_id=None,
            shingle_count=0,
            signature=b"",
        )
        for number in range(first, first + count)
    ]


def measure_batch(
    store: Store, first_id: int, batch: int, keys_per_article: int, rng: np.random.Generator
) -> dict[str, float]:
    """One writer batch on the index: seconds for the lookup, the insert and the commit."""
    keys = rng.integers(
        np.iinfo(np.int64).min,
        np.iinfo(np.int64).max,
        size=batch * keys_per_article,
        dtype=np.int64,
    )
    with store.writer() as writer:
        ids = np.repeat(
            np.array(writer.insert_articles(new_articles(first_id, batch)), dtype=np.int64),
            keys_per_article,
        )
        start = time.perf_counter()
        members = writer.bucket_members(keys)
        looked_up = time.perf_counter()
        writer.insert_buckets(keys, ids)
        inserted = time.perf_counter()
    committed = time.perf_counter()
    return {
        "lookup": looked_up - start,
        "insert": inserted - looked_up,
        "commit": committed - inserted,
        "members": float(len(members.article_ids)),
    }


def run_size(url: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    """Fill the index to `size` articles' rows, then time --batches writer batches on it."""
    rows = size * args.keys_per_article
    log(f"size {size:,}: filling {rows:,} index rows")
    store = fresh_store(url)
    try:
        fill_seconds = fill_index(store, rows, size, args.seed + size)
        rng = np.random.default_rng(args.seed)
        timings = []
        for number in range(args.batches):
            timings.append(
                measure_batch(
                    store, size + 1 + number * args.batch, args.batch, args.keys_per_article, rng
                )
            )
            log(
                f"  batch {number + 1}/{args.batches}: "
                + ", ".join(
                    f"{name} {seconds:.2f} s"
                    for name, seconds in timings[-1].items()
                    if name != "members"
                )
            )
    finally:
        store.engine.dispose()

    def per_article_ms(name: str) -> float:
        return round(
            1000 * statistics.mean([timing[name] for timing in timings]) / int(args.batch), 3
        )

    result = {
        "articles": size,
        "index_rows": rows,
        "fill_seconds": round(fill_seconds, 1),
        "lookup_ms_per_article": per_article_ms("lookup"),
        "insert_ms_per_article": per_article_ms("insert"),
        "commit_ms_per_article": per_article_ms("commit"),
        "members_per_article": round(
            statistics.median(timing["members"] for timing in timings) / args.batch, 2
        ),
        "batches": len(timings),
        "slowest_batch_seconds": round(
            max(timing["lookup"] + timing["insert"] + timing["commit"] for timing in timings), 2
        ),
    }
    result["index_ms_per_article"] = round(
        result["lookup_ms_per_article"]
        + result["insert_ms_per_article"]
        + result["commit_ms_per_article"],
        3,
    )
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        required=True,
        help="database URL: a SQLite file (replaced) or a PostgreSQL database (its tables emptied)",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[10_000, 100_000, 1_000_000],
        help="corpus sizes in articles (default 10000,100000,1000000)",
    )
    parser.add_argument(
        "--keys-per-article",
        type=int,
        default=130,
        help="index rows per article (default 130, as bench_audit.py's corpus)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=BATCH_SIZE,
        help="articles per writer batch (default %(default)s, provenance.ingest.BATCH_SIZE)",
    )
    parser.add_argument(
        "--batches", type=int, default=3, help="batches timed at each size (default 3)"
    )
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = [run_size(args.db, size, args) for size in args.sizes]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    columns = (
        "articles",
        "index_rows",
        "fill_seconds",
        "lookup_ms_per_article",
        "insert_ms_per_article",
        "commit_ms_per_article",
        "index_ms_per_article",
        "members_per_article",
    )
    print(" | ".join(columns))
    for result in results:
        print(
            " | ".join(
                f"{result[column]:,}" if isinstance(result[column], int) else str(result[column])
                for column in columns
            )
        )


if __name__ == "__main__":
    main()
