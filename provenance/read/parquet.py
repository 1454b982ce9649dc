"""Parquet files into Documents: one article per row, with the columns a JSONL record has.

The columns are read by name as JSONL fields are (``url, title, text`` or ``html, published,
outlet``, and the other names ``document_from_record`` knows); other columns are not read. Rows are
read a batch at a time, never the whole file. A row becomes exactly the Document its JSON record
would; a timestamp column is read as ISO 8601 (a naive one stays without a time zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from provenance.errors import ExtractionError
from provenance.read.document import Document, Failure
from provenance.read.records import RECORD_FIELDS, document_from_record

PARQUET_MAGIC = b"PAR1"
ROWS_AT_ONCE = 1000
"""Rows converted to Python at a time."""


def _plain(value: Any) -> Any:
    """A cell as JSON would give it: times as ISO 8601 text, bytes as text."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def documents_from_parquet(source: Path | IO[bytes], origin: str) -> Iterator[Document | Failure]:
    """One Document per row of a Parquet file; a row that is no article is a Failure that names its
    row (``file.parquet:row 7``), a file that is no Parquet one a Failure naming the file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(source)
    except (pa.ArrowException, OSError, ValueError) as error:
        yield Failure(origin, f"is not a readable Parquet file: {_first_line(error)}")
        return
    names = table.schema_arrow.names
    if not {"text", "html", "body", "content", "maintext", "raw_html"} & set(names):
        yield Failure(origin, "Parquet file has no 'text' or 'html' column")
        return
    columns = [name for name in names if name in RECORD_FIELDS]
    row = 0
    try:
        for batch in table.iter_batches(batch_size=ROWS_AT_ONCE, columns=columns):
            for record in batch.to_pylist():
                row += 1
                where = f"{origin}:row {row}"
                plain = {key: _plain(value) for key, value in record.items() if value is not None}
                try:
                    yield replace(document_from_record(plain, where), format="parquet")
                except ExtractionError as error:
                    yield Failure(where, error.bare_reason)
    except (pa.ArrowException, OSError, ValueError) as error:
        yield Failure(origin, f"Parquet file is damaged after row {row}: {_first_line(error)}")
        return
    if row == 0:
        yield Failure(origin, "Parquet file holds no rows")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
