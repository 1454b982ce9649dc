"""check(): the verdict on one article against the database (original, copy, copied_by, same_text,
stored).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from provenance.config import Settings
from provenance.errors import ExtractionError
from provenance.graph.passages import PassageElsewhere, passages_elsewhere
from provenance.ingest.links import Match, _url_variants, find_copies
from provenance.ingest.preparation import (
    Fingerprinter,
    Prepared,
    outlet_of_document,
    prepare,
)
from provenance.knowledge.outlets import identify_outlet
from provenance.knowledge.registry import Registry, load_registry
from provenance.match.compare import (
    Alignment,
    Direction,
    Overlap,
)
from provenance.read.document import Document, Failure
from provenance.read.inputs import iter_documents
from provenance.store.reader import StoreReader
from provenance.store.records import ArticleRecord, ArticleSummary, LinkRecord
from provenance.store.store import Store
from provenance.text.normalize import Marker, load_patterns
from provenance.translation.alignment import TranslationEvidence


def _marked_articles(reader: StoreReader, markers: Sequence[Marker]) -> list[ArticleRecord]:
    return reader.articles_at_urls(_url_variants(marker.url for marker in markers if marker.url))


# ---- check -------------------------------------------------------------------------------


ORIGINAL, COPY, COPIED_BY, SAME_TEXT, STORED = (
    "original",
    "copy",
    "copied_by",
    "same_text",
    "stored",
)
VERDICTS = (ORIGINAL, COPY, COPIED_BY, SAME_TEXT, STORED)
"""What `check` answers: no relation; a copy of something earlier; copied by later articles; the same text
as another with the order not determined; already stored (then its stored relations follow)."""
SOURCE_MARKER_KINDS = ("source_footer", "canonical")
_RELATION_OF_ROLE = {"copy": "copy_of", "origin": "copied_by", "undetermined": "same_text"}


@dataclass(frozen=True)
class CheckResult:
    """The answer to "is this article a repost?" for one article, with its evidence.

    Args:
        item: the checked article, prepared.
        verdict: one of VERDICTS.
        matches: its relations to stored articles, copies of earlier ones first, then those whose
            order is not determined, then later copies of it.
        markers: its repost markers, each with the stored articles at the URL it names.
        stored: the stored article it is, when the verdict is ``stored``.
        database_empty: the database held no article to compare with.
        passages: its passages that articles of other outlets hold too, where else and where first.
    """

    item: Prepared
    verdict: str
    matches: list[Match]
    markers: list[tuple[Marker, list[ArticleRecord]]]
    stored: ArticleRecord | None = None
    database_empty: bool = False
    passages: list[PassageElsewhere] = field(default_factory=list)

    @property
    def source_markers(self) -> list[tuple[Marker, list[ArticleRecord]]]:
        """The markers that name where the article was taken from (a source footer, a canonical link
        elsewhere).
        """
        return [
            (marker, stored)
            for marker, stored in self.markers
            if marker.kind in SOURCE_MARKER_KINDS
        ]

    @property
    def is_copy(self) -> bool:
        """Whether the article copies an earlier stored article or names, in a marker, where it was
        taken from (exit code 1).
        """
        return any(match.subject_role == "copy" for match in self.matches) or bool(
            self.source_markers
        )

    @property
    def named(self) -> Match | None:
        """The relation the verdict names: the copied original, the same text, or the first later
        copy.
        """
        wanted = {COPY: "copy", SAME_TEXT: "undetermined", COPIED_BY: "origin"}.get(self.verdict)
        return next((match for match in self.matches if match.subject_role == wanted), None)

    @property
    def kind(self) -> str | None:
        """The kind of the relation the verdict names (duplicate, repost, partial, translation);
        ``repost`` for a marker alone.
        """
        if self.named is not None:
            return self.named.kind
        return "repost" if self.verdict == COPY else None


def relation_of(match: Match) -> str:
    """``copy_of`` (the checked article copies the match), ``copied_by`` (the match copies it) or
    ``same_text`` (order not determined).
    """
    return _RELATION_OF_ROLE[match.subject_role]


def _verdict(
    matches: Sequence[Match],
    markers: Sequence[tuple[Marker, list[ArticleRecord]]],
    stored: ArticleRecord | None,
) -> str:
    roles = {match.subject_role for match in matches}
    if stored is not None:
        return STORED
    if "copy" in roles or any(marker.kind in SOURCE_MARKER_KINDS for marker, _ in markers):
        return COPY
    if "undetermined" in roles:
        return SAME_TEXT
    return COPIED_BY if "origin" in roles else ORIGINAL


def _ranked(matches: Iterable[Match]) -> list[Match]:
    """Copies of earlier articles first (those a marker decides first), then the undecided, then
    later copies; most similar first.
    """
    order = {"copy": 0, "undetermined": 1, "origin": 2}
    return sorted(
        matches,
        key=lambda m: (
            order[m.subject_role],
            m.direction.status != "evidence",
            -m.scores.jaccard,
            m.other.id,
        ),
    )


def match_from_link(link: LinkRecord, subject_id: int, other: ArticleRecord) -> Match:
    """A stored copy link seen from one of its articles, as a Match (the evidence as stored; nothing
    compared again).
    """
    subject_is_copy = link.copy_id == subject_id
    decided = link.direction != "undetermined"
    origin = ("second" if subject_is_copy else "first") if decided else None
    # The link stores the copy's share in the origin and the origin's share in the copy.
    containment, reverse = (
        (link.containment, link.reverse_containment)
        if subject_is_copy
        else (link.reverse_containment, link.containment)
    )
    evidence = link.evidence or {}
    changed = [
        (str(pair[0]), str(pair[1]))
        for pair in evidence.get("changed_passages", [])
        if len(pair) == 2
    ]
    if not subject_is_copy:  # stored as (origin, copy); a Match reads (other, subject)
        changed = [(after, before) for before, after in changed]
    alignment = Alignment(
        list(evidence.get("shared_passages", [])),
        changed,
        int(evidence.get("shared_words", 0) or 0),
    )
    translation = None
    if link.kind == "translation":
        pairs = [
            (str(a), str(b)) for a, b in evidence.get("anchor_pairs", [])
        ]  # stored origin first; a Match's are (subject, other)
        if subject_is_copy:
            pairs = [(b, a) for a, b in pairs]
        translation = TranslationEvidence(
            float(evidence.get("score", link.jaccard)),
            pairs,
            int(evidence.get("aligned_anchors", len(pairs))),
            containment,
            reverse,
            float(evidence.get("order_agreement", 1.0)),
            True,
            str(evidence.get("reason", "")),
        )
    scores = Overlap(link.jaccard, containment, reverse, alignment.shared_words, 0, 0)
    return Match(
        other,
        scores,
        link.kind,
        Direction(origin, link.direction, link.direction_reason),
        alignment,
        translation,
    )


def _stored_as(reader: StoreReader, item: Prepared, registry: Registry) -> ArticleRecord | None:
    """The stored article the checked one is: the same identity (URL and body), the same URL, or, for a text without URL, the same body.

    A text without URL is the stored article of the same body (a page saved to a file, say)
    unless it names a source in a marker or another outlet published it: then it is a copy, and
    compared as any other. The same body at another URL is a copy too.
    """
    document = item.document
    found = reader.same_article(
        item.identity_key, _url_variants([document.url]) if document.url else set()
    )
    if (
        found is not None
        or document.url
        or any(marker.kind in SOURCE_MARKER_KINDS for marker in item.markers)
    ):
        return found
    own = outlet_of_document(document, registry)
    for candidate in reader.articles_with_body_hash(item.content_hash):
        theirs = identify_outlet(
            candidate.url or candidate.canonical_url or candidate.domain, candidate.outlet, registry
        )
        if own is None or (theirs is not None and own.same_as(theirs)):
            return candidate
    return None


def stored_relations(reader: StoreReader, article: ArticleRecord) -> list[Match]:
    """A stored article's copy and translation links, each seen from it as a Match."""
    links = reader.links_of(article.id)
    others = reader.articles(
        [link.copy_id if link.origin_id == article.id else link.origin_id for link in links]
    )
    return [
        match_from_link(link, article.id, others[other_id])
        for link in links
        if (other_id := link.copy_id if link.origin_id == article.id else link.origin_id) in others
    ]


def check_prepared(store: Store, item: Prepared, fingerprinter: Fingerprinter) -> CheckResult:
    """Compare one prepared article with the database, without writing anything.

    An article already stored (same URL, or same body when it has no URL) is answered with its
    stored relations, so that `check` and the audit never disagree about it.
    """
    fingerprinter.sign([item])
    with store.reader() as reader:
        marked: list[tuple[Marker, list[ArticleRecord]]] = [
            (marker, _marked_articles(reader, [marker])) for marker in item.markers
        ]
        stored = _stored_as(reader, item, load_registry(fingerprinter.settings.sources_file))
        if stored is not None:
            matches = stored_relations(reader, stored)
            passages = stored_passages(reader, stored)
        else:
            extra = [article.id for _, articles in marked for article in articles]
            found = find_copies(reader, item, fingerprinter, extra=extra)
            matches = found.matches
            passages = passages_elsewhere(reader, item.body, found.passages, _summary_of(item))
        empty = stored is None and not matches and reader.is_empty()
    ranked = _ranked(matches)
    return CheckResult(
        item, _verdict(ranked, marked, stored), ranked, marked, stored, empty, passages
    )


def _summary_of(item: Prepared) -> ArticleSummary:
    """A checked article as the passage report reads an article (id 0: it is not stored)."""
    document = item.document
    return ArticleSummary(
        0,
        item.title,
        document.url,
        document.outlet,
        document.domain,
        document.published,
        document.language,
        document.origin,
    )


def stored_passages(reader: StoreReader, article: ArticleRecord) -> list[PassageElsewhere]:
    """The stored passage clusters a stored article is a witness of, seen from it."""
    own = reader.passage_witnesses([article.id])
    clusters = reader.witnesses_of_passages({w.passage for w in own})
    found = [
        (mine.start, mine.end, other.article_id, other.start, other.end)
        for mine in own
        for other in clusters.get(mine.passage, ())
        if other.article_id != article.id
    ]
    summary = reader.article_summaries([article.id])[article.id]
    return passages_elsewhere(reader, article.body, found, summary)


def check(
    store: Store, target: str, settings: Settings | None = None, stdin: BinaryIO | None = None
) -> list[CheckResult]:
    """Is the article at this path, URL or '-' a repost? Of what, how much, and on what evidence."""
    settings = settings or Settings()
    documents = iter_documents(
        [target], settings.max_file_bytes, stdin, settings.allow_private_urls
    )
    return check_documents(store, documents, settings)


def check_documents(
    store: Store, documents: Iterable[Document | Failure], settings: Settings | None = None
) -> list[CheckResult]:
    """The verdict on each document (read from text, HTML, an upload or a URL); the first one that
    cannot be read raises ExtractionError.
    """
    store.require_current()
    settings = settings or Settings()
    fingerprinter = Fingerprinter(settings)
    patterns = load_patterns(settings.patterns_file)
    results = []
    for document in documents:
        if isinstance(document, Failure):
            raise ExtractionError(document.reason, document.origin)
        results.append(
            check_prepared(store, prepare(document, patterns, fingerprinter), fingerprinter)
        )
    return results
