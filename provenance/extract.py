"""Read HTML, plain text, JSONL, WARC and URLs into Documents; raises ExtractionError on a bad one."""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import charset_normalizer
import lxml.html
import trafilatura
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .dates import Published, find_date_in_text, parse_published, published_from_guess, published_in_html
from .errors import ExtractionError, FetchError, InputError
from .language import detect_language

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
WARC_SUFFIXES = {".warc", ".arc"}
SIDECAR_SUFFIX = ".meta.json"
_SNIFF_BYTES = 8192
MIN_HTML_WORDS = 5


@dataclass(frozen=True)
class Document:
    """An article as read from its input, before body and furniture are split.

    Args:
        origin: where it came from: a path, ``path:line``, ``path@offset`` or a URL.
        format: ``text``, ``html``, ``jsonl`` or ``warc``.
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
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    if not host:
        return None
    return host.removeprefix("www.")


# ---- bytes and text -----------------------------------------------------------------


def decode_bytes(data: bytes, origin: str) -> str:
    """Text from bytes in UTF-8 or a detected legacy encoding (cp1251, latin-1, ...); binary is refused."""
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


def read_limited(path: Path, max_bytes: int) -> bytes:
    """A file's bytes, refusing a missing file, a folder or one over the size limit."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise InputError(f"no such file or folder: {path}") from error
    if size > max_bytes:
        raise ExtractionError(f"file is {size:,} bytes, over the limit of {max_bytes:,} (raise it with --max-size)", str(path))
    data = path.read_bytes()
    if path.suffix == ".gz" and not _is_warc_name(path.name):
        data = gzip.decompress(data)
    return data


# ---- formats ------------------------------------------------------------------------


def _read_sidecar(path: Path) -> dict[str, Any]:
    sidecar = path.with_name(path.name.removesuffix(path.suffix) + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        loaded = json.loads(sidecar.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ExtractionError(f"sidecar metadata {sidecar.name} is not valid JSON: {error}", str(path)) from error
    if not isinstance(loaded, dict):
        raise ExtractionError(f"sidecar metadata {sidecar.name} must be a JSON object", str(path))
    return loaded


def document_from_text(text: str, origin: str, metadata: dict[str, Any] | None = None) -> Document:
    """A plain-text article: the first line is its title, a date near the top its publication date."""
    metadata = metadata or {}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ExtractionError("no text in file", origin)
    url = _text_field(metadata, "url")
    return Document(
        origin=origin,
        format="text",
        text="\n".join(lines),
        title=_text_field(metadata, "title") or lines[0],
        url=url,
        canonical_url=_text_field(metadata, "canonical_url"),
        outlet=_text_field(metadata, "outlet", "source", "site") or domain_of(url),
        author=_text_field(metadata, "author"),
        published=parse_published(_first(metadata, "published", "date", "published_at")) or find_date_in_text(text),
        language=_text_field(metadata, "language", "lang"),
        title_in_text=not _text_field(metadata, "title"),
    )


@dataclass(frozen=True)
class PageFacts:
    """What an HTML page's head states about it: its ``rel=canonical`` and ``og:url`` addresses and its publication time."""

    canonical: str | None = None
    og_url: str | None = None
    published: Published | None = None


def page_facts(html: str) -> PageFacts:
    """The canonical and ``og:url`` addresses and the stated publication time of an HTML page."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return PageFacts()
    canonical = tree.xpath("string(//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href)").strip() or None
    og_url = tree.xpath("string(//meta[@property='og:url']/@content)").strip() or None
    return PageFacts(canonical, og_url, published_in_html(tree))


def document_from_html(html: str, origin: str, url: str | None = None) -> Document:
    """The main text and metadata of an HTML page, through trafilatura."""
    if "<" not in html:
        raise ExtractionError("not HTML: no markup found", origin)
    extracted = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    result: dict[str, Any] = extracted.as_dict() if extracted is not None and not isinstance(extracted, dict) else (extracted or {})
    words = len((result.get("text") or "").split())
    if words < MIN_HTML_WORDS:
        raise ExtractionError(f"HTML holds no article text that trafilatura could find ({words} words)", origin)
    facts = page_facts(html)
    canonical, og_url = facts.canonical, facts.og_url
    page_url = url or og_url or canonical or result.get("url")
    text = str(result["text"])
    return Document(
        origin=origin,
        format="html",
        text=text,
        title=result.get("title") or None,
        url=page_url,
        canonical_url=canonical or og_url,
        outlet=result.get("sitename") or domain_of(page_url),
        author=result.get("author") or None,
        published=facts.published or published_from_guess(result.get("date")),
        language=detect_language(text) or result.get("language"),
    )


def _first(record: dict[str, Any], *names: str) -> Any:
    for name in names:
        if record.get(name) not in (None, ""):
            return record[name]
    return None


def _text_field(record: dict[str, Any], *names: str) -> str | None:
    value = _first(record, *names)
    return str(value).strip() or None if value is not None else None


def document_from_record(record: dict[str, Any], origin: str) -> Document:
    """An article from a JSON object with ``url, title, text or html, published, outlet``."""
    html = _text_field(record, "html", "raw_html")
    text = _text_field(record, "text", "body", "content", "maintext")
    if html and not text:
        document = document_from_html(html, origin, _text_field(record, "url"))
    elif text:
        given_title = _text_field(record, "title")
        document = document_from_text(text, origin, {**record, "title": given_title or ""})
        document = replace(document, title_in_text=given_title is None, title=given_title or document.title)
    else:
        raise ExtractionError("record has no 'text' or 'html' field", origin)
    url = _text_field(record, "url") or document.url
    return replace(
        document,
        format="jsonl",
        url=url,
        canonical_url=_text_field(record, "canonical_url") or document.canonical_url,
        title=_text_field(record, "title") or document.title,
        outlet=_text_field(record, "outlet", "source", "site") or document.outlet or domain_of(url),
        author=_text_field(record, "author") or document.author,
        published=parse_published(_first(record, "published", "date", "published_at", "date_publish")) or document.published,
        language=_text_field(record, "language", "lang") or document.language,
    )


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


def documents_from_jsonl(text: str, origin: str) -> Iterator[Document | Failure]:
    """One Document per JSON line; a malformed line is a Failure that names its line number."""
    seen_any = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        seen_any = True
        where = f"{origin}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield Failure(where, f"line {number} is not valid JSON: {error.msg}")
            continue
        if not isinstance(record, dict):
            yield Failure(where, f"line {number} is not a JSON object")
            continue
        if "\\u" in line:
            record = _without_lone_surrogates(record)
        try:
            yield document_from_record(record, where)
        except ExtractionError as error:
            yield Failure(where, error.bare_reason)
    if not seen_any:
        yield Failure(origin, "empty JSONL file")


def _is_warc_name(name: str) -> bool:
    return name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))


def documents_from_warc(stream: BinaryIO, origin: str) -> Iterator[Document | Failure]:
    """One Document per HTML response record; a truncated or broken record ends the file with a Failure."""
    count = 0
    records = ArchiveIterator(stream)
    try:
        for record in records:
            if record.rec_type != "response":
                continue
            content_type = record.http_headers.get_header("Content-Type", "") if record.http_headers else ""
            if "html" not in content_type.lower():
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            seen_at = _warc_date(record.rec_headers.get_header("WARC-Date"))
            payload = record.content_stream().read()
            missing = int(getattr(record.raw_stream, "limit", 0) or 0)
            where = f"{origin}@{records.get_record_offset()}"
            if missing > 0:
                yield Failure(where, f"truncated WARC record after {count} records: {missing} bytes missing")
                return
            count += 1
            try:
                yield replace(document_from_html(decode_bytes(payload, where), where, url), format="warc", seen_at=seen_at)
            except ExtractionError as error:
                yield Failure(where, error.bare_reason)
    except (ArchiveLoadFailed, EOFError, OSError, ValueError) as error:
        yield Failure(origin, f"truncated or broken WARC record after {count} records: {error}")
        return
    if count == 0:
        yield Failure(origin, "WARC holds no HTML response records")


def _warc_date(value: str | None) -> datetime | None:
    """A WARC-Date header as a naive UTC datetime."""
    found = parse_published(value) if value else None
    return found.moment if found is not None and found.zoned else None


def _sniff_format(data: bytes) -> str:
    head = data[:64].lstrip()
    if head.startswith(b"WARC/") or data[:2] == b"\x1f\x8b":
        return "warc"
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
    if suffix in TEXT_SUFFIXES:
        return "text"
    return None


def documents_from_bytes(data: bytes, origin: str, fmt: str, path: Path | None = None) -> Iterator[Document | Failure]:
    """The Documents held in one input's bytes, in the given format."""
    if fmt == "warc":
        yield from documents_from_warc(io.BytesIO(data), origin)
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


def _expand(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and not child.name.startswith(".") and not child.name.endswith(SIDECAR_SUFFIX):
                if _format_of(child) is not None:
                    yield child
    else:
        yield path


def is_url(target: str) -> bool:
    """Whether a target names an http(s) URL rather than a path."""
    return target.startswith(("http://", "https://"))


def fetch_url(url: str, timeout: float = 20.0) -> bytes:
    """The body of a URL, or FetchError with the reason."""
    import urllib3

    http = urllib3.PoolManager(retries=urllib3.Retry(total=1, redirect=5), timeout=urllib3.Timeout(total=timeout))
    try:
        response = http.request("GET", url, headers={"User-Agent": "provenance/0.1 (+news provenance tracker)"})
    except urllib3.exceptions.HTTPError as error:
        raise FetchError(f"could not fetch: {_network_reason(error)}") from error
    if response.status >= 400:
        raise FetchError(f"could not fetch: HTTP {response.status}")
    return bytes(response.data)


def _network_reason(error: Exception) -> str:
    """The innermost readable reason of a urllib3 error, without object addresses."""
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    return text.split("): ", 1)[-1] if "): " in text else text.split(">: ", 1)[-1]


def iter_documents(targets: Iterable[str], max_bytes: int, stdin: BinaryIO | None = None) -> Iterator[Document | Failure]:
    """Every Document in the given files, folders (recursively), URLs and '-' for standard input."""
    for target in targets:
        if target == "-":
            data = (stdin or sys.stdin.buffer).read(max_bytes + 1)
            if len(data) > max_bytes:
                yield Failure("-", f"standard input is over the limit of {max_bytes:,} bytes")
                continue
            yield from documents_from_bytes(data, "-", _sniff_format(data))
            continue
        if is_url(target):
            try:
                data = fetch_url(target)
            except FetchError as error:
                yield Failure(target, error.reason)
                continue
            yield from _documents_at_url(data, target)
            continue
        root = Path(target)
        if not root.exists():
            yield Failure(target, "no such file or folder")
            continue
        found = False
        for path in _expand(root):
            found = True
            yield from _documents_in_file(path, max_bytes)
        if not found:
            yield Failure(target, "folder holds no readable articles (.txt, .html, .jsonl, .warc[.gz])")


def _documents_at_url(data: bytes, url: str) -> Iterator[Document | Failure]:
    try:
        yield document_from_html(decode_bytes(data, url), url, url)
    except ExtractionError as error:
        yield Failure(url, error.bare_reason)


def _documents_in_file(path: Path, max_bytes: int) -> Iterator[Document | Failure]:
    try:
        data = read_limited(path, max_bytes)
    except (ExtractionError, OSError, EOFError, gzip.BadGzipFile) as error:
        yield Failure(str(path), getattr(error, "bare_reason", None) or str(error))
        return
    fmt = _format_of(path) or _sniff_format(data)
    yield from documents_from_bytes(data, str(path), fmt, path)
