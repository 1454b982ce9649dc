"""Stored articles by reference (id, URL, file name, or a file to ingest first), for chains and
quotes.
"""

from __future__ import annotations

from pathlib import Path

from provenance.config import Settings
from provenance.errors import ExtractionError
from provenance.graph.chain import Chain, chain_rows, source_chain
from provenance.ingest.preparation import Fingerprinter, prepare
from provenance.ingest.writer import IngestReport, _store_batch
from provenance.knowledge.registry import load_registry
from provenance.read.document import Failure
from provenance.read.inputs import is_url, iter_documents
from provenance.store.records import ArticleRecord
from provenance.store.store import Store
from provenance.text.normalize import load_patterns

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


def article_quotes(store: Store, reference: str) -> ArticleRecord:
    """A stored article (by id, URL or file name) with its quotations."""
    with store.reader() as reader:
        return reader.find_article(reference)
