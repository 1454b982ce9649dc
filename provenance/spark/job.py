"""run_spark_audit(): the batch engine's stages on Spark, for corpora past one machine.

Stages, each a Spark operation on the executors, each calling the library's own functions:

1. **read**: the input files (JSONL, WARC, Parquet, HTML, text; folders expanded on the driver)
   are distributed one file to a task; each task reads its file with ``iter_documents``;
2. **prepare and sign** in ``mapPartitions`` with ``_prepare_all``, the kernels of ``ingest``;
   articles get ids in input order, the first of equal identities kept, as ``ingest`` gives them;
3. **boilerplate**: the (outlet, line) pairs held by enough articles to be learned are found
   with a ``groupBy``; only their holders go to the driver, where ``learn`` decides, and the
   articles holding a learned line are prepared again without it on the executors;
4. **candidates**: every copy LSH key exploded to (key, article), ``groupByKey``, each article
   paired with the newest 100 earlier articles under the key (translation keys: the newest 20, of
   another language); grouped again by article and ranked by the library's ``rank_candidates``
   (the same cap of 50, the same order of ties); articles named by repost markers joined by URL;
5. **verify** on the executors: both articles of each pair joined in and compared with
   ``compare_pair``, giving the link row ``ingest`` stores and the passages the two share;
6. **clusters**: connected components of the strong links by label propagation (joins until no
   label changes), then the library's ``clusters_of`` in each component;
7. **write** Parquet (``--parquet DIR``: folders ``articles``, ``links``, ``clusters``,
   ``passages``) and, given a store, **load** everything into it through the driver, so that every
   command works on the result (``provenance audit --db postgresql://… --engine spark``).

For a corpus of up to 2,000 articles (one batch of ``ingest``) the links and clusters are those of
the in-process engines; past that, ``ingest`` learns boilerplate and caps candidates batch by
batch, and Spark does both for the whole corpus at once.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from provenance.batch.engine import BULK_STEP, undo_unfinished_load
from provenance.config import Settings
from provenance.errors import InputError
from provenance.graph.clusters import STRONG_KINDS, clusters_of
from provenance.ingest.boilerplate import outlet_key_of
from provenance.ingest.links import (
    TRANSLATION_CANDIDATES,
    _url_variants,
    comparable_prepared,
    compare_pair,
)
from provenance.ingest.preparation import Fingerprinter, Prepared, ProgressCallback
from provenance.ingest.run import _prepare_all
from provenance.ingest.writer import (
    IngestReport,
    _new_link,
    _own_lines,
    _without_boilerplate,
    store_new_articles,
    write_shared_passages,
)
from provenance.match.compare import overlap
from provenance.match.passages import SpanPair, cluster_pairs
from provenance.read.document import Document, Failure
from provenance.read.inputs import _expand, is_url, iter_documents
from provenance.sketch.index import CandidateQuery, Members, rank_candidates
from provenance.store.reader import ANCHOR_MEMBERS, BUCKET_MEMBERS
from provenance.store.records import LinkRecord, NewLink
from provenance.store.store import Store
from provenance.text.boilerplate import BOILERPLATE_ARTICLES, learn, short_lines
from provenance.translation.languages import MIN_SHARED_BANDS

COPY_CAP = BUCKET_MEMBERS
ANCHOR_CAP = ANCHOR_MEMBERS
LOAD_BATCH = 2000


@dataclass
class SparkResult:
    """What the Spark audit found: links and clusters by article id, the articles' URLs, passages,
    and the inputs that failed.
    """

    articles: dict[int, dict[str, Any]]
    links: list[NewLink]
    clusters: list[list[int]]
    passages: list[tuple[int, int, int, int]]
    """(passage, article id, start, end)."""
    spans: list[SpanPair]
    """The passages each verified pair shares, in the order ingest finds them."""
    failures: list[Failure] = field(default_factory=list)
    report: IngestReport | None = None
    """The load's report, when the result was loaded into a store."""


def spark_session(master: str | None = "local[2]", app: str = "provenance") -> Any:
    """A Spark session; locally, its Python workers run this interpreter (so they import this
    provenance). With no `master`, the one spark-submit gives.
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    if master is not None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        builder = builder.master(master)
    return (
        builder.appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.python.worker.reuse", "true")
        .getOrCreate()
    )


def input_files(targets: Sequence[str]) -> tuple[list[str], list[Failure]]:
    """The files to read, in the order ``ingest`` reads them; a missing target is a failure."""
    files: list[str] = []
    failures: list[Failure] = []
    for target in targets:
        if is_url(target) or target == "-":
            failures.append(Failure(target, "the Spark engine reads files and folders only"))
            continue
        root = Path(target)
        if not root.exists():
            failures.append(Failure(target, "no such file or folder"))
            continue
        files.extend(str(path) for path in _expand(root))
    return files, failures


# ---- executors' functions -------------------------------------------------------------------


def _read_file(indexed: tuple[str, int], max_bytes: int) -> Iterator[tuple[tuple[int, int], Any]]:
    path, number = indexed
    for position, document in enumerate(iter_documents([path], max_bytes)):
        yield (number, position), document


def _prepare_partition(
    rows: Iterable[tuple[tuple[int, int], Document | Failure]], settings: Settings
) -> Iterator[tuple[tuple[int, int], Prepared | Failure]]:
    rows = list(rows)
    prepared = _prepare_all([document for _, document in rows], settings)
    yield from zip((place for place, _ in rows), prepared, strict=True)


def _ranked(
    owner: int, rows: Iterable[tuple[int, int, int]], limit: int, min_shared: int
) -> list[int]:
    """An article's candidates from (key, position under the key, candidate) rows, ranked by the
    library's rank_candidates: most shared keys first, ties in key order.
    """
    ordered = sorted(rows)
    keys = np.array([key for key, _, _ in ordered], dtype=np.int64)
    query = CandidateQuery.of([np.unique(keys)], [owner])
    members = Members(keys, np.array([other for _, _, other in ordered], dtype=np.int64))
    return rank_candidates(query, members, limit, min_shared)[0]


def _pairs_under_key(
    members: Iterable[tuple[int, str]], cap: int, foreign_only: bool
) -> Iterator[tuple[int, tuple[int, int]]]:
    """For each article under a key, the newest `cap` earlier ones (of another language when
    `foreign_only`): (article, (position, other)).
    """
    ordered = sorted(members)
    for index, (article_id, language) in enumerate(ordered):
        for position, (other, other_language) in enumerate(ordered[max(0, index - cap) : index]):
            if not foreign_only or other_language != language:
                yield article_id, (position, other)


def _verify(
    pair: tuple[tuple[int, int, int], tuple[Prepared, Prepared]], settings: Settings
) -> tuple[NewLink | None, list[SpanPair]]:
    (subject_id, _, other_id), (subject, other) = pair
    fingerprinter = Fingerprinter(settings)
    compared = compare_pair(
        comparable_prepared(subject, subject_id, fingerprinter),
        comparable_prepared(other, other_id, fingerprinter),
        settings,
        passages=True,
    )
    spans = [SpanPair(subject_id, other_id, span) for span in compared.passages]
    link = _new_link(subject_id, other_id, compared.verified) if compared.verified else None
    return link, spans


def _clusters_of_component(links: list[LinkRecord]) -> list[list[int]]:
    ids = sorted({side for link in links for side in (link.origin_id, link.copy_id)})
    return [list(cluster.members) for cluster in clusters_of(ids, links)]


def _as_record(link: NewLink) -> LinkRecord:
    return LinkRecord(
        0,
        link.pair_key,
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


# ---- the job ---------------------------------------------------------------------------------


def run_spark_audit(
    targets: Sequence[str],
    settings: Settings | None = None,
    master: str | None = "local[2]",
    parquet_dir: Path | None = None,
    store: Store | None = None,
    on_progress: ProgressCallback | None = None,
    spark: Any = None,
) -> SparkResult:
    """Audit files and folders on Spark: links, clusters and passages; Parquet tables in
    `parquet_dir`; with a `store`, the whole result loaded into it.
    """
    settings = settings or Settings()
    if store is not None:
        undo_unfinished_load(store)
        store.require_current()
        if store.count_articles():
            raise InputError(
                "the Spark engine loads into an empty database (it does not look up stored "
                "articles): give a new --db, or use --engine batch"
            )
    files, failures = input_files(targets)
    if not files:
        raise InputError(f"no readable files in {', '.join(targets)}")
    session = spark or spark_session(master)
    context = session.sparkContext
    max_bytes = settings.max_file_bytes

    def progress(stage: str) -> None:
        if on_progress:
            on_progress(stage, 0)

    progress("read")
    documents = context.parallelize(
        list(zip(files, range(len(files)))), max(1, min(len(files), context.defaultParallelism * 4))
    ).flatMap(lambda indexed: _read_file(indexed, max_bytes))
    prepared_all = documents.mapPartitions(lambda rows: _prepare_partition(rows, settings)).cache()
    failures.extend(
        item for _, item in prepared_all.filter(lambda row: isinstance(row[1], Failure)).collect()
    )
    good = prepared_all.filter(lambda row: not isinstance(row[1], Failure))
    # ids in input order, the first of equal identities kept (ingest's _fresh_items)
    firsts = (
        good.map(lambda row: (row[1].identity_key, row[0]))
        .reduceByKey(min)
        .map(lambda pair: (pair[1], True))
    )
    kept = good.join(firsts).map(lambda row: (row[0], row[1][0])).sortByKey()
    originals = kept.zipWithIndex().map(lambda row: (row[1] + 1, row[0][1])).cache()
    progress("boilerplate")
    articles = _without_learned_boilerplate(context, originals, settings).cache()
    progress("candidates")
    candidates = _candidates(articles, settings)
    progress("verify")
    pairs = candidates.join(articles).map(
        lambda row: (row[1][0][0], (row[0], row[1][0][1], row[1][1]))
    )  # (other, (subject, place in its list, subject item))
    both = pairs.join(articles).map(
        lambda row: ((row[1][0][0], row[1][0][1], row[0]), (row[1][0][2], row[1][1]))
    )
    found = sorted(
        both.map(lambda pair: (pair[0][:2], _verify(pair, settings))).collect(),
        key=lambda row: row[0],
    )  # in the order ingest verifies them
    links = [link for _, (link, _) in found if link is not None]
    spans = [span for _, (_, pair_spans) in found for span in pair_spans]
    progress("clusters")
    clusters = _clusters(context, links)
    changes = cluster_pairs(spans, [])
    passages = [(w.passage, w.article_id, w.start, w.end) for w in changes.witnesses]
    summary = dict(
        articles.map(
            lambda row: (
                row[0],
                {
                    "url": row[1].document.url,
                    "title": row[1].title,
                    "outlet": row[1].document.outlet,
                    "published": str(row[1].document.published)
                    if row[1].document.published
                    else None,
                    "language": row[1].document.language,
                },
            )
        ).collect()
    )
    result = SparkResult(summary, links, clusters, passages, spans, failures)
    if parquet_dir is not None:
        progress("parquet")
        _write_parquet(session, result, parquet_dir)
    if store is not None:
        progress("load")
        result.report = _load(store, originals, result, settings)
    return result


def _without_learned_boilerplate(context: Any, articles: Any, settings: Settings) -> Any:
    """The articles, those holding a line learned as their outlet's boilerplate prepared again
    without it, as ingest learns it from one batch.
    """

    def lines_of(row: tuple[int, Prepared]) -> Iterator[tuple[tuple[str, int], int]]:
        key = outlet_key_of(row[1].document, settings)
        if key is not None:
            for line_hash in short_lines(_own_lines(row[1])):
                yield (key, line_hash), row[0]

    crowded = (
        articles.flatMap(lines_of)
        .groupByKey()
        .filter(lambda row: len(row[1]) >= BOILERPLATE_ARTICLES)
        .keys()
        .collect()
    )
    if not crowded:
        return articles
    outlets = {outlet for outlet, _ in crowded}
    crowded_lines = set(crowded)
    holders = dict(
        articles.filter(lambda row: outlet_key_of(row[1].document, settings) in outlets).collect()
    )
    keyed = []
    for article_id in sorted(holders):
        item = holders[article_id]
        key = outlet_key_of(item.document, settings)
        lines = {
            line_hash: line
            for line_hash, line in short_lines(_own_lines(item)).items()
            if (key, line_hash) in crowded_lines
        }
        if key is not None and lines:
            keyed.append((key, article_id, lines))

    def copies(first: int, second: int) -> bool:
        scores = overlap(holders[first].shingles, holders[second].shingles)
        return max(scores.containment, scores.reverse_containment) >= 0.5

    _, learned = learn(keyed, {}, copies, {})
    if not learned:
        return articles
    known: dict[str, set[int]] = {}
    for lesson in learned:
        known.setdefault(lesson.outlet, set()).add(lesson.line_hash)
    lessons = context.broadcast(known)

    def stripped(row: tuple[int, Prepared]) -> tuple[int, Prepared]:
        key = outlet_key_of(row[1].document, settings) or ""
        return row[0], _without_boilerplate(
            row[1], lessons.value.get(key, set()), Fingerprinter(settings)
        )

    return articles.map(stripped)


def _candidates(articles: Any, settings: Settings) -> Any:
    """(subject, other) pairs to verify, each pair once, from the articles' copy and translation
    keys and their repost markers.
    """
    copy_rows = (
        articles.flatMap(lambda row: ((int(key), (row[0], "")) for key in row[1].keys))
        .groupByKey()
        .flatMap(
            lambda row: (
                (article, (row[0], position, other))
                for article, (position, other) in _pairs_under_key(row[1], COPY_CAP, False)
            )
        )
        .groupByKey()
        .map(lambda row: (row[0], _ranked(row[0], row[1], settings.max_candidates, 1)))
    )
    anchor_rows = (
        articles.flatMap(
            lambda row: ((int(key), (row[0], row[1].anchor_language)) for key in row[1].anchor_keys)
        )
        .groupByKey()
        .flatMap(
            lambda row: (
                (article, (row[0], position, other))
                for article, (position, other) in _pairs_under_key(row[1], ANCHOR_CAP, True)
            )
        )
        .groupByKey()
        .map(
            lambda row: (
                row[0],
                _ranked(row[0], row[1], TRANSLATION_CANDIDATES, MIN_SHARED_BANDS),
            )
        )
    )
    by_url = articles.flatMap(
        lambda row: (
            (url, row[0])
            for url in _url_variants(
                [u for u in (row[1].document.url, row[1].document.canonical_url) if u]
            )
        )
    )
    named = (
        articles.flatMap(
            lambda row: (
                (url, (row[0], order))
                for order, marker in enumerate(row[1].markers)
                if marker.url
                for url in _url_variants([marker.url])
            )
        )
        .join(by_url)
        .map(lambda row: (row[1][0][0], (row[1][0][1], row[1][1])))
        .filter(lambda row: row[0] != row[1][1])
        .groupByKey()
        .map(lambda row: (row[0], [other for _, other in sorted(row[1])]))
    )
    lists = (
        copy_rows.fullOuterJoin(named)
        .map(lambda row: (row[0], (row[1][0] or []) + (row[1][1] or [])))
        .fullOuterJoin(anchor_rows)
        .map(lambda row: (row[0], list(dict.fromkeys((row[1][0] or []) + (row[1][1] or [])))))
    )
    # ingest verifies a pair from the article that comes first in its batch, in its list's order
    return (
        lists.flatMap(
            lambda row: (
                ((min(row[0], o), max(row[0], o)), (row[0], index))
                for index, o in enumerate(row[1])
            )
        )
        .reduceByKey(min)
        .map(lambda row: (row[1][0], (row[0][0] + row[0][1] - row[1][0], row[1][1])))
    )


def _clusters(context: Any, links: list[NewLink]) -> list[list[int]]:
    """Connected components of the strong links by label propagation on Spark, then the library's
    clusters in each, largest first.
    """
    strong = [link for link in links if link.kind in STRONG_KINDS]
    if not strong:
        return []
    edges = context.parallelize(
        [(link.origin_id, link.copy_id) for link in strong]
        + [(link.copy_id, link.origin_id) for link in strong]
    ).cache()
    labels = edges.map(lambda edge: (edge[0], edge[0])).distinct()
    while True:
        proposed = (
            edges.join(labels)
            .map(lambda row: (row[1][0], row[1][1]))
            .union(labels)
            .reduceByKey(min)
        )
        changed = proposed.join(labels).filter(lambda row: row[1][0] != row[1][1]).count()
        labels = proposed.cache()
        if changed == 0:
            break
    label_of = dict(labels.collect())
    records = context.parallelize([(label_of[link.origin_id], _as_record(link)) for link in strong])
    found = records.groupByKey().flatMap(lambda row: _clusters_of_component(list(row[1]))).collect()
    return sorted(found, key=lambda members: (-len(members), members[0]))


def _write_parquet(session: Any, result: SparkResult, folder: Path) -> None:
    """The four tables as Parquet folders (Spark's part files), the in-process columns where they
    apply.
    """
    from pyspark.sql import types as T

    folder.mkdir(parents=True, exist_ok=True)
    cluster_of = {member: number for number, c in enumerate(result.clusters, 1) for member in c}
    tables = {
        "articles": (
            [
                (
                    article_id,
                    a["title"],
                    a["url"],
                    a["outlet"],
                    a["published"],
                    a["language"],
                    cluster_of.get(article_id),
                )
                for article_id, a in sorted(result.articles.items())
            ],
            "article_id long, title string, url string, outlet string, published string, "
            "language string, cluster_id long",
        ),
        "links": (
            [
                (
                    link.origin_id,
                    link.copy_id,
                    link.kind,
                    float(link.jaccard),
                    float(link.containment),
                    float(link.reverse_containment),
                    link.direction,
                    link.direction_reason,
                    cluster_of.get(link.copy_id)
                    if cluster_of.get(link.copy_id) == cluster_of.get(link.origin_id)
                    else None,
                )
                for link in result.links
            ],
            "origin_id long, copy_id long, kind string, jaccard double, containment double, "
            "reverse_containment double, direction string, direction_reason string, "
            "cluster_id long",
        ),
        "clusters": (
            [(number, len(c), c) for number, c in enumerate(result.clusters, 1)],
            T.StructType(
                [
                    T.StructField("cluster_id", T.LongType()),
                    T.StructField("size", T.LongType()),
                    T.StructField("members", T.ArrayType(T.LongType())),
                ]
            ),
        ),
        "passages": (
            [tuple(row) for row in result.passages],
            "passage_id long, article_id long, start long, end long",
        ),
    }
    for name, (rows, schema) in tables.items():
        session.createDataFrame(rows, schema).write.mode("overwrite").parquet(str(folder / name))


def _load(store: Store, originals: Any, result: SparkResult, settings: Settings) -> IngestReport:
    """Store the articles (as ingest stores them, from their prepared form, boilerplate learned
    again batch by batch), then the links, passages and LSH index Spark found, through the
    driver.
    """
    fingerprinter = Fingerprinter(settings)
    report = IngestReport()
    with store.writer() as writer:  # until the last write, other commands refuse the database
        writer.start_rebuild(BULK_STEP, 0)
    mapped: dict[int, int] = {}
    batch: list[tuple[int, Prepared]] = []

    def flush() -> None:
        with store.writer() as writer:
            items = [item for _, item in batch]
            fresh, ids = store_new_articles(writer, items, fingerprinter, report)
            by_identity = dict(zip((item.identity_key for item in fresh), ids, strict=True))
            for spark_id, item in batch:
                if item.identity_key in by_identity:
                    mapped[spark_id] = by_identity[item.identity_key]
            if fresh:
                id_array = np.asarray(ids, dtype=np.int64)
                writer.insert_buckets(
                    np.concatenate([item.keys for item in fresh]),
                    np.repeat(id_array, [len(item.keys) for item in fresh]),
                )
                counts = [len(item.anchor_keys) for item in fresh]
                writer.insert_anchor_buckets(
                    np.concatenate([item.anchor_keys for item in fresh]),
                    np.repeat(id_array, counts),
                    np.repeat(np.array([i.anchor_language for i in fresh], dtype=object), counts),
                )
        batch.clear()

    for spark_id, item in originals.sortByKey().toLocalIterator():
        report.read += 1
        batch.append((spark_id, item))
        if len(batch) >= LOAD_BATCH:
            flush()
    if batch:
        flush()
    with store.writer() as writer:
        writer.lock_for_writing()
        links = [
            _remapped(link, mapped)
            for link in result.links
            if link.origin_id in mapped and link.copy_id in mapped
        ]
        writer.insert_links(links)
        report.links.update(Counter(link.kind for link in links))
        write_shared_passages(
            writer,
            [
                SpanPair(mapped[pair.first_id], mapped[pair.second_id], pair.span)
                for pair in result.spans
                if pair.first_id in mapped and pair.second_id in mapped
            ],
        )
        writer.finish_rebuild(BULK_STEP)
    return report


def _remapped(link: NewLink, mapped: dict[int, int]) -> NewLink:
    from dataclasses import replace

    return replace(link, origin_id=mapped[link.origin_id], copy_id=mapped[link.copy_id])
