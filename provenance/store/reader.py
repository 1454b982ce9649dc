"""Reading a provenance database: every query the library makes, answered with typed records."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    and_,
    func,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    QueryableAttribute,
    Session,
    selectinload,
)

from provenance.errors import NotFoundError
from provenance.match.passages import Witness
from provenance.sketch.index import NO_MEMBERS, Members
from provenance.store.records import (
    ArticleRecord,
    ArticleSummary,
    AttributionRecord,
    AttributionSummary,
    HopRecord,
    LinkRecord,
    QuoteRecord,
    StoredText,
)
from provenance.store.schema import (
    AnchorBucket,
    Article,
    Attribution,
    Base,
    BoilerplateLine,
    Bucket,
    ChainHop,
    CopyLink,
    OutletLine,
    PassageWitness,
    Quote,
    Rebuild,
    published_of,
)
from provenance.store.sql import (
    _array_literal,
    _chunks,
    _driver,
    _escape_like,
    _fts5_term,
    _newest_per_key,
    _table,
    _tsquery_term,
    _unique_keys,
)

BUCKET_MEMBERS = 100
"""How many members of one LSH bucket a lookup reads at most (the newest)."""
ANCHOR_SCAN = 100
"""How many of the newest members of one translation LSH bucket a lookup looks at for articles of
other languages.
"""
ANCHOR_MEMBERS = 20
"""How many of those, the newest, it keeps: a name in every tenth article makes a bucket of no use.
"""


class StoreReader:
    """Queries over one open session; get one from ``Store.reader()`` (or a ``BatchWriter``, which
    is one).
    """

    def __init__(self, session: Session, dialect: str, engine: Engine) -> None:
        self._session = session
        self.dialect = dialect
        self.engine = engine

    def count_articles(self) -> int:
        """How many article versions are stored."""
        return int(self._session.scalar(select(func.count(Article.id))) or 0)

    def last_article_id(self) -> int:
        """The highest stored article id (0 when none is stored)."""
        return int(self._session.scalar(select(func.max(Article.id))) or 0)

    def article_ids(self) -> list[int]:
        """The id of every stored article version, in order."""
        return [
            int(article_id)
            for article_id in self._session.scalars(select(Article.id).order_by(Article.id))
        ]

    def find_articles(
        self,
        text: str | None = None,
        outlet: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[ArticleSummary]]:
        """Stored articles, newest first, whose title, URL or origin holds `text`, whose outlet, domain or URL holds `outlet`, published from `since` to before `until`; how many match, and the page of `limit` from `offset`."""
        conditions: list[Any] = []
        text, outlet = (value.replace("\x00", "") if value else value for value in (text, outlet))
        if text:
            pattern = f"%{_escape_like(text.lower())}%"
            conditions.append(
                or_(
                    *(
                        func.lower(column).like(pattern, escape="\\")
                        for column in (Article.title, Article.url, Article.origin)
                    )
                )
            )
        if outlet:
            pattern = f"%{_escape_like(outlet.lower())}%"
            conditions.append(
                or_(
                    *(
                        func.lower(column).like(pattern, escape="\\")
                        for column in (Article.outlet, Article.domain, Article.url)
                    )
                )
            )
        if since is not None:
            conditions.append(Article.published >= since)
        if until is not None:
            conditions.append(Article.published < until)
        total = int(self._session.scalar(select(func.count(Article.id)).where(*conditions)) or 0)
        ids = list(
            self._session.scalars(
                select(Article.id)
                .where(*conditions)
                .order_by(Article.published.desc().nulls_last(), Article.id.desc())
                .limit(limit)
                .offset(offset)
            )
        )
        summaries = self.article_summaries(ids)
        return total, [summaries[article_id] for article_id in ids]

    def all_articles(self) -> list[ArticleRecord]:
        """Every stored article version, with its attributions and quotes, in id order (for small
        databases and tests).
        """
        return [
            _article(row)
            for row in self._session.scalars(
                select(Article).order_by(Article.id).options(*_CHILDREN)
            )
        ]

    def row_counts(self) -> dict[str, int]:
        """How many rows each table of the schema holds."""
        return {
            table.name: int(self._session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }

    def pending_rebuilds(self) -> dict[str, int]:
        """The rebuilds of derived data an upgrade asked for (``index``, ``link_passages``), each
        with the last id done.
        """
        return {
            row.step: row.done_through
            for row in self._session.scalars(select(Rebuild).order_by(Rebuild.step))
        }

    def bodies_after(self, last_id: int, limit: int) -> list[tuple[int, str, str | None]]:
        """(id, body, language) of the next `limit` articles after `last_id`, in id order."""
        return [
            (int(row[0]), str(row[1]), row[2])
            for row in self._session.execute(
                select(Article.id, Article.body, Article.language)
                .where(Article.id > last_id)
                .order_by(Article.id)
                .limit(limit)
            )
        ]

    def link_bodies_after(
        self, last_id: int, limit: int
    ) -> list[tuple[LinkRecord, tuple[str, str | None], tuple[str, str | None]]]:
        """The next `limit` links after `last_id`, in id order, each with its origin's and its
        copy's (body, language).
        """
        links = list(
            self._session.scalars(
                select(CopyLink).where(CopyLink.id > last_id).order_by(CopyLink.id).limit(limit)
            )
        )
        texts = {
            row[0]: (str(row[1]), row[2])
            for row in self._session.execute(
                select(Article.id, Article.body, Article.language).where(
                    Article.id.in_({i for link in links for i in (link.origin_id, link.copy_id)})
                )
            )
        }
        return [(_link(link), texts[link.origin_id], texts[link.copy_id]) for link in links]

    def is_empty(self) -> bool:
        """Whether no article is stored (one indexed probe, not a count)."""
        return self._session.scalar(select(Article.id).limit(1)) is None

    def same_article(self, identity_key: str, urls: Collection[str]) -> ArticleRecord | None:
        """The stored article with this identity key; else the newest version at one of these URLs."""
        found = self._session.scalars(
            select(Article).where(Article.identity_key == identity_key).options(*_CHILDREN)
        ).first()
        if found is None and urls:
            found = self._session.scalars(
                select(Article)
                .where(Article.url.in_(sorted(urls)))
                .order_by(Article.version.desc(), Article.id.desc())
                .options(*_CHILDREN)
            ).first()
        return _article(found) if found is not None else None

    def articles_with_body_hash(self, content_hash: str, limit: int = 20) -> list[ArticleRecord]:
        """Stored articles whose body has this hash, oldest first, at most `limit`."""
        return [
            _article(found)
            for found in self._session.scalars(
                select(Article)
                .where(Article.content_hash == content_hash)
                .order_by(Article.id)
                .limit(limit)
                .options(*_CHILDREN)
            )
        ]

    def known_identity_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these identity keys are already stored."""
        found: set[str] = set()
        for chunk in _chunks(list(keys), 500):
            found.update(
                self._session.scalars(
                    select(Article.identity_key).where(Article.identity_key.in_(chunk))
                )
            )
        return found

    def ids_of_identity_keys(self, keys: Sequence[str]) -> dict[str, int]:
        """The ids of the stored articles with these identity keys."""
        found: dict[str, int] = {}
        for chunk in _chunks(list(keys), 500):
            for key, article_id in self._session.execute(
                select(Article.identity_key, Article.id).where(Article.identity_key.in_(chunk))
            ):
                found[str(key)] = int(article_id)
        return found

    def article_summaries(self, ids: Iterable[int]) -> dict[int, ArticleSummary]:
        """The metadata of these articles, without their bodies."""
        found: dict[int, ArticleSummary] = {}
        columns = (
            Article.id,
            Article.title,
            Article.url,
            Article.outlet,
            Article.domain,
            Article.published,
            Article.published_precision,
            Article.published_offset,
            Article.language,
            Article.origin,
        )
        for chunk in _chunks(sorted(set(ids)), 500):
            for row in self._session.execute(select(*columns).where(Article.id.in_(chunk))):
                found[int(row[0])] = ArticleSummary(
                    int(row[0]),
                    row.title,
                    row.url,
                    row.outlet,
                    row.domain,
                    published_of(row.published, row.published_precision, row.published_offset),
                    row.language,
                    row.origin,
                )
        return found

    def stored_texts(self, ids: Iterable[int]) -> dict[int, StoredText]:
        """Bodies and direction facts of these articles, with their repost marks (sentence, URL,
        source), without ORM objects.
        """
        wanted = sorted(set(ids))
        marks: dict[int, list[tuple[str, str | None, str]]] = {}
        rows: dict[int, Any] = {}
        columns = (
            Article.id,
            Article.body,
            Article.language,
            Article.url,
            Article.canonical_url,
            Article.domain,
            Article.outlet,
            Article.published,
            Article.published_precision,
            Article.published_offset,
            Article.origin,
        )
        for chunk in _chunks(wanted, 500):
            rows.update(
                (int(row[0]), row)
                for row in self._session.execute(select(*columns).where(Article.id.in_(chunk)))
            )
            query = (
                select(
                    Attribution.article_id,
                    Attribution.sentence,
                    Attribution.url,
                    Attribution.source_name,
                )
                .where(Attribution.article_id.in_(chunk), Attribution.kind == "copied_from")
                .order_by(Attribution.id)
            )
            for article_id, sentence, url, source_name in self._session.execute(query):
                marks.setdefault(int(article_id), []).append((sentence, url, source_name))
        return {
            article_id: StoredText(
                article_id,
                row.body,
                row.language,
                row.url,
                row.canonical_url,
                row.domain,
                row.outlet,
                published_of(row.published, row.published_precision, row.published_offset),
                row.origin,
                tuple(marks.get(article_id, ())),
            )
            for article_id, row in rows.items()
        }

    def links_touching(self, ids: Iterable[int]) -> list[LinkRecord]:
        """Every copy link with at least one side among these articles."""
        wanted = sorted(set(ids))
        found: dict[int, LinkRecord] = {}
        for chunk in _chunks(wanted, 400):
            for link in self._session.scalars(
                select(CopyLink).where(
                    or_(CopyLink.origin_id.in_(chunk), CopyLink.copy_id.in_(chunk))
                )
            ):
                found[link.id] = _link(link)
        return [found[key] for key in sorted(found)]

    def attribution_summaries(
        self, ids: Iterable[int], kinds: Sequence[str], media_kinds: Sequence[str]
    ) -> list[AttributionSummary]:
        """The attributions in these articles of `kinds`, and of `media_kinds` where they name a
        medium (an outlet or an agency), as plain rows.
        """
        found: list[AttributionSummary] = []
        columns = (
            Attribution.article_id,
            Attribution.source_name,
            Attribution.kind,
            Attribution.media,
            Attribution.sentence,
            Attribution.url,
        )
        wanted = or_(
            Attribution.kind.in_(kinds),
            and_(Attribution.kind.in_(media_kinds), Attribution.media.is_(True)),
        )
        for chunk in _chunks(sorted(set(ids)), 500):
            query = (
                select(*columns)
                .where(Attribution.article_id.in_(chunk), wanted)
                .order_by(Attribution.id)
            )
            found.extend(AttributionSummary(*row) for row in self._session.execute(query))
        return found

    def attribution_records(self, ids: Iterable[int]) -> list[AttributionRecord]:
        """The attributions of these articles as plain rows, a chunk of articles at a time, each chunk in id order.

        For exports: making ORM objects took five times as long (2.61 s against 0.50 s for the
        164,819 attributions of 20,000 articles).
        """
        columns = [getattr(Attribution, name) for name in AttributionRecord.__dataclass_fields__]
        found: list[AttributionRecord] = []
        for chunk in _chunks(sorted(set(ids)), 400):
            found.extend(
                AttributionRecord(*row)
                for row in self._session.execute(
                    select(*columns)
                    .where(Attribution.article_id.in_(chunk))
                    .order_by(Attribution.id)
                )
            )
        return found

    def quote_records(self, ids: Iterable[int]) -> list[QuoteRecord]:
        """The quotations of these articles as plain rows, a chunk of articles at a time, each chunk
        in id order.
        """
        columns = [getattr(Quote, name) for name in QuoteRecord.__dataclass_fields__]
        found: list[QuoteRecord] = []
        for chunk in _chunks(sorted(set(ids)), 400):
            found.extend(
                QuoteRecord(*row)
                for row in self._session.execute(
                    select(*columns).where(Quote.article_id.in_(chunk)).order_by(Quote.id)
                )
            )
        return found

    def articles(
        self, ids: Iterable[int], attribution_kinds: Collection[str] | None = None
    ) -> dict[int, ArticleRecord]:
        """Articles by id, with their attributions loaded: all of them, or only those of
        `attribution_kinds` and those that name a medium.
        """
        wanted = sorted(set(ids))
        attributions: QueryableAttribute[Any] = Article.attributions
        if attribution_kinds is not None:
            attributions = Article.attributions.and_(
                or_(Attribution.kind.in_(sorted(attribution_kinds)), Attribution.media.is_(True))
            )
        found: dict[int, ArticleRecord] = {}
        for chunk in _chunks(wanted, 500):
            for article in self._session.scalars(
                select(Article)
                .where(Article.id.in_(chunk))
                .options(selectinload(attributions), selectinload(Article.quotes))
            ):
                found[article.id] = _article(article)
        return found

    def latest_versions(self, urls: Iterable[str]) -> dict[str, tuple[int, int]]:
        """The newest stored version of each URL: url -> (article id, version)."""
        found: dict[str, tuple[int, int]] = {}
        for chunk in _chunks(sorted(set(urls)), 500):
            query = select(Article.url, Article.id, Article.version).where(Article.url.in_(chunk))
            for url, article_id, version in self._session.execute(query):
                if url is not None and (url not in found or version > found[url][1]):
                    found[url] = (int(article_id), int(version))
        return found

    def bucket_members(
        self, keys: Iterable[int] | npt.NDArray[np.int64], per_key: int = BUCKET_MEMBERS
    ) -> Members:
        """The stored articles under each of these LSH keys, newest first and at most `per_key` of them, in one statement.

        A common key (a stock paragraph, a boilerplate line) can hold a large share of the corpus;
        reading only its newest members walks `per_key` index entries, so the cost of a lookup does
        not grow with the corpus.
        """
        return self._newest_members(_table(Bucket).name, keys, per_key)

    def foreign_anchor_members(
        self,
        keys: Iterable[int] | npt.NDArray[np.int64],
        language: str,
        scan: int = ANCHOR_SCAN,
        per_key: int = ANCHOR_MEMBERS,
    ) -> Members:
        """The stored articles of another language than `language` under each translation LSH key:
        of a key's newest `scan` members, the newest `per_key` of those.
        """
        return _newest_per_key(
            self._newest_members(_table(AnchorBucket).name, keys, scan, other_than=language),
            per_key,
        )

    def _newest_members(
        self,
        table: str,
        keys: Iterable[int] | npt.NDArray[np.int64],
        scan: int,
        other_than: str | None = None,
    ) -> Members:
        """Of each key's `scan` newest rows in a bucket table, the articles (those of another
        language than `other_than`, when given).
        """
        wanted = _unique_keys(keys)
        if not wanted:
            return NO_MEMBERS
        if self.dialect == "postgresql":
            query = (
                f"SELECT k.key, b.article_id FROM unnest(%(keys)s::bigint[]) AS k(key) CROSS JOIN LATERAL "
                f"(SELECT {'article_id, language' if other_than else 'article_id'} FROM {table} WHERE key = k.key ORDER BY article_id DESC LIMIT %(scan)s) AS b"
                + (" WHERE b.language <> %(language)s" if other_than else "")
            )
            return Members.from_rows(
                self._driver_rows(
                    query, {"keys": _array_literal(wanted), "scan": scan, "language": other_than}
                )
            )
        query = (
            f"SELECT w.value, b.article_id FROM json_each(:keys) AS w JOIN {table} AS b ON b.key = w.value "
            f"AND b.article_id >= coalesce((SELECT s.article_id FROM {table} AS s WHERE s.key = w.value ORDER BY s.article_id DESC LIMIT 1 OFFSET :skip), 0)"
            + (" WHERE b.language <> :language" if other_than else "")
        )
        return Members.from_rows(
            self._driver_rows(
                query, {"keys": json.dumps(wanted), "skip": scan - 1, "language": other_than}
            )
        )

    def _driver_rows(self, query: str, parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of a query in the self._session's transaction, as the driver's own tuples.

        For the large reads of a batch (a batch's keys return thousands of bucket members):
        SQLAlchemy made a Row object of every row, most of the read's time.
        """
        driver = _driver(self._session)
        if self.dialect == "postgresql":
            with driver.cursor() as cursor:
                cursor.execute(query, parameters)
                return list(cursor.fetchall())
        return list(driver.execute(query, parameters).fetchall())

    def article_ids_at_urls(self, urls: Iterable[str]) -> dict[str, list[int]]:
        """Stored article ids by URL or canonical URL."""
        found: dict[str, list[int]] = {}
        wanted = sorted(set(urls))
        for chunk in _chunks(wanted, 500):
            query = select(Article.id, Article.url, Article.canonical_url).where(
                or_(Article.url.in_(chunk), Article.canonical_url.in_(chunk))
            )
            for article_id, url, canonical in self._session.execute(query):
                for value in (url, canonical):
                    if value in wanted:
                        found.setdefault(value, []).append(int(article_id))
        return found

    def articles_at_urls(self, urls: Iterable[str]) -> list[ArticleRecord]:
        """Stored articles whose URL or canonical URL is one of these (newest version first)."""
        wanted = sorted(set(urls))
        if not wanted:
            return []
        query = (
            select(Article)
            .where(or_(Article.url.in_(wanted), Article.canonical_url.in_(wanted)))
            .order_by(Article.version.desc())
            .options(*_CHILDREN)
        )
        return [_article(found) for found in self._session.scalars(query)]

    def find_article(self, reference: str) -> ArticleRecord:
        """An article by id, URL, or the start of the file name it was ingested from."""
        if reference.isdigit() and not reference.startswith("0") and int(reference) < 2**31:
            article = self._session.get(Article, int(reference), options=_CHILDREN)
            if article is not None:
                return _article(article)
        by_url = self.articles_at_urls([reference])
        if by_url:
            return by_url[0]
        name_query = select(Article).where(
            or_(
                Article.origin == reference,
                Article.origin.like(f"%/{_escape_like(reference)}%", escape="\\"),
            )
        )
        matches = list(
            self._session.scalars(name_query.order_by(Article.id).limit(2).options(*_CHILDREN))
        )
        if len(matches) == 1:
            return _article(matches[0])
        if len(matches) > 1:
            raise NotFoundError(f"{reference!r} names more than one article: give its id or URL")
        if self.is_empty():
            raise NotFoundError("the database holds no articles yet: run 'provenance ingest' first")
        raise NotFoundError(
            f"no stored article is {reference!r} (give an id, a URL or a file name; see 'provenance ingest')"
        )

    # ---- quote search ------------------------------------------------------------------

    def search_paragraphs(
        self, alternatives: list[list[str]], limit: int = 200
    ) -> list[tuple[int, int, str]]:
        """Paragraphs holding every term of any alternative (a term ending in * is a prefix), best
        ranked first: (paragraph id, article id, text).
        """
        alternatives = [[term for term in terms if term] for terms in alternatives if terms]
        if not alternatives:
            return []
        if self.dialect == "sqlite":
            match = " OR ".join(
                "(" + " AND ".join(_fts5_term(term) for term in terms) + ")"
                for terms in alternatives
            )
            query = text(
                "SELECT p.id, p.article_id, p.text FROM paragraphs_fts JOIN paragraphs p ON p.id = paragraphs_fts.rowid "
                "WHERE paragraphs_fts MATCH :match ORDER BY rank LIMIT :limit"
            )
        else:
            match = " | ".join(
                "(" + " & ".join(_tsquery_term(term) for term in terms) + ")"
                for terms in alternatives
            )
            query = text(
                "SELECT p.id, p.article_id, p.text FROM paragraphs p WHERE to_tsvector('simple', p.text) @@ to_tsquery('simple', :match) "
                "ORDER BY ts_rank(to_tsvector('simple', p.text), to_tsquery('simple', :match)) DESC LIMIT :limit"
            )
        return [
            (int(pid), int(aid), str(body))
            for pid, aid, body in self._session.execute(query, {"match": match, "limit": limit})
        ]

    def stored_chain(self, article_id: int) -> list[HopRecord]:
        """An article's stored chain hops, in order."""
        hops = self._session.scalars(
            select(ChainHop).where(ChainHop.article_id == article_id).order_by(ChainHop.position)
        )
        return [
            HopRecord(
                hop.article_id,
                hop.position,
                hop.from_node,
                hop.to_node,
                hop.kind,
                hop.confidence,
                hop.evidence,
            )
            for hop in hops
        ]

    def attribution_counts(self) -> list[tuple[str, str, str | None, int]]:
        """How often each source is named, by kind: (source name, kind, registry kind, count)."""
        query = (
            select(
                Attribution.source_name,
                Attribution.kind,
                func.max(Attribution.source_kind),
                func.count(),
            )
            .where(Attribution.media.is_(True))
            .group_by(Attribution.source_name, Attribution.kind)
        )
        return [
            (name, kind, source_kind, int(count))
            for name, kind, source_kind, count in self._session.execute(query)
        ]

    def copied_domains(self) -> list[tuple[str, int]]:
        """How many stored copies each origin domain has, counting links whose direction is decided."""
        query = (
            select(Article.domain, func.count())
            .join(CopyLink, CopyLink.origin_id == Article.id)
            .where(CopyLink.direction != "undetermined", Article.domain.is_not(None))
            .group_by(Article.domain)
        )
        return [(str(domain), int(count)) for domain, count in self._session.execute(query)]

    # ---- links -----------------------------------------------------------------------

    def all_links(self) -> list[LinkRecord]:
        """Every copy link, oldest first."""
        return [
            _link(link) for link in self._session.scalars(select(CopyLink).order_by(CopyLink.id))
        ]

    # ---- passages -----------------------------------------------------------------------

    def passage_witnesses(self, article_ids: Iterable[int]) -> list[Witness]:
        """The passage witnesses held by these articles."""
        found: list[Witness] = []
        columns = (
            PassageWitness.passage_id,
            PassageWitness.article_id,
            PassageWitness.start,
            PassageWitness.end,
        )
        for chunk in _chunks(sorted(set(article_ids)), 500):
            found.extend(
                Witness(*row)
                for row in self._session.execute(
                    select(*columns)
                    .where(PassageWitness.article_id.in_(chunk))
                    .order_by(PassageWitness.id)
                )
            )
        return found

    def witnesses_of_passages(self, passage_ids: Iterable[int]) -> dict[int, list[Witness]]:
        """Every witness of these passages, by passage."""
        found: dict[int, list[Witness]] = defaultdict(list)
        columns = (
            PassageWitness.passage_id,
            PassageWitness.article_id,
            PassageWitness.start,
            PassageWitness.end,
        )
        for chunk in _chunks(sorted(set(passage_ids)), 500):
            for row in self._session.execute(
                select(*columns)
                .where(PassageWitness.passage_id.in_(chunk))
                .order_by(PassageWitness.id)
            ):
                found[int(row[0])].append(Witness(*row))
        return dict(found)

    # ---- outlets' boilerplate ---------------------------------------------------------------

    def boilerplate_of(self, outlets: Iterable[str]) -> dict[str, set[int]]:
        """The line hashes learned as boilerplate, by outlet."""
        found: dict[str, set[int]] = defaultdict(set)
        for chunk in _chunks(sorted(set(outlets)), 500):
            for outlet, line_hash in self._session.execute(
                select(BoilerplateLine.outlet, BoilerplateLine.line_hash).where(
                    BoilerplateLine.outlet.in_(chunk)
                )
            ):
                found[str(outlet)].add(int(line_hash))
        return dict(found)

    def boilerplate_lines(self, outlets: Iterable[str]) -> dict[str, list[str]]:
        """The lines learned as boilerplate, as written, by outlet."""
        found: dict[str, list[str]] = defaultdict(list)
        for chunk in _chunks(sorted(set(outlets)), 500):
            for outlet, line in self._session.execute(
                select(BoilerplateLine.outlet, BoilerplateLine.line)
                .where(BoilerplateLine.outlet.in_(chunk))
                .order_by(BoilerplateLine.line)
            ):
                found[str(outlet)].append(str(line))
        return dict(found)

    def outlet_line_witnesses(
        self, keys: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], list[tuple[int, bool]]]:
        """The articles (and whether each was independent of the earlier ones) holding each (outlet,
        line hash).
        """
        found: dict[tuple[str, int], list[tuple[int, bool]]] = defaultdict(list)
        for chunk in _chunks(sorted(set(keys)), 400):
            query = select(
                OutletLine.outlet,
                OutletLine.line_hash,
                OutletLine.article_id,
                OutletLine.independent,
            ).where(tuple_(OutletLine.outlet, OutletLine.line_hash).in_(chunk))
            for outlet, line_hash, article_id, independent in self._session.execute(query):
                found[(str(outlet), int(line_hash))].append((int(article_id), bool(independent)))
        return dict(found)

    def links_of(self, article_id: int) -> list[LinkRecord]:
        """Every copy link that has this article on either side."""
        query = (
            select(CopyLink)
            .where(or_(CopyLink.origin_id == article_id, CopyLink.copy_id == article_id))
            .order_by(CopyLink.id)
        )
        return [_link(link) for link in self._session.scalars(query)]


_CHILDREN = (selectinload(Article.attributions), selectinload(Article.quotes))
"""Loader options that read an article's attributions and quotes with it (one query each for a whole
result).
"""


def _attribution(row: Attribution) -> AttributionRecord:
    return AttributionRecord(
        row.article_id,
        row.source_name,
        row.source_kind,
        row.kind,
        row.cue,
        row.sentence,
        row.start,
        row.end,
        row.location,
        row.url,
        row.media,
    )


def _quote(row: Quote) -> QuoteRecord:
    return QuoteRecord(
        row.article_id, row.text, row.speaker, row.source_name, row.start, row.end, row.normalized
    )


def _article(row: Article) -> ArticleRecord:
    """The record of a stored article, with the attributions and quotes its query loaded."""
    return ArticleRecord(
        id=row.id,
        identity_key=row.identity_key,
        content_hash=row.content_hash,
        url=row.url,
        canonical_url=row.canonical_url,
        domain=row.domain,
        outlet=row.outlet,
        title=row.title,
        author=row.author,
        publication=row.publication,
        seen_at=row.seen_at,
        language=row.language,
        body=row.body,
        furniture=list(row.furniture or []),
        origin=row.origin,
        format=row.format,
        version=row.version,
        previous_version_id=row.previous_version_id,
        ingested_at=row.ingested_at,
        attributions=tuple(_attribution(item) for item in row.attributions),
        quotes=tuple(_quote(item) for item in row.quotes),
    )


def _link(row: CopyLink) -> LinkRecord:
    return LinkRecord(
        row.id,
        row.pair_key,
        row.origin_id,
        row.copy_id,
        row.kind,
        row.jaccard,
        row.containment,
        row.reverse_containment,
        row.direction,
        row.direction_reason,
        dict(row.evidence or {}),
        row.created_at,
    )
