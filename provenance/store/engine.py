"""Opening and upgrading a database: the engine, SQLite's pragmas, and Alembic migrations under a
lock.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
)

from provenance.errors import DatabaseError
from provenance.store.schema import log

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

# alembic is imported where a schema is compared or changed, not for a database at the head
# revision already (see migrate): its import and the scripts' took 0.15 s of `provenance check`.

MIGRATION_LOCK_KEY = 0x70726F6D  # "prom"
SEARCH_OBJECTS = ("paragraphs_fts", "ix_paragraphs_text_search")


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Whether schema comparison should look at an object: not the search index, which lives outside
    the models.
    """
    return not (name or "").startswith(SEARCH_OBJECTS)


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option(
        "script_location", str(resources.files("provenance.store").joinpath("migrations"))
    )
    return config


def head_revision() -> str:
    """The schema revision this version of provenance writes."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Connection settings; the driver begins no transaction of its own (``_begin_sqlite`` does, for
    DDL too).
    """
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
    connection.exec_driver_sql(
        f"BEGIN {connection.get_execution_options().get('sqlite_begin', 'DEFERRED')}"
    )


def _sqlite_file(parsed: URL) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory database."""
    if (
        parsed.get_backend_name() != "sqlite"
        or parsed.database in (None, "", ":memory:")
        or str(parsed.database).startswith("file:")
    ):
        return None
    return Path(str(parsed.database))


def _check_sqlite_file(path: Path, create: bool) -> None:
    """Refuse a SQLite path that is a folder, that does not exist when it may not be created, or
    whose folder is missing.
    """
    if path.is_dir():
        raise DatabaseError(f"cannot open database {path}: it is a folder, not a database file")
    if path.exists():
        return
    if not create:
        raise DatabaseError(
            f"no database at {path}: nothing is stored yet (run 'provenance ingest' to create it; this command never creates one)"
        )
    if not path.parent.is_dir():
        raise DatabaseError(f"cannot create database {path}: folder {path.parent} does not exist")


def create_db_engine(url: str, create: bool = True) -> Engine:
    """An engine for a database URL; a bad URL, a missing folder, or (with create False) a missing
    SQLite file is a DatabaseError.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:
        raise DatabaseError(
            f"not a database URL: {url!r} (try sqlite:///db/provenance.sqlite or postgresql+psycopg://user@host/db)"
        ) from error
    if (path := _sqlite_file(parsed)) is not None:
        _check_sqlite_file(path, create)
    try:
        engine = create_engine(parsed, future=True, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError, ArgumentError, ValueError, TypeError) as error:
        raise DatabaseError(
            f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: {error}"
        ) from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
    return engine


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, revision: str = "head", create: bool = True) -> None:
    """Bring the schema to a revision (the newest by default), refusing a database that is not ours or is newer.

    With `create` False an empty database is refused instead of given the schema: a read-only
    command must not create one. An older schema is still upgraded. The upgrade is one
    transaction under the database's migration lock (PostgreSQL: an advisory lock; SQLite: BEGIN
    IMMEDIATE, its DDL made transactional too), so processes opening a new database at once
    create it once, and an upgrade stopped at any point leaves the old schema whole for the next run.
    """
    with engine.connect() as connection:
        stored = _stored_revision(connection)
    if stored is not None and stored == (_head_of_scripts() if revision == "head" else revision):
        return  # at the revision already: told by one query, without alembic
    from alembic import command

    head = head_revision() if revision == "head" else revision
    with engine.connect() as connection:
        current = _current_revision(connection)
    if current == head:
        return
    with (
        engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection,
        connection.begin(),
    ):
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        current = _current_revision(connection)
        if current == head:
            return
        _check_upgradable(connection, current, head, create)
        config = _alembic_config()
        config.attributes["connection"] = connection
        if current is not None:
            log.warning("upgrading database schema from %s to %s", current, head)
        command.upgrade(config, revision)


def _stored_revision(connection: Connection) -> str | None:
    """The database's revision read with plain SQL from alembic's table; None when there is no one
    revision to read (alembic then looks).
    """
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no such table: a new database, or not ours
        return None
    return str(rows[0]) if len(rows) == 1 else None


_SCRIPT_REVISION = re.compile(
    r"""^revision(?:\s*:[^=\n]+)?\s*=\s*(['"])([^'"\n]+)\1\s*$""", re.MULTILINE
)
_SCRIPT_DOWN_REVISION = re.compile(r"""^down_revision(?:\s*:[^=\n]+)?\s*=\s*(.*)$""", re.MULTILINE)


def _head_of_scripts() -> str | None:
    """The head revision read from the migration scripts' text, without alembic; None when any script is not of the plain shape this reads.

    Each script must say ``revision = "…"`` and ``down_revision = "…"`` (or None, or a tuple of
    them) on lines of their own; the head is the one revision no script names as its down
    revision. tests/test_startup.py checks that it is alembic's head.
    """
    try:
        scripts = [
            path
            for path in resources.files("provenance.store")
            .joinpath("migrations", "versions")
            .iterdir()
            if path.name.endswith(".py") and path.name != "__init__.py"
        ]
        revisions, downs = set(), set()
        for script in scripts:
            source = script.read_text(encoding="utf-8")
            found, down = _SCRIPT_REVISION.findall(source), _SCRIPT_DOWN_REVISION.findall(source)
            if (
                len(found) != 1
                or len(down) != 1
                or not re.fullmatch(
                    r"""None|(['"])[^'"]+\1|\((?:\s*(['"])[^'"]+\2\s*,?)+\)""", down[0].strip()
                )
            ):
                return None
            revisions.add(found[0][1])
            downs.update(re.findall(r"""['"]([^'"]+)['"]""", down[0]))
    except (OSError, UnicodeDecodeError, TypeError, ValueError):
        return None
    heads = revisions - downs
    return heads.pop() if len(revisions) == len(scripts) and len(heads) == 1 else None


def _check_upgradable(connection: Connection, current: str | None, head: str, create: bool) -> None:
    """Refuse a database that is not ours, is newer than this version, or (with create False) holds
    no schema yet.
    """
    tables = set(inspect(connection).get_table_names())
    if current is None and tables - {"alembic_version"}:
        raise DatabaseError(
            "the database holds tables but no provenance schema: point --db at an empty or a provenance database"
        )
    if current is None and not create:
        raise DatabaseError(
            "the database holds no provenance data yet: run 'provenance ingest' to create it (this command never creates one)"
        )
    from alembic.script import ScriptDirectory

    known = {
        script.revision
        for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
    }
    if current is not None and current not in known:
        raise DatabaseError(
            f"the database schema {current} is newer than this provenance ({head}): upgrade provenance"
        )
