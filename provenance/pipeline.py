"""ingest() and check(): read, split, fingerprint, store, link; each a list of named stages."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import islice
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from .attribution import Found, extract_attributions, load_cues
from .boilerplate import BOILERPLATE_ARTICLES, Learned, LineWitness, learn, line_key, short_lines
from .chain import Chain, chain_rows, source_chain
from .compare import (
    FULL_COPY_KINDS,
    PASSAGE_WORDS,
    Alignment,
    Direction,
    Facts,
    Overlap,
    SharedSpan,
    SourceMark,
    align,
    copy_kind,
    decide_direction,
    overlap,
    shared_spans,
    translated_passages,
    url_key,
)
from .config import Settings
from .errors import ExtractionError, InputError
from .extract import Document, Failure, iter_documents
from .fingerprint import (
    U32,
    U64,
    SketchParams,
    densify,
    merge_raw,
    shingle_batch,
    signature_bytes,
    sorted_unique,
    text_signature,
)
from .index import BODY_NAMESPACE, NO_MEMBERS, PARAGRAPH_NAMESPACE, Banding, CandidateQuery, MemberParts, Members, rank_candidates
from .language import detect_language
from .language import preload as preload_language_model
from .normalize import (
    HEADLINE_WORDS,
    FurnitureLine,
    Layout,
    Marker,
    PatternSet,
    as_headline,
    has_words,
    headline_index,
    load_patterns,
    split_layout,
    text_lines,
    tokens,
)
from .passage_report import PassageElsewhere, passages_elsewhere
from .passages import SpanPair, cluster_pairs
from .quotes import QuoteSpan, extract_quotes
from .outlets import Outlet, identify_outlet, registered_domain
from .registry import Registry, load_registry
from .store import ANCHOR_MEMBERS, BUCKET_MEMBERS, Article, ArticleSummary, CopyLink, Store, StoredText, published_columns, too_long, utcnow
from .translation import (
    MIN_SHARED_BANDS,
    Anchor,
    TranslationEvidence,
    anchor_features,
    base_language,
    compare_translation,
    extract_anchors,
    translation_keys,
)

ProgressCallback = Callable[[str, int], None]
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
TRANSLATION_CANDIDATES = 10


@dataclass
class Prepared:
    """A document split into body and furniture, hashed and fingerprinted, ready to store or compare."""

    document: Document
    title: str | None
    layout: Layout
    markers: list[Marker]
    body: str
    content_hash: str
    identity_key: str
    attributions: list[Found] = field(default_factory=list)
    quotes: list[QuoteSpan] = field(default_factory=list)
    anchors: list[Anchor] | None = field(default_factory=list)
    """None once sent to another process after signing (see __getstate__)."""
    shingles: U64 = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    signature: U32 | None = None
    keys: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    anchor_keys: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def anchor_language(self) -> str:
        """The base language its translation keys are stored under ("" when it has none: no anchors, no keys)."""
        return base_language(self.document.language) or ""

    def anchor_list(self) -> list[Anchor]:
        """The body's anchors, made again when they were left behind in a worker."""
        if self.anchors is None:
            self.anchors = list(stored_anchors(self.body, self.document.language)) if self.document.language else []
        return self.anchors

    def __getstate__(self) -> dict[str, Any]:
        """The fields, without the anchors once the translation keys are made from them.

        The writer needs an article's anchors only to verify a translation candidate (292 of
        10,000 new articles at 100,000 stored), and sending them from a worker cost 0.17 ms an
        article; the writer makes them again from the body when it needs them.
        """
        state = dict(self.__dict__)
        if self.signature is not None:
            state["anchors"] = None
        return state


class Fingerprinter:
    """Shingle sets, MinHash signatures and LSH keys, with the settings they depend on.

    Args:
        settings: the MinHash size, seed, shingle size and LSH thresholds.

    Examples:
        >>> fingerprinter = Fingerprinter(Settings())
        >>> len(fingerprinter.shingles("one two three four"))
        2
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.params = SketchParams(settings.num_perm, settings.seed, settings.shingle_size)
        self.body_banding = Banding.for_threshold(settings.body_threshold, settings.num_perm, BODY_NAMESPACE)
        self.paragraph_banding = Banding(settings.paragraph_bands, settings.paragraph_rows, PARAGRAPH_NAMESPACE)

    def shingles(self, text: str) -> U64:
        """The sorted unique shingle hashes of a body (each line shingled on its own)."""
        return text_signature(text, self.params)[0]

    def sign(self, batch: Sequence[Prepared]) -> None:
        """Fill in the shingles, the body signature and the LSH keys of every prepared document, in one pass."""
        anchor_texts = [anchor_features(item.anchor_list()) if item.anchor_language else "" for item in batch]
        for item, found in zip(batch, self.fingerprints([item.body for item in batch], anchor_texts), strict=True):
            item.shingles, item.signature, item.keys, item.anchor_keys = found

    def fingerprints(self, bodies: Sequence[str], anchor_texts: Sequence[str]) -> list[Fingerprint]:
        """Shingles, body signature, copy LSH keys (body and paragraphs) and translation LSH keys of each body, in one compiled pass."""
        if not bodies:
            return []
        paragraphs = [body.split("\n") for body in bodies]
        shingled = shingle_batch([text for lines in paragraphs for text in lines], self.params)
        groups, first = [], 0
        for lines in paragraphs:
            groups.append(range(first, first + len(lines)))
            first += len(lines)
        signatures = densify(merge_raw(shingled.raw_signatures, groups))
        long_enough = np.flatnonzero(shingled.word_counts >= self.settings.min_paragraph_words)
        paragraph_keys = self.paragraph_banding.keys(densify(shingled.raw_signatures[long_enough])) if long_enough.size else None
        body_keys = self.body_banding.keys(signatures)
        anchor_keys = translation_keys(anchor_texts, self.settings)
        owner_of_long = np.searchsorted(np.array([g.stop for g in groups]), long_enough, side="right")
        found = []
        for row in range(len(bodies)):
            sets = [shingled.sets[index] for index in groups[row]]
            shingles = sorted_unique(np.concatenate(sets)) if sets else np.empty(0, dtype=np.uint64)
            keys = [body_keys[row]] if len(shingles) else []
            if paragraph_keys is not None:
                keys.append(paragraph_keys[owner_of_long == row].ravel())
            copy_keys = sorted_unique(np.concatenate(keys)) if keys else np.empty(0, dtype=np.int64)
            found.append(Fingerprint(shingles, signatures[row], copy_keys, sorted_unique(anchor_keys[row].ravel())))
        return found

    def index_keys(self, bodies: Sequence[str], languages: Sequence[str | None]) -> list[Fingerprint]:
        """The fingerprints of stored bodies, their anchors extracted again: what rebuilding the LSH index needs."""
        return self.fingerprints(bodies, [anchor_features(extract_anchors(body, language)) if language else "" for body, language in zip(bodies, languages, strict=True)])


class Fingerprint(NamedTuple):
    """What the Fingerprinter makes of one body: its shingle set, its signature, its copy and translation LSH keys."""

    shingles: U64
    signature: U32
    keys: npt.NDArray[np.int64]
    anchor_keys: npt.NDArray[np.int64]


# ---- stage: prepare ----------------------------------------------------------------------


def _canonical_marker(document: Document) -> Marker | None:
    """A canonical URL at another publisher than the page's own is a repost marker (``social.techcrunch.com`` to ``techcrunch.com`` is not)."""
    if not document.canonical_url or not document.url:
        return None
    if registered_domain(document.canonical_url) in (None, registered_domain(document.url)):
        return None
    return Marker(line=f"rel=canonical {document.canonical_url}", kind="canonical", url=document.canonical_url)


OWN_OUTLET_CREDIT = "own_outlet_credit"
"""The furniture kind of a line shaped like a repost marker that names the page's own outlet ("Originally published on Live Science" on livescience.com)."""


def outlet_of_document(document: Document, registry: Registry) -> Outlet | None:
    """The outlet that published a document, from its URL (or canonical URL) and its site name."""
    return identify_outlet(document.url or document.canonical_url, document.outlet, registry)


def _names_own_outlet(marker: Marker, own: Outlet | None) -> bool:
    if own is None:
        return False
    if marker.url:
        return own.domain is not None and registered_domain(marker.url) == own.domain
    return bool(marker.outlet) and own.named_in(marker.outlet or "")


def _repost_markers(layout: Layout, own: Outlet | None) -> tuple[list[Marker], list[FurnitureLine]]:
    """The layout's repost markers that name another outlet; those naming the page's own outlet become furniture."""
    markers, own_credits = [], []
    for marker in layout.markers:
        if _names_own_outlet(marker, own):
            own_credits.append(FurnitureLine(marker.line, OWN_OUTLET_CREDIT))
        else:
            markers.append(marker)
    return markers, own_credits


def _headline_of_text(body_lines: list[str]) -> str:
    """The title of a plain text: its first line, taken out of the body, as before; but when that line is page furniture
    (a date, share buttons, an e-mail address, a byline: plain texts saved from pages often open so), the first of the
    next few lines that is not, or its first sentence, left in the body. A first line longer than a headline is the
    article's lead: it stays in the body, and its first sentence is the title.
    """
    found = headline_index(body_lines)
    if found is None:
        found = 0
    if found == 0 and len(body_lines) > 1 and len(body_lines[0].split()) <= HEADLINE_WORDS:
        return body_lines.pop(0)
    return as_headline(body_lines[found])


def content_hash(body: str) -> str:
    """SHA-256 of a case-folded body with its whitespace collapsed: equal for texts that differ only in spacing or case."""
    return hashlib.sha256(" ".join(body.casefold().split()).encode("utf-8")).hexdigest()


def identity_key(url: str | None, body_hash: str) -> str:
    """What makes an article version unique: its URL (if any) and its body."""
    return hashlib.sha256(f"{url_key(url) if url else ''}\n{body_hash}".encode()).hexdigest()


def prepare(document: Document, patterns: PatternSet, fingerprinter: Fingerprinter) -> Prepared:
    """Split a document into title, body, furniture and markers, and hash its body."""
    layout = split_layout(text_lines(document.text), patterns)
    body_lines = list(layout.body)
    title = document.title
    if document.title_in_text and body_lines:
        title = _headline_of_text(body_lines)
    elif title and len(body_lines) > 1 and tokens(body_lines[0]) == tokens(title):
        body_lines.pop(0)
    body = "\n".join(body_lines)
    if not has_words(body):
        raise ExtractionError("no article text left once page furniture is removed", document.origin)
    settings = fingerprinter.settings
    registry = load_registry(settings.sources_file)
    markers, own_credits = _repost_markers(layout, outlet_of_document(document, registry))
    if own_credits:
        layout = replace(layout, furniture=[*layout.furniture, *own_credits], markers=markers)
    if (canonical := _canonical_marker(document)) is not None:
        markers.append(canonical)
    body_hash = content_hash(body)
    if document.language is None:
        document = replace(document, language=detect_language(body))
    attributions = extract_attributions(body, layout.furniture, markers, document.language, registry, load_cues(settings.cues_file))
    return Prepared(
        document=document,
        title=title,
        layout=layout,
        markers=markers,
        body=body,
        content_hash=body_hash,
        identity_key=identity_key(document.url, body_hash),
        attributions=attributions,
        quotes=extract_quotes(body, attributions),
        anchors=extract_anchors(body, document.language) if document.language else [],
    )


# ---- stage: compare ----------------------------------------------------------------------


@dataclass
class Comparable:
    """One side of a candidate pair: its id, body, direction facts and language; shingles and anchors made when first needed."""

    article_id: int | None
    body: str
    facts: Facts
    language: str | None
    params: SketchParams
    given_shingles: U64 | None = None
    given_anchors: tuple[Anchor, ...] | None = None

    @cached_property
    def shingles(self) -> U64:
        """The body's shingle set."""
        return self.given_shingles if self.given_shingles is not None else text_signature(self.body, self.params)[0]

    @cached_property
    def anchors(self) -> tuple[Anchor, ...]:
        """The body's language-independent anchors."""
        return self.given_anchors if self.given_anchors is not None else stored_anchors(self.body, self.language)

    def other_language(self, other: Comparable) -> bool:
        """Whether the two sides are known to be in different languages."""
        return bool(self.language and other.language and self.language != other.language)


@lru_cache(maxsize=4096)
def stored_anchors(body: str, language: str | None) -> tuple[Anchor, ...]:
    """The anchors of a stored body, remembered: an article that mentions a common name is a translation candidate of many."""
    return tuple(extract_anchors(body, language))


@dataclass(frozen=True)
class Verified:
    """A candidate pair that verification found to be a copy or a translation."""

    scores: Overlap
    kind: str
    direction: Direction
    alignment: Alignment
    translation: TranslationEvidence | None = None
    languages: tuple[str | None, str | None] = (None, None)


@dataclass(frozen=True)
class Match:
    """A verified copy relation between a checked article and a stored one."""

    other: Article
    scores: Overlap
    kind: str
    direction: Direction
    alignment: Alignment
    translation: TranslationEvidence | None = None

    @property
    def subject_role(self) -> str:
        """``copy`` when the subject copies the other, ``origin`` when the other copies it, else ``undetermined``."""
        return {"second": "copy", "first": "origin"}.get(self.direction.origin or "", "undetermined")


def _label(article_id: int | None, outlet: Outlet | None) -> str:
    """How a reason names an article: ``#6 (merkur.de)``, ``#4``, ``the checked article (Live Science)``; never by its file name."""
    who = f"#{article_id}" if article_id is not None else "the checked article"
    return f"{who} ({outlet.name})" if outlet is not None else who


def facts_of_prepared(item: Prepared, article_id: int | None = None, registry: Registry | None = None) -> Facts:
    """Direction facts of a prepared document."""
    document = item.document
    urls = tuple(url for url in (document.url, document.canonical_url) if url)
    marks = tuple(SourceMark(marker.line, marker.url, marker.outlet) for marker in item.markers)
    outlet = outlet_of_document(document, registry or load_registry())
    return Facts(_label(article_id, outlet), document.published, urls, outlet, marks)


def comparable_stored(stored: StoredText, fingerprinter: Fingerprinter) -> Comparable:
    """A stored article ready for verification (shingles and anchors recomputed from its body when needed)."""
    urls = tuple(url for url in (stored.url, stored.canonical_url) if url)
    marks = tuple(SourceMark(sentence, url, None if url else source) for sentence, url, source in stored.copied_from)
    outlet = identify_outlet(stored.url or stored.canonical_url or stored.domain, stored.outlet, load_registry(fingerprinter.settings.sources_file))
    facts = Facts(_label(stored.id, outlet), stored.published, urls, outlet, marks)
    return Comparable(stored.id, stored.body, facts, stored.language, fingerprinter.params)


def comparable_prepared(item: Prepared, article_id: int | None, fingerprinter: Fingerprinter) -> Comparable:
    """A prepared document ready for verification."""
    anchors = tuple(item.anchors) if item.anchors is not None else None  # None: made again from the body when needed
    facts = facts_of_prepared(item, article_id, load_registry(fingerprinter.settings.sources_file))
    return Comparable(article_id, item.body, facts, item.document.language, fingerprinter.params, item.shingles, anchors)


def _same_outlet(first: Facts, second: Facts) -> bool:
    """Whether two articles come from one outlet; two with no outlet known and no marker are taken as one source's texts."""
    if first.outlet is not None and second.outlet is not None:
        return first.outlet.same_as(second.outlet)
    if first.outlet is not None or second.outlet is not None:
        return False
    return not first.marks and not second.marks


def verify_translation(subject: Comparable, other: Comparable) -> Verified | None:
    """A translation link between articles in two languages, verified by aligning their anchors in order."""
    evidence = compare_translation(list(subject.anchors), list(other.anchors), subject.language, other.language)
    if not evidence.is_translation:
        return None
    scores = Overlap(evidence.score, evidence.coverage_first, evidence.coverage_second, evidence.aligned, len(subject.anchors), len(other.anchors))
    passages = translated_passages(other.body, subject.body, [(theirs, ours) for ours, theirs in evidence.positions])  # (other, subject), as align gives them
    return Verified(scores, "translation", decide_direction(subject.facts, other.facts), Alignment([], passages, 0), evidence, (subject.language, other.language))


def verify_pair(subject: Comparable, other: Comparable, settings: Settings) -> Verified | None:
    """Score a candidate against the subject: exact shingle sets in one language, aligned anchors across two."""
    return compare_pair(subject, other, settings).verified


@dataclass(frozen=True)
class Compared:
    """What comparing a candidate with the subject found: a copy or translation link, and passages they share (subject first)."""

    verified: Verified | None
    passages: list[SharedSpan] = field(default_factory=list)


PASSAGE_MIN_SHARED = PASSAGE_WORDS - 5
"""Shingles two bodies must share before they are aligned for passages: a passage of PASSAGE_WORDS words holds PASSAGE_WORDS - 2."""


def compare_pair(subject: Comparable, other: Comparable, settings: Settings, passages: bool = False) -> Compared:
    """Verify a candidate, and with `passages` find the passages it shares with the subject when it is no full copy.

    Passages are looked for only between articles of one language and of outlets not known to
    be one: text an outlet repeats is its boilerplate or its own story's versions.
    """
    if subject.other_language(other):
        return Compared(verify_translation(subject, other))
    scores = overlap(subject.shingles, other.shingles)
    kind = copy_kind(scores, _same_outlet(subject.facts, other.facts), settings)
    verified = Verified(scores, kind, decide_direction(subject.facts, other.facts), align(other.body, subject.body)) if kind is not None else None
    if not passages or kind in FULL_COPY_KINDS or scores.shared < PASSAGE_MIN_SHARED or _known_same_outlet(subject.facts, other.facts):
        return Compared(verified)
    return Compared(verified, shared_spans(subject.body, other.body))


def _known_same_outlet(first: Facts, second: Facts) -> bool:
    return first.outlet is not None and second.outlet is not None and first.outlet.same_as(second.outlet)


def _translation_candidates(session: Session, store: Store, items: Sequence[Prepared], ids: Sequence[int], batch_per_key: int = 0) -> list[list[int]]:
    """For each item: the articles of another language sharing the most of its anchor LSH keys (at least ``MIN_SHARED_BANDS``).

    Stored members are read once per language of the items, each read keeping the articles of
    other languages only; earlier items of the batch count too when `batch_per_key` is set.
    """
    languages = [item.anchor_language for item in items]
    codes = {language: code for code, language in enumerate(dict.fromkeys(languages))}
    item_codes = np.array([codes[language] for language in languages], dtype=np.int64)
    query = CandidateQuery.of([item.anchor_keys for item in items], ids, item_codes)
    key_codes = item_codes[query.owners]
    parts = [store.foreign_anchor_members(session, query.keys[key_codes == code], language) if language else NO_MEMBERS for language, code in codes.items()]
    members, starts = Members.joined(parts)
    return rank_candidates(query, members, TRANSLATION_CANDIDATES, MIN_SHARED_BANDS, batch_per_key, MemberParts(key_codes, starts))


def _copy_candidates(session: Session, store: Store, items: Sequence[Prepared], ids: Sequence[int], limit: int, batch_per_key: int = 0) -> list[list[int]]:
    """For each item: the articles sharing the most of its copy LSH keys (body and paragraphs), most first."""
    query = CandidateQuery.of([item.keys for item in items], ids)
    return rank_candidates(query, store.bucket_members(session, query.keys), limit, batch_per_key=batch_per_key)


@dataclass(frozen=True)
class Findings:
    """What the stored articles hold of a checked one: verified copies (best first), and passages shared with others as (start, end, other id, other start, other end)."""

    matches: list[Match]
    passages: list[tuple[int, int, int, int, int]]


def find_copies(session: Session, store: Store, item: Prepared, fingerprinter: Fingerprinter, extra: Iterable[int] = ()) -> Findings:
    """Verified copies of a prepared document among the stored articles, best first, and the passages it shares with the others.

    Translation candidates are read only among articles of another language; the bodies of the
    candidates are read without ORM objects, and only the matches are loaded.
    """
    copy_ids = _copy_candidates(session, store, [item], [0], fingerprinter.settings.max_candidates)[0] + list(extra)
    foreign = [other for other in _translation_candidates(session, store, [item], [0])[0] if other not in copy_ids]
    stored = store.stored_texts(session, copy_ids + foreign)
    subject = comparable_prepared(item, None, fingerprinter)
    verified_pairs = []
    passages: list[tuple[int, int, int, int, int]] = []
    for other_id in dict.fromkeys(copy_ids + foreign):
        if other_id not in stored:
            continue
        compared = compare_pair(subject, comparable_stored(stored[other_id], fingerprinter), fingerprinter.settings, passages=True)
        passages.extend((span.first_start, span.first_end, other_id, span.second_start, span.second_end) for span in compared.passages)
        if compared.verified is not None:
            verified_pairs.append((other_id, compared.verified))
    articles = store.articles(session, [other_id for other_id, _ in verified_pairs])
    matches = [Match(articles[other_id], v.scores, v.kind, v.direction, v.alignment, v.translation) for other_id, v in verified_pairs if other_id in articles]
    return Findings(sorted(matches, key=lambda match: (-match.scores.jaccard, match.other.id)), passages)


def _marked_articles(session: Session, store: Store, markers: Sequence[Marker]) -> list[Article]:
    return store.articles_at_urls(session, _url_variants(marker.url for marker in markers if marker.url))


def _url_variants(urls: Iterable[str]) -> set[str]:
    return {variant for url in urls for variant in (url, url.rstrip("/"), url.rstrip("/") + "/")}


# ---- ingest ------------------------------------------------------------------------------


@dataclass
class IngestReport:
    """What an ingest did: counts, new copy links by kind, and every input that failed with its reason."""

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
            "failures": [{"origin": failure.origin, "reason": failure.reason} for failure in self.failures],
            "warnings": [{"origin": warning.origin, "reason": warning.reason} for warning in self.warnings],
        }


def _article_values(item: Prepared, version: int, previous_id: int | None, seed: int) -> dict[str, Any]:
    document = item.document
    assert item.signature is not None
    return {
        "identity_key": item.identity_key,
        "content_hash": item.content_hash,
        "url": document.url,
        "canonical_url": document.canonical_url,
        "domain": document.domain,
        "outlet": document.outlet,
        "title": item.title,
        "author": document.author,
        **published_columns(document.published),
        "seen_at": document.seen_at,
        "language": document.language,
        "body": item.body,
        "furniture": [{"kind": line.kind, "line": line.line} for line in item.layout.furniture],
        "origin": document.origin,
        "format": document.format,
        "version": version,
        "previous_version_id": previous_id,
        "shingle_count": len(item.shingles),
        "signature": signature_bytes(item.signature, seed),
        "ingested_at": utcnow(),
    }


def _child_values(item: Prepared, article_id: int, source_ids: dict[str, int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The paragraph, attribution and quote rows of a new article."""
    paragraphs = [{"article_id": article_id, "position": position, "text": text} for position, text in enumerate(item.body.split("\n"))]
    attributions = [
        {
            "article_id": article_id,
            "source_id": source_ids.get(found.source) if found.entry else None,
            "source_name": found.source,
            "source_kind": found.entry.kind if found.entry else None,
            "kind": found.kind,
            "cue": found.cue,
            "sentence": found.sentence,
            "start": found.start,
            "end": found.end,
            "url": found.url,
            "location": found.location,
            "media": found.media,
        }
        for found in item.attributions
    ]
    quotes = [
        {"article_id": article_id, "text": q.text, "normalized": q.normalized, "speaker": q.speaker, "source_name": q.source, "start": q.start, "end": q.end}
        for q in item.quotes
    ]
    return paragraphs, attributions, quotes


def _link_values(subject_id: int, other_id: int, verified: Verified) -> dict[str, Any]:
    """A copy-link row; the subject is the first side of the pair, the other the second."""
    if verified.direction.origin == "first":
        origin_id, copy_id = subject_id, other_id
    else:
        origin_id, copy_id = other_id, subject_id
    scores = verified.scores
    containment = scores.containment if copy_id == subject_id else scores.reverse_containment
    reverse = scores.reverse_containment if copy_id == subject_id else scores.containment
    low, high = sorted((subject_id, other_id))
    alignment = verified.alignment
    # Aligned as (other, subject); stored as (origin, copy), the order the report shows them in.
    changed = [[other_text, subject_text] if origin_id == other_id else [subject_text, other_text] for other_text, subject_text in alignment.changed]
    evidence: dict[str, Any] = alignment.as_evidence() | {"changed_passages": changed}
    if verified.translation is not None:
        evidence = translation_evidence(verified.translation, verified.languages, subject_id, origin_id, changed)
    return {
        "pair_key": f"{low}-{high}",
        "origin_id": origin_id,
        "copy_id": copy_id,
        "kind": verified.kind,
        "jaccard": round(scores.jaccard, 4),
        "containment": round(containment, 4),
        "reverse_containment": round(reverse, 4),
        "direction": verified.direction.status,
        "direction_reason": verified.direction.reason,
        "evidence": evidence,
        "created_at": utcnow(),
    }


def translation_evidence(found: TranslationEvidence, languages: tuple[str | None, str | None], subject_id: int, origin_id: int, passages: list[list[str]]) -> dict[str, Any]:
    """The evidence of a translation link: languages and anchor pairs as (origin, copy), score, order agreement, and sentence pairs (origin first) that render each other."""
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


def _fresh_items(session: Session, store: Store, batch: list[Prepared], report: IngestReport) -> list[Prepared]:
    """The items of a batch not stored yet (each identity once); the stored ones' ids go to the report."""
    stored = store.ids_of_identity_keys(session, [item.identity_key for item in batch])
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


def _insert_articles(session: Session, store: Store, fresh: list[Prepared], seed: int, report: IngestReport) -> list[int]:
    """Insert the new articles with their paragraphs, attributions and quotes; their ids."""
    previous = store.latest_versions(session, [item.document.url for item in fresh if item.document.url])
    rows = []
    for item in fresh:
        before = previous.get(item.document.url or "")
        rows.append(_article_values(item, before[1] + 1 if before else 1, before[0] if before else None, seed))
        if cut := too_long(rows[-1]):
            report.warnings.append(Failure(item.document.origin, "; ".join(f"{name} cut to the column's length ({limit} characters)" for name, limit in cut.items())))
        report.new_versions += before is not None
        if item.document.url:
            previous[item.document.url] = (-1, before[1] + 1 if before else 1)
    ids = store.insert_articles(session, rows)
    for index, item in enumerate(fresh):
        if item.document.url and previous.get(item.document.url, (0, 0))[0] == -1:
            previous[item.document.url] = (ids[index], previous[item.document.url][1])
    source_ids = store.source_ids(session, [found.entry for item in fresh for found in item.attributions if found.entry is not None])
    children: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]] = ([], [], [])
    for item, article_id in zip(fresh, ids):
        for collected, rows_of_item in zip(children, _child_values(item, article_id, source_ids)):
            collected.extend(rows_of_item)
    store.insert_children(session, *children)
    report.added += len(fresh)
    return ids


def _candidate_ids(session: Session, store: Store, fresh: list[Prepared], ids: list[int], limit: int) -> list[tuple[list[int], list[int]]]:
    """For each new article: the articles sharing its copy LSH buckets or named by its markers, and those of other languages sharing anchor buckets."""
    marked = store.article_ids_at_urls(session, _url_variants(marker.url for item in fresh for marker in item.markers if marker.url))
    copies = _copy_candidates(session, store, fresh, ids, limit, batch_per_key=BUCKET_MEMBERS)
    translations = _translation_candidates(session, store, fresh, ids, batch_per_key=ANCHOR_MEMBERS)
    chosen = []
    for item, article_id, similar, foreign in zip(fresh, ids, copies, translations, strict=True):
        named = [other for marker in item.markers if marker.url for url in _url_variants([marker.url]) for other in marked.get(url, ())]
        chosen.append((similar + [other for other in named if other != article_id], foreign))
    return chosen


def _links_of_batch(session: Session, store: Store, fresh: list[Prepared], ids: list[int], fingerprinter: Fingerprinter, report: IngestReport) -> tuple[list[dict[str, Any]], list[SpanPair]]:
    """Verified copy and translation links from each new article to its candidates, and the passages it shares with them.

    Translation candidates are kept only when their language differs, which is known before any
    stored body is read; then the bodies of the candidates left are read in one query.
    """
    candidates = _candidate_ids(session, store, fresh, ids, fingerprinter.settings.max_candidates)
    position = {article_id: index for index, article_id in enumerate(ids)}
    to_verify = [list(dict.fromkeys(copies + translations)) for copies, translations in candidates]
    stored = store.stored_texts(session, {other for others in to_verify for other in others if other not in position})
    comparables: dict[int, Comparable] = {}

    def comparable(other_id: int) -> Comparable:
        if other_id not in comparables:
            comparables[other_id] = comparable_prepared(fresh[position[other_id]], other_id, fingerprinter) if other_id in position else comparable_stored(stored[other_id], fingerprinter)
        return comparables[other_id]

    links = []
    shared: list[SpanPair] = []
    verified_pairs: set[tuple[int, int]] = set()  # two new articles of one batch may each be the other's candidate
    for item, article_id, others in zip(fresh, ids, to_verify):
        subject = comparable_prepared(item, article_id, fingerprinter)
        for other_id in others:
            pair = (min(article_id, other_id), max(article_id, other_id))
            if (other_id not in position and other_id not in stored) or pair in verified_pairs:
                continue
            verified_pairs.add(pair)
            compared = compare_pair(subject, comparable(other_id), fingerprinter.settings, passages=True)
            shared.extend(SpanPair(article_id, other_id, span) for span in compared.passages)
            if compared.verified is not None:
                links.append(_link_values(article_id, other_id, compared.verified))
                report.links[compared.verified.kind] += 1
    return links, shared


def _store_batch(store: Store, batch: list[Prepared], fingerprinter: Fingerprinter, report: IngestReport) -> None:
    """Write one batch in one transaction: new articles and their parts, their verified links, their LSH keys."""
    unsigned = [item for item in batch if item.signature is None]
    fingerprinter.sign(unsigned)
    with store.transaction() as session:
        store.lock_for_writing(session)
        fresh = _fresh_items(session, store, batch, report)
        if not fresh:
            return
        outlets = [outlet_key_of(item.document, fingerprinter.settings) for item in fresh]
        lessons = _boilerplate_lessons(session, store, fresh, outlets, fingerprinter)
        fresh = [_without_boilerplate(item, lessons.known.get(outlet or "", set()), fingerprinter) for item, outlet in zip(fresh, outlets)]
        ids = _insert_articles(session, store, fresh, fingerprinter.settings.seed, report)
        report.article_ids.extend(ids)
        links, shared = _links_of_batch(session, store, fresh, ids, fingerprinter, report)
        store.insert_links(session, links)
        _index_batch(session, store, fresh, ids)
        if shared:
            store.write_passages(session, cluster_pairs(shared, store.passage_witnesses(session, {side for pair in shared for side in (pair.first_id, pair.second_id)})))
        store.add_outlet_lines(session, [(w.outlet, w.line_hash, ids[-1 - w.article_id], w.independent) for w in lessons.witnesses],
                               [(l.outlet, l.line_hash, l.line, l.articles) for l in lessons.learned])


# ---- stage: learned boilerplate -----------------------------------------------------------


def outlet_key_of(document: Document, settings: Settings) -> str | None:
    """The key of the outlet that published a document, or None when no URL or name says."""
    outlet = outlet_of_document(document, load_registry(settings.sources_file))
    return outlet.key[:255] if outlet is not None else None


@dataclass(frozen=True)
class BoilerplateLessons:
    """What a batch teaches of its outlets' boilerplate: the lines known (learned before or now), by outlet; the new articles'
    line witnesses (their article ids as -1 - their index in the batch); and the lines learned now."""

    known: dict[str, set[int]]
    witnesses: list[LineWitness]
    learned: list[Learned]


COPY_SHARE = 0.5
"""Two articles sharing this share of either's shingles are versions of one text: a line they both hold counts once."""


def _boilerplate_lessons(session: Session, store: Store, fresh: Sequence[Prepared], outlets: Sequence[str | None], fingerprinter: Fingerprinter) -> BoilerplateLessons:
    """Learn the boilerplate of the batch's outlets (each article's outlet key, or None) from its articles and the stored ones,
    before the batch is stored, so it applies to the batch itself."""
    keyed = [(key, -1 - index, short_lines(_own_lines(item))) for index, (item, key) in enumerate(zip(fresh, outlets)) if key is not None]
    if not keyed:
        return BoilerplateLessons({}, [], [])
    known = store.boilerplate_of(session, {key for key, _, _ in keyed})
    stored = store.outlet_line_witnesses(session, {(key, line_hash) for key, _, lines in keyed for line_hash in lines})
    crowded = {holder for holders in stored.values() if len(holders) + 1 >= BOILERPLATE_ARTICLES for holder, _ in holders}
    bodies = {article_id: text.body for article_id, text in store.stored_texts(session, crowded).items()}

    def shingles_of(article_id: int) -> U64:
        return fresh[-1 - article_id].shingles if article_id < 0 else fingerprinter.shingles(bodies.get(article_id, ""))

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
    again = prepare(replace(item.document, text="\n".join(kept)), load_patterns(fingerprinter.settings.patterns_file), fingerprinter)
    again.layout = replace(again.layout, furniture=[*again.layout.furniture, *(FurnitureLine(line, LEARNED_BOILERPLATE) for line in dropped)])
    again.identity_key, again.content_hash = item.identity_key, item.content_hash
    fingerprinter.sign([again])
    return again


LEARNED_BOILERPLATE = "boilerplate"
"""The furniture kind of a line learned as its outlet's boilerplate."""


def _own_lines(item: Prepared) -> list[str]:
    """The lines an article wrote itself: its body's, and its title when that was its text's first line."""
    return item.body.split("\n") + ([item.title] if item.document.title_in_text and item.title else [])


def _index_batch(session: Session, store: Store, fresh: list[Prepared], ids: list[int]) -> None:
    """Store the new articles' copy LSH keys, and their translation LSH keys with their languages."""
    id_array = np.array(ids, dtype=np.int64)
    store.insert_buckets(session, np.concatenate([item.keys for item in fresh]), np.repeat(id_array, [len(item.keys) for item in fresh]))
    anchor_counts = [len(item.anchor_keys) for item in fresh]
    languages = np.array([item.anchor_language for item in fresh], dtype=object)
    store.insert_anchor_buckets(session, np.concatenate([item.anchor_keys for item in fresh]), np.repeat(id_array, anchor_counts), np.repeat(languages, anchor_counts))


def _prepare_all(documents: Sequence[Document | Failure], settings: Settings) -> list[Prepared | Failure]:
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
        except (ValueError, UnicodeError, OverflowError, RecursionError) as error:  # one odd document must not end a run of thousands
            results.append(Failure(document.origin, f"could not be prepared: {type(error).__name__}: {error}"))
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


def _prepare_in_worker(documents: Sequence[Document | Failure], settings: Settings) -> list[Prepared | Failure]:
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
    """Set a worker up: a lower priority, deaf to Ctrl-C (the writer stops it), and dying with the writer however it ends."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # pragma: no cover - a platform that refuses it: the workers keep the writer's priority
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
    """End the workers at once, their chunks dropped: what an interrupted or failed run needs (``shutdown`` waits for every chunk)."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public API before Python 3.14's terminate_workers()
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


def prepared_stream(documents: Iterable[Document | Failure], settings: Settings, workers: int = 1) -> Generator[Prepared | Failure, None, None]:
    """Prepared documents in input order, made by `workers` processes (in this one when workers is 1)."""
    if workers <= 1:
        for chunk in _chunked(documents, PREPARE_CHUNK):
            yield from _prepare_all(chunk, settings)
        return
    preload_language_model()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker, initargs=(os.getpid(),))
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


def _result(future: Future[list[Prepared | Failure]], later: Sequence[Document | Failure]) -> list[Prepared | Failure]:
    """A chunk prepared by a worker; a worker that died (killed, out of memory) is an error that says so."""
    try:
        return future.result()
    except BrokenProcessPool as error:
        near = next((item.origin for item in later), None)
        where = f" (reading near {near})" if near else ""
        raise InputError(f"a worker process preparing articles died{where}: out of memory, or killed; what was stored is whole: run again, with --workers 1 to find the input") from error


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
    stream = prepared_stream(iter_documents(targets, settings.max_file_bytes, stdin, settings.allow_private_urls), settings, workers)
    with closing(stream):  # stopped or failed, the workers end now, not when the suspended stream is collected at exit
        return store_prepared(store, stream, settings, on_progress)


def store_prepared(store: Store, results: Iterable[Prepared | Failure], settings: Settings | None = None, on_progress: ProgressCallback | None = None) -> IngestReport:
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
            report.warnings.extend(Failure(result.document.origin, note) for note in result.document.notes)
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


def store_checked(store: Store, results: Sequence[CheckResult], settings: Settings | None = None) -> IngestReport:
    """Store articles that were checked, as ingest would have."""
    report = IngestReport(read=len(results))
    _store_batch(store, [result.item for result in results], Fingerprinter(settings or Settings()), report)
    return report


# ---- check -------------------------------------------------------------------------------


ORIGINAL, COPY, COPIED_BY, SAME_TEXT, STORED = "original", "copy", "copied_by", "same_text", "stored"
VERDICTS = (ORIGINAL, COPY, COPIED_BY, SAME_TEXT, STORED)
"""What `check` answers: no relation; a copy of something earlier; copied by later articles; the same text
as another with the order not determined; already stored (then its stored relations follow)."""
SOURCE_MARKER_KINDS = ("source_footer", "canonical")
_RELATION_OF_ROLE = {"copy": "copy_of", "origin": "copied_by", "undetermined": "same_text"}


@dataclass(frozen=True)
class CheckResult:
    """The answer to "is this article a repost?" for one article, with its evidence.

    Args:
        item: the checked article, prepared.
        verdict: one of VERDICTS.
        matches: its relations to stored articles, copies of earlier ones first, then those whose
            order is not determined, then later copies of it.
        markers: its repost markers, each with the stored articles at the URL it names.
        stored: the stored article it is, when the verdict is ``stored``.
        database_empty: the database held no article to compare with.
        passages: its passages that articles of other outlets hold too, where else and where first.
    """

    item: Prepared
    verdict: str
    matches: list[Match]
    markers: list[tuple[Marker, list[Article]]]
    stored: Article | None = None
    database_empty: bool = False
    passages: list[PassageElsewhere] = field(default_factory=list)

    @property
    def source_markers(self) -> list[tuple[Marker, list[Article]]]:
        """The markers that name where the article was taken from (a source footer, a canonical link elsewhere)."""
        return [(marker, stored) for marker, stored in self.markers if marker.kind in SOURCE_MARKER_KINDS]

    @property
    def is_copy(self) -> bool:
        """Whether the article copies an earlier stored article or names, in a marker, where it was taken from (exit code 1)."""
        return any(match.subject_role == "copy" for match in self.matches) or bool(self.source_markers)

    @property
    def named(self) -> Match | None:
        """The relation the verdict names: the copied original, the same text, or the first later copy."""
        wanted = {COPY: "copy", SAME_TEXT: "undetermined", COPIED_BY: "origin"}.get(self.verdict)
        return next((match for match in self.matches if match.subject_role == wanted), None)

    @property
    def kind(self) -> str | None:
        """The kind of the relation the verdict names (duplicate, repost, partial, translation); ``repost`` for a marker alone."""
        if self.named is not None:
            return self.named.kind
        return "repost" if self.verdict == COPY else None


def relation_of(match: Match) -> str:
    """``copy_of`` (the checked article copies the match), ``copied_by`` (the match copies it) or ``same_text`` (order not determined)."""
    return _RELATION_OF_ROLE[match.subject_role]


def _verdict(matches: Sequence[Match], markers: Sequence[tuple[Marker, list[Article]]], stored: Article | None) -> str:
    roles = {match.subject_role for match in matches}
    if stored is not None:
        return STORED
    if "copy" in roles or any(marker.kind in SOURCE_MARKER_KINDS for marker, _ in markers):
        return COPY
    if "undetermined" in roles:
        return SAME_TEXT
    return COPIED_BY if "origin" in roles else ORIGINAL


def _ranked(matches: Iterable[Match]) -> list[Match]:
    """Copies of earlier articles first (those a marker decides first), then the undecided, then later copies; most similar first."""
    order = {"copy": 0, "undetermined": 1, "origin": 2}
    return sorted(matches, key=lambda m: (order[m.subject_role], m.direction.status != "evidence", -m.scores.jaccard, m.other.id))


def match_from_link(link: CopyLink, subject_id: int, other: Article) -> Match:
    """A stored copy link seen from one of its articles, as a Match (the evidence as stored; nothing compared again)."""
    subject_is_copy = link.copy_id == subject_id
    decided = link.direction != "undetermined"
    origin = ("second" if subject_is_copy else "first") if decided else None
    # The link stores the copy's share in the origin and the origin's share in the copy.
    containment, reverse = (link.containment, link.reverse_containment) if subject_is_copy else (link.reverse_containment, link.containment)
    evidence = link.evidence or {}
    changed = [(str(pair[0]), str(pair[1])) for pair in evidence.get("changed_passages", []) if len(pair) == 2]
    if not subject_is_copy:  # stored as (origin, copy); a Match reads (other, subject)
        changed = [(after, before) for before, after in changed]
    alignment = Alignment(list(evidence.get("shared_passages", [])), changed, int(evidence.get("shared_words", 0) or 0))
    translation = None
    if link.kind == "translation":
        pairs = [(str(a), str(b)) for a, b in evidence.get("anchor_pairs", [])]  # stored origin first; a Match's are (subject, other)
        if subject_is_copy:
            pairs = [(b, a) for a, b in pairs]
        translation = TranslationEvidence(float(evidence.get("score", link.jaccard)), pairs, int(evidence.get("aligned_anchors", len(pairs))), containment, reverse,
                                          float(evidence.get("order_agreement", 1.0)), True, str(evidence.get("reason", "")))
    scores = Overlap(link.jaccard, containment, reverse, alignment.shared_words, 0, 0)
    return Match(other, scores, link.kind, Direction(origin, link.direction, link.direction_reason), alignment, translation)


def _stored_as(session: Session, store: Store, item: Prepared, registry: Registry) -> Article | None:
    """The stored article the checked one is: the same identity (URL and body), the same URL, or, for a text without URL, the same body.

    A text without URL is the stored article of the same body (a page saved to a file, say)
    unless it names a source in a marker or another outlet published it: then it is a copy, and
    compared as any other. The same body at another URL is a copy too.
    """
    document = item.document
    found = store.same_article(session, item.identity_key, _url_variants([document.url]) if document.url else set())
    if found is not None or document.url or any(marker.kind in SOURCE_MARKER_KINDS for marker in item.markers):
        return found
    own = outlet_of_document(document, registry)
    for candidate in store.articles_with_body_hash(session, item.content_hash):
        theirs = identify_outlet(candidate.url or candidate.canonical_url or candidate.domain, candidate.outlet, registry)
        if own is None or (theirs is not None and own.same_as(theirs)):
            return candidate
    return None


def _stored_relations(session: Session, store: Store, article: Article) -> list[Match]:
    links = store.links_of(session, article.id)
    others = store.articles(session, [link.copy_id if link.origin_id == article.id else link.origin_id for link in links])
    return [match_from_link(link, article.id, others[other_id]) for link in links if (other_id := link.copy_id if link.origin_id == article.id else link.origin_id) in others]


def check_prepared(store: Store, item: Prepared, fingerprinter: Fingerprinter) -> CheckResult:
    """Compare one prepared article with the database, without writing anything.

    An article already stored (same URL, or same body when it has no URL) is answered with its
    stored relations, so that `check` and the audit never disagree about it.
    """
    fingerprinter.sign([item])
    with store.reading() as session:
        marked: list[tuple[Marker, list[Article]]] = [(marker, _marked_articles(session, store, [marker])) for marker in item.markers]
        stored = _stored_as(session, store, item, load_registry(fingerprinter.settings.sources_file))
        if stored is not None:
            matches = _stored_relations(session, store, stored)
            passages = _stored_passages(session, store, stored)
        else:
            extra = [article.id for _, articles in marked for article in articles]
            found = find_copies(session, store, item, fingerprinter, extra=extra)
            matches = found.matches
            passages = passages_elsewhere(session, store, item.body, found.passages, _summary_of(item))
        empty = stored is None and not matches and store.is_empty(session)
    ranked = _ranked(matches)
    return CheckResult(item, _verdict(ranked, marked, stored), ranked, marked, stored, empty, passages)


def _summary_of(item: Prepared) -> ArticleSummary:
    """A checked article as the passage report reads an article (id 0: it is not stored)."""
    document = item.document
    return ArticleSummary(0, item.title, document.url, document.outlet, document.domain, document.published, document.language, document.origin)


def _stored_passages(session: Session, store: Store, article: Article) -> list[PassageElsewhere]:
    """The stored passage clusters a stored article is a witness of, seen from it."""
    own = store.passage_witnesses(session, [article.id])
    clusters = store.witnesses_of_passages(session, {w.passage for w in own})
    found = [(mine.start, mine.end, other.article_id, other.start, other.end) for mine in own for other in clusters.get(mine.passage, ()) if other.article_id != article.id]
    summary = store.article_summaries(session, [article.id])[article.id]
    return passages_elsewhere(session, store, article.body, found, summary)


def check(store: Store, target: str, settings: Settings | None = None, stdin: BinaryIO | None = None) -> list[CheckResult]:
    """Is the article at this path, URL or '-' a repost? Of what, how much, and on what evidence."""
    settings = settings or Settings()
    fingerprinter = Fingerprinter(settings)
    patterns = load_patterns(settings.patterns_file)
    results = []
    for document in iter_documents([target], settings.max_file_bytes, stdin, settings.allow_private_urls):
        if isinstance(document, Failure):
            raise ExtractionError(document.reason, document.origin)
        results.append(check_prepared(store, prepare(document, patterns, fingerprinter), fingerprinter))
    return results


# ---- chains ------------------------------------------------------------------------------


def _stored_article(store: Store, session: Session, reference: str, settings: Settings) -> Article:
    """The stored article a reference names: an id, a URL, a file name, or a file or URL to ingest first."""
    from pathlib import Path

    from .extract import is_url

    stored_at_url = store.articles_at_urls(session, [reference]) if is_url(reference) else []
    if stored_at_url:
        return stored_at_url[0]
    if is_url(reference) or Path(reference).is_file():
        fingerprinter = Fingerprinter(settings)
        for document in iter_documents([reference], settings.max_file_bytes, allow_private_urls=settings.allow_private_urls):
            if isinstance(document, Failure):
                raise ExtractionError(document.reason, document.origin)
            item = prepare(document, load_patterns(settings.patterns_file), fingerprinter)
            if not store.known_identity_keys(session, [item.identity_key]):
                _store_batch(store, [item], fingerprinter, IngestReport())
            found = session.scalars(select(Article).where(Article.identity_key == item.identity_key)).first()
            if found is not None:
                return found
    return store.find_article(session, reference)


def chain_for(store: Store, reference: str, settings: Settings | None = None) -> Chain:
    """Build, store and return the source chain of an article (by id, URL, file name, or a file to ingest)."""
    settings = settings or Settings()
    registry = load_registry(settings.sources_file)
    with store.transaction() as session:
        article = _stored_article(store, session, reference, settings)
        chain = source_chain(session, store, article, registry)
        store.replace_chain(session, article.id, chain_rows(chain))
        _ = [a.sentence for a in article.attributions]
    return chain


def article_quotes(store: Store, reference: str) -> Article:
    """A stored article (by id, URL or file name) with its quotations loaded."""
    with store.reading() as session:
        article = store.find_article(session, reference)
        _ = [quote.text for quote in article.quotes]
    return article
