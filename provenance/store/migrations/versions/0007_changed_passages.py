"""Copy links get the passages the copy changed, added or left out; translation links their sentence pairs.

Up to schema 0006 no copy link stored a changed passage. The words of the two bodies are aligned
by rapidfuzz's Indel distance, which has no substitutions: a replaced word is a deletion beside an
insertion, and the aligner looked for changed passages in single operations that had both, which
never come. It also left out what a copy only adds (a header line) or only drops. The evidence
of every copy link is aligned again from the two stored bodies, origin first: 12,770 links in 11
to 20 s, logged every 10,000 links. A translation link stored only anchor pairs; it gets the
sentences that render each other, from the two bodies' anchors aligned again.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

log = logging.getLogger("provenance.store")
CHUNK = 2000


def upgrade() -> None:
    """Align every link's bodies again: a copy's shared and changed passages, a translation's sentence pairs."""
    realign_links(op.get_bind())


def realign_links(connection: sa.Connection) -> None:
    """Store each link's passages as the aligners find them now, origin first: shared and changed ones of a copy, sentence pairs of a translation."""
    links = sa.table("copy_links", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("origin_id", sa.Integer), sa.column("copy_id", sa.Integer), sa.column("evidence", sa.JSON))
    origin = sa.table("articles", sa.column("id", sa.Integer), sa.column("body", sa.Text), sa.column("language", sa.String)).alias("origin")
    copy = sa.table("articles", sa.column("id", sa.Integer), sa.column("body", sa.Text), sa.column("language", sa.String)).alias("copy")
    total = connection.execute(sa.select(sa.func.count()).select_from(links)).scalar() or 0
    if not total:
        return
    log.warning("aligning the bodies of %d links again for schema 0007 (about 1 ms a link)", total)
    chunk = (
        sa.select(links.c.id, links.c.kind, links.c.evidence, origin.c.body, origin.c.language, copy.c.body, copy.c.language)
        .join(origin, origin.c.id == links.c.origin_id)
        .join(copy, copy.c.id == links.c.copy_id)
        .where(links.c.id > sa.bindparam("last"))
        .order_by(links.c.id)
        .limit(CHUNK)
    )
    update = links.update().where(links.c.id == sa.bindparam("link_id")).values(evidence=sa.bindparam("new_evidence", type_=sa.JSON))
    last, done = 0, 0
    while rows := connection.execute(chunk, {"last": last}).all():
        updates: list[dict[str, Any]] = []
        for link_id, kind, evidence, origin_body, origin_language, copy_body, copy_language in rows:
            passages = _translation_passages(origin_body, origin_language, copy_body, copy_language) if kind == "translation" else _copy_passages(origin_body, copy_body)
            updates.append({"link_id": link_id, "new_evidence": dict(evidence or {}) | passages})
        connection.execute(update, updates)
        last = int(rows[-1][0])
        done += len(rows)
        if done % 10_000 < CHUNK or done == total:
            log.warning("  aligned %d of %d links", done, total)


def _copy_passages(origin_body: str, copy_body: str) -> dict[str, Any]:
    from provenance.match.compare import align

    return align(origin_body, copy_body).as_evidence()


def _translation_passages(origin_body: str, origin_language: str | None, copy_body: str, copy_language: str | None) -> dict[str, Any]:
    from provenance.match.compare import translated_passages
    from provenance.translation.alignment import compare_translation
    from provenance.translation.anchors import extract_anchors

    found = compare_translation(extract_anchors(origin_body, origin_language), extract_anchors(copy_body, copy_language), origin_language, copy_language)
    return {"changed_passages": [list(pair) for pair in translated_passages(origin_body, copy_body, found.positions)]}


def downgrade() -> None:
    """Nothing to undo: the schema is unchanged, and schema 0006 reads the realigned evidence as it is."""
