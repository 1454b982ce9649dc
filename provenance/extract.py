"""Read HTML, plain text, JSONL, WARC and URLs into Documents; raises ExtractionError on a bad one."""

from __future__ import annotations

import gzip
import io
import json
import re
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import charset_normalizer
import lxml.html
import trafilatura
import trafilatura.utils
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .dates import Published, find_date_in_text, parse_published, published_from_guess, published_in_html
from .errors import ExtractionError, FetchError, InputError
from .fetch import fetch_url
from .language import detect_language
from .normalize import shorten

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
WARC_SUFFIXES = {".warc", ".arc"}
SIDECAR_SUFFIX = ".meta.json"
_SNIFF_BYTES = 8192
MIN_HTML_WORDS = 5


_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""Control characters (tab and newlines aside) and lone surrogates: no database stores the one (PostgreSQL refuses NUL) or any encoder the other (a file name that is not UTF-8)."""
_TEXT_FIELDS = ("origin", "text", "title", "url", "canonical_url", "outlet", "author", "language")


def scrub(value: str) -> str:
    """A text without control characters (tab and newlines kept) and with U+FFFD for each lone surrogate."""
    return _UNSTORABLE.sub(lambda match: "\ufffd" if "\ud800" <= match.group(0) <= "\udfff" else "", value)


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
    """A file's bytes, gzip-decompressed for ``.gz`` (WARC aside); refusing a missing file, a device or FIFO, and more than max_bytes read or decompressed."""
    try:
        status = path.stat()
    except FileNotFoundError as error:
        raise InputError(f"no such file or folder: {path}") from error
    if not stat.S_ISREG(status.st_mode):
        raise ExtractionError("not a regular file (a device, FIFO or socket): refused", str(path))
    if status.st_size > max_bytes:
        raise ExtractionError(f"file is {status.st_size:,} bytes, over the limit of {max_bytes:,} (raise it with --max-size)", str(path))
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ExtractionError(f"file grew past the limit of {max_bytes:,} bytes while it was read", str(path))
    if path.suffix == ".gz" and not _is_warc_name(path.name):
        data = gunzip_limited(data, max_bytes, str(path))
    return data


def gunzip_limited(data: bytes, max_bytes: int, origin: str) -> bytes:
    """Gzip data decompressed a piece at a time, refused once it passes max_bytes (a compression bomb stops there)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inflated = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ExtractionError(f"not valid gzip: {error}", origin) from error
    if len(inflated) > max_bytes:
        raise ExtractionError(f"decompresses to more than the limit of {max_bytes:,} bytes (raise it with --max-size)", origin)
    return inflated


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
    return page_facts_of(tree)


def page_facts_of(tree: Any) -> PageFacts:
    """The canonical and ``og:url`` addresses and the stated publication time of a parsed HTML page."""
    canonical = tree.xpath("string(//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href)").strip() or None
    og_url = tree.xpath("string(//meta[@property='og:url']/@content)").strip() or None
    return PageFacts(canonical, og_url, published_in_html(tree))


MAX_DEPTH = 64
BASELINE_BYTES = 4 * 1024 * 1024
BASELINE_LINKS = 3000
"""Past any of these, trafilatura's full extraction grows faster than the page, and the page is read block by block.

Its link-density tests take the text of every ancestor's whole subtree, so a page of nested or
unclosed <div>s costs (depth × size): 2 MB of unclosed <div>s took 52 s, 8 MB 107 s wrapped in
200 <div>s. The 181 real pages of the article-extraction benchmark nest at most 51 deep, reach
1.5 MB and 610 links, and are all read by trafilatura."""


def _too_deep(tree: Any) -> bool:
    """Whether any element is nested deeper than MAX_DEPTH (a cheap test before the walk that unwraps them)."""
    return bool(tree.xpath(f"boolean(/{'/*' * (MAX_DEPTH + 1)})"))


_BLOCKS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "figcaption"))
_NOT_TEXT = "//script|//style|//noscript|//template|//nav|//footer|//aside|//form|//header//ul"


def _plain_reading(tree: Any) -> str:
    """The text of a page's blocks (paragraphs, headings, list items) in its ``<article>`` (else ``<main>``, else the body), a line each: one pass, linear in the page."""
    for junk in tree.xpath(_NOT_TEXT):
        junk.drop_tree()
    root = next(iter(tree.xpath("//article") or tree.xpath("//main") or tree.xpath("//body") or [tree]))
    lines = []
    for element in root.iter(*_BLOCKS):
        text = " ".join(part for child in _own_parts(element) for part in child.split())
        if text:
            lines.append(text)
    return "\n".join(lines) if lines else "\n".join(" ".join(line.split()) for line in root.text_content().splitlines() if line.strip())


def _own_parts(element: Any) -> Iterator[str]:
    """The text of an element without that of the blocks inside it (they are read as blocks of their own)."""
    yield element.text or ""
    for child in element:
        if child.tag not in _BLOCKS and isinstance(child.tag, str):
            yield child.text_content()
        yield child.tail or ""


def _head_metadata(tree: Any) -> dict[str, Any]:
    """Title, author and site name as a page's head gives them (trafilatura's metadata search slows down on the same pages)."""

    def first(*paths: str) -> str | None:
        for path in paths:
            value = " ".join(str(tree.xpath(f"string({path})")).split())
            if value:
                return value
        return None

    return {
        "title": first("//meta[@property='og:title']/@content", "//head/title", "//h1"),
        "author": first("//meta[@name='author']/@content", "//meta[@property='article:author']/@content"),
        "sitename": first("//meta[@property='og:site_name']/@content"),
    }


def _extract(html: str, url: str | None) -> tuple[dict[str, Any], PageFacts, tuple[str, ...]]:
    """trafilatura's reading of a page (text and metadata), the page's own facts, and notes on how it was read.

    A page too large, too deep or with too many links for trafilatura's full extraction, which
    grows faster than the page on those, is read block by block instead, and a note says so.
    """
    tree = trafilatura.utils.load_html(html)
    if tree is None:
        return {}, PageFacts(), ()
    facts = page_facts_of(tree)
    deep = _too_deep(tree)
    links = int(tree.xpath("count(//a)"))
    if deep or len(html) > BASELINE_BYTES or links > BASELINE_LINKS:
        why = "nested more than 64 deep" if deep else f"of {len(html) / 2**20:.1f} MiB" if len(html) > BASELINE_BYTES else f"with {links:,} links"
        note = f"a page {why}: its text read block by block, not by trafilatura, whose extraction slows down on such pages"
        if deep:  # libxml2 drops what lies deeper than 256 levels unless told otherwise
            tree = lxml.html.document_fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True, remove_comments=True))
        return {**_head_metadata(tree), "text": _plain_reading(tree)}, facts, (note,)
    extracted = trafilatura.bare_extraction(tree, url=url, with_metadata=True, include_comments=False)
    result: dict[str, Any] = extracted.as_dict() if extracted is not None and not isinstance(extracted, dict) else (extracted or {})
    return result, facts, ()


def document_from_html(html: str, origin: str, url: str | None = None) -> Document:
    """The main text and metadata of an HTML page, through trafilatura."""
    if "<" not in html:
        raise ExtractionError("not HTML: no markup found", origin)
    result, facts, notes = _extract(html, url)
    words = len((result.get("text") or "").split())
    if words < MIN_HTML_WORDS:
        raise ExtractionError(f"HTML holds no article text that trafilatura could find ({words} words)", origin)
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
        notes=notes,
    )


def _first(record: dict[str, Any], *names: str) -> Any:
    for name in names:
        if record.get(name) not in (None, ""):
            return record[name]
    return None


def _text_field(record: dict[str, Any], *names: str, joiner: str = ", ") -> str | None:
    """The first of these fields that is set, as text: a string or number as it is, a list of strings joined; anything else is bad input."""
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
    kind = {dict: "a JSON object", list: "a list that is not all text", bool: "true or false"}.get(type(value), type(value).__name__)
    raise ExtractionError(f"field {name!r} holds {kind}, not text")


_DATE_FIELDS = ("published", "date", "published_at", "date_publish")


def _published_field(record: dict[str, Any], notes: list[str]) -> Published | None:
    """The record's publication time; a value that is no date is noted (the article is stored without one)."""
    value = _first(record, *_DATE_FIELDS)
    found = parse_published(value)
    if found is None and value is not None:
        name = next(name for name in _DATE_FIELDS if record.get(name) not in (None, ""))
        notes.append(f"{name!r} is not a date ({shorten(json.dumps(value, ensure_ascii=False, default=str), 60)}): stored without a publication date")
    return found


_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8}){0,2}$", re.IGNORECASE)


def _language_field(record: dict[str, Any], notes: list[str]) -> str | None:
    """A language the record gives as a code (``de``, ``en-GB``); anything else is noted and left for detection."""
    value = _text_field(record, "language", "lang")
    if value and not _LANGUAGE_CODE.match(value):
        notes.append(f"'language' is not a language code ({shorten(value, 40)}): the language is detected instead")
        return None
    return value.lower().replace("_", "-") if value else None


def document_from_record(record: dict[str, Any], origin: str) -> Document:
    """An article from a JSON object with ``url, title, text or html, published, outlet``."""
    html = _text_field(record, "html", "raw_html")
    text = _text_field(record, "text", "body", "content", "maintext", joiner="\n")
    if html and not text:
        document = document_from_html(html, origin, _text_field(record, "url"))
    elif text:
        given_title = _text_field(record, "title")
        document = document_from_text(text, origin, {**record, "title": given_title or ""})
        document = replace(document, title_in_text=given_title is None, title=given_title or document.title)
    else:
        raise ExtractionError("record has no 'text' or 'html' field", origin)
    url = _text_field(record, "url") or document.url
    notes = list(document.notes)
    published = _published_field(record, notes)
    language = _language_field(record, notes)
    return replace(
        document,
        format="jsonl",
        url=url,
        canonical_url=_text_field(record, "canonical_url") or document.canonical_url,
        title=_text_field(record, "title") or document.title,
        outlet=_text_field(record, "outlet", "source", "site") or document.outlet or domain_of(url),
        author=_text_field(record, "author") or document.author,
        published=published or document.published,
        notes=tuple(dict.fromkeys(notes)),
        language=language or document.language,
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


def documents_from_warc(stream: BinaryIO, origin: str, max_bytes: int = 50 * 1024 * 1024) -> Iterator[Document | Failure]:
    """One Document per HTML response record of up to max_bytes; a record cut short (of any type) or a broken one ends the file with a Failure."""
    count = 0
    records = ArchiveIterator(stream)
    try:
        for record in records:
            payload = _page_payload(record, max_bytes)
            missing = _unread_bytes(record)
            where = f"{origin}@{records.get_record_offset()}"  # known once the record is read to its end
            if missing > 0:
                yield Failure(where, f"truncated WARC: its {record.rec_type or 'last'} record is cut short ({missing:,} bytes missing) after {count} pages read")
                return
            if payload is None:
                continue
            found = _document_of_record(record, payload, where, max_bytes)
            count += isinstance(found, Document)
            yield found
    except (ArchiveLoadFailed, EOFError, OSError, ValueError, AttributeError, TypeError, zlib.error) as error:
        why = str(error) if isinstance(error, (ArchiveLoadFailed, OSError, zlib.error)) and str(error) else "a record's header is cut short or malformed"
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


def _document_of_record(record: Any, payload: bytes, where: str, max_bytes: int) -> Document | Failure:
    """The Document of a whole HTML response record, or a Failure saying why there is none."""
    if len(payload) > max_bytes:
        return Failure(where, f"WARC record's page is over the limit of {max_bytes:,} bytes (raise it with --max-size)")
    url = record.rec_headers.get_header("WARC-Target-URI")
    seen_at = _warc_date(record.rec_headers.get_header("WARC-Date"))
    try:
        return replace(document_from_html(decode_bytes(payload, where), where, url), format="warc", seen_at=seen_at)
    except ExtractionError as error:
        return Failure(where, error.bare_reason)


def _unread_bytes(record: Any) -> int:
    """Read what is left of a record's block and say how many of its declared bytes never came (0 for a whole record)."""
    raw = record.raw_stream
    while raw.read(1 << 16):
        pass
    return int(getattr(raw, "limit", 0) or 0)


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


def documents_from_bytes(data: bytes, origin: str, fmt: str, path: Path | None = None, max_bytes: int = 50 * 1024 * 1024) -> Iterator[Document | Failure]:
    """The Documents held in one input's bytes, in the given format."""
    if fmt == "warc":
        yield from documents_from_warc(io.BytesIO(data), origin, max_bytes)
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


def iter_documents(targets: Iterable[str], max_bytes: int, stdin: BinaryIO | None = None, allow_private_urls: bool = False) -> Iterator[Document | Failure]:
    """Every Document in the given files, folders (recursively), URLs and '-' for standard input.

    An input that cannot be read, whatever the reason, is a Failure naming it: the other inputs are read on.
    """
    for target in targets:
        try:
            yield from _documents_of_target(target, max_bytes, stdin, allow_private_urls)
        except (ExtractionError, FetchError) as error:
            yield Failure(target, getattr(error, "bare_reason", error.reason))
        except (OSError, ValueError, EOFError, MemoryError, RecursionError, UnicodeError, LookupError, zlib.error) as error:
            yield Failure(printable_name(target), f"could not be read: {type(error).__name__}: {error}")


def printable_name(name: str) -> str:
    """A path as a line can show it: a file name that is not UTF-8 gets U+FFFD where its bytes are not text."""
    return scrub(name)


def _documents_of_target(target: str, max_bytes: int, stdin: BinaryIO | None, allow_private_urls: bool) -> Iterator[Document | Failure]:
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
        yield Failure(printable_name(target), "folder holds no readable articles (.txt, .html, .jsonl, .warc[.gz])")


def _documents_at_url(data: bytes, url: str) -> Iterator[Document | Failure]:
    try:
        yield document_from_html(decode_bytes(data, url), url, url)
    except ExtractionError as error:
        yield Failure(url, error.bare_reason)


def _documents_in_file(path: Path, max_bytes: int) -> Iterator[Document | Failure]:
    origin = printable_name(str(path))
    try:
        data = read_limited(path, max_bytes)
    except (ExtractionError, OSError, EOFError) as error:
        yield Failure(origin, getattr(error, "bare_reason", None) or str(error))
        return
    fmt = _format_of(path) or _sniff_format(data)
    yield from documents_from_bytes(data, origin, fmt, path, max_bytes)
