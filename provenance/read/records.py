"""JSONL records into Documents: fields by their usual names, bad fields as warnings of their
record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from provenance.errors import ExtractionError
from provenance.read.document import (
    _DATE_FIELDS,
    Document,
    Failure,
    _language_field,
    _published_field,
    _text_field,
    _without_lone_surrogates,
    document_from_text,
    domain_of,
)
from provenance.read.html import document_from_html

RECORD_FIELDS = frozenset(
    {
        "url",
        "canonical_url",
        "title",
        "text",
        "body",
        "content",
        "maintext",
        "html",
        "raw_html",
        "outlet",
        "source",
        "site",
        "author",
        "language",
        "lang",
        *_DATE_FIELDS,
    }
)
"""The fields of a record that are read (JSONL keys, Parquet columns)."""


def document_from_record(record: dict[str, Any], origin: str) -> Document:
    """An article from a JSON object with ``url, title, text or html, published, outlet``."""
    html = _text_field(record, "html", "raw_html")
    text = _text_field(record, "text", "body", "content", "maintext", joiner="\n")
    if html and not text:
        document = document_from_html(html, origin, _text_field(record, "url"))
    elif text:
        given_title = _text_field(record, "title")
        document = document_from_text(text, origin, {**record, "title": given_title or ""})
        document = replace(
            document, title_in_text=given_title is None, title=given_title or document.title
        )
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
