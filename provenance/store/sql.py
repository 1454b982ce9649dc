"""SQL helpers the reader and the writer share: chunks, driver connections, search terms, column
limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    String,
    Table,
)
from sqlalchemy.orm import (
    Session,
)

from provenance.sketch.fingerprint import sorted_unique
from provenance.sketch.index import Members
from provenance.store.schema import (
    Article,
    Base,
)

_ARTICLE_LIMITS: dict[str, int] = {}
"""Filled below, once the models are complete: Article's columns with a length limit."""


def _fts5_term(term: str) -> str:
    """A search term as FTS5 writes it: quoted, with a trailing * for a prefix."""
    word = term.rstrip("*").replace('"', "")
    return f'"{word}"*' if term.endswith("*") else f'"{word}"'


def _tsquery_term(term: str) -> str:
    """A search term as PostgreSQL's to_tsquery writes it: word, or word:* for a prefix."""
    word = "".join(char for char in term.rstrip("*") if char.isalnum())
    return f"{word}:*" if term.endswith("*") else word


def _unique_keys(keys: Iterable[int] | npt.NDArray[np.int64]) -> list[int]:
    """Keys as a sorted list of distinct Python ints."""
    unique: list[int] = sorted_unique(
        np.asarray(keys if isinstance(keys, np.ndarray) else list(keys), dtype=np.int64)
    ).tolist()
    return unique


def _array_literal(keys: list[int]) -> str:
    """A PostgreSQL array literal: psycopg's list adapter took 0.3 s for a batch's keys."""
    return "{" + ",".join(map(str, keys)) + "}"


def _newest_per_key(members: Members, per_key: int) -> Members:
    """At most `per_key` members of each key, the newest (highest ids)."""
    if not len(members.keys):
        return members
    order = np.lexsort((-members.article_ids, members.keys))
    keys, ids = members.keys[order], members.article_ids[order]
    group_start = np.searchsorted(keys, keys, side="left")
    kept = np.arange(len(keys)) - group_start < per_key
    order = np.lexsort((ids[kept], keys[kept]))
    return Members(keys[kept][order], ids[kept][order])


def _driver(session: Session) -> Any:
    """The DBAPI connection (sqlite3 or psycopg) under a session's transaction."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    return driver


def _length_limits(model: type[Base]) -> dict[str, int]:
    """The columns of a model with a length limit, and the limit."""
    return {
        column.name: int(column.type.length)
        for column in _table(model).columns
        if isinstance(column.type, String) and column.type.length
    }


def _fitted(row: dict[str, Any], limits: dict[str, int]) -> dict[str, Any]:
    """An article row whose texts fit their columns, identically on every backend (SQLite would
    store them whole, PostgreSQL refuse them).
    """
    cut = [
        name
        for name, limit in limits.items()
        if isinstance(row.get(name), str) and len(row[name]) > limit
    ]
    return {**row, **{name: row[name][: limits[name]] for name in cut}} if cut else row


def _table(model: type[Base]) -> Table:
    """The Core table of a model, for fast executemany inserts."""
    return cast(Table, model.__table__)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else error.__class__.__name__


_ARTICLE_LIMITS.update(_length_limits(Article))
