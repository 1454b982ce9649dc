"""What list, show and forget print: text for a reader, JSON under the schemas of docs/json.md."""

from __future__ import annotations

from typing import Any

from provenance.ingest.lookup import ArticleView, Forgotten
from provenance.knowledge.outlets import outlet_of
from provenance.knowledge.registry import Registry, load_registry
from provenance.read.dates import Published
from provenance.render.check import (
    article_ref,
    iso,
    match_json,
    match_lines,
    passage_json,
    passage_lines,
    precision,
)
from provenance.store.records import ArticleSummary
from provenance.text.normalize import shorten

ARTICLES_SCHEMA = "provenance.articles/1"
ARTICLE_SCHEMA = "provenance.article/1"
FORGET_SCHEMA = "provenance.forget/1"


def _summary_json(article: ArticleSummary, registry: Registry) -> dict[str, Any]:
    outlet = outlet_of(article, registry)
    return {
        "article_id": article.id,
        "url": article.url,
        "title": article.title,
        "outlet": outlet.name if outlet is not None else None,
        "domain": article.domain,
        "published": iso(article.published),
        "published_precision": precision(article.published),
        "language": article.language,
        "origin": article.origin,
    }


def articles_json(
    total: int,
    page: int,
    per_page: int,
    articles: list[ArticleSummary],
    registry: Registry | None = None,
) -> dict[str, Any]:
    """A page of stored articles under the provenance.articles/1 schema."""
    registry = registry or load_registry()
    return {
        "schema": ARTICLES_SCHEMA,
        "total": total,
        "page": page,
        "per_page": per_page,
        "articles": [_summary_json(article, registry) for article in articles],
    }


def _date(published: Published | None) -> str:
    return published.text() if published is not None else "undated"


def articles_text(total: int, page: int, per_page: int, articles: list[ArticleSummary]) -> str:
    """A page of stored articles, a line each: id, publication time, outlet, title."""
    if not articles:
        return (
            "no stored article matches"
            if total == 0
            else f"page {page} is past the last ({total:,} articles)"
        )
    registry = load_registry()
    lines = []
    for article in articles:
        outlet = outlet_of(article, registry)
        title = shorten(" ".join((article.title or "(untitled)").split()), 80)
        lines.append(
            f"#{article.id:<6} {_date(article.published):<32} {outlet.name if outlet else '-':<22} {title}"
        )
    first = (page - 1) * per_page + 1
    lines.append(
        f"{first:,}-{first + len(articles) - 1:,} of {total:,} articles"
        + (f" (next: --page {page + 1})" if first + len(articles) - 1 < total else "")
    )
    return "\n".join(lines)


def article_json(view: ArticleView, registry: Registry | None = None) -> dict[str, Any]:
    """A stored article with its relations, attributions, quotes and passages found elsewhere, under the provenance.article/1 schema."""
    registry = registry or load_registry()
    article = view.article
    return {
        "schema": ARTICLE_SCHEMA,
        "article": article_ref(article, registry)
        | {
            "canonical_url": article.canonical_url,
            "author": article.author,
            "language": article.language,
            "version": article.version,
            "previous_version_id": article.previous_version_id,
            "words": len(article.body.split()),
            "furniture": article.furniture,
        },
        "relations": [match_json(match, registry) for match in view.relations],
        "attributions": [
            {
                "source": found.source_name,
                "source_kind": found.source_kind,
                "kind": found.kind,
                "cue": found.cue,
                "sentence": found.sentence,
                "location": found.location,
                "start": found.start,
                "end": found.end,
                "url": found.url,
            }
            for found in article.attributions
        ],
        "quotes": [
            {
                "text": q.text,
                "speaker": q.speaker,
                "source": q.source_name,
                "start": q.start,
                "end": q.end,
            }
            for q in article.quotes
        ],
        "passages_elsewhere": [passage_json(passage, registry) for passage in view.passages],
    }


def article_text(view: ArticleView) -> str:
    """A stored article for a reader: what it is, what it is linked to, whom it cites, what it quotes."""
    article = view.article
    registry = load_registry()
    outlet = outlet_of(article, registry)
    lines = [
        f"#{article.id} {article.title or '(untitled)'}",
        f"  url: {article.url or '-'}"
        + (
            f" (canonical: {article.canonical_url})"
            if article.canonical_url and article.canonical_url != article.url
            else ""
        ),
        f"  outlet: {outlet.name if outlet else '-'}; published: {_date(article.publication)}; language: {article.language or 'unknown'}",
        f"  stored from {article.origin}, version {article.version}; {len(article.body.split()):,} words",
    ]
    if view.relations:
        lines.append(f"  linked articles ({len(view.relations)}):")
        for match in view.relations:
            lines += ["  " + line for line in match_lines(match)]
    else:
        lines.append("  linked articles: none")
    sources = sorted({(found.source_name, found.kind) for found in article.attributions})
    lines.append(
        "  sources: "
        + ("; ".join(f"{name} ({kind})" for name, kind in sources) if sources else "none found")
    )
    lines.append(
        f"  quotations: {len(article.quotes)} ('provenance quotes {article.id}' lists them)"
    )
    lines += passage_lines(view.passages)
    return "\n".join(lines)


TABLE_NAMES = {
    "articles": "article",
    "paragraphs": "paragraphs",
    "lsh_buckets": "copy index keys",
    "anchor_buckets": "translation index keys",
    "copy_links": "links",
    "attributions": "attributions",
    "quotes": "quotations",
    "passage_witnesses": "passage witnesses",
    "passages": "passages",
    "chain_hops": "chain hops",
    "outlet_lines": "outlet lines",
}


def forget_json(forgotten: Forgotten) -> dict[str, Any]:
    """What forget removed, under the provenance.forget/1 schema."""
    return {
        "schema": FORGET_SCHEMA,
        "article": article_ref(forgotten.article),
        "removed": forgotten.removed,
    }


def forget_text(forgotten: Forgotten) -> str:
    """What forget removed, in one line."""
    removed = ", ".join(
        f"{count:,} {TABLE_NAMES.get(table, table)}"
        for table, count in forgotten.removed.items()
        if count and table != "articles"
    )
    return f"forgot #{forgotten.article.id} {forgotten.article.title or '(untitled)'}" + (
        f": {removed}" if removed else ""
    )
