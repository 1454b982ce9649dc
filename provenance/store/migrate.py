"""SQLAlchemy 2 models, sessions and queries: the only module that speaks SQL."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    NoSuchModuleError,
)

from provenance.errors import DatabaseError
from provenance.read.dates import Published
from provenance.store.schema import log

MIGRATION_LOCK_KEY = 0x70726F6D  # "prom"
SEARCH_OBJECTS = ("paragraphs_fts", "ix_paragraphs_text_search")


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Whether schema comparison should look at an object: not the search index, which lives outside the models."""
    return not (name or "").startswith(SEARCH_OBJECTS)


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(resources.files("provenance.store").joinpath("migrations")))
    return config


def head_revision() -> str:
    """The schema revision this version of provenance writes."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Connection settings; the driver begins no transaction of its own (``_begin_sqlite`` does, for DDL too)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-262144")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    """Begin every SQLite transaction explicitly, so that schema changes roll back with the rest.

    Python's sqlite3 driver begins a transaction only before a data change, so each CREATE,
    ALTER or DROP of an upgrade was committed at once: an upgrade stopped part way left a schema
    half changed under the old revision number. This is SQLAlchemy's documented recipe for
    transactional DDL on pysqlite. ``sqlite_begin="IMMEDIATE"`` takes the write lock at once.
    """
    connection.exec_driver_sql(f"BEGIN {connection.get_execution_options().get('sqlite_begin', 'DEFERRED')}")


def _sqlite_file(parsed: URL) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory database."""
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:") or str(parsed.database).startswith("file:"):
        return None
    return Path(str(parsed.database))


def _check_sqlite_file(path: Path, create: bool) -> None:
    """Refuse a SQLite path that is a folder, that does not exist when it may not be created, or whose folder is missing."""
    if path.is_dir():
        raise DatabaseError(f"cannot open database {path}: it is a folder, not a database file")
    if path.exists():
        return
    if not create:
        raise DatabaseError(f"no database at {path}: nothing is stored yet (run 'provenance ingest' to create it; this command never creates one)")
    if not path.parent.is_dir():
        raise DatabaseError(f"cannot create database {path}: folder {path.parent} does not exist")


def create_db_engine(url: str, create: bool = True) -> Engine:
    """An engine for a database URL; a bad URL, a missing folder, or (with create False) a missing SQLite file is a DatabaseError."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:
        raise DatabaseError(f"not a database URL: {url!r} (try sqlite:///db/provenance.sqlite or postgresql+psycopg://user@host/db)") from error
    if (path := _sqlite_file(parsed)) is not None:
        _check_sqlite_file(path, create)
    try:
        engine = create_engine(parsed, future=True, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError, ArgumentError, ValueError, TypeError) as error:
        raise DatabaseError(f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: {error}") from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
    return engine


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, revision: str = "head", create: bool = True) -> None:
    """Bring the schema to a revision (the newest by default), refusing a database that is not ours or is newer.

    With `create` False an empty database is refused instead of given the schema: a read-only
    command must not create one. An older schema is still upgraded. The upgrade is one
    transaction under the database's migration lock (PostgreSQL: an advisory lock; SQLite: BEGIN
    IMMEDIATE, its DDL made transactional too), so processes opening a new database at once
    create it once, and an upgrade stopped at any point leaves the old schema whole for the next run.
    """
    head = head_revision() if revision == "head" else revision
    with engine.connect() as connection:
        current = _current_revision(connection)
    if current == head:
        return
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        current = _current_revision(connection)
        if current == head:
            return
        _check_upgradable(connection, current, head, create)
        config = _alembic_config()
        config.attributes["connection"] = connection
        if current is not None:
            log.warning("upgrading database schema from %s to %s", current, head)
        command.upgrade(config, revision)


def _check_upgradable(connection: Connection, current: str | None, head: str, create: bool) -> None:
    """Refuse a database that is not ours, is newer than this version, or (with create False) holds no schema yet."""
    tables = set(inspect(connection).get_table_names())
    if current is None and tables - {"alembic_version"}:
        raise DatabaseError("the database holds tables but no provenance schema: point --db at an empty or a provenance database")
    if current is None and not create:
        raise DatabaseError("the database holds no provenance data yet: run 'provenance ingest' to create it (this command never creates one)")
    known = {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}
    if current is not None and current not in known:
        raise DatabaseError(f"the database schema {current} is newer than this provenance ({head}): upgrade provenance")


@dataclass(frozen=True)
class ArticleSummary:
    """An article's metadata without its body, for reports over many articles."""

    id: int
    title: str | None
    url: str | None
    outlet: str | None
    domain: str | None
    published: Published | None
    language: str | None
    origin: str

