"""The batch engine against the incremental one and a naive script, measured in one run, as ratios.

For each size in --sizes (default 5,000 and 100,000) it builds the bench corpus of
bench_audit.py (real sentences, 12% known copies of five kinds, four languages, JSONL files of
5,000 records) and audits it with each engine in a fresh child process (this module with
``--run ENGINE``), round by round (--rounds), the order of the engines reversed every other
round so that none always runs first or last on a machine shared with other work:

- ``incremental``: ``provenance.ingest.ingest(store, files, settings, workers=W)`` then
  ``provenance.audit.build_audit``: what ``provenance audit`` does by default (``run_audit``);
- ``batch``: ``provenance.batch.ingest_bulk`` (the same arguments and report) then the same
  ``build_audit``: ``provenance audit --engine batch``;
- ``naive``: bench/naive_minhash.py, what a user might write with datasketch and sqlite3: one
  process (no workers), each text's 3-word shingles in a MinHash of 128 permutations, a
  MinHashLSH at threshold 0.4 queried then given each record, the records, signatures and the
  LSH's candidate pairs in a sqlite3 file. No verification, direction, passages, attributions or
  audit: a floor, not an equivalent.

Each child reports: wall seconds of the engine (the calls above, from a fresh SQLite file to the
audit built; the modules provenance imports lazily are loaded inside it) and of the whole child
process (interpreter start and imports included, measured by this process); CPU seconds of the
child (its main process, the memory sampler's thread included, whose own share is shown apart)
and of its worker processes (reaped, so counted once their pool has shut down); peak memory: the
largest sum of PSS over the child and its workers (bench_audit.MemorySampler: RSS every second,
PSS when it has grown 5% and at the end); and the links stored, by kind (the naive script: its
candidate pairs). It also marks each stage from the engine's ``on_progress`` callback
(``("ingest", n)`` after each stored batch, ``("verify", n)`` after each verified chunk,
``("statistics", 0)`` before the planner statistics are refreshed):

- ``prepare+store``: from the start to the last stored batch (the workers prepare and sign while
  the main process stores: they overlap);
- ``verify``: to the last verified chunk (batch engine only);
- ``final write``: to the ``statistics`` mark: the batch engine's links, passages and LSH index
  in one transaction (nothing for the incremental engine);
- ``statistics``: ANALYZE, to the engine's return;
- ``build_audit``.

with the main process's CPU seconds in each (getrusage at every mark) and the workers' (their
processes read with psutil at each ``ingest`` mark and at the first mark of a stage, plus the
reaped ones).

Then the run prints, per size: a table of the rounds; the ratios of wall times
incremental / batch and naive / batch, per round (engines measured minutes apart) and of the
best rounds; whether the batch engine stored the same links as the incremental one, compared
as sets of (origin URL, copy URL, kind, jaccard, containment, reverse containment, direction)
read from the two SQLite files with sqlite3 (the count of differences, and a few); precision and
recall of both engines' links against the known copies (bench_audit.score); and the targets of
issue #30: batch at least 2x faster than incremental, no slower than naive, peak PSS at most
4,096 MiB (at 100,000 articles).

With --profile, one more batch run in a child under cProfile (the engine's main process; its
worker processes are forked with the profiler switched off in them, so they run at full speed
and are not in the profile) gives the stage timeline of that run and the main process's
functions with the most cumulative and own time. cProfile slows the main process's Python code,
so the stage timeline of the timed rounds, printed too, is the one to quote. With
--profile-workers 1 the profiled run prepares and verifies in its main process, so the profile
covers the workers' functions too.

    .venv/bin/python -m bench.bench_batch --sizes 5000 --rounds 2
    .venv/bin/python -m bench.bench_batch --sizes 100000 --workdir /tmp/bb100k --keep
    .venv/bin/python -m bench.bench_batch --sizes 5000 --profile --engines batch
    .venv/bin/python -m bench.bench_batch --sizes 50 --workers 1 --profile  # the smoke test's
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
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from bench.bench_audit import (
    MemorySampler,
    build_corpus,
    database_bytes,
    log,
    mib,
    parse_sizes,
    score,
    table,
)
from bench.corpus import DEFAULT_CORPUS, load_pools
from bench.naive_minhash import run_naive
from provenance.audit import build_audit
from provenance.batch import ingest_bulk
from provenance.config import Settings
from provenance.ingest import IngestReport, ingest
from provenance.knowledge import load_registry
from provenance.store import Store

ENGINES = ("incremental", "batch", "naive")
LOADERS: dict[str, Callable[..., IngestReport]] = {"incremental": ingest, "batch": ingest_bulk}
TARGET_SPEEDUP, TARGET_PSS_MIB = 2.0, 4096
COPY_SHARE, SHARD = 0.12, 5000  # bench_audit's defaults
STAGES = ("prepare+store", "verify", "final write", "statistics", "build_audit")


# ---- one engine, in a child process -------------------------------------------------------


def workers_cpu() -> float:
    """CPU seconds (user + system) of this process's children: the reaped ones and those alive."""
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = reaped.ru_utime + reaped.ru_stime
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def main_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


class StageClock:
    """Marks from an engine's on_progress: wall time and main-process CPU at every mark, the
    workers' CPU at each ``ingest`` mark and at the first mark of each stage (every mark with
    `every`).
    """

    def __init__(self, size_hint: int, every: bool = False) -> None:
        self.started = time.perf_counter()
        self.cpu0, self.workers0 = main_cpu(), workers_cpu()
        self.marks: list[tuple[str, float, float, float | None]] = []
        self.every = every
        self.size_hint = size_hint
        self.done: Counter[str] = Counter()

    def mark(self, stage: str, count: int = 0) -> None:
        first = not self.marks or self.marks[-1][0] != stage
        workers = (
            workers_cpu() - self.workers0 if (first or self.every or stage == "ingest") else None
        )
        at = time.perf_counter() - self.started
        self.marks.append((stage, at, main_cpu() - self.cpu0, workers))
        before = self.done[stage]
        self.done[stage] += count
        step = max(self.size_hint // 10, 1)
        if first or self.done[stage] // step > before // step:
            log(f"    {stage}: {self.done[stage]:,} at {at:.1f} s")

    def last(self, stage: str) -> tuple[str, float, float, float | None] | None:
        found = [mark for mark in self.marks if mark[0] == stage]
        return found[-1] if found else None

    def spans(self) -> dict[str, dict[str, float | None]]:
        """Seconds of wall, main CPU and workers' CPU per stage (see the module's docstring).

        The stage boundaries are the last ``ingest`` and ``verify`` marks, the ``statistics``
        mark, and the ``loaded`` and ``audited`` marks this bench adds. The workers' CPU at the
        last ``verify`` mark is not read (only with `every`): the workers' CPU read at the next
        mark goes to ``verify``, the stage between gets 0 (the verify workers have shut down when
        verify_tasks returns; the final write runs in the main process).
        """
        bounds: list[tuple[str, tuple[str, float, float, float | None] | None]] = [
            ("prepare+store", self.last("ingest")),
            ("verify", self.last("verify")),
            ("final write", self.last("statistics")),
            # with no statistics mark (a load too small to be a bulk load), all of it is the write
            ("statistics" if self.last("statistics") else "final write", self.last("loaded")),
            ("build_audit", self.last("audited")),
        ]
        spans: dict[str, dict[str, float | None]] = {}
        previous: tuple[str, float, float, float | None] = ("start", 0.0, 0.0, 0.0)
        previous_workers, unread = 0.0, ""
        for name, mark in bounds:
            if mark is None:
                continue
            spans[name] = {
                "wall": round(mark[1] - previous[1], 2),
                "main_cpu": round(mark[2] - previous[2], 2),
                "workers_cpu": None,
            }
            previous = mark
            if mark[3] is None:
                unread = unread or name
                continue
            spent, previous_workers = round(mark[3] - previous_workers, 2), mark[3]
            if unread:  # the workers had shut down before this stage: theirs is the earlier one's
                spans[unread]["workers_cpu"], spent, unread = spent, 0.0, ""
            spans[name]["workers_cpu"] = spent
        return spans


def run_engine(
    engine: str, db: Path, paths: list[Path], workers: int, profile: bool
) -> dict[str, Any]:
    """Audit the corpus with one engine in this process; its figures."""
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    targets = [str(path) for path in paths]
    size_hint = sum(1 for path in paths for _ in path.open("rb"))
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:  # forked workers must not run under the parent's profiler
        os.register_at_fork(after_in_child=profiler.disable)
    result: dict[str, Any] = {"engine": engine, "workers": workers if engine != "naive" else 1}
    with MemorySampler() as memory:
        clock = StageClock(size_hint, every=profile)
        if engine == "naive":
            found = run_naive(paths, db)
            clock.mark("audited")
            result |= {"articles": found["records"], "links": {"candidates": found["candidates"]}}
        else:
            store = Store(f"sqlite:///{db}")
            registry, settings = load_registry(), Settings()
            if profiler is not None:
                profiler.enable()
            report = LOADERS[engine](
                store, targets, settings, on_progress=clock.mark, workers=workers
            )
            clock.mark("loaded")
            audit = build_audit(store, registry, report, targets)
            clock.mark("audited")
            if profiler is not None:
                profiler.disable()
            store.close()
            result |= {
                "articles": audit.counts.articles,
                "read": report.read,
                "failures": len(report.failures),
                "report_links": dict(report.links),
            }
    wall = clock.marks[-1][1]
    if engine != "naive":
        result["links"] = dict(sorted(Counter(link[2] for link in stored_links(db)).items()))
    result |= {
        "wall": round(wall, 2),
        "cpu_main": round(main_cpu() - clock.cpu0, 2),
        "cpu_workers": round(workers_cpu() - clock.workers0, 2),
        "cpu_sampler": round(memory.cpu_seconds, 2),
        "peak_pss_mib": mib(memory.peak_pss),
        "peak_rss_mib": mib(memory.peak_rss),
        "database_mib": mib(database_bytes(db)),
        "stages": clock.spans() if engine != "naive" else {},
        "marks": len(clock.marks),
    }
    if profiler is not None:
        result["profile"] = {}
        for order, count in (("cumulative", 35), ("tottime", 25)):
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.strip_dirs().sort_stats(order).print_stats(count)
            result["profile"][order] = text.getvalue()
    return result


def stored_links(db: Path) -> set[tuple[Any, ...]]:
    """The links of an audited SQLite file as (origin URL, copy URL, kind, jaccard, containment,
    reverse containment, direction).
    """
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return set(
            connection.execute(
                "SELECT o.url, c.url, l.kind, l.jaccard, l.containment, l.reverse_containment, "
                "l.direction FROM copy_links AS l JOIN articles AS o ON o.id = l.origin_id "
                "JOIN articles AS c ON c.id = l.copy_id"
            )
        )
    finally:
        connection.close()


# ---- the comparison, in this process ------------------------------------------------------


def in_child(
    engine: str, db: Path, paths: list[Path], workers: int, profile: bool = False
) -> dict[str, Any]:
    """Run one engine in a fresh process (this module with --run); its figures, with the child's
    whole wall time as ``process_wall``.
    """
    out = db.with_suffix(".json")
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.bench_batch", "--run", engine, "--db", str(db)]
    command += ["--out", str(out), "--workers", str(workers), *map(str, paths)]
    if profile:
        command.append("--profile")
    started = time.perf_counter()
    subprocess.run(command, check=True)
    found: dict[str, Any] = json.loads(out.read_text())
    found["process_wall"] = round(time.perf_counter() - started, 2)
    return found


def order_of(engines: Sequence[str], round_: int) -> list[str]:
    """The engines in their order for a round: as given, reversed every other round."""
    return list(engines) if round_ % 2 == 0 else list(reversed(engines))


def compare_links(batch_db: Path, incremental_db: Path) -> dict[str, Any]:
    """How the two engines' stored links differ: counts and a few of each side."""
    batch, incremental = stored_links(batch_db), stored_links(incremental_db)
    only_batch, only_incremental = sorted(batch - incremental), sorted(incremental - batch)
    return {
        "batch": len(batch),
        "incremental": len(incremental),
        "only_batch": len(only_batch),
        "only_incremental": len(only_incremental),
        "examples_only_batch": only_batch[:3],
        "examples_only_incremental": only_incremental[:3],
    }


def scores_of(db: Path, corpus: Any) -> dict[str, Any]:
    """Precision and recall of a database's links against the known copies (bench_audit.score)."""
    store = Store(f"sqlite:///{db}", create=False)
    try:
        with store.reader() as reader:
            ids = reader.article_ids()
        found = score(store, corpus, Settings(), 0, ids)
    finally:
        store.close()
    keep = ["links", "true_links", "sibling_links", "false_positives", "precision"]
    keep += ["strict_precision", "recall", "direction_share"]
    return {key: found[key] for key in keep} | {
        "recall_by_kind": {
            kind: figures["recall"] for kind, figures in found["recall_by_kind"].items()
        }
    }


def run_size(size: int, args: argparse.Namespace, pools: Any, workdir: Path) -> dict[str, Any]:
    """Build a corpus, audit it with every engine round by round, compare."""
    corpus = build_corpus(pools, size, COPY_SHARE, args.seed, workdir / f"corpus-{size}", SHARD)
    log(
        f"size {size:,}: {len(corpus.truth):,} known copies, {len(corpus.paths)} file(s), "
        f"built in {corpus.seconds:.1f} s"
    )
    db = {engine: workdir / f"{engine}-{size}.sqlite" for engine in args.engines}
    runs: dict[str, list[dict[str, Any]]] = {engine: [] for engine in args.engines}
    for round_ in range(args.rounds):
        for engine in order_of(args.engines, round_):
            log(f"size {size:,}, round {round_ + 1}: {engine}")
            found = in_child(engine, db[engine], corpus.paths, args.workers)
            found["round"] = round_ + 1
            log(
                f"  {engine}: {found['wall']:.1f} s, CPU {found['cpu_main']:.1f} + "
                f"{found['cpu_workers']:.1f} s, peak PSS {found['peak_pss_mib']:.0f} MiB"
            )
            runs[engine].append(found)
    result: dict[str, Any] = {
        "size": size,
        "known_copies": len(corpus.truth),
        "files": len(corpus.paths),
        "workers": args.workers,
        "rounds": args.rounds,
        "runs": runs,
    }
    if "batch" in runs and "incremental" in runs:
        result["link_diff"] = compare_links(db["batch"], db["incremental"])
    result["scores"] = {
        engine: scores_of(db[engine], corpus)
        for engine in ("batch", "incremental")
        if engine in runs
    }
    if args.profile:
        log(f"size {size:,}: batch under cProfile")
        workers = args.profile_workers or args.workers
        result["profile"] = in_child(
            "batch", workdir / f"profile-{size}.sqlite", corpus.paths, workers, True
        )
    result["ratios"] = ratios(runs)
    result["targets_met"] = targets_met(result)
    if not args.keep:
        for path in corpus.paths:
            path.unlink(missing_ok=True)
    return result


def ratios(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Wall time of incremental and naive over batch: per round, of the best rounds and of the medians."""
    found: dict[str, Any] = {}
    if "batch" not in runs:
        return found
    for other in ("incremental", "naive"):
        if other not in runs:
            continue
        walls, batch = [run["wall"] for run in runs[other]], [run["wall"] for run in runs["batch"]]
        found[f"{other}/batch"] = {
            "per_round": [round(a / b, 2) for a, b in zip(walls, batch, strict=True)],
            "best": round(min(walls) / min(batch), 2),
            "median": round(statistics.median(walls) / statistics.median(batch), 2),
        }
    return found


def targets_met(result: dict[str, Any]) -> dict[str, bool]:
    """Issue #30's targets, on the medians of the rounds."""
    found = result["ratios"]
    met: dict[str, bool] = {}
    if "incremental/batch" in found:
        met[f"batch >= {TARGET_SPEEDUP:g}x faster than incremental"] = (
            found["incremental/batch"]["median"] >= TARGET_SPEEDUP
        )
    if "naive/batch" in found:
        met["batch no slower than naive"] = found["naive/batch"]["median"] >= 1
    if "batch" in result["runs"]:
        peak = max(run["peak_pss_mib"] for run in result["runs"]["batch"])
        met[f"batch peak PSS <= {TARGET_PSS_MIB} MiB"] = peak <= TARGET_PSS_MIB
    if "link_diff" in result:
        diff = result["link_diff"]
        met["same links as incremental"] = diff["only_batch"] == diff["only_incremental"] == 0
    return met


# ---- output -------------------------------------------------------------------------------


def stage_table(stages: dict[str, dict[str, float | None]]) -> str:
    rows = [
        [name, figures["wall"], figures["main_cpu"], figures["workers_cpu"]]
        for name, figures in stages.items()
    ]
    return table(rows, ["stage", "wall s", "main CPU s", "workers CPU s"])


def render(result: dict[str, Any]) -> list[str]:
    """The figures of one size as text."""
    runs = result["runs"]
    lines = [
        f"=== {result['size']:,} articles ({result['known_copies']:,} known copies, "
        f"{result['files']} file(s); {result['workers']} workers; {result['rounds']} round(s)) ==="
    ]
    rows = [
        [
            run["engine"],
            run["round"],
            f"{run['wall']:.1f}",
            f"{run['process_wall']:.1f}",
            f"{run['cpu_main']:.1f} + {run['cpu_workers']:.1f}",
            f"{run['cpu_sampler']:.1f}",
            f"{run['peak_pss_mib']:.0f}",
            f"{run['peak_rss_mib']:.0f}",
            f"{run['database_mib']:.0f}",
            json.dumps(run["links"], sort_keys=True),
        ]
        for engine in runs
        for run in runs[engine]
    ]
    header = ["engine", "round", "wall s", "process s", "CPU s (main + workers)", "sampler s"]
    header += ["peak PSS MiB", "peak RSS MiB", "db MiB", "links"]
    lines.append(table(rows, header))
    for name, figures in result["ratios"].items():
        per_round = ", ".join(f"{value:.2f}" for value in figures["per_round"])
        lines.append(
            f"{name.replace('/', ' / ')} wall time: {figures['median']:.2f}x of the medians "
            f"(best rounds {figures['best']:.2f}x; per round {per_round})"
        )
    if "link_diff" in result:
        diff = result["link_diff"]
        lines.append(
            f"links only in batch: {diff['only_batch']}, only in incremental: "
            f"{diff['only_incremental']} (batch {diff['batch']:,}, incremental "
            f"{diff['incremental']:,})"
        )
        for side in ("only_batch", "only_incremental"):
            for example in diff[f"examples_{side}"]:
                lines.append(f"  {side}: {example}")
    for engine, found in result["scores"].items():
        lines.append(
            f"{engine} links vs known copies: precision {found['precision']} (strict "
            f"{found['strict_precision']}), recall {found['recall']}, "
            f"{found['false_positives']} false positives, right direction "
            f"{found['direction_share']}; recall by kind {json.dumps(found['recall_by_kind'])}"
        )
    for engine in ("batch", "incremental"):
        if engine in runs:
            best = min(runs[engine], key=lambda run: float(run["wall"]))
            lines.append(f"{engine} stages, round {best['round']} ({best['wall']:.1f} s):")
            lines.append(stage_table(best["stages"]))
    lines.append("targets met: " + json.dumps(result["targets_met"]))
    if "profile" in result:
        found = result["profile"]
        lines.append(
            f"profile of the batch engine's main process: {found['wall']:.1f} s wall under "
            f"cProfile, {found['workers']} worker(s), CPU {found['cpu_main']:.1f} + {found['cpu_workers']:.1f} s, "
            f"peak PSS {found['peak_pss_mib']:.0f} MiB; stages:"
        )
        lines.append(stage_table(found["stages"]))
        lines.append(found["profile"]["cumulative"].rstrip())
        lines.append(found["profile"]["tottime"].rstrip())
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[5000, 100_000], help="default 5000,100000"
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the shared corpora")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes of the two engines (default: CPU count; naive uses none)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="runs of each engine (default 1)")
    parser.add_argument(
        "--engines",
        type=lambda text: [part for part in text.split(",") if part],
        default=list(ENGINES),
        help="comma-separated, of incremental,batch,naive (default all)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path, help="default: a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and databases")
    parser.add_argument("--profile", action="store_true", help="one more batch run, profiled")
    parser.add_argument(
        "--profile-workers",
        type=int,
        help="workers of the profiled run (default --workers; 1 profiles prepare and verify too)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--run", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        if args.db is None or args.out is None or not args.paths:
            parser.error("--run needs --db, --out and the corpus files")
        found = run_engine(args.run, args.db, args.paths, args.workers, args.profile)
        args.out.write_text(json.dumps(found))
        return
    unknown = set(args.engines) - set(ENGINES)
    if unknown or not args.engines or args.rounds < 1:
        parser.error(f"unknown engines {sorted(unknown)} or no engine or rounds < 1")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"loading sentence pools from {args.corpus}")
    pools = load_pools(args.corpus)
    results = []
    try:
        for size in args.sizes:
            result = run_size(size, args, pools, workdir)
            results.append(result)
            if not args.json:
                print("\n".join(render(result)), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2, default=str, ensure_ascii=False))


if __name__ == "__main__":
    main()
