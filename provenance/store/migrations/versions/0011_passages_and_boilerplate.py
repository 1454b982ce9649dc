"""Passage reuse and learned boilerplate: passages with their witnesses, and outlets' repeated lines.

``passages`` and ``passage_witnesses`` hold the passage clusters: a passage shared by articles of
different outlets, each witness an article and the character span of its body holding it.
``outlet_lines`` records the short lines of each outlet's articles, and ``boilerplate_lines`` the
lines learned from them to be the outlet's boilerplate (a widget, a comment policy box). Nothing
stored before is changed: older articles take part once they are compared with new ones.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade() -> None:
    """Create the four tables (each only if it is not there: an upgrade stopped part way is finished
    by the next).
    """
    present = _tables()
    if "passages" not in present:
        op.create_table(
            "passages",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if "passage_witnesses" not in present:
        op.create_table(
            "passage_witnesses",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("passage_id", sa.Integer(), nullable=False),
            sa.Column("article_id", sa.Integer(), nullable=False),
            sa.Column("start", sa.Integer(), nullable=False),
            sa.Column("end", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["passage_id"], ["passages.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_passage_witnesses_article_id"),
            "passage_witnesses",
            ["article_id"],
            unique=False,
        )
        op.create_index(
            op.f("ix_passage_witnesses_passage_id"),
            "passage_witnesses",
            ["passage_id"],
            unique=False,
        )
    if "outlet_lines" not in present:
        op.create_table(
            "outlet_lines",
            sa.Column("outlet", sa.String(length=255), nullable=False),
            sa.Column("line_hash", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("independent", sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint("outlet", "line_hash", "article_id"),
            sqlite_with_rowid=False,
        )
    if "boilerplate_lines" not in present:
        op.create_table(
            "boilerplate_lines",
            sa.Column("outlet", sa.String(length=255), nullable=False),
            sa.Column("line_hash", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("line", sa.Text(), nullable=False),
            sa.Column("articles", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("outlet", "line_hash"),
        )


def downgrade() -> None:
    """Drop the four tables."""
    for table in ("boilerplate_lines", "outlet_lines", "passage_witnesses", "passages"):
        op.drop_table(table)
