"""The database: created on first use, versioned schema, transactions, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from provenance.errors import DatabaseError
from provenance.ingest.rebuild import reindex
from provenance.store.engine import head_revision, include_name, migrate
from provenance.store.records import NewArticle
from provenance.store.schema import AnchorBucket, Article, Base, Bucket
from provenance.store.store import Store

from .conftest import ROOT, seed_body_without_footer

TRANSLATIONS = ROOT / "tests" / "data" / "translation"


def test_a_sqlite_file_is_created_in_an_existing_folder_only(tmp_path: Path) -> None:
    path = tmp_path / "provenance.sqlite"
    Store(f"sqlite:///{path}").close()
    assert path.exists()
    missing = tmp_path / "nested" / "db" / "provenance.sqlite"
    with pytest.raises(
        DatabaseError,
        match=f"^cannot create database {missing}: folder {missing.parent} does not exist$",
    ):
        Store(f"sqlite:///{missing}")
    assert not missing.parent.exists()


def test_new_database_is_at_the_head_revision_and_matches_the_models(db_url: str) -> None:
    store = Store(db_url)
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []
    store.close()


def test_older_schema_is_upgraded_on_open_and_keeps_its_data(db_url: str) -> None:
    engine = create_engine(db_url)
    migrate(engine, "0001")
    with engine.begin() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0001"
        connection.execute(
            text(
                "INSERT INTO articles (identity_key, content_hash, body, furniture, origin, format, version, shingle_count, signature, ingested_at)"
                " VALUES ('k', 'h', 'old body', '[]', 'old.txt', 'text', 1, 1, :signature, '2025-01-01 00:00:00')"
            ),
            {"signature": b"x"},
        )
        connection.execute(
            text(
                "INSERT INTO attributions (article_id, source_name, kind, cue, sentence) VALUES (1, 'KCNA', 'cites', 'laut', 's')"
            )
        )
    engine.dispose()
    store = Store(db_url)
    with store.reader() as reader:
        [article] = reader.all_articles()
        [attribution] = article.attributions
        assert (attribution.source_name, attribution.location, attribution.media) == (
            "KCNA",
            "body",
            False,
        )
    with store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()
    store.close()


def test_bucket_tables_lose_their_foreign_keys_and_keep_their_rows(db_url: str) -> None:
    """Schema 0009: no foreign key on the bucket tables; SQLite copies each table, replacing a copy
    an upgrade stopped part way left behind.
    """
    engine = create_engine(db_url)
    migrate(engine, "0008")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (identity_key, content_hash, body, furniture, origin, format, version, shingle_count, signature, ingested_at)"
                " VALUES ('k', 'h', 'old body', '[]', 'old.txt', 'text', 1, 1, :signature, '2025-01-01 00:00:00')"
            ),
            {"signature": b"x"},
        )
        connection.execute(text("INSERT INTO lsh_buckets (key, article_id) VALUES (42, 1), (7, 1)"))
        connection.execute(
            text("INSERT INTO anchor_buckets (key, article_id, language) VALUES (5, 1, 'de')")
        )
        if engine.dialect.name == "sqlite":
            connection.execute(text("CREATE TABLE lsh_buckets_new (key BIGINT)"))
        assert [
            inspect(connection).get_foreign_keys(table)[0]["referred_table"]
            for table in ("lsh_buckets", "anchor_buckets")
        ] == ["articles", "articles"]
    engine.dispose()
    store = Store(db_url)
    with store.engine.connect() as connection:
        assert [
            inspect(connection).get_foreign_keys(table)
            for table in ("lsh_buckets", "anchor_buckets")
        ] == [[], []]
        assert "lsh_buckets_new" not in inspect(connection).get_table_names()
    with store.engine.connect() as connection:
        assert sorted(
            tuple(row) for row in connection.execute(select(Bucket.key, Bucket.article_id))
        ) == [(7, 1), (42, 1)]
        assert [
            tuple(row)
            for row in connection.execute(
                select(AnchorBucket.key, AnchorBucket.article_id, AnchorBucket.language)
            )
        ] == [(5, 1, "de")]
    store.close()


@pytest.mark.parametrize("stopped_part_way", [False, True])
def test_dates_stored_before_0010_get_a_precision(db_url: str, stopped_part_way: bool) -> None:
    """Schema 0010: a stored midnight was a date made up to midnight (a date only); any other time
    had no zone. A run stopped after adding a column finishes.
    """
    engine = create_engine(db_url)
    migrate(engine, "0009")
    with engine.begin() as connection:
        for number, published in enumerate(
            ("2025-03-12 00:00:00", "2022-08-15 10:08:00", None), start=1
        ):
            connection.execute(
                text(
                    "INSERT INTO articles (identity_key, content_hash, body, furniture, origin, format, version, shingle_count, signature, ingested_at, published)"
                    " VALUES (:key, :key, 'old body', '[]', 'old.txt', 'text', 1, 1, :signature, '2025-01-01 00:00:00', :published)"
                ),
                {"key": f"k{number}", "signature": b"x", "published": published},
            )
        if stopped_part_way:
            connection.execute(
                text("ALTER TABLE articles ADD COLUMN published_precision VARCHAR(8)")
            )
    engine.dispose()
    store = Store(db_url)
    with Session(store.engine) as session:
        found = [
            (
                a.published_precision,
                a.published_offset,
                a.publication.iso() if a.publication else None,
            )
            for a in session.scalars(
                select(Article).where(Article.id.in_([1, 2, 3])).order_by(Article.id)
            )
        ]
    assert found == [
        ("day", None, "2025-03-12"),
        ("minute", None, "2022-08-15T10:08:00"),
        (None, None, None),
    ]
    store.close()


def test_links_stored_before_0007_get_their_passages(db_url: str) -> None:
    """Schema 0006 stored no changed passage for a copy and no sentence pair for a translation; the
    upgrade asks for a reindex, which aligns the stored bodies again, origin first.
    """
    original = "Kim Jong Un empfing den Kremlchef in Pjöngjang mit allen Ehren und einer Parade auf dem Kim-Il-Sung-Platz."
    edited = original.replace("Pjöngjang", "der Hauptstadt")
    german, russian = (
        seed_body_without_footer(),
        (TRANSLATIONS / "seed003_translation.ru.txt").read_text(encoding="utf-8"),
    )
    engine = create_engine(db_url)
    migrate(engine, "0006")
    with engine.begin() as connection:
        for number, (body, language) in enumerate(
            ((edited, "de"), (original, "de"), (german, "de"), (russian, "ru")), start=1
        ):
            connection.execute(
                text(
                    "INSERT INTO articles (identity_key, content_hash, body, furniture, origin, format, version, shingle_count, signature, ingested_at, language)"
                    " VALUES (:key, :key, :body, '[]', 'old.jsonl', 'jsonl', 1, 1, :signature, '2025-01-01 00:00:00', :language)"
                ),
                {"key": f"k{number}", "body": body, "signature": b"x", "language": language},
            )
        for pair, origin_id, copy_id, kind, evidence in (
            (
                "1-2",
                2,
                1,
                "repost",
                '{"shared_passages": ["old"], "changed_passages": [], "shared_words": 15}',
            ),
            (
                "3-4",
                3,
                4,
                "translation",
                '{"languages": ["de", "ru"], "anchor_pairs": [["Kursk", "Курской"]], "shared_passages": ["Kursk ↔ Курской"], "changed_passages": []}',
            ),
        ):
            connection.execute(
                text(
                    "INSERT INTO copy_links (pair_key, origin_id, copy_id, kind, jaccard, containment, reverse_containment, direction, direction_reason, evidence, created_at)"
                    " VALUES (:pair, :origin_id, :copy_id, :kind, 0.8, 0.9, 0.9, 'dated', 'r', :evidence, '2025-01-01 00:00:00')"
                ),
                {
                    "pair": pair,
                    "origin_id": origin_id,
                    "copy_id": copy_id,
                    "kind": kind,
                    "evidence": evidence,
                },
            )
    engine.dispose()
    store = Store(db_url)
    with pytest.raises(
        DatabaseError, match="passages of its links must be rebuilt first: run 'provenance reindex'"
    ):
        store.require_current()
    assert reindex(store) == {"link_passages": 2}
    store.require_current()
    with store.reader() as reader:
        copy, translation = sorted(reader.all_links(), key=lambda link: link.id)
    assert copy.evidence["changed_passages"] == [["Pjöngjang", "der Hauptstadt"]]
    assert copy.evidence["shared_passages"] == [
        "mit allen Ehren und einer Parade auf dem Kim-Il-Sung-Platz",
        "Kim Jong Un empfing den Kremlchef in",
    ]
    sentence_pairs = translation.evidence["changed_passages"]
    assert sentence_pairs and all(
        first in " ".join(german.split()) and second in " ".join(russian.split())
        for first, second in sentence_pairs
    )
    assert translation.evidence["anchor_pairs"] == [["Kursk", "Курской"]]
    store.close()


@pytest.mark.parametrize("start", [None, "0007"], ids=["new", "upgraded"])
def test_sqlite_search_index_buffers_a_batch_in_memory(sqlite_url: str, start: str | None) -> None:
    """FTS5 writes a segment each time its term buffer passes `hashsize` (1 MiB by default);
    provenance sets 16 MiB, so that a batch's paragraphs are written once.
    """
    if start is not None:
        engine = create_engine(sqlite_url)
        migrate(engine, start)
        engine.dispose()
    store = Store(sqlite_url)
    with store.engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT v FROM paragraphs_fts_config WHERE k = 'hashsize'")
            ).scalar()
            == 16 * 1024 * 1024
        )
    store.close()


def test_newer_schema_is_refused_with_what_to_do(db_url: str) -> None:
    Store(db_url).close()
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(
        DatabaseError, match="schema 9999 is newer than this provenance .*: upgrade provenance"
    ):
        Store(db_url)


def test_foreign_database_is_refused(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="holds tables but no provenance schema"):
        Store(db_url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("foo://x/y", "unsupported database URL 'foo://x/y'"),
        (
            "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "cannot open database postgresql\\+psycopg://nobody@127.0.0.1:1/none",
        ),
    ],
)
def test_wrong_database_url_is_one_clear_error(url: str, message: str) -> None:
    with pytest.raises(DatabaseError, match=message):
        Store(url)


def _article(key: str) -> NewArticle:
    return NewArticle(
        identity_key=key,
        content_hash=key,
        url=None,
        canonical_url=None,
        domain=None,
        outlet=None,
        title=None,
        author=None,
        publication=None,
        seen_at=None,
        language=None,
        body="text",
        furniture=[],
        origin="t",
        format="text",
        version=1,
        previous_version_id=None,
        shingle_count=1,
        signature=b"x",
    )


def test_failed_transaction_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.writer() as writer:
        writer.insert_articles([_article("a")])
        raise RuntimeError("interrupted")
    assert store.count_articles() == 0


def test_constraint_violation_is_a_database_error(store: Store) -> None:
    with store.writer() as writer:
        writer.insert_articles([_article("same")])
    with pytest.raises(DatabaseError, match="database write failed"), store.writer() as writer:
        writer.insert_articles([_article("same")])
    assert store.count_articles() == 1
