"""Copy links get the passages the copy changed, added or left out; translation links their sentence pairs.

Up to schema 0006 no copy link stored a changed passage. The words of the two bodies are aligned
by rapidfuzz's Indel distance, which has no substitutions: a replaced word is a deletion beside an
insertion, and the aligner looked for changed passages in single operations that had both, which
never come. It also left out what a copy only adds (a header line) or only drops. The upgrade records a
``link_passages`` rebuild: ``provenance reindex`` aligns the bodies of every stored link again,
origin first; a translation link, which stored only anchor pairs, gets the sentences that render
each other.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from provenance.store.migrations.rebuilds import request_rebuild

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Ask for the passages of every stored link to be aligned again (``provenance reindex``)."""
    request_rebuild("link_passages", "copy_links")


def downgrade() -> None:
    """Nothing to undo: the schema is unchanged, and schema 0006 reads the realigned evidence as it
    is.
    """
