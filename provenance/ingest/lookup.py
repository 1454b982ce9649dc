"""Stored articles by reference (id, URL, file name, or a file to ingest first): their chains,
quotes, relations and passages, and forgetting one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from provenance.config import Settings
from provenance.errors import ExtractionError
from provenance.graph.chain import Chain, chain_rows, source_chain
from provenance.graph.passages import PassageElsewhere
from provenance.ingest.links import Match
from provenance.ingest.preparation import Fingerprinter, prepare
from provenance.ingest.verdicts import stored_passages, stored_relations
from provenance.ingest.writer import IngestReport, _store_batch
from provenance.knowledge.registry import load_registry
from provenance.read.document import Failure
from provenance.read.inputs import is_url, iter_documents
from provenance.store.records import ArticleRecord
from provenance.store.store import Store
from provenance.text.normalize import load_patterns
from provenance.translation.anchors import base_language

# ---- chains ------------------------------------------------------------------------------


def _stored_article(store: Store, reference: str, settings: Settings) -> ArticleRecord:
    """The stored article a reference names: an id, a URL, a file name, or a file or URL to ingest
    first.
    """
    if is_url(reference):
        with store.reader() as reader:
            stored_at_url = reader.articles_at_urls([reference])
        if stored_at_url:
            return stored_at_url[0]
    if is_url(reference) or Path(reference).is_file():
        fingerprinter = Fingerprinter(settings)
        for document in iter_documents(
            [reference], settings.max_file_bytes, allow_private_urls=settings.allow_private_urls
        ):
            if isinstance(document, Failure):
                raise ExtractionError(document.reason, document.origin)
            item = prepare(document, load_patterns(settings.patterns_file), fingerprinter)
            with store.reader() as reader:
                known = bool(reader.known_identity_keys([item.identity_key]))
            if not known:
                _store_batch(store, [item], fingerprinter, IngestReport())
            with store.reader() as reader:
                found = reader.same_article(item.identity_key, ())
            if found is not None:
                return found
    with store.reader() as reader:
        return reader.find_article(reference)


def chain_for(store: Store, reference: str, settings: Settings | None = None) -> Chain:
    """Build, store and return the source chain of an article (by id, URL, file name, or a file to
    ingest).
    """
    settings = settings or Settings()
    registry = load_registry(settings.sources_file)
    article = _stored_article(store, reference, settings)
    with store.writer() as writer:
        chain = source_chain(writer, article, registry)
        writer.replace_chain(article.id, chain_rows(chain))
    return chain


def chain_of(store: Store, reference: str, settings: Settings | None = None) -> Chain:
    """The source chain of a stored article (by id, URL or file name), built without writing anything."""
    settings = settings or Settings()
    registry = load_registry(settings.sources_file)
    with store.reader() as reader:
        article = reader.find_article(reference)
        return source_chain(reader, article, registry)


def article_quotes(store: Store, reference: str) -> ArticleRecord:
    """A stored article (by id, URL or file name) with its quotations."""
    with store.reader() as reader:
        return reader.find_article(reference)


# ---- one stored article, and forgetting it --------------------------------------------------


@dataclass(frozen=True)
class ArticleView:
    """A stored article with what the database knows about it: its copy and translation links
    (seen from it), and its passages found in other outlets' articles.
    """

    article: ArticleRecord
    relations: list[Match]
    passages: list[PassageElsewhere]


def show_article(store: Store, reference: str) -> ArticleView:
    """A stored article (by id, URL or file name) with its relations, attributions, quotes and
    passages found elsewhere.
    """
    with store.reader() as reader:
        article = reader.find_article(reference)
        return ArticleView(
            article, stored_relations(reader, article), stored_passages(reader, article)
        )


@dataclass(frozen=True)
class Forgotten:
    """What `forget` removed: the article as it was stored, and the rows of each table."""

    article: ArticleRecord
    removed: dict[str, int]


def forget(store: Store, reference: str, settings: Settings | None = None) -> Forgotten:
    """Remove a stored article (by id, URL or file name) and everything derived from it, in one
    transaction: its LSH keys, paragraphs and their search rows, attributions, quotes, links,
    passage witnesses, chain and outlet lines.
    """
    store.require_current()
    settings = settings or Settings()
    with store.writer() as writer:
        writer.lock_for_writing()
        article = writer.find_article(reference)
        [keys] = Fingerprinter(settings).index_keys(
            [article.body], [base_language(article.language)]
        )
        removed = writer.forget(article.id, keys.keys.tolist(), keys.anchor_keys.tolist())
    return Forgotten(article, removed)
