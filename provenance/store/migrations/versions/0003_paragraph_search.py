"""A full-text index over paragraphs for quote search: FTS5 on SQLite, a GIN tsvector index on PostgreSQL.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE paragraphs_fts USING fts5(text, content='paragraphs', content_rowid='id', tokenize='unicode61 remove_diacritics 2', detail=none, prefix='6')",
    "CREATE TRIGGER paragraphs_fts_insert AFTER INSERT ON paragraphs BEGIN INSERT INTO paragraphs_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER paragraphs_fts_delete AFTER DELETE ON paragraphs BEGIN INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER paragraphs_fts_update AFTER UPDATE ON paragraphs BEGIN "
    "INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO paragraphs_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER paragraphs_fts_update",
    "DROP TRIGGER paragraphs_fts_delete",
    "DROP TRIGGER paragraphs_fts_insert",
    "DROP TABLE paragraphs_fts",
]
POSTGRES_UP = [
    "CREATE INDEX ix_paragraphs_text_search ON paragraphs USING gin (to_tsvector('simple', text))"
]
POSTGRES_DOWN = ["DROP INDEX ix_paragraphs_text_search"]


def upgrade() -> None:
    """Create the index and fill it from the stored paragraphs."""
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """Drop the index."""
    statements = SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN
    for statement in statements:
        op.execute(statement)
