"""The rebuilds table, which revisions 0006, 0007 and 0012 create when it is not there, and the
steps they record in it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_rebuilds() -> None:
    """Create the rebuilds table unless it is there."""
    if "rebuilds" not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            "rebuilds",
            sa.Column("step", sa.String(length=40), nullable=False),
            sa.Column("done_through", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("step"),
        )


def request_rebuild(step: str, table: str) -> None:
    """Record that `step` must run, when `table` holds rows to rebuild from."""
    create_rebuilds()
    connection = op.get_bind()
    if connection.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is None:
        return
    if (
        connection.execute(
            sa.text("SELECT 1 FROM rebuilds WHERE step = :step"), {"step": step}
        ).first()
        is None
    ):
        connection.execute(
            sa.text("INSERT INTO rebuilds (step, done_through) VALUES (:step, 0)"), {"step": step}
        )
