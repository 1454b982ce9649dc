"""Source chains: the hops from an article's earliest known source to the article, with evidence."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from provenance.knowledge.attribution import sentences
from provenance.knowledge.outlets import identify_outlet
from provenance.knowledge.registry import Registry, SourceEntry
from provenance.store.reader import StoreReader
from provenance.store.records import (
    ArticleRecord,
    ArticleSummary,
    AttributionRecord,
    HopRecord,
    LinkRecord,
)

CHAIN_SCHEMA = "provenance.chain/2"
MAX_COPY_DEPTH = 6
CHAIN_ATTRIBUTION_KINDS = frozenset(("copied_from", "byline"))
"""The attributions a source chain reads besides those that name a medium: repost markers and bylines.

An audit loads only these for the articles it draws chains from (`Store.articles`): for the
11,228 cluster heads of the 100,000-article bench, 5,491 attributions instead of 92,899 (the rest
are people quoted, image credits and the like)."""
_RELAY_KINDS = ("cites", "quotes")
_LIST_CUES = ("quelle", "source", "источник", "джерел", "fuente", "weitere quellen", "mit material")


@dataclass
class Node:
    """A point of a chain: a source (agency, outlet), a web page named by a marker, or a stored
    article.
    """

    key: str
    label: str
    type: str
    source_kind: str | None = None
    country: str | None = None
    article_id: int | None = None
    url: str | None = None


@dataclass
class Hop:
    """One step of a chain, from an upstream node to a downstream one, with its evidence and
    confidence.
    """

    source: str
    target: str
    kind: str
    confidence: float
    evidence: list[str] = field(default_factory=list)
    note: str | None = None
    main: bool = False


@dataclass
class Chain:
    """An article's source chain: nodes, hops, the main path from origin to article, and what is
    undecided.
    """

    article: ArticleRecord
    nodes: dict[str, Node] = field(default_factory=dict)
    hops: list[Hop] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    undetermined: list[str] = field(default_factory=list)

    def add_node(self, node: Node) -> Node:
        """Add a node unless one with its key exists; return the stored one."""
        return self.nodes.setdefault(node.key, node)

    def add_hop(self, hop: Hop) -> None:
        """Add a hop unless the same pair is already linked."""
        if not any(h.source == hop.source and h.target == hop.target for h in self.hops):
            self.hops.append(hop)

    def main_hops(self) -> list[Hop]:
        """The hops of the main path, from the origin to the article."""
        return [
            hop
            for upstream, downstream in zip(self.path, self.path[1:])
            for hop in self.hops
            if hop.source == upstream and hop.target == downstream
        ][: max(len(self.path) - 1, 0)]

    def predecessors(self, key: str) -> list[Hop]:
        """Hops into a node."""
        return [hop for hop in self.hops if hop.target == key]


@dataclass
class _SourceGroup:
    """All attributions of an article to one source."""

    name: str
    entry: SourceEntry | None
    kinds: set[str] = field(default_factory=set)
    sentences: list[str] = field(default_factory=list)
    positions: set[int] = field(default_factory=set)
    listed_only: bool = True

    @property
    def is_primary(self) -> bool:
        """Agencies and state media, which other media relay."""
        if self.entry is not None:
            return self.entry.is_primary
        lowered = self.name.lower()
        return any(
            word in lowered
            for word in ("agentur", "agency", "агентств", "staatsmedien", "state media")
        )


def _article_node(article: ArticleRecord | ArticleSummary, registry: Registry) -> Node:
    """A stored article as a node: ``#4 merkur.de`` by its outlet, or by its file name when no
    outlet is known.
    """
    entry = registry.by_domain(article.domain) if article.domain else None
    outlet = identify_outlet(article.url or article.domain, article.outlet, registry)
    where = outlet.name if outlet is not None else article.origin.rsplit("/", 1)[-1]
    return Node(
        f"article:{article.id}",
        f"#{article.id} {where}",
        "article",
        entry.kind if entry else None,
        entry.country if entry else None,
        article.id,
        article.url,
    )


def _source_node(name: str, entry: SourceEntry | None) -> Node:
    if entry is not None:
        return Node(
            f"source:{entry.name}",
            entry.name,
            "source",
            entry.kind,
            entry.country,
            url=f"https://{entry.domains[0]}" if entry.domains else None,
        )
    return Node(f"source:{name.casefold()}", name, "source")


LinksOf = Callable[[int], list[LinkRecord]]
"""An article's copy links (either side), by article id."""


def _copy_origin(
    reader: StoreReader, article: ArticleRecord, links_of: LinksOf
) -> tuple[LinkRecord, ArticleRecord] | None:
    """The stored article this one was copied from, if a link with a decided direction says so."""
    links = [
        link
        for link in links_of(article.id)
        if link.copy_id == article.id and link.direction != "undetermined"
    ]
    if not links:
        return None
    best = max(links, key=lambda link: (link.direction == "evidence", link.jaccard))
    origin = reader.articles([best.origin_id])[best.origin_id]
    return best, origin


def link_score(link: LinkRecord) -> str:
    """A link's score named for what it is: a translation's anchor alignment score, a copy's Jaccard
    similarity.
    """
    if link.kind == "translation":
        return (
            f"alignment score {link.jaccard:.2f} of the two texts' anchors (names, numbers, dates)"
        )
    return f"Jaccard similarity {link.jaccard:.2f}"


def _undetermined_note(link: LinkRecord, article_id: int) -> str:
    other = link.origin_id if link.copy_id == article_id else link.copy_id
    return f"#{article_id} and #{other} are copies ({link.kind}, {link_score(link)}); which came first is not determined: {link.direction_reason}"


def _undetermined_links(article: ArticleRecord, links_of: LinksOf) -> list[str]:
    return [
        _undetermined_note(link, article.id)
        for link in links_of(article.id)
        if link.direction == "undetermined"
    ]


def _copy_hop(link: LinkRecord) -> Hop:
    """The hop a copy link with a decided direction makes, from the original to the copy."""
    score = link_score(link) + (
        ""
        if link.kind == "translation"
        else f", {link.containment:.2f} of the copy is in the original"
    )
    evidence = [link.direction_reason, score]
    return Hop(
        f"article:{link.origin_id}",
        f"article:{link.copy_id}",
        link.kind,
        0.95 if link.direction == "evidence" else 0.8,
        evidence,
    )


def _copy_layers(
    reader: StoreReader, chain: Chain, article: ArticleRecord, registry: Registry, links_of: LinksOf
) -> ArticleRecord:
    """Hops along copy links from the article back to the earliest stored original; returns that
    original.
    """
    current = article
    seen = {article.id}
    for _ in range(MAX_COPY_DEPTH):
        found = _copy_origin(reader, current, links_of)
        if found is None or found[1].id in seen:
            break
        link, origin = found
        seen.add(origin.id)
        chain.add_node(_article_node(origin, registry))
        chain.add_hop(_copy_hop(link))
        current = origin
    return current


def _marker_layer(chain: Chain, root: ArticleRecord, registry: Registry) -> str:
    """A hop from the page a repost marker names to the root article; returns the key of the text's
    author.
    """
    markers = [a for a in root.attributions if a.kind == "copied_from"]
    if not markers:
        return f"article:{root.id}"
    marker = markers[0]
    entry = registry.by_domain(marker.url) if marker.url else registry.resolve(marker.source_name)
    label = entry.name if entry else marker.source_name
    page = chain.add_node(
        Node(
            f"page:{marker.url or label}",
            label,
            "page",
            entry.kind if entry else None,
            entry.country if entry else None,
            url=marker.url,
        )
    )
    chain.add_hop(
        Hop(
            page.key,
            f"article:{root.id}",
            "repost",
            0.9,
            [marker.sentence],
            "named by a repost marker in the article",
        )
    )
    return page.key


def _publisher(root: ArticleRecord, registry: Registry) -> SourceEntry | None:
    """The outlet that published the root article: its domain, its byline, or an outlet its page
    furniture names.
    """
    if root.domain and (entry := registry.by_domain(root.domain)):
        return entry
    for attribution in root.attributions:
        if attribution.kind == "byline" and attribution.source_kind not in (
            None,
            "agency",
            "state_media",
        ):
            return registry.by_name(attribution.source_name)
    counts: dict[str, int] = defaultdict(int)
    for line in root.furniture:
        if line.get("kind") in ("image_credit", "source_footer", "read_more"):
            continue
        for mention in registry.mentions(str(line.get("line", ""))):
            if not mention.entry.is_primary:
                counts[mention.entry.name] += 1
    if counts:
        return registry.by_name(max(counts, key=lambda name: counts[name]))
    return None


def _is_list_cue(attribution: AttributionRecord) -> bool:
    return any(word in attribution.cue.lower() for word in _LIST_CUES)


def _source_groups(
    root: ArticleRecord, exclude: set[str]
) -> tuple[list[_SourceGroup], list[_SourceGroup]]:
    """The media the root article cites, and the wire services it credits, grouped by source."""
    cited: dict[str, _SourceGroup] = {}
    wires: dict[str, _SourceGroup] = {}
    for attribution in root.attributions:
        if (
            attribution.kind in ("image_credit", "copied_from", "byline")
            or not attribution.media
            or attribution.source_name in exclude
        ):
            continue
        target = wires if attribution.kind == "wire" else cited
        entry_name = attribution.source_name
        group = target.setdefault(entry_name.casefold(), _SourceGroup(entry_name, None))
        group.kinds.add(attribution.kind)
        if attribution.sentence not in group.sentences:
            group.sentences.append(attribution.sentence)
        if attribution.start is not None and not _is_list_cue(attribution):
            group.listed_only = False
            group.positions.update(
                index
                for index, span in enumerate(sentences(root.body))
                if span.start <= attribution.start < span.end
            )
        elif attribution.location == "furniture" and attribution.kind == "wire":
            group.listed_only = False
    return list(cited.values()), list(wires.values())


def _resolve_entries(groups: list[_SourceGroup], registry: Registry) -> None:
    for group in groups:
        group.entry = registry.by_name(group.name) or registry.resolve(group.name)


def _relays(
    primary: list[_SourceGroup], secondary: list[_SourceGroup]
) -> list[tuple[_SourceGroup, _SourceGroup, list[str]]]:
    """Pairs (P, S) where the text credits outlet S, in the same or the next sentence, with what
    agency P said.
    """
    pairs = []
    for outlet in secondary:
        for agency in primary:
            close = [(p, s) for p in agency.positions for s in outlet.positions if 0 <= s - p <= 1]
            if close:
                evidence = [
                    sentence for sentence in agency.sentences if not sentence.startswith("(")
                ][:2] + [s for s in outlet.sentences if not s.startswith("(")][:1]
                pairs.append(
                    (agency, outlet, list(dict.fromkeys(evidence)))
                )  # one sentence can credit both
    return pairs


def _source_layer(chain: Chain, root: ArticleRecord, author_key: str, registry: Registry) -> None:
    """Hops from the sources the text cites (and its wire service) to the text's author."""
    publisher = _publisher(root, registry)
    author = chain.nodes[author_key]
    if (
        publisher is not None
        and author.type == "article"
        and author.article_id == root.id
        and not root.domain
    ):
        author.label = f"{author.label} ({publisher.name})"
        author.source_kind, author.country = publisher.kind, publisher.country
    exclude = {name for name in (author.label, publisher.name if publisher else None) if name}
    cited, wires = _source_groups(root, exclude)
    _resolve_entries(cited + wires, registry)
    primary = [group for group in cited if group.is_primary]
    secondary = [group for group in cited if not group.is_primary]
    downstream = author_key
    for wire in wires:
        node = chain.add_node(_source_node(wire.name, wire.entry))
        chain.add_hop(
            Hop(
                node.key,
                author_key,
                "wire",
                0.9,
                wire.sentences[:2],
                "credited as the wire service",
            )
        )
        downstream = node.key
    relays = _relays(primary, secondary)
    relayed = {id(agency) for agency, _, _ in relays}
    for agency, outlet, evidence in relays:
        upstream = chain.add_node(_source_node(agency.name, agency.entry))
        middle = chain.add_node(_source_node(outlet.name, outlet.entry))
        chain.add_hop(
            Hop(
                upstream.key,
                middle.key,
                "reported",
                0.8,
                evidence,
                f"the article credits {outlet.name} next to what {agency.name} published",
            )
        )
    inferred = not relays and len(secondary) == 1 and primary and not wires
    for outlet in secondary:
        node = chain.add_node(_source_node(outlet.name, outlet.entry))
        chain.add_hop(
            Hop(
                node.key,
                author_key,
                "cited",
                0.6 if outlet.listed_only else 0.85,
                outlet.sentences[:2],
            )
        )
    for agency in primary:
        if id(agency) in relayed:
            continue
        node = chain.add_node(_source_node(agency.name, agency.entry))
        if inferred:
            outlet = secondary[0]
            chain.add_hop(
                Hop(
                    node.key,
                    f"source:{outlet.entry.name if outlet.entry else outlet.name.casefold()}",
                    "reported",
                    0.5,
                    agency.sentences[:2],
                    f"inferred: the article cites only {outlet.name} among outlets, and agencies reach outlets first; no sentence says so",
                )
            )
        elif wires and downstream != author_key and not secondary:
            chain.add_hop(
                Hop(
                    node.key,
                    downstream,
                    "reported",
                    0.5,
                    agency.sentences[:2],
                    f"inferred: the wire story cites {agency.name}",
                )
            )
        else:
            chain.add_hop(
                Hop(
                    node.key,
                    author_key,
                    "cited",
                    0.6 if agency.listed_only else 0.75,
                    agency.sentences[:2],
                )
            )


def _depth(chain: Chain, key: str, seen: frozenset[str] = frozenset()) -> tuple[int, float]:
    """Length and confidence of the longest, surest path ending at a node."""
    best = (0, 1.0)
    for hop in chain.predecessors(key):
        if hop.source in seen:
            continue
        length, confidence = _depth(chain, hop.source, seen | {key})
        best = max(best, (length + 1, confidence * hop.confidence))
    return best


def _main_path(chain: Chain, article_key: str) -> None:
    """Mark the longest, surest path ending at the article, and say where the order is undecided."""
    path = [article_key]
    current = article_key
    while hops := chain.predecessors(current):
        ranked = sorted(
            hops, key=lambda hop: _depth(chain, hop.source) + (hop.confidence,), reverse=True
        )
        best = ranked[0]
        ties = [
            hop
            for hop in ranked[1:]
            if _depth(chain, hop.source)[0] == _depth(chain, best.source)[0]
            and hop.kind == best.kind
            and hop.confidence == best.confidence
        ]
        if ties:
            names = ", ".join(chain.nodes[hop.source].label for hop in [best, *ties])
            chain.undetermined.append(
                f"{names} all feed {chain.nodes[current].label}; the evidence does not order them, so the path shows the first"
            )
        best.main = True
        current = best.source
        if current in path:
            break
        path.append(current)
    chain.path = list(reversed(path))
    named = {
        label for note in chain.undetermined for label in note.split(" all feed ")[0].split(", ")
    }
    side = sorted(
        {
            hop.source
            for hop in chain.hops
            if not hop.main
            and hop.target in path
            and hop.source not in path
            and chain.nodes[hop.source].label not in named
        }
    )
    if side:
        labels = ", ".join(chain.nodes[key].label for key in side)
        chain.undetermined.append(
            f"{labels} also feed the chain directly; whether they came before or after the main path is not determined"
        )


def source_chain(
    reader: StoreReader, article: ArticleRecord, registry: Registry, links_of: LinksOf | None = None
) -> Chain:
    """The chain from the earliest known origin to an article, from copy links, repost markers and attributions.

    `links_of` gives an article's copy links where the caller holds them already (an audit reads
    every link of its corpus at once); by default each is read from the store.
    """
    links_of = links_of or reader.links_of
    chain = Chain(article)
    article_node = chain.add_node(_article_node(article, registry))
    root = _copy_layers(reader, chain, article, registry, links_of)
    author_key = _marker_layer(chain, root, registry)
    _source_layer(chain, root, author_key, registry)
    chain.undetermined.extend(_undetermined_links(article, links_of))
    _main_path(chain, article_node.key)
    return chain


def with_copies(
    chain: Chain,
    links: Sequence[LinkRecord],
    articles: Mapping[int, ArticleSummary],
    registry: Registry,
) -> Chain:
    """A cluster's chain: its origin's chain continued along the cluster's copy links to every copy.

    A link whose direction is decided is a hop from the original to the copy; one whose direction
    is not is a note under ``undetermined``. The main path still ends at the origin.
    """
    for link in links:
        if link.direction == "undetermined":
            if (
                note := _undetermined_note(link, link.copy_id)
            ) not in chain.undetermined and _undetermined_note(
                link, link.origin_id
            ) not in chain.undetermined:
                chain.undetermined.append(note)
            continue
        for article_id in (link.origin_id, link.copy_id):
            chain.add_node(_article_node(articles[article_id], registry))
        chain.add_hop(_copy_hop(link))
    return chain


def chain_rows(chain: Chain) -> list[HopRecord]:
    """The chain as rows to store: main path first, from the origin, then the other hops."""
    ordered = chain.main_hops() + [hop for hop in chain.hops if not hop.main]
    return [
        HopRecord(
            article_id=chain.article.id,
            position=position,
            from_node=chain.nodes[hop.source].label,
            to_node=chain.nodes[hop.target].label,
            kind=hop.kind,
            confidence=hop.confidence,
            evidence={
                "sentences": hop.evidence,
                "note": hop.note,
                "main": hop.main,
                "from_key": hop.source,
                "to_key": hop.target,
            },
        )
        for position, hop in enumerate(ordered)
    ]


def chain_json(chain: Chain) -> dict[str, Any]:
    """A chain under the provenance.chain/2 schema."""
    article = chain.article
    publication = article.publication
    return {
        "schema": CHAIN_SCHEMA,
        "article": {
            "id": article.id,
            "url": article.url,
            "title": article.title,
            "origin": article.origin,
            "published": publication.iso() if publication else None,
            "published_precision": publication.precision if publication else "unknown",
        },
        "path": chain.path,
        "nodes": [vars(node) for node in chain.nodes.values()],
        "hops": [
            {
                "from": hop.source,
                "to": hop.target,
                "kind": hop.kind,
                "confidence": hop.confidence,
                "evidence": hop.evidence,
                "note": hop.note,
                "main": hop.main,
            }
            for hop in chain.hops
        ],
        "undetermined": chain.undetermined,
    }
