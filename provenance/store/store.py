"""SQLAlchemy 2 models, sessions and queries: the only module that speaks SQL."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    String,
    Table,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import (
    QueryableAttribute,
    Session,
    selectinload,
    sessionmaker,
)

from provenance.errors import DatabaseError, NotFoundError
from provenance.knowledge.registry import SourceEntry
from provenance.match.passages import PassageChanges, Witness
from provenance.sketch.fingerprint import sorted_unique
from provenance.sketch.index import NO_MEMBERS, Members
from provenance.store.migrate import ArticleSummary, create_db_engine, migrate
from provenance.store.records import AttributionRecord, AttributionSummary, QuoteRecord, StoredText
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
    Paragraph,
    Passage,
    PassageWitness,
    Quote,
    Source,
    published_of,
    utcnow,
)

BUCKET_MEMBERS = 100
"""How many members of one LSH bucket a lookup reads at most (the newest)."""
ANCHOR_SCAN = 100
"""How many of the newest members of one translation LSH bucket a lookup looks at for articles of other languages."""
ANCHOR_MEMBERS = 20
"""How many of those, the newest, it keeps: a name in every tenth article makes a bucket of no use."""
BULK_LOAD = 1000
"""Articles an ingest must add (and a tenth of the stored ones) for PostgreSQL's statistics to be refreshed after it."""


_ARTICLE_LIMITS: dict[str, int] = {}
"""Filled below, once the models are complete: Article's columns with a length limit."""


# ---- opening and migrating ----------------------------------------------------------


WRITER_LOCK_KEY = 0x70726F76  # "prov"


class Store:
    """A provenance database: open it, then work in transactions.

    Args:
        url: a SQLAlchemy database URL, such as ``sqlite:///db/provenance.sqlite``.
        create: make the database (a SQLite file, or the schema in an empty database) if it does
            not exist; False for a reader, which gets a DatabaseError instead.

    Examples:
        >>> store = Store("sqlite://")
        >>> store.count_articles()
        0
    """

    def __init__(self, url: str, create: bool = True) -> None:
        self.url = url
        self.engine = create_db_engine(url, create)
        try:
            migrate(self.engine, create=create)
        except SQLAlchemyError as error:
            self.engine.dispose()
            raise DatabaseError(f"cannot open database {make_url(url).render_as_string(hide_password=True)}: {_first_line(error)}") from error
        except BaseException:
            self.engine.dispose()
            raise
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose writes are committed together, or not at all."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as error:
            session.rollback()
            raise DatabaseError(f"database write failed: {_first_line(error)}") from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def is_bulk_load(self, added: int) -> bool:
        """Whether adding this many articles calls for refresh_statistics: on PostgreSQL, at least BULK_LOAD of them and a tenth of those stored (the share of changed rows at which autovacuum analyzes a table again by default)."""
        return self.dialect == "postgresql" and added >= BULK_LOAD and added * 10 >= self.count_articles()

    def refresh_statistics(self) -> None:
        """VACUUM (ANALYZE) this schema's tables on PostgreSQL, as its manual advises after loading data.

        ANALYZE gives the planner row counts: without them it took 85,911 rows for the attributions
        of 14 articles at 200,000 articles and ran a parallel plan, 4.4 ms instead of 0.04. VACUUM
        sets the visibility map, so the LSH lookups are index-only scans: 3,796 heap fetches per
        `check` before, none after. Autovacuum does both in time when it is on; this does them
        at once, and where it is off. Nothing on SQLite, whose plans need no statistics here.
        """
        if self.dialect != "postgresql":
            return
        tables = ", ".join(self.engine.dialect.identifier_preparer.quote(table.name) for table in Base.metadata.sorted_tables)
        try:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")
        except SQLAlchemyError as error:
            raise DatabaseError(f"database maintenance failed: {_first_line(error)}") from error

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only."""
        session = self._sessions()
        try:
            yield session
        except OperationalError as error:
            raise DatabaseError(f"database read failed: {_first_line(error)}") from error
        finally:
            session.close()

    # ---- articles --------------------------------------------------------------------

    def count_articles(self) -> int:
        """How many article versions are stored."""
        with self.reading() as session:
            return int(session.scalar(select(func.count(Article.id))) or 0)

    @staticmethod
    def is_empty(session: Session) -> bool:
        """Whether no article is stored (one indexed probe, not a count)."""
        return session.scalar(select(Article.id).limit(1)) is None

    @staticmethod
    def same_article(session: Session, identity_key: str, urls: Collection[str]) -> Article | None:
        """The stored article with this identity key; else the newest version at one of these URLs."""
        found = session.scalars(select(Article).where(Article.identity_key == identity_key)).first()
        if found is None and urls:
            found = session.scalars(select(Article).where(Article.url.in_(sorted(urls))).order_by(Article.version.desc(), Article.id.desc())).first()
        return found

    @staticmethod
    def articles_with_body_hash(session: Session, content_hash: str, limit: int = 20) -> list[Article]:
        """Stored articles whose body has this hash, oldest first, at most `limit`."""
        return list(session.scalars(select(Article).where(Article.content_hash == content_hash).order_by(Article.id).limit(limit)))

    @staticmethod
    def known_identity_keys(session: Session, keys: Sequence[str]) -> set[str]:
        """Which of these identity keys are already stored."""
        found: set[str] = set()
        for chunk in _chunks(list(keys), 500):
            found.update(session.scalars(select(Article.identity_key).where(Article.identity_key.in_(chunk))))
        return found

    @staticmethod
    def ids_of_identity_keys(session: Session, keys: Sequence[str]) -> dict[str, int]:
        """The ids of the stored articles with these identity keys."""
        found: dict[str, int] = {}
        for chunk in _chunks(list(keys), 500):
            for key, article_id in session.execute(select(Article.identity_key, Article.id).where(Article.identity_key.in_(chunk))):
                found[str(key)] = int(article_id)
        return found

    @staticmethod
    def article_summaries(session: Session, ids: Iterable[int]) -> dict[int, ArticleSummary]:
        """The metadata of these articles, without their bodies."""
        found: dict[int, ArticleSummary] = {}
        columns = (Article.id, Article.title, Article.url, Article.outlet, Article.domain, Article.published, Article.published_precision, Article.published_offset, Article.language, Article.origin)
        for chunk in _chunks(sorted(set(ids)), 500):
            for row in session.execute(select(*columns).where(Article.id.in_(chunk))):
                found[int(row[0])] = ArticleSummary(int(row[0]), row.title, row.url, row.outlet, row.domain, published_of(row.published, row.published_precision, row.published_offset), row.language, row.origin)
        return found

    @staticmethod
    def stored_texts(session: Session, ids: Iterable[int]) -> dict[int, StoredText]:
        """Bodies and direction facts of these articles, with their repost marks (sentence, URL, source), without ORM objects."""
        wanted = sorted(set(ids))
        marks: dict[int, list[tuple[str, str | None, str]]] = {}
        rows: dict[int, Any] = {}
        columns = (Article.id, Article.body, Article.language, Article.url, Article.canonical_url, Article.domain, Article.outlet, Article.published, Article.published_precision, Article.published_offset, Article.origin)
        for chunk in _chunks(wanted, 500):
            rows.update((int(row[0]), row) for row in session.execute(select(*columns).where(Article.id.in_(chunk))))
            query = select(Attribution.article_id, Attribution.sentence, Attribution.url, Attribution.source_name).where(Attribution.article_id.in_(chunk), Attribution.kind == "copied_from").order_by(Attribution.id)
            for article_id, sentence, url, source_name in session.execute(query):
                marks.setdefault(int(article_id), []).append((sentence, url, source_name))
        return {
            article_id: StoredText(article_id, row.body, row.language, row.url, row.canonical_url, row.domain, row.outlet, published_of(row.published, row.published_precision, row.published_offset), row.origin, tuple(marks.get(article_id, ())))
            for article_id, row in rows.items()
        }

    @staticmethod
    def links_touching(session: Session, ids: Iterable[int]) -> list[CopyLink]:
        """Every copy link with at least one side among these articles."""
        wanted = sorted(set(ids))
        found: dict[int, CopyLink] = {}
        for chunk in _chunks(wanted, 400):
            for link in session.scalars(select(CopyLink).where(or_(CopyLink.origin_id.in_(chunk), CopyLink.copy_id.in_(chunk)))):
                found[link.id] = link
        return [found[key] for key in sorted(found)]

    @staticmethod
    def attribution_summaries(session: Session, ids: Iterable[int], kinds: Sequence[str], media_kinds: Sequence[str]) -> list[AttributionSummary]:
        """The attributions in these articles of `kinds`, and of `media_kinds` where they name a medium (an outlet or an agency), as plain rows."""
        found: list[AttributionSummary] = []
        columns = (Attribution.article_id, Attribution.source_name, Attribution.kind, Attribution.media, Attribution.sentence, Attribution.url)
        wanted = or_(Attribution.kind.in_(kinds), and_(Attribution.kind.in_(media_kinds), Attribution.media.is_(True)))
        for chunk in _chunks(sorted(set(ids)), 500):
            query = select(*columns).where(Attribution.article_id.in_(chunk), wanted).order_by(Attribution.id)
            found.extend(AttributionSummary(*row) for row in session.execute(query))
        return found

    @staticmethod
    def attribution_records(session: Session, ids: Iterable[int]) -> list[AttributionRecord]:
        """The attributions of these articles as plain rows, a chunk of articles at a time, each chunk in id order.

        For exports: making ORM objects took five times as long (2.61 s against 0.50 s for the
        164,819 attributions of 20,000 articles).
        """
        columns = [getattr(Attribution, name) for name in AttributionRecord.__dataclass_fields__]
        found: list[AttributionRecord] = []
        for chunk in _chunks(sorted(set(ids)), 400):
            found.extend(AttributionRecord(*row) for row in session.execute(select(*columns).where(Attribution.article_id.in_(chunk)).order_by(Attribution.id)))
        return found

    @staticmethod
    def quote_records(session: Session, ids: Iterable[int]) -> list[QuoteRecord]:
        """The quotations of these articles as plain rows, a chunk of articles at a time, each chunk in id order."""
        columns = [getattr(Quote, name) for name in QuoteRecord.__dataclass_fields__]
        found: list[QuoteRecord] = []
        for chunk in _chunks(sorted(set(ids)), 400):
            found.extend(QuoteRecord(*row) for row in session.execute(select(*columns).where(Quote.article_id.in_(chunk)).order_by(Quote.id)))
        return found

    @staticmethod
    def add_article(session: Session, article: Article) -> Article:
        """Stage a new article (with its paragraphs and attributions) and give it an id."""
        session.add(article)
        session.flush()
        return article

    @staticmethod
    def articles(session: Session, ids: Iterable[int], attribution_kinds: Collection[str] | None = None) -> dict[int, Article]:
        """Articles by id, with their attributions loaded: all of them, or only those of `attribution_kinds` and those that name a medium."""
        wanted = sorted(set(ids))
        attributions: QueryableAttribute[Any] = Article.attributions
        if attribution_kinds is not None:
            attributions = Article.attributions.and_(or_(Attribution.kind.in_(sorted(attribution_kinds)), Attribution.media.is_(True)))
        found: dict[int, Article] = {}
        for chunk in _chunks(wanted, 500):
            for article in session.scalars(select(Article).where(Article.id.in_(chunk)).options(selectinload(attributions))):
                found[article.id] = article
        return found

    # ---- bulk writes of a batch ----------------------------------------------------------

    def lock_for_writing(self, session: Session) -> None:
        """Take the database's writer lock for this transaction, so concurrent ingests write one batch at a time.

        PostgreSQL: a transaction-scoped advisory lock. SQLite: a no-op write that takes the
        reserved lock at once (other writers wait up to the busy timeout) instead of failing
        when a read transaction later tries to write.
        """
        if self.dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})
        else:
            session.execute(text("UPDATE alembic_version SET version_num = version_num"))

    @staticmethod
    def latest_versions(session: Session, urls: Iterable[str]) -> dict[str, tuple[int, int]]:
        """The newest stored version of each URL: url -> (article id, version)."""
        found: dict[str, tuple[int, int]] = {}
        for chunk in _chunks(sorted(set(urls)), 500):
            query = select(Article.url, Article.id, Article.version).where(Article.url.in_(chunk))
            for url, article_id, version in session.execute(query):
                if url is not None and (url not in found or version > found[url][1]):
                    found[url] = (int(article_id), int(version))
        return found

    @staticmethod
    def insert_articles(session: Session, rows: list[dict[str, Any]]) -> list[int]:
        """Insert article rows in one statement; their ids, in order. A value longer than its column is cut, with a warning naming the article."""
        if not rows:
            return []
        rows = [_fitted(row, _ARTICLE_LIMITS) for row in rows]
        result = session.execute(insert(Article).returning(Article.id, sort_by_parameter_order=True), rows)
        return [int(row_id) for row_id in result.scalars()]

    def insert_children(self, session: Session, paragraphs: list[dict[str, Any]], attributions: list[dict[str, Any]], quotes: list[dict[str, Any]]) -> None:
        """Insert the paragraphs, attributions and quotes of new articles in bulk, and index the paragraphs for search."""
        search_by_batch = self.dialect == "sqlite"  # FTS5 filled here; PostgreSQL's GIN index follows the table
        last_paragraph = (session.execute(select(func.max(Paragraph.id))).scalar() or 0) if search_by_batch else 0
        for table, rows in ((_table(Paragraph), paragraphs), (_table(Attribution), attributions), (_table(Quote), quotes)):
            if rows:
                columns = tuple(rows[0])
                self._insert_rows(session, table, columns, [tuple(row[column] for column in columns) for row in rows])
        if paragraphs and search_by_batch:
            session.execute(text("INSERT INTO paragraphs_fts(rowid, text) SELECT id, text FROM paragraphs WHERE id > :last"), {"last": last_paragraph})

    def insert_buckets(self, session: Session, keys: npt.NDArray[np.int64], article_ids: npt.NDArray[np.int64]) -> None:
        """Index articles under their LSH bucket keys, in bulk: one article id per key, stored in key order (the index's own)."""
        self._insert_keyed(session, _table(Bucket), ("key", "article_id"), keys, [article_ids])

    def insert_anchor_buckets(self, session: Session, keys: npt.NDArray[np.int64], article_ids: npt.NDArray[np.int64], languages: npt.NDArray[np.object_]) -> None:
        """Index articles under their translation LSH keys with their (base) languages, in bulk and in key order."""
        self._insert_keyed(session, _table(AnchorBucket), ("key", "article_id", "language"), keys, [article_ids, languages])

    def _insert_keyed(self, session: Session, table: Table, columns: tuple[str, ...], keys: npt.NDArray[np.int64], values: list[npt.NDArray[Any]]) -> None:
        """Rows of a key and its values, sorted by key then first value; COPY's text format in one string on PostgreSQL."""
        if not len(keys):
            return
        order = np.lexsort((values[0], keys))
        columns_sorted = [keys[order].tolist(), *(column[order].tolist() for column in values)]
        if self.dialect == "postgresql":  # write_row took 2 µs a row, and an article has 130
            line = "\t".join("{}" for _ in columns) + "\n"
            self._copy(session, table, columns, "".join(map(line.format, *columns_sorted)))
            return
        self._insert_rows(session, table, columns, list(zip(*columns_sorted)))

    def _insert_rows(self, session: Session, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Insert plain tuples through the driver's own executemany, or COPY on PostgreSQL: no per-row work in SQLAlchemy."""
        if not rows:
            return
        if self.dialect == "postgresql":
            self._copy(session, table, columns, rows)
            return
        marks = ", ".join("?" for _ in columns)
        session.connection().exec_driver_sql(f"INSERT INTO {table.name} ({self._column_list(columns)}) VALUES ({marks})", rows)

    def _column_list(self, columns: tuple[str, ...]) -> str:
        quote = self.engine.dialect.identifier_preparer.quote
        return ", ".join(quote(column) for column in columns)

    def _copy(self, session: Session, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]] | str) -> None:
        """PostgreSQL's COPY of tuples, or of data already in COPY's text format."""
        with _driver(session).cursor() as cursor, cursor.copy(f"COPY {table.name} ({self._column_list(columns)}) FROM STDIN") as copy:
            if isinstance(rows, str):
                copy.write(rows)
                return
            for row in rows:
                copy.write_row(row)

    def insert_links(self, session: Session, rows: list[dict[str, Any]]) -> None:
        """Store copy links, skipping pairs already linked (safe under concurrent writers)."""
        if not rows:
            return
        dialect_insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        session.execute(dialect_insert(CopyLink).on_conflict_do_nothing(index_elements=["pair_key"]), rows)

    def bucket_members(self, session: Session, keys: Iterable[int] | npt.NDArray[np.int64], per_key: int = BUCKET_MEMBERS) -> Members:
        """The stored articles under each of these LSH keys, newest first and at most `per_key` of them, in one statement.

        A common key (a stock paragraph, a boilerplate line) can hold a large share of the corpus;
        reading only its newest members walks `per_key` index entries, so the cost of a lookup does
        not grow with the corpus.
        """
        return self._newest_members(session, _table(Bucket).name, keys, per_key)

    def foreign_anchor_members(
        self, session: Session, keys: Iterable[int] | npt.NDArray[np.int64], language: str, scan: int = ANCHOR_SCAN, per_key: int = ANCHOR_MEMBERS
    ) -> Members:
        """The stored articles of another language than `language` under each translation LSH key: of a key's newest `scan` members, the newest `per_key` of those."""
        return _newest_per_key(self._newest_members(session, _table(AnchorBucket).name, keys, scan, other_than=language), per_key)

    def _newest_members(self, session: Session, table: str, keys: Iterable[int] | npt.NDArray[np.int64], scan: int, other_than: str | None = None) -> Members:
        """Of each key's `scan` newest rows in a bucket table, the articles (those of another language than `other_than`, when given)."""
        wanted = _unique_keys(keys)
        if not wanted:
            return NO_MEMBERS
        if self.dialect == "postgresql":
            query = (
                f"SELECT k.key, b.article_id FROM unnest(%(keys)s::bigint[]) AS k(key) CROSS JOIN LATERAL "
                f"(SELECT {'article_id, language' if other_than else 'article_id'} FROM {table} WHERE key = k.key ORDER BY article_id DESC LIMIT %(scan)s) AS b"
                + (" WHERE b.language <> %(language)s" if other_than else "")
            )
            return Members.from_rows(self._driver_rows(session, query, {"keys": _array_literal(wanted), "scan": scan, "language": other_than}))
        query = (
            f"SELECT w.value, b.article_id FROM json_each(:keys) AS w JOIN {table} AS b ON b.key = w.value "
            f"AND b.article_id >= coalesce((SELECT s.article_id FROM {table} AS s WHERE s.key = w.value ORDER BY s.article_id DESC LIMIT 1 OFFSET :skip), 0)"
            + (" WHERE b.language <> :language" if other_than else "")
        )
        return Members.from_rows(self._driver_rows(session, query, {"keys": json.dumps(wanted), "skip": scan - 1, "language": other_than}))

    def _driver_rows(self, session: Session, query: str, parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of a query in the session's transaction, as the driver's own tuples.

        For the large reads of a batch (a batch's keys return thousands of bucket members):
        SQLAlchemy made a Row object of every row, most of the read's time.
        """
        driver = _driver(session)
        if self.dialect == "postgresql":
            with driver.cursor() as cursor:
                cursor.execute(query, parameters)
                return list(cursor.fetchall())
        return list(driver.execute(query, parameters).fetchall())

    @staticmethod
    def article_ids_at_urls(session: Session, urls: Iterable[str]) -> dict[str, list[int]]:
        """Stored article ids by URL or canonical URL."""
        found: dict[str, list[int]] = {}
        wanted = sorted(set(urls))
        for chunk in _chunks(wanted, 500):
            query = select(Article.id, Article.url, Article.canonical_url).where(or_(Article.url.in_(chunk), Article.canonical_url.in_(chunk)))
            for article_id, url, canonical in session.execute(query):
                for value in (url, canonical):
                    if value in wanted:
                        found.setdefault(value, []).append(int(article_id))
        return found

    @staticmethod
    def articles_at_urls(session: Session, urls: Iterable[str]) -> list[Article]:
        """Stored articles whose URL or canonical URL is one of these (newest version first)."""
        wanted = sorted(set(urls))
        if not wanted:
            return []
        query = select(Article).where(or_(Article.url.in_(wanted), Article.canonical_url.in_(wanted))).order_by(Article.version.desc())
        return list(session.scalars(query))

    def find_article(self, session: Session, reference: str) -> Article:
        """An article by id, URL, or the start of the file name it was ingested from."""
        if reference.isdigit() and not reference.startswith("0"):
            article = session.get(Article, int(reference))
            if article is not None:
                return article
        by_url = self.articles_at_urls(session, [reference])
        if by_url:
            return by_url[0]
        name_query = select(Article).where(or_(Article.origin == reference, Article.origin.like(f"%/{_escape_like(reference)}%", escape="\\")))
        matches = list(session.scalars(name_query.order_by(Article.id).limit(2)))
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NotFoundError(f"{reference!r} names more than one article: give its id or URL")
        if self.is_empty(session):
            raise NotFoundError("the database holds no articles yet: run 'provenance ingest' first")
        raise NotFoundError(f"no stored article is {reference!r} (give an id, a URL or a file name; see 'provenance ingest')")

    # ---- quote search ------------------------------------------------------------------

    def search_paragraphs(self, session: Session, alternatives: list[list[str]], limit: int = 200) -> list[tuple[int, int, str]]:
        """Paragraphs holding every term of any alternative (a term ending in * is a prefix), best ranked first: (paragraph id, article id, text)."""
        alternatives = [[term for term in terms if term] for terms in alternatives if terms]
        if not alternatives:
            return []
        if self.dialect == "sqlite":
            match = " OR ".join("(" + " AND ".join(_fts5_term(term) for term in terms) + ")" for terms in alternatives)
            query = text(
                "SELECT p.id, p.article_id, p.text FROM paragraphs_fts JOIN paragraphs p ON p.id = paragraphs_fts.rowid "
                "WHERE paragraphs_fts MATCH :match ORDER BY rank LIMIT :limit"
            )
        else:
            match = " | ".join("(" + " & ".join(_tsquery_term(term) for term in terms) + ")" for terms in alternatives)
            query = text(
                "SELECT p.id, p.article_id, p.text FROM paragraphs p WHERE to_tsvector('simple', p.text) @@ to_tsquery('simple', :match) "
                "ORDER BY ts_rank(to_tsvector('simple', p.text), to_tsquery('simple', :match)) DESC LIMIT :limit"
            )
        return [(int(pid), int(aid), str(body)) for pid, aid, body in session.execute(query, {"match": match, "limit": limit})]

    # ---- chains ----------------------------------------------------------------------

    @staticmethod
    def replace_chain(session: Session, article_id: int, hops: list[ChainHop]) -> None:
        """Store an article's chain in place of the one stored before."""
        session.execute(delete(ChainHop).where(ChainHop.article_id == article_id))
        session.add_all(hops)

    @staticmethod
    def stored_chain(session: Session, article_id: int) -> list[ChainHop]:
        """An article's stored chain hops, in order."""
        return list(session.scalars(select(ChainHop).where(ChainHop.article_id == article_id).order_by(ChainHop.position)))

    # ---- sources ---------------------------------------------------------------------

    def source_ids(self, session: Session, entries: Iterable[SourceEntry]) -> dict[str, int]:
        """Ids of these registry sources in the sources table, adding the ones not there yet."""
        wanted = {entry.name: entry for entry in entries}
        if not wanted:
            return {}
        dialect_insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        rows = [{"name": e.name, "kind": e.kind, "country": e.country, "domains": list(e.domains)} for e in wanted.values()]
        session.execute(dialect_insert(Source).values(rows).on_conflict_do_nothing(index_elements=["name"]))
        return {name: source_id for name, source_id in session.execute(select(Source.name, Source.id).where(Source.name.in_(sorted(wanted))))}

    @staticmethod
    def attribution_counts(session: Session) -> list[tuple[str, str, str | None, int]]:
        """How often each source is named, by kind: (source name, kind, registry kind, count)."""
        query = (
            select(Attribution.source_name, Attribution.kind, func.max(Attribution.source_kind), func.count())
            .where(Attribution.media.is_(True))
            .group_by(Attribution.source_name, Attribution.kind)
        )
        return [(name, kind, source_kind, int(count)) for name, kind, source_kind, count in session.execute(query)]

    @staticmethod
    def copied_domains(session: Session) -> list[tuple[str, int]]:
        """How many stored copies each origin domain has, counting links whose direction is decided."""
        query = (
            select(Article.domain, func.count())
            .join(CopyLink, CopyLink.origin_id == Article.id)
            .where(CopyLink.direction != "undetermined", Article.domain.is_not(None))
            .group_by(Article.domain)
        )
        return [(str(domain), int(count)) for domain, count in session.execute(query)]

    # ---- links -----------------------------------------------------------------------

    @staticmethod
    def all_links(session: Session) -> list[CopyLink]:
        """Every copy link, oldest first."""
        return list(session.scalars(select(CopyLink).order_by(CopyLink.id)))

    # ---- passages -----------------------------------------------------------------------

    @staticmethod
    def passage_witnesses(session: Session, article_ids: Iterable[int]) -> list[Witness]:
        """The passage witnesses held by these articles."""
        found: list[Witness] = []
        columns = (PassageWitness.passage_id, PassageWitness.article_id, PassageWitness.start, PassageWitness.end)
        for chunk in _chunks(sorted(set(article_ids)), 500):
            found.extend(Witness(*row) for row in session.execute(select(*columns).where(PassageWitness.article_id.in_(chunk)).order_by(PassageWitness.id)))
        return found

    @staticmethod
    def witnesses_of_passages(session: Session, passage_ids: Iterable[int]) -> dict[int, list[Witness]]:
        """Every witness of these passages, by passage."""
        found: dict[int, list[Witness]] = defaultdict(list)
        columns = (PassageWitness.passage_id, PassageWitness.article_id, PassageWitness.start, PassageWitness.end)
        for chunk in _chunks(sorted(set(passage_ids)), 500):
            for row in session.execute(select(*columns).where(PassageWitness.passage_id.in_(chunk)).order_by(PassageWitness.id)):
                found[int(row[0])].append(Witness(*row))
        return dict(found)

    def write_passages(self, session: Session, changes: PassageChanges) -> None:
        """Store new passages and witnesses, and fold merged passages into the ones they joined."""
        ids: dict[int, int] = {}
        if changes.new_passages:
            created = session.execute(insert(Passage).returning(Passage.id, sort_by_parameter_order=True), [{"created_at": utcnow()} for _ in changes.new_passages])
            ids = dict(zip(changes.new_passages, (int(row_id) for row_id in created.scalars())))
        for drop, keep in changes.merged.items():
            session.execute(update(PassageWitness).where(PassageWitness.passage_id == drop).values(passage_id=keep))
            session.execute(delete(Passage).where(Passage.id == drop))
        rows = [(ids.get(w.passage, w.passage), w.article_id, w.start, w.end) for w in changes.witnesses]
        self._insert_rows(session, _table(PassageWitness), ("passage_id", "article_id", "start", "end"), rows)

    # ---- outlets' boilerplate ---------------------------------------------------------------

    @staticmethod
    def boilerplate_of(session: Session, outlets: Iterable[str]) -> dict[str, set[int]]:
        """The line hashes learned as boilerplate, by outlet."""
        found: dict[str, set[int]] = defaultdict(set)
        for chunk in _chunks(sorted(set(outlets)), 500):
            for outlet, line_hash in session.execute(select(BoilerplateLine.outlet, BoilerplateLine.line_hash).where(BoilerplateLine.outlet.in_(chunk))):
                found[str(outlet)].add(int(line_hash))
        return dict(found)

    @staticmethod
    def boilerplate_lines(session: Session, outlets: Iterable[str]) -> dict[str, list[str]]:
        """The lines learned as boilerplate, as written, by outlet."""
        found: dict[str, list[str]] = defaultdict(list)
        for chunk in _chunks(sorted(set(outlets)), 500):
            for outlet, line in session.execute(select(BoilerplateLine.outlet, BoilerplateLine.line).where(BoilerplateLine.outlet.in_(chunk)).order_by(BoilerplateLine.line)):
                found[str(outlet)].append(str(line))
        return dict(found)

    @staticmethod
    def outlet_line_witnesses(session: Session, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], list[tuple[int, bool]]]:
        """The articles (and whether each was independent of the earlier ones) holding each (outlet, line hash)."""
        found: dict[tuple[str, int], list[tuple[int, bool]]] = defaultdict(list)
        for chunk in _chunks(sorted(set(keys)), 400):
            query = select(OutletLine.outlet, OutletLine.line_hash, OutletLine.article_id, OutletLine.independent).where(tuple_(OutletLine.outlet, OutletLine.line_hash).in_(chunk))
            for outlet, line_hash, article_id, independent in session.execute(query):
                found[(str(outlet), int(line_hash))].append((int(article_id), bool(independent)))
        return dict(found)

    def add_outlet_lines(self, session: Session, rows: list[tuple[str, int, int, bool]], learned: list[tuple[str, int, str, int]]) -> None:
        """Record (outlet, line hash, article, independent) rows, and lines newly learned as boilerplate (outlet, hash, line, articles)."""
        self._insert_rows(session, _table(OutletLine), ("outlet", "line_hash", "article_id", "independent"), rows)
        self._insert_rows(session, _table(BoilerplateLine), ("outlet", "line_hash", "line", "articles"), learned)

    @staticmethod
    def links_of(session: Session, article_id: int) -> list[CopyLink]:
        """Every copy link that has this article on either side."""
        query = select(CopyLink).where(or_(CopyLink.origin_id == article_id, CopyLink.copy_id == article_id)).order_by(CopyLink.id)
        return list(session.scalars(query))


def _fts5_term(term: str) -> str:
    """A search term as FTS5 writes it: quoted, with a trailing * for a prefix."""
    word = term.rstrip("*").replace('"', "")
    return f'"{word}"*' if term.endswith("*") else f'"{word}"'


def _tsquery_term(term: str) -> str:
    """A search term as PostgreSQL's to_tsquery writes it: word, or word:* for a prefix."""
    word = "".join(char for char in term.rstrip("*") if char.isalnum())
    return f"{word}:*" if term.endswith("*") else word


def _unique_keys(keys: Iterable[int] | npt.NDArray[np.int64]) -> list[int]:
    """Keys as a sorted list of distinct Python ints."""
    return sorted_unique(np.asarray(keys if isinstance(keys, np.ndarray) else list(keys), dtype=np.int64)).tolist()  # type: ignore[no-any-return]


def _array_literal(keys: list[int]) -> str:
    """A PostgreSQL array literal: psycopg's list adapter took 0.3 s for a batch's keys."""
    return "{" + ",".join(map(str, keys)) + "}"


def _newest_per_key(members: Members, per_key: int) -> Members:
    """At most `per_key` members of each key, the newest (highest ids)."""
    if not len(members.keys):
        return members
    order = np.lexsort((-members.article_ids, members.keys))
    keys, ids = members.keys[order], members.article_ids[order]
    group_start = np.searchsorted(keys, keys, side="left")
    kept = np.arange(len(keys)) - group_start < per_key
    order = np.lexsort((ids[kept], keys[kept]))
    return Members(keys[kept][order], ids[kept][order])


def _driver(session: Session) -> Any:
    """The DBAPI connection (sqlite3 or psycopg) under a session's transaction."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    return driver


def _length_limits(model: type[Base]) -> dict[str, int]:
    """The columns of a model with a length limit, and the limit."""
    return {column.name: int(column.type.length) for column in _table(model).columns if isinstance(column.type, String) and column.type.length}


def too_long(row: dict[str, Any]) -> dict[str, int]:
    """The texts of an article row longer than their columns, with each column's length: insert_articles cuts them."""
    return {name: limit for name, limit in _ARTICLE_LIMITS.items() if isinstance(row.get(name), str) and len(row[name]) > limit}


def _fitted(row: dict[str, Any], limits: dict[str, int]) -> dict[str, Any]:
    """An article row whose texts fit their columns, identically on every backend (SQLite would store them whole, PostgreSQL refuse them)."""
    cut = [name for name, limit in limits.items() if isinstance(row.get(name), str) and len(row[name]) > limit]
    return {**row, **{name: row[name][: limits[name]] for name in cut}} if cut else row


def _table(model: type[Base]) -> Table:
    """The Core table of a model, for fast executemany inserts."""
    return cast(Table, model.__table__)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else error.__class__.__name__


_ARTICLE_LIMITS.update(_length_limits(Article))
