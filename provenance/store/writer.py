"""Writing to a provenance database: a batch's rows, in one transaction, under the writer lock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Table,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from provenance.knowledge.registry import SourceEntry
from provenance.match.passages import PassageChanges
from provenance.store.reader import StoreReader
from provenance.store.records import (
    AttributionRecord,
    HopRecord,
    NewArticle,
    NewLink,
    QuoteRecord,
    utcnow,
)
from provenance.store.schema import (
    AnchorBucket,
    Article,
    Attribution,
    BoilerplateLine,
    Bucket,
    ChainHop,
    CopyLink,
    OutletLine,
    Paragraph,
    Passage,
    PassageWitness,
    Quote,
    Rebuild,
    Source,
    published_columns,
)
from provenance.store.sql import _ARTICLE_LIMITS, _chunks, _driver, _fitted, _table

WRITER_LOCK_KEY = 0x70726F76  # "prov"


class BatchWriter(StoreReader):
    """Writes of one transaction (and every read, seeing them); get one from ``Store.writer()``."""

    def add_article(self, article: Article) -> Article:
        """Stage a new article (with its paragraphs and attributions) and give it an id."""
        self._session.add(article)
        self._session.flush()
        return article

    # ---- bulk writes of a batch ----------------------------------------------------------

    def lock_for_writing(self) -> None:
        """Take the database's writer lock for this transaction, so concurrent ingests write one batch at a time.

        PostgreSQL: a transaction-scoped advisory lock. SQLite: a no-op write that takes the
        reserved lock at once (other writers wait up to the busy timeout) instead of failing
        when a read transaction later tries to write.
        """
        if self.dialect == "postgresql":
            self._session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY}
            )
        else:
            self._session.execute(text("UPDATE alembic_version SET version_num = version_num"))

    def insert_articles(self, articles: list[NewArticle]) -> list[int]:
        """Insert new articles in one statement; their ids, in order. A value longer than its column
        is cut (see ``too_long``).
        """
        if not articles:
            return []
        now = utcnow()
        rows = [_fitted(_article_row(article, now), _ARTICLE_LIMITS) for article in articles]
        result = self._session.execute(
            insert(Article).returning(Article.id, sort_by_parameter_order=True), rows
        )
        return [int(row_id) for row_id in result.scalars()]

    def insert_children(
        self,
        paragraphs: list[tuple[int, int, str]],
        attributions: list[AttributionRecord],
        quotes: list[QuoteRecord],
    ) -> None:
        """Insert the paragraphs ((article id, position, text)), attributions and quotes of new
        articles in bulk, and index the paragraphs for search.
        """
        search_by_batch = (
            self.dialect == "sqlite"
        )  # FTS5 filled here; PostgreSQL's GIN index follows the table
        last_paragraph = (
            (self._session.execute(select(func.max(Paragraph.id))).scalar() or 0)
            if search_by_batch
            else 0
        )
        if paragraphs:
            self._insert_rows(
                _table(Paragraph), ("article_id", "position", "text"), list(paragraphs)
            )
        if attributions:
            columns: tuple[str, ...] = (
                "article_id",
                "source_id",
                "source_name",
                "source_kind",
                "kind",
                "cue",
                "sentence",
                "start",
                "end",
                "url",
                "location",
                "media",
            )
            self._insert_rows(
                _table(Attribution),
                columns,
                [tuple(getattr(found, column) for column in columns) for found in attributions],
            )
        if quotes:
            columns = ("article_id", "text", "normalized", "speaker", "source_name", "start", "end")
            self._insert_rows(
                _table(Quote),
                columns,
                [tuple(getattr(quote, column) for column in columns) for quote in quotes],
            )
        if paragraphs and search_by_batch:
            self._session.execute(
                text(
                    "INSERT INTO paragraphs_fts(rowid, text) SELECT id, text FROM paragraphs WHERE id > :last"
                ),
                {"last": last_paragraph},
            )

    def insert_buckets(
        self, keys: npt.NDArray[np.int64], article_ids: npt.NDArray[np.int64]
    ) -> None:
        """Index articles under their LSH bucket keys, in bulk: one article id per key, stored in
        key order (the index's own).
        """
        self._insert_keyed(_table(Bucket), ("key", "article_id"), keys, [article_ids])

    def insert_anchor_buckets(
        self,
        keys: npt.NDArray[np.int64],
        article_ids: npt.NDArray[np.int64],
        languages: npt.NDArray[np.object_],
    ) -> None:
        """Index articles under their translation LSH keys with their (base) languages, in bulk and
        in key order.
        """
        self._insert_keyed(
            _table(AnchorBucket), ("key", "article_id", "language"), keys, [article_ids, languages]
        )

    def _insert_keyed(
        self,
        table: Table,
        columns: tuple[str, ...],
        keys: npt.NDArray[np.int64],
        values: list[npt.NDArray[Any]],
    ) -> None:
        """Rows of a key and its values, sorted by key then first value; COPY's text format in one
        string on PostgreSQL.
        """
        if not len(keys):
            return
        order = np.lexsort((values[0], keys))
        columns_sorted = [keys[order].tolist(), *(column[order].tolist() for column in values)]
        if self.dialect == "postgresql":  # write_row took 2 µs a row, and an article has 130
            line = "\t".join("{}" for _ in columns) + "\n"
            self._copy(table, columns, "".join(map(line.format, *columns_sorted)))
            return
        self._insert_rows(table, columns, list(zip(*columns_sorted)))

    def _insert_rows(
        self, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        """Insert plain tuples through the driver's own executemany, or COPY on PostgreSQL: no
        per-row work in SQLAlchemy.
        """
        if not rows:
            return
        if self.dialect == "postgresql":
            self._copy(table, columns, rows)
            return
        marks = ", ".join("?" for _ in columns)
        self._session.connection().exec_driver_sql(
            f"INSERT INTO {table.name} ({self._column_list(columns)}) VALUES ({marks})", rows
        )

    def _column_list(self, columns: tuple[str, ...]) -> str:
        quote = self.engine.dialect.identifier_preparer.quote
        return ", ".join(quote(column) for column in columns)

    def _copy(
        self, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]] | str
    ) -> None:
        """PostgreSQL's COPY of tuples, or of data already in COPY's text format."""
        with (
            _driver(self._session).cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({self._column_list(columns)}) FROM STDIN") as copy,
        ):
            if isinstance(rows, str):
                copy.write(rows)
                return
            for row in rows:
                copy.write_row(row)

    def insert_links(self, links: list[NewLink]) -> None:
        """Store copy links, skipping pairs already linked (safe under concurrent writers)."""
        if not links:
            return
        now = utcnow()
        rows = [
            {
                "pair_key": link.pair_key,
                "origin_id": link.origin_id,
                "copy_id": link.copy_id,
                "kind": link.kind,
                "jaccard": link.jaccard,
                "containment": link.containment,
                "reverse_containment": link.reverse_containment,
                "direction": link.direction,
                "direction_reason": link.direction_reason,
                "evidence": link.evidence,
                "created_at": now,
            }
            for link in links
        ]
        # Imported here: the dialect's import (with asyncio) took 0.02 s of `provenance check`.
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        dialect_insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        self._session.execute(
            dialect_insert(CopyLink).on_conflict_do_nothing(index_elements=["pair_key"]), rows
        )

    # ---- chains ----------------------------------------------------------------------

    def replace_chain(self, article_id: int, hops: list[HopRecord]) -> None:
        """Store an article's chain in place of the one stored before."""
        self._session.execute(delete(ChainHop).where(ChainHop.article_id == article_id))
        self._session.add_all(
            ChainHop(
                article_id=hop.article_id,
                position=hop.position,
                from_node=hop.from_node,
                to_node=hop.to_node,
                kind=hop.kind,
                confidence=hop.confidence,
                evidence=hop.evidence,
            )
            for hop in hops
        )

    # ---- sources ---------------------------------------------------------------------

    def source_ids(self, entries: Iterable[SourceEntry]) -> dict[str, int]:
        """Ids of these registry sources in the sources table, adding the ones not there yet."""
        wanted = {entry.name: entry for entry in entries}
        if not wanted:
            return {}
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        dialect_insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        rows = [
            {"name": e.name, "kind": e.kind, "country": e.country, "domains": list(e.domains)}
            for e in wanted.values()
        ]
        self._session.execute(
            dialect_insert(Source).values(rows).on_conflict_do_nothing(index_elements=["name"])
        )
        return {
            name: source_id
            for name, source_id in self._session.execute(
                select(Source.name, Source.id).where(Source.name.in_(sorted(wanted)))
            )
        }

    def write_passages(self, changes: PassageChanges) -> None:
        """Store new passages and witnesses, and fold merged passages into the ones they joined."""
        ids: dict[int, int] = {}
        if changes.new_passages:
            created = self._session.execute(
                insert(Passage).returning(Passage.id, sort_by_parameter_order=True),
                [{"created_at": utcnow()} for _ in changes.new_passages],
            )
            ids = dict(zip(changes.new_passages, (int(row_id) for row_id in created.scalars())))
        for drop, keep in changes.merged.items():
            self._session.execute(
                update(PassageWitness)
                .where(PassageWitness.passage_id == drop)
                .values(passage_id=keep)
            )
            self._session.execute(delete(Passage).where(Passage.id == drop))
        rows = [
            (ids.get(w.passage, w.passage), w.article_id, w.start, w.end) for w in changes.witnesses
        ]
        self._insert_rows(
            _table(PassageWitness), ("passage_id", "article_id", "start", "end"), rows
        )

    def add_outlet_lines(
        self, rows: list[tuple[str, int, int, bool]], learned: list[tuple[str, int, str, int]]
    ) -> None:
        """Record (outlet, line hash, article, independent) rows, and lines newly learned as
        boilerplate (outlet, hash, line, articles).
        """
        self._insert_rows(
            _table(OutletLine), ("outlet", "line_hash", "article_id", "independent"), rows
        )
        self._insert_rows(
            _table(BoilerplateLine), ("outlet", "line_hash", "line", "articles"), learned
        )

    # ---- rebuilds of derived data --------------------------------------------------------

    def clear_index(self) -> None:
        """Delete every LSH key (copy and translation), before the index is built again."""
        self._session.execute(delete(Bucket))
        self._session.execute(delete(AnchorBucket))

    def set_link_evidence(self, evidence: dict[int, dict[str, Any]]) -> None:
        """Replace the evidence of these links."""
        for link_id, value in evidence.items():
            self._session.execute(
                update(CopyLink).where(CopyLink.id == link_id).values(evidence=value)
            )

    def rebuilt_through(self, step: str, last_id: int) -> None:
        """Record that a rebuild has done every id up to `last_id`."""
        self._session.execute(
            update(Rebuild).where(Rebuild.step == step).values(done_through=last_id)
        )

    def start_rebuild(self, step: str, done_through: int) -> None:
        """Record a step under way (a bulk load), with the last id done before it."""
        self._session.execute(delete(Rebuild).where(Rebuild.step == step))
        self._session.add(Rebuild(step=step, done_through=done_through))

    def drop_articles_after(self, last_id: int) -> int:
        """Remove every article with an id above `last_id`, with everything derived from it (the
        load that stored them did not finish); how many went.
        """
        self._session.execute(delete(OutletLine).where(OutletLine.article_id > last_id))
        return _rowcount(self._session.execute(delete(Article).where(Article.id > last_id)))

    def finish_rebuild(self, step: str) -> None:
        """Forget a finished rebuild."""
        self._session.execute(delete(Rebuild).where(Rebuild.step == step))

    # ---- forgetting an article -----------------------------------------------------------

    def forget(
        self, article_id: int, keys: Iterable[int], anchor_keys: Iterable[int]
    ) -> dict[str, int]:
        """Remove a stored article and everything derived from it; how many rows of each table went.

        `keys` and `anchor_keys` are the article's LSH keys (its body fingerprinted again): the key
        tables hold no foreign key and no index by article, so they are deleted by their primary
        key. Paragraphs (with their search rows), attributions, quotes, links, passage witnesses
        and chain hops go with the article (ON DELETE CASCADE); a passage left with fewer than two
        witnesses goes too. A later version of the article keeps its text; its link to this one
        (``previous_version_id``) is cleared.
        """

        def count(model: type[Any], *conditions: Any) -> int:
            return int(
                self._session.scalar(select(func.count()).select_from(model).where(*conditions))
                or 0
            )

        removed = {
            "paragraphs": count(Paragraph, Paragraph.article_id == article_id),
            "attributions": count(Attribution, Attribution.article_id == article_id),
            "quotes": count(Quote, Quote.article_id == article_id),
            "copy_links": count(
                CopyLink, or_(CopyLink.origin_id == article_id, CopyLink.copy_id == article_id)
            ),
            "passage_witnesses": count(PassageWitness, PassageWitness.article_id == article_id),
            "chain_hops": count(ChainHop, ChainHop.article_id == article_id),
        }
        touched = list(
            self._session.scalars(
                select(PassageWitness.passage_id).where(PassageWitness.article_id == article_id)
            )
        )
        removed["lsh_buckets"] = self._delete_keys(Bucket, article_id, keys)
        removed["anchor_buckets"] = self._delete_keys(AnchorBucket, article_id, anchor_keys)
        removed["outlet_lines"] = _rowcount(
            self._session.execute(delete(OutletLine).where(OutletLine.article_id == article_id))
        )
        removed["articles"] = _rowcount(
            self._session.execute(delete(Article).where(Article.id == article_id))
        )
        lonely = [
            passage_id
            for passage_id in sorted(set(touched))
            if count(PassageWitness, PassageWitness.passage_id == passage_id) < 2
        ]
        if lonely:  # their one remaining witness goes with them
            removed["passage_witnesses"] += count(
                PassageWitness, PassageWitness.passage_id.in_(lonely)
            )
        removed["passages"] = (
            _rowcount(self._session.execute(delete(Passage).where(Passage.id.in_(lonely))))
            if lonely
            else 0
        )
        return removed

    def _delete_keys(
        self, model: type[Bucket] | type[AnchorBucket], article_id: int, keys: Iterable[int]
    ) -> int:
        deleted = 0
        for chunk in _chunks(sorted({int(key) for key in keys}), 500):
            deleted += _rowcount(
                self._session.execute(
                    delete(model).where(model.article_id == article_id, model.key.in_(chunk))
                )
            )
        return deleted


def _article_row(article: NewArticle, now: datetime) -> dict[str, Any]:
    """The articles row of a new article."""
    return {
        "identity_key": article.identity_key,
        "content_hash": article.content_hash,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "domain": article.domain,
        "outlet": article.outlet,
        "title": article.title,
        "author": article.author,
        **published_columns(article.publication),
        "seen_at": article.seen_at,
        "language": article.language,
        "body": article.body,
        "furniture": article.furniture,
        "origin": article.origin,
        "format": article.format,
        "version": article.version,
        "previous_version_id": article.previous_version_id,
        "shingle_count": article.shingle_count,
        "signature": article.signature,
        "ingested_at": now,
    }


def too_long(article: NewArticle) -> dict[str, int]:
    """The texts of a new article longer than their columns, with each column's length:
    insert_articles cuts them.
    """
    return {
        name: limit
        for name, limit in _ARTICLE_LIMITS.items()
        if isinstance(value := getattr(article, name, None), str) and len(value) > limit
    }


def _rowcount(result: Any) -> int:
    """The rows a DELETE removed."""
    return int(getattr(result, "rowcount", 0) or 0)
