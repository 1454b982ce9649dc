"""Publication times keep their precision and offset; crawl times are kept apart.

Before this schema a page's ``article:published_time`` of 08:15+01:00 was stored as the day's
midnight, and two copies of one day were "published at the same time". Now ``published`` is the
UTC moment (or the wall-clock time when the source gave no zone, or the date for a date only),
``published_precision`` says ``minute`` or ``day``, ``published_offset`` keeps the source's UTC
offset in minutes, and ``seen_at`` holds a WARC record's crawl time, which is no publication time.

Rows stored before keep their value: a time of exactly midnight is taken for a date only (the
old code made midnight up for every date), any other for a time whose zone is not known.

Each step checks what is there first, so a run stopped part way is finished by the next one.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column[object]]:
    """The three new columns of ``articles``."""
    return [
        sa.Column("published_precision", sa.String(length=8), nullable=True),
        sa.Column("published_offset", sa.Integer(), nullable=True),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
    ]


def _existing_columns() -> set[str]:
    return {column["name"] for column in sa.inspect(op.get_bind()).get_columns("articles")}


def upgrade() -> None:
    """Add the three columns, then give the stored dates a precision."""
    present = _existing_columns()
    for column in _columns():
        if column.name not in present:
            op.add_column("articles", column)
    midnight = (
        "strftime('%H:%M:%S', published) = '00:00:00'"
        if op.get_bind().dialect.name == "sqlite"
        else "published::time = '00:00:00'"
    )
    op.execute(
        f"UPDATE articles SET published_precision = CASE WHEN {midnight} THEN 'day' ELSE 'minute' END WHERE published IS NOT NULL AND published_precision IS NULL"
    )


def downgrade() -> None:
    """Drop the three columns."""
    with op.batch_alter_table("articles", schema=None) as batch_op:
        for column in reversed(_columns()):
            batch_op.drop_column(column.name)
