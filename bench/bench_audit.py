"""Batch audit of a corpus: speed, memory, database size and copy-link accuracy against known copies.

For each size in --sizes (default 10,000 and 100,000 articles) it builds a corpus from real
sentences of the shared corpora (bench/corpus.py: WMT22 news, PolNeAR, census articles; every
sentence spliced from two real ones), with known copies mixed in (--copy-share, default 12%):

- ``exact``: the original's body reposted unchanged at another outlet, 30 minutes to 5 days later;
- ``footer``: the same, with a repost-marker line at the end, in the original's language or
  another one ("Source: https://…", "Dieser Artikel erschien zuerst bei …", "Информация на этой
  странице взята из источника: https://…", …), naming the original by URL or by outlet;
- ``header``: the same, with one line of outlet boilerplate at the top ("Home » News » World",
  "Главная » Новости", "<outlet> | Latest news, analysis and opinion", …), some of which the
  packaged furniture patterns recognise and some not;
- ``partial``: 3-5 consecutive paragraphs of an original set among 2-6 paragraphs of the
  copier's own, under its own headline;
- ``light_edit``: the original with 2-10% of its words replaced by other words of the language.

The rest are distinct originals. Each copy copies an original (never another copy); an
original may be copied more than once, so two copies of one original ("siblings") share text
too. Records ({"url","title","text","published","outlet"}) are written to a JSONL file in the
work folder in shuffled order (a copy may come before its original), split into files of --shard
records (default 5,000, ~23 MB each: provenance refuses input files over Settings.max_file_bytes,
50 MiB, and 100,000 records make ~450 MB); the ground truth (which URL
copies which, and how) stays in memory. Every article is regenerated from its own seed, so the
texts are never all held in memory.

Then it runs the audit in process, as provenance.audit.run_audit does, but in two timed steps:
provenance.ingest.ingest (with --workers processes, default os.cpu_count()) into a fresh SQLite
file, then provenance.audit.build_audit. It reports, per size:

- wall time of ingest, of building the audit, and their total; articles/s;
- CPU seconds (user + system) of the ingest in this process (the writer) and in its workers, and
  their sum as a share of the cores' time: below 100% while one process waits for another;
- peak memory: the largest sum over this process and its worker processes, sampled with
  psutil, of PSS (proportional set size: a page shared by n processes counts 1/n; the memory
  target is checked on it) and of RSS (counts pages the forked workers share with this process
  once per process, so an upper bound). RSS is read every second; PSS, for which the kernel
  walks each process's page tables (36 readings took 1.3 s of this process's CPU at 10,000
  articles), whenever the summed RSS has grown 5% since the last PSS reading, every 30 s, and at
  the end (see MemorySampler); the sampler's own CPU seconds are printed. Also ru_maxrss of this
  process and of its largest finished child, and the RSS of this process before the ingest
  (sentence pools, truth);
- database size (SQLite file with its -wal and -shm files);
- precision and recall of the stored copy links against the known copies, matched as unordered
  URL pairs. Recall is per kind of copy; precision is per kind of link the tool reported
  (repost, duplicate, partial). A link between two copies of the same original is a "sibling"
  link: it is counted apart, as correct in ``precision`` and as a false positive in
  ``strict precision``. Every other link between articles that are not a known pair is a false
  positive. Of the found pairs, the share whose direction is right (every known pair has
  different publication dates), and how the direction was decided (marker evidence or dates);
- of the links found, per kind of copy, how many show a changed passage in their evidence, and
  whether each pair reads origin first (its first side in the origin's stored body, its second
  in the copy's);
- a few false positives and misses, with Jaccard and containment of their exact shingle sets,
  the kind provenance.match.copy_kind gives those scores, and how many LSH keys the two
  articles share (none: the pair never became a candidate).

Targets: 100,000 articles in under 5 minutes and 4 GB; precision and recall >= 0.98.

Run from the repository's root (figures to stdout, progress to stderr):

    .venv/bin/python -m bench.bench_audit                          # 10,000 and 100,000
    .venv/bin/python -m bench.bench_audit --sizes 2000 --json      # a quick run
    .venv/bin/python -m bench.bench_audit --sizes 50 --workers 1   # the smoke test's
    .venv/bin/python -m bench.bench_audit --sizes 10000 --workdir /tmp/audit --keep
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
from sqlalchemy import text

from bench.corpus import DEFAULT_CORPUS, Article, ArticleFactory, Pools, load_pools
from bench.cpu import cpu_spent, cpu_times
from provenance.audit import audit_json, build_audit
from provenance.config import Settings
from provenance.ingest import Fingerprinter, ingest
from provenance.knowledge import load_registry
from provenance.match import copy_kind, overlap
from provenance.store import LinkRecord, Store

KINDS = ("exact", "footer", "header", "partial", "light_edit")
# Share of the copies of each kind.
KIND_WEIGHTS = {"exact": 0.25, "footer": 0.2, "header": 0.15, "partial": 0.2, "light_edit": 0.2}
TARGET_SECONDS, TARGET_GB, TARGET_SCORE = 300, 4.0, 0.98
# Repost-marker footers per language: (template id, template); {url} and {outlet} name the original.
FOOTERS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("en-source-url", "Source: {url}"),
        ("en-originally-published", "This article was originally published at {outlet}."),
        ("en-read-original", "Read the original article at {outlet}."),
    ],
    "de": [
        ("de-erschien-zuerst", "Dieser Artikel erschien zuerst bei {outlet}."),
        ("de-quelle-url", "Quelle: {url}"),
    ],
    "fr": [
        ("fr-source-url", "Source : {url}"),
        ("fr-publie-initialement", "Cet article a été publié initialement sur {outlet}."),
    ],
    "ru": [
        ("ru-informatsiya-vzyata", "Информация на этой странице взята из источника: {url}"),
        ("ru-istochnik-url", "Источник: {url}"),
        ("ru-material-opublikovan", "Материал впервые опубликован на сайте {outlet}."),
    ],
}
# One line of outlet boilerplate above the body; {outlet} is the copier's outlet.
HEADERS = [
    "Home » News » World",
    "Skip to content",
    "Advertisement",
    "Startseite > Nachrichten",
    "Главная » Новости",
    "Accueil > Actualités",
    "{outlet} | Latest news, analysis and opinion",
    "{OUTLET} — independent journalism since 1998",
    "You are reading {outlet}, your daily news briefing",
]


def log(message: str) -> None:
    """Progress to stderr, with the wall-clock time."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    """One known copy: the copy's URL, its original's URL, the kind and a detail (footer template,
    edit share).
    """

    copy_url: str
    origin_url: str
    kind: str
    detail: str


@dataclass
class Corpus:
    """A written JSONL corpus and its ground truth."""

    paths: list[Path]
    articles: int
    originals: int
    truth: dict[frozenset[str], Truth] = field(default_factory=dict)
    story: dict[str, int] = field(default_factory=dict)
    languages: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def original_of(pools: Pools, seed: int, index: int) -> Article:
    """Original number `index`, regenerated from its own seed (the same article every time)."""
    factory = ArticleFactory(pools, seed=seed * 1_000_003 + index)
    factory.serial = index * 10
    return factory.article()


def make_copy(
    pools: Pools, seed: int, serial: int, original: Article, kind: str
) -> tuple[Article, str, str]:
    """A copy of an original of the given kind: (article, text to write, detail)."""
    factory = ArticleFactory(pools, seed=seed * 1_000_003 + serial)
    factory.serial = serial * 10
    rng = factory.rng
    if kind == "exact":
        copy = factory.republished(original)
        return copy, copy.text, ""
    if kind == "footer":
        language = original.language if rng.random() < 0.5 else rng.choice(sorted(FOOTERS))
        name, template = rng.choice(FOOTERS[language])
        copy = factory.republished(original)
        return (
            copy,
            f"{copy.text}\n{template.format(url=original.url, outlet=original.outlet)}",
            name,
        )
    if kind == "header":
        copy = factory.republished(original)
        header = rng.choice(HEADERS).format(outlet=copy.outlet, OUTLET=copy.outlet.upper())
        return copy, f"{header}\n{copy.text}", header
    if kind == "partial":
        paragraphs = original.text.split("\n")
        taken = min(rng.randint(3, 5), max(1, len(paragraphs) - 1))
        start = rng.randrange(len(paragraphs) - taken + 1)
        own = factory.article(original.language)
        own_paragraphs = own.text.split("\n")[: rng.randint(2, 6)]
        at = rng.randint(0, len(own_paragraphs))
        body = "\n".join(
            own_paragraphs[:at] + paragraphs[start : start + taken] + own_paragraphs[at:]
        )
        copy = factory.republished(original, body)
        copy = Article(own.title, body, copy.language, copy.outlet, copy.url, copy.published)
        return (
            copy,
            body,
            f"{taken} of {len(paragraphs)} paragraphs among {len(own_paragraphs)} own",
        )
    if kind == "light_edit":
        fraction = rng.uniform(0.02, 0.10)
        body = factory.edited(original.text, fraction, original.language)
        copy = factory.republished(original, body)
        return copy, body, f"{fraction:.1%} of words replaced"
    raise ValueError(f"unknown copy kind {kind}")


def plan(count: int, copy_share: float, seed: int) -> tuple[int, list[tuple[str, int, int]]]:
    """The number of originals and the shuffled order of (kind, original index, serial) records."""
    copies = round(count * copy_share)
    originals = count - copies
    rng = random.Random(seed)
    kinds = [kind for kind in KINDS for _ in range(round(copies * KIND_WEIGHTS[kind]))]
    kinds = (kinds + ["exact"] * copies)[:copies]
    entries = [("original", index, index) for index in range(originals)]
    entries += [
        (kind, rng.randrange(originals), originals + number) for number, kind in enumerate(kinds)
    ]
    rng.shuffle(entries)
    return originals, entries


def build_corpus(
    pools: Pools, count: int, copy_share: float, seed: int, stem: Path, shard: int
) -> Corpus:
    """Write `count` records to JSONL files of `shard` records each and return the ground truth of
    the copies.
    """
    start = time.perf_counter()
    originals, entries = plan(count, copy_share, seed)
    corpus = Corpus([], count, originals)
    for first in range(0, count, shard):
        path = stem.with_name(f"{stem.name}-{first // shard:03d}.jsonl")
        corpus.paths.append(path)
        with path.open("w", encoding="utf-8") as handle:
            write_records(pools, seed, entries[first : first + shard], first, corpus, handle)
    corpus.seconds = time.perf_counter() - start
    return corpus


def write_records(
    pools: Pools,
    seed: int,
    entries: Sequence[tuple[str, int, int]],
    first: int,
    corpus: Corpus,
    handle: Any,
) -> None:
    """Write planned records to an open JSONL file, adding copies to the corpus' ground truth."""
    for done, (kind, index, serial) in enumerate(entries, start=first + 1):
        original = original_of(pools, seed, index)
        if kind == "original":
            record = original.record()
            corpus.story[original.url] = index
            corpus.languages[original.language] += 1
        else:
            copy, text, detail = make_copy(pools, seed, serial, original, kind)
            record = copy.record() | {"text": text}
            corpus.truth[frozenset((copy.url, original.url))] = Truth(
                copy.url, original.url, kind, detail
            )
            corpus.story[copy.url] = index
            corpus.languages[copy.language] += 1
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        if done % 10_000 == 0:
            log(f"  corpus: {done:,}/{corpus.articles:,} records written")


# ---- memory ------------------------------------------------------------------------------


class MemorySampler:
    """Samples the summed RSS and PSS of this process and its children in a background thread; keeps the peaks.

    RSS (from /proc/<pid>/statm) is read every `interval` seconds. PSS needs the kernel to walk
    each process's page tables (/proc/<pid>/smaps_rollup): at 10,000 articles, read every second,
    that took 1.3 s of this process's CPU in 36 readings of the three processes, in the timed run
    (0.3 s in 7 readings now). So PSS is read
    only when the summed RSS has grown by `pss_growth` since the last PSS reading, or
    `pss_every` seconds after it, and once at the end. The sampler's own CPU time is kept
    (`cpu_seconds`): it is counted in this process's CPU and in the wall time it competes with.
    """

    def __init__(
        self, interval: float = 1.0, pss_every: float = 30.0, pss_growth: float = 0.05
    ) -> None:
        self.interval = interval
        self.pss_every = pss_every
        self.pss_growth = pss_growth
        self.peak_rss = 0
        self.peak_pss = 0
        self.pss_readings = 0
        self.cpu_seconds = 0.0
        self._pss_rss = 0
        self._pss_at = float("-inf")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._me = psutil.Process()

    def _processes(self) -> list[Any]:
        return [self._me, *self._me.children(recursive=True)]

    def _sample(self, with_pss: bool) -> tuple[int, int]:
        rss = pss = 0
        for process in self._processes():
            try:
                if with_pss:
                    info = process.memory_full_info()
                    pss += getattr(info, "pss", info.rss)
                else:
                    info = process.memory_info()
            except psutil.Error:
                continue
            rss += info.rss
        return rss, pss

    def _record(self, force_pss: bool = False) -> None:
        start = time.thread_time()
        rss, _ = self._sample(with_pss=False)
        self.peak_rss = max(self.peak_rss, rss)
        now = time.monotonic()
        if (
            force_pss
            or rss > self._pss_rss * (1 + self.pss_growth)
            or now - self._pss_at >= self.pss_every
        ):
            rss, pss = self._sample(with_pss=True)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self._pss_rss, self._pss_at = rss, now
            self.pss_readings += 1
        self.cpu_seconds += time.thread_time() - start

    def _run(self) -> None:
        while not self._stop.is_set():
            self._record()
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._record(force_pss=True)


def mib(value: float) -> float:
    """Bytes to MiB, rounded."""
    return round(value / 2**20, 1)


def database_bytes(db: Path) -> int:
    """Size of a SQLite database with its -wal and -shm files."""
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


# ---- scoring -----------------------------------------------------------------------------


def ratio(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 places, or None for an empty whole."""
    return round(part / whole, 4) if whole else None


def shared_lsh_keys(store: Store, first: int, second: int) -> int:
    """How many LSH bucket keys two stored articles share (SQL on the index table: no reader query
    gives an article's keys).
    """
    query = text(
        "SELECT count(*) FROM (SELECT key FROM lsh_buckets WHERE article_id IN (:first, :second) GROUP BY key HAVING count(*) = 2) AS shared"
    )
    with store.engine.connect() as connection:
        return int(connection.execute(query, {"first": first, "second": second}).scalar_one())


def pair_scores(
    store: Store, settings: Settings, fingerprinter: Fingerprinter, first: int, second: int
) -> dict[str, Any]:
    """Exact Jaccard and containment of two stored bodies, the kind copy_kind gives them, and their
    shared LSH keys.
    """
    with store.reader() as reader:
        texts = reader.stored_texts([first, second])
    a, b = texts[first], texts[second]
    scores = overlap(fingerprinter.shingles(a.body), fingerprinter.shingles(b.body))
    same = bool(a.domain and a.domain == b.domain)
    return {
        "jaccard": round(scores.jaccard, 4),
        "containment": round(scores.containment, 4),
        "reverse_containment": round(scores.reverse_containment, 4),
        "shared_shingles": scores.shared,
        "shingles": [scores.first_size, scores.second_size],
        "copy_kind": copy_kind(scores, same, settings),
        "shared_lsh_keys": shared_lsh_keys(store, first, second),
    }


def changed_passages_shown(
    store: Store, found_links: Sequence[tuple[LinkRecord, Truth]]
) -> dict[str, dict[str, int]]:
    """Per kind of known copy: links whose evidence pairs a changed passage, and of those, the ones whose pairs read origin first.

    A pair reads origin first when its first side is in the origin's stored body and its second in
    the copy's (whitespace collapsed; a side clipped with "…" is checked up to the clip).
    """
    shown: dict[str, Counter[str]] = defaultdict(Counter)
    with_changes = [
        (link, truth)
        for link, truth in found_links
        if (link.evidence or {}).get("changed_passages")
    ]
    wanted = sorted(
        {article_id for link, _ in with_changes for article_id in (link.origin_id, link.copy_id)}
    )
    bodies: dict[int, str] = {}
    with store.reader() as reader:
        for start in range(0, len(wanted), 1000):
            bodies.update(
                (article_id, " ".join(stored.body.split()))
                for article_id, stored in reader.stored_texts(wanted[start : start + 1000]).items()
            )
    for _link, truth in found_links:
        shown[truth.kind]["links"] += 1
    for link, truth in with_changes:
        pairs = link.evidence["changed_passages"]
        shown[truth.kind]["with_changed"] += 1
        shown[truth.kind]["origin_first"] += all(
            before.rstrip("…") in bodies[link.origin_id]
            and after.rstrip("…") in bodies[link.copy_id]
            for before, after in pairs
        )
    return {kind: dict(counts) for kind, counts in shown.items()}


def score(
    store: Store, corpus: Corpus, settings: Settings, examples: int, article_ids: Sequence[int]
) -> dict[str, Any]:
    """Precision, recall and direction of the stored copy links against the corpus' known copies
    (`article_ids`: every stored article, the ingest's report's).
    """
    with store.reader() as reader:
        urls: dict[int, str] = {
            article_id: summary.url or ""
            for article_id, summary in sorted(reader.article_summaries(article_ids).items())
        }
        links = reader.all_links()
    ids = {url: article_id for article_id, url in urls.items()}
    by_truth_kind: dict[str, Counter[str]] = defaultdict(Counter)
    by_link_kind: dict[str, Counter[str]] = defaultdict(Counter)
    by_detail: dict[str, Counter[str]] = defaultdict(Counter)
    directions: Counter[str] = Counter()
    found: set[frozenset[str]] = set()
    false_positives: list[LinkRecord] = []
    true_found: list[tuple[LinkRecord, Truth]] = []
    wrong_direction: list[tuple[LinkRecord, Truth]] = []
    siblings = 0
    for link in links:
        origin, copy = urls.get(link.origin_id, ""), urls.get(link.copy_id, "")
        pair = frozenset((origin, copy))
        truth = corpus.truth.get(pair)
        by_link_kind[link.kind]["links"] += 1
        if truth is not None:
            found.add(pair)
            true_found.append((link, truth))
            by_link_kind[link.kind]["true"] += 1
            right = link.direction != "undetermined" and origin == truth.origin_url
            by_truth_kind[truth.kind]["right_direction"] += right
            directions[f"{link.direction}:{'right' if right else 'wrong'}"] += 1
            if not right and len(wrong_direction) < examples:
                wrong_direction.append((link, truth))
        elif origin in corpus.story and corpus.story.get(origin) == corpus.story.get(copy):
            siblings += 1
            by_link_kind[link.kind]["sibling"] += 1
        else:
            false_positives.append(link)
    missed = [truth for pair, truth in corpus.truth.items() if pair not in found]
    for truth in corpus.truth.values():
        by_truth_kind[truth.kind]["known"] += 1
        by_truth_kind[truth.kind]["found"] += frozenset((truth.copy_url, truth.origin_url)) in found
        if truth.kind == "footer":
            by_detail[truth.detail]["known"] += 1
            by_detail[truth.detail]["found"] += (
                frozenset((truth.copy_url, truth.origin_url)) in found
            )
    true_links = len(found)
    fingerprinter = Fingerprinter(settings)
    fp_examples = []
    for link in false_positives[:examples]:
        fp_examples.append(
            {
                "origin": urls.get(link.origin_id),
                "copy": urls.get(link.copy_id),
                "kind": link.kind,
                "jaccard": link.jaccard,
                "containment": link.containment,
                "reverse_containment": link.reverse_containment,
                "direction": link.direction,
                "shared_passage": ((link.evidence or {}).get("shared_passages") or [""])[0][:160],
            }
        )
    miss_examples = []
    for truth in missed[:examples]:
        entry: dict[str, Any] = {
            "kind": truth.kind,
            "detail": truth.detail,
            "origin": truth.origin_url,
            "copy": truth.copy_url,
        }
        if truth.origin_url in ids and truth.copy_url in ids:
            entry |= pair_scores(
                store, settings, fingerprinter, ids[truth.origin_url], ids[truth.copy_url]
            )
        else:
            entry["stored"] = {"origin": truth.origin_url in ids, "copy": truth.copy_url in ids}
        miss_examples.append(entry)
    return {
        "known_pairs": len(corpus.truth),
        "links": len(links),
        "true_links": true_links,
        "sibling_links": siblings,
        "false_positives": len(false_positives),
        "precision": ratio(true_links + siblings, len(links)),
        "strict_precision": ratio(true_links, len(links)),
        "recall": ratio(true_links, len(corpus.truth)),
        "right_direction": sum(c["right_direction"] for c in by_truth_kind.values()),
        "direction_share": ratio(
            sum(c["right_direction"] for c in by_truth_kind.values()), true_links
        ),
        "directions": dict(sorted(directions.items())),
        "recall_by_kind": {
            kind: {
                "known": c["known"],
                "found": c["found"],
                "recall": ratio(c["found"], c["known"]),
                "right_direction": c["right_direction"],
                "direction_share": ratio(c["right_direction"], c["found"]),
            }
            for kind in KINDS
            if (c := by_truth_kind[kind])["known"]
        },
        "precision_by_link_kind": {
            kind: {
                "links": c["links"],
                "true": c["true"],
                "sibling": c["sibling"],
                "false": c["links"] - c["true"] - c["sibling"],
                "precision": ratio(c["true"] + c["sibling"], c["links"]),
                "strict_precision": ratio(c["true"], c["links"]),
            }
            for kind, c in sorted(by_link_kind.items())
        },
        "changed_passages_by_kind": changed_passages_shown(store, true_found),
        "recall_by_footer": {
            name: {"known": c["known"], "found": c["found"]}
            for name, c in sorted(by_detail.items())
        },
        "false_positive_examples": fp_examples,
        "miss_examples": miss_examples,
        "wrong_direction_examples": [
            {
                "kind": truth.kind,
                "truth_origin": truth.origin_url,
                "link_origin": urls.get(link.origin_id),
                "direction": link.direction,
                "reason": link.direction_reason,
            }
            for link, truth in wrong_direction
        ],
    }


# ---- one run -----------------------------------------------------------------------------


def run_size(pools: Pools, size: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Build a corpus of `size` articles, audit it, and score the links."""
    log(f"size {size:,}: building the corpus")
    corpus = build_corpus(
        pools, size, args.copy_share, args.seed, workdir / f"corpus-{size}", args.shard
    )
    targets = [str(path) for path in corpus.paths]
    log(
        f"size {size:,}: {size:,} records ({len(corpus.truth):,} copies) in {corpus.seconds:.1f} s -> {len(targets)} file(s) {targets[0]} …"
    )
    db = workdir / f"audit-{size}.sqlite"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    settings = Settings()
    registry = load_registry()
    store = Store(f"sqlite:///{db}")
    rss_before = psutil.Process().memory_info().rss
    progress = {"done": 0, "start": time.perf_counter()}

    def on_progress(_stage: str, count: int) -> None:
        progress["done"] += count
        if progress["done"] % args.progress_every < count:
            elapsed = time.perf_counter() - progress["start"]
            log(
                f"  ingest: {progress['done']:,}/{size:,} articles, {elapsed:.0f} s, {progress['done'] / elapsed:.0f} articles/s"
            )

    with MemorySampler() as memory:
        cpu_before = cpu_times()
        started = time.perf_counter()
        report = ingest(store, targets, settings, on_progress=on_progress, workers=args.workers)
        ingested = time.perf_counter()
        cpu_ingest = cpu_spent(cpu_before, cpu_times())
        log(f"size {size:,}: ingest done in {ingested - started:.1f} s; building the audit")
        if not report.article_ids:
            raise SystemExit(f"no articles ingested from {targets[0]} …: {report.failures[:3]}")
        audit = audit_json(
            build_audit(store, registry, report, targets)
        )  # its JSON, as `provenance audit --json` writes it
        finished = time.perf_counter()
    log(f"size {size:,}: audit built in {finished - ingested:.1f} s; scoring")
    scores = score(store, corpus, settings, args.examples, report.article_ids)
    store.close()
    result = {
        "size": size,
        "copies_in_corpus": len(corpus.truth),
        "copy_kinds": dict(Counter(t.kind for t in corpus.truth.values())),
        "languages": dict(corpus.languages.most_common()),
        "corpus_seconds": round(corpus.seconds, 1),
        "corpus_files": len(corpus.paths),
        "corpus_mib": mib(sum(path.stat().st_size for path in corpus.paths)),
        "workers": args.workers,
        "ingest_seconds": round(ingested - started, 1),
        "audit_seconds": round(finished - ingested, 1),
        "total_seconds": round(finished - started, 1),
        "articles_per_second": round(size / (finished - started), 1),
        "ingest_articles_per_second": round(size / (ingested - started), 1),
        "ingest_cpu_seconds": cpu_ingest,
        "ingest_core_share": round(
            sum(sum(parts.values()) for parts in cpu_ingest.values())
            / ((ingested - started) * (os.cpu_count() or 1)),
            3,
        ),
        "peak_rss_sum_mib": mib(memory.peak_rss),
        "peak_pss_sum_mib": mib(memory.peak_pss),
        "memory_sampler": {
            "cpu_seconds": round(memory.cpu_seconds, 1),
            "pss_readings": memory.pss_readings,
        },
        "rss_before_ingest_mib": mib(rss_before),
        "maxrss_self_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "maxrss_children_mib": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "database_mib": mib(database_bytes(db)),
        "database_bytes_per_article": round(database_bytes(db) / size),
        "report": {
            "read": report.read,
            "added": report.added,
            "failures": len(report.failures),
            "links": dict(report.links),
        },
        "audit_counts": audit["counts"],
        "audit_clusters": len(audit["clusters"]),
        "audit_links": sum(len(cluster["links"]) for cluster in audit["clusters"]),
        "scores": scores,
    }
    result["targets_met"] = {
        "time": result["total_seconds"] < TARGET_SECONDS * size / 100_000,
        "memory": memory.peak_pss < TARGET_GB * 2**30,
        "precision": (scores["precision"] or 0) >= TARGET_SCORE,
        "recall": (scores["recall"] or 0) >= TARGET_SCORE,
    }
    if not args.keep:
        for path in (*corpus.paths, db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            path.unlink(missing_ok=True)
    return result


# ---- output ------------------------------------------------------------------------------


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain aligned text table."""
    cells = [[str(h) for h in header]] + [
        ["" if c is None else str(c) for c in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render(result: dict[str, Any]) -> Iterator[str]:
    """The text report of one size."""
    s = result["scores"]
    yield f"=== {result['size']:,} articles ({result['copies_in_corpus']:,} known copies: {result['copy_kinds']}; languages {result['languages']})"
    yield table(
        [
            [
                "corpus build (not timed in total)",
                f"{result['corpus_seconds']} s, {result['corpus_files']} JSONL file(s), {result['corpus_mib']} MiB",
            ],
            [
                "ingest",
                f"{result['ingest_seconds']} s ({result['ingest_articles_per_second']} articles/s, {result['workers']} workers)",
            ],
            [
                "ingest CPU: writer / workers",
                "{} / {} s (user + system); {:.0%} of the {} cores' time".format(
                    *(
                        round(sum(result["ingest_cpu_seconds"][who].values()), 1)
                        for who in ("writer", "workers")
                    ),
                    result["ingest_core_share"],
                    os.cpu_count(),
                ),
            ],
            ["build_audit", f"{result['audit_seconds']} s"],
            ["total", f"{result['total_seconds']} s ({result['articles_per_second']} articles/s)"],
            ["peak PSS, self + workers (sampled)", f"{result['peak_pss_sum_mib']} MiB"],
            [
                "memory sampler (in the writer's CPU)",
                f"{result['memory_sampler']['cpu_seconds']} s CPU, {result['memory_sampler']['pss_readings']} PSS readings",
            ],
            [
                "peak RSS, self + workers (sampled)",
                f"{result['peak_rss_sum_mib']} MiB (counts shared pages once per process)",
            ],
            ["RSS before ingest (pools, truth)", f"{result['rss_before_ingest_mib']} MiB"],
            [
                "ru_maxrss self / largest child",
                f"{result['maxrss_self_mib']} / {result['maxrss_children_mib']} MiB",
            ],
            [
                "database",
                f"{result['database_mib']} MiB ({result['database_bytes_per_article']} bytes/article)",
            ],
            ["ingest report", json.dumps(result["report"])],
            ["audit counts", json.dumps(result["audit_counts"])],
            ["audit clusters / links", f"{result['audit_clusters']} / {result['audit_links']}"],
            [
                "links stored",
                f"{s['links']} (true {s['true_links']}, sibling {s['sibling_links']}, false positives {s['false_positives']})",
            ],
            [
                "precision (siblings correct) / strict",
                f"{s['precision']} / {s['strict_precision']}",
            ],
            ["recall", f"{s['recall']} ({s['true_links']}/{s['known_pairs']})"],
            [
                "right direction",
                f"{s['direction_share']} ({s['right_direction']}/{s['true_links']}) {s['directions']}",
            ],
            ["targets met", json.dumps(result["targets_met"])],
        ],
        ["measure", "value"],
    )
    yield ""
    yield "recall by kind of copy"
    yield table(
        [
            [k, c["known"], c["found"], c["recall"], c["right_direction"], c["direction_share"]]
            for k, c in s["recall_by_kind"].items()
        ],
        ["kind", "known", "found", "recall", "right dir.", "dir. share"],
    )
    yield ""
    yield "precision by kind of link"
    yield table(
        [
            [
                k,
                c["links"],
                c["true"],
                c["sibling"],
                c["false"],
                c["precision"],
                c["strict_precision"],
            ]
            for k, c in s["precision_by_link_kind"].items()
        ],
        ["link kind", "links", "true", "sibling", "false", "precision", "strict"],
    )
    yield ""
    yield "changed passages in the evidence of the links found (origin first: each pair's sides are in the origin's and the copy's body)"
    yield table(
        [
            [k, c.get("links", 0), c.get("with_changed", 0), c.get("origin_first", 0)]
            for k, c in s["changed_passages_by_kind"].items()
        ],
        ["kind", "links", "with changed", "origin first"],
    )
    yield ""
    yield "footer copies by footer template"
    yield table(
        [[k, c["known"], c["found"]] for k, c in s["recall_by_footer"].items()],
        ["template", "known", "found"],
    )
    yield ""
    yield f"false positives ({s['false_positives']}; first {len(s['false_positive_examples'])})"
    for fp in s["false_positive_examples"]:
        yield f"  {fp['kind']} J={fp['jaccard']} C={fp['containment']}/{fp['reverse_containment']} {fp['origin']} -> {fp['copy']}"
        yield f"    shared: {fp['shared_passage']!r}"
    yield f"misses ({s['known_pairs'] - s['true_links']}; first {len(s['miss_examples'])})"
    for miss in s["miss_examples"]:
        yield f"  {miss['kind']} ({miss['detail']}) {miss['origin']} -> {miss['copy']}"
        rest = {k: v for k, v in miss.items() if k not in ("kind", "detail", "origin", "copy")}
        yield f"    {json.dumps(rest, ensure_ascii=False)}"
    if s["wrong_direction_examples"]:
        yield f"wrong or undetermined direction (first {len(s['wrong_direction_examples'])})"
        for example in s["wrong_direction_examples"]:
            yield f"  {example['kind']} {example['direction']}: truth origin {example['truth_origin']}, link origin {example['link_origin']}; {example['reason']}"
    yield ""


def parse_sizes(text: str) -> list[int]:
    """Comma-separated corpus sizes."""
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 20:
        raise argparse.ArgumentTypeError("sizes must be integers of at least 20")
    return sizes


def main() -> None:
    """Build each corpus, audit it, and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[10_000, 100_000],
        help="corpus sizes, comma-separated (default 10000,100000)",
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of the shared corpora"
    )
    parser.add_argument(
        "--copy-share",
        type=float,
        default=0.12,
        help="share of the articles that are copies (default 0.12)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes preparing documents (default: CPU count)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--examples", type=int, default=5, help="false positives and misses to show"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="folder for the JSONL and SQLite files (default: a temporary folder)",
    )
    parser.add_argument(
        "--shard",
        type=int,
        default=5000,
        help="records per JSONL file (default 5000, ~23 MB: under the 50 MiB max_file_bytes)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the JSONL and database files")
    parser.add_argument(
        "--progress-every",
        type=int,
        default=5000,
        help="log ingest progress every this many articles",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if not 0 < args.copy_share < 0.5:
        parser.error("--copy-share must be between 0 and 0.5")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-audit-"))
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
                {
                    "targets": {
                        "seconds_per_100k": TARGET_SECONDS,
                        "gb": TARGET_GB,
                        "precision_recall": TARGET_SCORE,
                    },
                    "pools": pools.summary(),
                    "results": results,
                },
                indent=2,
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
