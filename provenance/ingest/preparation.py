"""Preparing a document: layout, markers, language, attributions, quotes, anchors, shingles and
signature.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from provenance.config import Settings
from provenance.errors import ExtractionError
from provenance.knowledge.attribution import Found, extract_attributions, load_cues
from provenance.knowledge.outlets import Outlet, identify_outlet, registered_domain
from provenance.knowledge.quotes import QuoteSpan, extract_quotes
from provenance.knowledge.registry import Registry, load_registry
from provenance.match.compare import (
    url_key,
)
from provenance.read.document import Document
from provenance.read.language import detect_language
from provenance.sketch.fingerprint import (
    U32,
    U64,
    SketchParams,
    densify,
    merge_raw,
    shingle_batch,
    sorted_unique,
    text_signature,
)
from provenance.sketch.index import BODY_NAMESPACE, PARAGRAPH_NAMESPACE, Banding
from provenance.text.normalize import (
    HEADLINE_WORDS,
    FurnitureLine,
    Layout,
    Marker,
    PatternSet,
    as_headline,
    has_words,
    headline_index,
    split_layout,
    text_lines,
    tokens,
)
from provenance.translation.anchors import Anchor, base_language, extract_anchors
from provenance.translation.keys import anchor_features, translation_keys

ProgressCallback = Callable[[str, int], None]


@dataclass
class Prepared:
    """A document split into body and furniture, hashed and fingerprinted, ready to store or
    compare.
    """

    document: Document
    title: str | None
    layout: Layout
    markers: list[Marker]
    body: str
    content_hash: str
    identity_key: str
    attributions: list[Found] = field(default_factory=list)
    quotes: list[QuoteSpan] = field(default_factory=list)
    anchors: list[Anchor] | None = field(default_factory=list)
    """None once sent to another process after signing (see __getstate__)."""
    shingles: U64 = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    signature: U32 | None = None
    keys: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    anchor_keys: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def anchor_language(self) -> str:
        """The base language its translation keys are stored under ("" when it has none: no anchors,
        no keys).
        """
        return base_language(self.document.language) or ""

    def anchor_list(self) -> list[Anchor]:
        """The body's anchors, made again when they were left behind in a worker."""
        if self.anchors is None:
            self.anchors = (
                list(stored_anchors(self.body, self.document.language))
                if self.document.language
                else []
            )
        return self.anchors

    def __getstate__(self) -> dict[str, Any]:
        """The fields, without the anchors once the translation keys are made from them.

        The writer needs an article's anchors only to verify a translation candidate (292 of
        10,000 new articles at 100,000 stored), and sending them from a worker cost 0.17 ms an
        article; the writer makes them again from the body when it needs them.
        """
        state = dict(self.__dict__)
        if self.signature is not None:
            state["anchors"] = None
        return state


class Fingerprinter:
    """Shingle sets, MinHash signatures and LSH keys, with the settings they depend on.

    Args:
        settings: the MinHash size, seed, shingle size and LSH thresholds.

    Examples:
        >>> fingerprinter = Fingerprinter(Settings())
        >>> len(fingerprinter.shingles("one two three four"))
        2
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.params = SketchParams(settings.num_perm, settings.seed, settings.shingle_size)
        self.body_banding = Banding.for_threshold(
            settings.body_threshold, settings.num_perm, BODY_NAMESPACE
        )
        self.paragraph_banding = Banding(
            settings.paragraph_bands, settings.paragraph_rows, PARAGRAPH_NAMESPACE
        )

    def shingles(self, text: str) -> U64:
        """The sorted unique shingle hashes of a body (each line shingled on its own)."""
        return text_signature(text, self.params)[0]

    def sign(self, batch: Sequence[Prepared]) -> None:
        """Fill in the shingles, the body signature and the LSH keys of every prepared document, in
        one pass.
        """
        anchor_texts = [
            anchor_features(item.anchor_list()) if item.anchor_language else "" for item in batch
        ]
        for item, found in zip(
            batch, self.fingerprints([item.body for item in batch], anchor_texts), strict=True
        ):
            item.shingles, item.signature, item.keys, item.anchor_keys = found

    def fingerprints(self, bodies: Sequence[str], anchor_texts: Sequence[str]) -> list[Fingerprint]:
        """Shingles, body signature, copy LSH keys (body and paragraphs) and translation LSH keys of
        each body, in one compiled pass.
        """
        if not bodies:
            return []
        paragraphs = [body.split("\n") for body in bodies]
        shingled = shingle_batch([text for lines in paragraphs for text in lines], self.params)
        groups, first = [], 0
        for lines in paragraphs:
            groups.append(range(first, first + len(lines)))
            first += len(lines)
        signatures = densify(merge_raw(shingled.raw_signatures, groups))
        long_enough = np.flatnonzero(shingled.word_counts >= self.settings.min_paragraph_words)
        paragraph_keys = (
            self.paragraph_banding.keys(densify(shingled.raw_signatures[long_enough]))
            if long_enough.size
            else None
        )
        body_keys = self.body_banding.keys(signatures)
        anchor_keys = translation_keys(anchor_texts, self.settings)
        owner_of_long = np.searchsorted(
            np.array([g.stop for g in groups]), long_enough, side="right"
        )
        found = []
        for row in range(len(bodies)):
            sets = [shingled.sets[index] for index in groups[row]]
            shingles = sorted_unique(np.concatenate(sets)) if sets else np.empty(0, dtype=np.uint64)
            keys = [body_keys[row]] if len(shingles) else []
            if paragraph_keys is not None:
                keys.append(paragraph_keys[owner_of_long == row].ravel())
            copy_keys = sorted_unique(np.concatenate(keys)) if keys else np.empty(0, dtype=np.int64)
            found.append(
                Fingerprint(
                    shingles, signatures[row], copy_keys, sorted_unique(anchor_keys[row].ravel())
                )
            )
        return found

    def index_keys(
        self, bodies: Sequence[str], languages: Sequence[str | None]
    ) -> list[Fingerprint]:
        """The fingerprints of stored bodies, their anchors extracted again: what rebuilding the LSH
        index needs.
        """
        return self.fingerprints(
            bodies,
            [
                anchor_features(extract_anchors(body, language)) if language else ""
                for body, language in zip(bodies, languages, strict=True)
            ],
        )


class Fingerprint(NamedTuple):
    """What the Fingerprinter makes of one body: its shingle set, its signature, its copy and
    translation LSH keys.
    """

    shingles: U64
    signature: U32
    keys: npt.NDArray[np.int64]
    anchor_keys: npt.NDArray[np.int64]


# ---- stage: prepare ----------------------------------------------------------------------


def _canonical_marker(document: Document) -> Marker | None:
    """A canonical URL at another publisher than the page's own is a repost marker
    (``social.techcrunch.com`` to ``techcrunch.com`` is not).
    """
    if not document.canonical_url or not document.url:
        return None
    if registered_domain(document.canonical_url) in (None, registered_domain(document.url)):
        return None
    return Marker(
        line=f"rel=canonical {document.canonical_url}", kind="canonical", url=document.canonical_url
    )


OWN_OUTLET_CREDIT = "own_outlet_credit"
"""The furniture kind of a line shaped like a repost marker that names the page's own outlet
("Originally published on Live Science" on livescience.com).
"""


def outlet_of_document(document: Document, registry: Registry) -> Outlet | None:
    """The outlet that published a document, from its URL (or canonical URL) and its site name."""
    return identify_outlet(document.url or document.canonical_url, document.outlet, registry)


def _names_own_outlet(marker: Marker, own: Outlet | None) -> bool:
    if own is None:
        return False
    if marker.url:
        return own.domain is not None and registered_domain(marker.url) == own.domain
    return bool(marker.outlet) and own.named_in(marker.outlet or "")


def _repost_markers(layout: Layout, own: Outlet | None) -> tuple[list[Marker], list[FurnitureLine]]:
    """The layout's repost markers that name another outlet; those naming the page's own outlet
    become furniture.
    """
    markers, own_credits = [], []
    for marker in layout.markers:
        if _names_own_outlet(marker, own):
            own_credits.append(FurnitureLine(marker.line, OWN_OUTLET_CREDIT))
        else:
            markers.append(marker)
    return markers, own_credits


def _headline_of_text(body_lines: list[str]) -> str:
    """The title of a plain text: its first line, taken out of the body, as before; but when that line is page furniture
    (a date, share buttons, an e-mail address, a byline: plain texts saved from pages often open so), the first of the
    next few lines that is not, or its first sentence, left in the body. A first line longer than a headline is the
    article's lead: it stays in the body, and its first sentence is the title.
    """
    found = headline_index(body_lines)
    if found is None:
        found = 0
    if found == 0 and len(body_lines) > 1 and len(body_lines[0].split()) <= HEADLINE_WORDS:
        return body_lines.pop(0)
    return as_headline(body_lines[found])


def content_hash(body: str) -> str:
    """SHA-256 of a case-folded body with its whitespace collapsed: equal for texts that differ only
    in spacing or case.
    """
    return hashlib.sha256(" ".join(body.casefold().split()).encode("utf-8")).hexdigest()


def identity_key(url: str | None, body_hash: str) -> str:
    """What makes an article version unique: its URL (if any) and its body."""
    return hashlib.sha256(f"{url_key(url) if url else ''}\n{body_hash}".encode()).hexdigest()


def prepare(document: Document, patterns: PatternSet, fingerprinter: Fingerprinter) -> Prepared:
    """Split a document into title, body, furniture and markers, and hash its body."""
    layout = split_layout(text_lines(document.text), patterns)
    body_lines = list(layout.body)
    title = document.title
    if document.title_in_text and body_lines:
        title = _headline_of_text(body_lines)
    elif title and len(body_lines) > 1 and tokens(body_lines[0]) == tokens(title):
        body_lines.pop(0)
    body = "\n".join(body_lines)
    if not has_words(body):
        raise ExtractionError(
            "no article text left once page furniture is removed", document.origin
        )
    settings = fingerprinter.settings
    registry = load_registry(settings.sources_file)
    markers, own_credits = _repost_markers(layout, outlet_of_document(document, registry))
    if own_credits:
        layout = replace(layout, furniture=[*layout.furniture, *own_credits], markers=markers)
    if (canonical := _canonical_marker(document)) is not None:
        markers.append(canonical)
    body_hash = content_hash(body)
    if document.language is None:
        document = replace(document, language=detect_language(body))
    attributions = extract_attributions(
        body, layout.furniture, markers, document.language, registry, load_cues(settings.cues_file)
    )
    return Prepared(
        document=document,
        title=title,
        layout=layout,
        markers=markers,
        body=body,
        content_hash=body_hash,
        identity_key=identity_key(document.url, body_hash),
        attributions=attributions,
        quotes=extract_quotes(body, attributions),
        anchors=extract_anchors(body, document.language) if document.language else [],
    )


@lru_cache(maxsize=4096)
def stored_anchors(body: str, language: str | None) -> tuple[Anchor, ...]:
    """The anchors of a stored body, remembered: an article that mentions a common name is a
    translation candidate of many.
    """
    return tuple(extract_anchors(body, language))
