"""Inputs: files, folders, URLs and stdin, their formats sniffed, each into Documents or one
Failure.
"""

from __future__ import annotations

import io
import json
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from provenance.errors import ExtractionError, FetchError, InputError
from provenance.read.document import (
    Document,
    Failure,
    _is_warc_name,
    check_readable_file,
    decode_bytes,
    document_from_text,
    gunzip_limited,
    read_limited,
    scrub,
)
from provenance.read.fetch import fetch_url
from provenance.read.html import document_from_html
from provenance.read.parquet import PARQUET_MAGIC, documents_from_parquet
from provenance.read.records import documents_from_jsonl
from provenance.read.warc import documents_from_warc

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
PARQUET_SUFFIXES = {".parquet"}
SIDECAR_SUFFIX = ".meta.json"


# ---- formats ------------------------------------------------------------------------


def _read_sidecar(path: Path) -> dict[str, Any]:
    sidecar = path.with_name(path.name.removesuffix(path.suffix) + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        loaded = json.loads(sidecar.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ExtractionError(
            f"sidecar metadata {sidecar.name} is not valid JSON: {error}", str(path)
        ) from error
    if not isinstance(loaded, dict):
        raise ExtractionError(f"sidecar metadata {sidecar.name} must be a JSON object", str(path))
    return loaded


def _sniff_format(data: bytes) -> str:
    head = data[:64].lstrip()
    if head.startswith(b"WARC/") or data[:2] == b"\x1f\x8b":
        return "warc"
    if data[:4] == PARQUET_MAGIC:
        return "parquet"
    if head.startswith(b"{"):
        return "jsonl"
    if head[:1] == b"<":
        return "html"
    return "text"


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    if _is_warc_name(name):
        return "warc"
    suffixes = [s for s in path.suffixes[-2:] if s != ".gz"]
    suffix = suffixes[-1].lower() if suffixes else ""
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return None


def documents_from_bytes(
    data: bytes, origin: str, fmt: str, path: Path | None = None, max_bytes: int = 50 * 1024 * 1024
) -> Iterator[Document | Failure]:
    """The Documents held in one input's bytes, in the given format."""
    if fmt == "warc":
        yield from documents_from_warc(io.BytesIO(data), origin, max_bytes)
        return
    if fmt == "parquet":
        yield from documents_from_parquet(io.BytesIO(data), origin, max_bytes)
        return
    try:
        text = decode_bytes(data, origin)
        if fmt == "jsonl":
            yield from documents_from_jsonl(text, origin)
        elif fmt == "html":
            yield document_from_html(text, origin)
        else:
            metadata = _read_sidecar(path) if path is not None else {}
            yield document_from_text(text, origin, metadata)
    except ExtractionError as error:
        yield Failure(origin, error.bare_reason)


def documents_from_upload(data: bytes, name: str, max_bytes: int) -> Iterator[Document | Failure]:
    """The Documents of an uploaded file: its format from its name, else sniffed from its bytes; gzip undone within `max_bytes`."""
    origin = printable_name(name) or "upload"
    if len(data) > max_bytes:
        yield Failure(origin, f"is larger than the limit of {max_bytes:,} bytes")
        return
    fmt = _format_of(Path(name)) if name else None
    if data[:2] == b"\x1f\x8b" and fmt != "warc":
        try:
            data = gunzip_limited(data, max_bytes, origin)
        except ExtractionError as error:
            yield Failure(origin, error.bare_reason)
            return
    yield from documents_from_bytes(data, origin, fmt or _sniff_format(data), max_bytes=max_bytes)


def _expand(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if (
                child.is_file()
                and not child.name.startswith(".")
                and not child.name.endswith(SIDECAR_SUFFIX)
            ):
                if _format_of(child) is not None:
                    yield child
    else:
        yield path


def is_url(target: str) -> bool:
    """Whether a target names an http(s) URL rather than a path."""
    return target.startswith(("http://", "https://"))


def iter_documents(
    targets: Iterable[str],
    max_bytes: int,
    stdin: BinaryIO | None = None,
    allow_private_urls: bool = False,
) -> Iterator[Document | Failure]:
    """Every Document in the given files, folders (recursively), URLs and '-' for standard input.

    An input that cannot be read, whatever the reason, is a Failure naming it: the other inputs are read on.
    """
    for target in targets:
        try:
            yield from _documents_of_target(target, max_bytes, stdin, allow_private_urls)
        except (ExtractionError, FetchError) as error:
            yield Failure(target, getattr(error, "bare_reason", error.reason))
        except (
            OSError,
            ValueError,
            EOFError,
            MemoryError,
            RecursionError,
            UnicodeError,
            LookupError,
            zlib.error,
        ) as error:
            yield Failure(
                printable_name(target), f"could not be read: {type(error).__name__}: {error}"
            )


def printable_name(name: str) -> str:
    """A path as a line can show it: a file name that is not UTF-8 gets U+FFFD where its bytes are
    not text.
    """
    return scrub(name)


def _documents_of_target(
    target: str, max_bytes: int, stdin: BinaryIO | None, allow_private_urls: bool
) -> Iterator[Document | Failure]:
    if target == "-":
        data = (stdin or sys.stdin.buffer).read(max_bytes + 1)
        if len(data) > max_bytes:
            yield Failure("-", f"standard input is over the limit of {max_bytes:,} bytes")
            return
        yield from documents_from_bytes(data, "-", _sniff_format(data), max_bytes=max_bytes)
        return
    if is_url(target):
        try:
            fetched = fetch_url(target, max_bytes, allow_private_urls)
        except FetchError as error:
            yield Failure(target, error.reason)
            return
        yield from _documents_at_url(fetched.body, target)
        return
    root = Path(target)
    if not root.exists():
        yield Failure(printable_name(target), "no such file or folder")
        return
    found = False
    for path in _expand(root):
        found = True
        yield from _documents_in_file(path, max_bytes)
    if not found:
        yield Failure(
            printable_name(target),
            "folder holds no readable articles (.txt, .html, .jsonl, .parquet, .warc[.gz])",
        )


def _documents_at_url(data: bytes, url: str) -> Iterator[Document | Failure]:
    try:
        yield document_from_html(decode_bytes(data, url), url, url)
    except ExtractionError as error:
        yield Failure(url, error.bare_reason)


def _documents_in_file(path: Path, max_bytes: int) -> Iterator[Document | Failure]:
    origin = printable_name(str(path))
    if _format_of(path) == "parquet" and path.suffix.lower() != ".gz":
        yield from _documents_in_parquet_file(path, origin, max_bytes)
        return
    try:
        data = read_limited(path, max_bytes)
    except (ExtractionError, OSError, EOFError) as error:
        yield Failure(origin, getattr(error, "bare_reason", None) or str(error))
        return
    fmt = _format_of(path) or _sniff_format(data)
    yield from documents_from_bytes(data, origin, fmt, path, max_bytes)


def _documents_in_parquet_file(
    path: Path, origin: str, max_bytes: int
) -> Iterator[Document | Failure]:
    """A Parquet file's rows, read from the file a batch at a time (it is not read whole), within
    the limits every file has.
    """
    try:
        check_readable_file(path, max_bytes)
    except (InputError, OSError) as error:
        yield Failure(origin, getattr(error, "bare_reason", None) or str(error))
        return
    yield from documents_from_parquet(path, origin, max_bytes)
