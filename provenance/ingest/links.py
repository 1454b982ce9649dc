"""Candidates and verification: which stored articles a new one may copy or translate, and the
verified pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np
import numpy.typing as npt

from provenance.config import Settings
from provenance.ingest.preparation import (
    Fingerprinter,
    Prepared,
    outlet_of_document,
    stored_anchors,
)
from provenance.knowledge.outlets import Outlet, identify_outlet
from provenance.knowledge.registry import Registry, load_registry
from provenance.match.compare import (
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
)
from provenance.sketch.fingerprint import U64, SketchParams, text_signature
from provenance.sketch.index import (
    NO_MEMBERS,
    CandidateQuery,
    MemberParts,
    Members,
    rank_candidates,
)
from provenance.store.reader import StoreReader
from provenance.store.records import ArticleRecord, StoredText
from provenance.translation.alignment import TranslationEvidence, compare_translation
from provenance.translation.anchors import Anchor
from provenance.translation.languages import MIN_SHARED_BANDS

TRANSLATION_CANDIDATES = 10


class CandidateSource(Protocol):
    """What candidate lookups read: the store, or the batch engine's index of a corpus in memory."""

    def article_ids_at_urls(self, urls: Iterable[str]) -> dict[str, list[int]]: ...

    def bucket_members(
        self, keys: Iterable[int] | npt.NDArray[np.int64], per_key: int = ...
    ) -> Members: ...

    def foreign_anchor_members(
        self,
        keys: Iterable[int] | npt.NDArray[np.int64],
        language: str,
        scan: int = ...,
        per_key: int = ...,
    ) -> Members: ...


# ---- stage: compare ----------------------------------------------------------------------


@dataclass
class Comparable:
    """One side of a candidate pair: its id, body, direction facts and language; shingles and
    anchors made when first needed.
    """

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
        return (
            self.given_shingles
            if self.given_shingles is not None
            else text_signature(self.body, self.params)[0]
        )

    @cached_property
    def anchors(self) -> tuple[Anchor, ...]:
        """The body's language-independent anchors."""
        return (
            self.given_anchors
            if self.given_anchors is not None
            else stored_anchors(self.body, self.language)
        )

    def other_language(self, other: Comparable) -> bool:
        """Whether the two sides are known to be in different languages."""
        return bool(self.language and other.language and self.language != other.language)


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

    other: ArticleRecord
    scores: Overlap
    kind: str
    direction: Direction
    alignment: Alignment
    translation: TranslationEvidence | None = None

    @property
    def subject_role(self) -> str:
        """``copy`` when the subject copies the other, ``origin`` when the other copies it, else
        ``undetermined``.
        """
        return {"second": "copy", "first": "origin"}.get(
            self.direction.origin or "", "undetermined"
        )


def _label(article_id: int | None, outlet: Outlet | None) -> str:
    """How a reason names an article: ``#6 (merkur.de)``, ``#4``, ``the checked article (Live
    Science)``; never by its file name.
    """
    who = f"#{article_id}" if article_id is not None else "the checked article"
    return f"{who} ({outlet.name})" if outlet is not None else who


def facts_of_prepared(
    item: Prepared, article_id: int | None = None, registry: Registry | None = None
) -> Facts:
    """Direction facts of a prepared document."""
    document = item.document
    urls = tuple(url for url in (document.url, document.canonical_url) if url)
    marks = tuple(SourceMark(marker.line, marker.url, marker.outlet) for marker in item.markers)
    outlet = outlet_of_document(document, registry or load_registry())
    return Facts(_label(article_id, outlet), document.published, urls, outlet, marks)


def comparable_stored(stored: StoredText, fingerprinter: Fingerprinter) -> Comparable:
    """A stored article ready for verification (shingles and anchors recomputed from its body when
    needed).
    """
    urls = tuple(url for url in (stored.url, stored.canonical_url) if url)
    marks = tuple(
        SourceMark(sentence, url, None if url else source)
        for sentence, url, source in stored.copied_from
    )
    outlet = identify_outlet(
        stored.url or stored.canonical_url or stored.domain,
        stored.outlet,
        load_registry(fingerprinter.settings.sources_file),
    )
    facts = Facts(_label(stored.id, outlet), stored.published, urls, outlet, marks)
    return Comparable(stored.id, stored.body, facts, stored.language, fingerprinter.params)


def comparable_prepared(
    item: Prepared, article_id: int | None, fingerprinter: Fingerprinter
) -> Comparable:
    """A prepared document ready for verification."""
    anchors = (
        tuple(item.anchors) if item.anchors is not None else None
    )  # None: made again from the body when needed
    facts = facts_of_prepared(item, article_id, load_registry(fingerprinter.settings.sources_file))
    return Comparable(
        article_id,
        item.body,
        facts,
        item.document.language,
        fingerprinter.params,
        item.shingles,
        anchors,
    )


def _same_outlet(first: Facts, second: Facts) -> bool:
    """Whether two articles come from one outlet; two with no outlet known and no marker are taken
    as one source's texts.
    """
    if first.outlet is not None and second.outlet is not None:
        return first.outlet.same_as(second.outlet)
    if first.outlet is not None or second.outlet is not None:
        return False
    return not first.marks and not second.marks


def verify_translation(subject: Comparable, other: Comparable) -> Verified | None:
    """A translation link between articles in two languages, verified by aligning their anchors in
    order.
    """
    evidence = compare_translation(
        list(subject.anchors), list(other.anchors), subject.language, other.language
    )
    if not evidence.is_translation:
        return None
    scores = Overlap(
        evidence.score,
        evidence.coverage_first,
        evidence.coverage_second,
        evidence.aligned,
        len(subject.anchors),
        len(other.anchors),
    )
    passages = translated_passages(
        other.body, subject.body, [(theirs, ours) for ours, theirs in evidence.positions]
    )  # (other, subject), as align gives them
    return Verified(
        scores,
        "translation",
        decide_direction(subject.facts, other.facts),
        Alignment([], passages, 0),
        evidence,
        (subject.language, other.language),
    )


def verify_pair(subject: Comparable, other: Comparable, settings: Settings) -> Verified | None:
    """Score a candidate against the subject: exact shingle sets in one language, aligned anchors
    across two.
    """
    return compare_pair(subject, other, settings).verified


@dataclass(frozen=True)
class Compared:
    """What comparing a candidate with the subject found: a copy or translation link, and passages
    they share (subject first).
    """

    verified: Verified | None
    passages: list[SharedSpan] = field(default_factory=list)


PASSAGE_MIN_SHARED = PASSAGE_WORDS - 5
"""Shingles two bodies must share before they are aligned for passages: a passage of PASSAGE_WORDS
words holds PASSAGE_WORDS - 2.
"""


def compare_pair(
    subject: Comparable, other: Comparable, settings: Settings, passages: bool = False
) -> Compared:
    """Verify a candidate, and with `passages` find the passages it shares with the subject when it is no full copy.

    Passages are looked for only between articles of one language and of outlets not known to
    be one: text an outlet repeats is its boilerplate or its own story's versions.
    """
    if subject.other_language(other):
        return Compared(verify_translation(subject, other))
    scores = overlap(subject.shingles, other.shingles)
    kind = copy_kind(scores, _same_outlet(subject.facts, other.facts), settings)
    verified = (
        Verified(
            scores,
            kind,
            decide_direction(subject.facts, other.facts),
            align(other.body, subject.body),
        )
        if kind is not None
        else None
    )
    if (
        not passages
        or kind in FULL_COPY_KINDS
        or scores.shared < PASSAGE_MIN_SHARED
        or _known_same_outlet(subject.facts, other.facts)
    ):
        return Compared(verified)
    return Compared(verified, shared_spans(subject.body, other.body))


def _known_same_outlet(first: Facts, second: Facts) -> bool:
    return (
        first.outlet is not None
        and second.outlet is not None
        and first.outlet.same_as(second.outlet)
    )


def _translation_candidates(
    reader: CandidateSource, items: Sequence[Prepared], ids: Sequence[int], batch_per_key: int = 0
) -> list[list[int]]:
    """For each item: the articles of another language sharing the most of its anchor LSH keys (at least ``MIN_SHARED_BANDS``).

    Stored members are read once per language of the items, each read keeping the articles of
    other languages only; earlier items of the batch count too when `batch_per_key` is set.
    """
    languages = [item.anchor_language for item in items]
    codes = {language: code for code, language in enumerate(dict.fromkeys(languages))}
    item_codes = np.array([codes[language] for language in languages], dtype=np.int64)
    query = CandidateQuery.of([item.anchor_keys for item in items], ids, item_codes)
    key_codes = item_codes[query.owners]
    parts = [
        reader.foreign_anchor_members(query.keys[key_codes == code], language)
        if language
        else NO_MEMBERS
        for language, code in codes.items()
    ]
    members, starts = Members.joined(parts)
    return rank_candidates(
        query,
        members,
        TRANSLATION_CANDIDATES,
        MIN_SHARED_BANDS,
        batch_per_key,
        MemberParts(key_codes, starts),
    )


def _copy_candidates(
    reader: CandidateSource,
    items: Sequence[Prepared],
    ids: Sequence[int],
    limit: int,
    batch_per_key: int = 0,
) -> list[list[int]]:
    """For each item: the articles sharing the most of its copy LSH keys (body and paragraphs), most
    first.
    """
    query = CandidateQuery.of([item.keys for item in items], ids)
    return rank_candidates(
        query, reader.bucket_members(query.keys), limit, batch_per_key=batch_per_key
    )


@dataclass(frozen=True)
class Findings:
    """What the stored articles hold of a checked one: verified copies (best first), and passages
    shared with others as (start, end, other id, other start, other end).
    """

    matches: list[Match]
    passages: list[tuple[int, int, int, int, int]]


def find_copies(
    reader: StoreReader, item: Prepared, fingerprinter: Fingerprinter, extra: Iterable[int] = ()
) -> Findings:
    """Verified copies of a prepared document among the stored articles, best first, and the passages it shares with the others.

    Translation candidates are read only among articles of another language; the bodies of the
    candidates are read without ORM objects, and only the matches are loaded.
    """
    copy_ids = _copy_candidates(reader, [item], [0], fingerprinter.settings.max_candidates)[
        0
    ] + list(extra)
    foreign = [
        other for other in _translation_candidates(reader, [item], [0])[0] if other not in copy_ids
    ]
    stored = reader.stored_texts(copy_ids + foreign)
    subject = comparable_prepared(item, None, fingerprinter)
    verified_pairs = []
    passages: list[tuple[int, int, int, int, int]] = []
    for other_id in dict.fromkeys(copy_ids + foreign):
        if other_id not in stored:
            continue
        compared = compare_pair(
            subject,
            comparable_stored(stored[other_id], fingerprinter),
            fingerprinter.settings,
            passages=True,
        )
        passages.extend(
            (span.first_start, span.first_end, other_id, span.second_start, span.second_end)
            for span in compared.passages
        )
        if compared.verified is not None:
            verified_pairs.append((other_id, compared.verified))
    articles = reader.articles([other_id for other_id, _ in verified_pairs])
    matches = [
        Match(articles[other_id], v.scores, v.kind, v.direction, v.alignment, v.translation)
        for other_id, v in verified_pairs
        if other_id in articles
    ]
    return Findings(
        sorted(matches, key=lambda match: (-match.scores.jaccard, match.other.id)), passages
    )


def _url_variants(urls: Iterable[str]) -> set[str]:
    return {variant for url in urls for variant in (url, url.rstrip("/"), url.rstrip("/") + "/")}
