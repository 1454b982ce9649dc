"""ingest(): documents prepared by worker processes and written in batches by this one."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from itertools import islice
from typing import BinaryIO

from provenance.config import Settings
from provenance.errors import ExtractionError, InputError
from provenance.ingest.preparation import Fingerprinter, Prepared, ProgressCallback, prepare
from provenance.ingest.verdicts import CheckResult
from provenance.ingest.writer import IngestReport, _store_batch
from provenance.read.document import Document, Failure
from provenance.read.inputs import iter_documents
from provenance.read.language import preload as preload_language_model
from provenance.store.store import Store
from provenance.text.normalize import load_patterns

BATCH_SIZE = 2000
"""Articles written per transaction. The LSH index is a B-tree of random keys: once it outgrows a
batch's rows, each row dirties its own page, written to the WAL and again at the checkpoint. At
100,000 articles, storing the keys cost 2.7 ms per article in batches of 500, 1.9 in batches of
1,000 and 0.95 in batches of 2,000 (0.67 at 5,000; but the audit of 100,000 articles took as
long in batches of 5,000, 537 s against 536 s, and an interruption loses more work)."""
PREPARE_CHUNK = 50
LOOKAHEAD_CHUNKS = 2 * BATCH_SIZE // PREPARE_CHUNK
"""Chunks handed to the workers ahead of the writer: two batches, so they keep working while a batch is written.

With one batch ahead, the workers and the writer went in step: the workers' share ran out while a
batch was being written, or the writer waited for the next one. The 100,000-article audit of
bench_audit.py took 707.3 s to ingest with one batch ahead and 636.6 s with two, on a 2-core AMD
EPYC (the cores busy 86% and 89% of the time), with peak PSS 2,367 and 2,354 MiB. With the
workers at a lower priority (WORKER_NICENESS) the second batch matters less: 581.3 and 601.3 s
with two batches ahead, 603.8 s with one.
"""


def _prepare_all(
    documents: Sequence[Document | Failure], settings: Settings
) -> list[Prepared | Failure]:
    """Prepare and sign a chunk of documents; a document that cannot be prepared becomes a Failure."""
    fingerprinter = Fingerprinter(settings)
    patterns = load_patterns(settings.patterns_file)
    results: list[Prepared | Failure] = []
    for document in documents:
        if isinstance(document, Failure):
            results.append(document)
            continue
        try:
            results.append(prepare(document, patterns, fingerprinter))
        except ExtractionError as error:
            results.append(Failure(document.origin, error.bare_reason))
        except (
            ValueError,
            UnicodeError,
            OverflowError,
            RecursionError,
        ) as error:  # one odd document must not end a run of thousands
            results.append(
                Failure(document.origin, f"could not be prepared: {type(error).__name__}: {error}")
            )
    fingerprinter.sign([item for item in results if isinstance(item, Prepared)])
    return results


GC_THRESHOLD = 100_000
"""Allocations between two collections of the youngest generation while ingesting (Python's default: 700).

An ingest makes millions of small acyclic objects (anchors, matches, rows) that reference counting
frees; with the default, the cyclic collector ran so often that it took 72% of the time the writer
spent unpickling a batch from the workers.
"""


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often for the duration, then restore its thresholds."""
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _prepare_in_worker(
    documents: Sequence[Document | Failure], settings: Settings
) -> list[Prepared | Failure]:
    """_prepare_all in a worker process, which collects garbage as seldom as the writer."""
    with fewer_collections():
        return _prepare_all(documents, settings)


WORKER_NICENESS = 10
"""How much lower the workers' scheduling priority is than the writer's (``os.nice``).

There is one writer and it is the slower side once the database is large: at 100,000 stored
articles it spent 5.1 ms of CPU per new article, the workers 7.3 ms between them. Sharing two
cores evenly among three processes gave the writer two thirds of a core; it fell behind, the
workers filled their look-ahead and waited, and a core stood idle. With the workers at niceness
10, 5,000 new articles went into a copy of the 100,000-article database in 38.8 and 40.4 s
instead of 42.2 and 43.5 s (idle 11% instead of 18% of the cores' time, start and end included),
and the 100,000-article audit of bench_audit.py ingested in 581.3 and 601.3 s instead of 636.6 and
639.7 s (the cores busy 94% of the time instead of 89%; with one batch of look-ahead, 603.8 s).
"""


PR_SET_PDEATHSIG = 1
"""Linux's prctl option: the signal a process gets when the thread that made it ends."""
PARENT_POLL_SECONDS = 1.0


def _start_worker(parent: int) -> None:
    """Set a worker up: a lower priority, deaf to Ctrl-C (the writer stops it), and dying with the
    writer however it ends.
    """
    try:
        os.nice(WORKER_NICENESS)
    # pragma: no cover - a platform that refuses it: the workers keep the writer's priority
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """End this process when `parent` ends: SIGKILL from the kernel on Linux, and a thread that watches the parent id elsewhere.

    A writer killed with ``kill -9`` left its workers running (500 MB each), holding its pipes and,
    on PostgreSQL, the connection whose transaction held the writer's lock.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux: the thread below does it
        pass
    if os.getppid() != parent:  # the parent ended before the line above took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the workers at once, their chunks dropped: what an interrupted or failed run needs
    (``shutdown`` waits for every chunk).
    """
    processes = list(
        getattr(pool, "_processes", {}).values()
    )  # no public API before Python 3.14's terminate_workers()
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=2)
    # Let the pool's manager thread see its workers gone and close its wake-up pipe before the
    # interpreter's exit hook writes to it: racing, the hook wrote to a closed pipe and printed
    # "Exception ignored … Bad file descriptor" after the one line of a Ctrl-C.
    if manager is not None:
        manager.join(timeout=1)


def _chunked(items: Iterable[Document | Failure], size: int) -> Iterator[list[Document | Failure]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def prepared_stream(
    documents: Iterable[Document | Failure], settings: Settings, workers: int = 1
) -> Generator[Prepared | Failure, None, None]:
    """Prepared documents in input order, made by `workers` processes (in this one when workers is
    1).
    """
    if workers <= 1:
        for chunk in _chunked(documents, PREPARE_CHUNK):
            yield from _prepare_all(chunk, settings)
        return
    preload_language_model()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    finished = False
    try:
        pending: deque[Future[list[Prepared | Failure]]] = deque()
        for chunk in _chunked(documents, PREPARE_CHUNK):
            pending.append(pool.submit(_prepare_in_worker, chunk, settings))
            if len(pending) >= LOOKAHEAD_CHUNKS:
                yield from _result(pending.popleft(), chunk)
        while pending:
            yield from _result(pending.popleft(), [])
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop_workers(pool)


def _result(
    future: Future[list[Prepared | Failure]], later: Sequence[Document | Failure]
) -> list[Prepared | Failure]:
    """A chunk prepared by a worker; a worker that died (killed, out of memory) is an error that
    says so.
    """
    try:
        return future.result()
    except BrokenProcessPool as error:
        near = next((item.origin for item in later), None)
        where = f" (reading near {near})" if near else ""
        raise InputError(
            f"a worker process preparing articles died{where}: out of memory, or killed; what was stored is whole: run again, with --workers 1 to find the input"
        ) from error


def ingest(
    store: Store,
    targets: Sequence[str],
    settings: Settings | None = None,
    on_progress: ProgressCallback | None = None,
    stdin: BinaryIO | None = None,
    workers: int = 1,
) -> IngestReport:
    """Read every article in the targets, store the new ones, and link them to their copies.

    Documents are prepared and signed by `workers` processes and written by this one. Each batch
    is one transaction, so an interrupted ingest loses at most the batch under way, and running
    it again stores only what is missing. A bulk load ends with the database's statistics
    refreshed (Store.refresh_statistics: the "statistics" stage of `on_progress`).
    """
    settings = settings or Settings()
    if not targets:
        raise InputError("nothing to ingest: give files, folders, URLs or '-'")
    store.require_current()
    stream = prepared_stream(
        iter_documents(targets, settings.max_file_bytes, stdin, settings.allow_private_urls),
        settings,
        workers,
    )
    with closing(
        stream
    ):  # stopped or failed, the workers end now, not when the suspended stream is collected at exit
        return store_prepared(store, stream, settings, on_progress)


def ingest_documents(
    store: Store, documents: Iterable[Document | Failure], settings: Settings | None = None
) -> IngestReport:
    """Store documents already read (text, HTML, an upload), in this process, linked to their copies."""
    settings = settings or Settings()
    store.require_current()
    stream = prepared_stream(documents, settings)
    with closing(stream):
        return store_prepared(store, stream, settings)


def store_prepared(
    store: Store,
    results: Iterable[Prepared | Failure],
    settings: Settings | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Store prepared documents in batches of BATCH_SIZE, one transaction each, linked to their copies; what ingest does once documents are prepared.

    Failures are counted in the report. `results` is consumed as it comes, so a stream of
    documents being prepared elsewhere (prepared_stream) is written while the rest are prepared.
    """
    settings = settings or Settings()
    fingerprinter = Fingerprinter(settings)
    report = IngestReport()
    batch: list[Prepared] = []
    with fewer_collections():
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
                _store_batch(store, batch, fingerprinter, report)
                if on_progress:
                    on_progress("ingest", len(batch))
                batch = []
        if batch:
            _store_batch(store, batch, fingerprinter, report)
            if on_progress:
                on_progress("ingest", len(batch))
    if store.is_bulk_load(report.added):
        if on_progress:
            on_progress("statistics", 0)
        store.refresh_statistics()
    return report


def store_checked(
    store: Store, results: Sequence[CheckResult], settings: Settings | None = None
) -> IngestReport:
    """Store articles that were checked, as ingest would have."""
    report = IngestReport(read=len(results))
    _store_batch(
        store, [result.item for result in results], Fingerprinter(settings or Settings()), report
    )
    return report
