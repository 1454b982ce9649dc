"""HTML pages into Documents with trafilatura: the body, title, byline, canonical link and
publication time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import lxml.html

from provenance.errors import ExtractionError
from provenance.read.dates import published_from_guess, published_in_html
from provenance.read.document import Document, PageFacts, domain_of
from provenance.read.language import detect_language

MIN_HTML_WORDS = 5


def page_facts(html: str) -> PageFacts:
    """The canonical and ``og:url`` addresses and the stated publication time of an HTML page."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return PageFacts()
    return page_facts_of(tree)


def page_facts_of(tree: Any) -> PageFacts:
    """The canonical and ``og:url`` addresses and the stated publication time of a parsed HTML page."""
    canonical = (
        tree.xpath(
            "string(//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href)"
        ).strip()
        or None
    )
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
    """Whether any element is nested deeper than MAX_DEPTH (a cheap test before the walk that
    unwraps them).
    """
    return bool(tree.xpath(f"boolean(/{'/*' * (MAX_DEPTH + 1)})"))


_BLOCKS = frozenset(
    ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "figcaption")
)
_NOT_TEXT = "//script|//style|//noscript|//template|//nav|//footer|//aside|//form|//header//ul"


def _plain_reading(tree: Any) -> str:
    """The text of a page's blocks (paragraphs, headings, list items) in its ``<article>`` (else
    ``<main>``, else the body), a line each: one pass, linear in the page.
    """
    for junk in tree.xpath(_NOT_TEXT):
        junk.drop_tree()
    root = next(
        iter(tree.xpath("//article") or tree.xpath("//main") or tree.xpath("//body") or [tree])
    )
    lines = []
    for element in root.iter(*_BLOCKS):
        text = " ".join(part for child in _own_parts(element) for part in child.split())
        if text:
            lines.append(text)
    return (
        "\n".join(lines)
        if lines
        else "\n".join(
            " ".join(line.split()) for line in root.text_content().splitlines() if line.strip()
        )
    )


def _own_parts(element: Any) -> Iterator[str]:
    """The text of an element without that of the blocks inside it (they are read as blocks of their
    own).
    """
    yield element.text or ""
    for child in element:
        if child.tag not in _BLOCKS and isinstance(child.tag, str):
            yield child.text_content()
        yield child.tail or ""


def _head_metadata(tree: Any) -> dict[str, Any]:
    """Title, author and site name as a page's head gives them (trafilatura's metadata search slows
    down on the same pages).
    """

    def first(*paths: str) -> str | None:
        for path in paths:
            value = " ".join(str(tree.xpath(f"string({path})")).split())
            if value:
                return value
        return None

    return {
        "title": first("//meta[@property='og:title']/@content", "//head/title", "//h1"),
        "author": first(
            "//meta[@name='author']/@content", "//meta[@property='article:author']/@content"
        ),
        "sitename": first("//meta[@property='og:site_name']/@content"),
    }


def _extract(html: str, url: str | None) -> tuple[dict[str, Any], PageFacts, tuple[str, ...]]:
    """trafilatura's reading of a page (text and metadata), the page's own facts, and notes on how it was read.

    A page too large, too deep or with too many links for trafilatura's full extraction, which
    grows faster than the page on those, is read block by block instead, and a note says so.
    """
    import trafilatura  # here, not at the top: its import took 0.1-0.2 s of `provenance check` on a text file
    import trafilatura.utils

    tree = trafilatura.utils.load_html(html)
    if tree is None:
        return {}, PageFacts(), ()
    facts = page_facts_of(tree)
    deep = _too_deep(tree)
    links = int(tree.xpath("count(//a)"))
    if deep or len(html) > BASELINE_BYTES or links > BASELINE_LINKS:
        why = (
            "nested more than 64 deep"
            if deep
            else f"of {len(html) / 2**20:.1f} MiB"
            if len(html) > BASELINE_BYTES
            else f"with {links:,} links"
        )
        note = f"a page {why}: its text read block by block, not by trafilatura, whose extraction slows down on such pages"
        if deep:  # libxml2 drops what lies deeper than 256 levels unless told otherwise
            tree = lxml.html.document_fromstring(
                html, parser=lxml.html.HTMLParser(huge_tree=True, remove_comments=True)
            )
        return {**_head_metadata(tree), "text": _plain_reading(tree)}, facts, (note,)
    extracted = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False
    )
    result: dict[str, Any] = (
        extracted.as_dict()
        if extracted is not None and not isinstance(extracted, dict)
        else (extracted or {})
    )
    return result, facts, ()


def document_from_html(html: str, origin: str, url: str | None = None) -> Document:
    """The main text and metadata of an HTML page, through trafilatura."""
    if "<" not in html:
        raise ExtractionError("not HTML: no markup found", origin)
    result, facts, notes = _extract(html, url)
    words = len((result.get("text") or "").split())
    if words < MIN_HTML_WORDS:
        raise ExtractionError(
            f"HTML holds no article text that trafilatura could find ({words} words)", origin
        )
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
