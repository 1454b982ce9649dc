"""Attributions record where they were found, the registry kind of their source, and whether it is a medium.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add attributions.location, attributions.source_kind and attributions.media."""
    with op.batch_alter_table("attributions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("location", sa.String(length=16), server_default="body", nullable=False)
        )
        batch_op.add_column(sa.Column("source_kind", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("media", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    """Drop the three columns."""
    with op.batch_alter_table("attributions", schema=None) as batch_op:
        batch_op.drop_column("media")
        batch_op.drop_column("source_kind")
        batch_op.drop_column("location")
