"""Drop the article index of lsh_buckets: lookups go by key, and keeping it halved the insert rate.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Drop ix_lsh_buckets_article_id."""
    with op.batch_alter_table("lsh_buckets", schema=None) as batch_op:
        batch_op.drop_index("ix_lsh_buckets_article_id")


def downgrade() -> None:
    """Recreate ix_lsh_buckets_article_id."""
    with op.batch_alter_table("lsh_buckets", schema=None) as batch_op:
        batch_op.create_index("ix_lsh_buckets_article_id", ["article_id"], unique=False)
