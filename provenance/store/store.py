"""Opening a provenance database: its engine, migrations, and the reader and writer of a
transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import (
    sessionmaker,
)

from provenance.errors import DatabaseError
from provenance.store.engine import create_db_engine, migrate
from provenance.store.reader import StoreReader
from provenance.store.schema import (
    Base,
)
from provenance.store.sql import _first_line
from provenance.store.writer import BatchWriter

BULK_LOAD = 1000
"""Articles an ingest must add (and a tenth of the stored ones) for PostgreSQL's statistics to be
refreshed after it.
"""


REBUILD_STEPS = {
    "index": "its LSH index",
    "link_passages": "the passages of its links",
    "bulk_load": "a bulk load that did not finish",
}
"""The rebuilds of derived data an upgrade can ask for, as a message names them."""


class Store:
    """A provenance database: open it, then work in transactions.

    Args:
        url: a SQLAlchemy database URL, such as ``sqlite:///db/provenance.sqlite``.
        create: make the database (a SQLite file, or the schema in an empty database) if it does
            not exist; False for a reader, which gets a DatabaseError instead.

    Examples:
        >>> store = Store("sqlite://")
        >>> store.count_articles()
        0
    """

    def __init__(self, url: str, create: bool = True) -> None:
        self.url = url
        self.engine = create_db_engine(url, create)
        try:
            migrate(self.engine, create=create)
        except SQLAlchemyError as error:
            self.engine.dispose()
            raise DatabaseError(
                f"cannot open database {make_url(url).render_as_string(hide_password=True)}: {_first_line(error)}"
            ) from error
        except BaseException:
            self.engine.dispose()
            raise
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextmanager
    def writer(self) -> Iterator[BatchWriter]:
        """A writer whose writes are committed together, or not at all (it reads, too, seeing them)."""
        session = self._sessions()
        try:
            yield BatchWriter(session, self.dialect, self.engine)
            session.commit()
        except SQLAlchemyError as error:
            session.rollback()
            raise DatabaseError(f"database write failed: {_first_line(error)}") from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def require_current(self) -> None:
        """Raise DatabaseError when an upgrade asked for derived data to be rebuilt (``provenance
        reindex``) and it is not done yet.
        """
        with self.reader() as reader:
            pending = reader.pending_rebuilds()
        if "bulk_load" in pending:
            raise DatabaseError(
                "a bulk load into this database did not finish: run it again (it starts over), or 'provenance reindex' to remove its articles"
            )
        if pending:
            steps = " and ".join(REBUILD_STEPS.get(step, step) for step in pending)
            raise DatabaseError(
                f"this database was upgraded and {steps} must be rebuilt first: run 'provenance reindex' (it can be stopped and run again)"
            )

    def is_bulk_load(self, added: int) -> bool:
        """Whether adding this many articles calls for refresh_statistics: on PostgreSQL, at least
        BULK_LOAD of them and a tenth of those stored (the share of changed rows at which autovacuum
        analyzes a table again by default).
        """
        return (
            self.dialect == "postgresql"
            and added >= BULK_LOAD
            and added * 10 >= self.count_articles()
        )

    def refresh_statistics(self) -> None:
        """VACUUM (ANALYZE) this schema's tables on PostgreSQL, as its manual advises after loading data.

        ANALYZE gives the planner row counts: without them it took 85,911 rows for the attributions
        of 14 articles at 200,000 articles and ran a parallel plan, 4.4 ms instead of 0.04. VACUUM
        sets the visibility map, so the LSH lookups are index-only scans: 3,796 heap fetches per
        `check` before, none after. Autovacuum does both in time when it is on; this does them
        at once, and where it is off. Nothing on SQLite, whose plans need no statistics here.
        """
        if self.dialect != "postgresql":
            return
        tables = ", ".join(
            self.engine.dialect.identifier_preparer.quote(table.name)
            for table in Base.metadata.sorted_tables
        )
        try:
            with self.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")
        except SQLAlchemyError as error:
            raise DatabaseError(f"database maintenance failed: {_first_line(error)}") from error

    @contextmanager
    def reader(self) -> Iterator[StoreReader]:
        """A reader: every query, answered with typed records."""
        session = self._sessions()
        try:
            yield StoreReader(session, self.dialect, self.engine)
        except OperationalError as error:
            raise DatabaseError(f"database read failed: {_first_line(error)}") from error
        finally:
            session.close()

    # ---- articles --------------------------------------------------------------------

    def count_articles(self) -> int:
        """How many article versions are stored."""
        with self.reader() as reader:
            return reader.count_articles()
