"""The typed records the store reads and writes: plain frozen values, no ORM object, no session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from provenance.read.dates import Published


def utcnow() -> datetime:
    """The current time in UTC, without a time zone, as stored."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class AttributionSummary:
    """What an audit counts of an attribution: whose, of which kind, and the sentence and URL it
    stands in.
    """

    article_id: int
    source_name: str
    kind: str
    media: bool
    sentence: str
    url: str | None


@dataclass(frozen=True)
class AttributionRecord:
    """An attribution found in a stored article: the source, the cue, the sentence and where it
    stands.
    """

    article_id: int
    source_name: str
    source_kind: str | None
    kind: str
    cue: str
    sentence: str
    start: int | None
    end: int | None
    location: str
    url: str | None = None
    media: bool = False
    source_id: int | None = None


@dataclass(frozen=True)
class QuoteRecord:
    """A quotation found in a stored article: its text, speaker, cited source and character offsets."""

    article_id: int
    text: str
    speaker: str | None
    source_name: str | None
    start: int
    end: int
    normalized: str = ""


@dataclass(frozen=True)
class StoredText:
    """What verifying a candidate needs of a stored article: its body, language, dates, URLs and
    repost marks.
    """

    id: int
    body: str
    language: str | None
    url: str | None
    canonical_url: str | None
    domain: str | None
    outlet: str | None
    published: Published | None
    origin: str
    copied_from: tuple[tuple[str, str | None, str], ...] = ()


@dataclass(frozen=True)
class ArticleSummary:
    """An article's metadata without its body, for reports over many articles."""

    id: int
    title: str | None
    url: str | None
    outlet: str | None
    domain: str | None
    published: Published | None
    language: str | None
    origin: str


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """A stored article: its metadata, body, and the attributions and quotes found in it."""

    id: int
    identity_key: str
    content_hash: str
    url: str | None
    canonical_url: str | None
    domain: str | None
    outlet: str | None
    title: str | None
    author: str | None
    publication: Published | None
    seen_at: datetime | None
    language: str | None
    body: str
    furniture: list[Any]
    origin: str
    format: str
    version: int
    previous_version_id: int | None
    ingested_at: datetime
    attributions: tuple[AttributionRecord, ...] = field(default=())
    """All of them, or those a reader was asked for (see ``StoreReader.articles``)."""
    quotes: tuple[QuoteRecord, ...] = field(default=())

    @property
    def published(self) -> datetime | None:
        """The stored publication time (UTC), without its precision."""
        return self.publication.moment if self.publication else None


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """A verified copy link between two stored articles: its kind, scores, direction and evidence."""

    id: int
    pair_key: str
    origin_id: int
    copy_id: int
    kind: str
    jaccard: float
    containment: float
    reverse_containment: float
    direction: str
    direction_reason: str
    evidence: dict[str, Any]
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HopRecord:
    """One stored hop of an article's source chain."""

    article_id: int
    position: int
    from_node: str
    to_node: str
    kind: str
    confidence: float
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewArticle:
    """An article to store: what ``BatchWriter.insert_articles`` writes (the writer adds its id and
    ingest time).
    """

    identity_key: str
    content_hash: str
    url: str | None
    canonical_url: str | None
    domain: str | None
    outlet: str | None
    title: str | None
    author: str | None
    publication: Published | None
    seen_at: datetime | None
    language: str | None
    body: str
    furniture: list[dict[str, str]]
    origin: str
    format: str
    version: int
    previous_version_id: int | None
    shingle_count: int
    signature: bytes


@dataclass(frozen=True, slots=True)
class NewLink:
    """A verified copy link to store, origin first; ``BatchWriter.insert_links`` skips a pair
    already linked.
    """

    origin_id: int
    copy_id: int
    kind: str
    jaccard: float
    containment: float
    reverse_containment: float
    direction: str
    direction_reason: str
    evidence: dict[str, Any]

    @property
    def pair_key(self) -> str:
        """The unordered pair, as the store keys it."""
        low, high = sorted((self.origin_id, self.copy_id))
        return f"{low}-{high}"
