"""The audit as one self-contained HTML page: summary, searchable clusters, chain graphs and timelines.

Every string in an audit comes from articles, which are untrusted: the page is rendered by jinja2
with autoescape, the SVG is built with ElementTree (which escapes text and attributes), only
http(s) URLs become links, and a Content-Security-Policy lets the page make no request and run
no script but its own.
"""

from __future__ import annotations

import base64
import difflib
import functools
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any, TypeVar
from xml.etree import ElementTree

import jinja2
from markupsafe import Markup

from provenance.audit.model import (
    AUDIT_SCHEMA,
    Article,
    Audit,
    Chain,
    ChainHop,
    ChainNode,
    Cluster,
    Corpus,
    Counts,
    Link,
    MarkerRepost,
    Member,
    Origin,
    Passage,
    Relation,
    Story,
)
from provenance.text.normalize import shorten

T = TypeVar("T")
TEMPLATE_NAME = "report.html.j2"
COPY_KINDS = ("duplicate", "repost", "partial", "translation")
COUNT_LABELS = {
    "articles": "articles",
    "unique_stories": "unique stories",
    "clusters": "clusters",
    "originals": "originals",
    "reposts": "reposts",
    "duplicates": "duplicates",
    "partial_copies": "partial copies",
    "translations": "translations",
    "undetermined_links": "undetermined links",
    "undated": "undated",
}
ROLE_COLOURS = {
    "origin": "#1b7f4b",
    "repost": "#c0392b",
    "duplicate": "#7d3c98",
    "partial": "#b9770e",
    "translation": "#2e6fb7",
    "member": "#5d6d7e",
}
NODE_STYLES = {  # fill, stroke, dash pattern
    "source": ("#eef4fb", "#4a78b5", ""),
    "article": ("#ffffff", "#2c3e50", ""),
    "page": ("#fff8e6", "#b58a2a", "5 3"),
}
NODE_WIDTH = 184
NODE_HEIGHT = 46
LAYER_GAP = 112
ROW_GAP = 22
MARGIN = 10
ARROW = 9
TIMELINE_WIDTH = 900
TIMELINE_LABEL_WIDTH = 290
TIMELINE_ROW = 28
MAX_DIFF_WORDS = 4000
SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_WORDS_AND_SPACES = re.compile(r"\s+|\S+")


DETAILED_CLUSTERS = 500
"""Clusters (largest first) shown in full: copies, chain graph, timeline and passages. The others
get their summary line and members.

Shown in full, the 11,228 clusters of the 100,000-article audit of bench/bench_audit.py took
108 MiB of the page (37 MiB of it SVG) and its 100,000 articles 63 MiB: a 173 MiB page, 18.4 s to
write.
"""
LIST_ROWS = 5000
"""Rows of each of the page's lists of articles or inputs: all articles (the first, by id), undated
articles, reposts named by a marker, inputs not ingested."""


def render_report(
    audit: Audit,
    detailed_clusters: int | None = DETAILED_CLUSTERS,
    list_rows: int | None = LIST_ROWS,
) -> str:
    """The audit as one self-contained, offline HTML page.

    Args:
        audit: the audit as build_audit makes it, or as audit_from_json reads it back from its JSON.
        detailed_clusters: clusters shown in full, the first ones of the audit (largest first);
            None for all. The page says how many it shows in full and where the rest are.
        list_rows: rows of each list of articles or inputs (all articles, undated ones, reposts
            named by a marker, inputs not ingested); None for all. Each says how many it leaves out.
    """
    articles = {article.article_id: article for article in audit.articles}
    clusters = audit.clusters
    context = {
        "schema": AUDIT_SCHEMA,
        "generated_at": _show_date(audit.generated_at),
        "corpus": _corpus_view(audit.corpus),
        "counts": _count_rows(audit.counts),
        "top_copying": _ranking(
            [(row.outlet, None, row.copies) for row in audit.top_copying_outlets]
        ),
        "top_copied": _ranking(
            [(row.outlet, None, row.copied) for row in audit.top_copied_outlets]
        ),
        "top_sources": _ranking([(row.source, row.kind, row.cited) for row in audit.top_sources]),
        "undated": [
            _member_view(articles[key]) if key in articles else _bare_view(key)
            for key in _first(audit.undated, list_rows)
        ],
        "undated_total": len(audit.undated),
        "failures": _first(audit.failures, list_rows),
        "failures_total": len(audit.failures),
        "marker_reposts": [
            _marker_repost(repost) for repost in _first(audit.reposts_by_marker, list_rows)
        ],
        "marker_reposts_total": len(audit.reposts_by_marker),
        "clusters": [
            _cluster_view(cluster, articles)
            if detailed_clusters is None or index < detailed_clusters
            else _cluster_summary(cluster, articles)
            for index, cluster in enumerate(clusters)
        ],
        "detailed_clusters": len(clusters)
        if detailed_clusters is None
        else min(detailed_clusters, len(clusters)),
        "relations": [_relation_view(relation) for relation in _first(audit.relations, list_rows)],
        "relations_total": len(audit.relations),
        "passages": [_passage_view(passage) for passage in _first(audit.passages, list_rows)],
        "passages_total": len(audit.passages),
        "boilerplate": audit.boilerplate,
        "articles": [
            _article_row(article) for article in _first(list(articles.values()), list_rows)
        ],
        "article_total": len(articles),
        "role_colours": ROLE_COLOURS,
    }
    return _clean(_template().render(context))


def _story_text(story: Story) -> str:
    """A story of a relation: a cluster with its size, or an article, and its title."""
    label = (
        f"cluster {story.cluster_id} ({story.size} articles)"
        if story.cluster_id is not None
        else f"#{story.article_id}"
    )
    return f"{label}: {_text(story.title)}"


def _relation_view(relation: Relation) -> dict[str, Any]:
    """One relation between stories, for the page."""
    largest = relation.largest_share
    passages = relation.shared_passages
    return {
        "source": _story_text(relation.source),
        "taker": _story_text(relation.taker),
        "links": len(relation.links),
        "share": f"{_share(largest.share)} of #{largest.article_id}",
        "order": "decided" if relation.determined else "not determined",
        "passage": passages[0] if passages else "",
    }


def _passage_view(passage: Passage) -> dict[str, Any]:
    """One passage reused across outlets, for the page."""
    first = passage.first
    witnesses = [
        f"#{w.article_id} {_text(w.outlet)} {_show_date(w.published) or 'undated'}: {_text(w.title)}"
        for w in passage.witnesses
    ]
    return {
        "text": passage.text,
        "words": passage.words,
        "outlets": passage.outlets,
        "source": passage.source,
        "first": f"#{first.article_id}"
        if first.article_id is not None
        else first.reason,  # "not determined: …"
        "witnesses": witnesses,
    }


def _first(items: Sequence[T], limit: int | None) -> Sequence[T]:
    """The first `limit` items (all when None)."""
    return items if limit is None else items[:limit]


def cluster_svg(chain: Chain) -> str:
    """A source chain as inline SVG: a layered left-to-right graph of boxes and labelled arrows."""
    nodes = _chain_nodes(chain)
    hops = [hop for hop in chain.hops if hop.source in nodes and hop.target in nodes]
    path = [key for key in chain.path if key in nodes]
    positions = _node_positions(list(nodes), hops, path)
    width = max((x for x, _ in positions.values()), default=0) + NODE_WIDTH + 2 * MARGIN
    loops = any(positions[hop.target][0] <= positions[hop.source][0] for hop in hops)
    height = (
        max((y for _, y in positions.values()), default=0)
        + NODE_HEIGHT
        + 2 * MARGIN
        + (60 if loops else 0)
    )
    svg = _svg_root(width, height, "source chain")
    taken = [_box(x, y, NODE_WIDTH, NODE_HEIGHT) for x, y in positions.values()]
    for hop in hops:
        svg.append(_hop_element(hop, positions, _caption_place(hop, hops), taken))
    for key, node in nodes.items():
        svg.append(_node_element(node, positions[key], key in path))
    return ElementTree.tostring(svg, encoding="unicode")


def timeline_svg(members: Sequence[Member]) -> str:
    """The dated members of a cluster on a time scale, one row each in date order, as inline SVG."""
    dated = sorted(
        (
            (date, member)
            for member in members
            if (date := _parse_date(member.published)) is not None
        ),
        key=lambda pair: (pair[0], str(pair[1].article_id)),
    )
    if not dated:
        svg = _svg_root(TIMELINE_WIDTH, 40, "timeline")
        _svg_text(svg, 8, 24, "no member has a publication date", fill="#5d6d7e")
        return ElementTree.tostring(svg, encoding="unicode")
    svg = _svg_root(TIMELINE_WIDTH, 30 + TIMELINE_ROW * len(dated), "timeline")
    start, end = dated[0][0], dated[-1][0]
    _timeline_axis(svg, start, end)
    for row, (date, member) in enumerate(dated):
        _timeline_row(svg, row, date, member, start, end)
    return ElementTree.tostring(svg, encoding="unicode")


# --- the template -------------------------------------------------------------------------------


@functools.cache
def _template() -> jinja2.Template:
    """The report template, loaded from the package with autoescape on."""
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["csp_hash"] = _csp_hash
    return environment.get_template(TEMPLATE_NAME)


def _template_source(name: str) -> str:
    """The text of a template shipped in provenance/templates."""
    return files("provenance.audit").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(script: str) -> str:
    """The Content-Security-Policy source that admits exactly this inline script."""
    digest = hashlib.sha256(str(script).encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


# --- the summary --------------------------------------------------------------------------------


def _corpus_view(corpus: Corpus) -> dict[str, Any]:
    """What was read: the targets and the ingest counts."""
    return {
        "targets": corpus.targets,
        "read": corpus.read,
        "added": corpus.added,
        "already_stored": corpus.already_stored,
        "failed": len(corpus.failures),
    }


def _count_rows(counts: Counts) -> list[tuple[str, str, int]]:
    """The counts in a fixed order (key, label, value), the ones without a label last."""
    values = dict(counts.items())
    keys = [key for key in COUNT_LABELS if key in values] + [
        key for key in values if key not in COUNT_LABELS
    ]
    return [(key, COUNT_LABELS.get(key, key.replace("_", " ")), values[key]) for key in keys]


def _ranking(rows: list[tuple[str, str | None, int]]) -> list[dict[str, Any]]:
    """A top list of (name, kind, count) with each count as a share of the largest, for the bars."""
    largest = max((count for _, _, count in rows), default=0) or 1
    return [
        {
            "name": name,
            "kind": _text(kind).replace("_", " "),
            "count": count,
            "percent": round(100 * count / largest),
        }
        for name, kind, count in rows
    ]


def _marker_repost(repost: MarkerRepost) -> dict[str, Any]:
    """A repost known from its marker alone (the page it names is not stored)."""
    return {
        "article": _bare_view(repost.article_id, repost.title),
        "copied_from": repost.copied_from,
        "url": _text(repost.url),
        "href": _safe_href(repost.url),
        "line": repost.line,
    }


def _article_row(article: Article) -> dict[str, Any]:
    """One article of the corpus table: its member view plus cluster and sources."""
    return {**_member_view(article), "cluster_id": article.cluster_id, "sources": article.sources}


# --- clusters -----------------------------------------------------------------------------------


def _cluster_view(cluster: Cluster, articles: dict[int, Article]) -> dict[str, Any]:
    """Everything the template shows for one cluster: its summary, its copies, chain, timeline and
    passages.
    """
    summary = _cluster_summary(cluster, articles)
    by_id = {member["id"]: member for member in summary["members"]}
    chain = cluster.chain
    return {
        **summary,
        "detailed": True,
        "copies": sorted((_link_view(link, by_id) for link in cluster.links), key=_copy_order),
        "graph": Markup(cluster_svg(chain)) if chain.nodes or chain.hops else None,
        "hops": _hop_views(chain),
        "undetermined": chain.undetermined,
        "timeline": Markup(timeline_svg(cluster.members)),
        "undated_members": [member for member in summary["members"] if not member["dated"]],
    }


def _cluster_summary(cluster: Cluster, articles: dict[int, Article]) -> dict[str, Any]:
    """A cluster's summary line, members and search text: all the template shows of a cluster past
    DETAILED_CLUSTERS.
    """
    members = [_member_view(member) for member in cluster.members]
    return {
        "id": cluster.id,
        "detailed": False,
        "title": _text(cluster.title) or "(untitled)",
        "size": cluster.size,
        "origin": _origin_view(cluster.origin, {member["id"]: member for member in members}),
        "members": members,
        "kind_counts": _kind_counts([link.kind or "copy" for link in cluster.links]),
        "search": _search_text(cluster, articles),
    }


def _member_view(member: Member | Article) -> dict[str, Any]:
    """An article as shown anywhere in the report; missing fields stay None."""
    return _article_view(
        member.article_id,
        member.title,
        member.url,
        member.outlet or member.domain,
        member.published,
        member.language,
        member.role,
    )


def _bare_view(article_id: int | None, title: str | None = None) -> dict[str, Any]:
    """An article the audit knows by its id (and title) alone."""
    return _article_view(article_id, title, None, None, None, None, "")


def _article_view(
    article_id: int | None,
    title: str | None,
    url: str | None,
    outlet: str | None,
    published: str | None,
    language: str | None,
    role: str,
) -> dict[str, Any]:
    """An article as the template shows it: its reference and label, title, link, outlet, date,
    language and role.
    """
    outlet = outlet or ""
    return {
        "id": article_id,
        "ref": f"#{article_id}",
        "label": f"#{article_id}" + (f" {outlet}" if outlet else ""),
        "title": title or "(untitled)",
        "url": _text(url),
        "href": _safe_href(url),
        "outlet": outlet,
        "published": _show_date(published),
        "dated": _parse_date(published) is not None,
        "language": _language(language),
        "role": role,
    }


def _origin_view(origin: Origin, members: dict[int | None, dict[str, Any]]) -> dict[str, Any]:
    """The cluster's origin article, or why it is not determined."""
    article_id = origin.article_id
    determined = origin.determined and article_id is not None
    return {
        "determined": determined,
        "member": (members.get(article_id) or _bare_view(article_id)) if determined else None,
        "reason": origin.reason,
    }


def _link_view(link: Link, members: dict[int | None, dict[str, Any]]) -> dict[str, Any]:
    """One copy link: both articles, the scores, the direction and the aligned passages."""
    kind = link.kind or "copy"
    return {
        "kind": kind,
        "from_article": members.get(link.origin_id) or _bare_view(link.origin_id),
        "copy_article": members.get(link.copy_id) or _bare_view(link.copy_id),
        "score": f"alignment {_score(link.alignment_score)}"
        if link.alignment_score is not None
        else _score(link.jaccard),
        "containment": _share(link.containment),
        "reverse_containment": _share(link.reverse_containment),
        "direction": link.direction or "undetermined",
        "direction_reason": link.direction_reason,
        "shared": link.shared_passages,
        "changed": [
            _changed_pair(pair, diff=kind != "translation") for pair in link.changed_passages
        ],
    }


def _copy_order(copy: dict[str, Any]) -> tuple[int, str]:
    """Copies sort by kind (duplicate, repost, partial, translation), then by copy id."""
    kind = copy["kind"]
    return (
        COPY_KINDS.index(kind) if kind in COPY_KINDS else len(COPY_KINDS),
        str(copy["copy_article"]["id"]),
    )


def _kind_counts(kinds: list[str]) -> list[tuple[str, int]]:
    """How many copies of each kind, in the kinds' order."""
    counts = Counter(kinds)
    return sorted(
        counts.items(), key=lambda item: COPY_KINDS.index(item[0]) if item[0] in COPY_KINDS else 99
    )


def _changed_pair(pair: tuple[str, str], diff: bool) -> dict[str, Any]:
    """A changed passage as before and after segments, the changed words marked when diff is set,
    and what the copy did: changed, added, left out or (without diff) translated.
    """
    before, after = pair
    if not diff:
        return {"before": [(before, False)], "after": [(after, False)], "label": "translated"}
    marked_before, marked_after = _word_diff(before, after)
    return {
        "before": marked_before,
        "after": marked_after,
        "label": "added" if not before else "left out" if not after else "changed",
    }


def _word_diff(before: str, after: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both texts as runs of (text, changed), the words that differ marked changed."""
    old, new = _WORDS_AND_SPACES.findall(before), _WORDS_AND_SPACES.findall(after)
    if len(old) + len(new) > MAX_DIFF_WORDS:
        return [(before, False)], [(after, False)]
    marked_old: list[tuple[str, bool]] = []
    marked_new: list[tuple[str, bool]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        changed = operation != "equal"
        marked_old.extend(
            (token, changed and not token.isspace()) for token in old[old_start:old_end]
        )
        marked_new.extend(
            (token, changed and not token.isspace()) for token in new[new_start:new_end]
        )
    return _merge_runs(marked_old), _merge_runs(marked_new)


def _merge_runs(tokens: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Adjacent tokens with the same mark joined into runs; a changed run keeps inner spaces, not
    trailing ones.
    """
    runs: list[tuple[str, bool]] = []
    for token, changed in tokens:
        if runs and (runs[-1][1] == changed or token.isspace()):
            runs[-1] = (runs[-1][0] + token, runs[-1][1])
        else:
            runs.append((token, changed))
    pieces: list[tuple[str, bool]] = []
    for text, changed in runs:
        body = text.rstrip() if changed else text
        pieces += [(body, changed), (text[len(body) :], False)]
    return _join_runs(piece for piece in pieces if piece[0])


def _join_runs(pieces: Iterable[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Adjacent pieces with the same mark joined."""
    runs: list[tuple[str, bool]] = []
    for text, changed in pieces:
        if runs and runs[-1][1] == changed:
            runs[-1] = (runs[-1][0] + text, changed)
        else:
            runs.append((text, changed))
    return runs


def _hop_views(chain: Chain) -> list[dict[str, Any]]:
    """The chain's hops with node labels, main path first, for the evidence list."""
    nodes = _chain_nodes(chain)
    hops = [
        {
            "from_label": _node_label(nodes, hop.source),
            "to_label": _node_label(nodes, hop.target),
            "kind": hop.kind,
            "confidence": _score(hop.confidence),
            "evidence": hop.evidence,
            "note": _text(hop.note),
            "main": hop.main,
        }
        for hop in chain.hops
    ]
    return sorted(hops, key=lambda hop: not hop["main"])


def _node_label(nodes: dict[str, ChainNode], key: str) -> str:
    node = nodes.get(key)
    return (node.label if node is not None else "") or key


def _search_text(cluster: Cluster, articles: dict[int, Article]) -> str:
    """What the search box matches: titles, outlets, domains, URLs and sources, folded."""
    parts: list[str | None] = [cluster.title]
    for member in cluster.members:
        parts += [member.title, member.outlet, member.domain, member.url]
        parts += articles[member.article_id].sources if member.article_id in articles else ()
    parts += [node.label for node in cluster.chain.nodes]
    return _fold(" ".join(part for part in parts if part))


def _fold(text: str) -> str:
    """Lower case without accents, as the page's script folds the query."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


# --- small formatting helpers -------------------------------------------------------------------


def _text(value: Any) -> str:
    """A value as display text, '' for None."""
    return "" if value is None else str(value)


def _clean(text: str) -> str:
    """Text without control characters and lone surrogates, which HTML and XML cannot carry."""
    return _UNSAFE_CHARACTERS.sub("\ufffd", text)


def _safe_href(url: Any) -> str | None:
    """The URL if it is http(s) and so safe to link to, else None (never javascript: or data:)."""
    text = _text(url).strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def _language(value: Any) -> str | None:
    """A well-formed language tag for the lang attribute, else None."""
    text = _text(value)
    return text if _LANGUAGE_TAG.fullmatch(text) else None


def _score(value: Any) -> str:
    """A similarity or confidence as 0.00, a dash when missing."""
    return f"{value:.2f}" if isinstance(value, int | float) and not isinstance(value, bool) else "–"


def _share(value: Any) -> str:
    """A containment as a percentage, a dash when missing."""
    return (
        f"{100 * value:.0f} %"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else "–"
    )


def _parse_date(value: Any) -> datetime | None:
    """A publication date as a naive UTC datetime; None when missing or not understood."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _show_date(value: Any) -> str | None:
    """A publication time as given in the audit: ``2025-03-12 07:15 UTC``, ``2025-03-12`` (a date
    only), ``2025-03-12 08:15`` (no time zone); the text as given when it cannot be parsed; None
    when missing.
    """
    parsed = _parse_date(value)
    if parsed is None:
        return _text(value).strip() or None
    text = _text(value).strip()
    if len(text) == 10:
        return parsed.strftime("%Y-%m-%d")
    return parsed.strftime("%Y-%m-%d %H:%M") + (
        " UTC" if text.endswith("Z") or text.endswith("+00:00") else ""
    )


def _format_date(date: datetime) -> str:
    """YYYY-MM-DD HH:MM, or only the day at midnight."""
    return (
        date.strftime("%Y-%m-%d")
        if date.time() == datetime.min.time()
        else date.strftime("%Y-%m-%d %H:%M")
    )


def _elapsed(delta: timedelta) -> str:
    """A time since the first appearance, as +2 d 3 h or +3 h 43 min."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"+{days} d {hours} h" if hours else f"+{days} d"
    return f"+{hours} h {minutes} min" if hours else f"+{minutes} min"


# --- SVG: the chain graph -----------------------------------------------------------------------


def _chain_nodes(chain: Chain) -> dict[str, ChainNode]:
    """The chain's nodes by key, with a bare node for any key a hop or the path names but nodes
    lack.
    """
    nodes = {node.key: node for node in chain.nodes}
    named = [*chain.path]
    for hop in chain.hops:
        named += [hop.source, hop.target]
    for key in filter(None, named):
        nodes.setdefault(
            key,
            ChainNode(
                key=key,
                label=key,
                type="unknown",
                source_kind=None,
                country=None,
                article_id=None,
                url=None,
            ),
        )
    return nodes


def _node_positions(
    keys: list[str], hops: list[ChainHop], path: list[str]
) -> dict[str, tuple[int, int]]:
    """Top-left corner of each node box: layers left to right, the main path on the top row."""
    layers = _layers(keys, [(hop.source, hop.target) for hop in hops], path)
    columns: dict[int, list[str]] = {}
    for key in sorted(
        keys, key=lambda key: (key not in path, path.index(key) if key in path else 0, key)
    ):
        columns.setdefault(layers[key], []).append(key)
    return {
        key: (MARGIN + layer * (NODE_WIDTH + LAYER_GAP), MARGIN + row * (NODE_HEIGHT + ROW_GAP))
        for layer, column in columns.items()
        for row, key in enumerate(column)
    }


def _layers(keys: list[str], edges: list[tuple[str, str]], path: list[str]) -> dict[str, int]:
    """Each node's column: after all its predecessors, and side sources pulled next to their
    targets.
    """
    layer = {key: 0 for key in keys}
    forward = [(source, target) for source, target in edges if source != target]
    for _ in keys:  # at most one pass per node, so a cycle cannot loop forever
        moved = False
        for source, target in forward:
            if layer[target] <= layer[source] and layer[source] + 1 < len(keys):
                layer[target], moved = layer[source] + 1, True
        if not moved:
            break
    for _ in keys:
        moved = False
        for key in keys:
            targets = [layer[target] for source, target in forward if source == key]
            if key not in path and targets and min(targets) - 1 > layer[key]:
                layer[key], moved = min(targets) - 1, True
        if not moved:
            break
    return layer


def _svg_root(width: float, height: float, label: str) -> ElementTree.Element:
    """An empty SVG element of the given size that scales down with the page."""
    return ElementTree.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width:g} {height:g}",
            "width": f"{width:g}",
            "height": f"{height:g}",
            "role": "img",
            "aria-label": label,
            "font-family": FONT,
        },
    )


def _svg_text(
    parent: ElementTree.Element, x: float, y: float, text: str, **attributes: str
) -> ElementTree.Element:
    """A text element; attribute names with underscores become dashes (font_size -> font-size)."""
    element = ElementTree.SubElement(
        parent,
        "text",
        {
            "x": f"{x:g}",
            "y": f"{y:g}",
            **{key.replace("_", "-"): value for key, value in attributes.items()},
        },
    )
    element.text = _clean(text)
    return element


def _node_element(node: ChainNode, position: tuple[int, int], on_path: bool) -> ElementTree.Element:
    """One node: a box with its label and kind, the full details in a tooltip."""
    x, y = position
    label = node.label or node.key
    details = " · ".join(filter(None, [_text(node.source_kind) or node.type, _text(node.country)]))
    fill, stroke, dash = NODE_STYLES.get(node.type, NODE_STYLES["source"])
    group = ElementTree.Element("g", {"class": "node main" if on_path else "node"})
    tooltip = ElementTree.SubElement(group, "title")
    tooltip.text = _clean("\n".join(filter(None, [label, details, _text(node.url)])))
    box = {
        "x": f"{x}",
        "y": f"{y}",
        "width": f"{NODE_WIDTH}",
        "height": f"{NODE_HEIGHT}",
        "rx": "6",
        "fill": fill,
    }
    box |= {"stroke": stroke, "stroke-width": "2.2" if on_path else "1.2"} | (
        {"stroke-dasharray": dash} if dash else {}
    )
    ElementTree.SubElement(group, "rect", box)
    weight = "600" if on_path else "400"
    _svg_text(
        group,
        x + 10,
        y + 19,
        shorten(label, 21),
        font_size="13",
        font_weight=weight,
        fill="#1c2833",
    )
    _svg_text(
        group,
        x + 10,
        y + 36,
        shorten(details.replace("_", " "), 28),
        font_size="11",
        fill="#5d6d7e",
    )
    return group


def _caption_place(hop: ChainHop, hops: list[ChainHop]) -> float:
    """Where along its arrow a hop's caption goes: away from the end it shares with other hops."""
    into_target = sum(other.target == hop.target for other in hops)
    out_of_source = sum(other.source == hop.source for other in hops)
    if into_target > out_of_source:
        return 0.3
    return 0.7 if out_of_source > into_target else 0.5


def _hop_element(
    hop: ChainHop,
    positions: dict[str, tuple[int, int]],
    place: float,
    taken: list[tuple[float, float, float, float]],
) -> ElementTree.Element:
    """One hop: a curved arrow from box to box, its caption near place (0 to 1) along it, clear of
    taken boxes.
    """
    curve, head = _hop_geometry(positions[hop.source], positions[hop.target])
    main = hop.main
    colour = "#2c3e50" if main else "#85929e"
    group = ElementTree.Element("g", {"class": "hop main" if main else "hop"})
    tooltip = ElementTree.SubElement(group, "title")
    tooltip.text = _clean("\n".join([_hop_caption(hop), *hop.evidence, _text(hop.note)]).strip())
    start, first, second, tip = curve
    line = {
        "d": f"M{_point(start)} C{_point(first)} {_point(second)} {_point(tip)}",
        "fill": "none",
        "stroke": colour,
    }
    line |= {"stroke-width": "2"} if main else {"stroke-width": "1.3", "stroke-dasharray": "5 4"}
    ElementTree.SubElement(group, "path", line)
    ElementTree.SubElement(
        group, "polygon", {"points": " ".join(map(_point, head)), "fill": colour}
    )
    caption_x, caption_y = _caption_point(curve, place, _hop_caption(hop), taken)
    label = {
        "font_size": "11",
        "text_anchor": "middle",
        "fill": colour,
        "stroke": "#ffffff",
        "stroke_width": "4",
    }
    _svg_text(group, caption_x, caption_y - 4, _hop_caption(hop), paint_order="stroke", **label)
    return group


def _hop_geometry(
    source: tuple[int, int], target: tuple[int, int]
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The arrow's curve (start, two control points, end) and its head's three corners."""
    (source_x, source_y), (target_x, target_y) = source, target
    if target_x > source_x:  # forward: from the right side of one box to the left side of the next
        start_x, start_y = float(source_x + NODE_WIDTH), source_y + NODE_HEIGHT / 2
        end_x, end_y = float(target_x), target_y + NODE_HEIGHT / 2
        bend = (end_x - start_x) / 2
        curve = [
            (start_x, start_y),
            (start_x + bend, start_y),
            (end_x - bend - ARROW, end_y),
            (end_x - ARROW, end_y),
        ]
        return curve, [(end_x, end_y), (end_x - ARROW, end_y - 4.5), (end_x - ARROW, end_y + 4.5)]
    # back or within a column (only in a cycle): a loop below the boxes, into the target's bottom
    start_x, start_y = source_x + NODE_WIDTH / 2, float(source_y + NODE_HEIGHT)
    end_x, end_y = target_x + NODE_WIDTH / 2 + 12, float(target_y + NODE_HEIGHT)
    curve = [
        (start_x, start_y),
        (start_x, start_y + 40),
        (end_x, end_y + 40 + ARROW),
        (end_x, end_y + ARROW),
    ]
    return curve, [(end_x, end_y), (end_x - 4.5, end_y + ARROW), (end_x + 4.5, end_y + ARROW)]


def _caption_point(
    curve: list[tuple[float, float]],
    place: float,
    caption: str,
    taken: list[tuple[float, float, float, float]],
) -> tuple[float, float]:
    """The first point along the curve, from place outwards, where the caption overlaps nothing
    taken.
    """
    width = 6.2 * len(caption) + 6  # 11px text: about 6 px a character
    candidates = sorted(
        (0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.12, 0.88), key=lambda t: abs(t - place)
    )
    for t in candidates:
        x, y = _bezier(curve, t)
        box = _box(x - width / 2, y - 15, width, 14)
        if not any(_overlap(box, other) for other in taken):
            taken.append(box)
            return x, y
    return _bezier(curve, place)


def _box(x: float, y: float, width: float, height: float) -> tuple[float, float, float, float]:
    """A rectangle as (left, top, right, bottom)."""
    return (x, y, x + width, y + height)


def _overlap(
    first: tuple[float, float, float, float], second: tuple[float, float, float, float]
) -> bool:
    """Whether two rectangles overlap."""
    return (
        first[0] < second[2]
        and second[0] < first[2]
        and first[1] < second[3]
        and second[1] < first[3]
    )


def _bezier(curve: list[tuple[float, float]], t: float) -> tuple[float, float]:
    """The point at t (0 to 1) along a cubic Bézier curve."""
    weights = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3)
    return sum(w * x for w, (x, _) in zip(weights, curve)), sum(
        w * y for w, (_, y) in zip(weights, curve)
    )


def _point(point: tuple[float, float]) -> str:
    """A point as SVG coordinates x,y."""
    return f"{point[0]:g},{point[1]:g}"


def _hop_caption(hop: ChainHop) -> str:
    """A hop's kind and confidence, as written on its arrow."""
    return f"{hop.kind or 'hop'} {_score(hop.confidence)}"


# --- SVG: the timeline --------------------------------------------------------------------------


def _timeline_x(date: datetime, start: datetime, end: datetime) -> float:
    """The horizontal position of a date on the scale."""
    left, right = TIMELINE_LABEL_WIDTH + 20, TIMELINE_WIDTH - 20
    span = (end - start).total_seconds()
    return left if span <= 0 else left + (right - left) * (date - start).total_seconds() / span


def _timeline_axis(svg: ElementTree.Element, start: datetime, end: datetime) -> None:
    """The scale: a line with the first and last dates at its ends."""
    left, right = _timeline_x(start, start, end), TIMELINE_WIDTH - 20
    axis = {"x1": f"{left:g}", "x2": f"{right:g}", "y1": "20", "y2": "20", "stroke": "#aab7b8"}
    ElementTree.SubElement(svg, "line", axis)
    _svg_text(svg, left, 13, _format_date(start), font_size="11", fill="#5d6d7e")
    if end > start:
        _svg_text(
            svg, right, 13, _format_date(end), font_size="11", fill="#5d6d7e", text_anchor="end"
        )


def _timeline_row(
    svg: ElementTree.Element,
    row: int,
    date: datetime,
    member: Member,
    start: datetime,
    end: datetime,
) -> None:
    """One dated article: its label, a dot at its date, the date and the time since the first."""
    y = 40 + row * TIMELINE_ROW
    x = _timeline_x(date, start, end)
    view = _member_view(member)
    role = view["role"] or "member"
    colour = ROLE_COLOURS.get(role, ROLE_COLOURS["member"])
    group = ElementTree.SubElement(svg, "g", {"class": "event"})
    tooltip = ElementTree.SubElement(group, "title")
    tooltip.text = _clean(f"{view['label']} ({role}), {_format_date(date)}\n{view['title']}")
    guide = {
        "x1": f"{TIMELINE_LABEL_WIDTH + 20}",
        "x2": f"{TIMELINE_WIDTH - 20}",
        "y1": f"{y}",
        "y2": f"{y}",
    }
    ElementTree.SubElement(group, "line", guide | {"stroke": "#e5e8e8"})
    _svg_text(
        group,
        4,
        y + 4,
        shorten(f"{view['label']}: {view['title']}", 44),
        font_size="12",
        fill="#1c2833",
    )
    ElementTree.SubElement(
        group, "circle", {"cx": f"{x:g}", "cy": f"{y}", "r": "6", "fill": colour}
    )
    when = (
        _format_date(date) + ("" if date == start else f"  {_elapsed(date - start)}") + f"  {role}"
    )
    on_right = x < (TIMELINE_LABEL_WIDTH + TIMELINE_WIDTH) / 2
    _svg_text(
        group,
        x + (10 if on_right else -10),
        y + 4,
        when,
        font_size="11",
        fill="#34495e",
        text_anchor="start" if on_right else "end",
    )
