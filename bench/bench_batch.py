"""The batch engine against the incremental one and a naive script, in one run, as ratios.

For each size in --sizes it builds the bench corpus of bench_audit.py (real sentences, 12% known
copies of five kinds, four languages) and audits it with each engine in a fresh child process,
alternating their order round by round (--rounds):

- ``incremental``: ``provenance.audit.run_audit(..., engine="incremental")``, what ``provenance
  audit`` does by default: ingest batch by batch, then build the audit;
- ``batch``: ``run_audit(..., engine="batch")``, ``provenance audit --engine batch``;
- ``naive``: bench/naive_minhash.py, datasketch MinHashes, a MinHashLSH and a sqlite3 table in one
  process, with no verification, direction, passages, attributions or quotes.

Each child reports its wall time, its CPU seconds (its own and its worker processes') and its
peak memory (PSS of the process and its workers, sampled: bench_audit.MemorySampler). The run
prints the ratios of wall times (incremental / batch, naive / batch), whether the two engines
stored the same links (origin, copy, kind, scores, direction), precision and recall of the batch
engine's links against the known copies, and the targets: batch at least 2x faster than
incremental, no slower than naive, peak PSS at most 4 GiB. With --profile, one more batch run
under cProfile gives where its time goes: seconds per stage (prepare and store, verify, the final
write, the audit) and the functions of the main process with the most cumulative time.

    .venv/bin/python -m bench.bench_batch --sizes 5000 --rounds 2
    .venv/bin/python -m bench.bench_batch --sizes 100000 --workdir /tmp/bb --keep
    .venv/bin/python -m bench.bench_batch --sizes 5000 --profile --engines batch
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.bench_audit import MemorySampler, build_corpus, log, mib, parse_sizes, score, table
from bench.corpus import DEFAULT_CORPUS, load_pools
from bench.naive_minhash import run_naive
from provenance.audit import run_audit
from provenance.config import Settings
from provenance.knowledge import load_registry
from provenance.store import Store

ENGINES = ("incremental", "batch", "naive")


def run_engine(
    engine: str, db: Path, paths: list[Path], workers: int, profile: bool
) -> dict[str, Any]:
    """Audit the corpus with one engine in this process; its figures."""
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    stages: list[tuple[str, float]] = []
    started = time.perf_counter()

    def on_progress(stage: str, _count: int) -> None:
        stages.append((stage, time.perf_counter() - started))

    profiler = cProfile.Profile() if profile else None
    with MemorySampler() as memory:
        if engine == "naive":
            found = run_naive(paths, db)
            links: dict[str, int] = {"candidates": found["candidates"]}
            articles = found["records"]
        else:
            store = Store(f"sqlite:///{db}")
            if profiler:
                profiler.enable()
            audit = run_audit(
                store,
                [str(path) for path in paths],
                load_registry(),
                Settings(),
                workers,
                on_progress=on_progress,
                engine=engine,
            )
            if profiler:
                profiler.disable()
            store.close()
            links = dict(Counter(link[2] for link in stored_links(db)))
            articles = audit.counts.articles
        stages.append(("end", time.perf_counter() - started))
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    result: dict[str, Any] = {
        "engine": engine,
        "articles": articles,
        "wall": stages[-1][1],
        "cpu_self": own.ru_utime + own.ru_stime,
        "cpu_workers": children.ru_utime + children.ru_stime,
        "peak_pss_mib": mib(memory.peak_pss),
        "links": links,
        "stages": _stage_spans(stages),
    }
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
        result["profile"] = text.getvalue()
    return result


def _stage_spans(marks: list[tuple[str, float]]) -> dict[str, float]:
    """Seconds per stage from the progress marks: a stage lasts from the mark before its first
    until its last mark; what follows the last mark is the rest (the final write, the audit).
    """
    spans: dict[str, float] = {}
    previous = 0.0
    for stage, at in marks:
        spans[stage] = spans.get(stage, 0.0) + at - previous
        previous = at
    return {
        stage if stage != "end" else "write and audit": round(s, 2) for stage, s in spans.items()
    }


def stored_links(db: Path) -> set[tuple[Any, ...]]:
    """The links of an audited SQLite file, by URL."""
    with sqlite3.connect(db) as connection:
        return set(
            connection.execute(
                "SELECT o.url, c.url, l.kind, l.jaccard, l.containment, l.reverse_containment, "
                "l.direction FROM copy_links AS l JOIN articles AS o ON o.id = l.origin_id "
                "JOIN articles AS c ON c.id = l.copy_id"
            )
        )


def in_child(
    engine: str, db: Path, paths: list[Path], workers: int, profile: bool
) -> dict[str, Any]:
    """Run one engine in a fresh process (the module with --run); its figures."""
    out = db.with_suffix(".json")
    command = [sys.executable, "-m", "bench.bench_batch", "--run", engine, "--db", str(db)]
    command += ["--out", str(out), "--workers", str(workers), *map(str, paths)]
    if profile:
        command.append("--profile")
    subprocess.run(command, check=True)
    return dict(json.loads(out.read_text()))


def run_size(size: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Build a corpus, audit it with every engine, compare."""
    pools = load_pools(args.corpus)
    corpus = build_corpus(pools, size, 0.12, args.seed, workdir / f"corpus-{size}", 5000)
    log(f"size {size:,}: corpus of {len(corpus.paths)} file(s) built in {corpus.seconds:.1f} s")
    runs: dict[str, list[dict[str, Any]]] = {engine: [] for engine in args.engines}
    for round_ in range(args.rounds):
        order = (
            args.engines[round_ % len(args.engines) :] + args.engines[: round_ % len(args.engines)]
        )
        for engine in order:
            log(f"size {size:,}, round {round_ + 1}: {engine}")
            found = in_child(
                engine, workdir / f"{engine}-{size}.sqlite", corpus.paths, args.workers, False
            )
            log(f"  {found['wall']:.1f} s, peak PSS {found['peak_pss_mib']:.0f} MiB")
            runs[engine].append(found)
    result: dict[str, Any] = {"size": size, "runs": runs}
    if "batch" in runs and "incremental" in runs:
        batch, incremental = (
            stored_links(workdir / f"batch-{size}.sqlite"),
            stored_links(workdir / f"incremental-{size}.sqlite"),
        )
        result["links_only_batch"] = len(batch - incremental)
        result["links_only_incremental"] = len(incremental - batch)
    if "batch" in runs:
        store = Store(f"sqlite:///{workdir / f'batch-{size}.sqlite'}")
        with store.reader() as reader:
            ids = reader.article_ids()
        scores = score(store, corpus, Settings(), 0, ids)
        store.close()
        result["precision"], result["recall"] = scores["precision"], scores["recall"]
    if args.profile:
        log(f"size {size:,}: batch under cProfile")
        result["profile"] = in_child(
            "batch", workdir / f"profile-{size}.sqlite", corpus.paths, args.workers, True
        )
    return result


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return min(runs, key=lambda run: float(run["wall"]))


def render(result: dict[str, Any]) -> list[str]:
    """The figures of one size as text tables."""
    runs = result["runs"]
    lines = [f"=== {result['size']:,} articles ==="]
    rows = [
        [
            engine,
            " / ".join(f"{run['wall']:.1f}" for run in found),
            " / ".join(f"{run['cpu_self']:.1f} + {run['cpu_workers']:.1f}" for run in found),
            " / ".join(f"{run['peak_pss_mib']:.0f}" for run in found),
            json.dumps(found[0]["links"], sort_keys=True),
        ]
        for engine, found in runs.items()
    ]
    lines.append(
        table(rows, ["engine", "wall s", "CPU s (main + workers)", "peak PSS MiB", "links"])
    )
    targets: dict[str, bool] = {}
    if "batch" in runs:
        batch = _best(runs["batch"])["wall"]
        if "incremental" in runs:
            ratio = _best(runs["incremental"])["wall"] / batch
            lines.append(f"incremental / batch wall time: {ratio:.2f}x (target >= 2)")
            targets["2x faster than incremental"] = ratio >= 2
            lines.append(
                f"links only in batch: {result['links_only_batch']}, only in incremental: "
                f"{result['links_only_incremental']}"
            )
        if "naive" in runs:
            ratio = _best(runs["naive"])["wall"] / batch
            lines.append(f"naive / batch wall time: {ratio:.2f}x (target >= 1)")
            targets["no slower than naive"] = ratio >= 1
        peak = max(run["peak_pss_mib"] for run in runs["batch"])
        targets["peak PSS <= 4096 MiB"] = peak <= 4096
        lines.append(f"batch links: precision {result['precision']}, recall {result['recall']}")
        lines.append("batch stages (s): " + json.dumps(_best(runs["batch"])["stages"]))
    lines.append("targets met: " + json.dumps(targets))
    if "profile" in result:
        lines.append(
            "profile of the batch engine's main process (stages: "
            + json.dumps(result["profile"]["stages"])
            + ")"
        )
        lines.append(result["profile"]["profile"])
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=parse_sizes, default=[5000, 100_000])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--engines",
        type=lambda text: [part for part in text.split(",") if part],
        default=list(ENGINES),
        help="comma-separated, of incremental,batch,naive (default all)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--run", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        args.out.write_text(
            json.dumps(run_engine(args.run, args.db, args.paths, args.workers, args.profile))
        )
        return
    unknown = set(args.engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in args.sizes:
            result = run_size(size, args, workdir)
            results.append(result)
            if not args.json:
                print("\n".join(render(result)), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
