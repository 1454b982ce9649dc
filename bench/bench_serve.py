"""POST /api/check under `provenance serve`: latency of one client, throughput of 8, and whether copies are found.

Issue #29 (point 6). For each size in --sizes (default 10,000 and 100,000 articles) it builds a
SQLite database of that many bench-corpus articles (bench/bench_audit.py's corpus: originals and
12% known copies of them, written to JSONL and stored with provenance.ingest.ingest and --workers
processes, default the CPU count), or reuses the one in --workdir made with the same size, seed
and copy share. It then starts ``provenance --db sqlite:///… serve --port N`` (uvicorn, one
process, read-only: PROVENANCE_TOKEN is removed from its environment) on a free port of
127.0.0.1, waits for GET /openapi.json to answer, and sends POST /api/check requests whose JSON is
``{"text": "<headline>\\n<body>", "published": "<ISO time>"}``, with texts that are:

- half copies of stored originals, made as the audit's copies are (``exact``, ``footer``,
  ``header``, ``partial``, ``light_edit`` in turn), published 30 minutes to 5 days after their
  original, and themselves not stored. Expected verdict: ``copy`` (or ``stored``: an exact copy
  has the very body of a stored article, and a text without URL is matched by its body);
- half new articles from the same generator (seeds no stored article has). Expected verdict:
  ``original``.

Nothing is added to the server; everything is timed by the client (http.client, in this
process), in three phases after --warmup requests whose times are dropped:

1. ``keep-alive``: one client, sequential, on one keep-alive connection; each time runs from
   the first byte of the request sent to the last byte of the response read (the JSON body is
   encoded before and decoded after). This is the closest a client gets to the server's own time
   per request: it adds only the loopback round trip and the client's socket calls. It is the
   figure the target is checked on.
2. ``new connection``: one client, sequential, the same texts, a new TCP connection per request;
   each time runs from the connect to the decoded JSON, as a one-shot client sees it.
3. ``concurrent``: --clients threads (default 8), each with its own keep-alive connection,
   sending the texts in turn for --duration seconds (default 30) or until --count requests in
   all; requests per second = responses / wall time of the phase, and the latency each request saw
   under that load (keep-alive timing as in 1). The client threads share this process's GIL and
   the machine's cores with the server: the CPU seconds of both are printed.

Every response must be 200 (the others are counted and the bench exits 1); each verdict is
counted per kind of text, and a copy is "found" when its verdict is ``copy`` or ``stored`` and
its original's URL is the article the verdict names or among the matches.

Target: p50 <= 50 ms at 100,000 articles (keep-alive, sequential).

Run from the repository's root (figures to stdout, progress to stderr):

    .venv/bin/python -m bench.bench_serve                                    # 10,000 and 100,000
    .venv/bin/python -m bench.bench_serve --sizes 10000 --workdir /tmp/serve --keep
    .venv/bin/python -m bench.bench_serve --sizes 50 --workers 1 --requests 10 --duration 2 --json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from bench.bench_audit import (
    KINDS,
    build_corpus,
    database_bytes,
    log,
    make_copy,
    mib,
    original_of,
    parse_sizes,
    plan,
    table,
)
from bench.corpus import DEFAULT_CORPUS, Pools, load_pools
from provenance.config import Settings
from provenance.ingest import ingest
from provenance.store import Store

ROOT = Path(__file__).resolve().parent.parent
TARGET_P50_MS, TARGET_SIZE = 50.0, 100_000
FOUND_VERDICTS = ("copy", "stored")
READY_SECONDS = 180.0
"""How long the server may take to answer its first request (it imports the app and opens the store)."""


# ---- database ----------------------------------------------------------------------------


def provenance_command() -> list[str]:
    """The console script beside this Python (as a user runs it), else ``python -m provenance``."""
    script = Path(sys.executable).with_name("provenance")
    return [str(script)] if script.exists() else [sys.executable, "-m", "provenance"]


def stored_articles(db: Path) -> int:
    """The number of articles in a SQLite database."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        count: int = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    return count


def build_database(
    pools: Pools, size: int, args: argparse.Namespace, workdir: Path
) -> dict[str, Any]:
    """The database of `size` bench-corpus articles in workdir: reused when its meta file says it
    was made with the same size, seed and copy share, else built (corpus, then ingest).
    """
    db = workdir / f"serve-{size}.sqlite"
    meta_path = workdir / f"serve-{size}.json"
    wanted = {"size": size, "seed": args.seed, "copy_share": args.copy_share}
    if db.exists() and meta_path.exists():
        meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        if {key: meta.get(key) for key in wanted} == wanted:
            log(f"size {size:,}: reusing {db} ({meta['stored']:,} articles)")
            return meta | {"reused": True, "db": str(db)}
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), meta_path):
        stale.unlink(missing_ok=True)
    log(f"size {size:,}: building the corpus")
    corpus = build_corpus(
        pools, size, args.copy_share, args.seed, workdir / f"serve-corpus-{size}", args.shard
    )
    targets = [str(path) for path in corpus.paths]
    log(f"size {size:,}: corpus in {corpus.seconds:.1f} s; ingesting with {args.workers} workers")
    store = Store(f"sqlite:///{db}")
    done = {"count": 0}
    started = time.perf_counter()

    def on_progress(_stage: str, count: int) -> None:
        done["count"] += count
        if done["count"] % 5000 < count:
            elapsed = time.perf_counter() - started
            log(
                f"  ingest: {done['count']:,}/{size:,} articles, {elapsed:.0f} s, {done['count'] / elapsed:.0f} articles/s"
            )

    try:
        report = ingest(store, targets, Settings(), on_progress=on_progress, workers=args.workers)
    finally:
        store.close()
    seconds = time.perf_counter() - started
    if not report.article_ids:
        raise SystemExit(f"no articles ingested from {targets[0]} …: {report.failures[:3]}")
    if not args.keep:
        for path in corpus.paths:
            path.unlink(missing_ok=True)
    meta = wanted | {
        "stored": stored_articles(db),
        "copies_in_corpus": len(corpus.truth),
        "corpus_seconds": round(corpus.seconds, 1),
        "ingest_seconds": round(seconds, 1),
        "ingest_articles_per_second": round(size / seconds, 1),
        "workers": args.workers,
        "failures": len(report.failures),
    }
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    log(f"size {size:,}: ingest done in {seconds:.1f} s, {meta['stored']:,} articles stored")
    return meta | {"reused": False, "db": str(db)}


# ---- the texts checked -------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One text to check: its request body, what it is (a copy kind or ``new``) and, for a copy,
    its original's URL.
    """

    body: bytes
    kind: str
    origin_url: str | None


def probes(
    pools: Pools, size: int, count: int, copy_share: float, seed: int, salt: int
) -> list[Probe]:
    """`count` texts, alternately a copy of a stored original (kinds in turn) and a new article.

    Copies are made with serials past every stored record's and new articles with indexes past
    every stored original's, so that none of them is stored; `salt` keeps the warm-up texts apart
    from the measured ones.
    """
    originals, _ = plan(size, copy_share, seed)
    rng = random.Random(seed * 7919 + salt)
    first = size + salt * count  # past every stored serial (< size) and original index
    made = []
    for number in range(count):
        if number % 2 == 0:
            kind = KINDS[(number // 2) % len(KINDS)]
            original = original_of(pools, seed, rng.randrange(originals))
            article, text, _detail = make_copy(pools, seed, first + number, original, kind)
            origin: str | None = original.url
        else:
            kind, article = "new", original_of(pools, seed, first + number)
            text, origin = article.text, None
        body = {"text": f"{article.title}\n{text}", "published": article.published.isoformat()}
        made.append(Probe(json.dumps(body, ensure_ascii=False).encode("utf-8"), kind, origin))
    return made


# ---- the server --------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Server:
    """``provenance serve`` in a subprocess, on a free port; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, db: Path, log_path: Path) -> None:
        self.port = free_port()
        self.command = [
            *provenance_command(),
            "--db",
            f"sqlite:///{db}",
            "serve",
            "--port",
            str(self.port),
        ]
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.ready_seconds = 0.0

    def __enter__(self) -> Server:
        env = {key: value for key, value in os.environ.items() if key != "PROVENANCE_TOKEN"}
        started = time.perf_counter()
        with self.log_path.open("wb") as output:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        while True:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"{' '.join(self.command)} exited {self.process.returncode}:\n{self.log_path.read_text(errors='replace')[-2000:]}"
                )
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/openapi.json")
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - started > READY_SECONDS:
                self.stop()
                raise SystemExit(f"the server did not answer within {READY_SECONDS:.0f} s")
            time.sleep(0.1)
        self.ready_seconds = time.perf_counter() - started
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the server process (and any children) so far."""
        assert self.process is not None
        process = psutil.Process(self.process.pid)
        total = 0.0
        for each in [process, *process.children(recursive=True)]:
            times = each.cpu_times()
            total += times.user + times.system
        return total

    def rss_mib(self) -> float:
        assert self.process is not None
        return mib(psutil.Process(self.process.pid).memory_info().rss)


# ---- the client --------------------------------------------------------------------------


HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass
class Outcome:
    """One request: its probe, HTTP status, seconds, the verdict and whether the copy was found."""

    probe: Probe
    status: int
    seconds: float
    verdict: str
    found: bool


def judge(probe: Probe, status: int, payload: bytes) -> tuple[str, bool]:
    """The verdict of a response, and whether a copy's original was found (a new article: whether
    it was left alone, verdict ``original``).
    """
    if status != 200:
        return f"http {status}", False
    try:
        result = json.loads(payload)["results"][0]
    except (ValueError, KeyError, IndexError):
        return "unreadable", False
    verdict = str(result.get("verdict"))
    if probe.origin_url is None:
        return verdict, verdict == "original"
    named = {(result.get("of") or {}).get("url")} | {
        match.get("url") for match in result.get("matches") or []
    }
    return verdict, verdict in FOUND_VERDICTS and probe.origin_url in named


def keep_alive_request(connection: http.client.HTTPConnection, probe: Probe) -> Outcome:
    """POST /api/check on an open keep-alive connection, timed from sending to the response's last byte."""
    started = time.perf_counter()
    connection.request("POST", "/api/check", body=probe.body, headers=HEADERS)
    response = connection.getresponse()
    payload = response.read()
    seconds = time.perf_counter() - started
    verdict, found = judge(probe, response.status, payload)
    return Outcome(probe, response.status, seconds, verdict, found)


def new_connection_request(port: int, probe: Probe) -> Outcome:
    """POST /api/check on a new connection, timed from the connect to the decoded JSON."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("POST", "/api/check", body=probe.body, headers=HEADERS)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    try:
        json.loads(payload)
    except ValueError:
        pass
    seconds = time.perf_counter() - started
    verdict, found = judge(probe, response.status, payload)
    return Outcome(probe, response.status, seconds, verdict, found)


def sequential_keep_alive(port: int, texts: Sequence[Probe]) -> list[Outcome]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        return [keep_alive_request(connection, probe) for probe in texts]
    finally:
        connection.close()


def concurrent(
    port: int, texts: Sequence[Probe], clients: int, duration: float, count: int | None
) -> tuple[list[Outcome], float]:
    """`clients` threads on keep-alive connections for `duration` seconds (or `count` requests in
    all); the outcomes and the phase's wall seconds.
    """
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    issued = {"count": 0}
    errors: list[BaseException] = []
    start_gate = threading.Barrier(clients + 1)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[Outcome] = []
        try:
            start_gate.wait()
            while time.perf_counter() < deadline:
                with lock:  # the next text in turn, whichever client is free
                    if count is not None and issued["count"] >= count:
                        break
                    position = issued["count"]
                    issued["count"] += 1
                mine.append(keep_alive_request(connection, texts[position % len(texts)]))
        except BaseException as error:  # reported after the phase
            errors.append(error)
        finally:
            connection.close()
            with lock:
                outcomes.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + (duration if count is None else 10 * 3600)
    started = time.perf_counter()
    start_gate.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"a client failed: {errors[0]!r}")
    return outcomes, wall


# ---- figures -----------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of values (share in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def latency(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """p50/p95/p99/mean/max in ms, overall and for copies and new articles apart."""

    def summary(seconds: list[float]) -> dict[str, float | int]:
        if not seconds:
            return {"n": 0}
        ms = [value * 1000 for value in seconds]
        return {
            "n": len(ms),
            "p50": round(percentile(ms, 0.50), 1),
            "p95": round(percentile(ms, 0.95), 1),
            "p99": round(percentile(ms, 0.99), 1),
            "mean": round(statistics.fmean(ms), 1),
            "max": round(max(ms), 1),
        }

    return {
        "all": summary([o.seconds for o in outcomes]),
        "copies": summary([o.seconds for o in outcomes if o.probe.kind != "new"]),
        "new": summary([o.seconds for o in outcomes if o.probe.kind == "new"]),
    }


def verdicts(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """HTTP statuses, and per kind of text its verdicts and how many were found (copies) or left
    original (new articles).
    """
    kinds: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        entry = kinds.setdefault(outcome.probe.kind, {"n": 0, "ok": 0, "verdicts": Counter()})
        entry["n"] += 1
        entry["ok"] += outcome.found
        entry["verdicts"][outcome.verdict] += 1
    copies = [o for o in outcomes if o.probe.kind != "new"]
    new = [o for o in outcomes if o.probe.kind == "new"]
    return {
        "statuses": dict(Counter(o.status for o in outcomes)),
        "non_200": sum(o.status != 200 for o in outcomes),
        "copies_found": [sum(o.found for o in copies), len(copies)],
        "new_left_original": [sum(o.found for o in new), len(new)],
        "per_kind": {
            kind: {"n": e["n"], "ok": e["ok"], "verdicts": dict(e["verdicts"].most_common())}
            for kind, e in sorted(kinds.items())
        },
    }


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_size(pools: Pools, size: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Build (or reuse) the database of one size, serve it, and measure."""
    meta = build_database(pools, size, args, workdir)
    db = Path(meta["db"])
    warmup = probes(pools, size, args.warmup, args.copy_share, args.seed, salt=1)
    texts = probes(pools, size, args.requests, args.copy_share, args.seed, salt=2)
    with Server(db, workdir / f"serve-{size}.log") as server:
        log(
            f"size {size:,}: server on port {server.port} answered after {server.ready_seconds:.1f} s; {args.warmup} warm-up requests"
        )
        sequential_keep_alive(server.port, warmup)
        phases: dict[str, dict[str, Any]] = {}

        def measured(name: str, work: Callable[[], tuple[list[Outcome], float | None]]) -> None:
            server_cpu, client_cpu = server.cpu_seconds(), own_cpu_seconds()
            started = time.perf_counter()
            outcomes, wall = work()
            wall = wall if wall is not None else time.perf_counter() - started
            server_cpu = server.cpu_seconds() - server_cpu
            client_cpu = own_cpu_seconds() - client_cpu
            phases[name] = {
                "requests": len(outcomes),
                "wall_seconds": round(wall, 2),
                "requests_per_second": round(len(outcomes) / wall, 1) if wall else None,
                "latency_ms": latency(outcomes),
                "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, len(outcomes)), 1),
                "server_cores_busy": round(server_cpu / wall, 2) if wall else None,
                "client_cpu_seconds": round(client_cpu, 2),
                "checks": verdicts(outcomes),
            }
            log(
                f"size {size:,}: {name}: {len(outcomes)} requests in {wall:.1f} s, p50 {phases[name]['latency_ms']['all'].get('p50')} ms"
            )

        log(f"size {size:,}: keep-alive, sequential: {len(texts)} requests")
        measured("keep-alive", lambda: (sequential_keep_alive(server.port, texts), None))
        log(f"size {size:,}: new connection per request, sequential: {len(texts)} requests")
        measured(
            "new connection",
            lambda: ([new_connection_request(server.port, probe) for probe in texts], None),
        )
        log(
            f"size {size:,}: {args.clients} concurrent clients for "
            + (f"{args.count} requests" if args.count else f"{args.duration:.0f} s")
        )
        measured(
            "concurrent",
            lambda: concurrent(server.port, texts, args.clients, args.duration, args.count),
        )
        rss = server.rss_mib()
    return {
        "size": size,
        "database": meta | {"mib": mib(database_bytes(db)), "reused": meta["reused"]},
        "server": {
            "command": " ".join(server.command),
            "ready_seconds": round(server.ready_seconds, 2),
            "rss_mib_after": rss,
        },
        "warmup_requests": len(warmup),
        "clients": args.clients,
        "phases": phases,
        "target": {
            "p50_ms": TARGET_P50_MS,
            "at_size": TARGET_SIZE,
            "keep_alive_p50_ms": phases["keep-alive"]["latency_ms"]["all"]["p50"],
            "met": phases["keep-alive"]["latency_ms"]["all"]["p50"] <= TARGET_P50_MS,
            "applies": size >= TARGET_SIZE,
        },
    }


def render(result: dict[str, Any]) -> Iterator[str]:
    """The text report of one size."""
    db = result["database"]
    yield (
        f"=== {result['size']:,} articles ({db['stored']:,} stored, {db['copies_in_corpus']:,} known copies among them; "
        f"database {db['mib']} MiB, "
        + (
            "reused"
            if db["reused"]
            else f"ingest {db['ingest_seconds']} s with {db['workers']} workers"
        )
        + ")"
    )
    server = result["server"]
    yield f"server: {server['command']}  (answered after {server['ready_seconds']} s; RSS at the end {server['rss_mib_after']} MiB)"
    yield f"texts: half copies of stored originals ({', '.join(KINDS)} in turn), half new articles; {result['warmup_requests']} warm-up requests not counted"
    rows = []
    for name, phase in result["phases"].items():
        clients = result["clients"] if name == "concurrent" else 1
        for part in ("all", "copies", "new"):
            figures = phase["latency_ms"][part]
            rows.append(
                [
                    f"{name} ({clients} client{'s' if clients > 1 else ''})"
                    if part == "all"
                    else "",
                    part,
                    figures["n"],
                    figures.get("p50"),
                    figures.get("p95"),
                    figures.get("p99"),
                    figures.get("mean"),
                    figures.get("max"),
                    phase["requests_per_second"] if part == "all" else "",
                    phase["server_cpu_ms_per_request"] if part == "all" else "",
                ]
            )
    yield table(
        rows,
        [
            "phase",
            "texts",
            "n",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "mean ms",
            "max ms",
            "req/s",
            "server CPU ms/req",
        ],
    )
    yield "  keep-alive: request sent -> response read on one open connection (≈ server time + loopback); new connection: connect -> decoded JSON"
    concurrent_phase = result["phases"]["concurrent"]
    yield (
        f"  concurrent: {concurrent_phase['requests']} requests in {concurrent_phase['wall_seconds']} s; server busy {concurrent_phase['server_cores_busy']} cores, "
        f"client threads {concurrent_phase['client_cpu_seconds']} CPU s"
    )
    names = list(result["phases"])
    kinds = sorted(
        {kind for phase in result["phases"].values() for kind in phase["checks"]["per_kind"]}
    )
    rows = []
    for kind in kinds:
        seen: Counter[str] = Counter()
        cells = []
        for name in names:
            entry = result["phases"][name]["checks"]["per_kind"].get(
                kind, {"ok": 0, "n": 0, "verdicts": {}}
            )
            cells.append(f"{entry['ok']}/{entry['n']}")
            seen.update(entry["verdicts"])
        expected = "original" if kind == "new" else "copy/stored, naming the original"
        rows.append([kind, expected, *cells, dict(seen.most_common())])
    rows.append(
        ["non-200", "none", *(result["phases"][name]["checks"]["non_200"] for name in names), ""]
    )
    yield table(rows, ["texts", "expected verdict", *names, "verdicts (all phases)"])
    target = result["target"]
    status = "met" if target["met"] else "NOT met"
    if not target["applies"]:
        status += f" (the target is set at {TARGET_SIZE:,} articles)"
    yield f"target: keep-alive p50 <= {TARGET_P50_MS:.0f} ms at {TARGET_SIZE:,}: {target['keep_alive_p50_ms']} ms, {status}"


def main() -> None:
    """Build each database, serve it, measure POST /api/check and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[10_000, 100_000],
        help="database sizes in articles, comma-separated (default 10000,100000)",
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of the shared corpora"
    )
    parser.add_argument(
        "--copy-share",
        type=float,
        default=0.12,
        help="share of stored articles that are copies (default 0.12)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="ingest processes (default: CPU count)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--requests",
        type=int,
        default=200,
        help="texts checked in each sequential phase, half copies (default %(default)s)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="requests sent first, not timed (default %(default)s)",
    )
    parser.add_argument(
        "--clients", type=int, default=8, help="concurrent clients (default %(default)s)"
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=30.0,
        help="seconds of the concurrent phase (default %(default)s)",
    )
    parser.add_argument(
        "--count",
        type=int,
        help="requests of the concurrent phase, in all, instead of --duration",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="folder of the databases (serve-N.sqlite, reused when made with the same size, seed and copy share); default a temporary folder",
    )
    parser.add_argument(
        "--shard", type=int, default=5000, help="records per JSONL file (default %(default)s)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder and the JSONL files"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if not 0 < args.copy_share < 0.5:
        parser.error("--copy-share must be between 0 and 0.5")
    if args.requests < 2 or args.warmup < 0 or args.clients < 1:
        parser.error("--requests must be at least 2, --warmup at least 0, --clients at least 1")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-serve-"))
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"loading sentence pools from {args.corpus}")
    pools = load_pools(args.corpus)
    results = []
    try:
        for size in args.sizes:
            result = run_size(pools, size, args, workdir)
            results.append(result)
            if not args.json:
                print("\n".join(render(result)), flush=True)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(
            json.dumps(
                {"target": {"p50_ms": TARGET_P50_MS, "at_size": TARGET_SIZE}, "results": results},
                indent=2,
                ensure_ascii=False,
            )
        )
    if any(phase["checks"]["non_200"] for r in results for phase in r["phases"].values()):
        log("some responses were not 200")
        sys.exit(1)


if __name__ == "__main__":
    main()
