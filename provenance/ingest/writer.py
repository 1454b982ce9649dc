"""The batch writer's steps: fresh items, new articles with their children, links, passages and
index keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from provenance.ingest.boilerplate import BoilerplateLessons, outlet_key_of
from provenance.ingest.links import (
    CandidateSource,
    Comparable,
    Verified,
    _copy_candidates,
    _translation_candidates,
    _url_variants,
    comparable_prepared,
    comparable_stored,
    compare_pair,
)
from provenance.ingest.preparation import Fingerprinter, Prepared, prepare
from provenance.match.compare import (
    overlap,
)
from provenance.match.passages import SpanPair, cluster_pairs
from provenance.read.document import Failure
from provenance.sketch.fingerprint import U64, signature_bytes
from provenance.store.reader import ANCHOR_MEMBERS, BUCKET_MEMBERS
from provenance.store.records import AttributionRecord, NewArticle, NewLink, QuoteRecord
from provenance.store.store import Store
from provenance.store.writer import BatchWriter, too_long
from provenance.text.boilerplate import (
    BOILERPLATE_ARTICLES,
    learn,
    line_key,
    short_lines,
)
from provenance.text.normalize import FurnitureLine, load_patterns, text_lines
from provenance.translation.alignment import TranslationEvidence

# ---- ingest ------------------------------------------------------------------------------


@dataclass
class IngestReport:
    """What an ingest did: counts, new copy links by kind, and every input that failed with its
    reason.
    """

    read: int = 0
    added: int = 0
    already_stored: int = 0
    new_versions: int = 0
    links: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    """Inputs stored with something of them left out, and why (a field that is no date, say)."""
    article_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The report as plain data for --json."""
        return {
            "read": self.read,
            "added": self.added,
            "already_stored": self.already_stored,
            "new_versions": self.new_versions,
            "links": dict(sorted(self.links.items())),
            "failures": [
                {"origin": failure.origin, "reason": failure.reason} for failure in self.failures
            ],
            "warnings": [
                {"origin": warning.origin, "reason": warning.reason} for warning in self.warnings
            ],
        }


def _new_article(item: Prepared, version: int, previous_id: int | None, seed: int) -> NewArticle:
    document = item.document
    assert item.signature is not None
    return NewArticle(
        identity_key=item.identity_key,
        content_hash=item.content_hash,
        url=document.url,
        canonical_url=document.canonical_url,
        domain=document.domain,
        outlet=document.outlet,
        title=item.title,
        author=document.author,
        publication=document.published,
        seen_at=document.seen_at,
        language=document.language,
        body=item.body,
        furniture=[{"kind": line.kind, "line": line.line} for line in item.layout.furniture],
        origin=document.origin,
        format=document.format,
        version=version,
        previous_version_id=previous_id,
        shingle_count=len(item.shingles),
        signature=signature_bytes(item.signature, seed),
    )


def _children(
    item: Prepared, article_id: int, source_ids: dict[str, int]
) -> tuple[list[tuple[int, int, str]], list[AttributionRecord], list[QuoteRecord]]:
    """The paragraphs, attributions and quotes of a new article."""
    paragraphs = [
        (article_id, position, text) for position, text in enumerate(item.body.split("\n"))
    ]
    attributions = [
        AttributionRecord(
            article_id=article_id,
            source_name=found.source,
            source_kind=found.entry.kind if found.entry else None,
            kind=found.kind,
            cue=found.cue,
            sentence=found.sentence,
            start=found.start,
            end=found.end,
            location=found.location,
            url=found.url,
            media=found.media,
            source_id=source_ids.get(found.source) if found.entry else None,
        )
        for found in item.attributions
    ]
    quotes = [
        QuoteRecord(article_id, q.text, q.speaker, q.source, q.start, q.end, q.normalized)
        for q in item.quotes
    ]
    return paragraphs, attributions, quotes


def _new_link(subject_id: int, other_id: int, verified: Verified) -> NewLink:
    """A copy-link row; the subject is the first side of the pair, the other the second."""
    if verified.direction.origin == "first":
        origin_id, copy_id = subject_id, other_id
    else:
        origin_id, copy_id = other_id, subject_id
    scores = verified.scores
    containment = scores.containment if copy_id == subject_id else scores.reverse_containment
    reverse = scores.reverse_containment if copy_id == subject_id else scores.containment
    alignment = verified.alignment
    # Aligned as (other, subject); stored as (origin, copy), the order the report shows them in.
    changed = [
        [other_text, subject_text] if origin_id == other_id else [subject_text, other_text]
        for other_text, subject_text in alignment.changed
    ]
    evidence: dict[str, Any] = alignment.as_evidence() | {"changed_passages": changed}
    if verified.translation is not None:
        evidence = translation_evidence(
            verified.translation, verified.languages, subject_id, origin_id, changed
        )
    return NewLink(
        origin_id=origin_id,
        copy_id=copy_id,
        kind=verified.kind,
        jaccard=round(scores.jaccard, 4),
        containment=round(containment, 4),
        reverse_containment=round(reverse, 4),
        direction=verified.direction.status,
        direction_reason=verified.direction.reason,
        evidence=evidence,
    )


def translation_evidence(
    found: TranslationEvidence,
    languages: tuple[str | None, str | None],
    subject_id: int,
    origin_id: int,
    passages: list[list[str]],
) -> dict[str, Any]:
    """The evidence of a translation link: languages and anchor pairs as (origin, copy), score,
    order agreement, and sentence pairs (origin first) that render each other.
    """
    pairs = [list(pair) for pair in found.pairs]
    ordered = list(languages)
    if origin_id != subject_id:
        pairs = [[b, a] for a, b in pairs]
        ordered = ordered[::-1]
    return {
        "languages": ordered,
        "score": round(found.score, 4),
        "aligned_anchors": found.aligned,
        "order_agreement": round(found.order_agreement, 4),
        "anchor_pairs": pairs[:40],
        "reason": found.reason,
        "shared_passages": [" ↔ ".join(pair) for pair in pairs[:3]],
        "changed_passages": passages,
    }


def _fresh_items(
    writer: BatchWriter, batch: list[Prepared], report: IngestReport
) -> list[Prepared]:
    """The items of a batch not stored yet (each identity once); the stored ones' ids go to the
    report.
    """
    stored = writer.ids_of_identity_keys([item.identity_key for item in batch])
    seen = set(stored)
    fresh = []
    for item in batch:
        if item.identity_key in seen:
            report.already_stored += 1
            if item.identity_key in stored:
                report.article_ids.append(stored[item.identity_key])
            continue
        seen.add(item.identity_key)
        fresh.append(item)
    return fresh


def _insert_articles(
    writer: BatchWriter, fresh: list[Prepared], seed: int, report: IngestReport
) -> list[int]:
    """Insert the new articles with their paragraphs, attributions and quotes; their ids."""
    previous = writer.latest_versions([item.document.url for item in fresh if item.document.url])
    rows: list[NewArticle] = []
    for item in fresh:
        before = previous.get(item.document.url or "")
        rows.append(
            _new_article(item, before[1] + 1 if before else 1, before[0] if before else None, seed)
        )
        if cut := too_long(rows[-1]):
            report.warnings.append(
                Failure(
                    item.document.origin,
                    "; ".join(
                        f"{name} cut to the column's length ({limit} characters)"
                        for name, limit in cut.items()
                    ),
                )
            )
        report.new_versions += before is not None
        if item.document.url:
            previous[item.document.url] = (-1, before[1] + 1 if before else 1)
    ids = writer.insert_articles(rows)
    for index, item in enumerate(fresh):
        if item.document.url and previous.get(item.document.url, (0, 0))[0] == -1:
            previous[item.document.url] = (ids[index], previous[item.document.url][1])
    source_ids = writer.source_ids(
        [found.entry for item in fresh for found in item.attributions if found.entry is not None]
    )
    paragraphs: list[tuple[int, int, str]] = []
    attributions: list[AttributionRecord] = []
    quotes: list[QuoteRecord] = []
    for item, article_id in zip(fresh, ids):
        found = _children(item, article_id, source_ids)
        paragraphs.extend(found[0])
        attributions.extend(found[1])
        quotes.extend(found[2])
    writer.insert_children(paragraphs, attributions, quotes)
    report.added += len(fresh)
    return ids


def _candidate_ids(
    writer: CandidateSource, fresh: list[Prepared], ids: list[int], limit: int
) -> list[tuple[list[int], list[int]]]:
    """For each new article: the articles sharing its copy LSH buckets or named by its markers, and
    those of other languages sharing anchor buckets.
    """
    marked = writer.article_ids_at_urls(
        _url_variants(marker.url for item in fresh for marker in item.markers if marker.url)
    )
    copies = _copy_candidates(writer, fresh, ids, limit, batch_per_key=BUCKET_MEMBERS)
    translations = _translation_candidates(writer, fresh, ids, batch_per_key=ANCHOR_MEMBERS)
    chosen = []
    for item, article_id, similar, foreign in zip(fresh, ids, copies, translations, strict=True):
        named = [
            other
            for marker in item.markers
            if marker.url
            for url in _url_variants([marker.url])
            for other in marked.get(url, ())
        ]
        chosen.append((similar + [other for other in named if other != article_id], foreign))
    return chosen


def candidates_to_verify(
    source: CandidateSource, fresh: list[Prepared], ids: list[int], fingerprinter: Fingerprinter
) -> list[list[int]]:
    """For each new article, the ids of its copy and translation candidates, in the order they are
    verified.
    """
    candidates = _candidate_ids(source, fresh, ids, fingerprinter.settings.max_candidates)
    return [list(dict.fromkeys(copies + translations)) for copies, translations in candidates]


def _links_of_batch(
    writer: BatchWriter,
    fresh: list[Prepared],
    ids: list[int],
    fingerprinter: Fingerprinter,
    report: IngestReport,
) -> tuple[list[NewLink], list[SpanPair]]:
    """Verified copy and translation links from each new article to its candidates, and the passages it shares with them.

    Translation candidates are kept only when their language differs, which is known before any
    stored body is read; then the bodies of the candidates left are read in one query.
    """
    position = {article_id: index for index, article_id in enumerate(ids)}
    to_verify = candidates_to_verify(writer, fresh, ids, fingerprinter)
    stored = writer.stored_texts(
        {other for others in to_verify for other in others if other not in position}
    )
    comparables: dict[int, Comparable] = {}

    def comparable(other_id: int) -> Comparable:
        if other_id not in comparables:
            comparables[other_id] = (
                comparable_prepared(fresh[position[other_id]], other_id, fingerprinter)
                if other_id in position
                else comparable_stored(stored[other_id], fingerprinter)
            )
        return comparables[other_id]

    links = []
    shared: list[SpanPair] = []
    verified_pairs: set[tuple[int, int]] = (
        set()
    )  # two new articles of one batch may each be the other's candidate
    for item, article_id, others in zip(fresh, ids, to_verify):
        subject = comparable_prepared(item, article_id, fingerprinter)
        for other_id in others:
            pair = (min(article_id, other_id), max(article_id, other_id))
            if (other_id not in position and other_id not in stored) or pair in verified_pairs:
                continue
            verified_pairs.add(pair)
            compared = compare_pair(
                subject, comparable(other_id), fingerprinter.settings, passages=True
            )
            shared.extend(SpanPair(article_id, other_id, span) for span in compared.passages)
            if compared.verified is not None:
                links.append(_new_link(article_id, other_id, compared.verified))
                report.links[compared.verified.kind] += 1
    return links, shared


def _store_batch(
    store: Store, batch: list[Prepared], fingerprinter: Fingerprinter, report: IngestReport
) -> None:
    """Write one batch in one transaction: new articles and their parts, their verified links, their
    LSH keys.
    """
    with store.writer() as writer:
        fresh, ids = store_new_articles(writer, batch, fingerprinter, report)
        if not fresh:
            return
        links, shared = _links_of_batch(writer, fresh, ids, fingerprinter, report)
        writer.insert_links(links)
        _index_batch(writer, fresh, ids)
        write_shared_passages(writer, shared)


def store_new_articles(
    writer: BatchWriter, batch: list[Prepared], fingerprinter: Fingerprinter, report: IngestReport
) -> tuple[list[Prepared], list[int]]:
    """Store a batch's articles not stored yet, without their outlets' boilerplate, with their
    paragraphs, attributions and quotes and their outlets' lines: those articles and their ids.
    """
    unsigned = [item for item in batch if item.signature is None]
    fingerprinter.sign(unsigned)
    writer.lock_for_writing()
    fresh = _fresh_items(writer, batch, report)
    if not fresh:
        return [], []
    outlets = [outlet_key_of(item.document, fingerprinter.settings) for item in fresh]
    lessons = _boilerplate_lessons(writer, fresh, outlets, fingerprinter)
    fresh = [
        _without_boilerplate(item, lessons.known.get(outlet or "", set()), fingerprinter)
        for item, outlet in zip(fresh, outlets)
    ]
    ids = _insert_articles(writer, fresh, fingerprinter.settings.seed, report)
    report.article_ids.extend(ids)
    writer.add_outlet_lines(
        [(w.outlet, w.line_hash, ids[-1 - w.article_id], w.independent) for w in lessons.witnesses],
        [
            (learned.outlet, learned.line_hash, learned.line, learned.articles)
            for learned in lessons.learned
        ],
    )
    return fresh, ids


def write_shared_passages(writer: BatchWriter, shared: list[SpanPair]) -> None:
    """Fold passages new pairs share into the stored passage clusters they touch."""
    if shared:
        writer.write_passages(
            cluster_pairs(
                shared,
                writer.passage_witnesses(
                    {side for pair in shared for side in (pair.first_id, pair.second_id)}
                ),
            )
        )


COPY_SHARE = 0.5
"""Two articles sharing this share of either's shingles are versions of one text: a line they both
hold counts once.
"""


def _boilerplate_lessons(
    writer: BatchWriter,
    fresh: Sequence[Prepared],
    outlets: Sequence[str | None],
    fingerprinter: Fingerprinter,
) -> BoilerplateLessons:
    """Learn the boilerplate of the batch's outlets (each article's outlet key, or None) from its articles and the stored ones,
    before the batch is stored, so it applies to the batch itself."""
    keyed = [
        (key, -1 - index, short_lines(_own_lines(item)))
        for index, (item, key) in enumerate(zip(fresh, outlets))
        if key is not None
    ]
    if not keyed:
        return BoilerplateLessons({}, [], [])
    known = writer.boilerplate_of({key for key, _, _ in keyed})
    stored = writer.outlet_line_witnesses(
        {(key, line_hash) for key, _, lines in keyed for line_hash in lines}
    )
    crowded = {
        holder
        for holders in stored.values()
        if len(holders) + 1 >= BOILERPLATE_ARTICLES
        for holder, _ in holders
    }
    bodies = {article_id: text.body for article_id, text in writer.stored_texts(crowded).items()}

    def shingles_of(article_id: int) -> U64:
        return (
            fresh[-1 - article_id].shingles
            if article_id < 0
            else fingerprinter.shingles(bodies.get(article_id, ""))
        )

    def copies(first: int, second: int) -> bool:
        scores = overlap(shingles_of(first), shingles_of(second))
        return max(scores.containment, scores.reverse_containment) >= COPY_SHARE

    witnesses, learned = learn(keyed, stored, copies, known)
    for lesson in learned:
        known.setdefault(lesson.outlet, set()).add(lesson.line_hash)
    return BoilerplateLessons(known, witnesses, learned)


def _without_boilerplate(item: Prepared, known: set[int], fingerprinter: Fingerprinter) -> Prepared:
    """The article prepared again without the lines learned as its outlet's boilerplate (`known`, by line hash), kept as furniture; itself when it holds none.

    Its identity (URL and the hash of its body as read) stays what it was, so that reading the
    same input again finds it stored.
    """
    if not known or not any(line_key(line) in known for line in _own_lines(item)):
        return item
    kept: list[str] = []
    dropped: list[str] = []
    for line in text_lines(item.document.text):
        (dropped if line_key(line) in known else kept).append(line)
    again = prepare(
        replace(item.document, text="\n".join(kept)),
        load_patterns(fingerprinter.settings.patterns_file),
        fingerprinter,
    )
    again.layout = replace(
        again.layout,
        furniture=[
            *again.layout.furniture,
            *(FurnitureLine(line, LEARNED_BOILERPLATE) for line in dropped),
        ],
    )
    again.identity_key, again.content_hash = item.identity_key, item.content_hash
    fingerprinter.sign([again])
    return again


LEARNED_BOILERPLATE = "boilerplate"
"""The furniture kind of a line learned as its outlet's boilerplate."""


def _own_lines(item: Prepared) -> list[str]:
    """The lines an article wrote itself: its body's, and its title when that was its text's first
    line.
    """
    return item.body.split("\n") + (
        [item.title] if item.document.title_in_text and item.title else []
    )


def _index_batch(writer: BatchWriter, fresh: list[Prepared], ids: list[int]) -> None:
    """Store the new articles' copy LSH keys, and their translation LSH keys with their languages."""
    id_array = np.array(ids, dtype=np.int64)
    writer.insert_buckets(
        np.concatenate([item.keys for item in fresh]),
        np.repeat(id_array, [len(item.keys) for item in fresh]),
    )
    anchor_counts = [len(item.anchor_keys) for item in fresh]
    languages = np.array([item.anchor_language for item in fresh], dtype=object)
    writer.insert_anchor_buckets(
        np.concatenate([item.anchor_keys for item in fresh]),
        np.repeat(id_array, anchor_counts),
        np.repeat(languages, anchor_counts),
    )
