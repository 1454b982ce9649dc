"""ingest() and check(): read, split, fingerprint, store, link; each a list of named stages."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from .attribution import Found, extract_attributions, load_cues
from .compare import Alignment, Direction, Facts, Overlap, SourceMark, align, copy_kind, decide_direction, overlap, url_key
from .config import Settings
from .errors import ExtractionError, InputError
from .extract import Document, Failure, domain_of, iter_documents
from .fingerprint import U32, U64, Permutations, TokenHasher, minhash_inputs, shingle_set, signature_bytes, signature_matrix
from .index import BODY_NAMESPACE, PARAGRAPH_NAMESPACE, Banding
from .normalize import Layout, Marker, PatternSet, load_patterns, split_layout, text_lines, tokens
from .registry import load_registry
from .chain import Chain, chain_rows, source_chain
from .quotes import QuoteSpan, extract_quotes
from .store import Article, Attribution, CopyLink, Paragraph, Quote, Store

ProgressCallback = Callable[[str, int], None]
BATCH_SIZE = 500


@dataclass
class Prepared:
    """A document split into body and furniture, hashed and fingerprinted, ready to store or compare."""

    document: Document
    title: str | None
    layout: Layout
    markers: list[Marker]
    body: str
    content_hash: str
    identity_key: str
    shingles: U64
    paragraph_inputs: list[U32]
    attributions: list[Found] = field(default_factory=list)
    quotes: list[QuoteSpan] = field(default_factory=list)
    signature: U32 | None = None
    keys: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))


class Fingerprinter:
    """Shingles, MinHash signatures and LSH keys, with the settings they depend on.

    Args:
        settings: the MinHash size, seed, shingle size and LSH thresholds.

    Examples:
        >>> fingerprinter = Fingerprinter(Settings())
        >>> len(fingerprinter.shingles("one two three four"))
        2
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.permutations = Permutations.create(settings.num_perm, settings.seed)
        self.body_banding = Banding.for_threshold(settings.body_threshold, settings.num_perm, BODY_NAMESPACE)
        self.paragraph_banding = Banding.for_threshold(settings.paragraph_threshold, settings.num_perm, PARAGRAPH_NAMESPACE)
        self.hasher = TokenHasher()

    def shingles(self, text: str) -> U64:
        """The sorted unique shingle hashes of a text."""
        return shingle_set(self.hasher.hashes(tokens(text)), self.settings.shingle_size)

    def paragraph_inputs(self, paragraphs: Sequence[str]) -> list[U32]:
        """MinHash inputs of each paragraph long enough to be matched on its own."""
        inputs = []
        for paragraph in paragraphs:
            words = tokens(paragraph)
            if len(words) >= self.settings.min_paragraph_words:
                inputs.append(minhash_inputs(shingle_set(self.hasher.hashes(words), self.settings.shingle_size)))
        return inputs

    def sign(self, batch: Sequence[Prepared]) -> None:
        """Fill in the body signature and the LSH keys of every prepared document, in one pass."""
        if not batch:
            return
        bodies = signature_matrix([minhash_inputs(item.shingles) for item in batch], self.permutations)
        body_keys = self.body_banding.keys(bodies)
        flat = [inputs for item in batch for inputs in item.paragraph_inputs]
        paragraph_keys = self.paragraph_banding.keys(signature_matrix(flat, self.permutations)) if flat else None
        offset = 0
        for row, item in enumerate(batch):
            item.signature = bodies[row]
            count = len(item.paragraph_inputs)
            keys = [body_keys[row]] if len(item.shingles) else []
            if count and paragraph_keys is not None:
                keys.append(paragraph_keys[offset : offset + count].ravel())
            offset += count
            item.keys = np.unique(np.concatenate(keys)) if keys else np.empty(0, dtype=np.int64)


# ---- stage: prepare ----------------------------------------------------------------------


def _canonical_marker(document: Document) -> Marker | None:
    """A canonical URL on another domain than the page's own is a repost marker."""
    if not document.canonical_url or not document.url:
        return None
    if domain_of(document.canonical_url) in (None, domain_of(document.url)):
        return None
    return Marker(line=f"rel=canonical {document.canonical_url}", kind="canonical", url=document.canonical_url)


def content_hash(body: str) -> str:
    """SHA-256 of the case-folded words of a body: equal for texts that differ only in spacing or case."""
    return hashlib.sha256(" ".join(tokens(body)).encode("utf-8")).hexdigest()


def identity_key(url: str | None, body_hash: str) -> str:
    """What makes an article version unique: its URL (if any) and its body."""
    return hashlib.sha256(f"{url_key(url) if url else ''}\n{body_hash}".encode()).hexdigest()


def prepare(document: Document, patterns: PatternSet, fingerprinter: Fingerprinter) -> Prepared:
    """Split a document into title, body, furniture and markers, and hash its body."""
    layout = split_layout(text_lines(document.text), patterns)
    body_lines = list(layout.body)
    title = document.title
    if document.title_in_text and body_lines:
        title = body_lines.pop(0) if len(body_lines) > 1 else body_lines[0]
    elif title and len(body_lines) > 1 and tokens(body_lines[0]) == tokens(title):
        body_lines.pop(0)
    body = "\n".join(body_lines)
    if not tokens(body):
        raise ExtractionError("no article text left once page furniture is removed", document.origin)
    markers = list(layout.markers)
    if (canonical := _canonical_marker(document)) is not None:
        markers.append(canonical)
    body_hash = content_hash(body)
    settings = fingerprinter.settings
    attributions = extract_attributions(body, layout.furniture, markers, document.language, load_registry(settings.sources_file), load_cues(settings.cues_file))
    return Prepared(
        document=document,
        title=title,
        layout=layout,
        markers=markers,
        body=body,
        content_hash=body_hash,
        identity_key=identity_key(document.url, body_hash),
        shingles=fingerprinter.shingles(body),
        paragraph_inputs=fingerprinter.paragraph_inputs(body_lines),
        attributions=attributions,
        quotes=extract_quotes(body, attributions),
    )


# ---- stage: compare ----------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """A verified copy relation between a subject article and a stored one."""

    other: Article
    scores: Overlap
    kind: str
    direction: Direction
    alignment: Alignment

    @property
    def subject_role(self) -> str:
        """``copy`` when the subject copies the other, ``origin`` when the other copies it, else ``undetermined``."""
        return {"second": "copy", "first": "origin"}.get(self.direction.origin or "", "undetermined")


def _label(article_id: int | None, domain: str | None, origin: str) -> str:
    where = domain or origin.rsplit("/", 1)[-1]
    return f"#{article_id} ({where})" if article_id is not None else f"the checked article ({where})"


def facts_of_prepared(item: Prepared, article_id: int | None = None) -> Facts:
    """Direction facts of a prepared document."""
    document = item.document
    urls = tuple(url for url in (document.url, document.canonical_url) if url)
    marks = tuple(SourceMark(marker.line, marker.url, marker.outlet) for marker in item.markers)
    return Facts(_label(article_id, document.domain, document.origin), document.published, urls, document.domain, document.outlet, marks)


def facts_of_article(article: Article) -> Facts:
    """Direction facts of a stored article."""
    urls = tuple(url for url in (article.url, article.canonical_url) if url)
    marks = tuple(SourceMark(a.sentence, a.url, None if a.url else a.source_name) for a in article.attributions if a.kind == "copied_from")
    return Facts(_label(article.id, article.domain, article.origin), article.published, urls, article.domain, article.outlet, marks)


def _same_outlet(first: Facts, second: Facts) -> bool:
    if first.domain and second.domain:
        return first.domain == second.domain
    if first.domain or second.domain:
        return False
    return not first.marks and not second.marks


def verify(subject: Facts, subject_body: str, subject_shingles: U64, other: Article, fingerprinter: Fingerprinter) -> Match | None:
    """Score a candidate against the subject and return a Match only if it is a real copy."""
    other_shingles = fingerprinter.shingles(other.body)
    scores = overlap(subject_shingles, other_shingles)
    other_facts = facts_of_article(other)
    kind = copy_kind(scores, _same_outlet(subject, other_facts), fingerprinter.settings)
    if kind is None:
        return None
    direction = decide_direction(subject, other_facts)
    return Match(other, scores, kind, direction, align(other.body, subject_body))


def find_copies(session: Session, store: Store, subject: Facts, item: Prepared, fingerprinter: Fingerprinter, exclude: Iterable[int] = (), extra: Iterable[int] = ()) -> list[Match]:
    """Verified copies of a prepared document among the stored articles, best first."""
    candidates = store.candidates(session, item.keys.tolist(), exclude=exclude, limit=fingerprinter.settings.max_candidates)
    ids = [candidate.article_id for candidate in candidates] + [i for i in extra if i not in set(exclude)]
    matches = []
    for other in store.articles(session, ids).values():
        match = verify(subject, item.body, item.shingles, other, fingerprinter)
        if match is not None:
            matches.append(match)
    return sorted(matches, key=lambda match: (-match.scores.jaccard, match.other.id))


def _marked_articles(session: Session, store: Store, markers: Sequence[Marker]) -> list[Article]:
    urls = [marker.url for marker in markers if marker.url]
    variants = {variant for url in urls for variant in (url, url.rstrip("/"), url.rstrip("/") + "/")}
    return store.articles_at_urls(session, variants)


# ---- ingest ------------------------------------------------------------------------------


@dataclass
class IngestReport:
    """What an ingest did: counts, new copy links by kind, and every input that failed with its reason."""

    read: int = 0
    added: int = 0
    already_stored: int = 0
    new_versions: int = 0
    links: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The report as plain data for --json."""
        return {
            "read": self.read,
            "added": self.added,
            "already_stored": self.already_stored,
            "new_versions": self.new_versions,
            "links": dict(sorted(self.links.items())),
            "failures": [{"origin": failure.origin, "reason": failure.reason} for failure in self.failures],
        }


def _article_row(item: Prepared, version: int, previous_id: int | None, seed: int, source_ids: dict[str, int]) -> Article:
    document = item.document
    assert item.signature is not None
    article = Article(
        identity_key=item.identity_key,
        content_hash=item.content_hash,
        url=document.url,
        canonical_url=document.canonical_url,
        domain=document.domain,
        outlet=document.outlet,
        title=item.title,
        author=document.author,
        published=document.published,
        language=document.language,
        body=item.body,
        furniture=[{"kind": line.kind, "line": line.line} for line in item.layout.furniture],
        origin=document.origin,
        format=document.format,
        version=version,
        previous_version_id=previous_id,
        shingle_count=len(item.shingles),
        signature=signature_bytes(item.signature, seed),
    )
    article.paragraphs = [Paragraph(position=position, text=text) for position, text in enumerate(item.body.split("\n"))]
    article.attributions = [_attribution_row(found, source_ids) for found in item.attributions]
    article.quotes = [
        Quote(text=quote.text, normalized=quote.normalized, speaker=quote.speaker, source_name=quote.source, start=quote.start, end=quote.end)
        for quote in item.quotes
    ]
    return article


def _attribution_row(found: Found, source_ids: dict[str, int]) -> Attribution:
    return Attribution(
        source_id=source_ids.get(found.source) if found.entry else None,
        source_name=found.source,
        source_kind=found.entry.kind if found.entry else None,
        kind=found.kind,
        cue=found.cue,
        sentence=found.sentence,
        start=found.start,
        end=found.end,
        url=found.url,
        location=found.location,
        media=found.media,
    )


def _link_row(article: Article, match: Match) -> CopyLink:
    if match.direction.origin == "first":
        origin_id, copy_id = article.id, match.other.id
    else:
        origin_id, copy_id = match.other.id, article.id
    scores = match.scores
    containment = scores.containment if copy_id == article.id else scores.reverse_containment
    reverse = scores.reverse_containment if copy_id == article.id else scores.containment
    low, high = sorted((article.id, match.other.id))
    return CopyLink(
        pair_key=f"{low}-{high}",
        origin_id=origin_id,
        copy_id=copy_id,
        kind=match.kind,
        jaccard=round(scores.jaccard, 4),
        containment=round(containment, 4),
        reverse_containment=round(reverse, 4),
        direction=match.direction.status,
        direction_reason=match.direction.reason,
        evidence={"shared_passages": match.alignment.shared, "changed_passages": [list(pair) for pair in match.alignment.changed], "shared_words": match.alignment.shared_words},
        created_at=None,
    )


def _store_batch(store: Store, batch: list[Prepared], fingerprinter: Fingerprinter, report: IngestReport) -> None:
    """Write one batch in one transaction: new articles, their buckets and their verified links."""
    fingerprinter.sign(batch)
    with store.transaction() as session:
        known = store.known_identity_keys(session, [item.identity_key for item in batch])
        for item in batch:
            if item.identity_key in known:
                report.already_stored += 1
                continue
            known.add(item.identity_key)
            _store_one(session, store, item, fingerprinter, report)


def _store_one(session: Session, store: Store, item: Prepared, fingerprinter: Fingerprinter, report: IngestReport) -> None:
    previous = store.latest_version(session, item.document.url) if item.document.url else None
    version = previous.version + 1 if previous else 1
    source_ids = store.source_ids(session, [found.entry for found in item.attributions if found.entry is not None])
    article = store.add_article(session, _article_row(item, version, previous.id if previous else None, fingerprinter.settings.seed, source_ids))
    report.added += 1
    report.new_versions += previous is not None
    subject = facts_of_prepared(item, article.id)
    marked = [other.id for other in _marked_articles(session, store, item.markers)]
    for match in find_copies(session, store, subject, item, fingerprinter, exclude=[article.id], extra=marked):
        store.add_link(session, _link_row(article, match))
        report.links[match.kind] += 1
    store.add_buckets(session, article.id, item.keys.tolist())


def _prepared_or_failures(targets: Iterable[str], settings: Settings, patterns: PatternSet, fingerprinter: Fingerprinter, report: IngestReport, stdin: BinaryIO | None) -> Iterator[Prepared]:
    for document in iter_documents(targets, settings.max_file_bytes, stdin):
        report.read += 1
        if isinstance(document, Failure):
            report.failures.append(document)
            continue
        try:
            yield prepare(document, patterns, fingerprinter)
        except ExtractionError as error:
            report.failures.append(Failure(document.origin, error.bare_reason))


def ingest(store: Store, targets: Sequence[str], settings: Settings | None = None, on_progress: ProgressCallback | None = None, stdin: BinaryIO | None = None) -> IngestReport:
    """Read every article in the targets, store the new ones, and link them to their copies.

    Each batch is one transaction, so an interrupted ingest loses at most the batch under way,
    and running it again stores only what is missing.
    """
    settings = settings or Settings()
    if not targets:
        raise InputError("nothing to ingest: give files, folders, URLs or '-'")
    fingerprinter = Fingerprinter(settings)
    patterns = load_patterns(settings.patterns_file)
    report = IngestReport()
    prepared = _prepared_or_failures(targets, settings, patterns, fingerprinter, report, stdin)
    while batch := list(islice(prepared, BATCH_SIZE)):
        _store_batch(store, batch, fingerprinter, report)
        if on_progress:
            on_progress("ingest", len(batch))
    return report


def store_checked(store: Store, results: Sequence[CheckResult], settings: Settings | None = None) -> IngestReport:
    """Store articles that were checked, as ingest would have."""
    report = IngestReport(read=len(results))
    _store_batch(store, [result.item for result in results], Fingerprinter(settings or Settings()), report)
    return report


# ---- check -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """The answer to "is this article a repost?" for one article, with its evidence."""

    item: Prepared
    verdict: str
    matches: list[Match]
    markers: list[tuple[Marker, list[Article]]]

    @property
    def is_copy(self) -> bool:
        """Whether the article is a copy of something (stored or named by a marker)."""
        return self.verdict != "original"


def _verdict(matches: Sequence[Match], markers: Sequence[tuple[Marker, list[Article]]]) -> str:
    copies = [match for match in matches if match.subject_role != "origin"]
    if copies:
        return copies[0].kind
    if any(marker.kind == "source_footer" or marker.kind == "canonical" for marker, _ in markers):
        return "repost"
    return "original"


def check_prepared(store: Store, item: Prepared, fingerprinter: Fingerprinter) -> CheckResult:
    """Compare one prepared article with the database, without writing anything."""
    fingerprinter.sign([item])
    with store.reading() as session:
        subject = facts_of_prepared(item)
        marked: list[tuple[Marker, list[Article]]] = [(marker, _marked_articles(session, store, [marker])) for marker in item.markers]
        extra = [article.id for _, articles in marked for article in articles]
        stored_same = store.known_identity_keys(session, [item.identity_key])
        matches = find_copies(session, store, subject, item, fingerprinter, extra=extra)
        if stored_same:
            matches = [match for match in matches if match.other.identity_key != item.identity_key]
        for match in matches:
            _ = match.other.attributions
    return CheckResult(item, _verdict(matches, marked), matches, marked)


def check(store: Store, target: str, settings: Settings | None = None, stdin: BinaryIO | None = None) -> list[CheckResult]:
    """Is the article at this path, URL or '-' a repost? Of what, how much, and on what evidence."""
    settings = settings or Settings()
    fingerprinter = Fingerprinter(settings)
    patterns = load_patterns(settings.patterns_file)
    results = []
    for document in iter_documents([target], settings.max_file_bytes, stdin):
        if isinstance(document, Failure):
            raise ExtractionError(document.reason, document.origin)
        results.append(check_prepared(store, prepare(document, patterns, fingerprinter), fingerprinter))
    return results


# ---- chains ------------------------------------------------------------------------------


def _stored_article(store: Store, session: Session, reference: str, settings: Settings) -> Article:
    """The stored article a reference names: an id, a URL, a file name, or a file or URL to ingest first."""
    from .extract import is_url
    from pathlib import Path

    if is_url(reference) or Path(reference).is_file():
        fingerprinter = Fingerprinter(settings)
        for document in iter_documents([reference], settings.max_file_bytes):
            if isinstance(document, Failure):
                raise ExtractionError(document.reason, document.origin)
            item = prepare(document, load_patterns(settings.patterns_file), fingerprinter)
            if not store.known_identity_keys(session, [item.identity_key]):
                _store_batch(store, [item], fingerprinter, IngestReport())
            found = session.scalars(select(Article).where(Article.identity_key == item.identity_key)).first()
            if found is not None:
                return found
    return store.find_article(session, reference)


def chain_for(store: Store, reference: str, settings: Settings | None = None) -> Chain:
    """Build, store and return the source chain of an article (by id, URL, file name, or a file to ingest)."""
    settings = settings or Settings()
    registry = load_registry(settings.sources_file)
    with store.transaction() as session:
        article = _stored_article(store, session, reference, settings)
        chain = source_chain(session, store, article, registry)
        store.replace_chain(session, article.id, chain_rows(chain))
        _ = [a.sentence for a in article.attributions]
    return chain


def article_quotes(store: Store, reference: str) -> Article:
    """A stored article (by id, URL or file name) with its quotations loaded."""
    with store.reading() as session:
        article = store.find_article(session, reference)
        _ = [quote.text for quote in article.quotes]
    return article
