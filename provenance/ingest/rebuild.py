"""Rebuilding derived data that a schema upgrade asked for: the LSH index, the passages of stored links.

Migrations change the schema only. When a change makes derived data stale, the upgrade records a
step in the store (``StoreReader.pending_rebuilds``), and every command but ``reindex`` refuses
the database until ``reindex`` has done it. Each chunk of articles or links is one transaction
that also records how far the step got, so a stopped reindex goes on where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from provenance.config import Settings
from provenance.ingest.preparation import Fingerprinter
from provenance.match.compare import align, translated_passages
from provenance.store.store import Store
from provenance.translation.alignment import compare_translation
from provenance.translation.anchors import base_language, extract_anchors

REINDEX_CHUNK = 2000
"""Articles or links rebuilt in one transaction."""

STEPS = {
    "bulk_load": "the articles of a bulk load that did not finish, removed",
    "index": "the LSH index of every article",
    "link_passages": "the passages of every copy and translation link",
}
"""What each rebuild step does, as `reindex` reports it."""

ReindexProgress = Callable[[str, int, int], None]
"""Called after each chunk with the step, the items done so far and the total."""


def reindex(
    store: Store, settings: Settings | None = None, on_progress: ReindexProgress | None = None
) -> dict[str, int]:
    """Do every rebuild the database's upgrades asked for; the items each step rebuilt (empty:
    nothing was pending).
    """
    settings = settings or Settings()
    with store.reader() as reader:
        pending = reader.pending_rebuilds()
    done: dict[str, int] = {}
    if "bulk_load" in pending:
        with store.writer() as writer:
            done["bulk_load"] = writer.drop_articles_after(pending["bulk_load"])
            writer.finish_rebuild("bulk_load")
    if "index" in pending:
        done["index"] = _rebuild_index(store, settings, pending["index"], on_progress)
    if "link_passages" in pending:
        done["link_passages"] = _realign_links(store, pending["link_passages"], on_progress)
    return done


def _rebuild_index(
    store: Store, settings: Settings, last: int, on_progress: ReindexProgress | None
) -> int:
    """Fingerprint every stored body again and store its copy and translation LSH keys under the
    current parameters.
    """
    fingerprinter = Fingerprinter(settings)
    total, done = store.count_articles(), 0
    while True:
        with store.writer() as writer:
            if last == 0:
                writer.clear_index()
            rows = writer.bodies_after(last, REINDEX_CHUNK)
            if not rows:
                writer.finish_rebuild("index")
                return done
            ids = [article_id for article_id, _, _ in rows]
            languages = [base_language(language) for _, _, language in rows]
            found = fingerprinter.index_keys([body for _, body, _ in rows], languages)
            keys = [fingerprint.keys for fingerprint in found]
            writer.insert_buckets(
                np.concatenate(keys).astype(np.int64),
                np.repeat(np.asarray(ids, dtype=np.int64), [len(k) for k in keys]),
            )
            anchored = [
                (article_id, language, fingerprint.anchor_keys)
                for article_id, language, fingerprint in zip(ids, languages, found, strict=True)
                if language
            ]
            if anchored:
                anchor_keys = np.concatenate([k for _, _, k in anchored]).astype(np.int64)
                counts = [len(k) for _, _, k in anchored]
                writer.insert_anchor_buckets(
                    anchor_keys,
                    np.repeat(np.asarray([a for a, _, _ in anchored], dtype=np.int64), counts),
                    np.repeat(np.asarray([lang for _, lang, _ in anchored], dtype=object), counts),
                )
            last = ids[-1]
            writer.rebuilt_through("index", last)
        done += len(rows)
        if on_progress:
            on_progress("index", done, total)


def _realign_links(store: Store, last: int, on_progress: ReindexProgress | None) -> int:
    """Align the two bodies of every stored link again, origin first: a copy's shared and changed
    passages, a translation's sentence pairs.
    """
    with store.reader() as reader:
        total = reader.row_counts()["copy_links"]
    done = 0
    while True:
        with store.writer() as writer:
            rows = writer.link_bodies_after(last, REINDEX_CHUNK)
            if not rows:
                writer.finish_rebuild("link_passages")
                return done
            evidence: dict[int, dict[str, Any]] = {}
            for link, origin, copy in rows:
                passages = (
                    _translation_passages(origin, copy)
                    if link.kind == "translation"
                    else align(origin[0], copy[0]).as_evidence()
                )
                evidence[link.id] = link.evidence | passages
            writer.set_link_evidence(evidence)
            last = rows[-1][0].id
            writer.rebuilt_through("link_passages", last)
        done += len(rows)
        if on_progress:
            on_progress("link_passages", done, total)


def _translation_passages(
    origin: tuple[str, str | None], copy: tuple[str, str | None]
) -> dict[str, Any]:
    (origin_body, origin_language), (copy_body, copy_language) = origin, copy
    found = compare_translation(
        extract_anchors(origin_body, origin_language),
        extract_anchors(copy_body, copy_language),
        origin_language,
        copy_language,
    )
    return {
        "changed_passages": [
            list(pair) for pair in translated_passages(origin_body, copy_body, found.positions)
        ]
    }
