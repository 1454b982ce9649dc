"""Throughput of provenance's fingerprinting, ingest and check, on synthetic articles of real sentences.

What it measures (each part can be chosen with --parts):

1. signatures: MinHash signatures per second for the same texts (--texts, default 5,000):
   datasketch's plain loop (a MinHash per text, update_batch on the UTF-8 word 3-grams of
   provenance.text.tokens) against provenance's path (one compiled shingle_batch pass over
   the batch, densify, to_minhash per row into datasketch LeanMinHash objects), tokenising
   and shingling included in both; rensa's RMinHash for reference when it is installed.
   It checks that every row is a LeanMinHash whose bytes round-trip (one-permutation
   signatures can no longer be compared with datasketch's own MinHash rows), and the mean
   absolute error of the estimated Jaccard against the exact Jaccard on near-duplicate
   pairs (10-30% of words edited).
2. ingest: provenance.ingest.ingest (workers = CPU count) of a JSONL file of --size records
   (default 10,000; ~5% exact copies and ~5% copies with a repost footer, at other outlets)
   into a fresh SQLite file: articles/s, the report's counts and links by kind, the CPU per
   article of the writer and of the workers (bench/cpu.py), database bytes per article.
3. check: ingest of --check-corpus articles (default 100,000; its time and rate), then the
   latency of document_from_text + prepare_document + check_prepared for --queries texts (half copies
   of stored articles with a footer added, half new), and whether the copies were found.
4. profile: cProfile of a one-process ingest of --profile-size records (default 5,000): top
   functions by cumulative and by own time.
5. split: the two sides of the ingest of part 2 apart, on the same --size records. First the
   workers alone: provenance.ingest.prepared_stream (workers = CPU count) prepares and signs
   every record and nothing is written. Then the writer alone: store_prepared writes the
   prepared records into a fresh SQLite file in one process, its input ready. For each, the
   articles/s and the CPU per article (bench/cpu.py). An ingest on C cores is at most
   C / (the CPU per article of both together), and at most the writer's rate alone (SQLite
   has one writer at a time). Not run by default: it holds every prepared record in memory.

Articles are built by bench/corpus.py from real sentences in the shared corpora
(WMT22 news, PolNeAR, census articles), with a seeded RNG; each sentence is spliced from two
real ones unless --whole-sentences is given (see corpus.py for why).

Run it from the repository's root (figures to stdout, progress to stderr):

    .venv/bin/python -m bench.bench_ingest                      # all parts, default sizes
    .venv/bin/python -m bench.bench_ingest --texts 500 --size 1000 --check-corpus 2000 \\
        --queries 40 --profile-size 500                         # a quick run
    .venv/bin/python -m bench.bench_ingest --parts signatures --json
    .venv/bin/python -m bench.bench_ingest --parts signatures,ingest,check,profile,split --texts 50 --repeats 1 \\
        --pairs 10 --size 50 --check-corpus 50 --queries 10 --profile-size 50   # the smoke test's
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import importlib.metadata
import json
import os
import platform
import pstats
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHash

from bench.corpus import DEFAULT_CORPUS, ArticleFactory, Entry, Pools, load_pools, syndicated_stream
from bench.cpu import CpuTimes, cpu_spent, cpu_times, per_article_ms
from provenance.config import Settings
from provenance.ingest import (
    Fingerprinter,
    IngestReport,
    check_prepared,
    fewer_collections,
    ingest,
    prepare_document,
    prepared_stream,
    store_prepared,
)
from provenance.match import overlap
from provenance.read import document_from_text, iter_documents
from provenance.sketch import (
    densify,
    shingle_batch,
    signature_bytes,
    signature_from_bytes,
    to_minhash,
)
from provenance.store import Store
from provenance.text import load_patterns, tokens

PARTS = ("signatures", "ingest", "check", "profile", "split")
DEFAULT_PARTS = ("signatures", "ingest", "check", "profile")
NUM_PERM = 128
SHINGLE_WORDS = 3
Results = dict[str, Any]


def log(message: str) -> None:
    """Progress to stderr, with the wall-clock time."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rate(count: int, seconds: float) -> float:
    """Items per second, rounded."""
    return round(count / seconds, 1) if seconds > 0 else float("inf")


# ---- part 1: signatures ------------------------------------------------------------------


def word_shingles(text: str) -> set[str]:
    """The distinct word 3-grams (joined by a space) of provenance's tokens of a text."""
    words = tokens(text)
    width = min(SHINGLE_WORDS, len(words))
    return (
        {" ".join(words[i : i + width]) for i in range(len(words) - width + 1)} if words else set()
    )


def datasketch_loop(texts: Sequence[str]) -> list[MinHash]:
    """datasketch's plain loop: one MinHash per text, update_batch on the encoded shingles."""
    out = []
    for text in texts:
        minhash = MinHash(num_perm=NUM_PERM)
        minhash.update_batch([shingle.encode("utf-8") for shingle in word_shingles(text)])
        out.append(minhash)
    return out


def provenance_path(
    texts: Sequence[str], settings: Settings
) -> tuple[list[LeanMinHash], dict[str, float]]:
    """provenance's path: one compiled shingle-and-sign pass over the batch, densify, to_minhash;
    with phase times.
    """
    fingerprinter = Fingerprinter(settings)
    start = time.perf_counter()
    batch = shingle_batch(texts, fingerprinter.params, with_sets=False)
    shingled = time.perf_counter()
    matrix = densify(batch.raw_signatures)
    signed = time.perf_counter()
    minhashes = [to_minhash(row, seed=settings.seed) for row in matrix]
    done = time.perf_counter()
    return minhashes, {
        "shingle_and_sign": shingled - start,
        "densify": signed - shingled,
        "to_minhash": done - signed,
    }


def rensa_loop(texts: Sequence[str]) -> list[Any]:
    """rensa's RMinHash on the same word 3-gram strings, one object per text."""
    from rensa import RMinHash

    out = []
    for text in texts:
        minhash = RMinHash(num_perm=NUM_PERM, seed=1)
        minhash.update(list(word_shingles(text)))
        out.append(minhash)
    return out


def rensa_available() -> bool:
    """Whether rensa can be imported."""
    try:
        import rensa  # noqa: F401
    except ImportError:
        return False
    return True


def check_rows(texts: Sequence[str], settings: Settings) -> dict[str, Any]:
    """Whether every signature is a datasketch LeanMinHash whose bytes round-trip through
    LeanMinHash.deserialize.
    """
    fingerprinter = Fingerprinter(settings)
    matrix = densify(shingle_batch(texts, fingerprinter.params).raw_signatures)
    lean = sum(isinstance(to_minhash(row, settings.seed), LeanMinHash) for row in matrix)
    round_trip = sum(
        bool(
            np.array_equal(
                signature_from_bytes(signature_bytes(row, settings.seed)).hashvalues, row
            )
        )
        for row in matrix
    )
    return {
        "texts": len(texts),
        "leanminhash": lean,
        "bytes_round_trip": round_trip,
        "ok": lean == round_trip == len(texts),
    }


def jaccard_error(
    factory: ArticleFactory, pairs: int, settings: Settings, with_rensa: bool
) -> dict[str, Any]:
    """Mean absolute error of estimated against exact Jaccard on near-duplicate pairs (10-30% of
    words edited).
    """
    fingerprinter = Fingerprinter(settings)
    firsts, seconds = [], []
    for _ in range(pairs):
        article = factory.article()
        firsts.append(article.text)
        seconds.append(
            factory.edited(article.text, factory.rng.uniform(0.10, 0.30), article.language)
        )
    batch = shingle_batch(firsts + seconds, fingerprinter.params)
    shingles_a, shingles_b = batch.sets[:pairs], batch.sets[pairs:]
    exact = np.array([overlap(a, b).jaccard for a, b in zip(shingles_a, shingles_b)])
    rows = densify(batch.raw_signatures)
    ours = np.array(
        [to_minhash(rows[i], 1).jaccard(to_minhash(rows[pairs + i], 1)) for i in range(pairs)]
    )
    plain_a, plain_b = datasketch_loop(firsts), datasketch_loop(seconds)
    plain = np.array([a.jaccard(b) for a, b in zip(plain_a, plain_b)])
    result: dict[str, Any] = {
        "pairs": pairs,
        "exact_jaccard_mean": round(float(exact.mean()), 4),
        "exact_jaccard_range": [round(float(exact.min()), 4), round(float(exact.max()), 4)],
        "provenance_mae": round(float(np.abs(ours - exact).mean()), 4),
        "provenance_max_error": round(float(np.abs(ours - exact).max()), 4),
        "datasketch_plain_mae": round(float(np.abs(plain - exact).mean()), 4),
    }
    if with_rensa:
        rensa_a, rensa_b = rensa_loop(firsts), rensa_loop(seconds)
        estimates = np.array([a.jaccard(b) for a, b in zip(rensa_a, rensa_b)])
        result["rensa_mae"] = round(float(np.abs(estimates - exact).mean()), 4)
    return result


def measure_signatures(
    factory: ArticleFactory, count: int, repeats: int, pairs: int, settings: Settings
) -> Results:
    """Part 1: docs/s of datasketch's loop, provenance's batch path and rensa, plus correctness
    checks.
    """
    log(f"signatures: building {count:,} texts")
    texts = [factory.article().text for _ in range(count)]
    words = sum(len(text.split()) for text in texts)
    with_rensa = rensa_available()
    phases: list[dict[str, float]] = []
    runs: dict[str, list[float]] = {"datasketch": [], "provenance": [], "rensa": []}
    for attempt in range(repeats):
        # Interleaved, so drift in machine load hits every method alike.
        start = time.perf_counter()
        datasketch_loop(texts)
        runs["datasketch"].append(time.perf_counter() - start)
        start = time.perf_counter()
        minhashes, phase = provenance_path(texts, settings)
        runs["provenance"].append(time.perf_counter() - start)
        phases.append(phase)
        assert all(isinstance(m, LeanMinHash) for m in minhashes)
        if with_rensa:
            start = time.perf_counter()
            rensa_loop(texts)
            runs["rensa"].append(time.perf_counter() - start)
        log(
            f"  run {attempt + 1}/{repeats}: "
            + ", ".join(f"{name} {min(times):.2f}s" for name, times in runs.items() if times)
        )
    best = {name: min(times) for name, times in runs.items() if times}
    fastest_phase = min(phases, key=lambda p: sum(p.values()))
    result: Results = {
        "texts": count,
        "mean_words": round(words / count, 1),
        "repeats": repeats,
        "seconds": {name: round(seconds, 3) for name, seconds in best.items()},
        "docs_per_s": {name: rate(count, seconds) for name, seconds in best.items()},
        "speedup_provenance_vs_datasketch": round(best["datasketch"] / best["provenance"], 2),
        "provenance_phases_s": {name: round(seconds, 3) for name, seconds in fastest_phase.items()},
        "rensa": "measured" if with_rensa else "not installed",
    }
    if with_rensa:
        result["speedup_rensa_vs_datasketch"] = round(best["datasketch"] / best["rensa"], 2)
    log("signatures: checking rows against datasketch and Jaccard error")
    result["row_check"] = check_rows(texts[:50], settings)
    result["jaccard_accuracy"] = jaccard_error(factory, pairs, settings, with_rensa)
    return result


# ---- part 2: ingest ----------------------------------------------------------------------


def write_jsonl(
    entries: Iterable[Entry], folder: Path, name: str, max_bytes: int
) -> tuple[list[Path], list[Entry]]:
    """Write the entries as JSONL files of at most max_bytes each (ingest refuses bigger files)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    kept: list[Entry] = []
    handle = None
    written = 0
    try:
        for entry in entries:
            line = (json.dumps(entry.record(), ensure_ascii=False) + "\n").encode("utf-8")
            if handle is None or written + len(line) > max_bytes:
                if handle is not None:
                    handle.close()
                paths.append(folder / f"{name}-{len(paths):03d}.jsonl")
                handle = paths[-1].open("wb")
                written = 0
            handle.write(line)
            written += len(line)
            kept.append(entry)
    finally:
        if handle is not None:
            handle.close()
    return paths, kept


def sqlite_bytes(path: Path) -> int:
    """Size of a SQLite database with its -wal and -shm files."""
    return sum(
        candidate.stat().st_size
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
        if candidate.exists()
    )


def remove_database(path: Path) -> None:
    """Delete a SQLite file and its -wal and -shm files, so an ingest starts from nothing."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        candidate.unlink(missing_ok=True)


class Progress:
    """An on_progress callback that logs articles done and the running rate to stderr, and keeps the
    curve.
    """

    def __init__(self, total: int, label: str) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.start = time.perf_counter()
        self.last_log = 0.0
        self.curve: list[tuple[int, float]] = []

    def __call__(self, _stage: str, count: int) -> None:
        self.done += count
        elapsed = time.perf_counter() - self.start
        self.curve.append((self.done, elapsed))
        if elapsed - self.last_log >= 10 or self.done >= self.total:
            self.last_log = elapsed
            log(
                f"  {self.label}: {self.done:,}/{self.total:,} in {elapsed:.0f}s ({self.done / elapsed:.0f}/s)"
            )

    def rates(self) -> dict[str, float | None]:
        """Articles/s over the first and the last tenth of the run (whole batches): how ingest slows
        as the database grows.
        """
        if not self.curve:
            return {"first_10pct": None, "last_10pct": None}
        points = [(0, 0.0)] + self.curve
        first = next(point for point in points if point[0] >= 0.1 * self.done)
        before_last = max(
            (point for point in points if point[0] <= 0.9 * self.done), key=lambda point: point[0]
        )
        last = points[-1]
        return {
            "first_10pct": rate(first[0], first[1]),
            "last_10pct": rate(last[0] - before_last[0], last[1] - before_last[1]),
        }


def table_bytes(path: Path) -> dict[str, int]:
    """Bytes per table and index of a SQLite file, from the dbstat virtual table (empty if
    unavailable).
    """
    try:
        with sqlite3.connect(path) as connection:
            rows = connection.execute(
                "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
            ).fetchall()
    except sqlite3.Error:
        return {}
    return {str(name): int(size) for name, size in rows}


def build_corpus(
    factory: ArticleFactory, size: int, folder: Path, name: str, settings: Settings
) -> tuple[list[Path], list[Entry]]:
    """Write a syndicated stream of `size` entries as JSONL under folder."""
    log(f"{name}: writing {size:,} JSONL records")
    paths, entries = write_jsonl(
        syndicated_stream(factory, size), folder, name, int(settings.max_file_bytes * 0.9)
    )
    log(f"{name}: {len(paths)} file(s), {sum(p.stat().st_size for p in paths) / 1e6:.1f} MB")
    return paths, entries


@dataclass
class TimedIngest:
    """An ingest into a fresh store: the store, the report, the seconds to open and to ingest, the
    progress curve and the CPU spent (bench/cpu.py).
    """

    store: Store
    report: IngestReport
    open_s: float
    ingest_s: float
    progress: Progress
    cpu: CpuTimes


def timed_ingest(
    paths: Sequence[Path], db_path: Path, settings: Settings, total: int, label: str
) -> TimedIngest:
    """Open a fresh store and ingest the files."""
    remove_database(db_path)
    url = f"sqlite:///{db_path}"
    start = time.perf_counter()
    store = Store(url)
    opened = time.perf_counter()
    progress = Progress(total, label)
    cpu_before = cpu_times()
    report = ingest(
        store, [str(p) for p in paths], settings, on_progress=progress, workers=os.cpu_count() or 1
    )
    done = time.perf_counter()
    return TimedIngest(
        store, report, opened - start, done - opened, progress, cpu_spent(cpu_before, cpu_times())
    )


def kind_counts(entries: Sequence[Entry]) -> dict[str, int]:
    """How many entries of each kind the corpus holds."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.kind] = counts.get(entry.kind, 0) + 1
    return dict(sorted(counts.items()))


def report_summary(report: IngestReport) -> dict[str, Any]:
    """The ingest report as data, with failures counted and the first few shown."""
    data: dict[str, Any] = dict(report.as_dict())
    failures = data.pop("failures")
    assert isinstance(failures, list)
    data["failures"] = len(failures)
    data["failure_examples"] = failures[:3]
    return data


def measure_ingest(
    factory: ArticleFactory, size: int, workdir: Path, settings: Settings
) -> Results:
    """Part 2: end-to-end JSONL ingest into a fresh SQLite file."""
    paths, entries = build_corpus(factory, size, workdir / "ingest", "ingest", settings)
    db_path = workdir / "ingest.sqlite"
    timed = timed_ingest(paths, db_path, settings, size, "ingest")
    store, report, ingest_s = timed.store, timed.report, timed.ingest_s
    articles = store.count_articles()
    store.close()
    db_bytes = sqlite_bytes(db_path)
    per_table = table_bytes(db_path)
    return {
        "records": size,
        "jsonl_files": len(paths),
        "jsonl_bytes": sum(p.stat().st_size for p in paths),
        "corpus_kinds": kind_counts(entries),
        "store_open_s": round(timed.open_s, 3),
        "ingest_s": round(ingest_s, 2),
        "records_per_s": rate(report.read, ingest_s),
        "added_per_s": rate(report.added, ingest_s),
        "records_per_s_by_tenth": timed.progress.rates(),
        "cpu_seconds": timed.cpu,
        "cpu_ms_per_article": per_article_ms(timed.cpu, report.read),
        "report": report_summary(report),
        "articles_in_db": articles,
        "db_bytes": db_bytes,
        "db_bytes_per_article": round(db_bytes / max(articles, 1)),
        "db_bytes_per_article_by_table": {
            name: round(size / max(articles, 1))
            for name, size in per_table.items()
            if size >= 50 * max(articles, 1)
        },
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


# ---- part 3: check -----------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """The share-th percentile (0-100) of values, linear interpolation."""
    return float(np.percentile(np.asarray(values), share))


def latency_summary(milliseconds: Sequence[float]) -> dict[str, float]:
    """Median, p95 and max of latencies in ms."""
    if not milliseconds:
        return {}
    return {
        "n": len(milliseconds),
        "median_ms": round(statistics.median(milliseconds), 2),
        "p95_ms": round(percentile(milliseconds, 95), 2),
        "p99_ms": round(percentile(milliseconds, 99), 2),
        "max_ms": round(max(milliseconds), 2),
    }


def check_queries(
    factory: ArticleFactory, entries: Sequence[Entry], count: int
) -> list[tuple[str, str, str | None]]:
    """Query texts: (kind, plain text, URL of the stored original); half footer copies, half new
    articles.
    """
    stored = [entry.article for entry in entries if entry.kind == "original"]
    copies = factory.rng.sample(stored, min(count // 2, len(stored)))
    queries: list[tuple[str, str, str | None]] = [
        ("copy", article.as_plain_text(footer=factory.footer(article)), article.url)
        for article in copies
    ]
    queries += [
        ("new", factory.article().as_plain_text(), None) for _ in range(count - len(queries))
    ]
    factory.rng.shuffle(queries)
    return queries


def run_queries(
    store: Store, queries: Sequence[tuple[str, str, str | None]], settings: Settings
) -> Results:
    """Time document_from_text + prepare_document + check_prepared per query, and score the
    verdicts.
    """
    fingerprinter = Fingerprinter(settings)
    patterns = load_patterns(settings.patterns_file)
    warm = check_prepared(
        store,
        prepare_document(document_from_text(queries[0][1], "warm-up"), patterns, fingerprinter),
        fingerprinter,
    )
    del warm
    total: dict[str, list[float]] = {"copy": [], "new": []}
    check_only: dict[str, list[float]] = {"copy": [], "new": []}
    flagged = {"copy": 0, "new": 0}
    matched_original = 0
    matched_any = {"copy": 0, "new": 0}
    verdicts: dict[str, dict[str, int]] = {"copy": {}, "new": {}}
    for number, (kind, text, original_url) in enumerate(queries, start=1):
        start = time.perf_counter()
        document = document_from_text(text, "query")
        prepared = prepare_document(document, patterns, fingerprinter)
        prepared_at = time.perf_counter()
        result = check_prepared(store, prepared, fingerprinter)
        done = time.perf_counter()
        total[kind].append((done - start) * 1000)
        check_only[kind].append((done - prepared_at) * 1000)
        flagged[kind] += result.verdict != "original"
        matched_any[kind] += bool(result.matches)
        verdicts[kind][result.verdict] = verdicts[kind].get(result.verdict, 0) + 1
        if original_url is not None:
            matched_original += any(match.other.url == original_url for match in result.matches)
        if number % 50 == 0:
            log(f"  check: {number}/{len(queries)} queries")
    copies = len(total["copy"])
    news = len(total["new"])
    return {
        "queries": len(queries),
        "latency_all": latency_summary(total["copy"] + total["new"]),
        "latency_copies": latency_summary(total["copy"]),
        "latency_new": latency_summary(total["new"]),
        "check_prepared_only": latency_summary(check_only["copy"] + check_only["new"]),
        "copies_flagged_share": round(flagged["copy"] / copies, 3) if copies else None,
        "copies_matched_original_share": round(matched_original / copies, 3) if copies else None,
        "new_flagged_share": round(flagged["new"] / news, 3) if news else None,
        "new_with_any_match_share": round(matched_any["new"] / news, 3) if news else None,
        "verdicts": verdicts,
    }


def measure_check(
    factory: ArticleFactory,
    size: int,
    queries: int,
    workdir: Path,
    settings: Settings,
    check_db: Path | None,
) -> Results:
    """Part 3: ingest a corpus of `size` articles once, then time check on query texts against it."""
    paths, entries = build_corpus(factory, size, workdir / "check", "check", settings)
    db_path = check_db or workdir / "check.sqlite"
    result: Results = {
        "corpus_records": size,
        "corpus_kinds": kind_counts(entries),
        "db": str(db_path),
    }
    if check_db is not None and check_db.exists():
        log(f"check: reusing {check_db} (built from the same seed); ingest not timed")
        store = Store(f"sqlite:///{db_path}")
        result["ingest_seconds"] = "not measured: database reused"
    else:
        timed = timed_ingest(paths, db_path, settings, size, "check corpus")
        store, report, ingest_s, progress = (
            timed.store,
            timed.report,
            timed.ingest_s,
            timed.progress,
        )
        result["ingest_seconds"] = round(ingest_s, 1)
        result["ingest_records_per_s"] = rate(report.read, ingest_s)
        result["ingest_records_per_s_by_tenth"] = progress.rates()
        result["ingest_cpu_ms_per_article"] = per_article_ms(timed.cpu, report.read)
        result["ingest_report"] = report_summary(report)
    for path in paths:
        path.unlink()
    result["articles_in_db"] = store.count_articles()
    result["db_bytes"] = sqlite_bytes(db_path)
    log(f"check: {queries} queries against {result['articles_in_db']:,} articles")
    result.update(run_queries(store, check_queries(factory, entries, queries), settings))
    store.close()
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


# ---- part 4: profile ---------------------------------------------------------------------


def _function_name(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return name
    parts = Path(filename).parts
    short = (
        "/".join(parts[parts.index("provenance") :])
        if "provenance" in parts
        else "/".join(parts[-2:])
    )
    return f"{short}:{line}({name})"


def top_functions(stats: pstats.Stats, field: int, limit: int) -> list[dict[str, Any]]:
    """The top functions of a profile by cumulative (field 3) or own (field 2) time."""
    rows = sorted(stats.stats.items(), key=lambda item: item[1][field], reverse=True)[:limit]  # type: ignore[attr-defined]
    return [
        {
            "function": _function_name(key),
            "ncalls": calls,
            "tottime_s": round(own, 3),
            "cumtime_s": round(cumulative, 3),
        }
        for key, (_prim, calls, own, cumulative, _callers) in rows
    ]


def measure_profile(
    factory: ArticleFactory, size: int, workdir: Path, settings: Settings, limit: int
) -> Results:
    """Part 4: cProfile of an ingest of `size` records into a fresh SQLite file."""
    paths, _entries = build_corpus(factory, size, workdir / "profile", "profile", settings)
    db_path = workdir / "profile.sqlite"
    remove_database(db_path)
    store = Store(f"sqlite:///{db_path}")
    profiler = cProfile.Profile()
    log(f"profile: ingesting {size:,} records under cProfile")
    start = time.perf_counter()
    profiler.enable()
    report = ingest(store, [str(p) for p in paths], settings, on_progress=Progress(size, "profile"))
    profiler.disable()
    elapsed = time.perf_counter() - start
    store.close()
    stats = pstats.Stats(profiler)
    return {
        "records": size,
        "seconds_under_profiler": round(elapsed, 2),
        "added": report.added,
        "by_cumulative": top_functions(stats, 3, limit),
        "by_own_time": top_functions(stats, 2, limit),
    }


# ---- part 5: split -----------------------------------------------------------------------


def measure_split(factory: ArticleFactory, size: int, workdir: Path, settings: Settings) -> Results:
    """Part 5: the workers alone (prepare and sign, nothing written), then the writer alone (store
    what they made), on part 2's records.
    """
    paths, _entries = build_corpus(factory, size, workdir / "split", "split", settings)
    log(f"split: preparing {size:,} records in {os.cpu_count()} worker processes, nothing written")
    cpu_before, start = cpu_times(), time.perf_counter()
    with fewer_collections():
        prepared = list(
            prepared_stream(
                iter_documents([str(p) for p in paths], settings.max_file_bytes),
                settings,
                workers=os.cpu_count() or 1,
            )
        )
    prepare_s, prepare_cpu = time.perf_counter() - start, cpu_spent(cpu_before, cpu_times())
    db_path = workdir / "split.sqlite"
    remove_database(db_path)
    store = Store(f"sqlite:///{db_path}")
    log(f"split: writing the {len(prepared):,} prepared records in this process")
    cpu_before, start = cpu_times(), time.perf_counter()
    report = store_prepared(store, prepared, settings, on_progress=Progress(len(prepared), "split"))
    write_s, write_cpu = time.perf_counter() - start, cpu_spent(cpu_before, cpu_times())
    store.close()
    return {
        "records": size,
        "prepare_s": round(prepare_s, 2),
        "prepare_records_per_s": rate(len(prepared), prepare_s),
        "prepare_cpu_ms_per_article": per_article_ms(prepare_cpu, len(prepared)),
        "write_s": round(write_s, 2),
        "write_records_per_s": rate(report.read, write_s),
        "write_cpu_ms_per_article": per_article_ms(write_cpu, report.read),
        "report": report_summary(report),
    }


# ---- output ------------------------------------------------------------------------------


def source_digest() -> str:
    """SHA-256 (first 16 hex digits) of provenance's .py files as imported, to tell library versions
    apart.
    """
    import provenance

    digest = hashlib.sha256()
    root = Path(provenance.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def environment() -> dict[str, Any]:
    """Versions and machine facts the figures depend on."""
    packages: dict[str, str | None] = {}
    for name in ("provenance", "datasketch", "numpy", "sqlalchemy", "xxhash", "rensa"):
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "provenance_source_sha256": source_digest(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "packages": packages,
    }


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        if abs(value) < 10:
            return f"{value:.3f}"
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items()) or "-"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def print_table(results: Results) -> None:
    """The figures as a small two-column table per part, profiles as ranked lists."""
    for part, data in results.items():
        print(f"\n== {part} ==")
        if not isinstance(data, dict):
            print(f"  {_fmt(data)}")
            continue
        width = max((len(key) for key in data), default=10)
        profiles = {}
        for key, value in data.items():
            if key.startswith("by_"):
                profiles[key] = value
                continue
            print(f"  {key:<{width}}  {_fmt(value)}")
        for key, rows in profiles.items():
            print(f"\n  top {len(rows)} {key.replace('_', ' ')}:")
            print(f"  {'cumtime':>9} {'tottime':>9} {'ncalls':>10}  function")
            for row in rows:
                print(
                    f"  {row['cumtime_s']:>9.3f} {row['tottime_s']:>9.3f} {row['ncalls']:>10,}  {row['function']}"
                )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
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
        "--parts",
        default=",".join(DEFAULT_PARTS),
        help=f"comma-separated parts to run, of {','.join(PARTS)} (default %(default)s)",
    )
    parser.add_argument(
        "--texts",
        type=int,
        default=5000,
        help="texts for the signature throughput (default %(default)s)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="timed runs per signature method; the best counts (default %(default)s)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=200,
        help="near-duplicate pairs for the Jaccard error (default %(default)s)",
    )
    parser.add_argument(
        "--size",
        type=int,
        default=10_000,
        help="JSONL records for the ingest throughput (default %(default)s)",
    )
    parser.add_argument(
        "--check-corpus",
        type=int,
        default=100_000,
        help="articles in the index checked against (default %(default)s)",
    )
    parser.add_argument(
        "--check-db",
        type=Path,
        default=None,
        help="keep the check index here, and reuse it if it exists",
    )
    parser.add_argument(
        "--queries",
        type=int,
        default=200,
        help="check queries, half copies, half new (default %(default)s)",
    )
    parser.add_argument(
        "--profile-size",
        type=int,
        default=5000,
        help="records ingested under cProfile (default %(default)s)",
    )
    parser.add_argument(
        "--profile-top",
        type=int,
        default=15,
        help="functions listed per profile ranking (default %(default)s)",
    )
    parser.add_argument(
        "--whole-sentences",
        action="store_true",
        help="build articles of whole real sentences (more chance LSH candidates)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=20240601,
        help="RNG seed of the synthetic articles (default %(default)s)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="folder for JSONL and databases (default: a temporary folder, removed)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--save", type=Path, default=None, help="also write the figures as JSON to this file"
    )
    args = parser.parse_args(argv)
    unknown = set(args.parts.split(",")) - set(PARTS)
    if unknown:
        parser.error(
            f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}"
        )
    return args


def run(args: argparse.Namespace, workdir: Path) -> Results:
    """Run the chosen parts and gather their figures."""
    settings = Settings()
    parts = args.parts.split(",")
    log(f"loading sentence pools from {args.corpus}")
    pools: Pools = load_pools(args.corpus)
    results: Results = {
        "environment": environment(),
        "pools": {lang: size["sentences"] for lang, size in pools.summary().items()},
    }
    splice = not args.whole_sentences
    results["corpus"] = {
        "sentences": "whole" if args.whole_sentences else "spliced",
        "seed": args.seed,
    }
    # Each part draws from its own seeded factory, so running one part alone gives the same texts.
    if "signatures" in parts:
        results["signatures"] = measure_signatures(
            ArticleFactory(pools, args.seed, splice), args.texts, args.repeats, args.pairs, settings
        )
    if "ingest" in parts:
        results["ingest"] = measure_ingest(
            ArticleFactory(pools, args.seed + 1, splice), args.size, workdir, settings
        )
    if "check" in parts:
        results["check"] = measure_check(
            ArticleFactory(pools, args.seed + 2, splice),
            args.check_corpus,
            args.queries,
            workdir,
            settings,
            args.check_db,
        )
    if "profile" in parts and args.profile_size > 0:
        results["profile"] = measure_profile(
            ArticleFactory(pools, args.seed + 3, splice),
            args.profile_size,
            workdir,
            settings,
            args.profile_top,
        )
    if "split" in parts:
        results["split"] = measure_split(
            ArticleFactory(pools, args.seed + 1, splice), args.size, workdir, settings
        )
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Parse options, run the benchmark, print the figures."""
    args = parse_args(argv)
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        results = run(args, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="provenance-bench-") as folder:
            results = run(args, Path(folder))
    if args.save is not None:
        args.save.write_text(
            json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
