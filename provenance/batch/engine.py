"""ingest_bulk(): a whole corpus loaded at once, with the answers the incremental ingest gives.

Stages:

1. **prepare and sign** in worker processes, as ``ingest`` does;
2. **store the articles** in batches of ``BATCH_SIZE`` (one transaction each), with their
   paragraphs, attributions, quotes and their outlets' boilerplate learned as ``ingest`` learns
   it; each batch's **candidates** come from the corpus's LSH keys held in memory as sorted
   arrays (``CorpusIndex``), not from the database's index, and are the ones ``ingest`` would
   read there (the newest members of each key, the same caps);
3. **verify** every candidate pair in the worker processes, each reading the bodies it needs;
4. **write** the links, the passages (batch by batch, as ``ingest`` folds them) and the whole LSH
   index in key order, in one transaction.

Stage 2 commits batch by batch, so that the workers of stage 3 can read the articles; until stage
4 has committed, the database records the load as unfinished (a ``bulk_load`` step in its
rebuilds). Every other command refuses such a database; running the load again, or ``provenance
reindex``, first removes the articles of the unfinished load.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from provenance.batch.index import CorpusIndex
from provenance.config import Settings
from provenance.errors import InputError
from provenance.ingest.links import CandidateSource, comparable_stored, compare_pair
from provenance.ingest.preparation import Fingerprinter, Prepared, ProgressCallback
from provenance.ingest.run import (
    BATCH_SIZE,
    _start_worker,
    _stop_workers,
    fewer_collections,
    prepared_stream,
)
from provenance.ingest.writer import (
    IngestReport,
    _new_link,
    candidates_to_verify,
    store_new_articles,
    write_shared_passages,
)
from provenance.match.passages import SpanPair
from provenance.read.document import Failure
from provenance.read.inputs import iter_documents
from provenance.sketch.fingerprint import preload_kernels
from provenance.store.reader import StoreReader
from provenance.store.records import NewLink
from provenance.store.store import Store
from provenance.store.writer import BatchWriter

BULK_STEP = "bulk_load"
"""The rebuilds row that marks a bulk load under way, with the last article id stored before it."""

INDEX_SLICE = 500_000
"""Index rows written at once: the driver's rows are Python tuples, 6.5 million of them for the
copy keys of 100,000 articles."""

VERIFY_CHUNK = 200
"""Candidate pairs handed to a worker at once."""


@dataclass
class Task:
    """The candidates of one new article to verify, in the order ``ingest`` verifies them."""

    batch: int
    subject: int
    others: list[int]


@dataclass
class Verified:
    """What verifying a chunk of tasks found: links and shared passages, task by task."""

    links: list[tuple[int, NewLink]] = field(default_factory=list)
    shared: list[tuple[int, SpanPair]] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)


class _Source:
    """Candidate lookups of a batch: markers' URLs from the database (where the batch is stored), LSH
    members from the corpus's index in memory.
    """

    def __init__(self, reader: StoreReader, index: CorpusIndex) -> None:
        self.article_ids_at_urls = reader.article_ids_at_urls
        self.bucket_members = index.bucket_members
        self.foreign_anchor_members = index.foreign_anchor_members


def ingest_bulk(
    store: Store,
    targets: Sequence[str],
    settings: Settings | None = None,
    on_progress: ProgressCallback | None = None,
    stdin: BinaryIO | None = None,
    workers: int = 1,
) -> IngestReport:
    """Load a corpus with the batch engine: the same articles, links and passages as ``ingest``, with
    candidates found in memory, verification in `workers` processes and the index written once.

    An interrupted load leaves the database marked; running it again starts it over.
    """
    settings = settings or Settings()
    if not targets:
        raise InputError("nothing to ingest: give files, folders, URLs or '-'")
    undo_unfinished_load(store)
    store.require_current()
    stream = prepared_stream(
        iter_documents(targets, settings.max_file_bytes, stdin, settings.allow_private_urls),
        settings,
        workers,
    )
    with closing(stream):
        return load_prepared(store, stream, settings, on_progress, workers)


def undo_unfinished_load(store: Store) -> int:
    """Remove the articles of a bulk load that did not finish; how many went (0: none was pending)."""
    with store.reader() as reader:
        last = reader.pending_rebuilds().get(BULK_STEP)
    if last is None:
        return 0
    with store.writer() as writer:
        removed = writer.drop_articles_after(last)
        writer.finish_rebuild(BULK_STEP)
    return removed


def load_prepared(
    store: Store,
    results: Iterable[Prepared | Failure],
    settings: Settings,
    on_progress: ProgressCallback | None = None,
    workers: int = 1,
) -> IngestReport:
    """Stages 2 to 4 of a bulk load, on prepared documents as they come."""
    fingerprinter = Fingerprinter(settings)
    report = IngestReport()
    with store.reader() as reader:
        before = reader.last_article_id()
        had_articles = before > 0
    with store.writer() as writer:
        writer.start_rebuild(BULK_STEP, before)
    tasks: list[Task] = []
    index = CorpusIndex()
    with fewer_collections():
        for number, batch in enumerate(_batches(results, report)):
            tasks.extend(
                _store_batch(store, index, number, batch, fingerprinter, report, had_articles)
            )
            if on_progress:
                on_progress("ingest", len(batch))
    found = verify_tasks(store, tasks, fingerprinter, workers, on_progress)
    with store.writer() as writer:
        writer.lock_for_writing()
        _write_links_and_passages(writer, tasks, found)
        _write_index(writer, index)
        writer.finish_rebuild(BULK_STEP)
    report.links.update(found.kinds)
    if store.is_bulk_load(report.added):
        if on_progress:
            on_progress("statistics", 0)
        store.refresh_statistics()
    return report


def _batches(
    results: Iterable[Prepared | Failure], report: IngestReport
) -> Iterator[list[Prepared]]:
    """The prepared documents in batches of BATCH_SIZE; failures and warnings go to the report."""
    batch: list[Prepared] = []
    for result in results:
        report.read += 1
        if isinstance(result, Failure):
            report.failures.append(result)
            continue
        report.warnings.extend(
            Failure(result.document.origin, note) for note in result.document.notes
        )
        batch.append(result)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _store_batch(
    store: Store,
    index: CorpusIndex,
    number: int,
    batch: list[Prepared],
    fingerprinter: Fingerprinter,
    report: IngestReport,
    had_articles: bool,
) -> list[Task]:
    """Store a batch's new articles in one transaction, and find their candidates in the corpus's
    index, which then takes their keys.

    The articles stored before the load are found in the database's index, which holds only
    them until the load's keys are written at its end.
    """
    with store.writer() as writer:
        fresh, ids = store_new_articles(writer, batch, fingerprinter, report)
        if not fresh:
            return []
        index.prior = writer if had_articles else None
        source: CandidateSource = _Source(writer, index)
        candidates = candidates_to_verify(source, fresh, ids, fingerprinter)
        index.prior = None
    _add_to_index(index, fresh, ids)
    return _tasks_of_batch(number, ids, candidates)


def _tasks_of_batch(number: int, ids: list[int], candidates: list[list[int]]) -> list[Task]:
    """The verifications of a batch, each pair once: ingest verifies a pair from the article that
    comes first in the batch.
    """
    seen: set[tuple[int, int]] = set()
    tasks = []
    for article_id, others in zip(ids, candidates, strict=True):
        kept = []
        for other_id in others:
            pair = (min(article_id, other_id), max(article_id, other_id))
            if pair not in seen:
                seen.add(pair)
                kept.append(other_id)
        if kept:
            tasks.append(Task(number, article_id, kept))
    return tasks


def _add_to_index(index: CorpusIndex, fresh: list[Prepared], ids: list[int]) -> None:
    id_array = np.asarray(ids, dtype=np.int64)
    anchor_counts = [len(item.anchor_keys) for item in fresh]
    index.add(
        np.concatenate([item.keys for item in fresh]),
        np.repeat(id_array, [len(item.keys) for item in fresh]),
        np.concatenate([item.anchor_keys for item in fresh]),
        np.repeat(id_array, anchor_counts),
        np.repeat(
            np.asarray([index.code_of(item.anchor_language) for item in fresh], dtype=np.int64),
            anchor_counts,
        ),
    )


# ---- stage: verify -------------------------------------------------------------------------


def verify_chunk(
    reader: StoreReader, tasks: Sequence[tuple[int, Task]], fingerprinter: Fingerprinter
) -> Verified:
    """Verify tasks (each with its place in the load) against the stored bodies, as ingest verifies
    a batch's candidates.
    """
    stored = reader.stored_texts(
        {article_id for _, task in tasks for article_id in (task.subject, *task.others)}
    )
    comparables = {
        article_id: comparable_stored(text, fingerprinter) for article_id, text in stored.items()
    }
    found = Verified()
    for place, task in tasks:
        subject = comparables.get(task.subject)
        if subject is None:
            continue
        for other_id in task.others:
            other = comparables.get(other_id)
            if other is None:
                continue
            compared = compare_pair(subject, other, fingerprinter.settings, passages=True)
            found.shared.extend(
                (place, SpanPair(task.subject, other_id, span)) for span in compared.passages
            )
            if compared.verified is not None:
                found.links.append((place, _new_link(task.subject, other_id, compared.verified)))
                found.kinds[compared.verified.kind] += 1
    return found


_worker_store: Store | None = None
_worker_fingerprinter: Fingerprinter | None = None


def _open_worker_store(parent: int, url: str, settings: Settings) -> None:
    global _worker_store, _worker_fingerprinter
    _start_worker(parent)
    _worker_store = Store(url, create=False)
    _worker_fingerprinter = Fingerprinter(settings)


def _verify_in_worker(tasks: list[tuple[int, Task]]) -> Verified:
    assert _worker_store is not None and _worker_fingerprinter is not None
    with fewer_collections(), _worker_store.reader() as reader:
        return verify_chunk(reader, tasks, _worker_fingerprinter)


def verify_tasks(
    store: Store,
    tasks: list[Task],
    fingerprinter: Fingerprinter,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
) -> Verified:
    """Verify every task, in `workers` processes that read the bodies themselves (in this one for
    one worker or a database in memory).
    """
    placed = list(enumerate(tasks))
    chunks = [placed[start : start + VERIFY_CHUNK] for start in range(0, len(placed), VERIFY_CHUNK)]
    found = Verified()
    if workers <= 1 or _in_memory(store):
        with store.reader() as reader:
            for chunk in chunks:
                _merge(found, verify_chunk(reader, chunk, fingerprinter))
                if on_progress:
                    on_progress("verify", len(chunk))
        return found
    preload_kernels()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_open_worker_store,
        initargs=(os.getpid(), store.url, fingerprinter.settings),
    )
    finished = False
    try:
        for chunk, result in zip(chunks, pool.map(_verify_in_worker, chunks)):
            _merge(found, result)
            if on_progress:
                on_progress("verify", len(chunk))
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop_workers(pool)
    return found


def _in_memory(store: Store) -> bool:
    return store.dialect == "sqlite" and store.engine.url.database in (None, "", ":memory:")


def _merge(into: Verified, found: Verified) -> None:
    into.links.extend(found.links)
    into.shared.extend(found.shared)
    into.kinds.update(found.kinds)


# ---- stage: write --------------------------------------------------------------------------


def _write_links_and_passages(writer: BatchWriter, tasks: list[Task], found: Verified) -> None:
    """The links in the order ingest stores them, and the passages folded batch by batch as ingest
    folds them.
    """
    found.links.sort(key=lambda placed: placed[0])
    writer.insert_links([link for _, link in found.links])
    found.shared.sort(key=lambda placed: placed[0])
    by_batch: dict[int, list[SpanPair]] = {}
    for place, pair in found.shared:
        by_batch.setdefault(tasks[place].batch, []).append(pair)
    for number in sorted(by_batch):
        write_shared_passages(writer, by_batch[number])


def _write_index(writer: BatchWriter, index: CorpusIndex) -> None:
    """The corpus's copy and translation keys, in key order, in slices of INDEX_SLICE rows."""
    for start in range(0, len(index.copies), INDEX_SLICE):
        end = start + INDEX_SLICE
        writer.insert_buckets(index.copies.keys[start:end], index.copies.ids[start:end])
    if not len(index.anchors):
        return
    assert index.anchors.languages is not None
    names = np.array(list(index.language_codes), dtype=object)
    for start in range(0, len(index.anchors), INDEX_SLICE):
        end = start + INDEX_SLICE
        writer.insert_anchor_buckets(
            index.anchors.keys[start:end],
            index.anchors.ids[start:end],
            names[index.anchors.languages[start:end]],
        )
