"""What trace, quotes and sources print: text for a reader, JSON under the schemas of docs/json.md."""

from __future__ import annotations

from typing import Any

from provenance.graph.sources import SourceUse
from provenance.graph.trace import Trace
from provenance.render.check import article_ref, when
from provenance.store.records import ArticleRecord
from provenance.text.normalize import shorten

TRACE_SCHEMA = "provenance.trace/2"


SOURCE_NAME_WIDTH = 60
"""Characters of a source's name in the sources table; a longer name is cut with "…" (--json has it whole).

A name that long is rarely a name: in the 100,000-article benchmark audit, whose sentences are
spliced from two real ones, a repost footer's outlet ran on for 172 characters into another
sentence and made the table 230 characters wide.
"""


def sources_json(uses: list[SourceUse]) -> list[dict[str, Any]]:
    """The sources as `sources --json` prints them (docs/json.md)."""
    return [
        {
            "name": u.name,
            "kind": u.kind,
            "country": u.country,
            "cited": u.cited,
            "wire": u.wire,
            "copied": u.copied,
            "image_credits": u.image_credits,
        }
        for u in uses
    ]


def sources_table(uses: list[SourceUse]) -> str:
    """Sources as an aligned table: name (cut at SOURCE_NAME_WIDTH), kind, country and counts."""
    header = ("source", "kind", "country", "cited", "wire", "copied", "image credits")
    rows = [
        (
            shorten(u.name, SOURCE_NAME_WIDTH),
            (u.kind or "unknown").replace("_", " "),
            u.country or "",
            str(u.cited),
            str(u.wire),
            str(u.copied),
            str(u.image_credits),
        )
        for u in uses
    ]
    if not rows:
        return "no sources named yet: run 'provenance ingest' first"
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if i < 3 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths))
        ).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines)


def _quote_marks(text: str) -> str:
    return f"„{text}“"


def _article_label(article: ArticleRecord) -> str:
    return f"#{article.id} {article.url or article.origin.rsplit('/', 1)[-1]}"


def trace_text(trace: Trace) -> str:
    """A trace for people: origin, first appearance, the timeline with sources and chains, and
    wording differences.
    """
    exact = sum(1 for a in trace.appearances if a.exact)
    translations = sum(1 for a in trace.appearances if a.translation_of is not None)
    lines = [
        f'"{trace.query}": {len(trace.appearances)} appearance(s), {exact} exact, {len(trace.appearances) - exact - translations} variant(s)'
        + (f", {translations} translation(s)" if translations else ""),
        f"origin: {_trace_origin(trace)} ({trace.origin_reason})",
        f"first appearance: {_article_label(trace.first.article) if trace.first else 'not determined'} ({trace.first_reason})",
        "timeline:",
    ]
    for appearance in trace.appearances:
        moment = when(appearance.article.publication)
        if appearance.translation_of is not None:
            match = f"translation, linked to #{appearance.translation_of}"
        else:
            match = (
                "exact" if appearance.exact else f"variant, similarity {appearance.similarity:.2f}"
            )
        language = f"[{appearance.article.language}] " if appearance.article.language else ""
        lines.append(f"  {moment:28}  {language}{_article_label(appearance.article)}  ({match})")
        lines.append(
            f"      {_quote_marks(appearance.quote) if appearance.quote else appearance.passage}"
        )
        for difference in appearance.differences:
            lines.append(
                f'      differs: "{difference.query}" -> "{difference.found}" ({difference.kind})'
            )
        lines.append(
            f"      source: {appearance.source or 'none named'}"
            + (f"; speaker: {appearance.speaker}" if appearance.speaker else "")
        )
        if appearance.source_sentence:
            lines.append(f'      evidence: "{appearance.source_sentence}"')
        if appearance.chain:
            lines.append(f"      chain: {' → '.join(appearance.chain)}")
    if len(trace.wordings) > 1:
        lines.append("the wording differs between articles:")
        for wording in trace.wordings:
            carriers = ", ".join(
                f"#{a.article.id}" for a in trace.appearances if (a.quote or a.passage) == wording
            )
            lines.append(f"  {_quote_marks(wording)}  ({carriers})")
    return "\n".join(lines)


def _trace_origin(trace: Trace) -> str:
    """The origin of a traced quote in words: the speaker and the medium credited for it, or that it
    is not determined.
    """
    if trace.origin_speaker and trace.origin:
        return f"{trace.origin_speaker}, as {trace.origin} reported"
    if trace.origin_speaker:
        return trace.origin_speaker + (
            f", first reported by {_article_label(trace.first.article)}" if trace.first else ""
        )
    return trace.origin or "not determined"


def trace_json(trace: Trace) -> dict[str, Any]:
    """A trace under the provenance.trace/2 schema."""
    return {
        "schema": TRACE_SCHEMA,
        "query": trace.query,
        "normalized": trace.normalized,
        "origin": {
            "source": trace.origin,
            "speaker": trace.origin_speaker,
            "reason": trace.origin_reason,
        },
        "first_appearance": {
            "article_id": trace.first.article.id if trace.first else None,
            "reason": trace.first_reason,
        },
        "wording_differs": len(trace.wordings) > 1,
        "wordings": trace.wordings,
        "appearances": [
            {
                **article_ref(a.article),
                "undated": a.article.published is None,
                "language": a.article.language,
                "exact": a.exact,
                "translation_of": a.translation_of,
                "similarity": a.similarity,
                "passage": a.passage,
                "differences": [
                    {"query": d.query, "found": d.found, "kind": d.kind} for d in a.differences
                ],
                "quote": a.quote,
                "speaker": a.speaker,
                "source": a.source,
                "source_sentence": a.source_sentence,
                "chain": a.chain,
            }
            for a in trace.appearances
        ],
    }


def quotes_text(article: ArticleRecord) -> str:
    """The quotations of an article with their speakers and sources."""
    lines = [f"{_article_label(article)}: {article.title or '(untitled)'}"]
    if not article.quotes:
        lines.append("no quotations found")
    for quote in article.quotes:
        who = "; ".join(
            part
            for part in (
                f"speaker: {quote.speaker}" if quote.speaker else "",
                f"source: {quote.source_name}" if quote.source_name else "",
            )
            if part
        )
        lines.append(f"  {_quote_marks(quote.text)}" + (f"   ({who})" if who else ""))
    return "\n".join(lines)


def quotes_json(article: ArticleRecord) -> dict[str, Any]:
    """An article's quotations as plain data."""
    return {
        "article": article_ref(article),
        "quotes": [
            {
                "text": q.text,
                "normalized": q.normalized,
                "speaker": q.speaker,
                "source": q.source_name,
                "start": q.start,
                "end": q.end,
            }
            for q in article.quotes
        ],
    }
