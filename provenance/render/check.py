"""What ingest and check print: text for a reader, JSON under the schemas of docs/json.md."""

from __future__ import annotations

from collections import Counter
from typing import Any

from provenance.graph.passages import PassageElsewhere
from provenance.ingest.links import Match
from provenance.ingest.verdicts import (
    COPIED_BY,
    COPY,
    SAME_TEXT,
    STORED,
    CheckResult,
    relation_of,
)
from provenance.ingest.writer import IngestReport
from provenance.knowledge.outlets import identify_outlet, outlet_of
from provenance.knowledge.registry import Registry, load_registry
from provenance.read.dates import Published
from provenance.read.document import Document
from provenance.store.records import ArticleRecord, ArticleSummary
from provenance.text.normalize import Marker, shorten

CHECK_SCHEMA = "provenance.check/2"


def iso(published: Published | None) -> str | None:
    """A publication time in ISO 8601 (``2025-03-12T07:15:00Z``, ``2025-03-12``), or None."""
    return published.iso() if published is not None else None


def precision(published: Published | None) -> str:
    """``minute``, ``day`` or ``unknown``."""
    return published.precision if published is not None else "unknown"


def when(published: Published | None) -> str:
    """A publication time for people, local with its offset; ``undated`` when none is known."""
    return published.text() if published is not None else "undated"


def ingest_summary(report: IngestReport) -> str:
    """One line of counts for an ingest."""
    links = ", ".join(f"{count} {kind}" for kind, count in sorted(report.links.items())) or "none"
    warnings = f", {len(report.warnings)} with a warning" if report.warnings else ""
    return (
        f"{report.read} read, {report.added} added, {report.already_stored} already stored, "
        f"{report.new_versions} new versions, {len(report.failures)} failed{warnings}; new copy links: {links}"
    )


def outlet_name(article: ArticleRecord, registry: Registry | None = None) -> str | None:
    """The name of the outlet that published a stored article (one name per publisher), or None when
    unknown.
    """
    outlet = identify_outlet(
        article.url or article.canonical_url or article.domain,
        article.outlet,
        registry or load_registry(),
    )
    return outlet.name if outlet is not None else None


def article_ref(article: ArticleRecord, registry: Registry | None = None) -> dict[str, Any]:
    return {
        "article_id": article.id,
        "url": article.url,
        "title": article.title,
        "outlet": outlet_name(article, registry),
        "domain": article.domain,
        "published": iso(article.publication),
        "published_precision": precision(article.publication),
        "origin": article.origin,
    }


def _translation_json(match: Match) -> dict[str, Any] | None:
    found = match.translation
    if found is None:
        return None
    return {
        "languages": [match.other.language, None],
        "alignment_score": round(found.score, 4),
        "aligned_anchors": found.aligned,
        "order_agreement": round(found.order_agreement, 4),
        "anchor_pairs": [list(pair) for pair in found.pairs],
        "reason": found.reason,
    }


def match_json(match: Match, registry: Registry | None) -> dict[str, Any]:
    is_translation = match.translation is not None
    return {
        **article_ref(match.other, registry),
        "kind": match.kind,
        "relation": relation_of(match),
        "jaccard": None if is_translation else round(match.scores.jaccard, 4),
        "containment": round(match.scores.containment, 4),
        "reverse_containment": round(match.scores.reverse_containment, 4),
        "direction": {"status": match.direction.status, "reason": match.direction.reason},
        "evidence": match.alignment.as_evidence(),
        "translation": _translation_json(match),
    }


def _marker_json(marker: Marker, stored: list[ArticleRecord]) -> dict[str, Any]:
    return {
        "kind": marker.kind,
        "line": marker.line,
        "url": marker.url,
        "outlet": marker.outlet,
        "lang": marker.lang,
        "stored_article_ids": [article.id for article in stored],
    }


def _verdict_of(result: CheckResult, registry: Registry | None) -> dict[str, Any] | None:
    """The article (or the page a marker names) that the verdict is about."""
    if result.stored is not None:
        return article_ref(result.stored, registry)
    if result.named is not None:
        return article_ref(result.named.other, registry)
    for marker, stored in result.source_markers:
        return (
            article_ref(stored[0], registry)
            if stored
            else {"article_id": None, "url": marker.url, "outlet": marker.outlet}
        )
    return None


def _verdict_reason(result: CheckResult) -> str:
    """One sentence: why the verdict, as its evidence says."""
    if result.verdict == STORED:
        return f"the checked article is stored as #{result.stored.id if result.stored else '?'}; its relations are those stored"
    if result.named is not None:
        return result.named.direction.reason
    if result.source_markers:
        marker = result.source_markers[0][0]
        return f'the article names where it was taken from: "{marker.line}"'
    if result.database_empty:
        return "the database holds no article to compare with, and the article names no source it was taken from"
    return "no stored article shares its text, and it names no source it was taken from"


def check_result_json(result: CheckResult, registry: Registry | None = None) -> dict[str, Any]:
    """One check result as plain data (schema provenance.check/2)."""
    document = result.item.document
    return {
        "input": document.origin,
        "article": {
            "title": result.item.title,
            "url": document.url,
            "canonical_url": document.canonical_url,
            "outlet": outlet_name_of_document(document, registry),
            "domain": document.domain,
            "author": document.author,
            "published": iso(document.published),
            "published_precision": precision(document.published),
            "seen_at": f"{document.seen_at:%Y-%m-%dT%H:%M:%S}Z" if document.seen_at else None,
            "language": document.language,
            "format": document.format,
            "paragraphs": len(result.item.body.split("\n")),
            "furniture": [
                {"kind": line.kind, "line": line.line} for line in result.item.layout.furniture
            ],
        },
        "verdict": result.verdict,
        "kind": result.kind,
        "of": _verdict_of(result, registry),
        "reason": _verdict_reason(result),
        "copies_something": result.is_copy,
        "database_empty": result.database_empty,
        "matches": [match_json(match, registry) for match in result.matches],
        "markers": [_marker_json(marker, stored) for marker, stored in result.markers],
        "passages": [passage_json(passage, registry) for passage in result.passages],
    }


def _summary_outlet(article: ArticleSummary, registry: Registry | None) -> str | None:
    outlet = outlet_of(article, registry or load_registry())
    return outlet.name if outlet is not None else None


def passage_json(passage: PassageElsewhere, registry: Registry | None) -> dict[str, Any]:
    """A passage of the checked article found elsewhere: its offsets and text, the articles holding
    it, the first of them.
    """
    return {
        "start": passage.start,
        "end": passage.end,
        "words": len(passage.text.split()),
        "text": shorten(" ".join(passage.text.split()), 300),
        "passage_id": passage.passage_id,
        "elsewhere": [
            {
                "article_id": article.id,
                "outlet": _summary_outlet(article, registry),
                "title": article.title,
                "published": iso(article.published),
                "start": witness.start,
                "end": witness.end,
            }
            for witness, article in passage.elsewhere
        ],
        "first": {"article_id": passage.first, "reason": passage.first_reason},
    }


def outlet_name_of_document(document: Document, registry: Registry | None = None) -> str | None:
    """The outlet name of a checked document, as stored articles' outlets are named."""
    outlet = identify_outlet(
        document.url or document.canonical_url, document.outlet, registry or load_registry()
    )
    return outlet.name if outlet is not None else None


def check_json(results: list[CheckResult], registry: Registry | None = None) -> dict[str, Any]:
    """Check results under the provenance.check/2 schema."""
    return {
        "schema": CHECK_SCHEMA,
        "results": [check_result_json(result, registry) for result in results],
    }


def _name(article: ArticleRecord) -> str:
    where = article.url or article.domain or article.origin.rsplit("/", 1)[-1]
    return f"#{article.id} {where}"


def _more(result: CheckResult, role: str) -> str:
    others = sum(1 for match in result.matches if match.subject_role == role) - 1
    return f" and {others} more" if others > 0 else ""


def _verdict_line(result: CheckResult) -> str:
    named = result.named
    if result.verdict == STORED and result.stored is not None:
        return f"verdict: stored as {_name(result.stored)}"
    if result.verdict == COPY and named is not None:
        return f"verdict: copy of {_name(named.other)} ({named.kind}{_more(result, 'copy')})"
    if result.verdict == COPY:
        marker, stored = result.source_markers[0]
        target = (
            _name(stored[0]) if stored else (marker.url or marker.outlet or "an unnamed source")
        )
        return f"verdict: copy of {target} (repost named by a marker{'' if stored else '; the original is not stored'})"
    if result.verdict == SAME_TEXT and named is not None:
        return f"verdict: same text as {_name(named.other)} ({named.kind}{_more(result, 'undetermined')}); which came first is not determined"
    if result.verdict == COPIED_BY and named is not None:
        return f"verdict: copied by {_name(named.other)} ({named.kind}{_more(result, 'origin')}); this article came first"
    if result.database_empty:
        return "verdict: original (the database is empty: there is nothing to compare with)"
    return "verdict: original (no stored article shares its text, and it names no source it was taken from)"


def _stated(published: Published | None) -> str:
    return published.text() if published is not None else "no date found"


def _articles(count: int) -> str:
    return f"{count} article{'s' if count != 1 else ''}"


def _stored_summary(result: CheckResult) -> str:
    counts = Counter(relation_of(match) for match in result.matches)
    parts = {
        "copy_of": f"it copies {_articles(counts['copy_of'])}",
        "copied_by": f"{_articles(counts['copied_by'])} copy it",
        "same_text": f"it shares text with {_articles(counts['same_text'])} in an undetermined order",
    }
    found = [text for name, text in parts.items() if counts[name]]
    if result.source_markers:
        marker, stored = result.source_markers[0]
        found.insert(
            0,
            f"it names where it was taken from ({_name(stored[0]) if stored else marker.url or marker.outlet})",
        )
    return "; ".join(found) if found else "no stored article shares its text"


def _translation_lines(match: Match) -> list[str]:
    found = match.translation
    assert found is not None
    origin_first = match.subject_role == "origin"
    ordered = found.pairs if origin_first else [(b, a) for a, b in found.pairs]
    pairs = ", ".join(f"{a} ↔ {b}" for a, b in ordered[:8])
    sentences = [
        (checked, stored) if origin_first else (stored, checked)
        for stored, checked in match.alignment.changed[:2]
    ]
    heading = {
        "copy": f"  translation of {_name(match.other)} ({match.other.language} → this article)",
        "origin": f"  translated as {_name(match.other)} (this article → {match.other.language})",
        "undetermined": f"  translation of or into {_name(match.other)} ({match.other.language}; which came first is not determined)",
    }[match.subject_role]
    return [
        f'{heading}  "{match.other.title or ""}"',
        f"    alignment score {found.score:.2f}: {found.aligned} anchors aligned in order (order agreement {found.order_agreement:.2f})",
        f"    anchors: {pairs}",
        *(f'    sentences: "{first}" ↔ "{second}"' for first, second in sentences),
        f"    direction: {match.direction.status}: {match.direction.reason}",
    ]


def _match_heading(match: Match) -> str:
    if match.subject_role == "copy":
        return f"  {match.kind} of {_name(match.other)}"
    if match.subject_role == "origin":
        return f"  copied by {_name(match.other)} ({match.kind})"
    return f"  same text as {_name(match.other)} ({match.kind}; which came first is not determined)"


def match_lines(match: Match) -> list[str]:
    if match.translation is not None:
        return _translation_lines(match)
    scores = match.scores
    lines = [
        f'{_match_heading(match)}  "{match.other.title or ""}"',
        f"    published: {_stated(match.other.publication)}",
        f"    similarity {scores.jaccard:.2f} (Jaccard); {scores.containment:.2f} of this article is in #{match.other.id}, {scores.reverse_containment:.2f} of #{match.other.id} is in this article",
        f"    direction: {match.direction.status}: {match.direction.reason}",
    ]
    lines += [f'    shared: "{passage}"' for passage in match.alignment.shared[:2]]
    lines += [_changed_line(before, after) for before, after in match.alignment.changed[:2]]
    return lines


PASSAGES_SHOWN = 5


def passage_lines(passages: list[PassageElsewhere]) -> list[str]:
    """The passages of the checked article that other articles hold, with where else and where
    first.
    """
    if not passages:
        return []
    lines = [f"  passages found in other outlets' articles ({len(passages)}):"]
    for passage in passages[:PASSAGES_SHOWN]:
        where = ", ".join(
            f"#{article.id}" + (f" ({article.published.text()})" if article.published else "")
            for _, article in passage.elsewhere[:4]
        )
        more = f" +{len(passage.elsewhere) - 4} more" if len(passage.elsewhere) > 4 else ""
        if passage.first is None:
            first = passage.first_reason  # "not determined: …"
        else:
            first = f"{'this article' if passage.first == 0 else f'#{passage.first}'} ({passage.first_reason})"
        lines.append(
            f'    "{shorten(" ".join(passage.text.split()), 120)}" ({len(passage.text.split())} words)'
        )
        lines.append(f"      also in {where}{more}; first: {first}")
    if len(passages) > PASSAGES_SHOWN:
        lines.append(f"    +{len(passages) - PASSAGES_SHOWN} more passages (--json lists them all)")
    return lines


def _changed_line(stored: str, checked: str) -> str:
    """A passage the checked article has instead of the stored one's, or adds, or leaves out."""
    if not stored:
        return f'    added: "{checked}"'
    if not checked:
        return f'    left out: "{stored}"'
    return f'    changed: "{stored}" -> "{checked}"'


def check_text(results: list[CheckResult]) -> str:
    """Check results for people: the verdict, then the matches and markers with their evidence."""
    blocks = []
    for result in results:
        document = result.item.document
        lines = [f"{document.origin}: {result.item.title or '(untitled)'}", _verdict_line(result)]
        published = result.stored.publication if result.stored is not None else document.published
        lines.append(
            f"  published: {_stated(published)}"
            + (f"; crawled {document.seen_at:%Y-%m-%d %H:%M} UTC" if document.seen_at else "")
        )
        if result.verdict == STORED:
            lines.append(f"  stored relations: {_stored_summary(result)}")
        if result.verdict in (SAME_TEXT, COPY) and result.named is not None:
            lines.append(f"  why: {result.named.direction.reason}")
        for marker, stored in result.markers:
            label = "source footer" if marker.kind == "source_footer" else "canonical link"
            lines.append(
                f"  evidence: {label}{f' [{marker.lang}]' if marker.lang else ''}: {marker.line}"
            )
            if not stored:
                lines.append("    the page it names is not stored: ingest it to compare the texts")
        for match in result.matches:
            lines += match_lines(match)
        lines += passage_lines(result.passages)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
