"""Text and JSON renderings of ingest and check results (the JSON schemas are documented in the README)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from rich.table import Table
from rich.text import Text

from .dates import Published
from .extract import Document
from .normalize import Marker, shorten
from .outlets import identify_outlet
from .passage_report import PassageElsewhere
from .pipeline import COPIED_BY, COPY, SAME_TEXT, STORED, CheckResult, IngestReport, Match, relation_of
from .registry import Registry, load_registry
from .sources import SourceUse
from .store import Article, ArticleSummary
from .terminal import printable
from .trace import Trace

CHECK_SCHEMA = "provenance.check/2"
TRACE_SCHEMA = "provenance.trace/2"


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


def outlet_name(article: Article, registry: Registry | None = None) -> str | None:
    """The name of the outlet that published a stored article (one name per publisher), or None when unknown."""
    outlet = identify_outlet(article.url or article.canonical_url or article.domain, article.outlet, registry or load_registry())
    return outlet.name if outlet is not None else None


def _article_ref(article: Article, registry: Registry | None = None) -> dict[str, Any]:
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


def _match_json(match: Match, registry: Registry | None) -> dict[str, Any]:
    is_translation = match.translation is not None
    return {
        **_article_ref(match.other, registry),
        "kind": match.kind,
        "relation": relation_of(match),
        "jaccard": None if is_translation else round(match.scores.jaccard, 4),
        "containment": round(match.scores.containment, 4),
        "reverse_containment": round(match.scores.reverse_containment, 4),
        "direction": {"status": match.direction.status, "reason": match.direction.reason},
        "evidence": match.alignment.as_evidence(),
        "translation": _translation_json(match),
    }


def _marker_json(marker: Marker, stored: list[Article]) -> dict[str, Any]:
    return {"kind": marker.kind, "line": marker.line, "url": marker.url, "outlet": marker.outlet, "lang": marker.lang, "stored_article_ids": [article.id for article in stored]}


def _verdict_of(result: CheckResult, registry: Registry | None) -> dict[str, Any] | None:
    """The article (or the page a marker names) that the verdict is about."""
    if result.stored is not None:
        return _article_ref(result.stored, registry)
    if result.named is not None:
        return _article_ref(result.named.other, registry)
    for marker, stored in result.source_markers:
        return _article_ref(stored[0], registry) if stored else {"article_id": None, "url": marker.url, "outlet": marker.outlet}
    return None


def _verdict_reason(result: CheckResult) -> str:
    """One sentence: why the verdict, as its evidence says."""
    if result.verdict == STORED:
        return f"the checked article is stored as #{result.stored.id if result.stored else '?'}; its relations are those stored"
    if result.named is not None:
        return result.named.direction.reason
    if result.source_markers:
        marker = result.source_markers[0][0]
        return f"the article names where it was taken from: \"{marker.line}\""
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
            "furniture": [{"kind": line.kind, "line": line.line} for line in result.item.layout.furniture],
        },
        "verdict": result.verdict,
        "kind": result.kind,
        "of": _verdict_of(result, registry),
        "reason": _verdict_reason(result),
        "copies_something": result.is_copy,
        "database_empty": result.database_empty,
        "matches": [_match_json(match, registry) for match in result.matches],
        "markers": [_marker_json(marker, stored) for marker, stored in result.markers],
        "passages": [_passage_json(passage, registry) for passage in result.passages],
    }


def _summary_outlet(article: ArticleSummary, registry: Registry | None) -> str | None:
    outlet = identify_outlet(article.url or article.domain, article.outlet, registry or load_registry())
    return outlet.name if outlet is not None else None


def _passage_json(passage: PassageElsewhere, registry: Registry | None) -> dict[str, Any]:
    """A passage of the checked article found elsewhere: its offsets and text, the articles holding it, the first of them."""
    return {
        "start": passage.start,
        "end": passage.end,
        "words": len(passage.text.split()),
        "text": shorten(" ".join(passage.text.split()), 300),
        "passage_id": passage.passage_id,
        "elsewhere": [{"article_id": article.id, "outlet": _summary_outlet(article, registry), "title": article.title, "published": iso(article.published),
                       "start": witness.start, "end": witness.end} for witness, article in passage.elsewhere],
        "first": {"article_id": passage.first, "reason": passage.first_reason},
    }


def outlet_name_of_document(document: Document, registry: Registry | None = None) -> str | None:
    """The outlet name of a checked document, as stored articles' outlets are named."""
    outlet = identify_outlet(document.url or document.canonical_url, document.outlet, registry or load_registry())
    return outlet.name if outlet is not None else None


def check_json(results: list[CheckResult], registry: Registry | None = None) -> dict[str, Any]:
    """Check results under the provenance.check/2 schema."""
    return {"schema": CHECK_SCHEMA, "results": [check_result_json(result, registry) for result in results]}


def _name(article: Article) -> str:
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
        target = _name(stored[0]) if stored else (marker.url or marker.outlet or "an unnamed source")
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
        found.insert(0, f"it names where it was taken from ({_name(stored[0]) if stored else marker.url or marker.outlet})")
    return "; ".join(found) if found else "no stored article shares its text"


def _translation_lines(match: Match) -> list[str]:
    found = match.translation
    assert found is not None
    origin_first = match.subject_role == "origin"
    ordered = found.pairs if origin_first else [(b, a) for a, b in found.pairs]
    pairs = ", ".join(f"{a} ↔ {b}" for a, b in ordered[:8])
    sentences = [(checked, stored) if origin_first else (stored, checked) for stored, checked in match.alignment.changed[:2]]
    heading = {
        "copy": f"  translation of {_name(match.other)} ({match.other.language} → this article)",
        "origin": f"  translated as {_name(match.other)} (this article → {match.other.language})",
        "undetermined": f"  translation of or into {_name(match.other)} ({match.other.language}; which came first is not determined)",
    }[match.subject_role]
    return [
        f"{heading}  \"{match.other.title or ''}\"",
        f"    alignment score {found.score:.2f}: {found.aligned} anchors aligned in order (order agreement {found.order_agreement:.2f})",
        f"    anchors: {pairs}",
        *(f"    sentences: \"{first}\" ↔ \"{second}\"" for first, second in sentences),
        f"    direction: {match.direction.status}: {match.direction.reason}",
    ]


def _match_heading(match: Match) -> str:
    if match.subject_role == "copy":
        return f"  {match.kind} of {_name(match.other)}"
    if match.subject_role == "origin":
        return f"  copied by {_name(match.other)} ({match.kind})"
    return f"  same text as {_name(match.other)} ({match.kind}; which came first is not determined)"


def _match_lines(match: Match) -> list[str]:
    if match.translation is not None:
        return _translation_lines(match)
    scores = match.scores
    lines = [
        f"{_match_heading(match)}  \"{match.other.title or ''}\"",
        f"    published: {_stated(match.other.publication)}",
        f"    similarity {scores.jaccard:.2f} (Jaccard); {scores.containment:.2f} of this article is in #{match.other.id}, {scores.reverse_containment:.2f} of #{match.other.id} is in this article",
        f"    direction: {match.direction.status}: {match.direction.reason}",
    ]
    lines += [f"    shared: \"{passage}\"" for passage in match.alignment.shared[:2]]
    lines += [_changed_line(before, after) for before, after in match.alignment.changed[:2]]
    return lines


PASSAGES_SHOWN = 5


def _passage_lines(passages: list[PassageElsewhere]) -> list[str]:
    """The passages of the checked article that other articles hold, with where else and where first."""
    if not passages:
        return []
    lines = [f"  passages found in other outlets' articles ({len(passages)}):"]
    for passage in passages[:PASSAGES_SHOWN]:
        where = ", ".join(f"#{article.id}" + (f" ({article.published.text()})" if article.published else "") for _, article in passage.elsewhere[:4])
        more = f" +{len(passage.elsewhere) - 4} more" if len(passage.elsewhere) > 4 else ""
        if passage.first is None:
            first = passage.first_reason  # "not determined: …"
        else:
            first = f"{'this article' if passage.first == 0 else f'#{passage.first}'} ({passage.first_reason})"
        lines.append(f"    \"{shorten(' '.join(passage.text.split()), 120)}\" ({len(passage.text.split())} words)")
        lines.append(f"      also in {where}{more}; first: {first}")
    if len(passages) > PASSAGES_SHOWN:
        lines.append(f"    +{len(passages) - PASSAGES_SHOWN} more passages (--json lists them all)")
    return lines


def _changed_line(stored: str, checked: str) -> str:
    """A passage the checked article has instead of the stored one's, or adds, or leaves out."""
    if not stored:
        return f"    added: \"{checked}\""
    if not checked:
        return f"    left out: \"{stored}\""
    return f"    changed: \"{stored}\" -> \"{checked}\""


def check_text(results: list[CheckResult]) -> str:
    """Check results for people: the verdict, then the matches and markers with their evidence."""
    blocks = []
    for result in results:
        document = result.item.document
        lines = [f"{document.origin}: {result.item.title or '(untitled)'}", _verdict_line(result)]
        published = result.stored.publication if result.stored is not None else document.published
        lines.append(f"  published: {_stated(published)}" + (f"; crawled {document.seen_at:%Y-%m-%d %H:%M} UTC" if document.seen_at else ""))
        if result.verdict == STORED:
            lines.append(f"  stored relations: {_stored_summary(result)}")
        if result.verdict in (SAME_TEXT, COPY) and result.named is not None:
            lines.append(f"  why: {result.named.direction.reason}")
        for marker, stored in result.markers:
            label = "source footer" if marker.kind == "source_footer" else "canonical link"
            lines.append(f"  evidence: {label}{f' [{marker.lang}]' if marker.lang else ''}: {marker.line}")
            if not stored:
                lines.append("    the page it names is not stored: ingest it to compare the texts")
        for match in result.matches:
            lines += _match_lines(match)
        lines += _passage_lines(result.passages)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


SOURCE_NAME_WIDTH = 60
"""Characters of a source's name in the sources table; a longer name is cut with "…" (--json has it whole).

A name that long is rarely a name: in the 100,000-article benchmark audit, whose sentences are
spliced from two real ones, a repost footer's outlet ran on for 172 characters into another
sentence and made the table 230 characters wide.
"""


def sources_table(uses: list[SourceUse]) -> str:
    """Sources as an aligned table: name (cut at SOURCE_NAME_WIDTH), kind, country and counts."""
    header = ("source", "kind", "country", "cited", "wire", "copied", "image credits")
    rows = [(shorten(u.name, SOURCE_NAME_WIDTH), (u.kind or "unknown").replace("_", " "), u.country or "", str(u.cited), str(u.wire), str(u.copied), str(u.image_credits)) for u in uses]
    if not rows:
        return "no sources named yet: run 'provenance ingest' first"
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) if i < 3 else cell.rjust(width) for i, (cell, width) in enumerate(zip(row, widths))).rstrip() for row in [header, *rows]]
    return "\n".join(lines)


def _quote_marks(text: str) -> str:
    return f"„{text}“"


def _article_label(article: Article) -> str:
    return f"#{article.id} {article.url or article.origin.rsplit('/', 1)[-1]}"


def trace_text(trace: Trace) -> str:
    """A trace for people: origin, first appearance, the timeline with sources and chains, and wording differences."""
    exact = sum(1 for a in trace.appearances if a.exact)
    translations = sum(1 for a in trace.appearances if a.translation_of is not None)
    lines = [
        f"\"{trace.query}\": {len(trace.appearances)} appearance(s), {exact} exact, {len(trace.appearances) - exact - translations} variant(s)"
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
            match = "exact" if appearance.exact else f"variant, similarity {appearance.similarity:.2f}"
        language = f"[{appearance.article.language}] " if appearance.article.language else ""
        lines.append(f"  {moment:28}  {language}{_article_label(appearance.article)}  ({match})")
        lines.append(f"      {_quote_marks(appearance.quote) if appearance.quote else appearance.passage}")
        for difference in appearance.differences:
            lines.append(f"      differs: \"{difference.query}\" -> \"{difference.found}\" ({difference.kind})")
        lines.append(f"      source: {appearance.source or 'none named'}" + (f"; speaker: {appearance.speaker}" if appearance.speaker else ""))
        if appearance.source_sentence:
            lines.append(f"      evidence: \"{appearance.source_sentence}\"")
        if appearance.chain:
            lines.append(f"      chain: {' → '.join(appearance.chain)}")
    if len(trace.wordings) > 1:
        lines.append("the wording differs between articles:")
        for wording in trace.wordings:
            carriers = ", ".join(f"#{a.article.id}" for a in trace.appearances if (a.quote or a.passage) == wording)
            lines.append(f"  {_quote_marks(wording)}  ({carriers})")
    return "\n".join(lines)


def _trace_origin(trace: Trace) -> str:
    """The origin of a traced quote in words: the speaker and the medium credited for it, or that it is not determined."""
    if trace.origin_speaker and trace.origin:
        return f"{trace.origin_speaker}, as {trace.origin} reported"
    if trace.origin_speaker:
        return trace.origin_speaker + (f", first reported by {_article_label(trace.first.article)}" if trace.first else "")
    return trace.origin or "not determined"


def trace_json(trace: Trace) -> dict[str, Any]:
    """A trace under the provenance.trace/2 schema."""
    return {
        "schema": TRACE_SCHEMA,
        "query": trace.query,
        "normalized": trace.normalized,
        "origin": {"source": trace.origin, "speaker": trace.origin_speaker, "reason": trace.origin_reason},
        "first_appearance": {"article_id": trace.first.article.id if trace.first else None, "reason": trace.first_reason},
        "wording_differs": len(trace.wordings) > 1,
        "wordings": trace.wordings,
        "appearances": [
            {
                **_article_ref(a.article),
                "undated": a.article.published is None,
                "language": a.article.language,
                "exact": a.exact,
                "translation_of": a.translation_of,
                "similarity": a.similarity,
                "passage": a.passage,
                "differences": [{"query": d.query, "found": d.found, "kind": d.kind} for d in a.differences],
                "quote": a.quote,
                "speaker": a.speaker,
                "source": a.source,
                "source_sentence": a.source_sentence,
                "chain": a.chain,
            }
            for a in trace.appearances
        ],
    }


def quotes_text(article: Article) -> str:
    """The quotations of an article with their speakers and sources."""
    lines = [f"{_article_label(article)}: {article.title or '(untitled)'}"]
    if not article.quotes:
        lines.append("no quotations found")
    for quote in article.quotes:
        who = "; ".join(part for part in (f"speaker: {quote.speaker}" if quote.speaker else "", f"source: {quote.source_name}" if quote.source_name else "") if part)
        lines.append(f"  {_quote_marks(quote.text)}" + (f"   ({who})" if who else ""))
    return "\n".join(lines)


def quotes_json(article: Article) -> dict[str, Any]:
    """An article's quotations as plain data."""
    return {
        "article": _article_ref(article),
        "quotes": [{"text": q.text, "normalized": q.normalized, "speaker": q.speaker, "source": q.source_name, "start": q.start, "end": q.end} for q in article.quotes],
    }


def _rows(table: Table, rows: list[tuple[Any, ...]]) -> Table:
    """Rows added as plain text: a title like ``[red]…`` is shown as written, not read as rich markup, and control characters are dropped."""
    for row in rows:
        table.add_row(*(Text(printable(str(cell))) if cell is not None else Text("—") for cell in row))
    return table



def _first_rows(table: Table, items: list[Any], limit: int | None, row: Callable[[Any], tuple[Any, ...]]) -> Table:
    """A table of the rows of the first `limit` items (all when None), captioned with how many it leaves out."""
    shown = items if limit is None else items[:limit]
    _rows(table, [row(item) for item in shown])
    if len(shown) < len(items):
        table.caption = f"{len(shown):,} of {len(items):,} shown: --rows 0 shows all; --json, --csv and --report list all"
    return table


CLUSTER_MEMBERS_SHOWN = 4


def _first_few(labels: list[str]) -> str:
    """The first few of a list of labels for the terminal, then how many more."""
    more = len(labels) - CLUSTER_MEMBERS_SHOWN
    return ", ".join(labels[:CLUSTER_MEMBERS_SHOWN]) + (f" +{more} more" if more > 0 else "")


def _first_members(cluster: dict[str, Any]) -> str:
    """A cluster's copies with their roles, the first few."""
    return _first_few([f"#{member['article_id']} {member['role']}" for member in cluster["members"] if member["role"] != "origin"])


def _first_witnesses(passage: dict[str, Any]) -> str:
    return _first_few([f"#{w['article_id']}" for w in passage["witnesses"]])


def _story_label(story: dict[str, Any]) -> str:
    return f"cluster {story['cluster_id']} ({story['size']})" if story["cluster_id"] is not None else f"#{story['article_id']}"


def _relation_how(relation: dict[str, Any]) -> str:
    links = len(relation["links"])
    largest = relation["largest_share"]
    share = f"up to {100 * largest['share']:.0f}% of #{largest['article_id']} found in the other"
    order = "" if relation["determined"] else "; which took from which is not determined"
    return f"{links} {'link' if links == 1 else 'links'}, {share}{order}"


def audit_tables(audit: dict[str, Any], rows: int | None = None) -> list[Table]:
    """The terminal summary of an audit as rich tables: counts, clusters, outlets, sources, undated, failures.

    Args:
        audit: the audit as build_audit makes it.
        rows: at most this many rows in each table that grows with the corpus (clusters, reposts,
            articles, undated articles, failures), largest clusters first; None for all.
    """
    counts = audit["counts"]
    undated = set(audit["undated"])
    tables = [
        _rows(Table("counted", "number", title="Corpus"), [(name.replace("_", " "), value) for name, value in counts.items()]),
        _first_rows(
            Table("cluster", "size", "origin", "copies", "title", title="Clusters of copies"), audit["clusters"], rows,
            lambda c: (c["id"], c["size"], f"#{c['origin']['article_id']}" if c["origin"]["determined"] else "not determined",
                       _first_members(c), (c["title"] or "")[:60]),
        ),
        _first_rows(Table("source", "taken by", "how", "title of the source", title="Text one story takes from another (partial copies)"), audit.get("relations", []), rows,
                    lambda r: (_story_label(r["source"]), _story_label(r["taker"]), _relation_how(r), (r["source"]["title"] or "")[:50])),
        _first_rows(Table("article", "copied from", "evidence", title="Reposts found by their markers"), audit["reposts_by_marker"], rows,
                    lambda r: (f"#{r['article_id']}", r["copied_from"], r["line"][:80])),
        _first_rows(Table("passage", "outlets", "witnesses", "first", "source", "text", title="Passages reused across outlets"), audit.get("passages", []), rows,
                    lambda p: (p["id"], p["outlets"], _first_witnesses(p), f"#{p['first']['article_id']}" if p["first"]["article_id"] else "not determined",
                               p["source"] or "", shorten(p["text"], 70))),
        _first_rows(Table("outlet", "lines", "for example", title="Boilerplate learned from the corpus (furniture in the outlet's articles)"), audit.get("boilerplate", []), rows,
                    lambda b: (b["outlet"], len(b["lines"]), shorten(b["lines"][0], 70))),
        _rows(Table("outlet", "copies published", title="Outlets that publish the most copies"), [(r["outlet"], r["copies"]) for r in audit["top_copying_outlets"]]),
        _rows(Table("outlet", "times copied", title="Outlets copied most"), [(r["outlet"], r["copied"]) for r in audit["top_copied_outlets"]]),
        _rows(Table("source", "kind", "cited", title="Sources cited most"), [(r["source"], r["kind"], r["cited"]) for r in audit["top_sources"]]),
        _first_rows(Table("article", "role", "sources", "title", title="Articles and their sources"), audit["articles"], rows,
                    lambda row: (f"#{row['article_id']}", row["role"], ", ".join(row["sources"]), (row["title"] or "")[:50])),
        _first_rows(Table("article", "title", title="Articles with no date"), [row for row in audit["articles"] if row["article_id"] in undated], rows,
                    lambda row: (f"#{row['article_id']}", (row["title"] or "")[:70])),
        _first_rows(Table("input", "reason", title="Could not be ingested"), audit["failures"], rows, lambda f: (f["origin"], f["reason"])),
    ]
    return [table for table in tables if table.row_count or table.title in ("Corpus", "Clusters of copies")]
