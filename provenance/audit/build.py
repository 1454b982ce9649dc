"""Batch audit of a corpus: clusters of copies with their origins, counts, outlets, sources, and the machine outputs."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import partial
from typing import Any, BinaryIO

from provenance.config import Settings
from provenance.errors import InputError
from provenance.graph.chain import CHAIN_ATTRIBUTION_KINDS, LinksOf, chain_json, source_chain, with_copies
from provenance.graph.clusters import Cluster, Relation, clusters_of, relations_between
from provenance.graph.passages import reused_passages
from provenance.ingest.prepare import ProgressCallback
from provenance.ingest.run import ingest
from provenance.ingest.writer import IngestReport
from provenance.knowledge.outlets import Outlet, identify_outlet
from provenance.knowledge.registry import Registry
from provenance.match.passages import ReusedPassage
from provenance.read.dates import sort_key
from provenance.store.migrate import ArticleSummary
from provenance.store.records import AttributionSummary
from provenance.store.schema import CopyLink, utcnow
from provenance.store.store import Store
from provenance.text.normalize import shorten

AUDIT_SCHEMA = "provenance.audit/2"
_CITED = ("cites", "quotes", "wire")
TOP = 10


def _outlet_of(article: ArticleSummary | None, registry: Registry) -> Outlet | None:
    """The outlet that published an article (never its file name: None when no URL, domain or site name says)."""
    if article is None:
        return None
    return identify_outlet(article.url or article.domain, article.outlet, registry)


def _article_json(article: ArticleSummary, cluster_id: int | None, role: str, sources: list[str], registry: Registry) -> dict[str, Any]:
    outlet = _outlet_of(article, registry)
    published = article.published
    return {
        "article_id": article.id,
        "title": article.title,
        "url": article.url,
        "outlet": outlet.name if outlet is not None else None,
        "domain": article.domain,
        "published": published.iso() if published else None,
        "published_precision": published.precision if published else "unknown",
        "language": article.language,
        "cluster_id": cluster_id,
        "role": role,
        "sources": sources,
    }


def _link_json(link: CopyLink) -> dict[str, Any]:
    evidence = link.evidence or {}
    return {
        "origin_id": link.origin_id,
        "copy_id": link.copy_id,
        "kind": link.kind,
        "jaccard": None if link.kind == "translation" else link.jaccard,
        "alignment_score": link.jaccard if link.kind == "translation" else None,
        "containment": link.containment,
        "reverse_containment": link.reverse_containment,
        "direction": link.direction,
        "direction_reason": link.direction_reason,
        "shared_passages": evidence.get("shared_passages", []),
        "changed_passages": evidence.get("changed_passages", []),
    }


def _marked(attributions: list[AttributionSummary]) -> dict[int, AttributionSummary]:
    """Articles that name the page they were copied from, with the marker."""
    marked: dict[int, AttributionSummary] = {}
    for attribution in attributions:
        if attribution.kind == "copied_from":
            marked.setdefault(attribution.article_id, attribution)
    return marked


def _links_by_article(links: Sequence[CopyLink], ids: Sequence[int], read: LinksOf) -> LinksOf:
    """An article's copy links: from the links already read for the corpus' articles, from `read` for any other."""
    by_article: dict[int, list[CopyLink]] = defaultdict(list)
    for link in links:
        by_article[link.origin_id].append(link)
        by_article[link.copy_id].append(link)
    corpus = set(ids)
    return lambda article_id: list(by_article.get(article_id, ())) if article_id in corpus else read(article_id)


def build_audit(store: Store, registry: Registry, report: IngestReport, targets: Sequence[str]) -> dict[str, Any]:
    """The audit of the articles an ingest read, under the provenance.audit/2 schema."""
    ids = sorted(set(report.article_ids))
    with store.reading() as session:
        links = store.links_touching(session, ids)
        clusters = clusters_of(ids, links)
        relations = relations_between(clusters, links)
        passages = reused_passages(session, store, ids, registry)
        everyone = set(ids) | {member for cluster in clusters for member in cluster.members} | {side for link in links for side in (link.origin_id, link.copy_id)}
        everyone |= {witness.article_id for passage in passages for witness in passage.witnesses}
        articles = store.article_summaries(session, everyone)
        outlets = {outlet.key: outlet.name for i in ids if (outlet := _outlet_of(articles.get(i), registry)) is not None}
        boilerplate = store.boilerplate_lines(session, outlets)
        attributions = store.attribution_summaries(session, ids, kinds=("copied_from",), media_kinds=_CITED)
        heads = store.articles(session, [cluster.origin_id if cluster.origin_id is not None else cluster.members[-1] for cluster in clusters], CHAIN_ATTRIBUTION_KINDS)
        links_of = _links_by_article(links, ids, partial(store.links_of, session))
        chains = {}
        for cluster in clusters:
            head = heads[cluster.origin_id if cluster.origin_id is not None else cluster.members[-1]]
            chains[cluster.id] = chain_json(with_copies(source_chain(session, store, head, registry, links_of), cluster.links, articles, registry))
    marked = _marked(attributions)
    sources_of: dict[int, list[str]] = defaultdict(list)
    cited: Counter[str] = Counter()
    for attribution in attributions:
        if attribution.kind in _CITED and attribution.media:
            if attribution.source_name not in sources_of[attribution.article_id]:
                sources_of[attribution.article_id].append(attribution.source_name)
            cited[attribution.source_name] += 1
    cluster_of = {member: cluster for cluster in clusters for member in cluster.members}
    copying = _OutletCounts()
    copied = _OutletCounts()
    decided = [link for link in links if link.direction != "undetermined"]
    for link in decided:
        copying.add(_outlet_of(articles.get(link.copy_id), registry))
        copied.add(_outlet_of(articles.get(link.origin_id), registry))
    linked_copies = {link.copy_id for link in decided}
    for article_id in marked:
        if article_id not in linked_copies:
            copied.add(_marked_outlet(marked[article_id], registry))
            copying.add(_outlet_of(articles.get(article_id), registry))
    def role(article_id: int) -> str:
        if article_id in cluster_of:
            cluster_role = cluster_of[article_id].roles[article_id]
            return "repost" if cluster_role == "member" and article_id in marked else cluster_role
        return "repost" if article_id in marked else "original"
    roles = {article_id: role(article_id) for article_id in ids}
    undated = [article_id for article_id in ids if articles[article_id].published is None]
    counts = {
        "articles": len(ids),
        "unique_stories": len({cluster_of[i].id for i in ids if i in cluster_of}) + sum(1 for i in ids if i not in cluster_of),
        "clusters": len(clusters),
        "originals": sum(1 for r in roles.values() if r in ("original", "origin")),
        "reposts": sum(1 for r in roles.values() if r == "repost"),
        "duplicates": sum(1 for r in roles.values() if r == "duplicate"),
        "members_order_undetermined": sum(1 for r in roles.values() if r == "member"),
        "partial_copies": len({link.copy_id for link in links if link.kind == "partial" and link.direction != "undetermined" and link.copy_id in roles}),
        "relations": len(relations),
        "reused_passages": len(passages),
        "boilerplate_lines": sum(len(lines) for lines in boilerplate.values()),
        "translations": sum(1 for r in roles.values() if r == "translation"),
        "undetermined_links": sum(1 for link in links if link.direction == "undetermined"),
        "undated": len(undated),
    }
    return {
        "schema": AUDIT_SCHEMA,
        "generated_at": utcnow().isoformat(timespec="seconds") + "Z",
        "corpus": {"targets": list(targets), "read": report.read, "added": report.added, "already_stored": report.already_stored,
                   "failures": [{"origin": f.origin, "reason": f.reason} for f in report.failures],
                   "warnings": [{"origin": w.origin, "reason": w.reason} for w in report.warnings]},
        "counts": counts,
        "clusters": [_cluster_json(cluster, articles, chains[cluster.id], sources_of, registry) for cluster in clusters],
        "relations": [_relation_json(relation, clusters, articles) for relation in relations],
        "passages": [_passage_json(passage, articles, registry) for passage in passages],
        "boilerplate": [{"outlet": outlets[key], "outlet_key": key, "lines": lines} for key, lines in sorted(boilerplate.items())],
        "reposts_by_marker": [
            {"article_id": article_id, "title": articles[article_id].title, "copied_from": _marked_name(marked[article_id], registry),
             "url": marked[article_id].url, "line": marked[article_id].sentence}
            for article_id in sorted(marked) if article_id in roles  # roles has a key per article read (ids is a list)
        ],
        "articles": [_article_json(articles[i], cluster_of[i].id if i in cluster_of else None, roles[i], sources_of[i], registry) for i in ids],
        "top_copying_outlets": [{"outlet": name, "copies": count} for name, count in copying.most_common(TOP)],
        "top_copied_outlets": [{"outlet": name, "copied": count} for name, count in copied.most_common(TOP)],
        "top_sources": [{"source": name, "kind": _kind(registry, name), "cited": count} for name, count in cited.most_common(TOP)],
        "undated": undated,
        "failures": [{"origin": f.origin, "reason": f.reason} for f in report.failures],
    }


def _kind(registry: Registry, name: str) -> str | None:
    entry = registry.by_name(name)
    return entry.kind if entry else None


class _OutletCounts:
    """How often each outlet (one publisher under all its hosts and names) does something; unknown outlets are not counted."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.names: dict[str, str] = {}

    def add(self, outlet: Outlet | None) -> None:
        """Count one for this outlet."""
        if outlet is not None:
            self.counts[outlet.key] += 1
            self.names.setdefault(outlet.key, outlet.name)

    def most_common(self, limit: int) -> list[tuple[str, int]]:
        """The outlets' names and counts, most first."""
        return [(self.names[key], count) for key, count in self.counts.most_common(limit)]


def _marked_outlet(marker: AttributionSummary, registry: Registry) -> Outlet | None:
    """The outlet a repost marker names: by the URL it gives, else by the name it gives."""
    return identify_outlet(marker.url, None if marker.url else marker.source_name, registry)


def _marked_name(marker: AttributionSummary, registry: Registry) -> str:
    outlet = _marked_outlet(marker, registry)
    return outlet.name if outlet is not None else marker.source_name


def _cluster_json(cluster: Cluster, articles: dict[int, ArticleSummary], chain: dict[str, Any], sources_of: dict[int, list[str]], registry: Registry) -> dict[str, Any]:
    head = articles[cluster.origin_id] if cluster.origin_id is not None else articles[cluster.members[0]]
    return {
        "id": cluster.id,
        "size": len(cluster.members),
        "title": head.title,
        "origin": {"article_id": cluster.origin_id, "determined": cluster.origin_id is not None, "reason": cluster.origin_reason},
        "members": [
            {k: v for k, v in _article_json(articles[m], cluster.id, cluster.roles[m], sources_of.get(m, []), registry).items() if k not in ("cluster_id", "sources")}
            for m in sorted(cluster.members, key=lambda m: (*sort_key(articles[m].published), m))
        ],
        "links": [_link_json(link) for link in cluster.links],
        "chain": {key: chain[key] for key in ("path", "nodes", "hops", "undetermined")},
    }


def _story_json(key: str, clusters: Sequence[Cluster], articles: dict[int, ArticleSummary]) -> dict[str, Any]:
    """A story of a relation: a cluster (with its title) or a single article."""
    kind, number = key.split(":")
    if kind == "cluster":
        cluster = clusters[int(number) - 1]
        head = articles.get(cluster.origin_id if cluster.origin_id is not None else cluster.members[0])
        return {"cluster_id": cluster.id, "article_id": None, "title": head.title if head else None, "size": len(cluster.members)}
    article = articles.get(int(number))
    return {"cluster_id": None, "article_id": int(number), "title": article.title if article else None, "size": 1}


PASSAGE_TEXT = 400
"""Characters of a passage's text in the audit (its witnesses' offsets give it whole)."""


def _passage_json(passage: ReusedPassage, articles: dict[int, ArticleSummary], registry: Registry) -> dict[str, Any]:
    """A passage reused across outlets: its text, its witnesses in time order with their offsets, the first one and its credited source."""
    witnesses = []
    for witness in passage.witnesses:
        article = articles[witness.article_id]
        outlet = _outlet_of(article, registry)
        witnesses.append({"article_id": witness.article_id, "outlet": outlet.name if outlet else None, "title": article.title,
                          "published": article.published.iso() if article.published else None, "start": witness.start, "end": witness.end})
    return {
        "id": passage.id,
        "words": len(passage.text.split()),
        "text": shorten(" ".join(passage.text.split()), PASSAGE_TEXT),
        "outlets": passage.outlets,
        "witnesses": witnesses,
        "first": {"article_id": passage.first, "reason": passage.first_reason},
        "source": passage.source,
    }


def _largest_share(links: Sequence[CopyLink]) -> dict[str, Any]:
    """The largest share of one article's text found in the other story, and whose text it is."""
    share, article_id = max((value, article) for link in links for value, article in ((link.containment, link.copy_id), (link.reverse_containment, link.origin_id)))
    return {"article_id": article_id, "share": share}


def _relation_json(relation: Relation, clusters: Sequence[Cluster], articles: dict[int, ArticleSummary]) -> dict[str, Any]:
    """Text one story takes from another: the stories, whether the direction is decided, the links and what they share."""
    passages = [passage for link in relation.links for passage in (link.evidence or {}).get("shared_passages", [])]
    return {
        "source": _story_json(relation.source, clusters, articles),
        "taker": _story_json(relation.taker, clusters, articles),
        "determined": relation.determined,
        "kinds": sorted({link.kind for link in relation.links}),
        "links": [_link_json(link) for link in relation.links],
        "largest_share": _largest_share(relation.links),
        "shared_passages": list(dict.fromkeys(passages))[:3],
    }


def run_audit(
    store: Store,
    targets: Sequence[str],
    registry: Registry,
    settings: Settings | None = None,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
    stdin: BinaryIO | None = None,
) -> dict[str, Any]:
    """Ingest a corpus (resuming where an earlier run stopped) and audit it."""
    report = ingest(store, targets, settings or Settings(), on_progress=on_progress, stdin=stdin, workers=workers)
    if not report.article_ids:
        if len(report.failures) == 1 and report.failures[0].origin in targets:
            raise InputError(f"{report.failures[0].origin}: {report.failures[0].reason}")
        first = f"; first failure: {report.failures[0].origin}: {report.failures[0].reason}" if report.failures else ""
        raise InputError(f"no readable articles in {', '.join(targets)}: {len(report.failures)} input(s) failed{first}")
    return build_audit(store, registry, report, targets)

