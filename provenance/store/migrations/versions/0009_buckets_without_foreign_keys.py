"""The LSH bucket tables without a foreign key to the articles.

A database checks a foreign key for every row written, and PostgreSQL does it by locking the
referenced article's row (``FOR KEY SHARE``): about 130 times an article, once for each of its
66 copy keys and 64 translation keys. Writing the rows of 10,000 ingested articles again with
nothing else to do (``bench/bench_floor.py``, two runs of each schema in turn), the keys took
2.00 ms of wall time an article with the foreign keys and 0.60–0.63 ms without, and the server's
CPU for all of an article's writes fell from 4.06–4.16 ms to 2.68–2.82 ms; in an ingest of
10,000 articles (``bench/bench_growth.py``), from 4.71–4.92 ms to 3.29–3.36 ms, with the same
links. SQLite's check costs less (its ingest ran at 193.8–197.9 articles/s with and without);
its tables lose the keys too, so that both backends keep one schema. The bucket tables are an
index of the articles, written in the same transaction as them; nothing deletes an article, and
a reader skips a member whose article is not stored.

PostgreSQL drops the constraints in place. SQLite cannot drop a constraint: each table is made
again without it, its rows copied in key order (3.5 s for the 1.3 million keys of 10,000
articles). A run stopped part way leaves the old table whole, and the next open starts again.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = {
    "lsh_buckets": ('"key" BIGINT NOT NULL, article_id INTEGER NOT NULL', '"key", article_id'),
    "anchor_buckets": (
        '"key" BIGINT NOT NULL, article_id INTEGER NOT NULL, language VARCHAR(16) NOT NULL',
        '"key", article_id, language',
    ),
}
"""Each bucket table's columns and primary key, as schemas 0001 and 0006 made them."""
FOREIGN_KEY = "FOREIGN KEY(article_id) REFERENCES articles (id) ON DELETE CASCADE"

log = logging.getLogger("provenance.store")


def upgrade() -> None:
    """Drop the bucket tables' foreign keys."""
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            for foreign_key in sa.inspect(op.get_bind()).get_foreign_keys(table):
                op.drop_constraint(
                    str(foreign_key["name"]), table, type_="foreignkey"
                )  # PostgreSQL names every constraint
        return
    for table in TABLES:
        _make_again(table, with_foreign_key=False)


def downgrade() -> None:
    """Give the bucket tables their foreign keys back, dropping the rows of articles no longer
    stored.
    """
    for table in TABLES:
        op.execute(f"DELETE FROM {table} WHERE article_id NOT IN (SELECT id FROM articles)")
        if op.get_bind().dialect.name == "postgresql":
            op.create_foreign_key(
                f"{table}_article_id_fkey",
                table,
                "articles",
                ["article_id"],
                ["id"],
                ondelete="CASCADE",
            )
        else:
            _make_again(table, with_foreign_key=True)


def _make_again(table: str, with_foreign_key: bool) -> None:
    """A SQLite bucket table made again with or without its foreign key, its rows copied in key
    order.
    """
    columns, key = TABLES[table]
    rows = op.get_bind().execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() or 0
    if rows:
        log.warning(
            "copying the %d rows of %s into a table %s its foreign key (about 2 s a million)",
            rows,
            table,
            "with" if with_foreign_key else "without",
        )
    constraints = f"PRIMARY KEY ({key})" + (f", {FOREIGN_KEY}" if with_foreign_key else "")
    op.execute(f"DROP TABLE IF EXISTS {table}_new")  # left empty by a run stopped part way
    op.execute(f"CREATE TABLE {table}_new ({columns}, {constraints}) WITHOUT ROWID")
    op.execute(f"INSERT INTO {table}_new ({key}) SELECT {key} FROM {table} ORDER BY {key}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
