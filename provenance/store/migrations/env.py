"""Alembic environment: migrations run on the connection provenance hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from provenance.store.engine import include_name
from provenance.store.schema import Base

config = context.config
connection = config.attributes.get("connection")


def run_on(conn: Connection) -> None:
    """Run the migrations on an open connection."""
    context.configure(
        connection=conn,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run_on(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as conn:
        run_on(conn)
