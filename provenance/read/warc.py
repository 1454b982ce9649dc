"""WARC files into Documents: each response record's page, with a record cut short reported."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from provenance.errors import ExtractionError
from provenance.read.dates import parse_published
from provenance.read.document import Document, Failure, decode_bytes
from provenance.read.html import document_from_html


def documents_from_warc(
    stream: BinaryIO, origin: str, max_bytes: int = 50 * 1024 * 1024
) -> Iterator[Document | Failure]:
    """One Document per HTML response record of up to max_bytes; a record cut short (of any type) or
    a broken one ends the file with a Failure.
    """
    count = 0
    records = ArchiveIterator(stream)
    try:
        for record in records:
            payload = _page_payload(record, max_bytes)
            missing = _unread_bytes(record)
            where = f"{origin}@{records.get_record_offset()}"  # known once the record is read to its end
            if missing > 0:
                yield Failure(
                    where,
                    f"truncated WARC: its {record.rec_type or 'last'} record is cut short ({missing:,} bytes missing) after {count} pages read",
                )
                return
            if payload is None:
                continue
            found = _document_of_record(record, payload, where, max_bytes)
            count += isinstance(found, Document)
            yield found
    except (
        ArchiveLoadFailed,
        EOFError,
        OSError,
        ValueError,
        AttributeError,
        TypeError,
        zlib.error,
    ) as error:
        why = (
            str(error)
            if isinstance(error, (ArchiveLoadFailed, OSError, zlib.error)) and str(error)
            else "a record's header is cut short or malformed"
        )
        yield Failure(origin, f"truncated or broken WARC record after {count} pages read: {why}")
        return
    if count == 0:
        yield Failure(origin, "WARC holds no HTML response records")


def _page_payload(record: Any, max_bytes: int) -> bytes | None:
    """The HTML page of a response record, at most max_bytes + 1 of it; None for any other record."""
    if record.rec_type != "response":
        return None
    content_type = record.http_headers.get_header("Content-Type", "") if record.http_headers else ""
    if "html" not in content_type.lower():
        return None
    return bytes(record.content_stream().read(max_bytes + 1))


def _document_of_record(
    record: Any, payload: bytes, where: str, max_bytes: int
) -> Document | Failure:
    """The Document of a whole HTML response record, or a Failure saying why there is none."""
    if len(payload) > max_bytes:
        return Failure(
            where,
            f"WARC record's page is over the limit of {max_bytes:,} bytes (raise it with --max-size)",
        )
    url = record.rec_headers.get_header("WARC-Target-URI")
    seen_at = _warc_date(record.rec_headers.get_header("WARC-Date"))
    try:
        return replace(
            document_from_html(decode_bytes(payload, where), where, url),
            format="warc",
            seen_at=seen_at,
        )
    except ExtractionError as error:
        return Failure(where, error.bare_reason)


def _unread_bytes(record: Any) -> int:
    """Read what is left of a record's block and say how many of its declared bytes never came (0
    for a whole record).
    """
    raw = record.raw_stream
    while raw.read(1 << 16):
        pass
    return int(getattr(raw, "limit", 0) or 0)


def _warc_date(value: str | None) -> datetime | None:
    """A WARC-Date header as a naive UTC datetime."""
    found = parse_published(value) if value else None
    return found.moment if found is not None and found.zoned else None
