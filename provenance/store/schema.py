"""The SQLAlchemy models: the schema, which only the store's reader and writer use."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    relationship,
)

from provenance.read.dates import MINUTE, PRECISIONS, Published
from provenance.store.records import utcnow

log = logging.getLogger(__name__)


def published_of(
    moment: datetime | None, precision: str | None, offset: int | None
) -> Published | None:
    """A Published from its three stored columns (a row without a precision is read as a time of
    unknown zone).
    """
    if moment is None:
        return None
    return Published(
        moment,
        precision if precision in PRECISIONS else MINUTE,
        offset if precision == MINUTE else None,
    )


def published_columns(published: Published | None) -> dict[str, Any]:
    """The three stored columns of a publication time."""
    if published is None:
        return {"published": None, "published_precision": None, "published_offset": None}
    return {
        "published": published.moment,
        "published_precision": published.precision,
        "published_offset": published.offset,
    }


class Base(DeclarativeBase):
    """Declarative base of every provenance table."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    """A news outlet, agency or other source, from the registry or met in the text."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="unknown")
    country: Mapped[str | None] = mapped_column(String(8))
    domains: Mapped[list[Any]] = mapped_column(default=list)


class Article(Base):
    """One version of one article: its metadata, its body, and its MinHash signature."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_key: Mapped[str] = mapped_column(String(64), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str | None] = mapped_column(Text, index=True)
    canonical_url: Mapped[str | None] = mapped_column(Text, index=True)
    domain: Mapped[str | None] = mapped_column(String(255), index=True)
    outlet: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    published_precision: Mapped[str | None] = mapped_column(String(8))
    published_offset: Mapped[int | None] = mapped_column(Integer)
    seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    language: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    furniture: Mapped[list[Any]] = mapped_column(default=list)
    origin: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL")
    )
    shingle_count: Mapped[int] = mapped_column(Integer)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    ingested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    paragraphs: Mapped[list[Paragraph]] = relationship(
        back_populates="article", order_by="Paragraph.position", cascade="all, delete-orphan"
    )

    @property
    def publication(self) -> Published | None:
        """The publication time with its precision, or None when the article gave none."""
        return published_of(self.published, self.published_precision, self.published_offset)

    attributions: Mapped[list[Attribution]] = relationship(
        back_populates="article", order_by="Attribution.id", cascade="all, delete-orphan"
    )
    quotes: Mapped[list[Quote]] = relationship(order_by="Quote.start", cascade="all, delete-orphan")


class Paragraph(Base):
    """One paragraph of an article's body, in order."""

    __tablename__ = "paragraphs"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    article: Mapped[Article] = relationship(back_populates="paragraphs")


class Bucket(Base):
    """One LSH band key of an article's body or of one of its paragraphs.

    The bucket tables are an index of the articles, written in the same transaction as them, and
    hold no foreign key (schema 0009): PostgreSQL checked one by locking the article's row for each
    of an article's 130 keys. A reader skips a member whose article is not stored.
    """

    __tablename__ = "lsh_buckets"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)

    __table_args__ = ({"sqlite_with_rowid": False},)


class AnchorBucket(Base):
    """One translation LSH band key of an article's anchors, with the article's language.

    Translation candidates are articles of another language: a lookup reads the newest members of
    a key and keeps those of other languages, so the articles of a corpus's main language do not
    crowd out the few that could be translations.
    """

    __tablename__ = "anchor_buckets"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)

    __table_args__ = ({"sqlite_with_rowid": False},)


class CopyLink(Base):
    """A verified copy relation between two articles, with its scores and evidence.

    ``containment`` is the share of the copy's shingles found in the origin, and
    ``reverse_containment`` the share of the origin's shingles found in the copy. When
    ``direction`` is ``undetermined`` the roles are only the order of ingest.
    """

    __tablename__ = "copy_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_key: Mapped[str] = mapped_column(String(64), unique=True)
    origin_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    copy_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    jaccard: Mapped[float] = mapped_column(Float)
    containment: Mapped[float] = mapped_column(Float)
    reverse_containment: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(20))
    direction_reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Attribution(Base):
    """A statement in an article of where its content came from (cites, wire, copied from, image
    credit).
    """

    __tablename__ = "attributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    source_name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    cue: Mapped[str] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(16), default="body", server_default="body")
    source_kind: Mapped[str | None] = mapped_column(String(40))
    media: Mapped[bool] = mapped_column(default=False, server_default=false())

    article: Mapped[Article] = relationship(back_populates="attributions")


class Quote(Base):
    """A quotation found in an article, normalised for search, with its speaker and cited source."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class Passage(Base):
    """A passage of text found in articles of different outlets (passim's idea, kept incrementally):
    its witnesses say where.
    """

    __tablename__ = "passages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PassageWitness(Base):
    """One article's copy of a passage: character offsets into the stored body."""

    __tablename__ = "passage_witnesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    passage_id: Mapped[int] = mapped_column(
        ForeignKey("passages.id", ondelete="CASCADE"), index=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class OutletLine(Base):
    """A short line of an article's body, by the article's outlet: what tells an outlet's boilerplate (a widget, a policy box) apart.

    ``independent`` says the article was linked by no copy link to the earlier articles of the
    outlet with that line; a line of BOILERPLATE_ARTICLES independent articles is boilerplate.
    """

    __tablename__ = "outlet_lines"

    outlet: Mapped[str] = mapped_column(String(255), primary_key=True)
    line_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    independent: Mapped[bool] = mapped_column(default=True)

    __table_args__ = ({"sqlite_with_rowid": False},)


class BoilerplateLine(Base):
    """A line learned to be an outlet's boilerplate: furniture in every later article of the outlet,
    and left out of every comparison.
    """

    __tablename__ = "boilerplate_lines"

    outlet: Mapped[str] = mapped_column(String(255), primary_key=True)
    line_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    line: Mapped[str] = mapped_column(Text)
    articles: Mapped[int] = mapped_column(Integer)


class Rebuild(Base):
    """A rebuild of derived data that an upgrade asked for, and the last article or link id it has
    done.
    """

    __tablename__ = "rebuilds"
    step: Mapped[str] = mapped_column(String(40), primary_key=True)
    done_through: Mapped[int] = mapped_column(Integer, default=0)


class ChainHop(Base):
    """One hop of an article's stored source chain, from one node to the next."""

    __tablename__ = "chain_hops"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    from_node: Mapped[str] = mapped_column(Text)
    to_node: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (UniqueConstraint("article_id", "position"),)
