"""Documents: what every input becomes (text, URL, dates, outlet), and plain text with its sidecar
metadata.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import stat
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import charset_normalizer

from provenance.errors import ExtractionError, InputError
from provenance.read.dates import Published, find_date_in_text, parse_published
from provenance.text.normalize import shorten

WARC_SUFFIXES = {".warc", ".arc"}
_SNIFF_BYTES = 8192


_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""Control characters (tab and newlines aside) and lone surrogates: no database stores the one
(PostgreSQL refuses NUL) or any encoder the other (a file name that is not UTF-8).
"""
_TEXT_FIELDS = ("origin", "text", "title", "url", "canonical_url", "outlet", "author", "language")


def scrub(value: str) -> str:
    """A text without control characters (tab and newlines kept) and with U+FFFD for each lone
    surrogate.
    """
    return _UNSTORABLE.sub(
        lambda match: "\ufffd" if "\ud800" <= match.group(0) <= "\udfff" else "", value
    )


@dataclass(frozen=True)
class Document:
    """An article as read from its input, before body and furniture are split.

    Args:
        origin: where it came from: a path, ``path:line``, ``path:row N``, ``path@offset`` or a
            URL.
        format: ``text``, ``html``, ``jsonl``, ``parquet`` or ``warc``.
        text: the main text, one paragraph a line.
        title: the headline, if known.
        url: the address it was published at.
        canonical_url: its ``rel=canonical`` or ``og:url``, if it differs or is all there is.
        outlet: the publishing site's name or domain.
        author: the byline, if known.
        published: the publication time with its precision, if known.
        language: ISO 639-1 code as given; None until detected when the input does not say.
        title_in_text: the first line of ``text`` is the title (plain-text input).
        seen_at: when a crawler fetched it (a WARC record's ``WARC-Date``), in UTC: not its publication time.
        notes: what was wrong with the input but did not stop it being read (a field that is no date, say).

    Examples:
        >>> Document(origin="a.txt", format="text", text="Hello").domain is None
        True
    """

    origin: str
    format: str
    text: str
    title: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: Published | None = None
    language: str | None = None
    title_in_text: bool = False
    seen_at: datetime | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        scrubbed = []
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str) and _UNSTORABLE.search(value):
                object.__setattr__(self, name, scrub(value))
                scrubbed.append(name)
        if scrubbed:
            note = f"control characters or lone surrogates removed from its {', '.join(scrubbed)}"
            object.__setattr__(self, "notes", tuple(dict.fromkeys((*self.notes, note))))

    @property
    def domain(self) -> str | None:
        """The host of the URL (or the canonical URL), without ``www.``."""
        return domain_of(self.url or self.canonical_url)


@dataclass(frozen=True)
class Failure:
    """An input that could not be read, and why."""

    origin: str
    reason: str


def domain_of(url: str | None) -> str | None:
    """The host of a URL without a leading ``www.``, lower-cased."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:  # "http://[", an unclosed IPv6 bracket: a page's bad URL names no host
        return None
    if not host:
        return None
    return host.removeprefix("www.")


# ---- bytes and text -----------------------------------------------------------------


def decode_bytes(data: bytes, origin: str) -> str:
    """Text from bytes in UTF-8 or a detected legacy encoding (cp1251, latin-1, ...); binary is
    refused.
    """
    if not data.strip():
        raise ExtractionError("empty file", origin)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise ExtractionError("binary file, not text, HTML, JSONL or WARC", origin)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise ExtractionError("binary or undecodable file: no text encoding fits", origin)
    return data.decode(best.encoding, errors="replace")


def check_readable_file(path: Path, max_bytes: int) -> None:
    """Refuse a missing file, a device or FIFO, and a file of more than max_bytes."""
    try:
        status = path.stat()
    except FileNotFoundError as error:
        raise InputError(f"no such file or folder: {path}") from error
    if not stat.S_ISREG(status.st_mode):
        raise ExtractionError("not a regular file (a device, FIFO or socket): refused", str(path))
    if status.st_size > max_bytes:
        raise ExtractionError(
            f"file is {status.st_size:,} bytes, over the limit of {max_bytes:,} (raise it with --max-size)",
            str(path),
        )


def read_limited(path: Path, max_bytes: int) -> bytes:
    """A file's bytes, gzip-decompressed for ``.gz`` (WARC aside); refusing a missing file, a device
    or FIFO, and more than max_bytes read or decompressed.
    """
    check_readable_file(path, max_bytes)
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ExtractionError(
            f"file grew past the limit of {max_bytes:,} bytes while it was read", str(path)
        )
    if path.suffix == ".gz" and not _is_warc_name(path.name):
        data = gunzip_limited(data, max_bytes, str(path))
    return data


def gunzip_limited(data: bytes, max_bytes: int, origin: str) -> bytes:
    """Gzip data decompressed a piece at a time, refused once it passes max_bytes (a compression
    bomb stops there).
    """
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inflated = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ExtractionError(f"not valid gzip: {error}", origin) from error
    if len(inflated) > max_bytes:
        raise ExtractionError(
            f"decompresses to more than the limit of {max_bytes:,} bytes (raise it with --max-size)",
            origin,
        )
    return inflated


def document_from_text(text: str, origin: str, metadata: dict[str, Any] | None = None) -> Document:
    """A plain-text article: the first line is its title, a date near the top its publication date."""
    metadata = metadata or {}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ExtractionError("no text in file", origin)
    url = _text_field(metadata, "url")
    notes: list[str] = []
    published = _published_field(metadata, notes) or find_date_in_text(text)
    return Document(
        origin=origin,
        format="text",
        text="\n".join(lines),
        title=_text_field(metadata, "title") or lines[0],
        url=url,
        canonical_url=_text_field(metadata, "canonical_url"),
        outlet=_text_field(metadata, "outlet", "source", "site") or domain_of(url),
        author=_text_field(metadata, "author"),
        published=published,
        language=_language_field(metadata, notes),
        title_in_text=not _text_field(metadata, "title"),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class PageFacts:
    """What an HTML page's head states about it: its ``rel=canonical`` and ``og:url`` addresses and
    its publication time.
    """

    canonical: str | None = None
    og_url: str | None = None
    published: Published | None = None


def _first(record: dict[str, Any], *names: str) -> Any:
    for name in names:
        if record.get(name) not in (None, ""):
            return record[name]
    return None


def _text_field(record: dict[str, Any], *names: str, joiner: str = ", ") -> str | None:
    """The first of these fields that is set, as text: a string or number as it is, a list of
    strings joined; anything else is bad input.
    """
    value = _first(record, *names)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return joiner.join(item.strip() for item in value if item.strip()) or None
    name = next(name for name in names if record.get(name) not in (None, ""))
    kind = {dict: "a JSON object", list: "a list that is not all text", bool: "true or false"}.get(
        type(value), type(value).__name__
    )
    raise ExtractionError(f"field {name!r} holds {kind}, not text")


_DATE_FIELDS = ("published", "date", "published_at", "date_publish")


def _published_field(record: dict[str, Any], notes: list[str]) -> Published | None:
    """The record's publication time; a value that is no date is noted (the article is stored
    without one).
    """
    value = _first(record, *_DATE_FIELDS)
    found = parse_published(value)
    if found is None and value is not None:
        name = next(name for name in _DATE_FIELDS if record.get(name) not in (None, ""))
        notes.append(
            f"{name!r} is not a date ({shorten(json.dumps(value, ensure_ascii=False, default=str), 60)}): stored without a publication date"
        )
    return found


_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8}){0,2}$", re.IGNORECASE)


def _language_field(record: dict[str, Any], notes: list[str]) -> str | None:
    """A language the record gives as a code (``de``, ``en-GB``); anything else is noted and left
    for detection.
    """
    value = _text_field(record, "language", "lang")
    if value and not _LANGUAGE_CODE.match(value):
        notes.append(
            f"'language' is not a language code ({shorten(value, 40)}): the language is detected instead"
        )
        return None
    return value.lower().replace("_", "-") if value else None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    """A JSON value with every lone surrogate (a broken "\\ud800" escape, which no encoder accepts) replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {key: _without_lone_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    return value


def _is_warc_name(name: str) -> bool:
    return name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))
