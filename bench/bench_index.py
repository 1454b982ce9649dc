"""Where the shared LSH index should live: in the database (SQLite, PostgreSQL) or in Redis through datasketch.

The same body signatures (provenance's compiled path, from articles of real sentences, see
corpus.py) go into each index with the same banding (datasketch's MinHashLSH parameters for
provenance's body threshold), and the same queries are asked of each:

- db-sqlite, db-postgresql: provenance's own table ``lsh_buckets`` through provenance.store.Store:
  ``BatchWriter.insert_buckets`` in batches of 500 articles (one transaction each),
  ``StoreReader.bucket_members`` for a query's band keys.
- redis: datasketch's ``MinHashLSH`` with ``storage_config={"type": "redis"}`` and
  ``prepickle=False`` (keys are 8-byte article ids, band keys are datasketch's own byte strings,
  so nothing is pickled), filled in one ``insertion_session`` and asked with ``query``.

It prints, for each: insert rate (articles/s), query latency (median, p99) and how often the
query's own article came back (a sanity check: it must be 1.0 everywhere). Redis is run as the
CI machines run it (no RDB, no AOF), so it also reports whether the index would survive a
restart of the server as configured.

Run from the repository's root (the redis backend needs the Redis client, of the ``bench`` extra):

    .venv/bin/python -m bench.bench_index --size 20000 --queries 500
    .venv/bin/python -m bench.bench_index --size 100000 --backends db-sqlite,redis --json
    .venv/bin/python -m bench.bench_index --size 50 --queries 10   # the smoke test's
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHashLSH

from bench.corpus import DEFAULT_CORPUS, ArticleFactory, load_pools
from provenance.config import Settings
from provenance.ingest import Fingerprinter
from provenance.sketch import densify, shingle_batch, to_minhash
from provenance.store import Store

BACKENDS = ("db-sqlite", "db-postgresql", "redis")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/15"
BATCH = 500


def log(message: str) -> None:
    """Progress to stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def body_signatures(size: int, corpus: Path, seed: int, settings: Settings) -> np.ndarray:
    """Densified body signatures of `size` synthetic articles."""
    factory = ArticleFactory(load_pools(corpus), seed)
    params = Fingerprinter(settings).params
    rows = []
    for start in range(0, size, 2000):
        texts = [factory.article().text for _ in range(min(2000, size - start))]
        rows.append(densify(shingle_batch(texts, params, with_sets=False).raw_signatures))
    return np.concatenate(rows)


def latencies(ask: Callable[[int], bool], queries: Sequence[int]) -> dict[str, float]:
    """Median and p99 milliseconds of ask(i) over the queries, and the share that found their own
    article.
    """
    times, found = [], 0
    for index in queries:
        start = time.perf_counter()
        found += ask(index)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 3),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 3),
        "found_self": round(found / len(queries), 4),
    }


def run_store(
    url: str, signatures: np.ndarray, queries: Sequence[int], settings: Settings
) -> dict[str, Any]:
    """Fill and ask provenance's lsh_buckets table (body keys only, article ids from 1)."""
    store = Store(url)
    banding = Fingerprinter(settings).body_banding
    keys = banding.keys(signatures)
    # The bucket tables hold no foreign key (schema 0009): the keys name article ids 1.. that are
    # not stored.
    # The index is emptied first, not timed (on PostgreSQL, the LSH index of the database it is
    # given).
    with store.writer() as writer:
        writer.clear_index()
    start = time.perf_counter()
    for first in range(0, len(signatures), BATCH):
        rows = range(first, min(first + BATCH, len(signatures)))
        with store.writer() as writer:
            writer.insert_buckets(
                np.concatenate([keys[index] for index in rows]),
                np.repeat(
                    np.arange(rows.start + 1, rows.stop + 1), [len(keys[index]) for index in rows]
                ),
            )
    insert_s = time.perf_counter() - start

    def ask(index: int) -> bool:
        with store.reader() as reader:
            members = reader.bucket_members(keys[index].tolist())
        return bool((members.article_ids == index + 1).any())

    result = {
        "insert_articles_per_s": round(len(signatures) / insert_s, 1),
        "band_keys_per_article": int(keys.shape[1]),
        **latencies(ask, queries),
    }
    store.close()
    return result


def run_redis(signatures: np.ndarray, queries: Sequence[int], settings: Settings) -> dict[str, Any]:
    """Fill and ask datasketch's MinHashLSH on Redis (no pickle: bytes keys, prepickle=False)."""
    import redis  # the bench extra's: only this backend needs it

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    config = {
        "type": "redis",
        "basename": b"provenance-bench",
        "redis": {"host": "127.0.0.1", "port": 6379, "db": 15},
    }
    lsh = MinHashLSH(
        threshold=settings.body_threshold,
        num_perm=settings.num_perm,
        storage_config=config,
        prepickle=False,
    )
    minhashes = [to_minhash(row, settings.seed) for row in signatures]
    start = time.perf_counter()
    with lsh.insertion_session(buffer_size=50_000) as session:
        for index, minhash in enumerate(minhashes):
            session.insert((index + 1).to_bytes(8, "big"), minhash, check_duplication=False)
    insert_s = time.perf_counter() - start

    def ask(index: int) -> bool:
        return (index + 1).to_bytes(8, "big") in lsh.query(minhashes[index])

    info = client.info()
    persistence = (
        client.config_get("save").get("save", "") != ""
        or client.config_get("appendonly").get("appendonly") == "yes"
    )
    result = {
        "insert_articles_per_s": round(len(signatures) / insert_s, 1),
        "bands": lsh.b,
        **latencies(ask, queries),
        "redis_used_memory_mb": round(info["used_memory"] / 2**20, 1),
        "survives_restart_as_configured": persistence,
    }
    client.flushdb()
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder of the shared corpora (default %(default)s)",
    )
    parser.add_argument(
        "--size", type=int, default=20_000, help="articles in each index (default %(default)s)"
    )
    parser.add_argument(
        "--queries", type=int, default=500, help="queries per index (default %(default)s)"
    )
    parser.add_argument(
        "--backends", default=",".join(BACKENDS), help="comma-separated: %(default)s"
    )
    parser.add_argument(
        "--postgres",
        default=PG_URL,
        help="database URL of db-postgresql, whose LSH index is emptied (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=7, help="RNG seed of the synthetic articles")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    settings = Settings()
    log(f"signing {args.size:,} articles")
    signatures = body_signatures(args.size, args.corpus, args.seed, settings)
    rng = np.random.default_rng(args.seed)
    queries = rng.choice(
        len(signatures), size=min(args.queries, len(signatures)), replace=False
    ).tolist()
    results: dict[str, Any] = {"size": args.size, "queries": len(queries)}
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            log(f"{backend}: filling and asking")
            if backend == "db-sqlite":
                results[backend] = run_store(
                    f"sqlite:///{os.path.join(workdir, 'index.sqlite')}",
                    signatures,
                    queries,
                    settings,
                )
            elif backend == "db-postgresql":
                results[backend] = run_store(args.postgres, signatures, queries, settings)
            elif backend == "redis":
                results[backend] = run_redis(signatures, queries, settings)
            else:
                parser.error(f"unknown backend {backend!r}")
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"== shared LSH index: {args.size:,} articles, {len(queries)} queries ==")
    for backend in BACKENDS:
        if backend in results:
            print(
                f"  {backend:<14} "
                + ", ".join(f"{name}={value}" for name, value in results[backend].items())
            )


if __name__ == "__main__":
    main()
