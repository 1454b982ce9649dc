"""Latency of `trace` (quote search through the full-text index) against a large stored corpus.

It opens an existing provenance database (for example the 100,000-article index that
bench_ingest.py builds with --check-db), picks --queries passages from stored paragraphs with a
seeded RNG: half exact runs of 6-10 words, half the same runs with one word changed (a variant),
plus phrases that appear nowhere, and times provenance.graph.trace_quote for each, in process.
It reports the median, p95 and p99 latency and the share of queries whose source article is
among the appearances found. Figures go to stdout (--json for JSON), progress to stderr.

Run from the repository's root:
    .venv/bin/python -m bench.bench_ingest --parts check --check-db /tmp/check100k.sqlite
    .venv/bin/python -m bench.bench_trace /tmp/check100k.sqlite
    .venv/bin/python -m bench.bench_trace /tmp/small.sqlite --queries 10   # the smoke test's, on 50 articles
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text as sql

from provenance.errors import NotFoundError
from provenance.graph import trace_quote
from provenance.knowledge import load_registry
from provenance.store import Store


def log(message: str) -> None:
    """Progress to stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pick_passages(store: Store, count: int, seed: int) -> list[tuple[int, str]]:
    """(article id, a run of 6-10 words) from random stored paragraphs (drawn by paragraph id: the
    store's reader has no query for one paragraph, so SQL on its table).
    """
    rng = random.Random(seed)
    with store.engine.connect() as connection:
        top = int(connection.execute(sql("SELECT max(id) FROM paragraphs")).scalar() or 0)
        picked: list[tuple[int, str]] = []
        while len(picked) < count and top:
            paragraph = connection.execute(
                sql("SELECT article_id, text FROM paragraphs WHERE id = :id"),
                {"id": rng.randint(1, top)},
            ).first()
            if paragraph is None:
                continue
            words = paragraph.text.split()
            if len(words) < 12:
                continue
            start = rng.randint(0, len(words) - 9)
            picked.append(
                (int(paragraph.article_id), " ".join(words[start : start + rng.randint(6, 10)]))
            )
    return picked


def vary(passage: str, rng: random.Random) -> str:
    """The passage with one word of four letters or more replaced."""
    words = passage.split()
    candidates = [index for index, word in enumerate(words) if len(word) >= 4]
    if candidates:
        words[rng.choice(candidates)] = "verschiedenartig"
    return " ".join(words)


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(database: Path, queries: int, seed: int) -> dict[str, Any]:
    """Time trace_quote over exact, varied and absent queries."""
    store = Store(f"sqlite:///{database}")
    registry = load_registry()
    articles = store.count_articles()
    log(f"{articles:,} articles; picking {queries} passages")
    rng = random.Random(seed)
    passages = pick_passages(store, queries, seed)
    cases: list[tuple[str, int | None, str]] = [
        ("exact", article_id, text) for article_id, text in passages[: queries // 2]
    ]
    cases += [
        ("variant", article_id, vary(text, rng)) for article_id, text in passages[queries // 2 :]
    ]
    cases += [
        ("absent", None, f"quaxlebrindor flumptiger {index} snorkelwapp")
        for index in range(max(1, queries // 10))
    ]
    trace_quote(store, cases[0][2], registry, chains_for=0)
    timings: dict[str, list[float]] = {"exact": [], "variant": [], "absent": []}
    found: dict[str, int] = {"exact": 0, "variant": 0}
    for kind, article_id, text in cases:
        start = time.perf_counter()
        try:
            result = trace_quote(store, text, registry)
            hit = any(appearance.article.id == article_id for appearance in result.appearances)
        except NotFoundError:
            hit = False
        timings[kind].append((time.perf_counter() - start) * 1000)
        if kind in found:
            found[kind] += hit
    every = [value for values in timings.values() for value in values]
    return {
        "database": str(database),
        "articles": articles,
        "queries": {kind: len(values) for kind, values in timings.items()},
        "latency_ms": {
            "median": round(statistics.median(every), 1),
            "p95": round(percentile(every, 0.95), 1),
            "p99": round(percentile(every, 0.99), 1),
            "max": round(max(every), 1),
            "median_by_kind": {
                kind: round(statistics.median(values), 1)
                for kind, values in timings.items()
                if values
            },
        },
        "source_article_found": {
            kind: round(found[kind] / max(1, len(timings[kind])), 3) for kind in found
        },
    }


def main() -> None:
    """Parse options, run, print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database", type=Path, help="a provenance SQLite database file")
    parser.add_argument(
        "--queries", type=int, default=200, help="passages to trace (default %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=7, help="RNG seed (default %(default)s)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    if not args.database.exists():
        parser.error(f"no database at {args.database}")
    results = run(args.database, args.queries, args.seed)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for key, value in results.items():
        print(f"{key:22} {value}")


if __name__ == "__main__":
    main()
