"""SQLAlchemy 2 models, sessions and queries: the only module that speaks SQL."""

from __future__ import annotations

from dataclasses import dataclass

from provenance.read.dates import Published


@dataclass(frozen=True)
class AttributionSummary:
    """What an audit counts of an attribution: whose, of which kind, and the sentence and URL it stands in."""

    article_id: int
    source_name: str
    kind: str
    media: bool
    sentence: str
    url: str | None


@dataclass(frozen=True)
class AttributionRecord:
    """An attribution as the audit's CSV files write it: plain values, no ORM object."""

    article_id: int
    source_name: str
    source_kind: str | None
    kind: str
    cue: str
    sentence: str
    start: int | None
    end: int | None
    location: str


@dataclass(frozen=True)
class QuoteRecord:
    """A quotation as the audit's CSV files write it: plain values, no ORM object."""

    article_id: int
    text: str
    speaker: str | None
    source_name: str | None
    start: int
    end: int


@dataclass(frozen=True)
class StoredText:
    """What verifying a candidate needs of a stored article: its body, language, dates, URLs and repost marks."""

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

