"""Parquet files into Documents: one article per row, with the columns a JSONL record has.

The columns are read by name as JSONL fields are (``url, title, text`` or ``html, published,
outlet``, and the other names ``document_from_record`` knows); other columns are not read. Rows are
read a batch at a time, never the whole file, and a row becomes the Document its JSON record would
(its format ``parquet``). A timestamp or date column is read as ISO 8601 text: a zoned timestamp
keeps its offset, a naive one is a time with no zone, a date is a date only.

pyarrow is imported when a Parquet file is read, not before: a command's start does not pay for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from provenance.errors import ExtractionError
from provenance.read.document import Document, Failure
from provenance.read.records import RECORD_FIELDS, document_from_record

PARQUET_MAGIC = b"PAR1"
"""The first (and last) four bytes of a Parquet file."""
ROWS_AT_ONCE = 1000
"""Rows converted to Python at a time."""
BODY_COLUMNS = frozenset({"text", "body", "content", "maintext", "html", "raw_html"})
"""The columns that can hold an article's body: a file with none of them holds no articles."""


def documents_from_parquet(
    source: Path | IO[bytes], origin: str, max_bytes: int = 50 * 1024 * 1024
) -> Iterator[Document | Failure]:
    """One Document per row of a Parquet file; a row that is no article is a Failure that names its
    row (``file.parquet:row 7``); a file that is no Parquet one, or has no body column, and a
    damaged row group (the others are read) a Failure naming the file.

    A row group whose columns read take more than `max_bytes` uncompressed refuses the file: it
    would be held in memory whole.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source)
    except (pa.ArrowException, OSError, ValueError) as error:
        yield Failure(origin, f"is not a readable Parquet file: {_first_line(error)}")
        return
    try:
        yield from _documents_of_file(parquet, origin, max_bytes)
    finally:
        parquet.close()


def _documents_of_file(parquet: Any, origin: str, max_bytes: int) -> Iterator[Document | Failure]:
    """The rows of an opened ParquetFile, checked first for a body column and their size."""
    import pyarrow as pa

    names = parquet.schema_arrow.names
    if not BODY_COLUMNS & set(names):
        yield Failure(origin, "Parquet file has no 'text' or 'html' column")
        return
    columns = [name for name in names if name in RECORD_FIELDS]
    largest = _largest_row_group(parquet.metadata, set(columns))
    if largest > max_bytes:
        yield Failure(
            origin,
            f"a row group is {largest:,} bytes uncompressed, over the limit of {max_bytes:,} "
            "(raise it with --max-size)",
        )
        return
    if parquet.metadata.num_rows == 0:
        yield Failure(origin, "Parquet file holds no rows")
        return
    first = 1
    for group in range(parquet.metadata.num_row_groups):
        rows = parquet.metadata.row_group(group).num_rows
        try:
            yield from _documents_of_row_group(parquet, group, columns, origin, first)
        except (pa.ArrowException, OSError, ValueError) as error:
            yield Failure(
                origin,
                f"Parquet row group {group + 1} (rows {first} to {first + rows - 1}) is damaged: "
                f"{_first_line(error)}",
            )
        first += rows


def _documents_of_row_group(
    parquet: Any, group: int, columns: list[str], origin: str, first: int
) -> Iterator[Document | Failure]:
    """The rows of one row group, ROWS_AT_ONCE at a time, numbered from `first`."""
    row = first
    for batch in parquet.iter_batches(ROWS_AT_ONCE, row_groups=[group], columns=columns):
        for record in _records_of_batch(batch):
            yield _document_of_row(record, f"{origin}:row {row}")
            row += 1


def _largest_row_group(metadata: Any, columns: set[str]) -> int:
    """The most bytes, uncompressed, that the given columns take in one row group."""
    largest = 0
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        size = sum(
            row_group.column(index).total_uncompressed_size
            for index in range(row_group.num_columns)
            if row_group.column(index).path_in_schema.split(".")[0] in columns
        )
        largest = max(largest, size)
    return largest


def _records_of_batch(batch: Any) -> Iterator[dict[str, Any]]:
    """A record batch's rows as JSON records: times and dates as ISO 8601 text, bytes as text, and
    null cells left out (as a missing key).
    """
    import pyarrow as pa

    values = []
    for column in batch.columns:
        if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
            column = column.cast(pa.string())  # '2024-05-02 10:30:00.000000+0200', '2024-05-02'
        values.append(column.to_pylist())
    for row in zip(*values, strict=True):
        yield {
            name: value.decode("utf-8", "replace") if isinstance(value, bytes) else value
            for name, value in zip(batch.schema.names, row, strict=True)
            if value is not None
        }


def _document_of_row(record: dict[str, Any], where: str) -> Document | Failure:
    """The Document of one row, or the Failure that says why it is none."""
    try:
        return replace(document_from_record(record, where), format="parquet")
    except ExtractionError as error:
        return Failure(where, error.bare_reason)


def _first_line(error: BaseException) -> str:
    """An error's message, its first line only (pyarrow's run to several)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
