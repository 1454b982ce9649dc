"""Building the audit of a corpus: clusters of copies with their origins, relations, passages,
counts, outlets and sources.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import BinaryIO

from provenance.audit import model
from provenance.config import Settings
from provenance.errors import InputError, NotFoundError
from provenance.graph.chain import (
    CHAIN_ATTRIBUTION_KINDS,
    Chain,
    LinksOf,
    source_chain,
    with_copies,
)
from provenance.graph.clusters import Cluster, Relation, clusters_of, relations_between
from provenance.graph.passages import reused_passages
from provenance.ingest.preparation import ProgressCallback
from provenance.ingest.run import ingest
from provenance.ingest.writer import IngestReport
from provenance.knowledge.outlets import Outlet, identify_outlet, outlet_of
from provenance.knowledge.registry import Registry
from provenance.match.passages import ReusedPassage
from provenance.read.dates import sort_key
from provenance.read.document import Failure
from provenance.store.records import (
    ArticleSummary,
    AttributionSummary,
    LinkRecord,
    utcnow,
)
from provenance.store.store import Store
from provenance.text.normalize import shorten

AUDIT_SCHEMA = model.AUDIT_SCHEMA
_CITED = ("cites", "quotes", "wire")
TOP = 10


def _published(article: ArticleSummary) -> tuple[str | None, str]:
    """An article's publication time as ISO 8601, and its precision."""
    published = article.published
    return (published.iso(), published.precision) if published else (None, "unknown")


def _article(
    article: ArticleSummary,
    cluster_id: int | None,
    role: str,
    sources: list[str],
    registry: Registry,
) -> model.Article:
    outlet = outlet_of(article, registry)
    published, precision = _published(article)
    return model.Article(
        article_id=article.id,
        title=article.title,
        url=article.url,
        outlet=outlet.name if outlet is not None else None,
        domain=article.domain,
        published=published,
        published_precision=precision,
        language=article.language,
        cluster_id=cluster_id,
        role=role,
        sources=tuple(sources),
    )


def _member(article: ArticleSummary, role: str, registry: Registry) -> model.Member:
    outlet = outlet_of(article, registry)
    published, precision = _published(article)
    return model.Member(
        article_id=article.id,
        title=article.title,
        url=article.url,
        outlet=outlet.name if outlet is not None else None,
        domain=article.domain,
        published=published,
        published_precision=precision,
        language=article.language,
        role=role,
    )


def _link(link: LinkRecord) -> model.Link:
    evidence = link.evidence or {}
    translation = link.kind == "translation"
    return model.Link(
        origin_id=link.origin_id,
        copy_id=link.copy_id,
        kind=link.kind,
        jaccard=None if translation else link.jaccard,
        alignment_score=link.jaccard if translation else None,
        containment=link.containment,
        reverse_containment=link.reverse_containment,
        direction=link.direction,
        direction_reason=link.direction_reason,
        shared_passages=tuple(evidence.get("shared_passages", [])),
        changed_passages=tuple(
            (pair[0], pair[1]) for pair in evidence.get("changed_passages", []) if len(pair) == 2
        ),
    )


def _chain(chain: Chain) -> model.Chain:
    """A cluster's source chain as the audit gives it."""
    return model.Chain(
        path=tuple(chain.path),
        nodes=tuple(
            model.ChainNode(
                key=node.key,
                label=node.label,
                type=node.type,
                source_kind=node.source_kind,
                country=node.country,
                article_id=node.article_id,
                url=node.url,
            )
            for node in chain.nodes.values()
        ),
        hops=tuple(
            model.ChainHop(
                source=hop.source,
                target=hop.target,
                kind=hop.kind,
                confidence=hop.confidence,
                evidence=tuple(hop.evidence),
                note=hop.note,
                main=hop.main,
            )
            for hop in chain.hops
        ),
        undetermined=tuple(chain.undetermined),
    )


def _marked(attributions: list[AttributionSummary]) -> dict[int, AttributionSummary]:
    """Articles that name the page they were copied from, with the marker."""
    marked: dict[int, AttributionSummary] = {}
    for attribution in attributions:
        if attribution.kind == "copied_from":
            marked.setdefault(attribution.article_id, attribution)
    return marked


def _links_by_article(links: Sequence[LinkRecord], ids: Sequence[int], read: LinksOf) -> LinksOf:
    """An article's copy links: from the links already read for the corpus' articles, from `read`
    for any other.
    """
    by_article: dict[int, list[LinkRecord]] = defaultdict(list)
    for link in links:
        by_article[link.origin_id].append(link)
        by_article[link.copy_id].append(link)
    corpus = set(ids)
    return lambda article_id: (
        list(by_article.get(article_id, ())) if article_id in corpus else read(article_id)
    )


def build_audit(
    store: Store, registry: Registry, report: IngestReport, targets: Sequence[str]
) -> model.Audit:
    """The audit of the articles an ingest read (audit_json gives it under the provenance.audit/2
    schema).
    """
    ids = sorted(set(report.article_ids))
    with store.reader() as reader:
        links = reader.links_touching(ids)
        clusters = clusters_of(ids, links)
        relations = relations_between(clusters, links)
        passages = reused_passages(reader, ids, registry)
        everyone = (
            set(ids)
            | {member for cluster in clusters for member in cluster.members}
            | {side for link in links for side in (link.origin_id, link.copy_id)}
        )
        everyone |= {witness.article_id for passage in passages for witness in passage.witnesses}
        articles = reader.article_summaries(everyone)
        outlets = {
            outlet.key: outlet.name
            for i in ids
            if (outlet := outlet_of(articles.get(i), registry)) is not None
        }
        boilerplate = reader.boilerplate_lines(outlets)
        attributions = reader.attribution_summaries(ids, kinds=("copied_from",), media_kinds=_CITED)
        heads = reader.articles(
            [
                cluster.origin_id if cluster.origin_id is not None else cluster.members[-1]
                for cluster in clusters
            ],
            CHAIN_ATTRIBUTION_KINDS,
        )
        links_of = _links_by_article(links, ids, reader.links_of)
        chains = {}
        for cluster in clusters:
            head = heads[
                cluster.origin_id if cluster.origin_id is not None else cluster.members[-1]
            ]
            chains[cluster.id] = _chain(
                with_copies(
                    source_chain(reader, head, registry, links_of),
                    cluster.links,
                    articles,
                    registry,
                )
            )
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
        copying.add(outlet_of(articles.get(link.copy_id), registry))
        copied.add(outlet_of(articles.get(link.origin_id), registry))
    linked_copies = {link.copy_id for link in decided}
    for article_id in marked:
        if article_id not in linked_copies:
            copied.add(_marked_outlet(marked[article_id], registry))
            copying.add(outlet_of(articles.get(article_id), registry))

    def role(article_id: int) -> str:
        if article_id in cluster_of:
            cluster_role = cluster_of[article_id].roles[article_id]
            return "repost" if cluster_role == "member" and article_id in marked else cluster_role
        return "repost" if article_id in marked else "original"

    roles = {article_id: role(article_id) for article_id in ids}
    undated = tuple(article_id for article_id in ids if articles[article_id].published is None)
    counts = model.Counts(
        articles=len(ids),
        unique_stories=len({cluster_of[i].id for i in ids if i in cluster_of})
        + sum(1 for i in ids if i not in cluster_of),
        clusters=len(clusters),
        originals=sum(1 for r in roles.values() if r in ("original", "origin")),
        reposts=sum(1 for r in roles.values() if r == "repost"),
        duplicates=sum(1 for r in roles.values() if r == "duplicate"),
        members_order_undetermined=sum(1 for r in roles.values() if r == "member"),
        partial_copies=len(
            {
                link.copy_id
                for link in links
                if link.kind == "partial"
                and link.direction != "undetermined"
                and link.copy_id in roles
            }
        ),
        relations=len(relations),
        reused_passages=len(passages),
        boilerplate_lines=sum(len(lines) for lines in boilerplate.values()),
        translations=sum(1 for r in roles.values() if r == "translation"),
        undetermined_links=sum(1 for link in links if link.direction == "undetermined"),
        undated=len(undated),
    )
    return model.Audit(
        generated_at=utcnow().isoformat(timespec="seconds") + "Z",
        corpus=model.Corpus(
            targets=tuple(map(str, targets)),
            read=report.read,
            added=report.added,
            already_stored=report.already_stored,
            failures=_problems(report.failures),
            warnings=_problems(report.warnings),
        ),
        counts=counts,
        clusters=tuple(
            _cluster(cluster, articles, chains[cluster.id], registry) for cluster in clusters
        ),
        relations=tuple(_relation(relation, clusters, articles) for relation in relations),
        passages=tuple(_passage(passage, articles, registry) for passage in passages),
        boilerplate=tuple(
            model.Boilerplate(outlet=outlets[key], outlet_key=key, lines=tuple(lines))
            for key, lines in sorted(boilerplate.items())
        ),
        reposts_by_marker=tuple(
            model.MarkerRepost(
                article_id=article_id,
                title=articles[article_id].title,
                copied_from=_marked_name(marked[article_id], registry),
                url=marked[article_id].url,
                line=marked[article_id].sentence,
            )
            for article_id in sorted(marked)
            if article_id in roles  # roles has a key per article read (ids is a list)
        ),
        articles=tuple(
            _article(
                articles[i],
                cluster_of[i].id if i in cluster_of else None,
                roles[i],
                sources_of[i],
                registry,
            )
            for i in ids
        ),
        top_copying_outlets=tuple(
            model.OutletCopies(outlet=name, copies=count)
            for name, count in copying.most_common(TOP)
        ),
        top_copied_outlets=tuple(
            model.OutletCopied(outlet=name, copied=count) for name, count in copied.most_common(TOP)
        ),
        top_sources=tuple(
            model.SourceCited(source=name, kind=_kind(registry, name), cited=count)
            for name, count in cited.most_common(TOP)
        ),
        undated=undated,
    )


def _problems(failures: Sequence[Failure]) -> tuple[model.InputProblem, ...]:
    return tuple(
        model.InputProblem(origin=failure.origin, reason=failure.reason) for failure in failures
    )


def _kind(registry: Registry, name: str) -> str | None:
    entry = registry.by_name(name)
    return entry.kind if entry else None


class _OutletCounts:
    """How often each outlet (one publisher under all its hosts and names) does something; unknown
    outlets are not counted.
    """

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


def _cluster(
    cluster: Cluster, articles: dict[int, ArticleSummary], chain: model.Chain, registry: Registry
) -> model.Cluster:
    head = (
        articles[cluster.origin_id]
        if cluster.origin_id is not None
        else articles[cluster.members[0]]
    )
    return model.Cluster(
        id=cluster.id,
        size=len(cluster.members),
        title=head.title,
        origin=model.Origin(
            article_id=cluster.origin_id,
            determined=cluster.origin_id is not None,
            reason=cluster.origin_reason,
        ),
        members=tuple(
            _member(articles[m], cluster.roles[m], registry)
            for m in sorted(cluster.members, key=lambda m: (*sort_key(articles[m].published), m))
        ),
        links=tuple(_link(link) for link in cluster.links),
        chain=chain,
    )


def _story(
    key: str, clusters: Sequence[Cluster], articles: dict[int, ArticleSummary]
) -> model.Story:
    """A story of a relation: a cluster (with its title) or a single article."""
    kind, number = key.split(":")
    if kind == "cluster":
        cluster = clusters[int(number) - 1]
        head = articles.get(
            cluster.origin_id if cluster.origin_id is not None else cluster.members[0]
        )
        return model.Story(
            cluster_id=cluster.id,
            article_id=None,
            title=head.title if head else None,
            size=len(cluster.members),
        )
    article = articles.get(int(number))
    return model.Story(
        cluster_id=None, article_id=int(number), title=article.title if article else None, size=1
    )


PASSAGE_TEXT = 400
"""Characters of a passage's text in the audit (its witnesses' offsets give it whole)."""


def _passage(
    passage: ReusedPassage, articles: dict[int, ArticleSummary], registry: Registry
) -> model.Passage:
    """A passage reused across outlets: its text, its witnesses in time order with their offsets,
    the first one and its credited source.
    """
    witnesses = []
    for witness in passage.witnesses:
        article = articles[witness.article_id]
        outlet = outlet_of(article, registry)
        witnesses.append(
            model.Witness(
                article_id=witness.article_id,
                outlet=outlet.name if outlet else None,
                title=article.title,
                published=article.published.iso() if article.published else None,
                start=witness.start,
                end=witness.end,
            )
        )
    return model.Passage(
        id=passage.id,
        words=len(passage.text.split()),
        text=shorten(" ".join(passage.text.split()), PASSAGE_TEXT),
        outlets=passage.outlets,
        witnesses=tuple(witnesses),
        first=model.FirstWitness(article_id=passage.first, reason=passage.first_reason),
        source=passage.source,
    )


def _largest_share(links: Sequence[LinkRecord]) -> model.Share:
    """The largest share of one article's text found in the other story, and whose text it is."""
    share, article_id = max(
        (value, article)
        for link in links
        for value, article in (
            (link.containment, link.copy_id),
            (link.reverse_containment, link.origin_id),
        )
    )
    return model.Share(article_id=article_id, share=share)


def _relation(
    relation: Relation, clusters: Sequence[Cluster], articles: dict[int, ArticleSummary]
) -> model.Relation:
    """Text one story takes from another: the stories, whether the direction is decided, the links
    and what they share.
    """
    passages = [
        passage
        for link in relation.links
        for passage in (link.evidence or {}).get("shared_passages", [])
    ]
    return model.Relation(
        source=_story(relation.source, clusters, articles),
        taker=_story(relation.taker, clusters, articles),
        determined=relation.determined,
        kinds=tuple(sorted({link.kind for link in relation.links})),
        links=tuple(_link(link) for link in relation.links),
        largest_share=_largest_share(relation.links),
        shared_passages=tuple(dict.fromkeys(passages))[:3],
    )


ENGINES = ("incremental", "batch")
"""The in-process engines of run_audit (the Spark engine is provenance.spark)."""


def run_audit(
    store: Store,
    targets: Sequence[str],
    registry: Registry,
    settings: Settings | None = None,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
    stdin: BinaryIO | None = None,
    engine: str = "incremental",
) -> model.Audit:
    """Ingest a corpus and audit it; with no targets, audit every article the database holds.

    `engine` is ``incremental`` (``ingest``: batch by batch, resuming where an earlier run
    stopped) or ``batch`` (``provenance.batch.ingest_bulk``: the same links, the corpus's
    candidates found in memory and verified in the workers; an interrupted load starts over).
    """
    if not targets:
        store.require_current()
        report = IngestReport()
        with store.reader() as reader:
            report.article_ids = reader.article_ids()
        report.read = report.already_stored = len(report.article_ids)
        if not report.article_ids:
            raise NotFoundError(
                "the database holds no articles yet: give files, folders or URLs to audit, or run 'provenance ingest' first"
            )
        return build_audit(store, registry, report, [])
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    load = ingest
    if engine == "batch":
        from provenance.batch.engine import ingest_bulk

        load = ingest_bulk
    report = load(
        store,
        targets,
        settings or Settings(),
        on_progress=on_progress,
        stdin=stdin,
        workers=workers,
    )
    if not report.article_ids:
        if len(report.failures) == 1 and report.failures[0].origin in targets:
            raise InputError(f"{report.failures[0].origin}: {report.failures[0].reason}")
        first = (
            f"; first failure: {report.failures[0].origin}: {report.failures[0].reason}"
            if report.failures
            else ""
        )
        raise InputError(
            f"no readable articles in {', '.join(targets)}: {len(report.failures)} input(s) failed{first}"
        )
    return build_audit(store, registry, report, targets)
