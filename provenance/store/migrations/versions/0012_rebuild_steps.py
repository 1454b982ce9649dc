"""Rebuilds of derived data as an explicit step: the ``rebuilds`` table.

Migrations change the schema only. When a change makes derived data stale (the LSH index under
new banding parameters, the passages of stored links under a new aligner), the migration records
a step here, and ``provenance reindex`` does it, a chunk of articles or links per transaction,
recording how far it got: an interrupted reindex goes on where it stopped. Schemas 0006 and 0007
record their steps in this table, which they create; this revision creates it for databases that
passed those revisions before it existed.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

from provenance.store.migrations.rebuilds import create_rebuilds

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the rebuilds table."""
    create_rebuilds()


def downgrade() -> None:
    """Drop the rebuilds table (a pending rebuild is forgotten)."""
    op.drop_table("rebuilds")
